/*
 * tenant.test.mjs — a company's data never reaches another company's users.
 *
 * Company B (its own owner, customers, invoice, payment and token) lives next
 * to user A's company.  Every route of the API is tried by A with B's ids:
 * each answers 404 not_found (not 403: B's existence is not revealed), and B's
 * rows are byte for byte what they were.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, assertStatus, co, createCustomer, createInvoice, customerBody, invoiceBody, startServer } from './lib/server.mjs';

let fx;
let anna; /* user A, owner of company A */
let bertil; /* user B, owner of company B */
let A;
let B;
let bCustomers = [];
let bInvoice;

const B_EMAIL = 'bertil@example.se';
const B_PASSWORD = 'bertil12345';

function snapshotB() {
  const q = (table, col = 'company_id') => fx.sql(`select * from ${table} where ${col} = ${B} order by 1, 2`);
  return {
    company: fx.sql(`select * from companies where id = ${B}`),
    memberships: q('memberships'),
    customers: q('customers'),
    invoices: q('invoices'),
    lines: q('invoice_lines'),
    payments: q('payments'),
    history: q('history_events'),
    tokens: q('api_tokens'),
  };
}

before(async () => {
  fx = await startServer({
    now: '2025-07-01',
    setup(f) {
      B = f.addCompany('Bolaget B AB', '556677-8899');
      f.addUser(B_EMAIL, B_PASSWORD, B);
    },
  });
  A = fx.companyId;
  anna = await fx.login();
  bertil = await fx.login(B_EMAIL, B_PASSWORD);
  /* B has more customers than A, so B's last customer id exists only in B. */
  for (const name of ['B Kund Ett', 'B Kund Två', 'B Kund Tre']) bCustomers.push(await createCustomer(bertil, B, { name }));
  bInvoice = await createInvoice(bertil, B, bCustomers[2].id);
  assertStatus(await bertil.post(`${co(B)}/invoices/${bInvoice.id}/payments`,
    { date: '2025-06-01', amount_minor: 1000, reference: 'B-betalning' }), 201);
  assertStatus(await bertil.post(`${co(B)}/tokens`, { name: 'B-token' }), 201);
  /* A has one customer and invoice of its own. */
  const c = await createCustomer(anna, A, { name: 'A Kund' });
  await createInvoice(anna, A, c.id);
});
after(async () => {
  await fx?.stop();
});

test('GET /companies lists only the caller\'s companies', async () => {
  const res = await anna.get('/api/v1/companies');
  assertStatus(res, 200);
  assert.deepEqual(res.body.items.map((c) => c.id), [A]);
  assert.deepEqual(anna.session.companies.map((c) => c.id), [A]);
});

