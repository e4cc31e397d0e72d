// The profile wizard's logic, kept apart from the screen so it is unit-tested:
// the draft a reader fills in, its checks before anything is sent, the mutation
// inputs built from it, the CSV of linked users, and which step an error the
// server names (extensions.field) belongs to.

import { asApiError } from './api/client';
import type {
  ConflictPolicy,
  CreatePortalInvitationMutation,
  DeletePolicy,
  EditSyncProfileQuery,
  InviteMailboxUserMutation,
  LinkMatch,
  LinkUserInput,
  ProfileInput,
  SuggestLinksQuery,
  SyncDirection,
  SyncKind,
  SystemInput,
} from './gql/graphql';

/** STEPS are the wizard's steps in order. */
export const STEPS = ['General', 'Systems', 'What to sync', 'Users', 'Review'] as const;

/** SecretDraft is one write-only secret to store for a connector instance. */
export interface SecretDraft {
  name: string;
  value: string;
}

/** SystemDraft is one system of the profile as the reader configures it. */
export interface SystemDraft {
  type: string;
  instance: string;
  /** settings is the JSON object text of the connector's settings. */
  settings: string;
  secrets: SecretDraft[];
  /** secretFields are the secret settings the saved profile holds (write-only; left out of settings, they are kept). */
  secretFields?: string[];
  /** secretsSet are the instance's secrets already stored (write-only; a value left empty keeps them). */
  secretsSet?: string[];
  /** savedInstance is the connection name secretsSet belongs to; renaming the connection needs the values again. */
  savedInstance?: string;
}

/** secretIsSet reports whether a secret of a system draft is stored already, so an empty value keeps it. */
export function secretIsSet(s: SystemDraft, name: string): boolean {
  return !!s.secretsSet?.includes(name.trim()) && s.instance.trim() === s.savedInstance;
}

/** UserDraft is one user to link: their id in the profile and their accounts. */
export interface UserDraft {
  id: string;
  crmId: string;
  crmEmail: string;
  mailboxId: string;
  mailboxEmail: string;
  /** crmName and mailboxName are the accounts' display names, when known (from matching or the saved profile). */
  crmName?: string;
  mailboxName?: string;
  /** skip leaves the row out of the links (the admin unticked a suggestion). */
  skip?: boolean;
  /** match says how the row was matched ("e-mail ann@x", "alias ann@x") when it came from suggestLinks. */
  match?: string;
  /**
   * invite says whether saving e-mails the user their portal invitation; undefined follows the mailbox system
   * (invitesByDefault). Users loaded from a saved profile start with false: they were linked before.
   */
  invite?: boolean;
}

/** Saved is what an edited profile had when it was loaded: what the wizard does not show is kept as it was. */
export interface Saved {
  users: UserDraft[];
  /** systems are the saved systems as the API takes them: a sign-in uses these, not unsaved changes. */
  systems?: { crm: SystemInput; mailbox: SystemInput };
  guard: { profileDeletes: number; profileCreates: number; profileWindowSeconds: number; guardFirstSync: boolean };
  userMay: { directions: boolean; filters: boolean; window: boolean };
}

/** Draft is everything the wizard collects. Numbers are kept as typed text. */
export interface Draft {
  id: string;
  name: string;
  crm: SystemDraft;
  mailbox: SystemDraft;
  directions: Record<SyncKind, SyncDirection>;
  daysBack: string;
  daysAhead: string;
  skipPrivate: boolean;
  skipAllDay: boolean;
  skipFree: boolean;
  skipRecurring: boolean;
  policy: ConflictPolicy;
  onDelete: DeletePolicy;
  pollSeconds: string;
  guardDeletes: string;
  guardDeletesPercent: string;
  guardCreates: string;
  guardCreatesPercent: string;
  users: UserDraft[];
  /** saved is set when the wizard edits an existing profile (its id is then fixed). */
  saved?: Saved;
}

/** CONNECTORS describes the connector types the wizard offers on each side. */
export const CONNECTORS: Record<string, { label: string; side: 'crm' | 'mailbox'; settings: Record<string, unknown>; secrets: string[] }> = {
  superoffice: {
    label: 'SuperOffice CRM',
    side: 'crm',
    settings: { mode: 'online', baseUrl: 'https://sod.superoffice.com/Cust12345/api/', loginUrl: 'https://online.superoffice.com/login', contextIdentifier: 'Cust12345', clientId: '', timeZone: 'Europe/Oslo' },
    secrets: ['partner_key', 'client_secret', 'system_token', 'password', 'ticket'],
  },
  msgraph: {
    label: 'Microsoft 365 (Graph)',
    side: 'mailbox',
    settings: { tenantId: '', clientId: '' },
    secrets: ['client-secret', 'client-certificate'],
  },
  dav: {
    label: 'CalDAV / CardDAV',
    side: 'mailbox',
    settings: { url: 'https://dav.example.com/', username: '' },
    secrets: [],
  },
};

