// The users grid's summary columns: last sync, items per kind, and the error
// naming the item at fault (LinkedUser.summary / userSummary), with the CSV
// export and the "with errors" filter that use them, and the hook that keeps
// the summaries fresh: all of them when the grid's users change, one user's
// when the syncStatus subscription reports that a run of theirs ended.

import { useEffect, useRef, useState } from 'preact/hooks';
import { gridApi } from './api/grid';
import { subscribe, type LiveState } from './api/live';
import type { Api } from './api/operations';
import { SYNC_STATUS_LIVE } from './api/operations';
import type { SyncStatusLiveSubscription, UserSummaryFieldsFragment } from './gql/graphql';

/** Summary is one linked user's summary as the grid asks for it. */
export type Summary = UserSummaryFieldsFragment;

/** Summaries are the grid's summaries by summaryKey. */
export type Summaries = Record<string, Summary>;

/** summaryKey names a linked user in Summaries. */
export function summaryKey(profileId: string, userId: string): string {
  return `${profileId}/${userId}`;
}

/** KIND_ORDER is the order kinds are listed in (the engine's). */
export const KIND_ORDER = ['APPOINTMENT', 'TASK', 'CONTACT', 'GROUP'] as const;

const SHORT: Record<string, [string, string]> = {
  APPOINTMENT: ['appt', 'appts'],
  TASK: ['task', 'tasks'],
  CONTACT: ['contact', 'contacts'],
  GROUP: ['group', 'groups'],
};
const LONG: Record<string, string> = { APPOINTMENT: 'appointments', TASK: 'tasks', CONTACT: 'contacts', GROUP: 'groups' };

/** itemsText is the Items cell: the items in sync per kind, compact ("412 appts · 37 tasks"); '—' before the first sync. */
export function itemsText(s: Summary | null | undefined): string {
  if (!s || s.kinds.length === 0) return '—';
  return s.kinds
    .map((k) => {
      const [one, many] = SHORT[k.kind] ?? [k.kind.toLowerCase(), k.kind.toLowerCase()];
      return `${k.items.toLocaleString('en')} ${k.items === 1 ? one : many}`;
    })
    .join(' · ');
}

/** itemsDetail spells the Items cell out for its tooltip and screen readers, with each kind's last run. */
export function itemsDetail(s: Summary | null | undefined): string {
  if (!s || s.kinds.length === 0) return 'Nothing synced yet';
  return s.kinds
    .map((k) => {
      const what = `${k.items} ${LONG[k.kind] ?? k.kind.toLowerCase()} in sync`;
      const r = k.lastRun;
      if (!r) return what;
      const c = r.counts;
      return `${what} (last run ${r.status.toLowerCase()}: ${c.listed} listed, ${c.created} created, ${c.updated} updated, ${c.deleted} deleted)`;
    })
    .join('; ');
}

/** lastSync is the Last sync cell: when the user last synced without errors, and whether a newer run failed. */
export function lastSync(s: Summary | null | undefined): { at: string | null; note: string } {
  if (!s) return { at: null, note: '' };
  let newest: { end: string; status: string } | null = null;
  for (const k of s.kinds) {
    if (k.lastRun && (!newest || k.lastRun.end > newest.end)) newest = k.lastRun;
  }
  const after = newest && (!s.lastSuccess || newest.end > s.lastSuccess);
  if (after && newest!.status === 'FAILED') return { at: s.lastSuccess, note: 'a newer run failed' };
  if (after && newest!.status === 'PARTIAL') return { at: s.lastSuccess, note: 'a newer run was partial' };
  return { at: s.lastSuccess, note: '' };
}

/**
 * itemError is the error naming the item at fault (or the failed run), or null. A run's error is left out when
 * shown is set (the State cell already says the scheduler's last error); an item's never is.
 */
export function itemError(s: Summary | null | undefined, shown?: string | null): string | null {
  const e = s?.lastError;
  if (!e) return null;
  if (!e.itemId && shown) return null;
  return e.message;
}

/** hasErrors reports whether the summary names an error or quarantined items (the "with errors" filter). */
export function hasErrors(s: Summary | null | undefined): boolean {
  return !!s && (!!s.lastError || s.quarantined > 0);
}

