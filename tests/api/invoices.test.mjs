/*
 * invoices.test.mjs — creating invoices (defaults, numbering, ROT), late-
 * payment interest with the Riksbank reference rates, payments and history.
 *
 * The server's clock is fixed at 2026-10-15 (Stockholm), past the last known
 * reference rate (2026-01-01 in data/reference-rates.csv).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { OWNER_EMAIL, assertError, assertStatus, co, createCustomer, createInvoice, line, startServer } from './lib/server.mjs';

let fx;
let anna;
let C;
let kund;

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

before(async () => {
  fx = await startServer({ now: '2026-10-15' });
  anna = await fx.login();
  C = co(fx.companyId);
  kund = await createCustomer(anna, fx.companyId, { name: 'Tolvan Tolvansson', id_number: '19121212-1212' });
});
after(async () => {
  await fx?.stop();
});

describe('creating invoices', () => {
  test('201 with the computed amounts and the defaults (SEK, standard, due date from payment terms)', async () => {
    const res = await anna.post(`${C}/invoices`, {
      customer_id: kund.id,
      invoice_date: '2026-03-01',
      lines: [
        { description: 'Timmar', quantity_milli: 2500, unit_price_minor: 80000, vat_rate_bp: 2500, labour: false },
        { description: 'Bok', quantity_milli: 1000, unit_price_minor: 30000, vat_rate_bp: 600, labour: false },
      ],
    });
    assertStatus(res, 201);
    const inv = res.body;
    assert.equal(typeof inv.id, 'number');
    assert.equal(inv.currency, 'SEK');
    assert.equal(inv.kind, 'standard');
    assert.equal(inv.invoice_date, '2026-03-01');
    assert.equal(inv.due_date, '2026-03-31', 'due date = invoice date + 30 days of payment terms');
    assert.equal(inv.net_minor, 230000);
    assert.equal(inv.vat_minor, 50000 + 1800);
    assert.equal(inv.total_minor, 281800);
    assert.equal(inv.tax_reduction_minor, 0);
    assert.equal(inv.customer_part_minor, 281800);
    assert.equal(inv.paid_minor, 0);
    assert.equal(inv.remaining_minor, 281800);
    assert.deepEqual(inv.customer, { id: kund.id, name: 'Tolvan Tolvansson' });
    assert.equal(inv.status, 'overdue');
    assert.equal(inv.days_overdue, 198);
    const got = await anna.get(`${C}/invoices/${inv.id}`);
    assertStatus(got, 200);
    assert.equal(got.body.lines.length, 2);
    assert.equal(got.body.lines[0].description, 'Timmar');
    assert.equal(got.body.lines[0].quantity_milli, 2500);
    assert.equal(got.body.lines[1].vat_rate_bp, 600);
    assert.deepEqual(got.body.buyers, []);
  });

  test('numbers follow the series; a duplicate number is 409 duplicate_number and writes nothing', async () => {
    const a = await createInvoice(anna, fx.companyId, kund.id);
    const b = await createInvoice(anna, fx.companyId, kund.id);
    assert.equal(Number(b.number), Number(a.number) + 1);
    const before = fx.counts();
    const dup = await anna.post(`${C}/invoices`, { customer_id: kund.id, number: a.number, invoice_date: '2026-03-01', lines: [line(1000)] });
    assertError(dup, 409, 'duplicate_number', 'number');
    assert.deepEqual(fx.counts(), before);
  });

  test('a ROT invoice: the customer\'s part is what remains to be paid', async () => {
    const res = await anna.post(`${C}/invoices`, {
      customer_id: kund.id,
      kind: 'rot',
      invoice_date: '2026-03-01',
      due_date: '2026-03-31',
      lines: [
        { description: 'Snickeriarbete', quantity_milli: 1000, unit_price_minor: 1000000, vat_rate_bp: 2500, labour: true },
        { description: 'Material', quantity_milli: 1000, unit_price_minor: 400000, vat_rate_bp: 2500, labour: false },
      ],
      buyers: [{ id_number: '19121212-1212', name: 'Tolvan Tolvansson' }],
    });
    assertStatus(res, 201);
    const inv = res.body;
    assert.equal(inv.kind, 'rot');
    assert.equal(inv.net_minor, 1400000);
    assert.equal(inv.vat_minor, 350000);
    assert.equal(inv.total_minor, 1750000);
    assert.equal(inv.tax_reduction_minor, 375000);
    assert.equal(inv.customer_part_minor, 1375000);
    assert.equal(inv.remaining_minor, 1375000);
    const listed = await anna.get(`${C}/invoices?status=all&limit=200`);
    const row = listed.body.items.find((it) => it.id === inv.id);
    assert.ok(row, 'the ROT invoice is not in the list');
    assert.equal(row.total_minor, 1750000);
    assert.equal(row.remaining_minor, 1375000);
    const got = await anna.get(`${C}/invoices/${inv.id}`);
    assert.equal(got.body.buyers.length, 1);
    assert.equal(got.body.buyers[0].name, 'Tolvan Tolvansson');
    assert.equal(got.body.lines[0].labour, true);
    /* Paying more than the customer's part is refused. */
    const over = await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-04-01', amount_minor: 1375001, reference: 'för mycket' });
    assertError(over, 422, 'out_of_range', 'amount_minor');
  });

  test('another company\'s invoice id, or a made-up one, is 404', async () => {
    assertError(await anna.get(`${C}/invoices/999999`), 404, 'not_found');
    assertError(await anna.get(`${C}/invoices/999999/history`), 404, 'not_found');
  });

  test('an invoice by its number (the invoice page\'s address): the same answer as by its id; another number is 404', async () => {
    const inv = await createInvoice(anna, fx.companyId, kund.id, { number: 1043, lines: [line(120000)] });
    assert.notEqual(inv.id, 1043, 'the id and the number differ, so the test tells them apart');
    const byId = await anna.get(`${C}/invoices/${inv.id}`);
    const byNumber = await anna.get(`${C}/invoices/by-number/1043`);
    assertStatus(byNumber, 200);
    assert.deepEqual(byNumber.body, byId.body);
    assertError(await anna.get(`${C}/invoices/by-number/999999`), 404, 'not_found');
    assert.equal((await anna.get(`${C}/invoices/by-number/abc`)).status, 404);
    assert.equal((await anna.get(`${C}/invoices/by-number/0`)).status, 404);
  });
});

