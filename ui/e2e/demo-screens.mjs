// demo-screens.mjs takes the README's screenshots from the real binary in demo mode: it builds the binary (or uses
// $SYNCHRONIZER_BIN), starts `serve --demo` on a free loopback port with a fresh data dir and a bootstrap admin,
// signs in with headless Chromium (Debian's /usr/bin/chromium via playwright-core), waits until the demo's first
// runs and conflicts are there, walks every main screen as an admin (overview, users going live, a user's page,
// conflicts, approvals, governor with its chart, profiles, the profile wizard's steps with the preview, the check
// page, settings with TLS and backup) and, through an invitation link, as a portal user, and writes
// docs/screenshots/*.png (1280×800, the visible part of the window, reduced to 256 colours when `pngquant` is
// installed). Nothing here is stubbed: the pages show what the engine did with the SuperOffice and
// Microsoft 365 fakes.
//
// Every page is also checked for sideways scrolling at 1280 px (the walk fails if a page scrolls sideways).
//
// Run: cd ui && node e2e/demo-screens.mjs
// Review mode: SHOTS_DIR=/tmp/walk SHOTS_REVIEW=1 node e2e/demo-screens.mjs — writes full-page shots at 1280×800
// and 1920×1080 plus the narrow menu (390×844) into SHOTS_DIR instead, for looking at every screen.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ADMIN, binary, freePort, killOnExit, launch, pageGql, repo, until, workDir } from './harness.mjs';

const out = process.env.SHOTS_DIR ? resolve(process.env.SHOTS_DIR) : join(repo, 'docs', 'screenshots');
const review = process.env.SHOTS_REVIEW === '1';
const hasPngquant = spawnSync('pngquant', ['--version'], { stdio: 'ignore' }).status === 0;

const port = await freePort();
const work = workDir('syn-demo-shots-');
const bin = binary(work);
// The demo with a bootstrap admin (no setup link to follow): ready once /readyz answers.
const proc = spawn(bin, ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data', join(work, 'data'), '--log-level', 'warn'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, SYNCHRONIZER_ADMIN_EMAIL: ADMIN.email, SYNCHRONIZER_ADMIN_PASSWORD: ADMIN.password },
});
const base = `http://127.0.0.1:${port}`;
const stop = () => { if (proc.exitCode === null) proc.kill('SIGTERM'); };
killOnExit(proc, { signal: 'SIGTERM', handleSignals: false });
process.once('exit', () => rmSync(work, { recursive: true, force: true }));

/** waitFor polls fn until it returns a truthy value, for up to 90 s. */
const waitFor = (what, fn, ms = 90_000) => until(what, fn, ms);

const sideways = [];

/** settle waits for the page's requests and a moment for the last render. */
async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForTimeout(400);
}

/** scrollTo puts an element near the top of the window, below the sticky top bar. */
async function scrollTo(page, locator) {
  await locator.first().evaluate((el) => {
    el.scrollIntoView({ block: 'start' });
    window.scrollBy(0, -80);
  });
  await page.waitForTimeout(200);
}

