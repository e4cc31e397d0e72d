// End-to-end test of the user portal against the real binary in demo mode, in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core). Nothing is stubbed.
//
// Demo mode has no SMTP server, so "E-mail a sign-in invitation" answers that no SMTP settings are saved; the admin
// then uses "Create an invitation link" on the user's page (createPortalInvitation), the same durable link the mail
// would carry, shown once to hand over another way. The walk:
//   setup through the printed link → a demo user's page: the e-mail invitation says mail is not set up, the
//   invitation link is created → a second browser (the user) opens /invite/<token>, continues, and lands on
//   "Your sync": only their own profile link, their own mailbox, no other demo user's address anywhere, the
//   navigation has only "Your sync" and "Your account", the admin areas redirect to the portal and the admin API
//   answers FORBIDDEN → the first sync shows up as "In sync" with its runs → "Sync now" → the preferences the demo
//   profile locks are shown disabled with why → the used link is refused in a third browser → the login page offers
//   no SuperOffice sign-in (the demo's SuperOffice is on-site). axe-core (WCAG 2.1 A/AA) runs on the invitation page
//   and the portal. Screenshots: ui/e2e/screenshots/portal-*.png.
//
// Run: cd ui && node e2e/portal.spec.mjs        (needs: go, chromium, npm ci)

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const shots = join(here, 'screenshots');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' };
// Waits on the demo's own pace (first runs, the conflict) are bounded by WAIT; the whole run by DEADLINE.
const WAIT = 60_000;
const DEADLINE = 150_000;

// A closed stdout (for example `| head`) must not kill the run before cleanup.
process.stdout.on('error', () => {});

const started = Date.now();
let step = 0;
function log(msg) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[portal ${String(++step).padStart(2, '0')} ${t}s] ${msg}`);
}
function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** until polls fn (every 500 ms) until it returns a truthy value, which it returns; it fails after ms. */
async function until(what, fn, ms = WAIT) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    await sleep(500);
  }
}

/** see waits for a locator to be visible, failing with what was expected. */
async function see(locator, what, ms = 15_000) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: ms });
  } catch (err) {
    throw new Error(`timed out after ${ms / 1000} s waiting to see ${what}\n  (${err.message.split('\n')[0]})`);
  }
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** startServer runs `serve --demo` and resolves with the process and the setup URL it prints. */
function startServer(bin, port, dataDir) {
  const proc = spawn(bin, ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SYNCHRONIZER_ADMIN_EMAIL: '', SYNCHRONIZER_ADMIN_PASSWORD: '' },
  });
  // Never leave the server behind, whatever ends this script.
  const killServer = () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  process.once('exit', killServer);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      killServer();
      process.exit(130);
    });
  }
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      rej(new Error(`no setup URL within 30 s.\nstdout:\n${out}\nstderr:\n${err}`));
    }, 30_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/Open (http:\/\/127\.0\.0\.1:\d+\/setup\?token=\S+) to create the first admin\./);
      if (m) {
        clearTimeout(timer);
        res({ proc, setupURL: m[1], logs: () => err });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`server exited with ${code} before printing a setup URL.\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
}

/** stopServer stops the server by its PID: SIGTERM, then SIGKILL after 10 s. */
async function stopServer(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  process.kill(proc.pid, 'SIGTERM');
  const t = setTimeout(() => {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 10_000);
  await exited;
  clearTimeout(t);
}

/** watch records page errors and CSP violations, which fail the run. */
function watch(page, problems) {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to (apply|execute|load|connect)/i.test(text)) problems.push(`CSP: ${text}`);
    else if (m.type() === 'error') console.log(`   (console error: ${text})`);
  });
}

async function shot(page, name) {
  // From the top: a full-page capture of a scrolled page draws the sticky header in the middle.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, `portal-${name}.png`), fullPage: true });
}

async function heading(page, text) {
  await see(page.getByRole('heading', { level: 1, name: text, exact: true }), `the page heading “${text}”`);
}

/** checkA11y runs axe-core's WCAG 2.1 A/AA rules on the current page and fails on any violation. */
async function checkA11y(page, label) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const res = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return res.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  });
  assert(violations.length === 0, `accessibility violations on ${label}:\n  ${violations.join('\n  ')}`);
}

/** gql runs a GraphQL operation from page with its session cookie and CSRF token; it returns { data, errors }. */
async function gql(page, query, variables = {}) {
  return page.evaluate(
    async ({ query, variables }) => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('synchronizer_csrf='))?.split('=')[1] ?? '';
      const r = await fetch('/graphql', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf) },
        body: JSON.stringify({ query, variables }),
      });
      return r.json();
    },
    { query, variables },
  );
}

