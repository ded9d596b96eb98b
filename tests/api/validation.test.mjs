/*
 * validation.test.mjs — hostile and mistaken input is refused with a clear
 * 4xx that names the field, and a refused request changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, assertStatus, co, createCustomer, customerBody, invoiceBody, line, startServer } from './lib/server.mjs';

let fx;
let anna;
let C; /* the company's API prefix */
let customer;

before(async () => {
  fx = await startServer({ now: '2025-07-01' });
  anna = await fx.login();
  C = co(fx.companyId);
  customer = await createCustomer(anna, fx.companyId, { name: 'Giltig Kund' });
});
after(async () => {
  await fx?.stop();
});

/* Send, expect the error, and prove that no table gained or lost a row. */
async function refused(send, status, code, field) {
  const before = fx.counts();
  const res = await send();
  assertError(res, status, code, field);
  assert.deepEqual(fx.counts(), before, 'a refused request changed the database');
  return res;
}

describe('customers', () => {
  test('a customer without a name: 422 required, field "name"', async () => {
    const body = customerBody();
    delete body.name;
    await refused(() => anna.post(`${C}/customers`, body), 422, 'required', 'name');
    await refused(() => anna.post(`${C}/customers`, {}), 422, 'required', 'name');
  });

  test('country "Sweden": 422, field "country"', async () => {
    const res = await refused(() => anna.post(`${C}/customers`, customerBody({ country: 'Sweden' })), 422, undefined, 'country');
    assert.ok(['invalid_value', 'too_long'].includes(res.body.error.code), res.text);
    await refused(() => anna.post(`${C}/customers`, customerBody({ country: 'XX' })), 422, 'invalid_value', 'country');
  });

  test('a personnummer with a wrong check digit: 422 invalid_value, field "id_number"', async () => {
    await refused(() => anna.post(`${C}/customers`, customerBody({ id_number: '19121212-1213' })), 422, 'invalid_value', 'id_number');
    /* An organisationsnummer for a company, with a wrong check digit. */
    await refused(() => anna.post(`${C}/customers`, customerBody({ is_company: true, id_number: '556036-0794' })), 422, 'invalid_value', 'id_number');
  });

  test('the refusal says why: reason "check_digit" for a wrong last digit, "swedish_zip_code" for a Swedish customer\'s postal code', async () => {
    let res = await refused(() => anna.post(`${C}/customers`, customerBody({ is_company: true, id_number: '556036-0794' })), 422, 'invalid_value', 'id_number');
    assert.equal(res.body.error.reason, 'check_digit');
    res = await refused(() => anna.post(`${C}/customers`, customerBody({ id_number: '19121212' })), 422, 'invalid_value', 'id_number');
    assert.equal(res.body.error.reason, undefined);
    res = await refused(() => anna.post(`${C}/customers`, customerBody({ country: 'SE', zip_code: 'ABCDE' })), 422, 'invalid_value', 'zip_code');
    assert.equal(res.body.error.reason, 'swedish_zip_code');
    /* A foreign postal code is the other country's business. */
    const foreign = await anna.post(`${C}/customers`, customerBody({ name: 'Fjellheim AS', country: 'NO', zip_code: 'N-0154', id_number: '' }));
    assertStatus(foreign, 201);
  });

  test('valid identity numbers are stored and returned in display form', async () => {
    const person = await createCustomer(anna, fx.companyId, { name: 'Tolvan Tolvansson', id_number: '191212121212' });
    assert.equal(person.id_number, '19121212-1212');
    const org = await createCustomer(anna, fx.companyId, { name: 'Kundbolaget AB', is_company: true, id_number: '5566778899' });
    assert.equal(org.id_number, '556677-8899');
    const got = await anna.get(`${C}/customers/${org.id}`);
    assertStatus(got, 200);
    assert.equal(got.body.id_number, '556677-8899');
    assert.equal(got.body.is_company, true);
    assert.equal(got.body.country, 'SE');
  });

  test('e-mail addresses without @, without a dot in the domain or without a local part: 422, field "email"', async () => {
    for (const email of ['kund.example.se', 'kund@localhost', '@example.se', 'kund@', 'a@b@example.se']) {
      await refused(() => anna.post(`${C}/customers`, customerBody({ email })), 422, 'invalid_value', 'email');
    }
  });

  test('a customer number already in use: 409 duplicate_number, field "number"', async () => {
    await createCustomer(anna, fx.companyId, { name: 'Nummer Ett', number: 'K-100' });
    await refused(() => anna.post(`${C}/customers`, customerBody({ name: 'Nummer Två', number: 'K-100' })), 409, 'duplicate_number', 'number');
  });

  test('a card saved without a customer number gets the next one, as the form promises', async () => {
    /* One above the highest number made of digits; others (K-100) do not count. */
    await createCustomer(anna, fx.companyId, { name: 'Numrerad', number: '5000' });
    await createCustomer(anna, fx.companyId, { name: 'Bokstäver', number: 'K-9999' });
    const first = await createCustomer(anna, fx.companyId, { name: 'Utan nummer 1' });
    assert.equal(first.number, '5001');
    const second = await createCustomer(anna, fx.companyId, { name: 'Utan nummer 2', number: '' });
    assert.equal(second.number, '5002');
    const got = await anna.get(`${C}/customers/${second.id}`);
    assertStatus(got, 200);
    assert.equal(got.body.number, '5002');
  });

  test('SQL metacharacters are stored and returned verbatim', async () => {
    const name = "Robert'); DROP TABLE customers;--";
    const created = await createCustomer(anna, fx.companyId, { name, city: '"; DELETE FROM invoices; --' });
    assert.equal(created.name, name);
    const got = await anna.get(`${C}/customers/${created.id}`);
    assertStatus(got, 200);
    assert.equal(got.body.name, name);
    assert.equal(got.body.city, '"; DELETE FROM invoices; --');
    const found = await anna.get(`${C}/customers?q=${encodeURIComponent("Robert');")}`);
    assertStatus(found, 200);
    assert.deepEqual(found.body.items.map((c) => c.name), [name]);
    assert.ok(fx.count('customers') >= 2, 'the customers table lost its rows');
    assert.equal(fx.sql(`select name from customers where company_id = ${fx.companyId} and id = ${created.id}`), name);
  });

  test('Swedish letters and other valid UTF-8 survive the round trip', async () => {
    const name = 'Åsa Öberg-Ängström 🚀 Łódź';
    const created = await createCustomer(anna, fx.companyId, { name });
    assert.equal(created.name, name);
    assert.equal((await anna.get(`${C}/customers/${created.id}`)).body.name, name);
  });

  test('invalid UTF-8 bytes in a text field: 422 invalid_value, field "name"', async () => {
    for (const bad of [Buffer.from([0xc3, 0x28]), Buffer.from([0xff]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xc0, 0xaf])]) {
      const raw = Buffer.concat([Buffer.from('{"name":"Kund '), bad, Buffer.from('","country":"SE"}')]);
      await refused(() => anna.post(`${C}/customers`, undefined, { raw, headers: { 'Content-Type': 'application/json' } }),
        422, 'invalid_value', 'name');
    }
  });

  test('a control character in a text field: 422 invalid_value', async () => {
    await refused(() => anna.post(`${C}/customers`, customerBody({ name: 'Kund\u0001AB' })), 422, 'invalid_value', 'name');
    await refused(() => anna.post(`${C}/customers`, customerBody({ city: 'Väster\u0007ås' })), 422, 'invalid_value', 'city');
    await refused(() => anna.post(`${C}/customers`, customerBody({ name: 'Kund\nAB' })), 422, 'invalid_value', 'name');
  });

  test('an escaped NUL (\\u0000, valid JSON) in a text field: 422 invalid_value, not 400', async () => {
    await refused(() => anna.post(`${C}/customers`, customerBody({ name: 'Kund\u0000AB' })), 422, 'invalid_value', 'name');
  });

  test('an over-long name: 422 too_long, field "name"', async () => {
    await refused(() => anna.post(`${C}/customers`, customerBody({ name: 'x'.repeat(1000) })), 422, 'too_long', 'name');
  });

  test('an unknown field: 422 unknown_field naming it', async () => {
    await refused(() => anna.post(`${C}/customers`, customerBody({ nmae: 'Stavfel' })), 422, 'unknown_field', 'nmae');
  });

  test('a field of the wrong type: 422 invalid_value naming it', async () => {
    await refused(() => anna.post(`${C}/customers`, customerBody({ is_company: 'ja' })), 422, 'invalid_value', 'is_company');
    await refused(() => anna.post(`${C}/customers`, customerBody({ name: 42 })), 422, 'invalid_value', 'name');
  });

  test('PATCH with a bad value changes nothing of the customer', async () => {
    const before = (await anna.get(`${C}/customers/${customer.id}`)).body;
    await refused(() => anna.patch(`${C}/customers/${customer.id}`, { name: 'Nytt Namn', country: 'Sweden' }), 422, undefined, 'country');
    await refused(() => anna.patch(`${C}/customers/${customer.id}`, { name: '' }), 422, undefined, 'name');
    await refused(() => anna.patch(`${C}/customers/${customer.id}`, { nmae: 'x' }), 422, 'unknown_field', 'nmae');
    assert.deepEqual((await anna.get(`${C}/customers/${customer.id}`)).body, before);
  });

  test('PATCH with good values changes only those', async () => {
    const res = await anna.patch(`${C}/customers/${customer.id}`, { city: 'Umeå', zip_code: '903 25' });
    assertStatus(res, 200);
    assert.equal(res.body.city, 'Umeå');
    assert.equal(res.body.zip_code, '903 25');
    assert.equal(res.body.name, 'Giltig Kund');
  });
});

