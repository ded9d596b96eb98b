/*
 * ledger.test.mjs — the customer ledger (kundreskontra) over real HTTP.
 *
 * On the demo company (`paminn demo-data`): the ledger's total as of three
 * dates — one in the middle of the data, the last day of a month, today —
 * equals the balance of account 1510 as of the same date read from the
 * books' own export (SIE 4E: the year's #IB plus its #VER rows dated by
 * then, read by the tests' independent reader), to the öre; the pages add
 * up to the totals; "only with a balance" and the next/previous customer
 * walk the same customers in the same order.
 *
 * On Testbolaget: one customer's page through a payment, a credit note, a
 * free-standing credit note, a reminder, a confirmed customer loss with
 * money received after it, a stop of reminders and an invoice with Visma
 * Amili, each counted from its own date — and the company's total equal to
 * 1510 from the vouchers on every one of those dates.  Bad dates, cursors
 * and filters are 400 naming the parameter.
 *
 * The server's clock is fixed at 2026-06-15 (Stockholm).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, assertStatus, co, createCustomer, createInvoice, line, startServer } from './lib/server.mjs';
import { parseSie } from './lib/sie.mjs';

const DEMO_EMAIL = 'demo@example.se';
const DEMO_PASSWORD = 'hemligt123';
const TODAY = '2026-06-15';

let fx;
let demo;
let D;
let anna;
let C;

before(async () => {
  fx = await startServer({ now: TODAY, setup: (f) => f.cli(['demo-data', '--password', DEMO_PASSWORD]) });
  demo = await fx.login(DEMO_EMAIL, DEMO_PASSWORD);
  D = co(demo.session.companies[0].id);
  anna = await fx.login();
  C = co(fx.companyId);
});

after(async () => {
  await fx?.stop();
});

/* Every page of the ledger (small pages, so that paging is exercised). */
async function ledgerAll(client, base, asOf, open = false) {
  const rows = [];
  let cursor = null;
  let totals = null;
  for (let pages = 0; pages < 1000; pages++) {
    const q = `as_of=${asOf}&open=${open}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await client.get(`${base}/ledger?${q}`);
    assertStatus(res, 200);
    assert.equal(res.body.as_of, asOf);
    if (totals) assert.deepEqual(res.body.totals, totals, 'the totals are the same on every page');
    totals = res.body.totals;
    rows.push(...res.body.items);
    cursor = res.body.next_cursor;
    if (!cursor) return { rows, totals };
  }
  assert.fail('the ledger did not end within 1000 pages');
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);

/* 1510's balance at the end of asOf from the SIE 4E export of its year. */
async function sie1510(client, base, asOf) {
  const year = asOf.slice(0, 4);
  const res = await fetch(`${fx.base}${base}/export/sie?year=${year}&type=4E`, { headers: { Cookie: client.cookie } });
  assert.equal(res.status, 200);
  const sie = parseSie(Buffer.from(await res.arrayBuffer()));
  const ib = sie.recs.find((r) => r[0] === '#IB' && r[1] === '0' && r[2] === '1510');
  let balance = ib ? Math.round(Number(ib[3]) * 100) : 0;
  const until = asOf.replaceAll('-', '');
  for (const v of sie.vers) {
    if (v.date > until) continue;
    balance += sum(v.trans.filter((t) => t.account === 1510).map((t) => t.amount));
  }
  return balance;
}

/* 1510's balance at the end of asOf from the vouchers of the books API. */
async function vouchers1510(client, base, asOf) {
  const res = await client.get(`${base}/vouchers?to=${asOf}`);
  assertStatus(res, 200);
  assert.equal(res.body.truncated, false);
  return sum(res.body.items.flatMap((v) => v.rows.filter((r) => r.account === 1510).map((r) => r.debit_minor - r.credit_minor)));
}

describe('the demo company', () => {
  /* the middle of the data (14 months back from today), the last day of a
   * month, today */
  for (const asOf of ['2025-12-10', '2026-02-28', TODAY]) {
    test(`the ledger as of ${asOf} equals 1510 in the books to the öre, and its pages add up to its totals`, async () => {
      const all = await ledgerAll(demo, D, asOf);
      const books = await sie1510(demo, D, asOf);
      assert.ok(books > 0, 'the demo company has receivables on 1510');
      assert.equal(all.totals.balance_minor, books, `ledger ${all.totals.balance_minor} vs 1510 ${books}`);
      assert.equal(sum(all.rows.map((r) => r.balance_minor)), all.totals.balance_minor);
      assert.equal(await vouchers1510(demo, D, asOf), books, 'the vouchers API agrees with the SIE export');
      const customers = Number(fx.sql(`select count(*) from customers where company_id = ${demo.session.companies[0].id}`));
      assert.equal(all.rows.length, customers, 'every customer, once');
      assert.equal(new Set(all.rows.map((r) => r.customer_id)).size, customers);
      assert.equal(sum(all.rows.map((r) => r.open_items)), all.totals.open_items);
      assert.equal(sum(all.rows.map((r) => r.overdue_minor)), all.totals.overdue_minor);

      const open = await ledgerAll(demo, D, asOf, true);
      assert.deepEqual(open.totals, all.totals);
      assert.ok(open.rows.every((r) => r.balance_minor !== 0));
      assert.equal(open.rows.length, all.totals.customers);
      assert.deepEqual(open.rows, all.rows.filter((r) => r.balance_minor !== 0), 'the same customers in the same order');
    });
  }

  test('an earlier day has less booked: the ledger moves with the date', async () => {
    const early = await ledgerAll(demo, D, '2025-06-30');
    assert.equal(early.totals.balance_minor, await sie1510(demo, D, '2025-06-30'));
    assert.notEqual(early.totals.balance_minor, (await ledgerAll(demo, D, TODAY)).totals.balance_minor);
  });

  test('"next customer with a balance" walks the open customers in the ledger\'s order, and back', async () => {
    const asOf = '2026-02-28';
    const open = (await ledgerAll(demo, D, asOf, true)).rows.map((r) => r.customer_id);
    assert.ok(open.length > 3);
    let page = (await demo.get(`${D}/customers/${open[0]}/ledger?as_of=${asOf}`)).body;
    assert.equal(page.prev_customer_id, null);
    const walked = [open[0]];
    while (page.next_customer_id) {
      walked.push(page.next_customer_id);
      const res = await demo.get(`${D}/customers/${page.next_customer_id}/ledger?as_of=${asOf}`);
      assertStatus(res, 200);
      assert.equal(res.body.prev_customer_id, walked.at(-2), 'previous is where we came from');
      assert.notEqual(res.body.balance_minor, 0);
      page = res.body;
      assert.ok(walked.length <= open.length);
    }
    assert.deepEqual(walked, open);

    /* From a customer without a balance, next is the next one with one. */
    const all = (await ledgerAll(demo, D, asOf)).rows;
    const k = all.findIndex((r) => r.balance_minor === 0);
    if (k >= 0) {
      const res = await demo.get(`${D}/customers/${all[k].customer_id}/ledger?as_of=${asOf}`);
      const next = all.slice(k + 1).find((r) => r.balance_minor !== 0);
      assert.equal(res.body.next_customer_id, next ? next.customer_id : null);
    }
  });

  test('a customer\'s open items add up to the balance, with days overdue as of the date', async () => {
    const asOf = TODAY;
    const row = (await ledgerAll(demo, D, asOf, true)).rows[0];
    const page = (await demo.get(`${D}/customers/${row.customer_id}/ledger?as_of=${asOf}`)).body;
    assert.equal(page.customer.id, row.customer_id);
    assert.equal(page.balance_minor, row.balance_minor);
    assert.equal(page.items.length, row.open_items);
    assert.equal(sum(page.items.map((i) => i.remaining_minor)), page.balance_minor);
    for (const it of page.items) {
      const days = Math.round((Date.parse(asOf) - Date.parse(it.due_date)) / 86400000);
      assert.equal(it.days_overdue, Math.max(0, days));
      assert.equal(it.state, days > 0 ? 'overdue' : 'not_due');
    }
  });

  test('bad dates, cursors and filters are 400 naming the parameter', async () => {
    assertError(await demo.get(`${D}/ledger?as_of=2026-02-30`), 400, 'invalid_query', 'as_of');
    assertError(await demo.get(`${D}/ledger?as_of=yesterday`), 400, 'invalid_query', 'as_of');
    const future = await demo.get(`${D}/ledger?as_of=2026-06-16`);
    assertError(future, 400, 'invalid_query', 'as_of');
    assert.match(future.body.error.reason, /after today/);
    assertError(await demo.get(`${D}/ledger?open=yes`), 400, 'invalid_query', 'open');
    assertError(await demo.get(`${D}/ledger?limit=0`), 400, 'invalid_query', 'limit');
    assertError(await demo.get(`${D}/ledger?cursor=nonsense`), 400, 'invalid_query', 'cursor');
    const first = (await demo.get(`${D}/ledger?as_of=2026-02-28&limit=5`)).body;
    assert.ok(first.next_cursor);
    const other = await demo.get(`${D}/ledger?as_of=2026-03-31&limit=5&cursor=${encodeURIComponent(first.next_cursor)}`);
    assertError(other, 400, 'invalid_query', 'cursor');
    assertError(await demo.get(`${D}/ledger?as_of=2026-02-28&open=true&cursor=${encodeURIComponent(first.next_cursor)}`),
      400, 'invalid_query', 'cursor');
    assertError(await demo.get(`${D}/customers/1/ledger?as_of=2026-13-01`), 400, 'invalid_query', 'as_of');
    assertError(await demo.get(`${D}/customers/999999/ledger`), 404, 'not_found');
    /* another company's ledger is not the demo user's to read */
    const foreign = await demo.get(`${C}/ledger`);
    assert.ok(foreign.status === 403 || foreign.status === 404, `another company's ledger: ${foreign.status}`);
  });
});

