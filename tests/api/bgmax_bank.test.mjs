/*
 * bgmax_bank.test.mjs — bank files booked where a bookkeeper would book
 * them, over real HTTP: a payment naming several invoices spread over them
 * in order (the excess an over-payment of the payer, on 2420); numbers in
 * a payer's message booked only on that payer's invoices, otherwise held
 * as "unmatched, suggested" for a person to confirm; valid files of odd
 * shape (payer bankgiro written short, TABs, no line ends, a EUR section,
 * UTF-8) imported with a warning; Bankgirot's own example files; dry runs
 * that book nothing.
 *
 * The server's clock is fixed at 2024-06-01 (Stockholm); the company's
 * bankgiro is 991-2346.  Invoices are 10 000 kr + 25 % VAT = 12 500 kr
 * unless a test says otherwise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { luhnCheckDigit, writeBgmax } from '../lib/bgmax.mjs';
import { assertError, assertStatus, co, createCustomer, line, startServer } from './lib/server.mjs';

let fx;
let anna;
let C;
let stamp = 20240316063015000000n;

/* Our OCR of an invoice number: number, length digit, check digit. */
function ocrOf(number) {
  const body = String(number) + String((String(number).length + 2) % 10);
  return body + luhnCheckDigit(body);
}

/* The records as a file: CR LF, ISO-8859-1, a new file stamp each time. */
function file(deposits, { marker = 'P', eol = '\r\n' } = {}) {
  stamp += 1n;
  const lines = writeBgmax({ stamp: String(stamp), marker, deposits });
  return Buffer.from(lines.join(eol) + eol, 'latin1');
}

async function importFile(body, query = '') {
  return anna.request('POST', `${C}/payments/bgmax${query}`, undefined, {
    raw: body,
    headers: { 'Content-Type': 'text/plain' },
  });
}

async function invoice(customer, unitMinor = 1000000) {
  const res = await anna.post(`${C}/invoices`, {
    customer_id: customer.id, invoice_date: '2024-01-30', due_date: '2024-02-29', lines: [line(unitMinor)],
  });
  assertStatus(res, 201);
  return res.body;
}

async function remaining(inv) {
  const res = await anna.get(`${C}/invoices/${inv.id}`);
  return [res.body.status, res.body.remaining_minor];
}

/* The rows of the payment voucher of an invoice: [account, debit, credit]. */
async function paymentRows(inv, date = '2024-03-15') {
  const vs = (await anna.get(`${C}/vouchers?from=${date}&to=${date}`)).body.items;
  return vs.filter((v) => v.invoice_id === inv.id && v.source === 'payment')
    .map((v) => v.rows.map((r) => [r.account, r.debit_minor, r.credit_minor]));
}

/* Everything an import may write. */
function state() {
  return ['payments', 'vouchers', 'voucher_rows', 'history_events', 'bgmax_imports', 'outbox', 'invoice_books']
    .map((t) => `${t}=${fx.count(t)}`)
    .join(' ') + ` paid=${fx.sql('select coalesce(sum(paid_minor), 0) from invoices')}`;
}

before(async () => {
  fx = await startServer({ now: '2024-06-01' });
  anna = await fx.login();
  C = co(fx.companyId);
  assertStatus(await anna.patch(C, { bankgiro: '991-2346' }), 200);
});
after(async () => {
  await fx?.stop();
});

