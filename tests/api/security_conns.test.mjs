/*
 * security_conns.test.mjs — connections a client may hold.  One address
 * holds at most --max-conns-per-ip connections (default 32): a client that
 * opens many connections and sends its headers a byte at a time (or never
 * finishes them) cannot take the connections everyone else needs.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startServer } from './lib/server.mjs';

let fx;
const held = [];

before(async () => {
  fx = await startServer();
});

after(async () => {
  for (const s of held) s.destroy();
  await fx?.stop();
});

/* A connection from 127.0.0.1 that starts a request and never ends its headers. */
function slowHeaders(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
    held.push(sock);
    sock.on('error', () => resolve(sock));
    sock.on('connect', () => sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a', () => resolve(sock)));
  });
}

/* GET /healthz from another address (127.0.0.2), with a generous limit. */
function healthFromElsewhere(port) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', localAddress: '127.0.0.2', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.setTimeout(15000, () => req.destroy(new Error('no answer to /healthz within 15 s')));
    req.on('error', reject);
  });
}

test('1 100 slow-header connections from one address leave /healthz answering for another', async () => {
  for (let i = 0; i < 1100; i += 100) {
    await Promise.all(Array.from({ length: 100 }, () => slowHeaders(fx.port)));
  }
  const res = await healthFromElsewhere(fx.port);
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.body).status, 'ok');
});