describe('one customer through payments, credits, a reminder, a loss and the agency', () => {
  let kund;
  let a;
  let b;
  let c;

  /* 12 500 kr: 10 000 + 2 500 VAT, issued 2026-01-10, due 2026-02-09. */
  const invoice = (customerId) => createInvoice(anna, fx.companyId, customerId, {
    invoice_date: '2026-01-10', due_date: '2026-02-09', lines: [line(1000000)],
  });

  before(async () => {
    kund = await createCustomer(anna, fx.companyId, { name: 'Reskontra Kund' });
    a = await invoice(kund.id);
    b = await invoice(kund.id);
    c = await invoice(kund.id);
    assertStatus(await anna.post(`${C}/invoices/${a.id}/payments`, { date: '2026-02-15', amount_minor: 500000 }), 201);
    assertStatus(await anna.post(`${C}/invoices/${c.id}/reminders`, { date: '2026-03-01' }), 201);
    assertStatus(await anna.post(`${C}/invoices/${a.id}/credit-notes`, { reason: 'Fel pris', date: '2026-03-10', amount_minor: 100000 }), 201);
    assertStatus(await anna.post(`${C}/credit-notes`, {
      customer_id: kund.id, reason: 'Goodwill', date: '2026-04-01', rates: [{ vat_rate_bp: 2500, net_minor: 80000 }],
    }), 201);
    assertStatus(await anna.post(`${C}/invoices/${b.id}/customer-loss`, { kind: 'confirmed', ground: 'fruitless_collection', date: '2026-06-01' }), 201);
    assertStatus(await anna.post(`${C}/invoices/${b.id}/payments`, { date: '2026-06-10', amount_minor: 500000 }), 201);
  });

  const page = async (asOf) => {
    const res = await anna.get(`${C}/customers/${kund.id}/ledger?as_of=${asOf}`);
    assertStatus(res, 200);
    return res.body;
  };

  test('the balance counts each event from its own date, and the company\'s total equals 1510 on each', async () => {
    const expected = {
      '2026-01-09': 0,
      '2026-01-31': 3750000, /* three invoices */
      '2026-02-15': 3250000, /* a payment of 5 000 on A */
      '2026-03-10': 3150000, /* a credit note of 1 000 on A */
      '2026-04-01': 3050000, /* a free-standing credit note of 1 000 */
      '2026-06-01': 1800000, /* B written off: 12 500 off 1510 */
      [TODAY]: 1800000, /* 5 000 received on B after the loss: restored and paid, no change */
    };
    for (const [asOf, balance] of Object.entries(expected)) {
      assert.equal((await page(asOf)).balance_minor, balance, `balance as of ${asOf}`);
      const all = await ledgerAll(anna, C, asOf);
      assert.equal(all.totals.balance_minor, await vouchers1510(anna, C, asOf), `Testbolaget's ledger vs 1510 as of ${asOf}`);
      assert.equal(all.totals.balance_minor, await sie1510(anna, C, asOf));
    }
  });

  test('the page lists the open items, the credit note, the reminder; B is gone once written off', async () => {
    const before = await page('2026-05-31');
    assert.deepEqual(before.items.map((i) => [i.number, i.remaining_minor]),
      [[a.number, 650000], [b.number, 1250000], [c.number, 1250000]].sort((x, y) => x[0] - y[0]));
    const now = await page(TODAY);
    assert.deepEqual(now.items.map((i) => [i.number, i.remaining_minor]), [[a.number, 650000], [c.number, 1250000]]);
    assert.equal(now.open_items, 2);
    assert.equal(now.overdue_minor, 1900000);
    assert.deepEqual(now.credit_notes.map((x) => [x.date, x.amount_minor]), [['2026-04-01', 100000]]);
    assert.equal(now.reminders.length, 1);
    assert.equal(now.reminders[0].invoice_number, c.number);
    assert.equal(now.reminders[0].date, '2026-03-01');
    assert.ok(now.reminders[0].total_due_minor >= 1250000);
    assert.deepEqual((await page('2026-02-28')).reminders, [], 'a reminder counts from its date');
  });

  test('a stop of reminders and an invoice with Visma Amili show on the items and as "Ärende <number>"', async () => {
    assertStatus(await anna.put(`${C}/customers/${kund.id}/reminder-stop`, { kind: 'dispute' }), 200);
    fx.exec(`update invoices set agency_state = 'registered' where company_id = ${fx.companyId} and id = ${c.id}`);
    fx.exec(`insert into agency_cases (company_id, invoice_id, case_id, state, status, capital_minor, remaining_minor)
             values (${fx.companyId}, ${c.id}, '7f3a9c2e4b1d', 'registered', 'active', 1250000, 1250000)`);
    const now = await page(TODAY);
    assert.ok(now.items.every((i) => i.reminder_stop));
    const ci = now.items.find((i) => i.number === c.number);
    assert.equal(ci.handed_over, true);
    assert.equal(now.items.find((i) => i.number === a.number).handed_over, false);
    assert.deepEqual(now.agency_cases.map((x) => [x.ref, x.case_id, x.state]), [[`Ärende ${c.number}`, '7f3a9c2e4b1d', 'registered']]);
    assertStatus(await anna.del(`${C}/customers/${kund.id}/reminder-stop`), 200);
  });
});