/** shot records one screen: the README's 1280×800 image, or in review mode full pages at two sizes. */
async function shot(page, name) {
  const width = page.viewportSize().width;
  if (width >= 1280) {
    // The page itself, and each table's scrolling region, must fit the window.
    const wide = await page.evaluate(() => [document.documentElement, ...document.querySelectorAll('.table-wrap')]
      .map((el) => ({ what: el === document.documentElement ? 'the page' : `table “${el.getAttribute('aria-label') ?? ''}”`, by: el.scrollWidth - el.clientWidth }))
      .filter((x) => x.by > 1));
    for (const w of wide) sideways.push(`${name}: ${w.what} scrolls sideways by ${w.by}px at ${width}px`);
  }
  if (review) {
    const file = join(out, `${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    if (width === 1280) {
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(out, `${name}-1920.png`), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    console.log(`wrote ${name}`);
    return;
  }
  const file = join(out, `${name}.png`);
  await page.screenshot({ path: file });
  if (hasPngquant) spawnSync('pngquant', ['--force', '--skip-if-larger', '--strip', '--output', file, '256', file]);
  console.log(`wrote docs/screenshots/${name}.png (${Math.round(statSync(file).size / 1024)} KB)`);
}

await waitFor('the server', async () => (await fetch(`${base}/readyz`)).ok);
mkdirSync(out, { recursive: true });
const browser = await launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto('/login');
  await page.getByLabel(/^E-mail address/).fill(ADMIN.email);
  await page.getByLabel(/^Password/).fill(ADMIN.password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  // The API answers what the pages show; wait on it rather than on page details.
  const gql = async (query, variables = {}) => (await pageGql(page, query, variables)).data;
  await waitFor('five completed runs', async () => (await gql('{ syncRuns(profileId: "demo") { status } }')).syncRuns.filter((r) => r.status === 'OK').length >= 5);
  await waitFor('a conflict', async () => (await gql('{ syncConflicts(profileId: "demo") { id } }')).syncConflicts.length > 0);

  const visit = async (name, path) => {
    await page.goto(path);
    await settle(page);
    await shot(page, name);
  };
  await visit('overview', '/');
  await page.goto('/users');
  await page.getByText('Live', { exact: false }).first().waitFor().catch(() => {});
  await settle(page);
  await shot(page, 'users');
  const users = await gql('{ linkedUsers(profileId: "demo") { id } }');
  await visit('user', `/users/demo/${encodeURIComponent(users.linkedUsers[0].id)}`);
  await visit('conflicts', '/conflicts');
  await visit('approvals', '/approvals');
  await page.goto('/governor');
  await page.locator('svg.chart').first().waitFor().catch(() => {});
  await settle(page);
  await shot(page, 'governor');
  await visit('profiles', '/profiles');

  // The profile wizard, on the demo profile (its saved settings reach the fakes).
  await page.goto('/profiles/demo/edit');
  await settle(page);
  await shot(page, 'wizard-1-general');
  await page.getByRole('button', { name: 'Next: Systems' }).click();
  await settle(page);
  for (const side of ['CRM', 'Mailboxes']) {
    const group = page.getByRole('group', { name: side, exact: true });
    await group.getByRole('button', { name: 'Test connection' }).click();
    await group.getByRole('list', { name: `Checks of ${side}` }).waitFor({ timeout: 60_000 });
  }
  await settle(page);
  await scrollTo(page, page.getByRole('group', { name: 'CRM', exact: true }).getByRole('button', { name: 'Test connection' }));
  await shot(page, 'wizard-2-systems-tested');
  await page.getByRole('button', { name: 'Next: What to sync' }).click();
  await settle(page);
  await shot(page, 'wizard-3-what-to-sync');
  const preview = page.getByRole('button', { name: 'Preview', exact: true }).first();
  await preview.click();
  await page.getByRole('heading', { name: 'Preview', exact: true }).or(page.getByRole('heading', { name: /^Preview of/ })).first().waitFor({ timeout: 60_000 }).catch(() => {});
  await settle(page);
  await scrollTo(page, page.getByRole('heading', { name: 'Preview the first sync' }));
  await shot(page, 'wizard-3-preview');
  await page.getByRole('button', { name: 'Next: Users' }).click();
  await settle(page);
  await page.getByRole('button', { name: 'Match users by e-mail' }).click();
  await page.getByRole('group', { name: /matched by/ }).first().waitFor({ timeout: 60_000 }).catch(() => {});
  await settle(page);
  await shot(page, 'wizard-4-users');
  await page.getByRole('button', { name: 'Next: Review' }).click();
  await page.getByText(/checks? (passed|failed)|All checks/i).first().waitFor({ timeout: 60_000 }).catch(() => {});
  await settle(page);
  await shot(page, 'wizard-5-review');
  await page.goto('/checks');
  await page.getByRole('button', { name: 'Run the checks again' }).waitFor({ timeout: 60_000 }).catch(() => {});
  await settle(page);
  await shot(page, 'checks');
  await visit('settings', '/settings');
  if (review) {
    await visit('audit', '/audit');
    await visit('admins', '/admins');
    await visit('account', '/account');
    await visit('new-profile', '/profiles/new');
    await visit('not-found', '/nowhere');
    // The narrow menu.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/users');
    await settle(page);
    await shot(page, 'narrow-users');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.waitForTimeout(300);
    await shot(page, 'narrow-menu');
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  // The portal: an invitation link opened in a second browser signs that user in.
  const inv = await gql('mutation($p: ID!, $u: ID!) { createPortalInvitation(profileId: $p, userId: $u) { link } }', { p: 'demo', u: users.linkedUsers[1].id });
  const userCtx = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: base });
  const user = await userCtx.newPage();
  user.setDefaultTimeout(30_000);
  await user.goto(inv.createPortalInvitation.link);
  await settle(user);
  if (review) await shot(user, 'portal-invitation');
  await user.getByRole('button', { name: 'Continue to my portal' }).click();
  await user.waitForURL((u) => u.pathname === '/portal');
  await settle(user);
  await shot(user, 'portal');
  if (review) await visit2(user, 'portal-account', '/account');
  await userCtx.close();
} finally {
  await browser.close();
  stop();
}
if (sideways.length) {
  console.error(sideways.join('\n'));
  process.exit(1);
}

async function visit2(p, name, path) {
  await p.goto(path);
  await settle(p);
  await shot(p, name);
}
