/*
 * security_books.test.mjs — sums a bank file may not break.  A BgMax file
 * of 9 300 deposits of 10^15 öre each (every one a valid deposit, made with
 * the tests' own generator) adds up to more than any total the books can
 * hold: it is refused whole with a clear error, nothing is written, and the
 * SIE export goes on working.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateBgmax, verifyBgmax } from '../lib/bgmax.mjs';
import { assertError, assertStatus, co, startServer } from './lib/server.mjs';

const BIG = 10n ** 15n; /* MONEY_MAX: the largest amount the product takes */

let fx;
let anna;

before(async () => {
  fx = await startServer();
  anna = await fx.login();
});

after(async () => {
  await fx?.stop();
});

/* n deposits of one payment each, every amount `amount` öre. */
function hugeFile(n, amount) {
  const body = generateBgmax({ payments: n, bankgiro: '9912346', maxPerDeposit: 1, deductionRate: 0, marker: 'P', seed: 7 });
  const a = String(amount).padStart(18, '0');
  const lines = body.toString('latin1').split('\r\n').map((line) => {
    if (line.startsWith('20')) return line.slice(0, 37) + a + line.slice(55);
    if (line.startsWith('15')) return line.slice(0, 50) + a + line.slice(68);
    return line;
  });
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

function writes() {
  return ['payments', 'vouchers', 'voucher_rows', 'history_events', 'bgmax_imports'].map((t) => `${t}=${fx.count(t)}`).join(' ');
}

test('9 300 deposits of 10^15 öre: refused whole (bgmax_invalid), nothing written, SIE still exported', async () => {
  const file = hugeFile(9300, BIG);
  const v = verifyBgmax(file);
  assert.equal(v.deposits.length, 9300);
  const before = writes();
  const res = await anna.request('POST', `${co(fx.companyId)}/payments/bgmax`, undefined, {
    raw: file, headers: { 'Content-Type': 'text/plain' },
  });
  assertError(res, 422, 'bgmax_invalid');
  assert.match(JSON.stringify(res.body), /add up to more than 1000000000000000 öre/);
  assert.equal(writes(), before);
  const sie = await fetch(`${fx.base}${co(fx.companyId)}/export/sie?year=2024`, { headers: { Cookie: anna.cookie } });
  assert.equal(sie.status, 200);
});

test('one deposit of 10^15 öre is still a valid file', async () => {
  const res = await anna.request('POST', `${co(fx.companyId)}/payments/bgmax`, undefined, {
    raw: hugeFile(1, BIG), headers: { 'Content-Type': 'text/plain' },
  });
  assertStatus(res, 200);
});
