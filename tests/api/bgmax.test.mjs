/*
 * bgmax.test.mjs — importing Bankgirot BgMax files over real HTTP and with
 * `paminn import-bgmax`: 10 000 payments written by the tests' own
 * generator (tests/lib/bgmax.mjs) matched to 10 000 invoices by OCR with
 * every invoice's balance and status updated; a hand-made file (checked with
 * its verifier) with exact, part, over- and unmatched payments and
 * one by invoice number in the message; malformed files (truncated, wrong
 * record order, bad amount), test files, another bankgiro and a second
 * import refused whole, changing nothing.
 *
 * The server's clock is fixed at 2024-06-01 (Stockholm); the company's
 * bankgiro is 991-2346.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { generateBgmax, ocrOf, verifyBgmax } from '../lib/bgmax.mjs';
import { isPg } from './lib/db.mjs';
import { BIN, assertError, assertStatus, co, createCustomer, line, startServer } from './lib/server.mjs';

let fx;
let anna;
let C;
let kund;

/* A generated file (ISO-8859-1 bytes) to the company's bankgiro 991-2346
 * unless opts.bankgiro says otherwise, checked by the verifier first. */
function gen(opts) {
  const body = generateBgmax({ bankgiro: '9912346', ...opts });
  assert.deepEqual(verifyBgmax(body).errors, [], 'the generated file is valid BgMax');
  return body;
}

/* Everything an import may write. */
function state() {
  return ['payments', 'vouchers', 'voucher_rows', 'history_events', 'bgmax_imports', 'outbox', 'invoice_books']
    .map((t) => `${t}=${fx.count(t)}`)
    .join(' ') + ` paid=${fx.sql('select coalesce(sum(paid_minor), 0) from invoices')}`;
}

async function importFile(body, query = '', type = 'text/plain') {
  return anna.request('POST', `${C}/payments/bgmax${query}`, undefined, {
    raw: body,
    headers: { 'Content-Type': type },
  });
}

/* Create invoices with up to 8 requests in flight; returns them in order. */
async function createInvoices(n, make) {
  const out = new Array(n);
  let next = 0;
  async function worker() {
    while (next < n) {
      const i = next++;
      const res = await anna.post(`${C}/invoices`, make(i));
      assertStatus(res, 201);
      out[i] = res.body;
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker));
  return out;
}

/* ---- a BgMax writer for hand-made files (80-character records) ---- */
const rec = (s) => {
  assert.ok(s.length <= 80, `record longer than 80: ${s}`);
  return s.padEnd(80, ' ');
};
const num = (v, w) => String(v).padStart(w, '0');
function payment(ref, amount, code, serial) {
  const field = code === 2 ? ref.padStart(25, ' ') : ref.padEnd(25, ' ');
  return rec(`20${num(0, 10)}${field}${num(amount, 18)}${code}1${num(serial, 12)}0`);
}
function bgmaxFile(entries, { bankgiro = '9912346', date = '20240315', marker = 'P', stamp = '20240316063015123456' } = {}) {
  const lines = [rec(`01BGMAX               01${stamp}${marker}`), rec(`05${num(bankgiro, 10)}          SEK`)];
  let sum = 0;
  entries.forEach((e, i) => {
    lines.push(payment(e.ref, e.amount, e.code, 1000 + i));
    if (e.message) lines.push(rec(`25${e.message}`));
    if (e.name) lines.push(rec(`26${e.name}`));
    sum += e.amount;
  });
  lines.push(rec(`15${num('58410000123456', 35)}${date}${num(1, 5)}${num(sum, 18)}SEK${num(entries.length, 8)} `));
  lines.push(rec(`70${num(entries.length, 8)}${num(0, 8)}${num(0, 8)}${num(1, 8)}`));
  return Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
}

before(async () => {
  fx = await startServer({ now: '2024-06-01' });
  anna = await fx.login();
  C = co(fx.companyId);
  assertStatus(await anna.patch(C, { bankgiro: '991-2346' }), 200);
  kund = await createCustomer(anna, fx.companyId, { name: 'Betalande Kund' });
});
after(async () => {
  await fx?.stop();
});

