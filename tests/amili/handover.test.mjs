/*
 * handover.test.mjs — sending invoices to Visma Amili end to end, over real
 * HTTP between a user, paminn serve and a real amili-sandbox.
 *
 * Activate, send 1 and 500 invoices and see each registered with its case
 * id and OCR in the history; move the sandbox clock and see the collection
 * demand; a debtor payment at the agency, a direct payment reported to the
 * agency and a payout, each reflected on the invoice once; one customer
 * without an address among 50 ticked invoices; a refusal by the agency
 * shown as "Ej skickad" and the invoice freed; ROT: the customer's part is
 * what is handed over; once only, also for 20 concurrent requests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError } from '../api/lib/server.mjs';
import { PATIENCE_MS, TODAY, assertStatus, sandboxCall, scaled, startStack, waitFor } from './lib/stack.mjs';

/* Luhn over a digit string. */
function luhnValid(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const kinds = (events) => events.map((e) => e.kind);
const BIG = scaled(500);

describe('Amili hand-over', () => {
  let s;
  let customer;
  before(async () => {
    s = await startStack();
    customer = await s.customer();
  });
  after(async () => {
    await s?.stop();
  });

  test('before activation every invoice is refused with the reason', async () => {
    const inv = await s.invoice(customer.id);
    const res = await s.handover([inv.id]);
    assertError(res, 422, 'not_eligible', 'company');
    assert.equal(res.body.batch_id, null);
    assert.equal(res.body.results[0].status, 'rejected');
    assert.equal(res.body.results[0].errors[0].code, 'company_not_activated');
    assert.equal(s.scalar('select count(*) from outbox'), '0');
  });

  test('bad requests are refused naming the field and change nothing', async () => {
    await s.activate();
    const url = `${s.api}/amili/handovers`;
    assertError(await s.client.post(url, {}), 422, 'required', 'invoice_ids');
    assertError(await s.client.post(url, { invoice_ids: [] }), 422, 'out_of_range', 'invoice_ids');
    assertError(await s.client.post(url, { invoice_ids: [1, 'x'] }), 422, 'invalid_value', 'invoice_ids[1]');
    assertError(await s.client.post(url, { invoice_ids: [1, 0] }), 422, 'invalid_value', 'invoice_ids[1]');
    assertError(await s.client.post(url, { invoice_ids: [3, 1, 2, 1] }), 422, 'duplicate_value', 'invoice_ids[3]');
    assertError(await s.client.post(url, { invoice_ids: Array.from({ length: 10001 }, (_, i) => i + 1) }), 422,
      'out_of_range', 'invoice_ids');
    const unknown = await s.client.post(url, { invoice_ids: [987654] });
    assertError(unknown, 422, 'not_eligible');
    assert.deepEqual(unknown.body.results[0].errors[0], {
      code: 'not_found', field: 'invoice_ids[0]', message: 'Fakturan finns inte.',
    });
    assert.equal(s.scalar('select count(*) from outbox'), '0');
    assert.equal(s.scalar('select count(*) from agency_claims'), '0');
  });

  let first;
  test('one invoice: queued at once, then registered with case id and OCR in its history', async (t) => {
    first = await s.invoice(customer.id);
    const t0 = Date.now();
    const res = await s.handover([first.id]);
    assertStatus(res, 202);
    /* Queued, not registered, in the answer; how fast is for bench/. */
    t.diagnostic(`hand-over of 1 accepted in ${Date.now() - t0} ms`);
    assert.deepEqual(res.body.results, [{ invoice_id: first.id, status: 'queued', errors: [] }]);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.total, 1);
    assert.equal(batch.registered, 1);
    const r = batch.results[0];
    assert.match(r.case_id, /^[0-9a-f]{24}$/);
    assert.match(r.ocr, /^2025\d{12}$/);
    assert.ok(luhnValid(r.ocr), `OCR ${r.ocr} has a bad check digit`);

    const history = await s.history(first.id);
    assert.deepEqual(kinds(history).slice(0, 3), ['created', 'amili_queued', 'amili_registered']);
    const reg = history.find((e) => e.kind === 'amili_registered');
    assert.equal(reg.actor, 'amili');
    assert.deepEqual(reg.data, { case_id: r.case_id, ocr: r.ocr });
    assert.ok(reg.message.includes(r.case_id) && reg.message.includes(r.ocr), reg.message);
    assert.equal(history.find((e) => e.kind === 'amili_queued').actor, 'agnes@example.se');

    /* What the agency got: the remaining amount, the customer, the PDF. */
    const agencyCase = (await s.agencyGet(`/cases/${r.case_id}`)).body;
    assert.equal(agencyCase.debt.invoice_number, String(first.number));
    assert.equal(agencyCase.local_added_capital_amount, 1250);
    assert.equal(agencyCase.customer_name, 'Anna Andersson');
    await waitFor(async () => (await s.history(first.id)).some((e) => e.kind === 'amili_document'), PATIENCE_MS,
      'the invoice PDF upload');
    const pdf = await fetch(`${(await s.agencyGet(`/cases/${r.case_id}`)).body.original_invoice}`,
      { headers: { 'X-API-Key': s.agencyToken } });
    assert.equal(pdf.status, 200);
    assert.equal((await pdf.arrayBuffer()).byteLength > 500, true);
  });

  test('the invoice shows the case; the Amili action is gone; a second hand-over is 409', async () => {
    const inv = await s.show(first.id);
    assert.equal(inv.amili.state, 'registered');
    assert.equal(inv.amili.eligible, false);
    assert.deepEqual(inv.amili.reasons.map((x) => x.code), ['already_handed_over']);
    assert.equal(inv.amili.case.state, 'reminder');
    assert.equal(inv.amili.case.status, 'reminder_sent');
    assert.equal(inv.amili.case.capital_minor, 125000);
    assert.equal(inv.amili.case.fees_minor, 6000);
    assert.ok(inv.amili.case.url.endsWith(`/cases/${inv.amili.case.id}`));

    const list = await s.client.get(`${s.api}/invoices?status=agency`);
    assertStatus(list, 200);
    const row = list.body.items.find((x) => x.id === first.id);
    assert.equal(row.amili.case_id, inv.amili.case.id);
    assert.equal(row.amili.ocr, inv.amili.case.ocr);
    assert.equal(row.amili.state, 'registered');

    const again = await s.handover([first.id]);
    assertError(again, 409, 'already_handed_over', 'invoice');
    assert.equal(again.body.results[0].errors[0].code, 'already_handed_over');
  });

  test('the agency clock moves: reminder, then the collection demand, each once in the history', async () => {
    await s.advance(13);
    await waitFor(async () => (await s.history(first.id)).some((e) => e.kind === 'amili_state' &&
      e.data.state === 'debt_collection'), PATIENCE_MS, 'the collection demand in the history');
    const history = await s.history(first.id);
    const states = history.filter((e) => e.kind === 'amili_state').map((e) => e.data.state);
    assert.deepEqual(states, ['initializing', 'reminder', 'debt_collection']);
    const statuses = history.filter((e) => e.kind === 'amili_status').map((e) => e.data.status);
    assert.deepEqual(statuses, ['initialized', 'reminder_sent', 'debt_collection_active']);
    const inv = await s.show(first.id);
    assert.equal(inv.amili.status, 'debt_collection_active');
    assert.equal(inv.amili.case.fees_minor, 6000 + 18000);
    /* Opening the invoice again (live look-up) adds nothing. */
    await s.show(first.id);
    assert.equal((await s.history(first.id)).length, history.length);
  });

  test('a debtor payment at the agency lowers what the invoice has left, once', async () => {
    const caseId = (await s.show(first.id)).amili.case.id;
    const pay = await sandboxCall(s.sb.base, 'POST', '/_sandbox/debtor/pay', { case: caseId, amount: 700.0 });
    assert.equal(pay.status, 200, JSON.stringify(pay.body));
    const after = (await s.agencyGet(`/cases/${caseId}`)).body;
    /* Costs first (240 kr), then interest, then capital. */
    const capitalPaid = Math.round((after.local_added_capital_amount - after.local_remaining_capital_amount) * 100);
    assert.ok(capitalPaid > 0 && capitalPaid < 70000 - 24000, `capital paid ${capitalPaid}`);
    const event = await waitFor(async () => (await s.history(first.id)).find((e) => e.kind === 'amili_payment'),
      PATIENCE_MS, 'the agency payment in the history');
    assert.equal(event.data.amount_minor, capitalPaid);
    const inv = await s.show(first.id);
    assert.equal(inv.remaining_minor, 125000 - capitalPaid);
    assert.equal(inv.paid_minor, capitalPaid);
    const payments = s.rows(`select amount_minor, source from payments where invoice_id = ${first.id}`);
    assert.deepEqual(payments, [{ amount_minor: capitalPaid, source: 'agency' }]);
    first.capitalPaid = capitalPaid;
  });

  test('a direct payment on the handed-over invoice is reported to the agency, once', async () => {
    const before = (await s.counters()).requests['POST /creditor--payments'] ?? 0;
    const res = await s.client.post(`${s.api}/invoices/${first.id}/payments`,
      { date: TODAY, amount_minor: 10000, reference: 'Swish 0701234567' });
    assertStatus(res, 201);
    const reported = await waitFor(async () => (await s.history(first.id)).find((e) => e.kind === 'amili_reported'),
      PATIENCE_MS, 'the report to the agency');
    assert.equal(reported.data.kind, 'report_payment');
    assert.equal(reported.data.status, 'completed');
    assert.equal(reported.data.settled_minor, 10000);
    /* Two rounds of the dispatcher and the sync later: reported once, and
     * still one agency payment (the direct one is not counted again as
     * money the agency collected). */
    await s.waitRounds(2);
    assert.equal((await s.counters()).requests['POST /creditor--payments'], before + 1);
    const caseId = (await s.show(first.id)).amili.case.id;
    const agencyCase = (await s.agencyGet(`/cases/${caseId}`)).body;
    assert.equal(Math.round(agencyCase.local_remaining_capital_amount * 100), 125000 - first.capitalPaid - 10000);
    const inv = await s.show(first.id);
    assert.equal(inv.remaining_minor, 125000 - first.capitalPaid - 10000);
    assert.equal((await s.history(first.id)).filter((e) => e.kind === 'amili_payment').length, 1);
  });

  test('a payout from the agency is shown on the invoice, once', async () => {
    const creditor = s.rows('select creditor_id from amili_activations')[0].creditor_id;
    const res = await sandboxCall(s.sb.base, 'POST', '/_sandbox/payouts', { creditor });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const event = await waitFor(async () => (await s.history(first.id)).find((e) => e.kind === 'amili_payout'),
      PATIENCE_MS, 'the payout in the history');
    assert.equal(event.data.capital_minor, first.capitalPaid);
    assert.equal(event.data.payout_id, res.body._id);
    /* Commission: 10 % of the capital, plus 25 % VAT on it, each rounded
     * to the öre, negative. */
    const commission = Math.round(first.capitalPaid * 0.1);
    assert.equal(event.data.commission_minor, -(commission + Math.round(commission * 0.25)));
    await s.waitRounds(2);
    assert.equal((await s.history(first.id)).filter((e) => e.kind === 'amili_payout').length, 1);
    const inv = await s.show(first.id);
    assert.equal(inv.amili.case.payout_minor, event.data.total_minor);
    assert.equal(s.scalar(`select count(*) from agency_payout_lines where invoice_id = ${first.id}`) > '0', true);
  });

  test(`${BIG} invoices: accepted at once, every one registered with its own case and OCR`, async (t) => {
    const ids = await s.invoices(customer.id, BIG);
    const t0 = Date.now();
    const res = await s.handover(ids);
    const accepted = Date.now() - t0;
    assertStatus(res, 202);
    t.diagnostic(`hand-over of ${BIG} accepted in ${accepted} ms`);
    assert.equal(res.body.results.filter((r) => r.status === 'queued').length, BIG);
    const batch = await s.waitBatch(res.body.batch_id, 3 * PATIENCE_MS);
    assert.equal(batch.registered, BIG);
    assert.equal(batch.failed, 0);
    assert.equal(new Set(batch.results.map((r) => r.case_id)).size, BIG);
    assert.equal(new Set(batch.results.map((r) => r.ocr)).size, BIG);
    assert.ok(batch.results.every((r) => luhnValid(r.ocr)));
    const agency = await s.agencyCases();
    const ours = s.rows('select i.number, c.case_id from agency_cases c join invoices i on i.company_id = c.company_id and i.id = c.invoice_id');
    assert.equal(agency.size, ours.length);
    for (const { number, case_id: caseId } of ours) assert.equal(agency.get(String(number))._id, caseId);
    const registered = s.rows(`select invoice_id, count(*) as n from history_events where kind = 'amili_registered'
      group by invoice_id having count(*) <> 1`);
    assert.deepEqual(registered, []);
  });

  test('among 50: the invoice of a customer without an address, a stopped one, one of a stopped customer and an unknown id are refused, the 46 go', async () => {
    const bad = await s.customer({ name: 'Bertil Berg', id_number: '19900101-0017', address_line_1: '' });
    const disputing = await s.customer({ name: 'Cecilia Ceder', id_number: '19800101-0001' });
    const ids = await s.invoices(customer.id, 46);
    const badInvoice = await s.invoice(bad.id);
    const stopped = await s.invoice(customer.id);
    const ofStopped = await s.invoice(disputing.id);
    assertStatus(await s.client.put(`${s.api}/invoices/${stopped.id}/reminder-stop`,
      { kind: 'payment_plan', text: '500 kr i månaden' }), 200);
    assertStatus(await s.client.put(`${s.api}/customers/${disputing.id}/reminder-stop`, { kind: 'dispute' }), 200);
    ids.splice(3, 0, ofStopped.id);
    ids.splice(17, 0, badInvoice.id);
    ids.splice(30, 0, stopped.id);
    ids.splice(44, 0, 987653);
    const res = await s.handover(ids);
    assertStatus(res, 202);
    const rejected = res.body.results.filter((r) => r.status === 'rejected');
    assert.deepEqual(rejected.map((r) => [r.invoice_id, r.errors.map((e) => [e.code, e.field])]), [
      [ofStopped.id, [['reminders_stopped', 'invoice.reminder_stop']]],
      [badInvoice.id, [['missing_address_line_1', 'customer.address_line_1']]],
      [stopped.id, [['reminders_stopped', 'invoice.reminder_stop']]],
      [987653, [['not_found', 'invoice_ids[44]']]],
    ]);
    assert.deepEqual([3, 17, 30, 44].map((i) => res.body.results[i].invoice_id), [ofStopped.id, badInvoice.id, stopped.id, 987653]);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.total, 46);
    assert.equal(batch.registered, 46);
    assert.ok(!batch.results.some((r) => [badInvoice.id, stopped.id, ofStopped.id].includes(r.invoice_id)));
    /* The refused invoice is untouched ... */
    const untouched = await s.show(badInvoice.id);
    assert.equal(untouched.amili.state, null);
    assert.deepEqual(untouched.amili.reasons.map((r) => r.field), ['customer.address_line_1']);
    assert.deepEqual(kinds(await s.history(badInvoice.id)), ['created']);
    /* ... and goes once the customer card is fixed. */
    assertStatus(await s.client.patch(`${s.api}/customers/${bad.id}`, { address_line_1: 'Bergsgatan 2' }), 200);
    const again = await s.handover([badInvoice.id]);
    assertStatus(again, 202);
    const b2 = await s.waitBatch(again.body.batch_id);
    assert.equal(b2.registered, 1);
  });

  test('20 concurrent hand-overs of one invoice: one is queued, 19 get 409', async () => {
    const inv = await s.invoice(customer.id);
    const answers = await Promise.all(Array.from({ length: 20 }, () => s.handover([inv.id])));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [202, ...Array(19).fill(409)]);
    for (const a of answers.filter((x) => x.status === 409)) assertError(a, 409, 'already_handed_over');
    const ok = answers.find((a) => a.status === 202);
    await s.waitBatch(ok.body.batch_id);
    assert.equal(s.scalar(`select count(*) from outbox where kind = 'register' and invoice_id = ${inv.id}`), '1');
    const number = String(inv.number);
    const counters = await s.counters();
    const key = Object.keys(counters.registrations_by_invoice).find((k) => k.endsWith(`/${number}`));
    assert.equal(counters.registrations_by_invoice[key], 1);
  });

  test('an agency refusal is "Ej skickad" with its reason per field, and frees the invoice', async () => {
    /* Not behind the uploads earlier tests left in the outbox. */
    await s.waitOutboxIdle();
    /* 425 days between invoice and due date: the agency allows 0..365. */
    const inv = await s.invoice(customer.id, { invoice_date: '2024-01-01', due_date: '2025-02-28' });
    const res = await s.handover([inv.id]);
    assertStatus(res, 202);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.failed, 1, JSON.stringify(batch));
    assert.deepEqual(batch.results[0].errors.map((e) => e.field), ['debts[0].invoice_due_days_after_invoice_date'],
      JSON.stringify(batch.results));
    const failed = (await s.history(inv.id)).find((e) => e.kind === 'amili_failed');
    assert.ok(failed, JSON.stringify(await s.history(inv.id)));
    assert.match(failed.message, /^Ej skickad: debts\[0\]\.invoice_due_days_after_invoice_date: /);
    assert.ok(failed.data.issues['debts[0].invoice_due_days_after_invoice_date']);
    const shown = await s.show(inv.id);
    assert.equal(shown.amili.state, 'failed');
    assert.equal(shown.amili.eligible, true);
    assert.equal(shown.amili.case, null);
    assert.equal(s.scalar(`select count(*) from agency_claims where invoice_id = ${inv.id}`), '0');
  });

  test('ROT: the customer\'s part is what is handed over', async () => {
    const rot = await s.invoice(customer.id, {
      kind: 'rot',
      lines: [{ description: 'Altanbygge', quantity_milli: 1000, unit_price_minor: 1000000, vat_rate_bp: 2500, labour: true }],
      buyers: [{ id_number: '19811218-9876', name: 'Anna Andersson' }],
    });
    assert.equal(rot.total_minor, 1250000);
    assert.equal(rot.customer_part_minor, 875000);
    const res = await s.handover([rot.id]);
    assertStatus(res, 202);
    const batch = await s.waitBatch(res.body.batch_id);
    const c = (await s.agencyGet(`/cases/${batch.results[0].case_id}`)).body;
    assert.equal(c.local_added_capital_amount, 8750);
  });
});
