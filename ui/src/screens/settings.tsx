// Settings: outgoing e-mail (SMTP) — the settings with a write-only password,
// saving with progress, and a test mail whose outcome is shown.

import { useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { asApiError } from '../api/client';
import { Button, ErrorAlert, Field, focusFirstError, Loading, Notice, OnThisPage, PageHeader, splitError, useAsync } from '../components';
import { useApp } from '../context';
import type { SendTestMailMutation, SmtpSecurity } from '../gql/graphql';
import { SECURITY, SMTP_FIELDS, checkRecipient, checkSmtp, draftFrom, passwordState, smtpInput, withSecurity, type SmtpDraft } from '../smtp';
import { BackupCard, TlsCard } from './ops';
import { Check, Select } from './wizard';

/** SettingsScreen is the appliance's settings page (admins only). */
export function SettingsScreen() {
  const { api } = useApp();
  const saved = useAsync(() => api.smtpSettings());
  const [configured, setConfigured] = useState<boolean | null>(null);
  const isConfigured = configured ?? Boolean(saved.data?.smtpSettings);
  return (
    <>
      <PageHeader title="Settings" intro="How this appliance sends e-mail (test mails and sign-in invitations for Microsoft 365 mailboxes), serves HTTPS, and is backed up." />
      <OnThisPage
        sections={[
          { id: 'smtp-h', label: 'Outgoing e-mail (SMTP)' },
          { id: 'test-h', label: 'Send a test mail' },
          { id: 'tls-h', label: 'TLS and domain' },
          { id: 'backup-h', label: 'Backup' },
        ]}
      />
      {saved.loading && <Loading label="Loading the e-mail settings…" />}
      <ErrorAlert error={saved.error} title="Could not load the e-mail settings" onRetry={saved.reload} />
      {saved.data && (
        <>
          <SmtpForm initial={draftFrom(saved.data.smtpSettings)} onSaved={() => setConfigured(true)} />
          <TestMail configured={isConfigured} />
        </>
      )}
      <TlsCard />
      <BackupCard />
    </>
  );
}

function SmtpForm(props: { initial: SmtpDraft; onSaved: () => void }) {
  const { api } = useApp();
  const [d, setD] = useState<SmtpDraft>(props.initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const set = (p: Partial<SmtpDraft>) => {
    setD((old) => ({ ...old, ...p }));
    setDone(false);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs = checkSmtp(d);
    setErrors(errs);
    setError(null);
    setDone(false);
    if (Object.keys(errs).length) {
      focusFirstError(form.current);
      return;
    }
    setBusy(true);
    try {
      const r = await api.saveSmtpSettings({ input: smtpInput(d) });
      setD(draftFrom(r.saveSmtpSettings));
      setDone(true);
      props.onSaved();
    } catch (err) {
      const s = splitError(err, [...SMTP_FIELDS]);
      setErrors(s.fields);
      setError(s.general);
      focusFirstError(form.current);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="smtp-h">
      <h2 id="smtp-h">Outgoing e-mail (SMTP)</h2>
      {!props.initial.host && !done && <p class="muted">No SMTP settings are saved yet.</p>}
      <p class="muted">The appliance sends few mails: a test mail and, from a user's page, the Microsoft sign-in invitation of a delegated mailbox.</p>
      {done && <Notice kind="success">The SMTP settings are saved.</Notice>}
      <form ref={form} onSubmit={submit} noValidate class="narrow">
        <ErrorAlert error={error} title="The settings were not saved" />
        <Field label="SMTP server" name="host" value={d.host} onInput={(v) => set({ host: v })} required error={errors.host} hint="The host name, like smtp.office365.com." autoComplete="off" />
        <Select
          label="Security"
          value={d.security}
          options={SECURITY}
          onChange={(v) => {
            setD((old) => withSecurity(old, v as SmtpSecurity));
            setDone(false);
          }}
          error={errors.security}
        />
        <Field label="Port" name="port" value={d.port} onInput={(v) => set({ port: v })} required inputMode="numeric" error={errors.port} />
        <Field label="User name" name="username" value={d.username} onInput={(v) => set({ username: v })} error={errors.username} hint="Leave empty if the server needs no sign-in." autoComplete="off" />
        <Field
          label="Password"
          name="password"
          type="password"
          value={d.password}
          onInput={(v) => set({ password: v })}
          error={errors.password}
          hint={passwordState(d)}
          autoComplete="new-password"
        />
        {d.passwordSet && !d.password && <Check label="Remove the saved password" checked={d.clearPassword} onChange={(v) => set({ clearPassword: v })} />}
        <Field label="Sender address" name="from" type="email" inputMode="email" value={d.from} onInput={(v) => set({ from: v })} required error={errors.from} hint="The address the mails come from, like sync@example.com." autoComplete="off" />
        <Field label="Sender name" name="fromName" value={d.fromName} onInput={(v) => set({ fromName: v })} error={errors.fromName} autoComplete="off" />
        <Button type="submit" variant="primary" busy={busy} busyLabel="Saving…">
          Save e-mail settings
        </Button>
      </form>
    </section>
  );
}

function TestMail(props: { configured: boolean }) {
  const { api, viewer } = useApp();
  const [to, setTo] = useState(viewer?.email ?? '');
  const [toError, setToError] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SendTestMailMutation['sendTestMail'] | null>(null);
  const form = useRef<HTMLFormElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const problem = checkRecipient(to);
    setToError(problem);
    setError(null);
    setResult(null);
    if (problem) {
      focusFirstError(form.current);
      return;
    }
    setBusy(true);
    try {
      const r = await api.sendTestMail({ to: to.trim() });
      setResult(r.sendTestMail);
    } catch (err) {
      const s = splitError(err, ['to']);
      setToError(s.fields.to ?? '');
      setError(s.general ?? (s.fields.to ? null : asApiError(err)));
      focusFirstError(form.current);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="test-h">
      <h2 id="test-h">Send a test mail</h2>
      {!props.configured && <p class="muted">Save the SMTP settings first; the test mail uses the saved settings.</p>}
      {result && (result.sent ? <Notice kind="success">{result.message}</Notice> : <Notice kind="warning">{result.message}</Notice>)}
      <form ref={form} onSubmit={submit} noValidate class="narrow">
        <ErrorAlert error={error} title="The test mail was not sent" />
        <Field label="Send to" name="to" type="email" inputMode="email" value={to} onInput={setTo} required error={toError} autoComplete="email" />
        <Button type="submit" busy={busy} busyLabel="Sending…" disabled={!props.configured}>
          Send a test mail
        </Button>
      </form>
    </section>
  );
}
