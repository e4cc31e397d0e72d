// End-to-end test of the profile wizard's "Sign in with SuperOffice" before the first save, and of the portal
// invitations it sends after saving, against the real binary in demo mode in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core). Nothing is stubbed: the browser really goes to the SuperOffice fake's
// OpenID Connect authorize endpoint (engine/superoffice/superofficetest, run by `serve --demo` on loopback), which
// signs the admin in at once and sends the browser back to the appliance's callback; the appliance redeems the code
// with the fake and redirects to the wizard.
//
// Walk: setup → delete the demo profile (API; its settings tell where the fakes are) → /profiles/new: general →
// systems: SuperOffice Online (login address of the fake, no client id yet, the client secret) and the demo's
// Microsoft 365 → "Sign in with SuperOffice": the profile is saved as a draft (checked over the API: no users), the
// sign-in refuses the missing client id and the wizard shows it next to the settings → client id filled in, "Sign in
// with SuperOffice" again: the browser round trip lands on /profiles/<id>/edit?signin=ok at step 2, "signed in" next
// to the CRM, everything typed before still there (the kept draft held no secret), the settings carrying the API
// address the sign-in wrote → "Test connection" green for both → users matched, two ticked "Invite" (off by default
// with application permissions) → review names them and says e-mail is not set up → "Create and activate" → the
// invitation links to copy (demo mode has no SMTP) → one link opened in another browser reaches that user's portal.
// axe-core (WCAG 2.1 A/AA) on every screen. Screenshots: ui/e2e/screenshots/wizard-signin-*.png.
//
// Run: cd ui && node e2e/wizard-signin.spec.mjs        (needs: go, chromium, npm ci)

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  a11yChecked,
  assert,
  checkA11y,
  cleanup,
  createAdmin,
  heading as headingFor,
  logger,
  pageApi,
  printServerLog,
  repo,
  runSpec,
  screenshot,
  see as seeFor,
  shotsDir as shots,
  start,
  until,
  WAIT,
  watch,
} from './harness.mjs';

const docsShots = process.env.DOCS_SCREENSHOTS ? join(repo, 'docs', 'screenshots') : '';
// The demo's five users (demo/demo.go) and its fakes' published credentials (loopback only).
const DEMO_GRAPH_SECRET = 'demo-client-secret';
const DEADLINE = 150_000;
// The SuperOffice fake's OpenID Connect client (engine/superoffice/superofficetest: its published test credential).
const SO_CLIENT_ID = 'fake-client-id';
const SO_CLIENT_SECRET = 'fake-client-secret';
const KEPT = 'synchronizer.wizard.signin';
const CRM_CONNECTION = 'demo-superoffice';

const { log, steps } = logger('wizard-signin');
// The wizard waits on live connection tests and checks: 20 s for what should show up.
const see = (locator, what, ms = 20_000) => seeFor(locator, what, ms);
const heading = (page, text) => headingFor(page, text, 20_000);

async function shot(page, name) {
  await screenshot(page, `wizard-signin-${name}`);
  if (docsShots) await page.screenshot({ path: join(docsShots, `wizard-signin-${name}.png`), fullPage: true });
}

