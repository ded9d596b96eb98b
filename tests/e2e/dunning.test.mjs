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
 *
 * A second Påminn (its own database, sending to a real SMTP sink) has an
 * e-mail-only policy: a customer's own policy set on the customer card
 * (the same editor), refused and corrected, saved; that day's run by
 * e-mail offers no letters to print, on the run or in the past runs, says
 * why the disputed invoice gets nothing, and its e-mail is in the E-post
 * view; then in English at phone width the customer's policy is removed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createCustomer, line } from '../api/lib/server.mjs';
import { startSink } from '../lib/smtp.mjs';
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
  await mailApp?.stop();
  await sink?.stop();
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
  /* a run with letters links them in the past runs too */
  await page.locator('section.past-runs').getByRole('link', { name: 'Brev (PDF)' }).waitFor();
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

/* ---- the second Påminn: e-mail only, a customer's own policy ---- */

let sink;
let mailApp;
let bo; /* the mail app's owner client */
let MC;
let cecilia;
let ceciliaInv;
let disputedInv;

async function setUpMailApp() {
  if (mailApp) return;
  sink = await startSink();
  mailApp = await startApp({ extraArgs: ['--smtp-url', sink.url, '--smtp-from', 'paminnelser@example.se', '--smtp-retry-seconds', '1'] });
  bo = await mailApp.fx.login();
  MC = co(mailApp.fx.companyId);
  assert.equal((await bo.patch(MC, { reminder_fee_agreed: true, reminder_fee_minor: 6000, email: 'faktura@example.se' })).status, 200);
  cecilia = await createCustomer(bo, mailApp.fx.companyId, { name: 'Cecilia Mejl', email: 'cecilia@example.se' });
  const doris = await createCustomer(bo, mailApp.fx.companyId, { name: 'Doris Tvist', email: 'doris@example.se' });
  const make = async (c) => {
    const res = await bo.post(`${MC}/invoices`, { customer_id: c.id, invoice_date: '2026-01-15', due_date: '2026-02-14', lines: [line(100000)] });
    assert.equal(res.status, 201, res.text);
    return res.body;
  };
  ceciliaInv = await make(cecilia);
  disputedInv = await make(doris);
  assert.equal((await bo.put(`${MC}/invoices/${disputedInv.id}/reminder-stop`, { kind: 'dispute', text: 'Fel antal timmar' })).status, 200);
  assert.equal((await bo.put(`${MC}/dunning/policy`, {
    enabled: true, approval: 'manual', final_step: 'none', levels: [{ days: 10, fee: true, channel: 'email' }],
  })).status, 200);
}

