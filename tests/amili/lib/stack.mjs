/*
 * stack.mjs — the fixture of the Amili hand-over tests: the real
 * amili-sandbox and the real `paminn serve` wired to it, each with a fresh
 * database in a temporary directory, on free loopback ports.
 *
 * - The sandbox: $AMILI_SANDBOX_BIN (tests/amili/run.sh sets it), started
 *   with --listen 127.0.0.1:0 and a fixed --now.
 * - The partner: an EC P-256 key made with node:crypto; its public half is
 *   registered with the sandbox (POST /_sandbox/partners), its private half
 *   written as PEM for `paminn serve --amili-key`.
 * - Påminn: a company with complete settings and an owner, made with the
 *   real command line; `paminn serve` with --amili-url, --amili-api-code,
 *   --amili-key, --secret-key, a short --sync-interval and --lease-seconds.
 *
 * stop() sends SIGTERM to both and asserts a graceful exit; kill9() kills
 * paminn hard (the crash test) and start() brings it back on the same
 * database.  Påminn's database is a SQLite file, or with PAMINN_TEST_DSN a
 * fresh PostgreSQL database (tests/api/lib/db.mjs); the sandbox keeps its
 * SQLite file.  No npm packages: Node's fetch, child_process and crypto, and
 * the sqlite3 / psql command lines for read-only looks into the databases.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

import * as db from '../../api/lib/db.mjs';
import {
  BIN, Client, DATA_DIR, PATIENCE_MS, REPO, assertStatus, co, deadline, setCookies, unwatchServerLog,
  waitFor, watchServerLog,
} from '../../api/lib/server.mjs';
import { nowS, signJwt } from '../../sandbox/helper.mjs';

export { PATIENCE_MS, assertStatus, co, waitFor };
export const SANDBOX_BIN = process.env.AMILI_SANDBOX_BIN
  ? path.resolve(process.env.AMILI_SANDBOX_BIN)
  : path.join(REPO, 'build', 'default', 'sandbox', 'amili-sandbox');

export const OWNER = { email: 'agnes@example.se', password: 'hemligt123' };
export const COMPANY = {
  name: 'Snickeri Ström AB', orgNo: '556036-0793', address: 'Verkstadsgatan 3', zip: '722 13',
  city: 'Västerås', bankgiro: '5050-1055',
};
export const TODAY = '2025-06-16';

/* The big suites' sizes times AMILI_TEST_SCALE (default 1): the sanitizer
 * build runs the same paths with fewer invoices (CMakeLists.txt). */
export const SCALE = Number(process.env.AMILI_TEST_SCALE ?? 1);
export const scaled = (n) => Math.max(10, Math.round(n * SCALE));

const children = new Set();
process.on('exit', () => {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
});

function cleanEnv() {
  const env = { ...process.env, TZ: 'UTC' };
  for (const k of Object.keys(env)) if (k.startsWith('PAMINN_') && k !== 'PAMINN_SQL_TRACE') delete env[k];
  return env;
}

/* Spawn a child and resolve with {child, exited, base} once it prints its
 * listening line (pattern with one capture group: the port). */
export async function spawnListening(bin, args, pattern, what, logs) {
  const child = spawn(bin, args, { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    logs.err += d;
    if (logs.err.length > 4_000_000) logs.err = logs.err.slice(-2_000_000);
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    children.delete(child);
    resolve({ code, signal });
  }));
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 60 s; stderr:\n${logs.err.slice(-3000)}`)), 60000);
    lines.on('line', (line) => {
      const m = pattern.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited ${JSON.stringify(e)} before listening; stderr:\n${logs.err.slice(-3000)}`));
    });
  });
  return { child, exited, base: `http://127.0.0.1:${port}` };
}

/* One call to the sandbox (control endpoints need no token). */
export async function sandboxCall(base, method, p, body) {
  const res = await fetch(base + p, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* text */ }
  return { status: res.status, body: parsed };
}