describe('a hand-made file', () => {
  let invs;
  let report;

  test('exact, part, over-paid, by invoice number and unmatched payments, booked and reported', async () => {
    /* four invoices of 12 500 kr (10 000 + VAT) due 2024-02-29 */
    invs = await createInvoices(4, () => ({ customer_id: kund.id, invoice_date: '2024-01-30', due_date: '2024-02-29', lines: [line(1000000)] }));
    const handed = invs[3];
    fx.exec(`update invoices set agency_state = 'registered' where id = ${handed.id}`);
    const file = bgmaxFile([
      { ref: ocrOf(invs[0].number), amount: 1250000, code: 2, name: 'Åsa Öberg' },
      { ref: ocrOf(invs[1].number), amount: 500000, code: 2 },
      { ref: ocrOf(invs[2].number), amount: 1300000, code: 2 },
      { ref: `FAKTURA ${handed.number}`, amount: 1250000, code: 3, message: `Betalning avser faktura ${handed.number}` },
      { ref: '9999999999999999999994', amount: 70000, code: 3, message: 'vet ej' },
    ]);
    fx.file('hand.txt', file);
    const checked = verifyBgmax(file);
    assert.deepEqual(checked.errors, []);
    assert.deepEqual(checked.warnings, []);
    assert.equal(checked.ok, true);
    assert.deepEqual(checked.deposits.map((d) => [d.count15, d.amount15, d.ok]), [[5, 4370000, true]]);
    const res = await importFile(file);
    assertStatus(res, 200);
    report = res.body;
    assert.equal(report.test_marker, 'P');
    assert.equal(report.file_identity, 'BGMAX-20240316063015123456-0009912346');
    assert.deepEqual(report.matched.map((m) => [m.invoice_id, m.amount_minor, m.status, m.matched_by]), [
      [invs[0].id, 1250000, 'paid', 'ocr'],
      [invs[1].id, 500000, 'part_paid', 'ocr'],
      [invs[2].id, 1300000, 'overpaid', 'ocr'],
      [handed.id, 1250000, 'paid', 'invoice_number'],
    ]);
    assert.equal(report.matched[3].reported_to_agency, true);
    assert.deepEqual(report.overpayments, [{ invoice_id: invs[2].id, invoice_number: invs[2].number, amount_minor: 50000 }]);
    assert.deepEqual(report.underpayments, [{ invoice_id: invs[1].id, invoice_number: invs[1].number, remaining_minor: 750000 }]);
    assert.equal(report.unmatched.length, 1);
    assert.equal(report.unmatched[0].amount_minor, 70000);
    assert.equal(report.unmatched[0].line, 9);
    assert.equal(report.totals.matched_minor, 4300000);
    assert.equal(report.totals.unmatched_minor, 70000);
    assert.equal(report.totals.deposits_minor, 4370000);
  });

  test('the invoices, their history and the vouchers follow', async () => {
    const got = await Promise.all(invs.map((i) => anna.get(`${C}/invoices/${i.id}`)));
    assert.deepEqual(got.map((g) => [g.body.status, g.body.remaining_minor]),
      [['paid', 0], ['overdue', 750000], ['paid', 0], ['paid', 0]]);
    const hist = await anna.get(`${C}/invoices/${invs[0].id}/history`);
    const ev = hist.body.items.find((e) => e.kind === 'payment');
    assert.equal(ev.data.source, 'bgmax');
    assert.equal(ev.data.date, '2024-03-15');
    assert.equal(ev.data.reference, ocrOf(invs[0].number));
    /* The over-payment waits on 2420; the unmatched money too. */
    const vs = (await anna.get(`${C}/vouchers?from=2024-03-15&to=2024-03-15`)).body.items;
    const over = vs.find((v) => v.invoice_id === invs[2].id && v.source === 'payment');
    assert.deepEqual(over.rows.map((r) => [r.account, r.debit_minor, r.credit_minor]),
      [[1930, 1300000, 0], [1510, 0, 1250000], [2420, 0, 50000]]);
    const un = vs.find((v) => v.source === 'bgmax_unmatched');
    assert.deepEqual(un.rows.map((r) => [r.account, r.debit_minor, r.credit_minor]), [[1930, 70000, 0], [2420, 0, 70000]]);
    /* The bank account got exactly the deposit. */
    const bank = vs.flatMap((v) => v.rows).filter((r) => r.account === 1930).reduce((s, r) => s + r.debit_minor - r.credit_minor, 0);
    assert.equal(bank, 4370000);
    /* The handed-over invoice's payment is reported to the agency, once. */
    const out = fx.rows(`select kind, payload from outbox where invoice_id = ${invs[3].id}`);
    assert.equal(out.length, 1);
    assert.equal(out[0].kind, 'report_payment');
    assert.deepEqual(JSON.parse(out[0].payload), { amount_minor: 1250000, date: '2024-03-15', reference: `FAKTURA ${invs[3].number}` });
  });

  test('the same file again: 409 already_imported, nothing changes', async () => {
    const before = state();
    const file = readFileSync(path.join(fx.dir, 'hand.txt'));
    assertError(await importFile(file), 409, 'already_imported', 'file');
    /* Even with another file stamp, the same deposit is not booked twice. */
    const again = Buffer.from(file.toString('latin1').replace('20240316063015123456', '20240316063015999999'), 'latin1');
    assertError(await importFile(again), 409, 'already_imported', 'deposits[0]');
    assert.equal(state(), before);
  });
});

