/*
 * bookkeeper-layout.test.mjs — the bookkeeper's walk-through on the demo
 * company, in Swedish at 1366 px and in English at 390 px: the wording of
 * a manual reminder (created, not sent; the letter downloads), the phone
 * layout (the Åtgärder menu on screen, the aging chart), clear defaults
 * (interest, Kundreskontra's date and currency note), static files with
 * cache validators; every main view checked with axe-core.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoPageErrors, co, shot } from './lib/env.mjs';
import { assertAccessible } from './lib/axe.mjs';
import { noSideScroll, useDemoApp, VIEWS, W } from './lib/bookkeeper.mjs';

const demo = useDemoApp();

VIEWS.forEach((v, k) => {
  const w = W[v.lang];

  test(`wording: a manual reminder is created (not sent), the letter downloads, à-pris, no link to the page shown (${v.tag})`, async () => {
    const inv = (await demo.overdueInvoices())[20 + k];
    const page = await demo.open(v);
    await page.goto(`${demo.app.base}/#/invoices/${inv.number}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: String(inv.number) }).waitFor();
    await page.getByRole('button', { name: w.actions }).click();
    await page.getByRole('menuitem', { name: w.reminder }).click();
    const dlg = page.getByRole('dialog', { name: w.reminderTitle });
    await dlg.getByRole('button', { name: w.reminderSubmit }).click();
    await dlg.getByText(w.reminderDone).waitFor();
    const link = dlg.getByRole('link', { name: w.pdf });
    assert.equal(await link.getAttribute('download'), '');
    await shot(page, `reminder-created-${v.tag}`);
    await assertAccessible(page, 'the manual reminder result');
    await dlg.getByRole('button', { name: w.close }).first().click();
    await dlg.waitFor({ state: 'detached' });
    await page.locator('ol.timeline li[data-kind="reminder"]').waitFor();
    assert.ok((await page.locator('ol.timeline li[data-kind="reminder"]').innerText()).includes(w.historyReminder));
    assert.ok((await page.locator('.view-head .badges').innerText()).includes(w.badgeReminder));
    /* No "Open the invoice" link on the invoice's own page. */
    assert.equal(await page.locator(`main a[href="#/invoices/${inv.number}"]`).count(), 0);
    await assertAccessible(page, 'the invoice page');
    await page.goto(`${demo.app.base}/#/invoices/new`);
    await page.getByRole('heading', { level: 1, name: w.newInvoice }).waitFor();
    assert.ok((await page.locator('table.lines-edit thead').innerText()).includes(w.priceCol));
    assertNoPageErrors(page);
    await page.close();
  });
});

