package mail

import (
	"fmt"
	"strings"
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
	if n := strings.TrimSpace(userName); n != "" {
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
