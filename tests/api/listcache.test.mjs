/*
 * listcache.test.mjs — the invoice list's answer cache never
 * shows stale data and never crosses companies: right after a payment, a
 * customer rename, or a write by another process on the same database
 * (the sqlite3 or psql command line, a second `paminn serve`), the very next list
 * shows the change; a user or token of another company still gets 404 for
 * a list that is cached; a logout still ends the session at once; ETag and
 * If-None-Match answer 304 only while the list is unchanged.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';

import {
  BIN, Client, DATA_DIR, assertStatus, co, createCustomer, createInvoice, startServer,
} from './lib/server.mjs';

let fx;
let anna; /* browser session */
let api; /* bearer token of company A */
let C;
let customer;
const invoices = [];
const OVERDUE = '?status=overdue&limit=50';

before(async () => {
  fx = await startServer({ now: '2025-07-01' });
  anna = await fx.login();
  C = co(fx.companyId);
  const tok = await anna.post(`${C}/tokens`, { name: 'list-cache' });
  assertStatus(tok, 201);
  api = fx.bearer(tok.body.token);
  customer = await createCustomer(api, fx.companyId, { name: 'Alfa AB' });
  for (let i = 0; i < 3; i++) invoices.push(await createInvoice(api, fx.companyId, customer.id));
});
after(async () => {
  await fx?.stop();
});

/* The overdue list twice (so the second answer can come from the cache);
 * both must agree.  Returns the items of the second. */
async function overdueTwice(client = api) {
  const first = await client.get(`${C}/invoices${OVERDUE}`);
  const second = await client.get(`${C}/invoices${OVERDUE}`);
  assertStatus(first, 200);
  assertStatus(second, 200);
  assert.deepEqual(second.body, first.body);
  return second.body.items;
}

const item = (items, id) => items.find((i) => i.id === id);

test('a payment shows in the very next list', async () => {
  const inv = invoices[0];
  assert.equal(item(await overdueTwice(), inv.id).remaining_minor, inv.remaining_minor);
  const pay = await api.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-06-30', amount_minor: 10000, reference: 'del' });
  assertStatus(pay, 201);
  const items = (await api.get(`${C}/invoices${OVERDUE}`)).body.items;
  assert.equal(item(items, inv.id).remaining_minor, inv.remaining_minor - 10000);
  /* Paid in full: no longer overdue, at once. */
  const rest = await api.post(`${C}/invoices/${inv.id}/payments`,
    { date: '2025-06-30', amount_minor: inv.remaining_minor - 10000, reference: 'rest' });
  assertStatus(rest, 201);
  assert.equal(item((await api.get(`${C}/invoices${OVERDUE}`)).body.items, inv.id), undefined);
});

test('a customer rename shows in the very next list, for every caller', async () => {
  await overdueTwice();
  await overdueTwice(anna);
  const res = await anna.patch(`${C}/customers/${customer.id}`, { name: 'Alfa Bygg AB' });
  assertStatus(res, 200);
  for (const client of [api, anna]) {
    const items = (await client.get(`${C}/invoices${OVERDUE}`)).body.items;
    assert.ok(items.length > 0);
    for (const i of items) assert.equal(i.customer.name, 'Alfa Bygg AB');
  }
});

test('a write by another process (the sqlite3 or psql command line) shows in the very next list', async () => {
  await overdueTwice();
  /* Another process, straight into the database (as an import or a repair
   * would): the customer's name, and the copy of it that its invoice rows
   * keep for the list (src/store/store_schema.h), in one transaction. */
  fx.exec(`begin;
    update customers set name = 'Alfa Extern AB' where company_id = ${fx.companyId} and id = ${customer.id};
    update invoices set customer_name = 'Alfa Extern AB' where company_id = ${fx.companyId} and customer_id = ${customer.id};
    commit`);
  const items = (await api.get(`${C}/invoices${OVERDUE}`)).body.items;
  for (const i of items) assert.equal(i.customer.name, 'Alfa Extern AB');
});