describe('late-payment interest', () => {
  let inv;
  before(async () => {
    inv = await createInvoice(anna, fx.companyId, kund.id, {
      invoice_date: '2025-03-01', due_date: '2025-03-31', lines: [line(1000000, { vat_rate_bp: 0 })],
    });
    assert.equal(inv.total_minor, 1000000);
  });

  test('10 000 kr due 2025-03-31, as of 2025-09-30: 52 630 öre (91 days at 11 %, 92 days at 10 %)', async () => {
    const res = await anna.get(`${C}/invoices/${inv.id}?as_of=2025-09-30`);
    assertStatus(res, 200);
    assert.equal(res.body.interest_minor, 52630);
    assert.equal(res.body.interest.amount_minor, 52630);
    assert.equal(res.body.interest.days, 183);
    assert.equal(res.body.interest.to, '2025-09-30');
    assert.equal(res.body.interest.rate_unknown, false);
  });

  test('one day late: 301 öre; on the due date and before it: nothing', async () => {
    assert.equal((await anna.get(`${C}/invoices/${inv.id}?as_of=2025-04-01`)).body.interest_minor, 301);
    assert.equal((await anna.get(`${C}/invoices/${inv.id}?as_of=2025-03-31`)).body.interest_minor, 0);
    assert.equal((await anna.get(`${C}/invoices/${inv.id}?as_of=2025-03-15`)).body.interest_minor, 0);
  });

  test('beyond the known reference rates the rate is unknown from 2026-07-01', async () => {
    const res = await anna.get(`${C}/invoices/${inv.id}?as_of=2026-09-30`);
    assertStatus(res, 200);
    assert.equal(res.body.interest.rate_unknown, true);
    assert.equal(res.body.interest.unknown_from, '2026-07-01');
    assert.equal(typeof res.body.interest.estimate_minor, 'number');
    /* Up to 2026-06-30 the rate is known: at least 10 % for 456 days. */
    assert.ok(res.body.interest.amount_minor >= 120000, JSON.stringify(res.body.interest));
    assert.ok(res.body.interest.estimate_minor >= res.body.interest.amount_minor, JSON.stringify(res.body.interest));
  });

  test('without as_of the interest runs to today (2026-10-15)', async () => {
    const res = await anna.get(`${C}/invoices/${inv.id}`);
    assertStatus(res, 200);
    assert.equal(res.body.interest.to, '2026-10-15');
    assert.equal(res.body.interest.rate_unknown, true);
  });

  test('a bad as_of is 400 invalid_query naming it', async () => {
    assertError(await anna.get(`${C}/invoices/${inv.id}?as_of=2025-13-01`), 400, 'invalid_query', 'as_of');
    assertError(await anna.get(`${C}/invoices/${inv.id}?as_of=igår`), 400, 'invalid_query', 'as_of');
  });
});

