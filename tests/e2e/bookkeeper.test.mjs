/*
 * bookkeeper.test.mjs — the web UI as a Swedish small-business owner meets
 * it, in Swedish and in English, at a laptop's 1366 px and a phone's 390 px:
 * refusals in plain words naming the field as the form labels it (codes
 * only under "Detaljer"), customer losses that show on the invoice and in
 * the list, screens that follow an action without a reload, only the
 * actions that can succeed, a selection kept across searches, the wording,
 * and an axe-core accessibility check of every main view.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertNoPageErrors, co, DEMO_EMAIL, DEMO_PASSWORD, launchBrowser, login, newPage, shot, startApp,
} from './lib/env.mjs';
import { assertAccessible } from './lib/axe.mjs';

/* The two ways a test looks at the UI: Swedish on a laptop, English on a phone. */
const VIEWS = [
  { lang: 'sv', width: 1366, height: 900, tag: '1366' },
  { lang: 'en', width: 390, height: 844, tag: 'phone-en' },
];

const W = {
  sv: {
    failed: 'Det gick inte:', details: 'Detaljer', actions: /Åtgärder/, save: 'Spara', create: 'Skapa faktura',
    price1: 'à-pris (kr) 1', qty1: 'Antal 1', desc1: 'Beskrivning 1', customer: 'Kund', search: 'Sök kund',
    linePrice: 'Rad 1, à-pris (kr):', badAmount: 'Ange ett belopp', outOfRange: 'Värdet är utanför tillåtet intervall.',
  },
  en: {
    failed: 'That did not work:', details: 'Details', actions: /Actions/, save: 'Save', create: 'Create invoice',
    price1: 'Unit price (SEK) 1', qty1: 'Quantity 1', desc1: 'Description 1', customer: 'Customer', search: 'Search customer',
    linePrice: 'Line 1, unit price (SEK):', badAmount: 'Enter an amount', outOfRange: 'The value is out of the allowed range.',
  },
};

let app;
let browser;
let api;
let cid;

before(async () => {
  app = await startApp({ setup: (fx) => fx.cli(['demo-data', '--password', DEMO_PASSWORD]) });
  api = await app.fx.login(DEMO_EMAIL, DEMO_PASSWORD);
  cid = api.session.companies[0].id;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/* A logged-in page at the view's width, in its language. */
async function open(v) {
  const page = await newPage(browser.ctx);
  await page.setViewportSize({ width: v.width, height: v.height });
  await login(page, app.base, DEMO_EMAIL, DEMO_PASSWORD);
  if (v.lang === 'en') {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Customer invoices' }).waitFor();
  }
  return page;
}

async function noSideScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px`);
}

for (const v of VIEWS) {
  const w = W[v.lang];

  test(`errors in plain words naming the field as the form labels it, codes under details (${v.tag})`, async () => {
    const page = await open(v);
    const customer = (await api.get(`${co(cid)}/customers?limit=1`)).body.items[0];
    await page.goto(`${app.base}/#/invoices/new`);
    await page.getByLabel(w.search).fill(customer.name);
    await page.waitForFunction((id) => [...document.querySelectorAll('#customer_id option')].some((o) => o.value === String(id)), customer.id);
    await page.getByLabel(w.customer, { exact: true }).selectOption(String(customer.id));
    await page.getByLabel(w.desc1).fill('Konsulttimmar');
    /* The form's own check: the line and the column are named, the cell is marked. */
    await page.getByLabel(w.price1).fill('tusen');
    await page.getByRole('button', { name: w.create }).click();
    const box = page.locator('main .error-box');
    await box.waitFor();
    let text = await box.innerText();
    assert.ok(text.startsWith(`${w.failed} ${w.linePrice} ${w.badAmount}`), text);
    assert.equal(await page.getByLabel(w.price1).getAttribute('aria-invalid'), 'true');
    /* The server's refusal: the same naming, no JSON names or HTTP codes on screen. */
    await page.getByLabel(w.qty1).fill('1000000');
    await page.getByLabel(w.price1).fill('9000000000000');
    await page.getByRole('button', { name: w.create }).click();
    await page.waitForFunction(() => /HTTP 422/.test(document.querySelector('main .error-box .err-code')?.textContent ?? ''));
    text = await box.innerText();
    assert.equal(text.split('\n')[0], `${w.failed} ${w.linePrice} ${w.outOfRange}`);
    for (const word of ['unit_price_minor', 'quantity_milli', 'fält:', 'field:', 'HTTP', 'out_of_range']) {
      assert.ok(!text.includes(word), `"${word}" on screen: ${text}`);
    }
    assert.equal(await page.getByLabel(w.price1).getAttribute('aria-invalid'), 'true');
    await box.getByText(w.details).click();
    assert.match(await box.innerText(), /HTTP 422 · out_of_range · lines\[0\]\.unit_price_minor/);
    await noSideScroll(page, 'the new invoice form');
    await shot(page, `error-plain-${v.tag}`, { fullPage: true });
    await assertAccessible(page, 'the new invoice form with an error');
    assertNoPageErrors(page);
    await page.close();
  });
}
