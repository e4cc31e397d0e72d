// Package mail is the appliance's outbound e-mail: the SMTP settings an admin
// saves (kept in the store, the password write-only) and the sending of short
// plain-text messages such as a test mail or a sign-in invitation for a
// delegated mailbox.
//
// It is a top-level package, not part of a connector, because e-mail is the
// appliance's own way of reaching people: the GraphQL API (graph) and the
// server use it, and it belongs to no connected system. Sending uses the
// standard library's net/smtp.
//
// Nothing here logs or returns a password, and callers must not pass a
// message body to a log: an invitation's body carries a sign-in link.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/synchronizer/synchronizer/kv"
)

// Security is how the connection to the SMTP server is protected.
type Security string

// The connection security modes.
const (
	// SecurityNone is a plain connection. The password is then only sent to a
	// server on the loopback address (net/smtp refuses otherwise).
	SecurityNone Security = "none"
	// SecurityStartTLS upgrades a plain connection with STARTTLS (usually
	// port 587); a server that does not offer it is refused.
	SecurityStartTLS Security = "starttls"
	// SecurityTLS is TLS from the first byte (implicit TLS, usually port 465).
	SecurityTLS Security = "tls"
)

// Settings are the SMTP settings. Password is write-only in the API.
type Settings struct {
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	Security Security `json:"security"`
	Username string   `json:"username,omitempty"`
	Password string   `json:"password,omitempty"`
	From     string   `json:"from"`
	FromName string   `json:"fromName,omitempty"`
}

// settingsKey is where the settings live (in the config key space).
const settingsKey = kv.PrefixConfig + "mail/smtp"

// ErrNotConfigured is returned when no SMTP settings are saved.
var ErrNotConfigured = errors.New("mail: no SMTP settings are saved")

// FieldError is invalid settings or a bad address; Field names the setting
// (host, port, security, username, password, from, fromName, to).
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Validate checks s, returning a *FieldError for the first setting at fault.
func (s Settings) Validate() error {
	host := strings.TrimSpace(s.Host)
	switch {
	case host == "":
		return &FieldError{"host", "the SMTP server's host name is required"}
	case strings.ContainsAny(host, " /:\t\r\n") && net.ParseIP(host) == nil:
		return &FieldError{"host", "a host name or IP address, without a scheme or port"}
	case len(host) > 253:
		return &FieldError{"host", "too long"}
	}
	if s.Port < 1 || s.Port > 65535 {
		return &FieldError{"port", "must be between 1 and 65535"}
	}
	switch s.Security {
	case SecurityNone, SecurityStartTLS, SecurityTLS:
	default:
		return &FieldError{"security", fmt.Sprintf("%q: want none, starttls or tls", s.Security)}
	}
	if hasControl(s.Username) || len(s.Username) > 256 {
		return &FieldError{"username", "must be at most 256 characters without line breaks"}
	}
	if hasControl(s.Password) || len(s.Password) > 1024 {
		return &FieldError{"password", "must be at most 1024 characters without line breaks"}
	}
	if s.Password != "" && s.Username == "" {
		return &FieldError{"username", "a password is set but no user name"}
	}
	if s.Security == SecurityNone && s.Username != "" && !isLocalhost(host) {
		return &FieldError{"security", "a password is only sent over TLS: choose starttls or tls (none is for a relay on this machine)"}
	}
	if err := checkAddress(s.From); err != nil {
		return &FieldError{"from", err.Error()}
	}
	if hasControl(s.FromName) || len(s.FromName) > 128 {
		return &FieldError{"fromName", "must be at most 128 characters without line breaks"}
	}
	return nil
}

// isLocalhost matches the hosts net/smtp sends a password to without TLS.
func isLocalhost(h string) bool { return h == "localhost" || h == "127.0.0.1" || h == "::1" }

func hasControl(s string) bool { return strings.IndexFunc(s, unicode.IsControl) >= 0 }

// checkAddress accepts a bare address such as ops@example.com.
func checkAddress(a string) error {
	if a == "" {
		return errors.New("an e-mail address is required")
	}
	p, err := mail.ParseAddress(a)
	if err != nil || p.Address != a || p.Name != "" || hasControl(a) || len(a) > 254 {
		return fmt.Errorf("%q is not an e-mail address (write it as name@example.com)", a)
	}
	return nil
}

// CheckAddress validates a recipient address; the error names field.
func CheckAddress(field, a string) error {
	if err := checkAddress(a); err != nil {
		return &FieldError{field, err.Error()}
	}
	return nil
}

// Load returns the saved settings, or ErrNotConfigured.
func Load(db *kv.DB) (Settings, error) {
	var s Settings
	err := db.View(func(tx *kv.Tx) error {
		var err error
		s, err = kv.GetJSON[Settings](tx, []byte(settingsKey))
		return err
	})
	if errors.Is(err, kv.ErrNotFound) {
		return Settings{}, ErrNotConfigured
	}
	return s, err
}

