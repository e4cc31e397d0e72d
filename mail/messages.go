package mail

import (
	"fmt"
	"time"
)

// TestMessage is the message sendTestMail sends.
func TestMessage(to, sentBy string) Message {
	return Message{To: to, Subject: "Synchronizer: test mail",
		Body: "This is a test mail from your Synchronizer appliance.\n\n" +
			"If you can read it, the appliance's SMTP settings work.\n" +
			"It was sent at the request of " + sentBy + ".\n"}
}

// Invitation is the message that asks a linked user to sign in with Microsoft
// so the appliance may sync their mailbox (delegated permissions). link is the
// sign-in URL; it carries a one-time state and must not be logged.
func Invitation(to, userName, link string, expires time.Time) Message {
	greeting := "Hello,"
	if n := oneLine(userName); n != "" {
		greeting = "Hello " + n + ","
	}
	return Message{To: to, Subject: "Synchronizer: please sign in with Microsoft to sync your calendar",
		Body: greeting + "\n\n" +
			"Your organisation's Synchronizer keeps your CRM and your Microsoft 365 mailbox\n" +
			"(calendar, contacts, tasks) in step. To let it reach your mailbox, sign in\n" +
			"with your Microsoft account and accept the permissions it asks for:\n\n" +
			link + "\n\n" +
			fmt.Sprintf("The link works once and expires at %s (UTC).\n", expires.UTC().Format("2006-01-02 15:04")) +
			"If it has expired, ask your administrator for a new one.\n" +
			"If you did not expect this message, you can ignore it.\n"}
}

// PortalInvitation is the message that invites a linked user to their
// Synchronizer portal: link is the durable invitation link (/invite/<token>),
// which signs them in once without a password; from the portal they see
// their sync status and authorize their own mailbox. The link must not be
// logged.
func PortalInvitation(to, userName, link string, expires time.Time) Message {
	greeting := "Hello,"
	if n := oneLine(userName); n != "" {
		greeting = "Hello " + n + ","
	}
	return Message{To: to, Subject: "Synchronizer: your invitation to sync your calendar",
		Body: greeting + "\n\n" +
			"Your organisation's Synchronizer keeps your CRM and your mailbox (calendar,\n" +
			"contacts, tasks) in step. Open this link to sign in to your Synchronizer\n" +
			"portal, where you see how your sync is doing and, if your mailbox asks for\n" +
			"it, authorize Synchronizer to reach it:\n\n" +
			link + "\n\n" +
			fmt.Sprintf("The link works once and expires at %s (UTC).\n", expires.UTC().Format("2006-01-02 15:04")) +
			"If it has expired, ask your administrator for a new one.\n" +
			"If you did not expect this message, you can ignore it.\n"}
}
