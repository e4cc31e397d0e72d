package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/synchronizer/synchronizer/auth"
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/engine/scheduler"
	"github.com/synchronizer/synchronizer/graph/model"
)

// This file is the one place the API keeps the scheduler in step with the
// engine's profiles and linked users, maps engine errors to coded API errors,
// and keeps secret settings write-only.

// errUnavailable is returned by fields whose service is not configured.
func errUnavailable(what string) error {
	return &codedError{code: CodeUnavailable, msg: what + " is not available on this server"}
}

// badInput is a BAD_USER_INPUT error naming field.
func badInput(field, format string, a ...any) error {
	return &codedError{code: CodeBadUserInput, field: field, msg: field + ": " + fmt.Sprintf(format, a...)}
}

// notFound is a NOT_FOUND error.
func notFound(format string, a ...any) error {
	return &codedError{code: CodeNotFound, msg: fmt.Sprintf(format, a...)}
}

// engineErr maps an error of the engine to an API error: invalid input to
// BAD_USER_INPUT with extensions.field, unknown ids to NOT_FOUND. Other errors
// pass through (the presenter logs them and answers INTERNAL).
func engineErr(err error) error {
	if err == nil {
		return nil
	}
	var ie *engine.InputError
	switch {
	case errors.As(err, &ie):
		return &codedError{code: CodeBadUserInput, field: ie.Field, msg: ie.Error()}
	case errors.Is(err, engine.ErrNoSuchProfile), errors.Is(err, engine.ErrNoSuchUser), errors.Is(err, engine.ErrNoSuchRun):
		return &codedError{code: CodeNotFound, msg: err.Error()}
	}
	return err
}

// needEngine returns the engine or an UNAVAILABLE error.
func (r *Resolver) needEngine() (*engine.Engine, error) {
	if r.Engine == nil {
		return nil, errUnavailable("the sync engine")
	}
	return r.Engine, nil
}

// needScheduler returns the scheduler or an UNAVAILABLE error.
func (r *Resolver) needScheduler() (*scheduler.Scheduler, error) {
	if r.Scheduler == nil {
		return nil, errUnavailable("the scheduler")
	}
	return r.Scheduler, nil
}

// SchedulerProfile returns what the scheduler needs to know about profile p
// and its linked users: the polling interval, the kinds that are not off,
// the users (with the kinds their overrides leave on) and the connector
// instances for the per-system breakers.
func SchedulerProfile(p engine.Profile, users []engine.LinkedUser) scheduler.Profile {
	sp := scheduler.Profile{ID: p.ID, Interval: time.Duration(p.PollSeconds) * time.Second, Kinds: []engine.Kind{},
		Users: []scheduler.User{}}
	for _, k := range engine.Kinds {
		if d := p.Directions[k]; d != "" && d != engine.DirOff {
			sp.Kinds = append(sp.Kinds, k)
		}
	}
	for _, u := range users {
		su := scheduler.User{ID: u.ID}
		if p.UserMay.Directions && len(u.Overrides.Directions) > 0 {
			su.Kinds = []engine.Kind{}
			for _, k := range sp.Kinds {
				if d, ok := u.Overrides.Directions[k]; !ok || d != engine.DirOff {
					su.Kinds = append(su.Kinds, k)
				}
			}
		}
		sp.Users = append(sp.Users, su)
	}
	sp.Systems = []string{p.CRM.Instance}
	if p.Mailbox.Instance != p.CRM.Instance {
		sp.Systems = append(sp.Systems, p.Mailbox.Instance)
	}
	return sp
}

// LoadSchedule gives the scheduler every profile of the engine with its
// linked users. Call it once at start-up, before s.Start; the API keeps the
// scheduler in step afterwards.
func LoadSchedule(e *engine.Engine, s *scheduler.Scheduler) error {
	ps, err := e.Profiles()
	if err != nil {
		return err
	}
	for _, p := range ps {
		users, err := e.Users(p.ID)
		if err != nil {
			return err
		}
		if err := s.SetProfile(SchedulerProfile(p, users)); err != nil {
			return fmt.Errorf("schedule profile %s: %w", p.ID, err)
		}
	}
	return nil
}

// reschedule tells the scheduler the current state of profile id (removing
// it when the engine no longer has it). Without a scheduler it does nothing.
func (r *Resolver) reschedule(ctx context.Context, id string) error {
	if r.Scheduler == nil || r.Engine == nil {
		return nil
	}
	r.schedMu.Lock()
	defer r.schedMu.Unlock()
	p, err := r.Engine.Profile(id)
	if errors.Is(err, engine.ErrNoSuchProfile) {
		if err := r.Scheduler.RemoveProfile(ctx, id); err != nil && !strings.HasSuffix(err.Error(), "not found") {
			return err
		}
		return nil
	}
	if err != nil {
		return err
	}
	users, err := r.Engine.Users(id)
	if err != nil {
		return err
	}
	return r.Scheduler.SetProfile(SchedulerProfile(p, users))
}

// secretKey matches the names of settings that are secrets: the last word is
// secret, password, token, key or credential(s) (clientSecret, password,
// refresh_token, partnerKey, privateKey; not maxTokenAge or keyId).
var secretKey = regexp.MustCompile(`(?i)(secret|password|passwd|token|key|credentials?)$`)

