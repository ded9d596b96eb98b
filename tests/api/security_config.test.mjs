/*
 * security_config.test.mjs — settings that decide what travels in clear.
 * With --public-url https://... the session cookie is Secure whatever the
 * proxy says; the agency's address must be https:// (plain http:// only to
 * this machine, or with --now for tests).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BIN, DATA_DIR, OWNER_EMAIL, OWNER_PASSWORD, setCookies, startServer } from './lib/server.mjs';

async function sessionCookie(serveArgs) {
  const fx = await startServer({ serveArgs });
  try {
    const res = await fx.anon().post('/api/v1/session', { email: OWNER_EMAIL, password: OWNER_PASSWORD });
    assert.equal(res.status, 200, res.text);
    return setCookies(res.headers).find((c) => c.startsWith('paminn_session='));
  } finally {
    await fx.stop();
  }
}

test('--public-url https://...: the session cookie is Secure; without it (plain http) it is not', async () => {
  assert.match(await sessionCookie(['--public-url', 'https://paminn.example.se']), /;\s*Secure/);
  assert.doesNotMatch(await sessionCookie([]), /Secure/);
});

test('--public-url must be an http(s) address (exit 2, the option named)', () => {
  const r = spawnSync(BIN, ['serve', '--public-url', 'paminn.example.se'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--public-url/);
});

test('an http:// agency on another machine is refused without --now; https:// and loopback are not', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'paminn-sec-'));
  try {
    const run = (url, extra = []) => spawnSync(BIN, ['--db', path.join(dir, 'x.db'), '--data-dir', DATA_DIR, ...extra,
      'serve', '--listen', '127.0.0.1:0', '--amili-url', url, '--amili-api-code', 'x', '--amili-key', path.join(dir, 'none.pem'), '--secret-key', path.join(dir, 'secret.key')],
    { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    for (const url of ['http://amili.example.se', 'http://127.0.0.1.example.se/api', 'ftp://amili.example.se']) {
      const r = run(url);
      assert.equal(r.status, 2, `${url}: ${r.stderr}`);
      assert.match(r.stderr, /--amili-url: .* is not https:\/\//);
    }
    /* these pass the address check and stop at the missing key file instead */
    for (const [url, extra] of [['https://amili.example.se', []], ['http://127.0.0.1:8090', []], ['http://amili.example.se', ['--now', '2026-03-02']]]) {
      const r = run(url, extra);
      assert.doesNotMatch(r.stderr, /is not https/, `${url}: ${r.stderr}`);
      assert.match(r.stderr, /--amili-key|secret/, `${url}: ${r.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
