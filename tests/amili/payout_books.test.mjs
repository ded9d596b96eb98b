/*
 * payout_books.test.mjs — a payout from Visma Amili booked end to end, over
 * real HTTP between a user, paminn serve and a real amili-sandbox.
 *
 * Two invoices of a company customer, 1 250 kr each (1 000 + 25 % VAT),
 * invoice date 2025-04-01, due 2025-05-01, handed over on 2025-06-16; the
 * second is written off as a confirmed loss with the case kept.  The agency
 * clock moves 13 days (collection demand), the debtor pays both in full on
 * 2025-06-29 and the agency pays out.  Worked out by hand (öre):
 *
 * - interest: 11 % (reference rate 3 % + 8, 2025 H1) on 125 000 from
 *   2025-05-02 through 2025-06-29 = 59 days: 125 000 · 0.11 · 59 / 365 =
 *   2 222.6 → 2 223;
 * - creditor outlay: the 450 kr late-payment compensation less the agency's
 *   60 + 180 kr fees = 21 000 (late_payment_fee);
 * - commission: 10 % of the capital = −12 500, VAT 25 % of it = −3 125;
 * - per invoice the bank gets 125 000 + 2 223 + 21 000 − 12 500 − 3 125 =
 *   132 598: D 1930 132 598, D 6062 12 500, D 2641 3 125 (debits 148 223)
 *   = C 1510 125 000, C 8313 2 223, C 3930 21 000 (credits 148 223);
 * - the written-off invoice first gets its loss back: D 1510 125 000 /
 *   C 2611 25 000 / C 6351 100 000 (its confirmed loss was D 6351 100 000,
 *   D 2611 25 000, C 1510 125 000).
 *
 * The payout is booked once: later sync rounds, and a restart (which reads
 * the payout's lines again), add no voucher.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PATIENCE_MS, assertStatus, sandboxCall, startStack, waitFor } from './lib/stack.mjs';

const PAID_OUT = 132598;
const INTEREST = 2223;
const OUTLAY = 21000;

/* {account: debit − credit} of a voucher of the API. */
function net(v) {
  const out = {};
  for (const r of v.rows) out[r.account] = (out[r.account] ?? 0) + r.debit_minor - r.credit_minor;
  return out;
}

function balanced(v) {
  const d = v.rows.reduce((s, r) => s + r.debit_minor, 0);
  const c = v.rows.reduce((s, r) => s + r.credit_minor, 0);
  return d === c && d > 0;
}

/* öre from the sandbox's kronor, exactly (two decimals). */
const ore = (kr) => Math.round(kr * 100);

/* The rows a payout's specification lines imply for one invoice number. */
function impliedRows(lines, number) {
  const sum = (cat, key = 'amount') => lines.filter((l) => l.invoice_number === number && l.finance_category === cat)
    .reduce((s, l) => s + ore(l[key]), 0);
  const capital = sum('capital');
  const interest = sum('interest');
  const outlay = sum('creditor_outlay');
  const commission = sum('creditor_commission');
  const vat = sum('creditor_commission', 'vat_amount');
  const rows = { 1930: capital + interest + outlay + commission + vat, 1510: -capital, 8313: -interest,
    3930: -outlay, 6062: -commission, 2641: -vat };
  for (const k of Object.keys(rows)) if (rows[k] === 0) delete rows[k];
  return rows;
}

/* #VER and #TRANS of a SIE 4 file (the fields this test needs). */
function sieVouchers(buf) {
  const vers = [];
  let cur = null;
  for (const line of buf.toString('latin1').split('\r\n')) {
    const f = line.match(/"(?:[^"\\]|\\.)*"|\{[^}]*\}|\S+/g) ?? [];
    if (f[0] === '#VER') {
      cur = { number: Number(f[2]), date: f[3], trans: {} };
      vers.push(cur);
    } else if (f[0] === '#TRANS') {
      cur.trans[f[1]] = (cur.trans[f[1]] ?? 0) + Math.round(Number(f[3]) * 100);
    }
  }
  return vers;
}

