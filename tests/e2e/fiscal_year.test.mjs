/*
 * fiscal_year.test.mjs — the fiscal year in the company settings, as an
 * owner meets it: a month select (Swedish and English), a broken year from
 * May saved while the company has no vouchers, and the change refused with
 * the API's message and the field marked once an invoice has been booked.
 * At 1366 px in Swedish and at 390 px in English, without horizontal
 * scrolling, and accessible by axe.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible } from './lib/axe.mjs';
import { assertNoPageErrors, launchBrowser, login, newPage, OWNER_EMAIL, OWNER_PASSWORD, startApp } from './lib/env.mjs';

let app;
let browser;
let companyPath;

before(async () => {
  app = await startApp();
  companyPath = `/api/v1/companies/${app.fx.companyId}`;
  browser = await launchBrowser({ width: 1366, height: 900 });
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

async function company(client) {
  const res = await client.get(companyPath);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

test('an owner sets a broken fiscal year from May; once an invoice is booked the month is fixed', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.goto(`${app.base}/#/settings`);
  const month = page.getByLabel('Räkenskapsåret börjar');
  await month.waitFor();
  assert.equal(await month.locator('option').count(), 12);
  assert.equal(await month.inputValue(), '1');
  assert.equal(await month.locator('option:checked').innerText(), 'januari');
  await page.getByText('maj ger brutet räkenskapsår 1 maj–30 april').waitFor();
  await assertAccessible(page, 'the settings with the fiscal year');

  await month.selectOption({ label: 'maj' });
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByText('Inställningarna är sparade.').waitFor();
  const api = await app.fx.login();
  assert.equal((await company(api)).fiscal_year_start_month, 5);

  /* An invoice books a voucher: from now on the fiscal year stays. */
  const cust = await api.post(`${companyPath}/customers`, {
    name: 'Kund AB', is_company: true, id_number: '556036-0793', address_line_1: 'Storgatan 1', zip_code: '722 15', city: 'Västerås', country: 'SE',
  });
  assert.equal(cust.status, 201, cust.text);
  const inv = await api.post(`${companyPath}/invoices`, {
    customer_id: cust.body.id, invoice_date: '2026-03-02', due_date: '2026-04-01',
    lines: [{ description: 'Arbete', quantity_milli: 1000, unit_price_minor: 100000, vat_rate_bp: 2500, labour: false }],
  });
  assert.equal(inv.status, 201, inv.text);
  await page.reload();
  await month.waitFor();
  assert.equal(await month.inputValue(), '5');
  await month.selectOption({ label: 'januari' });
  await page.getByRole('button', { name: 'Spara' }).click();
  const err = page.locator('main .error-box');
  await err.waitFor();
  assert.match(await err.innerText(), /Räkenskapsåret kan inte ändras när företaget har verifikationer/);
  assert.equal(await month.getAttribute('aria-invalid'), 'true');
  assert.equal((await company(api)).fiscal_year_start_month, 5);
  assertNoPageErrors(page);
  await page.close();
});

test('in English at 390 px: the months by name, the refusal in English, no sideways scrolling', async () => {
  const phone = await launchBrowser({ width: 390, height: 844 });
  try {
    const page = await newPage(phone.ctx);
    await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Customer invoices' }).waitFor();
    await page.goto(`${app.base}/#/settings`);
    const month = page.getByLabel('Fiscal year starts');
    await month.waitFor();
    assert.equal(await month.locator('option:checked').innerText(), 'May');
    assert.deepEqual((await month.locator('option').allInnerTexts()).slice(0, 3), ['January', 'February', 'March']);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      'the settings fit 390 px');
    await month.selectOption({ label: 'July' });
    await page.getByRole('button', { name: 'Save' }).click();
    const err = page.locator('main .error-box');
    await err.waitFor();
    assert.match(await err.innerText(), /The fiscal year cannot be changed once the company has vouchers/);
    assertNoPageErrors(page);
    await page.close();
  } finally {
    await phone.close();
  }
});