/** newSystem returns a system draft of a connector type with its settings template. */
export function newSystem(type: string, instance: string): SystemDraft {
  const c = CONNECTORS[type];
  return { type, instance, settings: JSON.stringify(c?.settings ?? {}, null, 2), secrets: [] };
}

/** newDraft returns the wizard's starting point (the server's defaults). */
export function newDraft(): Draft {
  return {
    id: '',
    name: '',
    crm: newSystem('superoffice', 'superoffice'),
    mailbox: newSystem('msgraph', 'm365'),
    directions: { APPOINTMENT: 'TWO_WAY', TASK: 'OFF', CONTACT: 'OFF', GROUP: 'OFF' },
    daysBack: '30',
    daysAhead: '120',
    skipPrivate: false,
    skipAllDay: false,
    skipFree: false,
    skipRecurring: false,
    policy: 'NEWEST',
    onDelete: 'UPDATE_WINS',
    pollSeconds: '300',
    guardDeletes: '10',
    guardDeletesPercent: '20',
    guardCreates: '50',
    guardCreatesPercent: '50',
    users: [],
  };
}

/** Problems maps a field key (as the server names fields) to what is wrong with it. */
export type Problems = Record<string, string>;

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function intIn(v: string, min: number, max: number): boolean {
  if (!/^\d+$/.test(v.trim())) return false;
  const n = Number(v);
  return n >= min && n <= max;
}

function numIn(v: string, min: number, max: number): boolean {
  const t = v.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return false;
  const n = Number(t);
  return n >= min && n <= max;
}

/** parseSettings reads a settings text; it returns the object or a problem. */
export function parseSettings(text: string): { value?: Record<string, unknown>; problem?: string } {
  if (!text.trim()) return { value: {} };
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return { problem: 'Enter a JSON object, like {"key": "value"}.' };
    return { value: v as Record<string, unknown> };
  } catch (err) {
    return { problem: `This is not valid JSON (${err instanceof Error ? err.message : String(err)}). Check quotes and commas.` };
  }
}

/** checkStep returns the problems of one step (0-based) of a draft; empty when it may go on. */
export function checkStep(d: Draft, step: number): Problems {
  const p: Problems = {};
  if (step === 0) {
    if (!ID_RE.test(d.id)) p.id = 'Use letters, digits and . _ @ + - (at most 128), starting with a letter or digit.';
    if (!d.name.trim()) p.name = 'Give the profile a name people will recognise.';
  }
  if (step === 1) {
    for (const side of ['crm', 'mailbox'] as const) {
      const s = d[side];
      if (!s.type) p[`${side}.type`] = 'Choose the system.';
      if (!ID_RE.test(s.instance)) p[`${side}.instance`] = 'Name this connection: letters, digits and . _ @ + -.';
      const parsed = parseSettings(s.settings);
      if (parsed.problem) p[`${side}.settings`] = parsed.problem;
      s.secrets.forEach((sec, i) => {
        if (!sec.name.trim()) p[`${side}.secrets.${i}`] = 'Name the secret (see the list under the field), or remove the row.';
        else if (!sec.value && !secretIsSet(s, sec.name)) p[`${side}.secrets.${i}`] = 'Enter the value, or remove the row.';
      });
    }
    if (!p['crm.instance'] && d.crm.instance === d.mailbox.instance) p['mailbox.instance'] = 'The two systems need different connection names.';
  }
  if (step === 2) {
    if (!intIn(d.daysBack, 0, 3650)) p.daysBack = 'Enter whole days between 0 and 3650.';
    if (!intIn(d.daysAhead, 0, 3650)) p.daysAhead = 'Enter whole days between 0 and 3650.';
    if (!intIn(d.pollSeconds, 30, 86400)) p.pollSeconds = 'Enter seconds between 30 and 86400.';
    if (!intIn(d.guardDeletes, 0, 1000000)) p['guard.deletes.count'] = 'Enter a whole number of items.';
    if (!numIn(d.guardDeletesPercent, 0, 100)) p['guard.deletes.percent'] = 'Enter a percentage between 0 and 100.';
    if (!intIn(d.guardCreates, 0, 1000000)) p['guard.creates.count'] = 'Enter a whole number of items.';
    if (!numIn(d.guardCreatesPercent, 0, 100)) p['guard.creates.percent'] = 'Enter a percentage between 0 and 100.';
    if (Object.values(d.directions).every((v) => v === 'OFF')) p.directions = 'Choose at least one kind to sync.';
  }
  if (step === 3) {
    const seen = new Set<string>();
    d.users.forEach((u, i) => {
      if (u.skip) return;
      if (!ID_RE.test(u.id)) p[`users.${i}.id`] = 'Use letters, digits and . _ @ + - for the user id.';
      else if (seen.has(u.id)) p[`users.${i}.id`] = `The id ${u.id} is used twice.`;
      seen.add(u.id);
      if (!u.crmId.trim()) p[`users.${i}.crm.id`] = 'Enter the CRM account id (the associate id in SuperOffice).';
      if (u.crmEmail && !EMAIL_RE.test(u.crmEmail)) p[`users.${i}.crm.email`] = 'This is not an e-mail address.';
      if (!u.mailboxId.trim() && !EMAIL_RE.test(u.mailboxEmail)) p[`users.${i}.mailbox.email`] = 'Enter the mailbox e-mail address (or its id).';
    });
  }
  return p;
}

