/*
 * sync_faults.test.mjs — the status sync under the agency's faults, over
 * real HTTP between paminn serve and a real amili-sandbox whose fault
 * switches (POST /_sandbox/faults) fail chosen requests.
 *
 * - The agency revokes the access token: the next request meets a 401, the
 *   token is dropped (also the sealed copy in the database) and the next
 *   round buys a new one and goes on: a dispute at the agency is shown once.
 * - The token endpoint fails (5xx, a refusal, a dropped connection, an
 *   answer lost after the token was issued): each round tries again, and
 *   once a token is bought the instalment plan is shown once.
 * - A round that fails between two pages of changed cases (the first page
 *   applied in its own transaction, the second answered 503): the cursor
 *   stays, the next round reads both pages again, and every case ends with
 *   exactly the agency's state and status events — none twice, none lost.
 * - A payout whose specification cannot be read (503, then a dropped
 *   connection) is not booked that round, is tried again the next, and is
 *   booked exactly once.
 *
 * What a user would notice is asserted: the invoice's history and agency
 * status, the vouchers; the sandbox's request counters show the retries.
 * /healthz has no agency error fields (only the rounds), so the failures
 * show in paminn's log, which is asserted where it proves a fault hit the
 * request it was meant for.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { PATIENCE_MS, assertStatus, sandboxCall, startStack, waitFor } from './lib/stack.mjs';

/* More than one page (100) of the agency's case list. */
const N = 130;
const TOKEN_ROUTE = 'GET /authenticates/api-code';

const eventsOf = async (s, id, kind) => (await s.history(id)).filter((e) => e.kind === kind);
const requests = async (s, key) => (await s.counters()).requests[key] ?? 0;
const faultsLeft = async (s) => (await sandboxCall(s.sb.base, 'GET', '/_sandbox/faults')).body._items;

/* The agency forgets every access token it issued (its own database). */
function revokeTokens(s) {
  execFileSync('sqlite3', ['-cmd', '.timeout 30000', s.sbDb, 'DELETE FROM tokens'], { stdio: 'pipe' });
}

