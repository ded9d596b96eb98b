/*
 * bgmax_bank.test.mjs — bank files booked where a bookkeeper would book
 * them, over real HTTP: a payment naming several invoices spread over them
 * in order, each taking its fee and interest before its capital (the
 * excess an over-payment of the payer, on 2420); numbers in a payer's
 * message booked only on that payer's invoices, otherwise held as
 * "unmatched, suggested" for a person to confirm; valid files of odd shape
 * (payer bankgiro written short, TABs, no line ends, a EUR section, UTF-8)
 * imported with a warning; Bankgirot's own example files (a deduction
 * booked on a voucher of its own: Påminn keeps no credit notes); dry runs,
 * over HTTP and with `paminn import-bgmax --dry-run`, that book nothing.
 *
 * The server's clock is fixed at 2024-06-01 (Stockholm); the company's
 * bankgiro is 991-2346.  Invoices are 10 000 kr + 25 % VAT = 12 500 kr
 * unless a test says otherwise.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ocrOf, writeBgmax } from '../lib/bgmax.mjs';
import { BIN, REPO, assertError, assertStatus, co, createCustomer, line, startServer } from './lib/server.mjs';

let fx;
let anna;
let C;
let stamp = 20240316063015000000n;

/* The records as a file: CR LF, ISO-8859-1, a new file stamp each time. */
function file(deposits, { marker = 'P', eol = '\r\n' } = {}) {
  stamp += 1n;
  const lines = writeBgmax({ stamp: String(stamp), marker, deposits });
  return Buffer.from(lines.join(eol) + eol, 'latin1');
}

async function importFile(body, query = '') {
  return anna.request('POST', `${C}/payments/bgmax${query}`, undefined, {
    raw: body,
    headers: { 'Content-Type': 'text/plain' },
  });
}

async function invoice(customer, unitMinor = 1000000) {
  const res = await anna.post(`${C}/invoices`, {
    customer_id: customer.id, invoice_date: '2024-01-30', due_date: '2024-02-29', lines: [line(unitMinor)],
  });
  assertStatus(res, 201);
  return res.body;
}

async function remaining(inv) {
  const res = await anna.get(`${C}/invoices/${inv.id}`);
  return [res.body.status, res.body.remaining_minor];
}

/* The rows of the payment voucher of an invoice: [account, debit, credit]. */
async function paymentRows(inv, date = '2024-03-15') {
  const vs = (await anna.get(`${C}/vouchers?from=${date}&to=${date}`)).body.items;
  return vs.filter((v) => v.invoice_id === inv.id && v.source === 'payment')
    .map((v) => v.rows.map((r) => [r.account, r.debit_minor, r.credit_minor]));
}

/* Everything an import may write. */
function state() {
  return ['payments', 'vouchers', 'voucher_rows', 'history_events', 'bgmax_imports', 'outbox', 'invoice_books']
    .map((t) => `${t}=${fx.count(t)}`)
    .join(' ') + ` paid=${fx.sql('select coalesce(sum(paid_minor), 0) from invoices')}`;
}

before(async () => {
  fx = await startServer({ now: '2024-06-01' });
  anna = await fx.login();
  C = co(fx.companyId);
  assertStatus(await anna.patch(C, { bankgiro: '991-2346' }), 200);
});
after(async () => {
  await fx?.stop();
});

