/*
 * bgmax_gen.test.mjs — the tests' own BgMax writer and checker
 * (tests/lib/bgmax.mjs), without a server: the same seed gives the same
 * bytes; every record is 80 characters of ISO-8859-1 with CR LF; OCR and
 * bankgiro numbers pass the Luhn check; deposits hold at most maxPerDeposit
 * payments on consecutive bank days; deductions never take more than half
 * of a deposit; extra references and the split pattern add up; the checker
 * accepts what the writer writes, accepts a file checked field by field by
 * hand, and refuses truncated files, wrong counts and bad amounts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { generateBgmax, luhnCheckDigit, luhnValid, verifyBgmax } from '../lib/bgmax.mjs';

const BG = '9912346';
const lines = (buf) => buf.toString('latin1').split('\r\n').slice(0, -1);
const join = (ls) => Buffer.from(ls.join('\r\n') + '\r\n', 'latin1');
const amountOf = (l) => Number(l.slice(37, 55));
const dayOf = (ymd) => new Date(Date.UTC(+ymd.slice(0, 4), +ymd.slice(4, 6) - 1, +ymd.slice(6, 8)));

/* A large file with every pattern in it, checked by most tests below. */
const BIG_OPTS = { payments: 5000, bankgiro: BG, seed: 7, maxPerDeposit: 300, deductionRate: 0.05, splitRate: 0.1, date: '20240105' };
const big = generateBgmax(BIG_OPTS);
const bigLines = lines(big);

