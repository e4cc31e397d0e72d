package engine

import "strings"

// The engine's key layout. Every key the engine writes starts with "eng/"; ids never contain "/" (validated), so
// prefixes are unambiguous. This is the only place keys are built.
//
//	eng/profile/<profile>                               Profile (JSON)
//	eng/user/<profile>/<user>                           LinkedUser (JSON)
//	eng/link/<profile>/<user>/<kind>/<link>             Link: ids, versions and content hashes of both sides (compact JSON)
//	eng/base/<profile>/<user>/<kind>/<link>             the base content of both sides at the last sync (JSON)
//	eng/cursor/<profile>/<user>/<kind>/<side>           Cursor: the side's change cursor and the window it was taken in
//	eng/intent/<op>                                     Intent: a remote write that was announced but whose result is not recorded yet
//	eng/run/<run>                                       Run: status, counts, planned operations (needs-approval)
//	eng/runop/<run>/<seq>                               AppliedOp: one applied write of a run, with before/after content (for Undo)
//	eng/runu/<profile>/<user>/<run>                     the run index: an empty value per run of a user (newest last)
//	eng/meta/runindex                                   the state of the run index migration (runIndexState, JSON)
//	eng/approval/<profile>/<user>/<kind>                Approval: the one approved plan of a job
//	eng/conflict/<id>                                   Conflict
//	eng/quarantine/<profile>/<user>/<kind>/<side>/<id>  Quarantined item
//	eng/trace/<item id>                                 the latest decisions about an item (either side's id)
//	eng/guardlog/<profile>                              recent applied deletes/creates of a profile (profile-wide guard)
const keyRoot = "eng/"

func kProfile(p string) string          { return keyRoot + "profile/" + p }
func kUser(p, u string) string          { return keyRoot + "user/" + p + "/" + u }
func kUserPrefix(p string) string       { return keyRoot + "user/" + p + "/" }
func kJob(p, u string, k Kind) string   { return p + "/" + u + "/" + string(k) }
func kLinkPrefix(job string) string     { return keyRoot + "link/" + job + "/" }
func kLink(job, id string) string       { return keyRoot + "link/" + job + "/" + id }
func kBase(job, id string) string       { return keyRoot + "base/" + job + "/" + id }
func kCursor(job string, s Side) string { return keyRoot + "cursor/" + job + "/" + s.String() }
func kIntent(op string) string          { return keyRoot + "intent/" + op }
func kRun(id string) string             { return keyRoot + "run/" + id }
func kRunOpPrefix(id string) string     { return keyRoot + "runop/" + id + "/" }
func kRunUserPrefix(p, u string) string { return keyRoot + "runu/" + p + "/" + u + "/" }
func kRunUser(p, u, id string) string   { return kRunUserPrefix(p, u) + id }
func kRunIndexState() string            { return keyRoot + "meta/runindex" }
func kApproval(job string) string       { return keyRoot + "approval/" + job }
func kConflict(id string) string        { return keyRoot + "conflict/" + id }
func kQuarantine(job string, s Side, id string) string {
	return keyRoot + "quarantine/" + job + "/" + s.String() + "/" + escapeID(id)
}
func kTrace(id string) string   { return keyRoot + "trace/" + escapeID(id) }
func kGuardLog(p string) string { return keyRoot + "guardlog/" + p }

// escapeID makes a remote id (which may contain "/", as CalDAV hrefs do) safe as the last key segment.
func escapeID(id string) string { return strings.ReplaceAll(id, "/", "%2F") }
