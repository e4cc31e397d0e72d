// Routing: which screen a path shows, and where the app must send the reader
// given the system's state (setup needed or not) and who is signed in.

/** SystemState mirrors systemStatus.state. */
export type SystemState = 'SETUP' | 'OK';

/** Role mirrors the API's account roles. */
export type Role = 'ADMIN' | 'USER';

/** ViewerLike is the part of the signed-in account routing looks at. */
export interface ViewerLike {
  role: Role | string;
}

/** Area is one entry of the navigation. */
export interface Area {
  path: string;
  label: string;
  /** adminOnly areas are hidden from (and refused to) user-role accounts. */
  adminOnly: boolean;
  /** group places the entry in the navigation. */
  group: 'sync' | 'system';
  /** userOnly areas are for user-role accounts (the portal); admins do not see them. */
  userOnly?: boolean;
}

/** AREAS lists the dashboard's areas in navigation order. */
export const AREAS: readonly Area[] = [
  { path: '/', label: 'Overview', adminOnly: false, group: 'sync' },
  { path: '/portal', label: 'Your sync', adminOnly: false, group: 'sync', userOnly: true },
  { path: '/profiles', label: 'Profiles', adminOnly: true, group: 'sync' },
  { path: '/users', label: 'Users', adminOnly: true, group: 'sync' },
  { path: '/conflicts', label: 'Conflicts', adminOnly: true, group: 'sync' },
  { path: '/approvals', label: 'Approvals', adminOnly: true, group: 'sync' },
  { path: '/governor', label: 'Governor', adminOnly: true, group: 'sync' },
  { path: '/checks', label: 'Checks', adminOnly: true, group: 'sync' },
  { path: '/audit', label: 'Audit log', adminOnly: true, group: 'system' },
  { path: '/settings', label: 'Settings', adminOnly: true, group: 'system' },
  { path: '/admins', label: 'Admins & tokens', adminOnly: true, group: 'system' },
  { path: '/account', label: 'Your account', adminOnly: false, group: 'system' },
];

/** PUBLIC_PATHS are the screens shown without a session. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/login', '/setup', '/invite']);

/** USER_PATHS are the screens a user-role account may open; every other path leads to its portal. */
export const USER_PATHS: ReadonlySet<string> = new Set(['/portal', '/account']);

/** invitationToken returns the token of a portal invitation path (/invite/<token>), or ''. */
export function invitationToken(pathname: string): string {
  const m = /^\/invite\/([^/]+)$/.exec(normalizePath(pathname));
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return '';
  }
}

/** normalizePath drops a trailing slash (except for "/") and collapses repeats. */
export function normalizePath(pathname: string): string {
  let p = ('/' + pathname).replace(/\/{2,}/g, '/');
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/** safeNext returns next when it is a same-origin path, else "/". */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  const path = normalizePath(next.split(/[?#]/)[0]);
  if (PUBLIC_PATHS.has(path)) return '/';
  return next;
}

/** Decision is the outcome of decide: stay on the path, or go elsewhere. */
export type Decision = { redirect: string } | { redirect: null };

/**
 * decide routes on the system state: while setup is needed every path goes to
 * /setup (keeping a ?token= so the one-time link works from anywhere); once
 * set up, a reader without a session goes to /login (remembering where they were
 * headed), and a signed-in reader is sent away from /login and /setup.
 */
export function decide(state: SystemState, viewer: ViewerLike | null, pathname: string, search: string): Decision {
  const path = normalizePath(pathname);
  const params = new URLSearchParams(search);
  if (state === 'SETUP') {
    if (path === '/setup') return { redirect: null };
    const token = params.get('token');
    return { redirect: token ? `/setup?token=${encodeURIComponent(token)}` : '/setup' };
  }
  // A portal invitation link works whoever is signed in: it signs its user in.
  if (invitationToken(path)) return { redirect: null };
  if (!viewer) {
    if (path === '/login' || path === '/invite') return { redirect: null };
    if (path === '/setup' || path === '/') return { redirect: '/login' };
    return { redirect: `/login?next=${encodeURIComponent(path + search)}` };
  }
  if (!isAdmin(viewer)) {
    // A user-role account has its portal and its account page, nothing else.
    if (USER_PATHS.has(path)) return { redirect: null };
    const next = path === '/login' ? safeNext(params.get('next')) : '/portal';
    return { redirect: USER_PATHS.has(normalizePath(next.split(/[?#]/)[0])) ? next : '/portal' };
  }
  if (path === '/login' || path === '/setup') return { redirect: safeNext(params.get('next')) };
  return { redirect: null };
}

/** findArea returns the navigation area for a path, or undefined for an unknown path. */
export function findArea(pathname: string): Area | undefined {
  const path = normalizePath(pathname);
  return AREAS.find((a) => a.path === path);
}

/** isAdmin reports whether the viewer has the admin role. */
export function isAdmin(viewer: ViewerLike | null): boolean {
  return !!viewer && String(viewer.role).toUpperCase() === 'ADMIN';
}

/** visibleAreas returns the areas a viewer may open. */
export function visibleAreas(viewer: ViewerLike | null): Area[] {
  if (isAdmin(viewer)) return AREAS.filter((a) => !a.userOnly);
  return AREAS.filter((a) => USER_PATHS.has(a.path));
}

/** userPath is the address of a linked user's page. */
export function userPath(profileId: string, userId: string): string {
  return `/users/${encodeURIComponent(profileId)}/${encodeURIComponent(userId)}`;
}

/** parseUserPath returns the profile and user of a user page's path, or null. */
export function parseUserPath(path: string): { profileId: string; userId: string } | null {
  const m = /^\/users\/([^/]+)\/([^/]+)$/.exec(path);
  if (!m) return null;
  try {
    return { profileId: decodeURIComponent(m[1]), userId: decodeURIComponent(m[2]) };
  } catch {
    return null;
  }
}