describe('refused files change nothing', () => {
  let good;

  before(() => {
    good = gen({ payments: 20, seed: 11, marker: 'P', date: '20240402' }).toString('latin1');
  });

  async function refused(body, status, code, field) {
    const before = state();
    const res = await importFile(Buffer.from(body, 'latin1'));
    assertError(res, status, code, field);
    assert.equal(state(), before);
    return res;
  }

  test('truncated: no end record', async () => {
    const lines = good.split('\r\n');
    const res = await refused(lines.slice(0, -2).join('\r\n') + '\r\n', 422, 'bgmax_invalid', 'file');
    assert.match(res.body.error.reason, /truncated/);
  });

  test('wrong record order: a payment before its opening record', async () => {
    const lines = good.split('\r\n');
    [lines[1], lines[2]] = [lines[2], lines[1]];
    const res = await refused(lines.join('\r\n'), 422, 'bgmax_invalid', 'line 2');
    assert.match(res.body.error.reason, /out of order/);
  });

  test('a bad amount: a letter in the amount of a payment', async () => {
    const lines = good.split('\r\n');
    const i = lines.findIndex((l) => l.startsWith('20'));
    lines[i] = lines[i].slice(0, 40) + 'X' + lines[i].slice(41);
    const res = await refused(lines.join('\r\n'), 422, 'bgmax_invalid', `line ${i + 1}`);
    assert.match(res.body.error.reason, /amount/);
  });

  test('amounts that do not add up to the deposit', async () => {
    const lines = good.split('\r\n');
    const i = lines.findIndex((l) => l.startsWith('20'));
    const amount = lines[i].slice(37, 55);
    lines[i] = lines[i].slice(0, 37) + String(Number(amount) + 1).padStart(18, '0') + lines[i].slice(55);
    const res = await refused(lines.join('\r\n'), 422, 'bgmax_invalid');
    assert.match(res.body.error.reason, /deposit amount/);
  });

  test('a test file, another bankgiro, the wrong media type', async () => {
    const t = gen({ payments: 3, seed: 12, marker: 'T', date: '20240502' });
    await refused(t.toString('latin1'), 422, 'bgmax_test_file', 'line 1');
    const o = gen({ payments: 3, bankgiro: '56781230', seed: 13, marker: 'P', date: '20240502' });
    await refused(o.toString('latin1'), 422, 'bankgiro_mismatch', 'deposits[0]');
    const before = state();
    assertError(await importFile(Buffer.from(good, 'latin1'), '', 'application/json'), 415, 'bgmax_media_type');
    assert.equal(state(), before);
    /* A test file may be imported on purpose. */
    const ok = await importFile(t, '?allow_test_file=true');
    assertStatus(ok, 200);
    assert.equal(ok.body.test_marker, 'T');
    assert.equal(ok.body.totals.unmatched_count, 3);
  });
});

