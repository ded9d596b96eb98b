/*
 * webhooks.test.mjs — the webhook page under the company settings, as an
 * owner uses it, against a real receiver on 127.0.0.1 that checks the
 * signature (tests/webhooks/receiver.mjs) and refuses each event's first
 * try: add an endpoint (the secret shown once, copied with a button — the
 * receiver checks with what was copied), a payment's event delivered
 * after one refusal with the last answer in the list, sent again by hand
 * (the receiver gets the same event id again), the endpoint removed after
 * a confirmation.  An invoice whose due date passed shows "Förfallen"
 * in its history once the daily note ran.  English at phone width.  axe-core on the page;
 * screenshots webhooks-1366.png and webhooks-phone-en.png.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible } from './lib/axe.mjs';
import { assertNoPageErrors, assertStatus, co, launchBrowser, login, newPage, OWNER_EMAIL, OWNER_PASSWORD, shot, startApp } from './lib/env.mjs';
import { startReceiver } from '../webhooks/receiver.mjs';
import { DATA_DIR, createCustomer, createInvoice, line, paminn } from '../api/lib/server.mjs';

let app;
let browser;
let rx;

before(async () => {
  rx = await startReceiver({ refuse: 1 });
  app = await startApp({ extraArgs: ['--webhook-allow-http-loopback', '--webhook-retry-seconds', '1'] });
  browser = await launchBrowser({ width: 1366, height: 900 });
  await browser.ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.base });
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await rx?.stop();
});

/* A payment on a new invoice, made over the API: one payment.received. */
async function payment() {
  const anna = await app.fx.login();
  const C = co(app.fx.companyId);
  const cu = await createCustomer(anna, app.fx.companyId, { name: 'Örjan Ängström' });
  const inv = await createInvoice(anna, app.fx.companyId, cu.id, {
    invoice_date: '2026-01-15', due_date: '2026-02-14', lines: [line(250000, { description: 'Målning' })],
  });
  assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-03-02', amount_minor: 100000 }), 201);
  return inv;
}

/* Reload until the first delivery row is in `state`. */
async function rowIn(page, state) {
  const row = page.locator('table.webhook-table tbody tr').first();
  for (let i = 0; i < 60; i++) {
    await page.reload();
    await page.getByRole('heading', { level: 1, name: /Webhooks/ }).waitFor();
    if ((await row.count()) && (await row.getAttribute('data-state')) === state) return row;
    await page.waitForTimeout(500);
  }
  assert.fail(`no delivery ${state}: ${await page.locator('div.webhook-deliveries').textContent()}`);
}

test('an owner adds an endpoint, sees a delivery with its last answer, sends it again and removes the endpoint', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.goto(`${app.base}/#/settings`);
  await page.getByRole('link', { name: 'Webhooks: meddela andra system vad som händer' }).click();
  await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
  await page.getByText('Det finns inga mottagare ännu.').waitFor();

  /* a plain http:// address elsewhere is refused, the field named */
  await page.getByLabel('Adress (https://)').fill('http://example.se/hook');
  await page.getByRole('button', { name: 'Lägg till mottagare' }).click();
  await page.locator('.error-box:not([hidden])').first().waitFor();
  assert.equal(await page.getByLabel('Adress (https://)').getAttribute('aria-invalid'), 'true');

  await page.getByLabel('Adress (https://)').fill(rx.url);
  await page.getByLabel('Kundförlust').uncheck();
  await page.getByRole('button', { name: 'Lägg till mottagare' }).click();
  await page.getByRole('heading', { name: `Mottagaren ${rx.url} är tillagd` }).waitFor();
  const secret = await page.getByLabel('Signeringshemlighet').inputValue();
  assert.match(secret, /^whsec_[0-9a-f]{64}$/);
  await page.getByRole('button', { name: 'Kopiera' }).click();
  await page.getByText('Hemligheten är kopierad.').waitFor();
  rx.secret = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(rx.secret, secret);
  const item = page.locator('li.webhook', { hasText: rx.url });
  await item.getByText('Betalning mottagen').waitFor();
  assert.ok(!(await item.textContent()).includes('Kundförlust'));

  await payment();
  const row = await rowIn(page, 'delivered');
  assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again');
  await row.getByText('Levererad').waitFor();
  assert.match(await row.locator('td.webhook-answer').textContent(), /^200 ok$/);
  assert.equal(rx.badSignatures, 0);
  assert.equal(rx.accepted.length, 1);
  await assertAccessible(page, 'the webhook page with a delivery');
  await shot(page, 'webhooks-1366', { fullPage: true });

  await row.getByRole('button', { name: 'Skicka igen' }).click();
  for (let i = 0; i < 60 && rx.accepted.length < 2; i++) await page.waitForTimeout(250);
  assert.equal(rx.accepted.length, 2, 'sent again');
  assert.equal(rx.accepted[1].id, rx.accepted[0].id, 'with the same event id');

  await item.getByRole('button', { name: `Ta bort mottagaren ${rx.url}` }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Ta bort mottagaren?' });
  await dialog.getByText('får inga fler händelser').waitFor();
  await dialog.getByRole('button', { name: 'Ta bort' }).click();
  await page.getByText('Det finns inga mottagare ännu.').waitFor();
  assertNoPageErrors(page);
  await page.close();
});

test('an invoice that fell due shows "Förfallen" in its history, once', async () => {
  const anna = await app.fx.login();
  const cu = await createCustomer(anna, app.fx.companyId, { name: 'Ylva Östlund' });
  const inv = await createInvoice(anna, app.fx.companyId, cu.id, {
    invoice_date: '2026-02-02', due_date: '2026-03-02', lines: [line(120000, { description: 'Snickeri' })],
  });
  /* the daily run of today (the due date) and of the next two days */
  for (const day of ['2026-03-02', '2026-03-03', '2026-03-04']) {
    paminn(['--db', app.fx.db, '--now', `${day}T07:00:00Z`, '--data-dir', DATA_DIR, 'dunning', 'run', '--company', String(app.fx.companyId)]);
  }
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.goto(`${app.base}/#/invoices/${inv.number}`);
  const overdue = page.locator('ol.timeline li[data-kind="overdue"]');
  await overdue.waitFor();
  assert.equal(await overdue.count(), 1);
  const text = await overdue.innerText();
  assert.match(text, /Förfallen/);
  assert.match(text, /Förfallodagen 2026-03-02 passerade utan full betalning\./);
  assertNoPageErrors(page);
  await page.close();
});

test('English at phone width: the webhook page', async () => {
  const phone = await launchBrowser({ width: 390, height: 844 });
  try {
    const page = await newPage(phone.ctx);
    await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
    await page.evaluate(() => localStorage.setItem('paminn.lang', 'en'));
    await page.goto(`${app.base}/#/settings/webhooks`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    await page.getByRole('button', { name: 'Add endpoint' }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
    await assertAccessible(page, 'the webhook page, English, phone');
    await shot(page, 'webhooks-phone-en', { fullPage: true });
    assertNoPageErrors(page);
  } finally {
    await phone.close();
  }
});
