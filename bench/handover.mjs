/*
 * handover.mjs — the hand-over benchmark behind bench/handover.sh.
 * (The PDF uploads that follow the registrations are measured over
 * UPLOAD_S seconds only: the sandbox stores every file.)
 *
 * Two measurements in one run, on fresh databases:
 *  1. the sandbox's own registration capacity: wrk posting registrations
 *     (one debt each, the body Påminn sends, each a new invoice number;
 *     bench/handover-wrk.lua) straight to a fresh amili-sandbox over C
 *     keep-alive connections for DIRECT_S seconds (default 15);
 *  2. Påminn: N overdue invoices handed over in one request to paminn serve
 *     wired to another fresh amili-sandbox (--dispatch-concurrency C):
 *     the time to accept the request, and the time until every invoice is
 *     registered (the dispatch throughput), then until the PDF uploads are
 *     done too;
 *  3. the same as 2 with Påminn on PostgreSQL (BENCH_PG_DSN, a server that
 *     bench/handover.sh starts: scripts/pg-server.sh), side by side.
 * Prints a Markdown block.  N and C from the environment (default 10000, 8).
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startStack, sleep } from '../tests/amili/lib/stack.mjs';

const N = Number(process.env.N ?? 10000);
const C = Number(process.env.C ?? 8);
const SYNC = Number(process.env.SYNC ?? 30);
const DIRECT_S = Number(process.env.DIRECT_S ?? 15);
const UPLOAD_S = Number(process.env.UPLOAD_S ?? 20);
const HERE = path.dirname(fileURLToPath(import.meta.url));

/* The sandbox's own capacity: wrk (C, keep-alive) posting registrations
 * for DIRECT_S seconds with C connections, each a new invoice. */
async function sandboxCapacity() {
  const s = await startStack({ noAgency: true, now: '2025-06-16' });
  try {
    const acc = await s.agencyPost('/accounts', {
      name: 'Bench AB', organization_no: '556036-0793',
      initial_creditor_data: {
        is_active: true, standard_debt_description: 'Fakturor', default_letter_locale: 'sv',
        sender_address: { address_line_1: 'Storgatan 1', zip_code: '11122', city: 'Stockholm', country: 'SE' },
        invoice_address: { address_line_1: 'Storgatan 1', zip_code: '11122', city: 'Stockholm', country: 'SE' },
        payout_details: { sek: { bankgiro: '12312312' } },
      },
    });
    if (acc.status !== 201) throw new Error(JSON.stringify(acc.body));
    const out = execFileSync('wrk', ['-t', '2', '-c', String(C), '-d', `${DIRECT_S}s`, '--latency',
      '-s', path.join(HERE, 'handover-wrk.lua'), s.sb.base], {
      encoding: 'utf8',
      env: { ...process.env, BENCH_TOKEN: s.agencyToken, BENCH_ACCOUNT: acc.body._id, BENCH_CREDITOR: acc.body._creditors[0] },
    });
    const m = /WRK requests=(\d+) non2xx=(\d+) seconds=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+)/.exec(out);
    if (!m) throw new Error(`wrk said: ${out}`);
    const cases = (await s.counters()).cases;
    const secs = Number(m[3]);
    return { secs, requests: Number(m[1]), failed: Number(m[2]), cases, rate: cases / secs, p50: m[4], p99: m[5] };
  } finally {
    await s.stop();
  }
}

const PG = process.env.BENCH_PG_DSN ?? '';

/* pgDsn: '' for SQLite, else the PostgreSQL server. */
async function paminnDispatch(pgDsn) {
  const s = await startStack({ now: '2025-06-16', concurrency: C, sync: SYNC, lease: 30, pgDsn });
  try {
    await s.activate();
    const customer = await s.customer();
    const t0 = performance.now();
    const ids = await s.invoices(customer.id, N, 8);
    const createSecs = (performance.now() - t0) / 1000;
    const a0 = performance.now();
    const res = await s.handover(ids);
    const acceptMs = performance.now() - a0;
    if (res.status !== 202 || res.body.queued !== N) throw new Error(`handover: ${res.status}`);
    const d0 = performance.now();
    let registered = 0;
    while (registered < N) {
      await sleep(200);
      registered = Number(s.scalar("select count(*) from invoices where agency_state = 'registered'"));
    }
    const dispatchSecs = (performance.now() - d0) / 1000;
    const counters = await s.counters();
    /* The PDF uploads follow the registrations (the sandbox stores each
     * file): their rate over UPLOAD_S seconds. */
    const uploaded = () => Number(s.scalar("select count(*) from outbox where kind = 'upload_invoice' and state = 'done'"));
    const u0 = uploaded();
    const t1 = performance.now();
    await sleep(UPLOAD_S * 1000);
    const uploadRate = (uploaded() - u0) / ((performance.now() - t1) / 1000);
    return {
      createSecs, acceptMs, dispatchSecs, rate: N / dispatchSecs, uploadRate, cases: counters.cases,
      posts: counters.requests['POST /case--registrations'],
    };
  } finally {
    await s.stop();
  }
}

const cap = await sandboxCapacity();
const runs = [['SQLite', await paminnDispatch('')]];
if (PG) runs.push(['PostgreSQL', await paminnDispatch(PG)]);
const cells = (f) => runs.map(([, r]) => f(r)).join(' | ');
console.log(`### ${N} invoices, ${C} requests in flight\n`);
console.log(`| measurement | ${runs.map(([e]) => `Påminn on ${e}`).join(' | ')} |`);
console.log(`|---|${runs.map(() => '---:').join('|')}|`);
console.log(`| amili-sandbox capacity: wrk posting registrations directly, ${C} connections (keep-alive), ${cap.secs.toFixed(0)} s | ${runs.map((_, i) => (i ? '(the same measurement)' : `${cap.cases} cases = **${cap.rate.toFixed(0)} registrations/s** (p50 ${cap.p50} ms, p99 ${cap.p99} ms, ${cap.failed} non-2xx)`)).join(' | ')} |`);
console.log(`| accepting the hand-over request of ${N} invoices (HTTP 202) | ${cells((r) => `**${r.acceptMs.toFixed(0)} ms**`)} |`);
console.log(`| dispatch until all ${N} are registered | ${cells((r) => `${r.dispatchSecs.toFixed(1)} s = **${r.rate.toFixed(0)} registrations/s**`)} |`);
console.log(`| dispatch throughput / sandbox capacity (target ≥ 80 %) | ${cells((r) => `**${((r.rate / cap.rate) * 100).toFixed(0)} %**`)} |`);
console.log(`| invoice PDF uploads after the registrations (~90 kB each), over ${UPLOAD_S} s | ${cells((r) => `${r.uploadRate.toFixed(0)} uploads/s`)} |`);
console.log(`| cases at the agency / registration requests | ${cells((r) => `${r.cases} / ${r.posts}`)} |`);
console.log(`| (creating the ${N} invoices through the API beforehand, 8 in flight) | ${cells((r) => `${r.createSecs.toFixed(1)} s`)} |`);
console.log(`\nmachine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${new Date().toISOString().slice(0, 10)}; status sync every ${SYNC} s during the run`);
