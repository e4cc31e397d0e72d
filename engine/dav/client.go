package dav

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// XML namespaces of WebDAV, CalDAV, CardDAV and the calendarserver.org extensions.
const (
	nsDAV  = "DAV:"
	nsCal  = "urn:ietf:params:xml:ns:caldav"
	nsCard = "urn:ietf:params:xml:ns:carddav"
	nsCS   = "http://calendarserver.org/ns/"
)

// maxBody bounds every response body we read (a multiget of many large events stays well below it).
const maxBody = 256 << 20

// client is a minimal WebDAV client over net/http: Basic auth, XML bodies with Content-Type application/xml (Xandikos
// answers 415 otherwise), no Expect header, retries of requests that are safe to repeat when a connection dies
// (SOGo closes the connection after every response without saying so), and every call admitted by the governor.
type client struct {
	base     *url.URL // server root: scheme and host
	user     string
	password string
	http     *http.Client
	gov      engine.Governor
	scope    engine.LimitScope
	log      *slog.Logger
	retries  int
	// davical is set once a response carried DAViCal's X-DAViCal-Version header (see Collection.needsCTag).
	davical atomic.Bool
	// server is the last non-empty Server header the server answered with (a string).
	server atomic.Value
}

func (c *client) isDAViCal() bool { return c.davical.Load() }

// serverHeader returns the last non-empty Server header seen, or "".
func (c *client) serverHeader() string {
	v, _ := c.server.Load().(string)
	return v
}

// httpError is a non-success HTTP answer.
type httpError struct {
	Method, URL string
	Status      int
	Body        string
}

func (e *httpError) Error() string {
	b := strings.TrimSpace(e.Body)
	if len(b) > 300 {
		b = b[:300] + "…"
	}
	return fmt.Sprintf("%s %s: HTTP %d %s", e.Method, e.URL, e.Status, b)
}

func statusOf(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.Status
	}
	return 0
}

// response is one HTTP answer read in full.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func newHTTPClient(base *http.Client) *http.Client {
	if base != nil {
		return base
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.MaxIdleConnsPerHost = 8
	return &http.Client{Transport: tr, Timeout: 2 * time.Minute}
}

// do sends one request and reads the whole answer. 2xx, 207 and the statuses in ok are returned as a response;
// other statuses become errors: 401 → engine.ErrAuth, 429/503 with Retry-After → *engine.RetryAfterError, others
// → *httpError. Transport errors are retried (up to c.retries times) when the request is safe to repeat.
func (c *client) do(ctx context.Context, method, target string, hdr map[string]string, body []byte, ok ...int) (*response, error) {
	u, err := c.resolve(target)
	if err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt <= c.retries; attempt++ {
		if attempt > 0 {
			c.log.Debug("dav: retrying after a transport error", "method", method, "url", u, "attempt", attempt, "err", lastErr)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 50 * time.Millisecond):
			}
		}
		resp, err := c.once(ctx, method, u, hdr, body)
		if err == nil {
			if resp.Status >= 200 && resp.Status < 300 || containsInt(ok, resp.Status) {
				return resp, nil
			}
			return resp, c.statusError(method, u, resp)
		}
		lastErr = err
		if ctx.Err() != nil || !retryable(err) || !safeToRetry(method, hdr) {
			break
		}
	}
	return nil, fmt.Errorf("%s %s: %w", method, u, lastErr)
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// safeToRetry reports whether repeating the request cannot cause harm: reads, and writes that carry a
// precondition (a repeated conditional PUT or DELETE fails with 412 instead of writing twice).
func safeToRetry(method string, hdr map[string]string) bool {
	switch method {
	case "GET", "HEAD", "OPTIONS", "PROPFIND", "REPORT":
		return true
	case "PUT", "DELETE":
		return hdr["If-Match"] != "" || hdr["If-None-Match"] != ""
	}
	return false
}

// retryable reports whether a transport error is a dead connection rather than a refusal or a timeout.
func retryable(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "server closed idle connection") || strings.Contains(s, "connection reset") ||
		strings.Contains(s, "broken pipe") || strings.Contains(s, "EOF") || strings.Contains(s, "transport connection broken")
}

