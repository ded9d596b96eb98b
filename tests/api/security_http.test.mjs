/*
 * security_http.test.mjs — request framing that two HTTP parsers may read
 * differently (a proxy in front and Påminn behind: request smuggling), and
 * a bare CR inside a header.  Each is refused 400 malformed_request before
 * routing, as is a Content-Length that is not a plain decimal number; the
 * same Content-Length sent twice is read as one.  (A NUL inside a header
 * value is not seen: libmicrohttpd 0.9.75 ends the value there.)  Raw
 * sockets: fetch would not send these.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startServer } from './lib/server.mjs';

let fx;

before(async () => {
  fx = await startServer();
});

after(async () => {
  await fx?.stop();
});

/* Send raw bytes, read until the server closes; {status, body}. */
function raw(bytes) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(fx.port, '127.0.0.1');
    const parts = [];
    sock.on('connect', () => sock.end(Buffer.from(bytes, 'latin1')));
    sock.on('data', (d) => parts.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      const text = Buffer.concat(parts).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      if (!m) return reject(new Error(`no answer: ${JSON.stringify(text.slice(0, 200))}`));
      resolve({ status: Number(m[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    sock.setTimeout(15000, () => sock.destroy(new Error('no answer within 15 s')));
  });
}

const LOGIN = '{"email":"anna@example.se","password":"fel"}';

function login(headers, body = LOGIN) {
  return raw(`POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n${headers}\r\n${body}`);
}

async function refused(headers, body) {
  const res = await login(headers, body);
  assert.equal(res.status, 400, `${JSON.stringify(headers)}: ${res.status} ${res.body.slice(0, 200)}`);
  assert.equal(JSON.parse(res.body).error.code, 'malformed_request');
}

test('a well-formed login goes through (the control)', async () => {
  const res = await login(`Content-Length: ${LOGIN.length}\r\n`);
  assert.equal(res.status, 401, res.body);
});

test('Transfer-Encoding together with Content-Length: 400', async () => {
  const chunked = `${LOGIN.length.toString(16)}\r\n${LOGIN}\r\n0\r\n\r\n`;
  await refused(`Content-Length: ${LOGIN.length}\r\nTransfer-Encoding: chunked\r\n`, chunked);
});

test('two different Content-Lengths: 400', async () => {
  await refused(`Content-Length: ${LOGIN.length}\r\nContent-Length: ${LOGIN.length - 5}\r\n`);
});

test('a bare CR inside a header: 400', async () => {
  await refused(`Content-Length: ${LOGIN.length}\r\nX-Note: a\rb\r\n`);
});

test('the same Content-Length twice frames the body alike: read as once', async () => {
  const res = await login(`Content-Length: ${LOGIN.length}\r\nContent-Length: ${LOGIN.length}\r\n`);
  assert.equal(res.status, 401, res.body);
});

test('a Content-Length that is not a plain decimal number: 400', async () => {
  for (const len of [`+${LOGIN.length}`, `${LOGIN.length}x`]) {
    const res = await login(`Content-Length: ${len}\r\n`);
    assert.equal(res.status, 400, `Content-Length: ${len}: ${res.status} ${res.body.slice(0, 200)}`);
  }
});