async function main() {
  if (docsShots) mkdirSync(docsShots, { recursive: true });
  const run = await start('synchronizer-wizard-signin-e2e-', { log, label: 'wizard-signin e2e', deadline: DEADLINE });
  const { t0, base, server, browser } = run;
  log(`demo server up on ${base} (pid ${server.proc.pid})`);
  const problems = [];
  let failPage = null;
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base });
    const page = await ctx.newPage();
    failPage = page;
    page.setDefaultTimeout(20_000);
    watch(page, problems);
    const nav = page.getByRole('navigation', { name: 'Main' });

    /** api runs a GraphQL operation from the page with its session cookie and CSRF token, as the dashboard does. */
    const api = (query, variables = {}) => pageApi(page, query, variables);

    // --- Setup through the printed one-time link. ---
    await createAdmin(page, server.setupURL, 20_000);
    log('admin created through the printed setup link');

    // --- Where the fakes are: the demo profile's settings (as its Edit page shows them). ---
    const demo = (await api('{ syncProfile(id: "demo") { crm { settings } mailbox { settings } } }')).syncProfile;
    const soBase = JSON.parse(demo.crm.settings).baseUrl.replace(/\/api\/?$/, '');
    assert(/^http:\/\/127\.0\.0\.1:\d+$/.test(soBase), `the SuperOffice fake's address: ${soBase}`);
    const mbxSettings = JSON.stringify(JSON.parse(demo.mailbox.settings), null, 2);
    await api('mutation { deleteSyncProfile(id: "demo") }');
    const smtp = (await api('{ smtpSettings { host } }')).smtpSettings;
    assert(smtp === null, 'demo mode has no SMTP settings');
    log(`the SuperOffice fake is at ${soBase}; the demo profile is deleted; no SMTP settings`);

    // --- A new profile: general, then systems with SuperOffice Online (no client id yet). ---
    await nav.getByRole('link', { name: 'Profiles', exact: true }).click();
    await heading(page, 'Profiles');
    await page.getByRole('link', { name: 'Create a profile' }).or(page.getByRole('link', { name: 'New profile' })).first().click();
    await heading(page, 'New sync profile');
    await page.getByLabel('Profile id').fill('online');
    await page.getByLabel(/^Name/).fill('Online team');
    await page.getByRole('button', { name: 'Next: Systems' }).click();
    await see(page.getByRole('heading', { name: '2. Systems' }), 'the Systems step');
    const crm = page.getByRole('group', { name: 'CRM' });
    const mbx = page.getByRole('group', { name: 'Mailboxes' });
    const online = { mode: 'online', loginUrl: `${soBase}/login`, clientId: '', timeZone: 'Europe/Oslo', titleTemplate: '{title}' };
    // The demo's SuperOffice connection: demo mode stored its partner key (the fake partner application's, which signs
    // the system user's token), so after the sign-in the online system works; its password stays unused.
    await crm.getByLabel(/^Connection name/).fill(CRM_CONNECTION);
    await crm.getByLabel('Settings (JSON)').fill(JSON.stringify(online, null, 2));
    await crm.getByRole('button', { name: 'Add a secret' }).click();
    await crm.getByLabel('Secret 1 name').fill('client_secret');
    await crm.getByLabel('Secret 1 value').fill(SO_CLIENT_SECRET);
    await mbx.getByLabel(/^Connection name/).fill('online-m365');
    await mbx.getByLabel('Settings (JSON)').fill(mbxSettings);
    await mbx.getByRole('button', { name: 'Add a secret' }).click();
    await mbx.getByLabel('Secret 1 value').fill(DEMO_GRAPH_SECRET);
    await see(crm.getByText(/saves it as a draft first \(no users yet, so nothing syncs until users are linked\)/), 'the draft hint next to the sign-in button');
    await shot(page, '1-systems');
    await checkA11y(page, 'wizard systems with sign-in');

    // --- Sign in without a client id: the draft is saved, the sign-in refuses, the error is next to the settings. ---
    await crm.getByRole('button', { name: 'Sign in with SuperOffice' }).click();
    await see(crm.locator('.field-error').filter({ hasText: /required for SuperOffice sign-in/i }), 'the missing client id next to the CRM settings');
    const draft = (await api('{ syncProfile(id: "online") { id crm { instance } users { id } } }')).syncProfile;
    assert(draft && draft.crm.instance === CRM_CONNECTION && draft.users.length === 0, `the profile was saved as a draft without users: ${JSON.stringify(draft)}`);
    await see(page.getByText(/^Saved as a draft; nothing syncs until users are linked/), 'the draft notice');
    assert((await page.evaluate((k) => sessionStorage.getItem(k), KEPT)) === null, 'nothing kept when the sign-in did not start');
    await checkA11y(page, 'wizard sign-in refused');
    log('"Sign in with SuperOffice" saved the profile as a draft (no users); the missing client id is shown next to the settings');

    // --- Sign in with the client id: the browser goes to the fake and comes back to the wizard at step 2. ---
    await crm.getByLabel('Settings (JSON)').fill(JSON.stringify({ ...online, clientId: SO_CLIENT_ID }, null, 2));
    const seen = [];
    const track = (req) => {
      if (req.isNavigationRequest() && req.frame() === page.mainFrame()) seen.push(req.url());
    };
    page.on('request', track);
    await crm.getByRole('button', { name: 'Sign in with SuperOffice' }).click();
    await page.waitForURL((u) => u.pathname === '/profiles/online/edit' && u.searchParams.get('signin') === 'ok', { timeout: 30_000 });
    page.off('request', track);
    assert(seen.some((u) => u.startsWith(`${soBase}/login/common/oauth/authorize?`)), `the browser went to the fake's authorize endpoint: ${seen.join(' → ')}`);
    assert(seen.some((u) => u.startsWith(`${base}/oauth/superoffice/callback?`)), `and back to the appliance's callback: ${seen.join(' → ')}`);
    await heading(page, 'New sync profile “Online team”');
    await see(page.getByRole('heading', { name: '2. Systems' }), 'the wizard back at step 2');
    await see(crm.getByText(/^CRM: signed in\./), 'the sign-in outcome next to the CRM');
    const kept = await page.evaluate((k) => sessionStorage.getItem(k), KEPT);
    assert(kept && kept.includes('online-m365'), 'the wizard state was kept in sessionStorage');
    assert(!kept.includes(SO_CLIENT_SECRET) && !kept.includes(DEMO_GRAPH_SECRET), 'the kept state holds no secret');
    assert((await mbx.getByLabel(/^Connection name/).inputValue()) === 'online-m365', 'the mailbox connection typed before is back');
    const crmNow = JSON.parse(await crm.getByLabel('Settings (JSON)').inputValue());
    assert(crmNow.baseUrl === `${soBase}/api/` && crmNow.contextIdentifier && crmNow.clientId === SO_CLIENT_ID, `the CRM settings carry what the sign-in wrote: ${JSON.stringify(crmNow)}`);
    await see(crm.getByText('Set — leave empty to keep it.'), 'the stored secrets shown as set');
    const tok = (await api(`{ systemSecretsSet(instance: "${CRM_CONNECTION}", names: ["system_token", "client_secret"]) }`)).systemSecretsSet;
    assert(tok.includes('system_token') && tok.includes('client_secret'), `the system token is stored: ${tok}`);
    await shot(page, '2-signed-in');
    await checkA11y(page, 'wizard back from the sign-in');
    log(`the browser went to the fake and back (${seen.length} navigations); the wizard is at step 2 with “signed in”, its state restored without secrets`);

    // --- Both connections test green. ---
    await crm.getByRole('button', { name: 'Test connection' }).click();
    await see(crm.getByText(/^CRM: (All checks passed|Works, with \d+ warnings?)/), 'the CRM connection test passing after the sign-in', WAIT);
    assert((await crm.locator('.check-failed').count()) === 0, 'no CRM check failed');
    await mbx.getByRole('button', { name: 'Test connection' }).click();
    await see(mbx.getByText(/^Mailboxes: (All checks passed|Works, with \d+ warnings?)/), 'the Microsoft 365 connection test passing', WAIT);
    log('"Test connection" is green for SuperOffice Online (system token from the sign-in) and Microsoft 365');

    // --- Users: matched; "Invite" is off by default (application permissions); two are ticked. ---
    await page.getByRole('button', { name: 'Next: What to sync' }).click();
    await see(page.getByRole('heading', { name: '3. What to sync' }), 'the What to sync step');
    await page.getByRole('button', { name: 'Next: Users' }).click();
    await see(page.getByRole('heading', { name: '4. Users' }), 'the Users step');
    await page.getByRole('button', { name: 'Match users by e-mail' }).click();
    await see(page.getByText('5 pairs found, 5 added to the table.'), 'the 5 demo users matched', WAIT);
    for (let i = 1; i <= 5; i++) assert(!(await page.getByLabel(`Invite user ${i}`).isChecked()), `Invite user ${i} is off by default (application permissions)`);
    await see(page.getByText(/ticked by default when users must authorize their mailbox themselves/), 'the hint explaining the Invite default');
    for (let i = 3; i <= 5; i++) await page.getByLabel(`Link user ${i}`).uncheck();
    assert(await page.getByLabel('Invite user 3').isDisabled(), 'an unlinked user cannot be invited');
    await page.getByLabel('Invite user 1').check();
    await page.getByLabel('Invite user 2').check();
    await shot(page, '3-users-invite');
    await checkA11y(page, 'wizard users with Invite');

    // --- Review names who is invited and how; create. ---
    await page.getByRole('button', { name: 'Next: Review' }).click();
    await see(page.getByRole('heading', { name: '5. Review' }), 'the Review step');
    await see(page.getByTestId('review-invitees').filter({ hasText: /^ada, bjorn$/ }), 'the invitees on review');
    await see(page.getByText('(e-mail is not set up: you get the invitation links to copy instead)'), 'the review saying e-mail is not set up');
    await checkA11y(page, 'wizard review with invitations');
    await page.getByRole('button', { name: 'Create and activate' }).click();
    await heading(page, 'Profile created');
    await see(page.getByText(/^E-mail is not set up \(Settings\), so no invitation was mailed/), 'the SMTP notice');
    assert((await page.getByText(/^E-mail is not set up/).count()) === 1, 'the SMTP notice is said once');
    const links = page.getByTestId('wizard-invitation-link');
    await until('two invitation links', async () => (await links.count()) === 2);
    const [adaLink, bjornLink] = [(await links.nth(0).textContent()).trim(), (await links.nth(1).textContent()).trim()];
    for (const l of [adaLink, bjornLink]) assert(l.startsWith(`${base}/invite/`), `an invitation link of this server: ${l}`);
    assert(adaLink !== bjornLink, 'one link per user');
    await see(page.getByRole('button', { name: 'Copy the link for ada' }), 'the copy button of ada');
    await see(page.getByRole('button', { name: 'Copy the link for bjorn' }), 'the copy button of bjorn');
    assert((await page.evaluate((k) => sessionStorage.getItem(k), KEPT)) === null, 'the kept state is cleared when the profile is created');
    const saved = (await api('{ syncProfile(id: "online") { users { id } } }')).syncProfile;
    assert(saved.users.map((u) => u.id).join(',') === 'ada,bjorn', `linked users: ${saved.users.map((u) => u.id)}`);
    await shot(page, '4-invitation-links');
    await checkA11y(page, 'profile created with invitation links');
    log('"Create and activate" linked ada and bjorn and, without SMTP, said so once and gave their two invitation links to copy');

    // --- The user opens their link in another browser and reaches their portal. ---
    const userCtx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base });
    const user = await userCtx.newPage();
    user.setDefaultTimeout(20_000);
    watch(user, problems);
    await user.goto(bjornLink);
    await heading(user, 'Your invitation');
    await user.getByRole('button', { name: 'Continue to my portal' }).click();
    await heading(user, 'Your sync');
    await see(user.getByText('bjorn@demo.example', { exact: true }), 'bjorn’s own mailbox on the portal');
    await userCtx.close();
    log("bjorn's link opened his portal in another browser");

    await ctx.close();
    assert(problems.length === 0, `no page errors or CSP violations:\n${problems.join('\n')}`);
    log(`no page errors, no CSP violations; no WCAG 2.1 A/AA violations on: ${a11yChecked.join(', ')}`);
  } catch (err) {
    await failPage?.screenshot({ path: join(shots, 'wizard-signin-failure.png'), fullPage: true }).catch(() => {});
    const shown = await failPage?.locator('.system-test-result, .field-error, .alert').allTextContents().catch(() => []);
    if (shown?.length) console.error(`on the page:\n  ${shown.join('\n  ')}`);
    printServerLog(server);
    throw err;
  } finally {
    await cleanup(run);
  }
  console.log(`wizard-signin e2e: ok (${steps()} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s after the build; screenshots in ${shots})`);
}

runSpec('wizard-signin e2e', main);
