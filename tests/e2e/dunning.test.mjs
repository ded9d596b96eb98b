/*
 * dunning.test.mjs — the reminder policy editor and the daily run in the
 * real browser against the real server: the defaults shown, a level added
 * and removed, a bad number refused with the field named and marked, the
 * policy saved; today's proposal with its totals and reasons, "Skicka"
 * with a confirmation, the run sent and its letters offered; then the run
 * in English at phone width.  Swedish at 1366 px, English at 390 px,
 * axe-core on every step, screenshots into docs/screenshots/.
 *
 * The clock: 2026-03-02.  Two invoices due 2026-02-14 (16 days overdue):
 * one whose customer has an e-mail address gets reminder 1; the other's
 * customer has none, so the run says "E-postadress saknas".
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
let withMail;
let noMail;

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

before(async () => {
  app = await startApp();
  anna = await app.fx.login();
  C = co(app.fx.companyId);
  assert.equal((await anna.patch(C, { reminder_fee_agreed: true, reminder_fee_minor: 6000 })).status, 200);
  withMail = await invoice(await createCustomer(anna, app.fx.companyId, { name: 'Astrid Ek', email: 'astrid@example.se' }));
  noMail = await invoice(await createCustomer(anna, app.fx.companyId, { name: 'Bo Utan Post', email: '' }));
  browser = await launchBrowser({ width: 1366, height: 900 });
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test('policy editor, Swedish: the defaults, a level added and removed, a refusal naming the field, saved', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.getByRole('link', { name: 'Påminnelsekörning' }).click();
  await page.getByRole('heading', { level: 1, name: 'Påminnelsekörning' }).waitFor();
  await page.getByRole('link', { name: 'Påminnelseregler' }).click();
  await page.getByRole('heading', { level: 1, name: 'Påminnelseregler' }).waitFor();
  const form = page.locator('#dunning-policy');
  await form.getByText('standardreglerna').waitFor();
  assert.equal(await form.locator('fieldset.dunning-level').count(), 1);
  assert.equal(await form.getByLabel('Antal dagar').inputValue(), '10');
  await assertAccessible(page, 'the policy editor');

  await form.getByLabel('Kör varje dag').check();
  await form.getByRole('button', { name: 'Lägg till påminnelse' }).click();
  const second = form.locator('fieldset.dunning-level').nth(1);
  await second.getByText('Påminnelse 2').waitFor();
  await second.getByLabel('Antal dagar').fill('7');
  await second.getByLabel('Skickas som').selectOption('letter');
  await second.getByLabel('Text i brevet (svenska)').fill('Vi har fortfarande inte fått betalt.');
  /* a first reminder on the due date itself is refused, the field named */
  await form.locator('fieldset.dunning-level').nth(0).getByLabel('Antal dagar').fill('0');
  await form.getByRole('button', { name: 'Spara' }).click();
  const err = form.locator('.error-box');
  await err.getByText('Antal dagar').waitFor();
  assert.equal(await form.locator('fieldset.dunning-level').nth(0).getByLabel('Antal dagar').getAttribute('aria-invalid'), 'true');
  await assertAccessible(page, 'the refusal');
  await form.locator('fieldset.dunning-level').nth(0).getByLabel('Antal dagar').fill('10');
  await form.getByRole('button', { name: 'Spara' }).click();
  await form.getByText('Påminnelsereglerna är sparade.').waitFor();
  await shot(page, 'dunning-policy', { fullPage: true });

  /* removed again and saved: one level */
  await second.getByRole('button', { name: 'Ta bort' }).click();
  assert.equal(await form.locator('fieldset.dunning-level').count(), 1);
  await form.locator('.saved').evaluate((el) => el.remove()); /* so the next notice is this save's */
  await form.getByRole('button', { name: 'Spara' }).click();
  await form.getByText('Påminnelsereglerna är sparade.').waitFor();
  assert.equal(await form.getByText('standardreglerna').count(), 0, 'the defaults note goes once saved');
  const stored = (await anna.get(`${C}/dunning/policy`)).body;
  assert.equal(stored.enabled, true);
  assert.deepEqual(stored.levels.map((l) => l.days), [10]);
  assertNoPageErrors(page);
  await page.close();
});

test('the run, Swedish: today\'s proposal with totals and reasons, Skicka, the letters', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.goto(`${app.base}/#/dunning`);
  await page.getByText('Ingen körning ännu.').waitFor();
  await page.getByRole('button', { name: 'Ta fram dagens förslag' }).click();
  const run = page.locator('section.dunning-run');
  await run.getByRole('heading', { name: 'Körning 2026-03-02' }).waitFor();
  await run.getByText('Förslag – väntar på att skickas').waitFor();
  assert.equal(await run.locator('[data-total="remind"] .stat-n').textContent(), '1');
  await run.locator('[data-reason="missing_email"]').getByText('E-postadress saknas: 1').waitFor();
  const rowOk = run.locator(`tr[data-invoice="${withMail.id}"]`);
  assert.equal(await rowOk.locator('td.action').textContent(), 'Påminnelse 1');
  assert.match(await run.locator(`tr[data-invoice="${noMail.id}"] td.reason`).textContent(), /E-postadress saknas/);
  await assertAccessible(page, 'the proposal');
  await shot(page, 'dunning-run', { fullPage: true });

  await run.getByRole('button', { name: 'Skicka' }).click();
  const dlg = page.getByRole('alertdialog', { name: 'Skicka körningen?' });
  await dlg.getByText('1 påminnelser skickas').waitFor();
  await dlg.getByRole('button', { name: 'Skicka' }).click();
  const sent = page.locator('section.dunning-run[data-state="done"]');
  await sent.getByText('Skickad', { exact: true }).waitFor();
  assert.equal(await sent.locator(`tr[data-invoice="${withMail.id}"] td.state`).textContent(), 'Klar');
  await sent.getByRole('link', { name: 'Skriv ut brev (PDF)' }).waitFor();
  await page.locator('section.past-runs').getByText('2026-03-02 – Skickad').waitFor();
  await assertAccessible(page, 'the run sent');
  await shot(page, 'dunning-run-sent', { fullPage: true });
  assert.equal(app.fx.count('reminders', `invoice_id = ${withMail.id} and level = 1`), 1);
  assert.equal(app.fx.count('reminders', `invoice_id = ${noMail.id}`), 0);
  assertNoPageErrors(page);
  await page.close();
});

test('phone width, English: the run reads as a page, the table scrolls in its own box', async () => {
  const page = await newPage(browser.ctx);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.getByRole('button', { name: 'English' }).click();
  await page.goto(`${app.base}/#/dunning`);
  const run = page.locator('section.dunning-run');
  await run.getByRole('heading', { name: 'Run of 2026-03-02' }).waitFor();
  await run.getByText('Sent', { exact: true }).waitFor();
  await run.locator('[data-reason="missing_email"]').getByText('E-mail address missing: 1').waitFor();
  await noSidewaysScroll(page, 'the run at 390 px');
  await assertAccessible(page, 'the run at phone width');
  await shot(page, 'dunning-run-phone', { fullPage: true });
  await page.goto(`${app.base}/#/dunning/policy`);
  await page.getByRole('heading', { level: 1, name: 'Reminder policy' }).waitFor();
  await noSidewaysScroll(page, 'the policy editor at 390 px');
  assertNoPageErrors(page);
  await page.close();
});
