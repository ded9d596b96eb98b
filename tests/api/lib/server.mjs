/*
 * server.mjs — the fixture every API test file shares: a fresh database made
 * with the real `paminn` command line, the real `paminn serve` started on a
 * free loopback port, HTTP clients that behave like a browser session (cookie +
 * CSRF token) or an integration (bearer token), and read-only looks into the
 * database to prove that a refused request changed nothing.
 *
 * The binary is $PAMINN_BIN (tests/api/run.sh sets it), else
 * build/default/paminn of this checkout.  The database is a SQLite file, or
 * with PAMINN_TEST_DSN a fresh PostgreSQL database per fixture (db.mjs).
 * No npm packages: Node 20's fetch, child_process and the installed
 * `sqlite3` / `psql` command lines.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import * as db from './db.mjs';

export { ENGINE, isPg } from './db.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = process.env.PAMINN_BIN
  ? path.resolve(process.env.PAMINN_BIN)
  : path.join(REPO, 'build', 'default', 'paminn');
export const DATA_DIR = path.join(REPO, 'data');

export const OWNER_EMAIL = 'anna@example.se';
export const OWNER_PASSWORD = 'hemligt123';
export const COMPANY_NAME = 'Testbolaget AB';
export const COMPANY_ORG_NO = '556036-0793';

/* Every child we start, so that none outlives the test process. */
const children = new Set();
function killAll() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    killAll();
    process.exit(128 + 2);
  });
}

/* The environment for a child: none of the caller's PAMINN_* settings leak in
 * (but the statement trace of tests/shape, which every child adds to). */
function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('PAMINN_') && k !== 'PAMINN_SQL_TRACE') delete env[k];
  return { ...env, TZ: 'UTC', ...extra };
}