describe('the writer', () => {
  test('the same seed gives the same bytes; another seed other bytes', () => {
    const opts = { payments: 300, bankgiro: BG, seed: 42, deductionRate: 0.05, splitRate: 0.1 };
    const a = generateBgmax(opts);
    assert.ok(Buffer.isBuffer(a));
    assert.ok(a.equals(generateBgmax(opts)));
    assert.ok(a.equals(generateBgmax({ ...opts, seed: '42' })), 'a seed is taken as its text');
    assert.ok(!a.equals(generateBgmax({ ...opts, seed: 43 })));
    assert.ok(!generateBgmax({ payments: 3, bankgiro: BG, seed: 12 }).equals(generateBgmax({ payments: 3, bankgiro: BG, seed: 13 })));
    assert.ok(big.equals(generateBgmax(BIG_OPTS)));
  });

  test('every record is 80 characters of ISO-8859-1, each ended by CR LF (LF with lf)', () => {
    const text = big.toString('latin1');
    assert.ok(text.endsWith('\r\n'));
    assert.equal(text.split('\n').length - 1, text.split('\r\n').length - 1, 'no bare LF');
    assert.equal(big.length, bigLines.length * 82);
    for (const [i, l] of bigLines.entries()) assert.equal(l.length, 80, `line ${i + 1}`);
    /* å ä ö Å Ä Ö as single ISO-8859-1 bytes, no UTF-8 */
    for (const b of [0xe5, 0xe4, 0xf6, 0xc5, 0xd6]) assert.ok(big.includes(b), `byte ${b.toString(16)}`);
    assert.ok(!big.includes(Buffer.from('ö', 'utf8')));
    assert.match(text, /Örebro Plåt AB|Åkesson Bygg AB|Bäckströms Måleri AB/);

    const lf = generateBgmax({ ...BIG_OPTS, lf: true });
    assert.equal(lf.toString('latin1'), text.replaceAll('\r\n', '\n'));
    assert.ok(!lf.includes(0x0d));
    assert.equal(verifyBgmax(lf).ok, true);
  });

  test('record order: 01, sections 05 .. 15, then 70', () => {
    const tks = bigLines.map((l) => l.slice(0, 2));
    assert.equal(tks[0], '01');
    assert.equal(tks.at(-1), '70');
    assert.equal(tks.filter((t) => t === '01' || t === '70').length, 2);
    let open = false;
    for (const [i, t] of tks.slice(1, -1).entries()) {
      if (t === '05') {
        assert.ok(!open, `05 inside a section at line ${i + 2}`);
        open = true;
        assert.ok(['20', '21'].includes(tks[i + 2]), `05 followed by ${tks[i + 2]}`);
      } else if (t === '15') {
        assert.ok(open);
        open = false;
      } else {
        assert.ok(open, `${t} outside a section at line ${i + 2}`);
        assert.ok(['20', '21', '22', '23', '25', '26', '27', '28', '29'].includes(t), t);
      }
    }
    assert.ok(!open);
    assert.match(bigLines[0], /^01BGMAX {15}01\d{20}T {35}$/);
  });

  test('OCR references, payer bankgiro and organisation numbers pass the Luhn check', () => {
    let ocrs = 0;
    for (const l of bigLines) {
      const tk = l.slice(0, 2);
      if (['20', '21', '22', '23'].includes(tk)) {
        const payer = l.slice(2, 12).replace(/^0+/, '');
        if (payer !== '') {
          assert.ok(payer.length === 7 || payer.length === 8, l);
          assert.ok(luhnValid(payer), `payer bankgiro ${payer}`);
        }
        if (l[55] === '2') {
          const ref = l.slice(12, 37);
          assert.match(ref, /^ *[1-9]\d{5,14}$/, 'right-aligned 6-15 digits');
          const r = ref.trim();
          assert.ok(luhnValid(r), `OCR ${r}`);
          assert.equal(r.at(-2), String(r.length % 10), `length digit of ${r}`);
          ocrs++;
        }
      }
      if (tk === '29') {
        assert.match(l, /^2900\d{10} {66}$/);
        assert.ok(luhnValid(l.slice(4, 14)), l);
        assert.ok(Number(l[6]) >= 2, l);
      }
    }
    assert.ok(ocrs > 4000, `${ocrs} OCR references`);
  });

  test('deposits: at most maxPerDeposit payments, on consecutive bank days, serials in turn', () => {
    const v = verifyBgmax(big);
    assert.equal(v.ok, true, v.errors.join('\n'));
    assert.equal(v.deposits.reduce((s, d) => s + d.n20, 0), 5000);
    assert.ok(v.deposits.length >= 17 && v.deposits.length <= 50, `${v.deposits.length} deposits`);
    let prev = null;
    for (const [i, d] of v.deposits.entries()) {
      assert.ok(d.n20 >= 1 && d.n20 <= 300, `deposit ${d.no}: ${d.n20} payments`);
      if (i < v.deposits.length - 1) assert.ok(d.n20 >= 100, `deposit ${d.no}: ${d.n20} payments`);
      const day = dayOf(d.date);
      assert.ok(day.getUTCDay() >= 1 && day.getUTCDay() <= 5, `${d.date} is a bank day`);
      if (prev) {
        const gap = (day - prev.day) / 86400000;
        assert.equal(gap, prev.day.getUTCDay() === 5 ? 3 : 1, `${prev.date} -> ${d.date}`);
        assert.equal(Number(d.serial), (Number(prev.serial) % 99999) + 1);
      }
      prev = { day, date: d.date, serial: d.serial };
      assert.ok(d.net > 0);
    }
    assert.equal(v.deposits[0].date, '20240105');
    /* a Saturday start moves to the Monday */
    const sat = verifyBgmax(generateBgmax({ payments: 2, bankgiro: BG, seed: 1, date: '20240106' }));
    assert.equal(sat.deposits[0].date, '20240108');
    /* one payment a deposit */
    const one = verifyBgmax(generateBgmax({ payments: 7, bankgiro: BG, seed: 1, maxPerDeposit: 1, deductionRate: 0 }));
    assert.deepEqual(one.deposits.map((d) => d.n20), [1, 1, 1, 1, 1, 1, 1]);
  });

  test('deductions (21) never take more than half of what the deposit holds', () => {
    let net = 0;
    let deductions = 0;
    for (const l of bigLines) {
      const tk = l.slice(0, 2);
      if (tk === '05') net = 0;
      if (tk === '20') net += amountOf(l);
      if (tk === '21') {
        const ded = amountOf(l);
        assert.ok(ded >= 100 && ded <= 1000000, l);
        assert.ok(2 * ded <= net, `deduction ${ded} of ${net}`);
        assert.equal(l[56], '2', 'from an LB payer');
        assert.match(l[70], /[012]/);
        net -= ded;
        deductions++;
      }
    }
    assert.ok(deductions > 100, `${deductions} deductions`);
    const none = lines(generateBgmax({ payments: 2000, bankgiro: BG, seed: 3, deductionRate: 0 }));
    assert.ok(!none.some((l) => l.startsWith('21')));
  });

  test('extra references (22, amount 0) come with the message naming them; split payments add up', () => {
    let extras = 0;
    let splits = 0;
    for (let i = 0; i < bigLines.length; i++) {
      const l = bigLines[i];
      if (!l.startsWith('20')) continue;
      const group = [];
      for (let j = i + 1; j < bigLines.length && /^2[23]/.test(bigLines[j]); j++) group.push(bigLines[j]);
      if (group.length === 0) continue;
      for (const g of group) {
        assert.equal(g.slice(2, 12), l.slice(2, 12), 'same payer bankgiro');
        assert.equal(g.slice(56, 70), l.slice(56, 70), 'same channel, serial and image');
      }
      const message = bigLines[i + 1 + group.length];
      if (l.slice(12, 37).trim() === '') {
        /* split: 22, 22, 23 carry the amounts; 22 - 23 = the payment */
        assert.equal(l[55], '0');
        assert.deepEqual(group.map((g) => g.slice(0, 2)), ['22', '22', '23']);
        const sum = group.reduce((s, g) => s + (g.startsWith('22') ? 1 : -1) * amountOf(g), 0);
        assert.equal(sum, amountOf(l));
        assert.ok(group.every((g) => amountOf(g) > 0));
        assert.equal(message.slice(2, 52).trim(), 'Betalning avser flera fakturor och en kredit');
        splits++;
      } else {
        assert.ok(group.length >= 1 && group.length <= 3);
        assert.ok(group.every((g) => g.startsWith('22') && amountOf(g) === 0));
        const text = message.slice(2, 52).trim();
        assert.equal(text, `Avser fakt ${l.slice(12, 37).trim()} och ${group[0].slice(12, 37).trim()}`.slice(0, 50).trim());
        extras++;
      }
    }
    assert.ok(extras > 50, `${extras} payments with extra references`);
    assert.ok(splits > 300, `${splits} split payments`);
    const plain = lines(generateBgmax({ payments: 2000, bankgiro: BG, seed: 3 }));
    assert.ok(!plain.some((l) => l.startsWith('23')), 'no split pattern unless asked for');
    assert.ok(plain.filter((l) => l.startsWith('20')).every((l) => l.slice(12, 37).trim() !== ''));
  });

  test('payer records: name (26), address (27), town (28), organisation number (29)', () => {
    const kinds = new Set(bigLines.map((l) => l.slice(0, 2)));
    for (const k of ['25', '26', '27', '28', '29']) assert.ok(kinds.has(k), k);
    for (let i = 0; i < bigLines.length; i++) {
      if (!bigLines[i].startsWith('26')) continue;
      assert.ok(bigLines[i + 1].startsWith('27'));
      assert.match(bigLines[i + 1].slice(37, 46), /^[0-9 ]{4,6} *$/);
      assert.ok(bigLines[i + 2].startsWith('28'));
    }
    assert.ok(bigLines.some((l) => /^28(OSLO|HELSINGFORS|KØBENHAVN K) +(NORGE|FINLAND|DANMARK) +(NO|FI|DK) {6}$/.test(l)),
      'now and then a payer abroad');
  });

  test('given references are used in turn, OCR right-aligned (code 2), texts left-aligned (code 3)', () => {
    /* '18' passes the check digit, '55' does not: a text */
    const refs = ['100164', 'FAKTURA 1002', '18', '55'];
    const ls = lines(generateBgmax({ payments: 6, bankgiro: BG, seed: 5, refs, deductionRate: 0 }));
    const pays = ls.filter((l) => l.startsWith('20'));
    assert.deepEqual(pays.map((l) => l.slice(12, 37)), [
      '                   100164', 'FAKTURA 1002             ', '                       18',
      '55                       ', '                   100164', 'FAKTURA 1002             ']);
    assert.deepEqual(pays.map((l) => l[55]), ['2', '3', '2', '3', '2', '3']);
    assert.throws(() => generateBgmax({ payments: 1, bankgiro: BG, refs: ['x'.repeat(26)] }), /longer than 25/);
    assert.throws(() => generateBgmax({ payments: 1, bankgiro: BG, refs: [] }), /no references/);
  });

  test('bad options are refused', () => {
    assert.throws(() => generateBgmax({ payments: 1, bankgiro: '9912345' }), /modulus-10/);
    assert.doesNotThrow(() => generateBgmax({ payments: 1, bankgiro: '9912345', allowInvalidBankgiro: true }));
    assert.throws(() => generateBgmax({ payments: 1, bankgiro: '99-12346' }), /bankgiro/);
    assert.throws(() => generateBgmax({ payments: 0, bankgiro: BG }), /payments/);
    assert.throws(() => generateBgmax({ payments: 1, bankgiro: BG, date: '20240230' }), /date/);
    assert.throws(() => generateBgmax({ payments: 1, bankgiro: BG, currency: 'sek' }), /currency/);
    assert.throws(() => generateBgmax({ payments: 1, bankgiro: BG, marker: 'X' }), /marker/);
    assert.throws(() => generateBgmax({ payments: 1, bankgiro: BG, maxPerDeposit: 0 }), /maxPerDeposit/);
    assert.throws(() => generateBgmax({ payments: 1, bankgiro: BG, account: '5841-0000' }), /account/);
  });

  test('a one-payment file, field by field', () => {
    const ls = lines(generateBgmax({ payments: 1, bankgiro: BG, seed: 3, refs: ['100164'], marker: 'P', date: '20240106',
      account: '58410000123456', deductionRate: 0 }));
    assert.match(ls[0], /^01BGMAX {15}01(20240108|20240109)0[5-7][0-5]\d[0-5]\d\d{6}P {35}$/);
    assert.equal(ls[1], `050009912346${' '.repeat(10)}SEK${' '.repeat(55)}`);
    const p = ls[2];
    assert.match(p, /^20\d{10} {19}100164\d{18}2[1-4]\d{12}[01] {10}$/);
    const tail = ls.slice(3, -2);
    assert.ok(tail.every((l) => /^2[2-9]/.test(l)), tail.join('\n'));
    const n22 = tail.filter((l) => l.startsWith('22')).length;
    assert.match(ls.at(-2), new RegExp(`^15${'0'.repeat(21)}5841000012345620240108\\d{5}` +
      `${String(amountOf(p)).padStart(18, '0')}SEK00000001 $`));
    assert.equal(ls.at(-1), `7000000001000000000000000${n22}00000001${' '.repeat(46)}`);
    const v = verifyBgmax(join(ls));
    assert.equal(v.ok, true, v.errors.join('\n'));
    assert.deepEqual(v.warnings, []);
    assert.equal(v.deposits[0].net, amountOf(p));
  });
});