async function main() {
  mkdirSync(shots, { recursive: true });
  let bin = process.env.SYNCHRONIZER_BIN;
  const work = mkdtempSync(join(tmpdir(), 'synchronizer-portal-e2e-'));
  if (!bin) {
    bin = join(work, 'synchronizer');
    log('building the binary');
    const b = spawnSync('go', ['build', '-o', bin, '.'], { cwd: repo, stdio: 'inherit' });
    assert(b.status === 0, 'go build succeeded');
  }
  const t0 = Date.now();
  const watchdog = setTimeout(() => {
    console.error(`portal e2e: FAIL: the run took longer than ${DEADLINE / 1000} s (after the build)`);
    process.exit(1); // the exit handler kills the server
  }, DEADLINE);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(bin, port, join(work, 'data'));
  log(`demo server up on ${base} (pid ${server.proc.pid})`);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const problems = [];
  try {
    // --- The admin: setup, then the invitation of one demo user. ---
    const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base });
    const admin = await adminCtx.newPage();
    admin.setDefaultTimeout(20_000);
    watch(admin, problems);
    await admin.goto(server.setupURL);
    await heading(admin, 'Set up Synchronizer');
    await admin.getByLabel(/^Your name/).fill(ADMIN.name);
    await admin.getByLabel(/^E-mail address/).fill(ADMIN.email);
    await admin.getByLabel(/^Password/).fill(ADMIN.password);
    await admin.getByLabel(/^Repeat the password/).fill(ADMIN.password);
    await admin.getByRole('button', { name: 'Create administrator' }).click();
    await heading(admin, 'Overview');
    const profile = (await gql(admin, '{ syncProfile(id: "demo") { name users { id crm { name } mailbox { email } } } }')).data.syncProfile;
    assert(profile && profile.users.length === 5, `the demo profile has 5 users: ${JSON.stringify(profile)}`);
    const me = profile.users[1];
    const others = profile.users.filter((u) => u.id !== me.id);
    log(`admin set up; inviting ${me.crm.name} <${me.mailbox.email}> (user ${me.id})`);

    await admin.goto(`/users/demo/${encodeURIComponent(me.id)}`);
    await heading(admin, me.crm.name);
    const card = admin.locator('section.card').filter({ has: admin.getByRole('heading', { name: 'Portal invitation' }) });
    await card.getByRole('button', { name: 'E-mail a sign-in invitation' }).click();
    await see(card.getByText('no SMTP settings are saved'), 'the e-mail invitation refused for want of SMTP settings');
    await card.getByRole('button', { name: 'Create an invitation link' }).click();
    const linkEl = card.getByTestId('portal-invitation-link');
    await see(linkEl, 'the invitation link');
    const link = ((await linkEl.textContent()) ?? '').trim();
    assert(link.startsWith(`${base}/invite/`), `the invitation link is this server's /invite/<token>: ${link}`);
    await shot(admin, '01-admin-invitation-link');
    log('e-mail invitation: “no SMTP settings” (demo mode); invitation link created on the user page');

    // --- The user opens the link in another browser. ---
    const userCtx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base });
    const user = await userCtx.newPage();
    user.setDefaultTimeout(20_000);
    watch(user, problems);
    await user.goto(link);
    await heading(user, 'Your invitation');
    await checkA11y(user, 'the invitation page');
    await shot(user, '02-invitation');
    await user.getByRole('button', { name: 'Continue to my portal' }).click();
    await heading(user, 'Your sync');
    await user.waitForURL((u) => u.pathname === '/portal', { timeout: 15_000 });
    const myCard = user.locator('section.card').filter({ has: user.getByRole('heading', { level: 2, name: profile.name }) });
    await see(myCard, 'the card of the demo profile');
    await see(myCard.getByText(me.mailbox.email, { exact: true }), 'the user’s own mailbox');
    log('the user opened the link, continued, and is on “Your sync”');

    // Only their own data: one link, their mailbox; no other demo user's address or name anywhere.
    const links = (await gql(user, '{ myLinks { profileId userId recentRuns { userId } quarantine { userId } } }')).data.myLinks;
    assert(links.length === 1 && links[0].userId === me.id, `myLinks is the user's own link only: ${JSON.stringify(links)}`);
    const nav = user.getByRole('navigation', { name: 'Main' });
    const navLinks = (await nav.getByRole('link').allTextContents()).map((t) => t.trim());
    assert(JSON.stringify(navLinks) === JSON.stringify(['Your sync', 'Your account']), `the user's navigation: ${navLinks.join(', ')}`);
    for (const q of ['{ linkedUsers(profileId: "demo") { id } }', '{ syncRuns(profileId: "demo") { id } }', '{ syncQuarantine { itemId } }']) {
      const r = await gql(user, q);
      assert(r.errors?.[0]?.extensions?.code === 'FORBIDDEN' && !r.data, `${q} is FORBIDDEN for the user: ${JSON.stringify(r)}`);
    }
    const other = await gql(user, 'mutation { syncMyMailboxNow(profileId: "nope") }');
    assert(other.errors?.[0]?.extensions?.code === 'NOT_FOUND', `a profile the user is not linked to is NOT_FOUND: ${JSON.stringify(other)}`);
    await user.goto('/users');
    await user.waitForURL((u) => u.pathname === '/portal', { timeout: 15_000 });
    await heading(user, 'Your sync');
    log('only their own link (API and page); admin areas redirect to the portal; admin fields FORBIDDEN');

    // The first sync appears: In sync, with its runs.
    await until('the user’s link to be “In sync” with a run listed', async () => {
      await user.reload();
      await heading(user, 'Your sync');
      const text = (await myCard.textContent()) ?? '';
      return text.includes('In sync') && (await myCard.locator('tbody tr').count()) > 0;
    });
    const text = (await user.locator('main').textContent()) ?? '';
    for (const o of others) {
      assert(!text.includes(o.mailbox.email) && !text.includes(o.crm.name), `the portal shows nothing of ${o.crm.name}`);
    }
    const runs = (await gql(user, '{ myLinks { recentRuns { userId } } }')).data.myLinks[0].recentRuns;
    assert(runs.length > 0 && runs.every((r) => r.userId === me.id), `the runs are the user's own: ${JSON.stringify(runs)}`);
    await checkA11y(user, 'the portal');
    await shot(user, '03-portal');
    log(`“In sync” with ${runs.length} run(s) of their own; nothing of the other ${others.length} demo users on the page`);

    // Sync now; the demo profile locks every preference: shown disabled, with why.
    await myCard.getByRole('button', { name: 'Sync now' }).click();
    await see(myCard.getByText('Your sync is queued and starts in a moment.'), 'the sync-now notice');
    const locked = myCard.getByText('Locked by your administrator for this profile.');
    assert((await locked.count()) === 3, `three locked preference groups say why (${await locked.count()})`);
    assert(await myCard.getByLabel('Days back').isDisabled(), 'the locked Days back field is disabled');
    assert(await myCard.getByLabel('Leave out private items').isDisabled(), 'the locked filter is disabled');
    assert((await myCard.getByRole('button', { name: 'Save my preferences' }).count()) === 0, 'nothing to save when everything is locked');
    await shot(user, '04-portal-sync-now');
    log('Sync now queued; the locked preferences are disabled and say why');

    // The used link is refused.
    const thirdCtx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base });
    const third = await thirdCtx.newPage();
    watch(third, problems);
    await third.goto(link);
    await third.getByRole('button', { name: 'Continue to my portal' }).click();
    await see(third.getByText('The invitation could not be used'), 'the used invitation refused');
    await see(third.getByText('Ask your administrator to send you a new invitation.'), 'what to do next');
    await shot(third, '05-invitation-used');
    // The login page lists no SuperOffice sign-in: the demo's SuperOffice is on-site.
    await third.goto('/login');
    await heading(third, 'Sign in');
    assert((await third.getByRole('link', { name: /^Sign in with/ }).count()) === 0, 'no SuperOffice sign-in for an on-site SuperOffice');
    log('the used link is refused with what to do next; the login page lists no SuperOffice sign-in (on-site)');

    await thirdCtx.close();
    await userCtx.close();
    await adminCtx.close();
    assert(problems.length === 0, `no page errors or CSP violations:\n${problems.join('\n')}`);
    log('no page errors, no CSP violations');
  } catch (err) {
    console.error(`server log (last 4000 characters):\n${server.logs().slice(-4000)}`);
    throw err;
  } finally {
    clearTimeout(watchdog);
    await browser.close().catch(() => {});
    await stopServer(server.proc);
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`portal e2e: ok (${step} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s after the build; screenshots in ${shots})`);
}

main().catch((err) => {
  console.error(`portal e2e: FAIL: ${err.stack || err}`);
  process.exit(1);
});