describe('a payment naming several invoices', () => {
  test('is spread over them in order, each up to what it owes', async () => {
    const kund = await createCustomer(anna, fx.companyId, { name: 'Tre Fakturor AB' });
    const a = await invoice(kund); /* 12 500 kr */
    const b = await invoice(kund, 500000); /* 6 250 kr */
    const c = await invoice(kund, 200000); /* 2 500 kr */
    /* 20 000 kr naming a, b and c: 12 500 + 6 250 + 1 250 (c keeps 1 250). */
    const res = await importFile(file([{ bankgiro: '9912346', payments: [
      { ref: ocrOf(a.number), amount: 2000000, payer: '56781230', extras: [{ ref: ocrOf(b.number) }, { ref: ocrOf(c.number) }] },
    ] }]));
    assertStatus(res, 200);
    assert.deepEqual(res.body.matched.map((m) => [m.invoice_number, m.amount_minor, m.status, m.remaining_minor]), [
      [a.number, 1250000, 'paid', 0],
      [b.number, 625000, 'paid', 0],
      [c.number, 125000, 'part_paid', 125000],
    ]);
    assert.deepEqual(res.body.overpayments, []);
    assert.deepEqual(res.body.payer_overpayments, []);
    assert.equal(res.body.totals.matched_minor, 2000000);
    assert.deepEqual(await Promise.all([a, b, c].map(remaining)), [['paid', 0], ['paid', 0], ['overdue', 125000]]);
    assert.deepEqual(await paymentRows(b), [[[1930, 625000, 0], [1510, 0, 625000]]]);
  });

  test('more than they owe: the excess is an over-payment of the payer, on 2420', async () => {
    const kund = await createCustomer(anna, fx.companyId, { name: 'Överbetalaren AB' });
    const a = await invoice(kund, 100000); /* 1 250 kr */
    const b = await invoice(kund, 100000); /* 1 250 kr */
    /* 3 000 kr: 1 250 + 1 250, 500 kr over. */
    const res = await importFile(file([{ bankgiro: '9912346', payments: [
      { ref: ocrOf(a.number), amount: 300000, payer: '56781230', name: 'Överbetalaren AB', extras: [{ ref: ocrOf(b.number) }] },
    ] }]));
    assertStatus(res, 200);
    assert.deepEqual(res.body.matched.map((m) => [m.invoice_number, m.amount_minor, m.status]), [
      [a.number, 125000, 'paid'],
      [b.number, 175000, 'overpaid'],
    ]);
    assert.deepEqual(res.body.payer_overpayments, [{
      line: 3, payer_bankgiro: '0056781230', payer_name: 'Överbetalaren AB', amount_minor: 50000, invoice_number: b.number, account: 2420,
    }]);
    assert.deepEqual(res.body.overpayments, [{ invoice_id: b.id, invoice_number: b.number, amount_minor: 50000 }]);
    assert.deepEqual(await paymentRows(a), [[[1930, 125000, 0], [1510, 0, 125000]]]);
    assert.deepEqual(await paymentRows(b), [[[1930, 175000, 0], [1510, 0, 125000], [2420, 0, 50000]]]);
  });
});

