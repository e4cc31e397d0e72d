package mail

import (
	"strings"
	"unicode"
)

// GrantRefusedNotice is the message that tells an admin that a linked user's Microsoft 365 grant was refused
// (revoked, expired, or a Conditional Access sign-in frequency) and what the appliance did about it. user names
// the linked user (name and address), profile the sync profile, errText the error the sync failed with, and
// outcome what happened to the automatic re-invitation.
func GrantRefusedNotice(to, user, profile, errText, outcome string) Message {
	return Message{To: to, Subject: "Synchronizer: " + oneLine(user) + " must sign in with Microsoft again",
		Body: "Hello,\n\n" +
			"Synchronizer could not sync " + oneLine(user) + " in profile " + oneLine(profile) + ":\n" +
			"Microsoft refused the user's sign-in (the grant was revoked, expired, or a\n" +
			"Conditional Access sign-in frequency policy requires a new sign-in).\n\n" +
			"Error: " + oneLine(errText) + "\n\n" +
			"What the appliance did: " + oneLine(outcome) + "\n\n" +
			"What to do:\n" +
			"- The user opens the invitation and signs in with Microsoft; syncing then\n" +
			"  resumes at the next run (or press Sync now on the user's page).\n" +
			"- If no invitation arrived, send one from the user's page\n" +
			"  (E-mail a sign-in invitation) once the SMTP settings work.\n" +
			"- If the grant was revoked on purpose, unlink or pause the user.\n\n" +
			"This notice is sent at most once a day per user.\n"}
}

// oneLine keeps the first line of s (a line ends at CR, LF, NEL, or a Unicode line or paragraph separator) with
// every other control character made a space, so that a value — a name from the CRM or the mailbox, a remote
// error — can neither add lines or headers to a message nor make its subject unsendable.
func oneLine(s string) string {
	if i := strings.IndexAny(s, "\r\n\u0085\u2028\u2029"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}
