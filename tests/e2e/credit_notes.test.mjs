/*
 * credit_notes.test.mjs — crediting an invoice as a bookkeeper does it, in
 * the real browser against the real server: on the invoice page Åtgärder →
 * Kreditera, a part as an amount with a reason, the credit note listed on
 * the invoice with its PDF (served as a PDF), the remaining amount
 * lowered; then the rest, after which the invoice is credited and
 * Kreditera is no longer offered.  In English at phone width: a missing
 * reason is refused at the field, then all that is left is credited.
 * Swedish at 1366 px, English at 390 px, axe-core on every step.
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
let inv;
let inv2;

/* 1 250 kr (1 000 + 25 % VAT). */
async function invoice(customer) {
  const res = await anna.post(`${C}/invoices`, {
    customer_id: customer.id, invoice_date: '2026-01-15', due_date: '2026-02-14', lines: [line(100000)],
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
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
  inv = await invoice(k1);
  inv2 = await invoice(k1);
  browser = await launchBrowser({ width: 1366, height: 900 });
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test('invoice page, Swedish: credit a part, see it listed with its PDF, then credit the rest', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.goto(`${app.base}/#/invoices/${inv.number}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(`Faktura ${inv.number}`) }).waitFor();

  await openMenuItem(page, 'Kreditera');
  const dlg = page.getByRole('dialog', { name: `Kreditera faktura ${inv.number}` });
  await dlg.waitFor();
  await dlg.getByText('Kvar på fakturan: 1 250,00 kr').waitFor();
  await dlg.getByLabel('En del (belopp)').check();
  await dlg.getByLabel('Belopp att kreditera (SEK)').fill('250,00');
  await dlg.getByLabel('Orsak').fill('Rabatt enligt avtal');
  await assertAccessible(page, 'the credit dialog');
  await dlg.getByRole('button', { name: 'Skapa kreditfaktura' }).click();
  await dlg.getByText('Kreditfaktura 1 på 250,00 kr är skapad.').waitFor();
  const link = dlg.getByRole('link', { name: 'Öppna kreditfaktura 1 (PDF)' });
  const href = await link.getAttribute('href');
  const pdf = await page.request.get(app.base + href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  await dlg.locator('.buttons').getByRole('button', { name: 'Stäng' }).click();
  await dlg.waitFor({ state: 'detached' });

  const section = page.locator('section.credit-notes');
  await section.getByRole('heading', { name: 'Kreditfakturor' }).waitFor();
  const row = section.locator('tbody tr');
  await row.getByText('Rabatt enligt avtal').waitFor();
  assert.equal(await row.count(), 1);
  await row.getByRole('link', { name: 'PDF' }).waitFor();
  await page.locator('.history li[data-kind="credit_note"]').waitFor();
  const got = (await anna.get(`${C}/invoices/${inv.id}`)).body;
  assert.equal(got.remaining_minor, 100000);
  await assertAccessible(page, 'the invoice page with a credit note');
  await shot(page, 'credit-note-1366', { fullPage: true });

  await openMenuItem(page, 'Kreditera');
  const dlg2 = page.getByRole('dialog', { name: `Kreditera faktura ${inv.number}` });
  await dlg2.getByText('Kvar på fakturan: 1 000,00 kr').waitFor();
  await dlg2.getByLabel('Orsak').fill('Uppdraget avbrutet');
  await dlg2.getByRole('button', { name: 'Skapa kreditfaktura' }).click();
  await dlg2.getByText('Kreditfaktura 2 på 1 000,00 kr är skapad.').waitFor();
  await dlg2.locator('.buttons').getByRole('button', { name: 'Stäng' }).click();
  await section.locator('tbody tr').nth(1).waitFor();
  await page.locator('.view-head').getByText('Krediterad').first().waitFor();
  assert.equal((await anna.get(`${C}/invoices/${inv.id}`)).body.status, 'credited');
  /* Nothing is left to do with a credited invoice: the menu offers nothing. */
  assert.equal(await page.locator('.view-head').getByRole('button', { name: 'Åtgärder' }).isDisabled(), true);
  assertNoPageErrors(page);
  await page.close();
});

test('phone width, English: a missing reason is refused at the field, then all that is left is credited', async () => {
  const page = await newPage(browser.ctx);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Customer invoices' }).waitFor();
  await page.goto(`${app.base}/#/invoices/${inv2.number}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(`Invoice ${inv2.number}`) }).waitFor();

  await openMenuItem(page, 'Credit');
  const dlg = page.getByRole('dialog', { name: `Credit invoice ${inv2.number}` });
  await dlg.waitFor();
  await dlg.getByRole('button', { name: 'Create credit note' }).click();
  await dlg.locator('.field-error', { hasText: 'Write why the invoice is credited.' }).waitFor();
  await assertAccessible(page, 'the credit dialog refusing a missing reason');
  await dlg.getByLabel('Reason').fill('Cancelled order');
  await dlg.getByRole('button', { name: 'Create credit note' }).click();
  await dlg.getByText(/^Credit note \d+ of .+ is created\.$/).waitFor();
  await dlg.locator('.buttons').getByRole('button', { name: 'Close' }).click();
  await page.locator('section.credit-notes').getByRole('heading', { name: 'Credit notes' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the invoice page scrolls sideways by ${overflow}px`);
  await assertAccessible(page, 'the invoice page with a credit note at phone width');
  await shot(page, 'credit-note-phone', { fullPage: true });
  assert.equal((await anna.get(`${C}/invoices/${inv2.id}`)).body.status, 'credited');
  assertNoPageErrors(page);
  await page.close();
});
