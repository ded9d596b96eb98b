/*
 * actions.test.mjs — what happens to a handed-over invoice afterwards, over
 * real HTTP: the debtor disputes or gets an instalment plan at the agency
 * (each shown once on the invoice), and a customer loss with the choice
 * "withdraw" cancels the case at the agency (POST /creditor--cancellations
 * by the dispatcher), which then closes, once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PATIENCE_MS, assertStatus, sandboxCall, startStack, waitFor } from './lib/stack.mjs';

const eventsOf = async (s, id, kind) => (await s.history(id)).filter((e) => e.kind === kind);

describe('after the hand-over', () => {
  let s;
  const cases = {};
  before(async () => {
    s = await startStack();
    await s.activate();
    const customer = await s.customer();
    const ids = await s.invoices(customer.id, 3);
    const res = await s.handover(ids);
    assertStatus(res, 202);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.registered, 3);
    for (const r of batch.results) cases[r.invoice_id] = r.case_id;
    s.ids = ids;
  });
  after(async () => {
    await s?.stop();
  });

  test('a dispute at the agency is shown on the invoice, once', async () => {
    const id = s.ids[0];
    const res = await sandboxCall(s.sb.base, 'POST', '/_sandbox/debtor/dispute', { case: cases[id] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await waitFor(async () => (await eventsOf(s, id, 'amili_status')).some((e) => e.data.status === 'disputed'),
      PATIENCE_MS, 'the dispute in the history');
    const inv = await s.show(id);
    assert.equal(inv.amili.status, 'disputed');
    assert.equal(inv.amili.case.disputed, true);
    await s.waitRounds(2);
    assert.equal((await eventsOf(s, id, 'amili_status')).filter((e) => e.data.status === 'disputed').length, 1);
  });

  test('an instalment plan at the agency is shown on the invoice, once', async () => {
    const id = s.ids[1];
    const res = await sandboxCall(s.sb.base, 'POST', '/_sandbox/debtor/instalment-plan', { case: cases[id], months: 3 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await waitFor(async () => (await eventsOf(s, id, 'amili_status')).some((e) => e.data.status === 'instalment_plan'),
      PATIENCE_MS, 'the plan in the history');
    const inv = await s.show(id);
    assert.equal(inv.amili.case.instalment_plan, true);
    /* the 170 kr plan fee on top of the 60 kr reminder fee */
    assert.equal(inv.amili.case.fees_minor, 6000 + 17000);
    await s.waitRounds(2);
    assert.equal((await eventsOf(s, id, 'amili_status')).filter((e) => e.data.status === 'instalment_plan').length, 1);
  });

  test('a customer loss that withdraws the case cancels it at the agency, and it closes once', async () => {
    const id = s.ids[2];
    const before = (await s.counters()).requests['POST /creditor--cancellations'] ?? 0;
    const loss = await s.client.post(`${s.api}/invoices/${id}/customer-loss`,
      { kind: 'confirmed', ground: 'fruitless_collection', date: '2025-06-16', case_choice: 'withdraw' });
    assert.ok(loss.status === 200 || loss.status === 201, `customer loss: ${loss.status} ${loss.text.slice(0, 300)}`);
    const reported = await waitFor(async () => (await eventsOf(s, id, 'amili_reported'))[0], PATIENCE_MS,
      'the cancellation at the agency');
    assert.equal(reported.data.kind, 'cancel');
    assert.equal(reported.data.status, 'completed');
    const agencyCase = (await s.agencyGet(`/cases/${cases[id]}`)).body;
    assert.equal(agencyCase.closed, true);
    assert.equal(agencyCase.status, 'cancelled');
    await waitFor(async () => (await eventsOf(s, id, 'amili_closed')).length === 1, PATIENCE_MS, 'the closing in the history');
    const inv = await s.show(id);
    assert.equal(inv.amili.case.closed, true);
    assert.equal(inv.amili.status, 'cancelled');
    /* A cancellation is no payment: nothing was recorded as collected. */
    assert.equal((await eventsOf(s, id, 'amili_payment')).length, 0);
    /* Two rounds of each loop later: cancelled once, closed once. */
    await s.waitRounds(2);
    assert.equal((await eventsOf(s, id, 'amili_closed')).length, 1);
    assert.equal((await eventsOf(s, id, 'amili_reported')).length, 1);
    assert.equal((await s.counters()).requests['POST /creditor--cancellations'], before + 1);
  });
});
