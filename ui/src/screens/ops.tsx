// Operations views: the governor's activity chart (in the Governor screen), the
// TLS/domain status and the backup download (in Settings), and the automatic
// re-invitations of users whose Microsoft grant was refused (Users and a user's page).

import { useEffect, useId, useMemo, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { asApiError } from '../api/client';
import { OpsApi } from '../api/ops';
import { binSamples, formatWait, geometry, summary } from '../chart';
import { Button, ErrorAlert, Link, Loading, Notice, useAsync } from '../components';
import { useApp } from '../context';
import { formatTime, sentence } from '../format';
import type { ReinvitationsQuery, TlsStatusQuery } from '../gql/graphql';
import { userPath } from '../router';
import { Check, Select } from './wizard';

function useOps(): OpsApi {
  const { api } = useApp();
  return useMemo(() => new OpsApi(api), [api]);
}

/** REFRESH_MS is how often the chart reloads while shown (one governor step). */
const REFRESH_MS = 10_000;

const WINDOWS: Array<[string, string]> = [
  ['15', 'Last 15 minutes'],
  ['30', 'Last 30 minutes'],
  ['60', 'Last hour'],
];

// Plot size in SVG units; the SVG scales to the card's width.
const W = 600;
const H = 140;
const PAD_LEFT = 44;
const PAD_BOTTOM = 22;

/**
 * GovernorHistoryPanel charts the governor's calls and throttling over the last
 * hour (bars per minute), for all calls or one scope, refreshed every 10 s. The
 * SVG has a text summary; the same numbers are in a table for screen readers
 * and anyone who prefers one.
 */
export function GovernorHistoryPanel(props: { scopes: string[] }) {
  const ops = useOps();
  const [scope, setScope] = useState('');
  const [minutes, setMinutes] = useState('60');
  const [live, setLive] = useState(true);
  const data = useAsync(() => ops.governorHistory({ scope: scope || null, minutes: Number(minutes) }), [scope, minutes]);
  useEffect(() => {
    if (!live) return;
    const t = setInterval(data.reload, REFRESH_MS);
    return () => clearInterval(t);
  }, [live, scope, minutes]);
  const titleId = useId();
  const descId = useId();
  const h = data.data?.governorHistory;
  const perBin = h ? Math.max(1, Math.round(60 / h.stepSeconds)) : 6; // one bar a minute
  const bins = h ? binSamples(h.samples, perBin) : [];
  const g = geometry(bins, W - PAD_LEFT, H - PAD_BOTTOM);
  const text = summary(bins, Number(minutes));
  const scopeOptions: Array<[string, string]> = [['', 'All remote calls'], ...props.scopes.map((s): [string, string] => [s, s])];
  if (scope && !props.scopes.includes(scope)) scopeOptions.push([scope, scope]);
  return (
    <section class="card" aria-labelledby="hist-h">
      <div class="card-head">
        <h2 id="hist-h">Requests and throttling over time</h2>
        <div class="card-actions">
          <Button onClick={data.reload} busy={data.loading && !!data.data} busyLabel="Refreshing…">
            Refresh chart
          </Button>
        </div>
      </div>
      <div class="chart-controls">
        <Select label="Calls of" value={scope} options={scopeOptions} onChange={setScope} />
        <Select label="Period" value={minutes} options={WINDOWS} onChange={setMinutes} />
        <Check label="Update every 10 seconds" checked={live} onChange={setLive} />
      </div>
      {data.loading && !data.data && <Loading label="Loading the governor's history…" />}
      <ErrorAlert error={data.error} title="Could not load the governor's history" onRetry={data.reload} />
      {h && (
        <>
          <p id={descId} class="chart-summary">
            {text}
          </p>
          <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${titleId} ${descId}`}>
            <title id={titleId}>
              Calls admitted per minute (bars) and throttling answers (red, marked with a triangle){scope ? ` for ${scope}` : ''}
            </title>
            <g transform={`translate(${PAD_LEFT} 0)`}>
              <line class="chart-axis" x1={0} y1={H - PAD_BOTTOM} x2={W - PAD_LEFT} y2={H - PAD_BOTTOM} />
              <line class="chart-grid" x1={0} y1={0} x2={W - PAD_LEFT} y2={0} />
              <line class="chart-grid" x1={0} y1={(H - PAD_BOTTOM) / 2} x2={W - PAD_LEFT} y2={(H - PAD_BOTTOM) / 2} />
              {g.admitted.map((b, i) => (
                <rect key={`a${i}`} class="chart-bar" x={b.x} y={b.y} width={b.w} height={b.h} />
              ))}
              {g.throttled.map((b, i) => (b.h > 0 ? <rect key={`t${i}`} class="chart-throttled" x={b.x} y={b.y} width={b.w} height={Math.max(b.h, 2)} /> : null))}
              {g.marks.map((x, i) => (
                <path key={`m${i}`} class="chart-mark" d={`M ${x - 4} 2 L ${x + 4} 2 L ${x} 9 Z`} />
              ))}
            </g>
            <text class="chart-label" x={PAD_LEFT - 6} y={10} text-anchor="end">
              {g.max}
            </text>
            <text class="chart-label" x={PAD_LEFT - 6} y={(H - PAD_BOTTOM) / 2 + 4} text-anchor="end">
              {g.max / 2}
            </text>
            <text class="chart-label" x={PAD_LEFT - 6} y={H - PAD_BOTTOM} text-anchor="end">
              0
            </text>
            <text class="chart-label" x={PAD_LEFT} y={H - 6}>
              {bins.length > 0 ? formatTime(bins[0].from) : ''}
            </text>
            <text class="chart-label" x={W} y={H - 6} text-anchor="end">
              now
            </text>
          </svg>
          <p class="chart-legend muted">
            <span class="legend-swatch legend-calls" aria-hidden="true" /> calls admitted per minute{' '}
            <span class="legend-swatch legend-throttled" aria-hidden="true" /> throttling answers (429, 503, Retry-After), also marked ▼ above the bar
          </p>
          <details>
            <summary>Show the numbers as a table</summary>
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Governor history per minute">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Minute from</th>
                    <th scope="col">Calls admitted</th>
                    <th scope="col">Throttling answers</th>
                    <th scope="col">Time waited</th>
                    <th scope="col">Most in flight</th>
                  </tr>
                </thead>
                <tbody>
                  {bins.map((b) => (
                    <tr key={b.from} class={b.throttled > 0 ? 'row-warn' : undefined}>
                      <td class="when">{formatTime(b.from)}</td>
                      <td>{b.admitted}</td>
                      <td>{b.throttled}</td>
                      <td>{b.waitedMs > 0 ? formatWait(b.waitedMs) : '—'}</td>
                      <td>{b.maxInFlight}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}

type Tls = TlsStatusQuery['tlsStatus'];

const MODE: Record<string, string> = {
  AUTOCERT: 'Certificates from Let’s Encrypt (ACME) for the configured domains',
  OWN: 'Your own certificate (--tls-cert / --tls-key)',
  SELF_SIGNED: 'A self-signed certificate (--self-signed)',
  PLAIN: 'Plain HTTP, no TLS',
};

/** TlsCard shows how the appliance serves HTTPS and what to do when something is wrong. */
export function TlsCard() {
  const ops = useOps();
  const data = useAsync(() => ops.tlsStatus());
  const t: Tls | undefined = data.data?.tlsStatus;
  return (
    <section class="card" aria-labelledby="tls-h">
      <div class="card-head">
        <h2 id="tls-h">TLS and domain</h2>
        <div class="card-actions">
          <Button onClick={data.reload} busy={data.loading && !!data.data} busyLabel="Checking…">
            Check again
          </Button>
        </div>
      </div>
      {data.loading && !data.data && <Loading label="Loading the TLS status…" />}
      <ErrorAlert error={data.error} title="Could not load the TLS status" onRetry={data.reload} />
      {t && (
        <>
          {t.problems.length === 0 ? (
            <Notice kind="success">Nothing needs attention.</Notice>
          ) : (
            t.problems.map((p, i) => (
              <div key={i} class={`alert ${p.severity === 'error' ? 'alert-error' : 'alert-warning'}`} role={p.severity === 'error' ? 'alert' : 'status'}>
                <p class="alert-title">{p.message}</p>
                <p>What to do: {p.action}</p>
              </div>
            ))
          )}
          <dl class="facts">
            <dt>Mode</dt>
            <dd>{MODE[t.mode] ?? t.mode}</dd>
            <dt>Public address</dt>
            <dd class="wrap">{t.publicUrl || '—'}</dd>
            {t.domains.length > 0 && (
              <>
                <dt>Domains</dt>
                <dd>{t.domains.join(', ')}</dd>
              </>
            )}
            <dt>HTTP → HTTPS redirect</dt>
            <dd>{t.httpRedirect ? 'on (port 80 redirects to HTTPS)' : 'off'}</dd>
            {t.renewalError && (
              <>
                <dt>Last certificate error</dt>
                <dd class="wrap text-warn">
                  {t.renewalError} <span class="muted">({formatTime(t.renewalErrorAt)})</span>
                </dd>
              </>
            )}
          </dl>
          {t.certificates.map((c) => (
            <div key={c.domain + c.notAfter} class="cert">
              <h3>{c.domain ? `Certificate for ${c.domain}` : 'Certificate'}</h3>
              <dl class="facts">
                <dt>Subject</dt>
                <dd class="wrap">{c.subject}</dd>
                <dt>Issuer</dt>
                <dd class="wrap">{c.issuer}</dd>
                <dt>Names</dt>
                <dd class="wrap">{c.dnsNames.join(', ')}</dd>
                <dt>Valid</dt>
                <dd class={c.daysLeft < 14 ? 'text-warn' : undefined}>
                  {formatTime(c.notBefore)} to {formatTime(c.notAfter)} ({c.daysLeft < 0 ? 'expired' : `${c.daysLeft} days left`})
                </dd>
              </dl>
            </div>
          ))}
        </>
      )}
    </section>
  );
}

/** BackupCard downloads a backup of the store through a one-time link (createBackupLink, then GET /api/backup). */
export function BackupCard() {
  const ops = useOps();
  const [encrypted, setEncrypted] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [started, setStarted] = useState('');
  const download = async () => {
    setBusy(true);
    setError(null);
    setStarted('');
    try {
      const r = await ops.createBackupLink({ encrypted });
      // The server streams the file as an attachment: the page stays where it is.
      window.location.assign(r.createBackupLink.url);
      setStarted(
        encrypted
          ? 'The download has started. The file is encrypted with this appliance’s key: keep the key (synchronizer.key) to restore it.'
          : 'The download has started. The file holds the data unencrypted: store it as carefully as the key.',
      );
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="backup-h">
      <h2 id="backup-h">Backup</h2>
      <p>
        Downloads a full, consistent backup of the store (accounts, settings, certificates, sync state) while the appliance keeps running — the same
        file as <code>synchronizer backup</code>. Restore it with <code>synchronizer restore FILE --data DIR</code> into an empty directory.
      </p>
      <Check label="Encrypt the backup with this appliance’s key (restoring then needs that key)" checked={encrypted} onChange={setEncrypted} />
      {started && <Notice kind="success">{started}</Notice>}
      <ErrorAlert error={error} title="The backup could not be started" />
      <Button busy={busy} busyLabel="Preparing the download…" onClick={download}>
        Download a backup
      </Button>
    </section>
  );
}

type Reinvitation = ReinvitationsQuery['reinvitations'][number];

/**
 * ReinvitationAlerts lists the automatic re-invitations that could not be sent
 * (for example without SMTP settings), newest first, so admins see them on the
 * Users screen. Nothing is shown when all went out.
 */
export function ReinvitationAlerts() {
  const ops = useOps();
  const data = useAsync(() => ops.reinvitations({ profileId: null }));
  const failed = (data.data?.reinvitations ?? []).filter((r) => !r.sent);
  if (failed.length === 0) return null;
  return (
    <div class="alert alert-warning" role="status">
      <p class="alert-title">
        {failed.length === 1 ? 'A user must sign in with Microsoft again' : `${failed.length} users must sign in with Microsoft again`}
      </p>
      <ul>
        {failed.map((r) => (
          <li key={r.profileId + '/' + r.userId}>
            <Link href={userPath(r.profileId, r.userId)}>{r.userId}</Link> ({r.profileId}): {sentence(r.reason)} <span class="muted">({formatTime(r.at)})</span>
          </li>
        ))}
      </ul>
      <p>
        Their grant was revoked or expired. Save working e-mail settings under <Link href="/settings">Settings</Link>, then send the invitation from the user’s page.
      </p>
    </div>
  );
}

/** UserReinvitation shows the last automatic re-invitation of one user, if any. */
export function UserReinvitation(props: { profileId: string; userId: string }) {
  const ops = useOps();
  const data = useAsync(() => ops.reinvitations({ profileId: props.profileId }), [props.profileId]);
  const r: Reinvitation | undefined = data.data?.reinvitations.find((x) => x.userId === props.userId);
  if (!r) return null;
  return (
    <Notice kind={r.sent ? 'info' : 'warning'}>
      <p class="alert-title">Microsoft refused this user’s sign-in {formatTime(r.at)}</p>
      <p class="wrap">
        {sentence(r.reason)}
        {r.adminsNotified > 0 ? ` ${r.adminsNotified} ${r.adminsNotified === 1 ? 'admin was' : 'admins were'} told by e-mail.` : ''} Automatic
        re-invitations go out at most once a day.
      </p>
    </Notice>
  );
}
