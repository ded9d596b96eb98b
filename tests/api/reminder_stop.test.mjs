/*
 * reminder_stop.test.mjs — stops of reminders over real HTTP: set, replace
 * and lift on an invoice and on a customer card; refusals that change
 * nothing; a stopped invoice's reminder refused (alone and in a batch) and
 * its hand-over listed as not possible; a customer's stop covering its
 * invoices; the list's stopped= filter and row flag; history lines; no
 * interest on the stopped days; a stop lapsing after its last day; a
 * read-only user refused.
 *
 * The server's clock is fixed at 2025-09-30 (Stockholm), then moved to
 * 2025-10-15 for the lapse.  Figures (räntelagen, 10 000,00 kr due
 * 2025-03-31; H1 2025 11 %, H2 10 %):
 *   - no stop, to 2025-09-30: 91 d x 11 % + 92 d x 10 % = 526,30 kr;
 *   - "no interest" from 2025-09-30: 91 d x 11 % + 91 d x 10 %
 *     = 10^6 x (100 100 + 91 000) / 3 650 000 = 52 356,16 -> 523,56 kr;
 *   - that stop through 2025-10-05, reminder on 2025-10-15: Jul 1 - Oct 15
 *     is 107 days, 6 of them stopped: 91 d x 11 % + 101 d x 10 %
 *     = 10^6 x (100 100 + 101 000) / 3 650 000 = 55 095,89 -> 550,96 kr.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, assertStatus, co, createCustomer, createInvoice, line, startServer } from './lib/server.mjs';

const READER = { email: 'rut@example.se', password: 'lasare12345' };

let fx;
let anna;
let C;
let cust; /* the invoice-level stops */
let other; /* the customer-level stop */
let inv;
let plain;
let otherA;
let otherB;

/* 10 000,00 kr: 8 000 + 25 % VAT, due 2025-03-31. */
function checkValueInvoice(customerId) {
  return createInvoice(anna, fx.companyId, customerId, {
    invoice_date: '2025-03-01',
    due_date: '2025-03-31',
    lines: [line(800000)],
  });
}

async function history(id) {
  const res = await anna.get(`${C}/invoices/${id}/history`);
  assertStatus(res, 200);
  return res.body.items;
}

async function invoice(id) {
  const res = await anna.get(`${C}/invoices/${id}`);
  assertStatus(res, 200);
  return res.body;
}

async function listIds(query) {
  const res = await anna.get(`${C}/invoices?${query}`);
  assertStatus(res, 200);
  return res.body.items.map((r) => r.id);
}

before(async () => {
  fx = await startServer({
    now: '2025-09-30',
    setup: (f) => { f.addUser(READER.email, READER.password, f.companyId, 'read_only'); },
  });
  anna = await fx.login();
  C = co(fx.companyId);
  cust = await createCustomer(anna, fx.companyId, { name: 'Örjan Ängström', id_number: '19121212-1212' });
  other = await createCustomer(anna, fx.companyId, { name: 'Bygg & Fönster i Umeå AB', is_company: true, id_number: '556036-0793' });
  inv = await checkValueInvoice(cust.id);
  plain = await checkValueInvoice(cust.id);
  otherA = await checkValueInvoice(other.id);
  otherB = await checkValueInvoice(other.id);
});
after(async () => {
  await fx?.stop();
});

