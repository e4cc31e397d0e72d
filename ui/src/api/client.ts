// The GraphQL client: one POST per operation to /graphql with the session cookie,
// the CSRF header the server requires on cookie-authenticated requests, and errors
// mapped to ApiError values that say what happened and what to do next.

/** CSRF_COOKIE is the readable cookie the server sets next to the session cookie. */
export const CSRF_COOKIE = 'synchronizer_csrf';
/** CSRF_HEADER carries the CSRF cookie's value back on every POST. */
export const CSRF_HEADER = 'X-CSRF-Token';

/** ErrorCode lists the stable extensions.code values of the API plus the client's own. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'SETUP_DONE'
  | 'CONFLICT'
  | 'INTERNAL'
  | 'GRAPHQL_PARSE_FAILED'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'QUERY_TOO_COMPLEX'
  | 'UNAVAILABLE'
  | 'CSRF'
  | 'NETWORK'
  | 'HTTP'
  | 'BAD_RESPONSE';

const KNOWN_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'RATE_LIMITED', 'SETUP_DONE',
  'CONFLICT', 'INTERNAL', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'QUERY_TOO_COMPLEX',
  'UNAVAILABLE', 'CSRF', 'NETWORK', 'HTTP', 'BAD_RESPONSE',
]);

/** HINTS says, for each error code, what the person at the screen can do next. */
export const HINTS: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'Your session has ended or you are not signed in. Sign in again to continue.',
  FORBIDDEN: 'Your account is not allowed to do this. Ask an administrator for access.',
  BAD_USER_INPUT: 'Correct the value and try again.',
  NOT_FOUND: 'It may have been removed in the meantime. Reload the page to see the current state.',
  RATE_LIMITED: 'Too many attempts in a short time. Wait a few minutes, then try again.',
  SETUP_DONE: 'Setup has already been completed. Sign in with the administrator account instead.',
  CONFLICT: 'Someone else changed this at the same time. Reload the page and try again.',
  INTERNAL: 'The server ran into a problem. Try again; if it keeps happening, look at the server log.',
  GRAPHQL_PARSE_FAILED: 'The dashboard and the server do not match. Reload the page; if it persists, rebuild the dashboard.',
  GRAPHQL_VALIDATION_FAILED: 'The dashboard and the server do not match. Reload the page; if it persists, rebuild the dashboard.',
  QUERY_TOO_COMPLEX: 'The request was too large for the server. Reload the page and try a smaller page of results.',
  UNAVAILABLE: 'This part of Synchronizer is not running on this server. Check the server log for why it did not start; it appears here once it runs.',
  CSRF: 'The security token of this page is missing or out of date. Reload the page and try again.',
  NETWORK: 'Check that Synchronizer is running and that this computer is online, then try again.',
  HTTP: 'The server answered with an unexpected error. Try again; if it keeps happening, look at the server log.',
  BAD_RESPONSE: 'The server sent an answer the dashboard cannot read. Reload the page; if it persists, look at the server log.',
};

/** GraphQLErrorJSON is one entry of a response's errors array. */
export interface GraphQLErrorJSON {
  message?: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; field?: string; retryAfterSeconds?: number; [key: string]: unknown };
}

/** ApiError is what every failed request rejects with. */
export class ApiError extends Error {
  /** code is the stable error code (from extensions.code or the client's own). */
  readonly code: ErrorCode;
  /** hint tells the reader what to do next. */
  readonly hint: string;
  /** field names the input field at fault, when the server said so. */
  readonly field?: string;
  /** status is the HTTP status, when there was a response. */
  readonly status?: number;
  /** all holds every error the server returned (the first one is this error). */
  readonly all: readonly GraphQLErrorJSON[];

  constructor(code: ErrorCode, message: string, opts: { field?: string; status?: number; all?: GraphQLErrorJSON[] } = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.hint = HINTS[code];
    this.field = opts.field;
    this.status = opts.status;
    this.all = opts.all ?? [];
  }
}

/** asApiError turns anything thrown into an ApiError (unknown errors become INTERNAL). */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof Error) return new ApiError('INTERNAL', err.message);
  return new ApiError('INTERNAL', String(err));
}

/** readCookie returns the value of the named cookie in a document.cookie string, or ''. */
export function readCookie(cookieString: string, name: string): string {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return '';
}