describe('invoices', () => {
  test('vat_rate_bp 2000: 422 invalid_value, field "lines[0].vat_rate_bp"', async () => {
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { lines: [line(10000, { vat_rate_bp: 2000 })] })),
      422, 'invalid_value', 'lines[0].vat_rate_bp');
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { lines: [line(10000), line(500, { vat_rate_bp: 2400 })] })),
      422, 'invalid_value', 'lines[1].vat_rate_bp');
  });

  test('impossible date 2025-02-30: 422 invalid_value, field "invoice_date"', async () => {
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { invoice_date: '2025-02-30' })), 422, 'invalid_value', 'invoice_date');
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { due_date: '2025-6-1' })), 422, 'invalid_value', 'due_date');
  });

  test('a due date before the invoice date is refused', async () => {
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { invoice_date: '2025-05-01', due_date: '2025-04-30' })), 422, undefined, 'due_date');
  });

  test('a negative quantity: 422 out_of_range, field "lines[0].quantity_milli"', async () => {
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { lines: [line(10000, { quantity_milli: -1 })] })),
      422, 'out_of_range', 'lines[0].quantity_milli');
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { lines: [line(10000, { quantity_milli: 0 })] })),
      422, 'out_of_range', 'lines[0].quantity_milli');
  });

  test('an amount that overflows 64 bits is refused (422 out_of_range on the line)', async () => {
    /* Written by hand: JSON.stringify would round the number. */
    const raw = `{"customer_id":${customer.id},"invoice_date":"2025-05-01","due_date":"2025-05-31","lines":[` +
      '{"description":"Stort","quantity_milli":1000,"unit_price_minor":9223372036854775807,"vat_rate_bp":2500,"labour":false}]}';
    const res = await refused(() => anna.post(`${C}/invoices`, undefined, { raw, headers: { 'Content-Type': 'application/json' } }), 422, 'out_of_range');
    assert.match(res.body.error.field ?? '', /^lines\[0\]/, res.text);
    const twice = `{"customer_id":${customer.id},"invoice_date":"2025-05-01","due_date":"2025-05-31","lines":[` +
      '{"description":"Stort","quantity_milli":2000,"unit_price_minor":9223372036854775807,"vat_rate_bp":0,"labour":false}]}';
    const res2 = await refused(() => anna.post(`${C}/invoices`, undefined, { raw: twice, headers: { 'Content-Type': 'application/json' } }), 422, 'out_of_range');
    assert.match(res2.body.error.field ?? '', /^lines\[0\]/, res2.text);
  });

  test('a number beyond int64 where öre are expected: 422 naming the field (valid JSON, so not 400)', async () => {
    const huge = `{"customer_id":${customer.id},"invoice_date":"2025-05-01","due_date":"2025-05-31","lines":[` +
      '{"description":"x","quantity_milli":1000,"unit_price_minor":99999999999999999999,"vat_rate_bp":2500,"labour":false}]}';
    const res = await refused(() => anna.post(`${C}/invoices`, undefined, { raw: huge, headers: { 'Content-Type': 'application/json' } }), 422, undefined, 'lines[0].unit_price_minor');
    assert.ok(['invalid_value', 'out_of_range'].includes(res.body.error.code), res.text);
  });

  test('a fraction where whole öre are expected: 422 invalid_value naming the field', async () => {
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { lines: [line(100.5)] })), 422, 'invalid_value', 'lines[0].unit_price_minor');
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { lines: [line(1000, { quantity_milli: '1000' })] })), 422, 'invalid_value', 'lines[0].quantity_milli');
  });

  test('an invoice without lines, or without customer_id, names the field', async () => {
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { lines: [] })), 422, undefined, 'lines');
    const body = invoiceBody(customer.id);
    delete body.customer_id;
    await refused(() => anna.post(`${C}/invoices`, body), 422, 'required', 'customer_id');
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(987654)), 422, undefined, 'customer_id');
  });

  test('currency and kind must be known values', async () => {
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { currency: 'sek' })), 422, 'invalid_value', 'currency');
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { kind: 'green' })), 422, 'invalid_value', 'kind');
  });

  test('ROT without buyers: 422, field "buyers"', async () => {
    await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { kind: 'rot', invoice_date: '2026-03-01', due_date: '2026-03-31', lines: [line(100000, { labour: true })] })),
      422, undefined, 'buyers');
  });

  test('an unknown field inside a line is refused', async () => {
    const res = await refused(() => anna.post(`${C}/invoices`, invoiceBody(customer.id, { lines: [line(10000, { rabatt: 5 })] })), 422, 'unknown_field');
    assert.match(res.body.error.field ?? '', /rabatt$/, res.text);
  });
});

