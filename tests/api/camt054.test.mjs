/*
 * camt054.test.mjs — importing ISO 20022 camt.054 files over real HTTP
 * (POST .../payments/camt054) and with `paminn import-camt054`, written by
 * the tests' own generator (tests/lib/camt054.mjs) and from the fixture
 * tests/fixtures/camt054/bankgiro-inbetalningar.xml (a notification in the
 * shape Swedish banks deliver Bankgiro Inbetalningar in).
 *
 * Hand-checked: an OCR payment paying an invoice in full, a part payment,
 * two transactions in one entry, a debit and a pending entry and a EUR
 * entry listed and not booked, a payment with an unknown reference held
 * on 2420 with the invoice its message names as suggestion, the same
 * file twice refused, malformed XML, a schema violation, a DOCTYPE with
 * entities, too many decimals and sums that do not add up refused whole
 * with the invoices still unpaid, a dry run booking nothing.
 *
 * The server's clock is fixed at 2024-06-01 (Stockholm); the company's
 * bankgiro is 991-2346.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { camt054 } from '../lib/camt054.mjs';
import { BIN, DATA_DIR, REPO, assertError, assertStatus, co, createCustomer, line, startServer } from './lib/server.mjs';
import { ocrOf } from '../lib/bgmax.mjs';

let fx;
let anna;
let C;
let kund;

/* Everything an import may write. */
function state() {
  return ['payments', 'vouchers', 'voucher_rows', 'history_events', 'bgmax_imports', 'outbox', 'invoice_books', 'unmatched_payments']
    .map((t) => `${t}=${fx.count(t)}`)
    .join(' ') + ` paid=${fx.sql('select coalesce(sum(paid_minor), 0) from invoices')}`;
}

async function importXml(body, query = '', type = 'application/xml') {
  return anna.request('POST', `${C}/payments/camt054${query}`, undefined, {
    raw: Buffer.from(body, 'utf8'),
    headers: { 'Content-Type': type },
  });
}

