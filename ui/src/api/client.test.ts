import { describe, expect, it, vi } from 'vitest';
import { ApiError, CSRF_HEADER, GraphQLClient, HINTS, httpError, mapGraphQLError, readCookie, type FetchLike } from './client';

function jsonResponse(status: number, body: unknown, type = 'application/graphql-response+json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } });
}

function clientWith(res: Response | (() => Promise<Response>), cookies = '') {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return typeof res === 'function' ? res() : res;
  };
  return { client: new GraphQLClient({ fetch, cookies: () => cookies }), calls };
}

describe('readCookie', () => {
  it.each([
    ['synchronizer_csrf=abc', 'abc'],
    ['a=1; synchronizer_csrf=x%2By; b=2', 'x+y'],
    ['xsynchronizer_csrf=no; synchronizer_csrf=yes', 'yes'],
    ['a=1', ''],
    ['', ''],
    ['synchronizer_csrf=%E0%A4%A', '%E0%A4%A'],
  ])('%s → %s', (cookie, want) => {
    expect(readCookie(cookie, 'synchronizer_csrf')).toBe(want);
  });
});

describe('GraphQLClient.request', () => {
  it('POSTs JSON with the CSRF header taken from the cookie', async () => {
    const { client, calls } = clientWith(jsonResponse(200, { data: { me: null } }), 'other=1; synchronizer_csrf=tok123');
    const data = await client.request<{ me: null }>('query { me { id } }');
    expect(data).toEqual({ me: null });
    expect(calls).toHaveLength(1);
    const { url, init } = calls[0];
    expect(url).toBe('/graphql');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    const headers = init.headers as Record<string, string>;
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers[CSRF_HEADER]).toBe('tok123');
    expect(JSON.parse(init.body as string)).toEqual({ query: 'query { me { id } }', variables: {} });
  });

  it('sends no CSRF header without the cookie', async () => {
    const { client, calls } = clientWith(jsonResponse(200, { data: { systemStatus: { state: 'SETUP' } } }));
    await client.request('query { systemStatus { state } }');
    expect((calls[0].init.headers as Record<string, string>)[CSRF_HEADER]).toBeUndefined();
  });

  it('maps extensions.code, the message, the hint and the field', async () => {
    const { client } = clientWith(
      jsonResponse(200, {
        data: null,
        errors: [{ message: 'password: use at least 12 characters', extensions: { code: 'BAD_USER_INPUT', field: 'input.password' } }],
      }),
    );
    const err = await client.request('mutation { x }').then(
      () => undefined,
      (e: unknown) => e as ApiError,
    );
    expect(err).toBeInstanceOf(ApiError);
    if (!err) throw new Error('no error');
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe('password: use at least 12 characters');
    expect(err.field).toBe('input.password');
    expect(err.hint).toBe(HINTS.BAD_USER_INPUT);
  });

  it('treats data with errors as a failure', async () => {
    const { client } = clientWith(jsonResponse(200, { data: { a: 1 }, errors: [{ message: 'boom', extensions: { code: 'INTERNAL' } }] }));
    await expect(client.request('query { a }')).rejects.toMatchObject({ code: 'INTERNAL', message: 'boom' });
  });

  it('recognises the CSRF refusal of the auth middleware', async () => {
    const { client } = clientWith(
      jsonResponse(403, { errors: [{ message: 'CSRF check failed: send the synchronizer_csrf cookie in X-CSRF-Token', extensions: { code: 'FORBIDDEN' } }] }, 'application/json'),
    );
    const err = await client.request('mutation { logout }').then(
      () => undefined,
      (e: unknown) => e as ApiError,
    );
    if (!err) throw new Error('no error');
    expect(err.code).toBe('CSRF');
    expect(err.status).toBe(403);
    expect(err.hint).toMatch(/Reload the page/);
  });

  it('reports an unreachable server as NETWORK', async () => {
    const { client } = clientWith(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(client.request('query { me { id } }')).rejects.toMatchObject({ code: 'NETWORK' });
  });

  it('reports a non-JSON error page by its HTTP status', async () => {
    const { client } = clientWith(new Response('<html><body>Bad Gateway</body></html>', { status: 502 }));
    await expect(client.request('query { me { id } }')).rejects.toMatchObject({ code: 'INTERNAL', status: 502, message: 'Bad Gateway' });
  });

  it('reports a 200 without data as BAD_RESPONSE', async () => {
    const { client } = clientWith(new Response('not json', { status: 200 }));
    await expect(client.request('query { me { id } }')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('calls onUnauthenticated for UNAUTHENTICATED errors only', async () => {
    const seen: string[] = [];
    const mk = (code: string) =>
      new GraphQLClient({
        fetch: async () => jsonResponse(200, { data: null, errors: [{ message: 'no', extensions: { code } }] }),
        onUnauthenticated: (e) => seen.push(e.code),
      });
    await mk('UNAUTHENTICATED').request('query { admins { id } }').catch(() => {});
    await mk('FORBIDDEN').request('query { admins { id } }').catch(() => {});
    expect(seen).toEqual(['UNAUTHENTICATED']);
  });

  it('passes an abort through unchanged', async () => {
    const fetch = vi.fn<FetchLike>(async () => {
      throw new DOMException('aborted', 'AbortError');
    });
    const client = new GraphQLClient({ fetch, cookies: () => '' });
    await expect(client.request('query { me { id } }')).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('mapGraphQLError', () => {
  it.each([
    [{ extensions: { code: 'RATE_LIMITED' }, message: 'Too many failed sign-ins; retry after 20:15' }, 200, 'RATE_LIMITED'],
    [{ extensions: { code: 'SETUP_DONE' }, message: 'setup is done' }, 200, 'SETUP_DONE'],
    [{ extensions: { code: 'UNAVAILABLE' }, message: 'the sync engine is not available on this server' }, 200, 'UNAVAILABLE'],
    [{ extensions: { code: 'SOMETHING_NEW' }, message: 'x' }, 200, 'INTERNAL'],
    [{ message: 'no code' }, 500, 'INTERNAL'],
    [{ message: 'no code' }, 401, 'UNAUTHENTICATED'],
    [{ message: 'no code' }, 403, 'FORBIDDEN'],
    [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' }, message: 'Cannot query field' }, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ])('%j with HTTP %d → %s', (e, status, want) => {
    const err = mapGraphQLError([e], status);
    expect(err.code).toBe(want);
    expect(err.hint).toBe(HINTS[err.code]);
    expect(err.message.length).toBeGreaterThan(0);
  });

  it('gives every code a hint', () => {
    for (const [code, hint] of Object.entries(HINTS)) {
      expect(hint, code).toMatch(/\.$/);
    }
  });
});

describe('httpError', () => {
  it.each([
    [413, '', 'BAD_USER_INPUT'],
    [429, 'slow down', 'RATE_LIMITED'],
    [404, 'not found', 'HTTP'],
    [503, '', 'INTERNAL'],
  ])('%d → %s', (status, text, want) => {
    expect(httpError(status, text).code).toBe(want);
  });
});
