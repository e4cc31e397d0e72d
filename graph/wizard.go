package graph

import (
	"context"
	"time"
)

// SignInReturner is a SignInStarter whose callbacks can send the browser back to a page of the dashboard other than
// the profile's (beginSystemSignIn's returnTo, used by the profile wizard). The appliance's oauthFlows implements it;
// it validates returnTo (a path under /profiles on the appliance itself) and answers an *engine.InputError naming
// "returnTo" otherwise.
type SignInReturner interface {
	// BeginSignInReturning is BeginSignIn whose callback redirects to returnTo (with ?signin=ok|error&reason=…).
	BeginSignInReturning(ctx context.Context, profileID, side, userID, returnTo string) (url string, expires time.Time, err error)
}
