package push

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/engine"
)

// Event types.
const (
	TypeChanged     = "changed"
	TypeDeleted     = "deleted"
	TypeSync        = "sync"        // a channel handshake (Google "sync"): proves liveness, triggers nothing
	TypeMissed      = "missed"      // notifications were lost (Graph lifecycle "missed"): a full sync is due
	TypeRemoved     = "removed"     // the remote system removed the subscription (Graph "subscriptionRemoved")
	TypeReauthorize = "reauthorize" // the subscription needs renewal (Graph "reauthorizationRequired")
	TypeExpired     = "expired"     // raised by the watchdog: the subscription expired without renewal
	TypeSilent      = "silent"      // raised by the watchdog: no delivery for longer than Silence
)

// Event is one notification, as persisted under hook/ev/ and handed to the scheduler.
type Event struct {
	// ID identifies the delivery across redeliveries (SuperOffice EventId, Google channel + message number, a
	// hash of the Graph notification); repeated deliveries of one ID are accepted and dropped.
	ID           string      `json:"id"`
	Connector    string      `json:"connector"`
	Profile      string      `json:"profile"`
	Subscription string      `json:"subscription,omitempty"`
	User         string      `json:"user,omitempty"`
	Kind         engine.Kind `json:"kind,omitempty"`
	Type         string      `json:"type"`
	Resource     string      `json:"resource,omitempty"`
	Received     time.Time   `json:"received"`
}

// Subscription is a registered push channel (see engine.PushSubscription).
type Subscription = engine.PushSubscription

// Lookup gives a receiver the subscriptions registered for the connector and profile of the request.
type Lookup interface {
	// Subscription returns the subscription with the remote id.
	Subscription(id string) (Subscription, bool)
	// All returns every subscription of the connector and profile.
	All() []Subscription
}

// Receiver validates and decodes the deliveries of one connector type. Receive either answers the request itself
// (a validation handshake: handled is true, and nothing is persisted) or returns the events to persist; the
// intake then acknowledges. An error wrapping ErrUnauthorized is answered 401 and logged for audit; any other
// error 400. Receivers never trust a delivery they cannot tie to a registered subscription's secret.
type Receiver interface {
	Receive(w http.ResponseWriter, r *http.Request, body []byte, subs Lookup) (events []Event, handled bool, err error)
}

// AckStatuser is implemented by receivers whose sender expects a particular success status (SuperOffice expects
// 200); the default is 202 Accepted.
type AckStatuser interface {
	AckStatus() int
}

// ErrUnauthorized marks deliveries that fail validation (bad signature, wrong clientState or channel token, an
// unknown subscription).
var ErrUnauthorized = errors.New("unauthorized delivery")

func unauthorized(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnauthorized, fmt.Sprintf(format, args...))
}

func secretEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Receivers returns the built-in receivers by connector type: "msgraph", "superoffice", "google".
func Receivers() map[string]Receiver {
	return map[string]Receiver{
		"msgraph":     Graph{},
		"superoffice": SuperOffice{},
		"google":      Google{},
	}
}

// Graph receives Microsoft Graph change and lifecycle notifications. A request with a validationToken query
// parameter is the subscription handshake: the token is echoed as text/plain with 200 (Graph requires it within
// 10 s). Every notification must name a registered subscription and carry its clientState.
type Graph struct{}

// maxValidationToken bounds the echoed token (Graph's are a few hundred bytes).
const maxValidationToken = 4096

type graphNotification struct {
	SubscriptionID string `json:"subscriptionId"`
	ClientState    string `json:"clientState"`
	ChangeType     string `json:"changeType"`
	Resource       string `json:"resource"`
	LifecycleEvent string `json:"lifecycleEvent"`
	TenantID       string `json:"tenantId"`
}

