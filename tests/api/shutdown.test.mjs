/*
 * shutdown.test.mjs — SIGTERM while a request is in flight: the server stops
 * taking new connections, still answers the request it is in the middle of,
 * closes the store and exits 0; what that request wrote is in the database.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';

import { HealthProbe, PATIENCE_MS, assertStatus, co, deadline, isPg, startServer, waitFor } from './lib/server.mjs';

let fx;
let token;

before(async () => {
  fx = await startServer({ now: '2025-07-01' });
  const anna = await fx.login();
  const res = await anna.post(`${co(fx.companyId)}/tokens`, { name: 'shutdown' });
  assertStatus(res, 201);
  token = res.body.token;
});
after(() => {
  fx?.kill();
});

/* Everything a raw connection receives until it closes (a refused or reset
 * connection ends with what it got, usually nothing). */
function collect(sock) {
  let text = '';
  sock.setEncoding('utf8');
  sock.on('data', (d) => {
    text += d;
  });
  return new Promise((resolve) => {
    sock.on('close', () => resolve(text));
    sock.on('error', () => {});
  });
}

test('SIGTERM during a request: the request is answered, then the process exits 0', async () => {
  const body = Buffer.from(JSON.stringify({ name: 'Sista Kunden', country: 'SE' }));
  const half = Math.floor(body.length / 2);
  const probe = new HealthProbe(fx.port);
  /* Earlier requests have completed (they count until then). */
  await waitFor(async () => (await probe.get()).requests_in_flight === 0, PATIENCE_MS, 'no request in flight');
  const sock = net.connect(fx.port, '127.0.0.1');
  await new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  const answered = collect(sock);
  sock.write(`POST ${co(fx.companyId)}/customers HTTP/1.1\r\n` +
    `Host: 127.0.0.1:${fx.port}\r\n` +
    `Authorization: Bearer ${token}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${body.length}\r\n` +
    'Connection: close\r\n\r\n');
  sock.write(body.subarray(0, half));
  /* The server has read the request's head: it counts it in flight. */
  await waitFor(async () => (await probe.get()).requests_in_flight === 1, PATIENCE_MS, 'the POST in flight');

  fx.child.kill('SIGTERM');
  /* The server has taken the signal: it says so on a connection it had. */
  await waitFor(async () => (await probe.get()).stopping, PATIENCE_MS, 'the server stopping after SIGTERM');
  assert.equal(fx.exit, null, `the server exited with a request in flight: ${JSON.stringify(fx.exit)}`);
  assert.equal((await probe.get()).requests_in_flight, 1, 'the POST is still in flight');
  probe.close();

  /* A new connection is not served meanwhile: refused, or left unanswered
   * until the process ends (what it got is looked at after the exit). */
  const late = net.connect(fx.port, '127.0.0.1');
  late.on('connect', () => late.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
  const lateText = collect(late);

  sock.write(body.subarray(half));
  const answer = await answered;
  assert.match(answer, /^HTTP\/1\.[01] 201 /, `in-flight request not answered: ${JSON.stringify(answer.slice(0, 300))}`);
  assert.ok(answer.includes('Sista Kunden'), answer);

  const exit = await Promise.race([fx.exited, deadline(10000).then(() => null)]);
  assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGTERM: ${JSON.stringify(exit)}\n${fx.stderr().slice(-1500)}`);
  const lateAnswer = await Promise.race([lateText, deadline(PATIENCE_MS).then(() => 'still open after the exit')]);
  assert.doesNotMatch(lateAnswer, /^HTTP\/1\.[01] 200/, 'a new connection was served after SIGTERM');
  assert.notEqual(lateAnswer, 'still open after the exit');
  assert.equal(fx.count('customers', "name = 'Sista Kunden'"), 1);
  /* The store was closed cleanly: the database passes its integrity check
   * (SQLite's own; a PostgreSQL server keeps its files consistent itself). */
  if (!isPg) assert.equal(fx.sql('pragma integrity_check'), 'ok');
});

test('SIGINT on an idle server exits 0 promptly, also with an idle keep-alive connection open', async (t) => {
  const f = await startServer({ now: '2025-07-01' });
  try {
    /* A kept-alive connection that has had its answer, so it is idle. */
    const keep = new HealthProbe(f.port);
    assert.equal((await keep.get()).status, 'ok');
    const started = Date.now();
    f.child.kill('SIGINT');
    /* Within 10 s: it does not wait for the idle connection to time out
     * (30 s); how fast it goes is not asserted here. */
    const exit = await Promise.race([f.exited, deadline(10000).then(() => null)]);
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGINT: ${JSON.stringify(exit)}`);
    t.diagnostic(`shutdown took ${Date.now() - started} ms`);
    keep.close();
  } finally {
    f.kill();
  }
});
