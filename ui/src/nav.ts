// Client-side navigation on the History API: navigate() changes the URL without a
// page load, and useLocation() re-renders on every change (links, back/forward).

import { useEffect, useState } from 'preact/hooks';

const CHANGE = 'synchronizer:navigate';

/** Loc is the part of window.location the app routes on. */
export interface Loc {
  pathname: string;
  search: string;
}

function current(): Loc {
  return { pathname: window.location.pathname, search: window.location.search };
}

/** navigate goes to a same-origin path; replace keeps the history entry count. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const here = window.location.pathname + window.location.search;
  if (to === here) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** useLocation returns the current location and re-renders when it changes. */
export function useLocation(): Loc {
  const [loc, setLoc] = useState<Loc>(current);
  useEffect(() => {
    const update = () => setLoc(current());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return loc;
}
