// The profile wizard: general → systems → what to sync → users → review. Each
// step is checked before the next; creating stores the secrets, saves the profile
// and links the users, showing each step's progress. An error the server names a
// field for (extensions.field) takes the reader back to that field. Step 2 tests
// each system's connection live (testSystem), step 4 matches users by e-mail
// (suggestLinks), step 5 shows both systems' checks. With editId the wizard edits
// a saved profile: its id is fixed, secrets show as set, and saving links the
// added users and unlinks the removed ones after a confirmation naming them.
//
// "Sign in with SuperOffice" / "Sign in with Microsoft" on step 2 need a saved
// profile: in a new one they save it as a draft first (without users, so it
// syncs nothing), keep the wizard's state without secrets in sessionStorage
// (wizard.ts keepDraft), and the provider's callback returns to the wizard of
// that profile (returnTo), which restores the state at step 2 with the outcome
// next to the system. After saving, the ticked users get their portal
// invitation by e-mail, or, without SMTP settings, as links to copy.

import type { ComponentChildren } from 'preact';
import { useEffect, useId, useMemo, useRef, useState } from 'preact/hooks';
import { checksApi } from '../api/checks';
import { ApiError, asApiError } from '../api/client';
import { Button, ConfirmDialog, CopyButton, ErrorAlert, Field, Link, Loading, Notice, PageHeader } from '../components';
import { useApp } from '../context';
import { formatTime, sentence } from '../format';
import type { ConflictPolicy, DeletePolicy, SuggestLinksQuery, SyncDirection, SyncKind } from '../gql/graphql';
import { navigate } from '../nav';
import {
  checkStep,
  CONNECTORS,
  CSV_HEADER,
  type Draft,
  draftFromProfile,
  DRAFT_KEY,
  type InviteOutcome,
  invitees,
  invitesByDefault,
  keepDraft,
  linkInputs,
  MAPPING_KEYS,
  newDraft,
  newSystem,
  type Problems,
  profileInput,
  readKeptDraft,
  restoreDraft,
  safeReturnTo,
  sameSystem,
  sendInvitations,
  secretIsSet,
  secretsToStore,
  STEPS,
  stepOfField,
  type SystemDraft,
  systemInput,
  type UserDraft,
  userChanges,
  usersFromCSV,
  usersFromSuggestions,
  usersToCSV,
  wizardPath,
} from '../wizard';
import { type Report, SystemReport } from './checks';
import { MappingPanel } from './mapping';
import { PreviewPanel } from './preview';
import { KIND, LoadError, SIGN_IN, signInResult } from './sync';

const DIRS: Array<[SyncDirection, string]> = [
  ['TWO_WAY', 'Both ways'],
  ['CRM_TO_MAILBOX', 'CRM → mailbox only'],
  ['MAILBOX_TO_CRM', 'Mailbox → CRM only'],
  ['OFF', 'Off'],
];

