// A linked user's page: their state and commands, their runs with the writes each
// applied (and undo), the trace ("why is this item not synced?") and the items
// quarantined for them (with release).

import { useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { asApiError } from '../api/client';
import { Button, ConfirmDialog, CopyButton, EmptyState, ErrorAlert, Link, Loading, Notice, OnThisPage, PageHeader, useAsync } from '../components';
import { useApp } from '../context';
import { formatTime, sentence } from '../format';
import type { SyncQuarantineQuery, SyncTraceQuery, UserRunsQuery } from '../gql/graphql';
import { UserPreview } from './preview';
import { KIND, LoadError, StateText, useCommand, userStatus } from './sync';
import { UserReinvitation } from './ops';


type Run = UserRunsQuery['syncRuns'][number];
type Trace = SyncTraceQuery['syncTrace'][number];
type Quarantined = SyncQuarantineQuery['syncQuarantine'][number];

/** PAGE is how many runs one page shows. */
const PAGE = 20;

const STATUS: Record<string, string> = {
  RUNNING: 'running',
  OK: 'ok',
  FAILED: 'failed',
  PARTIAL: 'partly done',
  NEEDS_APPROVAL: 'waits for approval',
  REJECTED: 'rejected',
  APPROVED: 'approved',
};

function side(s: string): string {
  return s === 'CRM' ? 'CRM' : 'mailbox';
}

/** runSummary says in words what a run did. */
export function runSummary(r: Pick<Run, 'counts'>): string {
  const c = r.counts;
  const parts = [
    c.created && `${c.created} created`,
    c.updated && `${c.updated} updated`,
    c.deleted && `${c.deleted} deleted`,
    c.conflicts && `${c.conflicts} ${c.conflicts === 1 ? 'conflict' : 'conflicts'}`,
    c.quarantined && `${c.quarantined} quarantined`,
    c.errors && `${c.errors} ${c.errors === 1 ? 'error' : 'errors'}`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : `no changes (${c.listed} items checked)`;
}

/** UserScreen is the page of one linked user. */
export function UserScreen(props: { profileId: string; userId: string }) {
  const { api } = useApp();
  const { profileId, userId } = props;
  const profiles = useAsync(() => api.syncProfiles(), [profileId, userId]);
  const cmd = useCommand();
  const profile = profiles.data?.syncProfiles.find((p) => p.id === profileId);
  const user = profile?.users.find((u) => u.id === userId);
  const name = user?.crm.name || userId;
  const st = user ? userStatus(user) : null;
  return (
    <>
      <p class="breadcrumb">
        <Link href="/users">Users</Link> <span aria-hidden="true">›</span> {profile?.name ?? profileId}
      </p>
      <PageHeader
        title={name}
        intro={user ? `${user.crm.email || 'no CRM e-mail'} ⇄ ${user.mailbox.email || 'no mailbox e-mail'}` : undefined}
        actions={
          user && (
            <>
              <Button
                variant="primary"
                busy={cmd.busy === 'now'}
                busyLabel="Queuing…"
                onClick={() => cmd.run('now', () => api.syncNow({ profileId, userId }), `${name} is queued to sync now.`, profiles.reload)}
              >
                Sync now
              </Button>
              {user.status?.paused ? (
                <Button busy={cmd.busy === 'resume'} busyLabel="Resuming…" onClick={() => cmd.run('resume', () => api.resumeSync({ profileId, userId }), `${name} syncs again.`, profiles.reload)}>
                  Resume
                </Button>
              ) : (
                <Button busy={cmd.busy === 'pause'} busyLabel="Pausing…" onClick={() => cmd.run('pause', () => api.pauseSync({ profileId, userId }), `${name} is paused; changes wait until you resume.`, profiles.reload)}>
                  Pause
                </Button>
              )}
            </>
          )
        }
      />
      {profiles.loading && !profiles.data && <Loading label="Loading the user…" />}
      <LoadError error={profiles.error} what="the user" onRetry={profiles.reload} />
      <ErrorAlert error={cmd.error} title="The command did not run" />
      {cmd.done && <Notice kind="success">{cmd.done}</Notice>}
      {profiles.data && !user && (
        <EmptyState title="No such linked user">
          <p>
            There is no user “{userId}” in the profile “{profileId}”. They may have been unlinked. <Link href="/users">See all users</Link>.
          </p>
        </EmptyState>
      )}
      {user && (
        <OnThisPage
          sections={[
            { id: 'runs-h', label: 'Runs' },
            { id: 'preview-h', label: 'Preview' },
            { id: 'trace-h', label: 'Why is this item not synced?' },
            { id: 'quar-h', label: 'Quarantined items' },
            { id: 'invite-h', label: 'Portal invitation' },
          ]}
        />
      )}
      {user && st && (
        <section class="card" aria-labelledby="state-h">
          <h2 id="state-h">State</h2>
          <dl class="facts">
            <dt>Now</dt>
            <dd>
              <StateText tone={st.tone}>{st.text}</StateText>
              {st.at ? <span class="muted"> (as of {formatTime(st.at)})</span> : ''}
            </dd>
            <dt>Last run</dt>
            <dd>{formatTime(user.status?.lastRun)}</dd>
            <dt>Next run</dt>
            <dd>{formatTime(user.status?.nextRun)}</dd>
            {user.status?.lastError && (
              <>
                <dt>Last error</dt>
                <dd class="wrap">
                  {sentence(user.status.lastError)} <span class="muted">({formatTime(user.status.lastErrorAt)})</span>
                </dd>
              </>
            )}
          </dl>
        </section>
      )}
      {user && <Runs profileId={profileId} userId={userId} />}
      {user && <UserPreview profileId={profileId} userId={userId} />}
      {user && <TraceSearch profileId={profileId} userId={userId} />}
      {user && <QuarantineList profileId={profileId} userId={userId} />}
      {user && profile && profile.mailbox.type === 'msgraph' && <UserReinvitation profileId={profileId} userId={userId} />}
      {user && profile && <Invitation profileId={profileId} userId={userId} email={user.mailbox.email} />}
    </>
  );
}

/**
 * Invitation gives the user their durable portal invitation link (7 days,
 * one-time; a newer one replaces it): e-mailed (inviteMailboxUser) or shown
 * here to hand over another way (createPortalInvitation). From the portal the
 * user sees their own sync and authorizes their own mailbox.
 */
function Invitation(props: { profileId: string; userId: string; email: string }) {
  const { api } = useApp();
  const [busy, setBusy] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<{ sent: boolean; message: string } | null>(null);
  const [link, setLink] = useState<{ link: string; expiresAt: string } | null>(null);
  const send = async () => {
    setBusy('mail');
    setError(null);
    setResult(null);
    setLink(null);
    try {
      const r = await api.inviteMailboxUser({ profileId: props.profileId, userId: props.userId });
      setResult(r.inviteMailboxUser);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy('');
    }
  };
  const create = async () => {
    setBusy('link');
    setError(null);
    setResult(null);
    try {
      const r = await api.createPortalInvitation({ profileId: props.profileId, userId: props.userId });
      setLink(r.createPortalInvitation);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy('');
    }
  };
  return (
    <section class="card" aria-labelledby="invite-h">
      <h2 id="invite-h">Portal invitation</h2>
      <p>
        The user's own portal shows them how their sync is doing and lets them authorize their mailbox themselves. An invitation link signs{' '}
        {props.email ? <strong>{props.email}</strong> : 'the user'} in once, without a password, and is valid for 7 days; a new invitation replaces
        the previous one. E-mailing it uses the settings under <Link href="/settings">Settings</Link>.
      </p>
      {result && <Notice kind={result.sent ? 'success' : 'warning'}>{result.message}</Notice>}
      {link && (
        <div class="alert alert-success" role="status">
          <p class="alert-title">Invitation link (shown once, valid until {formatTime(link.expiresAt)})</p>
          <p>
            <code class="wrap" data-testid="portal-invitation-link">{link.link}</code>
          </p>
          <CopyButton text={link.link} label="Copy the link" />
        </div>
      )}
      <ErrorAlert error={error} title="No invitation was made" />
      <div class="card-actions">
        <Button busy={busy === 'mail'} busyLabel="Sending the invitation…" onClick={send} disabled={busy !== ''}>
          E-mail a sign-in invitation
        </Button>
        <Button busy={busy === 'link'} busyLabel="Creating the link…" onClick={create} disabled={busy !== ''}>
          Create an invitation link
        </Button>
      </div>
    </section>
  );
}

function Runs(props: { profileId: string; userId: string }) {
  const { api } = useApp();
  const [runs, setRuns] = useState<Run[]>([]);
  const [more, setMore] = useState(false);
  const [older, setOlder] = useState(false);
  const [olderError, setOlderError] = useState<ApiError | null>(null);
  const first = useAsync(async () => {
    const d = await api.userRuns({ profileId: props.profileId, userId: props.userId, first: PAGE });
    setRuns(d.syncRuns);
    setMore(d.syncRuns.length === PAGE);
    return d;
  }, [props.profileId, props.userId]);
  const [undoing, setUndoing] = useState<Run | null>(null);
  const [notice, setNotice] = useState('');
  const loadOlder = async () => {
    const last = runs.at(-1);
    if (!last) return;
    setOlder(true);
    setOlderError(null);
    try {
      const d = await api.userRuns({ profileId: props.profileId, userId: props.userId, first: PAGE, before: last.id });
      setRuns([...runs, ...d.syncRuns]);
      setMore(d.syncRuns.length === PAGE);
    } catch (err) {
      setOlderError(asApiError(err));
    } finally {
      setOlder(false);
    }
  };
  return (
    <section class="card" aria-labelledby="runs-h">
      <div class="card-head">
        <h2 id="runs-h">Runs</h2>
        <div class="card-actions">
          <Button onClick={first.reload} busy={first.loading && !!first.data} busyLabel="Refreshing…">
            Refresh runs
          </Button>
        </div>
      </div>
      {first.loading && !first.data && <Loading label="Loading runs…" />}
      <LoadError error={first.error} what="the runs" onRetry={first.reload} />
      {notice && <Notice kind="success">{notice}</Notice>}
      {first.data && runs.length === 0 && <p>No run yet: the first one starts soon after the user is linked.</p>}
      {runs.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Runs of this user">
          <table class="runs">
            <thead>
              <tr>
                <th scope="col" class="col-when">Started</th>
                <th scope="col" class="col-kind">Kind</th>
                <th scope="col" class="col-why">Why</th>
                <th scope="col" class="col-outcome">Outcome</th>
                <th scope="col">What it did</th>
                <th scope="col" class="col-actions">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} class={r.status === 'FAILED' || r.status === 'PARTIAL' ? 'row-warn' : undefined}>
                  <td class="when">{formatTime(r.start)}</td>
                  <td>{KIND[r.kind] ?? r.kind}</td>
                  <td>{r.trigger}</td>
                  <td>
                    {STATUS[r.status] ?? r.status}
                    {r.error && <div class="wrap muted">{sentence(r.error)}</div>}
                    {r.undoneBy && <div class="muted">undone</div>}
                    {r.undoOf && <div class="muted">an undo</div>}
                  </td>
                  <td>
                    {runSummary(r)}
                    {r.operations.length > 0 && (
                      <details>
                        <summary>
                          {r.operations.length} {r.operations.length === 1 ? 'write' : 'writes'}
                          <span class="sr-only"> of the run started {formatTime(r.start)}</span>
                        </summary>
                        <ol class="ops">
                          {r.operations.map((op) => (
                            <li key={op.seq}>
                              {op.action} in the {side(op.side)} <span class="code-name inline">{op.itemId}</span>
                            </li>
                          ))}
                        </ol>
                      </details>
                    )}
                  </td>
                  <td class="actions">
                    {r.operations.length > 0 && !r.undoneBy && r.status !== 'RUNNING' && (
                      <Button variant="ghost" aria-label={`Undo the run started ${formatTime(r.start)}`} onClick={() => setUndoing(r)}>
                        Undo…
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorAlert error={olderError} title="Could not load older runs" onRetry={loadOlder} />
      {more && (
        <p>
          <Button onClick={loadOlder} busy={older} busyLabel="Loading older runs…">
            Show older runs
          </Button>
        </p>
      )}
      <ConfirmDialog
        open={undoing !== null}
        title="Undo this run?"
        confirmLabel="Undo run"
        busyLabel="Undoing…"
        onClose={() => setUndoing(null)}
        onConfirm={async () => {
          if (!undoing) return;
          const res = await api.undoRun({ id: undoing.id });
          const u = res.undoSyncRun;
          setNotice(
            u.status === 'PARTIAL'
              ? 'Undone in part: items changed since that run were left alone. The undo run is listed first.'
              : 'Undone: every write of that run was reversed. The undo run is listed first and can itself be undone.',
          );
          first.reload();
        }}
      >
        <p>
          The {undoing?.operations.length} writes of the run started {formatTime(undoing?.start)} are reversed, newest first. Items changed
          since then are left alone.
        </p>
      </ConfirmDialog>
    </section>
  );
}

const DECISION: Record<string, string> = {
  created: 'copied (created)',
  updated: 'copied (updated)',
  deleted: 'deleted',
  unchanged: 'unchanged',
  echo: 'our own change coming back',
  'outside-window': 'outside the date window',
  filtered: 'left out by a filter',
  policy: 'decided by the conflict policy',
  conflict: 'conflict',
  guard: 'held by the mass-change guard',
  error: 'error',
  quarantined: 'quarantined',
  'direction-off': 'direction is off',
  linked: 'linked',
};

function TraceSearch(props: { profileId: string; userId: string }) {
  const { api } = useApp();
  const [item, setItem] = useState('');
  const [searched, setSearched] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [fieldError, setFieldError] = useState('');
  const [entries, setEntries] = useState<Trace[] | null>(null);
  const search = async (e: Event) => {
    e.preventDefault();
    const id = item.trim();
    if (!id) {
      setFieldError('Enter the id of the item, as the CRM or the mailbox shows it.');
      return;
    }
    setFieldError('');
    setBusy(true);
    setError(null);
    try {
      const d = await api.trace({ itemId: id });
      setEntries(d.syncTrace);
      setSearched(id);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  const mine = entries?.filter((t) => t.userId === props.userId && t.profileId === props.profileId) ?? [];
  const others = (entries?.length ?? 0) - mine.length;
  return (
    <section class="card" aria-labelledby="trace-h">
      <h2 id="trace-h">Why is this item not synced?</h2>
      <p class="muted">Give the item's id on either side (an appointment id in the CRM, an event id in the mailbox) to see every decision the engine made about it.</p>
      <form class="trace-form" onSubmit={search} noValidate>
        <div class={`field${fieldError ? ' field-invalid' : ''}`}>
          <label for="trace-item">Item id</label>
          <input
            id="trace-item"
            value={item}
            onInput={(e) => setItem((e.target as HTMLInputElement).value)}
            aria-invalid={fieldError ? 'true' : undefined}
            aria-describedby={fieldError ? 'trace-item-error' : undefined}
            autocomplete="off"
            spellcheck={false}
          />
          {fieldError && (
            <p class="field-error" id="trace-item-error">
              {fieldError}
            </p>
          )}
        </div>
        <div class="form-actions">
          <Button type="submit" busy={busy} busyLabel="Searching…">
            Show decisions
          </Button>
        </div>
      </form>
      <ErrorAlert error={error} title="Could not load the trace" />
      {entries && mine.length === 0 && (
        <p role="status">
          No decision about “{searched}” for this user.{' '}
          {others > 0
            ? `${others} decisions concern other users: check the id belongs to this user.`
            : 'The engine has not seen it: check the id, and that the item lies within the profile’s date window and a synced kind.'}
        </p>
      )}
      {mine.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={`Decisions about ${searched}`}>
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Side</th>
                <th scope="col">Decision</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {mine.map((t, i) => (
                <tr key={i} class={t.decision === 'error' || t.decision === 'quarantined' ? 'row-warn' : undefined}>
                  <td class="when">{formatTime(t.at)}</td>
                  <td>{side(t.side)}</td>
                  <td>{DECISION[t.decision] ?? t.decision}</td>
                  <td class="wrap">{t.reason ? sentence(t.reason) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function QuarantineList(props: { profileId: string; userId: string }) {
  const { api } = useApp();
  const data = useAsync(() => api.quarantine({ profileId: props.profileId }), [props.profileId]);
  const cmd = useCommand();
  const items: Quarantined[] = (data.data?.syncQuarantine ?? []).filter((q) => q.userId === props.userId);
  return (
    <section class="card" aria-labelledby="quar-h">
      <h2 id="quar-h">Quarantined items</h2>
      <p class="muted">Items the engine could not read or write. They are skipped until they change; release one after fixing it to have it read again.</p>
      {data.loading && !data.data && <Loading label="Loading quarantined items…" />}
      <LoadError error={data.error} what="the quarantined items" onRetry={data.reload} />
      <ErrorAlert error={cmd.error} title="The item was not released" />
      {cmd.done && <Notice kind="success">{cmd.done}</Notice>}
      {data.data && items.length === 0 && <p>None: every item of this user could be synced.</p>}
      {items.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Quarantined items of this user">
          <table>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Field</th>
                <th scope="col">Reason</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((q) => {
                const key = `${q.side}/${q.itemId}`;
                return (
                  <tr key={key}>
                    <td>
                      {KIND[q.kind] ?? q.kind} in the {side(q.side)} <span class="code-name">{q.itemId}</span>
                    </td>
                    <td>{q.field || '—'}</td>
                    <td class="wrap">{sentence(q.reason)}</td>
                    <td class="when">{formatTime(q.at)}</td>
                    <td class="actions">
                      <Button
                        variant="ghost"
                        busy={cmd.busy === key}
                        busyLabel="Releasing…"
                        aria-label={`Release ${q.itemId}`}
                        onClick={() =>
                          cmd.run(
                            key,
                            () => api.releaseQuarantine({ input: { profileId: q.profileId, userId: q.userId, kind: q.kind, side: q.side, itemId: q.itemId } }),
                            `Released ${q.itemId}: the next run reads it again.`,
                            data.reload,
                          )
                        }
                      >
                        Release
                      </Button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
