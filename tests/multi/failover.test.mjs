/*
 * failover.test.mjs — `paminn serve` on a primary PostgreSQL server with a
 * synchronous streaming standby, through a multi-host DSN
 * (target_session_attrs=read-write), while it registers 2 000 hand-overs at
 * a real amili-sandbox.  Mid-way the primary is killed with SIGKILL and the
 * standby promoted (scripts/pg-server.sh kill / promote): the server keeps
 * running, makes its connections again to the new primary, and finishes.
 * With synchronous replication no acknowledged hand-over is lost (all 2 000
 * that the 202 answer queued are there and registered) and none is
 * registered twice at the agency.  The time from the promotion to the
 * server's next good answer is reported (docs/operations.md), not asserted
 * as a speed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { PSQL, isPg } from '../api/lib/db.mjs';
import { assertStatus, scaled, startStack, waitFor } from '../amili/lib/stack.mjs';

const N = scaled(2000);
const LEASE = 10;
const PG_SERVER = path.resolve(import.meta.dirname, '../../scripts/pg-server.sh');

const pgServer = (...args) => execFileSync('bash', [PG_SERVER, ...args], { encoding: 'utf8' }).trim();

describe('failover to a synchronous standby', { skip: isPg ? false : 'needs PostgreSQL (PAMINN_TEST_DSN)' }, () => {
  let dir;
  let primary;
  let standby;
  let s;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'paminn-failover-'));
    primary = path.join(dir, 'primary');
    standby = path.join(dir, 'standby');
    pgServer('start', primary);
    pgServer('start-standby', standby, primary, '--sync');
    const port = (d) => pgServer('dsn', d).match(/:(\d+)\//)[1];
    execFileSync(PSQL, ['-X', '-q', '-d', pgServer('dsn', primary), '-c', 'CREATE DATABASE pm_failover']);
    const hosts = `postgresql://paminn@127.0.0.1:${port(primary)},127.0.0.1:${port(standby)}/pm_failover`;
    /* paminn: whichever server takes writes.  The test's own reads are
     * read-only sessions, so they ask for the primary by its role. */
    s = await startStack({
      serveDb: `${hosts}?target_session_attrs=read-write&connect_timeout=2`,
      db: `${hosts}?target_session_attrs=primary&connect_timeout=2`,
      lease: LEASE, sync: 2, concurrency: 12,
    });
    await s.activate();
  });
  after(async () => {
    await s?.stop();
    for (const d of [standby, primary]) {
      try { pgServer('stop', d); } catch { /* already gone */ }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test(`${N} hand-overs; the primary killed and the standby promoted mid-way: each registered once`, async (t) => {
    const customer = await s.customer();
    const ids = await s.invoices(customer.id, N, 12);
    /* Every registration takes a while, so that the failover lands mid-way. */
    await s.faults([{ method: 'POST', path_prefix: '/case--registrations', mode: 'latency', latency_ms: 40, count: 0 }]);

    const res = await s.client.post(`${s.api}/amili/handovers`, { invoice_ids: ids });
    assertStatus(res, 202);
    const queued = res.body.results.filter((r) => r.status === 'queued').length;
    assert.equal(queued, N, 'every invoice acknowledged as queued');
    const batch = res.body.batch_id;

    await waitFor(() => Number(s.scalar('select count(*) from agency_cases')) >= N / 5, 120000,
      'a fifth to be registered');
    const atKill = Number(s.scalar('select count(*) from agency_cases'));
    pgServer('kill', primary);
    const killedAt = Date.now();
    assert.ok(atKill < N, 'the dispatch was already over when the primary was killed');
    /* the server is without a writable database until the promotion */
    const down = await s.client.get(`${s.api}/amili/handovers/${batch}`);
    assert.ok(down.status >= 500, `with no primary the server answers ${down.status}, not stale data`);
    pgServer('promote', standby);
    const promotedAt = Date.now();

    /* It answers again on the new primary, without a restart. */
    const back = await waitFor(async () => {
      const r = await s.client.get(`${s.api}/amili/handovers/${batch}`);
      return r.status === 200 ? r : null;
    }, 120000, 'the server to answer after the promotion');
    const answeredAt = Date.now();
    assert.equal(back.body.total, N, 'the acknowledged hand-over is on the new primary whole');
    assert.equal(s.app.child.exitCode, null, 'the server kept running');

    const done = await waitFor(async () => {
      const r = await s.client.get(`${s.api}/amili/handovers/${batch}`);
      return r.status === 200 && r.body.queued === 0 ? r.body : null;
    }, 300000, 'the batch to finish on the new primary');
    t.diagnostic(`primary killed with ${atKill}/${N} registered; promoted ${((promotedAt - killedAt) / 1000).toFixed(1)} s later; ` +
      `the server answered ${((answeredAt - promotedAt) / 1000).toFixed(1)} s after the promotion`);
    assert.equal(done.failed, 0, JSON.stringify(done).slice(0, 300));
    assert.equal(done.registered, N);

    const counters = await s.counters();
    assert.equal(counters.cases, N, 'cases at the agency');
    const perInvoice = Object.values(counters.registrations_by_invoice);
    assert.equal(perInvoice.length, N, 'invoices registered at the agency');
    assert.ok(perInvoice.every((n) => n === 1),
      `registered more than once: ${Object.entries(counters.registrations_by_invoice).filter(([, n]) => n !== 1).slice(0, 5)}`);
    const agency = await s.agencyCases();
    assert.equal(agency.size, N);
    const rows = s.rows(`select i.number, c.case_id,
        (select count(*) from history_events h where h.company_id = i.company_id and h.invoice_id = i.id and h.kind = 'amili_registered') as registered
      from invoices i join agency_cases c on c.company_id = i.company_id and c.invoice_id = i.id`);
    assert.equal(rows.length, N);
    for (const r of rows) {
      assert.equal(r.registered, 1, `invoice ${r.number}: ${r.registered} registered events`);
      assert.equal(agency.get(String(r.number))._id, r.case_id, `invoice ${r.number}: not the agency's case`);
    }
    assert.equal(s.scalar('select count(*) from agency_claims'), String(N));
  });
});
