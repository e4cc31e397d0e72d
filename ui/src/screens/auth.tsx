// The screens shown without a session: first-run setup, sign-in, and accepting an
// admin invitation.

import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { Button, ErrorAlert, Field, focusFirstError, Notice, PageHeader, splitError, useAsync, type FieldErrors, type Hints } from '../components';
import { useApp } from '../context';
import { emailProblem, MIN_PASSWORD, passwordProblem } from '../format';
import { loginSignInMessage } from '../portal';

/** AuthLayout centres a single card with the product name above it. */
function AuthLayout(props: { children: ComponentChildren }) {
  return (
    <div class="auth-layout">
      <main id="main" class="auth-card">
        <p class="brand" aria-hidden="true">
          <span class="brand-mark" /> Synchronizer
        </p>
        {props.children}
      </main>
    </div>
  );
}

type Errors = FieldErrors;

/** Screen-specific advice for the errors these forms can meet. */
const SETUP_HINTS: Hints = {
  FORBIDDEN: 'Copy the setup link from the server log again (each start of the server prints a new token) and open it, or paste its token above.',
  SETUP_DONE: 'Setup was completed already. Sign in with the administrator account instead.',
};
const LOGIN_HINTS: Hints = {
  UNAUTHENTICATED: 'Check the e-mail address and the password (it is case-sensitive), then try again.',
  FORBIDDEN: 'This account cannot sign in. Ask another administrator to check it.',
};
const INVITE_HINTS: Hints = {
  NOT_FOUND: 'Ask the admin who invited you for a new invitation link.',
  FORBIDDEN: 'Ask the admin who invited you for a new invitation link.',
};

function PasswordHint(props: { value: string; error?: string }) {
  const n = props.error ? 0 : [...props.value].length;
  return (
    <>
      At least {MIN_PASSWORD} characters. A few unrelated words make a strong, memorable password.
      {n > 0 && n < MIN_PASSWORD && <span class="counter"> {MIN_PASSWORD - n} more to go.</span>}
    </>
  );
}

/** SetupScreen creates the first administrator with the one-time setup token. */
export function SetupScreen() {
  const { api, signedIn } = useApp();
  const urlToken = new URLSearchParams(window.location.search).get('token') ?? '';
  const [token, setToken] = useState(urlToken);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Errors = {};
    if (!token.trim()) errs.token = 'Enter the setup token from the server log.';
    const ep = emailProblem(email);
    if (ep) errs.email = ep;
    if (!name.trim()) errs.name = 'Enter your name.';
    const pp = passwordProblem(password);
    if (pp) errs.password = pp;
    else if (confirm !== password) errs.confirm = 'The two passwords differ. Type the same password twice.';
    setErrors(errs);
    setError(null);
    if (Object.keys(errs).length > 0) {
      focusFirstError(form.current);
      return;
    }
    setBusy(true);
    try {
      const res = await api.setup({ input: { token: token.trim(), email: email.trim(), name: name.trim(), password } });
      signedIn(res.setup.account);
    } catch (err) {
      const { fields, general } = splitError(err, ['token', 'email', 'name', 'password']);
      setErrors(fields);
      setError(general);
      setBusy(false);
      focusFirstError(form.current);
    }
  };

  return (
    <AuthLayout>
      <PageHeader
        title="Set up Synchronizer"
        intro="Create the first administrator account. You will use it to connect your systems and invite other admins."
      />
      <form ref={form} onSubmit={submit} noValidate aria-describedby="setup-errors">
        <div id="setup-errors">
          <ErrorAlert error={error} title="Setup did not complete" hints={SETUP_HINTS} />
        </div>
        {urlToken ? (
          <Notice kind="success">The one-time setup token from your setup link has been filled in.</Notice>
        ) : (
          <Field
            label="Setup token"
            name="token"
            value={token}
            onInput={setToken}
            required
            autoComplete="off"
            error={errors.token}
            hint={
              <>
                The server prints a one-time link when it starts for the first time, such as{' '}
                <code>http://127.0.0.1:8080/setup?token=…</code>. Open that link, or paste the part after{' '}
                <code>token=</code> here. Restarting the server prints a new one.
              </>
            }
          />
        )}
        {urlToken && errors.token && <p class="field-error">{errors.token}</p>}
        <Field label="Your name" name="name" value={name} onInput={setName} required autoComplete="name" error={errors.name} />
        <Field
          label="E-mail address"
          name="email"
          type="email"
          inputMode="email"
          value={email}
          onInput={setEmail}
          required
          autoComplete="username"
          error={errors.email}
          hint="You sign in with this address."
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onInput={setPassword}
          required
          autoComplete="new-password"
          error={errors.password}
          hint={<PasswordHint value={password} error={errors.password} />}
        />
        <Field
          label="Repeat the password"
          name="confirm"
          type="password"
          value={confirm}
          onInput={setConfirm}
          required
          autoComplete="new-password"
          error={errors.confirm}
        />
        <Button type="submit" variant="primary" busy={busy} busyLabel="Creating your account…" class="btn-block">
          Create administrator
        </Button>
      </form>
    </AuthLayout>
  );
}

