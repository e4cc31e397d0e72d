import { describe, expect, it } from 'vitest';
import { ApiError } from './api/client';
import {
  DRAFT_TTL_MS,
  draftFromProfile,
  invitees,
  invitesByDefault,
  keepDraft,
  newDraft,
  newSystem,
  readKeptDraft,
  restoreDraft,
  safeReturnTo,
  sameSystem,
  sendInvitations,
  smtpMissing,
  systemInput,
  type Draft,
  type InviteApi,
  type UserDraft,
  userChanges,
  willInvite,
  wizardPath,
} from './wizard';

const NOW = Date.UTC(2026, 10, 21, 22, 0, 0);

/** filled is a new profile's draft as step 2 leaves it, with secrets typed in both ways the wizard takes them. */
function filled(): Draft {
  const d = newDraft();
  d.id = 'sales';
  d.name = 'Sales';
  d.crm = { ...newSystem('superoffice', 'so'), secrets: [{ name: 'client_secret', value: 'so-client-secret-value' }] };
  d.crm.settings = JSON.stringify({ mode: 'online', loginUrl: 'https://online.example/login', clientId: 'app', partnerKey: 'pk-value', timeZone: 'Europe/Oslo' });
  d.mailbox = {
    ...newSystem('msgraph', 'm365'),
    settings: JSON.stringify({ clientId: 'graph-app', clientSecret: 'graph-secret-in-settings', auth: 'delegated' }),
    secrets: [{ name: 'client-secret', value: 'graph-secret-value' }],
  };
  d.users = [
    { id: 'ann', crmId: '7', crmEmail: 'ann@x.example', mailboxId: '', mailboxEmail: 'ann@x.example', match: 'same e-mail: ann@x.example' },
    { id: 'bob', crmId: '8', crmEmail: 'bob@x.example', mailboxId: '', mailboxEmail: 'bob@x.example', invite: false },
    { id: 'cy', crmId: '9', crmEmail: 'cy@x.example', mailboxId: '', mailboxEmail: 'cy@x.example', skip: true },
  ];
  d.daysAhead = '45';
  return d;
}

