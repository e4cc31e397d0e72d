package governor_test

import (
	"context"
	"fmt"
	"time"

	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/governor"
)

// A connector declares its limits once and passes every call through Acquire; the engine tags the context with
// the profile so the profile-wide cap applies too.
func Example() {
	g := governor.New(governor.Options{})
	g.Declare("msgraph", "mailbox", engine.Limits{MaxInFlight: 4, Requests: 10000, Per: 10 * time.Minute})
	g.SetProfileCap("p1", 20)

	ctx := governor.WithProfile(context.Background(), "p1")
	mailbox := engine.LimitScope{System: "msgraph", Kind: "mailbox", Key: "alice@contoso.com"}
	permit, err := g.Acquire(ctx, mailbox)
	if err != nil {
		return
	}
	// ... the HTTP call; the server answered 429 with Retry-After: 30.
	permit.Done(engine.Outcome{Status: 429, RetryAfter: 30 * time.Second})

	for _, s := range g.Snapshot() {
		fmt.Printf("%s in flight %d/%d, budget left %d, backing off %v\n",
			s.Scope, s.InFlight, s.EffectiveInFlight, s.BudgetLeft, s.BackingOffUntil != nil)
	}
	// Output:
	// msgraph/mailbox/alice@contoso.com in flight 0/4, budget left 9999, backing off true
	// synchronizer/profile/p1 in flight 0/20, budget left -1, backing off false
}
