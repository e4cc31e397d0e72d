package msgraph

import (
	"strings"
	"testing"
)

func TestGrantReasonExplainsExpiredAndRevokedGrants(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code, desc string
		want       string // a part of the reason; "" means the description unchanged
	}{
		{"invalid_grant", "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed.", "revoked"},
		{"invalid_grant", "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.", "Conditional Access sign-in frequency"},
		{"invalid_grant", "AADSTS700082: The refresh token has expired due to inactivity.", "not used for 90 days"},
		{"invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.", "not used for too long"},
		{"invalid_grant", "AADSTS50011: The redirect URI does not match.", ""},
		{"invalid_client", "AADSTS70043: not a grant error here", ""},
		{"invalid_grant", "", ""},
	} {
		got := grantReason(tc.code, tc.desc)
		if tc.want == "" {
			if got != tc.desc {
				t.Errorf("%s %q: reason %q, want the description unchanged", tc.code, tc.desc, got)
			}
			continue
		}
		if !strings.Contains(got, tc.want) || !strings.Contains(got, "must sign in again") || !strings.Contains(got, tc.desc) {
			t.Errorf("%s %q: reason %q, want it to say %q, that the user must sign in again, and keep the description", tc.code, tc.desc, got, tc.want)
		}
	}
}
