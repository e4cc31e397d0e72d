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

import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  a11yChecked,
  assert,
  checkA11y,
  cleanup,
  createAdmin,
  heading,
  logger,
  pageApi,
  runSpec,
  screenshot,
  see,
  start,
  until,
} from './harness.mjs';

const DEADLINE = 150_000;

const { log } = logger('ops');

async function shot(page, name) {
  await screenshot(page, `ops-${name}`);
}

async function main() {
  const run = await start('synchronizer-ops-e2e-', { log, label: 'ops e2e', deadline: DEADLINE });
  const { work, bin, base, server, browser } = run;
  log(`demo server up on ${base} (pid ${server.proc.pid})`);
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
    const api = (query, variables = {}) => pageApi(page, query, variables);

    await createAdmin(page, server.setupURL);
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
    await cleanup(run);
  }
  console.log('ops e2e: PASS');
}

runSpec('ops e2e', main);
