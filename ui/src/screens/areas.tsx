// The overview, the honest empty states of the areas whose API does not exist
// yet, the "not found" and "admins only" pages.

import type { ComponentChildren } from 'preact';
import { EmptyState, ErrorAlert, Link, Loading, PageHeader, useAsync } from '../components';
import { useApp } from '../context';
import { isAdmin } from '../router';

/** Overview is the landing page after sign-in. */
export function Overview() {
  const { api, viewer } = useApp();
  const v = useAsync(() => api.version());
  const admin = isAdmin(viewer);
  return (
    <>
      <PageHeader
        title="Overview"
        intro={`Welcome${viewer?.name ? ', ' + viewer.name : ''}. This is where Synchronizer will show how your systems are doing.`}
      />
      <section class="card" aria-labelledby="ov-system">
        <h2 id="ov-system">This installation</h2>
        {v.loading && <Loading label="Loading version…" />}
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
      {admin ? (
        <section class="card" aria-labelledby="ov-next">
          <h2 id="ov-next">What you can do today</h2>
          <ul class="checklist">
            <li>
              <Link href="/admins">Invite the other administrators</Link> and create API tokens for scripts.
            </li>
            <li>
              Review sign-ins and changes in the <Link href="/audit">audit log</Link>.
            </li>
            <li>
              Change your password in <Link href="/account">your account</Link>.
            </li>
          </ul>
          <p class="muted">
            <Link href="/profiles">Profiles</Link>, <Link href="/users">users</Link>, <Link href="/conflicts">conflicts</Link>,{' '}
            <Link href="/approvals">approvals</Link> and the <Link href="/governor">governor</Link> show the sync engine's real
            state. Profiles and users are created over the GraphQL API until the profile editor arrives; areas without an API
            yet say so instead of showing made-up data.
          </p>
        </section>
      ) : (
        <section class="card" aria-labelledby="ov-user">
          <h2 id="ov-user">Your portal</h2>
          <p>
            Your own sync status and preferences arrive with the sync engine. You can already change your password and
            manage your API tokens in <Link href="/account">your account</Link>.
          </p>
        </section>
      )}
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
