/*
 * env.mjs — what every browser test file shares: a fresh Påminn (the real
 * `paminn serve` with a fresh database, started exactly as the API tests do
 * through tests/api/lib/server.mjs), optionally wired to a fresh
 * amili-sandbox with a registered partner, and the distribution's Chromium
 * driven headless by playwright-core (no browser download).
 *
 * Binaries: $PAMINN_BIN and $AMILI_SANDBOX_BIN (tests/e2e/run.sh sets them),
 * else build/default/... of this checkout.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer, REPO, co, assertStatus, OWNER_EMAIL, OWNER_PASSWORD } from '../../api/lib/server.mjs';
import { startSandbox, call } from '../../sandbox/helper.mjs';

export { REPO, co, assertStatus, OWNER_EMAIL, OWNER_PASSWORD };
export const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHOTS = path.join(REPO, 'docs', 'screenshots');
export const WEB_DIR = path.join(REPO, 'web');
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const NOW = '2026-03-02';
export const DEMO_EMAIL = 'demo@example.se';
export const DEMO_PASSWORD = 'hemligt123';

const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=sv-SE'];

/*
 * Start Påminn (and, with amili: true, an amili-sandbox with a registered
 * partner whose key Påminn gets).  opts.setup(fx) runs on the database
 * before the server starts (e.g. demo-data).  Returns {fx, sandbox, base}.
 */
export async function startApp({ amili = false, setup, now = NOW, extraArgs = [] } = {}) {
  let sandbox = null;
  const serveArgs = ['--web-dir', WEB_DIR, ...extraArgs];
  let keyDir = null;
  if (amili) {
    sandbox = await startSandbox({ now });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const apiCode = 'paminn-e2e';
    const reg = await call(sandbox.url, 'POST', '/_sandbox/partners', {
      body: { api_code: apiCode, public_key: publicKey.export({ type: 'spki', format: 'pem' }) },
    });
    assert.equal(reg.status, 201, `partner registration: ${JSON.stringify(reg.body)}`);
    keyDir = mkdtempSync(path.join(tmpdir(), 'paminn-e2e-key-'));
    const keyFile = path.join(keyDir, 'amili-key.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    serveArgs.push('--amili-url', sandbox.url, '--amili-api-code', apiCode, '--amili-key', keyFile);
  }
  let fx;
  try {
    fx = await startServer({ now, setup, serveArgs });
  } catch (err) {
    if (sandbox) await sandbox.stop();
    throw err;
  }
  return {
    fx,
    sandbox,
    base: fx.base,
    async stop() {
      try {
        await fx.stop();
      } finally {
        if (sandbox) await sandbox.stop();
        if (keyDir) rmSync(keyDir, { recursive: true, force: true });
      }
    },
  };
}

/* One headless Chromium with a fresh user-data-dir; returns {ctx, dir, close()}. */
export async function launchBrowser({ width = 1280, height = 900 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'paminn-e2e-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height },
    locale: 'sv-SE',
    timezoneId: 'Europe/Stockholm',
  });
  ctx.setDefaultTimeout(15000);
  return {
    ctx,
    async close() {
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/*
 * A new page whose clock reads the server's --now (so the UI's default dates
 * match the company's today), collecting page errors: a test fails on any
 * uncaught error in the page.
 */
export async function newPage(ctx, now = NOW) {
  const page = await ctx.newPage();
  await page.clock.setFixedTime(new Date(`${now}T10:00:00+01:00`));
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}

export function assertNoPageErrors(page) {
  assert.deepEqual(page.errors, [], `uncaught errors in the page: ${page.errors.join('; ')}`);
}

export async function login(page, base, email, password) {
  await page.context().clearCookies();
  await page.goto(`${base}/`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord').fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Kundfakturor' }).waitFor();
}

export async function shot(page, name, opts = {}) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), ...opts });
}

/* Swedish amount text → öre, for assertions ("1 234,50 kr"). */
export function ore(text) {
  const m = /(-|−)?([\d\u00a0 ]+),(\d\d)/.exec(text);
  assert.ok(m, `no amount in "${text}"`);
  const v = BigInt(m[2].replace(/[\s\u00a0]/g, '')) * 100n + BigInt(m[3]);
  return Number(m[1] ? -v : v);
}

export function kr(minor) {
  const v = BigInt(minor);
  const whole = (v / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${whole},${(v % 100n).toString().padStart(2, '0')}\u00a0kr`;
}
