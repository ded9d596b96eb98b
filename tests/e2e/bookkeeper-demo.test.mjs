/*
 * bookkeeper-demo.test.mjs — the web UI as a Swedish small-business owner
 * meets it, on the demo company, in Swedish at 1366 px and in English at
 * 390 px: refusals in plain words naming the field as the form labels it
 * (codes only under "Detaljer"), a wrong check digit and a postal code
 * explained, customer losses that show on the invoice, in the row and in
 * the tab counts without a reload; each view checked with axe-core.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoPageErrors, co, shot } from './lib/env.mjs';
import { assertAccessible } from './lib/axe.mjs';
import { noSideScroll, useDemoApp, VIEWS, W } from './lib/bookkeeper.mjs';

const demo = useDemoApp();

for (const v of VIEWS) {
  const w = W[v.lang];

  test(`errors in plain words naming the field as the form labels it, codes under details (${v.tag})`, async () => {
    const page = await demo.open(v);
    const customer = (await demo.api.get(`${co(demo.cid)}/customers?limit=1`)).body.items[0];
    await page.goto(`${demo.app.base}/#/invoices/new`);
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

    /* The refusal explained: a wrong check digit and a postal code that is not Swedish. */
    await page.goto(`${demo.app.base}/#/customers/new`);
    await page.getByLabel(w.name, { exact: true }).fill('Kontrollsiffra AB');
    await page.getByLabel(w.isCompany).check();
    await page.getByLabel(w.idNumber).fill('556036-0794');
    await page.getByRole('button', { name: w.save }).click();
    await page.waitForFunction((m) => document.querySelector('main .error-box')?.textContent.includes(m), w.checkDigit);
    assert.equal(await page.getByLabel(w.idNumber).getAttribute('aria-invalid'), 'true');
    await page.getByLabel(w.idNumber).fill('556036-0793');
    await page.getByLabel(w.zip).fill('ABCDE');
    await page.getByRole('button', { name: w.save }).click();
    await page.waitForFunction((m) => document.querySelector('main .error-box')?.textContent.includes(m), w.badZip);
    assert.equal(await page.getByLabel(w.zip).getAttribute('aria-invalid'), 'true');
    await shot(page, `error-zip-${v.tag}`, { fullPage: true });
    const found = (await demo.api.get(`${co(demo.cid)}/customers?q=Kontrollsiffra`)).body.items;
    assert.equal(found.length, 0, 'a refused customer was saved');
    assertNoPageErrors(page);
    await page.close();
  });
}

VIEWS.forEach((v) => {
  const w = W[v.lang];

  test(`an invoice without VAT says why: reverse charge on building services from the form (${v.tag})`, async () => {
    const customer = (await demo.api.get(`${co(demo.cid)}/customers?limit=200`)).body.items.find((c) => c.is_company && c.country === 'SE');
    const page = await demo.open(v);
    await page.goto(`${demo.app.base}/#/invoices/new`);
    await page.getByLabel(w.search).fill(customer.name);
    await page.waitForFunction((id) => [...document.querySelectorAll('#customer_id option')].some((o) => o.value === String(id)), customer.id);
    await page.getByLabel(w.customer, { exact: true }).selectOption(String(customer.id));
    await page.getByLabel(w.desc1).fill('Takläggning');
    await page.getByLabel(w.price1).fill('8000');
    await page.getByLabel(w.vat1).selectOption('0');
    await page.getByLabel(w.zeroVat, { exact: true }).selectOption('construction');
    await page.getByRole('button', { name: w.create }).click();
    await page.waitForURL(/#\/invoices\/\d+$/);
    const number = Number(/#\/invoices\/(\d+)$/.exec(page.url())[1]);
    const inv = (await demo.api.get(`${co(demo.cid)}/invoices/by-number/${number}`)).body;
    const id = inv.id;
    assert.equal(inv.zero_vat, 'construction');
    assert.equal(inv.vat_minor, 0);
    const issued = (await demo.api.get(`${co(demo.cid)}/vouchers?from=${inv.invoice_date}&to=${inv.invoice_date}`)).body.items;
    const rows = issued.find((x) => x.invoice_id === id && x.source === 'invoice').rows;
    assert.ok(rows.some((r) => r.account === 3231 && r.credit_minor === 800000), JSON.stringify(rows));
    assertNoPageErrors(page);
    await page.close();
  });
});

VIEWS.forEach((v, k) => {
  const w = W[v.lang];

  test(`losses that show: expected loss badge, interest stopped, only a confirmed loss offered; counted in the customer-loss tab from the expected loss on (${v.tag})`, async () => {
    const inv = (await demo.overdueInvoices())[10 + k];
    const start = (await demo.api.get(`${co(demo.cid)}/invoices/counts`)).body;
    const res = await demo.api.post(`${co(demo.cid)}/invoices/${inv.id}/customer-loss`, { kind: 'expected', date: '2026-03-01' });
    assert.equal(res.status, 201, res.text);
    const before = (await demo.api.get(`${co(demo.cid)}/invoices/counts`)).body;
    /* The customer-loss tab counts a feared loss; it is still owed (overdue). */
    assert.equal(before.written_off, start.written_off + 1);
    assert.equal(before.overdue, start.overdue);
    const page = await demo.open(v);
    await page.goto(`${demo.app.base}/#/invoices?status=written_off&sort=number`);
    await page.locator(`tr.inv-row[data-id="${inv.id}"]`).waitFor();
    assert.equal(await page.locator('[data-count="written_off"]').textContent(), `(${before.written_off})`);
    assert.ok((await page.locator(`tr.inv-row[data-id="${inv.id}"] td.status`).innerText()).includes(w.expectedBadge), 'no badge on the row');
    await page.goto(`${demo.app.base}/#/invoices?status=overdue&sort=number`);
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
    /* A confirmed loss lowers the output VAT: its ground is asked for. */
    await dlg.getByRole('button', { name: w.lossItem }).click();
    await dlg.locator('.error-box').getByText(w.chooseGround).waitFor();
    await dlg.getByLabel(w.groundOther, { exact: true }).check();
    await dlg.getByRole('button', { name: w.lossItem }).click();
    await dlg.locator('.error-box').getByText(w.describeGround).waitFor();
    await dlg.getByLabel(w.groundText).fill(w.groundWords);
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
    const loss = (await demo.api.get(`${co(demo.cid)}/invoices/${inv.id}/history`)).body.items.find((e) => e.kind === 'customer_loss' && e.data.kind === 'confirmed');
    assert.deepEqual([loss.data.ground, loss.data.ground_text], ['other', w.groundWords]);
    /* Confirmed, it stays in the customer-loss tab and leaves the overdue one. */
    await page.waitForFunction((n) => document.querySelector('[data-count="written_off"]')?.textContent === `(${n})`, before.written_off);
    await page.waitForFunction((n) => document.querySelector('[data-count="overdue"]')?.textContent === `(${n})`, before.overdue - 1);
    await shot(page, `loss-written-off-${v.tag}`);
    await assertAccessible(page, 'the invoice list with a written-off invoice');
    assertNoPageErrors(page);
    await page.close();
  });
});
