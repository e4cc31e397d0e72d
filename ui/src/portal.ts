// The user portal's logic, kept apart from the screen so it is unit-tested: what a
// linked user's state means and what to do next, which preferences the admin
// locked, the preferences form → UserOverridesInput, and the outcome messages of
// the sign-ins that end on the login page or the portal.

import type { MyLinksQuery, UserOverridesInput } from './gql/graphql';

export type PortalLink = MyLinksQuery['myLinks'][number];

/** PortalState is a link's state in words, with the next step for the user. */
export interface PortalState {
  tone: 'ok' | 'warn' | 'error';
  title: string;
  next: string;
}

const AUTH_RE = /(401|unauthori[sz]ed|invalid_grant|consent|refresh token|sign in|signed in|expired token|AADSTS)/i;

/**
 * portalState says how a link is doing and what the user can do about it. The
 * order matters: a mailbox that still needs the user's authorization is the first
 * thing to fix; a stopped sync comes before a single failed run.
 */
export function portalState(l: PortalLink): PortalState {
  const s = l.status;
  const reauth = l.mailboxSignIn ? 'Select “Authorize my mailbox” and sign in with Microsoft again.' : 'Ask your administrator to check the connection to your mailbox.';
  if (l.mailboxSignIn && !l.mailboxAuthorized) {
    return { tone: 'warn', title: 'Your mailbox is not authorized yet', next: 'Select “Authorize my mailbox” and sign in with your Microsoft account. Syncing starts right after.' };
  }
  if (!s) return { tone: 'ok', title: 'Waiting for the first sync', next: 'Nothing to do: the first sync starts within a few minutes.' };
  if (s.paused) return { tone: 'warn', title: 'Paused by your administrator', next: 'Changes wait until your administrator resumes the sync; nothing is lost.' };
  const err = s.breakerReason || s.lastError || '';
  if (s.breaker !== 'closed') {
    return {
      tone: 'error',
      title: `Sync stopped after ${s.failures} failed attempts`,
      next: AUTH_RE.test(err) ? reauth : 'It retries by itself later. If the problem stays, tell your administrator what the error below says.',
    };
  }
  if (s.lastError) {
    return {
      tone: 'warn',
      title: 'The last sync failed',
      next: AUTH_RE.test(s.lastError) ? reauth : 'It retries at the next run. Select “Sync now” to try at once; if it keeps failing, tell your administrator.',
    };
  }
  if (l.quarantine.length > 0) {
    const n = l.quarantine.length;
    return {
      tone: 'warn',
      title: `${n} item${n === 1 ? '' : 's'} cannot be synced`,
      next: 'Change the item named below where it says (for example shorten a too long text); the next sync reads it again.',
    };
  }
  if (s.running) return { tone: 'ok', title: 'Syncing now', next: '' };
  if (s.queued) return { tone: 'ok', title: 'Queued to sync', next: '' };
  if (s.lastOk) return { tone: 'ok', title: 'In sync', next: '' };
  return { tone: 'ok', title: 'Waiting for the first sync', next: 'Nothing to do: the first sync starts within a few minutes.' };
}

/** LOCKED explains a preference the admin does not let users change. */
export const LOCKED = 'Locked by your administrator for this profile.';

/** PrefsForm is the preferences form's state: '' means "use the profile's setting". */
export interface PrefsForm {
  directions: Record<string, string>;
  filters: { skipPrivate: boolean; skipAllDay: boolean; skipFree: boolean; skipRecurring: boolean } | null;
  daysBack: string;
  daysAhead: string;
}

/** prefsFromLink fills the form from the link's overrides. */
export function prefsFromLink(l: PortalLink): PrefsForm {
  const o = l.overrides;
  const directions: Record<string, string> = {};
  for (const d of o.directions) directions[d.kind] = d.direction;
  return {
    directions,
    filters: o.filters ? { ...o.filters } : null,
    daysBack: o.daysBack == null ? '' : String(o.daysBack),
    daysAhead: o.daysAhead == null ? '' : String(o.daysAhead),
  };
}

function days(field: 'daysBack' | 'daysAhead', v: string, errors: Record<string, string>): number | null {
  const t = v.trim();
  if (t === '') return null;
  if (!/^\d+$/.test(t) || Number(t) > 3650) {
    errors[field] = 'Enter a whole number of days from 0 to 3650, or leave it empty for the profile’s setting.';
    return null;
  }
  return Number(t);
}

/**
 * prefsInput turns the form into the mutation's input, sending only what the
 * profile lets users change (a locked field is left out, so it keeps the
 * profile's setting). errors names the fields at fault.
 */
export function prefsInput(l: PortalLink, f: PrefsForm): { input: UserOverridesInput; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const input: UserOverridesInput = {};
  if (l.userMay.directions) {
    const ds = Object.entries(f.directions)
      .filter(([, d]) => d !== '')
      .map(([kind, direction]) => ({ kind, direction }));
    if (ds.length > 0) input.directions = ds as UserOverridesInput['directions'];
  }
  if (l.userMay.filters && f.filters) input.filters = { ...f.filters };
  if (l.userMay.window) {
    const back = days('daysBack', f.daysBack, errors);
    const ahead = days('daysAhead', f.daysAhead, errors);
    if (back !== null) input.daysBack = back;
    if (ahead !== null) input.daysAhead = ahead;
  }
  return { input, errors };
}

/** loginSignInMessage explains why a Sign in with SuperOffice ended on the login page (?signin=<reason>), or ''. */
export function loginSignInMessage(search: string): string {
  const reason = new URLSearchParams(search).get('signin');
  switch (reason) {
    case null:
    case '':
      return '';
    case 'not_linked':
      return 'Your CRM user is not linked to a mailbox here. Ask your administrator to link you, then sign in again.';
    case 'admin_account':
      return 'Your address belongs to an administrator account: sign in with your e-mail address and password instead.';
    case 'other_browser':
    case 'unknown_state':
      return 'The sign-in expired or was started in another browser. Start it again from this page.';
    case 'access_denied':
      return 'The sign-in was cancelled at SuperOffice. Start it again when you are ready.';
    case 'unknown_provider':
      return 'That sign-in option is no longer available. Choose another one, or ask your administrator.';
    default:
      return `Signing in with SuperOffice did not work (${reason}). Try again; if it keeps failing, ask your administrator.`;
  }
}

/** portalSignInMessage explains the outcome of "Authorize my mailbox" (?signin=ok|error&reason=…), or null. */
export function portalSignInMessage(search: string): { ok: boolean; text: string } | null {
  const q = new URLSearchParams(search);
  const v = q.get('signin');
  if (v === 'ok') return { ok: true, text: 'Your mailbox is authorized. Your first sync starts within a few minutes.' };
  if (v !== 'error') return null;
  const reason = q.get('reason') ?? '';
  if (reason === 'wrong_account') {
    return { ok: false, text: 'You signed in with a different Microsoft account than the mailbox linked to you, so nothing was saved. Select “Authorize my mailbox” again and choose your own mailbox’s account.' };
  }
  if (reason === 'access_denied' || reason === 'consent_required') {
    return { ok: false, text: 'The authorization was cancelled or refused at Microsoft. Select “Authorize my mailbox” to try again; if your organisation must approve the app first, ask your administrator.' };
  }
  return { ok: false, text: `Authorizing your mailbox did not work (${reason || 'unknown reason'}). Select “Authorize my mailbox” to try again; if it keeps failing, ask your administrator.` };
}
