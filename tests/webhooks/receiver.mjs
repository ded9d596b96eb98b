/*
 * receiver.mjs — a real webhook receiver on 127.0.0.1 (node:http) for the
 * tests: it checks every request's signature as docs/webhooks.md tells an
 * integrator to (HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's
 * secret, compared in constant time), refuses the first `refuse` tries of
 * each event id with 503, and keeps what it saw.
 *
 *   const rx = await startReceiver({ refuse: 2 });
 *   rx.url                 http://127.0.0.1:PORT/hook
 *   rx.secret = '...'      the secret to check with (set after creating the endpoint)
 *   rx.tries               every request: {id, timestamp, signatureOk, status, body}
 *   rx.accepted            the requests answered 2xx, in arrival order
 *   rx.count(), rx.acceptedIds()
 *   await rx.stop()
 *
 * A request with a bad or missing signature is answered 401 and counted in
 * rx.badSignatures.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

export function sign(secret, timestamp, body) {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function signatureOk(secret, headers, body) {
  const ts = headers['paminn-webhook-timestamp'];
  const got = headers['paminn-webhook-signature'] ?? '';
  if (!secret || !/^\d+$/.test(ts ?? '')) return false;
  const want = Buffer.from(sign(secret, ts, body));
  const have = Buffer.from(got);
  return want.length === have.length && timingSafeEqual(want, have);
}

export async function startReceiver({ refuse = 0, status = 503 } = {}) {
  const seen = new Map(); /* event id -> tries so far */
  const rx = {
    secret: null,
    refuse,
    tries: [],
    accepted: [],
    badSignatures: 0,
    count: () => rx.accepted.length,
    acceptedIds: () => rx.accepted.map((a) => a.id),
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = req.headers['paminn-webhook-id'];
      const ok = signatureOk(rx.secret, req.headers, body);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      let code = 200;
      if (!ok) {
        code = 401;
        rx.badSignatures++;
      } else if (n <= rx.refuse) {
        code = status;
      }
      const entry = { id, timestamp: req.headers['paminn-webhook-timestamp'], signature: req.headers['paminn-webhook-signature'],
        signatureOk: ok, status: code, body };
      rx.tries.push(entry);
      if (code === 200) rx.accepted.push({ ...entry, event: JSON.parse(body) });
      res.writeHead(code, { 'Content-Type': 'text/plain' });
      res.end(code === 200 ? 'ok' : code === 401 ? 'bad signature' : `try ${n}: not yet`);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  rx.url = `http://127.0.0.1:${server.address().port}/hook`;
  rx.stop = () => new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
  return rx;
}
