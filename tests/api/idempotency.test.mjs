/*
 * idempotency.test.mjs — a POST repeated with the same Idempotency-Key (a
 * retry after a lost answer, a double click) returns the first answer and
 * does nothing again.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { assertError, assertStatus, co, createCustomer, createInvoice, customerBody, invoiceBody, startServer } from './lib/server.mjs';

let fx;
let anna;
let C;

before(async () => {
  fx = await startServer({ now: '2025-07-01' });
  anna = await fx.login();
  C = co(fx.companyId);
});
after(async () => {
  await fx?.stop();
});

test('the same customer POST twice with one key: same status and body, Idempotent-Replayed, one row', async () => {
  const key = randomUUID();
  const body = customerBody({ name: 'Idempotent Kund' });
  const before = fx.count('customers');
  const first = await anna.post(`${C}/customers`, body, { idem: key });
  assertStatus(first, 201);
  assert.notEqual(first.headers.get('idempotent-replayed'), 'true', 'the first answer claims to be a replay');
  const second = await anna.post(`${C}/customers`, body, { idem: key });
  assert.equal(second.status, first.status);
  assert.deepEqual(second.body, first.body);
  assert.equal(second.headers.get('idempotent-replayed'), 'true');
  assert.equal(fx.count('customers'), before + 1);
  assert.equal(fx.count('customers', "name = 'Idempotent Kund'"), 1);
});

test('the same key with a different body: 422 idempotency_key_reused and nothing created', async () => {
  const key = randomUUID();
  assertStatus(await anna.post(`${C}/customers`, customerBody({ name: 'Första' }), { idem: key }), 201);
  const before = fx.counts();
  const res = await anna.post(`${C}/customers`, customerBody({ name: 'Andra' }), { idem: key });
  assertError(res, 422, 'idempotency_key_reused');
  assert.deepEqual(fx.counts(), before);
  assert.equal(fx.count('customers', "name = 'Andra'"), 0);
});

test('a repeated invoice POST creates one invoice, one set of lines and one history event', async () => {
  const customer = await createCustomer(anna, fx.companyId, { name: 'Fakturakund' });
  const key = randomUUID();
  const body = invoiceBody(customer.id, { lines: [{ description: 'A', quantity_milli: 1000, unit_price_minor: 1000, vat_rate_bp: 2500, labour: false },
    { description: 'B', quantity_milli: 3000, unit_price_minor: 500, vat_rate_bp: 1200, labour: false }] });
  const before = fx.counts();
  const first = await anna.post(`${C}/invoices`, body, { idem: key });
  assertStatus(first, 201);
  const again = await anna.post(`${C}/invoices`, body, { idem: key });
  assertStatus(again, 201);
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  const now = fx.counts();
  assert.equal(now.invoices, before.invoices + 1);
  assert.equal(now.invoice_lines, before.invoice_lines + 2);
  assert.equal(now.history_events, before.history_events + 1);
});

test('a repeated payment is registered once', async () => {
  const customer = await createCustomer(anna, fx.companyId, { name: 'Betalare' });
  const inv = await createInvoice(anna, fx.companyId, customer.id, { lines: [{ description: 'x', quantity_milli: 1000, unit_price_minor: 80000, vat_rate_bp: 2500, labour: false }] });
  assert.equal(inv.remaining_minor, 100000);
  const key = randomUUID();
  const pay = { date: '2025-06-10', amount_minor: 30000, reference: 'OCR 123' };
  const first = await anna.post(`${C}/invoices/${inv.id}/payments`, pay, { idem: key });
  assertStatus(first, 201);
  const second = await anna.post(`${C}/invoices/${inv.id}/payments`, pay, { idem: key });
  assertStatus(second, 201);
  assert.deepEqual(second.body, first.body);
  assert.equal(second.headers.get('idempotent-replayed'), 'true');
  assert.equal(fx.count('payments', `invoice_id = ${inv.id} and company_id = ${fx.companyId}`), 1);
  const got = await anna.get(`${C}/invoices/${inv.id}`);
  assert.equal(got.body.remaining_minor, 70000);
  assert.equal(got.body.paid_minor, 30000);
});

test('a key is the caller\'s: a different key with the same body creates a second row', async () => {
  const body = customerBody({ name: 'Tvilling' });
  assertStatus(await anna.post(`${C}/customers`, body, { idem: randomUUID() }), 201);
  assertStatus(await anna.post(`${C}/customers`, body, { idem: randomUUID() }), 201);
  assert.equal(fx.count('customers', "name = 'Tvilling'"), 2);
});

test('two simultaneous requests with one key (a double click) create one row', async () => {
  const key = randomUUID();
  const body = customerBody({ name: 'Dubbelklick' });
  const results = await Promise.all([1, 2, 3, 4].map(() => anna.post(`${C}/customers`, body, { idem: key })));
  const created = results.filter((r) => r.status === 201);
  assert.ok(created.length >= 1, `no request succeeded: ${results.map((r) => r.status + ' ' + r.text).join(' | ')}`);
  for (const r of results) {
    assert.ok(r.status === 201 || r.status === 409, `unexpected answer ${r.status} ${r.text}`);
    if (r.status === 201) assert.deepEqual(r.body, created[0].body);
  }
  assert.equal(fx.count('customers', "name = 'Dubbelklick'"), 1);
});
