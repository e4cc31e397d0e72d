// End-to-end test of the profile wizard against the real binary in demo mode, in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core). Nothing is stubbed: the connection tests, the matching and the
// checks reach the SuperOffice and Microsoft 365 fakes that `serve --demo` runs on loopback inside the process.
//
// Where the fakes are: demo mode saves its ready profile "demo", whose settings (not its secrets) the API returns
// like any profile's — the base URL of the SuperOffice fake, the tenant, authority and Graph URL of the Microsoft
// 365 fake. The script reads them there (syncProfile), as an admin reads them on the profile's Edit page, so no
// demo-only field is needed. The secrets are the fakes' published demo credentials (demo.basicPass,
// demo.graphSecret), typed into the wizard like an admin would.
//
// The demo profile is deleted first: two profiles syncing the same calendars both ways would copy each other's
// copies. Its appointments stay in the fakes (deleting a profile never touches the systems).
//
// Walk: setup from the printed link → delete the demo profile (API) → /profiles/new: general → systems (each with
// "Test connection": stores the secrets, shows the live checks, green) → what to sync (templates and categories: the
// CRM's types and a mailbox's categories read live, a broken template named next to its field, the server's example,
// Meeting mapped to "CRM meeting") → users ("Match users by
// e-mail" fills the table with the 5 demo users; one is unticked) → review (both systems' checks) → "Create and
// activate" → the Users grid shows the 4 linked users and updates itself until they are "In sync" → the profile's
// Edit (after checking over the Graph fake's API that Bjørn's copies of CRM meetings carry "CRM meeting" and the
// templated subject): window changed, the unticked user ticked again, one user removed → review → "Save changes" asks to confirm
// the unlink naming the user → saved (checked over the API) → the check page: every check of both systems and of
// each user, green. axe-core (WCAG 2.1 A/AA) on every screen. Screenshots: ui/e2e/screenshots/wizard-*.png
// (the README's screenshots of the wizard come from e2e/demo-screens.mjs).
//
// Run: cd ui && node e2e/wizard.spec.mjs        (needs: go, chromium, npm ci)

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
  runSpec,
  screenshot,
  see as seeFor,
  shotsDir as shots,
  start,
  until,
  WAIT,
  watch,
} from './harness.mjs';

// The demo's five users (demo/demo.go) and its fakes' published credentials (loopback only).
const DEMO_USERS = ['Ada Lind', 'Bjørn Haug', 'Camille Roy', 'Dev Patel', 'Eva Berg'];
const DEMO_CRM_PASSWORD = 'demo-password';
const DEMO_GRAPH_SECRET = 'demo-client-secret';
const DEADLINE = 200_000;

const { log, steps } = logger('wizard');
// The wizard waits on live connection tests and checks: 20 s for what should show up.
const see = (locator, what, ms = 20_000) => seeFor(locator, what, ms);
const heading = (page, text) => headingFor(page, text, 20_000);

async function shot(page, name) {
  await screenshot(page, `wizard-${name}`);
  // docs/screenshots holds the wizard's five steps and the check page.
}