/* A file written and summed by hand: two payments (1 250,00 kr by OCR
 * 100164 from Åsa Öberg; 500,50 kr with reference text and an extra
 * reference) and a deduction of 200,00 kr: 1 250,00 + 500,50 - 200,00 =
 * 1 550,50 kr in one deposit of 3 entries. */
const pad = (s) => s.padEnd(80, ' ');
const HAND = [
  pad('01BGMAX               0120240103063015123456P'),
  pad('050009912346          SEK'),
  pad('200000000000                   100164000000000000125000210000000010010'),
  pad('26Åsa Öberg'),
  pad('210056781230KREDIT 1234              0000000000000200003200000000100200'),
  pad('200000000000FAKTURA 1002             000000000000050050310000000010030'),
  pad('220000000000                   100164000000000000000000210000000010030'),
  pad('25Avser fakt 1002 och 1001'),
  '15000000000000000000000584100001234562024010300001000000000000155050SEK00000003 ',
  pad('7000000002000000010000000100000001'),
];

describe('the checker', () => {
  test('a hand-made file: accepted, with the deposit summed as by hand', () => {
    for (const l of HAND) assert.equal(l.length, 80);
    assert.ok(luhnValid('100164'));
    assert.equal(luhnCheckDigit('10016'), '4');
    const v = verifyBgmax(join(HAND));
    assert.deepEqual(v.errors, []);
    assert.deepEqual(v.warnings, []);
    assert.equal(v.ok, true);
    assert.deepEqual(v.deposits, [{
      no: 1, line: 9, serial: '00001', date: '20240103', bankgiro: 9912346, currency: 'SEK',
      n20: 2, s20: 175050, n21: 1, s21: 20000, net: 155050, amount15: 155050, count15: 3, ok: true,
    }]);
    assert.deepEqual(v.totals, { n20: 2, n21: 1, n2223: 1, n15: 1 });
    assert.deepEqual(v.endCounts, { n20: 2, n21: 1, n2223: 1, n15: 1 });
    /* LF line ends, a test marker (a warning), a string: the same sums */
    const lf = verifyBgmax(HAND.join('\n').replace('123456P', '123456T'));
    assert.equal(lf.ok, true);
    assert.deepEqual(lf.warnings, ['line 1: test file (marker T)']);
    assert.equal(lf.deposits[0].net, 155050);
  });

  const bad = (edit) => {
    const ls = [...HAND];
    edit(ls);
    return verifyBgmax(join(ls));
  };

  test('refuses a wrong count in the deposit (15) or the end record (70)', () => {
    const v15 = bad((ls) => { ls[8] = ls[8].slice(0, 71) + '00000002' + ls[8].slice(79); });
    assert.equal(v15.ok, false);
    assert.deepEqual(v15.errors, ['line 9: deposit says 2 payments, section has 3 (20+21)']);
    assert.equal(v15.deposits[0].ok, false);
    const v70 = bad((ls) => { ls[9] = pad('7000000003000000010000000100000001'); });
    assert.deepEqual(v70.errors, ['line 10: end record says 3 payment (20) records, file has 2']);
    const x70 = bad((ls) => { ls[9] = pad('7000000002000000010000000000000001'); });
    assert.deepEqual(x70.errors, ['line 10: end record says 0 extra reference (22/23) records, file has 1']);
    const d70 = bad((ls) => { ls[9] = pad('7000000002000000000000000100000001'); });
    assert.deepEqual(d70.errors, ['line 10: end record says 0 deduction (21) records, file has 1']);
  });

  test('refuses bad amounts: one that does not add up, a letter in one', () => {
    const sum = bad((ls) => { ls[2] = ls[2].slice(0, 37) + '000000000000125001' + ls[2].slice(55); });
    assert.deepEqual(sum.errors, ['line 9: deposit amount 1550.50 != sum(20) - sum(21) = 1550.51']);
    const dep = bad((ls) => { ls[8] = ls[8].slice(0, 50) + '000000000000155051' + ls[8].slice(68); });
    assert.deepEqual(dep.errors, ['line 9: deposit amount 1550.51 != sum(20) - sum(21) = 1550.50']);
    const letter = bad((ls) => { ls[5] = ls[5].slice(0, 40) + 'X' + ls[5].slice(41); });
    assert.equal(letter.ok, false);
    assert.match(letter.errors[0], /^line 6: amount \(pos 38-55\) not numeric/);
  });

  test('refuses a truncated file, records out of order, long records, data after the end', () => {
    const cut = bad((ls) => ls.splice(-1));
    assert.deepEqual(cut.errors, ['line 9: file has no end record (70) - truncated?']);
    const half = verifyBgmax(join(HAND).subarray(0, 400));
    assert.equal(half.ok, false);
    assert.ok(half.errors.some((e) => /truncated/.test(e)), half.errors.join('\n'));
    assert.equal(verifyBgmax(Buffer.alloc(0)).ok, false);
    const order = bad((ls) => { [ls[1], ls[2]] = [ls[2], ls[1]]; });
    assert.equal(order.ok, false);
    assert.match(order.errors[0], /^line 2: record 20 outside a section/);
    const noHead = bad((ls) => ls.shift());
    assert.deepEqual(noHead.errors, ["line 1: file must start with record 01, got '05'"]);
    const orphan = bad((ls) => { ls.splice(2, 0, pad('25Ingen betalning')); });
    assert.match(orphan.errors[0], /^line 3: record 25 not preceded by a 20\/21 record/);
    const no15 = bad((ls) => ls.splice(8, 1));
    assert.ok(no15.errors.includes('line 9: end record 70 while a section is open (missing 15)'), no15.errors.join('\n'));
    const long = bad((ls) => { ls[3] += 'X'; });
    assert.deepEqual(long.errors, ['line 4: record is 81 characters, expected 80']);
    const blanks = bad((ls) => { ls[3] += '   '; });
    assert.equal(blanks.ok, true);
    assert.deepEqual(blanks.warnings, ['line 4: record is 83 characters (trailing blanks), cut to 80']);
    const after = bad((ls) => ls.push(pad('200000000000')));
    assert.deepEqual(after.errors, ['line 11: data after end record (70)']);
  });

  test('accepts what the writer writes, for several seeds and options', () => {
    const cases = [
      { payments: 1, seed: 0 },
      { payments: 20, seed: 11, marker: 'P', date: '20240402' },
      { payments: 3, seed: 12, marker: 'T', date: '20240502' },
      { payments: 3, bankgiro: '56781230', seed: 13, marker: 'P', date: '20240502' },
      { payments: 2500, seed: 99, maxPerDeposit: 100, deductionRate: 0.2, splitRate: 0.5, currency: 'EUR' },
      { payments: 1500, seed: 'text seed', maxPerDeposit: 1000, lf: true },
    ];
    for (const c of cases) {
      const opts = { bankgiro: BG, ...c };
      const v = verifyBgmax(generateBgmax(opts));
      assert.deepEqual(v.errors, [], JSON.stringify(c));
      assert.ok(v.warnings.every((w) => w === 'line 1: test file (marker T)'), v.warnings.join('\n'));
      assert.equal(v.totals.n20, c.payments);
      assert.ok(v.deposits.every((d) => d.ok && d.bankgiro === Number(opts.bankgiro) && d.currency === (c.currency ?? 'SEK')));
    }
  });

  test('refuses the writer\'s file truncated, with a wrong count or a bad amount', () => {
    const ls = lines(generateBgmax({ payments: 20, bankgiro: BG, seed: 11, marker: 'P', date: '20240402' }));
    assert.equal(verifyBgmax(join(ls)).ok, true);
    const cut = verifyBgmax(join(ls.slice(0, -1)));
    assert.deepEqual(cut.errors, [`line ${ls.length - 1}: file has no end record (70) - truncated?`]);
    const i15 = ls.findIndex((l) => l.startsWith('15'));
    const count = Number(ls[i15].slice(71, 79));
    const wrong = [...ls];
    wrong[i15] = wrong[i15].slice(0, 71) + String(count + 1).padStart(8, '0') + wrong[i15].slice(79);
    assert.deepEqual(verifyBgmax(join(wrong)).errors,
      [`line ${i15 + 1}: deposit says ${count + 1} payments, section has ${count} (20+21)`]);
    const i20 = ls.findIndex((l) => l.startsWith('20'));
    const more = [...ls];
    more[i20] = more[i20].slice(0, 37) + String(amountOf(more[i20]) + 1).padStart(18, '0') + more[i20].slice(55);
    const v = verifyBgmax(join(more));
    assert.equal(v.errors.length, 1);
    assert.match(v.errors[0], new RegExp(`^line ${i15 + 1}: deposit amount `));
    const letter = [...ls];
    letter[i20] = letter[i20].slice(0, 40) + 'X' + letter[i20].slice(41);
    assert.match(verifyBgmax(join(letter)).errors[0], new RegExp(`^line ${i20 + 1}: amount \\(pos 38-55\\) not numeric`));
  });
});
