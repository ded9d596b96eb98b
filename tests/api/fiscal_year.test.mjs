/*
 * fiscal_year.test.mjs — a broken fiscal year (brutet räkenskapsår, 1 May –
 * 30 April) over real HTTP: the company setting and its checks, the
 * refusal to change it once vouchers exist, vouchers numbered from 1 again
 * on 1 May, and the SIE 4 export of such a year read back by the tests'
 * own SIE reader (#RAR with the fiscal years' dates, #KSUMMA, balances).
 *
 * The server's clock is fixed at 2026-06-15 (Stockholm).  Every figure
 * below is worked out by hand in the comments.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { BIN, assertError, assertStatus, co, createCustomer, line, startServer } from './lib/server.mjs';
import { parseSie } from './lib/sie.mjs';

let fx;
let anna;
let C;
let kund;

before(async () => {
  fx = await startServer({ now: '2026-06-15' });
  anna = await fx.login();
  C = co(fx.companyId);
  kund = await createCustomer(anna, fx.companyId, { name: 'Kund AB', is_company: true, id_number: '556036-0793' });
});
after(async () => {
  await fx?.stop();
});

/* An invoice of net öre + 25 % VAT dated `date`, due 30 days later. */
async function invoice(date, net) {
  const due = new Date(`${date}T00:00:00Z`);
  due.setUTCDate(due.getUTCDate() + 30);
  const res = await anna.post(`${C}/invoices`, {
    customer_id: kund.id, invoice_date: date, due_date: due.toISOString().slice(0, 10), lines: [line(net)],
  });
  assertStatus(res, 201);
  return res.body;
}

async function vouchers(query = '') {
  const res = await anna.get(`${C}/vouchers${query}`);
  assertStatus(res, 200);
  return res.body.items;
}

async function sie(year, type) {
  const res = await fetch(`${fx.base}${C}/export/sie?year=${year}${type ? `&type=${type}` : ''}`,
    { headers: { Cookie: anna.cookie } });
  assert.equal(res.status, 200);
  const raw = Buffer.from(await res.arrayBuffer());
  const file = parseSie(raw);
  assert.equal(file.first, '#FLAGGA 0');
  assert.equal(file.ksumma, file.crc, '#KSUMMA is the CRC-32 of the records');
  return { raw, file };
}

const records = (file, label) => file.recs.filter((r) => r[0] === label).map((r) => r.slice(1));
/* #IB/#UB/#RES of year number y as {account: öre}. */
function balances(file, label, y) {
  const out = {};
  for (const r of file.recs) if (r[0] === label && r[1] === y) out[r[2]] = Math.round(Number(r[3]) * 100);
  return out;
}

