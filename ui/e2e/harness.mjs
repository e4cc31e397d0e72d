// harness.mjs is the shared harness of the end-to-end scripts in ui/e2e (the *.spec.mjs files and
// demo-screens.mjs): numbered log lines, assertions and bounded waits, building or locating the binary, starting
// `serve` (or `serve --demo`) on a free loopback port with a fresh data dir and reading the setup URL it prints,
// stopping that server (only it, by its PID), launching Debian's Chromium through playwright-core, axe-core checks,
// GraphQL calls from a signed-in page with its CSRF token, screenshots and the whole-run watchdog.
//
// Plain ESM with no state of its own beyond the list of pages axe checked; importing it makes a closed stdout (for
// example `| head`) harmless, so a run always gets to its cleanup.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

// A closed stdout (for example `| head`) must not kill the run before cleanup.
process.stdout.on('error', () => {});

/** here is the directory of the e2e scripts (ui/e2e). */
export const here = dirname(fileURLToPath(import.meta.url));
/** repo is the repository's root, where `go build` runs. */
export const repo = resolve(here, '..', '..');
/** shotsDir is where the specs write their screenshots (ui/e2e/screenshots). */
export const shotsDir = join(here, 'screenshots');
/** CHROMIUM is the browser playwright-core drives: $CHROMIUM_PATH or Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** CHROMIUM_ARGS are the flags every script starts Chromium with: headless, no sandbox, nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** ADMIN is the first administrator every script creates (or bootstraps) and signs in as. */
export const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'correct horse battery' };
/** WAIT bounds a wait on the demo's own pace (first runs, a conflict): until's default. */
export const WAIT = 60_000;
/** SETUP_PATTERN finds the one-time setup URL in the server's output; its first group is the URL. */
export const SETUP_PATTERN = /Open (http:\/\/127\.0\.0\.1:\d+\/setup\?token=\S+) to create the first admin\./;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * logger returns log(msg), which prints `[<prefix> NN  T.Ts] msg` (NN counts the steps, T the seconds since the
 * logger was made; without the time when time is false), and steps(), the number of lines logged so far.
 */
export function logger(prefix, { time = true } = {}) {
  const started = Date.now();
  let step = 0;
  const log = (msg) => {
    const n = String(++step).padStart(2, '0');
    if (!time) {
      console.log(`[${prefix} ${n}] ${msg}`);
      return;
    }
    const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
    console.log(`[${prefix} ${n} ${t}s] ${msg}`);
  };
  return { log, steps: () => step };
}

/** assert throws `assertion failed: msg` when cond is falsy. */
export function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

/** sleep resolves after ms milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** until polls fn (every 500 ms) until it returns a truthy value, which it returns; it fails after ms. */
export async function until(what, fn, ms = WAIT) {
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
export async function see(locator, what, ms = 15_000) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: ms });
  } catch (err) {
    throw new Error(`timed out after ${ms / 1000} s waiting to see ${what}\n  (${err.message.split('\n')[0]})`);
  }
}

/** heading waits (through see) for the page's level-1 heading named exactly text. */
export async function heading(page, text, ms = 15_000) {
  await see(page.getByRole('heading', { level: 1, name: text, exact: true }), `the page heading “${text}”`, ms);
}

/** freePort resolves with a TCP port free on 127.0.0.1 at the time of asking. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** workDir makes a fresh temporary directory named prefix + random characters (the caller removes it). */
export function workDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * binary returns $SYNCHRONIZER_BIN, or builds the binary into work (`go build` at the repository's root) and
 * returns its path; log, when given, is told before the build.
 */
export function binary(work, log) {
  const bin = process.env.SYNCHRONIZER_BIN;
  if (bin) return bin;
  const built = join(work, 'synchronizer');
  log?.('building the binary');
  const b = spawnSync('go', ['build', '-o', built, '.'], { cwd: repo, stdio: 'inherit' });
  assert(b.status === 0, 'go build succeeded');
  return built;
}

/** prepare makes the screenshots directory and a fresh work directory, and returns { work, bin } (see binary). */
export function prepare(prefix, log) {
  mkdirSync(shotsDir, { recursive: true });
  const work = workDir(prefix);
  return { work, bin: binary(work, log) };
}

/**
 * startWatchdog fails the whole run when it takes longer than ms: it prints `<label>: FAIL: the run took longer than
 * N s (after the build)` and exits with 1 (the exit handler of startServer kills the server). Clear it when done.
 */
export function startWatchdog(label, ms) {
  return setTimeout(() => {
    console.error(`${label}: FAIL: the run took longer than ${ms / 1000} s (after the build)`);
    process.exit(1);
  }, ms);
}

/**
 * killOnExit makes sure proc never outlives this script: on exit it gets signal (by its PID), and SIGINT, SIGTERM
 * and SIGHUP send it that signal too and exit with 130 (unless handleSignals is false).
 */
export function killOnExit(proc, { signal = 'SIGKILL', handleSignals = true } = {}) {
  const kill = () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      try {
        process.kill(proc.pid, signal);
      } catch {
        /* gone */
      }
    }
  };
  process.once('exit', kill);
  if (!handleSignals) return;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      kill();
      process.exit(130);
    });
  }
}

