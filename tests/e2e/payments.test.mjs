/*
 * payments.test.mjs — "Inbetalningar" as a bookkeeper uses it, against the
 * real server and a real SQLite file: a BgMax file written with the
 * repository's own generator (tests/lib/bgmax.mjs) pays one invoice in full
 * by OCR, one in part, and brings one payment from an unknown payer whose
 * message names an invoice (held, with that invoice suggested).  The
 * preview says what will be booked and books nothing; Bokför books it and
 * the invoice list follows; the held payment is placed on its suggested
 * invoice after a confirmation; the same file again is refused in plain
 * words and books nothing.  A test file is shown but never offered for
 * booking; another invoice is chosen by its number (a wrong number is
 * refused); a read-only user sees the list without buttons.  Swedish at
 * 1366 px, English at 390 px, axe-core on every step.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateBgmax, ocrOf, verifyBgmax, writeBgmax } from '../lib/bgmax.mjs';
import { camt054 } from '../lib/camt054.mjs';
import { createCustomer, line } from '../api/lib/server.mjs';
import { assertAccessible } from './lib/axe.mjs';
import { assertNoPageErrors, co, kr, launchBrowser, login, newPage, OWNER_EMAIL, OWNER_PASSWORD, shot, startApp } from './lib/env.mjs';

const BANKGIRO = '9912346';
const STAMP = '20260227063015123456';

let app;
let browser;
let anna;
let C;
let paid; /* paid in full by OCR */
let part; /* paid in part by OCR */
let named; /* named in an unknown payer's message */

/* A BgMax file (ISO-8859-1, CR LF) of one deposit, checked with the generator's verifier. */
function bgmaxFile(payments, { stamp = STAMP, marker = 'P', date = '20260227', serial = 1 } = {}) {
  const records = writeBgmax({ stamp, marker, deposits: [{ bankgiro: BANKGIRO, date, serial, payments }] });
  const body = Buffer.from(`${records.join('\r\n')}\r\n`, 'latin1');
  assert.deepEqual(verifyBgmax(body).errors, [], 'the test file is valid BgMax');
  return body;
}

