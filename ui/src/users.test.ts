import { describe, expect, it } from 'vitest';
import { matchUser, plannedCount, signInResult, usersCSV } from './screens/sync';

const base: { paused: boolean; queued: boolean; running: boolean; nextRun: string; lastRun: string | null; lastOk: string | null; lastError: string | null; lastErrorAt: string | null; failures: number; breaker: string; breakerReason: string | null; breakerUntil: string | null } = { paused: false, queued: false, running: false, nextRun: '2026-11-21T10:00:00Z', lastRun: null, lastOk: null, lastError: null, lastErrorAt: null, failures: 0, breaker: 'closed', breakerReason: null, breakerUntil: null };
const user = (id: string, name: string, status: Partial<typeof base> | null = {}) => ({
  id,
  profileId: 'p',
  crm: { email: `${id}@crm.example`, name },
  mailbox: { email: `${id}@mail.example`, name },
  status: status === null ? null : { ...base, ...status },
});

describe('users grid', () => {
  const ann = user('ann', 'Ann Andersen');
  const bob = user('bob', 'Bob "B" Berg', { lastError: 'mailbox answered 503, retry', failures: 2 });
  const cia = user('cia', 'Cia', { paused: true });
  const dev = user('dev', 'Dev', { running: true });
  const eve = user('eve', 'Eve', null);

  it('searches name, id and e-mails, case-insensitively', () => {
    expect([ann, bob, cia].filter((u) => matchUser(u, 'BERG', 'all')).map((u) => u.id)).toEqual(['bob']);
    expect([ann, bob, cia].filter((u) => matchUser(u, 'cia@mail', 'all')).map((u) => u.id)).toEqual(['cia']);
    expect([ann, bob, cia].filter((u) => matchUser(u, '  ', 'all')).length).toBe(3);
  });

  it('filters by state', () => {
    const all = [ann, bob, cia, dev, eve];
    expect(all.filter((u) => matchUser(u, '', 'problems')).map((u) => u.id)).toEqual(['bob']);
    expect(all.filter((u) => matchUser(u, '', 'paused')).map((u) => u.id)).toEqual(['cia']);
    expect(all.filter((u) => matchUser(u, '', 'syncing')).map((u) => u.id)).toEqual(['dev']);
  });

  it('exports CSV with quoting', () => {
    const csv = usersCSV([{ id: 'p', users: [bob] }]);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('profile,user,name,crmEmail,mailboxEmail,state,lastRun,nextRun,lastError,lastSync,appointments,tasks,contacts,groups,quarantined,itemError');
    // Without a summary (not loaded yet) its columns are empty.
    expect(lines[1]).toBe('p,bob,"Bob ""B"" Berg",bob@crm.example,bob@mail.example,"Last run failed: mailbox answered 503, retry",,2026-11-21T10:00:00Z,"mailbox answered 503, retry",,,,,,,');
  });
});

describe('signInResult', () => {
  it('reads the outcome of the sign-in callback', () => {
    expect(signInResult('')).toBeNull();
    expect(signInResult('?signin=ok')).toEqual({ ok: true, reason: '' });
    expect(signInResult('?signin=error&reason=access%20denied')).toEqual({ ok: false, reason: 'access denied' });
    expect(signInResult('?signin=maybe')).toBeNull();
  });
});

describe('plannedCount', () => {
  it('counts a held run by its plan, per action, whatever the case', () => {
    const planned = [{ action: 'delete' }, { action: 'DELETE' }, { action: 'create' }, { action: 'delete' }];
    expect(plannedCount(planned, 'delete')).toBe(3);
    expect(plannedCount(planned, 'create')).toBe(1);
    expect(plannedCount(planned, 'update')).toBe(0);
  });
});
