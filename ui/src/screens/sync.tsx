// The sync areas backed by the engine's API: profiles, linked users, conflicts,
// approvals and the governor. Profiles and users are created over the GraphQL API
// for now (saveSyncProfile, linkUser); these screens show them and run the
// day-to-day commands (sync now, pause, resume, resolve, approve, reject).

import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { subscribe, type LiveState } from '../api/live';
import { SYNC_STATUS_LIVE } from '../api/operations';
import type { ApiError } from '../api/client';
import { asApiError } from '../api/client';
import { Button, ConfirmDialog, EmptyState, ErrorAlert, Link, Loading, Notice, PageHeader, useAsync } from '../components';
import { useApp } from '../context';
import { formatTime, sentence } from '../format';
import type { GovernorQuery, PendingApprovalsQuery, SyncConflictsQuery, SyncProfilesQuery, SyncStatusLiveSubscription } from '../gql/graphql';
import { userPath } from '../router';
import { gridCSV, hasErrors, itemError, itemsDetail, itemsText, lastSync, summaryKey, useUserSummaries, type Summaries, type Summary } from '../users';
import { GovernorHistoryPanel, ReinvitationAlerts } from './ops';

type Profile = SyncProfilesQuery['syncProfiles'][number];
type User = Profile['users'][number];
type Conflict = SyncConflictsQuery['syncConflicts'][number];
type Run = PendingApprovalsQuery['pendingApprovals'][number];

export const KIND: Record<string, string> = { APPOINTMENT: 'Appointments', TASK: 'Tasks', CONTACT: 'Contacts', GROUP: 'Groups' };
const DIRECTION: Record<string, string> = {
  TWO_WAY: 'both ways',
  CRM_TO_MAILBOX: 'CRM → mailbox',
  MAILBOX_TO_CRM: 'mailbox → CRM',
  OFF: 'off',
};
const POLICY: Record<string, string> = { NEWEST: 'newest change wins', CRM_WINS: 'CRM wins', MAILBOX_WINS: 'mailbox wins' };

/** ApiNote tells admins how the area's objects are created until the editor exists. */
function ApiNote(props: { children: ComponentChildren }) {
  return <p class="muted">{props.children}</p>;
}

/**
 * LoadError shows why an area could not load. A server that does not run the
 * sync engine (UNAVAILABLE) is a state, not a failure: it is said calmly.
 */
export function LoadError(props: { error: ApiError | null; what: string; onRetry: () => void }) {
  const e = props.error;
  if (!e) return null;
  if (e.code === 'UNAVAILABLE') {
    return (
      <EmptyState title="The sync engine is not running on this server">
        <p>{sentence(e.message)}</p>
        <p class="muted">{e.hint}</p>
        <Button onClick={props.onRetry}>Check again</Button>
      </EmptyState>
    );
  }
  return <ErrorAlert error={e} title={`Could not load ${props.what}`} onRetry={props.onRetry} />;
}

/** useCommand runs one command at a time, tracking which one is busy and its outcome. */
export function useCommand() {
  const [busy, setBusy] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState('');
  const run = async (key: string, fn: () => Promise<unknown>, success: string, after?: () => void) => {
    setBusy(key);
    setError(null);
    setDone('');
    try {
      await fn();
      setDone(success);
      after?.();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy('');
    }
  };
  return { busy, error, done, run };
}

/** plannedCount counts the planned operations of one action (a held run has applied nothing; its plan is what it would do). */
export function plannedCount(planned: ReadonlyArray<{ action: string }>, action: string): number {
  return planned.filter((o) => o.action.toLowerCase() === action).length;
}

/** Tone is the colour family of a state: the same across the users grid, a user's page and the overview. */
export type Tone = 'ok' | 'error' | 'paused' | 'busy' | 'idle';

export function userStatus(u: User): { text: string; warn: boolean; tone: Tone; at?: string | null } {
  const s = u.status;
  if (!s) return { text: 'Not scheduled yet', warn: false, tone: 'idle' };
  if (s.breaker !== 'closed') return { text: `Stopped after errors (${s.breaker})${s.breakerReason ? ': ' + s.breakerReason : ''}`, warn: true, tone: 'error' };
  if (s.paused) return { text: 'Paused', warn: false, tone: 'paused' };
  if (s.running) return { text: 'Syncing now', warn: false, tone: 'busy' };
  if (s.lastError) return { text: `Last run failed: ${s.lastError}`, warn: true, tone: 'error' };
  if (s.queued) return { text: 'Queued', warn: false, tone: 'busy' };
  if (s.lastOk) return { text: 'In sync', warn: false, tone: 'ok', at: s.lastOk };
  return { text: 'Waiting for the first sync', warn: false, tone: 'idle' };
}