// splitSecrets parses a settings object and returns it without its secret
// fields, and the names of the secret fields that are set.
func splitSecrets(raw json.RawMessage) (public json.RawMessage, secrets []string, err error) {
	if len(raw) == 0 {
		return json.RawMessage("{}"), []string{}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, nil, err
	}
	secrets = []string{}
	for k, v := range m {
		if secretKey.MatchString(k) {
			if string(v) != "null" && string(v) != `""` {
				secrets = append(secrets, k)
			}
			delete(m, k)
		}
	}
	sort.Strings(secrets)
	b, err := json.Marshal(m)
	return b, secrets, err
}

// mergeSettings builds the settings to save for one system from the input
// (field names the input field, "crm" or "mailbox"): a JSON object whose
// secret fields, when left out, keep their saved value unless cleared.
func mergeSettings(field string, in *string, cleared []string, old json.RawMessage) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if in != nil && strings.TrimSpace(*in) != "" {
		if err := json.Unmarshal([]byte(*in), &m); err != nil || m == nil {
			return nil, badInput(field+".settings", "must be a JSON object")
		}
	}
	for _, c := range cleared {
		if !secretKey.MatchString(c) {
			return nil, badInput(field+".clearSecrets", "%q is not a secret field", c)
		}
	}
	var prev map[string]json.RawMessage
	if len(old) > 0 {
		_ = json.Unmarshal(old, &prev) // saved settings were validated when saved
	}
	for k, v := range prev {
		if _, given := m[k]; !given && secretKey.MatchString(k) && !slices.Contains(cleared, k) {
			m[k] = v
		}
	}
	for _, c := range cleared {
		delete(m, c)
	}
	if len(m) == 0 {
		return nil, nil
	}
	return json.Marshal(m)
}

// linkedUsers lists the linked users of a profile (NOT_FOUND for an unknown profile).
func (r *Resolver) linkedUsers(profileID string) ([]*model.LinkedUser, error) {
	e, err := r.needEngine()
	if err != nil {
		return nil, err
	}
	if _, err := e.Profile(profileID); err != nil {
		return nil, engineErr(err)
	}
	us, err := e.Users(profileID)
	if err != nil {
		return nil, err
	}
	out := make([]*model.LinkedUser, len(us))
	for i, u := range us {
		out[i] = linkedUserOut(profileID, u)
	}
	return out, nil
}

// schedulerFor returns the scheduler after checking that the profile (and
// the user, when given) exist, so unknown ids answer NOT_FOUND.
func (r *Resolver) schedulerFor(profileID string, userID *string) (*scheduler.Scheduler, error) {
	e, err := r.needEngine()
	if err != nil {
		return nil, err
	}
	s, err := r.needScheduler()
	if err != nil {
		return nil, err
	}
	if _, err := e.Profile(profileID); err != nil {
		return nil, engineErr(err)
	}
	if userID != nil {
		if _, err := e.User(profileID, *userID); err != nil {
			return nil, engineErr(err)
		}
	}
	return s, nil
}

// schedulerErr maps a scheduler refusal (a profile without jobs, a user the
// scheduler does not know) to a clear BAD_USER_INPUT error.
func schedulerErr(err error) error {
	return &codedError{code: CodeBadUserInput, field: "profileId", msg: strings.TrimPrefix(err.Error(), "scheduler: ")}
}

// runAfter answers a command that produced run id (an undo, an approval):
// the run when one was recorded, whatever its status (its status and error
// say how it went), else the mapped error.
func (r *Resolver) runAfter(id string, err error) (*model.SyncRun, error) {
	if id == "" {
		if err == nil {
			err = errors.New("the engine recorded no run")
		}
		return nil, engineErr(err)
	}
	var ie *engine.InputError
	if errors.As(err, &ie) {
		return nil, engineErr(err)
	}
	run, _, rerr := r.Engine.Run(id)
	if rerr != nil {
		return nil, engineErr(rerr)
	}
	return runOut(run), nil
}

// conflict returns one recorded conflict.
func (r *Resolver) conflict(id string) (engine.Conflict, error) {
	c, err := r.Engine.Conflict(id)
	var ie *engine.InputError
	if errors.As(err, &ie) {
		return engine.Conflict{}, notFound("no conflict %q", id)
	}
	return c, err
}

// secretStore returns the secret store of a connector instance.
func (r *Resolver) secretStore(instance string) (engine.Secrets, error) {
	if r.Secrets == nil {
		return nil, errUnavailable("the secret store")
	}
	if !instanceRE.MatchString(instance) {
		return nil, badInput("instance", "%q is not a connector instance id", instance)
	}
	s := r.Secrets(instance)
	if s == nil {
		return nil, errUnavailable("the secret store")
	}
	return s, nil
}

var (
	instanceRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)
	secretNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$`)
)

func validSecretName(n string) error {
	if !secretNameRE.MatchString(n) {
		return fmt.Errorf("%q is not a secret name (letters, digits and . _ / -, at most 128)", n)
	}
	return nil
}

// audit records an admin's sync action in the security audit log. The
// action already happened, so a failure to record it is logged, not returned.
func (r *Resolver) audit(ctx context.Context, action, target, detail string) {
	if r.Auth == nil {
		return
	}
	if err := r.Auth.Audit(ctx, auth.Event{Action: action, Target: target, Detail: detail}); err != nil && r.Logger != nil {
		r.Logger.Error("graphql: audit failed", "action", action, "target", target, "err", err)
	}
}

// jobTarget names a profile, or one user of it, in the audit log.
func jobTarget(profileID string, userID *string) string {
	if userID == nil {
		return profileID
	}
	return profileID + "/" + *userID
}
