/*
 * credit_notes.test.mjs — credit notes (kreditfakturor) over real HTTP, on
 * SQLite and (with PAMINN_TEST_DSN) PostgreSQL: a partial credit note on a
 * ROT invoice with two VAT rates with its hand-checked voucher, the rest
 * credited to the öre, refusals beyond what is left that change nothing,
 * credit and payment together, the Idempotency-Key, the PDF read back
 * with pdftotext, the #VER in the SIE export, a free-standing credit note
 * and the input's refusals.
 *
 * The invoice (2026-03-02, ROT 30 %): labour 40 000,00 net at 25 % and
 * material 5 000,00 net at 12 %: total 55 600,00, ROT 15 000,00, customer
 * part 40 600,00.  The partial credit note: net 1 234,57 at 25 % (VAT
 * 308,64) and 999,99 at 12 % (VAT 120,00): gross 2 663,20, ROT part
 * 2 663,20 × 15 000 / 55 600 = 718,49, customer part 1 944,71 (derived
 * in full in tests/unit/credit_note_test.c).
 *
 * The server's clock is fixed at 2026-06-15 (Stockholm).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertError, assertStatus, co, createCustomer, createInvoice, line, startServer } from './lib/server.mjs';
import { parseSie } from './lib/sie.mjs';

let fx;
let anna;
let C;
let kund;
let rot;

function rowsOf(v) {
  return v.rows
    .map((r) => (r.debit_minor ? `D ${r.account} ${r.debit_minor}` : `C ${r.account} ${r.credit_minor}`))
    .sort();
}

async function vouchers() {
  const res = await anna.get(`${C}/vouchers`);
  assertStatus(res, 200);
  return res.body.items;
}

async function invoice(id) {
  const res = await anna.get(`${C}/invoices/${id}`);
  assertStatus(res, 200);
  return res.body;
}

async function pdfText(p, name) {
  const res = await fetch(fx.base + p, { headers: { Cookie: anna.cookie } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const file = path.join(fx.dir, name);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  const run = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '', `pdftotext warns: ${run.stderr}`);
  return run.stdout.replace(/\u00a0/g, ' ');
}

/* What a refused request must leave as it was. */
function snapshot(invoiceId) {
  return {
    notes: fx.count('credit_notes'),
    vouchers: fx.count('vouchers'),
    history: fx.count('history_events'),
    remaining: fx.sql(`select remaining_minor from invoices where id = ${invoiceId}`),
  };
}

before(async () => {
  fx = await startServer({ now: '2026-06-15' });
  anna = await fx.login();
  C = co(fx.companyId);
  kund = await createCustomer(anna, fx.companyId, { name: 'Tolvan Tolvansson', id_number: '19121212-1212' });
  rot = await createInvoice(anna, fx.companyId, kund.id, {
    kind: 'rot',
    number: 1043,
    invoice_date: '2026-03-02',
    due_date: '2026-04-01',
    lines: [line(4000000, { labour: true }), line(500000, { description: 'Material', vat_rate_bp: 1200 })],
    buyers: [{ id_number: '19121212-1212', name: 'Tolvan Tolvansson' }],
  });
});
after(async () => {
  await fx?.stop();
});