describe('a confirmed loss cannot be dated before what it writes off', () => {
  /* A loss writes off what is left today.  Dated before the invoice, or
   * before a payment or credit note that already reduced what is left, its
   * voucher would take from 1510 on a day that amount was not yet (or no
   * longer) owed: 1510 and the ledger would part on the days between. */
  let kund;
  let inv;

  before(async () => {
    kund = await createCustomer(anna, fx.companyId, { name: 'Förlust Kund' });
    inv = await createInvoice(anna, fx.companyId, kund.id, { invoice_date: '2026-01-10', due_date: '2026-02-09', lines: [line(1000000)] });
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-05-20', amount_minor: 250000 }), 201);
  });

  test('before the invoice date or the last payment: 422 on date, nothing booked; on or after it: the ledger still equals 1510', async () => {
    const vouchersBefore = (await anna.get(`${C}/vouchers`)).body.items.length;
    for (const date of ['2026-01-05', '2026-05-01', '2026-05-19']) {
      const res = await anna.post(`${C}/invoices/${inv.id}/customer-loss`, { kind: 'confirmed', ground: 'fruitless_collection', date });
      assertError(res, 422, 'loss_date_too_early', 'date');
      assert.equal(res.body.error.earliest, '2026-05-20');
    }
    assert.equal((await anna.get(`${C}/vouchers`)).body.items.length, vouchersBefore);
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/customer-loss`, { kind: 'confirmed', ground: 'fruitless_collection', date: '2026-05-20' }), 201);
    for (const asOf of ['2026-01-09', '2026-03-31', '2026-05-19', '2026-05-20', TODAY]) {
      const all = await ledgerAll(anna, C, asOf);
      assert.equal(all.totals.balance_minor, await vouchers1510(anna, C, asOf), `ledger vs 1510 as of ${asOf}`);
    }
  });
});