/** StateText shows a state with its tone's dot (decorative: the words carry the meaning). */
export function StateText(props: { tone: Tone; children: ComponentChildren }) {
  return (
    <span class={`state tone-${props.tone}`}>
      <span class="state-dot" aria-hidden="true" />
      {props.children}
    </span>
  );
}

/** ProfilesScreen lists the sync profiles with their systems, directions and state. */
/** SIGN_IN names the systems that have a sign-in flow (beginSystemSignIn), by connector type. */
export const SIGN_IN: Record<string, string> = { superoffice: 'Sign in with SuperOffice', msgraph: 'Sign in with Microsoft' };

/**
 * signInResult reads the outcome the server's sign-in callback put in the
 * address (?signin=ok, or ?signin=error&reason=…); null when there is none.
 */
export function signInResult(search: string): { ok: boolean; reason: string } | null {
  const q = new URLSearchParams(search);
  const v = q.get('signin');
  if (v === 'ok') return { ok: true, reason: '' };
  if (v === 'error') return { ok: false, reason: q.get('reason') ?? '' };
  return null;
}

/**
 * useUserNames maps "profile/user" to the user's CRM name, so lists of conflicts and held runs name people
 * rather than ids. While it loads, or when it cannot load, the ids are shown.
 */
export function useUserNames(): (profileId: string, userId: string) => string {
  const { api } = useApp();
  const profiles = useAsync(() => api.syncProfiles());
  const names = new Map<string, string>();
  for (const p of profiles.data?.syncProfiles ?? []) for (const u of p.users) if (u.crm.name) names.set(`${p.id}/${u.id}`, u.crm.name);
  return (profileId, userId) => names.get(`${profileId}/${userId}`) ?? userId;
}

