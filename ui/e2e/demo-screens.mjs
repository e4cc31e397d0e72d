// demo-screens.mjs takes the README's screenshots from the real binary in demo mode: it builds the binary (or uses
// $SYNCHRONIZER_BIN), starts `serve --demo` on a free loopback port with a fresh data dir and a bootstrap admin,
// signs in with headless Chromium (Debian's /usr/bin/chromium via playwright-core), waits until the demo's first
// runs and conflicts are there, and writes docs/screenshots/*.png. Nothing here is stubbed: the pages show what
// the engine did with the SuperOffice and Microsoft 365 fakes.
//
// Run: cd ui && node e2e/demo-screens.mjs

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const out = join(repo, 'docs', 'screenshots');
const ADMIN = { email: 'ada@example.com', password: 'correct horse battery' };
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const port = await new Promise((res, rej) => {
  const s = createServer();
  s.once('error', rej);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
});
const work = mkdtempSync(join(tmpdir(), 'syn-demo-shots-'));
let bin = process.env.SYNCHRONIZER_BIN;
if (!bin) {
  bin = join(work, 'synchronizer');
  const b = spawnSync('go', ['build', '-o', bin, '.'], { cwd: repo, stdio: 'inherit' });
  if (b.status !== 0) throw new Error('go build failed');
}
const proc = spawn(bin, ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data', join(work, 'data'), '--log-level', 'warn'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, SYNCHRONIZER_ADMIN_EMAIL: ADMIN.email, SYNCHRONIZER_ADMIN_PASSWORD: ADMIN.password },
});
const base = `http://127.0.0.1:${port}`;
const stop = () => { if (proc.exitCode === null) proc.kill('SIGTERM'); };
process.once('exit', () => { stop(); rmSync(work, { recursive: true, force: true }); });

async function waitFor(what, fn, ms = 90_000) {
  const end = Date.now() + ms;
  for (;;) {
    try { if (await fn()) return; } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

await waitFor('the server', async () => (await fetch(`${base}/readyz`)).ok);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}/login`);
  await page.getByLabel(/^E-mail address/).fill(ADMIN.email);
  await page.getByLabel(/^Password/).fill(ADMIN.password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  // The API answers what the pages show; wait on it rather than on page details.
  const gql = (query) => page.evaluate(async (q) => {
    const csrf = document.cookie.split('; ').find((c) => c.startsWith('synchronizer_csrf='))?.split('=')[1] ?? '';
    const r = await fetch('/graphql', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ query: q }) });
    return (await r.json()).data;
  }, query);
  await waitFor('five completed runs', async () => (await gql('{ syncRuns(profileId: "demo") { status } }')).syncRuns.filter((r) => r.status === 'OK').length >= 5);
  await waitFor('a conflict', async () => (await gql('{ syncConflicts(profileId: "demo") { id } }')).syncConflicts.length > 0);
  mkdirSync(out, { recursive: true });
  for (const [name, path] of [['users', '/users'], ['conflicts', '/conflicts'], ['profiles', '/profiles'], ['governor', '/governor']]) {
    await page.goto(base + path);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, `${name}.png`) });
    console.log(`wrote docs/screenshots/${name}.png`);
  }
  const users = await gql('{ linkedUsers(profileId: "demo") { id } }');
  await page.goto(`${base}/users/demo/${users.linkedUsers[0].id}`);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(out, 'user.png') });
  console.log('wrote docs/screenshots/user.png');
} finally {
  await browser.close();
  stop();
}
