// Live updates: one GraphQL subscription over a graphql-transport-ws websocket on
// /graphql. The browser sends the session cookie with the upgrade (same origin),
// so no token is needed. When the socket fails the subscription reconnects with
// exponential backoff and reports 'offline', so screens fall back to their Refresh
// button until it is live again.

/** LiveState is what a screen tells the reader about its live updates. */
export type LiveState = 'connecting' | 'live' | 'offline';

/** SocketLike is the part of WebSocket the subscription uses (tests pass their own). */
export interface SocketLike {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** SubscribeOptions configure subscribe. */
export interface SubscribeOptions<T> {
  query: string;
  variables?: Record<string, unknown>;
  /** onData receives each result's data. */
  onData: (data: T) => void;
  /** onState is told when the connection becomes live, connecting or offline. */
  onState?: (state: LiveState, detail?: string) => void;
  /** url defaults to ws(s)://<this host>/graphql. */
  url?: string;
  /** socket opens a websocket (default: new WebSocket(url, 'graphql-transport-ws')). */
  socket?: (url: string) => SocketLike;
  /** setTimer / clearTimer default to window.setTimeout / clearTimeout. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  /** minDelayMs and maxDelayMs bound the reconnect backoff (default 1 s and 30 s). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** PROTOCOL is the websocket subprotocol the server speaks. */
export const PROTOCOL = 'graphql-transport-ws';

/** backoff returns the delay before reconnect attempt n (0-based): min·2ⁿ, capped at max. */
export function backoff(n: number, min = 1000, max = 30000): number {
  return Math.min(max, min * 2 ** Math.min(n, 20));
}

/** defaultURL is the websocket URL of /graphql on the page's own origin. */
export function defaultURL(loc: { protocol: string; host: string } = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/graphql`;
}

/**
 * subscribe starts a subscription and keeps it running (reconnecting with
 * backoff) until the returned function is called.
 */
export function subscribe<T>(opts: SubscribeOptions<T>): () => void {
  const open = opts.socket ?? ((url: string) => new WebSocket(url, PROTOCOL) as unknown as SocketLike);
  const setTimer = opts.setTimer ?? ((fn: () => void, ms: number) => window.setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((t: unknown) => window.clearTimeout(t as number));
  const min = opts.minDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 30000;
  let stopped = false;
  let attempt = 0;
  let ws: SocketLike | null = null;
  let timer: unknown = null;
  const state = (s: LiveState, detail?: string) => opts.onState?.(s, detail);

  let everFailed = false;
  let isLive = false;
  const connect = () => {
    timer = null;
    if (stopped) return;
    // After a failure the reader keeps seeing 'offline' until data flows again.
    if (!everFailed) state('connecting');
    let sock: SocketLike;
    try {
      sock = open(opts.url ?? defaultURL());
    } catch (err) {
      retry(err instanceof Error ? err.message : String(err));
      return;
    }
    ws = sock;
    sock.onopen = () => sock.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    sock.onmessage = (ev) => {
      let msg: { type?: string; id?: string; payload?: unknown };
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      switch (msg.type) {
        case 'connection_ack':
          sock.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: opts.query, variables: opts.variables ?? {} } }));
          break;
        case 'ping':
          sock.send(JSON.stringify({ type: 'pong' }));
          break;
        case 'next': {
          const p = msg.payload as { data?: T; errors?: { message?: string }[] } | undefined;
          if (p?.errors?.length) {
            sock.close(4400, 'subscription error');
            retry(p.errors[0].message ?? 'the server refused the subscription');
          } else if (p?.data) {
            // Live once the server sends the subscription's first result.
            if (!isLive) {
              isLive = true;
              attempt = 0;
              state('live');
            }
            opts.onData(p.data);
          }
          break;
        }
        case 'error': {
          const errs = msg.payload as { message?: string }[] | undefined;
          sock.close(4400, 'subscription error');
          retry(errs?.[0]?.message ?? 'the server refused the subscription');
          break;
        }
        case 'complete':
          sock.close(1000, 'complete');
          retry('the server ended the subscription');
          break;
      }
    };
    sock.onerror = () => {};
    sock.onclose = (ev) => {
      if (ws === sock) retry(ev.reason || `the connection closed (${ev.code})`);
    };
  };

  const retry = (detail: string) => {
    const sock = ws;
    ws = null;
    if (sock) {
      sock.onclose = null;
      sock.onmessage = null;
    }
    if (stopped || timer !== null) return;
    everFailed = true;
    isLive = false;
    state('offline', detail);
    timer = setTimer(connect, backoff(attempt++, min, max));
  };

  connect();
  return () => {
    stopped = true;
    if (timer !== null) clearTimer(timer);
    timer = null;
    const sock = ws;
    ws = null;
    if (sock) {
      sock.onclose = null;
      sock.onmessage = null;
      try {
        sock.close(1000, 'done');
      } catch {
        // already closed
      }
    }
  };
}
