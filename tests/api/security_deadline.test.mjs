/*
 * security_deadline.test.mjs — a request's head has a deadline that a
 * trickle does not extend.  A client that sends its header one byte a
 * second (each byte well inside the 30 s inactivity timeout) is closed once
 * --header-timeout has passed; a request whose head came in time is
 * answered however slowly its body follows, and kept-alive connections
 * still serve request after request.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { deadline, paminn, startServer } from './lib/server.mjs';

const HEAD_TIMEOUT_S = 2;
/* A bound that only turns a hang into a loud failure: without the deadline
 * the trickle below would go on for ever (it stops at this bound). */
const BOUND_MS = 90000;

let fx;

before(async () => {
  fx = await startServer({ serveArgs: ['--header-timeout', String(HEAD_TIMEOUT_S)] });
});

after(async () => {
  await fx?.stop();
});

/* Open a connection and send `head` one byte a second until the server
 * closes the connection or BOUND_MS passes.  Resolves {closed, sentBytes,
 * seconds, answer}. */
function trickle(head) {
  return new Promise((resolve) => {
    const sock = net.connect({ port: fx.port, host: '127.0.0.1' });
    const started = Date.now();
    let sent = 0;
    let answer = '';
    let timer = null;
    const finish = (closed) => {
      clearInterval(timer);
      sock.destroy();
      resolve({ closed, sentBytes: sent, seconds: (Date.now() - started) / 1000, answer });
    };
    sock.setEncoding('utf8');
    sock.on('data', (d) => {
      answer += d;
    });
    sock.on('close', () => finish(true));
    sock.on('error', () => {});
    sock.on('connect', () => {
      sock.write(head[sent++]);
      timer = setInterval(() => {
        if (Date.now() - started > BOUND_MS) return finish(false);
        if (sent < head.length) sock.write(head[sent++]);
      }, 1000);
    });
  });
}

test('a header sent one byte a second is cut off at the deadline', async () => {
  const head = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(200);
  const res = await trickle(head);
  assert.ok(res.closed, `the server still held the trickling connection after ${res.seconds} s (${res.sentBytes} bytes sent)`);
  /* still trickling when cut: its head was never complete */
  assert.ok(res.sentBytes < head.length, `the whole head went out (${res.sentBytes} bytes)`);
  assert.equal(res.answer, '', 'no answer to a request whose head never ended');
});

test('a slow body after a complete head is not cut by the head deadline', async () => {
  const body = JSON.stringify({ email: 'nobody@example.se', password: 'fel-lösenord' });
  const head = 'POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  /* the body's first bytes one a second, the rest at once */
  const answer = await new Promise((resolve, reject) => {
    const sock = net.connect({ port: fx.port, host: '127.0.0.1' });
    let text = '';
    let i = 0;
    sock.setEncoding('utf8');
    sock.on('data', (d) => {
      text += d;
    });
    sock.on('close', () => resolve(text));
    sock.on('error', reject);
    sock.on('connect', () => {
      sock.write(head);
      const timer = setInterval(() => {
        if (i < 2 * HEAD_TIMEOUT_S + 2) {
          sock.write(body[i++]);
          return;
        }
        clearInterval(timer);
        sock.write(body.slice(i));
      }, 1000);
    });
    deadline(BOUND_MS).then(() => sock.destroy(new Error(`no answer within ${BOUND_MS} ms`)));
  });
  assert.match(answer, /^HTTP\/1\.1 401 /, `the slow login got no answer: ${JSON.stringify(answer.slice(0, 200))}`);
  assert.match(answer, /invalid_credentials/);
});

test('a kept-alive connection serves one request after another', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: fx.port, path: '/healthz', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, socket: res.socket }));
    }).on('error', reject);
  });
  const first = await get();
  const second = await get();
  agent.destroy();
  assert.equal(first.status, 200);
  assert.equal(second.status, 200);
  assert.equal(first.socket, second.socket, 'the second request did not reuse the connection');
});

test('--header-timeout takes 1..3600 seconds', () => {
  for (const bad of ['0', '3601', 'x']) {
    assert.throws(() => paminn(['--db', fx.db, 'serve', '--header-timeout', bad]),
      (err) => err.status === 2 && /--header-timeout/.test(err.stderr), `--header-timeout ${bad} accepted`);
  }
});
