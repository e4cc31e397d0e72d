package msgraph

import (
	"context"
	"fmt"
	"net/url"

	"github.com/synchronizer/synchronizer/engine"
)

var _ engine.Vocabulary = (*Connector)(nil)

// Categories lists the master categories of account's mailbox (GET /users/{id}/outlook/masterCategories), the
// names Outlook offers on events, contacts and tasks. Outlook keeps one list per mailbox and none per tenant, so
// account (its id or e-mail address) is required; app-only access needs MailboxSettings.Read, delegated access
// lists the signed-in user's own mailbox only. The colours are Graph's preset names ("preset0", "none").
func (c *Connector) Categories(ctx context.Context, account engine.Account) ([]engine.Category, error) {
	user := account.ID
	if user == "" {
		user = account.Email
	}
	if user == "" {
		return nil, &engine.InputError{Field: "account", Reason: "required: Outlook categories are kept per mailbox, name one"}
	}
	out := []engine.Category{}
	next := "/users/" + url.PathEscape(user) + "/outlook/masterCategories"
	for range 100 {
		var page struct {
			Value []graphCategory `json:"value"`
			Next  string          `json:"@odata.nextLink"`
		}
		if err := c.call(ctx, request{method: "GET", path: next, user: user}, &page); err != nil {
			return nil, fmt.Errorf("msgraph: master categories of %s: %w", user, err)
		}
		for _, g := range page.Value {
			if g.DisplayName != "" {
				out = append(out, engine.Category{Name: g.DisplayName, Color: g.Color})
			}
		}
		if page.Next == "" {
			return out, nil
		}
		next = page.Next
	}
	return nil, fmt.Errorf("msgraph: master categories of %s: the listing does not end", user)
}
