/*
 * soak.mjs — the soak behind bench/soak.sh: one `paminn serve` (SQLite, a
 * temporary directory, the demo company with SOAK_INVOICES invoices) wired
 * to amili-sandbox, which injects faults into a share of the agency calls,
 * under SOAK_MINUTES of mixed load from SOAK_CLIENTS concurrent clients:
 * list reads (a repeated page: the answer cache; other filters, sorts and
 * pages: misses), counts, invoice pages and histories, manual payments,
 * hand-overs of small batches, logins and logouts, failed logins, BgMax
 * imports written by the tests' generator (tests/lib/bgmax.mjs), and the
 * web UI's static files.
 *
 * Sampled per minute: requests, answers by status, p99 latency and the
 * server's RSS (VmRSS of /proc/<pid>/status).  At the end, with the faults
 * cleared and every hand-over settled, it checks: no 5xx, no request lost
 * on the wire, every invoice handed over registered once (the product's
 * batches, the sandbox's case list and its counters agree, no duplicate),
 * and the RSS slope from minute 5 on.  Prints a Markdown block; exits 1 when
 * a check fails.
 *
 * Node 20 only: fetch, child_process, crypto; the sandbox and the servers
 * are started with the tests' fixtures.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';

import { generateBgmax, luhnCheckDigit } from '../tests/lib/bgmax.mjs';
import { Client, DATA_DIR, REPO, co, setCookies } from '../tests/api/lib/server.mjs';
import { SANDBOX_BIN, sandboxCall, sleep, spawnListening } from '../tests/amili/lib/stack.mjs';
import { nowS, signJwt } from '../tests/sandbox/helper.mjs';

const BIN = process.env.PAMINN_BIN ?? path.join(REPO, 'build', 'default', 'paminn');
const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 4);
const INVOICES = Number(process.env.SOAK_INVOICES ?? 20000);
const THINK_MS = Number(process.env.SOAK_THINK_MS ?? 40); /* pause after each operation */
const FAULTS = Number(process.env.SOAK_FAULTS ?? 0.1); /* share of agency calls that fail */
const SLOPE_MAX = Number(process.env.SOAK_RSS_SLOPE_MAX ?? 0.2); /* MiB per minute */
const EMAIL = 'demo@example.se';
const PASSWORD = `soak-${randomBytes(6).toString('hex')}`;
const BANKGIRO = '50501055'; /* the demo company's */
const VICTIM = 'kassa@example.se'; /* the failed logins' known address */

/* Transient faults only (5xx, 429, timeouts, dropped connections, answers
 * lost after commit): every hand-over must still end registered. */
const FAULT_RULES = [
  { method: 'POST', path_prefix: '/case--registrations', mode: 'status', status: 503, share: 0.3 },
  { method: 'POST', path_prefix: '/case--registrations', mode: 'status', status: 429, retry_after: 1, share: 0.15 },
  { method: 'POST', path_prefix: '/case--registrations', mode: 'status', status: 500, share: 0.15 },
  { method: 'POST', path_prefix: '/case--registrations', mode: 'drop', share: 0.15 },
  { method: 'POST', path_prefix: '/case--registrations', mode: 'lost_after_commit', share: 0.2 },
  { method: 'POST', path_prefix: '/case--registrations', mode: 'timeout', share: 0.05 },
  { method: 'POST', path_prefix: '/media--upload', mode: 'status', status: 502, share: 0.6 },
  { method: 'POST', path_prefix: '/media--upload', mode: 'drop', share: 0.4 },
  { method: 'GET', path_prefix: '/cases', mode: 'status', status: 503, share: 1 },
  { method: '*', path_prefix: '/', mode: 'status', status: 502, share: 0.2 },
];

/* ---- the stack ---- */

const logs = { err: '' };
const sbLogs = { err: '' };

