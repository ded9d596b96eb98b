/*
 * pg_backends.test.mjs — `paminn serve` on PostgreSQL when the server ends
 * its connections (pg_terminate_backend, as an administrator or a
 * failover would): between requests, every connection of the pool is made
 * again and the next requests simply work; in the middle of a request (its
 * write held on a lock that a second session keeps), the request fails as
 * a whole — nothing of it is written — and the same request sent again
 * succeeds.  PostgreSQL only: SQLite has no server to end a connection.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { PSQL } from './lib/db.mjs';
import {
  PATIENCE_MS, assertStatus, co, createCustomer, customerBody, isPg, startServer, waitFor,
} from './lib/server.mjs';

const LOCKER = 'paminn-test-locker';

describe('PostgreSQL connections ended under the server', { skip: !isPg && 'PostgreSQL only' }, () => {
  let fx;
  let anna;
  let C;
  before(async () => {
    fx = await startServer();
    anna = await fx.login();
    C = co(fx.companyId);
  });
  after(async () => {
    await fx?.stop();
  });

  /* The pids of the server's sessions on its database (not this query's,
   * not the locker's). */
  const serverPids = () => fx.sql(`select coalesce(string_agg(pid::text, ','), '') from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and application_name <> '${LOCKER}'`)
    .split(',').filter(Boolean);

  const terminate = async (pids) => {
    fx.exec(`select pg_terminate_backend(pid) from pg_stat_activity where pid in (${pids.join(',')})`);
    await waitFor(() => fx.sql(`select count(*) from pg_stat_activity where pid in (${pids.join(',')})`) === '0',
      PATIENCE_MS, `backends ${pids} gone`);
  };

  test('every connection ended between requests: the next requests work', async () => {
    const first = await createCustomer(anna, fx.companyId, { name: 'Före AB' });
    const pids = serverPids();
    assert.ok(pids.length > 0, 'the server holds connections');
    await terminate(pids);
    /* More requests than the pool has connections, so each is used. */
    for (let i = 0; i < 2 * pids.length + 4; i++) {
      const res = await anna.get(`${C}/customers/${first.id}`);
      assertStatus(res, 200);
      assert.equal(res.body.name, 'Före AB');
    }
    const after = await createCustomer(anna, fx.companyId, { name: 'Efter AB' });
    assert.ok(after.id > first.id);
    assert.equal(fx.count('customers'), 2);
    assert.ok(serverPids().every((p) => !pids.includes(p)), 'new connections');
    const health = await fetch(`${fx.base}/healthz`);
    assert.equal(health.status, 200);
  });

  test('a connection ended in the middle of a write: nothing of it is written, sent again it succeeds', async () => {
    const before = fx.counts();
    /* A second session locks the customers table, so the write waits
     * inside its transaction. */
    const locker = spawn(PSQL, ['-X', '-q', '-d', fx.db, '-c',
      'BEGIN; LOCK TABLE customers IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)'],
    { env: { ...process.env, PGAPPNAME: LOCKER }, stdio: 'ignore' });
    const lockerGone = new Promise((resolve) => locker.on('exit', resolve));
    try {
      await waitFor(() => fx.sql(`select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where a.application_name = '${LOCKER}' and l.granted and l.mode = 'AccessExclusiveLock'`) !== '0',
      PATIENCE_MS, 'the lock on customers');
      const pending = anna.post(`${C}/customers`, customerBody({ name: 'Mitt i AB' }));
      const waiting = await waitFor(() => fx.sql(`select coalesce(string_agg(pid::text, ','), '') from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and application_name <> '${LOCKER}'`) || null,
      PATIENCE_MS, 'the request waiting for the lock');
      await terminate(waiting.split(','));
      const res = await pending;
      assert.equal(res.status, 500, `the cut request: ${res.status} ${res.text?.slice(0, 300)}`);
      assert.equal(res.body.error.code, 'internal_error');
    } finally {
      fx.exec(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = '${LOCKER}'`);
      await lockerGone;
    }
    assert.deepEqual(fx.counts(), before);
    assert.equal(fx.count('customers', "name = 'Mitt i AB'"), 0);
    const again = await anna.post(`${C}/customers`, customerBody({ name: 'Mitt i AB' }));
    assertStatus(again, 201);
    assert.equal(fx.count('customers', "name = 'Mitt i AB'"), 1);
  });
});
