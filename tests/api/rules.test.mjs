/*
 * rules.test.mjs — the rules of the books over real HTTP, with
 * hand-checked figures: how a payment is applied (costs, interest,
 * capital, each payment one row), which payment dates are accepted, the
 * locked period, the payment deadline of a reminder letter, list cursors,
 * reference rates added by an administrator and the yearly ROT/RUT caps.
 *
 * The server's clock is fixed at 2026-03-15 (Stockholm).  The check value:
 * 10 000,00 kr due 2025-03-31, reminder dated 2025-09-30 → interest
 * 526,30 kr (91 days at 11 % + 92 days at 10 %); with the agreed 60 kr fee
 * the letter asks for 10 586,30 kr.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, assertStatus, co, createCustomer, createInvoice, line, startServer } from './lib/server.mjs';

let fx;
let anna;
let C;
let kund;
let bolag;

/* 10 000,00 kr: 8 000 + 25 % VAT, due 2025-03-31. */
async function checkValueInvoice(customerId = kund.id, extra = {}) {
  return createInvoice(anna, fx.companyId, customerId, {
    invoice_date: '2025-03-01',
    due_date: '2025-03-31',
    lines: [line(800000)],
    ...extra,
  });
}

async function remindedCheckValue() {
  const inv = await checkValueInvoice();
  const rem = await anna.post(`${C}/invoices/${inv.id}/reminders`, { date: '2025-09-30' });
  assertStatus(rem, 201);
  assert.equal(rem.body.total_due_minor, 1058630);
  return inv;
}

function paymentRows(invoiceId) {
  return fx.rows(`select id, amount_minor, fees_minor, interest_minor from payments
    where company_id = ${fx.companyId} and invoice_id = ${invoiceId} order by id`).map((r) => ({
    id: Number(r.id), capital: Number(r.amount_minor), fees: Number(r.fees_minor), interest: Number(r.interest_minor),
  }));
}

before(async () => {
  fx = await startServer({ now: '2026-03-15' });
  anna = await fx.login();
  C = co(fx.companyId);
  assertStatus(await anna.patch(C, { reminder_fee_agreed: true, reminder_fee_minor: 6000 }), 200);
  kund = await createCustomer(anna, fx.companyId, { name: 'Tolvan Tolvansson', id_number: '19121212-1212' });
  bolag = await createCustomer(anna, fx.companyId, { name: 'Kund AB', is_company: true, id_number: '556036-0793' });
});
after(async () => {
  await fx?.stop();
});

describe('a payment is applied to costs, then interest, then capital', () => {
  test('the letter\'s total in one payment: fee, interest and capital as the letter lists them, one row', async () => {
    const inv = await remindedCheckValue();
    const pay = await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-10-05', amount_minor: 1058630 });
    assertStatus(pay, 201);
    assert.equal(pay.body.fees_minor, 6000);
    assert.equal(pay.body.interest_minor, 52630);
    assert.equal(pay.body.capital_minor, 1000000);
    assert.equal(pay.body.invoice.status, 'paid');
    assert.ok(Number.isInteger(pay.body.id));
    assert.deepEqual(paymentRows(inv.id), [{ id: pay.body.id, capital: 1000000, fees: 6000, interest: 52630 }]);
  });

  test('the letter\'s total in two parts: 5 000 kr pays the fee, the interest and 4 413,70 kr; the rest the capital', async () => {
    const inv = await remindedCheckValue();
    const first = await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-10-05', amount_minor: 500000 });
    assertStatus(first, 201);
    assert.equal(first.body.fees_minor, 6000);
    assert.equal(first.body.interest_minor, 52630);
    assert.equal(first.body.capital_minor, 441370);
    assert.equal(first.body.invoice.remaining_minor, 558630);
    const second = await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-10-08', amount_minor: 558630 });
    assertStatus(second, 201);
    assert.equal(second.body.fees_minor, 0);
    assert.equal(second.body.interest_minor, 0);
    assert.equal(second.body.capital_minor, 558630);
    assert.equal(second.body.invoice.status, 'paid');
    assert.notEqual(second.body.id, first.body.id);
    assert.deepEqual(paymentRows(inv.id), [
      { id: first.body.id, capital: 441370, fees: 6000, interest: 52630 },
      { id: second.body.id, capital: 558630, fees: 0, interest: 0 },
    ]);
    /* Nothing more is owed: one öre more is refused and changes nothing. */
    assertError(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-10-09', amount_minor: 1 }), 422,
      'out_of_range', 'amount_minor');
    assert.equal(paymentRows(inv.id).length, 2);
  });

  test('a payment of the fee alone writes its row (no capital) and a voucher C 3930', async () => {
    const inv = await remindedCheckValue();
    const pay = await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-10-05', amount_minor: 6000 });
    assertStatus(pay, 201);
    assert.ok(Number.isInteger(pay.body.id), `id ${pay.body.id}`);
    assert.equal(pay.body.fees_minor, 6000);
    assert.equal(pay.body.capital_minor, 0);
    assert.equal(pay.body.invoice.remaining_minor, 1000000);
    assert.deepEqual(paymentRows(inv.id), [{ id: pay.body.id, capital: 0, fees: 6000, interest: 0 }]);
    const vs = (await anna.get(`${C}/vouchers`)).body.items.filter((v) => v.invoice_id === inv.id && v.source === 'payment');
    assert.equal(vs.length, 1);
    const rows = vs[0].rows.map((r) => (r.debit_minor ? `D ${r.account} ${r.debit_minor}` : `C ${r.account} ${r.credit_minor}`)).sort();
    assert.deepEqual(rows, ['C 3930 6000', 'D 1930 6000']);
    /* The interest of a later reminder still runs on the whole capital. */
    const rem = await anna.post(`${C}/invoices/${inv.id}/reminders`, { date: '2025-09-30' });
    assertStatus(rem, 201);
    assert.equal(rem.body.interest_minor, 52630);
  });
});

