/*
 * reports.test.mjs — the dunning report and the receivables key figures
 * (DSO, collection rate) over real HTTP, every figure hand-computed.
 *
 * The server's clock is fixed at 2026-03-15 (Stockholm); the company
 * agreed a 60 kr reminder fee.  Four SEK invoices (amounts incl. VAT):
 *   1  private, 2026-01-05, due 02-04, 10 000 kr; reminder 02-20; paid in
 *      full 03-01 (9 days after the reminder: counts as paid after it);
 *   2  private, 2026-01-10, due 02-09,  5 000 kr; reminder 02-20; paid in
 *      full 03-10 (18 days after: does not count);
 *   3  business, 2026-02-01, due 02-15, 2 000 kr; 500 kr paid 02-25;
 *      reminder 03-02 (förseningsersättning 450 kr); 1 500 kr open;
 *   4  private, 2025-12-10, due 2026-01-09, 4 000 kr, open; handed over
 *      to the agency at 2026-03-02T23:30Z, i.e. 00:30 on 3 March in
 *      Stockholm.
 *
 * Dunning 2026-02-15 .. 03-15: 02-20 two reminders, 120 kr fees, one paid
 * after a reminder (invoice 1's total); 03-02 one reminder, 450 kr; 03-03
 * one hand-over of 4 000 kr.
 *
 * Months (Jan, Feb, Mar to the 15th):
 *   unpaid at the month end: Jan 4 000 + 10 000 + 5 000 (paid in March)
 *   = 19 000 kr; Feb 4 000 + 1 500 + 10 000 + 5 000 = 20 500 kr; Mar
 *   4 000 + 1 500 = 5 500 kr;
 *   invoiced: Jan 15 000, Feb 2 000, Mar 0;
 *   DSO: Jan 19 000 / 15 000 × 31 = 39,27 → 39,3 days; Feb 20 500 /
 *   2 000 × 28 = 287,0 days; Mar none;
 *   fell due: Jan 4 000 (0 paid by 31 Jan → 0 %); Feb 10 000 + 5 000 +
 *   2 000 = 17 000 with 500 paid by 28 Feb → 2,94 %; Mar nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, assertStatus, co, createCustomer, createInvoice, line, startServer } from './lib/server.mjs';
import * as db from './lib/db.mjs';

let fx;
let anna;
let C;
const inv = {};
const rem = {};

/* amountMinor incl. 25 % VAT */
function invoice(customerId, invoiceDate, dueDate, amountMinor) {
  return createInvoice(anna, fx.companyId, customerId, {
    invoice_date: invoiceDate,
    due_date: dueDate,
    lines: [line(amountMinor * 0.8)],
  });
}

async function remind(invoice_, date) {
  const res = await anna.post(`${C}/invoices/${invoice_.id}/reminders`, { date });
  assertStatus(res, 201);
  return res.body;
}

async function pay(invoice_, date, amountMinor) {
  assertStatus(await anna.post(`${C}/invoices/${invoice_.id}/payments`, { date, amount_minor: amountMinor, reference: 'test' }), 201);
}

before(async () => {
  fx = await startServer({ now: '2026-03-15' });
  anna = await fx.login();
  C = co(fx.companyId);
  assertStatus(await anna.patch(C, { reminder_fee_agreed: true, reminder_fee_minor: 6000 }), 200);
  const person = await createCustomer(anna, fx.companyId, { name: 'Märta Björk' });
  const firm = await createCustomer(anna, fx.companyId, { name: 'Åbyggarna AB', is_company: true, id_number: '556036-0793' });
  inv[1] = await invoice(person.id, '2026-01-05', '2026-02-04', 1000000);
  inv[2] = await invoice(person.id, '2026-01-10', '2026-02-09', 500000);
  inv[3] = await invoice(firm.id, '2026-02-01', '2026-02-15', 200000);
  inv[4] = await invoice(person.id, '2025-12-10', '2026-01-09', 400000);
  rem[1] = await remind(inv[1], '2026-02-20');
  rem[2] = await remind(inv[2], '2026-02-20');
  await pay(inv[3], '2026-02-25', 50000);
  rem[3] = await remind(inv[3], '2026-03-02');
  assert.equal(rem[1].fee_minor, 6000);
  assert.equal(rem[2].fee_minor, 6000);
  assert.equal(rem[3].fee_minor + rem[3].late_compensation_minor, 45000);
  await pay(inv[1], '2026-03-01', rem[1].total_due_minor);
  await pay(inv[2], '2026-03-10', rem[2].total_due_minor);
  assert.equal((await anna.get(`${C}/invoices/${inv[1].id}`)).body.remaining_minor, 0);
  assert.equal((await anna.get(`${C}/invoices/${inv[2].id}`)).body.remaining_minor, 0);
  /* The hand-over of invoice 4, as the hand-over writes it (batch + claim). */
  const at = Date.parse('2026-03-02T23:30:00Z') / 1000;
  db.exec(fx.db, `insert into handover_batches (company_id, id, created_by, created_at, total) values (${fx.companyId}, 900, ${fx.userId}, ${at}, 1);`
    + `insert into agency_claims (company_id, invoice_id, claimed_at, batch_id) values (${fx.companyId}, ${inv[4].id}, ${at}, 900)`);
});
after(async () => {
  await fx?.stop();
});