/** profileInput builds saveSyncProfile's input from a checked draft (secrets are stored separately). */
export function profileInput(d: Draft): ProfileInput {
  const sys = systemInput;
  const g = d.saved?.guard ?? { profileDeletes: 200, profileCreates: 1000, profileWindowSeconds: 3600, guardFirstSync: false };
  return {
    id: d.id.trim(),
    name: d.name.trim(),
    crm: sys(d.crm),
    mailbox: sys(d.mailbox),
    directions: (Object.keys(d.directions) as SyncKind[]).map((kind) => ({ kind, direction: d.directions[kind] })),
    daysBack: Number(d.daysBack),
    daysAhead: Number(d.daysAhead),
    filters: { skipPrivate: d.skipPrivate, skipAllDay: d.skipAllDay, skipFree: d.skipFree, skipRecurring: d.skipRecurring },
    policy: d.policy,
    onDelete: d.onDelete,
    pollSeconds: Number(d.pollSeconds),
    guard: {
      deletes: { count: Number(d.guardDeletes), percent: Number(d.guardDeletesPercent) },
      creates: { count: Number(d.guardCreates), percent: Number(d.guardCreatesPercent) },
      profileDeletes: g.profileDeletes,
      profileCreates: g.profileCreates,
      profileWindowSeconds: g.profileWindowSeconds,
      guardFirstSync: g.guardFirstSync,
    },
    ...(d.saved ? { userMay: d.saved.userMay } : {}),
  };
}

/** systemInput is a system draft as the API takes it (testSystem, suggestLinks, saveSyncProfile). */
export function systemInput(s: SystemDraft): SystemInput {
  return { type: s.type, instance: s.instance.trim(), settings: JSON.stringify(parseSettings(s.settings).value ?? {}) };
}

/** secretsToStore lists the secrets of a system draft that have a value to store (empty values keep the stored one). */
export function secretsToStore(s: SystemDraft): SecretDraft[] {
  return s.secrets.filter((x) => x.name.trim() && x.value).map((x) => ({ name: x.name.trim(), value: x.value }));
}

/** linkInputs builds one linkUser input per user draft. */
export function linkInputs(d: Draft): LinkUserInput[] {
  return d.users.filter((u) => !u.skip).map((u) => ({
    profileId: d.id.trim(),
    id: u.id.trim(),
    crm: { id: u.crmId.trim(), email: u.crmEmail.trim() || undefined, name: u.crmName?.trim() || undefined },
    mailbox: { id: u.mailboxId.trim() || undefined, email: u.mailboxEmail.trim() || undefined, name: u.mailboxName?.trim() || undefined },
  }));
}

/** CSV_HEADER is the header of the users CSV (import and export). */
export const CSV_HEADER = 'id,crmId,crmEmail,mailboxId,mailboxEmail';

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** usersToCSV writes user drafts as CSV with CSV_HEADER. */
export function usersToCSV(users: UserDraft[]): string {
  return [CSV_HEADER, ...users.map((u) => [u.id, u.crmId, u.crmEmail, u.mailboxId, u.mailboxEmail].map(csvCell).join(','))].join('\n') + '\n';
}

/** splitCSVLine splits one CSV line (RFC 4180 quoting). */
export function splitCSVLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((c) => c.trim());
}

/**
 * usersFromCSV reads users from CSV text. The header row is optional; with it,
 * columns may come in any order. Errors name the line at fault.
 */