// Receive implements Receiver.
func (Graph) Receive(w http.ResponseWriter, r *http.Request, body []byte, subs Lookup) ([]Event, bool, error) {
	if tok, ok := r.URL.Query()["validationToken"]; ok {
		if len(tok) != 1 || tok[0] == "" || len(tok[0]) > maxValidationToken {
			return nil, false, errors.New("msgraph: validationToken must be one non-empty value of at most 4096 bytes")
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(tok[0])) //nolint:gosec // Graph requires the echo; served as text/plain with nosniff
		return nil, true, nil
	}
	var payload struct {
		Value []json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(body, &payload); err != nil {
		return nil, false, fmt.Errorf("msgraph: body is not a notification collection: %w", err)
	}
	if len(payload.Value) == 0 {
		return nil, false, errors.New("msgraph: value: no notifications")
	}
	events := make([]Event, 0, len(payload.Value))
	for i, raw := range payload.Value {
		var n graphNotification
		if err := json.Unmarshal(raw, &n); err != nil {
			return nil, false, fmt.Errorf("msgraph: value[%d]: %w", i, err)
		}
		if n.SubscriptionID == "" {
			return nil, false, fmt.Errorf("msgraph: value[%d].subscriptionId: missing", i)
		}
		sub, ok := subs.Subscription(n.SubscriptionID)
		if !ok {
			return nil, false, unauthorized("msgraph: value[%d]: unknown subscription %q", i, n.SubscriptionID)
		}
		if sub.Secret == "" || !secretEqual(n.ClientState, sub.Secret) {
			return nil, false, unauthorized("msgraph: value[%d]: clientState does not match subscription %q", i, n.SubscriptionID)
		}
		typ := TypeChanged
		switch n.LifecycleEvent {
		case "":
			if n.ChangeType == "deleted" {
				typ = TypeDeleted
			}
		case "missed":
			typ = TypeMissed
		case "subscriptionRemoved":
			typ = TypeRemoved
		case "reauthorizationRequired":
			typ = TypeReauthorize
		default:
			return nil, false, fmt.Errorf("msgraph: value[%d].lifecycleEvent: unknown %q", i, n.LifecycleEvent)
		}
		sum := sha256.Sum256(raw)
		events = append(events, Event{ID: "g-" + hex.EncodeToString(sum[:16]), Subscription: sub.ID, User: sub.User,
			Kind: sub.Kind, Type: typ, Resource: n.Resource})
	}
	return events, false, nil
}

// SuperOffice receives SuperOffice webhooks: X-SuperOffice-Signature is the base64 HMAC-SHA256 of the raw body
// keyed with the webhook's secret; the payload's EventId identifies the delivery.
type SuperOffice struct{}

// AckStatus implements AckStatuser: SuperOffice expects 200 (also for the test call made at registration).
func (SuperOffice) AckStatus() int { return http.StatusOK }

type superOfficePayload struct {
	EventID              string `json:"EventId"`
	Event                string `json:"Event"`
	PrimaryKey           int64  `json:"PrimaryKey"`
	Entity               string `json:"Entity"`
	ChangedByAssociateID int64  `json:"ChangedByAssociateId"`
	WebhookName          string `json:"WebhookName"`
}

// Receive implements Receiver.
func (SuperOffice) Receive(w http.ResponseWriter, r *http.Request, body []byte, subs Lookup) ([]Event, bool, error) {
	sig := r.Header.Get("X-SuperOffice-Signature")
	if sig == "" {
		return nil, false, unauthorized("superoffice: X-SuperOffice-Signature header missing")
	}
	given, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return nil, false, unauthorized("superoffice: X-SuperOffice-Signature is not base64")
	}
	var match *Subscription
	for _, s := range subs.All() {
		if s.Secret == "" {
			continue
		}
		mac := hmac.New(sha256.New, []byte(s.Secret))
		mac.Write(body)
		if hmac.Equal(mac.Sum(nil), given) {
			match = &s
			break
		}
	}
	if match == nil {
		return nil, false, unauthorized("superoffice: X-SuperOffice-Signature does not match any registered webhook secret")
	}
	var p superOfficePayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, false, fmt.Errorf("superoffice: body: %w", err)
	}
	if p.EventID == "" {
		p.EventID = r.Header.Get("X-SuperOffice-EventId")
	}
	if p.EventID == "" {
		return nil, false, errors.New("superoffice: EventId: missing")
	}
	if p.Event == "" {
		return nil, false, errors.New("superoffice: Event: missing")
	}
	typ := TypeChanged
	if strings.HasSuffix(p.Event, ".deleted") {
		typ = TypeDeleted
	}
	kind := match.Kind
	if kind == "" {
		kind = superOfficeKind(p.Event)
	}
	res := p.Entity
	if p.PrimaryKey != 0 {
		res += "/" + strconv.FormatInt(p.PrimaryKey, 10)
	}
	return []Event{{ID: "so-" + p.EventID, Subscription: match.ID, User: match.User, Kind: kind, Type: typ,
		Resource: res}}, false, nil
}

// superOfficeKind maps a SuperOffice event name to the kind it concerns ("" when none we sync).
func superOfficeKind(event string) engine.Kind {
	entity, _, _ := strings.Cut(event, ".")
	switch entity {
	case "activity", "appointment":
		return engine.KindAppointment
	case "person", "contact":
		return engine.KindContact
	}
	return ""
}

// Google receives Google Calendar watch-channel notifications: X-Goog-Channel-ID names the channel,
// X-Goog-Channel-Token must be its token, X-Goog-Message-Number identifies the delivery and
// X-Goog-Resource-State is sync (the handshake), exists or not_exists.
type Google struct{}

// AckStatus implements AckStatuser.
func (Google) AckStatus() int { return http.StatusOK }

// Receive implements Receiver.
func (Google) Receive(w http.ResponseWriter, r *http.Request, body []byte, subs Lookup) ([]Event, bool, error) {
	ch := r.Header.Get("X-Goog-Channel-ID")
	if ch == "" {
		return nil, false, unauthorized("google: X-Goog-Channel-ID header missing")
	}
	sub, ok := subs.Subscription(ch)
	if !ok {
		return nil, false, unauthorized("google: unknown channel %q", ch)
	}
	if sub.Secret == "" || !secretEqual(r.Header.Get("X-Goog-Channel-Token"), sub.Secret) {
		return nil, false, unauthorized("google: X-Goog-Channel-Token does not match channel %q", ch)
	}
	num := r.Header.Get("X-Goog-Message-Number")
	if _, err := strconv.ParseUint(num, 10, 64); err != nil {
		return nil, false, fmt.Errorf("google: X-Goog-Message-Number %q is not a number", num)
	}
	var typ string
	switch st := r.Header.Get("X-Goog-Resource-State"); st {
	case "sync":
		typ = TypeSync
	case "exists":
		typ = TypeChanged
	case "not_exists":
		typ = TypeDeleted
	default:
		return nil, false, fmt.Errorf("google: X-Goog-Resource-State %q is not sync, exists or not_exists", st)
	}
	return []Event{{ID: "goog-" + ch + "-" + num, Subscription: sub.ID, User: sub.User, Kind: sub.Kind, Type: typ,
		Resource: r.Header.Get("X-Goog-Resource-ID")}}, false, nil
}
