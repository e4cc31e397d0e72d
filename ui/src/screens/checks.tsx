// The check page (/checks, /profiles/<id>/checks): every preflight check of a
// profile's two systems and of each linked user's accounts, green or red with
// what to do, a re-run button and when they ran. CheckList and SystemReport are
// shared with the wizard (connection tests on step 2, the review on step 5).

import { useEffect, useState } from 'preact/hooks';
import { checksApi } from '../api/checks';
import type { ApiError } from '../api/client';
import { asApiError } from '../api/client';
import { Button, EmptyState, ErrorAlert, Link, Loading, PageHeader, useAsync } from '../components';
import { useApp } from '../context';
import { formatTime } from '../format';
import type { CheckStatus, ProfileChecksQuery } from '../gql/graphql';
import { navigate } from '../nav';
import { LoadError } from './sync';

/** Result is one check as the API returns it. */
export interface Result {
  name: string;
  status: CheckStatus;
  detail: string;
  fix: string;
}

const WORD: Record<CheckStatus, string> = { OK: 'OK', WARNING: 'Warning', FAILED: 'Failed' };

/** CheckList shows check results: the status as a word and a colour, what was found, and what to do. */
export function CheckList(props: { results: Result[]; label: string; empty?: string }) {
  if (props.results.length === 0) return <p class="hint">{props.empty ?? 'No checks.'}</p>;
  return (
    <ul class="check-list" aria-label={props.label}>
      {props.results.map((r, i) => (
        <li key={`${r.name}-${i}`} class={`check-item check-${r.status.toLowerCase()}`}>
          <span class="check-status">{WORD[r.status] ?? r.status}</span> <span class="check-name">{r.name}</span>
          {r.detail && <span class="check-detail">: {r.detail}</span>}
          {r.fix && r.status !== 'OK' && <p class="check-fix">What to do: {r.fix}</p>}
        </li>
      ))}
    </ul>
  );
}

/** Report is a system's check report as the API returns it. */
export interface Report {
  type: string;
  instance: string;
  ok: boolean;
  durationMs: number;
  timedOut: boolean;
  message: string | null;
  results: Result[];
}

/** summary says in words how a report came out. */
export function summary(r: Pick<Report, 'ok' | 'timedOut' | 'results'>): string {
  const failed = r.results.filter((x) => x.status === 'FAILED').length;
  const warned = r.results.filter((x) => x.status === 'WARNING').length;
  if (r.timedOut) return 'Did not finish in time';
  if (!r.ok) return `${failed} of ${r.results.length} checks failed`;
  if (warned) return `Works, with ${warned} warning${warned > 1 ? 's' : ''}`;
  return 'All checks passed';
}

/** SystemReport shows one system's checks with their summary. */
export function SystemReport(props: { title: string; report: Report }) {
  const r = props.report;
  return (
    <div class={`check-report ${r.ok ? 'check-report-ok' : 'check-report-failed'}`}>
      <p class="check-summary">
        <strong>{props.title}:</strong> {summary(r)} <span class="muted">({(r.durationMs / 1000).toFixed(1)} s)</span>
      </p>
      {r.message && <p class="hint">{r.message}</p>}
      <CheckList results={r.results} label={`Checks of ${props.title}`} empty="This system ran no checks." />
    </div>
  );
}

type Checks = ProfileChecksQuery['profileChecks'];

/** ChecksScreen runs and shows every check of a profile; without profileId it lets the reader choose one. */
export function ChecksScreen(props: { profileId?: string }) {
  const { api } = useApp();
  const profiles = useAsync(() => api.syncProfiles());
  const list = profiles.data?.syncProfiles ?? [];
  const id = props.profileId ?? (list.length === 1 ? list[0].id : '');
  const [checks, setChecks] = useState<Checks | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (pid: string) => {
    setBusy(true);
    setError(null);
    try {
      const r = await checksApi(api).profileChecks({ profileId: pid });
      setChecks(r.profileChecks);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (id) void run(id);
  }, [id]);
  const profile = list.find((p) => p.id === id);
  const title = profile ? `Checks: ${profile.name}` : 'Checks';
  const c = checks && checks.profileId === id ? checks : null;
  return (
    <>
      {props.profileId && (
        <p class="breadcrumb">
          <Link href="/profiles">Profiles</Link> <span aria-hidden="true">›</span>{' '}
          <Link href={`/profiles/${encodeURIComponent(props.profileId)}`}>{profile?.name ?? props.profileId}</Link> <span aria-hidden="true">›</span> Checks
        </p>
      )}
      <PageHeader
        title={title}
        intro="Every preflight check of the profile's two systems and of each linked user's accounts. A failed check says what to do."
        actions={
          id && (
            <Button variant="primary" onClick={() => run(id)} busy={busy} busyLabel="Running the checks…">
              Run the checks again
            </Button>
          )
        }
      />
      {profiles.loading && !profiles.data && <Loading label="Loading profiles…" />}
      <LoadError error={profiles.error} what="the profiles" onRetry={profiles.reload} />
      {!props.profileId && list.length > 1 && (
        <nav class="card" aria-label="Profiles to check">
          <p>Choose the profile to check:</p>
          <ul>
            {list.map((p) => (
              <li key={p.id}>
                <Link href={`/profiles/${encodeURIComponent(p.id)}/checks`}>
                  {p.name} <span class="code-name inline">{p.id}</span>
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {profiles.data && list.length === 0 && (
        <EmptyState title="Nothing to check yet">
          <p>Checks run against a profile's systems. Create a profile first.</p>
          <p>
            <Button variant="primary" onClick={() => navigate('/profiles/new')}>
              Create a profile
            </Button>
          </p>
        </EmptyState>
      )}
      {busy && <Loading label="Running every check; this takes a few seconds…" />}
      <ErrorAlert error={error} title="The checks did not run" onRetry={id ? () => run(id) : undefined} />
      {c && (
        <>
          <p class={`check-overall ${c.ok ? 'check-report-ok' : 'check-report-failed'}`} role="status">
            {c.ok ? 'No check failed.' : 'Some checks failed: see what to do below.'} Checked at {formatTime(c.checkedAt)}.
          </p>
          {c.message && <p class="hint">{c.message}</p>}
          <div class="wizard-systems">
            <section class="card" aria-labelledby="chk-crm">
              <h2 id="chk-crm">
                CRM <span class="muted">({c.crm.instance})</span>
              </h2>
              <SystemReport title="CRM" report={c.crm} />
            </section>
            <section class="card" aria-labelledby="chk-mbx">
              <h2 id="chk-mbx">
                Mailboxes <span class="muted">({c.mailbox.instance})</span>
              </h2>
              <SystemReport title="Mailboxes" report={c.mailbox} />
            </section>
          </div>
          <section class="card" aria-labelledby="chk-users">
            <h2 id="chk-users">Linked users</h2>
            {c.users.length === 0 && <p>No users are linked to this profile.</p>}
            {c.users.map((u) => (
              <div key={u.userId} class={`check-user ${u.ok ? 'check-report-ok' : 'check-report-failed'}`}>
                <h3>
                  {u.crm.name || u.userId} <span class="code-name inline">{u.userId}</span> <span class="check-status">{u.ok ? 'OK' : 'Failed'}</span>
                </h3>
                <CheckList results={u.crmResults} label={`CRM checks of ${u.userId}`} empty="The CRM runs no checks per user." />
                <CheckList results={u.mailboxResults} label={`Mailbox checks of ${u.userId}`} empty="The mailbox system runs no checks per user." />
              </div>
            ))}
          </section>
        </>
      )}
    </>
  );
}