describe('the draft kept across a sign-in', () => {
  it('keeps no secret: values dropped, names kept, secret settings left out', () => {
    const d = filled();
    const text = keepDraft(d, { profileId: 'sales', side: 'crm', fromNew: true, now: NOW });
    for (const secret of ['so-client-secret-value', 'graph-secret-value', 'graph-secret-in-settings', 'pk-value']) expect(text).not.toContain(secret);
    const kept = readKeptDraft(text, 'sales', NOW + 60_000);
    expect(kept).not.toBeNull();
    expect(kept!.side).toBe('crm');
    expect(kept!.fromNew).toBe(true);
    expect(kept!.draft.crm.secrets).toEqual([{ name: 'client_secret', value: '' }]);
    expect(kept!.draft.mailbox.secrets).toEqual([{ name: 'client-secret', value: '' }]);
    expect(JSON.parse(kept!.draft.crm.settings)).toEqual({ mode: 'online', loginUrl: 'https://online.example/login', clientId: 'app', timeZone: 'Europe/Oslo' });
    expect(JSON.parse(kept!.draft.mailbox.settings)).toEqual({ clientId: 'graph-app', auth: 'delegated' });
    // Everything else the reader filled in comes back as it was.
    expect(kept!.draft.daysAhead).toBe('45');
    expect(kept!.draft.users).toEqual(d.users);
    // The draft it was made from is untouched.
    expect(d.crm.secrets[0].value).toBe('so-client-secret-value');
  });

  it('is restored only for its profile, while fresh, and only when this wizard wrote it', () => {
    const text = keepDraft(filled(), { profileId: 'sales', side: 'mailbox', fromNew: false, now: NOW });
    expect(readKeptDraft(text, 'other', NOW)).toBeNull();
    expect(readKeptDraft(text, 'sales', NOW + DRAFT_TTL_MS + 1)).toBeNull();
    expect(readKeptDraft(text, 'sales', NOW - 10 * 60_000)).toBeNull(); // written "in the future": not ours
    expect(readKeptDraft(null, 'sales', NOW)).toBeNull();
    expect(readKeptDraft('{not json', 'sales', NOW)).toBeNull();
    expect(readKeptDraft(JSON.stringify({ v: 2, profileId: 'sales', side: 'crm', at: NOW, draft: {} }), 'sales', NOW)).toBeNull();
    expect(readKeptDraft(JSON.stringify({ v: 1, profileId: 'sales', side: 'crm', at: NOW, draft: { id: 'sales' } }), 'sales', NOW)).toBeNull();
    expect(readKeptDraft(JSON.stringify({ v: 1, profileId: 'sales', side: 'nope', at: NOW, draft: filled() }), 'sales', NOW)).toBeNull();
    // A secret value that got into the storage anyway is not read back.
    const tampered = JSON.parse(text);
    tampered.draft.crm.secrets = [{ name: 'password', value: 'leaked' }];
    tampered.draft.users = [{ id: 'ann', crmId: 7, junk: { x: 1 } }, 'not a user'];
    tampered.draft.daysBack = 30;
    tampered.draft.directions = { APPOINTMENT: 'SIDEWAYS', TASK: 'TWO_WAY' };
    tampered.draft.extra = 'x';
    const back = readKeptDraft(JSON.stringify(tampered), 'sales', NOW);
    expect(back!.draft.crm.secrets).toEqual([{ name: 'password', value: '' }]);
    expect(back!.draft.users).toEqual([{ id: 'ann', crmId: '7', crmEmail: '', mailboxId: '', mailboxEmail: '' }]);
    expect(back!.draft.daysBack).toBe('30'); // the default: a number is not the typed text
    expect(back!.draft.directions).toEqual({ APPOINTMENT: 'TWO_WAY', TASK: 'TWO_WAY', CONTACT: 'OFF', GROUP: 'OFF' });
    expect(back!.draft).not.toHaveProperty('extra');
  });

  it('is put back over the profile as the server has it after the sign-in', () => {
    const d = filled();
    const kept = readKeptDraft(keepDraft(d, { profileId: 'sales', side: 'crm', fromNew: true, now: NOW }), 'sales', NOW)!;
    // The server's profile: the draft as saved, plus what the SuperOffice sign-in wrote (API address, tenant).
    const server = draftFromProfile(
      {
        id: 'sales',
        name: 'Sales',
        crm: {
          type: 'superoffice',
          instance: 'so',
          settings: JSON.stringify({ mode: 'online', loginUrl: 'https://online.example/login', clientId: 'app', timeZone: 'Europe/Oslo', baseUrl: 'https://sod.example/Cust1/api/', contextIdentifier: 'Cust1' }),
          secretFields: ['partnerKey'],
        },
        mailbox: { type: 'msgraph', instance: 'm365', settings: JSON.stringify({ clientId: 'graph-app', auth: 'delegated', tenantId: 'server-tenant' }), secretFields: ['clientSecret'] },
        directions: [{ kind: 'APPOINTMENT', direction: 'TWO_WAY' }],
        daysBack: 30,
        daysAhead: 45,
        filters: { skipPrivate: false, skipAllDay: false, skipFree: false, skipRecurring: false },
        policy: 'NEWEST',
        onDelete: 'UPDATE_WINS',
        pollSeconds: 300,
        guard: { deletes: { count: 10, percent: 20 }, creates: { count: 50, percent: 50 }, profileDeletes: 200, profileCreates: 1000, profileWindowSeconds: 3600, guardFirstSync: false },
        userMay: { directions: false, filters: false, window: false },
        users: [],
      },
      { crm: ['client_secret', 'system_token'], mailbox: ['client-secret'] },
    );
    const r = restoreDraft(server, kept, true);
    // The signed-in side gets what the sign-in wrote; the other side keeps the reader's settings.
    expect(JSON.parse(r.crm.settings)).toMatchObject({ baseUrl: 'https://sod.example/Cust1/api/', contextIdentifier: 'Cust1', clientId: 'app' });
    expect(JSON.parse(r.mailbox.settings)).not.toHaveProperty('tenantId');
    // Secrets: the names typed and those stored now (the system token), all shown as set, no value.
    expect(r.crm.secrets).toEqual([
      { name: 'client_secret', value: '' },
      { name: 'system_token', value: '' },
    ]);
    expect(r.crm.secretsSet).toEqual(['client_secret', 'system_token']);
    expect(r.crm.secretFields).toEqual(['partnerKey']);
    // The users kept in the browser are all new to the saved draft: saving links them.
    expect(r.users.map((u) => u.id)).toEqual(['ann', 'bob', 'cy']);
    expect(userChanges(r.saved!.users, r.users).link.map((u) => u.id)).toEqual(['ann', 'bob']);
    expect(r.daysAhead).toBe('45');
    // A failed sign-in writes nothing: the reader's settings stay as they were.
    expect(JSON.parse(restoreDraft(server, kept, false).crm.settings)).not.toHaveProperty('baseUrl');
    // The saved systems are the server's: an unchanged system is "the same", a changed one is not.
    expect(sameSystem(systemInput(r.crm), r.saved!.systems!.crm)).toBe(true);
    expect(sameSystem(systemInput({ ...r.crm, settings: '{"clientId":"other"}' }), r.saved!.systems!.crm)).toBe(false);
  });
});