describe('payment dates and the locked period', () => {
  test('a payment dated after today or before the invoice date is refused, naming date, and changes nothing', async () => {
    const inv = await checkValueInvoice();
    const before = fx.counts();
    const future = await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-03-16', amount_minor: 1000 });
    assertError(future, 422, 'date_after_today', 'date');
    /* 2020 for an invoice of 2025-03-01 */
    assertError(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2020-03-01', amount_minor: 1000 }), 422,
      'date_before_invoice', 'date');
    assertError(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-02-28', amount_minor: 1000 }), 422,
      'date_before_invoice', 'date');
    assert.deepEqual(fx.counts(), before);
    assert.equal(fx.count('vouchers', `company_id = ${fx.companyId} and date < 20000`), 0);
    /* The first and the last day that can be: the invoice date and today. */
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-03-01', amount_minor: 1000 }), 201);
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-03-15', amount_minor: 1000 }), 201);
  });

  test('the books locked up to 2025-12-31: payments, reminders, invoices and losses dated in it are refused', async () => {
    const inv = await checkValueInvoice();
    assert.deepEqual((await anna.get(`${C}/books-lock`)).body, { books_locked_through: null });
    assertError(await anna.put(`${C}/books-lock`, { books_locked_through: '2026-03-16' }), 422, 'out_of_range',
      'books_locked_through');
    assertError(await anna.put(`${C}/books-lock`, { books_locked_through: 'i går' }), 422, 'invalid_value',
      'books_locked_through');
    const lock = await anna.put(`${C}/books-lock`, { books_locked_through: '2025-12-31' });
    assertStatus(lock, 200);
    assert.deepEqual(lock.body, { books_locked_through: '2025-12-31' });
    assert.deepEqual((await anna.get(`${C}/books-lock`)).body, { books_locked_through: '2025-12-31' });
    try {
      const before = fx.counts();
      const vouchers = fx.count('vouchers');
      const pay = await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-12-31', amount_minor: 1000 });
      assertError(pay, 422, 'books_locked', 'date');
      assert.equal(pay.body.error.locked_through, '2025-12-31');
      assertError(await anna.post(`${C}/invoices/${inv.id}/reminders`, { date: '2025-09-30' }), 422, 'books_locked', 'date');
      assertError(await anna.post(`${C}/invoices`, {
        customer_id: kund.id, invoice_date: '2025-12-01', due_date: '2025-12-31', lines: [line(100000)],
      }), 422, 'books_locked', 'invoice_date');
      assertError(await anna.post(`${C}/invoices/${inv.id}/customer-loss`, { kind: 'expected', date: '2025-11-30' }), 422,
        'books_locked', 'date');
      assert.deepEqual(fx.counts(), before);
      assert.equal(fx.count('vouchers'), vouchers);
      /* The first open day is bookable. */
      assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-01-01', amount_minor: 1000 }), 201);
      assertStatus(await anna.post(`${C}/invoices/${inv.id}/reminders`, { date: '2026-01-01' }), 201);
      /* The command line sees and sets the same lock. */
      assert.match(fx.cli(['books-lock', '--company', String(fx.companyId), '--show']), /locked up to 2025-12-31/);
      assert.match(fx.cli(['books-lock', '--company', String(fx.companyId), '--through', '2025-06-30']),
        /locked up to 2025-06-30/);
      assert.deepEqual((await anna.get(`${C}/books-lock`)).body, { books_locked_through: '2025-06-30' });
    } finally {
      assertStatus(await anna.put(`${C}/books-lock`, { books_locked_through: null }), 200);
    }
    assert.deepEqual((await anna.get(`${C}/books-lock`)).body, { books_locked_through: null });
  });
});

