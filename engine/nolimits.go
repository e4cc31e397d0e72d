package engine

import "context"

// NoLimits is a Governor that admits every call at once. It is right for systems without limits and for tests
// that do not exercise limits; the appliance uses engine/governor.
type NoLimits struct{}

var _ Governor = NoLimits{}

// Declare does nothing.
func (NoLimits) Declare(string, string, Limits) {}

// Acquire admits the call unless ctx is done.
func (NoLimits) Acquire(ctx context.Context, _ ...LimitScope) (Permit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return noPermit{}, nil
}

type noPermit struct{}

func (noPermit) Done(Outcome) {}
