/*
 * bookkeeper-demo.test.mjs — the web UI as a Swedish small-business owner
 * meets it, on the demo company, in Swedish at 1366 px and in English at
 * 390 px: refusals in plain words naming the field as the form labels it
 * (codes only under "Detaljer"), customer losses that show on the invoice,
 * in the row and in the tab counts without a reload, and the wording of a
 * manual reminder, the phone layout (menu, chart), Kundreskontra's
 * defaults; each view checked with axe-core.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, co, DEMO_EMAIL, DEMO_PASSWORD, launchBrowser, shot, startApp } from './lib/env.mjs';
import { assertAccessible } from './lib/axe.mjs';
import { noSideScroll, openAs, VIEWS, W } from './lib/bookkeeper.mjs';

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

const open = (v) => openAs(browser.ctx, v, { base: app.base, email: DEMO_EMAIL, password: DEMO_PASSWORD });

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

VIEWS.forEach((v, k) => {
  const w = W[v.lang];

  test(`wording: a manual reminder is created (not sent), the letter downloads, à-pris, no link to the page shown (${v.tag})`, async () => {
    const inv = (await overdueInvoices())[20 + k];
    const page = await open(v);
    await page.goto(`${app.base}/#/invoices/${inv.id}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: String(inv.number) }).waitFor();
    await page.getByRole('button', { name: w.actions }).click();
    await page.getByRole('menuitem', { name: w.reminder }).click();
    const dlg = page.getByRole('dialog', { name: w.reminderTitle });
    await dlg.getByRole('button', { name: w.reminderSubmit }).click();
    await dlg.getByText(w.reminderDone).waitFor();
    const link = dlg.getByRole('link', { name: w.pdf });
    assert.equal(await link.getAttribute('download'), '');
    await shot(page, `reminder-created-${v.tag}`);
    await assertAccessible(page, 'the manual reminder result');
    await dlg.getByRole('button', { name: w.close }).first().click();
    await dlg.waitFor({ state: 'detached' });
    await page.locator('ol.timeline li[data-kind="reminder"]').waitFor();
    assert.ok((await page.locator('ol.timeline li[data-kind="reminder"]').innerText()).includes(w.historyReminder));
    assert.ok((await page.locator('.view-head .badges').innerText()).includes(w.badgeReminder));
    /* No "Open the invoice" link on the invoice's own page. */
    assert.equal(await page.locator(`main a[href="#/invoices/${inv.id}"]`).count(), 0);
    await assertAccessible(page, 'the invoice page');
    await page.goto(`${app.base}/#/invoices/new`);
    await page.getByRole('heading', { level: 1, name: w.newInvoice }).waitFor();
    assert.ok((await page.locator('table.lines-edit thead').innerText()).includes(w.priceCol));
    assertNoPageErrors(page);
    await page.close();
  });
});

VIEWS.forEach((v) => {
  const w = W[v.lang];

  test(`phone layout and clear defaults: the menu on screen, no interest before the due date, the chart's width and labels, Kundreskontra's date and currency note (${v.tag})`, async () => {
    const page = await open(v);
    const notDue = (await api.get(`${co(cid)}/invoices?status=unpaid&sort=-due_date&limit=1`)).body.items[0];
    assert.equal(notDue.status, 'unpaid');
    await page.goto(`${app.base}/#/invoices/${notDue.id}`);
    await page.locator('.invoice-facts').waitFor();
    assert.ok((await page.locator('.invoice-facts').innerText()).includes(w.notDue));
    await page.goto(`${app.base}/#/invoices?status=overdue`);
    const row = page.locator('tr.inv-row').first();
    await row.waitFor();
    const id = await row.getAttribute('data-id');
    await row.locator('button.expand').click();
    const detail = page.locator(`#detail-${id} .detail`);
    await detail.waitFor();
    await detail.getByRole('button', { name: w.actions }).click();
    const menu = detail.getByRole('menu');
    await menu.waitFor();
    const box = await menu.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= v.width, `the menu spans ${box.x}..${box.x + box.width} of ${v.width}px`);
    await noSideScroll(page, 'the list with the menu open');
    await shot(page, `menu-open-${v.tag}`);
    await assertAccessible(page, 'the invoice list with a menu open');
    await page.keyboard.press('Escape');

    await page.getByRole('link', { name: w.overview }).click();
    const svg = page.locator('svg.aging-chart');
    await svg.waitFor();
    assert.equal(await page.getByLabel(w.asOf).inputValue(), '2026-03-02');
    assert.ok((await page.locator('main').innerText()).includes(w.sekNote));
    const sizes = await page.evaluate(() => {
      const s = document.querySelector('svg.aging-chart');
      const fig = s.closest('figure').getBoundingClientRect();
      const label = s.querySelector('.bar-label').getBoundingClientRect();
      return { svg: s.getBoundingClientRect().width, fig: fig.width, label: label.height };
    });
    if (v.width < 600) assert.ok(sizes.svg >= sizes.fig * 0.85, `the chart is ${sizes.svg}px in ${sizes.fig}px`);
    assert.ok(sizes.label >= 10, `the chart's labels are ${sizes.label}px high`);
    await noSideScroll(page, 'Kundreskontra');
    await shot(page, `overview-${v.tag}`, { fullPage: true });
    await assertAccessible(page, 'Kundreskontra');
    for (const hash of ['#/customers', '#/settings', '#/start', '#/customers/new']) {
      await page.goto(`${app.base}/${hash}`);
      await page.locator('main h1').waitFor();
      await page.waitForFunction(() => !document.querySelector('main .loading'));
      await assertAccessible(page, hash);
    }
    assertNoPageErrors(page);
    await page.close();
  });
});
