// Admins & tokens: list, add, invite and remove administrators; create (secret
// shown once), list and revoke API tokens.

import { useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import {
  Button,
  ConfirmDialog,
  CopyButton,
  ErrorAlert,
  Field,
  Loading,
  Notice,
  PageHeader,
  splitError,
  useAsync,
  type FieldErrors,
} from '../components';
import { useApp } from '../context';
import { absoluteLink, emailProblem, formatTime, passwordProblem } from '../format';
import type { AdminsQuery, ApiTokensQuery, CreateApiTokenMutation, InviteAdminMutation } from '../gql/graphql';

type Admin = AdminsQuery['admins'][number];
type Token = ApiTokensQuery['apiTokens'][number];
type Errors = FieldErrors;

/** AdminsScreen is the "Admins & tokens" area. */
export function AdminsScreen() {
  return (
    <>
      <PageHeader
        title="Admins & tokens"
        intro="Administrators manage this installation. API tokens let scripts use the GraphQL API without a password."
      />
      <AdminsSection />
      <TokensSection />
    </>
  );
}

function AdminsSection() {
  const { api, viewer } = useApp();
  const list = useAsync(() => api.admins());
  const [mode, setMode] = useState<'none' | 'invite' | 'add'>('none');
  const [removing, setRemoving] = useState<Admin | null>(null);
  const [notice, setNotice] = useState('');

  return (
    <section class="card" aria-labelledby="admins-h">
      <div class="card-head">
        <h2 id="admins-h">Administrators</h2>
        <div class="card-actions">
          <Button variant="primary" onClick={() => setMode(mode === 'invite' ? 'none' : 'invite')} aria-expanded={mode === 'invite' ? 'true' : 'false'}>
            Invite admin
          </Button>
          <Button onClick={() => setMode(mode === 'add' ? 'none' : 'add')} aria-expanded={mode === 'add' ? 'true' : 'false'}>
            Add with password
          </Button>
        </div>
      </div>
      {notice && <Notice kind="success">{notice}</Notice>}
      {mode === 'invite' && <InviteForm onDone={() => list.reload()} onCancel={() => setMode('none')} />}
      {mode === 'add' && (
        <AddAdminForm
          onCancel={() => setMode('none')}
          onDone={(email) => {
            setMode('none');
            setNotice(`${email} can now sign in as an administrator. Give them their password through a safe channel.`);
            list.reload();
          }}
        />
      )}
      {list.loading && !list.data && <Loading label="Loading administrators…" />}
      <ErrorAlert error={list.error} title="Could not load the administrators" onRetry={list.reload} />
      {list.data && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Administrators">
          <table>
            <caption class="sr-only">Administrators</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.admins.map((a) => (
                <tr key={a.id}>
                  <td>
                    {a.name}
                    {a.id === viewer?.id && <span class="badge badge-muted">you</span>}
                  </td>
                  <td>{a.email}</td>
                  <td>{formatTime(a.createdAt)}</td>
                  <td class="actions">
                    <Button
                      variant="ghost"
                      class="danger-text"
                      onClick={() => setRemoving(a)}
                      disabled={list.data!.admins.length < 2}
                      title={list.data!.admins.length < 2 ? 'The last administrator cannot be removed.' : undefined}
                      aria-label={`Remove ${a.name || a.email}`}
                    >
                      Remove
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data.admins.length < 2 && (
            <p class="muted">The last administrator cannot be removed. Invite another one first.</p>
          )}
        </div>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name || removing?.email || 'administrator'}?`}
        confirmLabel="Remove administrator"
        busyLabel="Removing…"
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (!removing) return;
          await api.removeAdmin({ id: removing.id });
          setNotice(`${removing.email} was removed. Their sessions and API tokens no longer work.`);
          list.setData((d) => (d ? { admins: d.admins.filter((x) => x.id !== removing.id) } : d));
          list.reload();
        }}
      >
        <p>
          {removing?.email} will be signed out everywhere and their API tokens stop working.
          {removing?.id === viewer?.id && ' This is your own account: you will be signed out.'}
        </p>
      </ConfirmDialog>
    </section>
  );
}

function InviteForm(props: { onDone: () => void; onCancel: () => void }) {
  const { api } = useApp();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<InviteAdminMutation['inviteAdmin'] | null>(null);

  if (result) {
    const link = absoluteLink(result.link, window.location.origin);
    return (
      <div class="subpanel" role="region" aria-label="Invitation link">
        <Notice kind="success">
          Invitation created for {result.name} ({result.email}). Send them this link; it works once and expires{' '}
          {formatTime(result.expiresAt)}.
        </Notice>
        <div class="secret-row">
          <code class="secret" id="invite-link">
            {link}
          </code>
          <CopyButton text={link} label="Copy link" />
        </div>
        <p class="muted">Synchronizer does not send e-mail yet: pass the link on yourself, through a channel you trust.</p>
        <Button onClick={props.onCancel}>Done</Button>
      </div>
    );
  }

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Errors = {};
    const ep = emailProblem(email);
    if (ep) errs.email = ep;
    if (!name.trim()) errs.name = 'Enter their name.';
    setErrors(errs);
    setError(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const res = await api.inviteAdmin({ email: email.trim(), name: name.trim() });
      setResult(res.inviteAdmin);
      props.onDone();
    } catch (err) {
      const s = splitError(err, ['email', 'name']);
      setErrors(s.fields);
      setError(s.general);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="subpanel" onSubmit={submit} noValidate aria-label="Invite an administrator">
      <h3>Invite an administrator</h3>
      <p class="muted">You get a one-time link, valid for 7 days, with which they choose their own password.</p>
      <ErrorAlert error={error} title="Could not create the invitation" />
      <div class="form-row">
        <Field label="Name" name="name" value={name} onInput={setName} required autoComplete="off" error={errors.name} />
        <Field label="E-mail address" name="email" type="email" inputMode="email" value={email} onInput={setEmail} required autoComplete="off" error={errors.email} />
      </div>
      <div class="form-actions">
        <Button type="submit" variant="primary" busy={busy} busyLabel="Creating link…">
          Create invitation link
        </Button>
        <Button onClick={props.onCancel} disabled={busy}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function AddAdminForm(props: { onDone: (email: string) => void; onCancel: () => void }) {
  const { api } = useApp();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Errors = {};
    const ep = emailProblem(email);
    if (ep) errs.email = ep;
    if (!name.trim()) errs.name = 'Enter their name.';
    const pp = passwordProblem(password);
    if (pp) errs.password = pp;
    setErrors(errs);
    setError(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await api.addAdmin({ email: email.trim(), name: name.trim(), password });
      props.onDone(email.trim());
    } catch (err) {
      const s = splitError(err, ['email', 'name', 'password']);
      setErrors(s.fields);
      setError(s.general);
      setBusy(false);
    }
  };

  return (
    <form class="subpanel" onSubmit={submit} noValidate aria-label="Add an administrator">
      <h3>Add an administrator with a password</h3>
      <p class="muted">Use this when you cannot send a link. Ask them to change the password after their first sign-in.</p>
      <ErrorAlert error={error} title="Could not add the administrator" />
      <div class="form-row">
        <Field label="Name" name="name" value={name} onInput={setName} required autoComplete="off" error={errors.name} />
        <Field label="E-mail address" name="email" type="email" inputMode="email" value={email} onInput={setEmail} required autoComplete="off" error={errors.email} />
      </div>
      <Field
        label="Initial password"
        name="password"
        type="password"
        value={password}
        onInput={setPassword}
        required
        autoComplete="new-password"
        error={errors.password}
        hint="At least 12 characters."
      />
      <div class="form-actions">
        <Button type="submit" variant="primary" busy={busy} busyLabel="Adding…">
          Add administrator
        </Button>
        <Button onClick={props.onCancel} disabled={busy}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** TokensSection lists the signed-in account's API tokens and creates and revokes them. */
export function TokensSection() {
  const { api } = useApp();
  const list = useAsync(() => api.apiTokens());
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreateApiTokenMutation['createApiToken'] | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const [notice, setNotice] = useState('');

  return (
    <section class="card" aria-labelledby="tokens-h">
      <div class="card-head">
        <h2 id="tokens-h">Your API tokens</h2>
        <div class="card-actions">
          <Button variant="primary" onClick={() => { setCreating(!creating); setCreated(null); }} aria-expanded={creating ? 'true' : 'false'}>
            Create token
          </Button>
        </div>
      </div>
      <p class="muted">
        Scripts send a token as <code>Authorization: Bearer &lt;token&gt;</code>. A token acts as you, with your role.
      </p>
      {notice && <Notice kind="success">{notice}</Notice>}
      {created && (
        <div class="subpanel secret-panel" role="region" aria-labelledby="secret-h">
          <h3 id="secret-h">Token “{created.token.name}” created</h3>
          <div class="alert alert-warning" role="alert">
            <p class="alert-title">Copy it now: it is shown only this once.</p>
            <p>Synchronizer stores only a hash of it. If you lose it, revoke it and create a new one.</p>
          </div>
          <div class="secret-row">
            <code class="secret" id="token-secret">
              {created.secret}
            </code>
            <CopyButton text={created.secret} label="Copy token" />
          </div>
          <Button onClick={() => setCreated(null)}>I have stored it</Button>
        </div>
      )}
      {creating && (
        <CreateTokenForm
          onCancel={() => setCreating(false)}
          onCreated={(t) => {
            setCreating(false);
            setCreated(t);
            setNotice('');
            list.reload();
          }}
        />
      )}
      {list.loading && !list.data && <Loading label="Loading API tokens…" />}
      <ErrorAlert error={list.error} title="Could not load the API tokens" onRetry={list.reload} />
      {list.data && list.data.apiTokens.length === 0 && <p>You have no API tokens.</p>}
      {list.data && list.data.apiTokens.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Your API tokens">
          <table>
            <caption class="sr-only">Your API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.apiTokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>{formatTime(t.createdAt)}</td>
                  <td>{t.expiresAt ? formatTime(t.expiresAt) : 'Never'}</td>
                  <td>{t.lastUsedAt ? formatTime(t.lastUsedAt) : 'Not yet'}</td>
                  <td class="actions">
                    <Button variant="ghost" class="danger-text" onClick={() => setRevoking(t)} aria-label={`Revoke token ${t.name}`}>
                      Revoke
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke token “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke token"
        busyLabel="Revoking…"
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          await api.revokeApiToken({ id: revoking.id });
          list.setData((d) => (d ? { apiTokens: d.apiTokens.filter((x) => x.id !== revoking.id) } : d));
          setNotice(`Token “${revoking.name}” was revoked. Scripts using it are refused from now on.`);
          if (created?.token.id === revoking.id) setCreated(null);
          list.reload();
        }}
      >
        <p>Scripts that use this token will be refused at once. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}

function CreateTokenForm(props: { onCreated: (t: CreateApiTokenMutation['createApiToken']) => void; onCancel: () => void }) {
  const { api } = useApp();
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Errors = {};
    if (!name.trim()) errs.name = 'Give the token a name that says where it is used, for example “backup script”.';
    const d = days.trim() === '' ? 0 : Number(days);
    if (!Number.isInteger(d) || d < 0 || d > 3650) errs.expiresInDays = 'Enter a whole number of days from 0 to 3650 (0 means never).';
    setErrors(errs);
    setError(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const res = await api.createApiToken({ name: name.trim(), expiresInDays: d === 0 ? null : d });
      props.onCreated(res.createApiToken);
    } catch (err) {
      const s = splitError(err, ['name', 'expiresInDays']);
      setErrors(s.fields);
      setError(s.general);
      setBusy(false);
    }
  };

  return (
    <form class="subpanel" onSubmit={submit} noValidate aria-label="Create an API token">
      <h3>Create an API token</h3>
      <ErrorAlert error={error} title="Could not create the token" />
      <div class="form-row">
        <Field label="Name" name="name" value={name} onInput={setName} required autoComplete="off" error={errors.name} inputRef={nameRef} hint="Where the token is used." />
        <Field
          label="Expires after (days)"
          name="expiresInDays"
          type="number"
          inputMode="numeric"
          min={0}
          max={3650}
          value={days}
          onInput={setDays}
          error={errors.expiresInDays}
          hint="0 means the token never expires."
        />
      </div>
      <div class="form-actions">
        <Button type="submit" variant="primary" busy={busy} busyLabel="Creating token…">
          Create token
        </Button>
        <Button onClick={props.onCancel} disabled={busy}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
