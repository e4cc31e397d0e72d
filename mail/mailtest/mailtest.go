// Package mailtest is a small in-process SMTP server for tests: it listens on
// 127.0.0.1, speaks enough ESMTP for net/smtp (EHLO, AUTH PLAIN, STARTTLS when
// given a certificate, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and keeps what it
// receives. It can also serve TLS from the first byte (WithTLS).
package mailtest

import (
	"crypto/tls"
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// Received is one delivered message.
type Received struct {
	From string
	To   []string
	Data []byte // as received (dot-stuffing undone)
}

// Message parses Data.
func (r Received) Message() (*mail.Message, error) {
	return mail.ReadMessage(strings.NewReader(string(r.Data)))
}

// Body returns the decoded plain-text body (quoted-printable undone).
func (r Received) Body() (string, error) {
	m, err := r.Message()
	if err != nil {
		return "", err
	}
	rd := m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		rd = quotedprintable.NewReader(m.Body)
	}
	b, err := io.ReadAll(rd)
	return strings.ReplaceAll(string(b), "\r\n", "\n"), err
}

// Server is the test server.
type Server struct {
	// Addr is host:port.
	Addr string
	// Host and Port split Addr.
	Host string
	Port int

	user, pass string
	tlsConf    *tls.Config
	implicit   *tls.Config
	ln         net.Listener
	mu         sync.Mutex
	got        []Received
	refuse     map[string]bool
	wg         sync.WaitGroup
}

// Option configures a Server.
type Option func(*Server)

// WithAuth requires AUTH PLAIN with user and pass before MAIL.
func WithAuth(user, pass string) Option { return func(s *Server) { s.user, s.pass = user, pass } }

// WithSTARTTLS offers STARTTLS with cfg.
func WithSTARTTLS(cfg *tls.Config) Option { return func(s *Server) { s.tlsConf = cfg } }

// WithTLS serves TLS from the first byte (implicit TLS, like port 465) with cfg.
func WithTLS(cfg *tls.Config) Option { return func(s *Server) { s.implicit = cfg } }

// Refuse makes RCPT TO fail with 550 for addr.
func Refuse(addr string) Option { return func(s *Server) { s.refuse[strings.ToLower(addr)] = true } }

// Start starts a server on 127.0.0.1; it stops when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{refuse: map[string]bool{}}
	for _, o := range opts {
		o(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	if s.implicit != nil {
		ln = tls.NewListener(ln, s.implicit)
	}
	s.ln = ln
	a := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = a.IP.String(), a.Port
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s
}

// Messages returns what was delivered so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.got...)
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { _ = c.Close() }()
			s.session(c)
		}()
	}
}

func (s *Server) session(c net.Conn) {
	tp := textproto.NewConn(c)
	reply := func(line string) bool { return tp.PrintfLine("%s", line) == nil }
	if !reply("220 mailtest ESMTP ready") {
		return
	}
	authed, secure := s.user == "", s.implicit != nil
	var cur *Received
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			lines := []string{"250-mailtest"}
			if s.tlsConf != nil && !secure {
				lines = append(lines, "250-STARTTLS")
			}
			if s.user != "" {
				lines = append(lines, "250-AUTH PLAIN")
			}
			lines = append(lines, "250 8BITMIME")
			for _, l := range lines {
				if !reply(l) {
					return
				}
			}
		case "STARTTLS":
			if s.tlsConf == nil || secure {
				reply("502 not offered")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(c, s.tlsConf)
			if tc.Handshake() != nil {
				return
			}
			c, secure = tc, true
			tp = textproto.NewConn(c)
		case "AUTH":
			mech, ir, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				reply("504 unrecognised mechanism")
				continue
			}
			if ir == "" {
				reply("334 ")
				if ir, err = tp.ReadLine(); err != nil {
					return
				}
			}
			raw, _ := base64.StdEncoding.DecodeString(ir)
			parts := strings.Split(string(raw), "\x00")
			if len(parts) == 3 && parts[1] == s.user && parts[2] == s.pass {
				authed = true
				reply("235 2.7.0 authentication successful")
			} else {
				reply("535 5.7.8 authentication credentials invalid")
			}
		case "MAIL":
			if !authed {
				reply("530 5.7.0 authentication required")
				continue
			}
			cur = &Received{From: addrOf(arg)}
			reply("250 ok")
		case "RCPT":
			if cur == nil {
				reply("503 need MAIL first")
				continue
			}
			to := addrOf(arg)
			if s.refuse[strings.ToLower(to)] {
				reply("550 5.1.1 no such mailbox")
				continue
			}
			cur.To = append(cur.To, to)
			reply("250 ok")
		case "DATA":
			if cur == nil || len(cur.To) == 0 {
				reply("503 need RCPT first")
				continue
			}
			reply("354 end with .")
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			cur.Data = data
			s.mu.Lock()
			s.got = append(s.got, *cur)
			s.mu.Unlock()
			cur = nil
			reply("250 ok queued")
		case "RSET":
			cur = nil
			reply("250 ok")
		case "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("500 unrecognised command")
		}
	}
}

// addrOf returns the address in "FROM:<a> ..." or "TO:<a>".
func addrOf(arg string) string {
	_, rest, _ := strings.Cut(arg, ":")
	rest = strings.TrimSpace(rest)
	if i := strings.IndexByte(rest, '>'); strings.HasPrefix(rest, "<") && i > 0 {
		return rest[1:i]
	}
	f, _, _ := strings.Cut(rest, " ")
	return f
}
