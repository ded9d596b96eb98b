/*
 * status.test.mjs — the invoice list's filters and counts, days overdue and
 * status, on a fixed clock.
 *
 * The server runs at 2025-06-14T22:30:00Z, which is already 2025-06-15 00:30
 * in Stockholm (CEST): "today" is 2025-06-15, so an invoice due 2025-06-14 is
 * one day overdue (a server using the UTC date would call it not yet due).
 *
 * The "unpaid" filter lists every open invoice, overdue ones included (the
 * store's FILTER_UNPAID: "open (includes overdue)"); an item's status is
 * "unpaid" only while it is not yet past due.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertStatus, co, createCustomer, createInvoice, line, startServer } from './lib/server.mjs';

let fx;
let anna;
let C;
const inv = {};

before(async () => {
  fx = await startServer({ now: '2025-06-14T22:30:00Z' });
  anna = await fx.login();
  C = co(fx.companyId);
  const kalle = await createCustomer(anna, fx.companyId, { name: 'Kalle Karlsson' });
  const lisa = await createCustomer(anna, fx.companyId, { name: 'Lisa Lindgren' });
  const make = (customer, due, price) => createInvoice(anna, fx.companyId, customer.id,
    { invoice_date: '2025-04-01', due_date: due, lines: [line(price, { vat_rate_bp: 0 })] });
  inv.yesterday = await make(kalle, '2025-06-14', 10000);
  inv.month = await make(kalle, '2025-05-16', 20000);
  inv.today = await make(lisa, '2025-06-15', 30000);
  inv.future = await make(lisa, '2025-07-15', 40000);
  inv.paid = await make(kalle, '2025-05-01', 50000);
  inv.part = await make(lisa, '2025-06-10', 60000);
  assertStatus(await anna.post(`${C}/invoices/${inv.paid.id}/payments`, { date: '2025-05-01', amount_minor: 50000, reference: 'full' }), 201);
  assertStatus(await anna.post(`${C}/invoices/${inv.part.id}/payments`, { date: '2025-06-01', amount_minor: 10000, reference: 'del' }), 201);
});
after(async () => {
  await fx?.stop();
});

async function list(status) {
  const res = await anna.get(`${C}/invoices?status=${status}&limit=200`);
  assertStatus(res, 200);
  assert.equal(res.body.next_cursor, null);
  return res.body.items;
}
const ids = (items) => items.map((it) => it.id).sort((a, b) => a - b);
const idsOf = (...names) => names.map((n) => inv[n].id).sort((a, b) => a - b);

test('status and days_overdue use the company\'s local date', async () => {
  const all = await list('all');
  const by = Object.fromEntries(all.map((it) => [it.id, it]));
  const expect = {
    yesterday: ['overdue', 1], month: ['overdue', 30], today: ['unpaid', 0], future: ['unpaid', 0], part: ['overdue', 5],
  };
  for (const [name, [status, days]] of Object.entries(expect)) {
    const it = by[inv[name].id];
    assert.ok(it, `${name} missing from status=all`);
    assert.equal(it.status, status, `${name}: status`);
    assert.equal(it.days_overdue, days, `${name}: days_overdue`);
  }
  assert.equal(by[inv.paid.id].status, 'paid');
  assert.equal(by[inv.paid.id].remaining_minor, 0);
  assert.equal(by[inv.part.id].remaining_minor, 50000);
  const single = await anna.get(`${C}/invoices/${inv.yesterday.id}`);
  assertStatus(single, 200);
  assert.equal(single.body.status, 'overdue');
  assert.equal(single.body.days_overdue, 1);
});

test('list items carry the fields of the contract', async () => {
  const [it] = (await list('all')).filter((x) => x.id === inv.month.id);
  assert.equal(it.customer.id, inv.month.customer.id);
  assert.equal(it.customer.name, 'Kalle Karlsson');
  assert.equal(it.invoice_date, '2025-04-01');
  assert.equal(it.due_date, '2025-05-16');
  assert.equal(it.currency, 'SEK');
  assert.equal(it.total_minor, 20000);
  assert.equal(it.remaining_minor, 20000);
  assert.equal(it.manual_reminders, 0);
  assert.equal(it.amili, null);
  assert.ok(it.number !== undefined && it.number !== null);
});

test('each filter lists the right invoices and the counts agree', async () => {
  assert.deepEqual(ids(await list('all')), idsOf('yesterday', 'month', 'today', 'future', 'paid', 'part'));
  assert.deepEqual(ids(await list('overdue')), idsOf('yesterday', 'month', 'part'));
  assert.deepEqual(ids(await list('unpaid')), idsOf('yesterday', 'month', 'today', 'future', 'part'));
  assert.deepEqual(ids(await list('paid')), idsOf('paid'));
  assert.deepEqual(await list('agency'), []);
  assert.deepEqual(await list('written_off'), []);
  const counts = await anna.get(`${C}/invoices/counts`);
  assertStatus(counts, 200);
  assert.deepEqual(counts.body, { all: 6, unpaid: 5, overdue: 3, agency: 0, paid: 1, written_off: 0 });
});

test('paying an overdue invoice in full moves it from overdue to paid in the list and the counts', async () => {
  const res = await anna.post(`${C}/invoices/${inv.month.id}/payments`, { date: '2025-06-14', amount_minor: 20000, reference: 'sista' });
  assertStatus(res, 201);
  assert.equal(res.body.invoice.status, 'paid');
  assert.equal(res.body.invoice.remaining_minor, 0);
  assert.ok(!ids(await list('overdue')).includes(inv.month.id));
  assert.ok(!ids(await list('unpaid')).includes(inv.month.id));
  assert.ok(ids(await list('paid')).includes(inv.month.id));
  const counts = await anna.get(`${C}/invoices/counts`);
  assert.deepEqual(counts.body, { all: 6, unpaid: 4, overdue: 2, agency: 0, paid: 2, written_off: 0 });
  const single = await anna.get(`${C}/invoices/${inv.month.id}`);
  assert.equal(single.body.status, 'paid');
});

test('a partial payment keeps an invoice overdue', async () => {
  const res = await anna.post(`${C}/invoices/${inv.yesterday.id}/payments`, { date: '2025-06-14', amount_minor: 9999, reference: 'nästan' });
  assertStatus(res, 201);
  assert.equal(res.body.invoice.status, 'overdue');
  assert.equal(res.body.invoice.remaining_minor, 1);
  assert.ok(ids(await list('overdue')).includes(inv.yesterday.id));
});

test('q searches the customer name', async () => {
  const res = await anna.get(`${C}/invoices?status=all&q=${encodeURIComponent('Lisa')}&limit=200`);
  assertStatus(res, 200);
  assert.deepEqual(ids(res.body.items), idsOf('today', 'future', 'part'));
  const none = await anna.get(`${C}/invoices?status=all&q=${encodeURIComponent('Ingen Sådan')}`);
  assertStatus(none, 200);
  assert.deepEqual(none.body.items, []);
  assert.equal(none.body.next_cursor, null);
});

test('sort=due_date orders by due date', async () => {
  const res = await anna.get(`${C}/invoices?status=all&sort=due_date`);
  assertStatus(res, 200);
  assert.deepEqual(res.body.items.map((it) => it.due_date),
    ['2025-05-01', '2025-05-16', '2025-06-10', '2025-06-14', '2025-06-15', '2025-07-15']);
});
