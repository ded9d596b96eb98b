/*
 * ledger.test.mjs — the customer ledger (kundreskontra) as a bookkeeper
 * uses it, in the real browser against the real server on the demo
 * company: the menu entry, the company's total as of today and as of an
 * earlier date chosen in the date picker (the same öre the API gives, which
 * tests/api/ledger.test.mjs checks against account 1510), a customer's
 * page from the list, "Nästa kund med saldo →" to the next customer that
 * owes something and "← Föregående" back.  Swedish at 1366 px, English at
 * 390 px (no sideways scrolling), axe-core on both pages; screenshots in
 * docs/screenshots/ledger-*.png.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoPageErrors, co, ore, shot } from './lib/env.mjs';
import { assertAccessible } from './lib/axe.mjs';
import { noSideScroll, useDemoApp, VIEWS } from './lib/bookkeeper.mjs';

const demo = useDemoApp();

const L = {
  sv: { nav: 'Reskontra per kund', title: 'Kundreskontra per kund', show: 'Visa', next: 'Nästa kund med saldo →', prev: '← Föregående', asOf: 'Per datum' },
  en: { nav: 'Customer ledger', title: 'Customer ledger', show: 'Show', next: 'Next customer with a balance →', prev: '← Previous', asOf: 'As of' },
};

async function apiLedger(asOf) {
  const res = await demo.api.get(`${co(demo.cid)}/ledger?open=true&limit=200${asOf ? `&as_of=${asOf}` : ''}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

/* Poll (bounded) until the total on screen is the given amount. */
async function totalShows(page, minor) {
  const until = Date.now() + 20000;
  let last = '';
  for (;;) {
    last = (await page.locator('#ledger-total').textContent({ timeout: 20000 }).catch(() => '')) ?? '';
    if (last && ore(last) === minor) return;
    assert.ok(Date.now() < until, `the ledger's total shows "${last}", not ${minor} öre`);
    await page.waitForTimeout(100);
  }
}

VIEWS.forEach((v) => {
  const w = L[v.lang];

  test(`the ledger: totals as of a date, a customer's page, the next customer with a balance and back (${v.tag})`, async () => {
    const page = await demo.open(v);
    await page.getByRole('navigation').getByRole('link', { name: w.nav, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: w.title }).waitFor();
    const today = await apiLedger();
    await totalShows(page, today.totals.balance_minor);
    await page.locator('table.ledger tbody tr').first().waitFor();
    assert.equal(await page.locator('table.ledger tbody tr').count(), Math.min(50, today.totals.customers));
    await noSideScroll(page, 'the ledger');
    await assertAccessible(page, 'the ledger');
    await shot(page, `ledger-${v.tag}`, { fullPage: true });

    /* an earlier day through the date picker */
    const asOf = '2026-01-31';
    const then = await apiLedger(asOf);
    assert.notEqual(then.totals.balance_minor, today.totals.balance_minor);
    await page.getByLabel(w.asOf).fill(asOf);
    await page.getByRole('button', { name: w.show, exact: true }).click();
    await page.waitForURL(/#\/ledger\?as_of=2026-01-31/);
    await totalShows(page, then.totals.balance_minor);
    await page.locator('table.ledger tbody tr').first().waitFor();

    /* the first customer with a balance on that day, then the next, then back */
    const [first, second] = then.items;
    await page.getByRole('link', { name: first.name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: first.name }).waitFor();
    assert.equal(ore(await page.locator('#ledger-balance').textContent()), first.balance_minor);
    assert.equal(await page.locator('table.ledger-items tbody tr').count(), first.open_items);
    await noSideScroll(page, 'a customer\'s ledger page');
    await assertAccessible(page, 'a customer\'s ledger page');
    await shot(page, `ledger-customer-${v.tag}`, { fullPage: true });

    await page.getByRole('link', { name: w.next }).click();
    await page.getByRole('heading', { level: 1, name: second.name }).waitFor();
    assert.match(page.url(), new RegExp(`#/ledger/${second.customer_id}\\?as_of=2026-01-31$`));
    assert.equal(ore(await page.locator('#ledger-balance').textContent()), second.balance_minor);
    await page.getByRole('link', { name: w.prev }).click();
    await page.getByRole('heading', { level: 1, name: first.name }).waitFor();
    assertNoPageErrors(page);
    await page.close();
  });
});
