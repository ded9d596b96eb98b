/*
 * statement.test.mjs — the customer statement (kontoutdrag) in the real
 * browser against the real server and a real SMTP server
 * (tests/lib/smtp_sink.py): on the customer card "Kontoutdrag" previews
 * the totals and the open invoices as of today, the PDF downloads as a
 * PDF, "Skicka med e-post" queues it and it arrives at the sink with the
 * PDF attached, and the "E-post" view lists it.  In English at phone
 * width: another date and period, a period ending before it starts
 * refused at the field, and no e-mail offered for a customer without an
 * address.  Swedish at 1366 px, English at 390 px, axe-core on each;
 * screenshots statement-1366.png and statement-phone-en.png.
 *
 * Today is 2026-03-02 (env.mjs NOW).  1 250,00 kr due 2026-01-15: 46 days
 * at 10 % (reference rate 2,00 % + 8) → 1 250 × 0,10 × 46 / 365 = 15,75 kr.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createCustomer, line } from '../api/lib/server.mjs';
import { startSink } from '../lib/smtp.mjs';
import { assertAccessible } from './lib/axe.mjs';
import { assertNoPageErrors, co, kr, launchBrowser, login, newPage, OWNER_EMAIL, OWNER_PASSWORD, shot, startApp } from './lib/env.mjs';

let sink;
let app;
let browser;
let anna;
let C;
let asa;
let oliver;
const inv = {};

async function invoice(customer, dueDate, net) {
  const res = await anna.post(`${C}/invoices`, {
    customer_id: customer.id, invoice_date: '2025-12-16', due_date: dueDate, lines: [line(net)],
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/* öre × rate % × days / 365, rounded half away from zero */
const interest = (ore, pct, days) => Math.round((ore * pct * days) / 36500);

before(async () => {
  sink = await startSink();
  app = await startApp({ extraArgs: ['--smtp-url', sink.url, '--smtp-from', 'kontoutdrag@example.se'] });
  anna = await app.fx.login();
  C = co(app.fx.companyId);
  await anna.patch(C, { bankgiro: '991-2346', email: 'faktura@example.se' });
  asa = await createCustomer(anna, app.fx.companyId, { name: 'Åsa Öberg', email: 'asa@example.se' });
  inv.asa = await invoice(asa, '2026-01-15', 100000);
  oliver = await createCustomer(anna, app.fx.companyId, { name: 'Oliver Smith Ltd', email: '', language: 'en', country: 'GB', zip_code: 'SW1A 1AA', city: 'London' });
  inv.o1 = await invoice(oliver, '2026-01-31', 200000);
  inv.o2 = await invoice(oliver, '2026-02-28', 40000);
  browser = await launchBrowser({ width: 1366, height: 900 });
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await sink?.stop();
});

test('customer card, Swedish: preview the statement, download the PDF, send it by e-mail', async () => {
  const want = 125000 + interest(125000, 10, 46);
  assert.equal(want, 126575);
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.goto(`${app.base}/#/customers/${asa.id}`);
  const section = page.locator('section.customer-statement');
  await section.getByRole('heading', { name: 'Kontoutdrag' }).waitFor();
  await section.getByRole('button', { name: 'Kontoutdrag' }).click();
  const totals = section.locator('table.statement-totals');
  await totals.getByText('Per 2026-03-02: 1 obetalda fakturor').waitFor();
  assert.equal(await totals.locator('tr.total td').textContent(), kr(want));
  assert.equal(await section.getByLabel('Per datum').inputValue(), '2026-03-02');
  assert.equal(await section.getByLabel('Period från').inputValue(), '2025-12-03');
  const row = section.locator(`table.statement-items tr[data-invoice="${inv.asa.number}"]`);
  assert.match(await row.textContent(), /15,75\u00a0kr/);
  await assertAccessible(page, 'the customer card with its statement');
  await shot(page, 'statement-1366', { fullPage: true });

  const href = await section.getByRole('link', { name: 'Ladda ned PDF' }).getAttribute('href');
  const pdf = await page.request.get(app.base + href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.match(pdf.headers()['content-disposition'], /kontoutdrag-\d+-2026-03-02\.pdf/);

  await section.getByRole('button', { name: 'Skicka med e-post' }).click();
  await section.getByText('Kontoutdraget är köat för e-post till asa@example.se.').waitFor();
  const [msg] = await sink.arrived((m) => /asa@example\.se/.test(m.headers.to ?? ''));
  assert.equal(msg.subject, 'Kontoutdrag från Testbolaget AB per 2026-03-02');
  assert.ok(msg.parts.some((p) => /application\/pdf/.test(p.headers['content-type'] ?? '')), 'the PDF attached');

  await page.goto(`${app.base}/#/mails`);
  await page.getByRole('link', { name: 'Kontoutdrag: Åsa Öberg' }).waitFor();
  assertNoPageErrors(page);
  await page.close();
});

test('phone width, English: another date and period, a bad period refused, no e-mail without an address', async () => {
  const page = await newPage(browser.ctx);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Customer invoices' }).waitFor();
  await page.goto(`${app.base}/#/customers/${oliver.id}`);
  const section = page.locator('section.customer-statement');
  await section.getByRole('button', { name: 'Statement' }).click();
  await section.locator('table.statement-totals').getByText('As of 2026-03-02: 2 open invoices').waitFor();
  await section.getByText('The customer has no e-mail address: download the PDF instead.').waitFor();
  assert.equal(await section.getByRole('button', { name: 'Send by e-mail' }).count(), 0);

  await section.getByLabel('Period from').fill('2026-02-20');
  await section.getByLabel('Period to').fill('2026-02-10');
  await section.getByRole('button', { name: 'Show' }).click();
  await section.locator('.error-box').waitFor({ state: 'visible' });
  assert.equal(await section.getByLabel('Period from').getAttribute('aria-invalid'), 'true');

  /* as of 2026-02-20 only the first is overdue: 20 days at 10 % on 2 500 kr */
  await section.getByLabel('As of').fill('2026-02-20');
  await section.getByLabel('Period from').fill('2026-01-01');
  await section.getByLabel('Period to').fill('2026-02-20');
  await section.getByRole('button', { name: 'Show' }).click();
  const total = 250000 + 50000 + interest(250000, 10, 20);
  await section.locator('table.statement-totals').getByText('As of 2026-02-20: 2 open invoices').waitFor();
  assert.equal(await section.locator('table.statement-totals tr.total td').textContent(), kr(total));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the customer card scrolls sideways by ${overflow}px`);
  await assertAccessible(page, 'the statement at phone width');
  await shot(page, 'statement-phone-en', { fullPage: true });
  assertNoPageErrors(page);
  await page.close();
});
