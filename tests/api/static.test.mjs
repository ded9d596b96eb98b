/*
 * static.test.mjs — the web UI's files as a browser gets them from
 * `paminn serve --web-dir web`: index.html with its URLs naming the
 * current version, the other files with their content type, validators
 * and cache rules (a versioned URL of the current version is immutable,
 * any other no-cache), 304 for an If-None-Match naming the file's tag (a
 * list, a weak tag, `*`), HEAD without a body, and refusals: another
 * method 405 with Allow, a missing file, a directory, a path that leaves
 * the web directory or holds a control character 404, all as JSON errors.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { REPO, assertError, startServer } from './lib/server.mjs';

const WEB = path.join(REPO, 'web');
let fx;

before(async () => {
  fx = await startServer({ serveArgs: ['--web-dir', WEB] });
});

after(async () => {
  await fx?.stop();
});

/* A request with the path sent as written (fetch would normalise
 * "/js/../x" and percent-encode control characters). */
function rawGet(p, method = 'GET', headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: fx.port, path: p, method, headers }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function versionOfIndex() {
  const res = await fx.anon().get('/');
  const m = /href="v\/([0-9a-f]{12})\/css\/app\.css"/.exec(res.text);
  assert.ok(m, `index.html names no version: ${res.text.slice(0, 400)}`);
  return m[1];
}

test('index.html: its URLs name the current version, and so does its tag', async () => {
  const res = await fx.anon().get('/');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  const version = await versionOfIndex();
  assert.ok(!res.text.includes('v/dev/'), 'the placeholder was left in the page');
  assert.ok(res.text.includes(`src="v/${version}/js/app.js"`), res.text);
  const etag = res.headers.get('etag');
  assert.match(etag, new RegExp(`^"[0-9a-f]+-[0-9a-f]+-${version}"$`));
  /* /index.html is the same page with the same tag */
  const named = await fx.anon().get('/index.html');
  assert.equal(named.status, 200);
  assert.equal(named.text, res.text);
  assert.equal(named.headers.get('etag'), etag);
  /* asked again with its tag: 304 without a body */
  const again = await fx.anon().get('/', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  /* the tag of the file alone (no version) is another tag */
  const bare = etag.replace(`-${version}"`, '"');
  assert.equal((await fx.anon().get('/', { headers: { 'If-None-Match': bare } })).status, 200);
});

test('a file: its content type, tag and cache rule; 304 for its tag in a list, weak or *', async () => {
  const file = readFileSync(path.join(WEB, 'js', 'app.js'), 'utf8');
  const res = await fx.anon().get('/js/app.js');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.equal(res.text, file);
  const etag = res.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
  for (const inm of [etag, `"nope", ${etag}`, `W/${etag}`, '*', ` ,${etag} `]) {
    const r = await fx.anon().get('/js/app.js', { headers: { 'If-None-Match': inm } });
    assert.equal(r.status, 304, `If-None-Match: ${inm}`);
    assert.equal(r.text, '');
  }
  for (const inm of ['"nope"', etag.slice(0, -2) + '"', 'W/', ',']) {
    const r = await fx.anon().get('/js/app.js', { headers: { 'If-None-Match': inm } });
    assert.equal(r.status, 200, `If-None-Match: ${inm}`);
    assert.equal(r.text, file);
  }
  const css = await fx.anon().get('/css/app.css');
  assert.equal(css.status, 200);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
});

test('a versioned URL: immutable when it names the current version, no-cache otherwise', async () => {
  const version = await versionOfIndex();
  const file = readFileSync(path.join(WEB, 'js', 'app.js'), 'utf8');
  const current = await fx.anon().get(`/v/${version}/js/app.js`);
  assert.equal(current.status, 200);
  assert.equal(current.text, file);
  assert.equal(current.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const old = await fx.anon().get('/v/000000000000/js/app.js');
  assert.equal(old.status, 200);
  assert.equal(old.text, file);
  assert.equal(old.headers.get('cache-control'), 'no-cache');
  /* "/v/x" without a file part is a path of its own: not found */
  assertError(await rawGet('/v/x').then(asJson), 404, 'not_found');
});

test('HEAD: the headers of GET without the body', async () => {
  const get = await rawGet('/js/app.js');
  const head = await rawGet('/js/app.js', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers.etag, get.headers.etag);
  assert.equal(head.headers['content-type'], get.headers['content-type']);
});

function asJson(res) {
  let body = res.text;
  try {
    body = JSON.parse(res.text);
  } catch {
    /* left as text: assertError names it */
  }
  return { status: res.status, headers: res.headers, text: res.text, body };
}

test('another method than GET or HEAD: 405 naming GET, HEAD', async () => {
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const res = asJson(await rawGet('/js/app.js', method));
    assertError(res, 405, 'method_not_allowed');
    assert.equal(res.headers.allow, 'GET, HEAD');
  }
});

test('missing files, directories and paths out of the web directory: 404', async () => {
  for (const p of ['/nope.js', '/js', '/js/', '/js/../index.html', '/./index.html', '/js//app.js',
    '/..', '/js\\app.js', '/js/%00app.js', 'index.html']) {
    const res = asJson(await rawGet(p));
    if (p === 'index.html') {
      /* not an origin-form path at all: refused before routing */
      assert.ok(res.status >= 400 && res.status < 500, `${p}: ${res.status}`);
      continue;
    }
    assertError(res, 404, 'not_found');
  }
  /* the server is still there and the file still served */
  assert.equal((await fx.anon().get('/js/app.js')).status, 200);
});

test('the health check: GET and HEAD only', async () => {
  const res = asJson(await rawGet('/healthz', 'POST'));
  assertError(res, 405, 'method_not_allowed');
  assert.equal(res.headers.allow, 'GET, HEAD');
  assert.equal((await rawGet('/healthz', 'HEAD')).status, 200);
});