describe('a ROT invoice with two VAT rates', () => {
  let note;

  test('the invoice is what the hand-check starts from', () => {
    assert.equal(rot.total_minor, 5560000);
    assert.equal(rot.tax_reduction_minor, 1500000);
    assert.equal(rot.customer_part_minor, 4060000);
  });

  test('a partial credit note by VAT rate: amounts, voucher, remaining, history', async () => {
    const res = await anna.post(`${C}/invoices/${rot.id}/credit-notes`, {
      reason: 'Fel timpris för två timmar',
      date: '2026-04-01',
      rates: [{ vat_rate_bp: 2500, net_minor: 123457 }, { vat_rate_bp: 1200, net_minor: 99999 }],
    });
    assertStatus(res, 201);
    note = res.body;
    assert.equal(note.number, 1);
    assert.equal(note.invoice_id, rot.id);
    assert.deepEqual(note.rates, [
      { vat_rate_bp: 2500, net_minor: 123457, vat_minor: 30864 },
      { vat_rate_bp: 1200, net_minor: 99999, vat_minor: 12000 },
    ]);
    assert.equal(note.total_minor, 266320);
    assert.equal(note.tax_reduction_minor, 71849);
    assert.equal(note.customer_part_minor, 194471);
    assert.equal(note.remaining_minor, 4060000 - 194471);
    assert.equal(note.reported_to_agency, false);

    const v = (await vouchers()).find((x) => x.source === 'credit_note');
    assert.equal(v.number, note.voucher.number);
    assert.equal(v.invoice_id, rot.id);
    assert.equal(v.text, 'Kreditfaktura 1 avser faktura 1043 Tolvan Tolvansson');
    /* The exact reverse of the invoice's booking for the credited part. */
    assert.deepEqual(rowsOf(v), ['C 1510 194471', 'C 1513 71849', 'D 2611 30864', 'D 2621 12000',
      'D 3001 123457', 'D 3002 99999']);

    const inv = await invoice(rot.id);
    assert.equal(inv.remaining_minor, 3865529);
    assert.equal(inv.status, 'overdue');
    const hist = (await anna.get(`${C}/invoices/${rot.id}/history`)).body.items;
    const ev = hist.find((e) => e.kind === 'credit_note');
    assert.ok(ev, 'a credit_note history event');
    assert.equal(ev.data.credit_note_id, note.id);
    assert.equal(ev.data.customer_part_minor, 194471);
    assert.match(ev.message, /Kreditfaktura 1/);

    const list = await anna.get(`${C}/invoices/${rot.id}/credit-notes`);
    assertStatus(list, 200);
    assert.deepEqual(list.body.items.map((x) => x.id), [note.id]);
    const one = await anna.get(`${C}/credit-notes/${note.id}`);
    assertStatus(one, 200);
    assert.equal(one.body.reason, 'Fel timpris för två timmar');
  });

  test('more than is left is refused naming the field, and nothing changes', async () => {
    const before = snapshot(rot.id);
    assertError(await anna.post(`${C}/invoices/${rot.id}/credit-notes`, { reason: 'x', amount_minor: 3865530 }),
      422, 'credit_exceeds_remaining', 'amount_minor');
    assertError(await anna.post(`${C}/invoices/${rot.id}/credit-notes`, {
      reason: 'x', rates: [{ vat_rate_bp: 1200, net_minor: 400002 }],
    }), 422, 'credit_exceeds_remaining', 'rates[1200]');
    assertError(await anna.post(`${C}/invoices/${rot.id}/credit-notes`, {
      reason: 'x', rates: [{ vat_rate_bp: 600, net_minor: 100 }],
    }), 422, 'credit_exceeds_remaining', 'rates[600]');
    assert.deepEqual(snapshot(rot.id), before);
  });

  test('the PDF says what is credited, in Swedish', async () => {
    const text = await pdfText(note.pdf_url, 'kredit-1.pdf');
    assert.match(text, /KREDITFAKTURA/);
    assert.match(text, /Avser faktura\s+1043/);
    assert.match(text, /Orsak: Fel timpris för två timmar/);
    assert.match(text, /Tolvan Tolvansson/);
    assert.match(text, /Krediterat netto, moms 25,00 %\s+-1 234,57 kr/);
    assert.match(text, /Moms 12,00 %\s+-120,00 kr/);
    assert.match(text, /Summa krediterat\s+-2 663,20 kr/);
    assert.match(text, /Varav skattereduktion ROT \(Skatteverket\)\s+-718,49 kr/);
    assert.match(text, /Att tillgodoräkna dig\s+-1 944,71 kr/);
  });

  test('the rest, credited in full, reverses the invoice to the öre and credits it', async () => {
    const res = await anna.post(`${C}/invoices/${rot.id}/credit-notes`, { reason: 'Uppdraget avbrutet', date: '2026-04-02' });
    assertStatus(res, 201);
    assert.equal(res.body.number, 2);
    assert.equal(res.body.customer_part_minor, 3865529);
    assert.equal(res.body.tax_reduction_minor, 1500000 - 71849);
    assert.equal(res.body.remaining_minor, 0);
    const inv = await invoice(rot.id);
    assert.equal(inv.status, 'credited');
    /* Every account of the invoice's vouchers is back at zero. */
    const sums = new Map();
    for (const v of (await vouchers()).filter((x) => x.invoice_id === rot.id)) {
      for (const r of v.rows) sums.set(r.account, (sums.get(r.account) ?? 0) + r.debit_minor - r.credit_minor);
    }
    for (const [account, sum] of sums) assert.equal(sum, 0, `account ${account} nets to zero`);
    const before = snapshot(rot.id);
    assertError(await anna.post(`${C}/invoices/${rot.id}/credit-notes`, { reason: 'igen' }),
      422, 'credit_exceeds_remaining', 'amount_minor');
    assert.deepEqual(snapshot(rot.id), before);
  });

  test('each credit note is a #VER of the SIE export, as the API lists it', async () => {
    const res = await fetch(`${fx.base}${C}/export/sie?year=2026&type=4E`, { headers: { Cookie: anna.cookie } });
    assert.equal(res.status, 200);
    const sie = parseSie(Buffer.from(await res.arrayBuffer()));
    const api = (await vouchers()).filter((v) => v.source === 'credit_note');
    assert.equal(api.length, 2);
    for (const a of api) {
      const v = sie.vers.find((x) => x.number === a.number);
      assert.ok(v, `#VER ${a.number}`);
      assert.equal(v.text, a.text);
      assert.equal(v.date, a.date.replace(/-/g, ''));
      assert.deepEqual(v.trans, a.rows.map((r) => ({ account: r.account, amount: r.debit_minor - r.credit_minor })));
    }
  });
});

