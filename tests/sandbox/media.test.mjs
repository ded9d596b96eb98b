// POST /media--upload/{case_id}: the original invoice, and each documented 400.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, call, onboarded, register, debt, getCase } from './helper.mjs';

let sb, o, caseId;
before(async () => {
  sb = await startSandbox({ now: '2025-04-10' });
  o = await onboarded(sb);
  caseId = (await register(sb, o, [debt()])).body._cases[0];
});
after(async () => { await sb.stop(); });

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

function form({ domain = 'cases', dotted = 'original_invoice', type = 'application/pdf', file = PDF, skip = [] } = {}) {
  const f = new FormData();
  if (!skip.includes('domain')) f.append('domain', domain);
  if (!skip.includes('dotted_path')) f.append('dotted_path', dotted);
  if (!skip.includes('file')) f.append('file', new Blob([file], { type }), 'faktura.pdf');
  return f;
}
const upload = (id, body) => call(sb.url, 'POST', `/media--upload/${id}`, { token: o.token, body });

test('a PDF upload answers 201 with a URL that serves the file', async () => {
  const r = await upload(caseId, form());
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body._status, 'OK');
  assert.match(r.body.url, /^http:\/\/127\.0\.0\.1:\d+\/media\/[0-9a-f]{24}$/);
  const c = await getCase(sb, o, caseId);
  assert.equal(c.original_invoice, r.body.url);
  const res = await fetch(r.body.url, { headers: { 'X-API-Key': o.token } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), PDF);
  const png = await upload(caseId, form({ type: 'image/png', file: Buffer.from([0x89, 0x50, 0x4e, 0x47]) }));
  assert.equal(png.status, 201);
});

test('each documented 400, and 404 for an unknown case', async () => {
  const expect = async (f, re, status = 400) => {
    const r = await upload(caseId, f);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body._status, 'ERR');
    assert.match(r.body._error.message, re);
  };
  await expect(form({ domain: 'accounts' }), /invalid domain/);
  await expect(form({ skip: ['domain'] }), /invalid domain/);
  await expect(form({ skip: ['dotted_path'] }), /missing dotted path/);
  await expect(form({ dotted: 'debt.invoice' }), /invalid dotted path/);
  await expect(form({ skip: ['file'] }), /missing file/);
  await expect(form({ type: 'text/plain' }), /content type not allowed/);
  const r = await upload('0'.repeat(24), form());
  assert.equal(r.status, 404);
  const json = await call(sb.url, 'POST', `/media--upload/${caseId}`, { token: o.token, body: { file: 'x' } });
  assert.equal(json.status, 400);
});
