package msgraph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// maxBody bounds every response body we read.
const maxBody = 64 << 20

// graphError is a Graph error answer: {"error": {"code", "message"}}.
type graphError struct {
	Method, URL string
	Status      int
	Code        string
	Message     string
}

func (e *graphError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d %s: %s", e.Method, e.URL, e.Status, e.Code, e.Message)
}

// request is one Graph call.
type request struct {
	method string
	path   string // relative to the Graph base ("/users/x/events") or absolute (a nextLink)
	body   any
	header map[string]string
	user   string // the mailbox the call is charged to; empty for tenant-wide calls
	parts  int    // budget units ($batch parts); 0 means 1
}

// response is a Graph answer read in full.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// scopes returns the limit scopes of a call: the mailbox first (Graph throttles it), then the app.
func (c *Connector) scopes(user string) []engine.LimitScope {
	app := engine.LimitScope{System: Type, Kind: "app", Key: c.set.TenantID + "/" + c.set.ClientID}
	if user == "" {
		return []engine.LimitScope{app}
	}
	return []engine.LimitScope{{System: Type, Kind: "mailbox", Key: strings.ToLower(user)}, app}
}

// do sends one governed request. 2xx answers are returned; others become errors: 401 after one token refresh →
// engine.ErrAuth, 404 → engine.ErrNotFound, 410 / syncStateNotFound → engine.ErrCursorExpired, 412 →
// engine.ErrPrecondition, 429/503/504 → *engine.RetryAfterError with the server's Retry-After, others →
// *graphError.
func (c *Connector) do(ctx context.Context, rq request) (*response, error) {
	var body []byte
	if rq.body != nil {
		var err error
		if body, err = json.Marshal(rq.body); err != nil {
			return nil, fmt.Errorf("msgraph: encoding the request body: %w", err)
		}
	}
	target := rq.path
	if !strings.HasPrefix(target, "http") {
		target = c.graph + "/v1.0" + target
	}
	chargedAt, err := c.chargeParts(ctx, rq)
	if err != nil {
		return nil, err
	}
	recharges := 0
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.token(ctx, rq.user, attempt > 0)
		if err != nil {
			return nil, err
		}
		permit, err := c.gov.Acquire(ctx, c.scopes(rq.user)...)
		if err != nil {
			return nil, err
		}
		if rq.parts > 1 && attempt == 0 && c.now().Sub(chargedAt) > c.margin && recharges < 4 {
			recharges++
			// The budget ran dry between the charges and this admission: charge the parts again close to the send.
			permit.Done(engine.Outcome{Status: http.StatusOK})
			if chargedAt, err = c.chargeParts(ctx, rq); err != nil {
				return nil, err
			}
			attempt = -1
			continue
		}
		start := c.now()
		resp, err := c.send(ctx, rq, target, tok, body)
		out := engine.Outcome{Latency: c.now().Sub(start), Err: err}
		if resp != nil {
			out.Status = resp.Status
		}
		if err == nil {
			err = c.statusError(rq.method, target, resp)
			var ra *engine.RetryAfterError
			if errors.As(err, &ra) {
				out.RetryAfter, out.Err = ra.Wait, err
			}
		}
		permit.Done(out)
		if resp != nil && resp.Status == http.StatusUnauthorized && attempt == 0 {
			continue // the token may have been revoked or expired early: get a fresh one once
		}
		if err != nil {
			return resp, err
		}
		return resp, nil
	}
}

// chargeParts charges the n−1 extra budget units of a $batch of n parts (the call itself is the n-th): Graph
// counts every part when the batch arrives, so all of them must be admitted within the window margin of the send.
// Charges that had to wait for the budget longer than the margin are charged again (the early ones would leave
// our window before they leave Graph's); in a budget-bound mailbox that over-charges by at most a batch, which is
// safe. It gives up after a few rounds with the last error.
func (c *Connector) chargeParts(ctx context.Context, rq request) (time.Time, error) {
	for round := 0; ; round++ {
		first := time.Time{}
		for i := 1; i < rq.parts; i++ {
			p, err := c.gov.Acquire(ctx, c.scopes(rq.user)...)
			if err != nil {
				return time.Time{}, err
			}
			p.Done(engine.Outcome{Status: http.StatusOK})
			if first.IsZero() {
				first = c.now()
			}
		}
		if first.IsZero() {
			return c.now(), nil
		}
		if c.now().Sub(first) <= c.margin || round == 8 {
			return first, nil
		}
	}
}

func (c *Connector) send(ctx context.Context, rq request, target, tok string, body []byte) (*response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, target, rd)
	if err != nil {
		return nil, fmt.Errorf("msgraph: %s %s: %w", rq.method, target, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("msgraph: %s %s: %w", rq.method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("msgraph: %s %s: reading the answer: %w", rq.method, target, err)
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// retryAfter parses a Retry-After header (seconds or an HTTP date); ok is false when there is none.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

func (c *Connector) statusError(method, target string, resp *response) error {
	if resp.Status >= 200 && resp.Status < 300 {
		return nil
	}
	ge := &graphError{Method: method, URL: redact(target), Status: resp.Status}
	var eb struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(resp.Body, &eb) == nil {
		ge.Code, ge.Message = engine.QuoteRemote(eb.Error.Code), engine.QuoteRemote(eb.Error.Message)
	}
	switch {
	case resp.Status == http.StatusTooManyRequests || resp.Status == http.StatusServiceUnavailable || resp.Status == http.StatusGatewayTimeout:
		wait, ok := retryAfter(resp.Header, c.now())
		if !ok {
			wait = 0 // the governor backs off exponentially when no wait is given
		}
		return &engine.RetryAfterError{Wait: wait, Err: ge}
	case resp.Status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %w", engine.ErrAuth, ge)
	case resp.Status == http.StatusForbidden:
		return fmt.Errorf("%w: permission missing or access blocked by an application access policy: %w", engine.ErrAuth, ge)
	case resp.Status == http.StatusNotFound:
		return fmt.Errorf("%w: %w", engine.ErrNotFound, ge)
	case resp.Status == http.StatusGone || strings.EqualFold(ge.Code, "syncStateNotFound") || strings.EqualFold(ge.Code, "resyncRequired") ||
		strings.EqualFold(ge.Code, "syncStateInvalid"):
		return fmt.Errorf("%w: %w", engine.ErrCursorExpired, ge)
	case resp.Status == http.StatusPreconditionFailed || resp.Status == http.StatusConflict && strings.Contains(ge.Code, "Conflict"):
		return fmt.Errorf("%w: %w", engine.ErrPrecondition, ge)
	}
	return ge
}

// redact drops the query (delta tokens) from a URL used in an error message.
func redact(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i] + "?…"
	}
	return u
}

// getJSON sends a request and decodes the JSON answer into v.
func (c *Connector) call(ctx context.Context, rq request, v any) error {
	resp, err := c.do(ctx, rq)
	if err != nil {
		return err
	}
	if v == nil || len(resp.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return fmt.Errorf("msgraph: %s %s: decoding the answer: %w", rq.method, redact(rq.path), err)
	}
	return nil
}
