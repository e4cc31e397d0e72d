package msgraph_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph"
)

// TestCheckEntered checks that the settings an admin types are refused naming the field (an *engine.InputError
// whose message still reads "msgraph settings: field …"), that tenantId, which the admin consent fills in, is not
// required yet, and that New refuses the same settings with the same field.
func TestCheckEntered(t *testing.T) {
	for _, tc := range []struct {
		name, raw, field string
	}{
		{"draft before the consent", `{"clientId":"app"}`, ""},
		{"delegated with a category", `{"clientId":"app","auth":"delegated","contacts":"category","groups":"categories","groupCategoryPrefix":"Sel/"}`, ""},
		{"no clientId", `{"tenantId":"t"}`, "clientId"},
		{"blank clientId", `{"clientId":"  "}`, "clientId"},
		{"auth", `{"clientId":"app","auth":"both"}`, "auth"},
		{"contacts", `{"clientId":"app","contacts":"all"}`, "contacts"},
		{"groups", `{"clientId":"app","groups":"lists"}`, "groups"},
		{"handAddedContacts", `{"clientId":"app","handAddedContacts":"keep"}`, "handAddedContacts"},
		{"blank prefix", `{"clientId":"app","groupCategoryPrefix":"   "}`, "groupCategoryPrefix"},
		{"prefix of the contact category", `{"clientId":"app","groups":"categories","contacts":"category","contactCategory":"CRM: all"}`, "groupCategoryPrefix"},
		{"pageSize", `{"clientId":"app","pageSize":1001}`, "pageSize"},
		{"authority", `{"clientId":"app","authority":"login.example"}`, "authority"},
		{"graphUrl", `{"clientId":"app","graphUrl":"ftp://graph.example"}`, "graphUrl"},
		{"redirectUrl", `{"clientId":"app","redirectUrl":"/back"}`, "redirectUrl"},
		{"windowMarginSeconds", `{"clientId":"app","windowMarginSeconds":301}`, "windowMarginSeconds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := msgraph.CheckEntered([]byte(tc.raw))
			if tc.field == "" {
				if err != nil {
					t.Fatalf("%s: %v", tc.raw, err)
				}
				return
			}
			var ie *engine.InputError
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Fatalf("%s: %v, want an *engine.InputError naming %s", tc.raw, err, tc.field)
			}
			if want := "msgraph settings: field " + tc.field + ": "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("%q does not start with %q", err, want)
			}
			// With a tenant, New refuses the same field.
			withTenant := strings.Replace(tc.raw, "{", `{"tenantId":"t",`, 1)
			if strings.Contains(tc.raw, "tenantId") {
				withTenant = tc.raw
			}
			_, err = msgraph.New(context.Background(), []byte(withTenant), engine.Env{})
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Errorf("New(%s): %v, want an *engine.InputError naming %s", withTenant, err, tc.field)
			}
		})
	}
}

// TestCheckEnteredBadJSON checks that unknown fields and JSON that is not an object are refused, not accepted.
func TestCheckEnteredBadJSON(t *testing.T) {
	for _, raw := range []string{`{"clientId":"app","tenant":"t"}`, `[1]`, ``, `{"clientId":`} {
		if err := msgraph.CheckEntered([]byte(raw)); err == nil || !strings.HasPrefix(err.Error(), "msgraph settings: ") {
			t.Errorf("%q: %v, want a msgraph settings error", raw, err)
		}
	}
}

// TestNewRequiresTenant checks that the first run still refuses settings without the tenant the consent fills in.
func TestNewRequiresTenant(t *testing.T) {
	_, err := msgraph.New(context.Background(), []byte(`{"clientId":"app"}`), engine.Env{})
	var ie *engine.InputError
	if !errors.As(err, &ie) || ie.Field != "tenantId" || !strings.Contains(err.Error(), "run the admin consent first") {
		t.Fatalf("%v, want tenantId required", err)
	}
}