/* A second `paminn serve` on the same database file; its base URL and a stop(). */
async function secondServer() {
  const child = spawn(BIN, ['--db', fx.db, '--now', '2025-07-01', '--data-dir', DATA_DIR, 'serve', '--listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const lines = createInterface({ input: child.stdout });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('second server did not start within 60 s')), 60000);
    lines.on('line', (line) => {
      const m = /^paminn: listening on (http:\/\/\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return { base, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

test('a payment made through a second server process shows in the very next list', async () => {
  const inv = invoices[1];
  const before = item(await overdueTwice(), inv.id);
  const other = await secondServer();
  try {
    const viaOther = new Client(other.base, { bearer: api.bearer });
    const pay = await viaOther.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-06-30', amount_minor: 5000, reference: 'annan' });
    assertStatus(pay, 201);
  } finally {
    await other.stop();
  }
  const items = (await api.get(`${C}/invoices${OVERDUE}`)).body.items;
  assert.equal(item(items, inv.id).remaining_minor, before.remaining_minor - 5000);
});

test('another company cannot read a cached list', async () => {
  const items = await overdueTwice();
  assert.ok(items.length > 0);
  const cidB = fx.addCompany('Andra Bolaget AB', '556677-8899');
  fx.addUser('bo@example.se', 'hemligt456', cidB);
  const bo = await fx.login('bo@example.se', 'hemligt456');
  const tokB = await bo.post(`${co(cidB)}/tokens`, { name: 'b' });
  assertStatus(tokB, 201);
  for (const client of [bo, fx.bearer(tokB.body.token)]) {
    const res = await client.get(`${C}/invoices${OVERDUE}`);
    assert.equal(res.status, 404, `company B read company A's list: ${res.status}`);
    assert.ok(!res.text.includes('Alfa'), 'company A data in the answer');
  }
  /* B's own list is B's (empty), also right after A's was served. */
  const own = await bo.get(`${co(cidB)}/invoices${OVERDUE}`);
  assertStatus(own, 200);
  assert.deepEqual(own.body.items, []);
  /* Without credentials: 401, cached or not. */
  assertStatus(await fx.anon().get(`${C}/invoices${OVERDUE}`), 401);
  assertStatus(await new Client(fx.base, { bearer: 'x'.repeat(64) }).get(`${C}/invoices${OVERDUE}`), 401);
});

test('a logout ends the session at once, also for a cached list', async () => {
  const s = await fx.login();
  await overdueTwice(s);
  assertStatus(await s.del('/api/v1/session'), 204);
  assertStatus(await s.get(`${C}/invoices${OVERDUE}`), 401);
});

test('ETag and If-None-Match: 304 while the list is unchanged, 200 after a change', async () => {
  const first = await api.get(`${C}/invoices${OVERDUE}`);
  assertStatus(first, 200);
  const etag = first.headers.get('etag');
  assert.match(etag ?? '', /^"[0-9a-f]{32}"$/);
  assert.equal(first.headers.get('cache-control'), 'no-store');
  const again = await api.get(`${C}/invoices${OVERDUE}`, { headers: { 'If-None-Match': etag } });
  assertStatus(again, 304);
  assert.equal(again.text, '');
  assert.equal(again.headers.get('etag'), etag);
  /* Another page has another tag: no 304 for it. */
  const other = await api.get(`${C}/invoices?status=overdue&limit=1`, { headers: { 'If-None-Match': etag } });
  assertStatus(other, 200);
  const pay = await api.post(`${C}/invoices/${invoices[2].id}/payments`, { date: '2025-06-30', amount_minor: 100, reference: 'e' });
  assertStatus(pay, 201);
  const changed = await api.get(`${C}/invoices${OVERDUE}`, { headers: { 'If-None-Match': etag } });
  assertStatus(changed, 200);
  assert.notEqual(changed.headers.get('etag'), etag);
});
