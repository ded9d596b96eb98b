/*
 * handover.test.mjs — two `paminn serve` processes on one PostgreSQL
 * database, each with its own outbox dispatcher, and one real amili-sandbox.
 *
 * 2 000 overdue invoices; each process is handed half of them, and at the
 * same moment each is handed the other half too (the duplicates a user's
 * double click or a retry on another server makes).  While registrations
 * are under way one process is killed with SIGKILL; the other finishes
 * everything, taking over the killed one's rows once their leases expire.
 * In the end every invoice is registered at the agency exactly once, and
 * Påminn shows every one of them as handed over with the agency's case.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { isPg } from '../api/lib/db.mjs';
import { BIN } from '../api/lib/server.mjs';
import { assertStatus, scaled, sleep, spawnListening, startStack, waitFor } from '../amili/lib/stack.mjs';

const N = scaled(2000);
const LEASE = 10;

describe('two servers on one PostgreSQL database', { skip: isPg ? false : 'needs PAMINN_TEST_DSN (PostgreSQL)' }, () => {
  let s;
  let a;
  let b;
  before(async () => {
    s = await startStack({ lease: LEASE, sync: 2, concurrency: 12 });
    await s.activate();
    /* s.app is server A; B runs beside it with the same arguments. */
    a = { app: s.app, client: s.client };
    const logs = { err: '' };
    const app = await spawnListening(BIN, s.serveArgs(), /^paminn: listening on http:\/\/127\.0\.0\.1:(\d+)$/,
      'second paminn serve', logs);
    s.base = app.base;
    b = { app, logs, client: await s.login() };
    s.base = a.app.base;
  });
  after(async () => {
    /* Whichever server still runs besides s.app is stopped hard. */
    for (const app of [a?.app, b?.app]) {
      if (app && app !== s?.app) app.child.kill('SIGKILL');
    }
    await s?.stop();
  });

  test(`${N} hand-overs split over two servers with duplicates; one killed: each registered once`, async (t) => {
    const customer = await s.customer();
    const ids = await s.invoices(customer.id, N, 12);
    const half = N / 2;
    const first = ids.slice(0, half);
    const second = ids.slice(half);
    /* Every registration takes a while, so that the kill lands mid-way. */
    await s.faults([{ method: 'POST', path_prefix: '/case--registrations', mode: 'latency', latency_ms: 40, count: 0 }]);

    const url = `${s.api}/amili/handovers`;
    /* 503 busy means "try again" (the request kept colliding with other
     * writers and was rolled back whole); a client does, as here. */
    let busy = 0;
    const send = async (client, ids) => {
      for (let i = 0; ; i++) {
        const res = await client.post(url, { invoice_ids: ids });
        if (res.status !== 503 || i === 20) return res;
        busy++;
        await sleep(100 + Math.random() * 200);
      }
    };
    const started = Date.now();
    const answers = await Promise.all([
      send(a.client, first),
      send(b.client, second),
      send(b.client, first),
      send(a.client, second),
    ]);
    /* Each invoice queued by exactly one request; the duplicates refused. */
    const queuedBy = new Map();
    const batches = [];
    for (const res of answers) {
      assert.ok(res.status === 202 || res.status === 409, `hand-over answered ${res.status} ${res.text.slice(0, 300)}`);
      if (res.status === 202) batches.push(res.body.batch_id);
      for (const r of res.body.results) {
        if (r.status !== 'queued') continue;
        assert.ok(!queuedBy.has(r.invoice_id), `invoice ${r.invoice_id} queued twice`);
        queuedBy.set(r.invoice_id, res.body.batch_id);
      }
    }
    assert.equal(queuedBy.size, N, `${queuedBy.size} of ${N} queued`);
    t.diagnostic(`4 requests: ${answers.map((r) => r.status).join(' ')}; ${batches.length} batches; ${busy} answers 503 busy (retried)`);

    /* Kill A while some are registered and many are not. */
    await waitFor(() => Number(s.scalar('select count(*) from agency_cases')) >= N / 5, 90000,
      'a fifth to be registered');
    a.app.child.kill('SIGKILL');
    const e = await a.app.exited;
    assert.equal(e.signal, 'SIGKILL');
    const killedAt = Date.now();
    const atKill = Number(s.scalar('select count(*) from agency_cases'));
    const leasedByOthers = Number(s.scalar("select count(*) from outbox where state = 'in_flight'"));
    assert.ok(atKill < N, 'the dispatch was already over when A was killed');
    s.app = b.app; /* the survivor is the one stop() ends */

    /* B finishes every batch, A's leased rows after their leases expire. */
    for (const id of batches) {
      try {
        await s.waitBatch(id, 180000, undefined, b.client);
      } catch (err) {
        err.message += `\nthe surviving server's log, last lines:\n${b.logs.err.split('\n').slice(-40).join('\n')}`;
        throw err;
      }
    }
    const done = Date.now();
    t.diagnostic(`killed A with ${atKill}/${N} registered and ${leasedByOthers} rows in flight; ` +
      `B finished ${((done - killedAt) / 1000).toFixed(1)} s later (lease ${LEASE} s), ` +
      `${((done - started) / 1000).toFixed(1)} s after the hand-over`);

    let registered = 0;
    for (const id of batches) {
      const res = await b.client.get(`${s.api}/amili/handovers/${id}`);
      assert.equal(res.body.failed, 0, `batch ${id}: ${JSON.stringify(res.body).slice(0, 300)}`);
      registered += res.body.registered;
    }
    assert.equal(registered, N);

    /* The agency: one case and one registration per invoice. */
    const counters = await s.counters();
    assert.equal(counters.cases, N, 'cases at the agency');
    const perInvoice = Object.values(counters.registrations_by_invoice);
    assert.equal(perInvoice.length, N, 'invoices registered at the agency');
    assert.ok(perInvoice.every((n) => n === 1),
      `registered more than once: ${Object.entries(counters.registrations_by_invoice).filter(([, n]) => n !== 1).slice(0, 5)}`);
    const agency = await s.agencyCases(); /* asserts one case per invoice number */
    assert.equal(agency.size, N);

    /* Påminn: every invoice handed over, with the agency's case, once. */
    const rows = s.rows(`select i.number, c.case_id,
        (select count(*) from history_events h where h.company_id = i.company_id and h.invoice_id = i.id and h.kind = 'amili_registered') as registered
      from invoices i join agency_cases c on c.company_id = i.company_id and c.invoice_id = i.id`);
    assert.equal(rows.length, N);
    for (const r of rows) {
      assert.equal(r.registered, 1, `invoice ${r.number}: ${r.registered} registered events`);
      assert.equal(agency.get(String(r.number))._id, r.case_id, `invoice ${r.number}: not the agency's case`);
    }
    const counts = await b.client.get(`${s.api}/invoices/counts`);
    assertStatus(counts, 200);
    assert.equal(counts.body.agency, N, `the agency filter counts ${JSON.stringify(counts.body)}`);
    assert.equal(s.scalar("select count(*) from outbox where kind = 'register' and state <> 'done'"), '0');
    assert.equal(s.scalar('select count(*) from agency_claims'), String(N));
  });
});