test('the customer card, Swedish: the customer follows the company\'s rules, gets its own (the same editor), a refusal names the field, saved', async () => {
  await setUpMailApp();
  const page = await newPage(browser.ctx);
  await login(page, mailApp.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.goto(`${mailApp.base}/#/customers/${cecilia.id}`);
  const area = page.locator('section.customer-policy');
  await area.getByRole('heading', { level: 2, name: 'Påminnelseregler för kunden' }).waitFor();
  await area.getByText('Kunden följer företagets påminnelseregler.').waitFor();
  await area.getByRole('button', { name: 'Egna regler för kunden' }).click();
  const form = area.locator('#customer-policy');
  await form.waitFor();
  /* prefilled with the company's policy; the run's switches are the company's */
  assert.equal(await form.locator('fieldset.dunning-level').count(), 1);
  assert.equal(await form.getByLabel('Antal dagar').inputValue(), '10');
  assert.equal(await form.getByLabel('Skickas som').inputValue(), 'email');
  assert.equal(await form.getByLabel('Kör varje dag').count(), 0);
  assert.equal(await form.getByLabel('Godkännande').count(), 0);
  await form.getByLabel('Antal dagar').fill('0');
  await form.getByRole('button', { name: 'Spara' }).click();
  await form.locator('.error-box').getByText('Antal dagar').waitFor();
  assert.equal(await form.getByLabel('Antal dagar').getAttribute('aria-invalid'), 'true');
  assert.equal((await bo.get(`${MC}/customers/${cecilia.id}/dunning-policy`)).body.stored, false, 'a refusal stores nothing');
  await form.getByLabel('Antal dagar').fill('5');
  await form.getByRole('button', { name: 'Lägg till påminnelse' }).click();
  await form.locator('fieldset.dunning-level').nth(1).getByLabel('Antal dagar').fill('7');
  await form.locator('fieldset.dunning-level').nth(1).getByLabel('Skickas som').selectOption('email');
  await form.getByRole('button', { name: 'Spara' }).click();
  await area.getByText('Kundens påminnelseregler är sparade.').waitFor();
  await area.getByText('Kunden har egna påminnelseregler i stället för företagets.').waitFor();
  const stored = (await bo.get(`${MC}/customers/${cecilia.id}/dunning-policy`)).body;
  assert.equal(stored.stored, true);
  assert.deepEqual(stored.levels.map((l) => [l.days, l.channel]), [[5, 'email'], [7, 'email']]);
  /* the company's own policy is untouched */
  assert.deepEqual((await bo.get(`${MC}/dunning/policy`)).body.levels.map((l) => l.days), [10]);
  await assertAccessible(page, 'the customer\'s policy');
  await area.scrollIntoViewIfNeeded();
  await shot(page, 'customer-policy-1366', { fullPage: true });
  assertNoPageErrors(page);
  await page.close();
});

test('a run by e-mail only, Swedish: no letters to print, the disputed invoice says why, the e-mail in the E-post view', async () => {
  await setUpMailApp();
  const page = await newPage(browser.ctx);
  await login(page, mailApp.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.goto(`${mailApp.base}/#/dunning`);
  await page.getByRole('button', { name: 'Ta fram dagens förslag' }).click();
  const run = page.locator('section.dunning-run');
  await run.getByText('Förslag – väntar på att skickas').waitFor();
  assert.equal(await run.locator(`tr[data-invoice="${ceciliaInv.id}"] td.action`).textContent(), 'Påminnelse 1');
  assert.equal(await run.locator(`tr[data-invoice="${ceciliaInv.id}"] td:nth-child(7)`).textContent(), 'E-post');
  assert.match(await run.locator(`tr[data-invoice="${disputedInv.id}"] td.reason`).textContent(), /Bestridd/);
  await run.getByRole('button', { name: 'Skicka' }).click();
  await page.getByRole('alertdialog', { name: 'Skicka körningen?' }).getByRole('button', { name: 'Skicka' }).click();
  const sent = page.locator('section.dunning-run[data-state="done"]');
  await sent.getByText('Skickad', { exact: true }).waitFor();
  await page.locator('section.past-runs').getByText('2026-03-02 – Skickad').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Skriv ut brev (PDF)' }).count(), 0, 'no letters on the run');
  assert.equal(await page.locator('section.past-runs a.run-letters').count(), 0, 'no letters in the past runs');
  const runs = (await bo.get(`${MC}/dunning/runs`)).body.runs;
  assert.equal(runs[0].letters_url, null);
  assert.equal((await bo.get(`${MC}/dunning/runs/${runs[0].id}/letters.pdf`)).status, 404);
  await assertAccessible(page, 'the e-mail run sent');
  await shot(page, 'dunning-run-email', { fullPage: true });

  /* the e-mail arrives, and the E-post view lists it as sent */
  const [m] = await sink.arrived((x) => /<cecilia@example\.se>$/.test(x.headers.to));
  assert.ok(m.subject.includes(`faktura ${ceciliaInv.number} `), m.subject);
  assert.equal(sink.messages().filter((x) => /doris@/.test(x.headers.to)).length, 0, 'nothing to the disputed invoice');
  await page.getByRole('link', { name: 'E-post' }).click();
  await page.getByRole('heading', { level: 1, name: 'E-post' }).waitFor();
  /* the sink has it, so the outbox said sent before (recorded before the end of DATA) */
  const row = page.locator('table.mails-table tbody tr[data-state=sent]');
  await row.getByRole('link', { name: String(ceciliaInv.number) }).waitFor();
  assert.equal(await row.count(), 1);
  assertNoPageErrors(page);
  await page.close();
});

test('phone width, English: the customer\'s own policy shown and removed; the company\'s holds again', async () => {
  await setUpMailApp();
  const page = await newPage(browser.ctx);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, mailApp.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.getByRole('button', { name: 'English' }).click();
  await page.goto(`${mailApp.base}/#/customers/${cecilia.id}`);
  const area = page.locator('section.customer-policy');
  await area.getByRole('heading', { level: 2, name: 'Reminder policy for this customer' }).waitFor();
  await area.getByText('This customer has its own reminder policy instead of the company\'s.').waitFor();
  assert.equal(await area.locator('fieldset.dunning-level').count(), 2);
  await noSidewaysScroll(page, 'the customer card with its policy at 390 px');
  await assertAccessible(page, 'the customer\'s policy at phone width');
  await shot(page, 'customer-policy-phone-en', { fullPage: true });
  await area.getByRole('button', { name: 'Remove the customer\'s rules' }).click();
  await area.getByText('The customer\'s rules are removed; the company\'s policy holds.').waitFor();
  await area.getByText('This customer follows the company\'s reminder policy.').waitFor();
  assert.equal(await area.locator('#customer-policy').count(), 0);
  assert.equal((await bo.get(`${MC}/customers/${cecilia.id}/dunning-policy`)).body.stored, false);
  assertNoPageErrors(page);
  await page.close();
});