export function Select(props: { label: string; value: string; options: Array<[string, string]>; onChange: (v: string) => void; error?: string; hint?: string }) {
  const id = useId();
  return (
    <div class={`field${props.error ? ' field-invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      <select
        id={id}
        value={props.value}
        onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={[props.error ? `${id}-err` : '', props.hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined}
      >
        {props.options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      {props.error && (
        <p class="field-error" id={`${id}-err`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

function TextArea(props: { label: string; value: string; onInput: (v: string) => void; error?: string; hint?: ComponentChildren; rows?: number }) {
  const id = useId();
  return (
    <div class={`field${props.error ? ' field-invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      <textarea
        id={id}
        rows={props.rows ?? 6}
        value={props.value}
        onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={[props.error ? `${id}-err` : '', props.hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined}
        spellcheck={false}
      />
      {props.error && (
        <p class="field-error" id={`${id}-err`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

export function Check(props: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean; describedBy?: string }) {
  const id = useId();
  return (
    <div class="check">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={props.describedBy}
        onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id}>{props.label}</label>
    </div>
  );
}

/**
 * FileSecret loads a secret from a file, keeping its line breaks (a PEM key or
 * certificate cannot be typed into a one-line field). The value is not shown.
 */
function FileSecret(props: { label: string; loaded: boolean; onLoad: (text: string) => void }) {
  const id = useId();
  const [note, setNote] = useState('');
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <p class="hint" id={`${id}-hint`}>
        For keys and certificates (PEM): their line breaks are kept.
      </p>
      <input
        id={id}
        type="file"
        aria-describedby={`${id}-hint ${id}-note`}
        onChange={async (e) => {
          const f = (e.currentTarget as HTMLInputElement).files?.[0];
          if (!f) return;
          if (f.size > 64 * 1024) {
            setNote(`${f.name} is larger than 64 KB; choose the key or certificate file itself.`);
            return;
          }
          try {
            props.onLoad(await f.text());
            setNote(`Loaded ${f.name} (${f.size} bytes).`);
          } catch {
            setNote(`Could not read ${f.name}; check the file and choose it again.`);
          }
        }}
      />
      <p class="hint" id={`${id}-note`} role="status">
        {note || (props.loaded ? 'A multi-line value is loaded.' : '')}
      </p>
    </div>
  );
}

/** Progress is one line of the create progress list. */
interface Progress {
  label: string;
  state: 'waiting' | 'running' | 'done' | 'failed';
}

/** SideTest is the state of one system's connection test. */
interface SideTest {
  phase: '' | 'secrets' | 'testing';
  report: Report | null;
  error: ApiError | null;
}

const NO_TEST: SideTest = { phase: '', report: null, error: null };
const SIDES = ['crm', 'mailbox'] as const;
type SideKey = (typeof SIDES)[number];
const SIDE_LABEL: Record<SideKey, string> = { crm: 'CRM', mailbox: 'Mailboxes' };

/** SignInState is one system's "Sign in with …" on step 2: saving the draft, opening the provider, its outcome. */
interface SignInState {
  phase: '' | 'saving' | 'opening';
  error: ApiError | null;
  outcome: { ok: boolean; reason: string } | null;
}

const NO_SIGN_IN: SignInState = { phase: '', error: null, outcome: null };

/** session reads, writes or clears the kept draft; a browser without sessionStorage keeps nothing. */
const session = {
  get(): string | null {
    try {
      return window.sessionStorage.getItem(DRAFT_KEY);
    } catch {
      return null;
    }
  },
  set(v: string): boolean {
    try {
      window.sessionStorage.setItem(DRAFT_KEY, v);
      return true;
    } catch {
      return false;
    }
  },
  clear() {
    try {
      window.sessionStorage.removeItem(DRAFT_KEY);
    } catch {
      /* nothing kept */
    }
  },
};

/** hasSignIn reports whether a system offers "Sign in with …" (an on-site SuperOffice signs in with a user and password). */
function hasSignIn(s: SystemDraft): boolean {
  if (!SIGN_IN[s.type]) return false;
  if (s.type === 'superoffice') {
    const mode = (() => {
      try {
        return (JSON.parse(s.settings) as { mode?: unknown }).mode;
      } catch {
        return undefined;
      }
    })();
    return mode !== 'onsite';
  }
  return true;
}

/**
 * WizardScreen creates a sync profile step by step, or edits the saved profile editId. search is the address's
 * query: ?signin=ok|error&reason=… when a sign-in started from the wizard came back.
 */
export function WizardScreen(props: { editId?: string; search?: string } = {}) {
  const { api } = useApp();
  const ck = useMemo(() => checksApi(api), [api]);
  const editing = !!props.editId;
  const [d, setD] = useState<Draft>(newDraft);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [loaded, setLoaded] = useState(!editing);
  const [loadTick, setLoadTick] = useState(0);
  const [step, setStep] = useState(0);
  const [problems, setProblems] = useState<Problems>({});
  const [general, setGeneral] = useState<ApiError | null>(null);
  const [progress, setProgress] = useState<Progress[]>([]);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState(false);
  const [csv, setCsv] = useState('');
  const [csvErrors, setCsvErrors] = useState<string[]>([]);
  const [tests, setTests] = useState<Record<SideKey, SideTest>>({ crm: NO_TEST, mailbox: NO_TEST });
  const [suggest, setSuggest] = useState<{ busy: boolean; error: ApiError | null; result: SuggestLinksQuery['suggestLinks'] | null; added: number }>({
    busy: false,
    error: null,
    result: null,
    added: 0,
  });
  const [confirm, setConfirm] = useState<string[] | null>(null);
  const [signIns, setSignIns] = useState<Record<SideKey, SignInState>>({ crm: NO_SIGN_IN, mailbox: NO_SIGN_IN });
  /** draftId is the id this wizard saved a new profile under as a draft (to sign in); fromNew: restored from such a draft. */
  const [draftId, setDraftId] = useState('');
  const [fromNew, setFromNew] = useState(false);
  /** returned is the outcome of a sign-in that came back without a kept draft (shown at the top). */
  const [returned, setReturned] = useState<{ ok: boolean; reason: string } | null>(null);
  const [invites, setInvites] = useState<InviteOutcome[]>([]);
  const [noSmtp, setNoSmtp] = useState(false);
  /** smtp: whether SMTP settings are saved (asked on the review step when someone is to be invited); null: unknown. */
  const [smtp, setSmtp] = useState<boolean | null>(null);
  const body = useRef<HTMLDivElement>(null);
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const setSys = (side: SideKey, patch: Partial<SystemDraft>) => {
    setD((x) => ({ ...x, [side]: { ...x[side], ...patch } }));
    // A changed configuration makes an earlier test result stale.
    setTests((t) => ({ ...t, [side]: NO_TEST }));
  };
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;

  useEffect(() => {
    if (!props.editId) return;
    let live = true;
    setLoadError(null);
    (async () => {
      try {
        const r = await ck.editProfile({ id: props.editId! });
        const p = r.syncProfile;
        if (!p) throw new ApiError('NOT_FOUND', `There is no profile “${props.editId}”; it may have been deleted.`);
        const known = (type: string) => CONNECTORS[type]?.secrets ?? [];
        const [c, m] = await Promise.all([
          known(p.crm.type).length ? ck.secretsSet({ instance: p.crm.instance, names: known(p.crm.type) }) : { systemSecretsSet: [] as string[] },
          known(p.mailbox.type).length ? ck.secretsSet({ instance: p.mailbox.instance, names: known(p.mailbox.type) }) : { systemSecretsSet: [] as string[] },
        ]);
        if (!live) return;
        const server = draftFromProfile(p, { crm: c.systemSecretsSet, mailbox: m.systemSecretsSet });
        const outcome = signInResult(props.search ?? '');
        const kept = outcome ? readKeptDraft(session.get(), p.id, Date.now()) : null;
        if (outcome && kept) {
          // Back from a sign-in started on step 2: the wizard's state as it was, with the outcome next to the system.
          setD(restoreDraft(server, kept, outcome.ok));
          setFromNew(kept.fromNew);
          setSignIns((x) => ({ ...x, [kept.side]: { phase: '', error: null, outcome } }));
          setStep(1);
        } else {
          setD(server);
          setReturned(outcome);
        }
        setLoaded(true);
      } catch (err) {
        if (live) setLoadError(asApiError(err));
      }
    })();
    return () => {
      live = false;
    };
  }, [props.editId, loadTick]);

  useEffect(() => {
    // Focus the first invalid field after a failed check, else the step's heading.
    const el = body.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? body.current?.querySelector<HTMLElement>('h2');
    el?.focus();
  }, [step, problems]);

  const next = () => {
    const p = checkStep(d, step);
    setProblems(p);
    if (Object.keys(p).length === 0) setStep(step + 1);
  };
  const goto = (i: number) => {
    for (let s = 0; s < i; s++) {
      const p = checkStep(d, s);
      if (Object.keys(p).length) {
        setProblems(p);
        setStep(s);
        return;
      }
    }
    setProblems({});
    setStep(i);
  };

  /** storeSecrets stores the secrets of a side that have a value (setSystemSecrets); empty values keep the stored ones. */
  const storeSecrets = async (side: SideKey) => {
    const sec = secretsToStore(d[side]);
    if (sec.length) await api.setSystemSecrets({ instance: d[side].instance.trim(), secrets: sec });
  };

  /** testSide stores a side's secrets and runs its connection test; a settings error goes to the settings field. */
  const testSide = async (side: SideKey): Promise<boolean> => {
    const p = Object.fromEntries(Object.entries(checkStep(d, 1)).filter(([k]) => k.startsWith(side + '.')));
    if (Object.keys(p).length) {
      setProblems(p);
      return false;
    }
    if (Object.keys(problems).some((k) => k.startsWith(side + '.'))) {
      setProblems((x) => Object.fromEntries(Object.entries(x).filter(([k]) => !k.startsWith(side + '.'))));
    }
    const put = (t: SideTest) => setTests((x) => ({ ...x, [side]: t }));
    put({ phase: 'secrets', report: null, error: null });
    try {
      await storeSecrets(side);
      put({ phase: 'testing', report: null, error: null });
      const r = await ck.testSystem({ system: systemInput(d[side]), profileId: editing ? d.id : undefined });
      put({ phase: '', report: r.testSystem, error: null });
      return r.testSystem.ok;
    } catch (err) {
      const e = asApiError(err);
      const f = e.field ?? '';
      if (e.code === 'BAD_USER_INPUT' && f.startsWith('system.')) {
        const rest = f.slice('system.'.length);
        const key = rest === 'instance' || rest === 'type' ? `${side}.${rest}` : `${side}.settings`;
        const reason = e.message.startsWith(f + ':') ? e.message.slice(f.length + 1).trim() : e.message;
        // A settings key stays named ("settings.titleTemplate: …"), as the mapping panel names it.
        setProblems((x) => ({ ...x, [key]: rest.startsWith('settings.') ? `${rest}: ${reason}` : sentence(reason) }));
        put(NO_TEST);
        return false;
      }
      put({ phase: '', report: null, error: e });
      return false;
    }
  };

  // The review step shows both systems' checks: run them when it opens (and on request).
  const reviewTests = () => Promise.all(SIDES.map((s) => testSide(s)));
  useEffect(() => {
    if (step === 4 && loaded && SIDES.some((s) => !tests[s].report && !tests[s].phase && !tests[s].error)) void reviewTests();
  }, [step]);

  const matchUsers = async () => {
    setSuggest({ busy: true, error: null, result: null, added: 0 });
    try {
      await storeSecrets('crm');
      await storeSecrets('mailbox');
      const r = await ck.suggestLinks({ crm: systemInput(d.crm), mailbox: systemInput(d.mailbox), profileId: editing ? d.id : undefined });
      const merged = usersFromSuggestions(d.users, r.suggestLinks.pairs);
      set({ users: merged.users });
      setSuggest({ busy: false, error: null, result: r.suggestLinks, added: merged.added });
    } catch (err) {
      setSuggest({ busy: false, error: asApiError(err), result: null, added: 0 });
    }
  };

  /**
   * startSignIn opens "Sign in with …" for a side. A new profile is saved first as a draft — without users, so it
   * syncs nothing — after its steps 1 and 2 pass their checks; an edited one signs in with its saved settings. The
   * wizard's state (without secrets) is kept in sessionStorage, and the provider returns to this wizard.
   */
  const startSignIn = async (side: SideKey) => {
    for (const s of [0, 1]) {
      const p = checkStep(d, s);
      if (Object.keys(p).length) {
        setProblems(p);
        setStep(s);
        return;
      }
    }
    setProblems({});
    const put = (x: SignInState) => setSignIns((all) => ({ ...all, [side]: x }));
    const id = d.id.trim();
    const isNew = !editing;
    put({ phase: 'saving', error: null, outcome: null });
    try {
      if (isNew && draftId !== id) {
        const existing = await ck.editProfile({ id });
        if (existing.syncProfile) {
          setProblems({ id: `A profile with the id ${id} exists already; choose another id (signing in saves this one as a draft).` });
          setStep(0);
          put(NO_SIGN_IN);
          return;
        }
      }
      // The sign-in reads the system's client id and secret from what is saved.
      for (const s of isNew ? SIDES : [side]) await storeSecrets(s);
      if (isNew) {
        await api.saveProfile({ input: profileInput(d) });
        setDraftId(id);
      }
      put({ phase: 'opening', error: null, outcome: null });
      const returnTo = safeReturnTo(wizardPath(id));
      if (!returnTo) throw new ApiError('BAD_USER_INPUT', `The profile id ${id} cannot be part of an address.`, { field: 'id' });
      session.set(keepDraft(d, { profileId: id, side, fromNew: isNew || fromNew, now: Date.now() }));
      const r = await ck.beginWizardSignIn({ profileId: id, side: side === 'crm' ? 'CRM' : 'MAILBOX', returnTo });
      window.location.assign(r.beginSystemSignIn.url);
    } catch (err) {
      session.clear();
      const e = asApiError(err);
      const f = (e.field ?? '').replace(/^input\./, '');
      if (e.code === 'BAD_USER_INPUT' && f && !f.startsWith('secrets.') && f !== 'returnTo' && f !== 'side' && f !== 'userId') {
        // A field of the draft (saveSyncProfile) or a setting the sign-in needs (clientId, loginUrl): next to the field.
        const where = f.startsWith('crm.') || f.startsWith('mailbox.') || f === 'id' || f === 'name' ? stepOfField(f) : { step: 1, key: `${side}.settings` };
        if (where.key) {
          setProblems({ [where.key]: sentence(e.message.startsWith(e.field + ':') ? e.message.slice((e.field ?? '').length + 1).trim() : e.message) });
          setStep(where.step);
          put(NO_SIGN_IN);
          return;
        }
      }
      put({ phase: '', error: e, outcome: null });
    }
  };

  const invitedNow = invitees(d);
  useEffect(() => {
    // The review step says how the invitations go out: by e-mail, or as links to copy.
    if (step !== 4 || !invitedNow.length || smtp !== null) return;
    let live = true;
    api
      .smtpSettings()
      .then((r) => live && setSmtp(!!r.smtpSettings))
      .catch(() => {
        /* unknown: the save finds out */
      });
    return () => {
      live = false;
    };
  }, [step, invitedNow.length]);

  /** invite sends the portal invitations after saving (sendInvitations), marking each user's progress line. */
  const invite = async (profileId: string, who: UserDraft[], mark: (i: number, state: Progress['state']) => void, first: number) => {
    if (!who.length) return;
    const r = await sendInvitations(api, profileId, who, (out, i) => {
      setInvites(out);
      const st = out[i].state;
      mark(first + i, st === 'sending' ? 'running' : st === 'sent' || st === 'link' ? 'done' : 'failed');
    });
    setNoSmtp(r.mailOff);
  };

  const save = async (confirmed: boolean) => {
    for (let s = 0; s < 4; s++) {
      const p = checkStep(d, s);
      if (Object.keys(p).length) {
        setProblems(p);
        setStep(s);
        return;
      }
    }
    const changes = d.saved ? userChanges(d.saved.users, d.users) : { link: d.users.filter((u) => !u.skip), unlink: [] };
    if (changes.unlink.length && !confirmed) {
      setConfirm(changes.unlink);
      return;
    }
    const links = linkInputs({ ...d, users: changes.link });
    const who = invitees(d);
    const plan: Progress[] = [
      { label: 'Storing the secrets (write-only)', state: 'waiting' },
      { label: 'Saving the profile', state: 'waiting' },
      ...links.map((l) => ({ label: `Linking ${l.id}`, state: 'waiting' as const })),
      ...changes.unlink.map((id) => ({ label: `Unlinking ${id}`, state: 'waiting' as const })),
      ...who.map((u) => ({ label: `Inviting ${u.id}`, state: 'waiting' as const })),
    ];
    setProgress(plan);
    setBusy(true);
    setGeneral(null);
    const mark = (i: number, state: Progress['state']) => {
      plan[i] = { ...plan[i], state };
      setProgress([...plan]);
    };
    let at = 0;
    try {
      mark(0, 'running');
      for (const side of SIDES) await storeSecrets(side);
      mark(0, 'done');
      at = 1;
      mark(1, 'running');
      await api.saveProfile({ input: profileInput(d) });
      mark(1, 'done');
      for (let i = 0; i < links.length; i++) {
        at = 2 + i;
        mark(at, 'running');
        await api.linkUser({ input: links[i] });
        mark(at, 'done');
      }
      for (let i = 0; i < changes.unlink.length; i++) {
        at = 2 + links.length + i;
        mark(at, 'running');
        await ck.unlinkUser({ profileId: d.id.trim(), userId: changes.unlink[i] });
        mark(at, 'done');
      }
      // The profile is saved and its users linked: an invitation that fails is reported, not a failed save.
      await invite(d.id.trim(), who, mark, 2 + links.length + changes.unlink.length);
      session.clear();
      setCreated(true);
    } catch (err) {
      mark(at, 'failed');
      const e = asApiError(err);
      if (e.code === 'BAD_USER_INPUT' && e.field && at < 2 + links.length) {
        const linked = at >= 2 ? d.users.findIndex((u) => u.id.trim() === links[at - 2].id) : -1;
        const where = stepOfField(e.field, at >= 2 ? linked : undefined);
        if (where.key) {
          setProblems({ [where.key]: sentence(e.field && e.message.startsWith(e.field + ':') ? e.message.slice(e.field.length + 1) : e.message) });
          setStep(where.step);
          setBusy(false);
          return;
        }
      }
      setGeneral(e);
    }
    setBusy(false);
  };

  const crumb = (
    <p class="breadcrumb">
      <Link href="/profiles">Profiles</Link> <span aria-hidden="true">›</span> {fromNew ? 'New profile (draft)' : editing ? `Edit ${props.editId}` : 'New profile'}
    </p>
  );
  if (editing && !loaded) {
    return (
      <>
        {crumb}
        <PageHeader title="Edit sync profile" />
        {loadError ? <LoadError error={loadError} what="the profile" onRetry={() => setLoadTick((t) => t + 1)} /> : <Loading label="Loading the profile…" />}
      </>
    );
  }

  const isNewProfile = !editing || fromNew;
  if (created) {
    const pid = encodeURIComponent(d.id.trim());
    const n = d.users.filter((u) => !u.skip).length;
    const links = invites.filter((x) => x.state === 'link');
    return (
      <>
        <PageHeader title={isNewProfile ? 'Profile created' : 'Profile saved'} />
        <Notice kind="success">
          {!isNewProfile
            ? `“${d.name}” is saved; the scheduler follows the changes at once.`
            : `“${d.name}” is saved and active${n ? ` and ${n} users are linked; their first sync is scheduled now` : ''}.`}
        </Notice>
        {invites.length > 0 && (
          <section class="card" aria-labelledby="invites-h">
            <h2 id="invites-h">Portal invitations</h2>
            {noSmtp && (
              <Notice kind="warning">
                E-mail is not set up (<Link href="/settings">Settings</Link>), so no invitation was mailed. Hand these links over another way: each signs its
                user in to their portal once, without a password, and is valid for 7 days; a newer invitation replaces it.
              </Notice>
            )}
            <ul class="invite-list">
              {invites.map((x) => (
                <li key={x.userId} class={`invite-${x.state}`}>
                  <strong>{x.userId}</strong> {x.email && <span class="muted">{x.email}</span>}:{' '}
                  {x.state === 'sent' && <>invitation e-mailed{x.expiresAt ? ` (the link works until ${formatTime(x.expiresAt)})` : ''}.</>}
                  {x.state === 'not-sent' && <>not sent: {x.message}</>}
                  {x.state === 'failed' && <>no invitation: {x.message}</>}
                  {(x.state === 'waiting' || x.state === 'sending') && <>not sent.</>}
                  {x.state === 'link' && x.link && (
                    <>
                      invitation link{x.expiresAt ? ` (valid until ${formatTime(x.expiresAt)})` : ''}:{' '}
                      <code class="wrap" data-testid="wizard-invitation-link">
                        {x.link}
                      </code>{' '}
                      <CopyButton text={x.link} label={`Copy the link for ${x.userId}`} />
                    </>
                  )}
                </li>
              ))}
            </ul>
            {links.length > 0 && <p class="hint">The links are shown only here; a user's page can make a new one (which replaces the old).</p>}
          </section>
        )}
        <p>
          <Link href={`/profiles/${pid}`}>Open the profile</Link> to sign in to its systems where they need it ·{' '}
          <Link href={`/profiles/${pid}/checks`}>Run the checks</Link> · <Link href="/users">Watch the users sync</Link>
        </p>
      </>
    );
  }

  const testView = (side: SideKey) => {
    const t = tests[side];
    return (
      <div class="system-test">
        <Button onClick={() => testSide(side)} busy={!!t.phase} busyLabel={t.phase === 'secrets' ? 'Storing the secrets…' : 'Testing the connection…'} disabled={busy}>
          Test connection
        </Button>
        <div class="system-test-result" role="status" aria-live="polite">
          {t.phase && <Loading label={t.phase === 'secrets' ? `${SIDE_LABEL[side]}: storing the secrets…` : `${SIDE_LABEL[side]}: testing the connection…`} />}
          {t.report && <SystemReport title={SIDE_LABEL[side]} report={t.report} />}
        </div>
        <ErrorAlert error={t.error} title="The test did not run" />
      </div>
    );
  };

  const signInView = (side: SideKey) => {
    const s = d[side];
    const si = signIns[side];
    if (!hasSignIn(s)) {
      return s.type === 'superoffice' ? (
        <p class="hint">An on-site SuperOffice signs in with the NetServer address and a user (settings) and its password (secret): no sign-in page.</p>
      ) : null;
    }
    const label = SIGN_IN[s.type];
    const stale = editing && d.saved?.systems && !sameSystem(systemInput(s), d.saved.systems[side]);
    const draft = !editing && draftId !== d.id.trim();
    const hintId = `signin-hint-${side}`;
    return (
      <div class="system-signin">
        <Button onClick={() => startSignIn(side)} busy={!!si.phase} busyLabel={si.phase === 'saving' ? 'Saving the draft…' : 'Opening the sign-in…'} disabled={busy} aria-describedby={hintId}>
          {label}
        </Button>
        <p class="hint" id={hintId}>
          {draft
            ? 'Signing in needs a saved profile: this saves it as a draft first (no users yet, so nothing syncs until users are linked), then opens the sign-in page and comes back here.'
            : stale
              ? 'The sign-in uses the saved settings of this system: save your changes first if the client id or the login address changed. Your other changes stay in the wizard.'
              : 'Opens the sign-in page and comes back here; what it yields is stored encrypted and never shown.'}
        </p>
        <div role="status" aria-live="polite">
          {si.outcome?.ok && <Notice kind="success">{SIDE_LABEL[side]}: signed in. The connection is stored (encrypted, never shown); test the connection to see it work.</Notice>}
          {si.outcome && !si.outcome.ok && (
            <div class="alert alert-warning">
              <p class="alert-title">{SIDE_LABEL[side]}: the sign-in did not complete</p>
              <p>{si.outcome.reason ? sentence(si.outcome.reason.replace(/_/g, ' ')) : 'The provider did not say why.'} Check the client id and secret, then sign in again.</p>
            </div>
          )}
        </div>
        <ErrorAlert error={si.error} title="The sign-in did not start" />
      </div>
    );
  };

  const sysStep = (side: SideKey) => {
    const s = d[side];
    const types = Object.entries(CONNECTORS).filter(([, c]) => c.side === side);
    const known = CONNECTORS[s.type]?.secrets ?? [];
    return (
      <fieldset class="wizard-system">
        <legend>{SIDE_LABEL[side]}</legend>
        <Select
          label="System"
          value={s.type}
          options={types.map(([t, c]) => [t, c.label])}
          onChange={(t) => setSys(side, { ...newSystem(t, s.instance), instance: s.instance })}
          error={problems[`${side}.type`]}
        />
        <Field
          label="Connection name"
          value={s.instance}
          onInput={(v) => setSys(side, { instance: v })}
          hint="Profiles that name the same connection share its sign-in and its rate limits."
          error={problems[`${side}.instance`]}
          required
        />
        <TextArea
          label="Settings (JSON)"
          value={s.settings}
          onInput={(v) => setSys(side, { settings: v })}
          hint={
            s.secretFields?.length
              ? `Secret settings set: ${s.secretFields.join(', ')} (not shown); leave them out to keep them.`
              : 'Start from the template; docs/connectors names every setting.'
          }
          error={problems[`${side}.settings`]}
          rows={7}
        />
        <p class="hint">
          Secrets are write-only: they are stored encrypted and never shown again.{known.length ? ` This system uses: ${known.join(', ')}.` : ''}
        </p>
        {s.secrets.map((sec, i) => {
          const isSet = secretIsSet(s, sec.name);
          return (
            <div class="secret-edit" key={i}>
              <Field
                label={`Secret ${i + 1} name`}
                value={sec.name}
                onInput={(v) => setSys(side, { secrets: s.secrets.map((x, j) => (j === i ? { ...x, name: v } : x)) })}
                error={problems[`${side}.secrets.${i}`]}
              />
              <Field
                label={`Secret ${i + 1} value`}
                type="password"
                autoComplete="new-password"
                value={sec.value}
                hint={isSet ? 'Set — leave empty to keep it.' : undefined}
                onInput={(v) => setSys(side, { secrets: s.secrets.map((x, j) => (j === i ? { ...x, value: v } : x)) })}
              />
              <FileSecret
                label={`Secret ${i + 1} from a file`}
                loaded={sec.value.includes('\n')}
                onLoad={(text) => setSys(side, { secrets: s.secrets.map((x, j) => (j === i ? { ...x, value: text } : x)) })}
              />
              <Button variant="ghost" onClick={() => setSys(side, { secrets: s.secrets.filter((_, j) => j !== i) })}>
                Remove secret {i + 1}
              </Button>
            </div>
          );
        })}
        <Button onClick={() => setSys(side, { secrets: [...s.secrets, { name: known.find((k) => !s.secrets.some((x) => x.name === k)) ?? '', value: '' }] })}>
          Add a secret
        </Button>
        {signInView(side)}
        {testView(side)}
      </fieldset>
    );
  };

  const setUser = (i: number, patch: Partial<UserDraft>) => set({ users: d.users.map((u, j) => (j === i ? { ...u, ...patch } : u)) });
  const sg = suggest.result;

  return (
    <>
      {crumb}
      <PageHeader
        title={fromNew ? `New sync profile “${d.name || props.editId}”` : editing ? `Edit “${d.name || props.editId}”` : 'New sync profile'}
        intro={
          fromNew
            ? 'Saved as a draft to sign in; nothing syncs until users are linked. Finish the steps and create it on the last one.'
            : editing
              ? 'Change what you need; nothing is saved until you save on the last step.'
              : 'Five short steps; nothing is saved until you create the profile on the last one (or sign in to a system on step 2, which saves a draft).'
        }
      />
      {returned?.ok && <Notice kind="success">Signed in: the connection is stored (encrypted, never shown) and used from the next run.</Notice>}
      {returned && !returned.ok && (
        <div class="alert alert-warning" role="status">
          <p class="alert-title">The sign-in did not complete</p>
          <p>{returned.reason ? sentence(returned.reason.replace(/_/g, ' ')) : 'The provider did not say why.'}</p>
        </div>
      )}
      <ol class="steps" aria-label="Steps">
        {STEPS.map((label, i) => (
          <li key={label} class={i === step ? 'current' : i < step ? 'done' : undefined}>
            <button type="button" class="step-link" aria-current={i === step ? 'step' : undefined} onClick={() => goto(i)} disabled={busy}>
              <span class="step-n">{i + 1}</span> {label}
            </button>
          </li>
        ))}
      </ol>
      <section class="card" ref={body} aria-labelledby="step-h">
        <h2 id="step-h" tabIndex={-1}>
          {step + 1}. {STEPS[step]}
        </h2>
        {step === 0 && (
          <>
            <Field
              label="Profile id"
              value={d.id}
              onInput={(v) => set({ id: v })}
              hint={
                editing
                  ? 'The id of a saved profile cannot change.'
                  : draftId
                    ? 'Saved as a draft under this id (to sign in); it cannot change now.'
                    : 'Letters, digits and . _ @ + -; used in addresses and logs.'
              }
              error={problems.id}
              required
              disabled={editing || !!draftId}
            />
            <Field label="Name" value={d.name} onInput={(v) => set({ name: v })} hint="For example “Sales team”." error={problems.name} required />
            <p class="hint">
              Time zone check: this browser is in <strong>{tz}</strong>. Times are synced as instants with their zone, so people in other zones see
              them correctly; set the CRM's zone in its settings on the next step.
            </p>
          </>
        )}
        {step === 1 && (draftId || fromNew) && (
          <Notice kind="info">Saved as a draft; nothing syncs until users are linked (step 4, then {isNewProfile ? 'Create and activate' : 'Save changes'}).</Notice>
        )}
        {step === 1 && (
          <div class="wizard-systems">
            {sysStep('crm')}
            {sysStep('mailbox')}
          </div>
        )}
        {step === 2 && (
          <>
            <fieldset>
              <legend>Kinds and directions</legend>
              {problems.directions && <p class="field-error">{problems.directions}</p>}
              <div class="form-row">
                {(Object.keys(d.directions) as SyncKind[]).map((k) => (
                  <Select
                    key={k}
                    label={KIND[k] ?? k}
                    value={d.directions[k]}
                    options={DIRS}
                    onChange={(v) => set({ directions: { ...d.directions, [k]: v as SyncDirection } })}
                  />
                ))}
              </div>
            </fieldset>
            <fieldset>
              <legend>Window and polling</legend>
              <div class="form-row">
                <Field label="Days back" inputMode="numeric" value={d.daysBack} onInput={(v) => set({ daysBack: v })} error={problems.daysBack} />
                <Field label="Days ahead" inputMode="numeric" value={d.daysAhead} onInput={(v) => set({ daysAhead: v })} error={problems.daysAhead} />
                <Field label="Poll every (seconds)" inputMode="numeric" value={d.pollSeconds} onInput={(v) => set({ pollSeconds: v })} error={problems.pollSeconds} />
              </div>
            </fieldset>
            <fieldset>
              <legend>Filters</legend>
              <Check label="Leave out private items" checked={d.skipPrivate} onChange={(v) => set({ skipPrivate: v })} />
              <Check label="Leave out all-day items" checked={d.skipAllDay} onChange={(v) => set({ skipAllDay: v })} />
              <Check label="Leave out items shown as free" checked={d.skipFree} onChange={(v) => set({ skipFree: v })} />
              <Check label="Leave out recurring series" checked={d.skipRecurring} onChange={(v) => set({ skipRecurring: v })} />
            </fieldset>
            <fieldset>
              <legend>Conflicts and deletes</legend>
              <div class="form-row">
                <Select
                  label="When both sides changed a field"
                  value={d.policy}
                  options={[
                    ['NEWEST', 'The newest change wins'],
                    ['CRM_WINS', 'The CRM wins'],
                    ['MAILBOX_WINS', 'The mailbox wins'],
                  ]}
                  onChange={(v) => set({ policy: v as ConflictPolicy })}
                  error={problems.policy}
                />
                <Select
                  label="When one side deleted what the other changed"
                  value={d.onDelete}
                  options={[
                    ['UPDATE_WINS', 'Keep the item (recreate it)'],
                    ['DELETE_WINS', 'Delete it on both sides'],
                  ]}
                  onChange={(v) => set({ onDelete: v as DeletePolicy })}
                  error={problems.onDelete}
                />
              </div>
            </fieldset>
            <fieldset>
              <legend>Mass-change guard</legend>
              <p class="hint">A run that would delete or create more than both limits waits for your approval.</p>
              <div class="form-row">
                <Field label="Deletes: more than (items)" inputMode="numeric" value={d.guardDeletes} onInput={(v) => set({ guardDeletes: v })} error={problems['guard.deletes.count']} />
                <Field label="Deletes: and more than (%)" inputMode="numeric" value={d.guardDeletesPercent} onInput={(v) => set({ guardDeletesPercent: v })} error={problems['guard.deletes.percent']} />
                <Field label="Creates: more than (items)" inputMode="numeric" value={d.guardCreates} onInput={(v) => set({ guardCreates: v })} error={problems['guard.creates.count']} />
                <Field label="Creates: and more than (%)" inputMode="numeric" value={d.guardCreatesPercent} onInput={(v) => set({ guardCreatesPercent: v })} error={problems['guard.creates.percent']} />
              </div>
            </fieldset>
            <MappingPanel
              draft={d}
              onSettings={(v) => setSys('crm', { settings: v })}
              problems={problems}
            />
            <PreviewPanel draft={d} />
          </>
        )}
        {step === 3 && (
          <>
            <p class="hint">Link each CRM account to its mailbox. You can also link users later from the Users area.</p>
            <p class="hint" id="invite-hint">
              <strong>Invite</strong>: after saving, the wizard e-mails the user a link to their own portal (or, when e-mail is not set up, gives you the
              links to copy), where they see how their sync is doing{invitesByDefault(d.mailbox) ? ' and authorize their own mailbox' : ''}. It is ticked by default
              when users must authorize their mailbox themselves (Microsoft 365 with delegated permissions), off otherwise.
            </p>
            <div class="match-users">
              <Button variant="primary" onClick={matchUsers} busy={suggest.busy} busyLabel="Matching users…" disabled={busy}>
                Match users by e-mail
              </Button>
              <p class="hint">Lists both systems' users and pairs them by e-mail address, then by aliases; review the rows, untick or edit them.</p>
              <div role="status" aria-live="polite">
                {sg && (
                  <p>
                    {sg.pairs.length} pairs found, {suggest.added} added to the table{sg.pairs.length > suggest.added ? ` (${sg.pairs.length - suggest.added} were already in it)` : ''}.
                  </p>
                )}
              </div>
              {sg?.message && <Notice kind="warning">{sg.message}</Notice>}
              <ErrorAlert error={suggest.error} title="The users could not be matched" />
              {sg && sg.unmatchedCrm.length > 0 && (
                <div class="alert alert-warning">
                  <p class="alert-title">
                    {sg.complete ? `${sg.unmatchedCrm.length} CRM users have no mailbox with their address` : `${sg.unmatchedCrm.length} CRM users, not matched`}
                  </p>
                  <p>
                    {sg.complete
                      ? 'Add them by hand with their mailbox address (or import a CSV), or give the mailbox an alias with the CRM address and match again. An address two accounts share is not used.'
                      : 'The other system could not be listed (see above): add them by hand or import a CSV, or fix the connection and match again.'}
                  </p>
                  <ul>
                    {sg.unmatchedCrm.map((a) => (
                      <li key={a.id}>
                        {a.name || a.id} <span class="muted">{a.email || 'no e-mail address'}</span>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
            </div>
            {d.users.map((u, i) => (
              <fieldset key={i} class={`user-row${u.skip ? ' user-skipped' : ''}`}>
                <legend>
                  User {i + 1}
                  {u.match ? ` (matched by ${u.match})` : ''}
                </legend>
                <div class="check-row">
                  <Check label={`Link user ${i + 1}`} checked={!u.skip} onChange={(v) => setUser(i, { skip: !v })} />
                  <Check label={`Invite user ${i + 1}`} checked={!u.skip && (u.invite ?? invitesByDefault(d.mailbox))} disabled={!!u.skip} describedBy="invite-hint" onChange={(v) => setUser(i, { invite: v })} />
                </div>
                <div class="form-row">
                  <Field label="User id" value={u.id} onInput={(v) => setUser(i, { id: v })} error={problems[`users.${i}.id`]} />
                  <Field label="CRM account id" value={u.crmId} onInput={(v) => setUser(i, { crmId: v })} error={problems[`users.${i}.crm.id`]} />
                  <Field label="CRM e-mail" inputMode="email" value={u.crmEmail} onInput={(v) => setUser(i, { crmEmail: v, mailboxEmail: u.mailboxEmail || v })} error={problems[`users.${i}.crm.email`]} />
                  <Field label="Mailbox e-mail" inputMode="email" value={u.mailboxEmail} onInput={(v) => setUser(i, { mailboxEmail: v })} error={problems[`users.${i}.mailbox.email`]} />
                </div>
                <Button variant="ghost" onClick={() => set({ users: d.users.filter((_, j) => j !== i) })}>
                  Remove user {i + 1}
                </Button>
              </fieldset>
            ))}
            <p>
              <Button onClick={() => set({ users: [...d.users, { id: '', crmId: '', crmEmail: '', mailboxId: '', mailboxEmail: '' }] })}>Add a user</Button>
            </p>
            <TextArea
              label="Import users from CSV"
              value={csv}
              onInput={setCsv}
              hint={
                <>
                  One user a line: <code>{CSV_HEADER}</code> (the header row is optional; the mailbox e-mail defaults to the CRM e-mail).
                </>
              }
              rows={4}
            />
            <div class="form-actions">
              <Button
                onClick={() => {
                  const r = usersFromCSV(csv);
                  for (const u of r.users) if (!u.mailboxEmail && !u.mailboxId) u.mailboxEmail = u.crmEmail;
                  setCsvErrors(r.errors);
                  if (r.users.length) {
                    set({ users: [...d.users, ...r.users] });
                    setCsv('');
                  }
                }}
              >
                Import
              </Button>
              {d.users.length > 0 && (
                <a class="btn btn-secondary" download={`${d.id || 'profile'}-users.csv`} href={`data:text/csv;charset=utf-8,${encodeURIComponent(usersToCSV(d.users.filter((u) => !u.skip)))}`}>
                  Export as CSV
                </a>
              )}
            </div>
            {csvErrors.length > 0 && (
              <div class="alert alert-warning" role="alert">
                <p class="alert-title">Some lines were not imported</p>
                <ul>
                  {csvErrors.map((e) => (
                    <li key={e}>{e}</li>
                  ))}
                </ul>
              </div>
            )}
          </>
        )}
        {step === 4 && (
          <>
            <dl class="facts">
              <dt>Profile</dt>
              <dd>
                {d.name} <span class="code-name inline">{d.id}</span>
              </dd>
              <dt>CRM</dt>
              <dd>
                {CONNECTORS[d.crm.type]?.label ?? d.crm.type} ({d.crm.instance}), {secretsToStore(d.crm).length} secrets to store
              </dd>
              <dt>Mailboxes</dt>
              <dd>
                {CONNECTORS[d.mailbox.type]?.label ?? d.mailbox.type} ({d.mailbox.instance}), {secretsToStore(d.mailbox).length} secrets to store
              </dd>
              <dt>Syncs</dt>
              <dd>
                {(Object.keys(d.directions) as SyncKind[])
                  .filter((k) => d.directions[k] !== 'OFF')
                  .map((k) => `${KIND[k] ?? k}: ${DIRS.find(([v]) => v === d.directions[k])?.[1]}`)
                  .join(', ')}
              </dd>
              <dt>Window</dt>
              <dd>
                {d.daysBack} days back, {d.daysAhead} days ahead; polling every {d.pollSeconds} s
              </dd>
              <dt>Users</dt>
              <dd>
                {d.users.filter((u) => !u.skip).length
                  ? d.users
                      .filter((u) => !u.skip)
                      .map((u) => u.id)
                      .join(', ')
                  : 'none yet (link them later)'}
              </dd>
              <dt>Invitations</dt>
              <dd>
                {invitedNow.length ? (
                  <>
                    <span data-testid="review-invitees">{invitedNow.map((u) => u.id).join(', ')}</span>{' '}
                    <span class="muted">
                      {smtp === false
                        ? '(e-mail is not set up: you get the invitation links to copy instead)'
                        : smtp
                          ? '(e-mailed after saving)'
                          : '(e-mailed after saving, or links to copy when e-mail is not set up)'}
                    </span>
                  </>
                ) : (
                  'none (tick “Invite” on step 4)'
                )}
              </dd>
            </dl>
            <section class="review-checks" aria-labelledby="review-checks-h">
              <h3 id="review-checks-h">Checks of both systems</h3>
              <div class="wizard-systems">
                {SIDES.map((side) => {
                  const t = tests[side];
                  return (
                    <div key={side} role="status" aria-live="polite">
                      {t.phase && <Loading label={`${SIDE_LABEL[side]}: ${t.phase === 'secrets' ? 'storing the secrets…' : 'running the checks…'}`} />}
                      {t.report && <SystemReport title={SIDE_LABEL[side]} report={t.report} />}
                      {t.error && <ErrorAlert error={t.error} title={`${SIDE_LABEL[side]}: the checks did not run`} />}
                      {!t.phase && !t.report && !t.error && problems[`${side}.settings`] && (
                        <p class="field-error">
                          {SIDE_LABEL[side]}: {problems[`${side}.settings`]} (go back to step{' '}
                          {side === 'crm' && MAPPING_KEYS.some((k) => problems['crm.settings'].startsWith(`settings.${k}:`)) ? '3, Templates and categories' : '2'})
                        </p>
                      )}
                    </div>
                  );
                })}
              </div>
              <Button onClick={reviewTests} busy={SIDES.some((s) => !!tests[s].phase)} busyLabel="Running the checks…" disabled={busy}>
                Run the checks again
              </Button>
              {SIDES.some((s) => tests[s].report && !tests[s].report!.ok) && (
                <p class="hint">A failed check does not stop you from saving, but the sync will not work until it is fixed.</p>
              )}
            </section>
            {progress.length > 0 && (
              <ol class="progress-list" aria-label="Progress">
                {progress.map((p) => (
                  <li key={p.label} class={`progress-${p.state}`}>
                    {p.label}: {p.state === 'waiting' ? 'waiting' : p.state === 'running' ? 'in progress…' : p.state === 'done' ? 'done' : 'failed'}
                  </li>
                ))}
              </ol>
            )}
            <ErrorAlert error={general} title={isNewProfile ? 'The profile was not created' : 'The profile was not saved'} />
          </>
        )}
        <div class="form-actions wizard-nav">
          {step > 0 && (
            <Button onClick={() => goto(step - 1)} disabled={busy}>
              Back
            </Button>
          )}
          {step < 4 ? (
            <Button variant="primary" onClick={next}>
              Next: {STEPS[step + 1]}
            </Button>
          ) : (
            <Button variant="primary" onClick={() => save(false)} busy={busy} busyLabel={isNewProfile ? 'Creating…' : 'Saving…'}>
              {isNewProfile ? 'Create and activate' : 'Save changes'}
            </Button>
          )}
          <Button
            variant="ghost"
            onClick={() => {
              session.clear();
              navigate(editing || draftId ? `/profiles/${encodeURIComponent(d.id.trim())}` : '/profiles');
            }}
            disabled={busy}
          >
            Cancel
          </Button>
        </div>
      </section>
      <ConfirmDialog
        open={!!confirm}
        title={`Unlink ${confirm?.length ?? 0} user${confirm?.length === 1 ? '' : 's'}?`}
        confirmLabel="Save and unlink"
        busyLabel="Saving…"
        onClose={() => setConfirm(null)}
        onConfirm={async () => {
          setConfirm(null);
          await save(true);
        }}
      >
        <p>Saving stops syncing these users and forgets their sync state; the items already in their CRM and mailbox stay as they are:</p>
        <ul>
          {(confirm ?? []).map((id) => (
            <li key={id}>{id}</li>
          ))}
        </ul>
      </ConfirmDialog>
    </>
  );
}
