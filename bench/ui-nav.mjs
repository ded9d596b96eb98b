/*
 * ui-nav.mjs — how soon the invoice list shows its rows in a browser, on
 * the demo company: the first visit (nothing cached), a warm reload (the
 * static files cached under their versioned URLs) and an in-app
 * navigation from another view; with the requests and bytes each took.
 *
 *   node bench/ui-nav.mjs [ROUNDS]      (default 10; prints a Markdown table)
 *
 * Runs the real `paminn serve` (build/default, or $PAMINN_BIN) and the
 * distribution's Chromium through the browser tests' helpers; install
 * their npm packages first (tests/e2e/run.sh does, or `npm ci` there).
 */
import { DEMO_EMAIL, DEMO_PASSWORD, launchBrowser, login, newPage, startApp } from '../tests/e2e/lib/env.mjs';

const ROUNDS = Number(process.argv[2] ?? 10);
const ROWS = 'table#invoice-table tbody tr';

/* Run step(page) and wait for the list's rows: {ms, requests, cached,
 * bytes} — requests made, how many the browser's cache answered, bytes
 * over the network (Chromium's own accounting, through CDP). */
async function measure(page, step) {
  const cdp = await page.context().newCDPSession(page);
  const n = { requests: 0, cached: 0, bytes: 0 };
  cdp.on('Network.requestWillBeSent', () => { n.requests++; });
  cdp.on('Network.requestServedFromCache', () => { n.cached++; });
  cdp.on('Network.loadingFinished', (ev) => { n.bytes += ev.encodedDataLength; });
  await cdp.send('Network.enable');
  const t0 = performance.now();
  await step(page);
  await page.locator(ROWS).first().waitFor();
  const ms = performance.now() - t0;
  await cdp.detach();
  return { ms, ...n };
}

function summary(runs) {
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  const last = runs[runs.length - 1];
  return { median: at(0.5), p90: at(0.9), requests: last.requests, cached: last.cached, bytes: last.bytes };
}

const app = await startApp({ setup: (fx) => fx.cli(['demo-data', '--password', DEMO_PASSWORD]) });
const results = { cold: [], reload: [], inapp: [] };
try {
  for (let i = 0; i < ROUNDS; i++) {
    const browser = await launchBrowser({ width: 1366, height: 900 });
    try {
      const page = await newPage(browser.ctx);
      await login(page, app.base, DEMO_EMAIL, DEMO_PASSWORD);
      await page.goto('about:blank');
      /* First visit of the list in this browser after logging in: the
       * static files came with the login page, so "cold" is a new tab. */
      results.cold.push(await measure(page, (p) => p.goto(`${app.base}/#/invoices`)));
      results.reload.push(await measure(page, (p) => p.reload()));
      await page.goto(`${app.base}/#/customers`);
      await page.locator('main h1').waitFor();
      results.inapp.push(await measure(page, (p) => p.evaluate(() => { location.hash = '#/invoices'; })));
    } finally {
      await browser.close();
    }
  }
} finally {
  await app.stop();
}
const kb = (b) => (b / 1024).toFixed(0);
console.log(`| navigation to the invoice list (${ROUNDS} rounds) | median ms | p90 ms | requests | of them from the cache | KiB over the network |`);
console.log('|---|---:|---:|---:|---:|---:|');
for (const [what, runs] of [['new tab, logged in', results.cold], ['reload (warm)', results.reload], ['from Kunder, in the app', results.inapp]]) {
  const s = summary(runs);
  console.log(`| ${what} | ${s.median.toFixed(0)} | ${s.p90.toFixed(0)} | ${s.requests} | ${s.cached} | ${kb(s.bytes)} |`);
}
