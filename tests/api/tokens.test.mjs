/*
 * tokens.test.mjs — API tokens that expire.  A token may be given an
 * `expires_at` (a date: it works through that day in Stockholm; or an RFC
 * 3339 instant); from then on it answers 401 not_authenticated, as a revoked
 * one does.  An expiry already past or not a date is refused, naming the
 * field, and creates nothing.  The list shows each token's expiry and when
 * it was last used.  The server's clock is fixed with --now and moved by
 * starting it again on the same database.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertError, assertStatus, co, startServer } from './lib/server.mjs';

const TODAY = '2026-03-01T12:00:00Z'; /* 13:00 in Stockholm */

let fx;
let anna;
let C;

before(async () => {
  fx = await startServer({ now: TODAY });
  anna = await fx.login();
  C = co(fx.companyId);
});

after(async () => {
  await fx?.stop();
});

/* Stop the server and start it again on the same database at `now`. */
async function restartAt(now) {
  fx.child.kill('SIGTERM');
  const exit = await fx.exited;
  assert.deepEqual(exit, { code: 0, signal: null }, `the server did not stop cleanly: ${fx.stderr().slice(-2000)}`);
  fx.exit = null;
  fx.opts.now = now;
  await fx.start();
  anna = await fx.login();
}

async function makeToken(name, expiresAt) {
  const body = expiresAt === undefined ? { name } : { name, expires_at: expiresAt };
  const res = await anna.post(`${C}/tokens`, body);
  assertStatus(res, 201);
  assert.match(res.body.token, /^[0-9a-f]{64}$/);
  return res.body;
}

const listed = async (id) => {
  const res = await anna.get(`${C}/tokens`);
  assertStatus(res, 200);
  return res.body.items.find((t) => t.id === id);
};

test('an expiry already past or not a date is refused, naming expires_at, and creates nothing', async () => {
  const before = fx.count('api_tokens');
  for (const past of ['2026-02-28', '2026-03-01T11:59:59Z', '2026-03-01T13:00:00+01:00']) {
    assertError(await anna.post(`${C}/tokens`, { name: 'gammal', expires_at: past }), 422, 'expiry_in_past', 'expires_at');
  }
  for (const junk of ['nästa år', '2026-02-30', '2026-03-05T10:00:00', '01/04/2026', 20260401, true]) {
    assertError(await anna.post(`${C}/tokens`, { name: 'trasig', expires_at: junk }), 422, 'invalid_value', 'expires_at');
  }
  assert.equal(fx.count('api_tokens'), before);
});

test('a token without expires_at has none; the list shows its expiry and its last use', async () => {
  const made = await makeToken('utan slut');
  assert.equal(made.expires_at, null);
  let row = await listed(made.id);
  assert.deepEqual(Object.keys(row).sort(), ['created_at', 'created_by', 'expires_at', 'id', 'last_used_at', 'name']);
  assert.equal(row.expires_at, null);
  assert.equal(row.last_used_at, null, 'never used yet');
  assertStatus(await fx.bearer(made.token).get(C), 200);
  row = await listed(made.id);
  assert.equal(row.last_used_at, TODAY);
  assert.ok(!JSON.stringify(row).includes(made.token));
});

test('a token works through its expiry date, then answers 401 not_authenticated', async () => {
  const today = await makeToken('bara i dag', '2026-03-01');
  const instant = await makeToken('till i morgon kl 12', '2026-03-02T12:00:00+01:00');
  const forever = await makeToken('för alltid');
  /* a date means through that day in Stockholm: until midnight there */
  assert.equal(today.expires_at, '2026-03-01T23:00:00Z');
  assert.equal(instant.expires_at, '2026-03-02T11:00:00Z');
  assert.equal((await listed(today.id)).expires_at, '2026-03-01T23:00:00Z');
  for (const t of [today, instant, forever]) assertStatus(await fx.bearer(t.token).get(C), 200);

  await restartAt('2026-03-01T22:59:59Z');
  assertStatus(await fx.bearer(today.token).get(C), 200);

  await restartAt('2026-03-02T10:59:59Z'); /* the next morning */
  assertError(await fx.bearer(today.token).get(C), 401, 'not_authenticated');
  assertError(await fx.bearer(today.token).get(`${C}/invoices`), 401, 'not_authenticated');
  assertStatus(await fx.bearer(instant.token).get(C), 200);
  assertStatus(await fx.bearer(forever.token).get(C), 200);
  /* an expired token changes nothing either */
  const counts = fx.counts();
  assertError(await fx.bearer(today.token).post(`${C}/customers`, { name: 'Ny Kund AB' }), 401, 'not_authenticated');
  assert.deepEqual(fx.counts(), counts);
  /* still listed, so that an owner sees what ran out (and can revoke it) */
  assert.equal((await listed(today.id)).expires_at, '2026-03-01T23:00:00Z');

  await restartAt('2026-03-02T11:00:00Z');
  assertError(await fx.bearer(instant.token).get(C), 401, 'not_authenticated');
  assertStatus(await fx.bearer(forever.token).get(C), 200);
  /* noted to the hour: the use a second earlier stands */
  assert.equal((await listed(forever.id)).last_used_at, '2026-03-02T10:59:59Z');
});
