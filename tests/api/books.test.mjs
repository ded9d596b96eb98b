/*
 * books.test.mjs — the money side over real HTTP: vouchers made by invoices,
 * payments and customer losses (hand-checked BAS rows), balance enforced by
 * the database itself, numbering per company and year, the customer-loss
 * refusals and the agency choice, the SIE 4 export read back by a parser
 * here (CP437, #KSUMMA, every voucher balancing and equal to the API's),
 * and the receivables aging.
 *
 * The server's clock is fixed at 2026-06-15 (Stockholm).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BIN, assertError, assertStatus, co, createCustomer, createInvoice, isPg, line, startServer } from './lib/server.mjs';
import { parseSie } from './lib/sie.mjs';

let fx;
let anna;
let C;
let kund;
let bolag;

/* The rows of a voucher as "D 1510 12500.00" strings, sorted. */
function rowsOf(v) {
  return v.rows
    .map((r) => (r.debit_minor ? `D ${r.account} ${r.debit_minor}` : `C ${r.account} ${r.credit_minor}`))
    .sort();
}

async function vouchers(query = '') {
  const res = await anna.get(`${C}/vouchers${query}`);
  assertStatus(res, 200);
  return res.body.items;
}

async function vouchersOf(invoiceId) {
  return (await vouchers()).filter((v) => v.invoice_id === invoiceId);
}

/* Write SQL to the database beside the server (fixtures the agency side makes). */
function sqlWrite(query) {
  return fx.exec(query);
}

/* 12 500 kr gross: 10 000 + 2 500 VAT. */
async function invoice12500(customerId, extra = {}) {
  return createInvoice(anna, fx.companyId, customerId, {
    invoice_date: '2026-01-10',
    due_date: '2026-02-09',
    lines: [line(1000000)],
    ...extra,
  });
}

before(async () => {
  fx = await startServer({ now: '2026-06-15' });
  anna = await fx.login();
  C = co(fx.companyId);
  assertStatus(await anna.patch(C, { name: 'Testbolaget Åkerö AB', bankgiro: '991-2346', address_line_1: 'Storgatan 1',
    zip_code: '722 15', city: 'Västerås', phone: '021-12 34 56' }), 200);
  kund = await createCustomer(anna, fx.companyId, { name: 'Tolvan Tolvansson', id_number: '19121212-1212' });
  bolag = await createCustomer(anna, fx.companyId, { name: 'Kund AB', is_company: true, id_number: '556036-0793' });
});
after(async () => {
  await fx?.stop();
});

