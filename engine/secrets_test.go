package engine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
)

func TestKVSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kv := engine.NewMemKV()
	sec := engine.KVSecrets(kv)
	a, b := sec("crm1"), sec("crm2")
	if _, err := a.Get(ctx, "refresh"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("Get of an absent secret: got %v, want ErrNotFound", err)
	}
	if err := a.Put(ctx, "refresh", []byte("r1")); err != nil {
		t.Fatal(err)
	}
	if v, err := a.Get(ctx, "refresh"); err != nil || string(v) != "r1" {
		t.Fatalf("Get = %q, %v; want r1", v, err)
	}
	if _, err := b.Get(ctx, "refresh"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("instances must not share secrets: got %v", err)
	}
	if err := a.Put(ctx, "refresh", []byte("r2")); err != nil {
		t.Fatal(err)
	}
	if v, _ := a.Get(ctx, "refresh"); string(v) != "r2" {
		t.Fatalf("rotated secret not stored: %q", v)
	}
	if err := a.Delete(ctx, "refresh"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(ctx, "refresh"); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("after Delete: got %v", err)
	}
	for _, bad := range []string{"", "a/b"} {
		if err := a.Put(ctx, bad, []byte("x")); err == nil {
			t.Errorf("Put(%q) accepted a bad name", bad)
		}
	}
	if err := sec("x/y").Put(ctx, "n", []byte("x")); err == nil {
		t.Error("an instance id with a slash was accepted")
	}
	none := engine.SecretsOrError(nil)
	if _, err := none.Get(ctx, "n"); err == nil {
		t.Error("SecretsOrError(nil).Get succeeded")
	}
}
