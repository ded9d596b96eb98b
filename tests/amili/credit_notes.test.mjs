/*
 * credit_notes.test.mjs — a credit note on an invoice handed over to Visma
 * Amili, against the real amili-sandbox: the product queues one
 * report_crediting, the dispatcher delivers it (POST
 * /creditor--creditings), and the sandbox registers the crediting once —
 * also when the request is sent again with its Idempotency-Key, and after
 * further rounds of the dispatcher and the status sync.  The case's
 * capital and the invoice's remaining amount agree afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PATIENCE_MS, TODAY, assertStatus, startStack, waitFor } from './lib/stack.mjs';

describe('a credit note on a handed-over invoice', () => {
  let s;
  let inv;
  let caseId;
  before(async () => {
    s = await startStack();
    await s.activate();
    const customer = await s.customer();
    inv = await s.invoice(customer.id);
    const res = await s.handover([inv.id]);
    assertStatus(res, 202);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.registered, 1);
    caseId = batch.results[0].case_id;
  });
  after(async () => {
    await s?.stop();
  });

  test('is reported to the agency as one crediting, registered once', async () => {
    const before = (await s.counters()).requests['POST /creditor--creditings'] ?? 0;
    const body = { reason: 'Fel antal timmar', date: TODAY, amount_minor: 30000 };
    const first = await s.client.post(`${s.api}/invoices/${inv.id}/credit-notes`, body, { idem: 'kredit-amili-1' });
    assertStatus(first, 201);
    assert.equal(first.body.reported_to_agency, true);
    assert.equal(first.body.remaining_minor, 125000 - 30000);
    /* The same request again (a retry after a lost answer): the same
     * credit note, nothing new queued. */
    const again = await s.client.post(`${s.api}/invoices/${inv.id}/credit-notes`, body, { idem: 'kredit-amili-1' });
    assertStatus(again, 201);
    assert.equal(again.body.id, first.body.id);
    assert.equal(s.rows(`select count(*) AS n from credit_notes where invoice_id = ${inv.id}`)[0].n, 1);

    const reported = await waitFor(async () => (await s.history(inv.id))
      .find((e) => e.kind === 'amili_reported' && e.data.kind === 'report_crediting'),
    PATIENCE_MS, 'the crediting reported to the agency');
    assert.equal(reported.data.status, 'completed');
    assert.equal(reported.data.settled_minor, 30000);

    await s.waitRounds(2);
    assert.equal((await s.counters()).requests['POST /creditor--creditings'], before + 1);
    const outbox = s.rows(`select state from outbox where invoice_id = ${inv.id} and kind = 'report_crediting'`);
    assert.deepEqual(outbox.map((r) => r.state), ['done']);
    const creditings = (await s.agencyGet('/creditor--creditings')).body._items.filter((c) => c.case === caseId);
    assert.equal(creditings.length, 1);
    assert.equal(Math.round(creditings[0].amount * 100), 30000);
    const agencyCase = (await s.agencyGet(`/cases/${caseId}`)).body;
    assert.equal(Math.round(agencyCase.local_remaining_capital_amount * 100), 125000 - 30000);
    const shown = await s.show(inv.id);
    assert.equal(shown.remaining_minor, 125000 - 30000);
  });
});
