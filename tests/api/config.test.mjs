/*
 * config.test.mjs — how `paminn serve` is configured: the INI file, the
 * environment and flags (flags > environment > INI > defaults), and refusing
 * to start without the reference rates.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { BIN, DATA_DIR, assertError, assertStatus, co, startServer } from './lib/server.mjs';

/* A customer body of exactly n bytes (padded with JSON whitespace). */
function paddedBody(n) {
  const core = '{"name":"Utfylld Kund"';
  return core + ' '.repeat(n - core.length - 1) + '}';
}

function ini(fx, lines) {
  return fx.file('paminn.ini', ['# test configuration', '[server]', ...lines, ''].join('\n'));
}

test('an INI file alone sets db, listen, data_dir and max_body', async () => {
  const fx = await startServer({
    args: (f) => ['serve', '--config', ini(f, [`db = ${f.db}`, 'listen = 127.0.0.1:0', `data_dir = ${DATA_DIR}`, 'max_body = 2048'])],
  });
  try {
    const anna = await fx.login();
    const C = co(fx.companyId);
    assertStatus(await anna.post(`${C}/customers`, paddedBody(2000)), 201);
    assertError(await anna.post(`${C}/customers`, paddedBody(3000)), 413, 'body_too_large');
    assert.equal(fx.count('customers'), 1);
  } finally {
    await fx.stop();
  }
});

test('--max-body beats the INI file', async () => {
  const fx = await startServer({
    args: (f) => ['serve', '--config', ini(f, [`db = ${f.db}`, 'listen = 127.0.0.1:0', `data_dir = ${DATA_DIR}`, 'max_body = 2048']),
      '--max-body', '8192'],
  });
  try {
    const anna = await fx.login();
    const C = co(fx.companyId);
    assertStatus(await anna.post(`${C}/customers`, paddedBody(6000)), 201);
    assertError(await anna.post(`${C}/customers`, paddedBody(9000)), 413, 'body_too_large');
  } finally {
    await fx.stop();
  }
});

test('the environment beats the INI file (PAMINN_DB, PAMINN_LISTEN, PAMINN_DATA_DIR)', async () => {
  /* Were the INI file's values used, the database could not be opened (its
   * directory does not exist) and port 1 could not be bound. */
  const fx = await startServer({
    args: (f) => ['serve', '--config', ini(f, [`db = ${path.join(f.dir, 'no-such-dir', 'other.db')}`, 'listen = 127.0.0.1:1',
      `data_dir = ${path.join(f.dir, 'no-such-dir')}`])],
    envFor: (f) => ({ PAMINN_DB: f.db, PAMINN_LISTEN: '127.0.0.1:0', PAMINN_DATA_DIR: DATA_DIR }),
  });
  try {
    assert.notEqual(fx.port, 1, 'listen came from the INI file, not PAMINN_LISTEN');
    const anna = await fx.login();
    assert.equal(anna.login.body.companies[0].name, 'Testbolaget AB');
  } finally {
    await fx.stop();
  }
});

test('flags beat the environment', async () => {
  const fx = await startServer({
    args: (f) => ['--db', f.db, '--data-dir', DATA_DIR, 'serve', '--listen', '127.0.0.1:0'],
    envFor: (f) => ({ PAMINN_DB: path.join(f.dir, 'no-such-dir', 'other.db'), PAMINN_LISTEN: '127.0.0.1:1',
      PAMINN_DATA_DIR: path.join(f.dir, 'no-such-dir') }),
  });
  try {
    assert.notEqual(fx.port, 1, 'listen came from PAMINN_LISTEN, not --listen');
    assertStatus(await fx.anon().get('/healthz'), 200);
    await fx.login();
  } finally {
    await fx.stop();
  }
});

test('without data/reference-rates.csv the server refuses to start', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'paminn-api-'));
  try {
    const db = path.join(dir, 'p.db');
    spawnSync(BIN, ['--db', db, 'migrate'], { encoding: 'utf8' });
    const res = spawnSync(BIN, ['--db', db, '--data-dir', dir, 'serve', '--listen', '127.0.0.1:0'],
      { encoding: 'utf8', timeout: 10000, env: { PATH: process.env.PATH } });
    assert.notEqual(res.status, 0, `started without reference rates: ${res.stdout}`);
    assert.equal(res.signal, null, 'it had to be killed: it did not refuse to start');
    assert.ok(!res.stdout.includes('listening'), res.stdout);
    assert.match(res.stderr, /reference-rates\.csv/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad --listen value is refused at start, naming what is wrong', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'paminn-api-'));
  try {
    const db = path.join(dir, 'p.db');
    spawnSync(BIN, ['--db', db, 'migrate'], { encoding: 'utf8' });
    const cases = [
      ['localhost:notaport', /is not HOST:PORT/],
      ['localhost:80x', /bad port in 'localhost:80x'/],
      ['127.0.0.1:65536', /bad port/],
      ['127.0.0.1:123456', /is not HOST:PORT/],
      ['127.0.0.1', /is not HOST:PORT/],
      [':8080', /is not HOST:PORT/],
      ['127.0.0.1:', /is not HOST:PORT/],
      ['[]:8080', /bad host/],
      [`${'h'.repeat(300)}:8080`, /bad host/],
      ['no-such-host.invalid:8080', /cannot resolve 'no-such-host\.invalid'/],
    ];
    for (const [listen, why] of cases) {
      const res = spawnSync(BIN, ['--db', db, '--data-dir', DATA_DIR, 'serve', '--listen', listen],
        { encoding: 'utf8', timeout: 20000, env: { PATH: process.env.PATH } });
      assert.equal(res.signal, null, `${listen}: it had to be killed: it did not refuse to start`);
      assert.notEqual(res.status, 0, `${listen}: started`);
      assert.ok(!res.stdout.includes('listening'), `${listen}: ${res.stdout}`);
      assert.match(res.stderr, why, `${listen}: ${res.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an IPv6 address to listen on, in brackets', async () => {
  const fx = await startServer({ serveArgs: ['--listen', '[::1]:0'] });
  try {
    assert.equal(fx.host, '[::1]');
    assertStatus(await fx.anon().get('/healthz'), 200);
    await fx.login();
  } finally {
    await fx.stop();
  }
});
