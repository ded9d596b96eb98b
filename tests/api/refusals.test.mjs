/*
 * refusals.test.mjs — requests a caller gets wrong, each refused with the
 * field named and nothing written: the invoice ids of a bulk reminder run
 * (missing, not a list, empty, not positive integers), the import options
 * of a bank file (allow_test_file is BgMax's only; true or false only),
 * the invoice list's query (a search text too long, an unknown sort, a
 * cursor that is not one, a limit out of range), ids in paths that are
 * not ids, a reminder policy's levels and settings (company and customer),
 * the reminder runs' body and queries (and their pages of one), a
 * webhook's event types and the deliveries' cursor, and an
 * Idempotency-Key that is empty or too long.
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

test('a reminder policy: each wrong part named, nothing stored', async () => {
  const kund = await createCustomer(anna, fx.companyId, { name: 'Policy Kund' });
  const level = { days: 10 };
  const cases = [
    [{ levels: 'tio' }, 'invalid_value', 'levels'],
    [{ levels: Array.from({ length: 6 }, () => level) }, 'out_of_range', 'levels'],
    [{ levels: [level, 5] }, 'invalid_value', 'levels[1]'],
    [{ levels: [{ days: 10, colour: 'red' }] }, 'unknown_field', 'levels[0].colour'],
    [{ levels: [{}] }, 'required', 'levels[0].days'],
    [{ levels: [{ days: 10, anchor: 'later' }] }, 'invalid_value', 'levels[0].anchor'],
    [{ levels: [{ days: 10, fee: 'yes' }] }, 'invalid_value', 'levels[0].fee'],
    [{ levels: [{ days: 10, text_en: 'x'.repeat(601) }] }, 'too_long', 'levels[0].text_en'],
    [{ levels: [level], enabled: 'yes' }, 'invalid_value', 'enabled'],
    [{ levels: [level], final_step: 'court' }, 'invalid_value', 'final_step'],
    [{ levels: [level], handover_days: 366 }, 'out_of_range', 'handover_days'],
  ];
  for (const [body, code, field] of cases) {
    assertError(await anna.put(`${C}/dunning/policy`, body), 422, code, field);
    assertError(await anna.put(`${C}/customers/${kund.id}/dunning-policy`, body), 422, code, field);
  }
  assert.equal(fx.count('dunning_policies'), 0);
  assert.equal(fx.count('dunning_levels'), 0);
  const res = await anna.get(`${C}/customers/${kund.id}/dunning-policy`);
  assertStatus(res, 200);
  assert.equal(res.body.stored, false);
});

test('reminder runs: a body or a query refused naming it; pages of one', async () => {
  const kund = await createCustomer(anna, fx.companyId, { name: 'Körning Kund' });
  await createInvoice(anna, fx.companyId, kund.id); /* due 2025-05-31, overdue */
  assertError(await anna.post(`${C}/dunning/runs`, { date: '2025-09-30' }), 422, 'unknown_field', 'date');
  assert.equal(fx.count('dunning_runs'), 0);
  const made = await anna.post(`${C}/dunning/runs`, {});
  assertStatus(made, 201);
  const runId = made.body.id;
  const items = fx.count('dunning_items', `run_id = ${runId}`);
  assert.ok(items >= 2, `${items} items`);

  assertError(await anna.get(`${C}/dunning/runs?limit=0`), 400, 'invalid_query', 'limit');
  assertError(await anna.get(`${C}/dunning/runs?before=x`), 400, 'invalid_query', 'before');
  const page = await anna.get(`${C}/dunning/runs?limit=1`);
  assertStatus(page, 200);
  assert.deepEqual(page.body.runs.map((r) => r.id), [runId]);
  assert.equal(page.body.next_before, runId, 'a full page says where the next begins');
  const rest = await anna.get(`${C}/dunning/runs?limit=1&before=${runId}`);
  assert.deepEqual([rest.body.runs, rest.body.next_before], [[], null]);

  assertError(await anna.get(`${C}/dunning/runs/${runId}?after=x`), 400, 'invalid_query', 'after');
  assertError(await anna.get(`${C}/dunning/runs/${runId}?limit=501`), 400, 'invalid_query', 'limit');
  const seen = [];
  let after = 0;
  for (let i = 0; i <= items; i++) {
    const one = await anna.get(`${C}/dunning/runs/${runId}?limit=1&after=${after}`);
    assertStatus(one, 200);
    seen.push(...one.body.items.map((it) => it.invoice_id));
    if (one.body.next_after === null) break;
    assert.equal(one.body.next_after, one.body.items[0].invoice_id);
    after = one.body.next_after;
  }
  assert.equal(seen.length, items, 'each item once, page by page');
  assert.deepEqual([...seen].sort((a, b) => a - b), seen, 'in invoice order');
  /* A run not carried out has no letters. */
  assertError(await anna.get(`${C}/dunning/runs/${runId}/letters.pdf`), 404, 'no_letters', 'run_id');
});

test('webhooks: event_types refused naming the entry; deliveries: a cursor that is not one', async () => {
  const url = 'https://hooks.example.se/paminn';
  for (const [types, code, field] of [
    ['invoice.paid', 'invalid_value', 'event_types'],
    [Array.from({ length: 17 }, () => 'invoice.paid'), 'out_of_range', 'event_types'],
    [['invoice.paid', 7], 'invalid_value', 'event_types[1]'],
  ]) {
    assertError(await anna.post(`${C}/webhooks`, { url, event_types: types }), 422, code, field);
  }
  assert.equal(fx.count('webhook_endpoints'), 0);
  assertError(await anna.get(`${C}/webhooks/deliveries?cursor=inte-en-markör`), 400, 'invalid_query', 'cursor');
  assertError(await anna.get(`${C}/webhooks/deliveries?limit=201`), 400, 'invalid_query', 'limit');
});

test('an Idempotency-Key that is empty or too long is refused, nothing written', async () => {
  const was = state();
  for (const key of ['', 'k'.repeat(128)]) {
    const res = await anna.post(`${C}/customers`, { name: 'Nyckel Kund' }, { headers: { 'Idempotency-Key': key } });
    assertError(res, 422, 'invalid_value', 'Idempotency-Key');
  }
  assert.equal(state(), was);
  const ok = await anna.post(`${C}/customers`, { name: 'Nyckel Kund' }, { idem: 'k'.repeat(127) });
  assertStatus(ok, 201);
});