describe('invitations', () => {
  it('are ticked by default where users authorize their own mailbox', () => {
    const graph = (settings: unknown) => ({ ...newSystem('msgraph', 'm365'), settings: typeof settings === 'string' ? settings : JSON.stringify(settings) });
    expect(invitesByDefault(graph({ auth: 'delegated' }))).toBe(true);
    expect(invitesByDefault(graph({ auth: ' Delegated ' }))).toBe(true);
    expect(invitesByDefault(graph({ auth: 'app' }))).toBe(false);
    expect(invitesByDefault(graph({}))).toBe(false);
    expect(invitesByDefault(graph('{broken'))).toBe(false);
    expect(invitesByDefault({ ...newSystem('dav', 'dav'), settings: '{"auth":"delegated"}' })).toBe(false);
  });

  it('go to the ticked users being linked, the tick overriding the default', () => {
    const d = filled(); // Microsoft 365, delegated: ticked by default
    expect(invitees(d).map((u) => u.id)).toEqual(['ann']); // bob unticked, cy not linked
    expect(willInvite({ ...d.users[2], invite: true }, d)).toBe(false);
    const app = { ...d, mailbox: { ...d.mailbox, settings: '{"auth":"app"}' } };
    expect(invitees(app)).toEqual([]);
    expect(invitees({ ...app, users: [{ ...d.users[1], id: ' bob ', invite: true }] }).map((u) => u.id)).toEqual(['bob']);
  });

  it('start unticked for users a saved profile had linked already', () => {
    const d = draftFromProfile({
      ...JSON.parse(JSON.stringify({ id: 'p', name: 'P', directions: [], daysBack: 1, daysAhead: 1, pollSeconds: 60, policy: 'NEWEST', onDelete: 'UPDATE_WINS' })),
      crm: { type: 'superoffice', instance: 'so', settings: '{}', secretFields: [] },
      mailbox: { type: 'msgraph', instance: 'm', settings: '{"auth":"delegated"}', secretFields: [] },
      filters: { skipPrivate: false, skipAllDay: false, skipFree: false, skipRecurring: false },
      guard: { deletes: { count: 1, percent: 1 }, creates: { count: 1, percent: 1 }, profileDeletes: 1, profileCreates: 1, profileWindowSeconds: 60, guardFirstSync: false },
      userMay: { directions: false, filters: false, window: false },
      users: [{ id: 'ann', crm: { id: '7', email: 'a@x.example', name: '' }, mailbox: { id: '', email: 'a@x.example', name: '' } }],
    });
    expect(invitees(d)).toEqual([]);
    expect(invitees({ ...d, users: [...d.users, { id: 'new', crmId: '9', crmEmail: '', mailboxId: '', mailboxEmail: 'n@x.example' }] }).map((u) => u.id)).toEqual(['new']);
  });

  it('fall back to links when the server says SMTP is not set up', () => {
    expect(smtpMissing({ code: 'BAD_USER_INPUT', field: 'smtp' })).toBe(true);
    expect(smtpMissing({ code: 'BAD_USER_INPUT', field: 'userId' })).toBe(false);
    expect(smtpMissing({ code: 'INTERNAL' })).toBe(false);
  });
});