func (c *client) once(ctx context.Context, method string, u string, hdr map[string]string, body []byte) (*response, error) {
	permit, err := c.gov.Acquire(ctx, c.scope)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	out := engine.Outcome{}
	defer func() {
		out.Latency = time.Since(start)
		permit.Done(out)
	}()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		out.Err = err
		return nil, err
	}
	if c.user != "" || c.password != "" {
		req.SetBasicAuth(c.user, c.password)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	req.Header.Del("Expect")
	resp, err := c.http.Do(req)
	if err != nil {
		out.Err = err
		return nil, err
	}
	defer resp.Body.Close()
	if resp.Header.Get("X-DAViCal-Version") != "" {
		c.davical.Store(true)
	}
	if v := resp.Header.Get("Server"); v != "" && v != c.serverHeader() {
		c.server.Store(v)
	}
	// Read into a buffer of the announced size (plus the room ReadFrom wants to see the end), instead of growing
	// one step by step: a listing of thousands of members is megabytes, and each growth step copies it.
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= maxBody {
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err = buf.ReadFrom(io.LimitReader(resp.Body, maxBody+1))
	data := buf.Bytes()
	out.Status = resp.StatusCode
	if err != nil {
		out.Err = err
		return nil, err
	}
	if len(data) > maxBody {
		out.Err = fmt.Errorf("response body larger than %d bytes", maxBody)
		return nil, out.Err
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		out.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func (c *client) statusError(method, u string, resp *response) error {
	he := &httpError{Method: method, URL: u, Status: resp.Status, Body: string(resp.Body)}
	switch resp.Status {
	case http.StatusUnauthorized:
		return fmt.Errorf("%w: %w", engine.ErrAuth, he)
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		if w := retryAfter(resp.Header.Get("Retry-After"), time.Now()); w > 0 || resp.Status == http.StatusTooManyRequests {
			if w == 0 {
				w = 30 * time.Second
			}
			return &engine.RetryAfterError{Wait: w, Err: he}
		}
	}
	return he
}

// resolve turns an href (absolute path or URL) into an absolute URL on the server.
func (c *client) resolve(target string) (string, error) {
	ref, err := url.Parse(target)
	if err != nil {
		return "", fmt.Errorf("bad href %q: %w", target, err)
	}
	return c.base.ResolveReference(ref).String(), nil
}

// hrefPath normalizes an href from a response to its escaped path, the form used as item id.
func (c *client) hrefPath(h string) string {
	h = strings.TrimSpace(h)
	ref, err := url.Parse(h)
	if err != nil {
		return h
	}
	u := c.base.ResolveReference(ref)
	p := u.EscapedPath()
	// Normalize the escaping so the same resource always gets the same id.
	if dec, err := url.PathUnescape(p); err == nil {
		p = (&url.URL{Path: dec}).EscapedPath()
	}
	return p
}

// multistatus is a 207 answer (PROPFIND, REPORT).
type multistatus struct {
	Responses []msResponse `xml:"DAV: response"`
	SyncToken string       `xml:"DAV: sync-token"`
}

type msResponse struct {
	Hrefs     []string   `xml:"DAV: href"`
	Status    string     `xml:"DAV: status"`
	Propstats []propstat `xml:"DAV: propstat"`
}

type propstat struct {
	Prop   props  `xml:"DAV: prop"`
	Status string `xml:"DAV: status"`
}

type hrefProp struct {
	Hrefs []string `xml:"DAV: href"`
}

type resourceType struct {
	Collection  *struct{} `xml:"DAV: collection"`
	Calendar    *struct{} `xml:"urn:ietf:params:xml:ns:caldav calendar"`
	Addressbook *struct{} `xml:"urn:ietf:params:xml:ns:carddav addressbook"`
}

type compSet struct {
	Comps []struct {
		Name string `xml:"name,attr"`
	} `xml:"urn:ietf:params:xml:ns:caldav comp"`
}

type reportSet struct {
	Reports []struct {
		Report struct {
			Inner []byte `xml:",innerxml"`
		} `xml:"DAV: report"`
	} `xml:"DAV: supported-report"`
}

type props struct {
	ETag         string        `xml:"DAV: getetag"`
	CTag         string        `xml:"http://calendarserver.org/ns/ getctag"`
	SyncToken    string        `xml:"DAV: sync-token"`
	DisplayName  string        `xml:"DAV: displayname"`
	ContentType  string        `xml:"DAV: getcontenttype"`
	ResourceType *resourceType `xml:"DAV: resourcetype"`
	Principal    *hrefProp     `xml:"DAV: current-user-principal"`
	CalHome      *hrefProp     `xml:"urn:ietf:params:xml:ns:caldav calendar-home-set"`
	CardHome     *hrefProp     `xml:"urn:ietf:params:xml:ns:carddav addressbook-home-set"`
	Comps        *compSet      `xml:"urn:ietf:params:xml:ns:caldav supported-calendar-component-set"`
	Reports      *reportSet    `xml:"DAV: supported-report-set"`
	CalData      *string       `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
	AddrData     *string       `xml:"urn:ietf:params:xml:ns:carddav address-data"`
	Email        *hrefProp     `xml:"urn:ietf:params:xml:ns:caldav calendar-user-address-set"`
}

// ok reports whether a DAV status line is 2xx (a missing status counts as OK).
func statusOK(s string) bool {
	if s == "" {
		return true
	}
	f := strings.Fields(s)
	return len(f) >= 2 && strings.HasPrefix(f[1], "2")
}

func statusCode(s string) int {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// okProps merges the properties of the 2xx propstats of r.
func (r *msResponse) okProps() props {
	var out props
	for _, ps := range r.Propstats {
		if !statusOK(ps.Status) {
			continue
		}
		p := ps.Prop
		if p.ETag != "" {
			out.ETag = p.ETag
		}
		if p.CTag != "" {
			out.CTag = p.CTag
		}
		if p.SyncToken != "" {
			out.SyncToken = p.SyncToken
		}
		if p.DisplayName != "" {
			out.DisplayName = p.DisplayName
		}
		if p.ContentType != "" {
			out.ContentType = p.ContentType
		}
		if p.ResourceType != nil {
			out.ResourceType = p.ResourceType
		}
		if p.Principal != nil {
			out.Principal = p.Principal
		}
		if p.CalHome != nil {
			out.CalHome = p.CalHome
		}
		if p.CardHome != nil {
			out.CardHome = p.CardHome
		}
		if p.Comps != nil {
			out.Comps = p.Comps
		}
		if p.Reports != nil {
			out.Reports = p.Reports
		}
		if p.CalData != nil {
			out.CalData = p.CalData
		}
		if p.AddrData != nil {
			out.AddrData = p.AddrData
		}
		if p.Email != nil {
			out.Email = p.Email
		}
	}
	return out
}

func parseMultistatus(body []byte) (*multistatus, error) {
	var ms multistatus
	if err := xml.Unmarshal(body, &ms); err != nil {
		return nil, fmt.Errorf("bad multistatus: %w", err)
	}
	return &ms, nil
}

// eachResponse decodes a multistatus body one <D:response> at a time and calls fn with each, so a listing of
// thousands of members never holds more than one decoded response besides the body (a resource's calendar data
// is released as soon as fn has parsed it). It returns the multistatus' top-level sync-token. The result is the
// same as parseMultistatus': unknown elements are skipped.
func eachResponse(body []byte, fn func(*msResponse) error) (syncToken string, err error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	root := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if !root {
				return "", errors.New("bad multistatus: no root element")
			}
			return syncToken, nil
		}
		if err != nil {
			return "", fmt.Errorf("bad multistatus: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !root {
			root = true // any root element, as xml.Unmarshal into multistatus accepts
			continue
		}
		switch {
		case se.Name.Space == nsDAV && se.Name.Local == "response":
			var r msResponse
			if err := d.DecodeElement(&r, &se); err != nil {
				return "", fmt.Errorf("bad multistatus: %w", err)
			}
			if err := fn(&r); err != nil {
				return "", err
			}
		case se.Name.Space == nsDAV && se.Name.Local == "sync-token":
			if err := d.DecodeElement(&syncToken, &se); err != nil {
				return "", fmt.Errorf("bad multistatus: %w", err)
			}
		default:
			if err := d.Skip(); err != nil {
				return "", fmt.Errorf("bad multistatus: %w", err)
			}
		}
	}
}

func withDepth(depth string) map[string]string {
	return map[string]string{"Content-Type": "application/xml; charset=utf-8", "Depth": depth}
}

// propfind sends a PROPFIND for the given property elements (inner XML of <D:prop>).
func (c *client) propfind(ctx context.Context, target, depth, propXML string) (*multistatus, error) {
	body := `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="` + nsCal + `" xmlns:CR="` + nsCard +
		`" xmlns:CS="` + nsCS + `"><D:prop>` + propXML + `</D:prop></D:propfind>`
	resp, err := c.do(ctx, "PROPFIND", target, withDepth(depth), []byte(body), http.StatusMultiStatus)
	if err != nil {
		return nil, err
	}
	return parseMultistatus(resp.Body)
}

// propfindEach sends a PROPFIND and calls fn for each response as it is decoded (see eachResponse).
func (c *client) propfindEach(ctx context.Context, target, depth, propXML string, fn func(*msResponse) error) error {
	body := `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="` + nsCal + `" xmlns:CR="` + nsCard +
		`" xmlns:CS="` + nsCS + `"><D:prop>` + propXML + `</D:prop></D:propfind>`
	resp, err := c.do(ctx, "PROPFIND", target, withDepth(depth), []byte(body), http.StatusMultiStatus)
	if err != nil {
		return err
	}
	_, err = eachResponse(resp.Body, fn)
	return err
}

// report sends a REPORT.
func (c *client) report(ctx context.Context, target, depth, body string) (*response, error) {
	return c.do(ctx, "REPORT", target, withDepth(depth), []byte(`<?xml version="1.0" encoding="utf-8"?>`+body), http.StatusMultiStatus)
}

// escapeXML escapes text for an XML element body.
func escapeXML(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
