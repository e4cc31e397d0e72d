package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Media types of GraphQL-over-HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// overHTTP is the GraphQL-over-HTTP transport for POST (application/json)
// and GET (queries only). It replaces gqlgen's transport.POST and
// transport.GET because those answer document validation failures with 422
// under application/json (the spec says 200), report a failed body read (an
// oversized body cut by http.MaxBytesReader) as a GraphQL error with status
// 200, and echo the whole request body in JSON decoding errors. Everything
// else (parsing, validation, execution, extensions) is gqlgen's executor.
type overHTTP struct{}

var _ graphql.Transport = overHTTP{}

// Supports accepts every GET and POST that is not a websocket upgrade; Do
// answers unsupported content types with a clear 415 instead of gqlgen's
// generic "transport not supported".
func (overHTTP) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && (r.Method == http.MethodGet || r.Method == http.MethodPost)
}

// Do handles one request.
func (overHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	media := responseMedia(r.Header.Get("Accept"))
	h := w.Header()
	h.Set("Content-Type", media+"; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept")

	fail := func(status int, code, format string, args ...any) {
		e := gqlerror.Errorf(format, args...)
		setCode(e, code)
		w.WriteHeader(status)
		writeRequestError(w, &graphql.Response{Errors: gqlerror.List{e}})
	}

	params := &graphql.RawParams{Headers: r.Header}
	params.ReadTime.Start = graphql.Now()
	if r.Method == http.MethodGet {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			fail(http.StatusBadRequest, CodeBadRequest, "the URL query string is malformed: %v", err)
			return
		}
		params.Query = q.Get("query")
		params.OperationName = q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			if err := decodeObject([]byte(v), &params.Variables); err != nil {
				fail(http.StatusBadRequest, CodeBadRequest, "the variables parameter must be a JSON object: %v", err)
				return
			}
		}
		if v := q.Get("extensions"); v != "" {
			if err := decodeObject([]byte(v), &params.Extensions); err != nil {
				fail(http.StatusBadRequest, CodeBadRequest, "the extensions parameter must be a JSON object: %v", err)
				return
			}
		}
		if params.Query == "" {
			fail(http.StatusBadRequest, CodeBadRequest, "the query parameter is missing: send ?query=<GraphQL document>")
			return
		}
	} else {
		if status, msg := checkContentType(r.Header.Get("Content-Type")); status != 0 {
			fail(status, CodeBadRequest, "%s", msg)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				fail(http.StatusRequestEntityTooLarge, CodeBadRequest, "the request body is larger than the limit of %d bytes", tooBig.Limit)
			} else {
				fail(http.StatusBadRequest, CodeBadRequest, "could not read the request body: %v", err)
			}
			return
		}
		if status, msg := decodeParams(body, params); status != 0 {
			fail(status, CodeBadRequest, "%s", msg)
			return
		}
	}
	params.ReadTime.End = graphql.Now()

	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		// The operation did not run, so the response has no data entry:
		// application/graphql-response+json then requires a 4xx status,
		// while application/json keeps 200 (legacy clients read the body).
		status := http.StatusOK
		if media == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		w.WriteHeader(status)
		writeRequestError(w, resp)
		return
	}
	switch op := opCtx.Operation; {
	case r.Method == http.MethodGet && op.Operation != ast.Query:
		h.Set("Allow", "POST")
		fail(http.StatusMethodNotAllowed, CodeBadRequest, "GET requests can only run queries; send %s operations with POST", op.Operation)
		return
	case op.Operation == ast.Subscription:
		fail(http.StatusBadRequest, CodeBadRequest, "subscriptions need the websocket transport (graphql-transport-ws)")
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeResponse(w, responses(ctx))
}

// responseMedia picks the response media type from an Accept header: the
// first of application/graphql-response+json and application/json it
// names, else application/json (also for a missing Accept and */*).
func responseMedia(accept string) string {
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		case mediaJSON, "*/*", "application/*":
			return mediaJSON
		}
	}
	return mediaJSON
}

// checkContentType returns a non-zero status and a message when a POST's
// Content-Type is not application/json in UTF-8.
func checkContentType(ct string) (int, string) {
	if ct == "" {
		return http.StatusUnsupportedMediaType, "the Content-Type header is missing: send the request as application/json"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return http.StatusUnsupportedMediaType, fmt.Sprintf("the Content-Type header %q is malformed: send application/json", ct)
	}
	if mt != mediaJSON {
		return http.StatusUnsupportedMediaType, fmt.Sprintf("unsupported Content-Type %q: send the request as application/json", mt)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return http.StatusUnsupportedMediaType, fmt.Sprintf("unsupported charset %q: send the request in utf-8", cs)
	}
	return 0, ""
}

// decodeParams parses a POST body into params, returning a non-zero status
// and a message naming the problem when it is not a GraphQL request.
func decodeParams(body []byte, params *graphql.RawParams) (int, string) {
	if len(bytes.TrimSpace(body)) == 0 {
		return http.StatusBadRequest, "the request body is empty: send a JSON object like {\"query\": \"{ version { version } }\"}"
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return http.StatusBadRequest, fmt.Sprintf("the request body is not valid JSON (%v at byte %d)", syn, syn.Offset)
		case errors.As(err, &typ):
			return http.StatusBadRequest, fmt.Sprintf("the request body must be a JSON object, not a JSON %s", typ.Value)
		default:
			return http.StatusBadRequest, fmt.Sprintf("the request body is not valid JSON: %v", err)
		}
	}
	q, ok := raw["query"]
	if !ok || isNull(q) {
		return http.StatusBadRequest, "the query parameter is missing: the body must contain \"query\": \"<GraphQL document>\""
	}
	if err := json.Unmarshal(q, &params.Query); err != nil {
		return http.StatusBadRequest, "the query parameter must be a string"
	}
	if v, ok := raw["operationName"]; ok && !isNull(v) {
		if err := json.Unmarshal(v, &params.OperationName); err != nil {
			return http.StatusBadRequest, "the operationName parameter must be a string or null"
		}
	}
	if v, ok := raw["variables"]; ok && !isNull(v) {
		if err := decodeObject(v, &params.Variables); err != nil {
			return http.StatusBadRequest, "the variables parameter must be a JSON object or null"
		}
	}
	if v, ok := raw["extensions"]; ok && !isNull(v) {
		if err := decodeObject(v, &params.Extensions); err != nil {
			return http.StatusBadRequest, "the extensions parameter must be a JSON object or null"
		}
	}
	return 0, ""
}

func isNull(m json.RawMessage) bool { return string(bytes.TrimSpace(m)) == "null" }

// decodeObject decodes a JSON object keeping numbers exact (json.Number),
// as gqlgen's input coercion expects.
func decodeObject(b []byte, into *map[string]any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(into)
}

func writeResponse(w io.Writer, resp *graphql.Response) {
	b, err := json.Marshal(resp)
	if err != nil {
		b = []byte(`{"errors":[{"message":"internal error: the response could not be encoded","extensions":{"code":"INTERNAL"}}]}`)
	}
	_, _ = w.Write(b)
}

// writeRequestError writes the response to a request error (the operation
// never executed): per GraphQL-over-HTTP it has no data entry at all.
func writeRequestError(w io.Writer, resp *graphql.Response) {
	b, err := json.Marshal(struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Errors, resp.Extensions})
	if err != nil {
		b = []byte(`{"errors":[{"message":"internal error: the response could not be encoded","extensions":{"code":"INTERNAL"}}]}`)
	}
	_, _ = w.Write(b)
}
