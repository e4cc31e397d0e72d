// End-to-end test of the dashboard against the real binary in demo mode, in headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core). Nothing is stubbed:
// the pages show what the engine does with the SuperOffice and Microsoft 365 fakes that
// `serve --demo` runs on loopback inside the appliance's process.
//
// It builds the binary (or uses $SYNCHRONIZER_BIN), starts `serve --demo` on a free
// loopback port with a fresh data dir, reads the one-time setup URL from its output,
// and walks as an admin would:
//   setup through the printed link → Users: the 5 demo users, updating live (websocket
//   subscription, no reload) until every one is "In sync" → Conflicts: the conflict the
//   demo provokes by editing an appointment on both sides appears and is resolved by
//   choosing the side the policy did not keep → that user's page: the resolution run's
//   writes are shown and undone (confirm dialog), the undo run is listed → mass-change
//   guard: the profile's delete limit is lowered over the API (saveSyncProfile, the rest
//   of the profile as read), three of one user's appointments are deleted in the
//   SuperOffice fake over its REST API, "Sync now" on the user's page, the held run is
//   approved in Approvals and the approved run applies the deletes → the profile wizard
//   (/profiles/new): each step refuses to go on and names the problem next to the field → the portal invitation
//   link the server printed at start opens the first demo user's portal in a second browser.
// Every wait is bounded and says what it waited for. Screenshots: ui/e2e/screenshots/demo-*.png.
//
// Run: cd ui && node e2e/demo.spec.mjs        (needs: go, chromium, npm ci)

import { join } from 'node:path';
import {
  ADMIN,
  assert,
  cleanup,
  heading,
  logger,
  pageApi,
  printServerLog,
  runSpec,
  screenshot,
  see,
  shotsDir as shots,
  sleep,
  start,
  until,
  WAIT,
  watch,
} from './harness.mjs';

// The demo's five users (demo/demo.go) and the on-site password of its SuperOffice fake: a published demo
// credential of a fake that listens on loopback only (demo.basicPass).
const DEMO_USERS = ['Ada Lind', 'Bjørn Haug', 'Camille Roy', 'Dev Patel', 'Eva Berg'];
const DEMO_CRM_PASSWORD = 'demo-password';
// Appointments every demo user has in the CRM, single (not recurring) and inside the profile's window; the guard
// step deletes these three of one user.
const TO_DELETE = ['Customer visit: Nordlys AS', 'Call with Vestby Bygg', 'Quarterly forecast'];
// Waits on the demo's own pace (first runs, the conflict) are bounded by WAIT; the whole run by DEADLINE.
const DEADLINE = 170_000;

const { log, steps } = logger('demo');

async function shot(page, name) {
  await screenshot(page, `demo-${name}`);
}