async function startSandbox(dir) {
  const sb = await spawnListening(SANDBOX_BIN,
    ['--db', path.join(dir, 'sandbox.db'), '--listen', '127.0.0.1:0', '--data-dir', DATA_DIR],
    /^amili-sandbox: listening on http:\/\/127\.0\.0\.1:(\d+)$/, 'amili-sandbox', sbLogs);
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const apiCode = `paminn-soak-${randomBytes(3).toString('hex')}`;
  const keyFile = path.join(dir, 'partner.pem');
  writeFileSync(keyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const reg = await sandboxCall(sb.base, 'POST', '/_sandbox/partners',
    { api_code: apiCode, public_key: keys.publicKey.export({ type: 'spki', format: 'pem' }) });
  if (reg.status !== 201) throw new Error(`partner registration: ${JSON.stringify(reg.body)}`);
  return { ...sb, keys, apiCode, keyFile };
}

async function startPaminn(dir, sb) {
  const db = path.join(dir, 'paminn.db');
  const t0 = performance.now();
  execFileSync(BIN, ['--db', db, 'demo-data', '--invoices', String(INVOICES), '--password', PASSWORD],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, TZ: 'UTC' } });
  const demoSecs = (performance.now() - t0) / 1000;
  /* a second user, whose wrong passwords lock only that address */
  const pwFile = path.join(dir, 'victim.pw');
  writeFileSync(pwFile, `${PASSWORD}-2\n`, { mode: 0o600 });
  execFileSync(BIN, ['--db', db, 'user', 'add', '--email', VICTIM, '--password-file', pwFile, '--company', '1'],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  const app = await spawnListening(BIN, ['--db', db, '--data-dir', DATA_DIR, 'serve', '--listen', '127.0.0.1:0',
    '--web-dir', path.join(REPO, 'web'), '--secret-key', path.join(dir, 'secret.key'),
    '--amili-url', sb.base, '--amili-api-code', sb.apiCode, '--amili-key', sb.keyFile,
    '--sync-interval', '10', '--lease-seconds', '30'],
  /^paminn: listening on http:\/\/127\.0\.0\.1:(\d+)$/, 'paminn serve', logs);
  return { ...app, db, demoSecs };
}

/* A browser-like session of the demo user (null when refused). */
async function login(base, xff) {
  const res = await new Client(base).post('/api/v1/session', { email: EMAIL, password: PASSWORD },
    { headers: { 'X-Forwarded-For': xff } });
  if (res.status !== 200) return { res, client: null };
  const cookie = setCookies(res.headers).map((c) => c.split(';')[0].trim()).find((c) => c.startsWith('paminn_session='));
  return { res, client: new Client(base, { cookie, csrf: res.body.csrf_token, session: res.body }) };
}

/* Log in, activate Amili and make a token: the clients' credentials. */
async function prepare(base) {
  const { res, client } = await login(base, '10.0.0.1');
  if (!client) throw new Error(`login: ${res.status} ${res.text}`);
  const cid = res.body.companies[0].id;
  const api = co(cid);
  const show = await client.get(`${api}/amili`);
  const act = await client.post(`${api}/amili/activation`, { accept_terms: true, terms_version: show.body.terms?.version });
  if (act.status !== 200) throw new Error(`activation: ${act.status} ${act.text}`);
  const tok = await client.post(`${api}/tokens`, { name: 'soak' });
  if (tok.status !== 201) throw new Error(`token: ${tok.status} ${tok.text}`);
  return { session: client, bearer: new Client(base, { bearer: tok.body.token }), api };
}

/* Every rule for the whole run (a count it never reaches, so that the
 * sandbox counts down what fired); the shares of one path add up to 1, so
 * about FAULTS of its calls fail (the catch-all adds a fifth of that). */
const FAULT_COUNT = 1000000;
async function setFaults(sbBase) {
  for (const { share, ...rule } of FAULT_RULES) {
    const res = await sandboxCall(sbBase, 'POST', '/_sandbox/faults',
      { ...rule, probability: Math.min(1, Math.max(0.0001, FAULTS * share)), count: FAULT_COUNT });
    if (res.status !== 201) throw new Error(`fault ${JSON.stringify(rule)}: ${JSON.stringify(res.body)}`);
  }
}

/* ---- measurements ---- */

/* Refusals that are the expected answer: a wrong password (401) and the
 * lockout after it (429); a hand-over whose invoices are all ineligible
 * (409/422: e.g. the customer's card lacks an address, or a BgMax file paid
 * the invoice meanwhile); a payment larger than what is left (422), when a
 * BgMax file paid part of the invoice between the read and the write. */
