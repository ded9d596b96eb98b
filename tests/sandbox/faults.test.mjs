// Fault injection and request counters: what the product's dispatcher must survive.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, call, onboarded, register, debt } from './helper.mjs';

let sb, o;
before(async () => { sb = await startSandbox({ now: '2025-04-10' }); o = await onboarded(sb); });
after(async () => { assert.equal((await sb.stop()).code, 0); });
beforeEach(async () => { await call(sb.url, 'DELETE', '/_sandbox/faults'); });

const fault = async (rule) => {
  const r = await call(sb.url, 'POST', '/_sandbox/faults', { body: { method: 'POST', path_prefix: '/case--registrations', ...rule } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
};
const counters = async () => (await call(sb.url, 'GET', '/_sandbox/counters')).body;
const byInvoice = async (inv) => {
  const where = encodeURIComponent(JSON.stringify({ 'debt.invoice_number': inv }));
  return (await call(sb.url, 'GET', `/cases?where=${where}`, { token: o.token })).body._meta.total;
};

test('status 503 for count requests, with Retry-After, then success', async () => {
  await fault({ mode: 'status', status: 503, count: 2, retry_after: 2 });
  const before = (await counters()).requests['POST /case--registrations'] ?? 0;
  const d = debt();
  for (let i = 0; i < 2; i++) {
    const r = await register(sb, o, [d]);
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '2');
    assert.equal(r.body._error.code, 503);
  }
  assert.equal((await register(sb, o, [d])).status, 201);
  const c = await counters();
  assert.equal(c.requests['POST /case--registrations'], before + 3);
  assert.equal(c.registrations_by_invoice[`${o.creditor}/${d.invoice_number}`], 1);
});

test('429 always carries Retry-After', async () => {
  await fault({ mode: 'status', status: 429 });
  const r = await register(sb, o, [debt()]);
  assert.equal(r.status, 429);
  assert.equal(r.headers.get('retry-after'), '1');
});

test('lost_after_commit: the client sees a broken connection, the case exists, a repeat gets 409', async () => {
  await fault({ mode: 'lost_after_commit' });
  const d = debt();
  await assert.rejects(register(sb, o, [d]));
  assert.equal(await byInvoice(d.invoice_number), 1);
  const again = await register(sb, o, [d]);
  assert.equal(again.status, 409);
  assert.equal((await counters()).registrations_by_invoice[`${o.creditor}/${d.invoice_number}`], 1);
});

test('drop: the connection closes without an answer and nothing is created', async () => {
  await fault({ mode: 'drop' });
  const d = debt();
  await assert.rejects(register(sb, o, [d]));
  assert.equal(await byInvoice(d.invoice_number), 0);
  assert.equal((await register(sb, o, [d])).status, 201);
});

test('latency delays the answer', async () => {
  await fault({ mode: 'latency', latency_ms: 400 });
  const t0 = Date.now();
  assert.equal((await register(sb, o, [debt()])).status, 201);
  assert.ok(Date.now() - t0 >= 380, `took ${Date.now() - t0} ms`);
});

test('timeout holds the request without answering until the client aborts', async () => {
  await fault({ mode: 'timeout' });
  const d = debt();
  const t0 = Date.now();
  await assert.rejects(call(sb.url, 'POST', '/case--registrations', {
    token: o.token, signal: AbortSignal.timeout(700),
    body: { account: o.account, creditor: o.creditor, first_action: 'reminder', currency: 'SEK',
      customer: { name: 'A', id_number: '198112189876', address: { address_line_1: 'G 1', zip_code: '11122', city: 'S', country: 'SE' } },
      debts: [d] },
  }));
  assert.ok(Date.now() - t0 >= 650);
  assert.equal(await byInvoice(d.invoice_number), 0);
  assert.equal((await call(sb.url, 'GET', '/_sandbox/clock')).status, 200, 'others are served meanwhile');
});

test('duplicate: answered normally, a retry then meets 409', async () => {
  await fault({ mode: 'duplicate' });
  const d = debt();
  assert.equal((await register(sb, o, [d])).status, 201);
  assert.equal((await register(sb, o, [d])).status, 409);
});

test('faults can be listed and cleared; probability and method filter', async () => {
  await fault({ mode: 'status', status: 500, count: 0 });
  await fault({ method: 'GET', path_prefix: '/cases', mode: 'status', status: 502, probability: 1.0 });
  const list = await call(sb.url, 'GET', '/_sandbox/faults');
  assert.equal(list.body._items.length, 2);
  assert.equal(list.body._items[0].count, 0);
  for (let i = 0; i < 3; i++) assert.equal((await register(sb, o, [debt()])).status, 500, 'count 0: every request');
  assert.equal((await call(sb.url, 'GET', '/accounts', { token: o.token })).status, 200, 'other paths untouched');
  assert.equal((await call(sb.url, 'GET', '/cases', { token: o.token })).status, 502);
  assert.equal((await call(sb.url, 'DELETE', '/_sandbox/faults')).status, 200);
  assert.equal((await call(sb.url, 'GET', '/_sandbox/faults')).body._items.length, 0);
  assert.equal((await register(sb, o, [debt()])).status, 201);
  const bad = await call(sb.url, 'POST', '/_sandbox/faults', { body: { path_prefix: 'x', mode: 'explode' } });
  assert.equal(bad.status, 422);
  assert.ok(bad.body._issues.mode && bad.body._issues.path_prefix);
});

test('counters count every request per route, and cases in total; reset wipes but keeps partners', async () => {
  const c0 = await counters();
  await call(sb.url, 'GET', `/cases/${'0'.repeat(24)}`, { token: o.token });
  await call(sb.url, 'GET', `/cases/${'1'.repeat(24)}`, { token: o.token });
  const c1 = await counters();
  assert.equal((c1.requests['GET /cases/{id}'] ?? 0) - (c0.requests['GET /cases/{id}'] ?? 0), 2);
  assert.ok(c1.cases >= 1);
  assert.equal(c1.requests['GET /_sandbox/counters'], undefined, '/_sandbox/ is not counted');
  assert.equal((await call(sb.url, 'POST', '/_sandbox/reset')).status, 200);
  const c2 = await counters();
  assert.deepEqual(c2, { requests: {}, registrations_by_invoice: {}, cases: 0 });
  assert.equal((await call(sb.url, 'GET', '/accounts', { token: o.token })).body._meta.total, 0);
  assert.equal((await call(sb.url, 'GET', '/_sandbox/clock')).body.today, '2025-04-10');
});