describe('payments and history', () => {
  let inv;
  before(async () => {
    inv = await createInvoice(anna, fx.companyId, kund.id, {
      invoice_date: '2026-09-01', due_date: '2026-10-01', lines: [line(1000000)],
    });
    assert.equal(inv.remaining_minor, 1250000);
  });

  test('a payment reduces remaining_minor and answers the payment with the updated invoice', async () => {
    const res = await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-10-05', amount_minor: 250000, reference: 'OCR 4711' });
    assertStatus(res, 201);
    const p = res.body;
    assert.equal(typeof p.id, 'number');
    assert.equal(p.invoice_id, inv.id);
    assert.equal(p.date, '2026-10-05');
    assert.equal(p.amount_minor, 250000);
    assert.equal(p.currency, 'SEK');
    assert.equal(p.reference, 'OCR 4711');
    assert.equal(typeof p.source, 'string');
    assert.equal(p.invoice.id, inv.id);
    assert.equal(p.invoice.paid_minor, 250000);
    assert.equal(p.invoice.remaining_minor, 1000000);
    const got = await anna.get(`${C}/invoices/${inv.id}`);
    assert.equal(got.body.remaining_minor, 1000000);
    assert.equal(got.body.paid_minor, 250000);
  });

  test('more than what remains, zero or a negative amount: 422 out_of_range on amount_minor, nothing written', async () => {
    for (const amount_minor of [1000001, 0, -5]) {
      const before = fx.counts();
      const res = await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-10-06', amount_minor, reference: 'x' });
      assertError(res, 422, 'out_of_range', 'amount_minor');
      assert.deepEqual(fx.counts(), before);
    }
    assert.equal((await anna.get(`${C}/invoices/${inv.id}`)).body.remaining_minor, 1000000);
  });

  test('a payment without a valid date or amount names the field', async () => {
    const before = fx.counts();
    assertError(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-02-30', amount_minor: 100, reference: 'x' }), 422, 'invalid_value', 'date');
    assertError(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-10-06', reference: 'x' }), 422, 'required', 'amount_minor');
    assert.deepEqual(fx.counts(), before);
  });

  test('history lists "created" then "payment", oldest first, by the user', async () => {
    const res = await anna.get(`${C}/invoices/${inv.id}/history`);
    assertStatus(res, 200);
    const items = res.body.items;
    assert.deepEqual(items.map((e) => e.kind), ['created', 'payment']);
    for (const e of items) {
      assert.equal(e.actor, OWNER_EMAIL);
      assert.match(e.at, RFC3339_UTC);
      assert.equal(typeof e.message, 'string');
      assert.ok(e.message.length > 0);
      assert.equal(typeof e.data, 'object');
    }
    assert.ok(items[0].id < items[1].id);
    assert.ok(items[0].at <= items[1].at);
  });

  test('paying the rest makes the invoice paid, and nothing more can be paid', async () => {
    const res = await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-10-10', amount_minor: 1000000, reference: 'rest' });
    assertStatus(res, 201);
    assert.equal(res.body.invoice.remaining_minor, 0);
    assert.equal(res.body.invoice.status, 'paid');
    assertError(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-10-11', amount_minor: 1, reference: 'extra' }), 422, 'out_of_range', 'amount_minor');
    const hist = await anna.get(`${C}/invoices/${inv.id}/history`);
    assert.deepEqual(hist.body.items.map((e) => e.kind), ['created', 'payment', 'payment']);
  });
});