async function main() {
  const run = await start('synchronizer-demo-e2e-', { log, label: 'demo e2e', deadline: DEADLINE });
  const { t0, base, server, browser } = run;
  log(`demo server up on ${base} (pid ${server.proc.pid}); setup URL printed`);
  assert(server.setupURL.startsWith(`${base}/setup?token=`), `setup URL is this server's: ${server.setupURL}`);
  const problems = [];
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base });
    const page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    watch(page, problems);
    const nav = page.getByRole('navigation', { name: 'Main' });
    const goNav = async (label) => {
      await nav.getByRole('link', { name: label, exact: true }).click();
      await heading(page, label);
    };

    /** api runs a GraphQL operation from the page, with its session cookie and CSRF token, as the dashboard does. */
    const api = (query, variables = {}) => pageApi(page, query, variables);

    // --- Setup through the printed one-time link. ---
    await page.goto(server.setupURL);
    await heading(page, 'Set up Synchronizer');
    await see(page.getByText('The one-time setup token from your setup link has been filled in.'), 'the setup token taken from the link');
    await page.getByLabel(/^Your name/).fill(ADMIN.name);
    await page.getByLabel(/^E-mail address/).fill(ADMIN.email);
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByLabel(/^Repeat the password/).fill(ADMIN.password);
    await shot(page, '01-setup');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await heading(page, 'Overview');
    await see(page.getByText(ADMIN.email), 'the signed-in admin on the overview');
    log('setup through the printed link: admin created, overview shown');

    // --- Users: the five demo users, live until every one is in sync. ---
    await goNav('Users');
    await see(page.getByText('Live: this list updates as users sync.'), 'the users grid connected for live updates', WAIT);
    const row = (name) => page.locator('tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
    const stateOf = async (name) => ((await row(name).locator('td').nth(2).textContent()) ?? '').trim();
    for (const name of DEMO_USERS) await see(row(name), `the demo user ${name} in the users grid`);
    await see(page.getByText('5 users', { exact: true }), 'the grid counting 5 users');
    // A marker on the window: a reload or a new document would drop it. While the script only watches, every
    // fetch of the users (query SyncProfiles) is the subscription's doing.
    await page.evaluate(() => {
      window.__e2eSameDocument = true;
    });
    let refetches = 0;
    const countRefetch = (req) => {
      if (req.url().endsWith('/graphql') && (req.postData() ?? '').includes('SyncProfiles')) refetches++;
    };
    page.on('request', countRefetch);
    const first = await Promise.all(DEMO_USERS.map(stateOf));
    await shot(page, '02-users-first-sight');
    const inSync = (s) => s.startsWith('In sync');
    const waitingAtFirst = first.filter((s) => !inSync(s)).length;
    log(`users grid shows the 5 demo users; at first sight: ${first.map((s, i) => `${DEMO_USERS[i].split(' ')[0]}: ${s.split('as of')[0].trim()}`).join(', ')}`);
    if (waitingAtFirst === 0) {
      // Every first run finished before the grid opened (a very fast machine): prove liveness on the next event
      // instead: each user polls every 30 s, and each run makes the grid fetch the users again.
      await until('the users grid to fetch the users again by itself (live update)', async () => refetches > 0);
    }
    await until(
      'every demo user to be “In sync” in the grid, without reloading',
      async () => (await Promise.all(DEMO_USERS.map(stateOf))).every(inSync),
    );
    page.off('request', countRefetch);
    assert(await page.evaluate(() => window.__e2eSameDocument === true), 'the grid updated without a reload');
    assert(refetches > 0, 'the grid fetched the users again on the subscription’s events');
    // The Items column counts each user's items in sync once their first sync ended (the summary refreshes per
    // user when a run ends), and the grid fits 1280 px without scrolling sideways.
    const itemsOf = async (name) => ((await row(name).locator('td').nth(4).textContent()) ?? '').trim();
    await until('the Items column to show counts for every demo user', async () =>
      (await Promise.all(DEMO_USERS.map(itemsOf))).every((s) => /^[1-9][\d,]* (appts?|tasks?|contacts?|groups?)\b/.test(s)));
    const usersRegion = page.getByRole('region', { name: /^Users of / }).first();
    const gridFits = await usersRegion.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    assert(gridFits.scroll <= gridFits.client + 1, `the users grid fits at 1280 px (scrollWidth ${gridFits.scroll} > clientWidth ${gridFits.client})`);
    log(`users grid Items: ${(await Promise.all(DEMO_USERS.map(itemsOf))).join(' | ')}; ${gridFits.client} px wide, no sideways scroll`);
    // When a run of a user ends, the grid refreshes that user's summary alone (query UserSummary).
    let summaryFetches = 0;
    const countSummary = (req) => {
      if (req.url().endsWith('/graphql') && (req.postData() ?? '').includes('UserSummary(')) summaryFetches++;
    };
    page.on('request', countSummary);
    await row(DEMO_USERS[2]).getByRole('button', { name: `Sync now for ${DEMO_USERS[2]}` }).click();
    await until(`the grid to refresh ${DEMO_USERS[2]}'s summary when the run ends`, async () => summaryFetches > 0);
    page.off('request', countSummary);
    log(`Sync now for ${DEMO_USERS[2]}: the grid refreshed that user's summary alone when the run ended`);
    await shot(page, '03-users-in-sync');
    log(`users grid updated live (same document, no reload): ${waitingAtFirst} of 5 were not yet in sync at first sight, now all 5 are “In sync” after ${refetches} live refetches`);

    // --- Conflicts: the demo's conflict appears; resolve it by choosing the other side. ---
    await goNav('Conflicts');
    const cards = page.locator('section.card').filter({ has: page.getByRole('button', { name: "Keep the CRM's values" }) });
    await until('a conflict in the Conflicts inbox (the demo edits an appointment on both sides after its first sync)', async () => {
      if ((await cards.count()) > 0) return true;
      const refresh = page.getByRole('button', { name: 'Refresh', exact: true });
      if (await refresh.isEnabled()) await refresh.click();
      await sleep(1500);
      return (await cards.count()) > 0;
    });
    const card = cards.first();
    await see(card.getByRole('columnheader', { name: 'At the last sync' }), 'the conflict side by side');
    const conflictId = ((await card.getByRole('region').first().getAttribute('aria-label')) ?? '').replace('Values of the conflict ', '');
    // The heading names the user (their CRM name) and links to their page, whose path ends in the user id.
    const conflictUser = decodeURIComponent(((await card.getByRole('heading', { level: 2 }).getByRole('link').getAttribute('href')) ?? '').split('/').pop() ?? '');
    const kept = ((await card.locator('dt:text-is("Policy kept") + dd').textContent()) ?? '').trim();
    assert(conflictId && conflictUser.startsWith('user-'), `conflict card names its id and user (${conflictId}, ${conflictUser})`);
    // Choose the side the policy did not keep, so the resolution really writes.
    const choice = kept.startsWith('the CRM') ? { button: "Keep the mailbox's values", side: "mailbox's" } : { button: "Keep the CRM's values", side: "CRM's" };
    await shot(page, '04-conflict');
    await card.getByRole('button', { name: choice.button }).click();
    const dlg = page.getByRole('dialog');
    await see(dlg, 'the resolve confirmation dialog');
    await dlg.getByRole('button', { name: 'Resolve conflict' }).click();
    await see(page.getByText(`Conflict resolved: both copies now have the ${choice.side} values of`), 'the conflict resolved notice');
    await until('the resolved conflict to leave the open list', async () => (await page.locator(`[aria-label="Values of the conflict ${conflictId}"]`).count()) === 0, 15_000);
    const open = await api('{ syncConflicts(profileId: "demo", openOnly: true) { id } }');
    assert(!open.syncConflicts.some((c) => c.id === conflictId), `conflict ${conflictId} is no longer open`);
    await shot(page, '05-conflict-resolved');
    log(`conflict ${conflictId} of ${conflictUser} appeared (policy kept ${kept.split(' (')[0]}) and was resolved by keeping the ${choice.side} values`);

    // --- The user's page: the resolution run's writes, undone. ---
    const profile0 = (await api('{ syncProfile(id: "demo") { users { id crm { name } } } }')).syncProfile;
    const nameOf = (id) => profile0.users.find((u) => u.id === id)?.crm.name ?? id;
    await goNav('Users');
    await page.getByRole('link', { name: nameOf(conflictUser), exact: true }).click();
    await page.waitForURL((u) => u.pathname === `/users/demo/${conflictUser}`, { timeout: 15_000 });
    await heading(page, nameOf(conflictUser));
    const resolveRow = page.locator('tbody tr').filter({ hasText: `resolve:${conflictId}` });
    await see(resolveRow, `the run of the resolution (trigger resolve:${conflictId}) on the user's page`);
    await resolveRow.locator('summary').click();
    await see(resolveRow.locator('ol.ops li'), 'the writes of the resolution run');
    const writes = await resolveRow.locator('ol.ops li').allTextContents();
    assert(writes.every((w) => /^update in the (CRM|mailbox)/.test(w.trim())), `the resolution run updated items: ${writes.join(' | ')}`);
    await shot(page, '06-user-run-writes');
    await resolveRow.getByRole('button', { name: /^Undo the run started/ }).click();
    await see(dlg.getByText('Undo this run?'), 'the undo confirmation dialog');
    await shot(page, '07-undo-confirm');
    await dlg.getByRole('button', { name: 'Undo run' }).click();
    await see(page.getByText(/^Undone( in part)?:/), 'the undo notice');
    const undoRow = page.locator('tbody tr').filter({ hasText: 'an undo' });
    await see(undoRow, 'the undo run in the runs list');
    await see(page.locator('tbody tr').filter({ hasText: `resolve:${conflictId}` }).getByText('undone'), 'the resolution run marked undone');
    const undoTrigger = ((await undoRow.first().locator('td').nth(2).textContent()) ?? '').trim();
    assert(undoTrigger.startsWith('undo:'), `the undo run says which run it undid (${undoTrigger})`);
    await shot(page, '08-undone');
    log(`${nameOf(conflictUser)}'s page: the resolution run's ${writes.length} writes shown and undone; the undo run (${undoTrigger}) is listed first`);

    // --- The user's page: a dry-run preview of the next sync, through the real connectors, writing nothing. ---
    const runsBefore = (await api(`{ syncRuns(profileId: "demo", userId: "${conflictUser}", first: 50) { id } }`)).syncRuns.length;
    await page.getByRole('button', { name: 'Preview next sync' }).click();
    const previewCard = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Preview', exact: true }) });
    await see(previewCard.getByText(/^The next sync would /), 'the preview headline', 60_000);
    await see(previewCard.getByRole('region', { name: 'Preview counts per kind' }), 'the preview counts per kind');
    assert((await previewCard.locator('.alert-error').count()) === 0, 'the preview did not fail');
    const headlineText = ((await previewCard.getByText(/^The next sync would /).textContent()) ?? '').trim();
    const runsAfter = (await api(`{ syncRuns(profileId: "demo", userId: "${conflictUser}", first: 50) { id } }`)).syncRuns.length;
    assert(runsAfter >= runsBefore, 'the runs list is intact');
    await shot(page, '08b-user-preview');
    log(`${nameOf(conflictUser)}'s page: Preview next sync answered “${headlineText}” through the SuperOffice and Microsoft 365 fakes`);

    // --- Mass-change guard: lower the delete limit, delete three appointments in the CRM, approve the held run. ---
    const guardUser = profile0.users.find((u) => u.id !== conflictUser);
    const prof = (
      await api(`{ syncProfile(id: "demo") {
        id name crm { type instance settings } mailbox { type instance settings }
        directions { kind direction } daysBack daysAhead
        filters { skipPrivate skipAllDay skipFree skipRecurring } policy onDelete
        guard { deletes { count percent } creates { count percent } profileDeletes profileCreates profileWindowSeconds guardFirstSync }
        pollSeconds userMay { directions filters window } users { id crm { id } } } }`)
    ).syncProfile;
    const input = {
      id: prof.id,
      name: prof.name,
      crm: { type: prof.crm.type, instance: prof.crm.instance, settings: prof.crm.settings },
      mailbox: { type: prof.mailbox.type, instance: prof.mailbox.instance, settings: prof.mailbox.settings },
      directions: prof.directions,
      daysBack: prof.daysBack,
      daysAhead: prof.daysAhead,
      filters: prof.filters,
      policy: prof.policy,
      onDelete: prof.onDelete,
      guard: { ...prof.guard, deletes: { count: 2, percent: 10 } },
      pollSeconds: prof.pollSeconds,
      userMay: prof.userMay,
    };
    const saved = (await api('mutation ($input: ProfileInput!) { saveSyncProfile(input: $input) { guard { deletes { count percent } creates { count percent } } daysBack policy users { id } } }', { input })).saveSyncProfile;
    assert(saved.guard.deletes.count === 2 && saved.guard.creates.count === prof.guard.creates.count && saved.users.length === 5, `the profile keeps all but the lowered delete limit: ${JSON.stringify(saved)}`);

    const crm = JSON.parse(prof.crm.settings);
    assert(/^http:\/\/127\.0\.0\.1:\d+\//.test(crm.baseUrl), `the demo CRM is the loopback fake: ${crm.baseUrl}`);
    const crmAuth = { Authorization: `Basic ${Buffer.from(`${crm.user}:${DEMO_CRM_PASSWORD}`).toString('base64')}`, Accept: 'application/json' };
    const assoc = prof.users.find((u) => u.id === guardUser.id).crm.id;
    const listURL = new URL('v1/Appointment', crm.baseUrl);
    listURL.searchParams.set('$filter', `associateId eq ${assoc} and recurrenceRuleId eq 0`);
    listURL.searchParams.set('$select', 'appointmentId,title');
    const listed = await fetch(listURL, { headers: crmAuth });
    assert(listed.ok, `the SuperOffice fake lists ${guardUser.crm.name}'s appointments: ${listed.status} ${await listed.clone().text()}`);
    const appts = (await listed.json()).value.filter((a) => TO_DELETE.includes(a.title));
    assert(appts.length === TO_DELETE.length, `found ${TO_DELETE.join(', ')} in the CRM: ${JSON.stringify(appts)}`);

    // Delete right before "Sync now", so the user's next run is the one that meets the new limit.
    await goNav('Users');
    await page.getByRole('link', { name: guardUser.crm.name, exact: true }).click();
    await heading(page, guardUser.crm.name);
    for (const a of appts) {
      const del = await fetch(new URL(`v1/Appointment/${a.appointmentId}`, crm.baseUrl), { method: 'DELETE', headers: crmAuth });
      assert(del.status === 204, `DELETE appointment ${a.appointmentId} (${a.title}) in the CRM: ${del.status}`);
    }
    // The dry-run preview foresees the deletes and the guard that will hold them, and writes nothing.
    const pv = (
      await api(`mutation { previewUserSync(profileId: "demo", userId: "${guardUser.id}") {
        saved kinds { kind mailbox { deletes } guard } operations { kind side action title } } }`)
    ).previewUserSync;
    const pvAppt = pv.kinds.find((k) => k.kind === 'APPOINTMENT');
    const pvDeletes = pv.operations.filter((o) => o.kind === 'APPOINTMENT' && o.side === 'MAILBOX' && o.action === 'delete').map((o) => o.title);
    assert(pv.saved && pvAppt && pvAppt.mailbox.deletes >= appts.length && /exceed the limit/.test(pvAppt.guard ?? ''), `the preview foresees the deletes and the guard: ${JSON.stringify(pv)}`);
    assert(appts.every((a) => pvDeletes.includes(a.title)), `the preview lists the deletes of ${TO_DELETE.join(', ')}: ${pvDeletes.join(', ')}`);
    log(`preview of ${guardUser.crm.name}'s next sync: ${pvAppt.mailbox.deletes} deletes in the mailbox, held by the guard (${pvAppt.guard})`);
    await page.getByRole('button', { name: 'Sync now', exact: true }).click();
    await see(page.getByText(`${guardUser.crm.name} is queued to sync now.`), 'the sync-now notice');
    const held = await until(`a run of ${guardUser.id} held by the mass-change guard`, async () => {
      const d = await api('{ pendingApprovals(profileId: "demo") { id userId guard counts { deleted } } }');
      return d.pendingApprovals.find((r) => r.userId === guardUser.id);
    });
    log(`guard: delete limit lowered to more than 2 (and 10 %) with saveSyncProfile, ${appts.length} of ${guardUser.crm.name}'s appointments deleted in the SuperOffice fake; Sync now → run ${held.id} held: ${held.guard}`);

    await goNav('Approvals');
    const hcard = page.locator('section.card').filter({ has: page.locator(`[id="run-${held.id}"]`) });
    await see(hcard, `the held run ${held.id} in Approvals`);
    await see(hcard.getByText('exceed the limit'), 'which limit held the run');
    await hcard.getByText(/^Show the \d+ planned changes$/).click();
    for (const a of appts) await see(hcard.getByRole('cell', { name: a.title, exact: true }), `the planned delete of “${a.title}”`);
    await shot(page, '09-approval-held');
    await hcard.getByRole('button', { name: 'Approve…' }).click();
    await see(dlg.getByText('Approve this run?'), 'the approve confirmation dialog');
    await dlg.getByRole('button', { name: 'Approve and run' }).click();
    await see(page.getByText('Approved: the run starts again now and applies the changes you saw.'), 'the approved notice');
    const done = await until(`the approved run of ${guardUser.id} to finish`, async () => {
      const d = await api('query ($u: ID) { syncRuns(profileId: "demo", userId: $u, first: 10) { id status approved counts { deleted } } }', { u: guardUser.id });
      return d.syncRuns.find((r) => r.approved === held.id && r.status !== 'RUNNING');
    }, 30_000);
    assert(done.status === 'OK' && done.counts.deleted >= appts.length, `the approved run applied the deletes: ${JSON.stringify(done)}`);
    await until('the approved run to leave Approvals', async () => (await page.locator(`[id="run-${held.id}"]`).count()) === 0, 15_000);
    await shot(page, '10-approved');
    log(`approved in Approvals: run ${done.id} carried out the plan (${done.counts.deleted} deleted, ${done.status})`);

    // --- The profile wizard: each step names its problems next to the field. ---
    await goNav('Profiles');
    await page.getByRole('link', { name: 'New profile' }).first().click();
    await page.waitForURL((u) => u.pathname === '/profiles/new', { timeout: 15_000 });
    await heading(page, 'New sync profile');
    /** fieldError checks that the input labelled label (within scope) is invalid and described by message. */
    const fieldError = async (scope, label, message) => {
      const input = scope.getByLabel(label);
      await see(scope.getByText(message), `the message “${message}”`);
      assert((await input.getAttribute('aria-invalid')) === 'true', `${label} is marked invalid`);
      const described = await input.evaluate((el) =>
        (el.getAttribute('aria-describedby') ?? '')
          .split(' ')
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' | '),
      );
      assert(described.includes(message), `${label} is described by its error “${message}”, got “${described}”`);
      // The message sits next to its field: inside the same .field block.
      const sameField = await input.evaluate((el, msg) => el.closest('.field')?.querySelector('.field-error')?.textContent === msg, message);
      assert(sameField, `the error of ${label} is shown next to it`);
    };
    await page.getByRole('button', { name: 'Next: Systems' }).click();
    await fieldError(page, /^Profile id/, 'Use letters, digits and . _ @ + - (at most 128), starting with a letter or digit.');
    await fieldError(page, /^Name/, 'Give the profile a name people will recognise.');
    assert((await page.evaluate(() => document.activeElement?.closest('.field')?.querySelector('label')?.textContent ?? '')).startsWith('Profile id'), 'focus is on the first invalid field');
    await shot(page, '11-wizard-general-errors');
    await page.getByLabel(/^Profile id/).fill('support');
    await page.getByLabel(/^Name/).fill('Support team');
    await page.getByRole('button', { name: 'Next: Systems' }).click();
    await see(page.getByRole('heading', { name: '2. Systems' }), 'the Systems step');
    const crmBox = page.getByRole('group', { name: 'CRM' });
    const mbBox = page.getByRole('group', { name: 'Mailboxes' });
    const crmInstance = await crmBox.getByLabel(/^Connection name/).inputValue();
    await crmBox.getByLabel('Settings (JSON)').fill('{"baseUrl": "https://crm.example/api/",');
    await mbBox.getByLabel(/^Connection name/).fill(crmInstance);
    await page.getByRole('button', { name: 'Next: What to sync' }).click();
    const jsonError = ((await crmBox.locator('.field-error').first().textContent()) ?? '').trim();
    assert(jsonError.startsWith('This is not valid JSON'), `invalid settings are refused: ${jsonError}`);
    await fieldError(crmBox, 'Settings (JSON)', jsonError);
    await fieldError(mbBox, /^Connection name/, 'The two systems need different connection names.');
    await see(page.getByRole('heading', { name: '2. Systems' }), 'the wizard staying on the Systems step');
    await shot(page, '12-wizard-systems-errors');
    await crmBox.getByLabel('Settings (JSON)').fill('{"baseUrl": "https://crm.example/api/"}');
    await mbBox.getByLabel(/^Connection name/).fill(`${crmInstance}-mail`);
    await page.getByRole('button', { name: 'Next: What to sync' }).click();
    await see(page.getByRole('heading', { name: '3. What to sync' }), 'the What to sync step');
    await page.getByLabel('Days back').fill('99999');
    await page.getByLabel('Poll every (seconds)').fill('5');
    await page.getByRole('button', { name: 'Next: Users' }).click();
    await fieldError(page, 'Days back', 'Enter whole days between 0 and 3650.');
    await fieldError(page, 'Poll every (seconds)', 'Enter seconds between 30 and 86400.');
    await shot(page, '13-wizard-sync-errors');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await heading(page, 'Profiles');
    const ids = (await api('{ syncProfiles { id } }')).syncProfiles.map((p) => p.id);
    assert(ids.length === 1 && ids[0] === 'demo', `the wizard saved nothing: ${ids.join(', ')}`);
    log('wizard: general, systems and what-to-sync steps each refuse to go on and show the problem next to its field (invalid, described by the message, focus on the first); cancel saves nothing');

    // --- The portal invitation demo mode prints next to the setup URL: the user's side in a private window. ---
    const inviteLine = await until('the portal invitation line on stdout', async () =>
      server.stdout().match(/Demo: open (http:\/\/127\.0\.0\.1:\d+\/invite\/\S+) in a private window to see the user portal as (.+) <(\S+)> \(works once, until .+ UTC\)\./),
    15_000);
    const [, inviteLink, invitedName, invitedEmail] = inviteLine;
    assert(inviteLink.startsWith(`${base}/invite/`), `the printed invitation is this server's: ${inviteLink}`);
    const userCtx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base });
    const user = await userCtx.newPage();
    user.setDefaultTimeout(20_000);
    watch(user, problems);
    await user.goto(inviteLink);
    await heading(user, 'Your invitation');
    await user.getByRole('button', { name: 'Continue to my portal' }).click();
    await heading(user, 'Your sync');
    await user.waitForURL((u) => u.pathname === '/portal', { timeout: 15_000 });
    await see(user.getByText(invitedEmail, { exact: true }), `${invitedName}'s own mailbox in the portal`);
    await shot(user, '14-portal-from-printed-link');
    await userCtx.close();
    log(`the portal invitation printed at start opened ${invitedName}'s portal (“Your sync”, ${invitedEmail}) in a second browser`);

    await ctx.close();
    assert(problems.length === 0, `no page errors or CSP violations:\n${problems.join('\n')}`);
    log('no page errors, no CSP violations');
  } catch (err) {
    printServerLog(server);
    throw err;
  } finally {
    await cleanup(run);
  }
  console.log(`demo e2e: ok (${steps()} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s after the build; screenshots in ${shots})`);
}

runSpec('demo e2e', main);