const zero = { reminders: 0, fees_minor: 0, handed_over: 0, handed_over_minor: 0, paid_after_reminder: 0, paid_after_reminder_minor: 0 };

describe('the dunning report', () => {
  test('per day: reminders, fees, hand-overs and payments within 14 days of a reminder', async () => {
    const res = await anna.get(`${C}/reports/dunning?from=2026-02-15&to=2026-03-15`);
    assertStatus(res, 200);
    const r = res.body;
    assert.equal(r.from, '2026-02-15');
    assert.equal(r.to, '2026-03-15');
    assert.equal(r.currency, 'SEK');
    assert.equal(r.paid_within_days, 14);
    assert.equal(r.days.length, 29);
    const byDate = Object.fromEntries(r.days.map((d) => [d.date, d]));
    assert.deepEqual(byDate['2026-02-20'], { ...zero, date: '2026-02-20', reminders: 2, fees_minor: 12000, paid_after_reminder: 1, paid_after_reminder_minor: rem[1].total_due_minor });
    assert.deepEqual(byDate['2026-03-02'], { ...zero, date: '2026-03-02', reminders: 1, fees_minor: 45000 });
    assert.deepEqual(byDate['2026-03-03'], { ...zero, date: '2026-03-03', handed_over: 1, handed_over_minor: 400000 });
    for (const d of r.days) {
      if (!['2026-02-20', '2026-03-02', '2026-03-03'].includes(d.date)) assert.deepEqual(d, { ...zero, date: d.date });
    }
    assert.deepEqual(r.total, { reminders: 3, fees_minor: 57000, handed_over: 1, handed_over_minor: 400000, paid_after_reminder: 1, paid_after_reminder_minor: rem[1].total_due_minor });
  });

  test('the last 30 days by default', async () => {
    const r = (await anna.get(`${C}/reports/dunning`)).body;
    assert.equal(r.from, '2026-02-14');
    assert.equal(r.to, '2026-03-15');
    assert.equal(r.days.length, 30);
    assert.equal(r.total.reminders, 3);
  });

  test('bad dates and ranges are refused naming the parameter', async () => {
    assertError(await anna.get(`${C}/reports/dunning?from=2026-02-30`), 400, 'invalid_query', 'from');
    assertError(await anna.get(`${C}/reports/dunning?to=yesterday`), 400, 'invalid_query', 'to');
    assertError(await anna.get(`${C}/reports/dunning?from=2026-03-02&to=2026-03-01`), 422, 'out_of_range', 'to');
    assertError(await anna.get(`${C}/reports/dunning?from=2025-01-01&to=2026-01-02`), 422, 'out_of_range', 'to');
    assertStatus(await anna.get(`${C}/reports/dunning?from=2025-01-01&to=2026-01-01`), 200);
  });
});

describe('DSO and the collection rate per month', () => {
  test('receivables at each month end, invoiced, DSO, due and collected', async () => {
    const res = await anna.get(`${C}/reports/receivables?months=3`);
    assertStatus(res, 200);
    assert.equal(res.body.as_of, '2026-03-15');
    assert.deepEqual(res.body.months, [
      { month: '2026-01', from: '2026-01-01', to: '2026-01-31', days: 31, invoiced_minor: 1500000, receivables_minor: 1900000,
        dso_tenths: 393, due_minor: 400000, collected_minor: 0, collection_rate_bp: 0 },
      { month: '2026-02', from: '2026-02-01', to: '2026-02-28', days: 28, invoiced_minor: 200000, receivables_minor: 2050000,
        dso_tenths: 2870, due_minor: 1700000, collected_minor: 50000, collection_rate_bp: 294 },
      { month: '2026-03', from: '2026-03-01', to: '2026-03-15', days: 15, invoiced_minor: 0, receivables_minor: 550000,
        dso_tenths: null, due_minor: 0, collected_minor: 0, collection_rate_bp: null },
    ]);
  });

  test('twelve months by default; months outside 1..24 are refused', async () => {
    const res = await anna.get(`${C}/reports/receivables`);
    assertStatus(res, 200);
    assert.equal(res.body.months.length, 12);
    assert.equal(res.body.months[0].month, '2025-04');
    assert.equal(res.body.months[8].receivables_minor, 400000); /* Dec 2025: invoice 4 */
    for (const bad of ['0', '25', 'x', '-1']) {
      assertError(await anna.get(`${C}/reports/receivables?months=${bad}`), 400, 'invalid_query', 'months');
    }
  });
});