async function main() {
  const run = await start('synchronizer-wizard-e2e-', { log, label: 'wizard e2e', deadline: DEADLINE });
  const { t0, base, server, browser } = run;
  log(`demo server up on ${base} (pid ${server.proc.pid})`);
  const problems = [];
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base });
    const page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    watch(page, problems);
    const nav = page.getByRole('navigation', { name: 'Main' });

    /** api runs a GraphQL operation from the page with its session cookie and CSRF token, as the dashboard does. */
    const api = (query, variables = {}) => pageApi(page, query, variables);

    // --- Setup through the printed one-time link. ---
    await createAdmin(page, server.setupURL, 20_000);
    log('admin created through the printed setup link');

    // --- Where the fakes are: the demo profile's settings, as the API (and its Edit page) shows them. ---
    const demo = (await api('{ syncProfile(id: "demo") { crm { type settings } mailbox { type settings } } }')).syncProfile;
    assert(demo && demo.crm.type === 'superoffice' && demo.mailbox.type === 'msgraph', 'demo mode saved its profile');
    const crmSettings = JSON.stringify(JSON.parse(demo.crm.settings), null, 2);
    const mbxSettings = JSON.stringify(JSON.parse(demo.mailbox.settings), null, 2);
    assert(!/demo-password|demo-client-secret/.test(demo.crm.settings + demo.mailbox.settings), 'no secret in the returned settings');
    await api('mutation { deleteSyncProfile(id: "demo") }');
    log(`read the fakes' addresses from the demo profile (SuperOffice ${JSON.parse(demo.crm.settings).baseUrl}); deleted the demo profile`);

    // --- The wizard: general. ---
    await nav.getByRole('link', { name: 'Profiles', exact: true }).click();
    await heading(page, 'Profiles');
    await page.getByRole('link', { name: 'Create a profile' }).or(page.getByRole('link', { name: 'New profile' })).first().click();
    await heading(page, 'New sync profile');
    await page.getByLabel('Profile id').fill('wiz');
    await page.getByLabel(/^Name/).fill('Wizard team');
    await shot(page, '1-general');
    await checkA11y(page, 'wizard general');
    await page.getByRole('button', { name: 'Next: Systems' }).click();
    await see(page.getByRole('heading', { name: '2. Systems' }), 'the Systems step');

    // --- Systems: configure each, test its connection live. ---
    const crm = page.getByRole('group', { name: 'CRM' });
    const mbx = page.getByRole('group', { name: 'Mailboxes' });
    await crm.getByLabel(/^Connection name/).fill('wiz-so');
    await crm.getByLabel('Settings (JSON)').fill(crmSettings);
    await crm.getByRole('button', { name: 'Add a secret' }).click();
    await crm.getByLabel('Secret 1 name').fill('password');
    await crm.getByLabel('Secret 1 value').fill(DEMO_CRM_PASSWORD);
    await crm.getByRole('button', { name: 'Test connection' }).click();
    await see(crm.getByText(/^CRM: (All checks passed|Works, with \d+ warnings?)/), 'the CRM connection test passing', WAIT);
    await see(crm.getByRole('list', { name: 'Checks of CRM' }).getByText('credentials valid'), 'the CRM check list');
    assert((await crm.locator('.check-failed').count()) === 0, 'no CRM check failed');
    await mbx.getByLabel(/^Connection name/).fill('wiz-m365');
    await mbx.getByLabel('Settings (JSON)').fill(mbxSettings);
    await mbx.getByRole('button', { name: 'Add a secret' }).click();
    assert((await mbx.getByLabel('Secret 1 name').inputValue()) === 'client-secret', 'the mailbox secret name is offered');
    await mbx.getByLabel('Secret 1 value').fill(DEMO_GRAPH_SECRET);
    await mbx.getByRole('button', { name: 'Test connection' }).click();
    await see(mbx.getByText(/^Mailboxes: (All checks passed|Works, with \d+ warnings?)/), 'the Microsoft 365 connection test passing', WAIT);
    await see(mbx.getByText('consent granted'), 'the consent check');
    assert((await mbx.locator('.check-failed').count()) === 0, 'no mailbox check failed');
    await shot(page, '2-systems-tested');
    await checkA11y(page, 'wizard systems with test results');
    log('systems: both connection tests stored the secrets and came back green (warnings only: plain http, no public URL)');

    // --- What to sync. ---
    await page.getByRole('button', { name: 'Next: What to sync' }).click();
    await see(page.getByRole('heading', { name: '3. What to sync' }), 'the What to sync step');
    await page.getByLabel('Days back').fill('14');
    await page.getByLabel('Days ahead').fill('60');
    await page.getByLabel('Poll every (seconds)').fill('30');
    // Templates and categories: the CRM's types read live (in the settings' language), a subject template with the
    // server's example, and the CRM's "Meeting" type mapped to a new mailbox category, which the sync then puts on
    // the mailbox copies (checked in the Microsoft 365 fake below).
    await page.getByRole('button', { name: "Read the CRM's types" }).click();
    await see(page.getByRole('row', { name: /^Meeting Appointment type/ }), 'the CRM type Meeting listed as an appointment type', WAIT);
    await see(page.getByRole('row', { name: /^Follow-up Task type/ }), 'the CRM type Follow-up listed as a task type');
    await page.getByLabel('Mailbox to read the categories of').fill('ada@demo.example');
    await page.getByRole('button', { name: "Read the mailbox's categories" }).click();
    await see(page.getByText(/mailbox categories to pick from\.|The mailbox has no categories yet/), "the mailbox's categories read", WAIT);
    await page.getByLabel('Subject template').fill('{type}: {title');
    await see(page.getByText(/^settings\.titleTemplate: unclosed \{/), 'the template error named next to the field');
    await page.getByLabel('Subject template').fill('{type}: {title} — {company}');
    await see(page.getByText('Meeting: Kick-off meeting — Acme Ltd', { exact: true }), "the server's example subject");
    await page.getByLabel('Mailbox category for Meeting').pressSequentially('CRM meeting');
    await page.getByLabel('Type of items coming from the mailbox').selectOption('Meeting');
    await checkA11y(page, 'wizard what to sync with the mapping');
    log('mapping: CRM types and mailbox categories read live; template error named, example rendered by the server; Meeting → "CRM meeting"');
    await shot(page, '3-what-to-sync');
    await page.getByRole('button', { name: 'Next: Users' }).click();

    // --- Users: matched by e-mail. ---
    await see(page.getByRole('heading', { name: '4. Users' }), 'the Users step');
    await page.getByRole('button', { name: 'Match users by e-mail' }).click();
    await see(page.getByText('5 pairs found, 5 added to the table.'), 'the 5 demo users matched', WAIT);
    for (let i = 1; i <= 5; i++) await see(page.getByRole('group', { name: new RegExp(`^User ${i} \\(matched by same e-mail: `) }), `user ${i} matched by e-mail`);
    const eva = page.getByRole('group', { name: /matched by same e-mail: eva@demo\.example/ });
    await eva.getByRole('checkbox', { name: /^Link user/ }).uncheck();
    assert((await page.getByLabel('Mailbox e-mail').nth(0).inputValue()) === 'ada@demo.example', 'the mailbox address is filled in');
    await shot(page, '4-users-matched');
    await checkA11y(page, 'wizard users matched');
    log('users: "Match users by e-mail" filled the table with the 5 demo users (same e-mail); Eva unticked');

    // --- Review: both systems' checks, then create. ---
    await page.getByRole('button', { name: 'Next: Review' }).click();
    await see(page.getByRole('heading', { name: '5. Review' }), 'the Review step');
    await see(page.getByText(/^CRM: (All checks passed|Works, with)/), 'the CRM checks on review', WAIT);
    await see(page.getByText(/^Mailboxes: (All checks passed|Works, with)/), 'the mailbox checks on review', WAIT);
    await see(page.getByText('ada, bjorn, camille, dev', { exact: true }), 'the four ticked users on review');
    await shot(page, '5-review');
    await checkA11y(page, 'wizard review');

    // --- A mapping the server refuses when saving: back on step 3, the error next to the field, nothing saved. ---
    const stepLink = (name) => page.getByRole('list', { name: 'Steps' }).getByRole('button', { name: new RegExp(`^\\d ${name}$`) });
    await stepLink('What to sync').click();
    await page.getByLabel('Subject template').fill('{type}: {title');
    await stepLink('Review').click();
    await see(page.getByRole('heading', { name: '5. Review' }), 'the Review step again');
    await see(page.getByText(/^CRM: settings\.titleTemplate: .*\(go back to step 3, Templates and categories\)$/), "the CRM check naming the template and step 3", WAIT);
    await page.getByRole('button', { name: 'Create and activate' }).click();
    await see(page.getByRole('heading', { name: '3. What to sync' }), 'the refused save back on step 3 (the mapping panel), not step 2', WAIT);
    await see(page.getByText(/^settings\.titleTemplate: /), 'the save error next to the template field');
    await checkA11y(page, 'wizard what to sync with a refused save');
    await until('the template field to have the focus', () => page.getByLabel('Subject template').evaluate((el) => el === document.activeElement));
    assert((await api('{ syncProfile(id: "wiz") { id } }')).syncProfile === null, 'the refused profile was not saved');
    await page.getByLabel('Subject template').fill('{type}: {title} — {company}');
    await see(page.getByText('Meeting: Kick-off meeting — Acme Ltd', { exact: true }), 'the fixed template rendered again');
    assert((await page.getByText(/^settings\.titleTemplate: /).count()) === 0, 'the save error gone once the template is edited');
    await stepLink('Review').click();
    await see(page.getByRole('heading', { name: '5. Review' }), 'the Review step after the fix');
    await see(page.getByText(/^CRM: (All checks passed|Works, with)/), 'the CRM checks green again', WAIT);
    log('a broken template saved from Review: refused by the server, the wizard back on step 3 with the error at the focused template field, nothing saved; fixed');

    await page.getByRole('button', { name: 'Create and activate' }).click();
    await heading(page, 'Profile created');
    log('review showed both systems green; "Create and activate" stored the secrets, saved the profile and linked 4 users');

    // --- A sync runs: the users grid updates itself until the 4 users are in sync. ---
    await nav.getByRole('link', { name: 'Users', exact: true }).click();
    await heading(page, 'Users');
    await see(page.getByText('Live: this list updates as users sync.'), 'the users grid connected for live updates', WAIT);
    const LINKED = DEMO_USERS.slice(0, 4);
    const row = (name) => page.locator('tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
    const stateOf = async (name) => ((await row(name).locator('td').nth(2).textContent()) ?? '').trim();
    for (const name of LINKED) await see(row(name), `the linked user ${name} in the users grid`);
    await see(page.getByText('4 users', { exact: true }), 'the grid counting 4 users');
    await page.evaluate(() => {
      window.__e2eSameDocument = true;
    });
    // While the script only watches, every fetch of the users (query SyncProfiles) is the subscription's doing.
    let refetches = 0;
    const countRefetch = (req) => {
      if (req.url().endsWith('/graphql') && (req.postData() ?? '').includes('SyncProfiles')) refetches++;
    };
    page.on('request', countRefetch);
    const first = await Promise.all(LINKED.map(stateOf));
    if (first.every((s) => s.startsWith('In sync'))) {
      // The first runs finished before the grid opened: prove the live update on a run asked for now.
      await api('mutation { syncNow(profileId: "wiz") }');
    }
    await until('every linked user to be “In sync”, without reloading', async () => (await Promise.all(LINKED.map(stateOf))).every((s) => s.startsWith('In sync')));
    await until('the users grid to fetch the users again by itself (live update)', async () => refetches > 0);
    page.off('request', countRefetch);
    assert(await page.evaluate(() => window.__e2eSameDocument === true), 'the grid updated without a reload');
    const saved3 = JSON.parse((await api('{ syncProfile(id: "wiz") { crm { settings } } }')).syncProfile.crm.settings);
    assert(saved3.titleTemplate === '{type}: {title} — {company}' && saved3.typeCategories?.Meeting === 'CRM meeting' && saved3.defaultType === 'Meeting',
      `the mapping was saved in the CRM settings: ${JSON.stringify(saved3)}`);
    // The mailbox copies of the CRM's meetings carry the mapped category and the templated subject.
    const ms = JSON.parse(mbxSettings);
    const tok = await fetch(`${ms.authority}/${ms.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ms.clientId, client_secret: DEMO_GRAPH_SECRET, scope: `${ms.graphUrl}/.default` }),
    }).then((r) => r.json());
    assert(tok.access_token, `a token from the Microsoft 365 fake: ${JSON.stringify(tok)}`);
    const events = await until('a mailbox copy carrying the category "CRM meeting"', async () => {
      const r = await fetch(`${ms.graphUrl}/v1.0/users/bjorn@demo.example/events?$select=subject,categories&$top=200`, {
        headers: { Authorization: `Bearer ${tok.access_token}` },
      }).then((x) => x.json());
      const hit = (r.value ?? []).filter((e) => (e.categories ?? []).includes('CRM meeting'));
      return hit.length ? hit : null;
    });
    assert(events.every((e) => e.subject.startsWith('Meeting: ')), `the categorised copies have templated subjects: ${events.map((e) => e.subject).join(' | ')}`);
    log(`mapping: ${events.length} of Bjørn's mailbox copies carry "CRM meeting" with subjects like “${events[0].subject}”`);
    const runs = (await api('{ syncRuns(profileId: "wiz", first: 50) { status } }')).syncRuns;
    assert(runs.length >= 4 && runs.some((r) => r.status === 'OK'), `the profile ran (${runs.length} runs)`);
    await shot(page, '6-users-in-sync');
    log(`a sync ran: the grid showed ${first.filter((x) => !x.startsWith('In sync')).length} of 4 not yet in sync at first sight and went live to “In sync” for all 4 (${refetches} live refetches, ${runs.length} runs so far)`);

    // --- Edit: the window changes, Eva is linked, Ada is unlinked after a confirmation naming her. ---
    await nav.getByRole('link', { name: 'Profiles', exact: true }).click();
    await heading(page, 'Profiles');
    await page.getByRole('link', { name: 'Edit Wizard team' }).click();
    await heading(page, 'Edit “Wizard team”');
    assert(await page.getByLabel('Profile id').isDisabled(), 'the id of a saved profile is fixed');
    await page.getByRole('button', { name: 'Next: Systems' }).click();
    await see(crm.getByText('Set — leave empty to keep it.'), 'the stored CRM secret shown as set');
    assert((await crm.getByLabel('Secret 1 value').inputValue()) === '', 'secret values are never shown');
    await shot(page, '7-edit-systems');
    await checkA11y(page, 'wizard edit systems');
    await page.getByRole('button', { name: 'Next: What to sync' }).click();
    assert((await page.getByLabel('Days ahead').inputValue()) === '60', 'the saved window is loaded');
    await page.getByLabel('Days ahead').fill('90');
    await page.getByRole('button', { name: 'Next: Users' }).click();
    await see(page.getByRole('group', { name: 'User 4' }), 'the 4 saved users');
    await page.getByRole('button', { name: 'Match users by e-mail' }).click();
    await see(page.getByText('5 pairs found, 1 added to the table (4 were already in it).'), 'Eva added by matching again', WAIT);
    await page.getByRole('button', { name: 'Remove user 1' }).click();
    await page.getByRole('button', { name: 'Next: Review' }).click();
    await see(page.getByText(/^CRM: (All checks passed|Works, with)/), 'the CRM checks on review', WAIT);
    await see(page.getByText('bjorn, camille, dev, eva', { exact: true }), 'the users after the edit on review');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const dlg = page.getByRole('dialog');
    await see(dlg.getByRole('heading', { name: 'Unlink 1 user?' }), 'the unlink confirmation');
    await see(dlg.getByRole('listitem').filter({ hasText: /^ada$/ }), 'the confirmation naming ada');
    await shot(page, '8-edit-confirm-unlink');
    await checkA11y(page, 'wizard edit confirmation');
    await dlg.getByRole('button', { name: 'Save and unlink' }).click();
    await heading(page, 'Profile saved');
    const saved = (await api('{ syncProfile(id: "wiz") { daysBack daysAhead pollSeconds crm { instance secretFields } users { id } } }')).syncProfile;
    assert(saved.daysAhead === 90 && saved.daysBack === 14 && saved.pollSeconds === 30, `the window was saved: ${JSON.stringify(saved)}`);
    assert(saved.users.map((u) => u.id).join(',') === 'bjorn,camille,dev,eva', `users after the edit: ${saved.users.map((u) => u.id)}`);
    const still = (await api('{ systemSecretsSet(instance: "wiz-so", names: ["password"]) }')).systemSecretsSet;
    assert(still.length === 1, 'the CRM password left empty was kept');
    log('edit: window 60 → 90 days ahead, Eva linked, Ada unlinked after a confirmation naming her; the stored password kept');

    // --- The check page: every check of both systems and of each linked user, green. ---
    await page.getByRole('link', { name: 'Run the checks' }).click();
    await heading(page, 'Checks: Wizard team');
    await see(page.getByText(/^No check failed\./), 'every check passing', WAIT);
    for (const name of ['Bjørn Haug', 'Camille Roy', 'Dev Patel', 'Eva Berg']) await see(page.getByRole('heading', { level: 3, name: new RegExp(`^${name} `) }), `the checks of ${name}`);
    await see(page.getByRole('list', { name: 'Mailbox checks of eva' }).getByText('mailbox eva@demo.example'), "Eva's mailbox check");
    await see(page.getByRole('list', { name: 'CRM checks of eva' }).getByText('associate eva@demo.example'), "Eva's associate check");
    assert((await page.locator('.check-failed').count()) === 0, 'no check failed on the check page');
    await shot(page, '9-checks');
    await checkA11y(page, 'check page');
    await page.getByRole('button', { name: 'Run the checks again' }).click();
    await see(page.getByText(/^No check failed\./), 'the checks passing again', WAIT);
    log('check page: both systems and the 4 users green, with a timestamp; re-run works');

    await ctx.close();
    assert(problems.length === 0, `no page errors or CSP violations:\n${problems.join('\n')}`);
    log(`no page errors, no CSP violations; no WCAG 2.1 A/AA violations on: ${a11yChecked.join(', ')}`);
  } catch (err) {
    printServerLog(server);
    throw err;
  } finally {
    await cleanup(run);
  }
  console.log(`wizard e2e: ok (${steps()} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s after the build; screenshots in ${shots})`);
}

runSpec('wizard e2e', main);