describe('company settings', () => {
  test('out-of-range and unknown values: 422 naming the field, company unchanged', async () => {
    const before = (await anna.get(C)).body;
    await refused(() => anna.patch(C, { payment_terms_days: 366 }), 422, 'out_of_range', 'payment_terms_days');
    await refused(() => anna.patch(C, { payment_terms_days: -1 }), 422, 'out_of_range', 'payment_terms_days');
    await refused(() => anna.patch(C, { reminder_fee_minor: 6001 }), 422, 'out_of_range', 'reminder_fee_minor');
    await refused(() => anna.patch(C, { accounting_method: 'both' }), 422, 'invalid_value', 'accounting_method');
    await refused(() => anna.patch(C, { language: 'de' }), 422, 'invalid_value', 'language');
    await refused(() => anna.patch(C, { organization_no: '556036-0794' }), 422, 'invalid_value', 'organization_no');
    await refused(() => anna.patch(C, { city: 'Umeå', reminder_fee_minor: 6001 }), 422, 'out_of_range', 'reminder_fee_minor');
    assert.deepEqual((await anna.get(C)).body, before);
  });

  test('valid settings are saved; the org. number is shown with its dash', async () => {
    const res = await anna.patch(C, { organization_no: '5560360793', payment_terms_days: 20, reminder_fee_agreed: true, reminder_fee_minor: 6000, accounting_method: 'cash', language: 'en' });
    assertStatus(res, 200);
    assert.equal(res.body.organization_no, '556036-0793');
    assert.equal(res.body.payment_terms_days, 20);
    assert.equal(res.body.reminder_fee_agreed, true);
    assert.equal(res.body.reminder_fee_minor, 6000);
    assert.equal(res.body.accounting_method, 'cash');
    assert.equal(res.body.language, 'en');
    const got = await anna.get(C);
    assert.deepEqual(got.body, res.body);
  });
});