const EXPECTED = { failed_login: ['401', '429'], handover: ['409', '422'], payment: ['422 out_of_range'] };

class Minute {
  constructor() {
    this.lat = [];
    this.latNoLogin = []; /* without the password hashing of (failed) logins */
    this.status = new Map();
    this.expected = 0;
  }

  /* status: the HTTP status or 'lost'; code: the error's code, if any */
  add(op, status, code, ms) {
    this.lat.push(ms);
    if (op !== 'login' && op !== 'failed_login') this.latNoLogin.push(ms);
    const key = code ? `${status} ${code}` : status;
    if (EXPECTED[op]?.includes(String(status)) || EXPECTED[op]?.includes(key)) {
      this.expected++;
      return;
    }
    this.status.set(key, (this.status.get(key) ?? 0) + 1);
  }
}

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : 0);

/* 0 once the process is gone. */
function rssKib(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/* Least-squares slope of ys over xs. */
function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den ? num / den : 0;
}


/* ---- the load ---- */

const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date());
const rand = (n) => Math.floor(Math.random() * n);
const pickOne = (xs) => xs[rand(xs.length)];

/* Our OCR reference of an invoice number: the number, a length digit and
 * a Luhn check digit (as src/core/idnum.c makes it). */
function ocrOf(number) {
  const body = String(number) + String((String(number).length + 2) % 10);
  return body + luhnCheckDigit(body);
}

/* What the clients share: the measurements and the pools of invoices to
 * act on, filled from the lists they read. */
class Soak {
  constructor(ctx, app) {
    Object.assign(this, ctx);
    this.app = app;
    this.minute = new Minute();
    this.samples = [];
    this.ops = new Map();
    this.unpaid = new Map(); /* id -> {number, remaining} */
    this.overdue = new Map(); /* id -> number */
    this.tried = new Set(); /* ids sent in a hand-over (never paid by the soak) */
    this.queued = new Map(); /* id -> number, queued by a hand-over */
    this.batches = [];
    this.bad = []; /* 5xx and requests lost on the wire: [op, status, text] */
    this.bgmax = { files: 0, payments: 0, matched: 0, refused: 0 };
    this.next = { bgmax: 0, handover: 0 };
    this.seq = 0;
  }

  /* Run one request of operation op, recording its status and latency. */
  async call(op, fn) {
    const t0 = performance.now();
    let res = null;
    let status;
    try {
      res = await fn();
      status = res.status;
    } catch (err) {
      status = 'lost';
      res = { status, text: String(err.cause?.code ?? err.message), body: null };
    }
    const ms = performance.now() - t0;
    const code = status >= 400 ? res.body?.error?.code : undefined;
    this.minute.add(op, status, code, ms);
    if (!this.ops.has(op)) this.ops.set(op, new Minute());
    this.ops.get(op).add(op, status, code, ms);
    if (status === 'lost' || status >= 500) this.bad.push([op, status, res.text.slice(0, 200)]);
    return res;
  }

  /* Remember what a list page shows. */
  feed(items) {
    for (const inv of items ?? []) {
      if (this.tried.has(inv.id) || inv.amili) {
        this.unpaid.delete(inv.id);
        this.overdue.delete(inv.id);
        continue;
      }
      if (inv.remaining_minor > 0 && inv.currency === 'SEK') this.unpaid.set(inv.id, { number: inv.number, remaining: inv.remaining_minor });
      else this.unpaid.delete(inv.id);
      if (inv.status === 'overdue') this.overdue.set(inv.id, inv.number);
      else this.overdue.delete(inv.id);
    }
    for (const pool of [this.unpaid, this.overdue]) {
      while (pool.size > 5000) pool.delete(pool.keys().next().value);
    }
  }
}

const FILTERS = ['all', 'unpaid', 'overdue', 'paid', 'agency'];
const SORTS = ['due_date', '-due_date', 'number', '-number', '-remaining'];

