package superoffice_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/superoffice"
)

func TestCheckEntered(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, settings, field string
	}{
		{"online draft before its sign-in", `{"mode":"online","clientId":"c1","titleTemplate":"{type}: {title}"}`, ""},
		{"on-site, complete", `{"mode":"onsite","baseUrl":"https://crm.example.com/api/","user":"sync"}`, ""},
		{"broken template in a draft", `{"mode":"online","titleTemplate":"{type: {title}"}`, "titleTemplate"},
		{"empty category", `{"typeCategories":{"Meeting":" "}}`, "typeCategories"},
		{"bad language", `{"language":"English"}`, "language"},
		{"bad zone", `{"timeZone":"Mars/Olympus"}`, "timeZone"},
		{"on-site needs its URL", `{"mode":"onsite"}`, "baseUrl"},
		{"a present URL is still checked", `{"mode":"online","baseUrl":"not a url"}`, "baseUrl"},
	} {
		err := superoffice.CheckEntered(json.RawMessage(tc.settings))
		var ie *engine.InputError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.field != "" && (!errors.As(err, &ie) || ie.Field != tc.field):
			t.Errorf("%s: got %v, want an error on %s", tc.name, err, tc.field)
		}
	}
	if err := superoffice.CheckEntered(json.RawMessage(`{"nope":1}`)); err == nil {
		t.Error("an unknown setting was accepted")
	}
}
