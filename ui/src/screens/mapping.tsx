// MappingPanel is the "Templates and categories" part of the wizard's step 3:
// the CRM's subject template (with its placeholders and an example rendered by
// the server with the connector's own rules), the table mapping each CRM
// appointment or task type to a mailbox category (picked from the mailbox's
// categories or typed), the default type of items coming from the mailbox, and
// the language the CRM's lists are read in. It reads and writes the CRM system's
// settings JSON of the wizard's draft (settings.titleTemplate,
// settings.typeCategories, settings.defaultType, settings.language) and leaves
// every other key as it is.

import { useEffect, useId, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { asApiError } from '../api/client';
import { systemCategories, titleTemplatePreview } from '../api/mapping';
import { Button, ErrorAlert, Field, Spinner } from '../components';
import { useApp } from '../context';
import type { TitleTemplatePreviewQuery } from '../gql/graphql';
import {
  type Category,
  checkMapping,
  DEFAULT_LANGUAGE,
  DEFAULT_TEMPLATE,
  defaultTypeChoices,
  MAPPING_CONNECTORS,
  type Mapping,
  readMapping,
  rows,
  sampleFor,
  setTypeCategory,
  writeMapping,
} from '../mapping';
import { type Draft, MAPPING_KEYS, secretsToStore, systemInput } from '../wizard';

/** Listing is one system's category names as read (null before reading). */
interface Listing {
  busy: boolean;
  error: ApiError | null;
  categories: Category[] | null;
  message: string;
}

const NOT_READ: Listing = { busy: false, error: null, categories: null, message: '' };

const KIND_LABEL: Record<string, string> = { APPOINTMENT: 'Appointment type', TASK: 'Task type' };

/**
 * MappingPanel edits the mapping settings (MAPPING_KEYS) of the draft's CRM system; onSettings receives its new
 * settings text. problems are the wizard's field problems: one naming crm.settings.<key> (a save the server refused,
 * see stepOfField) is shown next to that key's field until the key is edited.
 */
export function MappingPanel(props: { draft: Draft; onSettings: (text: string) => void; problems?: Record<string, string> }) {
  const { api } = useApp();
  const d = props.draft;
  const id = useId();
  const [crm, setCrm] = useState<Listing>(NOT_READ);
  const [mbx, setMbx] = useState<Listing>(NOT_READ);
  const [account, setAccount] = useState(() => d.users.find((u) => u.mailboxEmail.trim())?.mailboxEmail.trim() ?? '');
  const [extra, setExtra] = useState<string[]>([]);
  const [newType, setNewType] = useState('');
  /** server holds what the connector's factory said about a mapping key when the CRM's types were read. */
  const [server, setServer] = useState<Record<string, string>>({});
  /**
   * edited lists the keys edited since the wizard's problems were last set (of: that problems object): their save
   * problems are stale. Kept here, not by changing the wizard's problems, which would move the focus off the field.
   */
  const [edited, setEdited] = useState<{ of?: Record<string, string>; keys: string[] }>({ keys: [] });
  const editedKeys = edited.of === props.problems ? edited.keys : [];
  /** saveProblem is what the wizard's save got about a mapping key, unless the key was edited since. */
  const saveProblem = (key: string): string | undefined => (editedKeys.includes(key) ? undefined : props.problems?.[`crm.settings.${key}`]);
  const [preview, setPreview] = useState<{ busy: boolean; result: TitleTemplatePreviewQuery['titleTemplatePreview'] | null; error: string }>({
    busy: false,
    result: null,
    error: '',
  });

  const read = readMapping(d.crm.settings);
  const m: Mapping = read.value ?? { titleTemplate: '', typeCategories: {}, defaultType: '', language: '' };
  const template = m.titleTemplate || DEFAULT_TEMPLATE;
  const sample = sampleFor(crm.categories, m.typeCategories);

  // The example subject comes from the server (the connector's rules), a moment after typing stops.
  useEffect(() => {
    if (!read.value || !MAPPING_CONNECTORS.includes(d.crm.type)) return;
    let live = true;
    setPreview((p) => ({ ...p, busy: true }));
    const t = setTimeout(() => {
      titleTemplatePreview(api.client, { template, sample })
        .then((r) => live && setPreview({ busy: false, result: r.titleTemplatePreview, error: '' }))
        .catch((err) => {
          if (!live) return;
          const e = asApiError(err);
          setPreview({ busy: false, result: null, error: e.field === 'template' ? e.message.replace(/^template: /, '') : `${e.message} ${e.hint}` });
        });
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [template, sample.type, d.crm.type, !!read.value]);

  if (!MAPPING_CONNECTORS.includes(d.crm.type)) {
    return (
      <fieldset>
        <legend>Templates and categories</legend>
        <p class="hint">The {d.crm.type || 'chosen'} CRM connector has no subject template or type mapping.</p>
      </fieldset>
    );
  }
  if (!read.value) {
    return (
      <fieldset>
        <legend>Templates and categories</legend>
        <p class="field-error">The CRM settings on step 2 are not valid JSON ({read.problem}); fix them there to edit the mapping.</p>
      </fieldset>
    );
  }

  const write = (patch: Partial<Mapping>) => {
    // A server finding about a key is stale once the key changes.
    setServer((x) => Object.fromEntries(Object.entries(x).filter(([k]) => !(k in patch))));
    const keys = Object.keys(patch).filter((k) => MAPPING_KEYS.includes(k) && saveProblem(k));
    if (keys.length) setEdited({ of: props.problems, keys: [...editedKeys, ...keys] });
    props.onSettings(writeMapping(d.crm.settings, patch));
  };
  const profileId = d.saved ? d.id.trim() : undefined;

  /** list reads one side's categories, storing the secrets typed on step 2 first (write-only) as a test does. */
  const list = async (side: 'crm' | 'mailbox') => {
    const setL = side === 'crm' ? setCrm : setMbx;
    setL({ ...NOT_READ, busy: true });
    try {
      const s = d[side];
      const secrets = secretsToStore(s);
      if (secrets.length) await api.setSystemSecrets({ instance: s.instance.trim(), secrets });
      const r = await systemCategories(api.client, { system: systemInput(s), account: side === 'mailbox' ? account.trim() || undefined : undefined, profileId });
      const l = r.systemCategories;
      setL({ busy: false, error: null, categories: l.complete ? l.categories : null, message: l.message ?? '' });
    } catch (err) {
      const e = asApiError(err);
      // The connector's factory rejected a mapping key of the CRM settings: say so next to that field.
      const key = e.field?.replace(/^system\.settings\./, '');
      if (side === 'crm' && e.code === 'BAD_USER_INPUT' && key && MAPPING_KEYS.includes(key)) {
        setServer((x) => ({ ...x, [key]: e.message.replace(/^[\w.]+: /, '') }));
        setL(NOT_READ);
        return;
      }
      setL({ ...NOT_READ, error: e });
    }
  };

  const types = crm.categories;
  const problems = checkMapping(m, types);
  /** fieldProblem is the problem of one mapping key, named by the connector's field name. */
  const fieldProblem = (key: string, extra = ''): string | undefined => {
    const p = extra || problems[`settings.${key}`] || server[key] || saveProblem(key);
    return p ? `settings.${key}: ${p}` : undefined;
  };
  const tableRows = rows(types, m.typeCategories);
  for (const t of extra) if (!tableRows.some((r) => r.type === t)) tableRows.push({ type: t, kind: null, category: '', listed: types === null });
  const choices = defaultTypeChoices(types ?? tableRows.map((r) => ({ name: r.type, kind: r.kind })));
  if (m.defaultType && !choices.includes(m.defaultType)) choices.push(m.defaultType);
  const mbxNames = mbx.categories?.map((c) => c.name) ?? [];
  const listId = `${id}-cats`;

  return (
    <fieldset class="mapping">
      <legend>Templates and categories</legend>
      <p class="hint">
        How CRM items look in the mailbox and how mailbox categories become CRM types. These are the CRM system's settings (
        <code>titleTemplate</code>, <code>typeCategories</code>, <code>defaultType</code>, <code>language</code>): editing here changes its settings
        JSON on step 2.
      </p>

      <Field
        label="Language of the CRM's lists"
        value={m.language}
        onInput={(v) => {
          write({ language: v.trim() });
          setCrm(NOT_READ);
        }}
        hint={`Two-letter code (ISO 639-1) the appointment and task types are read and matched in: use the language your users see (default ${DEFAULT_LANGUAGE}). Read the types again after changing it.`}
        error={fieldProblem('language')}
      />

      <Field
        label="Subject template"
        value={m.titleTemplate}
        onInput={(v) => write({ titleTemplate: v })}
        hint={
          <>
            Placeholders: {(preview.result?.placeholders ?? ['title', 'type', 'company', 'person', 'project', 'sale']).map((p, i) => (
              <span key={p}>
                {i > 0 && ', '}
                <code>{`{${p}}`}</code>
              </span>
            ))}
            . It must contain <code>{'{title}'}</code> once; an empty placeholder is left out with its separator. Empty means <code>{DEFAULT_TEMPLATE}</code>. Subjects
            edited in the mailbox are read back with the same template.
          </>
        }
        error={fieldProblem('titleTemplate', preview.error)}
      />
      <p class="hint" aria-live="polite">
        Example: {preview.busy && <Spinner />}
        {preview.result ? (
          <>
            a {sample.type} “{sample.title}” with {sample.company} shows as <strong class="mapping-example">{preview.result.subject}</strong>
          </>
        ) : (
          !preview.busy && !preview.error && '…'
        )}
      </p>

      <h3>Types and categories</h3>
      <p class="hint">
        Each CRM type can carry a mailbox category, and an item that gets that category in the mailbox becomes that type in the CRM. Read both lists to pick
        from them, or type the names.
      </p>
      <div class="form-row">
        <Field
          label="Mailbox to read the categories of"
          type="email"
          value={account}
          onInput={setAccount}
          hint="Outlook keeps categories per mailbox: give one linked user's address."
        />
      </div>
      <div class="form-actions">
        <Button variant="secondary" onClick={() => void list('crm')} busy={crm.busy} busyLabel="Reading the CRM's types…">
          Read the CRM's types
        </Button>
        <Button variant="secondary" onClick={() => void list('mailbox')} busy={mbx.busy} busyLabel="Reading the mailbox's categories…">
          Read the mailbox's categories
        </Button>
      </div>
      <ErrorAlert error={crm.error} title="The CRM's types could not be read" />
      {crm.message && <p class={types ? 'hint' : 'field-error'}>CRM: {crm.message}</p>}
      <ErrorAlert error={mbx.error} title="The mailbox's categories could not be read" />
      {mbx.message && <p class={mbx.categories ? 'hint' : 'field-error'}>Mailbox: {mbx.message}</p>}
      {mbx.categories && <p class="hint">{mbxNames.length ? `${mbxNames.length} mailbox categories to pick from.` : 'The mailbox has no categories yet: type the names. Items carry them as typed; Outlook shows them without a colour until they are added to the mailbox\'s list.'}</p>}
      <datalist id={listId}>
        {mbxNames.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      {fieldProblem('typeCategories') && <p class="field-error">{fieldProblem('typeCategories')}</p>}
      {tableRows.length > 0 ? (
        <div class="table-wrap">
          <table class="mapping-table">
            <thead>
              <tr>
                <th scope="col">CRM type</th>
                <th scope="col">Kind</th>
                <th scope="col">Mailbox category</th>
              </tr>
            </thead>
            <tbody>
              {tableRows.map((r, i) => {
                const err = problems[`settings.typeCategories.${r.type}`];
                const inputId = `${id}-row-${i}`;
                return (
                  <tr key={r.type}>
                    <th scope="row">
                      <label for={inputId}>{r.type}</label>
                    </th>
                    <td>{r.kind ? KIND_LABEL[r.kind] : r.listed ? '' : 'Not in the CRM list'}</td>
                    <td>
                      <div class={`field${err ? ' field-invalid' : ''}`}>
                        <input
                          id={inputId}
                          list={listId}
                          value={r.category}
                          aria-label={`Mailbox category for ${r.type}`}
                          placeholder="No category"
                          aria-invalid={err ? 'true' : undefined}
                          aria-describedby={err ? `${inputId}-err` : undefined}
                          onInput={(e) => {
                            const v = (e.currentTarget as HTMLInputElement).value;
                            // A row cleared while typing stays in the table (its key leaves the settings).
                            if (!v.trim()) setExtra((x) => (x.includes(r.type) ? x : [...x, r.type]));
                            write({ typeCategories: setTypeCategory(m.typeCategories, r.type, v, false) });
                          }}
                          onBlur={() => {
                            const c = m.typeCategories[r.type];
                            if (c !== undefined && c !== c.trim()) write({ typeCategories: setTypeCategory(m.typeCategories, r.type, c) });
                          }}
                        />
                        {err && (
                          <p class="field-error" id={`${inputId}-err`}>
                            settings.typeCategories: {err}
                          </p>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="hint">No types yet: read the CRM's types, or add one by name.</p>
      )}
      <div class="form-row">
        <Field label="Add a type by name" value={newType} onInput={setNewType} hint="For a type the list does not show (the CRM could not be read)." />
      </div>
      <div class="form-actions">
        <Button
          variant="secondary"
          disabled={!newType.trim()}
          onClick={() => {
            setExtra((x) => [...x, newType.trim()]);
            setNewType('');
          }}
        >
          Add the type
        </Button>
      </div>

      <div class={`field${fieldProblem('defaultType') ? ' field-invalid' : ''}`}>
        <label for={`${id}-def`}>Type of items coming from the mailbox</label>
        <p class="hint" id={`${id}-def-hint`}>
          Used for an item created in the mailbox without a mapped category (a task gets the first task type).
        </p>
        <select
          id={`${id}-def`}
          value={m.defaultType}
          aria-describedby={[`${id}-def-hint`, fieldProblem('defaultType') ? `${id}-def-err` : ''].filter(Boolean).join(' ')}
          aria-invalid={fieldProblem('defaultType') ? 'true' : undefined}
          onChange={(e) => write({ defaultType: (e.currentTarget as HTMLSelectElement).value })}
        >
          <option value="">The first appointment type of the list (default)</option>
          {choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        {fieldProblem('defaultType') && (
          <p class="field-error" id={`${id}-def-err`}>
            {fieldProblem('defaultType')}
          </p>
        )}
      </div>
    </fieldset>
  );
}
