/*
 * crash.test.mjs — kill -9 of paminn while 2 000 invoices are being
 * dispatched, then a restart on the same database: every invoice ends
 * registered exactly once, with one consistent history each.
 *
 * The sandbox adds latency to every registration so that the kill lands
 * mid-dispatch with calls in flight; the short lease lets the restarted
 * process take over the rows the killed one had leased, which it first
 * looks up at the agency before registering anything again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { jsonText } from '../api/lib/db.mjs';
import { assertStatus, scaled, startStack, waitFor } from './lib/stack.mjs';

const N = scaled(2000);

describe('crash while dispatching', () => {
  let s;
  before(async () => {
    s = await startStack({ lease: 8, sync: 2 });
    await s.activate();
  });
  after(async () => {
    await s?.stop();
  });

  test(`kill -9 during the dispatch of ${N} invoices, restart: each registered exactly once`, async (t) => {
    const customer = await s.customer();
    const ids = await s.invoices(customer.id, N);
    await s.faults([{ method: 'POST', path_prefix: '/case--registrations', mode: 'latency', latency_ms: 40, count: 0 }]);
    const res = await s.handover(ids);
    assertStatus(res, 202);
    const batchId = res.body.batch_id;

    /* Kill while some are registered and many are not. */
    await waitFor(() => Number(s.scalar('select count(*) from agency_cases')) >= N / 5, 60000,
      'a fifth to be registered');
    await s.kill9();
    const atKill = Number(s.scalar('select count(*) from agency_cases'));
    assert.ok(atKill < N, 'the dispatch was already over when killed');
    const inFlight = Number(s.scalar("select count(*) from outbox where state = 'in_flight'"));

    await s.start();
    const batch = await s.waitBatch(batchId, 180000);
    assert.equal(batch.registered, N, `registered ${batch.registered}, failed ${batch.failed}`);
    assert.equal(batch.failed, 0);

    const counters = await s.counters();
    t.diagnostic(`killed with ${atKill} registered and ${inFlight} rows in flight; ` +
      `${counters.requests['POST /case--registrations']} registration requests, ` +
      `${counters.requests['GET /cases'] ?? 0} case look-ups and lists`);
    assert.equal(counters.cases, N, 'cases at the agency');
    assert.ok(Object.values(counters.registrations_by_invoice).every((n) => n === 1));
    /* Only calls the crash left uncertain could be sent again. */
    assert.ok(counters.requests['POST /case--registrations'] <= N + inFlight,
      `${counters.requests['POST /case--registrations']} registrations for ${N} invoices (${inFlight} in flight at the kill)`);

    const agency = await s.agencyCases();
    const rows = s.rows(`select i.id, i.number, c.case_id, c.ocr,
        (select count(*) from history_events h where h.company_id = i.company_id and h.invoice_id = i.id and h.kind = 'amili_queued') as queued,
        (select count(*) from history_events h where h.company_id = i.company_id and h.invoice_id = i.id and h.kind = 'amili_registered') as registered,
        (select ${jsonText('h.data', 'case_id')} from history_events h where h.company_id = i.company_id and h.invoice_id = i.id and h.kind = 'amili_registered') as history_case
      from invoices i join agency_cases c on c.company_id = i.company_id and c.invoice_id = i.id`);
    assert.equal(rows.length, N);
    for (const r of rows) {
      assert.equal(r.queued, 1, `invoice ${r.number}: ${r.queued} queued events`);
      assert.equal(r.registered, 1, `invoice ${r.number}: ${r.registered} registered events`);
      assert.equal(r.history_case, r.case_id, `invoice ${r.number}: history and case disagree`);
      assert.equal(agency.get(String(r.number))._id, r.case_id, `invoice ${r.number}: not the agency's case`);
    }
    assert.equal(s.scalar("select count(*) from outbox where kind = 'register' and state <> 'done'"), '0');
    assert.equal(s.scalar("select count(*) from agency_claims"), String(N));
  });
});
