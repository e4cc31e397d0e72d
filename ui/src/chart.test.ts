import { describe, expect, it } from 'vitest';
import { binSamples, formatWait, geometry, niceMax, summary, type Sample } from './chart';

const s = (i: number, admitted: number, throttled = 0, waitedMs = 0, maxInFlight = 0): Sample => ({
  at: new Date(Date.UTC(2026, 10, 21, 22, 0, i * 10)).toISOString(),
  admitted,
  throttled,
  waitedMs,
  maxInFlight,
});

describe('binSamples', () => {
  it('sums counts and keeps the largest in-flight, aligned to the newest sample', () => {
    const bins = binSamples([s(0, 1), s(1, 2, 1, 100, 3), s(2, 3), s(3, 4, 0, 50, 1), s(4, 5)], 2);
    expect(bins.map((b) => b.admitted)).toEqual([1, 5, 9]);
    expect(bins[1]).toMatchObject({ from: s(1, 0).at, throttled: 1, waitedMs: 100, maxInFlight: 3 });
    expect(bins[2].waitedMs).toBe(50);
  });
  it('handles no samples and a bin size below one', () => {
    expect(binSamples([], 6)).toEqual([]);
    expect(binSamples([s(0, 1), s(1, 1)], 0)).toHaveLength(2);
  });
});

describe('niceMax', () => {
  it.each([
    [0, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [11, 20],
    [180, 200],
    [501, 1000],
  ])('%d → %d', (v, want) => expect(niceMax(v)).toBe(want));
});

describe('geometry', () => {
  it('scales bars to the plot and marks throttled bins', () => {
    const bins = binSamples([s(0, 10), s(1, 5, 2), s(2, 0)], 1);
    const g = geometry(bins, 300, 100);
    expect(g.max).toBe(10);
    expect(g.admitted[0]).toEqual({ x: 10, y: 0, w: 80, h: 100 });
    expect(g.admitted[1].h).toBe(50);
    expect(g.admitted[2].h).toBe(0);
    expect(g.throttled[1]).toMatchObject({ y: 80, h: 20 });
    expect(g.marks).toEqual([150]);
  });
});

describe('summary', () => {
  it('says what the chart shows', () => {
    const bins = binSamples([s(0, 1200, 0, 0, 2), s(1, 34, 3, 2500, 4)], 1);
    expect(summary(bins, 60)).toBe('Last 60 minutes: 1,234 calls, 3 throttling answers, 2.5 s waited in total, at most 4 in flight.');
    expect(summary([], 15)).toBe('Last 15 minutes: 0 calls, no throttling, no waiting, at most 0 in flight.');
  });
  it('formats waits', () => {
    expect(formatWait(12)).toBe('12 ms');
    expect(formatWait(65_000)).toBe('65 s');
    expect(formatWait(600_000)).toBe('10 min');
  });
});