function csvCell(v: string | number | null | undefined): string {
  const t = v == null ? '' : String(v);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** GridUser is the part of a grid row the CSV export reads. */
export interface GridUser {
  id: string;
  crm: { name: string; email: string };
  mailbox: { email: string };
  status: { lastRun?: string | null; nextRun?: string | null; lastError?: string | null } | null;
}

/**
 * gridCSV writes the users grid (as filtered) as CSV, one user a line: the
 * scheduler's columns, then the summary's (last successful sync, items in sync
 * per kind, quarantined items, the error naming the item at fault). state is
 * the State column's text of a user.
 */
export function gridCSV<U extends GridUser>(profiles: Array<{ id: string; users: U[] }>, summaries: Summaries, state: (u: U) => string): string {
  const rows: Array<Array<string | number>> = [
    ['profile', 'user', 'name', 'crmEmail', 'mailboxEmail', 'state', 'lastRun', 'nextRun', 'lastError', 'lastSync', ...KIND_ORDER.map((k) => LONG[k]), 'quarantined', 'itemError'],
  ];
  for (const p of profiles) {
    for (const u of p.users) {
      const s = summaries[summaryKey(p.id, u.id)];
      const items = KIND_ORDER.map((k) => s?.kinds.find((x) => x.kind === k)?.items ?? '');
      rows.push([
        p.id,
        u.id,
        u.crm.name,
        u.crm.email,
        u.mailbox.email,
        state(u),
        u.status?.lastRun ?? '',
        u.status?.nextRun ?? '',
        u.status?.lastError ?? '',
        s?.lastSuccess ?? '',
        ...items,
        s ? s.quarantined : '',
        itemError(s) ?? '',
      ]);
    }
  }
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** ENDED are the syncStatus event types after which a user's summary changed. */
export const ENDED = new Set(['finished', 'failed', 'interrupted']);

/** usersSignature names the grid's users, so summaries are reloaded in full only when they change. */
export function usersSignature(profiles: ReadonlyArray<{ id: string; users: ReadonlyArray<{ id: string }> }>): string {
  return profiles.map((p) => `${p.id}:${p.users.map((u) => u.id).join(',')}`).join(';');
}

/**
 * useUserSummaries loads the summaries of the grid's users (one query per
 * profile) and keeps them fresh: in full when the set of users changes, or
 * whenever the grid reloads while live updates are not live (the Refresh
 * button); one user's alone when the syncStatus subscription reports that a
 * run of theirs ended. A summary that cannot load leaves its cells at '—'
 * and error names why.
 */
export function useUserSummaries(
  api: Api,
  profiles: ReadonlyArray<{ id: string; users: ReadonlyArray<{ id: string }> }> | null,
  live: LiveState,
): { summaries: Summaries; error: unknown } {
  const [summaries, setSummaries] = useState<Summaries>({});
  const [error, setError] = useState<unknown>(null);
  const sig = profiles ? usersSignature(profiles) : '';
  const apiRef = useRef(api);
  apiRef.current = api;
  // Without live updates, every reload of the grid (Refresh, a command) reloads the summaries too.
  const [reloads, setReloads] = useState(0);
  const seen = useRef(profiles);
  useEffect(() => {
    const before = seen.current;
    seen.current = profiles;
    if (before && profiles && profiles !== before && live !== 'live') setReloads((n) => n + 1);
  }, [profiles, live]);

  useEffect(() => {
    if (!profiles) return;
    let cancelled = false;
    const g = gridApi(apiRef.current);
    Promise.all(profiles.filter((p) => p.users.length > 0).map((p) => g.userSummaries({ profileId: p.id }).then((d) => ({ p: p.id, d }))))
      .then((all) => {
        if (cancelled) return;
        const next: Summaries = {};
        for (const { p, d } of all) for (const u of d.linkedUsers) next[summaryKey(p, u.id)] = u.summary;
        setSummaries(next);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(err);
      });
    return () => {
      cancelled = true;
    };
  }, [sig, reloads]);

  useEffect(() => {
    if (typeof WebSocket === 'undefined') return;
    const pending = new Map<string, number>();
    const stop = subscribe<SyncStatusLiveSubscription>({
      query: SYNC_STATUS_LIVE,
      onData: (d) => {
        const ev = d.syncStatus.event;
        if (!ev || !ENDED.has(ev.type) || !ev.profileId || !ev.userId) return;
        const key = summaryKey(ev.profileId, ev.userId);
        if (pending.has(key)) return;
        // A user's kinds end one after the other: one refresh after the burst.
        const { profileId, userId } = ev;
        pending.set(
          key,
          window.setTimeout(() => {
            pending.delete(key);
            gridApi(apiRef.current)
              .userSummary({ profileId, userId })
              .then((r) => setSummaries((prev) => ({ ...prev, [key]: r.userSummary })))
              .catch(() => {
                /* unlinked meanwhile, or offline: the next full load settles it */
              });
          }, 500),
        );
      },
    });
    return () => {
      stop();
      for (const t of pending.values()) window.clearTimeout(t);
    };
  }, []);

  return { summaries, error };
}
