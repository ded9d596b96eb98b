// Accounts, creditors and the activation rule.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, call, partner, ADDRESS, activeCreditorData } from './helper.mjs';

let sb, p;
before(async () => { sb = await startSandbox(); p = await partner(sb); });
after(async () => { await sb.stop(); });

const post = (path, body) => call(sb.url, 'POST', path, { token: p.token, body });

test('an account with initial creditor data answers 201 with _creditors', async () => {
  const r = await post('/accounts', {
    name: 'Exempel AB', organization_no: '556036-0793', standard_debt_description: 'Varor',
    initial_creditor_data: activeCreditorData(),
  });
  assert.equal(r.status, 201);
  assert.equal(r.body._status, 'OK');
  assert.match(r.body._id, /^[0-9a-f]{24}$/);
  for (const k of ['_etag', '_created', '_updated']) assert.ok(r.body[k], k);
  assert.equal(r.body._creditors.length, 1);
  const acc = await call(sb.url, 'GET', `/accounts/${r.body._id}`, { token: p.token });
  assert.equal(acc.body.name, 'Exempel AB');
  assert.equal(acc.body.initial_creditor_data, undefined, 'write-only');
  assert.deepEqual(acc.body.case_settings, { interest_rate: { reference_rate: true } });
  const cred = await call(sb.url, 'GET', `/creditors/${r.body._creditors[0]}`, { token: p.token });
  assert.equal(cred.body.account, r.body._id);
  assert.equal(cred.body.is_active, true);
  assert.equal(cred.body.name, 'Exempel AB');
});

test('account validation names the fields', async () => {
  const r = await post('/accounts', { organization_no: '556036-0794', bogus: 1 });
  assert.equal(r.status, 422);
  assert.equal(r.body._status, 'ERR');
  assert.equal(r.body._error.code, 422);
  assert.ok(r.body._issues.name);
  assert.ok(r.body._issues.organization_no);
  assert.ok(r.body._issues.bogus);
});

test('activation needs bankgiro, both addresses and a debt description', async () => {
  const acc = await post('/accounts', { name: 'Bolaget AB', organization_no: '5560360793' });
  assert.equal(acc.status, 201);
  const bad = await post('/creditors', {
    account: acc.body._id, name: 'Bolaget AB', organization_no: '5560360793', is_active: true,
    sender_address: { address_line_1: 'Gatan 2', city: 'Lund' },
  });
  assert.equal(bad.status, 422);
  assert.deepEqual(Object.keys(bad.body._issues).sort(), [
    'invoice_address', 'payout_details.sek.bankgiro', 'sender_address.country',
    'sender_address.zip_code', 'standard_debt_description',
  ]);
  // Inactive is fine without them; activation later by PATCH follows the same rule.
  const c = await post('/creditors', { account: acc.body._id, name: 'Bolaget AB', organization_no: '5560360793' });
  assert.equal(c.status, 201);
  const id = c.body._id;
  const p1 = await call(sb.url, 'PATCH', `/creditors/${id}`, { token: p.token, body: { is_active: true } });
  assert.equal(p1.status, 422);
  assert.ok(p1.body._issues['payout_details.sek.bankgiro']);
  const p2 = await call(sb.url, 'PATCH', `/creditors/${id}`, {
    token: p.token, headers: { 'If-Match': c.body._etag },
    body: { sender_address: ADDRESS, invoice_address: ADDRESS, standard_debt_description: 'Tjänster',
      payout_details: { sek: { bankgiro: '123' } }, is_active: true },
  });
  assert.equal(p2.status, 422);
  assert.deepEqual(Object.keys(p2.body._issues), ['payout_details.sek.bankgiro']);
  const p3 = await call(sb.url, 'PATCH', `/creditors/${id}`, {
    token: p.token, headers: { 'If-Match': c.body._etag },
    body: { sender_address: ADDRESS, invoice_address: ADDRESS, standard_debt_description: 'Tjänster',
      payout_details: { sek: { bankgiro: '5555-5555' } }, is_active: true },
  });
  assert.equal(p3.status, 200, JSON.stringify(p3.body));
  assert.notEqual(p3.body._etag, c.body._etag);
  const stale = await call(sb.url, 'PATCH', `/creditors/${id}`, {
    token: p.token, headers: { 'If-Match': c.body._etag }, body: { name: 'X' },
  });
  assert.equal(stale.status, 412);
  const got = await call(sb.url, 'GET', `/creditors/${id}`, { token: p.token });
  assert.equal(got.body.is_active, true);
  assert.equal(got.body.sender_address.city, 'Stockholm');
});

test('organization_no and non_swedish_organization_no never both; org numbers are checked', async () => {
  const acc = await post('/accounts', { name: 'Tredje AB', organization_no: '5560360793' });
  const both = await post('/creditors', {
    account: acc.body._id, name: 'T', organization_no: '5560360793', non_swedish_organization_no: 'DE123',
  });
  assert.equal(both.status, 422);
  assert.ok(both.body._issues.non_swedish_organization_no);
  const badOrg = await post('/creditors', { account: acc.body._id, name: 'T', organization_no: '556036-0794' });
  assert.equal(badOrg.status, 422);
  assert.ok(badOrg.body._issues.organization_no);
  const foreign = await post('/creditors', { account: acc.body._id, name: 'T GmbH', non_swedish_organization_no: 'DE123456789' });
  assert.equal(foreign.status, 201);
  const noAcc = await post('/creditors', { account: 'a'.repeat(24), name: 'T', organization_no: '5560360793' });
  assert.equal(noAcc.status, 422);
  assert.ok(noAcc.body._issues.account);
});

test('the agreement text and version', async () => {
  const r = await call(sb.url, 'GET', '/_sandbox/agreement');
  assert.equal(r.status, 200);
  assert.equal(r.body.version, '2025-1');
  assert.match(r.body.text, /inkasso/);
});