/* Each operation: (soak, client) => a few requests. */
const OPS = {
  async list_repeated(s, c) {
    const res = await s.call('list_repeated', () => c.get(`${s.api}/invoices?status=overdue&limit=50`));
    if (res.status === 200) s.feed(res.body.items);
  },
  async list_pages(s, c) {
    let q = `status=${pickOne(FILTERS)}&sort=${pickOne(SORTS)}&limit=${pickOne([20, 50, 100])}`;
    if (Math.random() < 0.2) q += `&q=${pickOne(['AB', 'Andersson', 'Berg', 'Västerås', 'x'])}`;
    for (let page = 0, cursor = ''; page < 1 + rand(4); page++) {
      const res = await s.call('list_pages', () => c.get(`${s.api}/invoices?${q}${cursor}`));
      if (res.status !== 200 || !res.body.next_cursor) return;
      s.feed(res.body.items);
      cursor = `&cursor=${encodeURIComponent(res.body.next_cursor)}`;
    }
  },
  async counts(s, c) {
    await s.call('counts', () => c.get(`${s.api}/invoices/counts`));
  },
  async invoice_page(s, c) {
    const pool = s.queued.size && Math.random() < 0.3 ? s.queued : s.unpaid;
    if (!pool.size) return;
    const id = pickOne([...pool.keys()].slice(0, 500));
    await s.call('invoice_page', () => c.get(`${s.api}/invoices/${id}`));
    await s.call('invoice_page', () => c.get(`${s.api}/invoices/${id}/history`));
  },
  async payment(s, c) {
    const ids = [...s.unpaid.keys()].slice(0, 500);
    if (!ids.length) return;
    const id = pickOne(ids);
    s.unpaid.delete(id);
    /* as a user does: open the invoice, then register what came in */
    const inv = await s.call('payment', () => c.get(`${s.api}/invoices/${id}`));
    const remaining = inv.body?.remaining_minor ?? 0;
    if (inv.status !== 200 || remaining <= 0 || inv.body.amili) return;
    const amount = Math.max(1, Math.floor(remaining / (1 + rand(3))));
    await s.call('payment', () => c.post(`${s.api}/invoices/${id}/payments`,
      { date: today(), amount_minor: amount, reference: `soak ${++s.seq}` }));
  },
  async handover(s, c) {
    if (Date.now() < s.next.handover || !s.overdue.size) return;
    s.next.handover = Date.now() + 3000;
    const ids = [...s.overdue.keys()].sort(() => Math.random() - 0.5).slice(0, 1 + rand(5));
    const numbers = new Map(ids.map((id) => [id, s.overdue.get(id)]));
    for (const id of ids) {
      s.tried.add(id);
      s.overdue.delete(id);
      s.unpaid.delete(id);
    }
    const res = await s.call('handover', () => c.post(`${s.api}/amili/handovers`, { invoice_ids: ids }));
    if (res.status !== 202) return;
    s.batches.push(res.body.batch_id);
    for (const r of res.body.results) if (r.status === 'queued') s.queued.set(r.invoice_id, numbers.get(r.invoice_id));
  },
  async login(s) {
    let client = null;
    await s.call('login', async () => {
      const r = await login(s.app.base, `10.1.${rand(256)}.${rand(256)}`);
      client = r.client;
      return r.res;
    });
    if (client) await s.call('logout', () => client.del('/api/v1/session'));
  },
  async failed_login(s) {
    const email = Math.random() < 0.5 ? `nobody${rand(1e6)}@example.se` : VICTIM;
    await s.call('failed_login', () => new Client(s.app.base).post('/api/v1/session',
      { email, password: 'fel-lösenord' }, { headers: { 'X-Forwarded-For': `10.2.${rand(256)}.${rand(256)}` } }));
  },
  async static_files(s) {
    const anon = new Client(s.app.base);
    const first = await s.call('static_files', () => anon.get(pickOne(['/', '/js/app.js', '/js/api.js'])));
    const etag = first.headers?.get('etag');
    if (etag) await s.call('static_files', () => anon.get('/', { headers: { 'If-None-Match': etag } }));
  },
  async bgmax(s, c) {
    if (Date.now() < s.next.bgmax) return;
    s.next.bgmax = Date.now() + 15000;
    const payments = 20 + rand(100);
    const known = [...s.unpaid.values()].slice(0, 2000).map((v) => ocrOf(v.number));
    const refs = Array.from({ length: payments }, (_, i) => (i % 5 === 4 || !known.length ? ocrOf(9000000 + rand(99999)) : pickOne(known)));
    const d = new Date(Date.now() - (5 + rand(8)) * 86400000).toISOString().slice(0, 10).replaceAll('-', '');
    const file = generateBgmax({ payments, bankgiro: BANKGIRO, seed: ++s.seq * 7919 + rand(1e6), refs, maxPerDeposit: payments, date: d, marker: 'P' });
    const res = await s.call('bgmax', () => c.request('POST', `${s.api}/payments/bgmax`, undefined,
      { raw: file, headers: { 'Content-Type': 'text/plain' } }));
    s.bgmax.files++;
    s.bgmax.payments += payments;
    if (res.status >= 200 && res.status < 300) s.bgmax.matched += res.body.matched?.length ?? 0;
    else s.bgmax.refused++;
  },
};