describe('vouchers of invoices and payments', () => {
  test('an invoice issued: D 1510, C 3001 per rate, C 2611', async () => {
    const inv = await invoice12500(bolag.id);
    const [v] = await vouchersOf(inv.id);
    assert.equal(v.source, 'invoice');
    assert.equal(v.date, '2026-01-10');
    assert.equal(v.text, `Faktura ${inv.number} Kund AB`);
    assert.deepEqual(rowsOf(v), ['C 2611 250000', 'C 3001 1000000', 'D 1510 1250000']);
  });

  test('sales without VAT book where the reason says: reverse charge on building services 3231, goods to the EU 3108', async () => {
    const bygg = await anna.post(`${C}/invoices`, {
      customer_id: bolag.id, zero_vat: 'construction', invoice_date: '2026-02-01', due_date: '2026-03-03',
      lines: [line(800000, { vat_rate_bp: 0, description: 'Takläggning' })],
    });
    assertStatus(bygg, 201);
    assert.equal(bygg.body.zero_vat, 'construction');
    assert.deepEqual(rowsOf((await vouchersOf(bygg.body.id))[0]), ['C 3231 800000', 'D 1510 800000']);
    const tysk = await createCustomer(anna, fx.companyId, { name: 'Holzbau GmbH', is_company: true, country: 'DE', zip_code: '10115', city: 'Berlin' });
    const varor = await anna.post(`${C}/invoices`, {
      customer_id: tysk.id, zero_vat: 'goods', invoice_date: '2026-02-01', due_date: '2026-03-03',
      lines: [line(300000, { vat_rate_bp: 0, description: 'Fönster' })],
    });
    assertStatus(varor, 201);
    assert.deepEqual(rowsOf((await vouchersOf(varor.body.id))[0]), ['C 3108 300000', 'D 1510 300000']);
    /* Refused, naming the field: reverse charge to a private person, or with VAT on a line. */
    assertError(await anna.post(`${C}/invoices`, {
      customer_id: kund.id, zero_vat: 'construction', invoice_date: '2026-02-01',
      lines: [line(800000, { vat_rate_bp: 0 })],
    }), 422, 'invalid_value', 'zero_vat');
    assertError(await anna.post(`${C}/invoices`, {
      customer_id: bolag.id, zero_vat: 'construction', invoice_date: '2026-02-01', lines: [line(800000)],
    }), 422, 'invalid_value', 'zero_vat');
    assertError(await anna.post(`${C}/invoices`, {
      customer_id: bolag.id, zero_vat: 'services', invoice_date: '2026-02-01', lines: [line(800000, { vat_rate_bp: 0 })],
    }), 422, 'invalid_value', 'zero_vat');
  });

  test('a ROT invoice: the customer part on 1510, Skatteverket\'s part on 1513', async () => {
    /* labour 40 000 + material 10 000, 25 % VAT; ROT 30 % of 50 000 = 15 000 */
    const res = await anna.post(`${C}/invoices`, {
      customer_id: kund.id,
      kind: 'rot',
      invoice_date: '2026-03-01',
      due_date: '2026-03-31',
      lines: [line(4000000, { labour: true }), line(1000000, { description: 'Material' })],
      buyers: [{ id_number: '19121212-1212', name: 'Tolvan Tolvansson' }],
    });
    assertStatus(res, 201);
    assert.equal(res.body.customer_part_minor, 4750000);
    const [v] = await vouchersOf(res.body.id);
    assert.deepEqual(rowsOf(v), ['C 2611 1250000', 'C 3001 5000000', 'D 1510 4750000', 'D 1513 1500000']);
    /* The customer pays its part: 1510 is cleared, 1513 waits for Skatteverket. */
    const pay = await anna.post(`${C}/invoices/${res.body.id}/payments`, { date: '2026-04-02', amount_minor: 4750000, reference: 'OCR' });
    assertStatus(pay, 201);
    const pv = (await vouchersOf(res.body.id)).find((v) => v.source === 'payment');
    assert.deepEqual(rowsOf(pv), ['C 1510 4750000', 'D 1930 4750000']);
    assert.equal(pay.body.voucher.number, pv.number);
  });

  test('mixed VAT rates and a foreign customer', async () => {
    const inv = await createInvoice(anna, fx.companyId, kund.id, {
      invoice_date: '2026-02-01', due_date: '2026-03-03',
      lines: [line(100000), line(100000, { vat_rate_bp: 1200 }), line(100000, { vat_rate_bp: 600 })],
    });
    assert.deepEqual(rowsOf((await vouchersOf(inv.id))[0]),
      ['C 2611 25000', 'C 2621 12000', 'C 2631 6000', 'C 3001 100000', 'C 3002 100000', 'C 3003 100000', 'D 1510 343000']);
    const norsk = await createCustomer(anna, fx.companyId, { name: 'Nordfjord AS', country: 'NO', zip_code: '0154', city: 'Oslo' });
    const inv2 = await createInvoice(anna, fx.companyId, norsk.id, {
      invoice_date: '2026-02-01', due_date: '2026-03-03', lines: [line(500000, { vat_rate_bp: 0 })],
    });
    assert.deepEqual(rowsOf((await vouchersOf(inv2.id))[0]), ['C 3305 500000', 'D 1510 500000']);
  });

  test('a payment of a reminder\'s total: capital, the fee on 3930 and the interest on 8313', async () => {
    assertStatus(await anna.patch(C, { reminder_fee_agreed: true, reminder_fee_minor: 6000 }), 200);
    const inv = await createInvoice(anna, fx.companyId, kund.id, { invoice_date: '2025-03-01', due_date: '2025-03-31', lines: [line(800000)] });
    const rem = await anna.post(`${C}/invoices/${inv.id}/reminders`, { date: '2025-09-30' });
    assertStatus(rem, 201);
    assert.equal(rem.body.total_due_minor, 1058630);
    /* A single euro more than owed is refused from the payments route. */
    assertError(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-10-05', amount_minor: 1058631 }), 422,
      'out_of_range', 'amount_minor');
    const pay = await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-10-05', amount_minor: 1058630 });
    assertStatus(pay, 201);
    assert.equal(pay.body.capital_minor, 1000000);
    assert.equal(pay.body.fees_minor, 6000);
    assert.equal(pay.body.interest_minor, 52630);
    assert.equal(pay.body.invoice.status, 'paid');
    const pv = (await vouchersOf(inv.id)).find((v) => v.source === 'payment');
    assert.deepEqual(rowsOf(pv), ['C 1510 1000000', 'C 3930 6000', 'C 8313 52630', 'D 1930 1058630']);
    assert.equal(pv.date, '2025-10-05');
    const hist = await anna.get(`${C}/invoices/${inv.id}/history`);
    const ev = hist.body.items.filter((e) => e.kind === 'payment').at(-1);
    assert.equal(ev.data.capital_minor, 1000000);
    assert.equal(ev.data.fees_minor, 6000);
    assert.equal(ev.data.interest_minor, 52630);
  });

  test('every voucher balances, and the database refuses one that does not, or any change', async () => {
    for (const v of await vouchers()) {
      const d = v.rows.reduce((s, r) => s + r.debit_minor, 0);
      const c = v.rows.reduce((s, r) => s + r.credit_minor, 0);
      assert.equal(d, c, `voucher ${v.year}-${v.number}`);
    }
    const before = fx.count('vouchers');
    const bad = fx.tryExec(
      `${isPg ? '' : 'PRAGMA foreign_keys = ON;'} BEGIN;
       INSERT INTO voucher_rows VALUES (${fx.companyId}, 2026, 9999, 1, 1930, 100, 0);
       INSERT INTO voucher_rows VALUES (${fx.companyId}, 2026, 9999, 2, 1510, 0, 99);
       INSERT INTO vouchers (company_id, year, number, date, text, source, created_at) VALUES (${fx.companyId}, 2026, 9999, 20600, 'x', 'x', 0);
       COMMIT;`);
    assert.match(bad.stderr, /voucher is not balanced/);
    assert.equal(fx.count('vouchers'), before);
    const upd = fx.tryExec(`UPDATE voucher_rows SET debit_minor = debit_minor + 1 WHERE company_id = ${fx.companyId}`);
    assert.match(upd.stderr, /vouchers cannot be changed/);
    const del = fx.tryExec(`DELETE FROM vouchers WHERE company_id = ${fx.companyId}`);
    assert.match(del.stderr, /vouchers cannot be deleted/);
  });

  test('numbers run per company and year from 1 without gaps', async () => {
    const all = await vouchers();
    for (const year of [2025, 2026]) {
      const nums = all.filter((v) => v.year === year).map((v) => v.number);
      assert.ok(nums.length > 0);
      assert.deepEqual(nums, nums.map((_, i) => i + 1), `year ${year}`);
      for (const v of all.filter((x) => x.year === year)) assert.equal(v.date.slice(0, 4), String(year));
    }
    const in2025 = await vouchers('?from=2025-01-01&to=2025-12-31');
    assert.ok(in2025.every((v) => v.year === 2025));
    assertError(await anna.get(`${C}/vouchers?from=2026-13-01`), 400, 'invalid_query', 'from');
  });
});