/* A pause between retries of a refused request (never a synchronisation). */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Poll step() — {done, progress} — until done is truthy (returned).  It
 * fails when progress has not changed for stallMs, or after MOVING_MAX_MS
 * in all (under CTest's timeout): work that is slow on a busy machine is
 * waited for, work that stopped is not. */
const MOVING_MAX_MS = 20 * 60000;
export async function waitWhileMoving(step, stallMs, what) {
  const start = Date.now();
  let moved = start;
  let last;
  for (;;) {
    const { done, progress } = await step();
    if (done) return done;
    const now = Date.now();
    if (progress !== last) {
      last = progress;
      moved = now;
    }
    if (now - moved > stallMs || now - start > MOVING_MAX_MS) {
      assert.fail(`no ${typeof what === 'function' ? what() : what}: nothing moved for ${now - moved} ms ` +
        `(${now - start} ms in all)`);
    }
    await sleep(100);
  }
}

export class Stack {
  constructor(opts = {}) {
    this.opts = { now: TODAY, lease: 30, sync: 1, concurrency: 8, ...opts };
    this.dir = mkdtempSync(path.join(tmpdir(), 'paminn-amili-'));
    /* opts.pgDsn: a PostgreSQL server for paminn ('' = SQLite); default
     * PAMINN_TEST_DSN.  opts.db: a database made by the caller, used as it
     * is and not dropped (a multi-host DSN, for the failover test), read by
     * the test through it; opts.serveDb: the DSN paminn is given instead. */
    this.db = opts.db ?? db.freshDb(this.dir, { pgDsn: opts.pgDsn ?? db.PG_DSN });
    this.serveDb = opts.serveDb ?? this.db;
    this.dropped = Boolean(opts.db);
    this.sbDb = path.join(this.dir, 'sandbox.db');
    this.keyFile = path.join(this.dir, 'partner.pem');
    this.secretFile = path.join(this.dir, 'secret.key');
    this.apiCode = `paminn-test-${randomBytes(3).toString('hex')}`;
    this.logs = { err: '' };
    watchServerLog(this.logs);
    this.sbLogs = { err: '' };
    this.app = null;
    this.sb = null;
  }

  cli(args) {
    return execFileSync(BIN, ['--db', this.serveDb, '--now', this.opts.now, ...args],
      { encoding: 'utf8', env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async init() {
    this.sb = await spawnListening(SANDBOX_BIN,
      ['--db', this.sbDb, '--listen', '127.0.0.1:0', '--data-dir', DATA_DIR, '--now', this.opts.now],
      /^amili-sandbox: listening on http:\/\/127\.0\.0\.1:(\d+)$/, 'amili-sandbox', this.sbLogs);
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.keys = keys;
    writeFileSync(this.keyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const reg = await sandboxCall(this.sb.base, 'POST', '/_sandbox/partners',
      { api_code: this.apiCode, public_key: keys.publicKey.export({ type: 'spki', format: 'pem' }) });
    assert.equal(reg.status, 201, `partner registration: ${JSON.stringify(reg.body)}`);
    this.cli(['migrate']);
    const out = this.cli(['company', 'add', '--name', COMPANY.name, '--org-no', COMPANY.orgNo,
      '--address', COMPANY.address, '--zip', COMPANY.zip, '--city', COMPANY.city, '--bankgiro', COMPANY.bankgiro]);
    this.companyId = Number(/company (\d+):/.exec(out)[1]);
    this.cli(['user', 'add', '--email', OWNER.email, '--password', OWNER.password, '--company', String(this.companyId)]);
    await this.start();
    return this;
  }

  serveArgs() {
    const o = this.opts;
    const args = ['--db', this.serveDb, '--now', o.now, '--data-dir', DATA_DIR, 'serve', '--listen', '127.0.0.1:0',
      '--secret-key', this.secretFile, '--sync-interval', String(o.sync), '--lease-seconds', String(o.lease),
      '--dispatch-concurrency', String(o.concurrency)];
    if (!o.noAgency) args.push('--amili-url', this.sb.base, '--amili-api-code', this.apiCode, '--amili-key', this.keyFile);
    if (o.serveExtra) args.push(...o.serveExtra);
    return args;
  }

  /* Start paminn serve: $PAMINN_BIN, or opts.bin (a benchmark comparing two builds). */
  async start() {
    this.app = await spawnListening(this.opts.bin ?? BIN, this.serveArgs(), /^paminn: listening on http:\/\/127\.0\.0\.1:(\d+)$/,
      'paminn serve', this.logs);
    this.base = this.app.base;
    this.client = await this.login();
    this.api = co(this.companyId);
  }

  async login(email = OWNER.email, password = OWNER.password) {
    const res = await new Client(this.base).post('/api/v1/session', { email, password });
    assertStatus(res, 200);
    const cookie = setCookies(res.headers).map((c) => c.split(';')[0].trim()).find((c) => c.startsWith('paminn_session='));
    return new Client(this.base, { cookie, csrf: res.body.csrf_token });
  }

  /* kill -9 paminn (the crash test). */
  async kill9() {
    this.app.child.kill('SIGKILL');
    const e = await this.app.exited;
    assert.equal(e.signal, 'SIGKILL');
  }

  async stopApp() {
    if (!this.app) return;
    this.app.child.kill('SIGTERM');
    const e = await Promise.race([this.app.exited, deadline(60000).then(() => null)]);
    if (!e) {
      this.app.child.kill('SIGKILL');
      assert.fail(`paminn did not stop within 60 s of SIGTERM; stderr:\n${this.logs.err.slice(-3000)}`);
    }
    assert.deepEqual(e, { code: 0, signal: null }, `paminn did not exit cleanly; stderr:\n${this.logs.err.slice(-3000)}`);
    this.app = null;
  }

  async stop() {
    try {
      await this.stopApp();
      if (this.sb) {
        this.sb.child.kill('SIGTERM');
        const e = await Promise.race([this.sb.exited, deadline(60000).then(() => null)]);
        assert.deepEqual(e, { code: 0, signal: null }, `amili-sandbox did not exit cleanly:\n${this.sbLogs.err.slice(-2000)}`);
      }
    } finally {
      this.cleanup();
    }
  }

  /* ---- Påminn, over its API ---- */

  async activate() {
    const show = await this.client.get(`${this.api}/amili`);
    assertStatus(show, 200);
    const res = await this.client.post(`${this.api}/amili/activation`, { accept_terms: true, terms_version: show.body.terms.version });
    assertStatus(res, 200);
    assert.equal(res.body.state, 'active');
    return res.body;
  }

  async customer(extra = {}) {
    const res = await this.client.post(`${this.api}/customers`, {
      name: 'Anna Andersson', is_company: false, id_number: '19811218-9876', address_line_1: 'Storgatan 1',
      zip_code: '722 15', city: 'Västerås', country: 'SE', email: 'anna@example.se', ...extra,
    });
    assertStatus(res, 201);
    return res.body;
  }

  async invoice(customerId, extra = {}) {
    const res = await this.client.post(`${this.api}/invoices`, {
      customer_id: customerId, invoice_date: '2025-04-01', due_date: '2025-05-01',
      lines: [{ description: 'Snickeriarbete', quantity_milli: 1000, unit_price_minor: 100000, vat_rate_bp: 2500, labour: false }],
      ...extra,
    });
    assertStatus(res, 201);
    return res.body;
  }

  /* n invoices for one customer, `parallel` requests at a time; their ids. */
  async invoices(customerId, n, parallel = 8) {
    const ids = new Array(n);
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        ids[i] = (await this.invoice(customerId)).id;
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return ids;
  }

  async handover(ids, opts) {
    return this.client.post(`${this.api}/amili/handovers`, { invoice_ids: ids }, opts);
  }

  async batch(batchId) {
    const res = await this.client.get(`${this.api}/amili/handovers/${batchId}`);
    assertStatus(res, 200);
    return res.body;
  }

  /* Until done(batch).  What is asserted is that the batch ends, not how
   * fast: on a busy machine it is waited for as long as it moves, and it
   * fails when ms pass without a hand-over moving on (longer than any
   * lease in the tests). */
  async waitBatch(batchId, ms = PATIENCE_MS, done = (b) => b.queued === 0, client = this.client) {
    let seen = null;
    return waitWhileMoving(async () => {
      const res = await client.get(`${this.api}/amili/handovers/${batchId}`);
      assertStatus(res, 200);
      seen = res.body;
      return { done: done(seen) ? seen : null, progress: `${seen.queued} ${seen.registered} ${seen.failed}` };
    }, ms, () => `end of batch ${batchId} (last seen: ${seen ? `${seen.queued} queued, ${seen.registered} registered, ` +
      `${seen.failed} failed of ${seen.total}` : 'nothing'})\n${this.stuck(batchId)}`);
  }

  /* Why a batch does not end, for a failure's message: its unfinished
   * outbox rows as stored (the time now beside them) and the end of
   * paminn's log. */
  stuck(batchId) {
    let rows;
    try {
      rows = this.rows(`select id, invoice_id, kind, state, attempts, next_attempt_at, lease_until, lease_owner, last_error
        from outbox where batch_id = ${Number(batchId)} and state <> 'done' order by id limit 20`);
    } catch (err) {
      rows = `(not readable: ${err.message})`;
    }
    return `now ${Math.floor(Date.now() / 1000)}; unfinished rows: ${JSON.stringify(rows)}\n` +
      `paminn's log, last lines:\n${this.logs.err.split('\n').slice(-40).join('\n')}`;
  }

  /* The agency's completed rounds as paminn's /healthz publishes them:
   * {dispatch_rounds, sync_rounds}. */
  async rounds() {
    const res = await fetch(`${this.base}/healthz`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.ok(body.agency, `/healthz without the agency's rounds: ${JSON.stringify(body)}`);
    return body.agency;
  }

  /* Wait until the dispatcher and the sync have each completed k more
   * rounds than when called: with k = 2 at least one whole round of each
   * began after the call, so a duplicate that was going to come has come.
   * The bound is generous and fails loudly; it is no timing assertion. */
  async waitRounds(k = 2) {
    const from = await this.rounds();
    let seen = from;
    return waitFor(async () => {
      seen = await this.rounds();
      return seen.sync_rounds >= from.sync_rounds + k && seen.dispatch_rounds >= from.dispatch_rounds + k ? seen : null;
    }, PATIENCE_MS + k * this.opts.sync * 1000,
    () => `${k} more agency rounds after ${JSON.stringify(from)} (last seen: ${JSON.stringify(seen)})`);
  }

  /* Wait until the outbox has nothing left to send (earlier work, such as
   * the PDF uploads after a big hand-over, done or given up). */
  async waitOutboxIdle(ms = PATIENCE_MS) {
    return waitFor(() => this.scalar("select count(*) from outbox where state in ('pending', 'in_flight')") === '0',
      ms, 'an idle outbox');
  }

  async history(invoiceId) {
    const res = await this.client.get(`${this.api}/invoices/${invoiceId}/history`);
    assertStatus(res, 200);
    return res.body.items;
  }

  async show(invoiceId) {
    const res = await this.client.get(`${this.api}/invoices/${invoiceId}`);
    assertStatus(res, 200);
    return res.body;
  }

  /* ---- the sandbox ---- */

  /* A GET of the agency's API as our partner (its own token, not paminn's). */
  async agencyGet(p) {
    if (!this.agencyToken) {
      const jwt = signJwt(this.keys.privateKey, { api_code: this.apiCode, exp: nowS() + 600 });
      const res = await fetch(`${this.sb.base}/authenticates/api-code`, { headers: { 'X-API-Key': jwt } });
      assert.equal(res.status, 200);
      this.agencyToken = (await res.json()).token;
    }
    const res = await fetch(this.sb.base + p, { headers: { 'X-API-Key': this.agencyToken } });
    return { status: res.status, body: await res.json() };
  }

  /* A POST to the agency's API as our partner. */
  async agencyPost(p, body) {
    await this.agencyGet('/accounts?max_results=1');
    const res = await fetch(this.sb.base + p, {
      method: 'POST', headers: { 'X-API-Key': this.agencyToken, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  /* Every case at the agency (our partner's), by invoice number. */
  async agencyCases() {
    const out = new Map();
    for (let page = 1; ; page++) {
      const res = await this.agencyGet(`/cases?max_results=100&page=${page}`);
      assert.equal(res.status, 200);
      for (const c of res.body._items) {
        assert.ok(!out.has(c.debt.invoice_number), `two cases for invoice ${c.debt.invoice_number}`);
        out.set(c.debt.invoice_number, c);
      }
      if (res.body._items.length < 100) return out;
    }
  }

  async counters() {
    const res = await sandboxCall(this.sb.base, 'GET', '/_sandbox/counters');
    assert.equal(res.status, 200);
    return res.body;
  }

  async faults(rules) {
    for (const rule of rules) {
      const res = await sandboxCall(this.sb.base, 'POST', '/_sandbox/faults', rule);
      assert.equal(res.status, 201, `fault ${JSON.stringify(rule)}: ${JSON.stringify(res.body)}`);
    }
  }

  async clearFaults() {
    const res = await sandboxCall(this.sb.base, 'DELETE', '/_sandbox/faults');
    assert.equal(res.status, 200);
  }

  async advance(days) {
    const res = await sandboxCall(this.sb.base, 'POST', '/_sandbox/clock', { advance_days: days });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  }

  /* Read-only SQL on paminn's database. */
  rows(query) {
    return db.rows(this.db, query);
  }

  scalar(query) {
    return db.query(this.db, query);
  }

  cleanup() {
    unwatchServerLog(this.logs);
    if (process.env.PAMINN_KEEP_TMP) return;
    rmSync(this.dir, { recursive: true, force: true });
    if (!this.dropped) {
      this.dropped = true;
      db.dropDb(this.db);
    }
  }
}

export async function startStack(opts) {
  const s = new Stack(opts);
  try {
    await s.init();
  } catch (err) {
    for (const p of [s.app, s.sb]) if (p) p.child.kill('SIGKILL');
    s.cleanup();
    throw err;
  }
  return s;
}