/* Run the paminn command line; returns stdout (throws on a non-zero exit). */
export function paminn(args, { env } = {}) {
  return execFileSync(BIN, args, { encoding: 'utf8', env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/* The API prefix of one company. */
export const co = (cid) => `/api/v1/companies/${cid}`;

/* An upper bound for a wait that should end much sooner: a timer that does
 * not keep the process alive.  Never a synchronisation: what a test waits
 * for is a condition (waitFor) or an event; the bound only makes a hang
 * fail loudly. */
export const deadline = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/* Generous bound of waitFor in the HTTP suites: what they wait for happens
 * in well under a second on an idle machine, and may take a lease (30 s)
 * after a rolled-back round on a busy one. */
export const PATIENCE_MS = 120000;

/* Poll fn() until it returns a truthy value (returned); fail loudly, naming
 * what was awaited (what: text, or a function giving the text at that
 * moment, e.g. with the last state seen), once ms have passed. */
export async function waitFor(fn, ms, what) {
  const until = Date.now() + ms;
  for (;;) {
    const last = await fn();
    if (last) return last;
    if (Date.now() > until) assert.fail(`no ${typeof what === 'function' ? what() : what} within ${ms} ms`);
    /* a timer that keeps the process alive (deadline's does not): while
     * nothing else is pending, node would otherwise end the test as
     * "Promise resolution is still pending" */
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/* GET /healthz over one kept-alive connection of its own: a server that is
 * stopping accepts no new connection but still answers this one. */
export class HealthProbe {
  constructor(port) {
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.setEncoding('latin1');
    this.buffered = '';
    this.waiting = null;
    this.sock.on('data', (d) => {
      this.buffered += d;
      this.deliver();
    });
    this.sock.on('error', (err) => this.fail(err));
    this.sock.on('close', () => this.fail(new Error('the health probe\'s connection closed')));
    this.opened = new Promise((resolve, reject) => {
      this.sock.once('connect', resolve);
      this.sock.once('error', reject);
    });
  }

  fail(err) {
    const w = this.waiting;
    this.waiting = null;
    if (w) w.reject(err);
  }

  /* One whole answer in the buffer (head and Content-Length bytes of body). */
  deliver() {
    const end = this.buffered.indexOf('\r\n\r\n');
    if (!this.waiting || end < 0) return;
    const head = this.buffered.slice(0, end);
    const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffered.length < end + 4 + len) return;
    const body = this.buffered.slice(end + 4, end + 4 + len);
    this.buffered = this.buffered.slice(end + 4 + len);
    const w = this.waiting;
    this.waiting = null;
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]);
    w.resolve({ status, body: status === 200 ? JSON.parse(body) : body });
  }

  async get() {
    await this.opened;
    const answer = new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
    this.sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const res = await answer;
    assert.equal(res.status, 200, `/healthz: ${JSON.stringify(res)}`);
    return res.body;
  }

  close() {
    this.sock.removeAllListeners('close');
    this.sock.destroy();
  }
}

/* ---- HTTP clients ---- */

const STATE_CHANGING = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/*
 * One caller of the API.  auth: {cookie, csrf} for a browser session,
 * {bearer} for a token, or nothing.  Every call returns
 * {status, headers, text, body}: body is the parsed JSON when the answer is
 * JSON, else the text.
 *
 * Options per call: headers (extra), csrf (false = leave the X-CSRF-Token out,
 * a string = send that instead), raw (send body as is: a string or Buffer,
 * with headers['content-type'] as given — none unless set), idem (an
 * Idempotency-Key).
 */
export class Client {
  constructor(base, auth = {}) {
    this.base = base;
    this.cookie = auth.cookie ?? null;
    this.csrf = auth.csrf ?? null;
    this.bearer = auth.bearer ?? null;
    this.session = auth.session ?? null; /* the login answer's body */
  }

  async request(method, p, body, opts = {}) {
    const headers = { ...(opts.headers ?? {}) };
    const lower = Object.fromEntries(Object.keys(headers).map((k) => [k.toLowerCase(), k]));
    if (this.cookie && !('cookie' in lower)) headers.Cookie = this.cookie;
    if (this.bearer && !('authorization' in lower)) headers.Authorization = `Bearer ${this.bearer}`;
    if (STATE_CHANGING.has(method) && this.cookie && opts.csrf !== false && !('x-csrf-token' in lower)) {
      const token = typeof opts.csrf === 'string' ? opts.csrf : this.csrf;
      if (token) headers['X-CSRF-Token'] = token;
    }
    if (opts.idem) headers['Idempotency-Key'] = opts.idem;
    let payload;
    if (opts.raw !== undefined) {
      payload = opts.raw;
    } else if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!('content-type' in lower)) headers['Content-Type'] = 'application/json';
    }
    const res = await fetch(this.base + p, { method, headers, body: payload, redirect: 'manual' });
    const text = await res.text();
    let parsed = text;
    const ct = res.headers.get('content-type') ?? '';
    if (ct.includes('json') && text.length) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  get(p, opts) {
    return this.request('GET', p, undefined, opts);
  }
  post(p, body, opts) {
    return this.request('POST', p, body, opts);
  }
  patch(p, body, opts) {
    return this.request('PATCH', p, body, opts);
  }
  put(p, body, opts) {
    return this.request('PUT', p, body, opts);
  }
  del(p, opts) {
    return this.request('DELETE', p, undefined, opts);
  }
}

/* The Set-Cookie header values of a fetch answer. */
export function setCookies(headers) {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const one = headers.get('set-cookie');
  return one ? [one] : [];
}

/* Assert an error answer: status, code and (when given) field. */
export function assertError(res, status, code, field) {
  const what = `${res.status} ${res.text.slice(0, 300)}`;
  assert.equal(res.status, status, `expected HTTP ${status}, got ${what}`);
  assert.equal(typeof res.body, 'object', `error body is not JSON: ${what}`);
  assert.ok(res.body && res.body.error, `no "error" object: ${what}`);
  if (code !== undefined) assert.equal(res.body.error.code, code, `error code: ${what}`);
  assert.equal(typeof res.body.error.message, 'string', `error message missing: ${what}`);
  assert.ok(res.body.error.message.length > 0, `empty error message: ${what}`);
  if (field !== undefined) assert.equal(res.body.error.field, field, `error field: ${what}`);
}

/* The servers this process started: an unexpected 5xx names what their
 * logs said of their last failed requests (the store's message is in the
 * log, never in the answer). */
const servers = new Set();

/* A server started elsewhere (tests/amili/lib/stack.mjs): holder.err is
 * its stderr so far. */
export function watchServerLog(holder) { servers.add(holder); }
export function unwatchServerLog(holder) { servers.delete(holder); }

function serverSaid(res) {
  if (res.status < 500) return '';
  const lines = [];
  for (const fx of servers) {
    lines.push(...fx.err.split('\n').filter((l) => /"status":5\d\d/.test(l) || (l && !l.startsWith('{'))).slice(-6));
  }
  return lines.length ? `\nthe server's log:\n${lines.join('\n')}` : '';
}

/* Assert a success answer, with the body in the message when it is not. */
export function assertStatus(res, status) {
  if (res.status !== status) {
    assert.equal(res.status, status, `expected HTTP ${status}, got ${res.status} ${res.text.slice(0, 400)}${serverSaid(res)}`);
  }
}

/* ---- the fixture ---- */

/*
 * Start a fresh Påminn: temp dir, database migrated, company "Testbolaget AB"
 * with its owner anna@example.se / hemligt123, then `paminn serve` on a free
 * port.  Options:
 *   now        --now TIME for the server (and the set-up commands)
 *   serveArgs  extra arguments after `serve`
 *   setup      async (fx) => {...} run on the database before the server starts
 *   args       (fx) => [...]: the whole argument list of the server instead
 *   env        extra environment for the server
 *   envFor     (fx) => ({...}): more environment, computed from the fixture
 * Returns the fixture: {dir, db, base, companyId, userId, child, stdout(),
 * stderr(), cli(), addCompany(), addUser(), login(), anon(), bearer(),
 * count(), counts(), sql(), stop(), kill()}.
 */
export async function startServer(opts = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'paminn-api-'));
  let fx;
  try {
    fx = new Fixture(dir, db.freshDb(dir), opts);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  try {
    fx.cli(['migrate']);
    fx.companyId = fx.addCompany(COMPANY_NAME, COMPANY_ORG_NO);
    fx.userId = fx.addUser(OWNER_EMAIL, OWNER_PASSWORD, fx.companyId);
    if (opts.setup) await opts.setup(fx);
    await fx.start();
  } catch (err) {
    fx.kill();
    throw err;
  }
  return fx;
}

