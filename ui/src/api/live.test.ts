import { describe, expect, it } from 'vitest';
import { backoff, defaultURL, subscribe, type LiveState, type SocketLike } from './live';

class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: Array<Record<string, unknown>> = [];
  closed = false;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  serverSays(msg: object) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop(reason = '') {
    this.onclose?.({ code: 1006, reason });
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const urls: string[] = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const states: LiveState[] = [];
  const data: unknown[] = [];
  const stop = subscribe<{ n: number }>({
    query: 'subscription S { syncStatus { event { type } } }',
    url: 'ws://example.test/graphql',
    socket: (url) => {
      urls.push(url);
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    setTimer: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimer: () => {},
    onData: (d) => data.push(d),
    onState: (s) => states.push(s),
  });
  return { sockets, urls, timers, states, data, stop };
}

describe('subscribe', () => {
  it('speaks graphql-transport-ws: init, subscribe after ack, pong, data', () => {
    const h = harness();
    const s = h.sockets[0];
    s.onopen?.({});
    expect(s.sent[0]).toEqual({ type: 'connection_init', payload: {} });
    s.serverSays({ type: 'connection_ack' });
    expect(s.sent[1]).toMatchObject({ id: '1', type: 'subscribe', payload: { query: 'subscription S { syncStatus { event { type } } }' } });
    expect(h.states).toEqual(['connecting']);
    s.serverSays({ type: 'ping' });
    expect(s.sent[2]).toEqual({ type: 'pong' });
    s.serverSays({ type: 'next', id: '1', payload: { data: { n: 1 } } });
    s.serverSays({ type: 'next', id: '1', payload: { data: { n: 2 } } });
    expect(h.data).toEqual([{ n: 1 }, { n: 2 }]);
    expect(h.states).toEqual(['connecting', 'live']);
    h.stop();
    expect(s.closed).toBe(true);
  });

  it('reconnects with growing backoff and resets it once live', () => {
    const h = harness();
    h.sockets[0].drop('gone');
    expect(h.states.at(-1)).toBe('offline');
    expect(h.timers.map((t) => t.ms)).toEqual([1000]);
    h.timers[0].fn();
    h.sockets[1].drop();
    expect(h.timers.map((t) => t.ms)).toEqual([1000, 2000]);
    h.timers[1].fn();
    h.sockets[2].onopen?.({});
    h.sockets[2].serverSays({ type: 'connection_ack' });
    expect(h.states.at(-1)).toBe('offline');
    h.sockets[2].serverSays({ type: 'next', id: '1', payload: { data: { n: 1 } } });
    expect(h.states.at(-1)).toBe('live');
    expect(h.states).toEqual(['connecting', 'offline', 'offline', 'live']);
    h.sockets[2].drop();
    expect(h.timers.at(-1)?.ms).toBe(1000);
    h.stop();
    h.timers.at(-1)?.fn();
    expect(h.sockets.length).toBe(3);
  });

  it('treats a refused subscription as a failure to retry', () => {
    const h = harness();
    const s = h.sockets[0];
    s.onopen?.({});
    s.serverSays({ type: 'connection_ack' });
    s.serverSays({ type: 'error', id: '1', payload: [{ message: 'forbidden' }] });
    expect(s.closed).toBe(true);
    expect(h.states).toEqual(['connecting', 'offline']);
    expect(h.timers.length).toBe(1);
    s.drop();
    expect(h.timers.length).toBe(1);
    // The retry stays 'offline' while the server keeps refusing, with growing delays.
    h.timers[0].fn();
    h.sockets[1].onopen?.({});
    h.sockets[1].serverSays({ type: 'connection_ack' });
    h.sockets[1].serverSays({ type: 'next', id: '1', payload: { errors: [{ message: 'engine not running' }] } });
    expect(h.states.every((st, i) => i === 0 || st === 'offline')).toBe(true);
    expect(h.timers.map((t) => t.ms)).toEqual([1000, 2000]);
    h.stop();
  });

  it('survives a socket constructor that throws', () => {
    const timers: number[] = [];
    const states: LiveState[] = [];
    const stop = subscribe({
      query: 'subscription S { x }',
      url: 'ws://x/graphql',
      socket: () => {
        throw new Error('blocked');
      },
      setTimer: (_fn, ms) => timers.push(ms),
      clearTimer: () => {},
      onData: () => {},
      onState: (s) => states.push(s),
    });
    expect(states).toEqual(['connecting', 'offline']);
    expect(timers).toEqual([1000]);
    stop();
  });
});

describe('backoff and defaultURL', () => {
  it('doubles up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoff(n))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
  it('uses wss on https pages', () => {
    expect(defaultURL({ protocol: 'https:', host: 'sync.example.com' })).toBe('wss://sync.example.com/graphql');
    expect(defaultURL({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/graphql');
  });
});
