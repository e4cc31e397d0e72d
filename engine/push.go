package engine

import (
	"context"
	"time"
)

// PushSubscription is one push channel a connector created on a remote system: a Microsoft Graph subscription, a
// Google watch channel, a SuperOffice webhook. The push intake (engine/push) validates deliveries against it,
// routes them to the (profile, user, kind) job, and watches it: when it expires or stays silent longer than
// Silence, the job falls back to polling at the profile's normal interval.
//
// Connectors register the subscription before they create it remotely (the remote system may deliver a
// validation request or a test event at once), and register it again, with the new Expires, when they renew it.
type PushSubscription struct {
	// Connector is the connector type in the hook URL (/hooks/<connector>/<profile>): "msgraph", "google",
	// "superoffice".
	Connector string `json:"connector"`
	Profile   string `json:"profile"`
	// ID is the remote id: the Graph subscription id, the Google channel id, the SuperOffice webhook id.
	ID string `json:"id"`
	// User and Kind name the job a delivery triggers; an empty User triggers every user of the profile.
	User string `json:"user,omitempty"`
	Kind Kind   `json:"kind,omitempty"`
	// Secret is what deliveries must prove: Graph clientState, Google channel token, the SuperOffice webhook
	// secret (the HMAC-SHA256 key of X-SuperOffice-Signature). Never exposed through the API.
	Secret string `json:"secret"`
	// Expires is when the remote system drops the subscription unless renewed (zero: never).
	Expires time.Time `json:"expires,omitzero"`
	// Silence is the longest expected time without any delivery; longer means the channel is presumed dead
	// (SuperOffice webhooks may silently stop after repeated failures). Zero: only Expires is watched.
	Silence time.Duration `json:"silence,omitempty"`
}

// PushRegistry records the push channels connectors create. engine/push.Intake implements it.
type PushRegistry interface {
	RegisterPush(ctx context.Context, s PushSubscription) error
	UnregisterPush(ctx context.Context, connector, profile, id string) error
}

// SyncRequest asks the scheduler for a run of a profile's jobs: of one user ("" = every user) and one kind
// ("" = every kind), for a reason (the trigger: "push", "missed", "manual" …). The push intake hands its events
// to the scheduler as a batch of these.
type SyncRequest struct {
	Profile string `json:"profile"`
	User    string `json:"user,omitempty"`
	Kind    Kind   `json:"kind,omitempty"`
	Trigger string `json:"trigger"`
}