class Fixture {
  constructor(dir, db, opts) {
    this.dir = dir;
    this.db = db;
    this.opts = opts;
    this.child = null;
    this.out = '';
    this.err = '';
    this.exit = null;
    servers.add(this);
  }

  globalArgs() {
    const a = ['--db', this.db];
    if (this.opts.now) a.push('--now', this.opts.now);
    return a;
  }

  cli(args) {
    return paminn([...this.globalArgs(), ...args]);
  }

  /* company add through the CLI; returns the new id. */
  addCompany(name, orgNo) {
    const out = this.cli(['company', 'add', '--name', name, '--org-no', orgNo]);
    const m = /company (\d+):/.exec(out);
    assert.ok(m, `company add printed no id: ${out}`);
    return Number(m[1]);
  }

  /* user add through the CLI; returns the new user's id. */
  addUser(email, password, companyId, role) {
    const args = ['user', 'add', '--email', email, '--password', password, '--company', String(companyId)];
    if (role) args.push('--role', role);
    const out = this.cli(args);
    const m = /user (\d+):/.exec(out);
    assert.ok(m, `user add printed no id: ${out}`);
    return Number(m[1]);
  }

  async start() {
    const args = this.opts.args
      ? this.opts.args(this)
      : [...this.globalArgs(), '--data-dir', DATA_DIR, 'serve', '--listen', '127.0.0.1:0', ...(this.opts.serveArgs ?? [])];
    const env = cleanEnv({ ...(this.opts.env ?? {}), ...(this.opts.envFor ? this.opts.envFor(this) : {}) });
    const child = spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    children.add(child);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => {
      this.err += d;
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        children.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    const lines = createInterface({ input: child.stdout });
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not report listening within 60 s; stderr:\n${this.err}`)), 60000);
      lines.on('line', (line) => {
        this.out += line + '\n';
        const m = /^paminn: listening on http:\/\/(127\.0\.0\.1|\[::1\]):(\d+)$/.exec(line);
        if (m) {
          clearTimeout(timer);
          this.host = m[1];
          resolve(Number(m[2]));
        }
      });
      this.exited.then((e) => {
        clearTimeout(timer);
        reject(new Error(`server exited (${JSON.stringify(e)}) before listening; stderr:\n${this.err}`));
      });
    });
    this.port = port;
    this.base = `http://${this.host}:${port}`;
  }

  stdout() {
    return this.out;
  }
  stderr() {
    return this.err;
  }

  anon() {
    return new Client(this.base);
  }

  bearer(token) {
    return new Client(this.base, { bearer: token });
  }

  /* Log in; returns a Client keeping the cookie and CSRF token (with
   * .login = the raw answer).  Throws unless the login answers 200. */
  async login(email = OWNER_EMAIL, password = OWNER_PASSWORD, headers = {}) {
    const res = await this.anon().post('/api/v1/session', { email, password }, { headers });
    assertStatus(res, 200);
    const cookie = setCookies(res.headers)
      .map((c) => c.split(';')[0].trim())
      .find((c) => c.startsWith('paminn_session='));
    assert.ok(cookie, `no paminn_session cookie in ${JSON.stringify(setCookies(res.headers))}`);
    const client = new Client(this.base, { cookie, csrf: res.body.csrf_token, session: res.body });
    client.login = res;
    return client;
  }

  /* Run SQL read-only on the database; returns the output text ("|"
   * between columns, one row a line). */
  sql(query) {
    return db.query(this.db, query);
  }

  /* Rows as objects. */
  rows(query) {
    return db.rows(this.db, query);
  }

  /* Run SQL that writes (throws on failure); tryExec: {status, stderr}. */
  exec(query) {
    return db.exec(this.db, query);
  }
  tryExec(query) {
    return db.tryExec(this.db, query);
  }

  count(table, where = '') {
    return Number(this.sql(`select count(*) from ${table}${where ? ' where ' + where : ''}`));
  }

  /* Row counts of every table a request could write to (sessions aside). */
  counts() {
    const tables = ['companies', 'users', 'memberships', 'api_tokens', 'customers', 'invoices', 'invoice_lines',
      'invoice_buyers', 'payments', 'history_events'];
    const values = this.sql(`select ${tables.map((t) => `(select count(*) from ${t})`).join(', ')}`).split('|');
    return Object.fromEntries(tables.map((t, i) => [t, Number(values[i])]));
  }

  /* SIGTERM, wait for the exit, and assert it was graceful (exit code 0).
   * Removes the temp directory afterwards (unless PAMINN_KEEP_TMP is set). */
  async stop() {
    if (!this.child) return null;
    if (!this.exit) this.child.kill('SIGTERM');
    let exit = await Promise.race([this.exited, deadline(60000).then(() => null)]);
    if (!exit) {
      this.child.kill('SIGKILL');
      await this.exited;
      this.cleanup();
      assert.fail(`server did not exit within 60 s of SIGTERM; stderr tail:\n${this.err.slice(-2000)}`);
    }
    this.cleanup();
    assert.deepEqual(exit, { code: 0, signal: null },
      `server did not shut down gracefully: ${JSON.stringify(exit)}; stderr tail:\n${this.err.slice(-2000)}`);
    return exit;
  }

  /* Hard stop, for failures. */
  kill() {
    if (this.child && !this.exit) this.child.kill('SIGKILL');
    this.cleanup();
  }

  cleanup() {
    servers.delete(this);
    if (process.env.PAMINN_KEEP_TMP) return;
    rmSync(this.dir, { recursive: true, force: true });
    if (!this.dropped) {
      this.dropped = true;
      db.dropDb(this.db);
    }
  }

  /* Write a file into the fixture's temp directory; returns its path. */
  file(name, content) {
    const p = path.join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }
}

/* ---- small builders used by several files ---- */

/* A customer body; override fields as needed. */
export function customerBody(extra = {}) {
  return {
    name: 'Kund Kundsson',
    is_company: false,
    address_line_1: 'Storgatan 1',
    zip_code: '722 15',
    city: 'Västerås',
    country: 'SE',
    email: 'kund@example.se',
    ...extra,
  };
}

/* One standard invoice line: qty 1, price in öre, 25 % VAT. */
export function line(unitPriceMinor, extra = {}) {
  return { description: 'Arbete', quantity_milli: 1000, unit_price_minor: unitPriceMinor, vat_rate_bp: 2500, labour: false, ...extra };
}

export function invoiceBody(customerId, extra = {}) {
  return {
    customer_id: customerId,
    invoice_date: '2025-05-01',
    due_date: '2025-05-31',
    lines: [line(100000)],
    ...extra,
  };
}

/* Create through the API and return the created object (asserting 201). */
export async function createCustomer(client, cid, extra = {}) {
  const res = await client.post(`${co(cid)}/customers`, customerBody(extra));
  assertStatus(res, 201);
  return res.body;
}

export async function createInvoice(client, cid, customerId, extra = {}) {
  const res = await client.post(`${co(cid)}/invoices`, invoiceBody(customerId, extra));
  assertStatus(res, 201);
  return res.body;
}
