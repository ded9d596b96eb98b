/*
 * dispatch_faults.test.mjs — the outbox dispatcher meeting the agency's
 * error answers, over real HTTP between paminn serve and a real
 * amili-sandbox whose fault switches (POST /_sandbox/faults) answer chosen
 * requests with an error.
 *
 * - A registration answered 401: the token is dropped, a new one bought,
 *   and the invoice is registered once.
 * - A registration answered 409 without naming the existing case: the
 *   dispatcher looks the case up (none), sends it again, registers once.
 * - A registration whose answer was lost, then a look-up refused (400): the
 *   look-up is tried again and finds the case; one case at the agency.
 * - The invoice PDF, a payment report and a cancellation refused (422):
 *   "Visma Amili tog inte emot ..." in the invoice's history, the message
 *   not sent again, the local bookkeeping unchanged by the refusal.
 * - A payment made while the registration is still being retried waits for
 *   the case and is reported once after it; if the registration is refused
 *   instead, the payment is kept locally and nothing is reported.
 *
 * Fault bodies are the sandbox's {"_error":{"message":"injected fault:
 * status N"}}, so that text is the reason the product shows.  "Once" is
 * checked after two further rounds of each loop (stack.waitRounds).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PATIENCE_MS, TODAY, assertStatus, startStack, waitFor } from './lib/stack.mjs';

/* One line of 1 000 kr + 25 % VAT (stack.invoice). */
const TOTAL = 125000;

const eventsOf = async (s, id, kind) => (await s.history(id)).filter((e) => e.kind === kind);
const requests = async (s, key) => (await s.counters()).requests[key] ?? 0;
const outboxRow = (s, id, kind) =>
  s.rows(`select state, last_error from outbox where invoice_id = ${id} and kind = '${kind}'`);

/* The number of cases the agency holds for invoice number n (0 or 1). */
async function casesAtAgency(s, number) {
  const counters = await s.counters();
  const key = Object.keys(counters.registrations_by_invoice).find((k) => k.endsWith(`/${number}`));
  return key ? counters.registrations_by_invoice[key] : 0;
}