/** ProfilesScreen lists the sync profiles (or, with only, the one the address names) with their state. */
export function ProfilesScreen(props: { only?: string; search?: string } = {}) {
  const { api } = useApp();
  const data = useAsync(() => api.syncProfiles());
  const cmd = useCommand();
  const all = data.data?.syncProfiles ?? [];
  const profiles = props.only ? all.filter((p) => p.id === props.only) : all;
  const signIn = signInResult(props.search ?? '');
  const startSignIn = (profileId: string, side: 'CRM' | 'MAILBOX') =>
    cmd.run(
      `signin:${profileId}:${side}`,
      async () => {
        const r = await api.beginSignIn({ profileId, side });
        window.location.assign(r.beginSystemSignIn.url);
      },
      'Opening the sign-in page…',
    );
  const sched = new Map((data.data?.schedulerStatus.profiles ?? []).map((p) => [p.profileId, p]));
  return (
    <>
      <PageHeader
        title="Profiles"
        intro="A profile connects a CRM with a mailbox system and says what to sync, which way, and over which date window."
        actions={
          <>
            <Link class="btn btn-primary" href="/profiles/new">
              New profile
            </Link>
            <Button onClick={data.reload} busy={data.loading && !!data.data} busyLabel="Refreshing…">
              Refresh
            </Button>
          </>
        }
      />
      {props.only && (
        <p class="breadcrumb">
          <Link href="/profiles">All profiles</Link>
        </p>
      )}
      {signIn?.ok && <Notice kind="success">Signed in: the connection is stored (encrypted, never shown) and used from the next run.</Notice>}
      {signIn && !signIn.ok && (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">The sign-in did not complete</p>
          <p>{signIn.reason ? sentence(signIn.reason) : 'The provider did not say why.'}</p>
          <p class="alert-hint">Check the application's client id and secret in the profile's settings, then sign in again; a sign-in link is valid for 10 minutes.</p>
        </div>
      )}
      {data.loading && !data.data && <Loading label="Loading profiles…" />}
      <LoadError error={data.error} what="the profiles" onRetry={data.reload} />
      {data.data && props.only && profiles.length === 0 && (
        <EmptyState title="No such profile">
          <p>
            There is no profile “{props.only}”; it may have been deleted. <Link href="/profiles">See all profiles</Link>.
          </p>
        </EmptyState>
      )}
      <ErrorAlert error={cmd.error} title="The command did not run" />
      {cmd.done && <Notice kind="success">{cmd.done}</Notice>}
      {data.data && all.length === 0 && (
        <EmptyState title="No sync profiles yet">
          <p>Nothing is being synchronized. A profile names the CRM and the mailbox system and what to sync between them.</p>
          <p>
            <Link class="btn btn-primary" href="/profiles/new">
              Create a profile
            </Link>
          </p>
        </EmptyState>
      )}
      {profiles.map((p) => {
        const s = sched.get(p.id);
        return (
          <section class="card" key={p.id} aria-labelledby={`prof-${p.id}`}>
            <div class="card-head">
              <h2 id={`prof-${p.id}`}>
                {p.name} <span class="code-name inline">{p.id}</span>
                {s?.paused && <span class="badge badge-muted">paused</span>}
              </h2>
              <div class="card-actions">
                <Button
                  variant="primary"
                  busy={cmd.busy === `now:${p.id}`}
                  busyLabel="Queuing…"
                  onClick={() => cmd.run(`now:${p.id}`, () => api.syncNow({ profileId: p.id }), `Every user of “${p.name}” is queued to sync now.`, data.reload)}
                >
                  Sync now
                </Button>
                {s?.paused ? (
                  <Button busy={cmd.busy === `resume:${p.id}`} busyLabel="Resuming…" onClick={() => cmd.run(`resume:${p.id}`, () => api.resumeSync({ profileId: p.id }), `“${p.name}” syncs again.`, data.reload)}>
                    Resume
                  </Button>
                ) : (
                  <Button busy={cmd.busy === `pause:${p.id}`} busyLabel="Pausing…" onClick={() => cmd.run(`pause:${p.id}`, () => api.pauseSync({ profileId: p.id }), `“${p.name}” is paused; changes wait until you resume.`, data.reload)}>
                    Pause
                  </Button>
                )}
                {(['CRM', 'MAILBOX'] as const).map((side) => {
                  const sys = side === 'CRM' ? p.crm : p.mailbox;
                  const label = SIGN_IN[sys.type];
                  return (
                    label && (
                      <Button key={side} busy={cmd.busy === `signin:${p.id}:${side}`} busyLabel="Opening sign-in…" aria-label={`${label} (${sys.instance}) for ${p.name}`} onClick={() => startSignIn(p.id, side)}>
                        {label}
                      </Button>
                    )
                  );
                })}
                <Link class="btn btn-secondary" href={`/profiles/${encodeURIComponent(p.id)}/edit`} aria-label={`Edit ${p.name}`}>
                  Edit
                </Link>
                <Link class="btn btn-secondary" href={`/profiles/${encodeURIComponent(p.id)}/checks`} aria-label={`Checks of ${p.name}`}>
                  Checks
                </Link>
              </div>
            </div>
            <dl class="facts">
              <dt>CRM</dt>
              <dd>
                {p.crm.type} <span class="muted">({p.crm.instance})</span>
              </dd>
              <dt>Mailboxes</dt>
              <dd>
                {p.mailbox.type} <span class="muted">({p.mailbox.instance})</span>
              </dd>
              <dt>Syncs</dt>
              <dd>
                {p.directions.filter((d) => d.direction !== 'OFF').map((d) => `${KIND[d.kind] ?? d.kind} ${DIRECTION[d.direction] ?? d.direction}`).join(', ') ||
                  'nothing (every kind is off)'}
              </dd>
              <dt>Window</dt>
              <dd>
                {p.daysBack} days back, {p.daysAhead} days ahead
              </dd>
              <dt>Conflicts</dt>
              <dd>{POLICY[p.policy] ?? p.policy}</dd>
              <dt>Polling</dt>
              <dd>every {p.pollSeconds} s</dd>
              <dt>Users</dt>
              <dd>
                {p.users.length} linked{s ? `, ${s.running} syncing, ${s.queued} queued` : ''}
              </dd>
            </dl>
          </section>
        );
      })}
    </>
  );
}

/**
 * useLiveReload calls reload (at most once a second) whenever the scheduler
 * reports an event, over the syncStatus subscription; it returns the live state
 * so the screen can say whether its Refresh button is needed.
 */
export function useLiveReload(reload: () => void): { state: LiveState; detail: string } {
  const [live, setLive] = useState<{ state: LiveState; detail: string }>({ state: 'connecting', detail: '' });
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  useEffect(() => {
    if (typeof WebSocket === 'undefined') {
      setLive({ state: 'offline', detail: 'this browser has no websockets' });
      return;
    }
    let pending: number | null = null;
    let last = 0;
    const stop = subscribe<SyncStatusLiveSubscription>({
      query: SYNC_STATUS_LIVE,
      onData: (d) => {
        if (!d.syncStatus.event) return;
        const wait = Math.max(0, last + 1000 - Date.now());
        if (pending !== null) return;
        pending = window.setTimeout(() => {
          pending = null;
          last = Date.now();
          reloadRef.current();
        }, wait);
      },
      onState: (state, detail) => setLive({ state, detail: detail ?? '' }),
    });
    return () => {
      stop();
      if (pending !== null) window.clearTimeout(pending);
    };
  }, []);
  return live;
}