/** mapGraphQLError builds the ApiError for the first of a response's errors. */
export function mapGraphQLError(errors: GraphQLErrorJSON[], status?: number): ApiError {
  const first = errors[0] ?? {};
  const raw = typeof first.extensions?.code === 'string' ? first.extensions.code : '';
  let code: ErrorCode;
  if (KNOWN_CODES.has(raw)) {
    code = raw as ErrorCode;
  } else if (status === 403 && /csrf/i.test(first.message ?? '')) {
    code = 'CSRF';
  } else if (raw === '' && status !== undefined && status >= 500) {
    code = 'INTERNAL';
  } else if (raw === '' && status === 403) {
    code = 'FORBIDDEN';
  } else if (raw === '' && status === 401) {
    code = 'UNAUTHENTICATED';
  } else {
    code = 'INTERNAL';
  }
  if (code === 'FORBIDDEN' && /csrf/i.test(first.message ?? '')) code = 'CSRF';
  const field = typeof first.extensions?.field === 'string' ? first.extensions.field : undefined;
  const message = (first.message ?? '').trim() || defaultMessage(code, status);
  return new ApiError(code, message, { field, status, all: errors });
}

function defaultMessage(code: ErrorCode, status?: number): string {
  switch (code) {
    case 'NETWORK':
      return 'The server could not be reached.';
    case 'HTTP':
      return `The server answered with HTTP ${status ?? 'error'}.`;
    default:
      return `The request failed (${code}).`;
  }
}

/** FetchLike is the part of window.fetch the client uses (tests pass their own). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** ClientOptions configures a GraphQLClient. */
export interface ClientOptions {
  /** endpoint defaults to /graphql. */
  endpoint?: string;
  /** fetch defaults to window.fetch. */
  fetch?: FetchLike;
  /** cookies returns document.cookie (or a test's string). */
  cookies?: () => string;
  /** onUnauthenticated is called when a request fails with UNAUTHENTICATED. */
  onUnauthenticated?: (err: ApiError) => void;
}

/** GraphQLClient sends operations to the Synchronizer API. */
export class GraphQLClient {
  private readonly endpoint: string;
  private readonly fetchFn: FetchLike;
  private readonly cookies: () => string;
  onUnauthenticated?: (err: ApiError) => void;

  constructor(opts: ClientOptions = {}) {
    this.endpoint = opts.endpoint ?? '/graphql';
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.cookies = opts.cookies ?? (() => (typeof document === 'undefined' ? '' : document.cookie));
    this.onUnauthenticated = opts.onUnauthenticated;
  }

  /** headers returns the request headers, with the CSRF token when the cookie is set. */
  headers(): Record<string, string> {
    const h: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json;q=0.9',
    };
    const csrf = readCookie(this.cookies(), CSRF_COOKIE);
    if (csrf) h[CSRF_HEADER] = csrf;
    return h;
  }

  /**
   * request runs one operation and resolves with its data, or rejects with an
   * ApiError. A response with both data and errors counts as failed: the
   * dashboard never shows half an answer as if it were whole.
   */
  async request<TData, TVariables extends object = Record<string, never>>(
    query: string,
    variables?: TVariables,
    opts: { signal?: AbortSignal } = {},
  ): Promise<TData> {
    let res: Response;
    try {
      res = await this.fetchFn(this.endpoint, {
        method: 'POST',
        credentials: 'same-origin',
        headers: this.headers(),
        body: JSON.stringify({ query, variables: variables ?? {} }),
        signal: opts.signal,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError('NETWORK', 'The server could not be reached.');
    }
    const text = await res.text().catch(() => '');
    let body: { data?: TData | null; errors?: GraphQLErrorJSON[] } | undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    let err: ApiError | undefined;
    if (body && Array.isArray(body.errors) && body.errors.length > 0) {
      err = mapGraphQLError(body.errors, res.status);
    } else if (!res.ok) {
      err = httpError(res.status, text);
    } else if (!body || typeof body !== 'object' || !('data' in body) || body.data == null) {
      err = new ApiError('BAD_RESPONSE', 'The server sent an answer without data.', { status: res.status });
    }
    if (err) {
      if (err.code === 'UNAUTHENTICATED') this.onUnauthenticated?.(err);
      throw err;
    }
    return body!.data as TData;
  }
}

/** httpError maps a non-GraphQL error response (proxy page, body limit…) to an ApiError. */
export function httpError(status: number, text: string): ApiError {
  const detail = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
  if (status === 401) return new ApiError('UNAUTHENTICATED', detail || 'You are not signed in.', { status });
  if (status === 403 && /csrf/i.test(text)) return new ApiError('CSRF', detail || 'The CSRF token is missing or wrong.', { status });
  if (status === 403) return new ApiError('FORBIDDEN', detail || 'Access denied.', { status });
  if (status === 413) return new ApiError('BAD_USER_INPUT', 'The request is larger than the server accepts. Shorten the input and try again.', { status });
  if (status === 429) return new ApiError('RATE_LIMITED', detail || 'Too many requests.', { status });
  if (status >= 500) return new ApiError('INTERNAL', detail || `The server answered with HTTP ${status}.`, { status });
  return new ApiError('HTTP', detail || `The server answered with HTTP ${status}.`, { status });
}