export function usersFromCSV(text: string): { users: UserDraft[]; errors: string[] } {
  const lines = text.split(/\r?\n/).map((l, i) => ({ l, n: i + 1 })).filter((x) => x.l.trim() !== '');
  const users: UserDraft[] = [];
  const errors: string[] = [];
  let cols = CSV_HEADER.split(',');
  const known = CSV_HEADER.split(',');
  const isColumn = (h: string) => known.some((k) => k.toLowerCase() === h.toLowerCase());
  if (lines.length > 0) {
    // The first line is a header when most of its cells are column names.
    const head = splitCSVLine(lines[0].l);
    const names = head.filter(isColumn).length;
    if (names > 0 && names * 2 >= head.length) {
      lines.shift();
      const unknown = head.filter((h) => !isColumn(h));
      if (unknown.length) errors.push(`Line 1: unknown columns ${unknown.join(', ')}; use ${CSV_HEADER}.`);
      cols = head.map((h) => known.find((k) => k.toLowerCase() === h.toLowerCase()) ?? h);
    }
  }
  for (const { l, n } of lines) {
    const cells = splitCSVLine(l);
    if (cells.length > cols.length) {
      errors.push(`Line ${n}: ${cells.length} values, but there are ${cols.length} columns (${cols.join(',')}).`);
      continue;
    }
    const get = (k: string) => cells[cols.indexOf(k)] ?? '';
    const u: UserDraft = { id: get('id'), crmId: get('crmId'), crmEmail: get('crmEmail'), mailboxId: get('mailboxId'), mailboxEmail: get('mailboxEmail') };
    if (!u.id && u.crmEmail) u.id = u.crmEmail.split('@')[0].replace(/[^A-Za-z0-9._@+-]/g, '');
    if (!u.id || !u.crmId) {
      errors.push(`Line ${n}: needs at least an id (or a CRM e-mail) and a CRM id.`);
      continue;
    }
    users.push(u);
  }
  return { users, errors };
}

/**
 * MAPPING_KEYS are the CRM settings the mapping panel (step 3) edits; a server error naming crm.settings.<key> is
 * shown there, next to the key's field.
 */
export const MAPPING_KEYS = ['titleTemplate', 'typeCategories', 'defaultType', 'language'];

/**
 * stepOfField returns the step (0-based) holding the field a server error names,
 * and the field key the wizard shows it at. linkUser errors pass the user's index.
 */
export function stepOfField(field: string | undefined, userIndex?: number): { step: number; key: string } {
  const f = (field ?? '').replace(/^input\./, '');
  if (userIndex !== undefined) {
    const k = f === 'crm.id' || f === 'crm.email' || f === 'mailbox.email' || f === 'id' ? f : f.startsWith('mailbox') ? 'mailbox.email' : 'id';
    return { step: 3, key: `users.${userIndex}.${k}` };
  }
  if (f === 'id' || f === 'name') return { step: 0, key: f };
  // The CRM's mapping settings are edited in the mapping panel of step 3, which shows an error next to the field.
  const mapped = /^crm\.settings\.(\w+)(\.|$)/.exec(f);
  if (mapped && MAPPING_KEYS.includes(mapped[1])) return { step: 2, key: `crm.settings.${mapped[1]}` };
  if (f.startsWith('crm') || f.startsWith('mailbox') || f === 'type') {
    const side = f.startsWith('mailbox') ? 'mailbox' : 'crm';
    const rest = f.slice(side.length + 1);
    const key = rest === 'instance' || rest === 'type' ? `${side}.${rest}` : `${side}.settings`;
    return { step: 1, key };
  }
  if (f.startsWith('directions')) return { step: 2, key: 'directions' };
  if (f.startsWith('guard.deletes')) return { step: 2, key: 'guard.deletes.count' };
  if (f.startsWith('guard.creates')) return { step: 2, key: 'guard.creates.count' };
  if (['daysBack', 'daysAhead', 'pollSeconds', 'policy', 'onDelete'].includes(f)) return { step: 2, key: f };
  // A connector's own setting (baseUrl, tenantId…) belongs to the systems step.
  if (f) return { step: 1, key: 'crm.settings' };
  return { step: 4, key: '' };
}

type LoadedProfile = NonNullable<EditSyncProfileQuery['syncProfile']>;

