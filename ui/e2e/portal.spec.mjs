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

import { join } from 'node:path';
import {
  assert,
  checkA11y,
  cleanup,
  createAdmin,
  heading,
  logger,
  pageGql as gql,
  printServerLog,
  runSpec,
  screenshot,
  see,
  shotsDir as shots,
  start,
  until,
  watch,
} from './harness.mjs';

// Waits on the demo's own pace (first runs, the conflict) are bounded by WAIT; the whole run by DEADLINE.
const DEADLINE = 150_000;

const { log, steps } = logger('portal');

async function shot(page, name) {
  await screenshot(page, `portal-${name}`);
}

async function main() {
  const run = await start('synchronizer-portal-e2e-', { log, label: 'portal e2e', deadline: DEADLINE });
  const { t0, base, server, browser } = run;
  log(`demo server up on ${base} (pid ${server.proc.pid})`);
  const problems = [];
  try {
    // --- The admin: setup, then the invitation of one demo user. ---
    const adminCtx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: base });
    const admin = await adminCtx.newPage();
    admin.setDefaultTimeout(20_000);
    watch(admin, problems);
    await createAdmin(admin, server.setupURL);
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
    printServerLog(server);
    throw err;
  } finally {
    await cleanup(run);
  }
  console.log(`portal e2e: ok (${steps()} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s after the build; screenshots in ${shots})`);
}

runSpec('portal e2e', main);