// Save validates and stores s. keepPassword keeps the saved password (the API
// never shows it, so a form that leaves it empty means "unchanged").
func Save(db *kv.DB, s Settings, keepPassword bool) (Settings, error) {
	s.Host = strings.TrimSpace(s.Host)
	err := db.Update(func(tx *kv.Tx) error {
		if keepPassword {
			old, err := kv.GetJSON[Settings](tx, []byte(settingsKey))
			if err != nil && !errors.Is(err, kv.ErrNotFound) {
				return err
			}
			s.Password = old.Password
		}
		if err := s.Validate(); err != nil {
			return err
		}
		return kv.PutJSON(tx, []byte(settingsKey), s)
	})
	return s, err
}

// Message is one plain-text message.
type Message struct {
	To      string
	Subject string
	Body    string // plain text; lines end in \n
}

// Error is a failure to send, naming the step that failed: "dial", "tls",
// "starttls", "auth", "sender", "recipient", "data" or "quit".
type Error struct {
	Step string
	Err  error
}

func (e *Error) Error() string {
	what := map[string]string{
		"dial":      "could not connect to the SMTP server",
		"tls":       "the TLS handshake with the SMTP server failed",
		"starttls":  "STARTTLS with the SMTP server failed",
		"auth":      "the SMTP server refused the user name or password",
		"sender":    "the SMTP server refused the sender address",
		"recipient": "the SMTP server refused the recipient",
		"data":      "the SMTP server refused the message",
		"quit":      "the SMTP server did not close the session cleanly",
	}[e.Step]
	if what == "" {
		what = "sending failed"
	}
	return fmt.Sprintf("%s: %v", what, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Timeout bounds one whole send (connect, handshake, message, quit).
const Timeout = 30 * time.Second

// Mailer sends with Settings.
type Mailer struct {
	Settings Settings
	// TLS, if set, is the base TLS configuration (tests pass their own roots).
	// MinVersion is raised to TLS 1.2 and ServerName set from Host regardless.
	TLS *tls.Config
	// Now returns the time for the Date header; nil: time.Now.
	Now func() time.Time
}

// Send delivers m.
func (ml *Mailer) Send(ctx context.Context, m Message) error {
	s := ml.Settings
	if err := s.Validate(); err != nil {
		return err
	}
	if err := CheckAddress("to", m.To); err != nil {
		return err
	}
	raw, err := ml.compose(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	tcfg := &tls.Config{MinVersion: tls.VersionTLS12} //nolint:gosec // G402 false positive: the minimum is TLS 1.2
	if ml.TLS != nil {
		tcfg = ml.TLS.Clone()
		tcfg.MinVersion = max(tcfg.MinVersion, tls.VersionTLS12)
	}
	tcfg.ServerName = s.Host

	d := net.Dialer{Timeout: 15 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return &Error{"dial", err}
	}
	defer func() { _ = conn.Close() }()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if s.Security == SecurityTLS {
		tc := tls.Client(conn, tcfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return &Error{"tls", err}
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		return &Error{"dial", err}
	}
	defer func() { _ = c.Close() }()
	if err := c.Hello("localhost"); err != nil {
		return &Error{"dial", err}
	}
	if s.Security == SecurityStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &Error{"starttls", errors.New("the server does not offer STARTTLS (choose security none or tls)")}
		}
		if err := c.StartTLS(tcfg); err != nil {
			return &Error{"starttls", err}
		}
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return &Error{"auth", errors.New("the server offers no authentication (leave the user name empty, or use starttls or tls)")}
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return &Error{"auth", err}
		}
	}
	if err := c.Mail(s.From); err != nil {
		return &Error{"sender", err}
	}
	if err := c.Rcpt(m.To); err != nil {
		return &Error{"recipient", fmt.Errorf("%s: %w", m.To, err)}
	}
	w, err := c.Data()
	if err != nil {
		return &Error{"data", err}
	}
	if _, err := w.Write(raw); err != nil {
		return &Error{"data", err}
	}
	if err := w.Close(); err != nil {
		return &Error{"data", err}
	}
	if err := c.Quit(); err != nil {
		return &Error{"quit", err}
	}
	return nil
}

// compose builds the message: headers (Date, From, To, Subject, Message-ID,
// MIME-Version, Content-Type) and the body, CRLF line endings, lines that
// start with "." left to net/smtp's dot-stuffing.
func (ml *Mailer) compose(m Message) ([]byte, error) {
	if hasControl(m.Subject) {
		return nil, errors.New("mail: the subject has a line break")
	}
	now := time.Now
	if ml.Now != nil {
		now = ml.Now
	}
	s := ml.Settings
	from := (&mail.Address{Name: s.FromName, Address: s.From}).String()
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	domain := s.From[strings.LastIndexByte(s.From, '@')+1:]
	var b strings.Builder
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("Date", now().Format(time.RFC1123Z))
	hdr("From", from)
	hdr("To", (&mail.Address{Address: m.To}).String())
	hdr("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	hdr("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+domain+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	hdr("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	body := strings.ReplaceAll(strings.TrimRight(m.Body, "\r\n"), "\r\n", "\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n") + "\r\n")); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
