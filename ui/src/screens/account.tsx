// Your account: profile facts, change password, and (for user-role accounts,
// whose navigation has no "Admins & tokens") API tokens.

import { useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { Button, ErrorAlert, Field, focusFirstError, Notice, PageHeader, splitError } from '../components';
import { useApp } from '../context';
import { formatTime, passwordProblem } from '../format';
import { isAdmin } from '../router';
import { TokensSection } from './admins';

/** AccountScreen shows the signed-in account and lets it change its password. */
export function AccountScreen() {
  const { viewer } = useApp();
  return (
    <>
      <PageHeader title="Your account" />
      <section class="card" aria-labelledby="acct-h">
        <h2 id="acct-h">Account</h2>
        <dl class="facts">
          <dt>Name</dt>
          <dd>{viewer?.name || '—'}</dd>
          <dt>E-mail</dt>
          <dd>{viewer?.email}</dd>
          <dt>Role</dt>
          <dd>{isAdmin(viewer) ? 'Administrator' : 'User'}</dd>
          <dt>Since</dt>
          <dd>{formatTime(viewer?.createdAt)}</dd>
        </dl>
      </section>
      <ChangePassword />
      {!isAdmin(viewer) && <TokensSection />}
    </>
  );
}

function ChangePassword() {
  const { api, viewer } = useApp();
  // Portal accounts made by an invitation or a SuperOffice sign-in have no password yet: they leave "current" empty.
  const portal = !isAdmin(viewer);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!current && !portal) errs.currentPassword = 'Enter your current password.';
    const pp = passwordProblem(next);
    if (pp) errs.newPassword = pp;
    else if (next === current) errs.newPassword = 'Choose a password different from the current one.';
    else if (confirm !== next) errs.confirm = 'The two new passwords differ. Type the same password twice.';
    setErrors(errs);
    setError(null);
    setDone(false);
    if (Object.keys(errs).length) {
      focusFirstError(form.current);
      return;
    }
    setBusy(true);
    try {
      await api.changePassword({ currentPassword: current, newPassword: next });
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
    } catch (err) {
      const s = splitError(err, ['currentPassword', 'newPassword']);
      setErrors(s.fields);
      setError(s.general);
      focusFirstError(form.current);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="pw-h">
      <h2 id="pw-h">Change password</h2>
      <p class="muted">Your other sessions are signed out when the password changes.</p>
      {done && <Notice kind="success">Your password has been changed.</Notice>}
      <form ref={form} onSubmit={submit} noValidate class="narrow">
        <ErrorAlert error={error} title="The password was not changed" />
        <Field label="Current password" name="currentPassword" type="password" value={current} onInput={setCurrent} required={!portal} autoComplete="current-password" error={errors.currentPassword}
          hint={portal ? 'Leave it empty if you signed in from an invitation or with SuperOffice and have not set a password yet.' : undefined} />
        <Field label="New password" name="newPassword" type="password" value={next} onInput={setNext} required autoComplete="new-password" error={errors.newPassword} hint="At least 12 characters." />
        <Field label="Repeat the new password" name="confirm" type="password" value={confirm} onInput={setConfirm} required autoComplete="new-password" error={errors.confirm} />
        <Button type="submit" variant="primary" busy={busy} busyLabel="Changing password…">
          Change password
        </Button>
      </form>
    </section>
  );
}
