/*
 * http_details.test.mjs — HTTP details a client may send and what it gets
 * for them: If-None-Match on the invoice list naming the current tag
 * weakly, in a list or as "*" (304), or a tag that only begins like it
 * (200); Authorization headers that are not a usable bearer token, a
 * token on a route for sessions only, a session cookie longer than any
 * (401 not_authenticated, nothing looked up); a logout through HTTPS
 * (X-Forwarded-Proto) clears the cookie with Secure; "/api" itself is the
 * API's 404, not a page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, assertError, assertStatus, co, createCustomer, createInvoice, setCookies, startServer } from './lib/server.mjs';

let fx;
let anna;
let C;

before(async () => {
  fx = await startServer({ now: '2025-09-30' });
  anna = await fx.login();
  C = co(fx.companyId);
  const kund = await createCustomer(anna, fx.companyId);
  await createInvoice(anna, fx.companyId, kund.id);
});

after(async () => {
  await fx?.stop();
});

test('If-None-Match: the tag weak, in a list or "*" is 304; a tag that only begins like it is 200', async () => {
  const first = await anna.get(`${C}/invoices`);
  assertStatus(first, 200);
  const etag = first.headers.get('etag');
  assert.match(etag ?? '', /^"[0-9a-f]+"$/);
  for (const inm of [`W/${etag}`, `"nej", ${etag}`, `"nej",W/${etag}`, '*', `\t${etag} `]) {
    const res = await anna.get(`${C}/invoices`, { headers: { 'If-None-Match': inm } });
    assert.equal(res.status, 304, `If-None-Match: ${inm}`);
    assert.equal(res.headers.get('etag'), etag);
  }
  for (const inm of [`${etag.slice(0, -1)}0"`, `${etag}x`, '"nej"', ',']) {
    const res = await anna.get(`${C}/invoices`, { headers: { 'If-None-Match': inm } });
    assert.equal(res.status, 200, `If-None-Match: ${inm}`);
    assert.equal(res.body.items.length, 1);
  }
});

test('Authorization that is not a usable bearer token, or an over-long cookie: 401', async () => {
  const anon = fx.anon();
  for (const authz of ['Basic YW5uYTpoZW1saWd0', 'Bearer ', 'Bearer', `Bearer ${'x'.repeat(257)}`]) {
    assertError(await anon.get(`${C}/invoices`, { headers: { Authorization: authz } }), 401, 'not_authenticated');
  }
  /* A token never opens a route for sessions only. */
  assertError(await anon.get('/api/v1/session', { headers: { Authorization: `Bearer ${'x'.repeat(64)}` } }), 401,
    'not_authenticated');
  assertError(await anon.get(`${C}/invoices`, { headers: { Cookie: `paminn_session=${'a'.repeat(64)}` } }), 401,
    'not_authenticated');
  assertError(await anon.get(`${C}/invoices`, { headers: { Cookie: `paminn_session=${'a'.repeat(63)}` } }), 401,
    'not_authenticated');
});

test('a logout through HTTPS clears the cookie with Secure; through plain HTTP without', async () => {
  for (const [proto, secure] of [['https', true], ['HTTP', false]]) {
    const s = await fx.login();
    const res = await s.del('/api/v1/session', { headers: { 'X-Forwarded-Proto': proto } });
    assertStatus(res, 204);
    const cookie = setCookies(res.headers).find((c) => c.startsWith('paminn_session='));
    assert.ok(cookie, 'no cookie cleared');
    const attrs = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
    assert.ok(attrs.includes('max-age=0'), cookie);
    assert.equal(attrs.includes('secure'), secure, `${proto}: ${cookie}`);
    assertError(await s.get('/api/v1/session'), 401, 'not_authenticated');
  }
});

test('"/api" itself is the API\'s 404 in JSON', async () => {
  const res = await new Client(fx.base).get('/api');
  assertError(res, 404);
  assert.match(res.headers.get('content-type') ?? '', /json/);
});