describe('a payment naming several invoices', () => {
  test('is spread over them in order, each up to what it owes', async () => {
    const kund = await createCustomer(anna, fx.companyId, { name: 'Tre Fakturor AB' });
    const a = await invoice(kund); /* 12 500 kr */
    const b = await invoice(kund, 500000); /* 6 250 kr */
    const c = await invoice(kund, 200000); /* 2 500 kr */
    /* 20 000 kr naming a, b and c: 12 500 + 6 250 + 1 250 (c keeps 1 250). */
    const res = await importFile(file([{ bankgiro: '9912346', payments: [
      { ref: ocrOf(a.number), amount: 2000000, payer: '56781230', extras: [{ ref: ocrOf(b.number) }, { ref: ocrOf(c.number) }] },
    ] }]));
    assertStatus(res, 200);
    assert.deepEqual(res.body.matched.map((m) => [m.invoice_number, m.amount_minor, m.status, m.remaining_minor]), [
      [a.number, 1250000, 'paid', 0],
      [b.number, 625000, 'paid', 0],
      [c.number, 125000, 'part_paid', 125000],
    ]);
    assert.deepEqual(res.body.overpayments, []);
    assert.deepEqual(res.body.payer_overpayments, []);
    assert.equal(res.body.totals.matched_minor, 2000000);
    assert.deepEqual(await Promise.all([a, b, c].map(remaining)), [['paid', 0], ['paid', 0], ['overdue', 125000]]);
    assert.deepEqual(await paymentRows(b), [[[1930, 625000, 0], [1510, 0, 625000]]]);
  });

  test('more than they owe: the excess is an over-payment of the payer, on 2420', async () => {
    const kund = await createCustomer(anna, fx.companyId, { name: 'Överbetalaren AB' });
    const a = await invoice(kund, 100000); /* 1 250 kr */
    const b = await invoice(kund, 100000); /* 1 250 kr */
    /* 3 000 kr: 1 250 + 1 250, 500 kr over. */
    const res = await importFile(file([{ bankgiro: '9912346', payments: [
      { ref: ocrOf(a.number), amount: 300000, payer: '56781230', name: 'Överbetalaren AB', extras: [{ ref: ocrOf(b.number) }] },
    ] }]));
    assertStatus(res, 200);
    assert.deepEqual(res.body.matched.map((m) => [m.invoice_number, m.amount_minor, m.status]), [
      [a.number, 125000, 'paid'],
      [b.number, 175000, 'overpaid'],
    ]);
    assert.deepEqual(res.body.payer_overpayments, [{
      line: 3, payer_bankgiro: '0056781230', payer_name: 'Överbetalaren AB', amount_minor: 50000, invoice_number: b.number, account: 2420,
    }]);
    assert.deepEqual(res.body.overpayments, [{ invoice_id: b.id, invoice_number: b.number, amount_minor: 50000 }]);
    assert.deepEqual(await paymentRows(a), [[[1930, 125000, 0], [1510, 0, 125000]]]);
    assert.deepEqual(await paymentRows(b), [[[1930, 175000, 0], [1510, 0, 125000], [2420, 0, 50000]]]);
  });
});

describe('a payment naming an invoice with a reminder', () => {
  test("each invoice takes its fee and interest before its capital, then the next its share", async () => {
    assertStatus(await anna.patch(C, { reminder_fee_agreed: true, reminder_fee_minor: 6000 }), 200);
    const kund = await createCustomer(anna, fx.companyId, { name: 'Påmind Kund AB' });
    const a = await invoice(kund); /* 12 500 kr, due 2024-02-29 */
    const b = await invoice(kund, 400000); /* 5 000 kr */
    const rem = await anna.post(`${C}/invoices/${a.id}/reminders`, { date: '2024-04-30' });
    assertStatus(rem, 201);
    /* 12 500 kr + the 60 kr fee + interest at 4,00 + 8 = 12 % on 12 500 kr
     * for the 61 days 2024-03-01 .. 2024-04-30: 1 250 000 * 0,12 * 61 / 365
     * = 25 068,49 öre, 250,68 kr.  Together 12 810,68 kr. */
    assert.equal(rem.body.total_due_minor, 1281068);
    /* 13 000 kr naming a and b: a takes 12 810,68, b the 189,32 left. */
    const res = await importFile(file([{ bankgiro: '9912346', date: '20240510', payments: [
      { ref: ocrOf(a.number), amount: 1300000, extras: [{ ref: ocrOf(b.number) }] },
    ] }]));
    assertStatus(res, 200);
    assert.deepEqual(res.body.matched.map((m) => [m.invoice_number, m.amount_minor, m.status, m.remaining_minor]), [
      [a.number, 1281068, 'paid', 0],
      [b.number, 18932, 'part_paid', 481068],
    ]);
    assert.deepEqual(await paymentRows(a, '2024-05-10'),
      [[[1930, 1281068, 0], [1510, 0, 1250000], [3930, 0, 6000], [8313, 0, 25068]]]);
    assert.deepEqual(await paymentRows(b, '2024-05-10'), [[[1930, 18932, 0], [1510, 0, 18932]]]);
  });
});