describe('the request itself', () => {
  test('malformed JSON: 400 malformed_json', async () => {
    await refused(() => anna.post(`${C}/customers`, '{"name": "Kund",'), 400, 'malformed_json');
    await refused(() => anna.post(`${C}/customers`, '{"name": "Kund"} trailing'), 400, 'malformed_json');
    await refused(() => anna.post(`${C}/customers`, ''), 400, 'malformed_json');
  });

  test('a JSON body that is not an object is refused (400 or 422) and changes nothing', async () => {
    for (const text of ['["Kund"]', '"Kund"', 'null', '42']) {
      const before = fx.counts();
      const res = await anna.post(`${C}/customers`, text);
      assert.ok([400, 422].includes(res.status), `${text} → ${res.status} ${res.text}`);
      assert.ok(res.body?.error?.code, res.text);
      assert.deepEqual(fx.counts(), before);
    }
  });

  test('a body over 1 MiB: 413 body_too_large', async () => {
    const big = JSON.stringify(customerBody({ name: 'x'.repeat(1024 * 1024 + 10) }));
    await refused(() => anna.post(`${C}/customers`, big), 413, 'body_too_large');
  });

  test('a body that is not application/json: 415 unsupported_media_type', async () => {
    const body = JSON.stringify(customerBody());
    await refused(() => anna.post(`${C}/customers`, undefined, { raw: body, headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type');
    await refused(() => anna.post(`${C}/customers`, undefined, { raw: 'name=Kund', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
    await refused(() => anna.patch(`${C}/customers/${customer.id}`, undefined, { raw: body, headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type');
  });

  test('application/json with a charset parameter is accepted', async () => {
    const res = await anna.post(`${C}/customers`, customerBody({ name: 'Charset Kund' }), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    assertStatus(res, 201);
  });

  test('query parameters are checked: 400 invalid_query naming the parameter', async () => {
    assertError(await anna.get(`${C}/invoices?status=late`), 400, 'invalid_query', 'status');
    assertError(await anna.get(`${C}/invoices?sort=amount`), 400, 'invalid_query', 'sort');
    assertError(await anna.get(`${C}/invoices?limit=0`), 400, 'invalid_query', 'limit');
    assertError(await anna.get(`${C}/invoices?limit=201`), 400, 'invalid_query', 'limit');
    assertError(await anna.get(`${C}/invoices?limit=ten`), 400, 'invalid_query', 'limit');
    assertError(await anna.get(`${C}/invoices?cursor=not-a-cursor`), 400, 'invalid_query', 'cursor');
    assertStatus(await anna.get(`${C}/invoices?limit=200`), 200);
  });
});