/** LoginScreen signs in with e-mail and password. */
export function LoginScreen() {
  const { api, signedIn } = useApp();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const params = new URLSearchParams(window.location.search);
  const reason = params.get('reason');
  const ssoProblem = loginSignInMessage(window.location.search);
  // The sign-in providers are a nicety: if they cannot be listed, the password form still works.
  const providers = useAsync(() => api.signInProviders().catch(() => ({ signInProviders: [] })), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Errors = {};
    const ep = emailProblem(email);
    if (ep) errs.email = ep;
    if (!password) errs.password = 'Enter your password.';
    setErrors(errs);
    setError(null);
    if (Object.keys(errs).length > 0) {
      focusFirstError(form.current);
      return;
    }
    setBusy(true);
    try {
      const res = await api.login({ email: email.trim(), password });
      signedIn(res.login.account);
    } catch (err) {
      const { fields, general } = splitError(err, ['email', 'password']);
      setErrors(fields);
      setError(general);
      setBusy(false);
      focusFirstError(form.current);
    }
  };

  return (
    <AuthLayout>
      <PageHeader title="Sign in" intro="Sign in to manage Synchronizer, or to see how your own sync is doing." />
      {ssoProblem && (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">You are not signed in</p>
          <p>{ssoProblem}</p>
        </div>
      )}
      {(providers.data?.signInProviders.length ?? 0) > 0 && (
        <section aria-labelledby="sso-h" class="sso">
          <h2 id="sso-h" class="sr-only">
            Sign in with your CRM account
          </h2>
          {providers.data?.signInProviders.map((p) => (
            <a key={p.id} class="btn btn-secondary btn-block" href={p.startUrl}>
              Sign in with {p.name}
            </a>
          ))}
          <p class="aside">Or, with a password:</p>
        </section>
      )}
      {!error && reason === 'expired' && <Notice kind="info">Your session has ended. Sign in again to continue where you were.</Notice>}
      {!error && reason === 'signed-out' && <Notice kind="success">You have signed out.</Notice>}
      <form ref={form} onSubmit={submit} noValidate>
        <ErrorAlert error={error} title="Sign-in failed" hints={LOGIN_HINTS} />
        <Field
          label="E-mail address"
          name="email"
          type="email"
          inputMode="email"
          value={email}
          onInput={setEmail}
          required
          autoComplete="username"
          error={errors.email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onInput={setPassword}
          required
          autoComplete="current-password"
          error={errors.password}
        />
        <Button type="submit" variant="primary" busy={busy} busyLabel="Signing in…" class="btn-block">
          Sign in
        </Button>
      </form>
      <p class="aside">
        Forgot your password? Ask another administrator: they can remove your account and invite you again.
      </p>
    </AuthLayout>
  );
}

/** InviteScreen redeems an invitation link: choose a password, then you are signed in. */
export function InviteScreen() {
  const { api, signedIn, viewer } = useApp();
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  if (!token) {
    return (
      <AuthLayout>
        <PageHeader title="Accept an invitation" />
        <div class="alert alert-error" role="alert">
          <p class="alert-title">This invitation link is incomplete</p>
          <p>The link has no token. Open the full link from the invitation, or ask the admin who invited you for a new one.</p>
        </div>
      </AuthLayout>
    );
  }

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Errors = {};
    const pp = passwordProblem(password);
    if (pp) errs.password = pp;
    else if (confirm !== password) errs.confirm = 'The two passwords differ. Type the same password twice.';
    setErrors(errs);
    setError(null);
    if (Object.keys(errs).length > 0) {
      focusFirstError(form.current);
      return;
    }
    setBusy(true);
    try {
      const res = await api.acceptInvitation({ token, name: name.trim() || null, password });
      signedIn(res.acceptInvitation.account);
    } catch (err) {
      const { fields, general } = splitError(err, ['name', 'password']);
      setErrors(fields);
      setError(general);
      setBusy(false);
      focusFirstError(form.current);
    }
  };

  return (
    <AuthLayout>
      <PageHeader title="Accept your invitation" intro="Choose a password to create your administrator account." />
      {viewer && (
        <Notice kind="warning">
          You are signed in as {viewer.email}. Accepting this invitation signs you in as the invited account instead.
        </Notice>
      )}
      <form ref={form} onSubmit={submit} noValidate>
        <ErrorAlert error={error} title="The invitation could not be accepted" hints={INVITE_HINTS} />
        <Field
          label="Your name"
          name="name"
          value={name}
          onInput={setName}
          autoComplete="name"
          error={errors.name}
          hint="Leave empty to keep the name the inviting admin entered."
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onInput={setPassword}
          required
          autoComplete="new-password"
          error={errors.password}
          hint={<PasswordHint value={password} error={errors.password} />}
        />
        <Field
          label="Repeat the password"
          name="confirm"
          type="password"
          value={confirm}
          onInput={setConfirm}
          required
          autoComplete="new-password"
          error={errors.confirm}
        />
        <Button type="submit" variant="primary" busy={busy} busyLabel="Creating your account…" class="btn-block">
          Create my account
        </Button>
      </form>
    </AuthLayout>
  );
}