describe('credits and payments together', () => {
  test('a part credited and the rest paid makes the invoice paid', async () => {
    const inv = await createInvoice(anna, fx.companyId, kund.id, {
      number: 2001, invoice_date: '2026-05-01', due_date: '2026-05-31', lines: [line(100000)],
    });
    const cn = await anna.post(`${C}/invoices/${inv.id}/credit-notes`, { reason: 'Rabatt', amount_minor: 25000 });
    assertStatus(cn, 201);
    /* 250,00 of 1 250,00 gross: 200,00 net and 50,00 VAT */
    assert.deepEqual(cn.body.rates, [{ vat_rate_bp: 2500, net_minor: 20000, vat_minor: 5000 }]);
    assert.equal(cn.body.date, '2026-06-15');
    assertError(await anna.post(`${C}/invoices/${inv.id}/payments`, { amount_minor: 100001 }), 422, 'out_of_range', 'amount_minor');
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { amount_minor: 100000 }), 201);
    const after = await invoice(inv.id);
    assert.equal(after.remaining_minor, 0);
    assert.equal(after.status, 'paid');
  });

  test('a credit note takes back its share of an expected customer loss', async () => {
    const inv = await createInvoice(anna, fx.companyId, kund.id, {
      number: 2004, invoice_date: '2026-01-10', due_date: '2026-02-09', lines: [line(1000000)],
    });
    /* 12 500,00 gross: 10 000,00 net written down on 1519 */
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/customer-loss`, { kind: 'expected', date: '2026-05-01' }), 201);
    /* A fifth of the capital credited (2 500,00): a fifth of the write-down (2 000,00) reversed. */
    const cn = await anna.post(`${C}/invoices/${inv.id}/credit-notes`, { reason: 'Reklamation', amount_minor: 250000 });
    assertStatus(cn, 201);
    const rev = (await vouchers()).filter((v) => v.invoice_id === inv.id && v.source === 'expected_loss_reversal');
    assert.equal(rev.length, 1);
    assert.deepEqual(rowsOf(rev[0]), ['C 6352 200000', 'D 1519 200000']);
    assert.deepEqual((await invoice(inv.id)).loss?.amount_minor ?? null, 800000);
  });

  test('a repeated request with its Idempotency-Key makes one credit note', async () => {
    const inv = await createInvoice(anna, fx.companyId, kund.id, {
      number: 2002, invoice_date: '2026-05-01', due_date: '2026-05-31', lines: [line(100000)],
    });
    const body = { reason: 'Dubbelfakturerad' };
    const first = await anna.post(`${C}/invoices/${inv.id}/credit-notes`, body, { idem: 'kredit-2002' });
    assertStatus(first, 201);
    const again = await anna.post(`${C}/invoices/${inv.id}/credit-notes`, body, { idem: 'kredit-2002' });
    assertStatus(again, 201);
    assert.equal(again.body.id, first.body.id);
    assert.equal(fx.count('credit_notes', `invoice_id = ${inv.id}`), 1);
  });
});

describe('free-standing and refusals', () => {
  test('a free-standing credit note for a customer, by VAT rate', async () => {
    const res = await anna.post(`${C}/credit-notes`, {
      customer_id: kund.id, reason: 'Goodwill', rates: [{ vat_rate_bp: 2500, net_minor: 80000 }],
    });
    assertStatus(res, 201);
    assert.equal(res.body.invoice_id, null);
    assert.equal(res.body.customer_part_minor, 100000);
    const v = (await vouchers()).find((x) => x.source === 'credit_note' && x.number === res.body.voucher.number);
    assert.deepEqual(rowsOf(v), ['C 1510 100000', 'D 2611 20000', 'D 3001 80000']);
    const text = await pdfText(res.body.pdf_url, 'kredit-fri.pdf');
    assert.match(text, /KREDITFAKTURA/);
    assert.match(text, /Att tillgodoräkna dig\s+-1 000,00 kr/);
  });

  test('bad input names the field and changes nothing', async () => {
    const before = snapshot(rot.id);
    const P = `${C}/invoices/${rot.id}/credit-notes`;
    assertError(await anna.post(P, { amount_minor: 100 }), 422, 'required', 'reason');
    assertError(await anna.post(P, { reason: 'x', amount_minor: 100, rates: [] }), 422, 'invalid_value', 'rates');
    assertError(await anna.post(P, { reason: 'x', rates: [{ vat_rate_bp: 1000, net_minor: 1 }] }), 422, 'invalid_value', 'rates[0].vat_rate_bp');
    assertError(await anna.post(P, { reason: 'x', amount_minor: 0 }), 422, 'out_of_range', 'amount_minor');
    assertError(await anna.post(P, { reason: 'x', what: 1 }), 422, 'unknown_field', 'what');
    assertError(await anna.post(`${C}/invoices/999999/credit-notes`, { reason: 'x' }), 404, 'not_found');
    assertError(await anna.post(`${C}/credit-notes`, { customer_id: kund.id, reason: 'x' }), 422, 'required', 'rates');
    assertError(await anna.post(`${C}/credit-notes`, { customer_id: 999999, reason: 'x', rates: [{ vat_rate_bp: 0, net_minor: 1 }] }),
      404, 'not_found', 'customer_id');
    assertError(await anna.get(`${C}/credit-notes/999999`), 404, 'credit_note_not_found', 'id');
    assertError(await anna.get(`${C}/credit-notes/999999/credit-note.pdf`), 404, 'credit_note_not_found', 'id');
    assert.deepEqual(snapshot(rot.id), before);
  });

  test('a date after today or before the invoice is refused on date', async () => {
    const inv = await createInvoice(anna, fx.companyId, kund.id, {
      number: 2003, invoice_date: '2026-05-01', due_date: '2026-05-31', lines: [line(100000)],
    });
    const P = `${C}/invoices/${inv.id}/credit-notes`;
    assertError(await anna.post(P, { reason: 'x', date: '2026-06-16' }), 422, 'out_of_range', 'date');
    assertError(await anna.post(P, { reason: 'x', date: '2026-04-30' }), 422, 'out_of_range', 'date');
    assert.equal(fx.count('credit_notes', `invoice_id = ${inv.id}`), 0);
  });
});
