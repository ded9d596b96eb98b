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
import { OWNER, Stack } from '../amili/lib/stack.mjs';

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
    overdueTab: /^Förfallna/, lossTab: /^Kundförlust/, expectedBadge: 'Befarad kundförlust', interestStopped: 'Ingen – kundförlust registrerad',
    reminder: 'Skicka manuell påminnelse', lossItem: 'Registrera kundförlust', expectedKind: 'Befarad kundförlust',
    confirmedKind: 'Konstaterad kundförlust', alreadyExpected: 'En befarad kundförlust är redan registrerad',
    close: 'Stäng', writtenOff: 'Avskriven som kundförlust', writtenOffBadge: 'Avskriven (kundförlust)', remaining: 'Kvar att betala',
    daysOverdue: 'Dagar förfallen', lossDone: /Kundförlusten på faktura \d+ är registrerad/,
    banner: 'Påminnelsehantering via Visma Amili är inte aktiverad', activate: 'Aktivera påminnelsehantering',
    accept: /Jag har läst och godkänner villkoren/, activated: 'Klart – påminnelsehanteringen är aktiverad',
    amiliItem: 'Skicka påminnelse via Visma Amili', search: 'Sök', notSendable: /kan inte skickas/,
    selected2: /^2 fakturor markerade, 2\u00a0750,00\u00a0kr \(1 av dem syns inte i listan just nu\)$/,
    selected2all: /^2 fakturor markerade, 2\u00a0750,00\u00a0kr$/, sekOnly: 'Endast fakturor i svenska kronor (SEK)',
  },
  en: {
    failed: 'That did not work:', details: 'Details', actions: /Actions/, save: 'Save', create: 'Create invoice',
    price1: 'Unit price (SEK) 1', qty1: 'Quantity 1', desc1: 'Description 1', customer: 'Customer', search: 'Search customer',
    linePrice: 'Line 1, unit price (SEK):', badAmount: 'Enter an amount', outOfRange: 'The value is out of the allowed range.',
    overdueTab: /^Overdue/, lossTab: /^Written off/, expectedBadge: 'Expected customer loss', interestStopped: 'None – customer loss registered',
    reminder: 'Send manual reminder', lossItem: 'Register customer loss', expectedKind: 'Expected customer loss',
    confirmedKind: 'Confirmed customer loss', alreadyExpected: 'An expected customer loss is already registered',
    close: 'Close', writtenOff: 'Written off as a customer loss', writtenOffBadge: 'Written off (customer loss)', remaining: 'Remaining',
    daysOverdue: 'Days overdue', lossDone: /The customer loss on invoice \d+ is registered/,
    banner: 'Reminder handling via Visma Amili is not activated', activate: 'Activate reminder handling',
    accept: /I have read and accept the terms/, activated: 'Done – reminder handling is activated',
    amiliItem: 'Send reminder via Visma Amili', search: 'Search', notSendable: /cannot be sent/,
    selected2: /^2 invoices selected, 2\u00a0750,00\u00a0kr \(1 of them is not in the list right now\)$/,
    selected2all: /^2 invoices selected, 2\u00a0750,00\u00a0kr$/, sekOnly: 'Only invoices in Swedish kronor (SEK)',
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

/* Overdue invoices not with the agency, in number order: each test takes its own. */
async function overdueInvoices() {
  const items = (await api.get(`${co(cid)}/invoices?status=overdue&sort=number&limit=200`)).body.items;
  return items.filter((i) => !i.amili && i.currency === 'SEK' && i.kind === 'standard');
}

VIEWS.forEach((v, k) => {
  const w = W[v.lang];

  test(`losses that show: expected loss badge, interest stopped, only a confirmed loss offered; written off with the tab counting it (${v.tag})`, async () => {
    const inv = (await overdueInvoices())[10 + k];
    const res = await api.post(`${co(cid)}/invoices/${inv.id}/customer-loss`, { kind: 'expected', date: '2026-03-01' });
    assert.equal(res.status, 201, res.text);
    const before = (await api.get(`${co(cid)}/invoices/counts`)).body;
    const page = await open(v);
    await page.goto(`${app.base}/#/invoices?status=overdue&sort=number`);
    const row = page.locator(`tr.inv-row[data-id="${inv.id}"]`);
    await row.locator('button.expand').click();
    const detail = page.locator(`#detail-${inv.id} .detail`);
    await detail.waitFor();
    let text = await detail.innerText();
    assert.match(text, new RegExp(w.expectedBadge));
    assert.ok(text.includes(w.interestStopped), text);
    await detail.getByRole('button', { name: w.actions }).click();
    const items = await detail.getByRole('menu').getByRole('menuitem').allInnerTexts();
    assert.ok(!items.includes(w.reminder), items.join());
    await detail.getByRole('menuitem', { name: w.lossItem }).click();
    const dlg = page.getByRole('dialog', { name: new RegExp(w.lossItem) });
    await dlg.waitFor();
    assert.ok((await dlg.innerText()).includes(w.alreadyExpected));
    assert.equal(await dlg.getByLabel(w.expectedKind, { exact: true }).count(), 0);
    assert.equal(await dlg.getByLabel(w.confirmedKind, { exact: true }).isChecked(), true);
    await shot(page, `loss-confirm-${v.tag}`);
    await assertAccessible(page, 'the customer loss dialog');
    await dlg.getByRole('button', { name: w.lossItem }).click();
    await dlg.getByText(w.lossDone).waitFor();
    await dlg.getByRole('button', { name: w.close }).first().click();
    await dlg.waitFor({ state: 'detached' });
    /* Without a reload: the detail, the row's badge and the tab's count follow. */
    await detail.getByText(w.writtenOff).waitFor();
    text = await detail.innerText();
    assert.ok(!text.includes(w.remaining) && !text.includes(w.daysOverdue), text);
    assert.ok(text.includes(w.interestStopped), text);
    await page.waitForFunction(([id, b]) => document.querySelector(`tr.inv-row[data-id="${id}"] td.status`)?.textContent.includes(b), [inv.id, w.writtenOffBadge]);
    await page.waitForFunction((n) => document.querySelector('[data-count="written_off"]')?.textContent === `(${n})`, before.written_off + 1);
    await page.waitForFunction((n) => document.querySelector('[data-count="overdue"]')?.textContent === `(${n})`, before.overdue - 1);
    await shot(page, `loss-written-off-${v.tag}`);
    await assertAccessible(page, 'the invoice list with a written-off invoice');
    assertNoPageErrors(page);
    await page.close();
  });
});

VIEWS.forEach((v) => {
  const w = W[v.lang];

  test(`fresh screens and nothing offered that would fail: the banner goes on activation, no Visma Amili for EUR, no ticking a handed-over invoice, the selection kept across searches (${v.tag})`, async () => {
    const stack = await new Stack({ now: '2025-06-16' }).init();
    try {
      const cust = await stack.customer({ name: 'Erik Ek' });
      const other = await stack.customer({ name: 'Olle Olsson', email: 'olle@example.se' });
      const a = await stack.invoice(cust.id);
      const b = await stack.invoice(cust.id, { lines: [{ description: 'Dörr', quantity_milli: 1000, unit_price_minor: 120000, vat_rate_bp: 2500, labour: false }] });
      const c = await stack.invoice(other.id);
      const eur = await stack.invoice(cust.id, { currency: 'EUR' });
      const page = await newPage(browser.ctx, '2025-06-16');
      await page.setViewportSize({ width: v.width, height: v.height });
      await login(page, stack.base, OWNER.email, OWNER.password);
      if (v.lang === 'en') await page.getByRole('button', { name: 'English' }).click();
      await page.getByText(w.banner).waitFor();
      await assertAccessible(page, 'the invoice list before activation');

      /* Activation from an invoice's menu: the banner above the list goes at once. */
      const row = page.locator(`tr.inv-row[data-id="${a.id}"]`);
      await row.locator('button.expand').click();
      const detail = page.locator(`#detail-${a.id} .detail`);
      await detail.getByRole('button', { name: w.actions }).click();
      await detail.getByRole('menuitem', { name: w.activate }).click();
      const dlg = page.getByRole('dialog', { name: w.activate });
      await dlg.getByLabel(w.accept).check();
      await dlg.getByRole('button', { name: w.activate }).click();
      await dlg.getByRole('heading', { name: w.activated }).waitFor();
      await dlg.getByRole('button', { name: w.close }).first().click();
      await dlg.waitFor({ state: 'detached' });
      await page.getByText(w.banner).waitFor({ state: 'detached' });
      assert.equal(await page.locator('#banner-activate').count(), 0);

      /* A EUR invoice: no hand-over offered, the reason said. */
      const eurRow = page.locator(`tr.inv-row[data-id="${eur.id}"]`);
      await eurRow.locator('button.expand').click();
      const eurDetail = page.locator(`#detail-${eur.id} .detail`);
      await eurDetail.getByText(w.sekOnly).waitFor();
      await eurDetail.getByRole('button', { name: w.actions }).click();
      const items = await eurDetail.getByRole('menu').getByRole('menuitem').allInnerTexts();
      assert.ok(!items.includes(w.amiliItem) && !items.includes(w.activate), items.join());
      await page.keyboard.press('Escape');

      /* A handed-over invoice cannot be ticked for another send. */
      const h = await stack.handover([a.id]);
      assert.equal(h.status, 202, h.text);
      await page.reload();
      await page.locator(`tr.inv-row[data-id="${b.id}"]`).waitFor();
      const boxA = page.locator(`tr.inv-row[data-id="${a.id}"] input.row-check`);
      assert.equal(await boxA.isDisabled(), true);
      assert.match(await boxA.getAttribute('aria-label'), w.notSendable);

      /* Tick one, search for another and tick it: both stay ticked, with a count. */
      await page.locator(`tr.inv-row[data-id="${b.id}"] input.row-check`).check();
      await page.getByRole('searchbox', { name: w.search }).fill('Olle');
      await page.waitForFunction((id) => document.querySelectorAll('tr.inv-row').length === 1 && document.querySelector(`tr.inv-row[data-id="${id}"]`), c.id);
      await page.locator(`tr.inv-row[data-id="${c.id}"] input.row-check`).check();
      assert.match(await page.locator('.sel-info').innerText(), w.selected2);
      await noSideScroll(page, 'the invoice list with a selection');
      await shot(page, `selection-kept-${v.tag}`);
      await page.getByRole('searchbox', { name: w.search }).fill('');
      await page.locator(`tr.inv-row[data-id="${a.id}"]`).waitFor();
      assert.equal(await page.locator(`tr.inv-row[data-id="${b.id}"] input.row-check`).isChecked(), true);
      await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.sel-info').textContent), w.selected2all.source);
      await assertAccessible(page, 'the invoice list after activation');
      assertNoPageErrors(page);
      await page.close();
    } finally {
      await stack.stop();
    }
  });
});
