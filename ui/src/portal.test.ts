import { describe, expect, it } from 'vitest';
import { loginSignInMessage, portalSignInMessage, portalState, prefsFromLink, prefsInput, type PortalLink } from './portal';

const noFilters = { skipPrivate: false, skipAllDay: false, skipFree: false, skipRecurring: false };

function link(edit: (l: PortalLink) => void = () => {}): PortalLink {
  const l = {
    profileId: 'p1',
    profileName: 'Sales',
    userId: 'u1',
    crm: { id: '7', email: 'alice@example.com', name: 'Alice' },
    mailbox: { id: 'alice@example.com', email: 'alice@example.com', name: '' },
    crmType: 'superoffice',
    mailboxType: 'msgraph',
    mailboxSignIn: false,
    mailboxAuthorized: false,
    status: {
      profileId: 'p1',
      userId: 'u1',
      paused: false,
      nextRun: null,
      queued: false,
      running: false,
      lastRun: '2026-11-21T12:00:00Z',
      lastOk: '2026-11-21T12:00:00Z',
      lastError: null,
      lastErrorAt: null,
      failures: 0,
      breaker: 'closed',
      breakerReason: null,
      breakerUntil: null,
      pushHealthy: true,
    },
    overrides: { directions: [], filters: null, daysBack: null, daysAhead: null },
    defaults: { directions: [{ kind: 'APPOINTMENT', direction: 'TWO_WAY' }], filters: noFilters, daysBack: 30, daysAhead: 120 },
    userMay: { directions: false, filters: false, window: false },
    recentRuns: [],
    quarantine: [],
    openConflicts: 0,
  } as unknown as PortalLink;
  edit(l);
  return l;
}

describe('portalState', () => {
  it.each<[string, (l: PortalLink) => void, string, string, RegExp | null]>([
    ['in sync', () => {}, 'ok', 'In sync', null],
    ['not scheduled', (l) => (l.status = null), 'ok', 'Waiting for the first sync', /Nothing to do/],
    ['mailbox to authorize comes first', (l) => { l.mailboxSignIn = true; l.status!.lastError = 'boom'; }, 'warn', 'Your mailbox is not authorized yet', /Authorize my mailbox/],
    ['paused', (l) => (l.status!.paused = true), 'warn', 'Paused by your administrator', /nothing is lost/],
    ['breaker open, token problem', (l) => { l.mailboxSignIn = true; l.mailboxAuthorized = true; l.status!.breaker = 'open'; l.status!.failures = 5; l.status!.breakerReason = 'msgraph: invalid_grant: refresh token expired'; }, 'error', 'Sync stopped after 5 failed attempts', /Authorize my mailbox/],
    ['breaker open, other problem', (l) => { l.status!.breaker = 'open'; l.status!.failures = 3; l.status!.lastError = 'item 42: subject too long'; }, 'error', 'Sync stopped after 3 failed attempts', /tell your administrator/],
    ['last run failed, app permissions', (l) => (l.status!.lastError = 'msgraph: 401 Unauthorized'), 'warn', 'The last sync failed', /administrator to check the connection/],
    ['last run failed', (l) => (l.status!.lastError = 'timeout'), 'warn', 'The last sync failed', /Sync now/],
    ['quarantine', (l) => (l.quarantine = [{ kind: 'APPOINTMENT', side: 'CRM', itemId: '42', field: 'subject', reason: 'too long', at: '' }] as PortalLink['quarantine']), 'warn', '1 item cannot be synced', /named below/],
    ['running', (l) => (l.status!.running = true), 'ok', 'Syncing now', null],
  ])('%s', (_, edit, tone, title, next) => {
    const s = portalState(link(edit));
    expect(s.tone).toBe(tone);
    expect(s.title).toBe(title);
    if (next) expect(s.next).toMatch(next);
    else expect(s.next).toBe('');
  });
});

describe('preferences', () => {
  it('sends only the fields the profile lets users change', () => {
    const l = link((l) => (l.userMay = { directions: false, filters: false, window: true }));
    const f = prefsFromLink(l);
    f.daysAhead = '60';
    f.filters = { ...noFilters, skipPrivate: true };
    f.directions = { APPOINTMENT: 'OFF' };
    expect(prefsInput(l, f)).toEqual({ input: { daysAhead: 60 }, errors: {} });
  });
  it('sends directions and filters when allowed, and leaves "profile setting" out', () => {
    const l = link((l) => (l.userMay = { directions: true, filters: true, window: false }));
    const f = prefsFromLink(l);
    f.directions = { APPOINTMENT: 'CRM_TO_MAILBOX', TASK: '' };
    f.filters = { ...noFilters, skipAllDay: true };
    expect(prefsInput(l, f).input).toEqual({ directions: [{ kind: 'APPOINTMENT', direction: 'CRM_TO_MAILBOX' }], filters: { ...noFilters, skipAllDay: true } });
  });
  it('names the field of a bad number of days', () => {
    const l = link((l) => (l.userMay = { directions: false, filters: false, window: true }));
    const f = { ...prefsFromLink(l), daysBack: '-1', daysAhead: '9999' };
    const { errors } = prefsInput(l, f);
    expect(Object.keys(errors).sort()).toEqual(['daysAhead', 'daysBack']);
  });
  it('round-trips saved overrides into the form', () => {
    const l = link((l) => (l.overrides = { directions: [{ kind: 'APPOINTMENT', direction: 'OFF' }], filters: { ...noFilters, skipFree: true }, daysBack: 0, daysAhead: 14 } as PortalLink['overrides']));
    expect(prefsFromLink(l)).toEqual({ directions: { APPOINTMENT: 'OFF' }, filters: { ...noFilters, skipFree: true }, daysBack: '0', daysAhead: '14' });
  });
});

describe('sign-in messages', () => {
  it('explains a refused SuperOffice sign-in on the login page', () => {
    expect(loginSignInMessage('')).toBe('');
    expect(loginSignInMessage('?signin=not_linked')).toMatch(/not linked to a mailbox here.*administrator/);
    expect(loginSignInMessage('?signin=other_browser')).toMatch(/another browser/);
    expect(loginSignInMessage('?signin=exchange_failed')).toMatch(/exchange_failed/);
  });
  it('explains the outcome of authorizing the mailbox', () => {
    expect(portalSignInMessage('')).toBeNull();
    expect(portalSignInMessage('?signin=ok')).toEqual({ ok: true, text: expect.stringMatching(/authorized/) });
    expect(portalSignInMessage('?signin=error&reason=access_denied')?.ok).toBe(false);
    expect(portalSignInMessage('?signin=error&reason=wrong_account')).toEqual({ ok: false, text: expect.stringMatching(/different Microsoft account.*nothing was saved/) });
  });
});
