/*
 * security_tokens.test.mjs — secrets at rest.  A token created with an
 * Idempotency-Key is shown once: the kept answer (and so a repeat) leaves
 * the secret out.  Tokens are listed (never their secrets) and revoked.  Expired sessions and Idempotency-Key answers older than
 * 24 hours are deleted by the server (at start, then hourly).  The database
 * file is its owner's alone (0600).
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { PATIENCE_MS, assertError, assertStatus, co, isPg, startServer, waitFor } from './lib/server.mjs';

const FAR = 4102444800; /* 2100-01-01: not old, not expired */

let fx;
let anna;

before(async () => {
  fx = await startServer({
    setup: (f) => {
      const cid = f.companyId;
      f.exec(`insert into idempotency_keys (company_id, key, request_hash, status, body, created_at) values
        (${cid}, 'old-key', 'x', 201, '{}', 1), (${cid}, 'new-key', 'y', 201, '{}', ${FAR})`);
      f.exec(`insert into sessions (token_hash, user_id, csrf_token, created_at, expires_at) values
        ('${'a'.repeat(64)}', ${f.userId}, 'c', 1, 2), ('${'b'.repeat(64)}', ${f.userId}, 'c', 1, ${FAR})`);
    },
  });
  anna = await fx.login();
});

after(async () => {
  await fx?.stop();
});

test('a token made with an Idempotency-Key: shown once, kept without its secret', async () => {
  const res = await anna.post(`${co(fx.companyId)}/tokens`, { name: 'integration' }, { idem: 'tok-1' });
  assertStatus(res, 201);
  assert.match(res.body.token, /^[0-9a-f]{64}$/);
  const kept = fx.sql(`select body from idempotency_keys where key = 'tok-1'`);
  assert.ok(!kept.includes(res.body.token), `the kept answer holds the token: ${kept}`);
  const again = await anna.post(`${co(fx.companyId)}/tokens`, { name: 'integration' }, { idem: 'tok-1' });
  assertStatus(again, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.body.id, res.body.id);
  assert.equal(again.body.token, null);
  /* the token itself works */
  assertStatus(await fx.bearer(res.body.token).get(co(fx.companyId)), 200);
});

test('tokens are listed without their secrets and revoked: a revoked token authenticates nothing', async () => {
  const C = co(fx.companyId);
  const made = await anna.post(`${C}/tokens`, { name: 'to revoke' });
  assertStatus(made, 201);
  const list = await anna.get(`${C}/tokens`);
  assertStatus(list, 200);
  const row = list.body.items.find((t) => t.id === made.body.id);
  assert.deepEqual(Object.keys(row).sort(), ['created_at', 'created_by', 'expires_at', 'id', 'last_used_at', 'name']);
  assert.equal(row.name, 'to revoke');
  assert.ok(!list.text.includes(made.body.token));
  const bearer = fx.bearer(made.body.token);
  assertStatus(await bearer.get(C), 200);
  assertError(await bearer.get(`${C}/tokens`), 403, 'forbidden_role');
  assertStatus(await anna.del(`${C}/tokens/${made.body.id}`), 204);
  assertError(await bearer.get(C), 401, 'not_authenticated');
  assertError(await anna.del(`${C}/tokens/${made.body.id}`), 404, 'not_found');
  assert.ok(!(await anna.get(`${C}/tokens`)).body.items.some((t) => t.id === made.body.id));
});

/* On PostgreSQL a bearer token's list page reads the data version in the
 * same round trip as the page, going ahead on the token as each worker
 * last found it; a revocation (through the API, or by another process)
 * still refuses the very next page, cached or not, on every worker. */
test('a revoked token reads no list page, not even one every worker has cached', async () => {
  const C = co(fx.companyId);
  const pages = (bearer) =>
    Promise.all(Array.from({ length: 8 }, (_, i) => bearer.get(`${C}/invoices?status=all&limit=${1 + (i % 4)}`)));
  for (const revoke of [
    async (id) => assertStatus(await anna.del(`${C}/tokens/${id}`), 204),
    async (id) => fx.exec(`delete from api_tokens where id = ${id}`),
  ]) {
    const made = await anna.post(`${C}/tokens`, { name: 'lists' });
    assertStatus(made, 201);
    const bearer = fx.bearer(made.body.token);
    for (let round = 0; round < 2; round++) /* the second round from the caches */
      for (const res of await pages(bearer)) assertStatus(res, 200);
    await revoke(made.body.id);
    for (const res of await pages(bearer)) assertError(res, 401, 'not_authenticated');
  }
});

test('expired sessions and day-old Idempotency-Key answers are deleted; the rest stays', async () => {
  const gone = () => fx.count('idempotency_keys', "key = 'old-key'") === 0 && fx.count('sessions', `token_hash = '${'a'.repeat(64)}'`) === 0;
  /* The pruner runs once at start: wait for its effect with the suites'
   * generous bound, not a guess of how long a busy machine takes. */
  await waitFor(gone, PATIENCE_MS, 'deletion of the old Idempotency-Key answer and the expired session');
  assert.equal(fx.count('idempotency_keys', "key = 'new-key'"), 1);
  assert.equal(fx.count('sessions', `token_hash = '${'b'.repeat(64)}'`), 1);
});

test('the database file is created 0600', { skip: isPg }, () => {
  assert.equal(statSync(fx.db).mode & 0o777, 0o600);
});
