/*
 * mail.test.mjs — reminders by e-mail in the real browser against the real
 * server and a real SMTP server (tests/lib/smtp_sink.py): the reminder
 * dialog's choice of letter / e-mail / both (e-mail disabled, with the
 * reason, for a customer without an address), the mail arriving at the
 * sink, the "E-post" view with its state badges and the server's answer
 * for a refused mail, and the refusal called out on the invoice page.
 * Swedish at 1366 px, English at 390 px; axe-core on the view and dialog;
 * screenshots mails-1366.png, mails-phone-en.png, reminder-email-1366.png.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createCustomer, line, waitFor } from '../api/lib/server.mjs';
import { startSink } from '../lib/smtp.mjs';
import { assertAccessible } from './lib/axe.mjs';
import { assertNoPageErrors, co, launchBrowser, login, newPage, OWNER_EMAIL, OWNER_PASSWORD, shot, startApp } from './lib/env.mjs';

let sink;
let app;
let browser;
let anna;
let C;
let withMail;
let withoutMail;
let refused;

async function invoice(customer) {
  const res = await anna.post(`${C}/invoices`, {
    customer_id: customer.id, invoice_date: '2026-01-15', due_date: '2026-02-14', lines: [line(100000)],
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

const mailOf = async (id) => (await anna.get(`${C}/mails`)).body.items.find((m) => m.id === id);

before(async () => {
  sink = await startSink({ refuse: '^refuse' });
  app = await startApp({ extraArgs: ['--smtp-url', sink.url, '--smtp-from', 'paminnelser@example.se'] });
  anna = await app.fx.login();
  C = co(app.fx.companyId);
  await anna.patch(C, { bankgiro: '991-2346', email: 'faktura@example.se' });
  withMail = await invoice(await createCustomer(anna, app.fx.companyId, { name: 'Åsa Öberg', email: 'asa@example.se' }));
  withoutMail = await invoice(await createCustomer(anna, app.fx.companyId, { name: 'Utan Adress', email: '' }));
  refused = await invoice(await createCustomer(anna, app.fx.companyId, { name: 'Rune Refuserad', email: 'refuse@example.se' }));
  browser = await launchBrowser({ width: 1366, height: 900 });
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await sink?.stop();
});

async function openReminder(page, inv) {
  await page.goto(`${app.base}/#/invoices/${inv.number}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(`${inv.number}`) }).waitFor();
  await page.locator('.view-head').getByRole('button', { name: /Åtgärder|Actions/ }).click();
  await page.getByRole('menuitem', { name: 'Skapa manuell påminnelse (PDF)' }).click();
  const dlg = page.getByRole('dialog');
  await dlg.waitFor();
  return dlg;
}

test('the reminder dialog e-mails a reminder; without an address e-mail is disabled with the reason', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);

  let dlg = await openReminder(page, withoutMail);
  await dlg.getByText('E-post går inte: kunden har ingen e-postadress.').waitFor();
  assert.equal(await dlg.getByLabel('E-post till kunden').isDisabled(), true);
  assert.equal(await dlg.getByLabel('Både brev och e-post').isDisabled(), true);
  assert.equal(await dlg.getByLabel('Brev (PDF att skriva ut)').isChecked(), true);
  await dlg.getByRole('button', { name: 'Avbryt' }).click();

  dlg = await openReminder(page, withMail);
  await dlg.getByText('E-post skickas till asa@example.se.').waitFor();
  await dlg.getByLabel('E-post till kunden').check();
  await assertAccessible(page, 'the reminder dialog with its channels');
  await shot(page, 'reminder-email-1366');
  await dlg.getByRole('button', { name: 'Skapa påminnelse' }).click();
  await dlg.getByText('Köad till asa@example.se').waitFor();
  await dlg.locator('.buttons').getByRole('button', { name: 'Stäng' }).click();
  await waitFor(() => sink.messages().some((m) => /asa@example\.se/.test(m.headers.to)), 60000, 'the mail at the sink');
  assertNoPageErrors(page);
  await page.close();
});

test('the E-post view lists sent and refused mails with the server\'s answer; the invoice page calls out the refusal', async () => {
  const r = await anna.post(`${C}/invoices/${refused.id}/reminders`, { channel: 'email' });
  assert.equal(r.status, 201, r.text);
  await waitFor(async () => (await mailOf(r.body.mail.id))?.state === 'failed', 60000, 'the refused mail failed');

  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.getByRole('link', { name: 'E-post' }).click();
  await page.getByRole('heading', { level: 1, name: 'E-post' }).waitFor();
  const rows = page.locator('table.mails-table tbody tr');
  await waitFor(async () => (await rows.count()) === 2, 30000, 'two mails in the list');
  const failedRow = page.locator('table.mails-table tbody tr[data-state=failed]');
  await failedRow.getByText('Kunde inte levereras').waitFor();
  assert.match(await failedRow.locator('.mail-answer').textContent(), /^550 5\.1\.1 <refuse@example\.se>/);
  await page.locator('table.mails-table tbody tr[data-state=sent]').getByText('Skickad').waitFor();
  await page.getByText('E-post skickas från paminnelser@example.se.').waitFor();
  await assertAccessible(page, 'the E-post view');
  await shot(page, 'mails-1366', { fullPage: true });

  await failedRow.getByRole('link', { name: String(refused.number) }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(`${refused.number}`) }).waitFor();
  await page.getByText(/E-post till refuse@example\.se kunde inte levereras: 550/).waitFor();
  /* an invoice without e-mails shows no e-mail section (and no stray text) */
  await page.goto(`${app.base}/#/invoices/${withoutMail.number}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(`${withoutMail.number}`) }).waitFor();
  assert.equal(await page.locator('section.invoice-mails').count(), 0);
  assert.ok(!/\bnull\b/.test(await page.locator('main').innerText()), 'no "null" on the page');
  assertNoPageErrors(page);
  await page.close();
});

test('English at phone width: the E-mail view', async () => {
  const phone = await launchBrowser({ width: 390, height: 844 });
  try {
    const page = await newPage(phone.ctx);
    await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
    await page.evaluate(() => localStorage.setItem('paminn.lang', 'en'));
    await page.goto(`${app.base}/#/mails`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: /E-mail|E-post/ }).waitFor();
    await page.locator('table.mails-table tbody tr').first().waitFor();
    await shot(page, 'mails-phone-en', { fullPage: true });
    assertNoPageErrors(page);
  } finally {
    await phone.close();
  }
});
