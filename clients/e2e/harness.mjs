// The browser journeys' harness: the real API server (embedded default, DEV_LOGIN=1, --seed-demo) on a free port,
// serving the built web app; Debian's Chromium through playwright-core (no browser download); screenshots under
// e2e/output/. Without Chromium the journeys skip, except with CI=true, where that is a failure.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const REPO = resolve(import.meta.dirname, '../..');
export const OUTPUT = join(import.meta.dirname, 'output');
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
export const CHROMIUM = CANDIDATES.find((p) => p && existsSync(p));
export const CI = ['1', 'true', 'yes'].includes((process.env.CI ?? '').toLowerCase());

export function skipReason() {
  if (!existsSync(join(REPO, 'clients/web/dist/index.html'))) return 'the web app is not built (cd clients && npm run build)';
  if (!CHROMIUM) return 'no Chromium (apt-get install chromium)';
  return null;
}

/** Fails under CI=true when the journeys cannot run; else the reason to skip them (null: run them). */
export function checkRunnable(t) {
  const reason = skipReason();
  if (reason && CI) throw new Error(`browser journeys cannot run with CI=true: ${reason}`);
  if (reason) t.skip(reason);
  return !reason;
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

export async function startServer() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'yxg-e2e-'));
  const python = process.env.PYTHON ?? (existsSync(join(REPO, '.venv/bin/python')) ? join(REPO, '.venv/bin/python') : 'python3');
  const child = spawn(python, ['server.py', 'serve', '--port', String(port), '--data-dir', dataDir, '--seed-demo'], {
    cwd: REPO,
    env: { ...process.env, DEV_LOGIN: '1', LOG_LEVEL: 'WARNING', SWEEP_SECONDS: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    try {
      if ((await fetch(`${origin}/healthz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    origin,
    async gql(query, variables = {}, token) {
      const headers = { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) };
      const body = await (await fetch(`${origin}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) })).json();
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  mkdirSync(OUTPUT, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/** A page that records every request to a host other than the server's (none is allowed) in `page.foreign`. */
async function watchedPage(browser, origin, options) {
  const context = await browser.newContext({ locale: 'zh-CN', ...options });
  const page = await context.newPage();
  const foreign = [];
  const host = new URL(origin).host;
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.host !== host) foreign.push(request.url());
  });
  page.foreign = foreign;
  return page;
}

/** A phone-sized page (the shop's layout). */
export function phone(browser, origin) {
  return watchedPage(browser, origin, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
}

/** A desktop-sized page (the console's page editor puts its form and preview side by side). */
export function desktop(browser, origin) {
  return watchedPage(browser, origin, { viewport: { width: 1320, height: 900 } });
}

export async function shot(page, name) {
  await page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: false });
}

/** Signs in through the app's own sign-in page (devLogin), with a share link's invite code when given. */
export async function signIn(page, origin, nickname, next = '/') {
  await page.goto(`${origin}/me?next=${encodeURIComponent(next)}`);
  await page.getByPlaceholder('你的昵称').fill(nickname);
  await page.getByRole('button', { name: '登录 / 注册' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/me'));
}