/* An invoice of 12 500 kr (10 000 + 25 % VAT) due 2024-02-29. */
async function invoice(customer = kund, unitMinor = 1000000) {
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

async function vouchersOn(date) {
  return (await anna.get(`${C}/vouchers?from=${date}&to=${date}`)).body.items;
}

const rows = (v) => v.rows.map((r) => [r.account, r.debit_minor, r.credit_minor]);

before(async () => {
  fx = await startServer({ now: '2024-06-01' });
  anna = await fx.login();
  C = co(fx.companyId);
  assertStatus(await anna.patch(C, { bankgiro: '991-2346' }), 200);
  kund = await createCustomer(anna, fx.companyId, { name: 'Betalande Kund AB' });
});
after(async () => {
  await fx?.stop();
});

describe('the fixture: a bank notification of Bankgiro Inbetalningar (camt.054.001.02)', () => {
  test('imports: three OCR payments booked, a free-text one held, the returned payment not booked', async () => {
    /* The fixture's OCR references are those of the company's first three
     * invoices (numbers 1001, 1002 and 1003 in a fresh database). */
    const invs = [await invoice(), await invoice(kund, 500000), await invoice(kund, 200000)];
    assert.deepEqual(invs.map((i) => i.number), [1001, 1002, 1003], 'the fixture names invoices 1001, 1002 and 1003');
    assert.deepEqual(invs.map((i) => ocrOf(i.number)), ['100164', '100263', '100362']);
    const xml = readFileSync(path.join(REPO, 'tests/fixtures/camt054/bankgiro-inbetalningar.xml'), 'utf8');
    const res = await importXml(xml);
    assertStatus(res, 200);
    const rep = res.body;
    assert.equal(rep.file_identity, 'CAMT054-BGI20240315063015000012');
    assert.deepEqual(rep.matched.map((m) => [m.invoice_number, m.amount_minor, m.status, m.matched_by, m.line]), [
      [1001, 1250000, 'paid', 'ocr', 72],
      [1002, 625000, 'paid', 'ocr', 123],
      [1003, 100000, 'part_paid', 'ocr', 174],
    ]);
    assert.equal(rep.unmatched.length, 1);
    assert.deepEqual([rep.unmatched[0].amount_minor, rep.unmatched[0].payer_name, rep.unmatched[0].message],
      [45000, 'Kalle Svensson', 'Medlemsavgift 2024 Kalle Svensson']);
    assert.deepEqual(rep.skipped_deposits.map((d) => [d.bank_reference, d.amount_minor, d.reason]), [
      ['0315000003', 45000, 'a debit entry is no incoming payment'],
    ]);
    /* 12 500 + 6 250 + 1 000 + 450 kr in, the debit not counted */
    assert.equal(rep.totals.deposits_minor, 2020000);
    assert.equal(rep.totals.matched_minor, 1975000);
    assert.equal(rep.totals.unmatched_minor, 45000);
    assert.equal(rep.warnings, 1);
    assert.deepEqual(await remaining(invs[2]), ['overdue', 150000]);
    const payer = rep.matched[0];
    assert.equal(payer.reference, '100164');
    /* the bank got exactly the two credit entries */
    const bank = (await vouchersOn('2024-03-15')).flatMap((v) => v.rows).filter((r) => r.account === 1930)
      .reduce((s, r) => s + r.debit_minor - r.credit_minor, 0);
    assert.equal(bank, 2020000);
  });
});

describe('a generated file', () => {
  let invs;
  let report;
  let file;

  test('full, part, two transactions in one entry, debit, pending and EUR entries, an unknown reference', async () => {
    invs = await Promise.all([invoice(), invoice(), invoice(), invoice(), invoice()]);
    const [a, b, c, d, e] = invs;
    file = camt054({
      msgId: 'NOTIF-2024-03-20-1', version: '04', entries: [
        /* line numbers of the TxDtls below are checked in the report */
        { ref: 'E-0001', date: '2024-03-20', txs: [{ amount: 1250000, ocr: [ocrOf(a.number)], name: 'Åsa Öberg', ref: 'T1' }] },
        { ref: 'E-0002', date: '2024-03-20', txs: [{ amount: 500000, ocr: [ocrOf(b.number)], name: 'Bo Ek', ref: 'T2' }] },
        {
          ref: 'E-0003', date: '2024-03-20', txs: [
            { amount: 1250000, ocr: [ocrOf(c.number)], name: 'Carl AB', ref: 'T3' },
            { amount: 300000, ocr: [ocrOf(d.number)], name: 'Carl AB', ref: 'T4' },
          ],
        },
        { ref: 'E-0004', date: '2024-03-20', cdtDbt: 'DBIT', txs: [{ amount: 99900, ref: 'T5' }] },
        { ref: 'E-0005', date: '2024-03-20', status: 'PDNG', txs: [{ amount: 1250000, ocr: [ocrOf(e.number)], ref: 'T6' }] },
        { ref: 'E-0006', date: '2024-03-20', currency: 'EUR', txs: [{ amount: 10000, ocr: [ocrOf(e.number)], ref: 'T7' }] },
        {
          ref: 'E-0007', date: '2024-03-20', txs: [
            { amount: 70000, ocr: ['9999999999999999999994'], ustrd: [`Avser faktura ${e.number}`], name: 'Okänd Betalare', ref: 'T8' },
          ],
        },
      ],
    });
    const res = await importXml(file);
    assertStatus(res, 200);
    report = res.body;
    assert.equal(report.file_identity, 'CAMT054-NOTIF-2024-03-20-1');
    assert.equal(report.dry_run, false);
    assert.deepEqual(report.matched.map((m) => [m.invoice_id, m.amount_minor, m.status, m.matched_by, m.remaining_minor]), [
      [a.id, 1250000, 'paid', 'ocr', 0],
      [b.id, 500000, 'part_paid', 'ocr', 750000],
      [c.id, 1250000, 'paid', 'ocr', 0],
      [d.id, 300000, 'part_paid', 'ocr', 950000],
    ]);
    assert.deepEqual(report.underpayments.map((u) => [u.invoice_id, u.remaining_minor]), [[b.id, 750000], [d.id, 950000]]);
    assert.equal(report.unmatched.length, 1);
    const u = report.unmatched[0];
    assert.deepEqual([u.amount_minor, u.reference, u.payer_name, u.suggested_invoice_id, u.suggested_invoice_number, u.reason],
      [70000, '9999999999999999999994', 'Okänd Betalare', e.id, e.number,
        'the message names an invoice, but the payer is not known as its customer']);
    assert.ok(Number.isInteger(u.id));
    /* the bank's own references of the transactions */
    assert.deepEqual(report.matched.map((m) => m.bank_reference), ['T1', 'T2', 'T3', 'T4']);
    assert.equal(u.bank_reference, 'T8');
    assert.deepEqual(report.skipped_deposits.map((s) => [s.bank_reference, s.currency, s.amount_minor, s.reason]), [
      ['E-0004', 'SEK', 99900, 'a debit entry is no incoming payment'],
      ['E-0005', 'SEK', 1250000, 'the entry is not booked (status PDNG)'],
      ['E-0006', 'EUR', 10000, 'only deposits in SEK are booked'],
    ]);
    assert.equal(report.warnings, 3);
    assert.match(report.warning_list[2], /^line \d+: Ntry E-0006: an entry in EUR, not booked$/);
    /* 12 500 + 5 000 + 15 500 + 700 kr booked */
    assert.equal(report.totals.deposits_minor, 3370000);
    assert.equal(report.totals.matched_minor, 3300000);
    assert.equal(report.totals.unmatched_minor, 70000);
    assert.equal(report.totals.deposits, 7);
  });

  test('the invoices, their history and vouchers follow; the pending and EUR money is not booked', async () => {
    const [a, b, c, d, e] = invs;
    assert.deepEqual(await Promise.all(invs.map(remaining)), [
      ['paid', 0], ['overdue', 750000], ['paid', 0], ['overdue', 950000], ['overdue', 1250000],
    ]);
    const hist = await anna.get(`${C}/invoices/${a.id}/history`);
    const ev = hist.body.items.find((x) => x.kind === 'payment');
    assert.equal(ev.data.date, '2024-03-20');
    assert.equal(ev.data.reference, ocrOf(a.number));
    assert.equal(ev.data.source, 'camt054', 'the payment says it came in a camt.054 file');
    const vs = await vouchersOn('2024-03-20');
    const pay = (inv) => vs.filter((v) => v.invoice_id === inv.id && v.source === 'payment').map(rows);
    assert.deepEqual(pay(a), [[[1930, 1250000, 0], [1510, 0, 1250000]]]);
    assert.deepEqual(pay(b), [[[1930, 500000, 0], [1510, 0, 500000]]]);
    assert.deepEqual(pay(c), [[[1930, 1250000, 0], [1510, 0, 1250000]]]);
    assert.deepEqual(pay(d), [[[1930, 300000, 0], [1510, 0, 300000]]]);
    assert.deepEqual(pay(e), []);
    const held = vs.filter((v) => v.source === 'bgmax_unmatched');
    assert.deepEqual(held.map(rows), [[[1930, 70000, 0], [2420, 0, 70000]]]);
    assert.equal(held[0].text, 'Bankinsättning E-0007, ej matchade inbetalningar');
    const bank = vs.flatMap((v) => v.rows).filter((r) => r.account === 1930).reduce((s, r) => s + r.debit_minor - r.credit_minor, 0);
    assert.equal(bank, 3370000);
    /* held for a person, with the suggestion */
    const open = (await anna.get(`${C}/payments/unmatched`)).body.items.find((x) => x.id === report.unmatched[0].id);
    assert.deepEqual([open.amount_minor, open.date, open.suggested_invoice_id, open.suggested_invoice_number, open.file_identity],
      [70000, '2024-03-20', e.id, e.number, 'CAMT054-NOTIF-2024-03-20-1']);
  });

  test('the held payment placed on its suggested invoice is a camt.054 payment of its bank date', async () => {
    const e = invs[4];
    const res = await anna.post(`${C}/payments/unmatched/${report.unmatched[0].id}/confirm`, { invoice_id: e.id });
    assertStatus(res, 200);
    assert.deepEqual(await remaining(e), ['overdue', 1180000]);
    const ev = (await anna.get(`${C}/invoices/${e.id}/history`)).body.items.find((x) => x.kind === 'payment');
    assert.deepEqual([ev.data.date, ev.data.amount_minor, ev.data.source], ['2024-03-20', 70000, 'camt054']);
  });

  test('the same file again: 409 already_imported; an entry in another file too; nothing changes', async () => {
    const before = state();
    assertError(await importXml(file), 409, 'already_imported', 'file');
    assertError(await importXml(file.replace('NOTIF-2024-03-20-1', 'NOTIF-2024-03-20-2')), 409, 'already_imported', 'deposits[0]');
    assert.equal(state(), before);
  });
});

describe('refused files change nothing', () => {
  let inv;
  let good;

  before(async () => {
    inv = await invoice();
    good = camt054({
      msgId: 'REFUSED-1', entries: [
        { ref: 'R-1', date: '2024-04-02', txs: [{ amount: 1250000, ocr: [ocrOf(inv.number)], name: 'Åsa' }] },
        { ref: 'R-2', date: '2024-04-02', txs: [{ amount: 1000, ustrd: ['x'] }] },
      ],
    });
  });

  async function refused(body, status, code, field, type) {
    const before = state();
    const res = await importXml(body, '', type);
    assertError(res, status, code, field);
    assert.equal(state(), before);
    assert.deepEqual(await remaining(inv), ['overdue', 1250000]);
    return res;
  }

  test('malformed XML: the line and what is wrong', async () => {
    const res = await refused(good.replace('</GrpHdr>', '</GrpHdrX>'), 422, 'camt054_invalid', 'line 7');
    assert.match(res.body.error.reason, /^line 7: not well-formed XML: Opening and ending tag mismatch: GrpHdr line 4 and GrpHdrX/);
  });

  test('a schema violation: the element and its line', async () => {
    const bad = good.replace('<CdtDbtInd>CRDT</CdtDbtInd>', '<CdtDbtInd>CREDIT</CdtDbtInd>');
    const res = await refused(bad, 422, 'camt054_invalid', 'line 17');
    assert.match(res.body.error.reason, /^line 17: not a valid camt\.054 file: Element 'CdtDbtInd': .*'CREDIT'/);
    /* a schema the file names (xsi:schemaLocation) is never read: ours decides */
    const lax = fx.file('lax.xsd', '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
      + 'targetNamespace="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><xs:element name="Document"/></xs:schema>');
    const located = bad.replace('xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
      `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02 ${lax}"`);
    await refused(located, 422, 'camt054_invalid', 'line 17');
    const missing = good.replace(/<MsgId>REFUSED-1<\/MsgId>/, '');
    const r2 = await refused(missing, 422, 'camt054_invalid');
    assert.match(r2.body.error.reason, /Element 'CreDtTm': This element is not expected\. Expected is \( MsgId \)/);
  });

  test('a DOCTYPE with entities (entity expansion, XXE) is refused before anything is read', async () => {
    const lol = good.replace('<?xml version="1.0" encoding="UTF-8"?>\n',
      '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
      + '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x SYSTEM "data/reference-rates.csv">]>\n')
      .replace('<MsgId>REFUSED-1</MsgId>', '<MsgId>&c;&x;</MsgId>');
    const res = await refused(lol, 422, 'camt054_invalid', 'line 2');
    assert.match(res.body.error.reason, /DOCTYPE is not allowed/);
  });

  test('an amount with three decimals, a negative one, sums that do not add up', async () => {
    const three = good.replace('<Amt Ccy="SEK">12500.00</Amt>\n      <CdtDbtInd>', '<Amt Ccy="SEK">12500.005</Amt>\n      <CdtDbtInd>');
    let res = await refused(three, 422, 'camt054_invalid', 'line 16');
    assert.match(res.body.error.reason, /Amt: '12500\.005' has more than two decimals/);
    res = await refused(good.replace('12500.00', '-12500.00'), 422, 'camt054_invalid', 'line 16');
    assert.match(res.body.error.reason, /minInclusive/);
    /* the transaction says 12 500,01 kr, its entry 12 500,00 */
    const sum = good.replace(/(<TxDtls>[\s\S]*?)<AmtDtls><TxAmt><Amt Ccy="SEK">12500.00/, '$1<AmtDtls><TxAmt><Amt Ccy="SEK">12500.01');
    res = await refused(sum, 422, 'camt054_invalid', 'line 15');
    assert.match(res.body.error.reason, /Ntry R-1: the transactions add up to 1250001 öre, the entry's amount is 1250000 öre/);
  });

  test('another namespace, another bankgiro, the wrong media type', async () => {
    let res = await refused(good.replace('camt.054.001.02', 'camt.053.001.02'), 422, 'camt054_invalid', 'line 2');
    assert.match(res.body.error.reason, /not a camt\.054 Document/);
    res = await refused(camt054({ msgId: 'OTHER-BG', account: { bankgiro: '56781230' }, entries: [{ ref: 'O-1', txs: [{ amount: 100 }] }] }),
      422, 'bankgiro_mismatch', 'deposits[0]');
    await refused(good, 415, 'camt054_media_type', undefined, 'text/plain');
  });
});

describe('a dry run', () => {
  test('reports what would be booked and books nothing', async () => {
    const inv = await invoice();
    const body = camt054({ msgId: 'DRY-1', version: '08', entries: [
      { ref: 'D-1', date: '2024-04-10', txs: [{ amount: 1250000, ocr: [ocrOf(inv.number)], name: 'Pty Namn' }] },
    ] });
    const before = state();
    const res = await importXml(body, '?dry_run=true', 'text/xml');
    assertStatus(res, 200);
    assert.equal(res.body.dry_run, true);
    assert.deepEqual(res.body.matched.map((m) => [m.invoice_id, m.amount_minor, m.status]), [[inv.id, 1250000, 'paid']]);
    assert.equal(state(), before);
    assert.deepEqual(await remaining(inv), ['overdue', 1250000]);
    assertError(await importXml(body, '?dry_run=maybe'), 400, 'invalid_query', 'dry_run');
    assertError(await importXml(body, '?allow_test_file=true'), 400, 'invalid_query', 'allow_test_file');
    /* and then for real, once */
    const real = await importXml(body, '', 'application/octet-stream');
    assertStatus(real, 200);
    assert.equal(real.body.dry_run, false);
    assert.deepEqual(await remaining(inv), ['paid', 0]);
  });
});

describe('paminn import-camt054', () => {
  test('imports a file with a summary, refuses it the second time and a broken one', async () => {
    const inv = await invoice();
    const body = camt054({ msgId: 'CLI-1', entries: [
      { ref: 'C-1', date: '2024-05-02', txs: [{ amount: 600000, ocr: [ocrOf(inv.number)] }] },
    ] });
    const p = fx.file('cli.xml', body);
    const run = (args) => spawnSync(BIN, ['--db', fx.db, '--data-dir', DATA_DIR, 'import-camt054', '--company', String(fx.companyId), ...args],
      { encoding: 'utf8' });
    const dry = run(['--dry-run', p]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^dry run, nothing booked: CAMT054-CLI-1: 1 deposits, 6\s000,00\skr$/m);
    assert.deepEqual(await remaining(inv), ['overdue', 1250000]);
    const ok = run(['--json', p]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout).matched.map((m) => [m.invoice_id, m.amount_minor, m.status]), [[inv.id, 600000, 'part_paid']]);
    assert.deepEqual(await remaining(inv), ['overdue', 650000]);
    const again = run([p]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /redan inläst/);
    const bad = fx.file('bad.xml', body.replace('<Sts>BOOK</Sts>', '<Sts>BOOK</Sts><Sts>BOOK</Sts>'));
    const broken = run([bad]);
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /camt\.054-filen är felaktig.*line \d+: not a valid camt\.054 file: Element 'Sts'/);
    const usage = run(['--allow-test-file', p]);
    assert.equal(usage.status, 2);
    const noSchema = spawnSync(BIN, ['--db', fx.db, '--data-dir', fx.dir, 'import-camt054', '--company', String(fx.companyId), p],
      { encoding: 'utf8' });
    assert.equal(noSchema.status, 1);
    assert.match(noSchema.stderr, /cannot read .*camt054\.xsd/);
  });
});
