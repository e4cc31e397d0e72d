// The overview, the honest empty states of the areas whose API does not exist
// yet, the "not found" and "admins only" pages.

import type { ComponentChildren } from 'preact';
import { EmptyState, ErrorAlert, Link, Loading, PageHeader, useAsync } from '../components';
import { useApp } from '../context';
import { isAdmin } from '../router';
import { userStatus } from './sync';

/** OverviewStatus counts what needs an admin: users by state, open conflicts, runs waiting for approval. */
function OverviewStatus() {
  const { api } = useApp();
  const d = useAsync(() => Promise.all([api.syncProfiles(), api.syncConflicts({ openOnly: true }), api.pendingApprovals()]));
  if (d.loading && !d.data) return <Loading label="Loading how the sync is doing…" />;
  if (d.error?.code === 'UNAVAILABLE') {
    return (
      <p class="muted">
        This server runs no sync engine, so there is nothing to sync yet. {d.error.hint}
      </p>
    );
  }
  if (d.error) return <ErrorAlert error={d.error} title="Could not load how the sync is doing" onRetry={d.reload} />;
  if (!d.data) return null;
  const [p, c, a] = d.data;
  const users = p.syncProfiles.flatMap((x) => x.users);
  const states = users.map((u) => userStatus(u));
  const failing = states.filter((s) => s.tone === 'error').length;
  const paused = states.filter((s) => s.tone === 'paused').length;
  const conflicts = c.syncConflicts.length;
  const approvals = a.pendingApprovals.length;
  if (p.syncProfiles.length === 0) {
    return (
      <p>
        No profile yet. <Link href="/profiles/new">Create a profile</Link> to connect a CRM with a mailbox system; the wizard
        tests both connections and previews the first sync before anything is written.
      </p>
    );
  }
  return (
    <ul class="tiles">
      <li class={`tile tone-${failing ? 'error' : 'ok'}`}>
        <Link href="/users">
          <span class="tile-n">{users.length}</span> {users.length === 1 ? 'user' : 'users'} linked
        </Link>
        <span class="tile-note">
          {failing ? `${failing} failing` : 'none failing'}
          {paused ? `, ${paused} paused` : ''}
        </span>
      </li>
      <li class={`tile tone-${conflicts ? 'warn' : 'ok'}`}>
        <Link href="/conflicts">
          <span class="tile-n">{conflicts}</span> open {conflicts === 1 ? 'conflict' : 'conflicts'}
        </Link>
        <span class="tile-note">{conflicts ? 'the policy chose a side; confirm or change it' : 'nothing to review'}</span>
      </li>
      <li class={`tile tone-${approvals ? 'warn' : 'ok'}`}>
        <Link href="/approvals">
          <span class="tile-n">{approvals}</span> {approvals === 1 ? 'run' : 'runs'} to approve
        </Link>
        <span class="tile-note">{approvals ? 'held by the mass-change guard; nothing written yet' : 'no run held by the guard'}</span>
      </li>
      <li class="tile tone-neutral">
        <Link href="/profiles">
          <span class="tile-n">{p.syncProfiles.length}</span> {p.syncProfiles.length === 1 ? 'profile' : 'profiles'}
        </Link>
        <span class="tile-note">edit, test, or sign in to a system</span>
      </li>
    </ul>
  );
}

/** Overview is the landing page after sign-in: how the sync is doing, and where each task lives. */
export function Overview() {
  const { api, viewer } = useApp();
  const v = useAsync(() => api.version());
  const admin = isAdmin(viewer);
  return (
    <>
      <PageHeader
        title="Overview"
        intro={`Welcome${viewer?.name ? ', ' + viewer.name : ''}. ${admin ? 'What needs you first, then where each task lives.' : 'Your own sync is under Your sync.'}`}
      />
      {admin && (
        <section class="card" aria-labelledby="ov-status">
          <h2 id="ov-status">How the sync is doing</h2>
          <OverviewStatus />
        </section>
      )}
      {admin ? (
        <section class="card" aria-labelledby="ov-next">
          <h2 id="ov-next">Where to find things</h2>
          <ul class="checklist">
            <li>
              <Link href="/profiles/new">Create a profile</Link> or edit one under <Link href="/profiles">Profiles</Link>: the wizard
              tests the connections, matches users by e-mail and previews the first sync.
            </li>
            <li>
              <Link href="/checks">Checks</Link>: every check of both systems and of each linked user, with what to do.
            </li>
            <li>
              A user's portal invitation: open the user under <Link href="/users">Users</Link>, then <strong>Portal invitation</strong>.
            </li>
            <li>
              The requests chart: <Link href="/governor">Governor</Link>, <strong>Requests and throttling over time</strong>.
            </li>
            <li>
              E-mail (SMTP), TLS and the backup download: <Link href="/settings">Settings</Link>.
            </li>
            <li>
              Other administrators and API tokens: <Link href="/admins">Admins &amp; tokens</Link>; sign-ins and changes: the{' '}
              <Link href="/audit">audit log</Link>; your password: <Link href="/account">your account</Link>.
            </li>
          </ul>
        </section>
      ) : (
        <section class="card" aria-labelledby="ov-user">
          <h2 id="ov-user">Your sync</h2>
          <p>
            See how your CRM and mailbox sync is doing in <Link href="/portal">your sync</Link>; change your password in{' '}
            <Link href="/account">your account</Link>.
          </p>
        </section>
      )}
      <section class="card" aria-labelledby="ov-system">
        <h2 id="ov-system">This installation</h2>
        {v.loading && <Loading label="Loading the version…" />}
        <ErrorAlert error={v.error} title="Could not load the version" onRetry={v.reload} />
        {v.data && (
          <dl class="facts">
            <dt>Version</dt>
            <dd>{v.data.version.version}</dd>
            <dt>Commit</dt>
            <dd>
              <code>{v.data.version.commit || 'unknown'}</code>
            </dd>
            <dt>Signed in as</dt>
            <dd>
              {viewer?.email} ({admin ? 'administrator' : 'user'})
            </dd>
          </dl>
        )}
      </section>
    </>
  );
}

/** UPCOMING describes, per area, what it will hold and why it is empty today. */
export const UPCOMING: Record<string, { title: string; arrives: string; body: ComponentChildren }> = {};

/** Upcoming renders the empty state of an area that does not exist yet. */
export function Upcoming(props: { path: string }) {
  const u = UPCOMING[props.path];
  if (!u) return <NotFound />;
  return (
    <>
      <PageHeader title={u.title} />
      <EmptyState title={u.arrives}>
        <p>{u.body}</p>
        <p class="muted">Nothing is shown here until it is real.</p>
      </EmptyState>
    </>
  );
}

/** NotFound is shown for a path the dashboard does not know. */
export function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        There is no page at <code>{window.location.pathname}</code>. Check the address, or go back to the{' '}
        <Link href="/">overview</Link>.
      </p>
    </>
  );
}

/** AdminsOnly is shown to a user-role account that opens an admin area. */
export function AdminsOnly(props: { title: string }) {
  return (
    <>
      <PageHeader title={props.title} />
      <div class="alert alert-info" role="status">
        <p class="alert-title">Administrators only</p>
        <p>
          Your account has the user role. Ask an administrator if you need access, or go to{' '}
          <Link href="/account">your account</Link>.
        </p>
      </div>
    </>
  );
}
