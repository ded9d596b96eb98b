/*
 * reports.test.mjs — the overview's key figures in the real browser
 * against the real server: the chart of DSO and collection rate per month
 * (an inline SVG with a title and a description that says every figure),
 * the table of the same figures beside it, and the last 30 days of
 * dunning; Swedish at 1366 px and English at 390 px (no sideways scroll,
 * the wide tables scroll in their own box), axe-core on both.
 * Screenshots: docs/screenshots/overview-reports-{sv-1366,en-390}.png.
 *
 * The data and the figures are tests/api/reports.test.mjs's (clock
 * 2026-03-15): DSO December 31,0 days (invoice 4 alone: 4 000 kr unpaid,
 * 4 000 kr invoiced, 31 days), January 39,3, February 287,0; collection rate
 * January 0 %, February 2,94 %; on 20 February two reminders with 120 kr
 * fees, one paid within 14 days.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createCustomer, createInvoice, line } from '../api/lib/server.mjs';
import { assertAccessible } from './lib/axe.mjs';
import { assertNoPageErrors, co, launchBrowser, login, newPage, OWNER_EMAIL, OWNER_PASSWORD, shot, startApp } from './lib/env.mjs';

const NOW = '2026-03-15';
let app;
let browser;
let anna;
let C;

async function ok(res) {
  assert.ok(res.status === 200 || res.status === 201, res.text);
  return res.body;
}

before(async () => {
  app = await startApp({ now: NOW });
  anna = await app.fx.login();
  C = co(app.fx.companyId);
  await ok(await anna.patch(C, { reminder_fee_agreed: true, reminder_fee_minor: 6000 }));
  const person = await createCustomer(anna, app.fx.companyId, { name: 'Märta Björk' });
  const firm = await createCustomer(anna, app.fx.companyId, { name: 'Åbyggarna AB', is_company: true, id_number: '556036-0793' });
  const invoice = (c, d, due, minor) => createInvoice(anna, app.fx.companyId, c.id, { invoice_date: d, due_date: due, lines: [line(minor * 0.8)] });
  const i1 = await invoice(person, '2026-01-05', '2026-02-04', 1000000);
  const i2 = await invoice(person, '2026-01-10', '2026-02-09', 500000);
  const i3 = await invoice(firm, '2026-02-01', '2026-02-15', 200000);
  await invoice(person, '2025-12-10', '2026-01-09', 400000);
  const r1 = await ok(await anna.post(`${C}/invoices/${i1.id}/reminders`, { date: '2026-02-20' }));
  const r2 = await ok(await anna.post(`${C}/invoices/${i2.id}/reminders`, { date: '2026-02-20' }));
  await ok(await anna.post(`${C}/invoices/${i3.id}/payments`, { date: '2026-02-25', amount_minor: 50000 }));
  await ok(await anna.post(`${C}/invoices/${i3.id}/reminders`, { date: '2026-03-02' }));
  await ok(await anna.post(`${C}/invoices/${i1.id}/payments`, { date: '2026-03-01', amount_minor: r1.total_due_minor }));
  await ok(await anna.post(`${C}/invoices/${i2.id}/payments`, { date: '2026-03-10', amount_minor: r2.total_due_minor }));
  browser = await launchBrowser({ width: 1366, height: 900 });
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px`);
}

async function openOverview(page, heading) {
  await page.goto(`${app.base}/#/overview`);
  await page.getByRole('heading', { level: 2, name: heading }).waitFor();
  await page.locator('svg.reports-chart').waitFor();
}

test('Swedish, 1366 px: the chart says every month, the table has the figures, the last 30 days of dunning', async () => {
  const page = await newPage(browser.ctx, NOW);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await openOverview(page, 'Indrivning och nyckeltal');
  const chart = page.getByRole('img', { name: /DSO och inbetalningsgrad per månad/ });
  await chart.waitFor();
  const desc = (await page.locator('svg.reports-chart desc').textContent()).replace(/\u00a0/g, ' ');
  assert.ok(desc.includes('december 2025: DSO 31,0 dagar, ingen inbetalningsgrad (inget förföll).'), desc);
  assert.ok(desc.includes('januari 2026: DSO 39,3 dagar, inbetalningsgrad 0 %.'), desc);
  assert.ok(desc.includes('februari 2026: DSO 287,0 dagar, inbetalningsgrad 2,94 %.'), desc);
  assert.ok(desc.includes('mars 2026: ingen DSO (inget fakturerat), ingen inbetalningsgrad (inget förföll).'), desc);
  /* a bar per month with something due (0 % is a bar of no height), a dot per month with DSO */
  assert.equal(await page.locator('svg.reports-chart rect.rate-bar').count(), 2);
  assert.equal(await page.locator('svg.reports-chart circle.dso-dot').count(), 3);
  const feb = page.locator('table.reports-months tr[data-month="2026-02"]');
  assert.equal((await feb.locator('td.dso').textContent()).trim(), '287,0');
  assert.equal((await feb.locator('td.rate').textContent()).replace(/\u00a0/g, ' ').trim(), '2,94 %');
  assert.equal(await page.locator('table.reports-months tbody tr').count(), 12);
  const day = (await page.locator('table.reports-dunning tr[data-date="2026-02-20"]').innerText()).replace(/\u00a0/g, ' ');
  assert.match(day, /2026-02-20\s+2\s+120,00 kr\s+0\s+0,00 kr\s+1\s+/);
  const total = (await page.locator('table.reports-dunning tfoot').innerText()).replace(/\u00a0/g, ' ');
  assert.match(total, /Totalt\s+3\s+570,00 kr/);
  await page.locator('section.reports').scrollIntoViewIfNeeded();
  await shot(page, 'overview-reports-sv-1366', { fullPage: true });
  await assertAccessible(page, 'the overview with its key figures');
  assertNoPageErrors(page);
  await page.close();
});

test('English, 390 px: the same figures, nothing scrolls sideways but the tables in their boxes', async () => {
  const page = await newPage(browser.ctx, NOW);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Customer invoices' }).waitFor();
  await openOverview(page, 'Collection key figures');
  await page.getByRole('img', { name: /DSO and collection rate per month/ }).waitFor();
  const desc = (await page.locator('svg.reports-chart desc').textContent()).replace(/\u00a0/g, ' ');
  assert.ok(desc.includes('January 2026: DSO 39,3 days, collection rate 0 %.'), desc);
  const box = await page.locator('svg.reports-chart').boundingBox();
  assert.ok(box.width <= 390, `the chart is ${box.width}px wide`);
  await noSidewaysScroll(page, 'the overview at 390 px');
  await page.locator('section.reports').scrollIntoViewIfNeeded();
  await shot(page, 'overview-reports-en-390', { fullPage: true });
  await assertAccessible(page, 'the overview with its key figures at phone width');
  assertNoPageErrors(page);
  await page.close();
});
