/*
 * smtp.mjs — the SMTP sink of the e-mail tests (tests/lib/smtp_sink.py, a
 * real aiosmtpd server on 127.0.0.1 run with Debian's /usr/bin/python3) and
 * a reader of the messages it kept: headers unfolded, RFC 2047
 * encoded-words decoded, multipart parts split and their base64 decoded.
 *
 *   const sink = await startSink({ refuse: 'refuse', tempfail: 'slow', auth: 'u:p', tls: true });
 *   sink.url            smtp://127.0.0.1:PORT
 *   sink.messages()     [{ raw, headers, subject, parts: [{ headers, body (Buffer) }] }]
 *   await sink.arrived(pred, n)   those matching pred, once n of them are here
 *   await sink.stop()
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SINK = path.join(HERE, 'smtp_sink.py');
export const PYTHON = '/usr/bin/python3';

const sinks = new Set();
process.on('exit', () => {
  for (const s of sinks) {
    try {
      s.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/* A throwaway self-signed certificate (openssl) in dir: {cert, key}. */
export function selfSigned(dir) {
  const cert = path.join(dir, 'sink.crt');
  const key = path.join(dir, 'sink.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

export async function startSink(opts = {}) {
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'paminn-sink-'));
  const args = [SINK, '--dir', path.join(dir, 'mail')];
  if (opts.refuse) args.push('--refuse-rcpt', opts.refuse);
  if (opts.tempfail) args.push('--tempfail-rcpt', opts.tempfail, '--tempfail', String(opts.tempfailCount ?? 1));
  if (opts.auth) args.push('--auth', opts.auth);
  if (opts.port) args.push('--port', String(opts.port));
  if (opts.tls) {
    const { cert, key } = selfSigned(dir);
    args.push('--tls-cert', cert, '--tls-key', key);
  }
  const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  sinks.add(child);
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    sinks.delete(child);
    resolve({ code, signal });
  }));
  const port = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`the SMTP sink did not start: ${err}`)), 30000);
    lines.on('line', (line) => {
      const m = /^smtp-sink: listening on 127\.0\.0\.1:(\d+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`the SMTP sink exited (${JSON.stringify(e)}): ${err}`));
    });
  });
  const mailDir = path.join(dir, 'mail');
  return {
    port,
    dir,
    url: `smtp://127.0.0.1:${port}`,
    stderr: () => err,
    files: () => readdirSync(mailDir).filter((f) => f.endsWith('.eml')).sort(),
    count() {
      return this.files().length;
    },
    messages() {
      return this.files().map((f) => parseMessage(readFileSync(path.join(mailDir, f))));
    },
    /* The messages matching pred, once at least n are here.  The product
     * records a mail as sent just before it ends DATA, so "sent" in the
     * API may be seen a moment before the sink has the message. */
    async arrived(pred = () => true, n = 1, ms = 120000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const got = this.messages().filter(pred);
        if (got.length >= n) return got;
        if (Date.now() > deadline) throw new Error(`the SMTP sink holds ${got.length} matching messages, not ${n}, after ${ms} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      if (!opts.dir && !process.env.PAMINN_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/* After a kill -9 of the sender: the outbox's mails ([message_id,
 * lease_owner] rows) that never reached the sink (msgs).  A mail is
 * recorded as sent just before the end of its DATA (src/app/app_mail.c), so
 * a kill between the two loses that one mail and never sends one twice: at
 * most one may be missing, and only one the killed process (killedPid) was
 * sending.  Asserts that, and that no Message-ID arrived twice; returns the
 * missing ones. */
export function assertLostOnlyToKill(msgs, outbox, killedPid) {
  const ids = new Set(msgs.map((m) => m.headers['message-id']));
  assert.equal(ids.size, msgs.length, 'never two messages with one Message-ID');
  const lost = outbox.filter(([id]) => !ids.has(id));
  assert.ok(lost.length === 0 || (lost.length === 1 && lost[0][1].startsWith(`mail:${killedPid}:`)),
    `every mail of the outbox at the sink, or one fewer cut off by the kill: ${msgs.length} at the sink, ` +
    `missing ${JSON.stringify(lost)} (the killed server was process ${killedPid})`);
  assert.deepEqual([...ids].sort(), outbox.map(([id]) => id).filter((id) => ids.has(id)).sort(),
    'only the outbox\'s mails at the sink');
  return lost;
}

/* ---- reading a message ---- */

/* =?UTF-8?B?...?= and =?UTF-8?Q?...?= words decoded (blanks between words dropped). */
export function decodeWords(s) {
  return s.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, cs, enc, text) => {
    assert.match(cs, /^utf-8$/i, `charset ${cs}`);
    if (enc.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
    const bytes = text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (m, h) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  });
}

/* Head text into {name (lower case): value (unfolded, raw)}; also the raw lines. */
function parseHead(head) {
  const headers = {};
  const unfolded = head.replace(/\r\n([ \t])/g, '$1');
  for (const line of unfolded.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

export function parseMessage(buf) {
  const raw = buf.toString('latin1');
  const split = raw.indexOf('\r\n\r\n');
  assert.ok(split > 0, 'a message has a head and a body separated by CRLF CRLF');
  const head = raw.slice(0, split);
  const headers = parseHead(head);
  const msg = { raw, head, headers, subject: decodeWords(headers.subject ?? ''), parts: [] };
  const boundary = /boundary="([^"]+)"/.exec(headers['content-type'] ?? '')?.[1];
  if (!boundary) return msg;
  const body = raw.slice(split + 4);
  const chunks = body.split(`--${boundary}`);
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    const c = chunk.replace(/^\r\n/, '');
    const end = c.indexOf('\r\n\r\n');
    const ph = parseHead(c.slice(0, end));
    const content = c.slice(end + 4).replace(/\r\n$/, '');
    const data = /base64/i.test(ph['content-transfer-encoding'] ?? '')
      ? Buffer.from(content.replace(/\r\n/g, ''), 'base64')
      : Buffer.from(content, 'latin1');
    msg.parts.push({ headers: ph, body: data });
  }
  return msg;
}