describe('customer loss', () => {
  test('confirmed loss of 12 500 gross: D 6351 10 000, D 2611 2 500, C 1510 12 500; the invoice is written off', async () => {
    const inv = await invoice12500(bolag.id);
    const res = await anna.post(`${C}/invoices/${inv.id}/customer-loss`, { kind: 'confirmed', ground: 'other', ground_text: 'Bolaget avfört ur registret', date: '2026-06-01' });
    assertStatus(res, 201);
    assert.equal(res.body.ground, 'other');
    assert.equal(res.body.ground_text, 'Bolaget avfört ur registret');
    assert.equal(res.body.gross_minor, 1250000);
    assert.equal(res.body.net_minor, 1000000);
    assert.equal(res.body.vat_minor, 250000);
    assert.equal(res.body.invoice.status, 'written_off');
    const lv = (await vouchersOf(inv.id)).find((v) => v.source === 'confirmed_loss');
    assert.deepEqual(rowsOf(lv), ['C 1510 1250000', 'D 2611 250000', 'D 6351 1000000']);
    const list = await anna.get(`${C}/invoices?status=written_off`);
    assert.ok(list.body.items.some((i) => i.id === inv.id));
    const hist = await anna.get(`${C}/invoices/${inv.id}/history`);
    const ev = hist.body.items.find((e) => e.kind === 'customer_loss');
    assert.equal(ev.data.kind, 'confirmed');
    assert.equal(ev.data.ground, 'other');
    assert.equal(ev.data.ground_text, 'Bolaget avfört ur registret');
    assert.equal(ev.data.vat_minor, 250000);

    /* The customer pays 5 000 after all: 1 000 VAT back, 4 000 off the loss. */
    const pay = await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-06-10', amount_minor: 500000 });
    assertStatus(pay, 201);
    assert.equal(pay.body.recovered_minor, 500000);
    const vs = await vouchersOf(inv.id);
    assert.deepEqual(rowsOf(vs.find((v) => v.source === 'recovery')), ['C 2611 100000', 'C 6351 400000', 'D 1510 500000']);
    assert.deepEqual(rowsOf(vs.filter((v) => v.source === 'payment').at(-1)), ['C 1510 500000', 'D 1930 500000']);
    assertError(await anna.post(`${C}/invoices/${inv.id}/customer-loss`, { kind: 'confirmed', ground: 'fruitless_collection' }), 409, 'already_written_off');
  });

  test('expected, then confirmed: the expected loss is reversed first', async () => {
    const inv = await invoice12500(bolag.id);
    const exp = await anna.post(`${C}/invoices/${inv.id}/customer-loss`, { kind: 'expected', date: '2026-05-01' });
    assertStatus(exp, 201);
    assert.equal(exp.body.invoice.status, 'overdue', 'an expected loss is still a receivable');
    assert.deepEqual(rowsOf((await vouchersOf(inv.id)).find((v) => v.source === 'expected_loss')), ['C 1519 1000000', 'D 6352 1000000']);
    assertError(await anna.post(`${C}/invoices/${inv.id}/customer-loss`, { kind: 'expected' }), 409, 'already_expected');
    /* The customer-loss tab lists losses feared as well as confirmed. */
    const tab = async () => (await anna.get(`${C}/invoices?status=written_off&limit=200`)).body.items.map((i) => i.id);
    assert.ok((await tab()).includes(inv.id), 'an expected loss is not in the customer-loss tab');
    const row = (await anna.get(`${C}/invoices?status=overdue&limit=200`)).body.items.find((i) => i.id === inv.id);
    assert.deepEqual(row.loss, { kind: 'expected', amount_minor: 1000000 });
    const conf = await anna.post(`${C}/invoices/${inv.id}/customer-loss`, { kind: 'confirmed', ground: 'fruitless_collection', date: '2026-06-01' });
    assertStatus(conf, 201);
    assert.deepEqual(conf.body.vouchers.map((v) => v.source), ['expected_loss_reversal', 'confirmed_loss']);
    const vs = await vouchersOf(inv.id);
    assert.deepEqual(rowsOf(vs.find((v) => v.source === 'expected_loss_reversal')), ['C 6352 1000000', 'D 1519 1000000']);
    assert.equal((await tab()).filter((id) => id === inv.id).length, 1);
  });

  test('a confirmed loss on a ROT invoice clears the lost share of 1513 with its VAT (lag 2009:194, 8 §)', async () => {
    /* Total 62 500, ROT 15 000, customer part 47 500; half of it paid. The
     * Tax Agency pays the reduction only for what the buyer paid: of the
     * 23 750 left, 23 750 × 15 000 / 47 500 = 7 500 of 1513 is lost too.
     * Lost 31 250: VAT 31 250 × 12 500 / 62 500 = 6 250, net 25 000. */
    const res = await anna.post(`${C}/invoices`, {
      customer_id: kund.id, kind: 'rot', invoice_date: '2026-03-01', due_date: '2026-03-31',
      lines: [line(4000000, { labour: true }), line(1000000, { description: 'Material' })],
      buyers: [{ id_number: '19121212-1212', name: 'Tolvan Tolvansson' }],
    });
    assertStatus(res, 201);
    const inv = res.body;
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-04-02', amount_minor: 2375000 }), 201);
    const loss = await anna.post(`${C}/invoices/${inv.id}/customer-loss`, { kind: 'confirmed', ground: 'bankruptcy', date: '2026-06-01' });
    assertStatus(loss, 201);
    assert.equal(loss.body.gross_minor, 3125000);
    assert.equal(loss.body.tax_reduction_minor, 750000);
    assert.equal(loss.body.vat_minor, 625000);
    const vs = await vouchersOf(inv.id);
    assert.deepEqual(rowsOf(vs.find((v) => v.source === 'confirmed_loss')), ['C 1510 2375000', 'C 1513 750000', 'D 2611 625000', 'D 6351 2500000']);
    const sum = (account) => vs.flatMap((v) => v.rows).filter((r) => r.account === account)
      .reduce((acc, r) => acc + (r.debit_minor ?? 0) - (r.credit_minor ?? 0), 0);
    assert.equal(sum(1510), 0);
    assert.equal(sum(1513), 750000, 'the paid half\'s reduction is still to be claimed');
    assert.equal(sum(2611), -625000, 'the output VAT left is that of what was paid for');
  });

  test('part payments after an expected loss reverse it in proportion, the last one the rest', async () => {
    /* Expected loss 10 000 (net of 12 500 gross). 3 333,33 paid of 12 500
     * left: 1 000 000 × 333 333 / 1 250 000 = 266 666,4 → 266 666 öre
     * reversed; 733 334 stay expected. Then the remaining 9 166,67: it
     * settles the invoice, so all of the 733 334 is reversed. */
    const inv = await invoice12500(bolag.id);
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/customer-loss`, { kind: 'expected', date: '2026-05-01' }), 201);
    const reversals = async () => (await vouchersOf(inv.id)).filter((v) => v.source === 'expected_loss_reversal');
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-06-02', amount_minor: 333333 }), 201);
    let rev = await reversals();
    assert.equal(rev.length, 1);
    assert.deepEqual(rowsOf(rev[0]), ['C 6352 266666', 'D 1519 266666']);
    assert.equal(rev[0].date, '2026-06-02');
    const pay = (await vouchersOf(inv.id)).filter((v) => v.source === 'payment');
    assert.deepEqual(rowsOf(pay.at(-1)), ['C 1510 333333', 'D 1930 333333']);
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2026-06-05', amount_minor: 916667 }), 201);
    rev = await reversals();
    assert.equal(rev.length, 2);
    assert.deepEqual(rowsOf(rev[1]), ['C 6352 733334', 'D 1519 733334']);
    /* 6352 and 1519 over the invoice's vouchers are back at zero. */
    const sum = (vs, account) => vs.flatMap((v) => v.rows).filter((r) => r.account === account)
      .reduce((acc, r) => acc + (r.debit_minor ?? 0) - (r.credit_minor ?? 0), 0);
    const all = await vouchersOf(inv.id);
    assert.equal(sum(all, 6352), 0);
    assert.equal(sum(all, 1519), 0);
    assert.equal((await anna.get(`${C}/invoices/${inv.id}`)).body.status, 'paid');
    /* Paid in full, the loss is no longer feared: out of the customer-loss tab. */
    const tab = (await anna.get(`${C}/invoices?status=written_off&limit=200`)).body.items.map((i) => i.id);
    assert.ok(!tab.includes(inv.id));
  });

  test('refused with a clear reason and nothing written: paid, disputed, cash method, bad input', async () => {
    const paid = await invoice12500(kund.id);
    assertStatus(await anna.post(`${C}/invoices/${paid.id}/payments`, { date: '2026-02-01', amount_minor: 1250000 }), 201);
    const disputed = await invoice12500(kund.id);
    const open = await invoice12500(kund.id);
    const before = fx.count('vouchers');
    const booksBefore = fx.count('invoice_books');
    assertError(await anna.post(`${C}/invoices/${paid.id}/customer-loss`, { kind: 'confirmed', ground: 'fruitless_collection' }), 409, 'nothing_to_write_off');

    sqlWrite(`update invoices set agency_state = 'registered', agency_status = 'disputed' where id = ${disputed.id}`);
    const d = await anna.post(`${C}/invoices/${disputed.id}/customer-loss`, { kind: 'confirmed', ground: 'fruitless_collection', case_choice: 'keep' });
    assertError(d, 409, 'disputed');
    assert.match(d.body.error.message, /bestridit/);

    assertStatus(await anna.patch(C, { accounting_method: 'cash' }), 200);
    try {
      assertError(await anna.post(`${C}/invoices/${open.id}/customer-loss`, { kind: 'expected' }), 422,
        'cash_method_not_supported', 'accounting_method');
    } finally {
      assertStatus(await anna.patch(C, { accounting_method: 'accrual' }), 200);
    }
    assertError(await anna.post(`${C}/invoices/${open.id}/customer-loss`, { kind: 'lost' }), 422, 'invalid_value', 'kind');
    assertError(await anna.post(`${C}/invoices/${open.id}/customer-loss`, {}), 422, 'required', 'kind');
    assertError(await anna.post(`${C}/invoices/${open.id}/customer-loss`, { kind: 'expected', date: '2026-06-16' }), 422,
      'out_of_range', 'date');
    assertError(await anna.post(`${C}/invoices/${open.id}/customer-loss`, { kind: 'expected', case_choice: 'maybe' }), 422,
      'invalid_value', 'case_choice');
    /* A confirmed loss reduces output VAT (ML 2023:200, 15 kap. 9 §): its ground is required. */
    assertError(await anna.post(`${C}/invoices/${open.id}/customer-loss`, { kind: 'confirmed' }), 422, 'required', 'ground');
    assertError(await anna.post(`${C}/invoices/${open.id}/customer-loss`, { kind: 'confirmed', ground: 'bad luck' }), 422,
      'invalid_value', 'ground');
    assertError(await anna.post(`${C}/invoices/${open.id}/customer-loss`, { kind: 'confirmed', ground: 'other' }), 422,
      'required', 'ground_text');
    assert.equal(fx.count('vouchers'), before);
    assert.equal(fx.count('invoice_books'), booksBefore);
    assert.equal(fx.count('invoices', "state = 'written_off' and id in (" + [paid.id, disputed.id, open.id].join(',') + ')'), 0);
  });

  test('an open case at Visma Amili: 409 agency_case_open explaining both choices, then keep or withdraw', async () => {
    const keep = await invoice12500(kund.id);
    const withdraw = await invoice12500(kund.id);
    for (const inv of [keep, withdraw]) {
      sqlWrite(`update invoices set agency_state = 'registered', agency_status = 'reminder' where id = ${inv.id};
        insert into agency_cases (company_id, invoice_id, case_id, state, status, closed)
        values (${fx.companyId}, ${inv.id}, 'case-${inv.id}', 'reminder', 'reminder', 0);`);
    }
    const before = fx.count('vouchers');
    const sv = await anna.post(`${C}/invoices/${keep.id}/customer-loss`, { kind: 'confirmed', ground: 'fruitless_collection' });
    assertError(sv, 409, 'agency_case_open', 'case_choice');
    assert.match(sv.body.error.impact.keep, /ligger kvar hos Visma Amili.*återvunnen kundförlust/);
    assert.match(sv.body.error.impact.withdraw, /återkallas hos Visma Amili/);
    const en = await anna.post(`${C}/invoices/${keep.id}/customer-loss`, { kind: 'confirmed', ground: 'fruitless_collection' }, { headers: { 'Accept-Language': 'en' } });
    assert.match(en.body.error.impact.keep, /stays open at Visma Amili/);
    assert.match(en.body.error.impact.withdraw, /withdrawn at Visma Amili/);
    assert.equal(fx.count('vouchers'), before, 'the question changes nothing');

    const k = await anna.post(`${C}/invoices/${keep.id}/customer-loss`, { kind: 'confirmed', ground: 'fruitless_collection', case_choice: 'keep' });
    assertStatus(k, 201);
    assert.equal(k.body.case_withdrawn, false);
    assert.equal(fx.count('outbox', `invoice_id = ${keep.id} and kind = 'cancel'`), 0);

    const w = await anna.post(`${C}/invoices/${withdraw.id}/customer-loss`, { kind: 'confirmed', ground: 'fruitless_collection', case_choice: 'withdraw' });
    assertStatus(w, 201);
    assert.equal(w.body.case_withdrawn, true);
    const rows = fx.rows(`select kind, payload, idempotency_key from outbox where invoice_id = ${withdraw.id}`);
    assert.deepEqual(rows, [{ kind: 'cancel', payload: '{"reason":"customer_loss"}', idempotency_key: `loss-${withdraw.id}` }]);
    const hist = await anna.get(`${C}/invoices/${withdraw.id}/history`);
    assert.match(hist.body.items.find((e) => e.kind === 'customer_loss').message, /återkallas/);
  });
});

/* ---- SIE 4 read back (lib/sie.mjs) ---- */

describe('SIE 4 export', () => {
  let raw;
  let sie;

  test('GET /export/sie?type=4E answers CP437 text that a reader accepts', async () => {
    const res = await fetch(`${fx.base}${C}/export/sie?year=2026&type=4E`, { headers: { Cookie: anna.cookie } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=IBM437');
    assert.match(res.headers.get('content-disposition') ?? '', /\.se"?$/);
    raw = Buffer.from(await res.arrayBuffer());
    sie = parseSie(raw);
    assert.equal(sie.first, '#FLAGGA 0');
    assert.equal(sie.ksumma, sie.crc, '#KSUMMA is the CRC-32 of the records');
    const one = (label) => sie.recs.filter((r) => r[0] === label);
    assert.deepEqual(one('#FORMAT'), [['#FORMAT', 'PC8']]);
    assert.deepEqual(one('#SIETYP'), [['#SIETYP', '4']]);
    assert.deepEqual(one('#ORGNR'), [['#ORGNR', '556036-0793']]);
    assert.deepEqual(one('#FNAMN'), [['#FNAMN', 'Testbolaget Åkerö AB']]);
    assert.ok(raw.includes(Buffer.from([0x8f, 0x6b, 0x65, 0x72, 0x94])), 'Åkerö as CP437 bytes');
    assert.deepEqual(one('#RAR').map((r) => r.slice(1)), [['0', '20260101', '20261231'], ['-1', '20250101', '20251231']]);
    assert.deepEqual(one('#PROGRAM')[0].slice(0, 2), ['#PROGRAM', 'Påminn']);
  });

  test('every voucher of the year balances and equals the API\'s', async () => {
    const api = (await vouchers('?from=2026-01-01&to=2026-12-31'));
    assert.equal(sie.vers.length, api.length);
    for (let i = 0; i < api.length; i++) {
      const v = sie.vers[i];
      const a = api[i];
      assert.equal(v.series, 'A');
      assert.equal(v.number, a.number);
      assert.equal(v.date, a.date.replace(/-/g, ''));
      assert.equal(v.text, a.text);
      assert.equal(v.trans.reduce((s, t) => s + t.amount, 0), 0, `#VER ${v.number} balances`);
      assert.deepEqual(v.trans, a.rows.map((r) => ({ account: r.account, amount: r.debit_minor - r.credit_minor })));
    }
  });

  test('#KONTO for every account, #IB + the year = #UB, #RES = the year, all summing to zero', () => {
    const konto = new Set(sie.recs.filter((r) => r[0] === '#KONTO').map((r) => Number(r[1])));
    const moved = new Map();
    for (const v of sie.vers) for (const t of v.trans) moved.set(t.account, (moved.get(t.account) ?? 0) + t.amount);
    for (const acc of moved.keys()) assert.ok(konto.has(acc), `#KONTO ${acc}`);
    const bal = (label) => new Map(sie.recs.filter((r) => r[0] === label && r[1] === '0')
      .map((r) => [Number(r[2]), Math.round(Number(r[3]) * 100)]));
    const ib = bal('#IB');
    const ub = bal('#UB');
    const res = bal('#RES');
    let sumIb = 0;
    for (const v of ib.values()) sumIb += v;
    assert.equal(sumIb, 0, 'Σ #IB 0 = 0');
    for (const [acc, m] of moved) {
      if (acc < 3000) assert.equal(ub.get(acc) ?? 0, (ib.get(acc) ?? 0) + m, `#UB ${acc}`);
      else assert.equal(res.get(acc) ?? 0, m, `#RES ${acc}`);
    }
    let sumAll = 0;
    for (const v of ub.values()) sumAll += v;
    for (const v of res.values()) sumAll += v;
    assert.equal(sumAll, 0, 'Σ #UB + Σ #RES = 0');
    /* #RAR -1 is declared: 2025 as it closed, #UB -1 and #RES -1, summing
     * to zero; the balance accounts open 2026 where 2025 closed, and 2025's
     * result is what 2091 gained. */
    const prev = (label) => new Map(sie.recs.filter((r) => r[0] === label && r[1] === '-1')
      .map((r) => [Number(r[2]), Math.round(Number(r[3]) * 100)]));
    const ubPrev = prev('#UB');
    const resPrev = prev('#RES');
    assert.ok(resPrev.size > 0, 'no #RES -1 though 2025 has vouchers');
    let sumPrev = 0;
    for (const v of ubPrev.values()) sumPrev += v;
    let resultPrev = 0;
    for (const v of resPrev.values()) resultPrev += v;
    assert.equal(sumPrev + resultPrev, 0, 'Σ #UB -1 + Σ #RES -1 = 0');
    for (const [acc, v] of ib) {
      if (acc === 2091) assert.equal(v, (ubPrev.get(2091) ?? 0) + resultPrev, '#IB 0 2091 = #UB -1 2091 + 2025\'s result');
      else assert.equal(v, ubPrev.get(acc) ?? 0, `#IB 0 ${acc} = #UB -1 ${acc}`);
    }
    /* 2025's vouchers are in #IB: the reminder payment's bank money. */
    assert.ok((ib.get(1930) ?? 0) >= 1058630);
    assert.equal(ib.has(3930), false, 'no #IB for a result account');
  });

  test('by default the file is 4I (.si): the same vouchers for the main bookkeeping program, no balances', async () => {
    const res = await fetch(`${fx.base}${C}/export/sie?year=2026`, { headers: { Cookie: anna.cookie } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /\.si"?$/);
    const si = parseSie(Buffer.from(await res.arrayBuffer()));
    assert.equal(si.ksumma, si.crc);
    assert.deepEqual(si.recs.filter((r) => r[0] === '#SIETYP'), [['#SIETYP', '4']]);
    assert.deepEqual(si.recs.filter((r) => r[0] === '#RAR').map((r) => r.slice(1)), [['0', '20260101', '20261231']]);
    assert.deepEqual(si.recs.filter((r) => ['#IB', '#UB', '#RES'].includes(r[0])), []);
    assert.deepEqual(si.vers, sie.vers);
    assertError(await anna.get(`${C}/export/sie?year=2026&type=4X`), 400, 'invalid_query', 'type');
  });

  test('paminn export-sie writes the same file', () => {
    const out = path.join(fx.dir, 'export.se');
    fx.cli(['export-sie', '--company', String(fx.companyId), '--year', '2026', '--type', '4E', '--output', out]);
    assert.ok(readFileSync(out).equals(raw));
    const si = path.join(fx.dir, 'export.si');
    fx.cli(['export-sie', '--company', String(fx.companyId), '--year', '2026', '--output', si]);
    assert.ok(!readFileSync(si).includes('#IB '), 'the default is 4I');
    const badType = spawnSync(BIN, ['--db', fx.db, 'export-sie', '--company', String(fx.companyId), '--year', '2026', '--type', '4X'], { encoding: 'utf8' });
    assert.equal(badType.status, 2);
    assert.match(badType.stderr, /--type/);
    const bad = spawnSync(BIN, ['--db', fx.db, 'export-sie', '--company', String(fx.companyId), '--year', '99'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--year/);
  });

  test('the year is required and checked', async () => {
    assertError(await anna.get(`${C}/export/sie`), 400, 'invalid_query', 'year');
    assertError(await anna.get(`${C}/export/sie?year=20x6`), 400, 'invalid_query', 'year');
  });
});

describe('receivables aging', () => {
  test('open SEK invoices by days past due, with hand-counted sums', async () => {
    const fresh = await startServer({ now: '2026-06-15' });
    try {
      const a = await fresh.login();
      const c = co(fresh.companyId);
      const k = await createCustomer(a, fresh.companyId, { name: 'Åldrad Kund' });
      const due = async (d, net) => createInvoice(a, fresh.companyId, k.id, { invoice_date: '2026-01-01', due_date: d, lines: [line(net)] });
      await due('2026-06-15', 80000); /* due today: not due, 1 000 */
      await due('2026-07-01', 40000); /* 500 */
      await due('2026-06-14', 80000); /* 1 day: 1 000 */
      await due('2026-05-16', 80000); /* 30 days: 1 000 */
      await due('2026-05-15', 160000); /* 31 days: 2 000 */
      await due('2026-03-17', 240000); /* 90 days: 3 000 */
      const old = await due('2026-03-16', 400000); /* 91 days: 5 000, part-paid 1 000 */
      assertStatus(await a.post(`${c}/invoices/${old.id}/payments`, { date: '2026-06-01', amount_minor: 100000 }), 201);
      const paid = await due('2026-01-31', 80000);
      assertStatus(await a.post(`${c}/invoices/${paid.id}/payments`, { date: '2026-02-01', amount_minor: 100000 }), 201);
      const res = await a.get(`${c}/receivables/aging`);
      assertStatus(res, 200);
      assert.equal(res.body.as_of, '2026-06-15');
      assert.equal(res.body.currency, 'SEK');
      assert.deepEqual(res.body.buckets, [
        { key: 'not_due', count: 2, remaining_minor: 150000 },
        { key: '1_30', count: 2, remaining_minor: 200000 },
        { key: '31_60', count: 1, remaining_minor: 200000 },
        { key: '61_90', count: 1, remaining_minor: 300000 },
        { key: 'over_90', count: 1, remaining_minor: 400000 },
      ]);
      assert.equal(res.body.total_minor, 1250000);
      const earlier = await a.get(`${c}/receivables/aging?as_of=2026-05-15`);
      /* on 2026-05-15: due 03-17 is 59 days past, 03-16 is 60: both 31–60 */
      assert.deepEqual(earlier.body.buckets.map((b) => b.count), [5, 0, 2, 0, 0]);
      /* As things stood then: the 5 000 invoice was paid 1 000 only on 06-01. */
      assert.deepEqual(earlier.body.buckets.map((b) => b.remaining_minor), [550000, 0, 800000, 0, 0]);
      assert.equal(earlier.body.total_minor, 1350000);
      /* On 01-31 every invoice was issued, none due, the one paid 02-01 still open. */
      const issued = await a.get(`${c}/receivables/aging?as_of=2026-01-31`);
      assert.deepEqual(issued.body.buckets.map((b) => b.count), [8, 0, 0, 0, 0]);
      assert.equal(issued.body.total_minor, 1450000);
      /* Before the invoice date nothing was owed. */
      const before = await a.get(`${c}/receivables/aging?as_of=2025-12-31`);
      assert.equal(before.body.total_minor, 0);
      assert.deepEqual(before.body.buckets.map((b) => b.count), [0, 0, 0, 0, 0]);
      /* A confirmed loss dated 06-10 on the 3 000 invoice due 03-17: in the
       * aging the day before (84 days past due, 61–90 with the 4 000 left of
       * the one due 03-16), not from then on. */
      const lossy = (await a.get(`${c}/invoices?status=overdue&limit=200`)).body.items.find((i) => i.due_date === '2026-03-17');
      assertStatus(await a.post(`${c}/invoices/${lossy.id}/customer-loss`, { kind: 'confirmed', ground: 'fruitless_collection', date: '2026-06-10' }), 201);
      const dayBefore = await a.get(`${c}/receivables/aging?as_of=2026-06-09`);
      assert.deepEqual(dayBefore.body.buckets[3], { key: '61_90', count: 2, remaining_minor: 700000 });
      const onTheDay = await a.get(`${c}/receivables/aging?as_of=2026-06-10`);
      assert.deepEqual(onTheDay.body.buckets[3], { key: '61_90', count: 1, remaining_minor: 400000 });
      assert.equal(onTheDay.body.total_minor, dayBefore.body.total_minor - 300000);
      assertError(await a.get(`${c}/receivables/aging?as_of=15/6`), 400, 'invalid_query', 'as_of');
    } finally {
      await fresh.stop();
    }
  });
});
