// The dry-run preview's logic, kept apart from the panel so it is unit-tested:
// which users can be previewed, the account inputs, the counts and operations
// put into words, and what an error means and what to do about it.

import type { ApiError } from './api/client';
import type { SyncAccountInput, SyncPreviewFieldsFragment } from './gql/graphql';
import type { Draft, UserDraft } from './wizard';

export type Preview = SyncPreviewFieldsFragment;
export type KindPreview = Preview['kinds'][number];
export type PreviewOp = Preview['operations'][number];

/** PreviewTarget is the user a preview is for: a CRM account and a mailbox. */
export interface PreviewTarget {
  crmId: string;
  mailboxId: string;
  mailboxEmail: string;
}

/** targetOf takes the accounts of a wizard user row. */
export function targetOf(u: UserDraft): PreviewTarget {
  return { crmId: u.crmId.trim(), mailboxId: u.mailboxId.trim(), mailboxEmail: (u.mailboxEmail || u.crmEmail).trim() };
}

/** targetLabel names a user row in the picker. */
export function targetLabel(u: UserDraft, i: number): string {
  const t = targetOf(u);
  const who = u.id.trim() || `User ${i + 1}`;
  return `${who} (${t.crmId || 'no CRM id'} ⇄ ${t.mailboxEmail || t.mailboxId || 'no mailbox'})`;
}

/** checkTarget names the missing parts of a target ({} when it can be previewed). */
export function checkTarget(t: PreviewTarget): Record<string, string> {
  const p: Record<string, string> = {};
  if (!t.crmId) p.crmId = 'Enter the CRM account id.';
  if (!t.mailboxEmail && !t.mailboxId) p.mailboxEmail = 'Enter the mailbox e-mail address.';
  else if (t.mailboxEmail && !/^[^\s@]+@[^\s@]+$/.test(t.mailboxEmail)) p.mailboxEmail = 'Enter an e-mail address like name@example.com.';
  return p;
}

/** accountInputs builds previewSync's account arguments from a target. */
export function accountInputs(t: PreviewTarget): { crm: SyncAccountInput; mailbox: SyncAccountInput } {
  return { crm: { id: t.crmId }, mailbox: { id: t.mailboxId || undefined, email: t.mailboxEmail || undefined } };
}

/** typedSecrets lists the secrets typed into the wizard that must be stored before the systems can be reached. */
export function typedSecrets(d: Draft): Array<{ instance: string; secrets: Array<{ name: string; value: string }> }> {
  const out: Array<{ instance: string; secrets: Array<{ name: string; value: string }> }> = [];
  for (const side of ['crm', 'mailbox'] as const) {
    const s = d[side].secrets.filter((x) => x.name.trim() && x.value);
    if (s.length) out.push({ instance: d[side].instance.trim(), secrets: s.map((x) => ({ name: x.name.trim(), value: x.value })) });
  }
  return out;
}

function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** sideText says what a preview would write on one side, or "nothing". */
export function sideText(c: { creates: number; updates: number; deletes: number }): string {
  const parts = [c.creates && `${c.creates} to create`, c.updates && `${c.updates} to update`, c.deletes && `${c.deletes} to delete`].filter(Boolean);
  return parts.length ? parts.join(', ') : 'nothing';
}

/** totals sums a preview's writes over every kind. */
export function totals(p: Preview): { creates: number; updates: number; deletes: number; conflicts: number; bad: number; skipped: number } {
  const t = { creates: 0, updates: 0, deletes: 0, conflicts: 0, bad: 0, skipped: 0 };
  for (const k of p.kinds) {
    t.creates += k.crm.creates + k.mailbox.creates;
    t.updates += k.crm.updates + k.mailbox.updates;
    t.deletes += k.crm.deletes + k.mailbox.deletes;
    t.conflicts += k.conflicts;
    t.bad += k.badCount;
    t.skipped += k.skipped;
  }
  return t;
}

/** headline says in one sentence what the next run would do. */
export function headline(p: Preview): string {
  const t = totals(p);
  const writes = t.creates + t.updates + t.deletes;
  const what = p.saved ? 'The next sync' : 'The first sync';
  if (writes === 0 && t.conflicts === 0 && t.bad === 0) return `${what} would change nothing.`;
  const parts = [t.creates && plural(t.creates, 'create'), t.updates && plural(t.updates, 'update'), t.deletes && plural(t.deletes, 'delete')].filter(Boolean) as string[];
  let s = `${what} would make ${parts.length ? parts.join(', ') : 'no write'}`;
  if (t.conflicts) s += `, record ${plural(t.conflicts, 'conflict')}`;
  if (t.bad) s += ` and set ${plural(t.bad, 'item')} aside (quarantine)`;
  return s + '.';
}

/** warnings lists what the reader must know before trusting the preview or running the sync. */
export function warnings(p: Preview, kindLabel: (k: string) => string): string[] {
  const w: string[] = [];
  if (p.paused) w.push('The profile or this user is paused: scheduled syncs do not run until resumed.');
  for (const k of p.kinds) {
    const name = kindLabel(k.kind);
    if (k.guard) w.push(`${name}: the mass-change guard would hold this run for your approval — ${k.guard}.`);
    if (k.pendingWrites) w.push(`${name}: ${plural(k.pendingWrites, 'interrupted write')} will be settled first; the preview does not include them.`);
    if (k.busy) w.push(`${name}: a sync of this user was running while the preview read its state; preview again for a settled picture.`);
    if (k.incomplete) w.push(`${name}: ${k.incomplete}.`);
  }
  return w;
}

/** ACTION words an operation's action. */
export const ACTION: Record<string, string> = { create: 'Create', update: 'Update', delete: 'Delete' };

/** opRow puts one planned operation into the words of the operations table. */
export function opRow(op: PreviewOp, kindLabel: (k: string) => string, formatTime: (iso: string | null) => string): { title: string; start: string; where: string; action: string; reason: string } {
  return {
    title: op.title?.trim() || op.itemId || op.sourceId || '(untitled)',
    start: op.start ? formatTime(op.start) : '—',
    where: `${op.side === 'CRM' ? 'CRM' : 'Mailbox'} · ${kindLabel(op.kind)}`,
    action: ACTION[op.action] ?? op.action,
    reason: op.reason ?? '',
  };
}

/** errorCode returns the server's own extensions.code of an error (the client maps codes it does not know to INTERNAL). */
export function errorCode(e: ApiError): string {
  const raw = e.all[0]?.extensions?.code;
  return typeof raw === 'string' && raw ? raw : e.code;
}

/** previewHelp says what a failed preview means and what to do. */
export function previewHelp(e: ApiError): { title: string; hint: string } {
  switch (errorCode(e)) {
    case 'REMOTE_AUTH':
      return { title: 'A system refused the credentials', hint: 'Check the secrets on the Systems step (or sign in with the system again), and that the account may read this user’s data; then preview again.' };
    case 'REMOTE_FAILED':
      return { title: 'A system could not be read', hint: 'Check the system’s address and settings on the Systems step and that it is reachable from the appliance; then preview again.' };
    case 'PREVIEW_TOO_LARGE':
      return { title: 'Too many items to preview', hint: 'Narrow the window (days back and ahead) or preview a user with fewer items.' };
    case 'BAD_USER_INPUT':
      return { title: 'Something in the profile is not valid yet', hint: e.field ? `Correct “${e.field}” and preview again.` : 'Correct the value and preview again.' };
    case 'NOT_FOUND':
      return { title: 'The user or profile no longer exists', hint: 'Reload the page to see the current state.' };
    default:
      return { title: 'The preview did not run', hint: e.hint };
  }
}