describe('the dispatcher under the agency\'s error answers', () => {
  let s;
  let customer;

  /* A new invoice handed over and registered, its upload done. */
  async function registered() {
    const inv = await s.invoice(customer.id);
    const res = await s.handover([inv.id]);
    assertStatus(res, 202);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.registered, 1, JSON.stringify(batch));
    await s.waitOutboxIdle();
    return { ...inv, caseId: batch.results[0].case_id };
  }

  before(async () => {
    s = await startStack();
    await s.activate();
    customer = await s.customer();
  });
  after(async () => {
    await s?.stop();
  });

  test('a registration answered 401: a new token is bought and the invoice registered once', async () => {
    await s.waitOutboxIdle();
    const tokens = await requests(s, 'GET /authenticates/api-code');
    const posts = await requests(s, 'POST /case--registrations');
    await s.faults([{ method: 'POST', path_prefix: '/case--registrations', mode: 'status', status: 401, count: 1 }]);
    const inv = await s.invoice(customer.id);
    const res = await s.handover([inv.id]);
    assertStatus(res, 202);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.registered, 1, JSON.stringify(batch));
    assert.equal(batch.failed, 0);
    assert.ok(await requests(s, 'GET /authenticates/api-code') > tokens, 'no new token was bought');
    await s.waitRounds(2);
    /* The refused attempt and the one that registered. */
    assert.equal(await requests(s, 'POST /case--registrations'), posts + 2);
    assert.equal(await casesAtAgency(s, inv.number), 1);
    assert.equal((await eventsOf(s, inv.id, 'amili_registered')).length, 1);
    assert.equal((await s.show(inv.id)).amili.state, 'registered');
  });

  test('a 409 that names no case: the case is looked up, the invoice sent again and registered once', async () => {
    await s.waitOutboxIdle();
    const posts = await requests(s, 'POST /case--registrations');
    await s.faults([{ method: 'POST', path_prefix: '/case--registrations', mode: 'status', status: 409, count: 1 }]);
    const inv = await s.invoice(customer.id);
    const res = await s.handover([inv.id]);
    assertStatus(res, 202);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.registered, 1, JSON.stringify(batch));
    await s.waitRounds(2);
    assert.equal(await requests(s, 'POST /case--registrations'), posts + 2);
    assert.equal(await casesAtAgency(s, inv.number), 1);
    const shown = await s.show(inv.id);
    assert.equal(shown.amili.case.id, batch.results[0].case_id);
    assert.equal((await eventsOf(s, inv.id, 'amili_registered')).length, 1);
  });

  test('a lost answer, then a refused look-up: the look-up is tried again and the one case taken', async () => {
    await s.waitOutboxIdle();
    const posts = await requests(s, 'POST /case--registrations');
    /* The registration is made and its answer lost; every look-up is
     * refused until the dispatcher has recorded one refusal. */
    await s.faults([
      { method: 'POST', path_prefix: '/case--registrations', mode: 'lost_after_commit', count: 1 },
      { method: 'GET', path_prefix: '/cases', mode: 'status', status: 400, count: 0 },
    ]);
    const inv = await s.invoice(customer.id);
    const res = await s.handover([inv.id]);
    assertStatus(res, 202);
    try {
      await waitFor(() => outboxRow(s, inv.id, 'register')[0]?.last_error === 'injected fault: status 400',
        PATIENCE_MS, 'the refused look-up recorded on the registration');
      assert.equal((await s.show(inv.id)).amili.state, 'queued');
    } finally {
      await s.clearFaults();
    }
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.registered, 1, JSON.stringify(batch));
    await s.waitRounds(2);
    /* libcurl may send the POST once more on a fresh connection when the
     * kept-alive one died without an answer; the agency answers that with
     * 409 and the existing case.  No further registration is sent. */
    const sent = await requests(s, 'POST /case--registrations');
    assert.ok(sent === posts + 1 || sent === posts + 2, `${sent - posts} registrations sent`);
    assert.equal(await casesAtAgency(s, inv.number), 1);
    const found = await s.agencyGet(`/cases?where=${encodeURIComponent(JSON.stringify({ 'debt.invoice_number': String(inv.number) }))}`);
    assert.deepEqual(found.body._items.map((c) => c._id), [batch.results[0].case_id]);
    assert.equal((await eventsOf(s, inv.id, 'amili_registered')).length, 1);
  });

  test('the invoice PDF refused: shown in the history, not sent again, the case stays registered', async () => {
    await s.waitOutboxIdle();
    const uploads = await requests(s, 'POST /media--upload/{id}');
    await s.faults([{ method: 'POST', path_prefix: '/media--upload', mode: 'status', status: 422, count: 1 }]);
    const inv = await s.invoice(customer.id);
    const res = await s.handover([inv.id]);
    assertStatus(res, 202);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.registered, 1, JSON.stringify(batch));
    const failed = await waitFor(async () => (await eventsOf(s, inv.id, 'amili_report_failed'))[0], PATIENCE_MS,
      'the refused upload in the history');
    assert.equal(failed.message, 'Visma Amili tog inte emot fakturan (PDF): injected fault: status 422');
    assert.equal(failed.data.kind, 'upload_invoice');
    await s.waitRounds(2);
    assert.equal(await requests(s, 'POST /media--upload/{id}'), uploads + 1);
    assert.deepEqual(outboxRow(s, inv.id, 'upload_invoice').map((r) => r.state), ['failed']);
    assert.equal((await eventsOf(s, inv.id, 'amili_document')).length, 0);
    const shown = await s.show(inv.id);
    assert.equal(shown.amili.state, 'registered');
    assert.equal(shown.amili.case.id, batch.results[0].case_id);
    const agencyCase = (await s.agencyGet(`/cases/${batch.results[0].case_id}`)).body;
    assert.ok(!agencyCase.original_invoice, `the agency holds a PDF: ${agencyCase.original_invoice}`);
  });

  test('a payment report refused: the payment stays booked locally, the agency\'s case is unchanged', async () => {
    const inv = await registered();
    const reports = await requests(s, 'POST /creditor--payments');
    await s.faults([{ method: 'POST', path_prefix: '/creditor--payments', mode: 'status', status: 422, count: 1 }]);
    const pay = await s.client.post(`${s.api}/invoices/${inv.id}/payments`,
      { date: TODAY, amount_minor: 30000, reference: 'Swish 0701234567' });
    assertStatus(pay, 201);
    const failed = await waitFor(async () => (await eventsOf(s, inv.id, 'amili_report_failed'))[0], PATIENCE_MS,
      'the refused report in the history');
    assert.equal(failed.message, 'Visma Amili tog inte emot rapporten: injected fault: status 422');
    assert.equal(failed.data.kind, 'report_payment');
    await s.waitRounds(2);
    assert.equal(await requests(s, 'POST /creditor--payments'), reports + 1);
    assert.deepEqual(outboxRow(s, inv.id, 'report_payment').map((r) => r.state), ['failed']);
    assert.equal((await eventsOf(s, inv.id, 'amili_reported')).length, 0);
    const shown = await s.show(inv.id);
    assert.equal(shown.paid_minor, 30000);
    assert.equal(shown.remaining_minor, TOTAL - 30000);
    const agencyCase = (await s.agencyGet(`/cases/${inv.caseId}`)).body;
    assert.equal(Math.round(agencyCase.local_remaining_capital_amount * 100), TOTAL);
  });

  test('a cancellation refused: shown in the history, the agency\'s case stays open', async () => {
    const inv = await registered();
    const cancels = await requests(s, 'POST /creditor--cancellations');
    await s.faults([{ method: 'POST', path_prefix: '/creditor--cancellations', mode: 'status', status: 422, count: 1 }]);
    const loss = await s.client.post(`${s.api}/invoices/${inv.id}/customer-loss`,
      { kind: 'confirmed', ground: 'fruitless_collection', date: TODAY, case_choice: 'withdraw' });
    assert.ok(loss.status === 200 || loss.status === 201, `customer loss: ${loss.status} ${loss.text.slice(0, 300)}`);
    const failed = await waitFor(async () => (await eventsOf(s, inv.id, 'amili_report_failed'))[0], PATIENCE_MS,
      'the refused cancellation in the history');
    assert.equal(failed.message, 'Visma Amili tog inte emot återkallelsen: injected fault: status 422');
    assert.equal(failed.data.kind, 'cancel');
    await s.waitRounds(2);
    assert.equal(await requests(s, 'POST /creditor--cancellations'), cancels + 1);
    assert.deepEqual(outboxRow(s, inv.id, 'cancel').map((r) => r.state), ['failed']);
    const agencyCase = (await s.agencyGet(`/cases/${inv.caseId}`)).body;
    assert.equal(agencyCase.closed, false);
    assert.notEqual(agencyCase.status, 'cancelled');
    assert.equal((await eventsOf(s, inv.id, 'amili_closed')).length, 0);
  });

  test('a payment while the registration is retried waits for the case, then is reported once', async () => {
    await s.waitOutboxIdle();
    const posts = await requests(s, 'POST /case--registrations');
    const reports = await requests(s, 'POST /creditor--payments');
    await s.faults([{ method: 'POST', path_prefix: '/case--registrations', mode: 'status', status: 503, retry_after: 8, count: 1 }]);
    const inv = await s.invoice(customer.id);
    const res = await s.handover([inv.id]);
    assertStatus(res, 202);
    await waitFor(async () => await requests(s, 'POST /case--registrations') > posts, PATIENCE_MS,
      'the first registration attempt');
    assert.equal((await s.show(inv.id)).amili.state, 'queued');
    const pay = await s.client.post(`${s.api}/invoices/${inv.id}/payments`,
      { date: TODAY, amount_minor: 20000, reference: 'Bankgiro' });
    assertStatus(pay, 201);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.registered, 1, JSON.stringify(batch));
    const reported = await waitFor(async () => (await eventsOf(s, inv.id, 'amili_reported'))[0], PATIENCE_MS,
      'the report after the registration');
    assert.equal(reported.data.kind, 'report_payment');
    assert.equal(reported.data.settled_minor, 20000);
    await s.waitRounds(2);
    assert.equal(await requests(s, 'POST /creditor--payments'), reports + 1);
    assert.equal(await requests(s, 'POST /case--registrations'), posts + 2);
    assert.equal((await eventsOf(s, inv.id, 'amili_registered')).length, 1);
    assert.equal((await eventsOf(s, inv.id, 'amili_reported')).length, 1);
    const agencyCase = (await s.agencyGet(`/cases/${batch.results[0].case_id}`)).body;
    assert.equal(Math.round(agencyCase.local_remaining_capital_amount * 100), TOTAL - 20000);
  });

  test('a payment while the registration is retried, then refused: kept locally, nothing reported', async () => {
    await s.waitOutboxIdle();
    const posts = await requests(s, 'POST /case--registrations');
    const reports = await requests(s, 'POST /creditor--payments');
    await s.faults([
      { method: 'POST', path_prefix: '/case--registrations', mode: 'status', status: 503, retry_after: 8, count: 1 },
      { method: 'POST', path_prefix: '/case--registrations', mode: 'status', status: 422, count: 1 },
    ]);
    const inv = await s.invoice(customer.id);
    const res = await s.handover([inv.id]);
    assertStatus(res, 202);
    await waitFor(async () => await requests(s, 'POST /case--registrations') > posts, PATIENCE_MS,
      'the first registration attempt');
    const pay = await s.client.post(`${s.api}/invoices/${inv.id}/payments`,
      { date: TODAY, amount_minor: 20000, reference: 'Bankgiro' });
    assertStatus(pay, 201);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.failed, 1, JSON.stringify(batch));
    /* A refusal without reasons per field: the agency's message. */
    assert.deepEqual(batch.results[0].errors,
      [{ code: 'agency_refused', field: null, message: 'injected fault: status 422' }]);
    const failed = (await eventsOf(s, inv.id, 'amili_failed'))[0];
    assert.equal(failed.message, 'Ej skickad: injected fault: status 422');
    await waitFor(() => outboxRow(s, inv.id, 'report_payment')[0]?.state === 'done', PATIENCE_MS,
      'the payment report given up');
    assert.equal(outboxRow(s, inv.id, 'report_payment')[0].last_error,
      'skipped: the invoice has no case at the agency');
    await s.waitRounds(2);
    assert.equal(await requests(s, 'POST /creditor--payments'), reports);
    assert.equal(await requests(s, 'POST /case--registrations'), posts + 2);
    assert.equal(await casesAtAgency(s, inv.number), 0);
    assert.equal((await eventsOf(s, inv.id, 'amili_reported')).length, 0);
    const shown = await s.show(inv.id);
    assert.equal(shown.amili.state, 'failed');
    assert.equal(shown.paid_minor, 20000);
    assert.equal(shown.remaining_minor, TOTAL - 20000);
  });
});
