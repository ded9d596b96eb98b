/*
 * handover-accept.mjs — the time Påminn takes to accept one hand-over
 * request of N invoices (HTTP 202), two builds side by side in one run,
 * on SQLite and on PostgreSQL.  Behind bench/handover-accept.sh.
 *
 * Per engine one stack (tests/amili/lib/stack.mjs): the company activated
 * at a real amili-sandbox, N overdue invoices created through the API,
 * then the sandbox stopped, so that no dispatch runs beside the
 * measurements (accepting a request does not call the agency: it checks
 * and claims).  Then ROUNDS times, for each build in turn: paminn serve of
 * that build started on the database, the N invoices handed over in one
 * request (timed), the server stopped, and the hand-over undone in SQL
 * (claims, outbox rows, batches, the "queued" history events and the
 * invoices' agency state) so that every measurement meets the same rows.
 *
 * On PostgreSQL the undo is followed by VACUUM ANALYZE: without it each
 * measurement met the previous ones' dead row versions and index entries
 * (10 000 more in each of the tables' indexes a round) and autovacuum
 * could start in the middle of one.
 *
 * Environment: N (10000), ROUNDS (3), PAMINN_BIN_BEFORE and PAMINN_BIN
 * (the two builds; without PAMINN_BIN_BEFORE, PAMINN_BIN alone),
 * BENCH_PG_DSN ('' = SQLite only).  Prints a Markdown block: min and
 * median per build and engine, and the ratio.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';

import * as db from '../tests/api/lib/db.mjs';
import { startStack } from '../tests/amili/lib/stack.mjs';

const N = Number(process.env.N ?? 10000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/* Without PAMINN_BIN_BEFORE, one build: ROUNDS measurements of it. */
const BUILDS = process.env.PAMINN_BIN_BEFORE
  ? [['before', process.env.PAMINN_BIN_BEFORE], ['after', process.env.PAMINN_BIN]]
  : [['after', process.env.PAMINN_BIN]];
const PG = process.env.BENCH_PG_DSN ?? '';

const UNDO = `DELETE FROM history_events WHERE kind = 'amili_queued';
DELETE FROM outbox; DELETE FROM agency_claims; DELETE FROM handover_batches;
UPDATE invoices SET agency_state = '', agency_status = '';`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function engine(pgDsn) {
  const s = await startStack({ now: '2025-06-16', pgDsn, bin: BUILDS[BUILDS.length - 1][1] });
  const ms = Object.fromEntries(BUILDS.map(([name]) => [name, []]));
  try {
    await s.activate();
    const customer = await s.customer();
    const ids = await s.invoices(customer.id, N, 8);
    s.sb.child.kill('SIGTERM');
    await s.sb.exited;
    s.sb = { base: s.sb.base }; /* the address paminn serve is still given */
    if (db.onPg(s.db)) db.exec(s.db, 'VACUUM ANALYZE');
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, bin] of BUILDS) {
        await s.stopApp();
        s.opts.bin = path.resolve(bin);
        await s.start();
        const t0 = performance.now();
        const res = await s.handover(ids);
        ms[name].push(performance.now() - t0);
        if (res.status !== 202 || res.body.queued !== N) throw new Error(`${name}: hand-over answered ${res.status}`);
        await s.stopApp();
        db.exec(s.db, UNDO);
        if (db.onPg(s.db)) db.exec(s.db, 'VACUUM ANALYZE');
        await s.start();
      }
    }
  } finally {
    if (!s.sb?.child) s.sb = null;
    await s.stop();
  }
  return ms;
}

const results = [['SQLite', await engine('')]];
if (PG) results.push(['PostgreSQL', await engine(PG)]);
const mm = (xs) => `${Math.min(...xs).toFixed(0)} / ${median(xs).toFixed(0)} ms`;
if (BUILDS.length === 1) {
  console.log(`### Accepting a hand-over of ${N} invoices (${ROUNDS} measurements)\n`);
  console.log('| engine | min / median | each |');
  console.log('|---|---:|---|');
  for (const [name, ms] of results) console.log(`| ${name} | **${mm(ms.after)}** | ${ms.after.map((x) => x.toFixed(0)).join(', ')} |`);
} else {
  console.log(`### Accepting a hand-over of ${N} invoices, two builds side by side (${ROUNDS} rounds, alternating)\n`);
  console.log('| engine | before: min / median | after: min / median | after / before (medians) |');
  console.log('|---|---:|---:|---:|');
  for (const [name, ms] of results) {
    const b = ms.before, a = ms.after;
    console.log(`| ${name} | ${mm(b)} | **${mm(a)}** | ${(median(a) / median(b)).toFixed(2)} |`);
  }
}
console.log(`\nmachine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z, load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