/** draftFromProfile turns a saved profile into a draft for editing (secrets stay on the server). */
export function draftFromProfile(p: LoadedProfile, secretsSet: { crm: string[]; mailbox: string[] } = { crm: [], mailbox: [] }): Draft {
  const d = newDraft();
  const sys = (c: LoadedProfile['crm'], set: string[]): SystemDraft => {
    let settings = c.settings;
    try {
      settings = JSON.stringify(JSON.parse(c.settings), null, 2);
    } catch {
      /* shown as it is */
    }
    return { type: c.type, instance: c.instance, settings, secretFields: c.secretFields, secretsSet: set, savedInstance: c.instance, secrets: set.map((name) => ({ name, value: '' })) };
  };
  const dirs = { ...d.directions };
  for (const k of Object.keys(dirs) as SyncKind[]) dirs[k] = 'OFF';
  for (const x of p.directions) dirs[x.kind] = x.direction;
  const users: UserDraft[] = p.users.map((u) => ({
    invite: false,
    id: u.id,
    crmId: u.crm.id,
    crmEmail: u.crm.email,
    mailboxId: u.mailbox.id,
    mailboxEmail: u.mailbox.email,
    crmName: u.crm.name,
    mailboxName: u.mailbox.name,
  }));
  return {
    ...d,
    id: p.id,
    name: p.name,
    crm: sys(p.crm, secretsSet.crm),
    mailbox: sys(p.mailbox, secretsSet.mailbox),
    directions: dirs,
    daysBack: String(p.daysBack),
    daysAhead: String(p.daysAhead),
    skipPrivate: p.filters.skipPrivate,
    skipAllDay: p.filters.skipAllDay,
    skipFree: p.filters.skipFree,
    skipRecurring: p.filters.skipRecurring,
    policy: p.policy,
    onDelete: p.onDelete,
    pollSeconds: String(p.pollSeconds),
    guardDeletes: String(p.guard.deletes.count),
    guardDeletesPercent: String(p.guard.deletes.percent),
    guardCreates: String(p.guard.creates.count),
    guardCreatesPercent: String(p.guard.creates.percent),
    users,
    saved: {
      users: users.map((u) => ({ ...u })),
      systems: { crm: systemInput(sys(p.crm, [])), mailbox: systemInput(sys(p.mailbox, [])) },
      guard: {
        profileDeletes: p.guard.profileDeletes,
        profileCreates: p.guard.profileCreates,
        profileWindowSeconds: p.guard.profileWindowSeconds,
        guardFirstSync: p.guard.guardFirstSync,
      },
      userMay: { ...p.userMay },
    },
  };
}

