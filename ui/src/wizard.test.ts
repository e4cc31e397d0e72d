import { describe, expect, it } from 'vitest';
import {
  checkStep,
  draftFromProfile,
  linkInputs,
  newDraft,
  parseSettings,
  profileInput,
  secretsToStore,
  stepOfField,
  systemInput,
  userChanges,
  userId,
  usersFromCSV,
  usersFromSuggestions,
  usersToCSV,
} from './wizard';

describe('checkStep', () => {
  it('names the fields at fault on each step', () => {
    const d = newDraft();
    expect(Object.keys(checkStep(d, 0)).sort()).toEqual(['id', 'name']);
    d.id = 'sales/team';
    d.name = 'Sales';
    expect(Object.keys(checkStep(d, 0))).toEqual(['id']);
    d.id = 'sales';
    expect(checkStep(d, 0)).toEqual({});

    d.crm.settings = '{"mode": "online",}';
    d.mailbox.instance = d.crm.instance;
    d.mailbox.secrets = [{ name: 'client-secret', value: '' }];
    const p1 = checkStep(d, 1);
    expect(p1['crm.settings']).toMatch(/not valid JSON/);
    expect(p1['mailbox.instance']).toMatch(/different connection names/);
    expect(p1['mailbox.secrets.0']).toMatch(/Enter the value/);

    d.daysBack = '-1';
    d.pollSeconds = '10';
    d.guardDeletesPercent = '120';
    d.directions = { APPOINTMENT: 'OFF', TASK: 'OFF', CONTACT: 'OFF', GROUP: 'OFF' };
    expect(Object.keys(checkStep(d, 2)).sort()).toEqual(['daysBack', 'directions', 'guard.deletes.percent', 'pollSeconds']);

    d.users = [
      { id: 'ann', crmId: '7', crmEmail: 'ann@x.example', mailboxId: '', mailboxEmail: 'ann@x.example' },
      { id: 'ann', crmId: '', crmEmail: 'nope', mailboxId: '', mailboxEmail: '' },
    ];
    expect(Object.keys(checkStep(d, 3)).sort()).toEqual(['users.1.crm.email', 'users.1.crm.id', 'users.1.id', 'users.1.mailbox.email']);
  });

  it('rejects settings that are not a JSON object', () => {
    expect(parseSettings('[1]').problem).toMatch(/JSON object/);
    expect(parseSettings('').value).toEqual({});
    expect(parseSettings('{"a":1}').value).toEqual({ a: 1 });
  });
});

describe('inputs', () => {
  it('builds saveSyncProfile and linkUser inputs from the draft', () => {
    const d = newDraft();
    d.id = ' sales ';
    d.name = 'Sales';
    d.crm.settings = '{"baseUrl":"https://crm.example/api/"}';
    d.users = [{ id: 'ann', crmId: '7', crmEmail: '', mailboxId: '', mailboxEmail: 'ann@x.example' }];
    const p = profileInput(d);
    expect(p.id).toBe('sales');
    expect(p.crm.settings).toBe('{"baseUrl":"https://crm.example/api/"}');
    expect(p.daysBack).toBe(30);
    expect(p.directions).toContainEqual({ kind: 'APPOINTMENT', direction: 'TWO_WAY' });
    expect(p.guard?.deletes).toEqual({ count: 10, percent: 20 });
    expect(linkInputs(d)).toEqual([{ profileId: 'sales', id: 'ann', crm: { id: '7', email: undefined }, mailbox: { id: undefined, email: 'ann@x.example' } }]);
  });
});