describe('a stop on one invoice', () => {
  test('set: a dispute from today, until lifted, with who set it', async () => {
    const res = await anna.put(`${C}/invoices/${inv.id}/reminder-stop`, { kind: 'dispute' });
    assertStatus(res, 200);
    assert.deepEqual(
      { ...res.body.reminder_stop, set_at: undefined },
      { kind: 'dispute', text: '', since: '2025-09-30', until: null, no_interest: false, source: 'invoice', by: 'anna@example.se', set_at: undefined },
    );
    assert.deepEqual((await invoice(inv.id)).reminder_stop, res.body.reminder_stop);
    assert.equal((await invoice(plain.id)).reminder_stop, null);
  });

  test('replace: a payment plan through 2025-10-31 keeps the first day; history says set, then changed', async () => {
    const res = await anna.put(`${C}/invoices/${inv.id}/reminder-stop`, { kind: 'payment_plan', text: '500 kr/mån', until: '2025-10-31' });
    assertStatus(res, 200);
    const s = res.body.reminder_stop;
    assert.equal(s.kind, 'payment_plan');
    assert.equal(s.text, '500 kr/mån');
    assert.equal(s.since, '2025-09-30');
    assert.equal(s.until, '2025-10-31');
    const kinds = (await history(inv.id)).map((e) => e.kind).filter((k) => k.startsWith('reminder_stop'));
    assert.deepEqual(kinds, ['reminder_stop_set', 'reminder_stop_changed']);
    const ev = (await history(inv.id)).find((e) => e.kind === 'reminder_stop_changed');
    assert.equal(ev.actor, 'anna@example.se');
    assert.equal(ev.data.kind, 'payment_plan');
    assert.equal(ev.data.source, 'invoice');
    assert.equal(ev.data.until, '2025-10-31');
    assert.match(ev.message, /Avbetalningsplan, till och med 2025-10-31/);
  });

  test('refusals name the field and change nothing', async () => {
    const before = JSON.stringify((await invoice(inv.id)).reminder_stop);
    const events = (await history(inv.id)).length;
    const url = `${C}/invoices/${inv.id}/reminder-stop`;
    assertError(await anna.put(url, { kind: 'paus' }), 422, 'invalid_value', 'kind');
    assertError(await anna.put(url, { kind: 'x'.repeat(100) }), 422, 'invalid_value', 'kind');
    assertError(await anna.put(url, { kind: 'other', text: 'x'.repeat(501) }), 422, undefined, 'text');
    assertError(await anna.put(url, {}), 422, 'required', 'kind');
    assertError(await anna.put(url, { kind: 'other' }), 422, 'required', 'text');
    assertError(await anna.put(url, { kind: 'other', text: '   ' }), 422, 'required', 'text');
    assertError(await anna.put(url, { kind: 'dispute', until: '31/10/2025' }), 422, 'invalid_value', 'until');
    assertError(await anna.put(url, { kind: 'dispute', until: '2025-09-29' }), 422, 'out_of_range', 'until');
    assertError(await anna.put(url, { kind: 'dispute', no_interest: 'ja' }), 422, 'invalid_value', 'no_interest');
    assertError(await anna.put(url, { kind: 'dispute', since: '2025-01-01' }), 422, 'unknown_field', 'since');
    assertError(await anna.put(`${C}/invoices/999999/reminder-stop`, { kind: 'dispute' }), 404);
    assert.equal(JSON.stringify((await invoice(inv.id)).reminder_stop), before);
    assert.equal((await history(inv.id)).length, events);
  });

  test('a stopped invoice gets no reminder: reminders_stopped naming the reason in Swedish and English', async () => {
    const before = fx.count('reminders');
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, {});
    assertError(res, 409, 'reminders_stopped', 'invoice.reminder_stop');
    assert.match(res.body.error.reason_sv, /Påminnelser är stoppade för fakturan till och med 2025-10-31: Avbetalningsplan/);
    assert.match(res.body.error.reason_en, /Reminders are stopped for the invoice through 2025-10-31: Payment plan/);
    assert.equal(res.body.error.reminder_stop.kind, 'payment_plan');
    const en = await anna.post(`${C}/invoices/${inv.id}/reminders`, {}, { headers: { 'Accept-Language': 'en' } });
    assertError(en, 409, 'reminders_stopped');
    assert.match(en.body.error.message, /Reminders are stopped/);
    assert.equal(fx.count('reminders'), before);
  });

  test('in a batch the stopped invoice is refused on its own, the other gets its reminder', async () => {
    const res = await anna.post(`${C}/reminders`, { invoice_ids: [inv.id, plain.id] });
    assertStatus(res, 201);
    assert.equal(res.body.created, 1);
    const [rStopped, rPlain] = res.body.results;
    assert.equal(rStopped.status, 'rejected');
    assert.equal(rStopped.errors[0].code, 'reminders_stopped');
    assert.equal(rPlain.status, 'created');
    assert.equal(rPlain.reminder.interest_minor, 52630, 'no stop: 526,30 kr');
  });

  test('hand-over is not possible, with reminders_stopped on invoice.reminder_stop among the reasons', async () => {
    const got = await invoice(inv.id);
    assert.equal(got.amili.eligible, false);
    const r = got.amili.reasons.find((x) => x.code === 'reminders_stopped');
    assert.ok(r, JSON.stringify(got.amili.reasons));
    assert.equal(r.field, 'invoice.reminder_stop');
    assert.match(r.message, /avbetalningsplan/);
    assert.ok(!(await invoice(plain.id)).amili.reasons.some((x) => x.code === 'reminders_stopped'));
  });

  test('the list: stopped=true and stopped=false, a flag per row, a cursor bound to its filter', async () => {
    const stopped = await listIds('stopped=true');
    assert.deepEqual(stopped, [inv.id]);
    const rest = await listIds('stopped=false');
    assert.ok(!rest.includes(inv.id));
    assert.ok(rest.includes(plain.id));
    const all = await anna.get(`${C}/invoices?status=overdue`);
    for (const row of all.body.items) assert.equal(row.reminder_stop, row.id === inv.id, `row ${row.id}`);
    assertError(await anna.get(`${C}/invoices?stopped=yes`), 400, 'invalid_query', 'stopped');
    const page = await anna.get(`${C}/invoices?stopped=false&limit=1`);
    assert.ok(page.body.next_cursor);
    const cur = encodeURIComponent(page.body.next_cursor);
    assertError(await anna.get(`${C}/invoices?stopped=true&limit=1&cursor=${cur}`), 400, 'invalid_query', 'cursor');
    assertError(await anna.get(`${C}/invoices?limit=1&cursor=${cur}`), 400, 'invalid_query', 'cursor');
    assertStatus(await anna.get(`${C}/invoices?stopped=false&limit=1&cursor=${cur}`), 200);
  });

  test('lift: the stop is gone, the history says so, and the reminder goes', async () => {
    const res = await anna.del(`${C}/invoices/${inv.id}/reminder-stop`);
    assertStatus(res, 200);
    assert.equal(res.body.reminder_stop, null);
    const ev = (await history(inv.id)).filter((e) => e.kind === 'reminder_stop_lifted');
    assert.equal(ev.length, 1);
    /* lifting again changes nothing */
    assertStatus(await anna.del(`${C}/invoices/${inv.id}/reminder-stop`), 200);
    assert.equal((await history(inv.id)).filter((e) => e.kind === 'reminder_stop_lifted').length, 1);
    assert.deepEqual(await listIds('stopped=true'), []);
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/reminders`, {}), 201);
  });
});

describe('a stop on a customer card', () => {
  test('covers every invoice of the customer, named as the customer\'s', async () => {
    const res = await anna.put(`${C}/customers/${other.id}/reminder-stop`, { kind: 'other', text: 'Konkursutredning pågår' });
    assertStatus(res, 200);
    assert.equal(res.body.id, other.id);
    assert.equal(res.body.reminder_stop.kind, 'other');
    assert.equal(res.body.reminder_stop.text, 'Konkursutredning pågår');
    assert.equal(res.body.reminder_stop.source, 'customer');
    assert.deepEqual((await anna.get(`${C}/customers/${other.id}`)).body.reminder_stop, res.body.reminder_stop);
    assert.equal((await anna.get(`${C}/customers/${cust.id}`)).body.reminder_stop, null);
    for (const id of [otherA.id, otherB.id]) {
      const got = await invoice(id);
      assert.equal(got.reminder_stop.source, 'customer');
      assert.equal(got.reminder_stop.kind, 'other');
      const ev = (await history(id)).find((e) => e.kind === 'reminder_stop_set');
      assert.ok(ev, `a history line on invoice ${id}`);
      assert.equal(ev.data.source, 'customer');
    }
    assert.deepEqual((await listIds('stopped=true')).sort(), [otherA.id, otherB.id].sort());
    const refused = await anna.post(`${C}/invoices/${otherA.id}/reminders`, {});
    assertError(refused, 409, 'reminders_stopped', 'invoice.reminder_stop');
    assert.match(refused.body.error.reason_sv, /för kunden: Annat/);
  });

  test('refusals change nothing; lifting frees the invoices', async () => {
    assertError(await anna.put(`${C}/customers/${other.id}/reminder-stop`, { kind: 'other', text: '' }), 422, 'required', 'text');
    assert.equal((await anna.get(`${C}/customers/${other.id}`)).body.reminder_stop.text, 'Konkursutredning pågår');
    assertError(await anna.put(`${C}/customers/999999/reminder-stop`, { kind: 'dispute' }), 404);
    const res = await anna.del(`${C}/customers/${other.id}/reminder-stop`);
    assertStatus(res, 200);
    assert.equal(res.body.reminder_stop, null);
    assert.equal((await invoice(otherA.id)).reminder_stop, null);
    assert.ok((await history(otherB.id)).some((e) => e.kind === 'reminder_stop_lifted' && e.data.source === 'customer'));
    assert.deepEqual(await listIds('stopped=true'), []);
  });
});

describe('a read-only user', () => {
  test('may read a stop but neither set nor lift one', async () => {
    const rut = await fx.login(READER.email, READER.password);
    assertError(await rut.put(`${C}/invoices/${plain.id}/reminder-stop`, { kind: 'dispute' }), 403, 'forbidden_role');
    assertError(await rut.del(`${C}/invoices/${plain.id}/reminder-stop`), 403, 'forbidden_role');
    assertError(await rut.put(`${C}/customers/${cust.id}/reminder-stop`, { kind: 'dispute' }), 403, 'forbidden_role');
    assertError(await rut.del(`${C}/customers/${cust.id}/reminder-stop`), 403, 'forbidden_role');
    assert.equal((await invoice(plain.id)).reminder_stop, null);
    assertStatus(await rut.get(`${C}/invoices/${plain.id}`), 200);
  });
});

describe('no interest from the stop date, and a stop that lapses', () => {
  let fresh;

  test('the invoice page leaves out the stopped day: 523,56 kr instead of 526,30 kr', async () => {
    fresh = await checkValueInvoice(cust.id);
    assert.equal((await invoice(fresh.id)).interest_minor, 52630);
    assertStatus(await anna.put(`${C}/invoices/${fresh.id}/reminder-stop`, { kind: 'dispute', until: '2025-10-05', no_interest: true }), 200);
    const got = await invoice(fresh.id);
    assert.equal(got.interest_minor, 52356);
    assert.equal(got.interest.days, 182);
    assert.equal(got.interest.paused_days, 1);
  });

  test('after its last day the stop no longer holds; the reminder leaves out its 6 days: 550,96 kr', async () => {
    fx.child.kill('SIGTERM');
    const exit = await fx.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    fx.exit = null;
    fx.opts.now = '2025-10-15';
    await fx.start();
    anna = await fx.login();
    const got = await invoice(fresh.id);
    assert.equal(got.reminder_stop, null);
    assert.equal(got.interest_minor, 55096);
    assert.ok(!(await listIds('stopped=true')).includes(fresh.id));
    assert.ok(!got.amili.reasons.some((x) => x.code === 'reminders_stopped'));
    const res = await anna.post(`${C}/invoices/${fresh.id}/reminders`, {});
    assertStatus(res, 201);
    assert.equal(res.body.interest_minor, 55096);
  });
});