test('every route with company B\'s ids answers 404 not_found to user A, and B\'s data is unchanged', async () => {
  const before = snapshotB();
  const cust = bCustomers[2].id;
  const inv = bInvoice.id;
  const attempts = [
    ['GET', co(B)],
    ['PATCH', co(B), { name: 'Kapat AB' }],
    ['POST', `${co(B)}/tokens`, { name: 'inbrott' }],
    ['GET', `${co(B)}/customers`],
    ['GET', `${co(B)}/customers?q=B`],
    ['POST', `${co(B)}/customers`, customerBody({ name: 'Inbrytare' })],
    ['GET', `${co(B)}/customers/${cust}`],
    ['PATCH', `${co(B)}/customers/${cust}`, { name: 'Ändrad' }],
    ['GET', `${co(B)}/invoices`],
    ['GET', `${co(B)}/invoices?status=overdue`],
    ['POST', `${co(B)}/invoices`, invoiceBody(cust)],
    ['GET', `${co(B)}/invoices/counts`],
    ['GET', `${co(B)}/invoices/${inv}`],
    ['GET', `${co(B)}/invoices/${inv}?as_of=2025-09-30`],
    ['GET', `${co(B)}/invoices/${inv}/history`],
    ['POST', `${co(B)}/invoices/${inv}/payments`, { date: '2025-06-02', amount_minor: 100, reference: 'x' }],
    /* A's own company path with an id that exists only in B. */
    ['GET', `${co(A)}/customers/${cust}`],
    ['PATCH', `${co(A)}/customers/${cust}`, { name: 'Ändrad' }],
  ];
  const failures = [];
  for (const [method, p, body] of attempts) {
    const res = await anna.request(method, p, body);
    if (res.status !== 404 || res.body?.error?.code !== 'not_found') failures.push(`${method} ${p} → ${res.status} ${res.text.slice(0, 200)}`);
    const leaked = res.text.includes('Bolaget B') || res.text.includes('B Kund');
    if (leaked) failures.push(`${method} ${p} leaks B's data: ${res.text.slice(0, 200)}`);
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(snapshotB(), before, 'company B\'s rows changed');
});

test('the same with B\'s ids that do not exist in A for invoices', async () => {
  /* Invoices of B beyond A's ids. */
  const more = [];
  for (let i = 0; i < 3; i++) more.push(await createInvoice(bertil, B, bCustomers[0].id));
  const last = more[more.length - 1].id;
  const before = snapshotB();
  assertError(await anna.get(`${co(A)}/invoices/${last}`), 404, 'not_found');
  assertError(await anna.get(`${co(A)}/invoices/${last}/history`), 404, 'not_found');
  assertError(await anna.post(`${co(A)}/invoices/${last}/payments`, { date: '2025-06-02', amount_minor: 100, reference: 'x' }), 404, 'not_found');
  assert.deepEqual(snapshotB(), before);
});

test('an invoice in A for B\'s customer is refused (422, field customer_id) and nothing is written', async () => {
  const before = fx.counts();
  const res = await anna.post(`${co(A)}/invoices`, invoiceBody(bCustomers[2].id));
  assertError(res, 422, undefined, 'customer_id');
  assert.deepEqual(fx.counts(), before);
});

test('A\'s lists do not contain B\'s rows', async () => {
  const customers = await anna.get(`${co(A)}/customers?limit=200`);
  assertStatus(customers, 200);
  assert.deepEqual(customers.body.items.map((c) => c.name), ['A Kund']);
  const invoices = await anna.get(`${co(A)}/invoices?status=all&limit=200`);
  assertStatus(invoices, 200);
  assert.equal(invoices.body.items.length, 1);
  assert.equal(invoices.body.items[0].customer.name, 'A Kund');
  const counts = await anna.get(`${co(A)}/invoices/counts`);
  assertStatus(counts, 200);
  assert.equal(counts.body.all, 1);
});

test('a company created with POST /companies belongs to its creator only', async () => {
  const res = await anna.post('/api/v1/companies', { name: 'Annas Andra AB', organization_no: '5561234567' });
  assertStatus(res, 201);
  const C = res.body.id;
  assert.equal(res.body.name, 'Annas Andra AB');
  assert.equal(res.body.organization_no, '556123-4567');
  const mine = await anna.get('/api/v1/companies');
  assertStatus(mine, 200);
  assert.deepEqual(mine.body.items.map((c) => c.id).sort((x, y) => x - y), [A, C].sort((x, y) => x - y));
  assert.equal(fx.sql(`select role from memberships where company_id = ${C}`), 'owner');
  /* Bertil sees nothing of it. */
  assertError(await bertil.get(co(C)), 404, 'not_found');
  assertError(await bertil.get(`${co(C)}/invoices`), 404, 'not_found');
  const his = await bertil.get('/api/v1/companies');
  assert.deepEqual(his.body.items.map((c) => c.id), [B]);
  /* Anna works in it at once (owner: tokens too). */
  assertStatus(await anna.post(`${co(C)}/tokens`, { name: 'C-token' }), 201);
});

test('unknown company ids answer 404 too', async () => {
  assertError(await anna.get(co(999999)), 404, 'not_found');
  assertError(await anna.get(`${co(999999)}/invoices`), 404, 'not_found');
});
