import { describe, expect, it } from 'vitest';
import { ApiError, mapGraphQLError } from './api/client';
import { accountInputs, checkTarget, errorCode, headline, opRow, previewHelp, sideText, targetLabel, targetOf, totals, typedSecrets, warnings, type Preview } from './preview';
import { newDraft } from './wizard';

const kind = (over: Partial<Preview['kinds'][number]> = {}): Preview['kinds'][number] => ({
  kind: 'APPOINTMENT', direction: 'TWO_WAY', firstSync: true, linked: 0, listed: 5, unchanged: 0, conflicts: 0, skipped: 0,
  badCount: 0, stillQuarantined: 0, guard: null, pendingWrites: 0, busy: false, incomplete: null, tookMs: 3,
  crm: { creates: 0, updates: 0, deletes: 0 }, mailbox: { creates: 0, updates: 0, deletes: 0 }, conflictList: [], skips: [], bad: [],
  ...over,
});

const preview = (kinds: Preview['kinds'], over: Partial<Preview> = {}): Preview => ({
  profileId: 'p1', userId: 'preview', saved: false, paused: false, truncated: false, totalOperations: 0, tookMs: 5, kinds, operations: [], ...over,
});

const label = (k: string) => (k === 'APPOINTMENT' ? 'Appointments' : k);

describe('preview targets', () => {
  it('take the accounts of a wizard row, the CRM e-mail standing in for the mailbox', () => {
    const u = { id: 'alice', crmId: ' 17 ', crmEmail: 'alice@example.com', mailboxId: '', mailboxEmail: '' };
    expect(targetOf(u)).toEqual({ crmId: '17', mailboxId: '', mailboxEmail: 'alice@example.com' });
    expect(targetLabel(u, 0)).toBe('alice (17 ⇄ alice@example.com)');
    expect(targetLabel({ ...u, id: '', crmId: '' }, 2)).toBe('User 3 (no CRM id ⇄ alice@example.com)');
  });

  it('name what is missing', () => {
    expect(checkTarget({ crmId: '', mailboxId: '', mailboxEmail: '' })).toEqual({ crmId: 'Enter the CRM account id.', mailboxEmail: 'Enter the mailbox e-mail address.' });
    expect(checkTarget({ crmId: '1', mailboxId: '', mailboxEmail: 'bob' }).mailboxEmail).toMatch(/name@example.com/);
    expect(checkTarget({ crmId: '1', mailboxId: 'm-1', mailboxEmail: '' })).toEqual({});
    expect(checkTarget({ crmId: '1', mailboxId: '', mailboxEmail: 'bob@example.com' })).toEqual({});
  });

  it('become the account inputs, leaving out what is empty', () => {
    expect(accountInputs({ crmId: '1', mailboxId: '', mailboxEmail: 'bob@example.com' })).toEqual({ crm: { id: '1' }, mailbox: { id: undefined, email: 'bob@example.com' } });
  });

  it('store only secrets that were typed', () => {
    const d = newDraft();
    d.crm.instance = ' so1 ';
    d.crm.secrets = [{ name: 'client_secret', value: 's3cret' }, { name: 'partner_key', value: '' }];
    d.mailbox.secrets = [{ name: ' ', value: 'x' }];
    expect(typedSecrets(d)).toEqual([{ instance: 'so1', secrets: [{ name: 'client_secret', value: 's3cret' }] }]);
  });
});

describe('preview results in words', () => {
  it('sum and say what would change', () => {
    const p = preview([
      kind({ mailbox: { creates: 3, updates: 1, deletes: 0 }, crm: { creates: 1, updates: 0, deletes: 2 }, conflicts: 1, badCount: 1, skipped: 4 }),
      kind({ kind: 'TASK', mailbox: { creates: 1, updates: 0, deletes: 0 } }),
    ]);
    expect(totals(p)).toEqual({ creates: 5, updates: 1, deletes: 2, conflicts: 1, bad: 1, skipped: 4 });
    expect(headline(p)).toBe('The first sync would make 5 creates, 1 update, 2 deletes, record 1 conflict and set 1 item aside (quarantine).');
    expect(headline(preview([kind()], { saved: true }))).toBe('The next sync would change nothing.');
    expect(sideText({ creates: 2, updates: 0, deletes: 1 })).toBe('2 to create, 1 to delete');
    expect(sideText({ creates: 0, updates: 0, deletes: 0 })).toBe('nothing');
  });

  it('warn about the guard, pauses, pending writes, a running sync and unread items', () => {
    const w = warnings(preview([kind({ guard: '60 creates for 10 linked items exceed the limit', pendingWrites: 1, busy: true, incomplete: 'some items could not be read' })], { paused: true }), label);
    expect(w).toHaveLength(5);
    expect(w[0]).toMatch(/paused/);
    expect(w[1]).toBe('Appointments: the mass-change guard would hold this run for your approval — 60 creates for 10 linked items exceed the limit.');
    expect(w[2]).toMatch(/1 interrupted write will be settled first/);
    expect(warnings(preview([kind()]), label)).toEqual([]);
  });

  it('put an operation into the table', () => {
    const op = { kind: 'APPOINTMENT' as const, side: 'MAILBOX' as const, action: 'create', linkId: 'l', itemId: null, sourceId: 'crm-1', title: 'Review', start: '2026-03-03T09:00:00Z', reason: 'new in the crm' };
    expect(opRow(op, label, () => 'Mar 3')).toEqual({ title: 'Review', start: 'Mar 3', where: 'Mailbox · Appointments', action: 'Create', reason: 'new in the crm' });
    expect(opRow({ ...op, title: '  ', start: null, reason: null, side: 'CRM', action: 'delete', itemId: 'crm-9' }, label, () => 'x')).toMatchObject({ title: 'crm-9', start: '—', where: 'CRM · Appointments', action: 'Delete', reason: '' });
  });
});

describe('preview errors', () => {
  it('keep the server code the client does not know and say what to do', () => {
    const auth = mapGraphQLError([{ message: 'mailbox: token refused', extensions: { code: 'REMOTE_AUTH' } }]);
    expect(auth.code).toBe('INTERNAL');
    expect(errorCode(auth)).toBe('REMOTE_AUTH');
    expect(previewHelp(auth).title).toBe('A system refused the credentials');
    expect(previewHelp(mapGraphQLError([{ message: 'x', extensions: { code: 'REMOTE_FAILED' } }])).hint).toMatch(/reachable/);
    expect(previewHelp(mapGraphQLError([{ message: 'x', extensions: { code: 'PREVIEW_TOO_LARGE' } }])).hint).toMatch(/Narrow the window/);
    const bad = mapGraphQLError([{ message: 'crm.type: no connector', extensions: { code: 'BAD_USER_INPUT', field: 'crm.type' } }]);
    expect(previewHelp(bad).hint).toBe('Correct “crm.type” and preview again.');
    const net = new ApiError('NETWORK', 'offline');
    expect(errorCode(net)).toBe('NETWORK');
    expect(previewHelp(net).hint).toBe(net.hint);
  });
});