VIEWS.forEach((v) => {
  const w = W[v.lang];

  test(`phone layout and clear defaults: the menu on screen, no interest before the due date, the chart's width and labels, Kundreskontra's date and currency note, static files cached with validators (${v.tag})`, async () => {
    const page = await demo.open(v);
    const notDue = (await demo.api.get(`${co(demo.cid)}/invoices?status=unpaid&sort=-due_date&limit=1`)).body.items[0];
    assert.equal(notDue.status, 'unpaid');
    await page.goto(`${demo.app.base}/#/invoices/${notDue.number}`);
    await page.locator('.invoice-facts').waitFor();
    assert.ok((await page.locator('.invoice-facts').innerText()).includes(w.notDue));
    await page.goto(`${demo.app.base}/#/invoices?status=overdue`);
    const row = page.locator('tr.inv-row').first();
    await row.waitFor();
    const id = await row.getAttribute('data-id');
    await row.locator('button.expand').click();
    const detail = page.locator(`#detail-${id} .detail`);
    await detail.waitFor();
    await detail.getByRole('button', { name: w.actions }).click();
    const menu = detail.getByRole('menu');
    await menu.waitFor();
    const box = await menu.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= v.width, `the menu spans ${box.x}..${box.x + box.width} of ${v.width}px`);
    await noSideScroll(page, 'the list with the menu open');
    await shot(page, `menu-open-${v.tag}`);
    await assertAccessible(page, 'the invoice list with a menu open');
    await page.keyboard.press('Escape');

    await page.getByRole('link', { name: w.overview }).click();
    const svg = page.locator('svg.aging-chart');
    await svg.waitFor();
    assert.equal(await page.getByLabel(w.asOf).inputValue(), '2026-03-02');
    assert.ok((await page.locator('main').innerText()).includes(w.sekNote));
    const sizes = await page.evaluate(() => {
      const s = document.querySelector('svg.aging-chart');
      const fig = s.closest('figure').getBoundingClientRect();
      const label = s.querySelector('.bar-label').getBoundingClientRect();
      return { svg: s.getBoundingClientRect().width, fig: fig.width, label: label.height };
    });
    if (v.width < 600) assert.ok(sizes.svg >= sizes.fig * 0.85, `the chart is ${sizes.svg}px in ${sizes.fig}px`);
    assert.ok(sizes.label >= 10, `the chart's labels are ${sizes.label}px high`);
    await noSideScroll(page, 'Kundreskontra');
    await shot(page, `overview-${v.tag}`, { fullPage: true });
    await assertAccessible(page, 'Kundreskontra');
    /* Every file the page loaded has a URL of the web files' version and
     * may be kept a year; the page itself and any other URL are asked
     * again each time (304 when unchanged). */
    const loaded = [];
    page.on('response', (r) => { if (/\.(js|css)$/.test(new URL(r.url()).pathname)) loaded.push(r); });
    await page.reload();
    await page.locator('main h1').waitFor();
    await page.waitForFunction(() => !document.querySelector('main .loading'));
    const files = loaded.map((r) => new URL(r.url()).pathname);
    for (const r of loaded) assert.equal(r.headers()['cache-control'], 'public, max-age=31536000, immutable', r.url());
    const cache = await page.evaluate(async (files) => {
      const index = await fetch('/', { cache: 'no-store' });
      const script = files.find((p) => p.endsWith('/js/app.js'));
      const first = await fetch(script, { cache: 'no-store' });
      const etag = first.headers.get('etag');
      const again = await fetch(script, { cache: 'no-store', headers: { 'If-None-Match': etag } });
      const stale = await fetch('/v/000000000000/js/app.js', { cache: 'no-store' });
      const plain = await fetch('/js/app.js', { cache: 'no-store' });
      return {
        index: index.headers.get('cache-control'), text: await index.text(), etag,
        control: first.headers.get('cache-control'), again: again.status,
        stale: [stale.status, stale.headers.get('cache-control')], plain: plain.headers.get('cache-control'),
      };
    }, files);
    assert.ok(files.length >= 5, `the page loaded ${files.length} scripts and style sheets`);
    const version = files[0].split('/')[2];
    for (const f of files) assert.match(f, new RegExp(`^/v/${version}/`), `${f} has no version in its URL`);
    assert.match(version, /^[0-9a-f]{12}$/);
    assert.ok(cache.text.includes(`src="v/${version}/js/app.js"`) && !cache.text.includes('v/dev/'), 'index.html names another version');
    assert.equal(cache.index, 'no-cache');
    assert.match(cache.etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.equal(cache.control, 'public, max-age=31536000, immutable');
    assert.equal(cache.again, 304);
    assert.deepEqual(cache.stale, [200, 'no-cache']);
    assert.equal(cache.plain, 'no-cache');
    for (const hash of ['#/customers', '#/settings', '#/start', '#/customers/new']) {
      await page.goto(`${demo.app.base}/${hash}`);
      await page.locator('main h1').waitFor();
      await page.waitForFunction(() => !document.querySelector('main .loading'));
      await assertAccessible(page, hash);
    }
    assertNoPageErrors(page);
    await page.close();
  });
});

VIEWS.forEach((v) => {
  test(`a toast covers nothing one can scroll to, and goes at the next key (${v.tag})`, async () => {
    const page = await demo.open(v);
    await page.goto(`${demo.app.base}/#/invoices?status=overdue&sort=number`);
    await page.locator('#select-page').check();
    await page.locator('#select-all-matching').click(); /* says how many are ticked */
    const toast = page.locator('#toast');
    await toast.waitFor({ state: 'visible' });
    /* Scrolled to the very bottom, the page's content ends above the
     * room kept below it: that room must reach above the toast's top. */
    const box = await page.evaluate(() => ({
      room: parseFloat(getComputedStyle(document.body).paddingBottom),
      fromBottom: window.innerHeight - document.getElementById('toast').getBoundingClientRect().top,
    }));
    assert.ok(box.room >= box.fromBottom, `${box.room}px kept below the page, the toast reaches ${box.fromBottom}px up`);
    await page.keyboard.press('Shift');
    await toast.waitFor({ state: 'hidden' });
    assertNoPageErrors(page);
    await page.close();
  });
});
