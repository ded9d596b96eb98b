/*
 * read_standby.test.mjs — `paminn serve --db-read`: invoice lists read from
 * a streaming standby, with read-your-writes.
 *
 * Two private servers (scripts/pg-server.sh start / start-standby).  The
 * server takes writes on the primary and reads a list on the standby when
 * the standby has replayed the WAL up to the position the primary showed
 * at the start of the request; otherwise the primary answers.  Which server
 * ran the list is read from the standby's pg_stat_activity: each of its
 * backends keeps its last statement and when it started.
 *
 * - caught up: the list comes from the standby, with every invoice;
 * - replay paused on the standby, then an invoice made: the list that
 *   follows has the new invoice (the primary answered; the standby ran no
 *   list);
 * - replay resumed: the standby answers again;
 * - the standby stopped: lists still answer (from the primary), and the
 *   server keeps taking writes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { PSQL, isPg } from '../api/lib/db.mjs';
import { assertStatus, startStack, waitFor } from '../amili/lib/stack.mjs';

const PG_SERVER = path.resolve(import.meta.dirname, '../../scripts/pg-server.sh');
const pgServer = (...args) => execFileSync('bash', [PG_SERVER, ...args], { encoding: 'utf8' }).trim();

describe('lists from a standby (--db-read)', { skip: isPg ? false : 'needs PostgreSQL (PAMINN_TEST_DSN)' }, () => {
  let dir;
  let primary;
  let standby;
  let s;
  let standbyDb;
  let primaryDb;
  let limit = 100;

  const sql = (dsn, q) => execFileSync(PSQL, ['-X', '-q', '-A', '-t', '-d', dsn, '-c', q], { encoding: 'utf8' }).trim();
  /* The standby's clock and its list statements since then (known by how
   * they begin: pg_stat_activity keeps the first 1 024 bytes of a query). */
  const standbyNow = () => sql(standbyDb, 'SELECT clock_timestamp()');
  const listsOnStandbySince = (t) => Number(sql(standbyDb,
    `SELECT count(*) FROM pg_stat_activity WHERE datname = 'pm_read' AND pid <> pg_backend_pid()
       AND query LIKE 'SELECT i.company_id, i.id, i.number, i.customer_id,%' AND query_start >= '${t}'`));
  const caughtUp = () => sql(standbyDb, `SELECT pg_last_wal_replay_lsn() >= '${sql(primaryDb, 'SELECT pg_current_wal_insert_lsn()')}'`) === 't';
  /* A list the server has not cached: each asks for another page size. */
  async function list() {
    limit -= 1;
    const res = await s.client.get(`${s.api}/invoices?limit=${limit}`);
    assertStatus(res, 200);
    return res.body.items.map((i) => i.number);
  }

  /* A list once the standby has caught up, which the standby ran.  The
   * primary's WAL also moves without our writes (e.g. the snapshot of
   * running transactions it logs every 15 s), and a standby a record behind
   * is rightly passed over: then catch up and ask again, a bounded number
   * of times. */
  async function listOnStandby(what) {
    for (let tries = 0; tries < 20; tries++) {
      await waitFor(() => caughtUp(), 60000, `the standby to replay ${what}`);
      const t = standbyNow();
      const numbers = await list();
      if (listsOnStandbySince(t) >= 1) return numbers;
    }
    assert.fail(`the standby ran no list in 20 tries after replaying ${what}; the server said: ${s.logs.err.slice(-2000)}`);
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'paminn-standby-'));
    primary = path.join(dir, 'primary');
    standby = path.join(dir, 'standby');
    pgServer('start', primary);
    pgServer('start-standby', standby, primary);
    const port = (d) => pgServer('dsn', d).match(/:(\d+)\//)[1];
    execFileSync(PSQL, ['-X', '-q', '-d', pgServer('dsn', primary), '-c', 'CREATE DATABASE pm_read']);
    primaryDb = `postgresql://paminn@127.0.0.1:${port(primary)}/pm_read`;
    standbyDb = `postgresql://paminn@127.0.0.1:${port(standby)}/pm_read?connect_timeout=2`;
    /* Until the standby has replayed CREATE DATABASE, connecting to the
     * database there fails: not yet, rather than an error. */
    await waitFor(() => {
      try {
        return caughtUp();
      } catch (err) {
        if (/database "pm_read" does not exist/.test(String(err.stderr ?? err.message))) return false;
        throw err;
      }
    }, 60000, 'the standby to have the new database');
    s = await startStack({ db: primaryDb, noAgency: true, serveExtra: ['--db-read', standbyDb] });
  });
  after(async () => {
    await s?.stop();
    for (const d of [standby, primary]) {
      try { pgServer('stop', d); } catch { /* already gone */ }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a caught-up standby answers the list; a lagging one leaves it to the primary; a stopped one too', async () => {
    try {
      await standbyThenPrimary();
    } catch (err) {
      err.message += `\nthe server's log, last lines:\n${s.logs.err.split('\n').slice(-15).join('\n')}`;
      throw err;
    }
  });

  async function standbyThenPrimary() {
    const customer = await s.customer();
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await s.invoice(customer.id)).number);

    /* caught up: the standby answers */
    let numbers = await listOnStandby('the invoices');
    assert.deepEqual([...numbers].sort(), [...made].sort());

    /* the standby lags: the user's new invoice is in the list all the same */
    sql(standbyDb, 'SELECT pg_wal_replay_pause()');
    made.push((await s.invoice(customer.id)).number);
    let t = standbyNow();
    numbers = await list();
    assert.ok(numbers.includes(made[3]), `the invoice just made (${made[3]}) is in the list: ${numbers}`);
    assert.equal(listsOnStandbySince(t), 0, 'the lagging standby ran no list');

    /* replay resumed: the standby answers again */
    sql(standbyDb, 'SELECT pg_wal_replay_resume()');
    numbers = await listOnStandby('the paused WAL');
    assert.equal(numbers.length, 4);

    /* the standby stopped: the primary answers, and writes go on */
    pgServer('stop', standby);
    numbers = await list();
    assert.equal(numbers.length, 4);
    made.push((await s.invoice(customer.id)).number);
    numbers = await list();
    assert.ok(numbers.includes(made[4]));
    assert.match(s.logs.err, /the standby \(--db-read\)/, 'the server said it reads from the primary');
  }
});
