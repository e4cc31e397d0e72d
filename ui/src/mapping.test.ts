import { describe, expect, it } from 'vitest';
import { checkMapping, defaultTypeChoices, readMapping, rows, sampleFor, setTypeCategory, writeMapping, type Category } from './mapping';

const TYPES: Category[] = [
  { name: 'Meeting', kind: 'APPOINTMENT' },
  { name: 'Phone call', kind: 'APPOINTMENT' },
  { name: 'Follow-up', kind: 'TASK' },
];

const BASE = JSON.stringify({ mode: 'online', baseUrl: 'https://x.example/api/', timeZone: 'Europe/Oslo' }, null, 2);

describe('readMapping', () => {
  it('reads the mapping keys and ignores the others', () => {
    const text = JSON.stringify({ mode: 'online', titleTemplate: '{type}: {title}', typeCategories: { Meeting: 'Blue' }, defaultType: 'Meeting', language: 'no' });
    expect(readMapping(text).value).toEqual({ titleTemplate: '{type}: {title}', typeCategories: { Meeting: 'Blue' }, defaultType: 'Meeting', language: 'no' });
  });
  it('gives empty values for missing or mistyped keys', () => {
    expect(readMapping('{"typeCategories": [1], "language": 3}').value).toEqual({ titleTemplate: '', typeCategories: {}, defaultType: '', language: '' });
    expect(readMapping('').value).toEqual({ titleTemplate: '', typeCategories: {}, defaultType: '', language: '' });
  });
  it('reports text that is not a JSON object', () => {
    expect(readMapping('{nope').problem).toMatch(/not valid JSON/);
    expect(readMapping('[1]').problem).toMatch(/JSON object/);
  });
});

describe('writeMapping', () => {
  it('sets keys and keeps the others in their order', () => {
    const out = writeMapping(BASE, { titleTemplate: '{title} — {company}', typeCategories: { Meeting: 'CRM' } });
    const v = JSON.parse(out);
    expect(Object.keys(v)).toEqual(['mode', 'baseUrl', 'timeZone', 'titleTemplate', 'typeCategories']);
    expect(v.titleTemplate).toBe('{title} — {company}');
    expect(v.typeCategories).toEqual({ Meeting: 'CRM' });
  });
  it('removes a key set empty so the connector default applies', () => {
    const withAll = writeMapping(BASE, { language: 'no', defaultType: 'Meeting', typeCategories: { Meeting: 'CRM' } });
    const v = JSON.parse(writeMapping(withAll, { language: '', defaultType: '', typeCategories: {} }));
    expect(v).toEqual(JSON.parse(BASE));
  });
  it('leaves invalid text alone', () => {
    expect(writeMapping('{broken', { language: 'no' })).toBe('{broken');
  });
  it('round-trips through readMapping', () => {
    const m = { titleTemplate: '{type}: {title}', typeCategories: { 'Phone call': 'Calls' }, defaultType: 'Meeting', language: 'de' };
    expect(readMapping(writeMapping(BASE, m)).value).toEqual(m);
  });
});

describe('setTypeCategory', () => {
  it('maps, trims and removes', () => {
    const a = setTypeCategory({}, 'Meeting', '  CRM meeting ');
    expect(a).toEqual({ Meeting: 'CRM meeting' });
    expect(setTypeCategory(a, 'Meeting', '  ')).toEqual({});
    expect(a).toEqual({ Meeting: 'CRM meeting' }); // not mutated
    // While typing, a trailing space stays (so "CRM meeting" can be typed); a blank value still removes.
    expect(setTypeCategory({}, 'Meeting', 'CRM ', false)).toEqual({ Meeting: 'CRM ' });
    expect(setTypeCategory({ Meeting: 'x' }, 'Meeting', '  ', false)).toEqual({});
  });
});

describe('rows', () => {
  it('lists the CRM types in order, then mapped types the list lacks', () => {
    expect(rows(TYPES, { 'Follow-up': 'Todo', Gone: 'Old' })).toEqual([
      { type: 'Meeting', kind: 'APPOINTMENT', category: '', listed: true },
      { type: 'Phone call', kind: 'APPOINTMENT', category: '', listed: true },
      { type: 'Follow-up', kind: 'TASK', category: 'Todo', listed: true },
      { type: 'Gone', kind: null, category: 'Old', listed: false },
    ]);
  });
  it('without a list, shows the mapped types as they are', () => {
    expect(rows(null, { Meeting: 'Blue' })).toEqual([{ type: 'Meeting', kind: null, category: 'Blue', listed: true }]);
  });
});

describe('checkMapping', () => {
  const ok = { titleTemplate: '', typeCategories: { Meeting: 'Blue', 'Follow-up': 'Todo' }, defaultType: 'Meeting', language: 'en' };
  it('accepts a valid mapping', () => {
    expect(checkMapping(ok, TYPES)).toEqual({});
    expect(checkMapping({ ...ok, language: '' }, null)).toEqual({});
  });
  it.each([
    ['EN', 'settings.language'],
    ['eng', 'settings.language'],
    ['n', 'settings.language'],
  ])('rejects language %s as the connector does', (language, field) => {
    expect(Object.keys(checkMapping({ ...ok, language }, TYPES))).toEqual([field]);
  });
  it('names types that are not in the list (ignoring case, as the connector matches)', () => {
    expect(checkMapping({ ...ok, typeCategories: { meeting: 'Blue' } }, TYPES)).toEqual({});
    const p = checkMapping({ ...ok, typeCategories: { Møte: 'Blue' } }, TYPES);
    expect(Object.keys(p)).toEqual(['settings.typeCategories.Møte']);
    expect(p['settings.typeCategories.Møte']).toMatch(/language "en"/);
  });
  it('names both types that share one category', () => {
    const p = checkMapping({ ...ok, typeCategories: { Meeting: 'CRM', 'Phone call': 'crm' } }, TYPES);
    expect(Object.keys(p).sort()).toEqual(['settings.typeCategories.Meeting', 'settings.typeCategories.Phone call']);
  });
  it('names an empty category', () => {
    expect(Object.keys(checkMapping({ ...ok, typeCategories: { Meeting: ' ' } }, TYPES))).toEqual(['settings.typeCategories']);
  });
  it('names a default type the list lacks, only once the list is read', () => {
    expect(Object.keys(checkMapping({ ...ok, defaultType: 'Nope' }, TYPES))).toEqual(['settings.defaultType']);
    expect(checkMapping({ ...ok, defaultType: 'Nope' }, null)).toEqual({});
  });
});

describe('defaultTypeChoices and sampleFor', () => {
  it('offers the appointment types', () => {
    expect(defaultTypeChoices(TYPES)).toEqual(['Meeting', 'Phone call']);
    expect(defaultTypeChoices([{ name: 'X', kind: null }])).toEqual(['X']);
  });
  it('samples with a real type when one is known', () => {
    expect(sampleFor(TYPES, {}).type).toBe('Meeting');
    expect(sampleFor(null, { Call: 'c' }).type).toBe('Call');
    expect(sampleFor(null, {}).type).toBe('Meeting');
  });
});
