/*
 * ui-nav.mjs — how soon the invoice list shows its rows in a browser, on
 * the demo company: the first visit (nothing cached), a warm reload (the
 * static files cached under their versioned URLs) and an in-app
 * navigation from another view; with the requests and bytes each took.
 * Each time is taken twice: by the driver (from the step until its wait
 * for the rows returns, which polls) and by the page (until the moment
 * its first row was inserted, reported to the driver's clock).
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

/* In every document: as soon as the list's first row is inserted, the
 * page calls the driver's binding __rowsShown, which notes the driver's
 * clock (the page's own clock is the tests' fixed one).  That times the
 * rows without the driver's polling of its wait. */
const ROWS_CLOCK = `
  window.__rowsSeen = false;
  new MutationObserver(() => {
    if (!window.__rowsSeen && document.querySelector(${JSON.stringify(ROWS)})) {
      window.__rowsSeen = true;
      window.__rowsShown();
    }
  }).observe(document, { subtree: true, childList: true });`;
let rowsShownAt = null;

/* Run step(page) and wait for the list's rows: {ms, inPage, requests,
 * cached, bytes} — the time seen by the driver and by the page itself,
 * requests made, how many the browser's cache answered, bytes over the
 * network (Chromium's own accounting, through CDP). */
async function measure(page, step) {
  const cdp = await page.context().newCDPSession(page);
  const n = { requests: 0, cached: 0, bytes: 0 };
  cdp.on('Network.requestWillBeSent', () => { n.requests++; });
  cdp.on('Network.requestServedFromCache', () => { n.cached++; });
  cdp.on('Network.loadingFinished', (ev) => { n.bytes += ev.encodedDataLength; });
  await cdp.send('Network.enable');
  const t0 = performance.now();
  rowsShownAt = null;
  await step(page);
  await page.locator(ROWS).first().waitFor();
  const ms = performance.now() - t0;
  while (rowsShownAt === null) await new Promise((resolve) => setTimeout(resolve, 5));
  const inPage = rowsShownAt - t0;
  await cdp.detach();
  return { ms, inPage, ...n };
}

function summary(runs) {
  const sorted = (k) => runs.map((r) => r[k]).sort((a, b) => a - b);
  const ms = sorted('ms');
  const inPage = sorted('inPage');
  const at = (xs, q) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  const last = runs[runs.length - 1];
  return {
    median: at(ms, 0.5), p90: at(ms, 0.9), inPage: at(inPage, 0.5), inPage90: at(inPage, 0.9),
    requests: last.requests, cached: last.cached, bytes: last.bytes,
  };
}

const app = await startApp({ setup: (fx) => fx.cli(['demo-data', '--password', DEMO_PASSWORD]) });
const results = { cold: [], reload: [], inapp: [] };
try {
  for (let i = 0; i < ROUNDS; i++) {
    const browser = await launchBrowser({ width: 1366, height: 900 });
    try {
      const page = await newPage(browser.ctx);
      await page.exposeBinding('__rowsShown', () => { rowsShownAt = performance.now(); });
      await page.addInitScript(ROWS_CLOCK);
      await login(page, app.base, DEMO_EMAIL, DEMO_PASSWORD);
      await page.goto('about:blank');
      /* First visit of the list in this browser after logging in: the
       * static files came with the login page, so "cold" is a new tab. */
      results.cold.push(await measure(page, (p) => p.goto(`${app.base}/#/invoices`)));
      results.reload.push(await measure(page, (p) => p.reload()));
      await page.goto(`${app.base}/#/customers`);
      await page.locator('main h1').waitFor();
      results.inapp.push(await measure(page, (p) => p.evaluate(() => {
        window.__rowsSeen = false;
        location.hash = '#/invoices';
      })));
    } finally {
      await browser.close();
    }
  }
} finally {
  await app.stop();
}
const kb = (b) => (b / 1024).toFixed(0);
console.log(`| navigation to the invoice list (${ROUNDS} rounds) | median ms | p90 ms | in the page: median ms | in the page: p90 ms | requests | of them from the cache | KiB over the network |`);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [what, runs] of [['new tab, logged in', results.cold], ['reload (warm)', results.reload], ['from Kunder, in the app', results.inapp]]) {
  const s = summary(runs);
  console.log(`| ${what} | ${s.median.toFixed(0)} | ${s.p90.toFixed(0)} | ${s.inPage.toFixed(0)} | ${s.inPage90.toFixed(0)} | ${s.requests} | ${s.cached} | ${kb(s.bytes)} |`);
}
