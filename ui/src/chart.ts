// The governor's activity chart: samples of 10 s grouped into bins, scaled to a
// small SVG, and summarised in words. Pure functions, so they are unit-tested
// apart from the screen (screens/ops.tsx draws them).

/** Sample is one step of governorHistory. */
export interface Sample {
  at: string;
  admitted: number;
  throttled: number;
  waitedMs: number;
  maxInFlight: number;
}

/** Bin is several consecutive samples: counts summed, maxInFlight the largest. */
export interface Bin {
  from: string;
  admitted: number;
  throttled: number;
  waitedMs: number;
  maxInFlight: number;
}

/** binSamples groups samples (oldest first) into bins of perBin samples; the newest bin may hold fewer. */
export function binSamples(samples: readonly Sample[], perBin: number): Bin[] {
  const n = Math.max(1, Math.floor(perBin));
  const out: Bin[] = [];
  // Align bins to the newest sample so the last bar is always "now".
  const start = samples.length % n;
  if (start > 0) out.push(sum(samples.slice(0, start)));
  for (let i = start; i < samples.length; i += n) out.push(sum(samples.slice(i, i + n)));
  return out;
}

function sum(s: readonly Sample[]): Bin {
  const b: Bin = { from: s[0].at, admitted: 0, throttled: 0, waitedMs: 0, maxInFlight: 0 };
  for (const x of s) {
    b.admitted += x.admitted;
    b.throttled += x.throttled;
    b.waitedMs += x.waitedMs;
    b.maxInFlight = Math.max(b.maxInFlight, x.maxInFlight);
  }
  return b;
}

/** niceMax is the smallest 1, 2 or 5 × 10^k at or above v (at least 1): the top of the y axis. */
export function niceMax(v: number): number {
  if (!(v > 1)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Bar is one rectangle in chart coordinates (y grows downwards). */
export interface Bar {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Geometry is what the SVG draws: one bar per bin for admitted calls and for throttling answers, on one scale. */
export interface Geometry {
  max: number;
  admitted: Bar[];
  throttled: Bar[];
  /** marks are the x centres of bins with throttling, drawn as a shape so colour is not the only cue. */
  marks: number[];
}

/** geometry lays bins out in a width × height plot area. */
export function geometry(bins: readonly Bin[], width: number, height: number): Geometry {
  const max = niceMax(Math.max(0, ...bins.map((b) => b.admitted)));
  const slot = bins.length > 0 ? width / bins.length : width;
  const w = Math.max(1, slot * 0.8);
  const bar = (i: number, v: number): Bar => {
    const h = (Math.min(v, max) / max) * height;
    return { x: i * slot + (slot - w) / 2, y: height - h, w, h };
  };
  return {
    max,
    admitted: bins.map((b, i) => bar(i, b.admitted)),
    throttled: bins.map((b, i) => bar(i, b.throttled)),
    marks: bins.flatMap((b, i) => (b.throttled > 0 ? [i * slot + slot / 2] : [])),
  };
}

/** summary says in one sentence what the chart shows. */
export function summary(bins: readonly Bin[], minutes: number): string {
  const admitted = bins.reduce((a, b) => a + b.admitted, 0);
  const throttled = bins.reduce((a, b) => a + b.throttled, 0);
  const waited = bins.reduce((a, b) => a + b.waitedMs, 0);
  const peak = bins.reduce((a, b) => Math.max(a, b.maxInFlight), 0);
  const calls = `${admitted.toLocaleString('en')} ${admitted === 1 ? 'call' : 'calls'}`;
  const thr = throttled === 0 ? 'no throttling' : `${throttled.toLocaleString('en')} throttling ${throttled === 1 ? 'answer' : 'answers'}`;
  const wait = waited === 0 ? 'no waiting' : `${formatWait(waited)} waited in total`;
  return `Last ${minutes} minutes: ${calls}, ${thr}, ${wait}, at most ${peak} in flight.`;
}

/** formatWait renders milliseconds as ms, s or min. */
export function formatWait(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