const WEIGHTS = [
  ['list_repeated', 28], ['list_pages', 18], ['counts', 6], ['invoice_page', 12], ['payment', 8],
  ['handover', 8], ['login', 3], ['failed_login', 3], ['static_files', 6], ['bgmax', 8],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((a, [, w]) => a + w, 0);

function pickOp() {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const [op, w] of WEIGHTS) {
    r -= w;
    if (r < 0) return op;
  }
  return WEIGHTS[0][0];
}

async function runClient(s, k, until) {
  const c = k % 2 ? s.bearer : s.session;
  while (Date.now() < until) {
    await OPS[pickOp()](s, c);
    await sleep(THINK_MS);
  }
}

/* One sample a minute: what the minute saw and the servers' RSS, read
 * every 5 s: its highest value in the minute (glibc gives freed arenas
 * back now and then, so a single reading jumps by tens of MiB) and the
 * last one. */
async function sampler(s, start, until) {
  const rss = () => [rssKib(s.app.child.pid), rssKib(s.sb.child.pid)];
  const [r0, sb0] = rss();
  s.samples.push({ minute: 0, m: new Minute(), rss: r0, rssLast: r0, sbRss: sb0 });
  for (let k = 1; start + k * 60000 <= until + 1000; k++) {
    let [peak, sbPeak] = [0, 0];
    let last = 0;
    while (Date.now() < start + k * 60000) {
      const [r, sb] = rss();
      [peak, sbPeak, last] = [Math.max(peak, r), Math.max(sbPeak, sb), r];
      await sleep(Math.min(5000, Math.max(0, start + k * 60000 - Date.now())));
    }
    const m = s.minute;
    s.minute = new Minute();
    s.samples.push({ minute: k, m, rss: Math.max(peak, last), rssLast: last, sbRss: sbPeak });
  }
}

/* ---- the end: settle, compare, report ---- */

/* Wait (at most 15 min) until no batch has an invoice queued; the
 * product's view: invoice id -> case id of every registered invoice. */
async function settle(s) {
  const cases = new Map();
  let failed = 0;
  let left = [...s.batches];
  const until = Date.now() + 15 * 60000;
  while (left.length && Date.now() < until) {
    const still = [];
    for (const id of left) {
      const b = await s.session.get(`${s.api}/amili/handovers/${id}`);
      if (b.status !== 200 || b.body.queued > 0) {
        still.push(id);
        continue;
      }
      failed += b.body.failed;
      for (const r of b.body.results) if (r.status === 'registered') cases.set(r.invoice_id, r.case_id);
    }
    left = still;
    if (left.length) await sleep(2000);
  }
  return { cases, failed, unsettled: left.length };
}

/* The sandbox's view: every case of our partner, and its counters. */
async function agencyView(s) {
  const jwt = signJwt(s.sb.keys.privateKey, { api_code: s.sb.apiCode, exp: nowS() + 600 });
  const auth = await fetch(`${s.sb.base}/authenticates/api-code`, { headers: { 'X-API-Key': jwt } });
  const { token } = await auth.json();
  const list = [];
  for (let page = 1; ; page++) {
    const res = await fetch(`${s.sb.base}/cases?max_results=100&page=${page}`, { headers: { 'X-API-Key': token } });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`sandbox /cases: ${res.status} ${JSON.stringify(body)}`);
    list.push(...body._items);
    if (body._items.length < 100) break;
  }
  const counters = (await sandboxCall(s.sb.base, 'GET', '/_sandbox/counters')).body;
  return { list, counters };
}