/** LiveNote says whether the screen updates by itself. */
export function LiveNote(props: { state: LiveState; detail: string }) {
  return (
    <p class={`live live-${props.state}`} role="status">
      <span class="live-dot" aria-hidden="true" />
      {props.state === 'live'
        ? 'Live: this list updates as users sync.'
        : props.state === 'connecting'
          ? 'Connecting for live updates…'
          : `Live updates are unavailable${props.detail ? ` (${props.detail})` : ''}; retrying in the background. Use Refresh to see the latest state.`}
    </p>
  );
}

/** UserFilter is the users grid's state filter. */
export type UserFilter = 'all' | 'problems' | 'errors' | 'paused' | 'syncing';

/** matchUser reports whether a user matches the grid's search text and state filter (errors: the user's summary names one). */
export function matchUser(u: User, query: string, show: UserFilter, summary?: Summary): boolean {
  const q = query.trim().toLowerCase();
  if (q && ![u.id, u.crm.name, u.crm.email, u.mailbox.email, u.mailbox.name].some((v) => (v ?? '').toLowerCase().includes(q))) return false;
  const s = u.status;
  switch (show) {
    case 'problems':
      return !!s && (!!s.lastError || s.breaker !== 'closed' || s.failures > 0);
    case 'errors':
      return hasErrors(summary) || !!s?.lastError;
    case 'paused':
      return !!s?.paused;
    case 'syncing':
      return !!s && (s.running || s.queued);
  }
  return true;
}

/** usersCSV writes the users grid (as filtered) as CSV, one user a line, with the summary's columns (users.ts). */
export function usersCSV(profiles: Array<{ id: string; users: User[] }>, summaries: Summaries = {}): string {
  return gridCSV(profiles, summaries, (u) => userStatus(u).text);
}

