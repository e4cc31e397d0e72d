// The audit log: security events, newest first, paged with "Show older events".

import { useState } from 'preact/hooks';
import { ApiError, asApiError } from '../api/client';
import { Button, ErrorAlert, Loading, PageHeader, useAsync } from '../components';
import { useApp } from '../context';
import { describeAction, formatTime } from '../format';
import type { AuditLogQuery } from '../gql/graphql';

type Edge = AuditLogQuery['auditLog']['edges'][number];

/** PAGE_SIZE is how many events one page holds. */
export const PAGE_SIZE = 50;

/** AuditScreen lists the security audit log. */
export function AuditScreen() {
  const { api } = useApp();
  const [older, setOlder] = useState<Edge[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [moreError, setMoreError] = useState<ApiError | null>(null);
  const first = useAsync(async () => {
    const res = await api.auditLog({ first: PAGE_SIZE });
    setOlder([]);
    setCursor(res.auditLog.pageInfo.endCursor);
    setMore(res.auditLog.pageInfo.hasNextPage);
    return res;
  });

  const loadMore = async () => {
    setBusy(true);
    setMoreError(null);
    try {
      const res = await api.auditLog({ first: PAGE_SIZE, after: cursor });
      setOlder((o) => [...o, ...res.auditLog.edges]);
      setCursor(res.auditLog.pageInfo.endCursor);
      setMore(res.auditLog.pageInfo.hasNextPage);
    } catch (err) {
      setMoreError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const edges = first.data ? [...first.data.auditLog.edges, ...older] : [];
  return (
    <>
      <PageHeader
        title="Audit log"
        intro="Security events: setup, sign-ins (including failed ones), API tokens and changes to administrators. Newest first."
        actions={
          <Button onClick={first.reload} busy={first.loading && !!first.data} busyLabel="Refreshing…">
            Refresh
          </Button>
        }
      />
      {first.loading && !first.data && <Loading label="Loading the audit log…" />}
      <ErrorAlert error={first.error} title="Could not load the audit log" onRetry={first.reload} />
      {first.data && edges.length === 0 && <p>No events yet.</p>}
      {edges.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Audit events">
          <table class="audit">
            <caption class="sr-only">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Who</th>
                <th scope="col">Target</th>
                <th scope="col">From</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {edges.map(({ node: ev }) => (
                <tr key={ev.id} class={ev.action.endsWith('failed') ? 'row-warn' : undefined}>
                  <td class="when">
                    <time dateTime={ev.time}>{formatTime(ev.time)}</time>
                  </td>
                  <td>
                    {describeAction(ev.action)}
                    <span class="code-name"> {ev.action}</span>
                  </td>
                  <td>{ev.actor || '—'}</td>
                  <td>{ev.target || '—'}</td>
                  <td class="ip">{ev.ip || '—'}</td>
                  <td class="detail">{ev.detail || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorAlert error={moreError} title="Could not load older events" onRetry={loadMore} />
      {more && (
        <p>
          <Button onClick={loadMore} busy={busy} busyLabel="Loading older events…">
            Show older events
          </Button>
        </p>
      )}
      {more === false && edges.length > 0 && <p class="muted">That is the whole log ({edges.length} events).</p>}
    </>
  );
}