describe('the company setting', () => {
  test('a company starts with the calendar year: fiscal_year_start_month 1', async () => {
    const res = await anna.get(C);
    assertStatus(res, 200);
    assert.equal(res.body.fiscal_year_start_month, 1);
  });

  test('the month must be an integer 1..12, named in the error', async () => {
    assertError(await anna.patch(C, { fiscal_year_start_month: 0 }), 422, 'out_of_range', 'fiscal_year_start_month');
    assertError(await anna.patch(C, { fiscal_year_start_month: 13 }), 422, 'out_of_range', 'fiscal_year_start_month');
    assertError(await anna.patch(C, { fiscal_year_start_month: '5' }), 422, 'invalid_value', 'fiscal_year_start_month');
    assertError(await anna.patch(C, { fiscal_year_start_month: 5.5 }), 422, 'invalid_value', 'fiscal_year_start_month');
    assert.equal((await anna.get(C)).body.fiscal_year_start_month, 1, 'nothing changed');
  });

  test('without vouchers it may change: a broken year from May', async () => {
    const res = await anna.patch(C, { fiscal_year_start_month: 5 });
    assertStatus(res, 200);
    assert.equal(res.body.fiscal_year_start_month, 5);
    assert.equal((await anna.get(C)).body.fiscal_year_start_month, 5);
  });

  test('paminn company add takes --fiscal-year-start-month, 1..12', () => {
    const out = fx.cli(['company', 'add', '--name', 'Julibolaget AB', '--org-no', '556036-0793',
      '--fiscal-year-start-month', '7']);
    const id = Number(/company (\d+):/.exec(out)[1]);
    assert.equal(fx.sql(`select fiscal_year_start_month from companies where id = ${id}`).trim(), '7');
    const bad = spawnSync(BIN, ['--db', fx.db, 'company', 'add', '--name', 'X AB', '--org-no', '556036-0793',
      '--fiscal-year-start-month', '13'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--fiscal-year-start-month/);
  });
});

describe('vouchers per broken fiscal year', () => {
  /* Booked in this order (net + 25 % VAT):
   *   2025-04-30  1 000 kr   fiscal year 2024/25, its no. 1
   *   2025-05-01  2 000 kr   2025/26 no. 1 (its first day)
   *   2025-12-31  3 000 kr   2025/26 no. 2
   *   2026-01-01  4 000 kr   2025/26 no. 3 (New Year inside the year)
   *   2026-04-30  5 000 kr   2025/26 no. 4 (its last day)
   *   2026-05-01  6 000 kr   2026/27 no. 1 (a new series)
   *   payment of the 2 000 kr invoice in full, 2026-05-02: 2026/27 no. 2
   *   payment of 1 000 kr on the 3 000 kr invoice, 2026-04-15: booked
   *     after the 2026/27 vouchers but dated in 2025/26, so its no. 5 */
  const inv = {};

  test('each voucher takes the next number of its fiscal year', async () => {
    inv.z = await invoice('2025-04-30', 100000);
    inv.a = await invoice('2025-05-01', 200000);
    inv.b = await invoice('2025-12-31', 300000);
    inv.c = await invoice('2026-01-01', 400000);
    inv.d = await invoice('2026-04-30', 500000);
    inv.e = await invoice('2026-05-01', 600000);
    assertStatus(await anna.post(`${C}/invoices/${inv.a.id}/payments`, { date: '2026-05-02', amount_minor: 250000 }), 201);
    assertStatus(await anna.post(`${C}/invoices/${inv.b.id}/payments`, { date: '2026-04-15', amount_minor: 100000 }), 201);
    const got = (await vouchers()).map((v) => `${v.date} ${v.year}-${v.number} ${v.source}`);
    assert.deepEqual(got, [
      '2025-04-30 2024-1 invoice',
      '2025-05-01 2025-1 invoice',
      '2025-12-31 2025-2 invoice',
      '2026-01-01 2025-3 invoice',
      '2026-04-30 2025-4 invoice',
      '2026-04-15 2025-5 payment',
      '2026-05-01 2026-1 invoice',
      '2026-05-02 2026-2 payment',
    ]);
  });

  test('once vouchers exist the fiscal year cannot change; the rest of the settings can', async () => {
    const res = await anna.patch(C, { fiscal_year_start_month: 1 });
    assertError(res, 409, 'fiscal_year_in_use', 'fiscal_year_start_month');
    assert.match(res.body.error.message, /räkenskapsår/i);
    assert.equal((await anna.get(C)).body.fiscal_year_start_month, 5);
    /* the same month again is no change */
    assertStatus(await anna.patch(C, { fiscal_year_start_month: 5, payment_terms_days: 20 }), 200);
    const now = (await anna.get(C)).body;
    assert.equal(now.fiscal_year_start_month, 5);
    assert.equal(now.payment_terms_days, 20);
  });

  test('the SIE 4E file of 2025/26: #RAR with 1 May – 30 April, the year\'s vouchers, balances by hand', async () => {
    const { raw, file } = await sie(2025, '4E');
    assert.deepEqual(records(file, '#RAR'), [['0', '20250501', '20260430'], ['-1', '20240501', '20250430']]);
    assert.deepEqual(records(file, '#GEN'), [['20260615']], '#GEN is the company\'s today');
    /* numbers 1..5 in order, each dated inside the year and balancing */
    assert.deepEqual(file.vers.map((v) => `${v.series}${v.number} ${v.date}`),
      ['A1 20250501', 'A2 20251231', 'A3 20260101', 'A4 20260430', 'A5 20260415']);
    for (const v of file.vers) assert.equal(v.trans.reduce((s, t) => s + t.amount, 0), 0);
    assert.deepEqual(file.vers[0].trans, [
      { account: 1510, amount: 250000 }, { account: 3001, amount: -200000 }, { account: 2611, amount: -50000 }]);
    /* #IB 0: 2024/25's invoice, its result carried into 2091 */
    assert.deepEqual(balances(file, '#IB', '0'), { 1510: 125000, 2091: -100000, 2611: -25000 });
    /* #UB 0: 1510 = 125 000 + 1 750 000 invoiced − 100 000 paid;
     * 2611 = −25 000 − 350 000; the year's sales 1 400 000 on #RES 0 */
    assert.deepEqual(balances(file, '#UB', '0'), { 1510: 1775000, 1930: 100000, 2091: -100000, 2611: -375000 });
    assert.deepEqual(balances(file, '#RES', '0'), { 3001: -1400000 });
    /* 2024/25 as it closed */
    assert.deepEqual(balances(file, '#UB', '-1'), { 1510: 125000, 2611: -25000 });
    assert.deepEqual(balances(file, '#RES', '-1'), { 3001: -100000 });
    /* the CLI writes the same bytes for the same fiscal year */
    const out = path.join(fx.dir, 'fy2025.se');
    fx.cli(['export-sie', '--company', String(fx.companyId), '--year', '2025', '--type', '4E', '--output', out]);
    assert.ok(readFileSync(out).equals(raw));
  });

  test('the SIE 4E file of 2026/27 opens where 2025/26 closed', async () => {
    const { file } = await sie(2026, '4E');
    assert.deepEqual(records(file, '#RAR'), [['0', '20260501', '20270430'], ['-1', '20250501', '20260430']]);
    assert.deepEqual(file.vers.map((v) => `${v.series}${v.number} ${v.date}`), ['A1 20260501', 'A2 20260502']);
    /* 2091 = the results before 1 May 2026: −100 000 − 1 400 000 */
    assert.deepEqual(balances(file, '#IB', '0'), { 1510: 1775000, 1930: 100000, 2091: -1500000, 2611: -375000 });
    /* + 750 000 invoiced (600 000 net, 150 000 VAT), − 250 000 paid */
    assert.deepEqual(balances(file, '#UB', '0'), { 1510: 2275000, 1930: 350000, 2091: -1500000, 2611: -525000 });
    assert.deepEqual(balances(file, '#RES', '0'), { 3001: -600000 });
    assert.deepEqual(balances(file, '#UB', '-1'), { 1510: 1775000, 1930: 100000, 2091: -100000, 2611: -375000 });
    assert.deepEqual(balances(file, '#RES', '-1'), { 3001: -1400000 });
  });

  test('the SIE 4I file (the default): #RAR 0 only, the same vouchers, no balances', async () => {
    const { file } = await sie(2025);
    assert.deepEqual(records(file, '#RAR'), [['0', '20250501', '20260430']]);
    assert.equal(file.vers.length, 5);
    assert.deepEqual(file.recs.filter((r) => ['#IB', '#UB', '#RES'].includes(r[0])), []);
    /* and the year before: 2024/25 has one voucher */
    const first = await sie(2024);
    assert.deepEqual(records(first.file, '#RAR'), [['0', '20240501', '20250430']]);
    assert.deepEqual(first.file.vers.map((v) => `${v.number} ${v.date}`), ['1 20250430']);
  });
});