describe("numbers in the payer's message", () => {
  let k1b;
  let k2a;
  let report;

  test("book only on this payer's invoices; other payments wait, suggested, for a person", async () => {
    const k1 = await createCustomer(anna, fx.companyId, { name: 'Kund Ett AB' });
    const k2 = await createCustomer(anna, fx.companyId, { name: 'Kund Två AB' });
    const k1a = await invoice(k1);
    k1b = await invoice(k1);
    k2a = await invoice(k2);
    /* The payer's bankgiro 5050-1055 pays k1a by OCR: it is known as Kund Ett's. */
    const first = await importFile(file([{ bankgiro: '9912346', date: '20240314', payments: [
      { ref: ocrOf(k1a.number), amount: 1250000, payer: '50501055' },
    ] }]));
    assertStatus(first, 200);
    assert.deepEqual(first.body.matched.map((m) => [m.invoice_number, m.matched_by]), [[k1a.number, 'ocr']]);
    const res = await importFile(file([{ bankgiro: '9912346', date: '20240315', serial: 2, payments: [
      /* the known payer names its own invoice k1b: booked */
      { code: 1, amount: 1250000, payer: '50501055', message: `Faktura ${k1b.number}` },
      /* the known payer names Kund Två's invoice: held, suggested */
      { code: 1, amount: 300000, payer: '50501055', message: `Faktura ${k2a.number}` },
      /* an unknown payer names k2a: held, suggested */
      { code: 1, amount: 500000, message: `avser ${k2a.number}`, name: 'Okänd Betalare' },
      /* the known payer names k1a, paid already: more than it claims, held */
      { code: 1, amount: 10000, payer: '50501055', message: `Faktura ${k1a.number}` },
    ] }]));
    assertStatus(res, 200);
    report = res.body;
    assert.deepEqual(report.matched.map((m) => [m.invoice_number, m.amount_minor, m.matched_by, m.status]),
      [[k1b.number, 1250000, 'message', 'paid']]);
    assert.deepEqual(report.unmatched.map((u) => [u.line, u.amount_minor, u.suggested_invoice_number, u.reason]), [
      [5, 300000, k2a.number, "the message names an invoice of another customer than the payer's"],
      [7, 500000, k2a.number, 'the message names an invoice, but the payer is not known as its customer'],
      [10, 10000, k1a.number, 'the amount is more than the invoices the message names claim'],
    ]);
    assert.ok(report.unmatched.every((u) => Number.isInteger(u.id)));
    assert.equal(report.totals.unmatched_minor, 810000);
    assert.deepEqual(await remaining(k2a), ['overdue', 1250000]);
    /* The held money waits on 2420. */
    const vs = (await anna.get(`${C}/vouchers?from=2024-03-15&to=2024-03-15`)).body.items;
    const held = vs.filter((v) => v.source === 'bgmax_unmatched').at(-1);
    assert.deepEqual(held.rows.map((r) => [r.account, r.debit_minor, r.credit_minor]), [[1930, 810000, 0], [2420, 0, 810000]]);
  });

  test('the held payments are listed with their suggestion', async () => {
    const res = await anna.get(`${C}/payments/unmatched`);
    assertStatus(res, 200);
    const mine = res.body.items.filter((u) => report.unmatched.some((r) => r.id === u.id));
    assert.deepEqual(mine.map((u) => [u.amount_minor, u.date, u.suggested_invoice_id, u.invoice_id, u.payer_bankgiro]), [
      [300000, '2024-03-15', k2a.id, null, '0050501055'],
      [500000, '2024-03-15', k2a.id, null, '0000000000'],
      [10000, '2024-03-15', report.unmatched[2].suggested_invoice_id, null, '0050501055'],
    ]);
  });

  test('a person confirms one: booked from 2420 on the invoice, on its bank date', async () => {
    const held = report.unmatched[1]; /* 5 000 kr, unknown payer, suggested k2a */
    const res = await anna.post(`${C}/payments/unmatched/${held.id}/confirm`, { invoice_id: k2a.id });
    assertStatus(res, 200);
    assert.equal(res.body.unmatched.invoice_id, k2a.id);
    assert.equal(res.body.payment.capital_minor, 500000);
    assert.equal(res.body.payment.remaining_minor, 750000);
    assert.deepEqual(await remaining(k2a), ['overdue', 750000]);
    assert.deepEqual(await paymentRows(k2a), [[[2420, 500000, 0], [1510, 0, 500000]]]);
    const open = (await anna.get(`${C}/payments/unmatched`)).body.items.map((u) => u.id);
    assert.ok(!open.includes(held.id));
  });

  test('refusals name the field and change nothing', async () => {
    const before = state() + ` unmatched=${fx.count('unmatched_payments', 'invoice_id = 0')}`;
    const held = report.unmatched[0];
    assertError(await anna.post(`${C}/payments/unmatched/${report.unmatched[1].id}/confirm`, { invoice_id: k2a.id }),
      409, 'already_confirmed', 'id');
    assertError(await anna.post(`${C}/payments/unmatched/${held.id}/confirm`, { invoice_id: 999999 }), 404, 'not_found', 'invoice_id');
    assertError(await anna.post(`${C}/payments/unmatched/999999/confirm`, { invoice_id: k2a.id }), 404, 'not_found', 'id');
    const missing = await anna.post(`${C}/payments/unmatched/${held.id}/confirm`, {});
    assert.equal(missing.status, 422);
    assert.equal(missing.body.error.field, 'invoice_id');
    assert.equal(state() + ` unmatched=${fx.count('unmatched_payments', 'invoice_id = 0')}`, before);
  });
});