describe('the payment deadline of a reminder letter', () => {
  test('a backdated letter gets 8 days from the day it is made, and says the date was moved', async () => {
    const inv = await createInvoice(anna, fx.companyId, kund.id, {
      invoice_date: '2026-01-02', due_date: '2026-02-01', lines: [line(800000)],
    });
    /* Dated 2026-03-01 with 10 days: "pay by 2026-03-11", passed on 2026-03-15 → 2026-03-23. */
    const back = await anna.post(`${C}/invoices/${inv.id}/reminders`, { date: '2026-03-01' });
    assertStatus(back, 201);
    assert.equal(back.body.date, '2026-03-01');
    assert.equal(back.body.new_due_date, '2026-03-23');
    assert.equal(back.body.new_due_date_moved, true);
    const ev = (await anna.get(`${C}/invoices/${inv.id}/history`)).body.items.filter((e) => e.kind === 'reminder').at(-1);
    assert.equal(ev.data.new_due_date, '2026-03-23');
    assert.equal(ev.data.new_due_date_moved, true);
    assert.match(ev.message, /senast 2026-03-23 \(sista dag flyttad/);
    /* Made today: the company's 10 days, nothing moved. */
    const now = await anna.post(`${C}/invoices/${inv.id}/reminders`, {});
    assertStatus(now, 201);
    assert.equal(now.body.new_due_date, '2026-03-25');
    assert.equal(now.body.new_due_date_moved, false);
  });

  test('fewer than 8 days to pay cannot be the company\'s setting', async () => {
    assertError(await anna.patch(C, { reminder_due_days: 7 }), 422, 'out_of_range', 'reminder_due_days');
    assert.equal((await anna.get(C)).body.reminder_due_days, 10);
    assertStatus(await anna.patch(C, { reminder_due_days: 8 }), 200);
    assertStatus(await anna.patch(C, { reminder_due_days: 10 }), 200);
  });
});

describe('list cursors belong to their filter', () => {
  test('a cursor reused with another filter is refused (400, field cursor); with its own it pages on', async () => {
    for (let i = 0; i < 3; i++) await checkValueInvoice(bolag.id);
    const first = await anna.get(`${C}/invoices?status=all&customer_id=${bolag.id}&limit=1`);
    assertStatus(first, 200);
    const cursor = encodeURIComponent(first.body.next_cursor);
    assert.equal(typeof first.body.next_cursor, 'string');
    for (const other of [`status=all&customer_id=${kund.id}`, `status=overdue&customer_id=${bolag.id}`,
      `status=all&customer_id=${bolag.id}&q=Kund`, 'status=all']) {
      const res = await anna.get(`${C}/invoices?${other}&limit=1&cursor=${cursor}`);
      assertError(res, 400, 'invalid_query', 'cursor');
      assert.match(res.body.error.reason, /another filter/);
    }
    const next = await anna.get(`${C}/invoices?status=all&customer_id=${bolag.id}&limit=1&cursor=${cursor}`);
    assertStatus(next, 200);
    assert.equal(next.body.items.length, 1);
    assert.notEqual(next.body.items[0].id, first.body.items[0].id);
  });

  test('the customer list too: a cursor of one search is refused by another', async () => {
    const first = await anna.get(`${C}/customers?q=${encodeURIComponent('Kund')}&limit=1`);
    assertStatus(first, 200);
    const all = await anna.get(`${C}/customers?limit=1`);
    assertStatus(all, 200);
    assert.equal(typeof all.body.next_cursor, 'string');
    assertError(await anna.get(`${C}/customers?q=Tolvan&limit=1&cursor=${encodeURIComponent(all.body.next_cursor)}`), 400,
      'invalid_query', 'cursor');
    assertStatus(await anna.get(`${C}/customers?limit=1&cursor=${encodeURIComponent(all.body.next_cursor)}`), 200);
  });
});

describe('reference rates added without a rebuild', () => {
  let fx2;
  let owner;
  let C2;
  before(async () => {
    fx2 = await startServer({ now: '2026-08-01' });
    owner = await fx2.login();
    C2 = co(fx2.companyId);
  });
  after(async () => {
    await fx2?.stop();
  });

  test('2026-07-01 missing: the list says so; an owner adds 1,50 % and interest to date is whole, with its source', async () => {
    const k = await createCustomer(owner, fx2.companyId, { name: 'Tolvan Tolvansson', id_number: '19121212-1212' });
    const inv = await createInvoice(owner, fx2.companyId, k.id, {
      invoice_date: '2026-06-01', due_date: '2026-06-30', lines: [line(800000)],
    });
    let rates = await owner.get(`${C2}/reference-rates`);
    assertStatus(rates, 200);
    assert.equal(rates.body.current_missing, true);
    assert.equal(rates.body.known_until, '2026-06-30');
    assert.equal(rates.body.next_from, '2026-07-01');
    assert.deepEqual(rates.body.items.at(-1), { from: '2026-01-01', rate_bp: 200, source: 'secondary source citing Sveriges riksbank', added: null });
    assert.equal((await owner.get(`${C2}/invoices/${inv.id}`)).body.interest.rate_unknown, true);

    const before = fx2.count('reference_rates');
    /* räntelagen 9 §: a multiple of half a percentage point; the next half-year only */
    assertError(await owner.post(`${C2}/reference-rates`, { valid_from: '2026-07-01', rate_bp: 175, source: 'x' }), 422,
      'out_of_range', 'rate');
    assertError(await owner.post(`${C2}/reference-rates`, { valid_from: '2027-01-01', rate_bp: 150, source: 'x' }), 422,
      'out_of_range', 'valid_from');
    assertError(await owner.post(`${C2}/reference-rates`, { valid_from: '2026-01-01', rate_bp: 150, source: 'x' }), 409,
      'conflict', 'valid_from');
    assertError(await owner.post(`${C2}/reference-rates`, { valid_from: '2026-07-01', rate_bp: 150, source: '' }), 422,
      'required', 'source');
    assertError(await owner.post(`${C2}/reference-rates`, { valid_from: '2026-07-01', rate_bp: 150, source: 'x'.repeat(64) }),
      422, 'out_of_range', 'source');
    assert.equal(fx2.count('reference_rates'), before);

    const added = await owner.post(`${C2}/reference-rates`, { valid_from: '2026-07-01', rate_bp: 150, source: 'Sveriges riksbank' });
    assertStatus(added, 201);
    assert.equal(added.body.current_missing, false);
    assert.deepEqual(added.body.items.at(-1), { from: '2026-07-01', rate_bp: 150, source: 'Sveriges riksbank', added: '2026-08-01' });
    rates = await owner.get(`${C2}/reference-rates`);
    assert.equal(rates.body.known_until, '2026-12-31');

    /* 10 000 kr, 2026-07-01..08-01 = 32 days at 9,50 %: 1 000 000 × 950 × 32 / 3 650 000 = 8 328,8 öre */
    const got = (await owner.get(`${C2}/invoices/${inv.id}`)).body;
    assert.equal(got.interest.rate_unknown, false);
    assert.equal(got.interest.days, 32);
    assert.equal(got.interest.amount_minor, 8329);
    assert.equal(got.interest.rate_bp, 950);
    assert.deepEqual(got.interest.reference_rate, { from: '2026-07-01', rate_bp: 150, source: 'Sveriges riksbank', added: '2026-08-01' });
    /* The reminder letter counts with it too. */
    const rem = await owner.post(`${C2}/invoices/${inv.id}/reminders`, {});
    assertStatus(rem, 201);
    assert.equal(rem.body.interest_minor, 8329);
    assert.equal(rem.body.interest.rate_unknown, false);

    /* The command line lists the same table and adds the next half-year. */
    assert.match(fx2.cli(['rates', 'list']), /2026-07-01 {2}1\.50 % {2}Sveriges riksbank \(added 2026-08-01\)/);
    assert.match(fx2.cli(['rates', 'add', '--source', 'Riksbanken', '2027-01-01', '1.00']), /2027-01-01 {2}1\.00 % {2}Riksbanken/);
    assert.equal((await owner.get(`${C2}/reference-rates`)).body.next_from, '2027-07-01');
  });
});

describe('ROT and RUT: yearly caps per buyer, private persons only', () => {
  const tolvan = { id_number: '19121212-1212', name: 'Tolvan Tolvansson' };
  const andersson = { id_number: '19811218-9876', name: 'Anna Andersson' };

  async function rotRut(kind, labourNetMinor, buyers, extra = {}) {
    const res = await anna.post(`${C}/invoices`, {
      customer_id: kund.id, kind, invoice_date: '2026-03-01', due_date: '2026-03-31',
      lines: [line(labourNetMinor, { labour: true, description: 'Städning' })], buyers, ...extra,
    });
    assertStatus(res, 201);
    return res.body;
  }
  test('a 500 000 kr RUT invoice gets 75 000 kr, not 250 000; the rest is the customer\'s part and on 1510', async () => {
    const inv = await rotRut('rut', 40000000, [tolvan]);
    assert.equal(inv.total_minor, 50000000);
    assert.equal(inv.tax_reduction_minor, 7500000);
    assert.equal(inv.customer_part_minor, 42500000);
    assert.equal(inv.remaining_minor, 42500000);
    const v = (await anna.get(`${C}/vouchers`)).body.items.find((x) => x.invoice_id === inv.id);
    const rows = v.rows.map((r) => (r.debit_minor ? `D ${r.account} ${r.debit_minor}` : `C ${r.account} ${r.credit_minor}`)).sort();
    assert.deepEqual(rows, ['C 2611 10000000', 'C 3001 40000000', 'D 1510 42500000', 'D 1513 7500000']);
    const ev = (await anna.get(`${C}/invoices/${inv.id}/history`)).body.items.find((e) => e.kind === 'created');
    assert.equal(ev.data.tax_reduction_capped_from, 25000000);
    /* The year's cap is used: the next RUT invoice of 2026 gets nothing, one of 2025 its 50 %. */
    const next = await rotRut('rut', 800000, [tolvan]);
    assert.equal(next.tax_reduction_minor, 0);
    assert.equal(next.customer_part_minor, 1000000);
    const last = await rotRut('rut', 800000, [tolvan], { invoice_date: '2025-12-01', due_date: '2025-12-31' });
    assert.equal(last.tax_reduction_minor, 500000);
  });

  test('ROT at most 50 000 kr, and ROT and RUT together at most 75 000 kr', async () => {
    /* ROT 30 % of 200 000 kr = 60 000 kr → 50 000 kr */
    const rot = await rotRut('rot', 16000000, [andersson]);
    assert.equal(rot.tax_reduction_minor, 5000000);
    assert.equal(rot.customer_part_minor, 20000000 - 5000000);
    /* RUT 50 % of 100 000 kr = 50 000 kr → the 25 000 kr left of the 75 000 */
    const rut = await rotRut('rut', 8000000, [andersson]);
    assert.equal(rut.tax_reduction_minor, 2500000);
    /* Tolvan (RUT cap used) and a new buyer share a ROT invoice of 40 000 kr labour:
       12 000 kr asked, 6 000 each; Tolvan has nothing left. */
    const shared = await rotRut('rot', 3200000, [tolvan, { id_number: '19400101-0018', name: 'Greta Gran' }]);
    assert.equal(shared.tax_reduction_minor, 600000);
  });

  test('ROT/RUT for a company customer is refused, naming kind, and changes nothing', async () => {
    const before = fx.counts();
    const res = await anna.post(`${C}/invoices`, {
      customer_id: bolag.id, kind: 'rot', invoice_date: '2026-03-01', due_date: '2026-03-31',
      lines: [line(100000, { labour: true })], buyers: [tolvan],
    });
    assertError(res, 422, 'rot_rut_company_customer', 'kind');
    assert.deepEqual(fx.counts(), before);
  });
});