/* 1 250 kr (1 000 + 25 % VAT), overdue since 2026-02-14. */
async function invoice(customer) {
  const res = await anna.post(`${C}/invoices`, {
    customer_id: customer.id, invoice_date: '2026-01-15', due_date: '2026-02-14', lines: [line(100000)],
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function invoiceState(inv) {
  const res = await anna.get(`${C}/invoices/${inv.id}`);
  return [res.body.status, res.body.remaining_minor];
}

const bookedPayments = () => app.fx.count('payments');

async function openPayments(page, linkName = 'Inbetalningar', heading = 'Inbetalningar') {
  await page.getByRole('navigation').getByRole('link', { name: linkName }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.locator('.pay-held .list-status, .pay-held table').first().waitFor();
}

async function chooseFile(page, name, buffer) {
  await page.locator('#bank-file').setInputFiles({ name, mimeType: 'text/plain', buffer });
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px`);
}

before(async () => {
  app = await startApp();
  anna = await app.fx.login();
  C = co(app.fx.companyId);
  assert.equal((await anna.patch(C, { bankgiro: '991-2346' })).status, 200);
  app.fx.addUser('lisa@example.se', 'hemligt123', app.fx.companyId, 'read_only');
  const k1 = await createCustomer(anna, app.fx.companyId, { name: 'Åsa Öberg' });
  const k2 = await createCustomer(anna, app.fx.companyId, { name: 'Kund Två AB' });
  paid = await invoice(k1);
  part = await invoice(k1);
  named = await invoice(k2);
  browser = await launchBrowser({ width: 1366, height: 900 });
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test('a test file is previewed with a plain note and can never be booked; a malformed file is refused naming its line', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await openPayments(page);
  await page.getByText('Det finns inga inbetalningar att placera.').waitFor();
  const before = bookedPayments();
  await chooseFile(page, 'test.txt', generateBgmax({ payments: 2, bankgiro: BANKGIRO, seed: 7, marker: 'T', date: '20260226' }));
  await page.getByRole('heading', { name: 'Testfil – kan inte bokföras' }).waitFor();
  await page.getByText('Det här är en testfil från Bankgirot.').waitFor();
  await page.getByText('kan aldrig bokföras').first().waitFor();
  assert.equal(await page.getByRole('button', { name: 'Bokför' }).count(), 0, 'a test file is offered for booking');
  await assertAccessible(page, 'the preview of a test file');
  await page.getByRole('button', { name: 'Stäng' }).click();
  assert.equal(await page.locator('.pay-preview').count(), 0);
  assert.equal(bookedPayments(), before);

  /* a payment's amount that is no number: the line and the reason, nothing booked */
  const records = writeBgmax({ stamp: '20260226101500000000', deposits: [{ bankgiro: BANKGIRO, date: '20260226', payments: [
    { ref: ocrOf(paid.number), amount: 125000 },
  ] }] });
  records[2] = `${records[2].slice(0, 40)}12X4${records[2].slice(44)}`;
  await chooseFile(page, 'trasig.txt', Buffer.from(`${records.join('\r\n')}\r\n`, 'latin1'));
  const alert = page.locator('.pay-import .error-box');
  await alert.getByText('Bankfilen är felaktig på rad 3 och har inte lästs in.').waitFor();
  await alert.getByText('amount (positions 38-55) is not 18 digits').waitFor();
  await alert.getByText('Ingenting har bokförts.').waitFor();
  assert.equal(await alert.getByText('bgmax_invalid').isVisible(), false, 'the code shows outside "Detaljer"');
  await assertAccessible(page, 'a malformed file refused');
  assert.equal(bookedPayments(), before);
  assertNoPageErrors(page);
  await page.close();
});

test('import: preview, book, the invoices follow; the held payment is placed on its suggested invoice; the same file again is refused', async () => {
  const file = bgmaxFile([
    { ref: ocrOf(paid.number), amount: 125000, payer: '50501055', name: 'Åsa Öberg' },
    { ref: ocrOf(part.number), amount: 50000, payer: '50501055', name: 'Åsa Öberg' },
    { ref: '9999999999999999999994', code: 3, amount: 125000, payer: '56781236', name: 'Okänd Betalare AB', message: `Betalning faktura ${named.number}` },
  ]);
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await openPayments(page);
  const before = bookedPayments();

  /* the preview: what will be booked where, what stays and why; nothing is booked yet */
  await chooseFile(page, 'bgmax-20260227.txt', file);
  const preview = page.locator('.pay-preview');
  await preview.getByRole('heading', { name: 'Förhandsgranskning – inget är bokfört ännu' }).waitFor();
  const fact = async (name) => (await preview.locator(`dt:text-is("${name}") + dd`).innerText()).trim();
  assert.equal(await fact('Inbetalningar'), '3 betalningar · 1 insättning');
  assert.equal(await fact('Totalt insatt'), kr(300000));
  assert.equal(await fact('Placeras på fakturor'), `2 betalningar · ${kr(175000)}`);
  assert.equal(await fact('Kan inte placeras'), `1 betalning · ${kr(125000)}`);
  assert.equal(await fact('Från Bankgirot'), 'skapad 2026-02-27 06:30, bankgiro 991-2346');
  const matched = preview.locator('table', { has: page.locator('caption', { hasText: 'Betalningar som placeras på fakturor' }) });
  const rowOf = (n) => matched.locator('tbody tr', { has: page.getByRole('link', { name: `Faktura ${n}`, exact: true }) });
  assert.deepEqual(await rowOf(paid.number).locator('td').allInnerTexts(), [`Faktura ${paid.number}`, kr(125000), 'OCR-nummer', 'Betald']);
  assert.deepEqual(await rowOf(part.number).locator('td').allInnerTexts(),
    [`Faktura ${part.number}`, kr(50000), 'OCR-nummer', `Delbetald, kvar ${kr(75000)}`]);
  assert.equal(await rowOf(paid.number).getByRole('link').getAttribute('href'), `#/invoices/${paid.number}`);
  const held = preview.locator('table', { has: page.locator('caption', { hasText: 'Betalningar som inte kan placeras' }) });
  assert.deepEqual(await held.locator('tbody tr td').allInnerTexts(), [
    'Okänd Betalare AB', kr(125000), `9999999999999999999994 · Betalning faktura ${named.number}`,
    'Meddelandet nämner en faktura, men betalaren är inte känd som fakturans kund.', `Faktura ${named.number}`,
  ]);
  assert.equal(bookedPayments(), before, 'the preview booked something');
  assert.deepEqual(await invoiceState(paid), ['overdue', 125000]);
  await assertAccessible(page, 'the preview of a bank file');
  await shot(page, 'payments-1366', { fullPage: true });

  /* Bokför: the result, and the held payment in the list with its suggestion */
  await page.getByRole('button', { name: 'Bokför' }).click();
  await page.getByRole('heading', { name: 'Filen är bokförd' }).waitFor();
  await page.getByText('bgmax-20260227.txt är inläst: 2 betalningar placerade på fakturor, 1 väntar på att placeras.').waitFor();
  assert.equal(bookedPayments(), before + 2);
  assert.deepEqual(await invoiceState(paid), ['paid', 0]);
  assert.deepEqual(await invoiceState(part), ['overdue', 75000]);
  const heldList = page.locator('.pay-held');
  await heldList.getByRole('heading', { name: 'Att placera (1)' }).waitFor();
  /* the menu counts the payment waiting, without a reload */
  const navCount = page.locator('#app-header .nav-count');
  await navCount.filter({ hasText: '1 att placera' }).waitFor();
  assert.equal(await navCount.locator('[aria-hidden="true"]').innerText(), '1');
  const heldRow = heldList.locator('tbody tr');
  await heldRow.getByRole('button', { name: `Placera på faktura ${named.number}` }).waitFor();
  assert.deepEqual((await heldRow.locator('td').allInnerTexts()).slice(0, 5), [
    '2026-02-27', 'Okänd Betalare AB', kr(125000), `9999999999999999999994 · Betalning faktura ${named.number}`,
    'Meddelandet nämner en faktura, men betalaren är inte känd som fakturans kund.',
  ]);
  await assertAccessible(page, 'the result of a booked bank file');

  /* the invoice list shows the new states without a reload */
  await page.getByRole('navigation').getByRole('link', { name: 'Kundfakturor' }).click();
  const invRow = (inv) => page.locator(`tr.inv-row[data-id="${inv.id}"]`);
  await invRow(paid).waitFor();
  assert.equal(await invRow(paid).locator('td.status').innerText(), 'Betald');
  assert.equal(await invRow(part).locator('td.remaining').innerText(), kr(75000));
  assert.equal(await invRow(named).locator('td.remaining').innerText(), kr(125000));

  /* placing the held payment on its suggested invoice, after saying what will be booked */
  await openPayments(page);
  await page.locator('.pay-held').getByRole('button', { name: `Placera på faktura ${named.number}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Placera inbetalningen på en faktura' });
  await dialog.getByText(`${kr(125000)} från Okänd Betalare AB, insatt 2026-02-27.`).waitFor();
  await dialog.getByText(`${kr(125000)} bokförs som betalning på faktura ${named.number} (Kund Två AB), betald 2026-02-27.`).waitFor();
  await dialog.getByText(`Fakturan har ${kr(125000)} kvar att betala före placeringen.`).waitFor();
  await dialog.getByText('Betalarens bankgironummer kopplas till Kund Två AB').waitFor();
  assert.deepEqual(await invoiceState(named), ['overdue', 125000], 'placed before the confirmation');
  await assertAccessible(page, 'the confirmation of a placement');
  await dialog.getByRole('button', { name: `Placera på faktura ${named.number}` }).click();
  await dialog.getByText(`${kr(125000)} är placerat på faktura ${named.number}. Fakturan är betald.`).waitFor();
  await dialog.getByRole('button', { name: 'Stäng' }).first().click();
  await page.getByText('Det finns inga inbetalningar att placera.').waitFor();
  await navCount.waitFor({ state: 'hidden' });
  assert.deepEqual(await invoiceState(named), ['paid', 0]);
  await page.goto(`${app.base}/#/invoices/${named.number}`);
  await page.locator('.view-head .badge.paid', { hasText: 'Betald' }).waitFor();

  /* the same file again: refused in plain words, naming the file; nothing booked */
  await openPayments(page);
  const count = bookedPayments();
  await chooseFile(page, 'bgmax-20260227.txt', file);
  const alert = page.locator('.pay-import .error-box');
  await alert.getByText(`Den här filen är redan inläst (fil BGMAX-${STAMP}-0009912346, skapad av Bankgirot 2026-02-27 06:30).`).waitFor();
  await alert.getByText('Ingenting har bokförts.').waitFor();
  assert.equal(await alert.getByText('already_imported').isVisible(), false, 'the code shows outside "Detaljer"');
  await alert.getByText('Detaljer').click();
  await alert.getByText('HTTP 409 · already_imported · file').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Bokför' }).count(), 0);
  assert.equal(bookedPayments(), count);
  await assertAccessible(page, 'a file imported before');
  assertNoPageErrors(page);
  await page.close();
});

test('phone width, English: a payment without a suggestion is placed on an invoice chosen by its number', async () => {
  const page = await newPage(browser.ctx);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Customer invoices' }).waitFor();
  await openPayments(page, 'Payments', 'Payments');
  await noSidewaysScroll(page, 'the payments page');

  /* a payment with neither reference nor message: held without a suggestion */
  await chooseFile(page, 'bgmax-20260302.txt', bgmaxFile([
    { code: 1, amount: 25000, name: 'Karl-Johan Kundsson Långnamn' },
  ], { stamp: '20260302061500000000', date: '20260302', serial: 2 }));
  const preview = page.locator('.pay-preview');
  await preview.getByRole('heading', { name: 'Preview – nothing is booked yet' }).waitFor();
  await preview.getByText('No invoice has this reference.').waitFor();
  await noSidewaysScroll(page, 'the preview');
  await assertAccessible(page, 'the preview at phone width');
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  await page.getByRole('heading', { name: 'The file is booked' }).waitFor();
  const row = page.locator('.pay-held tbody tr');
  await row.waitFor();
  assert.equal(await row.getByRole('button', { name: /^Place on invoice/ }).count(), 0, 'a suggestion without one from the server');
  await noSidewaysScroll(page, 'the payments to place');
  await assertAccessible(page, 'the payments to place at phone width');
  await page.locator('h1').click(); /* the toast goes */
  await page.locator('#toast').waitFor({ state: 'hidden' });
  await shot(page, 'payments-phone', { fullPage: true });

  /* a number that is no invoice is refused in the field; the right one is confirmed */
  await row.getByRole('button', { name: `Choose invoice for ${kr(25000)} from Karl-Johan Kundsson Långnamn` }).press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Place the payment on an invoice' });
  const number = dialog.getByLabel('Invoice number');
  await number.fill('99999');
  await number.press('Enter');
  await dialog.getByText('There is no invoice with number 99999.').first().waitFor();
  assert.equal(await number.getAttribute('aria-invalid'), 'true');
  await number.fill(String(part.number));
  await number.press('Enter');
  await dialog.getByText(`The invoice has ${kr(75000)} left to pay before the placement.`).waitFor();
  await noSidewaysScroll(page, 'the placement dialog');
  await assertAccessible(page, 'the placement dialog at phone width');
  await dialog.getByRole('button', { name: `Place on invoice ${part.number}` }).click();
  await dialog.getByText(`${kr(25000)} is placed on invoice ${part.number}. Left to pay: ${kr(50000)}.`).waitFor();
  await page.keyboard.press('Escape');
  await page.getByText('There are no payments to place.').waitFor();
  assert.deepEqual(await invoiceState(part), ['overdue', 50000]);
  await page.getByRole('button', { name: 'Svenska' }).click();
  assertNoPageErrors(page);
  await page.close();
});

test('a camt.054 file from the bank is previewed and booked like a BgMax file, and refused the second time', async () => {
  const k3 = await createCustomer(anna, app.fx.companyId, { name: 'Camt Kund AB' });
  const inv = await invoice(k3);
  const xml = Buffer.from(camt054({
    msgId: 'E2E-CAMT-1', created: '2026-03-03T06:00:00', account: { bankgiro: BANKGIRO },
    entries: [{ date: '2026-03-03', ref: 'E2E-CAMT-1-E1', txs: [{ amount: 125000, ocr: [ocrOf(inv.number)], name: 'Camt Kund AB' }] }],
  }), 'utf8');
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await openPayments(page);
  const before = bookedPayments();
  await chooseFile(page, 'camt054-20260303.xml', xml);
  const preview = page.locator('.pay-preview');
  await preview.getByRole('heading', { name: 'Förhandsgranskning – inget är bokfört ännu' }).waitFor();
  await preview.locator('tr', { hasText: `Faktura ${inv.number}` }).getByText('Betald').waitFor();
  assert.equal(bookedPayments(), before, 'the preview booked something');
  await page.getByRole('button', { name: 'Bokför' }).click();
  await page.getByRole('heading', { name: 'Filen är bokförd' }).waitFor();
  assert.deepEqual(await invoiceState(inv), ['paid', 0]);
  assert.equal(bookedPayments(), before + 1);

  await chooseFile(page, 'camt054-20260303.xml', xml);
  await page.locator('.pay-import .error-box').getByText('Ingenting har bokförts.').waitFor();
  assert.equal(bookedPayments(), before + 1);
  await assertAccessible(page, 'a camt.054 file refused the second time');
  assertNoPageErrors(page);
  await page.close();
});

test('a read-only user sees the payments to place, without import or buttons', async () => {
  const res = await anna.request('POST', `${C}/payments/bgmax`, undefined, {
    raw: bgmaxFile([{ code: 1, amount: 12300, name: 'Betalare Utan Referens' }], { stamp: '20260302071500000000', date: '20260302', serial: 3 }),
    headers: { 'Content-Type': 'text/plain' },
  });
  assert.equal(res.status, 200, res.text);
  const page = await newPage(browser.ctx);
  await login(page, app.base, 'lisa@example.se', 'hemligt123');
  await openPayments(page);
  await page.locator('.pay-held tbody tr', { hasText: 'Betalare Utan Referens' }).waitFor();
  await page.getByText('Du har bara läsbehörighet').waitFor();
  assert.equal(await page.locator('#bank-file').count(), 0);
  assert.equal(await page.locator('.pay-held button').count(), 0);
  await assertAccessible(page, 'the payments page for a read-only user');
  assertNoPageErrors(page);
  await page.close();
});
