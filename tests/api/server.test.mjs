/*
 * server.test.mjs — the server as a whole: /healthz, the OpenAPI document it
 * serves and whether that document lists exactly the routes the server has,
 * unknown routes and methods, the access log and request limits.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { OPENAPI_FILE, documentedRoutes, serverRoutes } from './lib/openapi.mjs';
import {
  PATIENCE_MS, assertError, assertStatus, co, createCustomer, createInvoice, startServer, waitFor,
} from './lib/server.mjs';

let fx;
let anna;
let customer;
let invoice;
let token;

before(async () => {
  fx = await startServer({ now: '2025-07-01' });
  anna = await fx.login();
  customer = await createCustomer(anna, fx.companyId, { name: 'Rutt Kund' });
  invoice = await createInvoice(anna, fx.companyId, customer.id);
  token = (await anna.post(`/api/v1/companies/${fx.companyId}/tokens`, { name: 'route check' })).body;
});
after(async () => {
  await fx?.stop();
});

test('GET /healthz answers {"status":"ok"} without authentication, with nothing else in flight', async () => {
  /* The setup's last request counts as in flight until the server has
   * finished it, which may be just after its answer reached us. */
  let res;
  await waitFor(async () => {
    res = await fx.anon().get('/healthz');
    return res.status === 200 && res.body.requests_in_flight === 0;
  }, PATIENCE_MS, () => `/healthz with nothing in flight (last: ${res?.status} ${res?.text})`);
  assertStatus(res, 200);
  assert.deepEqual(res.body, { status: 'ok', requests_in_flight: 0, stopping: false });
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
});

test('GET /api/v1/openapi.yaml serves docs/api/openapi.yaml as built', async () => {
  const res = await anna.get('/api/v1/openapi.yaml');
  assertStatus(res, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/yaml/);
  assert.equal(res.text, readFileSync(OPENAPI_FILE, 'utf8'), 'the served document differs from docs/api/openapi.yaml (rebuild?)');
});

