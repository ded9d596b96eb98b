/*
 * shutdown.test.mjs — SIGTERM while a request is in flight: the server stops
 * taking new connections, still answers the request it is in the middle of,
 * closes the store and exits 0; what that request wrote is in the database.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';

import { assertStatus, co, isPg, startServer } from './lib/server.mjs';

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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('SIGTERM during a request: the request is answered, then the process exits 0', async () => {
  const body = Buffer.from(JSON.stringify({ name: 'Sista Kunden', country: 'SE' }));
  const half = Math.floor(body.length / 2);
  const sock = net.connect(fx.port, '127.0.0.1');
  await new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  let answer = '';
  sock.setEncoding('utf8');
  sock.on('data', (d) => {
    answer += d;
  });
  const closed = new Promise((resolve) => {
    sock.on('close', resolve);
    sock.on('error', () => {});
  });
  sock.write(`POST ${co(fx.companyId)}/customers HTTP/1.1\r\n` +
    `Host: 127.0.0.1:${fx.port}\r\n` +
    `Authorization: Bearer ${token}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${body.length}\r\n` +
    'Connection: close\r\n\r\n');
  sock.write(body.subarray(0, half));
  await sleep(300); /* the server has the request's head and half its body */

  fx.child.kill('SIGTERM');
  await sleep(400);
  assert.equal(fx.exit, null, `the server exited with a request in flight: ${JSON.stringify(fx.exit)}`);

  /* A new connection is not served meanwhile (refused, or never answered). */
  const late = await new Promise((resolve) => {
    let text = '';
    const s = net.connect(fx.port, '127.0.0.1');
    s.setEncoding('utf8');
    s.on('connect', () => s.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    s.on('data', (d) => {
      text += d;
    });
    s.on('error', () => {});
    s.on('close', () => resolve(text));
    setTimeout(() => {
      s.destroy();
      resolve(text);
    }, 1000);
  });
  assert.doesNotMatch(late, /^HTTP\/1\.[01] 200/, 'a new connection was served after SIGTERM');

  sock.write(body.subarray(half));
  await closed;
  assert.match(answer, /^HTTP\/1\.[01] 201 /, `in-flight request not answered: ${JSON.stringify(answer.slice(0, 300))}`);
  assert.ok(answer.includes('Sista Kunden'), answer);

  const exit = await Promise.race([fx.exited, sleep(10000).then(() => null)]);
  assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGTERM: ${JSON.stringify(exit)}\n${fx.stderr().slice(-1500)}`);
  assert.equal(fx.count('customers', "name = 'Sista Kunden'"), 1);
  /* The store was closed cleanly: the database passes its integrity check
   * (SQLite's own; a PostgreSQL server keeps its files consistent itself). */
  if (!isPg) assert.equal(fx.sql('pragma integrity_check'), 'ok');
});

test('SIGINT on an idle server exits 0 promptly, also with an idle keep-alive connection open', async (t) => {
  const f = await startServer({ now: '2025-07-01' });
  try {
    const keep = net.connect(f.port, '127.0.0.1');
    await new Promise((resolve) => keep.once('connect', resolve));
    keep.on('error', () => {});
    keep.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await sleep(200);
    const started = Date.now();
    f.child.kill('SIGINT');
    /* Within 10 s: it does not wait for the idle connection to time out
     * (30 s); how fast it goes is not asserted here. */
    const exit = await Promise.race([f.exited, sleep(10000).then(() => null)]);
    assert.deepEqual(exit, { code: 0, signal: null }, `exit after SIGINT: ${JSON.stringify(exit)}`);
    t.diagnostic(`shutdown took ${Date.now() - started} ms`);
    keep.destroy();
  } finally {
    f.kill();
  }
});
