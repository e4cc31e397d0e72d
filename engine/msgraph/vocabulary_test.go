package msgraph_test

import (
	"context"
	"errors"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/msgraph/msgraphtest"
)

func TestCategoriesListTheMailboxMasterCategories(t *testing.T) {
	t.Parallel()
	srv := newFake(t, msgraphtest.Options{})
	srv.AddCategory(alice, "Meeting", "preset0")
	srv.AddCategory(alice, "Phone call", "preset7")
	srv.AddCategory("u-carol", "Private", "preset1")
	c := newConn(t, srv, engine.Env{}, nil)
	var v engine.Vocabulary = c
	ctx := context.Background()

	tests := []struct {
		name    string
		account engine.Account
		want    []engine.Category
		err     func(error) bool
	}{
		{name: "by id", account: engine.Account{ID: alice},
			want: []engine.Category{{Name: "Meeting", Color: "preset0"}, {Name: "Phone call", Color: "preset7"}}},
		{name: "by address", account: engine.Account{Email: "carol@contoso.com"},
			want: []engine.Category{{Name: "Private", Color: "preset1"}}},
		{name: "no account", err: func(err error) bool {
			var ie *engine.InputError
			return errors.As(err, &ie) && ie.Field == "account"
		}},
		{name: "no mailbox", account: engine.Account{ID: "u-bob"}, err: func(err error) bool { return err != nil }},
		{name: "unknown user", account: engine.Account{Email: "nobody@contoso.com"}, err: func(err error) bool {
			return errors.Is(err, engine.ErrNotFound)
		}},
	}
	for _, tc := range tests {
		got, err := v.Categories(ctx, tc.account)
		if tc.err != nil {
			if !tc.err(err) {
				t.Errorf("%s: unexpected error %v (got %v)", tc.name, err, got)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: [%d] = %+v, want %+v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
}