describe("numbers in the payer's message", () => {
  let k1b;
  let k2a;
  let report;

  test("book only on this payer's invoices; other payments wait, suggested, for a person", async () => {
    const k1 = await createCustomer(anna, fx.companyId, { name: 'Kund Ett AB' });
    const k2 = await createCustomer(anna, fx.companyId, { name: 'Kund Två AB' });
    const k1a = await invoice(k1);
    k1b = await invoice(k1);
    k2a = await invoice(k2);
    /* The payer's bankgiro 5050-1055 pays k1a by OCR: it is known as Kund Ett's. */
    const first = await importFile(file([{ bankgiro: '9912346', date: '20240314', payments: [
      { ref: ocrOf(k1a.number), amount: 1250000, payer: '50501055' },
    ] }]));
    assertStatus(first, 200);
    assert.deepEqual(first.body.matched.map((m) => [m.invoice_number, m.matched_by]), [[k1a.number, 'ocr']]);
    const res = await importFile(file([{ bankgiro: '9912346', date: '20240315', serial: 2, payments: [
      /* the known payer names its own invoice k1b: booked */
      { code: 1, amount: 1250000, payer: '50501055', message: `Faktura ${k1b.number}` },
      /* the known payer names Kund Två's invoice: held, suggested */
      { code: 1, amount: 300000, payer: '50501055', message: `Faktura ${k2a.number}` },
      /* an unknown payer names k2a: held, suggested */
      { code: 1, amount: 500000, message: `avser ${k2a.number}`, name: 'Okänd Betalare' },
      /* the known payer names k1a, paid already: more than it claims, held */
      { code: 1, amount: 10000, payer: '50501055', message: `Faktura ${k1a.number}` },
    ] }]));
    assertStatus(res, 200);
    report = res.body;
    assert.deepEqual(report.matched.map((m) => [m.invoice_number, m.amount_minor, m.matched_by, m.status]),
      [[k1b.number, 1250000, 'message', 'paid']]);
    assert.deepEqual(report.unmatched.map((u) => [u.line, u.amount_minor, u.suggested_invoice_number, u.reason]), [
      [5, 300000, k2a.number, "the message names an invoice of another customer than the payer's"],
      [7, 500000, k2a.number, 'the message names an invoice, but the payer is not known as its customer'],
      [10, 10000, k1a.number, 'the amount is more than the invoices the message names claim'],
    ]);
    assert.ok(report.unmatched.every((u) => Number.isInteger(u.id)));
    assert.equal(report.totals.unmatched_minor, 810000);
    assert.deepEqual(await remaining(k2a), ['overdue', 1250000]);
    /* The held money waits on 2420. */
    const vs = (await anna.get(`${C}/vouchers?from=2024-03-15&to=2024-03-15`)).body.items;
    const held = vs.filter((v) => v.source === 'bgmax_unmatched').at(-1);
    assert.deepEqual(held.rows.map((r) => [r.account, r.debit_minor, r.credit_minor]), [[1930, 810000, 0], [2420, 0, 810000]]);
  });

  test('the held payments are listed with their suggestion', async () => {
    const res = await anna.get(`${C}/payments/unmatched`);
    assertStatus(res, 200);
    const mine = res.body.items.filter((u) => report.unmatched.some((r) => r.id === u.id));
    assert.deepEqual(mine.map((u) => [u.amount_minor, u.date, u.suggested_invoice_id, u.suggested_invoice_number, u.invoice_id, u.payer_bankgiro]), [
      [300000, '2024-03-15', k2a.id, k2a.number, null, '0050501055'],
      [500000, '2024-03-15', k2a.id, k2a.number, null, '0000000000'],
      [10000, '2024-03-15', report.unmatched[2].suggested_invoice_id, report.unmatched[2].suggested_invoice_number, null, '0050501055'],
    ]);
  });

  test('a person confirms one: booked from 2420 on the invoice, on its bank date', async () => {
    const held = report.unmatched[1]; /* 5 000 kr, unknown payer, suggested k2a */
    const res = await anna.post(`${C}/payments/unmatched/${held.id}/confirm`, { invoice_id: k2a.id });
    assertStatus(res, 200);
    assert.equal(res.body.unmatched.invoice_id, k2a.id);
    assert.equal(res.body.payment.capital_minor, 500000);
    assert.equal(res.body.payment.remaining_minor, 750000);
    assert.deepEqual(await remaining(k2a), ['overdue', 750000]);
    assert.deepEqual(await paymentRows(k2a), [[[2420, 500000, 0], [1510, 0, 500000]]]);
    const open = (await anna.get(`${C}/payments/unmatched`)).body.items.map((u) => u.id);
    assert.ok(!open.includes(held.id));
  });

  test('refusals name the field and change nothing', async () => {
    const before = state() + ` unmatched=${fx.count('unmatched_payments', 'invoice_id = 0')}`;
    const held = report.unmatched[0];
    assertError(await anna.post(`${C}/payments/unmatched/${report.unmatched[1].id}/confirm`, { invoice_id: k2a.id }),
      409, 'already_confirmed', 'id');
    assertError(await anna.post(`${C}/payments/unmatched/${held.id}/confirm`, { invoice_id: 999999 }), 404, 'not_found', 'invoice_id');
    assertError(await anna.post(`${C}/payments/unmatched/999999/confirm`, { invoice_id: k2a.id }), 404, 'not_found', 'id');
    const missing = await anna.post(`${C}/payments/unmatched/${held.id}/confirm`, {});
    assert.equal(missing.status, 422);
    assert.equal(missing.body.error.field, 'invoice_id');
    assert.equal(state() + ` unmatched=${fx.count('unmatched_payments', 'invoice_id = 0')}`, before);
  });
});

