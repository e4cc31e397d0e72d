import { describe, expect, it } from 'vitest';
import { matchUser, usersCSV } from './screens/sync';
import { ENDED, hasErrors, itemError, itemsDetail, itemsText, lastSync, summaryKey, usersSignature, type Summary } from './users';

const run = (status: string, end: string, listed = 0, created = 0) => ({ id: `r-${end}`, status: status as 'OK', end, counts: { listed, created, updated: 0, deleted: 0 } });
const summary = (over: Partial<Summary> = {}): Summary => ({
  lastSuccess: '2026-11-21T09:00:00Z',
  quarantined: 0,
  kinds: [
    { kind: 'APPOINTMENT', items: 412, lastRun: run('OK', '2026-11-21T09:00:00Z', 412, 412) },
    { kind: 'TASK', items: 37, lastRun: run('OK', '2026-11-21T08:59:00Z', 37, 37) },
  ],
  lastError: null,
  ...over,
});
const fault: Summary['lastError'] = {
  kind: 'APPOINTMENT',
  at: '2026-11-21T09:30:00Z',
  message: "Appointment 'Board meeting' (CRM 1234): end: end before start",
  runId: null,
  itemId: '1234',
  field: 'end',
};
const user = (id: string) => ({
  id,
  profileId: 'p',
  crm: { email: `${id}@crm.example`, name: id.toUpperCase() },
  mailbox: { email: `${id}@mail.example`, name: id },
  status: { paused: false, queued: false, running: false, nextRun: '2026-11-21T10:00:00Z', lastRun: null, lastOk: '2026-11-21T09:00:00Z', lastError: null, lastErrorAt: null, failures: 0, breaker: 'closed', breakerReason: null, breakerUntil: null },
});

describe('users grid summary columns', () => {
  it('shows items per kind compactly, singular and plural, with thousands separators', () => {
    expect(itemsText(summary())).toBe('412 appts · 37 tasks');
    expect(itemsText(summary({ kinds: [{ kind: 'CONTACT', items: 1250, lastRun: null }, { kind: 'GROUP', items: 1, lastRun: null }] }))).toBe('1,250 contacts · 1 group');
    expect(itemsText(summary({ kinds: [] }))).toBe('—');
    expect(itemsText(undefined)).toBe('—');
  });

  it('spells the items out with each kind last run', () => {
    expect(itemsDetail(summary())).toBe('412 appointments in sync (last run ok: 412 listed, 412 created, 0 updated, 0 deleted); 37 tasks in sync (last run ok: 37 listed, 37 created, 0 updated, 0 deleted)');
    expect(itemsDetail(null)).toBe('Nothing synced yet');
  });

  it('gives the last successful sync and says when a newer run failed', () => {
    expect(lastSync(summary())).toEqual({ at: '2026-11-21T09:00:00Z', note: '' });
    const failed = summary({ kinds: [{ kind: 'APPOINTMENT', items: 3, lastRun: run('FAILED', '2026-11-21T11:00:00Z') }] });
    expect(lastSync(failed)).toEqual({ at: '2026-11-21T09:00:00Z', note: 'a newer run failed' });
    const partial = summary({ lastSuccess: null, kinds: [{ kind: 'TASK', items: 3, lastRun: run('PARTIAL', '2026-11-21T11:00:00Z') }] });
    expect(lastSync(partial)).toEqual({ at: null, note: 'a newer run was partial' });
    expect(lastSync(undefined)).toEqual({ at: null, note: '' });
  });

  it('names the item at fault and filters users with errors', () => {
    const bad = summary({ lastError: fault, quarantined: 1 });
    expect(itemError(bad)).toBe(fault!.message);
    expect(itemError(summary())).toBeNull();
    const runFault = { ...fault!, message: 'Task sync failed: mailbox answered 503', runId: 'r1', itemId: null, field: null };
    expect(itemError(summary({ lastError: runFault }))).toBe('Task sync failed: mailbox answered 503');
    expect(itemError(summary({ lastError: runFault }), 'mailbox answered 503')).toBeNull();
    expect(itemError(bad, 'mailbox answered 503')).toBe(fault!.message);
    expect(hasErrors(bad)).toBe(true);
    expect(hasErrors(summary({ quarantined: 2 }))).toBe(true);
    expect(hasErrors(summary())).toBe(false);
    expect(hasErrors(undefined)).toBe(false);
    const ann = user('ann');
    expect(matchUser(ann, '', 'errors', bad)).toBe(true);
    expect(matchUser(ann, '', 'errors', summary())).toBe(false);
    expect(matchUser(ann, '', 'errors')).toBe(false);
    expect(matchUser({ ...ann, status: { ...ann.status, lastError: 'mailbox answered 503' } }, '', 'errors')).toBe(true);
    expect(matchUser(ann, 'nobody', 'errors', bad)).toBe(false);
  });

  it('exports the summary columns to CSV', () => {
    const csv = usersCSV([{ id: 'p', users: [user('ann'), user('bob')] }], { [summaryKey('p', 'ann')]: summary({ lastError: fault, quarantined: 1 }) });
    const lines = csv.trimEnd().split('\n');
    expect(lines[0].split(',').slice(9)).toEqual(['lastSync', 'appointments', 'tasks', 'contacts', 'groups', 'quarantined', 'itemError']);
    expect(lines[1]).toBe(`p,ann,ANN,ann@crm.example,ann@mail.example,In sync,,2026-11-21T10:00:00Z,,2026-11-21T09:00:00Z,412,37,,,1,Appointment 'Board meeting' (CRM 1234): end: end before start`);
    expect(lines[2].endsWith(',2026-11-21T10:00:00Z,,,,,,,,')).toBe(true);
  });

  it('reloads in full only when the users change, and per user after a run ended', () => {
    const a = usersSignature([{ id: 'p', users: [{ id: 'ann' }, { id: 'bob' }] }]);
    expect(usersSignature([{ id: 'p', users: [{ id: 'ann' }, { id: 'bob' }] }])).toBe(a);
    expect(usersSignature([{ id: 'p', users: [{ id: 'ann' }] }])).not.toBe(a);
    expect(['finished', 'failed', 'interrupted'].every((t) => ENDED.has(t))).toBe(true);
    expect(ENDED.has('queued') || ENDED.has('started')).toBe(false);
  });
});
