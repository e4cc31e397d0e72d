// GraphQL-over-HTTP compliance audit of Synchronizer's /graphql endpoint,
// using graphql-http's auditServer (the spec's reference audits).
//
// usage: node audit.mjs URL [--email E --password P | --token syn_…] [--json out.json] [--html out.html]
//   (or the env vars GQL_AUDIT_EMAIL, GQL_AUDIT_PASSWORD, GQL_AUDIT_TOKEN)
//
// Introspection (which several audits use: __type) is only available to
// signed-in callers, so the audits run with a bearer API token. Given an
// e-mail and password, the script signs in, creates a token, runs the
// audits with it and revokes it again. It also checks that anonymous
// introspection is refused.
//
// Output: one line per audit (PASS|NOTE|WARN|FAIL [id] name), then totals.
// Exit code: 0 = no MUST failure, 1 = at least one MUST failure, 2 = fatal.
import { auditServer, renderAuditResultsToHTML } from 'graphql-http';
import { writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const url = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--')));
const opt = (k) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };
if (!url) {
  console.error('usage: node audit.mjs URL [--email E --password P | --token syn_…] [--json f] [--html f]');
  process.exit(2);
}
const email = opt('--email') ?? process.env.GQL_AUDIT_EMAIL;
const password = opt('--password') ?? process.env.GQL_AUDIT_PASSWORD;
let token = opt('--token') ?? process.env.GQL_AUDIT_TOKEN;

async function gql(query, variables, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  return { res, body };
}

let revoke;
try {
  if (!token && email && password) {
    const login = await gql('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { csrfToken } }', { e: email, p: password });
    if (login.body.errors) throw new Error(`login failed: ${JSON.stringify(login.body.errors)}`);
    const cookie = login.res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const headers = { cookie, 'x-csrf-token': login.body.data.login.csrfToken };
    const created = await gql('mutation { createApiToken(name: "gql-audit", expiresInDays: 1) { secret token { id } } }', {}, headers);
    if (created.body.errors) throw new Error(`createApiToken failed: ${JSON.stringify(created.body.errors)}`);
    token = created.body.data.createApiToken.secret;
    const id = created.body.data.createApiToken.token.id;
    revoke = () => gql('mutation($id: ID!) { revokeApiToken(id: $id) }', { id }, headers);
  }
} catch (err) {
  console.error(`fatal: ${err.message}`);
  process.exit(2);
}

const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn });
const icon = { ok: 'PASS', notice: 'NOTE', warn: 'WARN', error: 'FAIL' };
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const json = [];
for (const r of results) {
  counts[r.status]++;
  let body;
  if (r.status !== 'ok') { try { body = await r.response.text(); } catch { body = undefined; } }
  json.push({ id: r.id, name: r.name, status: r.status, reason: r.reason, httpStatus: r.response?.status, body });
  console.log(`${icon[r.status]} [${r.id}] ${r.name}${r.status === 'ok' ? '' : `\n      reason: ${r.reason}`}`);
}

// Our own check: introspection is for signed-in callers only.
let own = 0;
{
  const { body } = await gql('{ __schema { queryType { name } } }');
  const ok = body.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED' && !body.data?.__schema;
  console.log(`${ok ? 'PASS' : 'FAIL'} [SYN1] MUST refuse introspection to anonymous callers (UNAUTHENTICATED)`);
  if (!ok) { own++; console.log(`      reason: got ${JSON.stringify(body)}`); }
}
if (revoke) await revoke();

console.log(`\nTotal ${results.length}: ${counts.ok} ok, ${counts.notice} notice, ${counts.warn} warn, ${counts.error} error`);
console.log(`${counts.ok + counts.notice + counts.warn + 1 - own} passed, ${counts.error + own} failed (MUST), ${counts.warn} SHOULD warnings`);
if (opt('--json')) writeFileSync(opt('--json'), JSON.stringify(json, null, 2));
if (opt('--html')) writeFileSync(opt('--html'), await renderAuditResultsToHTML(results));
process.exit(counts.error + own > 0 ? 1 : 0);
