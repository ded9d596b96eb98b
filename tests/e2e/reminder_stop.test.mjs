/*
 * reminder_stop.test.mjs — stopping reminders as a bookkeeper does it, in
 * the real browser against the real server: on the invoice page (Åtgärder →
 * Stoppa påminnelser, a payment plan through a last day, no interest), the
 * notice and badge that follow without a reload, the invoice no longer
 * offered for reminders or a bulk send, the list's filter, the history
 * line, and "Återuppta påminnelser"; then, in English at phone width, a
 * stop on a customer card (kind Other needs a comment) shown on the
 * customer's invoice and resumed from there.  Swedish at 1366 px, English
 * at 390 px, axe-core on every step.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createCustomer, line } from '../api/lib/server.mjs';
import { assertAccessible } from './lib/axe.mjs';
import { assertNoPageErrors, co, launchBrowser, login, newPage, OWNER_EMAIL, OWNER_PASSWORD, shot, startApp } from './lib/env.mjs';

let app;
let browser;
let anna;
let C;
let inv; /* stopped on the invoice */
let other; /* not stopped */
let cust2;
let inv2; /* stopped through its customer */

/* 1 250 kr (1 000 + 25 % VAT), overdue since 2026-02-14. */
async function invoice(customer) {
  const res = await anna.post(`${C}/invoices`, {
    customer_id: customer.id, invoice_date: '2026-01-15', due_date: '2026-02-14', lines: [line(100000)],
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px`);
}

async function openMenuItem(page, name) {
  await page.locator('.view-head').getByRole('button', { name: /Åtgärder|Actions/ }).click();
  await page.getByRole('menuitem', { name }).click();
}

before(async () => {
  app = await startApp();
  anna = await app.fx.login();
  C = co(app.fx.companyId);
  const k1 = await createCustomer(anna, app.fx.companyId, { name: 'Åsa Öberg' });
  cust2 = await createCustomer(anna, app.fx.companyId, { name: 'Nordfjord Eiendom AS' });
  inv = await invoice(k1);
  other = await invoice(k1);
  inv2 = await invoice(cust2);
  browser = await launchBrowser({ width: 1366, height: 900 });
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test('invoice page, Swedish: stop with a payment plan, see the notice, badge and history, the list filter; resume', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.goto(`${app.base}/#/invoices/${inv.number}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(`Faktura ${inv.number}`) }).waitFor();

  await openMenuItem(page, 'Stoppa påminnelser');
  const dlg = page.getByRole('dialog', { name: `Stoppa påminnelser för faktura ${inv.number}` });
  await dlg.waitFor();
  await assertAccessible(page, 'the stop dialog');
  await dlg.getByLabel('Avbetalningsplan').check();
  await dlg.getByLabel('Kommentar').fill('500 kr i månaden');
  await dlg.getByLabel('Sista dag (valfritt)').fill('2026-03-31');
  await dlg.getByLabel('Ingen dröjsmålsränta från stoppdagen').check();
  await dlg.getByRole('button', { name: 'Stoppa påminnelser' }).press('Enter');
  await dlg.waitFor({ state: 'detached' });

  /* the notice, the badge and the history line, without a reload */
  const notice = page.locator('.stop-notice');
  await notice.getByRole('heading', { name: 'Påminnelser stoppade' }).waitFor();
  await notice.getByText('Avbetalningsplan – till och med 2026-03-31').waitFor();
  await notice.getByText('500 kr i månaden').waitFor();
  await notice.getByText('Ingen dröjsmålsränta från 2026-03-02 så länge stoppet gäller.').waitFor();
  await page.locator('.view-head .badge.stopped', { hasText: 'Påminnelser stoppade' }).waitFor();
  await page.locator('.history li[data-kind="reminder_stop_set"]').getByText('Orsak: Avbetalningsplan').waitFor();
  const got = (await anna.get(`${C}/invoices/${inv.id}`)).body.reminder_stop;
  assert.deepEqual([got.kind, got.until, got.no_interest, got.text], ['payment_plan', '2026-03-31', true, '500 kr i månaden']);

  /* neither a reminder nor a hand-over is offered */
  await page.locator('.view-head').getByRole('button', { name: 'Åtgärder' }).click();
  const items = await page.getByRole('menuitem').allInnerTexts();
  assert.ok(!items.some((s) => /påminnelse \(PDF\)|Visma Amili|Aktivera|Stoppa/.test(s)), items.join(', '));
  await page.keyboard.press('Escape');
  await assertAccessible(page, 'the invoice page with a stop');
  await shot(page, 'reminder-stop-1366', { fullPage: true });

  /* the list: the badge, a box that cannot be ticked and says why, the filter */
  await page.getByRole('navigation').getByRole('link', { name: 'Kundfakturor' }).click();
  const row = page.locator(`tr.inv-row[data-id="${inv.id}"]`);
  await row.locator('.badge.stopped').waitFor();
  const check = row.locator('input.row-check');
  assert.equal(await check.isDisabled(), true);
  assert.match(await check.getAttribute('title'), /påminnelser är stoppade/);
  assert.equal(await page.locator(`tr.inv-row[data-id="${other.id}"] input.row-check`).isDisabled(), false);
  await page.getByLabel('Påminnelser', { exact: true }).selectOption('true');
  await page.locator(`tr.inv-row[data-id="${other.id}"]`).waitFor({ state: 'detached' });
  await row.waitFor();
  assert.deepEqual(await page.locator('tr.inv-row').evaluateAll((rows) => rows.map((r) => Number(r.dataset.id))), [inv.id]);
  assert.match(page.url(), /stopped=true/);
  await assertAccessible(page, 'the list filtered on stopped reminders');
  await page.getByLabel('Påminnelser', { exact: true }).selectOption('');
  await page.locator(`tr.inv-row[data-id="${other.id}"]`).waitFor();

  /* resume from the invoice page: the notice and badge go, the reminder is offered again */
  await page.goto(`${app.base}/#/invoices/${inv.number}`);
  await page.getByRole('button', { name: 'Återuppta påminnelser' }).click();
  await page.locator('.stop-notice').waitFor({ state: 'detached' });
  assert.equal(await page.locator('.view-head .badge.stopped').count(), 0);
  await page.locator('.history li[data-kind="reminder_stop_lifted"]').waitFor();
  await page.locator('.view-head').getByRole('button', { name: 'Åtgärder' }).click();
  await page.getByRole('menuitem', { name: 'Skapa manuell påminnelse (PDF)' }).waitFor();
  await page.keyboard.press('Escape');
  assert.equal((await anna.get(`${C}/invoices/${inv.id}`)).body.reminder_stop, null);
  assertNoPageErrors(page);
  await page.close();
});

test('phone width, English: a stop on a customer card covers its invoice and is resumed from the invoice', async () => {
  const page = await newPage(browser.ctx);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Customer invoices' }).waitFor();
  await page.goto(`${app.base}/#/customers/${cust2.id}`);
  await page.getByRole('heading', { level: 1, name: /Nordfjord Eiendom AS/ }).waitFor();

  await page.getByRole('button', { name: 'Stop reminders' }).click();
  const dlg = page.getByRole('dialog', { name: 'Stop reminders for Nordfjord Eiendom AS' });
  await dlg.waitFor();
  await dlg.getByLabel('Other').check();
  await dlg.getByRole('button', { name: 'Stop reminders' }).click();
  await dlg.locator('.field-error', { hasText: 'Write a comment when the reason is Other.' }).waitFor();
  await assertAccessible(page, 'the stop dialog refusing a missing comment');
  await dlg.getByLabel('Comment').fill('Bankruptcy inquiry');
  await dlg.getByRole('button', { name: 'Stop reminders' }).click();
  await dlg.waitFor({ state: 'detached' });
  const notice = page.locator('.stop-notice');
  await notice.getByText('Other: Bankruptcy inquiry – until lifted').waitFor();
  await noSidewaysScroll(page, 'the customer card with a stop');
  await assertAccessible(page, 'the customer card with a stop');

  /* the customer's invoice says so, in English, and resumes for the customer */
  await page.goto(`${app.base}/#/invoices/${inv2.number}`);
  const invNotice = page.locator('.stop-notice');
  await invNotice.getByRole('heading', { name: 'Reminders stopped' }).waitFor();
  await invNotice.getByText('The stop is on the customer and so covers all of the customer’s invoices.').waitFor();
  await page.locator('.history li[data-kind="reminder_stop_set"]').getByText('Stop on the customer – reason: Other').waitFor();
  await page.locator('.view-head .badge.stopped', { hasText: 'Reminders stopped' }).waitFor();
  await noSidewaysScroll(page, 'the invoice page with a customer stop');
  await assertAccessible(page, 'the invoice page with a customer stop at phone width');
  await shot(page, 'reminder-stop-phone', { fullPage: true });

  const resume = invNotice.getByRole('button', { name: 'Resume reminders for the customer' });
  await resume.focus();
  await page.keyboard.press('Enter');
  await page.locator('.stop-notice').waitFor({ state: 'detached' });
  assert.equal((await anna.get(`${C}/customers/${cust2.id}`)).body.reminder_stop, null);
  assertNoPageErrors(page);
  await page.close();
});
