/*
 * paging.test.mjs — keyset paging of the invoice list stays right while other
 * users insert invoices: every invoice that existed when paging began is seen
 * exactly once, nothing is seen twice, and the order holds across pages, also
 * when many invoices share a due date or a remaining amount.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertStatus, co, createCustomer, startServer } from './lib/server.mjs';

let fx;
let api; /* bearer client: the integration that pages */
let C;
let customers;
let made = 0;

const DUE_DATES = ['2025-05-10', '2025-05-20', '2025-06-01', '2025-06-15', '2025-07-01', '2025-08-01'];
const PRICES = [10000, 25000, 40000, 55000, 70000];

async function insert(i) {
  const res = await api.post(`${C}/invoices`, {
    customer_id: customers[i % customers.length].id,
    invoice_date: '2025-05-01',
    due_date: DUE_DATES[i % DUE_DATES.length],
    lines: [{ description: `Rad ${i}`, quantity_milli: 1000, unit_price_minor: PRICES[i % PRICES.length], vat_rate_bp: 2500, labour: false }],
  });
  assertStatus(res, 201);
  made++;
  return res.body;
}

before(async () => {
  fx = await startServer({ now: '2025-07-01' });
  const anna = await fx.login();
  C = co(fx.companyId);
  const tok = await anna.post(`${C}/tokens`, { name: 'pager' });
  assertStatus(tok, 201);
  api = fx.bearer(tok.body.token);
  customers = [];
  for (const name of ['Alfa AB', 'Beta AB', 'Gamma AB']) customers.push(await createCustomer(api, fx.companyId, { name }));
  for (let i = 0; i < 120; i++) await insert(i);
});
after(async () => {
  await fx?.stop();
});

function allIds() {
  return fx.sql(`select id from invoices where company_id = ${fx.companyId}`).split('\n').map(Number);
}

/*
 * Page through sort `sort` with limit 25, inserting 3 invoices after every
 * page (their due dates and amounts tie with existing ones).  key(item) gives
 * the sort key; cmp(prev, next) must hold between consecutive items.
 */
async function pageWhileInserting(sort, key, inOrder) {
  const originals = new Set(allIds());
  assert.ok(originals.size >= 120);
  const seen = new Map();
  const sequence = [];
  let cursor = null;
  let pages = 0;
  do {
    const url = `${C}/invoices?status=all&sort=${encodeURIComponent(sort)}&limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await api.get(url);
    assertStatus(res, 200);
    assert.ok(Array.isArray(res.body.items));
    assert.ok(res.body.items.length <= 25, `page of ${res.body.items.length} > limit`);
    assert.ok('next_cursor' in res.body, 'no next_cursor in the answer');
    for (const item of res.body.items) {
      seen.set(item.id, (seen.get(item.id) ?? 0) + 1);
      sequence.push(item);
    }
    cursor = res.body.next_cursor;
    if (cursor !== null) {
      assert.equal(typeof cursor, 'string');
      assert.ok(res.body.items.length > 0, 'an empty page with a next_cursor');
    }
    for (let k = 0; k < 3; k++) await insert(made * 7 + k);
    pages++;
    assert.ok(pages < 100, 'paging does not end');
  } while (cursor !== null);

  const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  assert.deepEqual(twice, [], `invoices seen more than once with sort=${sort}`);
  const missing = [...originals].filter((id) => !seen.has(id));
  assert.deepEqual(missing, [], `invoices never seen with sort=${sort}`);
  for (let i = 1; i < sequence.length; i++) {
    assert.ok(inOrder(key(sequence[i - 1]), key(sequence[i])),
      `sort=${sort}: item ${i - 1} (${JSON.stringify(key(sequence[i - 1]))}, id ${sequence[i - 1].id}) then ` +
      `item ${i} (${JSON.stringify(key(sequence[i]))}, id ${sequence[i].id}) is out of order`);
  }
  return sequence;
}

test('sort=number: every invoice once, numbers strictly increasing, while invoices are added', async () => {
  await pageWhileInserting('number', (it) => Number(it.number), (a, b) => a < b);
});

test('sort=-number: strictly decreasing', async () => {
  const seq = await pageWhileInserting('-number', (it) => Number(it.number), (a, b) => a > b);
  assert.ok(seq.length >= 120);
});

test('sort=-due_date with many equal due dates: every invoice once, due dates never increase', async () => {
  const seq = await pageWhileInserting('-due_date', (it) => it.due_date, (a, b) => a >= b);
  /* The ties are real: each due date is shared by 20+ invoices. */
  const first = seq.filter((it) => it.due_date === DUE_DATES[0]).length;
  assert.ok(first >= 20, `only ${first} invoices due ${DUE_DATES[0]}`);
});

test('sort=due_date: due dates never decrease', async () => {
  await pageWhileInserting('due_date', (it) => it.due_date, (a, b) => a <= b);
});

test('sort=-remaining with many equal amounts: every invoice once, amounts never increase', async () => {
  const seq = await pageWhileInserting('-remaining', (it) => it.remaining_minor, (a, b) => a >= b);
  assert.equal(seq[0].remaining_minor, 87500);
  assert.equal(seq[seq.length - 1].remaining_minor, 12500);
});

test('a page with a customer filter lists that customer\'s invoices only', async () => {
  const res = await api.get(`${C}/invoices?status=all&customer_id=${customers[1].id}&limit=200`);
  assertStatus(res, 200);
  assert.ok(res.body.items.length > 10);
  assert.ok(res.body.items.every((it) => it.customer.id === customers[1].id && it.customer.name === 'Beta AB'));
  const expected = fx.count('invoices', `company_id = ${fx.companyId} and customer_id = ${customers[1].id}`);
  let total = res.body.items.length;
  let cursor = res.body.next_cursor;
  while (cursor) {
    const more = await api.get(`${C}/invoices?status=all&customer_id=${customers[1].id}&limit=200&cursor=${encodeURIComponent(cursor)}`);
    total += more.body.items.length;
    cursor = more.body.next_cursor;
  }
  assert.equal(total, expected);
});

test('the default page size is 50', async () => {
  const res = await api.get(`${C}/invoices`);
  assertStatus(res, 200);
  assert.equal(res.body.items.length, 50);
  assert.equal(typeof res.body.next_cursor, 'string');
});

test('customers page by name with next_cursor, every customer once while customers are added', async () => {
  const names = ['Östen Öberg', 'Anders Ek', 'Bodil Berg', 'Cecilia Cedergren', 'David Dahl', 'Erik Ek', 'Frida Fors'];
  for (const name of names) await createCustomer(api, fx.companyId, { name });
  const originals = new Set(fx.sql(`select id from customers where company_id = ${fx.companyId}`).split('\n').map(Number));
  const seen = [];
  let cursor = null;
  let n = 0;
  do {
    const res = await api.get(`${C}/customers?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assertStatus(res, 200);
    assert.ok(res.body.items.length <= 2);
    seen.push(...res.body.items);
    cursor = res.body.next_cursor;
    await createCustomer(api, fx.companyId, { name: `Ny Kund ${n++}` });
    assert.ok(n < 100, 'customer paging does not end');
  } while (cursor !== null);
  const ids = seen.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'a customer was listed twice');
  assert.deepEqual([...originals].filter((id) => !ids.includes(id)), [], 'customers never listed');
});
