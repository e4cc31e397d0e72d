// The app-wide context: the API, the system status and the signed-in account.

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Account, Api } from './api/operations';
import type { SystemState } from './router';

/** AppCtx is what every screen can reach. */
export interface AppCtx {
  api: Api;
  state: SystemState;
  version: string;
  viewer: Account | null;
  /** signedIn records the account after setup, login or an accepted invitation. */
  signedIn: (a: Account) => void;
  /** signOut ends the session and goes to the sign-in screen. */
  signOut: () => Promise<void>;
}

export const AppContext = createContext<AppCtx | null>(null);

/** useApp returns the app context; it must be used inside <AppContext.Provider>. */
export function useApp(): AppCtx {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('useApp outside AppContext');
  return ctx;
}
