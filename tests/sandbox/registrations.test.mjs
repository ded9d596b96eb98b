// Case registration: validation, once per invoice, OCR references, lists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startSandbox, call, onboarded, register, registration, debt, customer, luhnValid, getCase,
} from './helper.mjs';

let sb, o;
before(async () => { sb = await startSandbox({ now: '2025-04-10' }); o = await onboarded(sb); });
after(async () => { await sb.stop(); });

test('validation answers 422 naming every field', async () => {
  const r = await call(sb.url, 'POST', '/case--registrations', {
    token: o.token,
    body: registration(o, [debt({ capital_to_claim: 0 }), debt({ capital_to_claim: 12.345 })], {
      currency: 'EUR',
      customer: customer({ name: '', id_number: '198112189875', address: { address_line_1: '', country: 'SE' } }),
    }),
  });
  assert.equal(r.status, 422);
  assert.equal(r.body._status, 'ERR');
  for (const k of ['customer.name', 'customer.address.address_line_1', 'customer.address.zip_code',
    'customer.address.city', 'customer.id_number', 'currency', 'debts[0].capital_to_claim',
    'debts[1].capital_to_claim']) {
    assert.ok(r.body._issues[k], `${k} in ${JSON.stringify(r.body._issues)}`);
  }
  assert.equal(r.body._issues['customer.address.country'], undefined);
  const none = await call(sb.url, 'GET', '/cases', { token: o.token });
  assert.equal(none.body._meta.total, 0, 'nothing created');
});

test('a foreign customer needs no id number; a Swedish one does', async () => {
  const foreign = customer({ id_number: undefined, address: { address_line_1: 'Hauptstr. 1', zip_code: '10115', city: 'Berlin', country: 'DE' } });
  const ok = await register(sb, o, [debt()], { customer: foreign });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  const se = await register(sb, o, [debt()], { customer: customer({ id_number: '' }) });
  assert.equal(se.status, 422);
  assert.ok(se.body._issues['customer.id_number']);
});

test('an inactive creditor or a creditor of another account is refused', async () => {
  const acc = await call(sb.url, 'POST', '/accounts', {
    token: o.token, body: { name: 'Annat AB', organization_no: '5560360793', initial_creditor_data: { is_active: false } },
  });
  const r = await register(sb, { ...o, creditor: acc.body._creditors[0] }, [debt()]);
  assert.equal(r.status, 422);
  assert.ok(r.body._issues.creditor);
  const r2 = await register(sb, { ...o, account: acc.body._id }, [debt()]);
  assert.equal(r2.status, 422);
  assert.match(r2.body._issues.creditor, /account/);
});

test('one case per debt with OCR references that carry valid check and length digits', async () => {
  const d1 = debt(), d2 = debt({ capital_to_claim: 250 });
  const r = await register(sb, o, [d1, d2]);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body._status, 'OK');
  assert.equal(r.body._cases.length, 2);
  assert.equal(r.body._ocr_numbers.length, 2);
  for (const ocr of r.body._ocr_numbers_ocr) {
    assert.match(ocr, /^\d{4,25}$/);
    assert.ok(luhnValid(ocr), `Luhn ${ocr}`);
    assert.equal(Number(ocr[ocr.length - 2]), ocr.length % 10, `length digit ${ocr}`);
  }
  const c = await getCase(sb, o, r.body._cases[1]);
  assert.equal(c.debt.invoice_number, d2.invoice_number);
  assert.equal(c.debt.capital_to_claim, 250);
  assert.equal(c.ocr, r.body._ocr_numbers_ocr[1]);
  assert.equal(c.case_registration, r.body._id);
  assert.equal(c.customer_id_number, '198112189876');
  const reg = await call(sb.url, 'GET', `/case--registrations/${r.body._id}`, { token: o.token });
  assert.equal(reg.status, 200);
  assert.deepEqual(reg.body._cases, r.body._cases);
});

test('a second registration of the same invoice is 409 and creates nothing', async () => {
  const d = debt();
  assert.equal((await register(sb, o, [d])).status, 201);
  const again = await register(sb, o, [debt(), { ...d }]);
  assert.equal(again.status, 409);
  assert.equal(again.body._error.code, 409);
  assert.ok(again.body._existing_cases[d.invoice_number]);
  const found = await call(sb.url, 'GET',
    `/cases?where=${encodeURIComponent(JSON.stringify({ 'debt.invoice_number': d.invoice_number }))}`, { token: o.token });
  assert.equal(found.body._meta.total, 1);
  const counters = await call(sb.url, 'GET', '/_sandbox/counters');
  assert.equal(counters.body.registrations_by_invoice[`${o.creditor}/${d.invoice_number}`], 1);
});

test('lists page, filter, sort and project', async () => {
  const tag = `L${Date.now()}`;
  const debts = [];
  for (let i = 0; i < 7; i++) debts.push(debt({ invoice_number: `${tag}-${i}`, capital_to_claim: 100 + i }));
  const r = await register(sb, o, debts);
  assert.equal(r.status, 201);
  const total = (await call(sb.url, 'GET', '/cases', { token: o.token })).body._meta.total;
  const page2 = await call(sb.url, 'GET', '/cases?page=2&max_results=3&sort=-debt.invoice_number', { token: o.token });
  assert.equal(page2.status, 200);
  assert.deepEqual(page2.body._meta, { total, max_results: 3, page: 2 });
  assert.equal(page2.body._items.length, 3);
  const all = await call(sb.url, 'GET', '/cases?max_results=500&sort=-debt.invoice_number', { token: o.token });
  assert.equal(all.body._meta.max_results, 100);
  const numbers = all.body._items.map((c) => c.debt.invoice_number);
  assert.deepEqual(numbers, [...numbers].sort().reverse());
  assert.deepEqual(page2.body._items.map((c) => c.debt.invoice_number), numbers.slice(3, 6));
  const where = encodeURIComponent(JSON.stringify({ 'debt.invoice_number': `${tag}-3`, creditor: o.creditor, closed: false }));
  const proj = encodeURIComponent(JSON.stringify({ state: 1, debt: 1 }));
  const one = await call(sb.url, 'GET', `/cases?where=${where}&projection=${proj}`, { token: o.token });
  assert.equal(one.body._meta.total, 1);
  assert.deepEqual(Object.keys(one.body._items[0]).sort(), ['_id', 'debt', 'state']);
  assert.equal(one.body._items[0].debt.capital_to_claim, 103);
  const bad = await call(sb.url, 'GET', '/cases?where=notjson', { token: o.token });
  assert.equal(bad.status, 400);
  const badPage = await call(sb.url, 'GET', '/cases?page=0', { token: o.token });
  assert.equal(badPage.status, 400);
});

test('polling with $gte on _updated finds changed cases', async () => {
  const r = await register(sb, o, [debt()]);
  const c = await getCase(sb, o, r.body._cases[0]);
  const where = encodeURIComponent(JSON.stringify({ _updated: { $gte: c._updated } }));
  const changed = await call(sb.url, 'GET', `/cases?where=${where}&sort=_updated`, { token: o.token });
  assert.ok(changed.body._items.some((x) => x._id === c._id));
  const later = new Date(Date.parse(c._updated) + 86400 * 1000).toUTCString();
  const none = await call(sb.url, 'GET', `/cases?where=${encodeURIComponent(JSON.stringify({ _updated: { $gt: later } }))}`, { token: o.token });
  assert.equal(none.body._meta.total, 0);
});
