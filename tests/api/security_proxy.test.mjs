/*
 * security_proxy.test.mjs — logins behind a reverse proxy on the same
 * machine.  A request from a loopback peer is counted against the last
 * X-Forwarded-For entry (the address the proxy saw), so the failures of
 * one client behind the proxy block that client only: 50 failures
 * forwarded for 203.0.113.7 refuse its next login with 429 whatever the
 * e-mail, while another forwarded client, and a request without the
 * header, log in.  An address the client wrote in front of the proxy's
 * entry is not the one that counts.  The same behind a proxy that reaches
 * Påminn over IPv6 loopback ([::1]).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OWNER_EMAIL, OWNER_PASSWORD, assertError, startServer } from './lib/server.mjs';

let fx;

before(async () => {
  fx = await startServer();
});

after(async () => {
  await fx?.stop();
});

/* A login forwarded for `xff`; a 503 of the login queue is sent again. */
async function loginVia(xff, email, password) {
  const headers = xff === null ? {} : { 'X-Forwarded-For': xff };
  let res;
  do {
    res = await fx.anon().post('/api/v1/session', { email, password }, { headers });
  } while (res.status === 503);
  return res;
}

test('50 failures of one client behind the proxy block that client only', async () => {
  /* The client wrote an address of its own in front; the proxy appended
   * the one it saw. */
  for (let i = 0; i < 50; i++) {
    const res = await loginVia(`198.51.100.2, 203.0.113.7`, `guess${i}@example.se`, 'x');
    assertError(res, 401, 'invalid_credentials');
  }
  const blocked = await loginVia('203.0.113.7', OWNER_EMAIL, OWNER_PASSWORD);
  assertError(blocked, 429, 'too_many_attempts');
  assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
  /* With white space around the entry: the same client. */
  assertError(await loginVia('10.0.0.1,   203.0.113.7  ', OWNER_EMAIL, OWNER_PASSWORD), 429,
    'too_many_attempts');
  /* The address the client wrote in front was not counted. */
  const other = await loginVia('198.51.100.2', OWNER_EMAIL, OWNER_PASSWORD);
  assert.equal(other.status, 200, other.text);
  assert.equal(other.body.user.email, OWNER_EMAIL);
  /* A forwarded address too long to be one is not used: the proxy itself. */
  const odd = await loginVia(`203.0.113.7, ${'9'.repeat(80)}`, OWNER_EMAIL, OWNER_PASSWORD);
  assert.equal(odd.status, 200, odd.text);
  /* Without the header: the loopback peer itself, never blocked by them. */
  const direct = await loginVia(null, OWNER_EMAIL, OWNER_PASSWORD);
  assert.equal(direct.status, 200, direct.text);
});

test('behind a proxy on [::1]: the forwarded client is the one blocked', async () => {
  const v6 = await startServer({ serveArgs: ['--listen', '[::1]:0'] });
  try {
    const via = async (xff, email, password) => {
      const headers = xff === null ? {} : { 'X-Forwarded-For': xff };
      let res;
      do {
        res = await v6.anon().post('/api/v1/session', { email, password }, { headers });
      } while (res.status === 503);
      return res;
    };
    for (let i = 0; i < 50; i++)
      assertError(await via('2001:db8::7', `guess${i}@example.se`, 'x'), 401, 'invalid_credentials');
    assertError(await via('2001:db8::7', OWNER_EMAIL, OWNER_PASSWORD), 429, 'too_many_attempts');
    const other = await via('2001:db8::8', OWNER_EMAIL, OWNER_PASSWORD);
    assert.equal(other.status, 200, other.text);
    const direct = await via(null, OWNER_EMAIL, OWNER_PASSWORD);
    assert.equal(direct.status, 200, direct.text);
  } finally {
    await v6.stop();
  }
});
