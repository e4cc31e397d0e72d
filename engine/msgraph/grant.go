package msgraph

import "strings"

// grantReasons explains the Entra ID errors that end a delegated grant, so that the user's status, the admin's
// notice and the audit log say what happened and what to do instead of a bare AADSTS code. Every one of them comes
// with invalid_grant and means the user must sign in again.
var grantReasons = []struct{ code, reason string }{
	{"AADSTS50173", "the grant was revoked (the user's password was changed or an admin revoked the sessions): the user must sign in again"},
	{"AADSTS70043", "the refresh token expired under a Conditional Access sign-in frequency policy: the user must sign in again"},
	{"AADSTS700082", "the refresh token expired because it was not used for 90 days: the user must sign in again"},
	{"AADSTS70008", "the refresh token expired because it was not used for too long: the user must sign in again"},
}

// grantReason is the Reason of an AuthError for the token endpoint's error code and the first line of its
// description: the explanation of a known AADSTS code followed by the description, else the description.
func grantReason(code, description string) string {
	if code != "invalid_grant" {
		return description
	}
	for _, g := range grantReasons {
		// The code ends at a non-digit ("AADSTS70043:"), so AADSTS70008 does not match AADSTS700082.
		if rest, ok := strings.CutPrefix(description, g.code); ok && (rest == "" || rest[0] < '0' || rest[0] > '9') {
			return g.reason + " (" + description + ")"
		}
	}
	return description
}
