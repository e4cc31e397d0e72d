// The mapping logic of the wizard's step 3 (screens/mapping.tsx): reading and
// writing the CRM connector's mapping settings (titleTemplate, typeCategories,
// defaultType, language) inside its settings JSON without touching the other
// keys, the rows of the type ⇄ category table, and the problems named by the
// connector's field names. The subject template itself is rendered and checked
// by the server (titleTemplatePreview), so its rules live in one place.

import type { SyncKind } from './gql/graphql';
import { parseSettings } from './wizard';

/** MAPPING_CONNECTORS are the CRM connector types whose settings hold the mapping keys below. */
export const MAPPING_CONNECTORS = ['superoffice'];

/** Mapping is the part of the CRM settings this step edits. */
export interface Mapping {
  titleTemplate: string;
  typeCategories: Record<string, string>;
  defaultType: string;
  language: string;
}

/** Category is one name a system can put on items (systemCategories). */
export interface Category {
  name: string;
  kind: SyncKind | null;
  color?: string | null;
}

/** Row is one line of the type ⇄ category table. */
export interface Row {
  type: string;
  kind: SyncKind | null;
  category: string;
  /** listed is false for a type the settings map that the CRM's list (when read) does not hold. */
  listed: boolean;
}

/** DEFAULT_TEMPLATE is the connector's default subject template. */
export const DEFAULT_TEMPLATE = '{title}';

/** DEFAULT_LANGUAGE is the connector's default list language. */
export const DEFAULT_LANGUAGE = 'en';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** readMapping reads the mapping keys of a settings text; problem is set when the text is not a JSON object. */
export function readMapping(text: string): { value?: Mapping; problem?: string } {
  const p = parseSettings(text);
  if (!p.value) return { problem: p.problem };
  const v = p.value;
  const tc: Record<string, string> = {};
  if (v.typeCategories && typeof v.typeCategories === 'object' && !Array.isArray(v.typeCategories)) {
    for (const [k, c] of Object.entries(v.typeCategories as Record<string, unknown>)) tc[k] = str(c);
  }
  return { value: { titleTemplate: str(v.titleTemplate), typeCategories: tc, defaultType: str(v.defaultType), language: str(v.language) } };
}

/**
 * writeMapping returns text with the mapping keys of patch set; an empty string or an empty map removes the key
 * (the connector then uses its default). Other keys keep their values and order. Text that is not a JSON object is
 * returned as it is (step 2 says what is wrong with it).
 */
export function writeMapping(text: string, patch: Partial<Mapping>): string {
  const p = parseSettings(text);
  if (!p.value) return text;
  const out: Record<string, unknown> = { ...p.value };
  for (const [k, v] of Object.entries(patch)) {
    const empty = typeof v === 'string' ? v === '' : Object.keys(v as object).length === 0;
    if (empty) delete out[k];
    else out[k] = v;
  }
  return JSON.stringify(out, null, 2);
}

/**
 * setTypeCategory returns map with type mapped to category; a blank category removes the type. The category is
 * trimmed unless trim is false (while the reader types, so a space between words survives until the field is left).
 */
export function setTypeCategory(map: Record<string, string>, type: string, category: string, trim = true): Record<string, string> {
  const out = { ...map };
  const c = trim ? category.trim() : category;
  if (c.trim()) out[type] = c;
  else delete out[type];
  return out;
}

/**
 * rows lists the table's lines: the CRM's types in its order, then the types the settings map that the list does
 * not hold (listed false, so the reader sees a stale or mistyped name). Without a list, every mapped type is a row.
 */
export function rows(types: Category[] | null, map: Record<string, string>): Row[] {
  const out: Row[] = [];
  const seen = new Set<string>();
  for (const t of types ?? []) {
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    out.push({ type: t.name, kind: t.kind, category: map[t.name] ?? '', listed: true });
  }
  for (const [type, category] of Object.entries(map)) {
    if (!seen.has(type)) out.push({ type, kind: null, category, listed: types === null });
  }
  return out;
}

/** appointmentTypes lists the names a default type may take: the appointment types, or every type without kinds. */
export function defaultTypeChoices(types: Category[]): string[] {
  const appts = types.filter((t) => t.kind === 'APPOINTMENT').map((t) => t.name);
  return appts.length ? appts : types.map((t) => t.name);
}

/** sameName compares type names as the connector does: ignoring case. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** LANGUAGE_RE is the connector's rule for settings.language: a two-letter lower-case ISO 639-1 code. */
const LANGUAGE_RE = /^[a-z]{2}$/;

/**
 * checkMapping returns the problems of a mapping, keyed by the connector's field names (settings.language,
 * settings.typeCategories, settings.typeCategories.<type>, settings.defaultType). types is the CRM's list, or null
 * when it has not been read (then names cannot be checked against it). The template is checked by the server.
 */
export function checkMapping(m: Mapping, types: Category[] | null): Record<string, string> {
  const p: Record<string, string> = {};
  if (m.language && !LANGUAGE_RE.test(m.language)) {
    p['settings.language'] = `"${m.language}" is not a language code: use two lower-case letters (ISO 639-1), like "en" or "no".`;
  }
  const byCategory = new Map<string, string[]>();
  for (const [type, cat] of Object.entries(m.typeCategories)) {
    if (!type.trim() || !cat.trim()) {
      p['settings.typeCategories'] = `"${type}" → "${cat}": a type and its category may not be empty.`;
      continue;
    }
    const key = cat.trim().toLowerCase();
    byCategory.set(key, [...(byCategory.get(key) ?? []), type]);
    if (types && !types.some((t) => sameName(t.name, type))) {
      p[`settings.typeCategories.${type}`] = `"${type}" is not a type of the CRM's list (in language "${m.language || DEFAULT_LANGUAGE}"): renamed, deleted or another language?`;
    }
  }
  for (const [, ts] of byCategory) {
    if (ts.length > 1) {
      for (const t of ts) {
        p[`settings.typeCategories.${t}`] ??= `${ts.map((x) => `"${x}"`).join(' and ')} map to the same category, so an item coming from the mailbox with it cannot tell them apart: give each its own category.`;
      }
    }
  }
  if (m.defaultType && types && !types.some((t) => sameName(t.name, m.defaultType))) {
    p['settings.defaultType'] = `"${m.defaultType}" is not a type of the CRM's list.`;
  }
  return p;
}

/** SAMPLE is the example item the subject template is previewed with. */
export const SAMPLE = { title: 'Kick-off meeting', company: 'Acme Ltd', person: 'Ann Example', project: 'Website relaunch', sale: 'Annual licence' };

/** sampleFor returns SAMPLE with a type: the first mapped or listed type, else "Meeting". */
export function sampleFor(types: Category[] | null, map: Record<string, string>): typeof SAMPLE & { type: string } {
  const type = types?.find((t) => t.kind === 'APPOINTMENT')?.name ?? Object.keys(map)[0] ?? 'Meeting';
  return { ...SAMPLE, type };
}