/* ---- Bankgirot's published example files (tests/fixtures/bgmax) ---- */

const FIXTURES = path.join(REPO, 'tests', 'fixtures', 'bgmax');
const OCR_EXAMPLE = 'bankgiroinbetalningar_exempelfil_avtal-om-ocr-kontroll_checksiffra_langd_sv.txt';
const AUTOGIRO_EXAMPLE = 'autogiro_exempelfil_bg-max-format_sv.txt';
const fixture = (name) => readFileSync(path.join(FIXTURES, name));

/* The example's payers and the invoices they pay, numbered as in the file
 * (its OCR numbers carry a length digit and a check digit, as ours):
 * net amounts, 25 % VAT on top. */
const EXAMPLE_INVOICES = {
  6559: ['Kalles Plåt AB', 80000], /* 1 000 kr, line 3 */
  6578: ['Kalles Plåt AB', 28000], /* 350 kr each: the 1 400 kr of line 13 */
  6587: ['Kalles Plåt AB', 28000],
  6577: ['Kalles Plåt AB', 28000],
  6579: ['Kalles Plåt AB', 28000],
  6508: ['Olles färg AB', 88000], /* 1 100 kr, line 25 */
  6597: ['Berits Garn', 56000], /* 700 kr, line 35 */
  6582: ['Kalles Plåt AB', 160000], /* 2 000 + 1 500 + 1 500: the 5 000 kr of line 40 */
  6583: ['Kalles Plåt AB', 120000],
  6584: ['Kalles Plåt AB', 120000],
};

/* Invoices numbered 6508 .. 6597 dated 2004-04-26, due 2004-05-20: the
 * example's at their amounts, the others 100 kr of another customer. */
async function exampleInvoices() {
  const names = [...new Set(Object.values(EXAMPLE_INVOICES).map(([n]) => n)), 'Annan Kund AB'];
  const customers = {};
  for (const name of names) customers[name] = await createCustomer(anna, fx.companyId, { name });
  fx.exec(`update sequences set next_value = 6508 where company_id = ${fx.companyId} and name = 'invoice_number'`);
  const byNumber = {};
  for (let n = 6508; n <= 6597; n++) {
    const [who, net] = EXAMPLE_INVOICES[n] ?? ['Annan Kund AB', 8000];
    const res = await anna.post(`${C}/invoices`, {
      customer_id: customers[who].id, invoice_date: '2004-04-26', due_date: '2004-05-20', lines: [line(net)],
    });
    assertStatus(res, 201);
    assert.equal(res.body.number, n);
    byNumber[n] = res.body;
  }
  return byNumber;
}

