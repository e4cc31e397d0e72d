package superoffice

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// System is the connector type and governor system name.
const System = "superoffice"

// client makes governed REST calls to one tenant.
type client struct {
	set  Settings
	http *http.Client
	gov  engine.Governor
	auth *authenticator
	log  *slog.Logger
	now  func() time.Time
	// scope is the tenant budget every call is charged to.
	scope engine.LimitScope
}

// apiError is a non-2xx answer.
type apiError struct {
	Status int
	Method string
	Path   string
	Msg    string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("superoffice: %s %s: status %d: %s", e.Method, e.Path, e.Status, e.Msg)
}

// request describes one call. Path is relative to the REST base ("v1/Appointment/12").
type request struct {
	method  string
	path    string
	query   url.Values
	body    any
	out     any
	zone    string     // SO-TimeZone; default UTC
	ifUnmod time.Time  // If-Unmodified-Since when not zero
	date    *time.Time // receives the server's Date header, when set
}

// do sends r through the governor, authenticating and retrying once after a 401 with fresh credentials.
func (c *client) do(ctx context.Context, r request) error {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("superoffice: encode %s body: %w", r.path, err)
		}
	}
	for attempt := 0; ; attempt++ {
		auth, appTok, err := c.auth.authorize(ctx)
		if err != nil {
			return err
		}
		status, err := c.once(ctx, r, body, auth, appTok)
		if status == http.StatusUnauthorized && attempt == 0 {
			if rerr := c.auth.renew(ctx, auth); rerr != nil {
				return rerr
			}
			continue
		}
		if status == http.StatusUnauthorized {
			return fmt.Errorf("%w: %w", engine.ErrAuth, err)
		}
		return err
	}
}

func (c *client) once(ctx context.Context, r request, body []byte, auth, appTok string) (int, error) {
	u := c.set.BaseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	permit, err := c.gov.Acquire(ctx, c.scope)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	out := engine.Outcome{}
	defer func() { out.Latency = time.Since(start); permit.Done(out) }()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, rd)
	if err != nil {
		out.Err = err
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", auth)
	if appTok != "" {
		req.Header.Set("SO-AppToken", appTok)
	}
	zone := r.zone
	if zone == "" {
		zone = "UTC"
	}
	req.Header.Set("SO-TimeZone", zone)
	req.Header.Set("SO-Language", c.set.Language)
	if !r.ifUnmod.IsZero() {
		req.Header.Set("If-Unmodified-Since", r.ifUnmod.UTC().Format(http.TimeFormat))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		out.Err = err
		return 0, fmt.Errorf("superoffice: %s %s: %w", r.method, r.path, err)
	}
	defer resp.Body.Close()
	out.Status = resp.StatusCode
	if r.date != nil {
		if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			*r.date = t.UTC()
		}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		out.Err = err
		return resp.StatusCode, fmt.Errorf("superoffice: %s %s: read body: %w", r.method, r.path, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if r.out != nil && len(bytes.TrimSpace(data)) > 0 {
			if err := json.Unmarshal(data, r.out); err != nil {
				out.Err = err
				return resp.StatusCode, fmt.Errorf("superoffice: %s %s: decode: %w", r.method, r.path, err)
			}
		}
		return resp.StatusCode, nil
	}
	ae := &apiError{Status: resp.StatusCode, Method: r.method, Path: r.path, Msg: errorMessage(data)}
	out.Err = ae
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		wait := retryAfter(resp.Header.Get("Retry-After"), c.now())
		out.RetryAfter = wait
		return resp.StatusCode, &engine.RetryAfterError{Wait: wait, Err: ae}
	case http.StatusPreconditionFailed:
		return resp.StatusCode, fmt.Errorf("%w: %w", engine.ErrPrecondition, ae)
	case http.StatusNotFound:
		return resp.StatusCode, fmt.Errorf("%w: %w", engine.ErrNotFound, ae)
	case http.StatusForbidden:
		return resp.StatusCode, fmt.Errorf("%w: the system user lacks the right: %w", engine.ErrAuth, ae)
	}
	return resp.StatusCode, ae
}

func errorMessage(data []byte) string {
	var e struct {
		Message string `json:"Message"`
	}
	if json.Unmarshal(data, &e) == nil && e.Message != "" {
		return engine.QuoteRemote(e.Message)
	}
	return engine.QuoteRemote(string(data))
}

// retryAfter reads a Retry-After value (seconds or an HTTP date); missing or bad values mean 30 s.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 30 * time.Second
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
		return 0
	}
	return 30 * time.Second
}

// archive runs an OData archive query and follows odata.nextLink to the end, calling fn per page.
func (c *client) archive(ctx context.Context, entity string, q url.Values, fn func(rows []map[string]any) error) error {
	_, err := c.archiveDated(ctx, entity, q, fn)
	return err
}

// archiveDated is archive that also returns the server's clock at the first page (its Date header; zero if absent).
func (c *client) archiveDated(ctx context.Context, entity string, q url.Values, fn func(rows []map[string]any) error) (time.Time, error) {
	path := "v1/" + entity
	var first time.Time
	for i := 0; ; i++ {
		var page ODataSlimResponse
		r := request{method: http.MethodGet, path: path, query: q, out: &page}
		if i == 0 {
			r.date = &first
		}
		if err := c.do(ctx, r); err != nil {
			return first, err
		}
		if err := fn(page.Value); err != nil {
			return first, err
		}
		if page.NextLink == "" {
			return first, nil
		}
		nu, err := url.Parse(page.NextLink)
		if err != nil {
			return first, fmt.Errorf("superoffice: odata.nextLink %q: %w", page.NextLink, err)
		}
		q = nu.Query()
	}
}

// intOf reads an archive column as an int32 (archives return numbers, sometimes as strings).
func intOf(row map[string]any, col string) (int32, error) {
	switch v := row[col].(type) {
	case float64:
		return int32(v), nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
		if err != nil {
			return 0, fmt.Errorf("archive column %s: %q is not an integer", col, v)
		}
		return int32(n), nil
	case json.Number:
		n, err := strconv.ParseInt(v.String(), 10, 32)
		return int32(n), err
	case nil:
		return 0, fmt.Errorf("archive column %s: missing", col)
	}
	return 0, fmt.Errorf("archive column %s: unexpected %T", col, row[col])
}

func strOf(row map[string]any, col string) string {
	s, _ := row[col].(string)
	return s
}
