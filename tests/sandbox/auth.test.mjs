// JWT authentication and access tokens (amili-api.md, Authentication).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startSandbox, call, newKeys, signJwt, nowS, partner, onboarded } from './helper.mjs';

let sb;
before(async () => { sb = await startSandbox(); });
after(async () => { assert.equal((await sb.stop()).code, 0); });

async function registerKey(apiCode) {
  const keys = newKeys();
  const pem = keys.publicKey.export({ type: 'spki', format: 'pem' });
  const r = await call(sb.url, 'POST', '/_sandbox/partners', { body: { api_code: apiCode, public_key: pem } });
  assert.equal(r.status, 201);
  return { keys, pem };
}

const authWith = (jwt) => call(sb.url, 'GET', '/authenticates/api-code', { headers: { 'X-API-Key': jwt } });

test('a good ES256 JWT gets a token valid for an hour that opens the API', async () => {
  const { keys } = await registerKey('good-code');
  const r = await authWith(signJwt(keys.privateKey, { api_code: 'good-code', exp: nowS() + 600 }));
  assert.equal(r.status, 200);
  assert.equal(r.body._status, 'OK');
  assert.match(r.body.token, /^[0-9a-f]{64}$/);
  assert.match(r.body.expires, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  const left = Date.parse(r.body.expires) / 1000 - nowS();
  assert.ok(left > 3500 && left <= 3600, `lifetime ${left}`);
  const list = await call(sb.url, 'GET', '/accounts', { token: r.body.token });
  assert.equal(list.status, 200);
  assert.deepEqual(list.body._items, []);
});

test('a wrong signature, an expired JWT, an unknown code or a far exp give 401', async () => {
  const { keys } = await registerKey('strict-code');
  const other = newKeys();
  const cases = [
    signJwt(other.privateKey, { api_code: 'strict-code', exp: nowS() + 600 }),
    signJwt(keys.privateKey, { api_code: 'strict-code', exp: nowS() - 5 }),
    signJwt(keys.privateKey, { api_code: 'strict-code' }),
    signJwt(keys.privateKey, { api_code: 'strict-code', exp: nowS() + 3600 }),
    signJwt(keys.privateKey, { api_code: 'nobody', exp: nowS() + 600 }),
    'not-a-jwt',
  ];
  for (const jwt of cases) {
    const r = await authWith(jwt);
    assert.equal(r.status, 401, jwt);
    assert.equal(r.body._status, 'ERR');
    assert.equal(r.body._error.code, 401);
  }
  const missing = await call(sb.url, 'GET', '/authenticates/api-code');
  assert.equal(missing.status, 401);
});

test('an HS256 token "signed" with the public key is refused', async () => {
  const { pem } = await registerKey('hs-code');
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ api_code: 'hs-code', exp: nowS() + 600 })}`;
  const sig = createHmac('sha256', pem).update(input).digest('base64url');
  assert.equal((await authWith(`${input}.${sig}`)).status, 401);
});

test('requests without a valid access token get 401 with the error body', async () => {
  for (const token of [undefined, 'f'.repeat(64), 'short']) {
    const r = await call(sb.url, 'GET', '/cases', { token });
    assert.equal(r.status, 401);
    assert.deepEqual(Object.keys(r.body).sort(), ['_error', '_status']);
    assert.equal(r.body._error.code, 401);
  }
});

test('a partner sees only what it created', async () => {
  const a = await onboarded(sb);
  const b = await partner(sb);
  assert.equal((await call(sb.url, 'GET', `/accounts/${a.account}`, { token: a.token })).status, 200);
  assert.equal((await call(sb.url, 'GET', `/accounts/${a.account}`, { token: b.token })).status, 404);
  assert.equal((await call(sb.url, 'GET', `/creditors/${a.creditor}`, { token: b.token })).status, 404);
  const list = await call(sb.url, 'GET', '/creditors', { token: b.token });
  assert.equal(list.body._meta.total, 0);
});

test('partner registration validates the key', async () => {
  const r = await call(sb.url, 'POST', '/_sandbox/partners', { body: { api_code: 'x', public_key: 'nope' } });
  assert.equal(r.status, 422);
  assert.ok(r.body._issues.public_key);
});