describe("Bankgirot's example files", () => {
  let invs;

  test('the OCR example: every payment booked where a bookkeeper would book it', async () => {
    invs = await exampleInvoices();
    const res = await importFile(fixture(OCR_EXAMPLE));
    assertStatus(res, 200);
    const rep = res.body;
    assert.deepEqual(rep.matched.map((m) => [m.line, m.invoice_number, m.amount_minor, m.status, m.matched_by]), [
      [3, 6559, 100000, 'paid', 'ocr'],
      [13, 6578, 35000, 'paid', 'ocr'],
      [13, 6587, 35000, 'paid', 'ocr'],
      [13, 6577, 35000, 'paid', 'ocr'],
      [13, 6579, 35000, 'paid', 'ocr'],
      [25, 6508, 110000, 'paid', 'ocr'],
      [35, 6597, 70000, 'paid', 'ocr'],
      [40, 6582, 200000, 'paid', 'ocr'],
      [40, 6583, 150000, 'paid', 'ocr'],
      [40, 6584, 150000, 'paid', 'ocr'],
    ]);
    /* Berits Garn's 1 200 kr names no invoice: held for a person. */
    assert.deepEqual(rep.unmatched.map((u) => [u.line, u.amount_minor, u.payer_name, u.suggested_invoice_id]),
      [[30, 120000, 'Berits Garn', null]]);
    assert.deepEqual(rep.deductions.map((d) => [d.line, d.amount_minor, d.reference, d.payer_name, d.payer_bankgiro, d.credit_note, d.booked_on]),
      [[8, 50000, '89853', 'Kalles Plåt AB', '0003783511', null, 2420]]);
    assert.deepEqual(rep.payer_overpayments, []);
    assert.deepEqual(rep.totals.deposits_minor, 990000);
    /* The TAB record and the short ones were read, with warnings. */
    assert.ok(rep.warning_list.some((w) => /^line 17: TAB characters/.test(w)), rep.warning_list.join('\n'));
    for (const n of Object.keys(EXAMPLE_INVOICES)) assert.deepEqual(await remaining(invs[n]), ['paid', 0], `invoice ${n}`);
    /* The bank account got exactly the two deposits (1 900 + 8 000 kr). */
    const vs = (await anna.get(`${C}/vouchers?from=2004-05-25&to=2004-05-25`)).body.items;
    const bank = vs.flatMap((v) => v.rows).filter((r) => r.account === 1930).reduce((s, r) => s + r.debit_minor - r.credit_minor, 0);
    assert.equal(bank, 990000);
    /* Kalles Plåt's deduction of 500 kr: no credit note to set it against
     * (Påminn keeps none), so a voucher of its own that names it. */
    const ded = vs.filter((v) => v.source === 'bgmax_deduction');
    assert.deepEqual(ded.map((v) => [v.number, v.text, v.rows.map((r) => [r.account, r.debit_minor, r.credit_minor])]), [
      [rep.deductions[0].voucher.number, 'Bankgiro insättning 74, avdrag rad 8, ref 89853, Kalles Plåt AB', [[2420, 50000, 0], [1930, 0, 50000]]],
    ]);
  });

  test('the Autogiro example in BgMax format: payer numbers, not invoices, so all held; blank fields warned about', async () => {
    const res = await importFile(fixture(AUTOGIRO_EXAMPLE));
    assertStatus(res, 200);
    assert.equal(res.body.matched.length, 0);
    assert.deepEqual(res.body.unmatched.map((u) => [u.line, u.amount_minor]),
      [[3, 10000], [8, 20000], [9, 30000], [10, 10000]]);
    assert.equal(res.body.totals.deposits_minor, 70000);
    assert.ok(res.body.warning_list.some((w) => /image marker \(position 70\) is not a digit/.test(w)), res.body.warning_list.join('\n'));
  });
});

