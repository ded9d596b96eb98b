/*
 * faults.test.mjs — exactly once under faults: 1 000 invoices handed over
 * while the sandbox injects 5xx, 429 with Retry-After, timeouts, dropped
 * connections and "answer lost after commit" into registrations, uploads
 * and look-ups.  Every invoice ends registered once — one case per invoice
 * at the agency (its counters and its case list), the same case in
 * Påminn, one "registered" event in each history — and none is lost.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PATIENCE_MS, assertStatus, sandboxCall, scaled, startStack, waitFor } from './lib/stack.mjs';

const N = scaled(1000);

const RULES = [
  { method: 'POST', path_prefix: '/case--registrations', mode: 'status', status: 503, probability: 0.08, count: 60 },
  { method: 'POST', path_prefix: '/case--registrations', mode: 'status', status: 429, retry_after: 1, probability: 0.04, count: 25 },
  { method: 'POST', path_prefix: '/case--registrations', mode: 'status', status: 500, probability: 0.04, count: 25 },
  { method: 'POST', path_prefix: '/case--registrations', mode: 'timeout', probability: 0.01, count: 4 },
  { method: 'POST', path_prefix: '/case--registrations', mode: 'drop', probability: 0.04, count: 25 },
  { method: 'POST', path_prefix: '/case--registrations', mode: 'lost_after_commit', probability: 0.05, count: 40 },
  { method: 'POST', path_prefix: '/media--upload', mode: 'status', status: 502, probability: 0.05, count: 20 },
  { method: 'POST', path_prefix: '/media--upload', mode: 'drop', probability: 0.02, count: 10 },
  { method: 'GET', path_prefix: '/cases', mode: 'status', status: 503, probability: 0.05, count: 10 },
];

describe('exactly once under faults', () => {
  let s;
  before(async () => {
    /* A short lease: a 4 s request timeout (2/3 of it). */
    s = await startStack({ lease: 6, sync: 2 });
    await s.activate();
  });
  after(async () => {
    await s?.stop();
  });

  test(`${N} invoices with 5xx, 429, timeouts, drops and lost answers: each registered once`, async (t) => {
    const customer = await s.customer();
    const ids = await s.invoices(customer.id, N);
    /* The same expected number of faults at any size (AMILI_TEST_SCALE). */
    await s.faults(RULES.map((r) => ({ ...r, probability: Math.min(1, (r.probability * 1000) / N) })));
    const res = await s.handover(ids);
    assertStatus(res, 202);
    assert.equal(res.body.queued, N);
    const batch = await s.waitBatch(res.body.batch_id, 240000);
    assert.equal(batch.registered, N, `registered ${batch.registered}, failed ${batch.failed}`);
    assert.equal(batch.failed, 0);

    /* Every rule fired (a fault never injected would prove nothing).  The
     * uploads of the original invoices are leased after the registrations,
     * so their faults may still be ahead when the batch is registered. */
    const unfired = async () => {
      const left = (await sandboxCall(s.sb.base, 'GET', '/_sandbox/faults')).body._items;
      return RULES.filter((rule, i) => {
        const still = left.find((f) => f.id === i + 1);
        return still && still.count >= rule.count;
      });
    };
    await waitFor(async () => (await unfired()).length === 0, PATIENCE_MS,
      'every fault to fire').catch(() => {});
    for (const rule of await unfired()) assert.fail(`fault ${JSON.stringify(rule)} never fired`);
    await s.clearFaults();

    /* The agency: one case per invoice, none more. */
    const counters = await s.counters();
    t.diagnostic(`${counters.requests['POST /case--registrations']} registration requests for ${N} invoices`);
    assert.equal(counters.cases, N);
    const perInvoice = Object.values(counters.registrations_by_invoice);
    assert.equal(perInvoice.length, N);
    assert.ok(perInvoice.every((n) => n === 1));
    assert.ok(counters.requests['POST /case--registrations'] > N, 'no registration was retried');

    /* Påminn holds the same case for each invoice, and told it once. */
    const agency = await s.agencyCases();
    const ours = s.rows(`select i.id, i.number, i.agency_state, c.case_id, c.ocr from invoices i
      join agency_cases c on c.company_id = i.company_id and c.invoice_id = i.id`);
    assert.equal(ours.length, N);
    for (const row of ours) {
      const theirs = agency.get(String(row.number));
      assert.ok(theirs, `invoice ${row.number} has no case at the agency`);
      assert.equal(theirs._id, row.case_id);
      assert.equal(theirs.ocr, row.ocr);
      assert.equal(row.agency_state, 'registered');
    }
    const events = s.rows(`select kind, count(*) as n, count(distinct invoice_id) as invoices from history_events
      where kind like 'amili_%' and kind in ('amili_queued', 'amili_registered', 'amili_failed') group by kind order by kind`);
    assert.deepEqual(events, [
      { kind: 'amili_queued', n: N, invoices: N },
      { kind: 'amili_registered', n: N, invoices: N },
    ]);

    /* The uploads get through too, each once in the history. */
    /* A thousand uploads through the faults: a hang detector, with room
     * for a machine that is busy with other work. */
    await waitFor(() => s.scalar("select count(*) from outbox where state in ('pending', 'in_flight')") === '0',
      3 * PATIENCE_MS, 'the outbox to drain');
    assert.equal(s.scalar("select count(*) from outbox where state = 'failed'"), '0');
    assert.equal(s.scalar("select count(*) from history_events where kind = 'amili_document'"), String(N));
    assert.equal(s.scalar("select count(distinct invoice_id) from history_events where kind = 'amili_document'"), String(N));
  });
});
