// The signed-in layout: a skip link, the header with the account menu, the
// navigation of every area, and the current area's screen.

import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { asApiError } from '../api/client';
import { Button, ErrorAlert, Link } from '../components';
import { useApp } from '../context';
import { AREAS, isAdmin, normalizePath, visibleAreas, type Area } from '../router';

function NavList(props: { areas: Area[]; current: string; onNavigate: () => void }) {
  return (
    <ul>
      {props.areas.map((a) => (
        <li key={a.path}>
          <Link
            href={a.path}
            class={`nav-link${props.current === a.path ? ' active' : ''}`}
            aria-current={props.current === a.path ? 'page' : undefined}
            onClick={props.onNavigate}
          >
            {a.label}
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** Shell frames every signed-in screen. */
export function Shell(props: { path: string; children: ComponentChildren }) {
  const { viewer, signOut, version } = useApp();
  const [menuOpen, setMenuOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<ApiError | null>(null);
  const current = normalizePath(props.path);
  const areas = visibleAreas(viewer);
  const sync = areas.filter((a) => a.group === 'sync');
  const system = areas.filter((a) => a.group === 'system');

  useEffect(() => setMenuOpen(false), [current]);
  // Escape closes the open menu and puts focus back on its button (no keyboard trap).
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setMenuOpen(false);
      document.querySelector<HTMLButtonElement>('.menu-toggle')?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <button
          type="button"
          class="btn btn-ghost menu-toggle"
          aria-expanded={menuOpen ? 'true' : 'false'}
          aria-controls="sidenav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          {menuOpen ? 'Close menu' : 'Menu'}
        </button>
        <Link href="/" class="brand">
          <span class="brand-mark" aria-hidden="true" /> Synchronizer
        </Link>
        <div class="topbar-right">
          {viewer && (
            <span class="who">
              <span class="who-name">{viewer.name || viewer.email}</span>
              <span class="badge">{isAdmin(viewer) ? 'Admin' : 'User'}</span>
            </span>
          )}
          <Button
            variant="ghost"
            busy={signingOut}
            busyLabel="Signing out…"
            onClick={async () => {
              setSigningOut(true);
              setSignOutError(null);
              try {
                await signOut();
              } catch (err) {
                setSignOutError(asApiError(err));
              } finally {
                setSigningOut(false);
              }
            }}
          >
            Sign out
          </Button>
        </div>
      </header>
      <div class="layout">
        <nav id="sidenav" class={`sidenav${menuOpen ? ' open' : ''}`} aria-label="Main">
          <p class="nav-group" id="nav-sync">
            Synchronization
          </p>
          <NavList areas={sync} current={current} onNavigate={() => setMenuOpen(false)} />
          <p class="nav-group" id="nav-system">
            System
          </p>
          <NavList areas={system} current={current} onNavigate={() => setMenuOpen(false)} />
          <p class="nav-version">Version {version || 'unknown'}</p>
        </nav>
        <main id="main" class="content" tabIndex={-1}>
          <ErrorAlert error={signOutError} title="You are still signed in" />
          {props.children}
        </main>
      </div>
    </div>
  );
}

/** areaLabel returns the navigation label of a path (for titles), or ''. */
export function areaLabel(path: string): string {
  return AREAS.find((a) => a.path === normalizePath(path))?.label ?? '';
}