describe('valid files of an odd shape import, with a warning', () => {
  let kund;

  before(async () => {
    kund = await createCustomer(anna, fx.companyId, { name: 'Udda Filer AB' });
  });

  test("a payer bankgiro written '009701233 ' (a zero short, a blank after)", async () => {
    const inv = await invoice(kund, 100000);
    const lines = writeBgmax({ stamp: '20240401063015000001', deposits: [{ bankgiro: '9912346', date: '20240328', payments: [
      { ref: ocrOf(inv.number), amount: 125000, payer: '9701233' },
    ] }] });
    lines[2] = lines[2].slice(0, 2) + '009701233 ' + lines[2].slice(12);
    const res = await importFile(Buffer.from(lines.join('\r\n') + '\r\n', 'latin1'));
    assertStatus(res, 200);
    assert.deepEqual(res.body.matched.map((m) => [m.invoice_number, m.amount_minor, m.status]), [[inv.number, 125000, 'paid']]);
    assert.deepEqual(res.body.warning_list, ['line 3: payer bankgiro number (positions 3-12) written with blanks, read as digits']);
  });

  test('80-character records without line ends', async () => {
    const inv = await invoice(kund, 100000);
    const body = Buffer.from(writeBgmax({ stamp: '20240401063015000002', deposits: [{ bankgiro: '9912346', date: '20240327', payments: [
      { ref: ocrOf(inv.number), amount: 100000 },
    ] }] }).join(''), 'latin1');
    const res = await importFile(body);
    assertStatus(res, 200);
    assert.deepEqual(res.body.matched.map((m) => [m.invoice_number, m.amount_minor, m.status, m.remaining_minor]),
      [[inv.number, 100000, 'part_paid', 25000]]);
    assert.deepEqual(res.body.warning_list, ['records of 80 characters without line ends']);
  });

  test('a EUR deposit section: the SEK deposit imports, the EUR one is reported and skipped', async () => {
    const inv = await invoice(kund, 100000);
    const res = await importFile(Buffer.from(writeBgmax({ stamp: '20240401063015000003', deposits: [
      { bankgiro: '9912346', date: '20240326', payments: [{ ref: ocrOf(inv.number), amount: 125000 }] },
      { bankgiro: '9912346', date: '20240326', serial: 2, currency: 'EUR', payments: [{ ref: ocrOf(inv.number), amount: 9900 }] },
    ] }).join('\r\n') + '\r\n', 'latin1'));
    assertStatus(res, 200);
    assert.deepEqual(res.body.matched.map((m) => [m.invoice_number, m.amount_minor, m.status]), [[inv.number, 125000, 'paid']]);
    assert.deepEqual(res.body.skipped_deposits, [{ deposit: 1, serial: 2, currency: 'EUR', amount_minor: 9900, payments: 1, reason: 'only deposits in SEK are booked' }]);
    assert.equal(res.body.totals.deposits_minor, 125000);
    const vs = (await anna.get(`${C}/vouchers?from=2024-03-26&to=2024-03-26`)).body.items;
    const bank = vs.flatMap((v) => v.rows).filter((r) => r.account === 1930).reduce((s, r) => s + r.debit_minor - r.credit_minor, 0);
    assert.equal(bank, 125000);
  });

  test('UTF-8 instead of ISO-8859-1: detected and read right, not as mojibake', async () => {
    const lines = writeBgmax({ stamp: '20240401063015000004', deposits: [{ bankgiro: '9912346', date: '20240325', payments: [
      { code: 1, amount: 4200, name: 'Åsa Öberg', message: 'Gåva till föreningen' },
    ] }] });
    const res = await importFile(Buffer.from(lines.join('\r\n') + '\r\n', 'utf8'));
    assertStatus(res, 200);
    assert.deepEqual(res.body.unmatched.map((u) => [u.amount_minor, u.payer_name, u.message]), [[4200, 'Åsa Öberg', 'Gåva till föreningen']]);
    assert.deepEqual(res.body.warning_list, ['the file is UTF-8, not ISO-8859-1: read as UTF-8']);
  });
});

