import { describe, expect, it } from 'vitest';
import { AREAS, decide, findArea, invitationToken, normalizePath, parseUserPath, safeNext, userPath, visibleAreas } from './router';

const admin = { role: 'ADMIN' };
const user = { role: 'USER' };

describe('decide', () => {
  it.each([
    // state, viewer, path, search, redirect
    ['SETUP', null, '/', '', '/setup'],
    ['SETUP', null, '/admins', '', '/setup'],
    ['SETUP', null, '/login', '?token=abc', '/setup?token=abc'],
    ['SETUP', null, '/setup', '?token=abc', null],
    ['SETUP', null, '/setup', '', null],
    ['OK', null, '/', '', '/login'],
    ['OK', null, '/setup', '?token=abc', '/login'],
    ['OK', null, '/login', '', null],
    ['OK', null, '/invite', '?token=t', null],
    ['OK', null, '/audit', '?x=1', '/login?next=%2Faudit%3Fx%3D1'],
    ['OK', admin, '/login', '', '/'],
    ['OK', admin, '/login', '?next=%2Faudit', '/audit'],
    ['OK', admin, '/login', '?next=https%3A%2F%2Fevil.example', '/'],
    ['OK', admin, '/login', '?next=%2F%2Fevil.example', '/'],
    ['OK', admin, '/setup', '?token=abc', '/'],
    ['OK', admin, '/admins', '', null],
    ['OK', admin, '/no-such-page', '', null],
    ['OK', user, '/', '', '/portal'],
    ['OK', user, '/admins', '', '/portal'],
    ['OK', user, '/users/p1/u1', '', '/portal'],
    ['OK', user, '/portal', '?signin=ok', null],
    ['OK', user, '/account', '', null],
    ['OK', user, '/login', '?next=%2Faccount', '/account'],
    ['OK', user, '/login', '?next=%2Faudit', '/portal'],
    ['OK', null, '/portal', '', '/login?next=%2Fportal'],
    ['OK', null, '/invite/tok-1', '', null],
    ['OK', admin, '/invite/tok-1', '', null],
    ['OK', user, '/invite/tok-1', '', null],
    ['OK', admin, '/invite', '?token=t', null],
  ] as const)('%s viewer=%j %s%s → %s', (state, viewer, path, search, want) => {
    expect(decide(state, viewer, path, search).redirect).toBe(want);
  });
});

describe('safeNext', () => {
  it.each([
    [null, '/'],
    ['', '/'],
    ['/audit', '/audit'],
    ['/audit?x=1', '/audit?x=1'],
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example', '/'],
    ['/login', '/'],
    ['/setup?token=1', '/'],
  ])('%s → %s', (next, want) => {
    expect(safeNext(next)).toBe(want);
  });
});

describe('areas', () => {
  it('lists every future area of the dashboard', () => {
    const labels = AREAS.map((a) => a.label);
    for (const want of ['Profiles', 'Users', 'Conflicts', 'Approvals', 'Governor', 'Checks', 'Audit log', 'Settings', 'Admins & tokens']) {
      expect(labels).toContain(want);
    }
  });
  it('hides admin areas from user accounts', () => {
    const paths = visibleAreas(user).map((a) => a.path);
    expect(paths).toEqual(['/portal', '/account']);
    expect(visibleAreas(admin)).toHaveLength(AREAS.length - 1);
    expect(visibleAreas(admin).map((a) => a.path)).not.toContain('/portal');
  });
  it('finds areas with a trailing slash', () => {
    expect(findArea('/admins/')?.label).toBe('Admins & tokens');
    expect(findArea('/nope')).toBeUndefined();
    expect(normalizePath('//a//b/')).toBe('/a/b');
  });
});

describe('user pages', () => {
  it('round-trips profile and user ids through the path', () => {
    const p = userPath('sales team', 'ann@x.example');
    expect(p).toBe('/users/sales%20team/ann%40x.example');
    expect(parseUserPath(p)).toEqual({ profileId: 'sales team', userId: 'ann@x.example' });
  });
  it('refuses other paths and bad escapes', () => {
    expect(parseUserPath('/users')).toBeNull();
    expect(parseUserPath('/users/a')).toBeNull();
    expect(parseUserPath('/users/a/b/c')).toBeNull();
    expect(parseUserPath('/users/%E0%A4%A/b')).toBeNull();
  });
});

describe('invitationToken', () => {
  it.each([
    ['/invite/abc_DEF-1', 'abc_DEF-1'],
    ['/invite/abc/', 'abc'],
    ['/invite/a%2Fb', 'a/b'],
    ['/invite', ''],
    ['/invite/', ''],
    ['/invite/a/b', ''],
    ['/invite/%E0%A4%A', ''],
  ])('%s → %s', (path, want) => {
    expect(invitationToken(path)).toBe(want);
  });
});
