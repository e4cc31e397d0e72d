// Package superoffice is the connector for SuperOffice CRM (Online and on-site NetServer), over the REST WebAPI v1
// with a plain net/http client and hand-written carriers (wire.go, from the Swagger 2.0 files in testdata).
//
// What it syncs: each linked associate's diary appointments (KindAppointment) and checklist tasks (KindTask), the
// persons the associate is "our contact" for, with their company (KindContact), and the tenant's person selections,
// static and dynamic, as groups (KindGroup, read-only). Associates are listed for linking by e-mail (Directory).
//
// Authentication: Online uses the system-user flow. The admin's "Sign in with SuperOffice" (OIDC authorization
// code, see OIDC) yields the system token and the tenant's webapi_url; the connector signs
// "<system token>.<yyyyMMddHHmm>" with the partner RSA key, exchanges it at PartnerSystemUser/Authenticate for a
// ticket (6 hours, sliding), caches it, and signs again after a 401. Calls carry "Authorization: SOTicket …" and
// SO-AppToken. On-site uses Basic (user + secret "password") or a fixed SOTicket (secret "ticket").
//
// Change detection: webhooks (activity.*, person.*, contact.*, associate.*) trigger the job; HandleWebhook records
// deletions (SuperOffice has no tombstones otherwise). Changes polls the OData archive with "updatedDate after
// <watermark − overlap>" as the safety net; the watermark advances to the server's clock (Date header) minus the
// overlap, so an idle poll reads nothing. ListIDs lets the engine reconcile the id set to find deletions nobody
// announced. Rows last changed by our system user are reported as echoes.
//
// Recurrence: SuperOffice keeps every occurrence as its own row sharing a recurrence rule. A series is one
// engine.Appointment with id "s<RecurrenceId>": the pattern becomes the Rule, rows that differ from the pattern's
// majority content or time are overrides, pattern dates without a row are exclusions. Writes create the pattern,
// then reconcile every row with engine.Occurrences of the item (moving, rewriting or deleting rows), so
// exceptions, exclusions and wall-clock times in the item's own zone hold exactly even though SuperOffice expands
// the pattern in the tenant's zone. Patterns SuperOffice cannot express are an *engine.ItemError on
// "recurrence".
//
// Time zones: every call sends SO-TimeZone: UTC and converts, so instants never shift; all-day items are read and
// written as local midnights of the tenant's zone (Settings.TimeZone), and series patterns are sent in that zone.
//
// Idempotency marker: SuperOffice has no client-chosen id, so Create stores the engine's marker in a text
// user-defined field (Settings.MarkerUdef, default "SuperOffice:1") on appointments and persons, and
// FindByMarker searches it with "$filter=<udef> eq '<marker>'". The alternative, a token inside a visible text
// field searched with contains, needs no configuration but shows the token to users, is rewritten by users, and
// contains is a slow scan; a dedicated field costs the admin one setup step (checked by Check) and is exact.
//
// Writes use If-Unmodified-Since with the UpdatedDate the engine last saw (412 → engine.ErrPrecondition); 429
// and 503 become *engine.RetryAfterError; every call passes the governor (scope superoffice/tenant/<context>,
// Settings.MaxInFlight in flight, 8 by default, as SuperOffice documents no limit).
//
// The superofficetest package is a fake tenant for tests and the demo mode.
package superoffice