test('the OpenAPI document is OpenAPI 3.1 with both security schemes and the Idempotency-Key header', () => {
  const text = readFileSync(OPENAPI_FILE, 'utf8');
  assert.match(text, /^openapi: ["']?3\.1\.\d+["']?\s*$/m);
  assert.match(text, /^\s+in: cookie\s*$/m);
  assert.match(text, /^\s+scheme: bearer\s*$/m);
  assert.match(text, /Idempotency-Key/);
  assert.ok(documentedRoutes(text).length >= 20, 'fewer routes documented than the contract has');
});

test('the OpenAPI paths are exactly the routes in the server\'s route table', () => {
  const table = serverRoutes();
  assert.ok(table.length > 0, 'no route table found in src/api/*.c (has its form changed? adapt tests/api/lib/openapi.mjs)');
  const documented = documentedRoutes().filter((r) => r.split(' ')[1].startsWith('/api/'));
  const served = table.filter((r) => r.split(' ')[1].startsWith('/api/'));
  const undocumented = served.filter((r) => !documented.includes(r));
  const missing = documented.filter((r) => !served.includes(r));
  assert.deepEqual(undocumented, [], 'routes the server has but docs/api/openapi.yaml lacks');
  assert.deepEqual(missing, [], 'routes docs/api/openapi.yaml lists but the server lacks');
});

/* A concrete path for a pattern: our own company, customer and invoice. */
function concrete(pattern) {
  return pattern.replace(/\{([a-z_]+)\}/g, (_, name, offset) => {
    const before = pattern.slice(0, offset);
    if (name === 'cid') return String(fx.companyId);
    if (before.endsWith('/customers/')) return String(customer.id);
    if (before.endsWith('/invoices/')) return String(invoice.id);
    if (before.endsWith('/invoices/by-number/')) return String(invoice.number);
    if (before.endsWith('/tokens/')) return String(token.id);
    return '1';
  });
}

test('every documented and every table route answers (no 404/405 for an unknown route)', async () => {
  const all = [...new Set([...documentedRoutes(), ...serverRoutes()])].sort();
  const failures = [];
  for (const route of all) {
    const [method, pattern] = route.split(' ');
    const p = concrete(pattern);
    /* Logging out would end the session the other checks use. */
    const client = method === 'DELETE' && pattern === '/api/v1/session' ? await fx.login() : anna;
    const body = ['POST', 'PATCH', 'PUT'].includes(method) ? {} : undefined;
    const res = await client.request(method, p, body);
    if (res.status === 405 || (res.status === 404 && res.body?.error?.code === 'not_found')) {
      failures.push(`${method} ${p} → ${res.status} ${res.text.slice(0, 120)}`);
    }
    /* The agency and e-mail: this server runs without --amili-url and
     * --smtp-url, so those routes answer their documented 503
     * agency_not_configured / mail_not_configured. */
    const unconfigured = res.status === 503 &&
      ['agency_not_configured', 'mail_not_configured'].includes(res.body?.error?.code);
    if (res.status >= 500 && !unconfigured) failures.push(`${method} ${p} → ${res.status} ${res.text.slice(0, 120)}`);
  }
  assert.deepEqual(failures, []);
});

test('an unknown route is 404 not_found in JSON; a wrong method on a known path is 405 with Allow', async () => {
  assertError(await anna.get('/api/v1/nothing-here'), 404, 'not_found');
  assertError(await anna.get(`${co(fx.companyId)}/invoices/abc`), 404, 'not_found');
  assertError(await anna.get(`${co(fx.companyId)}/invoices/0${invoice.id}`), 404, 'not_found');
  const put = await anna.put(co(fx.companyId), { name: 'x' });
  assertError(put, 405, 'method_not_allowed');
  const allow = (put.headers.get('allow') ?? '').split(',').map((s) => s.trim());
  assert.ok(allow.includes('GET') && allow.includes('PATCH'), `Allow: ${put.headers.get('allow')}`);
  assertError(await anna.del(`${co(fx.companyId)}/customers/${customer.id}`), 405, 'method_not_allowed');
});

test('JSON answers carry Content-Type application/json; charset=utf-8', async () => {
  for (const p of [co(fx.companyId), `${co(fx.companyId)}/invoices`, '/api/v1/nothing-here']) {
    const res = await anna.get(p);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json; ?charset=utf-8$/i, p);
  }
});

test('the access log has one JSON line per request with method, path, status, time and company', async () => {
  /* Paths no earlier request used, so the whole log can be searched. */
  const fresh = await createCustomer(anna, fx.companyId, { name: 'Loggad Kund' });
  const marker = `${co(fx.companyId)}/customers/${fresh.id}`;
  assertStatus(await anna.get(marker), 200);
  assertError(await anna.get('/api/v1/logged-404'), 404, 'not_found');
  const entries = () => fx.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      return null;
    }
  }).filter(Boolean);
  /* A line is written when its request completes, after the answer. */
  await waitFor(() => entries().some((e) => e.path === '/api/v1/logged-404') &&
    entries().some((e) => e.path === marker), PATIENCE_MS, 'both access-log lines');
  const hit = entries().filter((e) => e.path === marker);
  assert.equal(hit.length, 1, `expected one access-log line for ${marker}`);
  assert.equal(hit[0].method, 'GET');
  assert.equal(hit[0].status, 200);
  assert.equal(hit[0].company, fx.companyId);
  assert.equal(typeof hit[0].us, 'number');
  assert.match(hit[0].ts, /^\d{4}-\d{2}-\d{2}T/);
  const miss = entries().filter((e) => e.path === '/api/v1/logged-404');
  assert.equal(miss.length, 1);
  assert.equal(miss[0].status, 404);
  /* Secrets never reach the log. */
  assert.ok(!fx.stderr().includes('hemligt123'), 'a password in the log');
  assert.ok(!fx.stderr().includes(anna.cookie.split('=')[1]), 'a session cookie in the log');
});

test('request headers over 16 KiB are refused', async () => {
  let status;
  try {
    const res = await fetch(`${fx.base}/healthz`, { headers: { 'X-Padding': 'a'.repeat(20 * 1024) } });
    status = res.status;
    await res.text();
  } catch {
    status = 'connection closed';
  }
  assert.ok(status === 'connection closed' || status >= 400, `a 20 KiB header was accepted: ${status}`);
  /* An ordinary large header (8 KiB) is fine. */
  assertStatus(await fetch(`${fx.base}/healthz`, { headers: { 'X-Padding': 'a'.repeat(8 * 1024) } })
    .then(async (r) => ({ status: r.status, text: await r.text() })), 200);
  /* The server is still fine afterwards. */
  assertStatus(await fx.anon().get('/healthz'), 200);
});