/** userId derives a linked user's id from an address: its local part, made unique among taken ids. */
export function userId(email: string, taken: Set<string>): string {
  let base = (email.split('@')[0] ?? '').replace(/[^A-Za-z0-9._@+-]/g, '').replace(/^[^A-Za-z0-9]+/, '').slice(0, 120) || 'user';
  base = base.toLowerCase();
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

const MATCH_WORD: Record<LinkMatch, string> = { EMAIL: 'same e-mail', ALIAS: 'alias' };

/**
 * usersFromSuggestions adds the suggested pairs to the users table: a pair whose CRM account is already in the
 * table is not added again. It returns the new table and how many rows it added.
 */
export function usersFromSuggestions(users: UserDraft[], pairs: SuggestLinksQuery['suggestLinks']['pairs']): { users: UserDraft[]; added: number } {
  const taken = new Set(users.map((u) => u.id));
  const have = new Set(users.map((u) => u.crmId));
  const out = [...users];
  let added = 0;
  for (const p of pairs) {
    if (have.has(p.crm.id)) continue;
    have.add(p.crm.id);
    out.push({
      id: userId(p.crm.email || p.mailbox.email, taken),
      crmId: p.crm.id,
      crmEmail: p.crm.email,
      mailboxId: p.mailbox.id,
      mailboxEmail: p.mailbox.email,
      crmName: p.crm.name,
      mailboxName: p.mailbox.name,
      match: `${MATCH_WORD[p.matchedBy] ?? p.matchedBy}: ${p.address}`,
    });
    added++;
  }
  return { users: out, added };
}

/** UserChanges are what saving an edited profile does to its links. */
export interface UserChanges {
  /** link are the users to link (new ones, and those whose accounts changed). */
  link: UserDraft[];
  /** unlink are the ids of saved users no longer in the table (or unticked). */
  unlink: string[];
}

/** userChanges compares the saved users with the table. */
export function userChanges(saved: UserDraft[], now: UserDraft[]): UserChanges {
  const keep = now.filter((u) => !u.skip);
  const byId = new Map(saved.map((u) => [u.id, u]));
  const same = (a: UserDraft, b: UserDraft) =>
    a.crmId.trim() === b.crmId.trim() && a.crmEmail.trim() === b.crmEmail.trim() && a.mailboxId.trim() === b.mailboxId.trim() && a.mailboxEmail.trim() === b.mailboxEmail.trim();
  const link = keep.filter((u) => {
    const old = byId.get(u.id.trim());
    return !old || !same(old, u);
  });
  const ids = new Set(keep.map((u) => u.id.trim()));
  const unlink = saved.map((u) => u.id).filter((id) => !ids.has(id));
  return { link, unlink };
}

/**
 * invitesByDefault reports whether the users of a mailbox system must authorize their own mailbox — Microsoft 365
 * with delegated permissions ("auth": "delegated") — so the wizard ticks "Invite" for them by default: the portal
 * the invitation opens is where they do it. Other systems work without the user, so the tick starts off.
 */
export function invitesByDefault(mailbox: SystemDraft): boolean {
  if (mailbox.type !== 'msgraph') return false;
  const auth = parseSettings(mailbox.settings).value?.auth;
  return typeof auth === 'string' && auth.trim().toLowerCase() === 'delegated';
}

/** willInvite reports whether saving invites a user row: ticked (or by default), and linked. */
export function willInvite(u: UserDraft, d: Draft): boolean {
  return !u.skip && (u.invite ?? invitesByDefault(d.mailbox));
}

/** invitees are the users saving e-mails their portal invitation to (their ids trimmed), in table order. */
export function invitees(d: Draft): UserDraft[] {
  return d.users.filter((u) => willInvite(u, d)).map((u) => ({ ...u, id: u.id.trim() }));
}

/** smtpMissing reports whether an inviteMailboxUser error says that no SMTP settings are saved. */
export function smtpMissing(e: { code?: string; field?: string }): boolean {
  return e.code === 'BAD_USER_INPUT' && e.field === 'smtp';
}

/** InviteOutcome is what happened to one invitation after saving. */
export interface InviteOutcome {
  userId: string;
  email: string;
  state: 'waiting' | 'sending' | 'sent' | 'not-sent' | 'link' | 'failed';
  /** message is the server's word on a mail (sent or not) or the error. */
  message: string;
  /** link is the invitation link to copy (createPortalInvitation) when e-mail is not set up. */
  link?: string;
  expiresAt?: string;
}

/** InviteApi is what sendInvitations calls (the dashboard's Api). */
export interface InviteApi {
  inviteMailboxUser(v: { profileId: string; userId: string }): Promise<InviteMailboxUserMutation>;
  createPortalInvitation(v: { profileId: string; userId: string }): Promise<CreatePortalInvitationMutation>;
}

/**
 * sendInvitations sends the portal invitations of who (saved and linked users of profileId), one after the other:
 * e-mailed (inviteMailboxUser); once the server says no SMTP settings are saved, that user and the rest get a link
 * to copy instead (createPortalInvitation), and mailOff is true. A failure is that user's outcome; it never throws.
 * progress is called with the outcomes after every change.
 */
export async function sendInvitations(
  api: InviteApi,
  profileId: string,
  who: UserDraft[],
  progress: (out: InviteOutcome[], index: number) => void = () => {},
): Promise<{ outcomes: InviteOutcome[]; mailOff: boolean }> {
  const out: InviteOutcome[] = who.map((u) => ({ userId: u.id.trim(), email: u.mailboxEmail.trim() || u.crmEmail.trim(), state: 'waiting', message: '' }));
  let mailOff = false;
  for (let i = 0; i < out.length; i++) {
    const userId = out[i].userId;
    out[i] = { ...out[i], state: 'sending' };
    progress([...out], i);
    if (!mailOff) {
      try {
        const m = (await api.inviteMailboxUser({ profileId, userId })).inviteMailboxUser;
        out[i] = { ...out[i], email: m.to || out[i].email, state: m.sent ? 'sent' : 'not-sent', message: m.message, ...(m.expiresAt ? { expiresAt: m.expiresAt } : {}) };
        progress([...out], i);
        continue;
      } catch (err) {
        const e = asApiError(err);
        if (!smtpMissing(e)) {
          out[i] = { ...out[i], state: 'failed', message: e.message };
          progress([...out], i);
          continue;
        }
        mailOff = true;
      }
    }
    try {
      const l = (await api.createPortalInvitation({ profileId, userId })).createPortalInvitation;
      out[i] = { ...out[i], email: l.email || out[i].email, state: 'link', link: l.link, expiresAt: l.expiresAt, message: '' };
    } catch (err) {
      out[i] = { ...out[i], state: 'failed', message: asApiError(err).message };
    }
    progress([...out], i);
  }
  return { outcomes: out, mailOff };
}

// ---- Sign-in from the wizard: the draft kept across the provider's round trip. ----

/** SIGN_IN_SETTINGS names the settings a sign-in writes into a system's saved settings, by connector type. */
export const SIGN_IN_SETTINGS: Record<string, string[]> = { superoffice: ['baseUrl', 'contextIdentifier'], msgraph: ['tenantId'] };

/** SECRET_SETTING matches the settings the server treats as secrets (graph/syncsvc.go secretKey); they are never stored in the browser. */
export const SECRET_SETTING = /(secret|password|passwd|token|key|credentials?)$/i;

/** DRAFT_KEY is the sessionStorage key of the wizard's state during a sign-in. */
export const DRAFT_KEY = 'synchronizer.wizard.signin';

/** DRAFT_TTL_MS is how long a kept draft is restored: the sign-in itself expires after 10 minutes. */
export const DRAFT_TTL_MS = 30 * 60 * 1000;

/** Side is one system of a profile. */
export type Side = 'crm' | 'mailbox';

/** KeptDraft is the wizard's state kept in sessionStorage while the browser visits the provider. */
export interface KeptDraft {
  v: 1;
  profileId: string;
  side: Side;
  /** fromNew is set when the wizard created the profile (saved as a draft) to sign in. */
  fromNew: boolean;
  /** at is when it was kept (ms since the epoch). */
  at: number;
  draft: Draft;
}

/** publicSettings returns settings text without its secret fields (invalid JSON gives the template-free "{}"). */
export function publicSettings(text: string): string {
  const v = parseSettings(text).value;
  if (!v) return '{}';
  return JSON.stringify(Object.fromEntries(Object.entries(v).filter(([k]) => !SECRET_SETTING.test(k))), null, 2);
}

function keepSystem(s: SystemDraft): SystemDraft {
  return { type: s.type, instance: s.instance, settings: publicSettings(s.settings), secrets: s.secrets.map((x) => ({ name: x.name, value: '' })) };
}

/**
 * keepDraft serializes the wizard's state for sessionStorage without any secret: secret values are dropped (their
 * names stay), secret settings are left out of the settings, and what the server tells again (saved state, which
 * secrets are set) is not kept.
 */
export function keepDraft(d: Draft, at: { profileId: string; side: Side; fromNew: boolean; now: number }): string {
  const draft: Draft = { ...d, crm: keepSystem(d.crm), mailbox: keepSystem(d.mailbox), users: d.users.map((u) => ({ ...u })) };
  delete draft.saved;
  const kept: KeptDraft = { v: 1, profileId: at.profileId, side: at.side, fromNew: at.fromNew, at: at.now, draft };
  return JSON.stringify(kept);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function isSystem(v: unknown): v is SystemDraft {
  return isObj(v) && typeof v.type === 'string' && typeof v.instance === 'string' && typeof v.settings === 'string' && Array.isArray(v.secrets);
}

/**
 * readKeptDraft reads a kept draft for profileId; null when there is none, it is for another profile, older than
 * DRAFT_TTL_MS, or not a draft this wizard wrote.
 */
export function readKeptDraft(text: string | null, profileId: string, now: number): KeptDraft | null {
  if (!text) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(v) || v.v !== 1 || v.profileId !== profileId || (v.side !== 'crm' && v.side !== 'mailbox') || typeof v.at !== 'number') return null;
  if (now - v.at > DRAFT_TTL_MS || v.at > now + 60_000) return null;
  const d = v.draft;
  if (!isObj(d) || typeof d.id !== 'string' || !isSystem(d.crm) || !isSystem(d.mailbox) || !Array.isArray(d.users) || !isObj(d.directions)) return null;
  const base = newDraft();
  const users = (d.users as unknown[]).filter(isObj).map((u) => ({
    id: String(u.id ?? ''),
    crmId: String(u.crmId ?? ''),
    crmEmail: String(u.crmEmail ?? ''),
    mailboxId: String(u.mailboxId ?? ''),
    mailboxEmail: String(u.mailboxEmail ?? ''),
    ...(typeof u.crmName === 'string' ? { crmName: u.crmName } : {}),
    ...(typeof u.mailboxName === 'string' ? { mailboxName: u.mailboxName } : {}),
    ...(typeof u.match === 'string' ? { match: u.match } : {}),
    ...(typeof u.skip === 'boolean' ? { skip: u.skip } : {}),
    ...(typeof u.invite === 'boolean' ? { invite: u.invite } : {}),
  }));
  const sys = (x: SystemDraft): SystemDraft => ({ type: x.type, instance: x.instance, settings: x.settings, secrets: x.secrets.filter(isObj).map((s) => ({ name: String(s.name ?? ''), value: '' })) });
  // Only the draft's own fields, each of its type: anything else in the storage is left behind.
  const same = Object.fromEntries(Object.entries(base).filter(([k, v]) => typeof d[k] === typeof v && k !== 'directions').map(([k]) => [k, d[k]]));
  const directions = { ...base.directions };
  for (const k of Object.keys(directions) as SyncKind[]) {
    const v = (d.directions as Record<string, unknown>)[k];
    if (v === 'TWO_WAY' || v === 'CRM_TO_MAILBOX' || v === 'MAILBOX_TO_CRM' || v === 'OFF') directions[k] = v;
  }
  const draft: Draft = { ...base, ...(same as Partial<Draft>), directions, crm: sys(d.crm), mailbox: sys(d.mailbox), users };
  delete draft.saved;
  return { v: 1, profileId, side: v.side, fromNew: v.fromNew === true, at: v.at, draft };
}

/** overlaySettings sets keys of the saved settings text over the draft's settings text (both JSON objects). */
export function overlaySettings(draft: string, saved: string, keys: string[]): string {
  const d = parseSettings(draft).value;
  const s = parseSettings(saved).value;
  if (!d || !s) return draft;
  let changed = false;
  for (const k of keys) {
    if (k in s && s[k] !== d[k]) {
      d[k] = s[k];
      changed = true;
    }
  }
  return changed ? JSON.stringify(d, null, 2) : draft;
}

/**
 * restoreDraft puts a kept draft back over the profile as the server has it after the sign-in: the kept draft's
 * fields and users; the server's saved state and stored secrets; and, when the sign-in succeeded, what it wrote into
 * the signed-in system's settings (SIGN_IN_SETTINGS: SuperOffice's API address and tenant, Microsoft's tenant id).
 */
export function restoreDraft(server: Draft, kept: KeptDraft, signedIn: boolean): Draft {
  const sys = (side: Side): SystemDraft => {
    const mine = kept.draft[side];
    const srv = server[side];
    const names = [...mine.secrets.map((x) => x.name), ...(srv.secretsSet ?? [])].filter((n, i, all) => n.trim() && all.indexOf(n) === i);
    const settings = signedIn && side === kept.side && mine.type === srv.type ? overlaySettings(mine.settings, srv.settings, SIGN_IN_SETTINGS[srv.type] ?? []) : mine.settings;
    return { ...mine, settings, secrets: names.map((name) => ({ name, value: '' })), secretFields: srv.secretFields, secretsSet: srv.secretsSet, savedInstance: srv.savedInstance };
  };
  return { ...kept.draft, id: server.id, crm: sys('crm'), mailbox: sys('mailbox'), saved: server.saved };
}

/** wizardPath is the wizard's page of a saved profile: where a sign-in started from the wizard returns. */
export function wizardPath(profileId: string): string {
  return `/profiles/${encodeURIComponent(profileId.trim())}/edit`;
}

/**
 * safeReturnTo returns path when the server accepts it as a sign-in's returnTo — a path under /profiles of this
 * appliance, without query, fragment, backslash, empty or dot segments (also percent-encoded) — else null.
 */
export function safeReturnTo(path: string): string | null {
  if (!path || path.length > 300 || !/^[A-Za-z0-9/._~@+%-]+$/.test(path)) return null;
  let dec: string;
  try {
    dec = decodeURIComponent(path);
  } catch {
    return null;
  }
  for (const p of [path, dec]) {
    if (p !== '/profiles' && !p.startsWith('/profiles/')) return null;
    if (p.includes('//') || /[\\?#\u0000-\u001f\u007f]/.test(p)) return null;
    if (p.split('/').some((seg) => seg === '.' || seg === '..')) return null;
  }
  return path;
}

/** sameSystem reports whether two systems have the same connector, connection name and public settings (key order and secret settings aside). */
export function sameSystem(a: SystemInput, b: SystemInput): boolean {
  const canon = (t: string) => {
    const v = parseSettings(t).value;
    if (!v) return t;
    return JSON.stringify(
      Object.keys(v)
        .filter((k) => !SECRET_SETTING.test(k))
        .sort()
        .map((k) => [k, v[k]]),
    );
  };
  return a.type === b.type && a.instance.trim() === b.instance.trim() && canon(a.settings ?? '') === canon(b.settings ?? '');
}
