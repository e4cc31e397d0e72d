package superoffice_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/synchronizer/synchronizer/engine/superoffice"
)

// Every REST exchange of every test in this package is recorded; TestMain validates each request body we sent and
// each 2xx response body we accepted against the Swagger 2.0 definitions in testdata (copied from SuperOffice's
// per-entity files). Exchanges on paths that none of the copied files describe are listed, not validated.

var (
	allMu        sync.Mutex
	allExchanges []*recorder
)

func track(r *recorder) {
	allMu.Lock()
	allExchanges = append(allExchanges, r)
	allMu.Unlock()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := validateAll(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: Swagger validation:", err)
			code = 1
		}
	}
	os.Exit(code)
}

type swaggerOp struct {
	re       *regexp.Regexp
	template string
	method   string
	body     map[string]any // schema of the body parameter
	resp     map[string]map[string]any
}

type swagger struct {
	defs map[string]map[string]any
	ops  []swaggerOp
}

func loadSwagger() (*swagger, error) {
	files, err := filepath.Glob("testdata/Swagger-v1-*.json")
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no Swagger files in testdata: %w", err)
	}
	sw := &swagger{defs: map[string]map[string]any{}}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Paths       map[string]map[string]map[string]any `json:"paths"`
			Definitions map[string]map[string]any            `json:"definitions"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for k, v := range doc.Definitions {
			sw.defs[k] = v
		}
		for tmpl, methods := range doc.Paths {
			pat := "^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(tmpl), `[^/]+`) + "$"
			for method, op := range methods {
				so := swaggerOp{re: regexp.MustCompile("(?i)" + pat), template: tmpl, method: strings.ToUpper(method), resp: map[string]map[string]any{}}
				params, _ := op["parameters"].([]any)
				for _, p := range params {
					pm, _ := p.(map[string]any)
					if pm["in"] == "body" {
						so.body, _ = pm["schema"].(map[string]any)
					}
				}
				resps, _ := op["responses"].(map[string]any)
				for code, r := range resps {
					rm, _ := r.(map[string]any)
					if s, ok := rm["schema"].(map[string]any); ok {
						so.resp[code] = s
					}
				}
				sw.ops = append(sw.ops, so)
			}
		}
	}
	// Literal paths first, so /Appointment/default wins over /Appointment/{id}.
	sort.SliceStable(sw.ops, func(i, j int) bool {
		return strings.Count(sw.ops[i].template, "{") < strings.Count(sw.ops[j].template, "{")
	})
	return sw, nil
}

func (sw *swagger) find(method, path string) *swaggerOp {
	for i := range sw.ops {
		if sw.ops[i].method == method && sw.ops[i].re.MatchString(path) {
			return &sw.ops[i]
		}
	}
	return nil
}

// validate checks v against schema s; path names the place for errors.
func (sw *swagger) validate(s map[string]any, v any, path string) []string {
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/definitions/")
		d, ok := sw.defs[name]
		if !ok {
			return []string{path + ": unknown definition " + name}
		}
		return sw.validate(d, v, path)
	}
	if v == nil {
		return nil // the .NET serializer writes null for absent carriers and strings
	}
	var errs []string
	bad := func(format string, a ...any) []string { return append(errs, path+": "+fmt.Sprintf(format, a...)) }
	switch s["type"] {
	case "object":
		m, ok := v.(map[string]any)
		props, hasProps := s["properties"].(map[string]any)
		addl, hasAddl := s["additionalProperties"].(map[string]any)
		if !hasProps && !hasAddl {
			return nil // .NET "object": any value
		}
		if !ok {
			return bad("want an object, got %T", v)
		}
		for k, x := range m {
			switch {
			case props[k] != nil:
				errs = append(errs, sw.validate(props[k].(map[string]any), x, path+"."+k)...)
			case hasAddl:
				errs = append(errs, sw.validate(addl, x, path+"."+k)...)
			default:
				errs = append(errs, path+": property "+k+" is not in the schema")
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return bad("want an array, got %T", v)
		}
		items, _ := s["items"].(map[string]any)
		for i, x := range a {
			if items != nil {
				errs = append(errs, sw.validate(items, x, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return bad("want a string, got %T", v)
		}
		if enum, ok := s["enum"].([]any); ok && str != "" {
			// .NET [Flags] enums serialize as "Monday, Wednesday".
			for _, part := range strings.Split(str, ",") {
				found := false
				for _, e := range enum {
					if e == strings.TrimSpace(part) {
						found = true
					}
				}
				if !found {
					return bad("%q is not one of %v", str, enum)
				}
			}
		}
		if s["format"] == "date-time" && str != "" {
			if _, err := superoffice.ParseTime(str, time.UTC); err != nil {
				return bad("%v", err)
			}
		}
	case "integer":
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) {
			return bad("want an integer, got %v", v)
		}
		if s["format"] == "int32" && (f > math.MaxInt32 || f < math.MinInt32) {
			return bad("%v overflows int32", v)
		}
	case "number":
		if _, ok := v.(float64); !ok {
			return bad("want a number, got %T", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad("want a boolean, got %T", v)
		}
	}
	return errs
}

func validateAll() error {
	sw, err := loadSwagger()
	if err != nil {
		return err
	}
	allMu.Lock()
	recs := append([]*recorder(nil), allExchanges...)
	allMu.Unlock()
	var problems []string
	validated, matched, skipped := 0, 0, map[string]int{}
	for _, r := range recs {
		for _, ex := range r.exchanges() {
			if !strings.HasPrefix(ex.Path, "/api/v1/") {
				continue
			}
			op := sw.find(ex.Method, ex.Path)
			if op == nil {
				skipped[ex.Method+" "+ex.Path]++
				continue
			}
			if ex.Status >= 200 && ex.Status < 300 && len(op.resp) > 0 && len(ex.Resp) > 0 {
				matched++
			}
			check := func(schema map[string]any, body []byte, what string) {
				if schema == nil || len(strings.TrimSpace(string(body))) == 0 {
					return
				}
				var v any
				if err := json.Unmarshal(body, &v); err != nil {
					problems = append(problems, fmt.Sprintf("%s %s %s: not JSON: %v", ex.Method, ex.Path, what, err))
					return
				}
				validated++
				for _, p := range sw.validate(schema, v, what) {
					problems = append(problems, ex.Method+" "+op.template+": "+p)
				}
			}
			check(op.body, ex.Req, "request")
			if ex.Status >= 200 && ex.Status < 300 {
				s := op.resp[fmt.Sprint(ex.Status)]
				if s == nil {
					s = op.resp["200"]
				}
				check(s, ex.Resp, "response")
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		problems = compact(problems)
		if len(problems) > 30 {
			problems = append(problems[:30], fmt.Sprintf("… and %d more", len(problems)-30))
		}
		return fmt.Errorf("%d bodies violate the Swagger definitions:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	if validated == 0 && matched > 0 {
		return fmt.Errorf("%d exchanges matched the Swagger paths but no body was validated", matched)
	}
	if testing.Verbose() {
		var names []string
		for k := range skipped {
			names = append(names, k)
		}
		sort.Strings(names)
		fmt.Printf("Swagger: %d bodies validated; not validated (no Swagger file copied): %s\n", validated, strings.Join(names, ", "))
	}
	return nil
}

func compact(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// TestSwaggerValidatorRejects shows the validator catches what it should (so TestMain's check can fail).
func TestSwaggerValidatorRejects(t *testing.T) {
	sw, err := loadSwagger()
	if err != nil {
		t.Fatal(err)
	}
	op := sw.find("PUT", "/api/v1/Appointment/12")
	if op == nil || op.body == nil {
		t.Fatal("no PUT /api/v1/Appointment/{id} body schema")
	}
	for _, body := range []string{`{"Title":3}`, `{"Private":"Secret"}`, `{"Bogus":1}`, `{"StartDate":"yesterday"}`,
		`{"Recurrence":{"WeekPattern":{"Weekdays":"Monday, Funday"}}}`, `{"AppointmentId":1.5}`} {
		var v any
		_ = json.Unmarshal([]byte(body), &v)
		if errs := sw.validate(op.body, v, "request"); len(errs) == 0 {
			t.Errorf("%s passed validation", body)
		}
	}
	var ok any
	_ = json.Unmarshal([]byte(`{"Title":"x","Recurrence":{"WeekPattern":{"Weekdays":"Monday, Wednesday"}},"StartDate":"2026-01-02T10:00:00"}`), &ok)
	if errs := sw.validate(op.body, ok, "request"); len(errs) > 0 {
		t.Errorf("valid body refused: %v", errs)
	}
}
