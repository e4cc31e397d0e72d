// App boots the dashboard: it asks the server for its state and the signed-in
// account, routes on them (setup → sign-in → shell), and renders the screen.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, asApiError } from './api/client';
import type { Account, Api } from './api/operations';
import { Button, Loading } from './components';
import { AppContext, type AppCtx } from './context';
import { navigate, useLocation } from './nav';
import { decide, findArea, invitationToken, isAdmin, normalizePath, parseUserPath, safeNext, type SystemState } from './router';
import { AccountScreen } from './screens/account';
import { AdminsScreen } from './screens/admins';
import { AdminsOnly, NotFound, Overview, UPCOMING, Upcoming } from './screens/areas';
import { AuditScreen } from './screens/audit';
import { ChecksScreen } from './screens/checks';
import { InviteScreen, LoginScreen, SetupScreen } from './screens/auth';
import { PortalInviteScreen, PortalScreen } from './screens/portal';
import { SettingsScreen } from './screens/settings';
import { Shell } from './screens/shell';
import { ApprovalsScreen, ConflictsScreen, GovernorScreen, ProfilesScreen, UsersScreen } from './screens/sync';
import { UserScreen } from './screens/user';
import { WizardScreen } from './screens/wizard';

interface Boot {
  state: SystemState;
  version: string;
  viewer: Account | null;
}

/** App is the root component. */
export function App(props: { api: Api }) {
  const { api } = props;
  const loc = useLocation();
  const [boot, setBoot] = useState<Boot | null>(null);
  const [bootError, setBootError] = useState<ApiError | null>(null);
  const [retrying, setRetrying] = useState(false);
  const viewerRef = useRef<Account | null>(null);
  viewerRef.current = boot?.viewer ?? null;

  const load = async () => {
    setRetrying(true);
    try {
      const res = await api.boot();
      setBoot({ state: res.systemStatus.state, version: res.systemStatus.version, viewer: res.me });
      setBootError(null);
    } catch (err) {
      setBootError(asApiError(err));
    } finally {
      setRetrying(false);
    }
  };

  useEffect(() => {
    // A request refused because the session ended sends the reader to sign in,
    // remembering where they were. Failed sign-ins (no session yet) are not this.
    api.client.onUnauthenticated = () => {
      if (!viewerRef.current) return;
      setBoot((b) => (b ? { ...b, viewer: null } : b));
      const here = window.location.pathname + window.location.search;
      navigate(`/login?reason=expired&next=${encodeURIComponent(here)}`, { replace: true });
    };
    void load();
  }, []);

  const decision = boot ? decide(boot.state, boot.viewer, loc.pathname, loc.search) : null;
  useEffect(() => {
    if (decision?.redirect) navigate(decision.redirect, { replace: true });
  }, [decision?.redirect]);

  const ctx = useMemo<AppCtx | null>(() => {
    if (!boot) return null;
    return {
      api,
      state: boot.state,
      version: boot.version,
      viewer: boot.viewer,
      signedIn: (a: Account) => {
        setBoot((b) => (b ? { ...b, state: 'OK', viewer: a } : b));
        const path = normalizePath(window.location.pathname);
        if (path === '/invite' || path === '/setup') navigate('/', { replace: true });
        else if (path === '/login') {
          const next = safeNext(new URLSearchParams(window.location.search).get('next'));
          // A user-role account lands on its portal unless it was headed for its account page.
          navigate(isAdmin(a) || next.startsWith('/account') ? next : '/portal', { replace: true });
        }
      },
      signOut: async () => {
        await api.logout();
        setBoot((b) => (b ? { ...b, viewer: null } : b));
        navigate('/login?reason=signed-out', { replace: true });
      },
    };
  }, [api, boot]);

  if (!boot || !ctx) {
    return (
      <div class="auth-layout">
        <main id="main" class="auth-card">
          {bootError ? (
            <div class="alert alert-error" role="alert">
              <h1 class="alert-title">Synchronizer is not answering</h1>
              <p>{bootError.message}</p>
              <p class="alert-hint">{bootError.hint}</p>
              <Button variant="primary" onClick={load} busy={retrying} busyLabel="Trying again…">
                Try again
              </Button>
            </div>
          ) : (
            <Loading label="Loading Synchronizer…" />
          )}
        </main>
      </div>
    );
  }

  let screen;
  if (decision?.redirect) {
    screen = (
      <div class="auth-layout">
        <main id="main" class="auth-card">
          <Loading label="Opening…" />
        </main>
      </div>
    );
  } else {
    screen = <Screen path={normalizePath(loc.pathname)} viewer={boot.viewer} />;
  }
  return <AppContext.Provider value={ctx}>{screen}</AppContext.Provider>;
}

function Screen(props: { path: string; viewer: Account | null }) {
  const { path, viewer } = props;
  if (path === '/setup') return <SetupScreen />;
  if (path === '/login') return <LoginScreen />;
  if (path === '/invite') return <InviteScreen />;
  const invitation = invitationToken(path);
  if (invitation) return <PortalInviteScreen token={invitation} />;
  if (path === '/portal') return <Shell path="/portal"><PortalScreen /></Shell>;
  const userPage = parseUserPath(path);
  if (userPage) {
    return (
      <Shell path="/users">
        {isAdmin(viewer) ? <UserScreen profileId={userPage.profileId} userId={userPage.userId} /> : <AdminsOnly title="Users" />}
      </Shell>
    );
  }
  const profileSub = /^\/profiles\/([^/]+)\/(edit|checks)$/.exec(path);
  if (profileSub) {
    let id = profileSub[1];
    try {
      id = decodeURIComponent(id);
    } catch {
      /* kept as written */
    }
    const page = profileSub[2] === 'edit' ? <WizardScreen key={`edit-${id}`} editId={id} search={window.location.search} /> : <ChecksScreen profileId={id} />;
    return <Shell path={profileSub[2] === 'edit' ? '/profiles' : '/checks'}>{isAdmin(viewer) ? page : <AdminsOnly title="Profiles" />}</Shell>;
  }
  const profilePage = /^\/profiles\/([^/]+)$/.exec(path);
  if (profilePage && path !== '/profiles/new') {
    let id = '';
    try {
      id = decodeURIComponent(profilePage[1]);
    } catch {
      id = profilePage[1];
    }
    return <Shell path="/profiles">{isAdmin(viewer) ? <ProfilesScreen only={id} search={window.location.search} /> : <AdminsOnly title="Profiles" />}</Shell>;
  }
  if (path === '/profiles/new') {
    return <Shell path="/profiles">{isAdmin(viewer) ? <WizardScreen key="new" /> : <AdminsOnly title="Profiles" />}</Shell>;
  }
  const area = findArea(path);
  let body;
  if (area?.adminOnly && !isAdmin(viewer)) body = <AdminsOnly title={area.label} />;
  else if (path === '/') body = <Overview />;
  else if (path === '/admins') body = <AdminsScreen />;
  else if (path === '/audit') body = <AuditScreen />;
  else if (path === '/account') body = <AccountScreen />;
  else if (path === '/profiles') body = <ProfilesScreen />;
  else if (path === '/users') body = <UsersScreen />;
  else if (path === '/conflicts') body = <ConflictsScreen />;
  else if (path === '/approvals') body = <ApprovalsScreen />;
  else if (path === '/governor') body = <GovernorScreen />;
  else if (path === '/settings') body = <SettingsScreen />;
  else if (path === '/checks') body = <ChecksScreen />;
  else if (UPCOMING[path]) body = <Upcoming path={path} />;
  else body = <NotFound />;
  return <Shell path={path}>{body}</Shell>;
}