describe('sending the invitations', () => {
  const who: UserDraft[] = ['ann', 'bob', 'cy'].map((id) => ({ id: ` ${id} `, crmId: '1', crmEmail: `${id}@crm.example`, mailboxId: '', mailboxEmail: id === 'cy' ? '' : `${id}@x.example` }));
  const link = (userId: string) => ({ createPortalInvitation: { link: `https://sync.example/invite/tok-${userId}`, email: `${userId}@x.example`, expiresAt: '2026-11-28T22:00:00Z' } });

  it('mails each user and reports what the SMTP server said', async () => {
    const calls: string[] = [];
    const api: InviteApi = {
      inviteMailboxUser: async ({ userId }) => {
        calls.push(`mail ${userId}`);
        if (userId === 'cy') throw new ApiError('BAD_USER_INPUT', 'userId: linked user "cy" has no mailbox e-mail address', { field: 'userId' });
        return { inviteMailboxUser: { sent: userId === 'ann', to: `${userId}@x.example`, message: userId === 'ann' ? 'Sent.' : 'refused the recipient', expiresAt: userId === 'ann' ? '2026-11-28T22:00:00Z' : null } };
      },
      createPortalInvitation: async ({ userId }) => {
        calls.push(`link ${userId}`);
        return link(userId);
      },
    };
    const seen: string[] = [];
    const r = await sendInvitations(api, 'sales', who, (out, i) => seen.push(`${out[i].userId}:${out[i].state}`));
    expect(calls).toEqual(['mail ann', 'mail bob', 'mail cy']);
    expect(r.mailOff).toBe(false);
    expect(r.outcomes.map((o) => [o.userId, o.state, o.message])).toEqual([
      ['ann', 'sent', 'Sent.'],
      ['bob', 'not-sent', 'refused the recipient'],
      ['cy', 'failed', 'userId: linked user "cy" has no mailbox e-mail address'],
    ]);
    expect(r.outcomes[0].expiresAt).toBe('2026-11-28T22:00:00Z');
    expect(seen).toEqual(['ann:sending', 'ann:sent', 'bob:sending', 'bob:not-sent', 'cy:sending', 'cy:failed']);
  });

  it('gives links to copy once the server says SMTP is not set up, asking for mail only once', async () => {
    const calls: string[] = [];
    const api: InviteApi = {
      inviteMailboxUser: async ({ userId }) => {
        calls.push(`mail ${userId}`);
        throw new ApiError('BAD_USER_INPUT', 'smtp: no SMTP settings are saved: save them under Settings first', { field: 'smtp' });
      },
      createPortalInvitation: async ({ userId }) => {
        calls.push(`link ${userId}`);
        if (userId === 'bob') throw new ApiError('NOT_FOUND', 'no linked user bob');
        return link(userId);
      },
    };
    const r = await sendInvitations(api, 'sales', who);
    expect(calls).toEqual(['mail ann', 'link ann', 'link bob', 'link cy']);
    expect(r.mailOff).toBe(true);
    expect(r.outcomes.map((o) => [o.userId, o.state, o.link ?? o.message])).toEqual([
      ['ann', 'link', 'https://sync.example/invite/tok-ann'],
      ['bob', 'failed', 'no linked user bob'],
      ['cy', 'link', 'https://sync.example/invite/tok-cy'],
    ]);
    expect(r.outcomes[2].email).toBe('cy@x.example'); // the address the link is made for, as the server says
  });

  it('does nothing for nobody', async () => {
    const api: InviteApi = {
      inviteMailboxUser: async () => {
        throw new Error('not called');
      },
      createPortalInvitation: async () => {
        throw new Error('not called');
      },
    };
    expect(await sendInvitations(api, 'sales', [])).toEqual({ outcomes: [], mailOff: false });
  });
});

describe('returnTo', () => {
  it('is the wizard of the profile, a path under /profiles', () => {
    expect(wizardPath(' sales ')).toBe('/profiles/sales/edit');
    expect(wizardPath('a@b+c')).toBe('/profiles/a%40b%2Bc/edit');
    for (const ok of ['/profiles', '/profiles/sales', wizardPath('sales'), wizardPath('a@b+c'), wizardPath('x_y-z.1')]) expect(safeReturnTo(ok)).toBe(ok);
  });

  it('refuses what could lead elsewhere', () => {
    for (const bad of [
      '',
      'https://evil.example/profiles/x',
      '//evil.example/profiles',
      '/\\evil.example',
      '/profiles//evil.example',
      '/profiles/x/%2f%2fevil.example',
      '/profiles/../graphql',
      '/profiles/%2e%2e/graphql',
      '/profiles/./x',
      '/profiles/x?signin=ok',
      '/profiles/x%3Fa',
      '/profiles/x#y',
      '/portal',
      '/profilesx',
      'profiles/x',
      '/profiles/x y',
      '/profiles/%zz',
      '/profiles/x%0d%0aSet-Cookie:a',
      '/profiles/' + 'a'.repeat(300),
    ])
      expect(safeReturnTo(bad), bad).toBeNull();
  });
});