describe('users CSV', () => {
  it('round-trips with quoting', () => {
    const users = [{ id: 'ann', crmId: '7', crmEmail: 'ann@x.example', mailboxId: '', mailboxEmail: 'a,nn@x.example' }];
    const csv = usersToCSV(users);
    expect(csv).toBe('id,crmId,crmEmail,mailboxId,mailboxEmail\nann,7,ann@x.example,,"a,nn@x.example"\n');
    expect(usersFromCSV(csv)).toEqual({ users, errors: [] });
  });
  it('reads columns in any order, without a header, and names bad lines', () => {
    const r = usersFromCSV('crmEmail,crmId\nbob@x.example,8\n\n,9\n');
    expect(r.users).toEqual([{ id: 'bob', crmId: '8', crmEmail: 'bob@x.example', mailboxId: '', mailboxEmail: '' }]);
    expect(r.errors).toEqual(['Line 4: needs at least an id (or a CRM e-mail) and a CRM id.']);
    const plain = usersFromCSV('cia,9,cia@x.example,,cia@y.example\na,b,c,d,e,f');
    expect(plain.users.map((u) => u.id)).toEqual(['cia']);
    expect(plain.errors[0]).toMatch(/^Line 2: 6 values/);
  });
});

describe('stepOfField', () => {
  it('maps server field names to the step and field that shows them', () => {
    expect(stepOfField('name')).toEqual({ step: 0, key: 'name' });
    expect(stepOfField('crm.settings')).toEqual({ step: 1, key: 'crm.settings' });
    expect(stepOfField('mailbox.instance')).toEqual({ step: 1, key: 'mailbox.instance' });
    expect(stepOfField('directions.APPOINTMENT')).toEqual({ step: 2, key: 'directions' });
    expect(stepOfField('guard.profileDeletes')).toEqual({ step: 1, key: 'crm.settings' });
    expect(stepOfField('daysBack')).toEqual({ step: 2, key: 'daysBack' });
    expect(stepOfField('crm.id', 2)).toEqual({ step: 3, key: 'users.2.crm.id' });
    expect(stepOfField('mailbox.id', 0)).toEqual({ step: 3, key: 'users.0.mailbox.email' });
    expect(stepOfField(undefined)).toEqual({ step: 4, key: '' });
  });

  it('sends the CRM mapping settings to the mapping panel of step 3, other settings to the systems step', () => {
    expect(stepOfField('crm.settings.titleTemplate')).toEqual({ step: 2, key: 'crm.settings.titleTemplate' });
    expect(stepOfField('input.crm.settings.typeCategories')).toEqual({ step: 2, key: 'crm.settings.typeCategories' });
    expect(stepOfField('crm.settings.typeCategories.Meeting')).toEqual({ step: 2, key: 'crm.settings.typeCategories' });
    expect(stepOfField('crm.settings.defaultType')).toEqual({ step: 2, key: 'crm.settings.defaultType' });
    expect(stepOfField('crm.settings.language')).toEqual({ step: 2, key: 'crm.settings.language' });
    // Not a mapping key, or the mailbox's settings: the systems step, as before.
    expect(stepOfField('crm.settings.timeZone')).toEqual({ step: 1, key: 'crm.settings' });
    expect(stepOfField('crm.settings.languages')).toEqual({ step: 1, key: 'crm.settings' });
    expect(stepOfField('mailbox.settings.language')).toEqual({ step: 1, key: 'mailbox.settings' });
    expect(stepOfField('mailbox.settings.groups')).toEqual({ step: 1, key: 'mailbox.settings' });
  });
});