describe('dry runs book nothing', () => {
  let kund;

  before(async () => {
    kund = await createCustomer(anna, fx.companyId, { name: 'Provkörning AB' });
  });

  /* State plus what a dry run could have left behind. */
  const everything = () => `${state()} unmatched=${fx.count('unmatched_payments')} payers=${fx.count('payer_bankgiros')}`;

  test('a production file: the dry run shows what would be booked, the import then books exactly that', async () => {
    const a = await invoice(kund, 100000); /* 1 250 kr */
    const b = await invoice(kund, 100000);
    const body = file([{ bankgiro: '9912346', date: '20240320', serial: 7, payments: [
      { ref: ocrOf(a.number), amount: 300000, payer: '56781230', extras: [{ ref: ocrOf(b.number) }] },
      { code: 1, amount: 5000, message: 'vet ej' },
    ] }]);
    const before = everything();
    const dry = await importFile(body, '?dry_run=true');
    assertStatus(dry, 200);
    assert.equal(dry.body.dry_run, true);
    assert.deepEqual(dry.body.matched.map((m) => [m.invoice_number, m.amount_minor, m.status]),
      [[a.number, 125000, 'paid'], [b.number, 175000, 'overpaid']]);
    assert.deepEqual(dry.body.unmatched.map((u) => [u.amount_minor, u.id]), [[5000, null]]);
    assert.equal(dry.body.payer_overpayments[0].amount_minor, 50000);
    assert.equal(everything(), before);
    assert.deepEqual(await Promise.all([a, b].map(remaining)), [['overdue', 125000], ['overdue', 125000]]);
    /* Twice, even: a dry run remembers nothing. */
    assertStatus(await importFile(body, '?dry_run=true'), 200);
    assert.equal(everything(), before);
    const real = await importFile(body);
    assertStatus(real, 200);
    assert.equal(real.body.dry_run, false);
    assert.deepEqual(real.body.matched, dry.body.matched);
    assert.deepEqual(real.body.payer_overpayments, dry.body.payer_overpayments);
    assert.deepEqual(await Promise.all([a, b].map(remaining)), [['paid', 0], ['paid', 0]]);
    /* A dry run of a file imported before says so, and changes nothing. */
    const after = everything();
    assertError(await importFile(body, '?dry_run=true'), 409, 'already_imported', 'file');
    assert.equal(everything(), after);
  });

  test('a test file (T) never reaches the ledger: read as a dry run, refused otherwise', async () => {
    const inv = await invoice(kund, 100000);
    const body = file([{ bankgiro: '9912346', date: '20240319', payments: [{ ref: ocrOf(inv.number), amount: 125000 }] }], { marker: 'T' });
    const before = everything();
    assertError(await importFile(body), 422, 'bgmax_test_file', 'line 1');
    for (const query of ['?dry_run=true', '?allow_test_file=true']) {
      const res = await importFile(body, query);
      assertStatus(res, 200);
      assert.equal(res.body.test_marker, 'T');
      assert.equal(res.body.dry_run, true);
      assert.deepEqual(res.body.matched.map((m) => [m.invoice_number, m.amount_minor, m.status]), [[inv.number, 125000, 'paid']]);
    }
    assert.equal(everything(), before);
    assert.deepEqual(await remaining(inv), ['overdue', 125000]);
    assertError(await importFile(body, '?dry_run=yes'), 400, 'invalid_query', 'dry_run');
  });

  test('paminn import-bgmax --dry-run', async () => {
    const inv = await invoice(kund, 100000);
    const p = fx.file('dry.txt', file([{ bankgiro: '9912346', date: '20240318', payments: [{ ref: ocrOf(inv.number), amount: 125000 }] }], { marker: 'T' }));
    const before = everything();
    const out = fx.cli(['import-bgmax', '--company', String(fx.companyId), '--dry-run', p]);
    assert.match(out, /^dry run, nothing booked: BGMAX-\d{20}-0009912346: 1 deposits, /m);
    assert.match(out, /^matched: {3}1 payments, 1\s250,00\skr$/m);
    const json = JSON.parse(fx.cli(['import-bgmax', '--company', String(fx.companyId), '--dry-run', '--json', p]));
    assert.equal(json.dry_run, true);
    assert.deepEqual(json.matched.map((m) => [m.invoice_number, m.amount_minor]), [[inv.number, 125000]]);
    assert.equal(everything(), before);
  });
});

describe('paminn unmatched', () => {
  test('lists the held payments and places one on an invoice; a bad placement changes nothing', async () => {
    const kund = await createCustomer(anna, fx.companyId, { name: 'Kommandorad AB' });
    const inv = await invoice(kund, 100000); /* 1 250 kr */
    const res = await importFile(file([{ bankgiro: '9912346', date: '20240313', payments: [
      { code: 1, amount: 50000, message: `faktura ${inv.number}`, name: 'Kommandorad AB' },
    ] }]));
    assertStatus(res, 200);
    const held = res.body.unmatched[0];
    assert.equal(held.suggested_invoice_id, inv.id);
    const list = fx.cli(['unmatched', '--company', String(fx.companyId), 'list']);
    assert.match(list, new RegExp(`^${held.id}\\t2024-03-13\\t500,00\\skr\\t0000000000\\tKommandorad AB\\tsuggested: invoice id ${inv.id}\\t`, 'm'));
    const before = state();
    const bad = spawnSync(BIN, [...fx.globalArgs(), 'unmatched', '--company', String(fx.companyId), '--invoice', '999999', 'confirm', String(held.id)],
      { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.equal(state(), before);
    const out = fx.cli(['unmatched', '--company', String(fx.companyId), '--invoice', String(inv.id), 'confirm', String(held.id)]);
    assert.match(out, new RegExp(`^placed payment ${held.id} \\(500,00\\skr\\) on invoice id ${inv.id}: voucher 2024-\\d+, 75000 öre left`, 'm'));
    assert.deepEqual(await remaining(inv), ['overdue', 75000]);
    assert.deepEqual(await paymentRows(inv, '2024-03-13'), [[[2420, 50000, 0], [1510, 0, 50000]]]);
  });
});