/**
 * startServer runs `serve` (with `--demo` unless demo is false) on 127.0.0.1:port with dataDir and no bootstrap
 * admin, and resolves, once the server printed its setup URL (setupPattern's first group), with { proc, setupURL,
 * logs(), stdout() }: logs returns what it wrote to stderr so far, stdout what it wrote to stdout. It rejects when
 * the server exits first or prints no setup URL within 30 s. The server is killed (SIGKILL, by PID) when this
 * script exits, whatever ends it.
 */
export function startServer(bin, port, dataDir, { demo = true, setupPattern = SETUP_PATTERN } = {}) {
  const args = ['serve', ...(demo ? ['--demo'] : []), '--listen', `127.0.0.1:${port}`, '--data', dataDir];
  const proc = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SYNCHRONIZER_ADMIN_EMAIL: '', SYNCHRONIZER_ADMIN_PASSWORD: '' },
  });
  killOnExit(proc);
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no setup URL within 30 s.\nstdout:\n${out}\nstderr:\n${err}`)), 30_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(setupPattern);
      if (m) {
        clearTimeout(timer);
        res({ proc, setupURL: m[1], logs: () => err, stdout: () => out });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`server exited with ${code} before printing a setup URL.\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
}

/** stopServer stops the server by its PID: SIGTERM, then SIGKILL after 10 s; it resolves once it exited. */
export async function stopServer(proc) {
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

/** launch starts headless Chromium (CHROMIUM with CHROMIUM_ARGS) through playwright-core. */
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * watch records the page's errors and CSP violations in problems (which fail the run) and prints its other
 * console errors; label, when given, names the page in both.
 */
export function watch(page, problems, label) {
  const p = label ? `${label}: ` : '';
  page.on('pageerror', (e) => problems.push(`${p}page error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to (apply|execute|load|connect)/i.test(text)) problems.push(`${p}CSP: ${text}`);
    else if (m.type() === 'error') console.log(`   (${label ? `${label} ` : ''}console error: ${text})`);
  });
}

/** a11yChecked lists the labels of the pages checkA11y passed, in order. */
export const a11yChecked = [];

/**
 * checkA11y runs axe-core's WCAG 2.1 A/AA rules (labels, names, contrast, ARIA…) on the current page and fails on
 * any violation. axe is evaluated through the DevTools protocol, which the page's CSP does not govern.
 */
export async function checkA11y(page, label) {
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

/**
 * pageGql runs a GraphQL operation from page with its session cookie and CSRF token, as the dashboard does, and
 * returns the response's body ({ data, errors }).
 */
export async function pageGql(page, query, variables = {}) {
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

/** pageApi is pageGql returning only data; it throws `GraphQL: <messages>` when the answer carries errors. */
export async function pageApi(page, query, variables = {}) {
  const body = await pageGql(page, query, variables);
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data;
}

/**
 * screenshot writes a full-page capture of page to shotsDir/<name>.png, from the top: a full-page capture of a
 * scrolled page draws the sticky header in the middle.
 */
export async function screenshot(page, name, dir = shotsDir) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/**
 * start is the beginning every spec shares: the screenshots directory, a work directory named prefix…, the binary
 * (see binary), the watchdog over the rest of the run (label, deadline ms; none without a deadline), a server on a
 * free loopback port (options go to startServer) and Chromium. It resolves with { work, bin, t0, watchdog, base,
 * server, browser }; t0 is when the run after the build began. Hand the result to cleanup in a finally.
 */
export async function start(prefix, { log, label, deadline, ...serverOptions } = {}) {
  const { work, bin } = prepare(prefix, log);
  const t0 = Date.now();
  const watchdog = deadline ? startWatchdog(label, deadline) : null;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(bin, port, join(work, 'data'), serverOptions);
  const browser = await launch();
  return { work, bin, t0, watchdog, base, server, browser };
}

/** cleanup ends what start began: the watchdog, the browser, the server (stopServer) and the work directory. */
export async function cleanup({ watchdog, browser, server, work }) {
  clearTimeout(watchdog);
  await browser?.close().catch(() => {});
  await stopServer(server.proc);
  rmSync(work, { recursive: true, force: true });
}

/**
 * createAdmin creates ADMIN through the printed one-time setup link and waits for the Overview; headings wait up
 * to ms.
 */
export async function createAdmin(page, setupURL, ms = 15_000) {
  await page.goto(setupURL);
  await heading(page, 'Set up Synchronizer', ms);
  await page.getByLabel(/^Your name/).fill(ADMIN.name);
  await page.getByLabel(/^E-mail address/).fill(ADMIN.email);
  await page.getByLabel(/^Password/).fill(ADMIN.password);
  await page.getByLabel(/^Repeat the password/).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await heading(page, 'Overview', ms);
}

/** printServerLog prints the last 4000 characters the server wrote to stderr, for a failed run. */
export function printServerLog(server) {
  console.error(`server log (last 4000 characters):\n${server.logs().slice(-4000)}`);
}

/** runSpec runs main and, when it fails, prints `<label>: FAIL: <error>` and exits with 1 (which kills the server). */
export function runSpec(label, main) {
  main().catch((err) => {
    console.error(`${label}: FAIL: ${err.stack || err}`);
    process.exit(1);
  });
}
