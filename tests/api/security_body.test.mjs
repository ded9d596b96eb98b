/*
 * security_body.test.mjs — what a request body may cost the server before
 * the caller is known.  An API route that needs a caller checks the session
 * (and its CSRF token) or the bearer token on the headers, before a byte of
 * the body is read: strangers' uploads get 401 and the server does not grow.
 * All requests together buffer at most a fixed budget of body bytes; past
 * it a request gets 503 with Retry-After before its body is read.
 *
 * Raw sockets with `Expect: 100-continue`: the client sends the body only
 * when the server asks for it (100 Continue), as curl does for uploads.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { co, startServer } from './lib/server.mjs';

const MIB = 1024 * 1024;
const UPLOAD = 16 * MIB - 4096; /* just under the BgMax route's limit */

/* The peak resident size of the server, in bytes (VmHWM of /proc/PID/status). */
function peakRss(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'no VmHWM in /proc/PID/status');
  return Number(m[1]) * 1024;
}

/*
 * POST `size` bytes to path on port with extra headers from the loopback
 * address `from`, sending the body only after 100 Continue; resolves
 * {status, head, text} of the final answer.
 */
function upload(port, path, size, headers = {}, from = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress: from });
    let got = '';
    let sent = false;
    const head = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: text/plain',
      `Content-Length: ${size}`, 'Expect: 100-continue', 'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    sock.setEncoding('latin1');
    sock.on('connect', () => sock.write(head));
    sock.on('data', (d) => {
      got += d;
      if (!sent && /^HTTP\/1\.1 100 /.test(got) && got.includes('\r\n\r\n')) {
        sent = true;
        got = got.slice(got.indexOf('\r\n\r\n') + 4);
        const chunk = Buffer.alloc(MIB, 0x30);
        let left = size;
        const pump = () => {
          while (left > 0) {
            const n = Math.min(left, chunk.length);
            left -= n;
            if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
              sock.once('drain', pump);
              return;
            }
          }
        };
        pump();
      }
    });
    sock.on('error', reject);
    sock.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(got);
      if (!m) return reject(new Error(`no answer: ${JSON.stringify(got.slice(0, 200))}`));
      const end = got.indexOf('\r\n\r\n');
      resolve({ status: Number(m[1]), head: got.slice(0, end), text: got.slice(end + 4) });
    });
  });
}

describe('bodies before the caller is known', () => {
  let fx;
  before(async () => {
    fx = await startServer();
  });
  after(async () => {
    await fx?.stop();
  });

  test('64 unauthenticated 16 MiB uploads all get 401 and the server stays small', async () => {
    const path = `${co(fx.companyId)}/payments/bgmax`;
    const answers = await Promise.all(Array.from({ length: 64 }, (_, i) =>
      upload(fx.port, path, UPLOAD, i % 2 ? { Cookie: `paminn_session=${'0'.repeat(64)}` } : { Authorization: 'Bearer junk' },
        `127.0.0.${1 + (i % 4)}`))); /* four addresses: within the per-address connection limit */
    for (const a of answers) {
      assert.equal(a.status, 401, a.head);
      assert.equal(JSON.parse(a.text).error.code, 'not_authenticated');
    }
    /* Buffering them would take over 1 GiB; the server as such needs tens of MB. */
    const peak = peakRss(fx.child.pid);
    assert.ok(peak < 200 * MIB, `peak RSS ${(peak / MIB).toFixed(0)} MiB`);
  });

  test('a session without its CSRF token is refused on the headers too (403)', async () => {
    const anna = await fx.login();
    const a = await upload(fx.port, `${co(fx.companyId)}/payments/bgmax`, UPLOAD, { Cookie: anna.cookie });
    assert.equal(a.status, 403, a.head);
    assert.equal(JSON.parse(a.text).error.code, 'csrf_token_invalid');
  });

  test('past the budget of body bytes in flight: 503 with Retry-After, the body unread', async () => {
    const anna = await fx.login();
    const tok = await anna.post(`${co(fx.companyId)}/tokens`, { name: 'uploads' });
    assert.equal(tok.status, 201, tok.text);
    /* 64 MiB in all: the fifth concurrent 16 MiB upload does not fit */
    const answers = await Promise.all(Array.from({ length: 6 }, () =>
      upload(fx.port, `${co(fx.companyId)}/payments/bgmax`, UPLOAD, { Authorization: `Bearer ${tok.body.token}` })));
    const busy = answers.filter((a) => a.status === 503);
    assert.ok(busy.length >= 2, `statuses: ${answers.map((a) => a.status).join(' ')}`);
    for (const a of busy) {
      assert.match(a.head, /\r\nRetry-After: \d+/i);
      assert.equal(JSON.parse(a.text).error.code, 'server_busy');
    }
    for (const a of answers.filter((x) => x.status !== 503)) assert.equal(a.status, 422, a.text.slice(0, 200));
    assert.equal(fx.count('payments'), 0);
  });
});
