/*
 * security_logins.test.mjs — logins under attack.  A login (its argon2id
 * hash) runs in a small pool of its own threads while its connection is
 * suspended, with a short queue: a login past the queue is answered 503
 * server_busy with Retry-After at once, and the HTTP worker threads go on
 * serving — /healthz answers while logins hash.  One client address may fail 50 times per
 * window; then its logins get 429 whatever the e-mail.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PATIENCE_MS, assertError, startServer, waitFor } from './lib/server.mjs';

let fx;

before(async () => {
  fx = await startServer();
});

after(async () => {
  await fx?.stop();
});

test('16 parallel failed logins: the ones past the login queue get 503 at once, /healthz answers meanwhile', async () => {
  const logins = Array.from({ length: 16 }, (_, i) =>
    fx.anon().post('/api/v1/session', { email: `nobody${i}@example.se`, password: 'fel-lösenord' }));
  let settled = false;
  const all = Promise.all(logins).then((a) => {
    settled = true;
    return a;
  });
  /* /healthz answers while a login is still in flight (it says so), not
   * only after the hashing is over: no guess of how long hashing takes. */
  await waitFor(async () => {
    const health = await fx.anon().get('/healthz');
    assert.equal(health.status, 200);
    if (health.body.requests_in_flight >= 1) return true;
    if (settled) assert.fail('/healthz answered only once every login was over');
    return false;
  }, PATIENCE_MS, '/healthz answering while a login is in flight');
  const answers = await all;
  const busy = answers.filter((a) => a.status === 503);
  assert.ok(busy.length >= 1, `statuses: ${answers.map((a) => a.status).join(' ')}`);
  for (const a of busy) {
    assertError(a, 503, 'server_busy');
    assert.ok(Number(a.headers.get('retry-after')) >= 1);
  }
  for (const a of answers.filter((x) => x.status !== 503)) assertError(a, 401, 'invalid_credentials');
  /* a refused login is no failed attempt: the right password still works */
  await fx.login();
});

test('50 failures from one address: its next login is refused 429, whatever the e-mail', async () => {
  /* the failures of the test above count too */
  const before = Number(fx.stderr().match(/"path":"\/api\/v1\/session","status":401/g)?.length ?? 0);
  for (let i = before; i < 50; i++) {
    let res;
    do {
      res = await fx.anon().post('/api/v1/session', { email: `guess${i}@example.se`, password: 'x' });
    } while (res.status === 503);
    assertError(res, 401, 'invalid_credentials');
  }
  const res = await fx.anon().post('/api/v1/session', { email: 'anna@example.se', password: 'hemligt123' });
  assertError(res, 429, 'too_many_attempts');
  assert.ok(Number(res.headers.get('retry-after')) >= 1);
});