/* 10 000 on SQLite: a file over the 1 MiB default body limit.  The 10 000
 * invoices it pays are made one request each, and each takes the company's
 * write lock, so on PostgreSQL (a round trip per statement) the same import
 * runs on 3 000, and in the sanitizer build on a fifth (AMILI_TEST_SCALE). */
const BIG = isPg ? 3000 : Math.round(10000 * Number(process.env.AMILI_TEST_SCALE ?? 1));

describe(`${BIG} payments`, () => {
  test(`a generated file of ${BIG} payments imports, every one matched by OCR and every invoice updated`, async () => {
    const n = BIG;
    const invs = await createInvoices(n, (i) => ({
      customer_id: kund.id, invoice_date: '2023-11-01', due_date: '2023-12-01', lines: [line(400000 + (i % 7) * 100000)],
    }));
    const refs = invs.map((i) => ocrOf(i.number));
    const body = gen({ payments: n, seed: 2024, marker: 'P', refs, date: '20240103' });
    if (n >= 10000) assert.ok(body.length > 1024 * 1024, 'larger than the default body limit');
    const before = Object.fromEntries(fx.rows('select id, remaining_minor from invoices').map((r) => [r.id, r.remaining_minor]));
    const t0 = Date.now();
    const res = await importFile(body);
    assertStatus(res, 200);
    const ms = Date.now() - t0;
    const rep = res.body;
    assert.equal(rep.matched.length, n, `all matched (${ms} ms)`);
    assert.equal(rep.unmatched.length, 0);
    assert.equal(rep.totals.payments, n + rep.deductions.length);
    assert.equal(rep.totals.matched_minor + 0 - rep.totals.deductions_minor, rep.totals.deposits_minor);
    const byInvoice = new Map(rep.matched.map((m) => [m.invoice_id, m]));
    assert.equal(byInvoice.size, n, 'one payment per invoice');
    const after = fx.rows('select id, remaining_minor, state from invoices');
    let paid = 0;
    for (const row of after) {
      const m = byInvoice.get(row.id);
      if (!m) continue;
      const expected = Math.max(0, before[row.id] - m.amount_minor);
      assert.equal(row.remaining_minor, expected, `invoice ${row.id}`);
      assert.equal(row.state, expected === 0 ? 'paid' : 'open', `invoice ${row.id}`);
      assert.equal(m.status, m.amount_minor > before[row.id] ? 'overpaid' : expected === 0 ? 'paid' : 'part_paid');
      if (expected === 0) paid++;
    }
    assert.ok(paid > 1000 && paid < n, `a mix of paid (${paid}) and part-paid invoices`);
    /* The bank account got exactly the deposits (dated from 2024-01-03, one
     * bank day apart; the other files of this test are dated from 2024-03-15). */
    const day = (iso) => Date.parse(iso) / 86400000;
    const bank = Number(fx.sql(`select sum(r.debit_minor - r.credit_minor) from voucher_rows r
      join vouchers v using (company_id, year, number)
      where r.account = 1930 and v.date between ${day('2024-01-03')} and ${day('2024-03-14')}`));
    assert.equal(bank, rep.totals.deposits_minor);
  });
});

describe('paminn import-bgmax', () => {
  test('imports a file with a summary, and refuses it the second time', () => {
    const p = fx.file('cli.txt', gen({ payments: 5, seed: 21, marker: 'P', date: '20240520' }));
    const out = fx.cli(['import-bgmax', '--company', String(fx.companyId), p]);
    assert.match(out, /^imported BGMAX-\d{20}-0009912346: 1 deposits, /m);
    assert.match(out, /^unmatched: 5 payments, /m);
    const again = spawnSync(BIN, ['--db', fx.db, 'import-bgmax', '--company', String(fx.companyId), p], { encoding: 'utf8' });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /redan inläst/);
    const bad = path.join(fx.dir, 'bad.txt');
    writeFileSync(bad, readFileSync(p, 'latin1').split('\r\n').slice(0, 3).join('\r\n'), 'latin1');
    const broken = spawnSync(BIN, ['--db', fx.db, 'import-bgmax', '--company', String(fx.companyId), bad], { encoding: 'utf8' });
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /felaktig.*truncated/);
  });
});
