package kv

// Key spaces. Every key the product stores starts with exactly one of these
// prefixes; this file is the one place that lists them. A package that needs
// a new key space adds a constant here with a comment saying who owns it and
// what lives under it. Prefixes never overlap (none is a prefix of another),
// so a Scan over one key space never sees another's keys.
const (
	// PrefixAuth holds administrator and user accounts (auth/<user-id>) and
	// any index the auth package keeps to find them, e.g. by login name.
	PrefixAuth = "auth/"
	// PrefixSession holds browser sessions (sess/<session-id>), usually
	// written with a TTL so Badger expires them.
	PrefixSession = "sess/"
	// PrefixToken holds API tokens for scripts (tok/<token-id>); only hashes
	// of token secrets are stored.
	PrefixToken = "tok/"
	// PrefixAudit holds the audit log. Keys sort by time (audit/<sortable
	// timestamp>/<id>) so ScanReverse lists newest first.
	PrefixAudit = "audit/"
	// PrefixCert holds the ACME certificate cache used by autocert; see
	// DB.CertCache. Nothing else writes here.
	PrefixCert = "cert/"
	// PrefixConfig holds settings (cfg/<name>), e.g. profiles and connection
	// settings; credentials in it are protected by encryption at rest.
	PrefixConfig = "cfg/"
	// PrefixEngine holds the sync engine's state: links, cursors, journal.
	// The engine manages all sub-keys under it itself.
	PrefixEngine = "eng/"
	// PrefixHook holds the push intake queue: notifications received from
	// webhooks that the scheduler has not processed yet.
	PrefixHook = "hook/"
	// PrefixScheduler holds the scheduler's state (sched/...), e.g. the last
	// run and next due time per job and backoff counters.
	PrefixScheduler = "sched/"
	// PrefixSecret holds connector secrets (secret/<connector instance>/<name>):
	// refresh tokens, tickets, client secrets. Written by engine.KVSecrets;
	// never read back through the API.
	PrefixSecret = "secret/"
	// PrefixOAuth holds pending sign-ins (oauth/<state>): the state of an
	// OAuth/OIDC authorization started by an admin ("Sign in with
	// SuperOffice", "Sign in with Microsoft") with its nonce or PKCE
	// verifier, written with a 10-minute TTL by the root package's oauth.go
	// and deleted when the callback uses it (one-time).
	PrefixOAuth = "oauth/"
	// PrefixReinvite holds the last automatic re-invitation of each linked
	// user whose Microsoft grant was refused (reinvite/<profile>/<user>),
	// written by the root package's reinvite.go (at most one a day a user).
	PrefixReinvite = "reinvite/"
)

// Prefixes lists every key space above, in a stable order. Tests use it to
// check that no two key spaces overlap; tools use it to report sizes.
var Prefixes = []string{
	PrefixAuth,
	PrefixSession,
	PrefixToken,
	PrefixAudit,
	PrefixCert,
	PrefixConfig,
	PrefixEngine,
	PrefixHook,
	PrefixScheduler,
	PrefixSecret,
	PrefixOAuth,
	PrefixReinvite,
}
