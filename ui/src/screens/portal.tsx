// The user portal: what a signed-in user-role account sees of its own linked
// mailboxes (myLinks) — state and what to do next, recent runs with their errors,
// items that cannot be synced — and what it may do: authorize its own mailbox,
// sync now, and set preferences within what the administrator allows. Also the
// page of a portal invitation link (/invite/<token>).

import { useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { asApiError } from '../api/client';
import { Button, EmptyState, ErrorAlert, Loading, Notice, PageHeader, splitError, useAsync, type FieldErrors } from '../components';
import { useApp } from '../context';
import { formatTime, sentence } from '../format';
import { navigate } from '../nav';
import { LOCKED, portalSignInMessage, portalState, prefsFromLink, prefsInput, type PortalLink, type PrefsForm } from '../portal';
import { KIND, LoadError } from './sync';

const DIRECTION: Record<string, string> = {
  TWO_WAY: 'Both ways',
  CRM_TO_MAILBOX: 'CRM → mailbox only',
  MAILBOX_TO_CRM: 'Mailbox → CRM only',
  OFF: 'Off',
};
const FILTERS: Array<[keyof NonNullable<PrefsForm['filters']>, string]> = [
  ['skipPrivate', 'Leave out private items'],
  ['skipAllDay', 'Leave out all-day items'],
  ['skipFree', 'Leave out items shown as free'],
  ['skipRecurring', 'Leave out recurring series'],
];
const RUN_STATUS: Record<string, string> = {
  OK: 'Done',
  FAILED: 'Failed',
  PARTIAL: 'Partly done',
  RUNNING: 'Running',
  NEEDS_APPROVAL: 'Waiting for your administrator',
  REJECTED: 'Rejected by your administrator',
  APPROVED: 'Approved',
};

/** PortalScreen lists the viewer's linked mailboxes. */
export function PortalScreen() {
  const { api } = useApp();
  const links = useAsync(() => api.myLinks(), []);
  const outcome = portalSignInMessage(window.location.search);
  return (
    <>
      <PageHeader title="Your sync" intro="How the sync of your CRM and your mailbox is doing, and what you can do about it." />
      {outcome && <Notice kind={outcome.ok ? 'success' : 'warning'}>{outcome.text}</Notice>}
      {links.loading && !links.data && <Loading label="Loading your sync…" />}
      <LoadError error={links.error} what="your sync" onRetry={links.reload} />
      {links.data && links.data.myLinks.length === 0 && (
        <EmptyState title="No mailbox is linked to your account">
          <p>Your administrator has not linked your CRM user to a mailbox yet, or has removed the link. Ask them to link you; then open the invitation they send.</p>
        </EmptyState>
      )}
      {links.data?.myLinks.map((l) => <LinkCard key={`${l.profileId}/${l.userId}`} link={l} onChange={links.reload} />)}
    </>
  );
}

function LinkCard(props: { link: PortalLink; onChange: () => void }) {
  const { api } = useApp();
  const l = props.link;
  const st = portalState(l);
  const [busy, setBusy] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState('');
  const hid = `link-${l.profileId}-${l.userId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const authorize = async () => {
    setBusy('auth');
    setError(null);
    try {
      const r = await api.beginMyMailboxSignIn({ profileId: l.profileId });
      window.location.assign(r.beginMyMailboxSignIn.url);
    } catch (err) {
      setError(asApiError(err));
      setBusy('');
    }
  };
  const syncNow = async () => {
    setBusy('sync');
    setError(null);
    setDone('');
    try {
      await api.syncMyMailboxNow({ profileId: l.profileId });
      setDone('Your sync is queued and starts in a moment.');
      props.onChange();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy('');
    }
  };
  return (
    <section class="card" aria-labelledby={hid}>
      <h2 id={hid}>{l.profileName}</h2>
      <dl class="facts">
        <dt>CRM</dt>
        <dd>{l.crm.name || l.crm.email || l.crm.id}</dd>
        <dt>Mailbox</dt>
        <dd>{l.mailbox.email || l.mailbox.id}</dd>
        <dt>State</dt>
        <dd>
          <span class={`state tone-${st.tone}`}>
            <span class="state-dot" aria-hidden="true" />
            <strong>{st.title}</strong>
          </span>
          {l.status?.lastOk && st.tone === 'ok' ? ` (last success ${formatTime(l.status.lastOk)})` : ''}
        </dd>
        {(l.status?.breakerReason || l.status?.lastError) && (
          <>
            <dt>Error</dt>
            <dd class="wrap">
              {sentence(l.status?.lastError || l.status?.breakerReason || '')}{' '}
              {l.status?.lastErrorAt && <span class="muted">({formatTime(l.status.lastErrorAt)})</span>}
            </dd>
          </>
        )}
        {st.next && (
          <>
            <dt>What to do</dt>
            <dd>{st.next}</dd>
          </>
        )}
        {l.status?.nextRun && (
          <>
            <dt>Next sync</dt>
            <dd>{formatTime(l.status.nextRun)}</dd>
          </>
        )}
        {l.openConflicts > 0 && (
          <>
            <dt>Conflicts</dt>
            <dd>
              {l.openConflicts} item{l.openConflicts === 1 ? ' was' : 's were'} changed in both places; your administrator reviews them.
            </dd>
          </>
        )}
      </dl>
      <ErrorAlert error={error} title="That did not work" />
      {done && <Notice kind="success">{done}</Notice>}
      <div class="card-actions portal-actions">
        {l.mailboxSignIn && (
          <Button variant={l.mailboxAuthorized ? 'secondary' : 'primary'} busy={busy === 'auth'} busyLabel="Opening Microsoft sign-in…" onClick={authorize}>
            {l.mailboxAuthorized ? 'Authorize my mailbox again' : 'Authorize my mailbox'}
          </Button>
        )}
        <Button busy={busy === 'sync'} busyLabel="Queuing…" onClick={syncNow}>
          Sync now
        </Button>
      </div>
      <Runs link={l} id={hid} />
      <Quarantine link={l} id={hid} />
      <Preferences link={l} id={hid} onSaved={props.onChange} />
    </section>
  );
}

function Runs(props: { link: PortalLink; id: string }) {
  const runs = props.link.recentRuns;
  return (
    <>
      <h3 id={`${props.id}-runs`}>Recent syncs</h3>
      {runs.length === 0 ? (
        <p class="muted">No sync has run yet.</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby={`${props.id}-runs`}>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">What</th>
                <th scope="col">Outcome</th>
                <th scope="col">Changes</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <td>{formatTime(r.start)}</td>
                  <td>{KIND[r.kind] ?? r.kind}</td>
                  <td class={r.error ? 'wrap text-warn' : undefined}>
                    {RUN_STATUS[r.status] ?? r.status}
                    {r.error ? `: ${sentence(r.error)}` : ''}
                  </td>
                  <td>
                    {r.counts.created} created, {r.counts.updated} updated, {r.counts.deleted} deleted
                    {r.counts.errors > 0 ? `, ${r.counts.errors} failed` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function Quarantine(props: { link: PortalLink; id: string }) {
  const q = props.link.quarantine;
  if (q.length === 0) return null;
  return (
    <>
      <h3>Items that cannot be synced</h3>
      <ul class="checklist">
        {q.map((item) => (
          <li key={`${item.side}/${item.itemId}`}>
            {KIND[item.kind] ?? item.kind} in your {item.side === 'CRM' ? 'CRM' : 'mailbox'} (<code>{item.itemId}</code>)
            {item.field ? `, field ${item.field}` : ''}: {sentence(item.reason)}
          </li>
        ))}
      </ul>
    </>
  );
}

function Preferences(props: { link: PortalLink; id: string; onSaved: () => void }) {
  const { api } = useApp();
  const l = props.link;
  const [form, setForm] = useState<PrefsForm>(() => prefsFromLink(l));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const ref = useRef<HTMLFormElement>(null);
  const may = l.userMay;
  const filters = form.filters ?? { ...l.defaults.filters };
  const submit = async (e: Event) => {
    e.preventDefault();
    const { input, errors: errs } = prefsInput(l, form);
    setErrors(errs);
    setError(null);
    setSaved(false);
    if (Object.keys(errs).length > 0) return;
    setBusy(true);
    try {
      await api.setMyPreferences({ profileId: l.profileId, overrides: input });
      setSaved(true);
      props.onSaved();
    } catch (err) {
      const { fields, general } = splitError(err, ['daysBack', 'daysAhead', 'filters', 'directions']);
      setErrors(fields);
      setError(general);
    } finally {
      setBusy(false);
    }
  };
  const id = `${props.id}-prefs`;
  const nothing = !may.directions && !may.filters && !may.window;
  return (
    <form ref={ref} onSubmit={submit} noValidate aria-labelledby={id}>
      <h3 id={id}>Your preferences</h3>
      {nothing && <p class="muted">Your administrator decides every setting of this profile; the fields below show them.</p>}
      <ErrorAlert error={error} title="Your preferences were not saved" />
      {saved && <Notice kind="success">Your preferences are saved; the next sync uses them.</Notice>}
      <fieldset disabled={!may.window}>
        <legend>Dates to sync</legend>
        {!may.window && <p class="hint">{LOCKED}</p>}
        <DaysField id={`${id}-back`} label="Days back" value={form.daysBack} profile={l.defaults.daysBack} error={errors.daysBack}
          onInput={(v) => setForm({ ...form, daysBack: v })} />
        <DaysField id={`${id}-ahead`} label="Days ahead" value={form.daysAhead} profile={l.defaults.daysAhead} error={errors.daysAhead}
          onInput={(v) => setForm({ ...form, daysAhead: v })} />
      </fieldset>
      <fieldset disabled={!may.filters}>
        <legend>What to leave out</legend>
        {!may.filters && <p class="hint">{LOCKED}</p>}
        {errors.filters && <p class="field-error">{errors.filters}</p>}
        {FILTERS.map(([k, label]) => (
          <div class="check" key={k}>
            <input id={`${id}-${k}`} type="checkbox" checked={filters[k]}
              onChange={(e) => setForm({ ...form, filters: { ...filters, [k]: (e.currentTarget as HTMLInputElement).checked } })} />
            <label for={`${id}-${k}`}>{label}</label>
          </div>
        ))}
      </fieldset>
      {l.defaults.directions.length > 0 && (
        <fieldset disabled={!may.directions}>
          <legend>Directions</legend>
          {!may.directions && <p class="hint">{LOCKED}</p>}
          {errors.directions && <p class="field-error">{errors.directions}</p>}
          {l.defaults.directions.map((d) => (
            <div class="field" key={d.kind}>
              <label for={`${id}-dir-${d.kind}`}>{KIND[d.kind] ?? d.kind}</label>
              <select id={`${id}-dir-${d.kind}`} value={form.directions[d.kind] ?? ''}
                onChange={(e) => setForm({ ...form, directions: { ...form.directions, [d.kind]: (e.currentTarget as HTMLSelectElement).value } })}>
                <option value="">The profile’s setting ({(DIRECTION[d.direction] ?? d.direction).toLowerCase()})</option>
                {d.direction !== 'OFF' && <option value={d.direction}>{DIRECTION[d.direction]}</option>}
                <option value="OFF">Off</option>
              </select>
            </div>
          ))}
        </fieldset>
      )}
      {!nothing && (
        <Button type="submit" variant="primary" busy={busy} busyLabel="Saving…">
          Save my preferences
        </Button>
      )}
    </form>
  );
}

function DaysField(props: { id: string; label: string; value: string; profile: number; error?: string; onInput: (v: string) => void }) {
  const hint = `${props.id}-hint`;
  const err = `${props.id}-err`;
  return (
    <div class={`field${props.error ? ' field-invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      <p id={hint} class="hint">
        Empty: the profile’s setting ({props.profile} days).
      </p>
      <input id={props.id} type="text" inputMode="numeric" value={props.value} placeholder={String(props.profile)}
        aria-invalid={props.error ? 'true' : undefined} aria-describedby={props.error ? `${err} ${hint}` : hint}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)} />
      {props.error && (
        <p id={err} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

/**
 * PortalInviteScreen is the page of a portal invitation link. Opening the link
 * does not use it up (mail scanners open links too): the user selects Continue,
 * which redeems the token and signs them in.
 */
export function PortalInviteScreen(props: { token: string }) {
  const { api, signedIn, viewer } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.acceptPortalInvitation({ token: props.token });
      signedIn(r.acceptPortalInvitation.account);
      navigate('/portal', { replace: true });
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };
  return (
    <div class="auth-layout">
      <main id="main" class="auth-card">
        <p class="brand" aria-hidden="true">
          <span class="brand-mark" /> Synchronizer
        </p>
        <PageHeader title="Your invitation" intro="Your administrator invited you to see how the sync of your CRM and your mailbox is doing, and to authorize your mailbox." />
        {viewer && (
          <Notice kind="warning">You are signed in as {viewer.email}. Continuing signs you in as the invited user instead.</Notice>
        )}
        <ErrorAlert error={error} title="The invitation could not be used"
          hints={{ NOT_FOUND: 'Ask your administrator to send you a new invitation.', CONFLICT: 'Sign in with your e-mail address and password instead.' }} />
        <p>The link works once and for 7 days. You need no password; you can set one later under Your account.</p>
        <Button variant="primary" class="btn-block" busy={busy} busyLabel="Signing you in…" onClick={accept}>
          Continue to my portal
        </Button>
      </main>
    </div>
  );
}
