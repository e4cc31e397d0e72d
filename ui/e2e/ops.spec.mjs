// End-to-end test of the operations views against the real binary in demo mode, in headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core). Nothing is stubbed.
//
// It builds the binary (or uses $SYNCHRONIZER_BIN), starts `serve --demo` on a free loopback
// port, creates the admin through the printed setup link, waits for the demo's first runs, and:
//   Governor → the "Requests and throttling over time" chart counts the calls the runs made,
//   with its table alternative; Settings → TLS status (plain HTTP on loopback: nothing to do),
//   "Download a backup" twice (encrypted, then plain) through the one-time link, and the plain
//   file restores with `synchronizer restore` into an empty directory; a conflict the demo provokes
//   is resolved, and that user's page at 1280 px → the runs table does not scroll sideways with
//   every run's writes expanded.
// Every page passes axe-core's WCAG 2.1 A/AA rules. Screenshots: ui/e2e/screenshots/ops-*.png.
//
// Run: cd ui && node e2e/ops.spec.mjs        (needs: go, chromium, npm ci)

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' };
const WAIT = 60_000;
const DEADLINE = 150_000;

process.stdout.on('error', () => {});
const started = Date.now();
let step = 0;
function log(msg) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[ops ${String(++step).padStart(2, '0')} ${t}s] ${msg}`);
}
function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

function startServer(bin, port, dataDir) {
  const proc = spawn(bin, ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SYNCHRONIZER_ADMIN_EMAIL: '', SYNCHRONIZER_ADMIN_PASSWORD: '' },
  });
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
    const timer = setTimeout(() => rej(new Error(`no setup URL within 30 s.\nstdout:\n${out}\nstderr:\n${err}`)), 30_000);
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

const a11yChecked = [];
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
  a11yChecked.push(label);
}

async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, `ops-${name}.png`), fullPage: true });
}

async function heading(page, text) {
  await see(page.getByRole('heading', { level: 1, name: text, exact: true }), `the page heading “${text}”`);
}

async function main() {
  mkdirSync(shots, { recursive: true });
  let bin = process.env.SYNCHRONIZER_BIN;
  const work = mkdtempSync(join(tmpdir(), 'synchronizer-ops-e2e-'));
  if (!bin) {
    bin = join(work, 'synchronizer');
    log('building the binary');
    const b = spawnSync('go', ['build', '-o', bin, '.'], { cwd: repo, stdio: 'inherit' });
    assert(b.status === 0, 'go build succeeded');
  }
  const watchdog = setTimeout(() => {
    console.error(`ops e2e: FAIL: the run took longer than ${DEADLINE / 1000} s (after the build)`);
    process.exit(1);
  }, DEADLINE);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(bin, port, join(work, 'data'));
  log(`demo server up on ${base} (pid ${server.proc.pid})`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  const problems = [];
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base, acceptDownloads: true });
    const page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to (apply|execute|load|connect)/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
    });
    const nav = page.getByRole('navigation', { name: 'Main' });
    const goNav = async (label) => {
      await nav.getByRole('link', { name: label, exact: true }).click();
      await heading(page, label);
    };
    const api = async (query, variables = {}) => {
      const body = await page.evaluate(
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
      if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
      return body.data;
    };

    await page.goto(server.setupURL);
    await heading(page, 'Set up Synchronizer');
    await page.getByLabel(/^Your name/).fill(ADMIN.name);
    await page.getByLabel(/^E-mail address/).fill(ADMIN.email);
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByLabel(/^Repeat the password/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await heading(page, 'Overview');
    log('admin created through the printed setup link');

    // The demo's first runs call both fakes through the governor.
    const calls = await until('the governor to count the first runs’ calls', async () => {
      const h = (await api('{ governorHistory(minutes: 15) { samples { admitted } } }')).governorHistory;
      const n = h.samples.reduce((a, s) => a + s.admitted, 0);
      return n > 0 ? n : 0;
    });
    await until('every demo user to have synced once', async () => {
      const st = (await api('{ schedulerStatus { users { lastOk } } }')).schedulerStatus;
      return st.users.length === 5 && st.users.every((u) => u.lastOk);
    });
    log(`the governor counted ${calls}+ calls of the first runs`);

    // --- Users: the grid with its summary columns (Last sync, Items) passes axe. ---
    await goNav('Users');
    await see(page.locator('td.items').filter({ hasText: /\d+ appts?/ }).first(), 'the Items column counting appointments');
    await checkA11y(page, 'Users grid with items');

    // --- Governor: the chart and its table. ---
    await goNav('Governor');
    await see(page.getByRole('heading', { level: 2, name: 'Requests and throttling over time' }), 'the chart card');
    const chart = page.getByRole('img', { name: /Calls admitted per minute/ });
    await see(chart, 'the chart as an image with a name');
    const summaryText = await page.locator('.chart-summary').textContent();
    const m = /Last 60 minutes: ([\d,]+) calls?/.exec(summaryText ?? '');
    assert(m && Number(m[1].replace(/,/g, '')) >= calls, `the chart's summary counts the calls: ${summaryText}`);
    assert((await page.locator('svg.chart rect.chart-bar').count()) === 60, 'one bar a minute for the hour');
    await page.getByText('Show the numbers as a table').click();
    const rows = page.getByRole('region', { name: 'Governor history per minute' }).locator('tbody tr');
    assert((await rows.count()) === 60, 'the table has the same 60 minutes');
    await page.getByLabel('Period').selectOption('15');
    await until('the chart to show 15 minutes', async () => (await page.locator('svg.chart rect.chart-bar').count()) === 15, 10_000);
    await checkA11y(page, 'Governor with the chart');
    await shot(page, '01-governor-chart');
    log(`governor chart: ${summaryText}`);

    // --- Settings: TLS status and backup download. ---
    await page.goto('/settings');
    await heading(page, 'Settings');
    const tls = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'TLS and domain' }) });
    await see(tls.getByText('Plain HTTP, no TLS'), 'the TLS mode');
    await see(tls.getByText('Nothing needs attention.'), 'no TLS problem on loopback');
    const backup = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'Backup' }) });
    let [download] = await Promise.all([page.waitForEvent('download'), backup.getByRole('button', { name: 'Download a backup' }).click()]);
    assert(/^synchronizer-\d{4}-\d\d-\d\dT\d{6}Z\.encrypted\.bak$/.test(download.suggestedFilename()), `encrypted file name: ${download.suggestedFilename()}`);
    const encFile = join(work, 'encrypted.bak');
    await download.saveAs(encFile);
    assert(statSync(encFile).size > 1000, 'the encrypted backup has content');
    await see(backup.getByText('The download has started.'), 'the download notice');
    await backup.getByLabel(/^Encrypt the backup/).uncheck();
    [download] = await Promise.all([page.waitForEvent('download'), backup.getByRole('button', { name: 'Download a backup' }).click()]);
    assert(/^synchronizer-\d{4}-\d\d-\d\dT\d{6}Z\.bak$/.test(download.suggestedFilename()), `plain file name: ${download.suggestedFilename()}`);
    const plainFile = join(work, 'plain.bak');
    await download.saveAs(plainFile);
    const restored = join(work, 'restored');
    const r = spawnSync(bin, ['restore', plainFile, '--data', restored], { encoding: 'utf8' });
    assert(r.status === 0, `the downloaded backup restores: ${r.stderr}`);
    await checkA11y(page, 'Settings with TLS and backup');
    await shot(page, '02-settings');
    log(`backup downloaded twice from Settings (${statSync(encFile).size} B encrypted, ${statSync(plainFile).size} B plain); the plain one restored into an empty directory`);

    // --- A user's page at 1280 px: the runs table does not scroll sideways. The demo provokes a conflict;
    // resolving it makes a run whose trigger (resolve:<conflict id>) is one long word, next to the item ids of
    // its writes: the content that used to widen the table.
    const conflict = await until('a conflict provoked by the demo', async () => {
      const open = (await api('{ syncConflicts(profileId: "demo", openOnly: true) { id userId } }')).syncConflicts;
      return open[0];
    });
    await api('mutation($id: ID!) { resolveSyncConflict(id: $id, choice: MAILBOX) { id } }', { id: conflict.id });
    await page.goto(`/users/demo/${conflict.userId}`);
    const region = page.getByRole('region', { name: 'Runs of this user' });
    await see(region.getByText(`resolve:${conflict.id}`), 'the resolution run in the runs table');
    for (const s of await region.locator('summary').all()) await s.click();
    const fits = await region.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    assert(fits.scroll <= fits.client + 1, `the runs table fits at 1280 px (scrollWidth ${fits.scroll} > clientWidth ${fits.client})`);
    await checkA11y(page, 'a user page');
    await shot(page, '03-user-runs-1280');
    log(`user page at 1280 px: the runs table is ${fits.client} px wide and does not scroll sideways`);

    assert(problems.length === 0, `no page errors or CSP violations:\n  ${problems.join('\n  ')}`);
    log(`no WCAG 2.1 A/AA violations (axe-core) on: ${a11yChecked.join(', ')}`);
  } finally {
    clearTimeout(watchdog);
    await browser.close();
    await stopServer(server.proc);
    rmSync(work, { recursive: true, force: true });
  }
  console.log('ops e2e: PASS');
}

main().catch((err) => {
  console.error(`ops e2e: FAIL: ${err.stack || err}`);
  process.exit(1);
});
