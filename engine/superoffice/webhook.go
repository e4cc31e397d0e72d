package superoffice

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// WebhookEvents are the events the connector subscribes to.
var WebhookEvents = []string{"activity.created", "activity.changed", "activity.deleted",
	"person.created", "person.changed", "person.deleted", "contact.changed", "contact.deleted",
	"associate.created", "associate.changed", "associate.deleted"}

// webhookSilence is how long a webhook may stay silent before the push watchdog falls back to polling.
const webhookSilence = 6 * time.Hour

// SecretWebhook is the engine.Secrets name of the webhook's HMAC secret.
const SecretWebhook = "webhook_secret"

// VerifySignature reports whether sig (X-SuperOffice-Signature) is the base64 HMAC-SHA256 of body under secret.
func VerifySignature(secret string, body []byte, sig string) bool {
	given, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || secret == "" {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(mac.Sum(nil), given)
}

// EnsureWebhook registers our webhook on the tenant, pointing at <PublicURL>/hooks/superoffice/<profile>, or
// re-activates it when SuperOffice has set it to TooManyErrors (or an admin stopped it), and records it with reg
// (engine/push.Intake) so deliveries verify. Without a public URL it returns an error saying the profile runs on
// polling. Call it when the profile is saved and periodically (housekeeping); it is idempotent.
func (c *Connector) EnsureWebhook(ctx context.Context, reg engine.PushRegistry, profile string) (Webhook, error) {
	if c.env.PublicURL == "" {
		return Webhook{}, errors.New("superoffice: the appliance has no public URL; the profile runs on polling")
	}
	if c.set.Webhooks != nil && !*c.set.Webhooks {
		return Webhook{}, errors.New("superoffice: webhooks are disabled in the settings; the profile runs on polling")
	}
	target := strings.TrimSuffix(c.env.PublicURL, "/") + "/hooks/superoffice/" + profile
	name := "synchronizer-" + profile
	secret, err := c.webhookSecret(ctx)
	if err != nil {
		return Webhook{}, err
	}
	var hooks []Webhook
	if err := c.cl.do(ctx, request{method: http.MethodGet, path: "v1/Webhook", out: &hooks}); err != nil {
		return Webhook{}, fmt.Errorf("superoffice: list webhooks: %w", err)
	}
	sub := engine.PushSubscription{Connector: System, Profile: profile, Secret: secret, Silence: webhookSilence}
	for _, h := range hooks {
		if h.Name != name {
			continue
		}
		sub.ID = strconv.Itoa(int(h.WebhookID))
		if err := reg.RegisterPush(ctx, sub); err != nil {
			return Webhook{}, err
		}
		if h.State == "Active" && h.TargetURL == target && slices.Equal(h.Events, WebhookEvents) {
			return h, nil
		}
		// TooManyErrors, Stopped, or out of date: put it back to Active with our settings.
		was := h.State
		h.State, h.TargetURL, h.Events, h.Secret, h.Type = "Active", target, WebhookEvents, secret, "webhook"
		var out Webhook
		if err := c.cl.do(ctx, request{method: http.MethodPut, path: "v1/Webhook/" + sub.ID, body: &h, out: &out}); err != nil {
			return Webhook{}, fmt.Errorf("superoffice: re-activate webhook %s: %w", sub.ID, err)
		}
		c.log.Info("superoffice: webhook re-activated", "id", sub.ID, "was", was)
		return out, nil
	}
	// Register the secret with the intake before creating: SuperOffice posts a test event at once.
	sub.ID = "pending-" + profile
	if err := reg.RegisterPush(ctx, sub); err != nil {
		return Webhook{}, err
	}
	h := Webhook{Name: name, Events: WebhookEvents, TargetURL: target, Secret: secret, State: "Active", Type: "webhook"}
	var out Webhook
	err = c.cl.do(ctx, request{method: http.MethodPost, path: "v1/Webhook", body: &h, out: &out})
	if uerr := reg.UnregisterPush(ctx, System, profile, sub.ID); uerr != nil && err == nil {
		err = uerr
	}
	if err != nil {
		return Webhook{}, fmt.Errorf("superoffice: create webhook: %w", err)
	}
	sub.ID = strconv.Itoa(int(out.WebhookID))
	if err := reg.RegisterPush(ctx, sub); err != nil {
		return Webhook{}, err
	}
	return out, nil
}

func (c *Connector) webhookSecret(ctx context.Context) (string, error) {
	if c.env.Secrets == nil {
		return "", errors.New("superoffice: no secret store for the webhook secret")
	}
	b, err := c.env.Secrets.Get(ctx, SecretWebhook)
	if err == nil && len(b) > 0 {
		return string(b), nil
	}
	if err != nil && !errors.Is(err, engine.ErrNotFound) {
		return "", err
	}
	var r [32]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	s := hex.EncodeToString(r[:])
	if err := c.env.Secrets.Put(ctx, SecretWebhook, []byte(s)); err != nil {
		return "", err
	}
	return s, nil
}
