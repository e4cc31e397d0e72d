package engine_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/synchronizer/synchronizer/engine"
)

// stubConnector is a connector that only records the Env it was built with.
type stubConnector struct {
	engine.Connector
	env engine.Env
}

type stubRegistry struct{}

func (stubRegistry) RegisterPush(context.Context, engine.PushSubscription) error { return nil }
func (stubRegistry) UnregisterPush(context.Context, string, string, string) error {
	return nil
}

func TestConnectorAccessorSharesTheInstanceAndPassesPush(t *testing.T) {
	t.Parallel()
	built := 0
	reg := stubRegistry{}
	e, err := engine.New(engine.Config{KV: engine.NewMemKV(), Push: reg, PublicURL: "https://sync.example.com",
		Connectors: map[string]engine.Factory{"stub": func(_ context.Context, _ json.RawMessage, env engine.Env) (engine.Connector, error) {
			built++
			return &stubConnector{env: env}, nil
		}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ref := engine.SystemRef{Type: "stub", Instance: "s1", Settings: json.RawMessage(`{"a":1}`)}
	c1, err := e.Connector(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := e.Connector(ctx, ref)
	if c1 != c2 || built != 1 {
		t.Errorf("the instance is not shared: built %d times", built)
	}
	if env := c1.(*stubConnector).env; env.Push != reg || env.PublicURL != "https://sync.example.com" {
		t.Errorf("Env.Push %v, PublicURL %q", env.Push, env.PublicURL)
	}
	ref.Settings = json.RawMessage(`{"a":2}`)
	if c3, _ := e.Connector(ctx, ref); c3 == c1 || built != 2 {
		t.Errorf("changed settings did not rebuild the connector (built %d times)", built)
	}
	if _, err := e.Connector(ctx, engine.SystemRef{Type: "nope", Instance: "x"}); err == nil {
		t.Error("an unknown connector type was accepted")
	}
}

func TestProbeConnectorIsFreshAndHasNoPush(t *testing.T) {
	t.Parallel()
	built := 0
	e, err := engine.New(engine.Config{KV: engine.NewMemKV(), Push: stubRegistry{},
		Connectors: map[string]engine.Factory{"stub": func(_ context.Context, _ json.RawMessage, env engine.Env) (engine.Connector, error) {
			built++
			return &stubConnector{env: env}, nil
		}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ref := engine.SystemRef{Type: "stub", Instance: "s1", Settings: json.RawMessage(`{"a":1}`)}
	shared, err := e.Connector(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	probe, err := e.ProbeConnector(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if probe == shared || built != 2 {
		t.Errorf("the probe reused the shared instance (built %d times)", built)
	}
	if env := probe.(*stubConnector).env; env.Push != nil {
		t.Errorf("a probe got the push intake %v", env.Push)
	}
	if again, _ := e.Connector(ctx, ref); again != shared || built != 2 {
		t.Errorf("probing replaced the shared instance (built %d times)", built)
	}
	if _, err := e.ProbeConnector(ctx, engine.SystemRef{Type: "nope", Instance: "x"}); err == nil {
		t.Error("an unknown connector type was accepted")
	}
}
