package msgraph

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// Subscription lifetimes: Graph allows at most 10,080 minutes for Outlook resources; we ask for SubscriptionTTL
// and renew once less than RenewBefore is left.
const (
	SubscriptionTTL = 70 * time.Hour
	RenewBefore     = 24 * time.Hour
)

// ErrNoPublicURL is returned by Subscribe when the appliance has no public URL: the job stays on polling.
var ErrNoPublicURL = errors.New("msgraph: the appliance has no public URL for change notifications; polling instead")

// resource is the subscription resource of a store (events of the mailbox, the synced contact folder or list).
func (s *Store) resource() string {
	if s.scope.Kind == engine.KindAppointment {
		return "/users/" + url.PathEscape(s.user) + "/events"
	}
	return s.coll
}

// Subscribe creates a change-notification subscription for the store's mailbox and kind, delivered to
// <PublicURL>/hooks/msgraph/<profile> (the push intake answers Graph's validation handshake there), and registers
// it in reg with a fresh clientState. jobUser is the engine's linked-user id the deliveries trigger.
func (c *Connector) Subscribe(ctx context.Context, reg engine.PushRegistry, profile, jobUser string, s *Store) (engine.PushSubscription, error) {
	if c.publicURL == "" {
		return engine.PushSubscription{}, ErrNoPublicURL
	}
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		return engine.PushSubscription{}, err
	}
	state := base64.RawURLEncoding.EncodeToString(secret)
	hook := c.publicURL + "/hooks/" + Type + "/" + url.PathEscape(profile)
	exp := c.now().Add(SubscriptionTTL).UTC()
	body := map[string]any{"changeType": "created,updated,deleted", "notificationUrl": hook, "lifecycleNotificationUrl": hook,
		"resource": s.resource(), "expirationDateTime": exp.Format(time.RFC3339), "clientState": state}
	var created struct {
		ID         string    `json:"id"`
		Expiration time.Time `json:"expirationDateTime"`
	}
	if err := c.call(ctx, request{method: "POST", path: "/subscriptions", body: body, user: s.user}, &created); err != nil {
		return engine.PushSubscription{}, fmt.Errorf("msgraph: subscribing to %s: %w", s.resource(), err)
	}
	if !created.Expiration.IsZero() {
		exp = created.Expiration
	}
	sub := engine.PushSubscription{Connector: Type, Profile: profile, ID: created.ID, User: jobUser, Kind: s.scope.Kind, Secret: state, Expires: exp}
	if err := reg.RegisterPush(ctx, sub); err != nil {
		// Do not leave a subscription nobody can validate.
		_, _ = c.do(ctx, request{method: "DELETE", path: "/subscriptions/" + url.PathEscape(created.ID), user: s.user})
		return engine.PushSubscription{}, fmt.Errorf("msgraph: registering subscription %s: %w", created.ID, err)
	}
	return sub, nil
}

// RenewDue reports whether sub should be renewed now (less than RenewBefore left, or a reauthorizationRequired
// lifecycle event was received).
func (c *Connector) RenewDue(sub engine.PushSubscription) bool {
	return !sub.Expires.IsZero() && sub.Expires.Sub(c.now()) < RenewBefore
}

// Renew extends sub (also the answer to a reauthorizationRequired lifecycle event) and registers the new expiry.
// engine.ErrNotFound means Graph removed it: call Subscribe again.
func (c *Connector) Renew(ctx context.Context, reg engine.PushRegistry, sub engine.PushSubscription, mailbox string) (engine.PushSubscription, error) {
	exp := c.now().Add(SubscriptionTTL).UTC()
	var out struct {
		Expiration time.Time `json:"expirationDateTime"`
	}
	err := c.call(ctx, request{method: "PATCH", path: "/subscriptions/" + url.PathEscape(sub.ID), user: mailbox,
		body: map[string]any{"expirationDateTime": exp.Format(time.RFC3339)}}, &out)
	if err != nil {
		if errors.Is(err, engine.ErrNotFound) {
			_ = reg.UnregisterPush(ctx, Type, sub.Profile, sub.ID)
		}
		return sub, fmt.Errorf("msgraph: renewing subscription %s: %w", sub.ID, err)
	}
	sub.Expires = exp
	if !out.Expiration.IsZero() {
		sub.Expires = out.Expiration
	}
	return sub, reg.RegisterPush(ctx, sub)
}

// Unsubscribe deletes sub remotely (already gone is fine) and unregisters it.
func (c *Connector) Unsubscribe(ctx context.Context, reg engine.PushRegistry, sub engine.PushSubscription, mailbox string) error {
	_, err := c.do(ctx, request{method: "DELETE", path: "/subscriptions/" + url.PathEscape(sub.ID), user: mailbox})
	if err != nil && !errors.Is(err, engine.ErrNotFound) {
		return fmt.Errorf("msgraph: deleting subscription %s: %w", sub.ID, err)
	}
	return reg.UnregisterPush(ctx, Type, sub.Profile, sub.ID)
}

// Lifecycle acts on a lifecycle event of sub (the push intake's event types, engine/push Type*): "reauthorize"
// renews it (Graph asks for that before it stops delivering); "removed", "expired" and "silent" create a new
// subscription for the same job (open returns the job's store) after deleting the old one; "missed" needs nothing
// here (the intake triggers a full sync). It returns the subscription now in force.
func (c *Connector) Lifecycle(ctx context.Context, reg engine.PushRegistry, event string, sub engine.PushSubscription, mailbox string,
	open func(context.Context) (*Store, error)) (engine.PushSubscription, error) {
	switch event {
	case "reauthorize":
		renewed, err := c.Renew(ctx, reg, sub, mailbox)
		if err == nil || !errors.Is(err, engine.ErrNotFound) {
			return renewed, err
		}
		fallthrough // Graph no longer knows it: subscribe again
	case "removed", "expired", "silent":
		_ = c.Unsubscribe(ctx, reg, sub, mailbox) // best effort: it may be gone already
		s, err := open(ctx)
		if err != nil {
			return sub, err
		}
		return c.Subscribe(ctx, reg, sub.Profile, sub.User, s)
	}
	return sub, nil
}
