import { describe, expect, it } from 'vitest';
import { summary } from './screens/checks';

describe('check summary', () => {
  const r = (status: 'OK' | 'WARNING' | 'FAILED') => ({ name: status, status, detail: '', fix: '' });
  it('says how the checks of a system came out', () => {
    expect(summary({ ok: true, timedOut: false, results: [r('OK'), r('OK')] })).toBe('All checks passed');
    expect(summary({ ok: true, timedOut: false, results: [r('OK'), r('WARNING')] })).toBe('Works, with 1 warning');
    expect(summary({ ok: true, timedOut: false, results: [r('WARNING'), r('WARNING')] })).toBe('Works, with 2 warnings');
    expect(summary({ ok: false, timedOut: false, results: [r('OK'), r('FAILED'), r('WARNING')] })).toBe('1 of 3 checks failed');
    expect(summary({ ok: false, timedOut: true, results: [r('OK')] })).toBe('Did not finish in time');
  });
});
