// Helpers for the amili-sandbox tests: start the real binary on a free port
// with a temporary database, sign JWTs with node:crypto, and talk to it over
// real HTTP with fetch.  No npm dependencies.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.AMILI_SANDBOX_BIN
  ? resolve(process.env.AMILI_SANDBOX_BIN)
  : join(REPO, 'build', 'default', 'sandbox', 'amili-sandbox');

// Start the sandbox; resolves when it prints its listening line.
export async function startSandbox({ now, db, dir } = {}) {
  const tmp = dir ?? mkdtempSync(join(tmpdir(), 'amili-sandbox-'));
  const dbPath = db ?? join(tmp, 'sandbox.db');
  const args = ['--db', dbPath, '--listen', '127.0.0.1:0', '--data-dir', join(REPO, 'data')];
  if (now) args.push('--now', now);
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`sandbox did not start within 60 s: ${stderr}`)), 60000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/^amili-sandbox: listening on (http:\/\/127\.0\.0\.1:\d+)$/m);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); fail(new Error(`sandbox exited ${code}: ${stderr}`)); });
    proc.on('error', (err) => { clearTimeout(timer); fail(new Error(`cannot start ${BIN}: ${err.message}`)); });
  });
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  return {
    url, proc, dir: tmp, db: dbPath,
    stderr: () => stderr,
    // SIGTERM, then wait; asserts a clean exit (0, within 60 s: a hang
    // fails loudly) and resolves with {code, signal}.
    async stop({ keep = false } = {}) {
      proc.kill('SIGTERM');
      const bound = new Promise((ok) => setTimeout(() => ok(null), 60000).unref());
      const r = await Promise.race([exited, bound]);
      if (!r) proc.kill('SIGKILL');
      if (!keep && !dir) rmSync(tmp, { recursive: true, force: true });
      assert.deepEqual(r, { code: 0, signal: null }, `amili-sandbox did not exit cleanly after SIGTERM:\n${stderr}`);
      return r;
    },
  };
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

export function newKeys() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

// A JWS ES256 token over the claims.
export function signJwt(privateKey, claims, header = { alg: 'ES256', typ: 'JWT' }) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64url(sig)}`;
}

export const nowS = () => Math.floor(Date.now() / 1000);

// One HTTP call; answers {status, body (parsed JSON or text), headers}.
export async function call(base, method, path, { body, token, headers = {}, signal } = {}) {
  const h = { ...headers };
  if (token) h['X-API-Key'] = token;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(base + path, { method, headers: h, body: payload, signal });
  const text = await res.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: parsed, headers: res.headers };
}

// Register a partner and fetch an access token for it.
export async function partner(sb, apiCode = `partner-${randomBytes(4).toString('hex')}`) {
  const keys = newKeys();
  const pem = keys.publicKey.export({ type: 'spki', format: 'pem' });
  const r = await call(sb.url, 'POST', '/_sandbox/partners', { body: { api_code: apiCode, public_key: pem } });
  if (r.status !== 201) throw new Error(`partner: ${JSON.stringify(r.body)}`);
  const jwt = signJwt(keys.privateKey, { api_code: apiCode, exp: nowS() + 600 });
  const t = await call(sb.url, 'GET', '/authenticates/api-code', { headers: { 'X-API-Key': jwt } });
  if (t.status !== 200) throw new Error(`token: ${JSON.stringify(t.body)}`);
  return { apiCode, keys, token: t.body.token };
}

export const ADDRESS = { address_line_1: 'Storgatan 1', zip_code: '11122', city: 'Stockholm', country: 'SE' };

export function activeCreditorData(extra = {}) {
  return {
    is_active: true,
    standard_debt_description: 'Konsulttjänster',
    default_letter_locale: 'sv',
    sender_address: ADDRESS,
    invoice_address: ADDRESS,
    payout_details: { sek: { bankgiro: '12312312' } },
    ...extra,
  };
}

// A partner with one account and one active creditor.
export async function onboarded(sb) {
  const p = await partner(sb);
  const r = await call(sb.url, 'POST', '/accounts', {
    token: p.token,
    body: { name: 'Exempel AB', organization_no: '556036-0793', initial_creditor_data: activeCreditorData() },
  });
  if (r.status !== 201) throw new Error(`account: ${JSON.stringify(r.body)}`);
  return { ...p, account: r.body._id, creditor: r.body._creditors[0] };
}

export function customer(extra = {}) {
  return {
    name: 'Anna Andersson', id_number: '198112189876', is_company: false,
    address: ADDRESS, mobile_number: '+46701234567', email: 'anna@example.se', ...extra,
  };
}

export function registration(o, debts, extra = {}) {
  return {
    account: o.account, creditor: o.creditor, first_action: 'reminder', currency: 'SEK',
    customer: customer(), debts, ...extra,
  };
}

let invoiceSeq = 1000;
export function debt(extra = {}) {
  invoiceSeq += 1;
  return {
    invoice_number: `F${invoiceSeq}-${randomBytes(2).toString('hex')}`,
    debt_description: 'Faktura', invoice_date: 'Sat, 01 Mar 2025 00:00:00 GMT',
    capital_to_claim: 10000.0, invoice_due_days_after_invoice_date: 30, ...extra,
  };
}

export async function register(sb, o, debts, extra = {}) {
  return call(sb.url, 'POST', '/case--registrations', { token: o.token, body: registration(o, debts, extra) });
}

export async function getCase(sb, o, id) {
  const r = await call(sb.url, 'GET', `/cases/${id}`, { token: o.token });
  if (r.status !== 200) throw new Error(`case: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function advance(sb, days) {
  return call(sb.url, 'POST', '/_sandbox/clock', { body: { advance_days: days } });
}

// Luhn over a digit string (true when the last digit is a valid check digit).
export function luhnValid(s) {
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    let d = s.charCodeAt(s.length - 1 - i) - 48;
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return sum % 10 === 0;
}
