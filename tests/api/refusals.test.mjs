/*
 * refusals.test.mjs — requests a caller gets wrong, each refused with the
 * field named and nothing written: the invoice ids of a bulk reminder run
 * (missing, not a list, empty, not positive integers), the import options
 * of a bank file (allow_test_file is BgMax's only; true or false only),
 * the invoice list's query (a search text too long, an unknown sort, a
 * cursor that is not one, a limit out of range), and ids in paths that
 * are not ids.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertError, assertStatus, co, createCustomer, createInvoice, startServer } from './lib/server.mjs';

let fx;
let anna;
let C;

before(async () => {
  fx = await startServer({ now: '2025-09-30' });
  anna = await fx.login();
  C = co(fx.companyId);
});

after(async () => {
  await fx?.stop();
});

function state() {
  return JSON.stringify({ ...fx.counts(), reminders: fx.count('reminders'), batches: fx.count('reminder_batches') });
}

test('a bulk reminder run: invoice_ids named when missing, not a list, empty or not ids', async () => {
  const kund = await createCustomer(anna, fx.companyId);
  const inv = await createInvoice(anna, fx.companyId, kund.id);
  const was = state();
  assertError(await anna.post(`${C}/reminders`, {}), 422, 'required', 'invoice_ids');
  assertError(await anna.post(`${C}/reminders`, { invoice_ids: inv.id }), 422, 'invalid_value', 'invoice_ids');
  assertError(await anna.post(`${C}/reminders`, { invoice_ids: {} }), 422, 'invalid_value', 'invoice_ids');
  assertError(await anna.post(`${C}/reminders`, { invoice_ids: [] }), 422, 'out_of_range', 'invoice_ids');
  for (const [ids, field] of [[['1'], 'invoice_ids[0]'], [[inv.id, 0], 'invoice_ids[1]'],
    [[inv.id, inv.id, -4], 'invoice_ids[2]'], [[1.5], 'invoice_ids[0]'], [[null], 'invoice_ids[0]']]) {
    assertError(await anna.post(`${C}/reminders`, { invoice_ids: ids }), 422, 'invalid_value', field);
  }
  assert.equal(state(), was);
});

test('bank file options: allow_test_file only for BgMax, true or false only', async () => {
  const was = state();
  const post = (p, type) => anna.request('POST', `${C}${p}`, undefined, {
    raw: 'not a file', headers: { 'Content-Type': type },
  });
  assertError(await post('/payments/camt054?allow_test_file=true', 'application/xml'), 400, 'invalid_query',
    'allow_test_file');
  assertError(await post('/payments/camt054?dry_run=maybe', 'application/xml'), 400, 'invalid_query', 'dry_run');
  assertError(await post('/payments/bgmax?allow_test_file=yes', 'text/plain'), 400, 'invalid_query',
    'allow_test_file');
  assertError(await post('/payments/bgmax?allow_test_file=false&dry_run=1', 'text/plain'), 400, 'invalid_query',
    'dry_run');
  assert.equal(state(), was);
});

test('the invoice list: its query refused naming the parameter', async () => {
  const cases = [
    [`q=${'a'.repeat(400)}`, 'q'],
    ['sort=price', 'sort'],
    ['cursor=not-a-cursor', 'cursor'],
    ['limit=0', 'limit'],
    ['limit=100000', 'limit'],
    ['limit=ten', 'limit'],
    ['customer_id=0', 'customer_id'],
    ['customer_id=-1', 'customer_id'],
    ['status=everything', 'status'],
    ['stopped=perhaps', 'stopped'],
  ];
  for (const [query, field] of cases) {
    const res = await anna.get(`${C}/invoices?${query}`);
    assert.equal(res.status, 400, `${query}: ${res.text.slice(0, 200)}`);
    assert.equal(res.body.error.field, field, query);
  }
  /* An empty search text and an empty cursor are no search and the first page. */
  assertStatus(await anna.get(`${C}/invoices?q=&cursor=`), 200);
});

test('a cursor of another filter is refused saying so', async () => {
  const kund = await createCustomer(anna, fx.companyId, { name: 'Sida Kund' });
  for (let i = 0; i < 3; i++) await createInvoice(anna, fx.companyId, kund.id);
  const first = await anna.get(`${C}/invoices?limit=1`);
  assertStatus(first, 200);
  const cursor = first.body.next_cursor;
  assert.ok(cursor, JSON.stringify(first.body).slice(0, 300));
  const other = await anna.get(`${C}/invoices?limit=1&status=overdue&cursor=${encodeURIComponent(cursor)}`);
  assertError(other, 400, 'invalid_query', 'cursor');
  assert.match(JSON.stringify(other.body.error), /another filter/);
  const next = await anna.get(`${C}/invoices?limit=1&cursor=${encodeURIComponent(cursor)}`);
  assertStatus(next, 200);
  assert.notEqual(next.body.items[0].id, first.body.items[0].id);
});

test('ids in paths that are not ids: 404, and another company: 404', async () => {
  for (const p of ['/invoices/abc', '/invoices/0', '/invoices/-1', '/invoices/99999999999999999999',
    '/customers/1x', '/invoices/1/reminders/x/letter.pdf']) {
    const res = await anna.get(`${C}${p}`);
    assert.equal(res.status, 404, `${p}: ${res.status} ${res.text.slice(0, 200)}`);
  }
  assertError(await anna.get(`${co(fx.companyId + 100)}/invoices`), 404, 'not_found');
});