/** UsersScreen lists the linked users of every profile with their sync state. */
export function UsersScreen() {
  const { api } = useApp();
  const data = useAsync(() => api.syncProfiles());
  const live = useLiveReload(data.reload);
  const { summaries } = useUserSummaries(api, data.data?.syncProfiles ?? null, live.state);
  const cmd = useCommand();
  const profiles = data.data?.syncProfiles ?? [];
  const total = profiles.reduce((n, p) => n + p.users.length, 0);
  const [query, setQuery] = useState('');
  const [show, setShow] = useState<UserFilter>('all');
  const shown = profiles.map((p) => ({ ...p, users: p.users.filter((u) => matchUser(u, query, show, summaries[summaryKey(p.id, u.id)])) }));
  const shownCount = shown.reduce((n, p) => n + p.users.length, 0);
  return (
    <>
      <PageHeader
        title="Users"
        intro="Each linked user pairs a CRM account with a mailbox. Their state shows when they last synced and what went wrong."
        actions={
          <Button onClick={data.reload} busy={data.loading && !!data.data} busyLabel="Refreshing…">
            Refresh
          </Button>
        }
      />
      <LiveNote state={live.state} detail={live.detail} />
      {data.loading && !data.data && <Loading label="Loading users…" />}
      <LoadError error={data.error} what="the users" onRetry={data.reload} />
      {data.data && <ReinvitationAlerts />}
      <ErrorAlert error={cmd.error} title="The command did not run" />
      {cmd.done && <Notice kind="success">{cmd.done}</Notice>}
      {data.data && total === 0 && (
        <EmptyState title="No linked users yet">
          <p>{profiles.length === 0 ? 'There is no sync profile yet, so nobody can be linked.' : 'No CRM account is linked to a mailbox yet.'}</p>
          <ApiNote>
            Link users in the last steps of <Link href="/profiles/new">a new profile</Link>, or with the <code>linkUser</code> mutation of the GraphQL API.
          </ApiNote>
        </EmptyState>
      )}
      {total > 0 && (
        <div class="grid-tools" role="search" aria-label="Filter users">
          <div class="field">
            <label for="user-search">Search</label>
            <input id="user-search" type="search" value={query} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} placeholder="Name or e-mail" />
          </div>
          <div class="field">
            <label for="user-filter">Show</label>
            <select id="user-filter" value={show} onChange={(e) => setShow((e.currentTarget as HTMLSelectElement).value as UserFilter)}>
              <option value="all">All users</option>
              <option value="problems">Users with problems</option>
              <option value="errors">Users with errors</option>
              <option value="paused">Paused users</option>
              <option value="syncing">Syncing or queued</option>
            </select>
          </div>
          <a class="btn btn-secondary" download="synchronizer-users.csv" href={`data:text/csv;charset=utf-8,${encodeURIComponent(usersCSV(shown, summaries))}`}>
            Export as CSV
          </a>
          <p class="muted" role="status">
            {shownCount === total ? `${total} users` : `${shownCount} of ${total} users`}
          </p>
        </div>
      )}
      {shown
        .filter((p) => p.users.length > 0)
        .map((p) => (
          <section class="card" key={p.id} aria-labelledby={`users-${p.id}`}>
            <h2 id={`users-${p.id}`}>{p.name}</h2>
            <div class="table-wrap" tabIndex={0} role="region" aria-label={`Users of ${p.name}`}>
              <table class="users-grid">
                <thead>
                  <tr>
                    <th scope="col" class="col-user">User</th>
                    <th scope="col" class="col-accounts">CRM ⇄ mailbox</th>
                    <th scope="col" class="col-state">State</th>
                    <th scope="col" class="col-when">Last sync</th>
                    <th scope="col" class="col-items">Items</th>
                    <th scope="col" class="col-when">Next run</th>
                    <th scope="col" class="col-actions">
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {p.users.map((u) => {
                    const st = userStatus(u);
                    const key = `${p.id}/${u.id}`;
                    const sum = summaries[summaryKey(p.id, u.id)];
                    const fault = itemError(sum, u.status?.lastError);
                    const synced = lastSync(sum);
                    return (
                      <tr key={u.id} class={st.warn || fault ? 'row-warn' : undefined}>
                        <td>
                          <Link href={userPath(p.id, u.id)}>{u.crm.name || u.id}</Link>
                        </td>
                        <td>
                          {u.crm.email || '—'}
                          <br />
                          <span class="muted">⇄ {u.mailbox.email || '—'}</span>
                        </td>
                        <td>
                          <StateText tone={st.tone}>{st.text}</StateText>
                          {st.at && st.tone !== 'ok' && (
                            <>
                              <br />
                              <span class="muted">as of {formatTime(st.at)}</span>
                            </>
                          )}
                          {fault && (
                            <>
                              <br />
                              <Link href={userPath(p.id, u.id)} class="item-error">
                                {fault}
                              </Link>
                            </>
                          )}
                        </td>
                        <td class="when">
                          {formatTime(synced.at)}
                          {synced.note && (
                            <>
                              <br />
                              <span class="muted">{synced.note}</span>
                            </>
                          )}
                        </td>
                        <td class="items" title={itemsDetail(sum)}>
                          {itemsText(sum)
                            .split(' · ')
                            .flatMap((t, i) => [
                              i > 0 ? ' · ' : '',
                              <span class="item-count" key={t}>
                                {t}
                              </span>,
                            ])}
                          {sum && sum.quarantined > 0 && (
                            <>
                              <br />
                              <span class="muted">{sum.quarantined} quarantined</span>
                            </>
                          )}
                        </td>
                        <td class="when">{formatTime(u.status?.nextRun)}</td>
                        <td class="actions">
                          <Button
                            variant="ghost"
                            busy={cmd.busy === `now:${key}`}
                            busyLabel="Queuing…"
                            aria-label={`Sync now for ${u.crm.name || u.id}`}
                            onClick={() => cmd.run(`now:${key}`, () => api.syncNow({ profileId: p.id, userId: u.id }), `${u.crm.name || u.id} is queued to sync now.`, data.reload)}
                          >
                            Sync now
                          </Button>
                          {u.status?.paused ? (
                            <Button variant="ghost" busy={cmd.busy === `resume:${key}`} busyLabel="Resuming…" aria-label={`Resume ${u.crm.name || u.id}`} onClick={() => cmd.run(`resume:${key}`, () => api.resumeSync({ profileId: p.id, userId: u.id }), `${u.crm.name || u.id} syncs again.`, data.reload)}>
                              Resume
                            </Button>
                          ) : (
                            <Button variant="ghost" busy={cmd.busy === `pause:${key}`} busyLabel="Pausing…" aria-label={`Pause ${u.crm.name || u.id}`} onClick={() => cmd.run(`pause:${key}`, () => api.pauseSync({ profileId: p.id, userId: u.id }), `${u.crm.name || u.id} is paused.`, data.reload)}>
                              Pause
                            </Button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
        ))}
    </>
  );
}

/** parseValues reads a conflict's JSON object of field values; unreadable JSON gives null. */
export function parseValues(json: string | null | undefined): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const o = JSON.parse(json) as unknown;
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** showValue renders one field value for the side-by-side view. */
export function showValue(v: unknown): string {
  if (v === undefined || v === null || v === '') return '(empty)';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v, null, 1);
}

/** ConflictTable shows each conflicting field at the last sync, in the CRM and in the mailbox. */
function ConflictTable(props: { c: Conflict }) {
  const c = props.c;
  const cols = [
    { label: 'At the last sync', v: parseValues(c.base), raw: c.base },
    { label: 'In the CRM', v: parseValues(c.crm), raw: c.crm },
    { label: 'In the mailbox', v: parseValues(c.mailbox), raw: c.mailbox },
  ];
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={`Values of the conflict ${c.id}`}>
      <table class="compare">
        <thead>
          <tr>
            <th scope="col">Field</th>
            {cols.map((col) => (
              <th scope="col" key={col.label}>
                {col.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {c.fields.map((f) => (
            <tr key={f}>
              <th scope="row">{f}</th>
              {cols.map((col, i) => {
                const kept = (i === 1 && c.decision === 'CRM') || (i === 2 && c.decision === 'MAILBOX');
                return (
                  <td key={col.label} class={`wrap${kept ? ' kept' : ''}`}>
                    {col.v ? showValue(col.v[f]) : col.raw ? col.raw : '—'}
                    {kept && <span class="badge">kept</span>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** ConflictsScreen lists open conflicts and lets an admin choose the side to keep. */
export function ConflictsScreen() {
  const { api } = useApp();
  const data = useAsync(() => api.syncConflicts({ openOnly: true }));
  const nameOf = useUserNames();
  const [resolving, setResolving] = useState<{ c: Conflict; side: 'CRM' | 'MAILBOX' } | null>(null);
  const [notice, setNotice] = useState('');
  const conflicts = data.data?.syncConflicts ?? [];
  return (
    <>
      <PageHeader
        title="Conflicts"
        intro="A conflict is a field changed differently on both sides since the last sync. The profile's policy already chose a side; here you can confirm it or choose the other."
        actions={
          <Button onClick={data.reload} busy={data.loading && !!data.data} busyLabel="Refreshing…">
            Refresh
          </Button>
        }
      />
      {data.loading && !data.data && <Loading label="Loading conflicts…" />}
      <LoadError error={data.error} what="the conflicts" onRetry={data.reload} />
      {notice && <Notice kind="success">{notice}</Notice>}
      {data.data && conflicts.length === 0 && (
        <EmptyState title="No open conflicts">
          <p>Every change so far could be merged field by field, or there has been no sync yet.</p>
        </EmptyState>
      )}
      {conflicts.map((c) => (
        <section class="card" key={c.id} aria-labelledby={`conf-${c.id}`}>
          <div class="card-head">
            <h2 id={`conf-${c.id}`}>
              {KIND[c.kind] ?? c.kind} of <Link href={userPath(c.profileId, c.userId)}>{nameOf(c.profileId, c.userId)}</Link>{' '}
              <span class="code-name inline">
                {c.profileId}/{c.userId}
              </span>
            </h2>
            <div class="card-actions">
              <Button onClick={() => setResolving({ c, side: c.decision === 'CRM' ? 'CRM' : 'MAILBOX' })}>Accept the policy</Button>
              <Button onClick={() => setResolving({ c, side: 'CRM' })}>Keep the CRM's values</Button>
              <Button onClick={() => setResolving({ c, side: 'MAILBOX' })}>Keep the mailbox's values</Button>
            </div>
          </div>
          <ConflictTable c={c} />
          <dl class="facts">
            <dt>Found</dt>
            <dd>{formatTime(c.at)}</dd>
            <dt>Items</dt>
            <dd>
              CRM <span class="code-name inline">{c.crmItemId}</span>, mailbox <span class="code-name inline">{c.mailboxItemId}</span>
            </dd>
            <dt>Policy kept</dt>
            <dd>
              {c.decision === 'CRM' ? 'the CRM' : 'the mailbox'} ({POLICY[c.policy] ?? c.policy}); the other side already has these values
            </dd>
          </dl>
        </section>
      ))}
      <ConfirmDialog
        open={resolving !== null}
        title={resolving?.side === 'CRM' ? "Keep the CRM's values?" : "Keep the mailbox's values?"}
        confirmLabel="Resolve conflict"
        busyLabel="Resolving…"
        onClose={() => setResolving(null)}
        onConfirm={async () => {
          if (!resolving) return;
          await api.resolveConflict({ id: resolving.c.id, choice: resolving.side });
          setNotice(`Conflict resolved: both copies now have the ${resolving.side === 'CRM' ? "CRM's" : "mailbox's"} values of ${resolving.c.fields.join(', ')}.`);
          data.reload();
        }}
      >
        <p>
          Both copies get the {resolving?.side === 'CRM' ? "CRM's" : "mailbox's"} values of {resolving?.c.fields.join(', ')}. The change
          is journaled and can be undone from the run it creates.
        </p>
      </ConfirmDialog>
    </>
  );
}

/** ApprovalsScreen lists runs stopped by the mass-change guard and approves or rejects them. */
export function ApprovalsScreen() {
  const { api } = useApp();
  const data = useAsync(() => api.pendingApprovals());
  const nameOf = useUserNames();
  const [acting, setActing] = useState<{ run: Run; approve: boolean } | null>(null);
  const [notice, setNotice] = useState('');
  const runs = data.data?.pendingApprovals ?? [];
  return (
    <>
      <PageHeader
        title="Approvals"
        intro="A run that would delete or create more items than its profile allows stops here. Nothing was written; it waits for you."
        actions={
          <Button onClick={data.reload} busy={data.loading && !!data.data} busyLabel="Refreshing…">
            Refresh
          </Button>
        }
      />
      {data.loading && !data.data && <Loading label="Loading approvals…" />}
      <LoadError error={data.error} what="the approvals" onRetry={data.reload} />
      {notice && <Notice kind="success">{notice}</Notice>}
      {data.data && runs.length === 0 && (
        <EmptyState title="Nothing waits for approval">
          <p>No run has gone over its mass-change limits.</p>
        </EmptyState>
      )}
      {runs.map((r) => (
        <section class="card" key={r.id} aria-labelledby={`run-${r.id}`}>
          <div class="card-head">
            <h2 id={`run-${r.id}`}>
              {KIND[r.kind] ?? r.kind} of <Link href={userPath(r.profileId, r.userId)}>{nameOf(r.profileId, r.userId)}</Link>{' '}
              <span class="code-name inline">
                {r.profileId}/{r.userId}
              </span>
            </h2>
            <div class="card-actions">
              <Button variant="primary" onClick={() => setActing({ run: r, approve: true })}>
                Approve…
              </Button>
              <Button onClick={() => setActing({ run: r, approve: false })}>Reject…</Button>
            </div>
          </div>
          <p>
            Stopped {formatTime(r.start)} by the limit <strong>{r.guard || 'mass-change guard'}</strong>: it would create {plannedCount(r.planned, 'create')}, update{' '}
            {plannedCount(r.planned, 'update')} and delete {plannedCount(r.planned, 'delete')} of {r.counts.listed} items.
          </p>
          {r.planned.length > 0 && (
            <details>
              <summary>Show the {r.planned.length} planned changes</summary>
              <div class="table-wrap" tabIndex={0} role="region" aria-label={`Planned changes of run ${r.id}`}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Action</th>
                      <th scope="col">Side</th>
                      <th scope="col">Item</th>
                      <th scope="col">Why</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.planned.map((op, i) => (
                      <tr key={i}>
                        <td>{op.action}</td>
                        <td>{op.side === 'CRM' ? 'CRM' : 'mailbox'}</td>
                        <td>{op.title || op.linkId}</td>
                        <td>{op.reason || '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          )}
        </section>
      ))}
      <ConfirmDialog
        open={acting !== null}
        title={acting?.approve ? 'Approve this run?' : 'Reject this run?'}
        confirmLabel={acting?.approve ? 'Approve and run' : 'Reject'}
        busyLabel={acting?.approve ? 'Approving…' : 'Rejecting…'}
        onClose={() => setActing(null)}
        onConfirm={async () => {
          if (!acting) return;
          if (acting.approve) {
            await api.approveRun({ id: acting.run.id });
            setNotice('Approved: the run starts again now and applies the changes you saw. New deletes or creates would stop it again.');
          } else {
            await api.rejectRun({ id: acting.run.id });
            setNotice('Rejected: nothing was written. The next run plans again from the current state.');
          }
          data.reload();
        }}
      >
        {acting?.approve ? (
          <p>
            The run starts again at once and may create {acting.run.counts.created} and delete {acting.run.counts.deleted} items. Every
            change is journaled and the run can be undone.
          </p>
        ) : (
          <p>Nothing is written. The next scheduled run plans again, and stops again if it still goes over the limits.</p>
        )}
      </ConfirmDialog>
    </>
  );
}

function Budget(props: { s: GovernorQuery['governorStatus'][number] }) {
  const s = props.s;
  if (s.requests === 0) return <>unlimited</>;
  return (
    <>
      {s.budgetLeft} of {s.requests} per {s.perSeconds} s
    </>
  );
}

/** GovernorScreen shows the scheduler's and the governor's live state. */
export function GovernorScreen() {
  const { api } = useApp();
  const data = useAsync(() => api.governor());
  const sched = data.data?.schedulerStatus;
  const scopes = data.data?.governorStatus ?? [];
  return (
    <>
      <PageHeader
        title="Governor"
        intro="Every call to a remote system passes the governor: it keeps within each system's concurrency and request limits and backs off when asked."
        actions={
          <Button onClick={data.reload} busy={data.loading && !!data.data} busyLabel="Refreshing…">
            Refresh
          </Button>
        }
      />
      {data.loading && !data.data && <Loading label="Loading the governor's state…" />}
      <LoadError error={data.error} what="the governor's state" onRetry={data.reload} />
      {data.data && <GovernorHistoryPanel scopes={scopes.map((s) => s.scope)} />}
      {sched && (
        <section class="card" aria-labelledby="sched-h">
          <h2 id="sched-h">Scheduler</h2>
          <dl class="facts">
            <dt>State</dt>
            <dd>{sched.stopping ? 'stopping' : sched.started ? 'running' : 'not started'}</dd>
            <dt>Workers</dt>
            <dd>{sched.workers}</dd>
            <dt>Queued jobs</dt>
            <dd>{sched.queueDepth}</dd>
            <dt>Running jobs</dt>
            <dd>
              {sched.running.length === 0
                ? 'none'
                : sched.running.map((j) => `${j.profileId}/${j.userId} ${KIND[j.kind] ?? j.kind} (${j.trigger})`).join(', ')}
            </dd>
            <dt>Housekeeping</dt>
            <dd>{sched.housekeeping.hour < 0 ? 'off' : `daily at ${sched.housekeeping.hour}:00, next ${formatTime(sched.housekeeping.nextRun)}`}</dd>
            <dt>Snapshot</dt>
            <dd>{formatTime(sched.at)}</dd>
          </dl>
          {sched.systems.some((b) => b.state !== 'closed') && (
            <div class="alert alert-warning" role="status">
              <p class="alert-title">Paused after errors</p>
              <ul>
                {sched.systems
                  .filter((b) => b.state !== 'closed')
                  .map((b) => (
                    <li key={b.system}>
                      {b.system}: {b.state} after {b.failures} failures{b.until ? `, retried ${formatTime(b.until)}` : ''}
                    </li>
                  ))}
              </ul>
            </div>
          )}
        </section>
      )}
      {data.data && (
        <section class="card" aria-labelledby="gov-h">
          <h2 id="gov-h">Limits per system</h2>
          {scopes.length === 0 ? (
            <p>No remote system has been called yet, so there are no limits in use.</p>
          ) : (
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Limits per system">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Scope</th>
                    <th scope="col">In flight</th>
                    <th scope="col">Waiting</th>
                    <th scope="col">Request budget</th>
                    <th scope="col">Avg. latency</th>
                    <th scope="col">Throttled</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {scopes.map((s) => (
                    <tr key={s.scope} class={s.backingOffUntil || s.slowedDown ? 'row-warn' : undefined}>
                      <td>
                        {s.system} {s.kind} <span class="code-name">{s.key}</span>
                      </td>
                      <td>
                        {s.inFlight} / {s.maxInFlight === 0 ? '∞' : s.effectiveInFlight}
                      </td>
                      <td>{s.waiting}</td>
                      <td>
                        <Budget s={s} />
                      </td>
                      <td>{Math.round(s.avgLatencyMs)} ms</td>
                      <td>
                        {s.recentThrottles} recent, {s.throttled} total
                      </td>
                      <td>
                        {s.backingOffUntil
                          ? `backing off until ${formatTime(s.backingOffUntil)}`
                          : s.slowedDown
                            ? 'slowed down (high latency)'
                            : 'normal'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </>
  );
}