describe('an agency payout books its vouchers', () => {
  let s;
  let paid;
  let lost;
  let lines;
  let payoutId;
  before(async () => {
    s = await startStack();
  });
  after(async () => {
    await s?.stop();
  });

  const vouchers = async () => {
    const res = await s.client.get(`${s.api}/vouchers?from=2025-01-01&to=2025-12-31`);
    assertStatus(res, 200);
    return res.body.items;
  };
  const specificationReads = async () => Object.entries((await s.counters()).requests)
    .filter(([k]) => k.includes('payout-specifications')).reduce((n, [, v]) => n + v, 0);

  test('two invoices handed over, one written off with the case kept, both paid at the agency', async () => {
    await s.activate();
    const customer = await s.customer({ name: 'Bygg Berg AB', is_company: true, id_number: '556677-8808' });
    paid = await s.invoice(customer.id);
    lost = await s.invoice(customer.id);
    assert.equal(paid.total_minor, 125000);
    const res = await s.handover([paid.id, lost.id]);
    assertStatus(res, 202);
    const batch = await s.waitBatch(res.body.batch_id);
    assert.equal(batch.registered, 2);

    const loss = await s.client.post(`${s.api}/invoices/${lost.id}/customer-loss`,
      { kind: 'confirmed', ground: 'fruitless_collection', case_choice: 'keep' });
    assertStatus(loss, 201);
    assert.equal(loss.body.gross_minor, 125000);
    assert.equal(loss.body.net_minor, 100000);

    await s.advance(13);
    for (const inv of [paid, lost]) {
      inv.caseId = (await s.show(inv.id)).amili.case.id;
      const pay = await sandboxCall(s.sb.base, 'POST', '/_sandbox/debtor/pay', { case: inv.caseId });
      assert.equal(pay.status, 200, JSON.stringify(pay.body));
    }
  });

  test('the payout: one voucher per invoice with the rows its lines imply, the loss recovered first', async () => {
    const before = (await vouchers()).length;
    const creditor = s.rows('select creditor_id from amili_activations')[0].creditor_id;
    const res = await sandboxCall(s.sb.base, 'POST', '/_sandbox/payouts', { creditor });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    payoutId = res.body._id;
    lines = res.body._specifications;
    assert.equal(ore(res.body.amount), 2 * PAID_OUT);

    /* What the sandbox paid out, per invoice, is the hand-checked shape. */
    for (const inv of [paid, lost]) {
      const rows = impliedRows(lines, String(inv.number));
      assert.deepEqual(rows, { 1930: PAID_OUT, 1510: -125000, 8313: -INTEREST, 3930: -OUTLAY, 6062: 12500, 2641: 3125 });
    }

    const all = await waitFor(async () => {
      const v = await vouchers();
      return v.filter((x) => x.source === 'agency_payout').length === 2 ? v : null;
    }, PATIENCE_MS, 'the payout vouchers');
    const added = all.slice(before);
    assert.deepEqual(added.map((v) => [v.source, v.invoice_id]),
      [['agency_payout', paid.id], ['recovery', lost.id], ['agency_payout', lost.id]]);
    for (const v of added) {
      assert.ok(balanced(v), `voucher ${v.number} balances`);
      assert.equal(v.date, '2025-06-29');
    }
    const [first, recovery, second] = added;
    assert.deepEqual(net(first), { 1930: 132598, 6062: 12500, 2641: 3125, 1510: -125000, 8313: -2223, 3930: -21000 });
    assert.deepEqual(net(second), net(first));
    assert.equal(first.text, `Utbetalning Visma Amili ${payoutId} faktura ${paid.number}`);
    assert.deepEqual(net(recovery), { 1510: 125000, 2611: -25000, 6351: -100000 });
    assert.equal(s.scalar(`select recovered_minor from invoice_books where invoice_id = ${lost.id}`), '125000');
    /* The receivable of each invoice is cleared: 1510 over its vouchers is 0. */
    for (const inv of [paid, lost]) {
      const mine = all.filter((v) => v.invoice_id === inv.id);
      assert.equal(mine.reduce((sum, v) => sum + (net(v)[1510] ?? 0), 0), 0, `1510 of invoice ${inv.number}`);
    }
    /* The payout's bank rows add up to what the agency paid out. */
    assert.equal(added.reduce((sum, v) => sum + (net(v)[1930] ?? 0), 0), ore(res.body.amount));
  });

  test('the payout vouchers are in the SIE export as #VER with the same rows', async () => {
    const res = await fetch(`${s.base}${s.api}/export/sie?year=2025`, { headers: { Cookie: s.client.cookie } });
    assert.equal(res.status, 200);
    const vers = sieVouchers(Buffer.from(await res.arrayBuffer()));
    for (const v of (await vouchers()).filter((x) => x.source === 'agency_payout' || x.source === 'recovery')) {
      const ver = vers.find((x) => x.number === v.number);
      assert.ok(ver, `#VER A ${v.number}`);
      assert.equal(ver.date, '20250629');
      assert.deepEqual(Object.fromEntries(Object.entries(ver.trans).map(([k, a]) => [Number(k), a])), net(v));
    }
  });

  test('booked once: later rounds and a restart that reads the payout again add nothing', async () => {
    const count = (await vouchers()).length;
    await s.waitRounds(2);
    assert.equal((await vouchers()).length, count);
    const reads = await specificationReads();
    await s.stopApp();
    await s.start();
    await waitFor(async () => (await specificationReads()) > reads, PATIENCE_MS, 'the payout read again after the restart');
    await s.waitRounds(2);
    assert.equal((await vouchers()).length, count);
    assert.equal(s.scalar(`select count(*) from history_events where kind = 'amili_payout'`), '2');
    assert.equal(s.scalar(`select recovered_minor from invoice_books where invoice_id = ${lost.id}`), '125000');
  });
});
