/*
 * activation.test.mjs — the start view and activation of Visma Amili over
 * real HTTP: paminn serve wired to a real amili-sandbox.
 *
 * What a user or integration notices: the terms text and version come from
 * the agency; missing company settings are listed by field; refusals name
 * the field and change nothing; activation records who accepted which
 * version when, onboards the company once (account + active creditor at
 * the agency), and a second activation repeats nothing; an agency refusal
 * is kept as "failed" with the agency's reason; without --amili-url the
 * Amili routes answer 503; the access token is sealed at rest.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, isPg } from '../api/lib/server.mjs';
import { COMPANY, OWNER, assertStatus, startStack } from './lib/stack.mjs';

describe('Amili activation', () => {
  let s;
  before(async () => {
    s = await startStack();
  });
  after(async () => {
    await s?.stop();
  });

  test('the start view shows the agency terms and nothing accepted yet', async () => {
    const res = await s.client.get(`${s.api}/amili`);
    assertStatus(res, 200);
    assert.equal(res.body.activated, false);
    assert.equal(res.body.state, 'not_activated');
    assert.equal(res.body.terms.version, '2025-1');
    assert.match(res.body.terms.text, /inkasso/);
    assert.equal(res.body.accepted_by, null);
    assert.equal(res.body.accepted_at, null);
    assert.deepEqual(res.body.missing, []);
    assert.equal(res.body.agency_url, s.sb.base);
  });

  test('bad activation bodies are refused with the field named and change nothing', async () => {
    const url = `${s.api}/amili/activation`;
    assertError(await s.client.post(url, { accept_terms: false, terms_version: '2025-1' }), 422,
      'terms_not_accepted', 'accept_terms');
    assertError(await s.client.post(url, { terms_version: '2025-1' }), 422, 'required', 'accept_terms');
    assertError(await s.client.post(url, { accept_terms: 'yes', terms_version: '2025-1' }), 422, undefined,
      'accept_terms');
    assertError(await s.client.post(url, { accept_terms: true }), 422, 'required', 'terms_version');
    assertError(await s.client.post(url, { accept_terms: true, terms_version: '2025-1', x: 1 }), 422,
      'unknown_field', 'x');
    assertError(await s.client.post(url, { accept_terms: true, terms_version: '2024-9' }), 409,
      'terms_version_outdated', 'terms_version');
    assert.equal(s.scalar('select count(*) from amili_activations'), '0');
    const counters = await s.counters();
    assert.equal(counters.requests['POST /accounts'], undefined);
  });

  test('incomplete company settings are listed, and activation names the first missing field', async () => {
    const patch = await s.client.patch(s.api, { bankgiro: '', zip_code: '' });
    assertStatus(patch, 200);
    const show = await s.client.get(`${s.api}/amili`);
    assert.deepEqual(show.body.missing.map((m) => m.field), ['company.zip_code', 'company.bankgiro']);
    assert.ok(show.body.missing.every((m) => m.code && m.message));
    const res = await s.client.post(`${s.api}/amili/activation`, { accept_terms: true, terms_version: '2025-1' });
    assertError(res, 422, 'company_incomplete', 'company.zip_code');
    assert.deepEqual(res.body.missing.map((m) => m.code), ['missing_zip_code', 'missing_bankgiro']);
    assert.equal(s.scalar('select count(*) from amili_activations'), '0');
    assertStatus(await s.client.patch(s.api, { bankgiro: COMPANY.bankgiro, zip_code: COMPANY.zip }), 200);
  });

  test('only an owner may activate', async () => {
    s.cli(['user', 'add', '--email', 'member@example.se', '--password', 'hemligt123', '--company',
      String(s.companyId), '--role', 'member']);
    const client = await s.login('member@example.se', 'hemligt123');
    assertError(await client.post(`${s.api}/amili/activation`, { accept_terms: true, terms_version: '2025-1' }),
      403, 'forbidden_role');
  });

  test('an agency refusal is kept as failed with the reason, and a retry activates', async () => {
    await s.faults([{ method: 'POST', path_prefix: '/accounts', mode: 'status', status: 422, count: 1 }]);
    const res = await s.client.post(`${s.api}/amili/activation`, { accept_terms: true, terms_version: '2025-1' });
    assertError(res, 502, 'agency_refused');
    assert.equal(res.body.state, 'failed');
    assert.equal(res.body.activated, false);
    assert.ok(res.body.failure.reason.length > 0);
    const show = await s.client.get(`${s.api}/amili`);
    assert.equal(show.body.state, 'failed');
    assert.equal(show.body.accepted_by, OWNER.email);

    const ok = await s.client.post(`${s.api}/amili/activation`, { accept_terms: true, terms_version: '2025-1' });
    assertStatus(ok, 200);
    assert.equal(ok.body.state, 'active');
    assert.equal(ok.body.activated, true);
    assert.equal(ok.body.accepted_by, OWNER.email);
    assert.equal(ok.body.terms_version, '2025-1');
    assert.match(ok.body.accepted_at, /^2025-06-16T\d\d:\d\d:\d\dZ$/);
    assert.match(ok.body.account_id, /^[0-9a-f]{24}$/);
    assert.match(ok.body.creditor_id, /^[0-9a-f]{24}$/);
    assert.equal(ok.body.failure, null);
  });

  test('the company is onboarded once, with its org. number, address and bankgiro', async () => {
    const again = await s.client.post(`${s.api}/amili/activation`, { accept_terms: true, terms_version: '2025-1' });
    assertStatus(again, 200);
    assert.equal(again.body.state, 'active');
    const counters = await s.counters();
    /* The refused attempt and the successful one: no third. */
    assert.equal(counters.requests['POST /accounts'], 2);
    const row = s.rows('select account_id, creditor_id, state, terms_version from amili_activations')[0];
    assert.equal(row.state, 'active');
    assert.equal(row.account_id, again.body.account_id);
    /* What the agency holds about the creditor. */
    const cred = await s.agencyGet(`/creditors/${row.creditor_id}`);
    assert.equal(cred.status, 200);
    assert.equal(cred.body.is_active, true);
    assert.equal(cred.body.organization_no.replace('-', ''), '5560360793');
    assert.equal(cred.body.payout_details.sek.bankgiro, COMPANY.bankgiro);
    assert.equal(cred.body.sender_address.address_line_1, COMPANY.address);
    assert.equal(cred.body.sender_address.city, COMPANY.city);
  });

  test('the access token is sealed at rest', () => {
    const rows = s.rows(`select ${isPg ? "encode(sealed, 'hex')" : 'hex(sealed)'} as h, length(sealed) as n from agency_tokens`);
    assert.equal(rows.length, 1);
    /* 64 hex digits of token + 40 bytes of nonce and MAC, and no 64-digit
     * hex run (the token in clear) anywhere in the blob. */
    assert.equal(rows[0].n, 64 + 40);
    const bytes = Buffer.from(rows[0].h, 'hex').toString('latin1');
    assert.doesNotMatch(bytes, /[0-9a-f]{32}/);
  });
});

describe('Amili not configured', () => {
  let s;
  before(async () => {
    s = await startStack({ noAgency: true });
  });
  after(async () => {
    await s?.stop();
  });

  test('every Amili route answers 503 agency_not_configured, the rest works', async () => {
    assertError(await s.client.get(`${s.api}/amili`), 503, 'agency_not_configured');
    assertError(await s.client.post(`${s.api}/amili/activation`, { accept_terms: true, terms_version: '2025-1' }),
      503, 'agency_not_configured');
    assertError(await s.client.post(`${s.api}/amili/handovers`, { invoice_ids: [1] }), 503, 'agency_not_configured');
    assertError(await s.client.get(`${s.api}/amili/handovers/1`), 503, 'agency_not_configured');
    const cu = await s.customer();
    const inv = await s.invoice(cu.id);
    const show = await s.show(inv.id);
    assert.equal(show.amili.eligible, false);
    assert.equal(show.amili.reasons[0].code, 'company_not_activated');
    assert.equal(show.amili.case, null);
  });
});