describe('the status sync under faults', () => {
  let s;
  let ids;
  const cases = {};
  before(async () => {
    s = await startStack();
    await s.activate();
    const customer = await s.customer();
    ids = await s.invoices(customer.id, N);
    const res = await s.handover(ids);
    assertStatus(res, 202);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.registered, N);
    for (const r of batch.results) cases[r.invoice_id] = r.case_id;
    await s.waitOutboxIdle();
    await s.waitRounds(2);
  });
  after(async () => {
    await s?.stop();
  });

  test('a revoked token: the 401 drops it, the next round buys a new one and goes on', async () => {
    const id = ids[0];
    const fetched = await requests(s, TOKEN_ROUTE);
    revokeTokens(s);
    const res = await sandboxCall(s.sb.base, 'POST', '/_sandbox/debtor/dispute', { case: cases[id] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await waitFor(async () => (await eventsOf(s, id, 'amili_status')).some((e) => e.data.status === 'disputed'),
      PATIENCE_MS, 'the dispute in the history after the token was revoked');
    assert.ok(await requests(s, TOKEN_ROUTE) > fetched, 'no new token was bought');
    assert.match(s.logs.err, /paminn sync: GET \/cases\?[^\n]*: missing, unknown or expired access token/);
    await s.waitRounds(2);
    assert.equal((await eventsOf(s, id, 'amili_status')).filter((e) => e.data.status === 'disputed').length, 1);
    const inv = await s.show(id);
    assert.equal(inv.amili.status, 'disputed');
  });

  test('the token endpoint fails: every round tries again, then the change is shown once', async () => {
    const id = ids[1];
    const fetched = await requests(s, TOKEN_ROUTE);
    const rules = [
      { method: 'GET', path_prefix: '/authenticates', mode: 'status', status: 503, count: 1 },
      { method: 'GET', path_prefix: '/authenticates', mode: 'status', status: 500, count: 1 },
      { method: 'GET', path_prefix: '/authenticates', mode: 'status', status: 400, count: 1 },
      { method: 'GET', path_prefix: '/authenticates', mode: 'drop', count: 1 },
      { method: 'GET', path_prefix: '/authenticates', mode: 'lost_after_commit', count: 1 },
    ];
    await s.faults(rules);
    revokeTokens(s);
    const res = await sandboxCall(s.sb.base, 'POST', '/_sandbox/debtor/instalment-plan', { case: cases[id], months: 3 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await waitFor(async () => (await eventsOf(s, id, 'amili_status')).some((e) => e.data.status === 'instalment_plan'),
      PATIENCE_MS, 'the instalment plan in the history after the token endpoint failed');
    assert.deepEqual(await faultsLeft(s), [], 'every fault of the token endpoint fired');
    /* Five failed purchases, then the one that worked. */
    assert.ok(await requests(s, TOKEN_ROUTE) >= fetched + rules.length + 1);
    assert.match(s.logs.err, /no access token: the agency did not answer the token request/);
    assert.match(s.logs.err, /no access token: the agency refused the API code or key \(HTTP 400/);
    await s.waitRounds(2);
    const plans = (await eventsOf(s, id, 'amili_status')).filter((e) => e.data.status === 'instalment_plan');
    assert.equal(plans.length, 1);
    const inv = await s.show(id);
    assert.equal(inv.amili.case.instalment_plan, true);
  });

  test('a round failing between two pages of changes: nothing applied twice, nothing lost', async () => {
    const failed = /paminn sync: GET \/cases\?[^\n]*page=2[^\n]*: injected fault: status 503/;
    assert.doesNotMatch(s.logs.err, failed);
    /* Hold the sync at the end of a round (its read of the payouts, which
     * it gives up after its 15 s timeout), so that the next round starts
     * with the changes and the rules below in place: its first page
     * passes, its second is answered 503. */
    await s.faults([{ method: 'GET', path_prefix: '/finance--payouts', mode: 'latency', latency_ms: 60000, count: 1 }]);
    await waitFor(async () => (await faultsLeft(s)).length === 0, PATIENCE_MS, 'the sync held in its read of the payouts');
    const moved = await s.advance(13);
    assert.ok(moved.cases_changed > 100, `the agency moved ${moved.cases_changed} cases (more than a page)`);
    await s.faults([
      { method: 'GET', path_prefix: '/cases', mode: 'latency', latency_ms: 0, count: 1 },
      { method: 'GET', path_prefix: '/cases', mode: 'status', status: 503, retry_after: 0, count: 1 },
    ]);
    await waitFor(() => failed.test(s.logs.err), PATIENCE_MS, 'the second page answered 503');

    /* The next rounds read both pages again; every case ends with the
     * agency's history, each entry once. */
    const theirs = await s.agencyCases();
    assert.equal(theirs.size, N);
    const complete = () => {
      const counts = s.rows(`select i.number, count(*) filter (where h.kind = 'amili_state') as states,
        count(*) filter (where h.kind = 'amili_status') as statuses
        from invoices i join history_events h on h.invoice_id = i.id and h.company_id = i.company_id
        group by i.number`);
      return counts.every((r) => {
        const c = theirs.get(String(r.number));
        return Number(r.states) === c.state_history.length && Number(r.statuses) === c.status_history.length;
      }) && counts.length === N;
    };
    await waitFor(complete, PATIENCE_MS, 'every case with the agency\'s state and status history');
    await s.waitRounds(2);
    assert.ok(complete(), 'a later round added an event twice');
    const states = s.rows(`select c.case_id, c.state, c.status from agency_cases c`);
    const byCase = new Map([...theirs.values()].map((c) => [c._id, c]));
    for (const row of states) {
      assert.equal(row.state, byCase.get(row.case_id).state, `case ${row.case_id}`);
      assert.equal(row.status, byCase.get(row.case_id).status, `case ${row.case_id}`);
    }
  });

  test('a payout whose specification cannot be read is booked the next round, once', async () => {
    const id = ids[2];
    const pay = await sandboxCall(s.sb.base, 'POST', '/_sandbox/debtor/pay', { case: cases[id] });
    assert.equal(pay.status, 200, JSON.stringify(pay.body));
    await s.faults([
      { method: 'GET', path_prefix: '/finance--payout-specifications', mode: 'status', status: 503, retry_after: 0, count: 1 },
      { method: 'GET', path_prefix: '/finance--payout-specifications', mode: 'drop', count: 1 },
    ]);
    const reads = await requests(s, 'GET /finance--payout-specifications');
    const creditor = s.rows('select creditor_id from amili_activations')[0].creditor_id;
    const res = await sandboxCall(s.sb.base, 'POST', '/_sandbox/payouts', { creditor });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const payoutId = res.body._id;
    const vouchers = async () => {
      const v = await s.client.get(`${s.api}/vouchers?from=2025-01-01&to=2025-12-31`);
      assertStatus(v, 200);
      return v.body.items.filter((x) => x.source === 'agency_payout');
    };
    const booked = await waitFor(async () => {
      const v = await vouchers();
      return v.length > 0 ? v : null;
    }, PATIENCE_MS, 'the payout booked');
    assert.deepEqual(await faultsLeft(s), [], 'both faults of the specification fired');
    assert.ok(await requests(s, 'GET /finance--payout-specifications') >= reads + 3, 'the specification read again');
    assert.deepEqual(booked.map((v) => [v.invoice_id, v.text]),
      [[id, `Utbetalning Visma Amili ${payoutId} faktura ${(await s.show(id)).number}`]]);
    await s.waitRounds(2);
    assert.equal((await vouchers()).length, 1);
    assert.equal((await eventsOf(s, id, 'amili_payout')).length, 1);
    assert.equal(s.scalar(`select count(*) from agency_payout_lines where payout_id = '${payoutId}'`),
      String(res.body._specifications.length));
  });
});
