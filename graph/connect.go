package graph

import (
	"context"
	"time"
)

// SignInStarter starts sign-ins with connected systems (see beginSystemSignIn). The appliance implements it
// (oauth.go in the root package): it builds the connector from the profile's saved settings and secrets, keeps the
// state, and serves the callbacks. Errors of type *engine.InputError name the argument at fault.
type SignInStarter interface {
	// BeginSignIn returns the provider URL of a new sign-in for side ("crm" or "mailbox") of profile profileID;
	// userID is empty for the system-wide sign-in, or names the linked user whose mailbox signs in (delegated).
	BeginSignIn(ctx context.Context, profileID, side, userID string) (url string, expires time.Time, err error)
}
