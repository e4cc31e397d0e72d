// The dry-run preview of a sync: what the next run would create, update and
// delete on each side, the conflicts it would record, what filters skip and why,
// the items it would set aside, and whether the mass-change guard would hold it.
// PreviewPanel previews a user of the wizard's unsaved profile (previewSync);
// UserPreview previews a saved linked user's next sync (previewUserSync). Both
// only read: nothing is synced.

import { useEffect, useId, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { asApiError } from '../api/client';
import { previewSync, previewUserSync } from '../api/preview';
import { Button, Field, Spinner } from '../components';
import { useApp } from '../context';
import { formatTime, sentence } from '../format';
import { accountInputs, checkTarget, headline, opRow, type Preview, previewHelp, sideText, targetLabel, targetOf, totals, typedSecrets, warnings } from '../preview';
import { checkStep, type Draft, profileInput, STEPS } from '../wizard';
import { KIND } from './sync';

const kindLabel = (k: string) => KIND[k] ?? k;
const OTHER = 'other';

/** useRunning runs one preview at a time and counts the seconds it takes. */
function useRunning() {
  const [phase, setPhase] = useState('');
  const [seconds, setSeconds] = useState(0);
  const [result, setResult] = useState<Preview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (!phase) return;
    setSeconds(0);
    const t = setInterval(() => setSeconds((s) => s + 1), 1000);
    return () => clearInterval(t);
  }, [phase !== '']);
  const run = async (steps: (say: (p: string) => void) => Promise<Preview>) => {
    setError(null);
    setResult(null);
    setPhase('Starting…');
    try {
      setResult(await steps(setPhase));
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setPhase('');
    }
  };
  return { phase, seconds, result, error, run };
}

/** PreviewPanel previews the first sync of one user under the wizard's draft profile. */
export function PreviewPanel(props: { draft: Draft }) {
  const { api } = useApp();
  const d = props.draft;
  const selId = useId();
  const [picked, setChoice] = useState(d.users.length ? '0' : OTHER);
  // A row removed since it was picked falls back to typing the accounts.
  const choice = picked !== OTHER && Number(picked) < d.users.length ? picked : OTHER;
  const [crmId, setCrmId] = useState('');
  const [mailboxEmail, setMailboxEmail] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [before, setBefore] = useState('');
  const r = useRunning();
  const pick = choice !== OTHER && d.users[Number(choice)];
  const target = pick ? targetOf(pick) : { crmId: crmId.trim(), mailboxId: '', mailboxEmail: mailboxEmail.trim() };
  const secrets = typedSecrets(d);

  const start = () => {
    for (let s = 0; s < 3; s++) {
      if (Object.keys(checkStep(d, s)).length) {
        setBefore(`Complete the step “${STEPS[s]}” first: the preview needs a valid profile.`);
        return;
      }
    }
    setBefore('');
    const p = checkTarget(target);
    setProblems(pick ? {} : p);
    if (Object.keys(p).length) {
      if (pick) setBefore(`That user row is incomplete: ${Object.values(p).join(' ')} Fix it on the Users step, or type the accounts.`);
      return;
    }
    void r.run(async (say) => {
      for (const s of secrets) {
        say('Storing the secrets you typed (write-only), so the systems can be reached…');
        await api.setSystemSecrets({ instance: s.instance, secrets: s.secrets });
      }
      say('Reading both systems and planning the sync (nothing is written)…');
      const res = await previewSync(api.client, { profile: profileInput(d), ...accountInputs(target) });
      return res.previewSync;
    });
  };

  return (
    <section class="card subpanel" aria-labelledby={`${selId}-h`}>
      <h3 id={`${selId}-h`}>Preview the first sync</h3>
      <p class="hint">
        See what the first sync of one user would do with these settings before anything is saved: it reads both systems and writes nothing.
        {secrets.length > 0 && ' The secrets you typed are stored first (write-only) so the systems can be reached; creating the profile stores them again.'}
      </p>
      <div class="form-row">
        <div class="field">
          <label for={selId}>User to preview</label>
          <select id={selId} value={choice} onChange={(e) => setChoice((e.currentTarget as HTMLSelectElement).value)}>
            {d.users.map((u, i) => (
              <option key={i} value={String(i)}>
                {targetLabel(u, i)}
              </option>
            ))}
            <option value={OTHER}>Another account (type it)</option>
          </select>
        </div>
        {choice === OTHER && (
          <>
            <Field label="CRM account id" value={crmId} onInput={setCrmId} error={problems.crmId} />
            <Field label="Mailbox e-mail" inputMode="email" value={mailboxEmail} onInput={setMailboxEmail} error={problems.mailboxEmail} />
          </>
        )}
      </div>
      <div class="form-actions">
        <Button variant="secondary" onClick={start} busy={r.phase !== ''} busyLabel="Previewing…">
          Preview
        </Button>
      </div>
      {before && (
        <p class="field-error" role="alert">
          {before}
        </p>
      )}
      <PreviewOutcome running={r} />
    </section>
  );
}

