/*
 * auth.test.mjs — logging in and out, the session cookie, login rate limiting,
 * CSRF protection of cookie sessions, bearer tokens and roles.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  COMPANY_NAME, OWNER_EMAIL, OWNER_PASSWORD, assertError, assertStatus, co, customerBody, setCookies, startServer,
} from './lib/server.mjs';

let fx;
let other; /* a second company, with its own owner */
const users = {
  member: { email: 'mats@example.se', password: 'medlem12345', role: 'member' },
  reader: { email: 'rut@example.se', password: 'lasare12345', role: 'read_only' },
  limited: { email: 'lasse@example.se', password: 'ratelimit123' },
  bertil: { email: 'bertil@example.se', password: 'bertil12345' },
};

before(async () => {
  fx = await startServer({
    setup(f) {
      f.addUser(users.member.email, users.member.password, f.companyId, 'member');
      f.addUser(users.reader.email, users.reader.password, f.companyId, 'read_only');
      f.addUser(users.limited.email, users.limited.password, f.companyId);
      other = f.addCompany('Andra Bolaget AB', '556677-8899');
      f.addUser(users.bertil.email, users.bertil.password, other);
    },
  });
});
after(async () => {
  await fx?.stop();
});

describe('login and logout', () => {
  let anna;

  test('POST /session answers the user, the companies and a CSRF token, and sets a HttpOnly SameSite=Strict cookie', async () => {
    anna = await fx.login();
    const body = anna.login.body;
    assert.equal(body.user.email, OWNER_EMAIL);
    assert.equal(typeof body.user.id, 'number');
    assert.ok('name' in body.user, 'user.name missing');
    assert.deepEqual(body.companies, [{ id: fx.companyId, name: COMPANY_NAME, role: 'owner' }]);
    assert.equal(typeof body.csrf_token, 'string');
    assert.ok(body.csrf_token.length >= 16, 'csrf_token too short to be random');
    assert.match(anna.login.headers.get('content-type') ?? '', /^application\/json; ?charset=utf-8$/i);

    const cookie = setCookies(anna.login.headers).find((c) => c.startsWith('paminn_session='));
    assert.ok(cookie, 'no paminn_session cookie');
    const value = cookie.split(';')[0].slice('paminn_session='.length);
    assert.ok(value.length >= 22, `session cookie value too short to be random: ${value}`);
    const attrs = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
    assert.ok(attrs.includes('httponly'), `no HttpOnly in ${cookie}`);
    assert.ok(attrs.includes('samesite=strict'), `no SameSite=Strict in ${cookie}`);
    assert.ok(attrs.includes('path=/'), `no Path=/ in ${cookie}`);
    assert.ok(!attrs.includes('secure'), `Secure on a plain-HTTP request: ${cookie}`);
    /* The cookie value is not what the database keeps. */
    assert.equal(fx.count('sessions', `token_hash = '${value.replace(/'/g, "''")}'`), 0,
      'the session cookie is stored in clear text');
  });

  test('the cookie is Secure when the request came through HTTPS (X-Forwarded-Proto)', async () => {
    const res = await fx.anon().post('/api/v1/session', { email: OWNER_EMAIL, password: OWNER_PASSWORD },
      { headers: { 'X-Forwarded-Proto': 'https' } });
    assertStatus(res, 200);
    const cookie = setCookies(res.headers).find((c) => c.startsWith('paminn_session='));
    assert.ok(cookie, 'no paminn_session cookie');
    const attrs = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
    assert.ok(attrs.includes('secure'), `no Secure in ${cookie}`);
    assert.ok(attrs.includes('httponly') && attrs.includes('samesite=strict'), cookie);
  });

  test('GET /session with the cookie answers the same session', async () => {
    const res = await anna.get('/api/v1/session');
    assertStatus(res, 200);
    assert.equal(res.body.user.email, OWNER_EMAIL);
    assert.deepEqual(res.body.companies, anna.login.body.companies);
    assert.equal(res.body.csrf_token, anna.login.body.csrf_token);
  });

  test('without a cookie, or with a made-up one, the API answers 401 not_authenticated', async () => {
    assertError(await fx.anon().get('/api/v1/session'), 401, 'not_authenticated');
    assertError(await fx.anon().get('/api/v1/companies'), 401, 'not_authenticated');
    assertError(await fx.anon().get(`${co(fx.companyId)}/invoices`), 401, 'not_authenticated');
    const forged = await fx.anon().get('/api/v1/companies', { headers: { Cookie: 'paminn_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    assertError(forged, 401, 'not_authenticated');
  });

  test('DELETE /session without the CSRF token is refused and the session lives on', async () => {
    assertError(await anna.del('/api/v1/session', { csrf: false }), 403, 'csrf_token_invalid');
    assertStatus(await anna.get('/api/v1/session'), 200);
  });

  test('DELETE /session answers 204 and afterwards the cookie is worthless', async () => {
    const gone = await anna.del('/api/v1/session');
    assertStatus(gone, 204);
    assert.equal(gone.text, '');
    assertError(await anna.get('/api/v1/session'), 401, 'not_authenticated');
    assertError(await anna.get('/api/v1/companies'), 401, 'not_authenticated');
  });

  test('a wrong password and an unknown e-mail get the same 401 invalid_credentials', async () => {
    const wrong = await fx.anon().post('/api/v1/session', { email: OWNER_EMAIL, password: 'fel-losenord' });
    assertError(wrong, 401, 'invalid_credentials');
    assert.equal(setCookies(wrong.headers).filter((c) => c.startsWith('paminn_session=')).length, 0,
      'a failed login set a session cookie');
    const unknown = await fx.anon().post('/api/v1/session', { email: 'ingen@example.se', password: 'fel-losenord' });
    assertError(unknown, 401, 'invalid_credentials');
    assert.deepEqual(unknown.body, wrong.body, 'the answers tell a known e-mail from an unknown one');
  });

  test('error messages are Swedish by default and English with Accept-Language: en', async () => {
    const sv = await fx.anon().get('/api/v1/companies');
    const en = await fx.anon().get('/api/v1/companies', { headers: { 'Accept-Language': 'en-GB,en;q=0.9' } });
    assertError(sv, 401, 'not_authenticated');
    assertError(en, 401, 'not_authenticated');
    assert.notEqual(sv.body.error.message, en.body.error.message, 'the same message in both languages');
  });

  test('after 5 failed logins the 6th answers 429 with Retry-After, even with the right password', async () => {
    const { email, password } = users.limited;
    for (let i = 1; i <= 5; i++) {
      const res = await fx.anon().post('/api/v1/session', { email, password: `fel-${i}-losenord` });
      assertError(res, 401, 'invalid_credentials');
    }
    const res = await fx.anon().post('/api/v1/session', { email, password });
    assertError(res, 429, 'too_many_attempts');
    const retry = res.headers.get('retry-after');
    assert.match(retry ?? '', /^\d+$/, `Retry-After is not a number of seconds: ${retry}`);
    assert.ok(Number(retry) > 0 && Number(retry) <= 15 * 60, `Retry-After out of the 15-minute window: ${retry}`);
    assert.equal(setCookies(res.headers).filter((c) => c.startsWith('paminn_session=')).length, 0);
    /* Another user's login is not blocked by it. */
    const ok = await fx.login(users.member.email, users.member.password);
    assert.equal(ok.login.body.user.email, users.member.email);
  });
});

describe('CSRF protection of cookie sessions', () => {
  let anna;
  before(async () => {
    anna = await fx.login();
  });

  test('POST with the cookie but without X-CSRF-Token is refused and creates nothing', async () => {
    const before = fx.counts();
    assertError(await anna.post(`${co(fx.companyId)}/customers`, customerBody(), { csrf: false }), 403, 'csrf_token_invalid');
    assert.deepEqual(fx.counts(), before);
  });

  test('POST with a wrong X-CSRF-Token is refused and creates nothing', async () => {
    const before = fx.counts();
    const wrong = anna.csrf.slice(0, -1) + (anna.csrf.endsWith('0') ? '1' : '0');
    assertError(await anna.post(`${co(fx.companyId)}/customers`, customerBody(), { csrf: wrong }), 403, 'csrf_token_invalid');
    assertError(await anna.post(`${co(fx.companyId)}/customers`, customerBody(), { csrf: '' }), 403, 'csrf_token_invalid');
    assert.deepEqual(fx.counts(), before);
  });

  test('another session\'s CSRF token does not do', async () => {
    const second = await fx.login();
    assert.notEqual(second.csrf, anna.csrf, 'two sessions share one CSRF token');
    const before = fx.counts();
    assertError(await anna.post(`${co(fx.companyId)}/customers`, customerBody(), { csrf: second.csrf }), 403, 'csrf_token_invalid');
    assert.deepEqual(fx.counts(), before);
  });

  test('PATCH without the token changes nothing', async () => {
    const res = await anna.patch(co(fx.companyId), { name: 'Kapat AB' }, { csrf: false });
    assertError(res, 403, 'csrf_token_invalid');
    const now = await anna.get(co(fx.companyId));
    assertStatus(now, 200);
    assert.equal(now.body.name, COMPANY_NAME);
  });

  test('with the right token the same POST succeeds', async () => {
    const before = fx.count('customers');
    const res = await anna.post(`${co(fx.companyId)}/customers`, customerBody({ name: 'Med Token' }));
    assertStatus(res, 201);
    assert.equal(res.body.name, 'Med Token');
    assert.equal(fx.count('customers'), before + 1);
  });
});

describe('bearer tokens', () => {
  let anna;
  let token;
  before(async () => {
    anna = await fx.login();
  });

  test('the owner creates a token: 201 {id, name, token}, shown once and stored hashed', async () => {
    const res = await anna.post(`${co(fx.companyId)}/tokens`, { name: 'Integration' });
    assertStatus(res, 201);
    assert.equal(typeof res.body.id, 'number');
    assert.equal(res.body.name, 'Integration');
    assert.equal(typeof res.body.token, 'string');
    assert.ok(res.body.token.length >= 22, 'token too short to be random');
    token = res.body.token;
    const dump = fx.sql('select * from api_tokens');
    assert.ok(!dump.includes(token), 'the token is stored in clear text');
    assert.equal(fx.count('api_tokens', `company_id = ${fx.companyId}`), 1);
  });

  test('Authorization: Bearer reads and writes without any CSRF token', async () => {
    const api = fx.bearer(token);
    assertStatus(await api.get(`${co(fx.companyId)}/customers`), 200);
    const before = fx.count('customers');
    const res = await api.post(`${co(fx.companyId)}/customers`, customerBody({ name: 'Via Token AB', is_company: true }));
    assertStatus(res, 201);
    assert.equal(fx.count('customers'), before + 1);
    const inv = await api.post(`${co(fx.companyId)}/invoices`, {
      customer_id: res.body.id, invoice_date: '2025-05-01', due_date: '2025-05-31',
      lines: [{ description: 'Konsult', quantity_milli: 1000, unit_price_minor: 50000, vat_rate_bp: 2500, labour: false }],
    });
    assertStatus(inv, 201);
    const hist = await api.get(`${co(fx.companyId)}/invoices/${inv.body.id}/history`);
    assertStatus(hist, 200);
    assert.equal(hist.body.items[0].kind, 'created');
    assert.equal(hist.body.items[0].actor, 'token:Integration');
  });

  test('the token has the owner\'s rights, e.g. company settings', async () => {
    const res = await fx.bearer(token).patch(co(fx.companyId), { city: 'Västerås' });
    assertStatus(res, 200);
    assert.equal(res.body.city, 'Västerås');
  });

  test('a token cannot create tokens: 403 forbidden_role', async () => {
    const before = fx.count('api_tokens');
    assertError(await fx.bearer(token).post(`${co(fx.companyId)}/tokens`, { name: 'Mer' }), 403, 'forbidden_role');
    assert.equal(fx.count('api_tokens'), before);
  });

  test('company A\'s token on company B\'s paths answers 404, and writes nothing there', async () => {
    const api = fx.bearer(token);
    const before = fx.counts();
    assertError(await api.get(co(other)), 404, 'not_found');
    assertError(await api.get(`${co(other)}/customers`), 404, 'not_found');
    assertError(await api.get(`${co(other)}/invoices`), 404, 'not_found');
    assertError(await api.post(`${co(other)}/customers`, customerBody()), 404, 'not_found');
    assertError(await api.patch(co(other), { name: 'Kapat AB' }), 404, 'not_found');
    assert.deepEqual(fx.counts(), before);
    assert.equal(fx.sql(`select name from companies where id = ${other}`), 'Andra Bolaget AB');
  });

  test('a made-up or mangled token answers 401 not_authenticated', async () => {
    assertError(await fx.bearer('x' + token.slice(1)).get(`${co(fx.companyId)}/customers`), 401, 'not_authenticated');
    assertError(await fx.bearer('nonsense').get(`${co(fx.companyId)}/customers`), 401, 'not_authenticated');
  });

  test('creating tokens is for owners only: a member gets 403 forbidden_role', async () => {
    const mats = await fx.login(users.member.email, users.member.password);
    const before = fx.count('api_tokens');
    assertError(await mats.post(`${co(fx.companyId)}/tokens`, { name: 'Medlemmens' }), 403, 'forbidden_role');
    assert.equal(fx.count('api_tokens'), before);
  });
});

describe('roles', () => {
  let mats;
  let rut;
  let customer;
  before(async () => {
    mats = await fx.login(users.member.email, users.member.password);
    rut = await fx.login(users.reader.email, users.reader.password);
  });

  test('a member creates customers and invoices but may not change company settings', async () => {
    const res = await mats.post(`${co(fx.companyId)}/customers`, customerBody({ name: 'Medlemmens Kund' }));
    assertStatus(res, 201);
    customer = res.body;
    assertStatus(await mats.post(`${co(fx.companyId)}/invoices`, {
      customer_id: customer.id, invoice_date: '2025-05-01', due_date: '2025-05-31',
      lines: [{ description: 'Vara', quantity_milli: 2000, unit_price_minor: 10000, vat_rate_bp: 2500, labour: false }],
    }), 201);
    assertError(await mats.patch(co(fx.companyId), { payment_terms_days: 10 }), 403, 'forbidden_role');
    const company = await mats.get(co(fx.companyId));
    assertStatus(company, 200);
    assert.notEqual(company.body.payment_terms_days, 10);
  });

  test('read-only users can read', async () => {
    assertStatus(await rut.get(co(fx.companyId)), 200);
    assertStatus(await rut.get(`${co(fx.companyId)}/customers`), 200);
    assertStatus(await rut.get(`${co(fx.companyId)}/invoices`), 200);
    assertStatus(await rut.get(`${co(fx.companyId)}/invoices/counts`), 200);
  });

  test('read-only users get 403 forbidden_role on every change, and nothing changes', async () => {
    const before = fx.counts();
    assertError(await rut.post(`${co(fx.companyId)}/customers`, customerBody()), 403, 'forbidden_role');
    assertError(await rut.patch(`${co(fx.companyId)}/customers/${customer.id}`, { name: 'Ändrad' }), 403, 'forbidden_role');
    assertError(await rut.post(`${co(fx.companyId)}/invoices`, {
      customer_id: customer.id, invoice_date: '2025-05-01', due_date: '2025-05-31',
      lines: [{ description: 'Vara', quantity_milli: 1000, unit_price_minor: 10000, vat_rate_bp: 2500, labour: false }],
    }), 403, 'forbidden_role');
    assertError(await rut.patch(co(fx.companyId), { name: 'Ändrat AB' }), 403, 'forbidden_role');
    assertError(await rut.post(`${co(fx.companyId)}/tokens`, { name: 'x' }), 403, 'forbidden_role');
    assert.deepEqual(fx.counts(), before);
    const c = await rut.get(`${co(fx.companyId)}/customers/${customer.id}`);
    assertStatus(c, 200);
    assert.equal(c.body.name, 'Medlemmens Kund');
  });

  test('a read-only user still logs out', async () => {
    assertStatus(await rut.del('/api/v1/session'), 204);
    assertError(await rut.get('/api/v1/session'), 401, 'not_authenticated');
  });
});