/* Every invoice handed over registered exactly once, in both views. */
function handoverChecks(s, mine, theirs) {
  const problems = [];
  const byNumber = new Map();
  for (const c of theirs.list) {
    const n = String(c.debt.invoice_number);
    if (byNumber.has(n)) problems.push(`two cases at the agency for invoice ${n}`);
    byNumber.set(n, c);
  }
  for (const [id, number] of s.queued) {
    const caseId = mine.cases.get(id);
    const theirsCase = byNumber.get(String(number));
    if (!caseId) problems.push(`invoice ${number} (id ${id}) not registered in Påminn`);
    else if (!theirsCase) problems.push(`invoice ${number} has no case at the agency`);
    else if (theirsCase._id !== caseId) problems.push(`invoice ${number}: case ${caseId} in Påminn, ${theirsCase._id} at the agency`);
  }
  const ours = new Set([...s.queued.values()].map(String));
  for (const n of byNumber.keys()) if (!ours.has(n)) problems.push(`a case at the agency for invoice ${n}, never handed over`);
  if (mine.cases.size !== s.queued.size) problems.push(`${mine.cases.size} registered in Påminn, ${s.queued.size} queued`);
  if (theirs.counters.cases !== s.queued.size) problems.push(`${theirs.counters.cases} cases in the sandbox's counters, ${s.queued.size} queued`);
  if (mine.failed) problems.push(`${mine.failed} hand-overs failed`);
  if (mine.unsettled) problems.push(`${mine.unsettled} batches still queued after 15 min`);
  return problems;
}

const mib = (kib) => (kib / 1024).toFixed(1);

function statusText(m) {
  return [...m.status].filter(([st]) => st === 'lost' || parseInt(st, 10) >= 400).sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    .map(([st, n]) => `${st}×${n}`).join(', ') || '–';
}

const sorted = (xs) => xs.slice().sort((a, b) => a - b);

function minuteTable(s) {
  const out = ['| minute | requests | req/s | expected refusals | other non-2xx/3xx (status×count) | 5xx | ' +
    'p99 ms | p99 ms without logins | paminn RSS MiB, highest / at the end | sandbox RSS MiB, highest |', '|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|'];
  for (const { minute, m, rss, rssLast, sbRss } of s.samples) {
    const five = [...m.status].filter(([st]) => parseInt(st, 10) >= 500).reduce((a, [, n]) => a + n, 0);
    const p99 = (xs) => (minute ? pct(sorted(xs), 0.99).toFixed(1) : '–');
    out.push(`| ${minute} | ${m.lat.length} | ${(m.lat.length / 60).toFixed(1)} | ${m.expected} | ${statusText(m)} | ${five} | ` +
      `${p99(m.lat)} | ${p99(m.latNoLogin)} | ${mib(rss)} / ${mib(rssLast)} | ${mib(sbRss)} |`);
  }
  return out.join('\n');
}

function opTable(s) {
  const out = ['| operation | requests | p50 ms | p99 ms | expected refusals | other non-2xx/3xx |', '|---|---:|---:|---:|---:|---|'];
  for (const [op, m] of [...s.ops].sort()) {
    const lat = sorted(m.lat);
    out.push(`| ${op} | ${m.lat.length} | ${pct(lat, 0.5).toFixed(1)} | ${pct(lat, 0.99).toFixed(1)} | ${m.expected} | ${statusText(m)} |`);
  }
  return out.join('\n');
}

/* The highest RSS of each minute from minute 5 on: MiB per minute (least
 * squares), first and last. */
function rssTrend(s) {
  const pts = s.samples.filter((x) => x.minute >= 5);
  const per = slope(pts.map((x) => x.minute), pts.map((x) => x.rss / 1024));
  return { per, from: pts[0]?.rss ?? 0, to: pts.at(-1)?.rss ?? 0, n: pts.length };
}