/** UserPreview is the "Preview next sync" card of a linked user's page. */
export function UserPreview(props: { profileId: string; userId: string }) {
  const { api } = useApp();
  const r = useRunning();
  const start = () =>
    r.run(async (say) => {
      say('Reading both systems and planning the next sync (nothing is written)…');
      return (await previewUserSync(api.client, { profileId: props.profileId, userId: props.userId })).previewUserSync;
    });
  return (
    <section class="card" aria-labelledby="preview-h">
      <div class="card-head">
        <h2 id="preview-h">Preview</h2>
        <div class="card-actions">
          <Button onClick={start} busy={r.phase !== ''} busyLabel="Previewing…">
            Preview next sync
          </Button>
        </div>
      </div>
      <p class="hint">What the next sync of this user would do, from their current state. It reads both systems and writes nothing.</p>
      <PreviewOutcome running={r} />
    </section>
  );
}

/** PreviewOutcome shows the progress, the error with what to do, or the result. */
function PreviewOutcome(props: { running: ReturnType<typeof useRunning> }) {
  const { phase, seconds, result, error } = props.running;
  return (
    <div aria-live="polite">
      {phase && (
        <p class="loading" role="status">
          <Spinner /> {phase} {seconds > 0 && <span class="muted">({seconds} s)</span>}
        </p>
      )}
      {error && <PreviewError error={error} />}
      {result && <PreviewResult p={result} />}
    </div>
  );
}

function PreviewError(props: { error: ApiError }) {
  const help = previewHelp(props.error);
  return (
    <div class="alert alert-error" role="alert">
      <p class="alert-title">{help.title}</p>
      <p class="wrap">{sentence(props.error.message)}</p>
      <p class="alert-hint">{help.hint}</p>
    </div>
  );
}

/** PreviewResult shows the counts per kind and side, the warnings, the details and the operations. */
export function PreviewResult(props: { p: Preview }) {
  const p = props.p;
  const warn = warnings(p, kindLabel);
  const t = totals(p);
  return (
    <div>
      <p>
        <strong>{headline(p)}</strong> <span class="muted">({(p.tookMs / 1000).toFixed(1)} s)</span>
      </p>
      {warn.length > 0 && (
        <div class="alert alert-warning" role="alert">
          <p class="alert-title">Before you rely on this</p>
          <ul>
            {warn.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Preview counts per kind">
        <table>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">In the CRM</th>
              <th scope="col">In the mailbox</th>
              <th scope="col">Unchanged</th>
              <th scope="col">Conflicts</th>
              <th scope="col">Skipped</th>
              <th scope="col">Quarantined</th>
            </tr>
          </thead>
          <tbody>
            {p.kinds.map((k) => (
              <tr key={k.kind} class={k.guard ? 'row-warn' : undefined}>
                <th scope="row">
                  {kindLabel(k.kind)}
                  {k.firstSync && <div class="muted">first sync</div>}
                </th>
                <td>{sideText(k.crm)}</td>
                <td>{sideText(k.mailbox)}</td>
                <td>{k.unchanged}</td>
                <td>{k.conflicts}</td>
                <td>{k.skipped}</td>
                <td>{k.badCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {t.skipped > 0 && (
        <details>
          <summary>Why items are skipped</summary>
          <ul>
            {p.kinds.flatMap((k) =>
              k.skips.map((s) => (
                <li key={k.kind + s.decision + s.reason}>
                  {kindLabel(k.kind)}: {s.count} × {sentence(s.reason)}
                </li>
              )),
            )}
          </ul>
        </details>
      )}
      {t.bad > 0 && (
        <details open>
          <summary>Items that would be quarantined</summary>
          <ul>
            {p.kinds.flatMap((k) =>
              k.bad.map((b) => (
                <li key={k.kind + b.side + b.itemId}>
                  {kindLabel(k.kind)}, {b.side === 'CRM' ? 'CRM' : 'mailbox'} item <span class="code-name inline">{b.itemId}</span>
                  {b.field && (
                    <>
                      , field <strong>{b.field}</strong>
                    </>
                  )}
                  : {sentence(b.reason)}
                </li>
              )),
            )}
          </ul>
          <p class="hint">Fix these items in their system (or the settings that refuse them); the rest syncs without them.</p>
        </details>
      )}
      {t.conflicts > 0 && (
        <details>
          <summary>Conflicts that would be recorded</summary>
          <ul>
            {p.kinds.flatMap((k) =>
              k.conflictList.map((c) => (
                <li key={k.kind + c.crmId + c.mailboxId}>
                  {c.title || c.crmId}: {c.fields.join(', ')} changed on both sides; the {c.kept === 'CRM' ? 'CRM' : 'mailbox'} value is kept.
                </li>
              )),
            )}
          </ul>
        </details>
      )}
      {p.operations.length > 0 && (
        <>
          <h4>Operations{p.truncated ? ` (the first ${p.operations.length} of ${p.totalOperations})` : ''}</h4>
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Operations the sync would make">
            <table>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Starts</th>
                  <th scope="col">Where</th>
                  <th scope="col">Action</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {p.operations.map((op, i) => {
                  const row = opRow(op, kindLabel, (iso) => formatTime(iso));
                  return (
                    <tr key={i}>
                      <td class="wrap">{row.title}</td>
                      <td class="when">{row.start}</td>
                      <td>{row.where}</td>
                      <td>{row.action}</td>
                      <td class="wrap">{row.reason}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