describe('editing and matching', () => {
  const loaded = {
    id: 'sales',
    name: 'Sales',
    crm: { type: 'superoffice', instance: 'so', settings: '{"mode":"onsite","baseUrl":"http://x/api/"}', secretFields: [] },
    mailbox: { type: 'msgraph', instance: 'm365', settings: '{"tenantId":"t"}', secretFields: ['clientSecret'] },
    directions: [{ kind: 'APPOINTMENT' as const, direction: 'TWO_WAY' as const }],
    daysBack: 14,
    daysAhead: 60,
    filters: { skipPrivate: true, skipAllDay: false, skipFree: false, skipRecurring: false },
    policy: 'CRM_WINS' as const,
    onDelete: 'DELETE_WINS' as const,
    pollSeconds: 30,
    guard: { deletes: { count: 5, percent: 10 }, creates: { count: 50, percent: 50 }, profileDeletes: 7, profileCreates: 8, profileWindowSeconds: 900, guardFirstSync: true },
    userMay: { directions: true, filters: false, window: true },
    users: [
      { id: 'ann', crm: { id: '7', email: 'ann@x.example', name: 'Ann' }, mailbox: { id: 'g-ann', email: 'ann@x.example', name: 'Ann' } },
      { id: 'bob', crm: { id: '8', email: 'bob@x.example', name: 'Bob' }, mailbox: { id: '', email: 'bob@x.example', name: '' } },
    ],
  };

  it('loads a saved profile into a draft that saves back what it had', () => {
    const d = draftFromProfile(loaded, { crm: ['password'], mailbox: [] });
    expect(d.directions).toEqual({ APPOINTMENT: 'TWO_WAY', TASK: 'OFF', CONTACT: 'OFF', GROUP: 'OFF' });
    expect(d.crm.secrets).toEqual([{ name: 'password', value: '' }]);
    expect(d.mailbox.secretFields).toEqual(['clientSecret']);
    // A stored secret left empty is kept: the systems step accepts it and nothing is stored.
    expect(checkStep(d, 1)).toEqual({});
    expect(secretsToStore(d.crm)).toEqual([]);
    // Renamed, the connection has no stored secrets: the value is needed again.
    expect(checkStep({ ...d, crm: { ...d.crm, instance: 'so-2' } }, 1)).toEqual({ 'crm.secrets.0': 'Enter the value, or remove the row.' });
    const inp = profileInput(d);
    expect(inp.guard).toEqual({ deletes: { count: 5, percent: 10 }, creates: { count: 50, percent: 50 }, profileDeletes: 7, profileCreates: 8, profileWindowSeconds: 900, guardFirstSync: true });
    expect(inp.userMay).toEqual({ directions: true, filters: false, window: true });
    expect(inp.policy).toBe('CRM_WINS');
    expect(inp.filters?.skipPrivate).toBe(true);
    expect(JSON.parse(inp.crm.settings ?? '')).toEqual({ mode: 'onsite', baseUrl: 'http://x/api/' });
    expect(systemInput(d.mailbox)).toEqual({ type: 'msgraph', instance: 'm365', settings: '{"tenantId":"t"}' });
    // Unchanged users are neither linked again nor unlinked.
    expect(userChanges(d.saved!.users, d.users)).toEqual({ link: [], unlink: [] });
  });

  it('finds the users to link and to unlink', () => {
    const d = draftFromProfile(loaded);
    const users = [
      { ...d.users[0], mailboxEmail: 'ann.new@x.example' },
      { ...d.users[1], skip: true },
      { id: 'cy', crmId: '9', crmEmail: 'cy@x.example', mailboxId: '', mailboxEmail: 'cy@x.example' },
    ];
    const ch = userChanges(d.saved!.users, users);
    expect(ch.link.map((u) => u.id)).toEqual(['ann', 'cy']);
    expect(ch.unlink).toEqual(['bob']);
    expect(linkInputs({ ...d, users }).map((l) => l.id)).toEqual(['ann', 'cy']);
  });

  it('adds suggested pairs once, with unique ids and how they matched', () => {
    const pairs = [
      { crm: { id: '7', email: 'ann@x.example', name: 'Ann' }, mailbox: { id: 'g1', email: 'ann@x.example', name: 'Ann' }, matchedBy: 'EMAIL' as const, address: 'ann@x.example' },
      { crm: { id: '9', email: 'Ann@other.example', name: 'Ann B' }, mailbox: { id: 'g2', email: 'ann.b@x.example', name: '' }, matchedBy: 'ALIAS' as const, address: 'ann@other.example' },
    ];
    const first = usersFromSuggestions([], pairs);
    expect(first.added).toBe(2);
    expect(first.users.map((u) => [u.id, u.crmId, u.mailboxId, u.match])).toEqual([
      ['ann', '7', 'g1', 'same e-mail: ann@x.example'],
      ['ann-2', '9', 'g2', 'alias: ann@other.example'],
    ]);
    const again = usersFromSuggestions(first.users, pairs);
    expect(again.added).toBe(0);
    expect(again.users).toHaveLength(2);
    expect(userId('---@x', new Set())).toBe('user');
  });
});
