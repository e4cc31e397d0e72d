package graph

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

func TestSecretKey(t *testing.T) {
	t.Parallel()
	for name, secret := range map[string]bool{
		"clientSecret": true, "client_secret": true, "password": true, "refreshToken": true, "partnerKey": true,
		"privateKey": true, "credentials": true, "apiKey": true, "PASSWORD": true,
		"maxTokenAge": false, "keyId": false, "model": false, "pageSize": false, "tenantId": false, "clientId": false,
	} {
		if got := secretKey.MatchString(name); got != secret {
			t.Errorf("%s: secret %v, want %v", name, got, secret)
		}
	}
}

func TestMergeSettings(t *testing.T) {
	t.Parallel()
	old := json.RawMessage(`{"model":"delta","password":"p","apiKey":"k"}`)
	for _, c := range []struct {
		name  string
		in    *string
		clear []string
		want  string
		field string
	}{
		{"secrets kept", ptr(`{"model":"caldav"}`), nil, `{"apiKey":"k","model":"caldav","password":"p"}`, ""},
		{"secret replaced", ptr(`{"password":"new"}`), nil, `{"apiKey":"k","password":"new"}`, ""},
		{"secret cleared", ptr(`{}`), []string{"apiKey"}, `{"password":"p"}`, ""},
		{"no settings keeps secrets", nil, nil, `{"apiKey":"k","password":"p"}`, ""},
		{"everything cleared", nil, []string{"apiKey", "password"}, ``, ""},
		{"not an object", ptr(`[1]`), nil, "", "crm.settings"},
		{"null", ptr(`null`), nil, "", "crm.settings"},
		{"not JSON", ptr(`{`), nil, "", "crm.settings"},
		{"clear a non-secret", ptr(`{}`), []string{"model"}, "", "crm.clearSecrets"},
	} {
		got, err := mergeSettings("crm", c.in, c.clear, old)
		var ce *codedError
		switch {
		case c.field != "":
			if !errors.As(err, &ce) || ce.field != c.field || ce.code != CodeBadUserInput {
				t.Errorf("%s: %v, want BAD_USER_INPUT naming %s", c.name, err, c.field)
			}
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
		case string(got) != c.want:
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func ptr(s string) *string { return &s }

// FuzzSecrets: whatever the saved and the new settings, merging never
// panics, the result is a JSON object (or empty), every saved secret not
// given again is kept, and splitting the result never shows a secret value.
func FuzzSecrets(f *testing.F) {
	f.Add(`{"model":"delta","password":"p"}`, `{"model":"x"}`)
	f.Add(`{"token":null,"a":{"secret":1}}`, `{"token":""}`)
	f.Add(``, `{}`)
	f.Add(`{"clientSecret":"s"}`, `[]`)
	f.Fuzz(func(t *testing.T, old, in string) {
		var prev map[string]json.RawMessage
		if json.Unmarshal([]byte(old), &prev) != nil || prev == nil {
			return // saved settings are always a valid object
		}
		got, err := mergeSettings("crm", &in, nil, json.RawMessage(old))
		if err != nil {
			var ce *codedError
			if !errors.As(err, &ce) || ce.field != "crm.settings" {
				t.Fatalf("error %v does not name crm.settings", err)
			}
			return
		}
		m := map[string]json.RawMessage{}
		if len(got) > 0 {
			if err := json.Unmarshal(got, &m); err != nil {
				t.Fatalf("merged settings %q are not an object: %v", got, err)
			}
		}
		var given map[string]json.RawMessage
		_ = json.Unmarshal([]byte(in), &given)
		for k, v := range prev {
			if _, ok := given[k]; !ok && secretKey.MatchString(k) && string(m[k]) != string(v) {
				t.Fatalf("secret %s lost: saved %s, merged %s", k, v, m[k])
			}
		}
		pub, names, err := splitSecrets(got)
		if err != nil {
			t.Fatalf("split %q: %v", got, err)
		}
		var p map[string]json.RawMessage
		if err := json.Unmarshal(pub, &p); err != nil {
			t.Fatalf("public settings %q: %v", pub, err)
		}
		for k := range p {
			if secretKey.MatchString(k) {
				t.Fatalf("secret %s shown in %s", k, pub)
			}
		}
		if !slices.IsSorted(names) {
			t.Fatalf("secret names not sorted: %v", names)
		}
	})
}