async function faultsFired(sbBase) {
  const left = (await sandboxCall(sbBase, 'GET', '/_sandbox/faults')).body._items ?? [];
  return left.map((f) => `${f.method} ${f.path_prefix} ${f.mode}${f.mode === 'status' ? ` ${f.status}` : ''}: ${FAULT_COUNT - f.count}`);
}

async function stopChild(p, what) {
  p.child.kill('SIGTERM');
  const e = await Promise.race([p.exited, sleep(60000).then(() => null)]);
  if (!e) p.child.kill('SIGKILL');
  return e && e.code === 0 ? null : `${what} did not exit cleanly on SIGTERM: ${JSON.stringify(e)}`;
}

function report(s, r) {
  const t = rssTrend(s);
  const total = [...s.ops.values()].reduce((a, m) => a + m.lat.length, 0);
  const verdict = r.problems.length ? `**${r.problems.length} problem(s)**:\n${r.problems.map((p) => `- ${p}`).join('\n')}` : '**all checks passed**';
  return [
    `### ${MINUTES} minutes, ${CLIENTS} clients, ${INVOICES} invoices, faults in ~${Math.round(FAULTS * 100)} % of agency calls\n`,
    minuteTable(s), '',
    `${total} requests in all; demo data written in ${s.app.demoSecs.toFixed(1)} s before the start (minute 0 is the RSS then).\n`,
    opTable(s), '',
    `Hand-overs: ${s.batches.length} batches, ${s.queued.size} invoices queued, ${r.mine.cases.size} registered in Påminn, ` +
      `${r.theirs.list.length} cases at the agency (${r.theirs.counters.requests?.['POST /case--registrations'] ?? '?'} registration requests); ` +
      `settled ${r.settleSecs.toFixed(0)} s after the load ended, faults cleared.`,
    `BgMax: ${s.bgmax.files} files, ${s.bgmax.payments} payments, ${s.bgmax.matched} matched to invoices, ${s.bgmax.refused} files refused.`,
    `Faults injected by the sandbox: ${r.fired.join('; ')}.\n`,
    `Highest RSS per minute from minute 5 to ${s.samples.at(-1).minute}: ${mib(t.from)} → ${mib(t.to)} MiB, slope ${t.per.toFixed(3)} MiB/min ` +
      `(limit ${SLOPE_MAX}).\n`,
    `Verdict: ${verdict}\n`,
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ` +
      `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
  ].join('\n');
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'paminn-soak-'));
  const sb = await startSandbox(dir);
  const app = await startPaminn(dir, sb);
  const s = new Soak({ ...(await prepare(app.base)), sb }, app);
  try {
    await setFaults(sb.base);
    const start = Date.now();
    const until = start + MINUTES * 60000;
    process.stderr.write(`soak: ${MINUTES} min from ${new Date(start).toISOString()}, paminn pid ${app.child.pid}\n`);
    await Promise.all([sampler(s, start, until), ...Array.from({ length: CLIENTS }, (_, k) => runClient(s, k, until))]);
    const fired = await faultsFired(sb.base);
    await sandboxCall(sb.base, 'DELETE', '/_sandbox/faults');
    const t0 = Date.now();
    const mine = await settle(s);
    const settleSecs = (Date.now() - t0) / 1000;
    const theirs = await agencyView(s);
    const problems = handoverChecks(s, mine, theirs);
    for (const [op, st, text] of s.bad.slice(0, 20)) problems.push(`${op}: ${st} ${text}`);
    if (s.bad.length > 20) problems.push(`… ${s.bad.length - 20} more 5xx or lost requests`);
    const t = rssTrend(s);
    if (t.per > SLOPE_MAX) problems.push(`RSS grows ${t.per.toFixed(3)} MiB/min after minute 5`);
    for (const [p, what] of [[app, 'paminn'], [sb, 'amili-sandbox']]) {
      const err = await stopChild(p, what);
      if (err) problems.push(err);
    }
    console.log(report(s, { problems, mine, theirs, settleSecs, fired }));
    process.exitCode = problems.length ? 1 : 0;
  } finally {
    for (const p of [app, sb]) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    if (process.exitCode && logs.err) process.stderr.write(`paminn's stderr (end):\n${logs.err.slice(-3000)}\n`);
    if (!process.env.PAMINN_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
