/*
 * bgmax.mjs — the tests' own writer and checker of Bankgirot BgMax files
 * (Bankgiro Inbetalningar).  Node only, no packages.
 *
 *   generateBgmax({ payments, bankgiro, seed, ... }) -> Buffer
 *   verifyBgmax(buffer) -> { ok, errors, warnings, deposits, totals, endCounts }
 *
 * The generated file depends only on the options (no clock, no global random
 * state): the same options always give the same bytes.  ISO-8859-1 text,
 * records of 80 characters, CR LF line ends (LF with `lf: true`).
 *
 * From the command line (for a file to look at or import by hand):
 *   node tests/lib/bgmax.mjs OUT --payments N --bankgiro NNNNNNN [--seed S]
 *        [--refs-file refs.txt] [--max-per-deposit 1000] [--date YYYYMMDD]
 *        [--marker T|P] [--account DIGITS] [--currency SEK]
 *        [--deduction-rate R] [--split-rate R] [--lf]
 *   node tests/lib/bgmax.mjs --verify FILE
 *
 * Record layout (1-based positions; N = digits right-aligned zero-filled,
 * A = text left-aligned space-filled):
 *   01  3-22 layout "BGMAX"  23-24 version "01"  25-44 timestamp  45 T/P
 *   05  3-12 payee bankgiro  13-22 payee plusgiro (blank)  23-25 currency
 *   20/21/22/23  3-12 payer bankgiro  13-37 reference  38-55 amount (öre)
 *       56 reference code  57 payment channel  58-69 BGC serial number
 *       70 image flag  (21 only) 71 deduction code
 *   25  3-52 information text
 *   26  3-37 name  38-72 extra name
 *   27  3-37 address  38-46 postcode
 *   28  3-37 town  38-72 country  73-74 country code
 *   29  3-14 organisation number
 *   15  3-37 payee account  38-45 payment date  46-50 deposit serial
 *       51-68 deposit amount (öre)  69-71 currency  72-79 number of 20+21
 *       80 deposit type
 *   70  3-10 number of 20  11-18 of 21  19-26 of 22+23  27-34 of 15
 *
 * What a generated file holds: payments (20) with Luhn-valid OCR references
 * (length digit + check digit) or the given references, from payers with
 * Luhn-valid bankgiro numbers or none; deposits (05 .. 15) of at most
 * maxPerDeposit payments each, on consecutive bank days (Monday to Friday)
 * from `date`; now and then a deduction (21, at most half of what the
 * deposit holds so far, so a deposit stays positive), extra references (22
 * with amount 0) with a message (25) naming them, a message alone, payer
 * names and addresses (26-29, with å, ä and ö); with splitRate > 0 the split
 * pattern of Bankgirot's example files: a 20 without reference whose 22/23
 * records carry the references and amounts (22 added, 23 subtracted) that
 * add up to the payment.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const REC_LEN = 80;

/* ---- small helpers ---- */

/* True when the digit string passes the modulus-10 (Luhn) check. */
export function luhnValid(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/* The check digit that makes body + digit pass the Luhn check. */
export function luhnCheckDigit(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) { /* doubled once the check digit is appended */
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

const isDigits = (s) => /^[0-9]+$/.test(s);

/* Numeric field: right-aligned, zero-filled. */
function num(value, width) {
  const s = String(value);
  if (!isDigits(s) || s.length > width) throw new RangeError(`numeric field '${s}' does not fit ${width} digits`);
  return s.padStart(width, '0');
}

/* Text field: left-aligned, space-filled, cut to the width. */
const txt = (value, width) => String(value).slice(0, width).padEnd(width, ' ');

/* Text right-aligned and space-filled (OCR references, code 2). */
function rtxt(value, width) {
  const s = String(value);
  if (s.length > width) throw new RangeError(`value '${s}' longer than ${width}`);
  return s.padStart(width, ' ');
}

const latin1 = (s) => [...s].every((c) => c.charCodeAt(0) <= 0xff);

function record(...parts) {
  const line = parts.join('').padEnd(REC_LEN, ' ');
  if (line.length !== REC_LEN) throw new Error(`record length ${line.length} != ${REC_LEN}: ${line}`);
  if (!latin1(line)) throw new Error(`record has a character outside ISO-8859-1: ${line}`);
  return line;
}

export function oreToString(ore) {
  const sign = ore < 0 ? '-' : '';
  const a = Math.abs(ore);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/* Dates as UTC midnights; YYYYMMDD in and out. */
function parseYmd(s) {
  if (!/^\d{8}$/.test(s)) return null;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(4, 6));
  const d = Number(s.slice(6, 8));
  const t = new Date(Date.UTC(y, m - 1, d));
  if (y < 1 || t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return t;
}
const ymd = (t) => t.toISOString().slice(0, 10).replaceAll('-', '');
const addDays = (t, n) => new Date(t.getTime() + n * 86400000);
const isWeekend = (t) => t.getUTCDay() === 0 || t.getUTCDay() === 6;
function nextBankDay(t) {
  let d = addDays(t, 1);
  while (isWeekend(d)) d = addDays(d, 1);
  return d;
}

/* ---- a small seeded PRNG: xmur3 over the seed's text, then mulberry32 ---- */

function seedHash(str) {
  let h = 1779033703 ^ str.length;
  for (let i = 0; i < str.length; i++) {
    h = Math.imul(h ^ str.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

export function makeRng(seed) {
  let a = seedHash(String(seed));
  const u32 = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  /* 53 random bits in [0, 1). */
  const random = () => ((u32() >>> 5) * 67108864 + (u32() >>> 6)) / 9007199254740992;
  return {
    random,
    /* an integer in [lo, hi], both included */
    randint: (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)),
    choice: (list) => list[Math.floor(random() * list.length)],
    weighted(pairs) {
      const r = random();
      let acc = 0;
      for (const [value, w] of pairs) {
        acc += w;
        if (r < acc) return value;
      }
      return pairs[pairs.length - 1][0];
    },
  };
}

/* ---- random data ---- */

const COMPANIES = [
  'Åkesson Bygg AB', 'Lindqvist & Söner HB', 'Örebro Plåt AB', 'Nyström Konsult AB',
  'Bäckströms Måleri AB', 'Sjöberg Transport AB', 'Fjällgårdens Kött AB', 'Öhman Data AB',
  'Grön & Blå Trädgård AB', 'Hälsokällan i Umeå AB', 'Västkustens Fisk AB', 'Kvarnström El AB',
];
const PERSONS = [
  'Märta Öberg', 'Bäckström, Anna', 'Per-Åke Ström', 'Lena Åström', 'Jönsson, Göran',
  'Ingrid Löfgren', 'Sven Ekström', 'Karin Hägglund', 'Olof Björk', 'Maja Sjögren',
];
const STREETS = [
  'Storgatan 12', 'Vasavägen 3 B', 'Box 1234', 'Kungsgatan 44 lgh 1101', 'Ängsvägen 7',
  'Hamngatan 2', 'Björkstigen 19', 'Östra Långgatan 5', 'Skolvägen 1 C', 'Fältvägen 88',
];
const TOWNS = [
  ['111 22', 'STOCKHOLM'], ['411 01', 'GÖTEBORG'], ['211 20', 'MALMÖ'], ['903 25', 'UMEÅ'],
  ['721 30', 'VÄSTERÅS'], ['972 31', 'LULEÅ'], ['702 10', 'ÖREBRO'], ['553 20', 'JÖNKÖPING'],
];
const FOREIGN = [
  ['0150', 'OSLO', 'NORGE', 'NO'], ['00100', 'HELSINGFORS', 'FINLAND', 'FI'],
  ['1050', 'KØBENHAVN K', 'DANMARK', 'DK'],
];
const INFO_TEXTS = [
  (ref) => `Betalning avser faktura ${ref}`, (ref) => `Hyra mars, ref ${ref}`,
  () => 'Delbetalning enligt överenskommelse', () => 'Medlemsavgift 2024', (ref) => `Order ${ref} - tack!`,
];
/* Påminn's OCR reference of an invoice number, worked out independently
 * of the product: the number, a length digit (length + 2, mod 10) and a
 * Luhn check digit. */
export function ocrOf(number) {
  const body = String(number) + String((String(number).length + 2) % 10);
  return body + luhnCheckDigit(body);
}

const SPLIT_TEXT = 'Betalning avser flera fakturor och en kredit';

const digitsOf = (rng, n) => Array.from({ length: n }, () => String(rng.randint(0, 9))).join('');

/* An OCR number of 6-15 digits: the last but one is the length (mod 10),
 * the last the Luhn check digit. */
function randomOcr(rng) {
  const len = rng.randint(6, 15);
  const body = String(rng.randint(1, 9)) + digitsOf(rng, len - 3) + String(len % 10);
  return body + luhnCheckDigit(body);
}

/* A Luhn-valid 7- or 8-digit bankgiro number (first digit 1-9). */
function randomBankgiro(rng) {
  const n = rng.choice([7, 8]);
  const body = String(rng.randint(1, 9)) + digitsOf(rng, n - 2);
  return body + luhnCheckDigit(body);
}

/* '00' + a 10-digit Swedish organisation number (third digit >= 2, Luhn). */
function randomOrgnr(rng) {
  const body = String(rng.choice([5, 7, 8, 9])) + String(rng.randint(0, 9)) + String(rng.randint(2, 9)) + digitsOf(rng, 6);
  return `00${body}${luhnCheckDigit(body)}`;
}

/* [reference code, 25-character field] of a reference: 2 (OCR, right-
 * aligned) when it is 2-25 digits passing the check, else 3 (free text). */
function classifyReference(ref) {
  if (/^\d{2,25}$/.test(ref) && luhnValid(ref)) return [2, rtxt(ref, 25)];
  if (ref.length > 25) throw new RangeError(`reference longer than 25 characters: '${ref}'`);
  if (!latin1(ref)) throw new RangeError(`reference has a character outside ISO-8859-1: '${ref}'`);
  return [3, txt(ref, 25)];
}

function txRecord(tk, sender, refField, amount, refCode, channel, serial, image, deductionCode) {
  const parts = [tk, num(sender, 10), refField, num(amount, 18), String(refCode), String(channel), num(serial, 12), String(image)];
  if (tk === '21') parts.push(String(deductionCode));
  return record(...parts);
}

function payerRecords(rng, company, withOrgnr) {
  const recs = [];
  let name;
  let extra = '';
  if (company) {
    name = rng.choice(COMPANIES);
    if (rng.random() >= 0.8) extra = 'c/o Ekonomiavdelningen';
  } else {
    name = rng.choice(PERSONS);
  }
  recs.push(record('26', txt(name, 35), txt(extra, 35)));
  if (rng.random() < 0.03) {
    const [pc, town, country, cc] = rng.choice(FOREIGN);
    recs.push(record('27', txt(rng.choice(STREETS), 35), txt(pc, 9)));
    recs.push(record('28', txt(town, 35), txt(country, 35), txt(cc, 2)));
  } else {
    const [pc, town] = rng.choice(TOWNS);
    recs.push(record('27', txt(rng.choice(STREETS), 35), txt(pc, 9)));
    recs.push(record('28', txt(town, 35)));
  }
  if (withOrgnr) recs.push(record('29', num(randomOrgnr(rng), 12)));
  return recs;
}

/* ---- the generator ---- */

/*
 * A BgMax file of `payments` payment records (20) to `bankgiro`.
 *   seed            any number or string; the same options give the same bytes
 *   refs            references to use in turn (OCR numbers or texts of at most
 *                   25 characters), reused from the start when fewer than the
 *                   payments; without it every reference is a random OCR number.
 *                   The random references of extra records (22/23) are never
 *                   one of refs: a payment names no other invoice of the list
 *                   by chance
 *   maxPerDeposit   the most payments in one deposit (05 .. 15)
 *   date            the first deposit's date, YYYYMMDD (moved to a bank day)
 *   marker          'T' (test file) or 'P' (production) in record 01
 *   account         the payee's bank account in record 15 (digits)
 *   currency        three capital letters
 *   deductionRate   chance per payment of a deduction (21) after it
 *   splitRate       chance per payment of the split pattern (0: every 20
 *                   carries its own reference)
 *   lf              LF line ends instead of CR LF
 */
export function generateBgmax({
  payments, bankgiro, seed = 0, refs, maxPerDeposit = 1000, date = '20240102', marker = 'T',
  account = '58410000123456', currency = 'SEK', deductionRate = 0.005, splitRate = 0, lf = false,
  allowInvalidBankgiro = false,
} = {}) {
  const bg = String(bankgiro ?? '');
  if (!/^\d{2,10}$/.test(bg)) throw new RangeError('bankgiro must be 2-10 digits');
  if (!luhnValid(bg) && !allowInvalidBankgiro) {
    throw new RangeError(`bankgiro ${bg} fails the modulus-10 check (allowInvalidBankgiro to force)`);
  }
  if (!Number.isInteger(payments) || payments < 1 || payments > 99999999) throw new RangeError('payments must be 1..99999999');
  if (!Number.isInteger(maxPerDeposit) || maxPerDeposit < 1 || maxPerDeposit > 99999999) {
    throw new RangeError('maxPerDeposit must be 1..99999999');
  }
  if (!/^\d{1,35}$/.test(account)) throw new RangeError('account must be 1-35 digits');
  if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError('currency must be three capital letters');
  if (marker !== 'T' && marker !== 'P') throw new RangeError("marker must be 'T' or 'P'");
  let day = parseYmd(date);
  if (!day) throw new RangeError('date must be a valid YYYYMMDD');
  while (isWeekend(day)) day = nextBankDay(day);

  let refList = null;
  if (refs !== undefined && refs !== null) {
    refList = [...refs].map((r) => String(r).trim()).filter((r) => r && !r.startsWith('#'));
    if (refList.length === 0) throw new RangeError('refs holds no references');
    for (const r of refList) classifyReference(r); /* throws on a bad one */
  }

  const rng = makeRng(seed);
  let refPos = 0;
  const nextRef = () => {
    if (!refList) return randomOcr(rng);
    const r = refList[refPos % refList.length];
    refPos++;
    return r;
  };
  const refSet = new Set(refList ?? []);
  const otherOcr = () => {
    let r = randomOcr(rng);
    while (refSet.has(r)) r = randomOcr(rng);
    return r;
  };

  /* the payments split into deposits of at most maxPerDeposit */
  const sizes = [];
  const lo = Math.max(1, Math.floor(maxPerDeposit / 3));
  for (let left = payments; left > 0;) {
    const n = Math.min(left, rng.randint(lo, maxPerDeposit));
    sizes.push(n);
    left -= n;
  }

  let cnt20 = 0;
  let cnt21 = 0;
  let cnt2223 = 0;
  let cnt15 = 0;
  let serial = rng.randint(1e9, 1e10); /* BGC serial numbers, unique in the file */
  let depSerial = rng.randint(1, 90000);
  const body = [];

  sizes.forEach((size, secNo) => {
    if (secNo > 0) day = nextBankDay(day);
    body.push(record('05', num(bg, 10), ' '.repeat(10), txt(currency, 3)));
    let net = 0;
    let entries = 0;
    for (let k = 0; k < size; k++) {
      const channel = rng.weighted([[1, 0.70], [2, 0.20], [3, 0.08], [4, 0.02]]);
      let sender = '0';
      if (channel === 2) sender = randomBankgiro(rng);
      else if (channel === 1 && rng.random() < 0.5) sender = randomBankgiro(rng);
      else if (channel === 3 && rng.random() < 0.3) sender = randomBankgiro(rng);
      const image = channel === 3 && rng.random() < 0.2 ? 1 : 0;
      const amount = rng.random() < 0.7
        ? rng.randint(1, 25000) * 100 /* whole kronor */
        : rng.randint(100, 2500000); /* to the öre */
      serial++;
      const ref = nextRef();
      const company = channel === 2 || rng.random() < 0.3;

      if (rng.random() < splitRate && amount >= 300) {
        /* The split pattern: the 20 carries no reference; its 22/23
         * records carry the references and amounts, 22 - 23 = the payment. */
        body.push(txRecord('20', sender, ' '.repeat(25), amount, 0, channel, serial, image));
        cnt20++;
        const credit = rng.randint(1, Math.max(1, Math.floor(amount / 4)));
        const rest = amount + credit;
        const first = rng.randint(1, rest - 1);
        for (const [tk, r, amt] of [['22', ref, first], ['22', otherOcr(), rest - first], ['23', otherOcr(), credit]]) {
          const [code, field] = classifyReference(r);
          body.push(txRecord(tk, sender, field, amt, code, channel, serial, image));
          cnt2223++;
        }
        body.push(record('25', txt(SPLIT_TEXT, 50)));
        body.push(...payerRecords(rng, company, company));
      } else {
        const [code, field] = classifyReference(ref);
        body.push(txRecord('20', sender, field, amount, code, channel, serial, image));
        cnt20++;
        const extraRefs = [];
        if (rng.random() < 0.03) {
          for (let n = rng.randint(1, 3); n > 0; n--) extraRefs.push(otherOcr());
          for (const r of extraRefs) {
            const [c2, f2] = classifyReference(r);
            body.push(txRecord('22', sender, f2, 0, c2, channel, serial, image));
            cnt2223++;
          }
        }
        if (extraRefs.length) body.push(record('25', txt(`Avser fakt ${ref} och ${extraRefs[0]}`, 50)));
        else if (rng.random() < 0.04) body.push(record('25', txt(rng.choice(INFO_TEXTS)(ref), 50)));
        if (channel === 2 || (channel === 3 && rng.random() < 0.7) || rng.random() < 0.25) {
          body.push(...payerRecords(rng, company, company));
        }
      }
      net += amount;
      entries++;

      /* now and then a deduction (21) from an LB payer: never more than half
       * of what the deposit holds so far, so it stays positive */
      if (rng.random() < deductionRate && net >= 20000) {
        serial++;
        const ded = rng.randint(100, Math.min(Math.floor(net / 2), 1000000)); /* at most 10 000,00 kr */
        const dsender = randomBankgiro(rng);
        const [dcode, dfield] = rng.random() < 0.7
          ? classifyReference(randomOcr(rng))
          : [3, txt(`KREDIT ${rng.randint(1000, 99999)}`, 25)];
        const kind = rng.weighted([[0, 0.7], [1, 0.15], [2, 0.15]]);
        body.push(txRecord('21', dsender, dfield, ded, dcode, 2, serial, 0, kind));
        body.push(...payerRecords(rng, true, true));
        cnt21++;
        net -= ded;
        entries++;
      }
    }
    depSerial = (depSerial % 99999) + 1;
    body.push(record('15', num(account, 35), ymd(day), num(depSerial, 5), num(net, 18), txt(currency, 3), num(entries, 8), ' '));
    cnt15++;
  });

  /* written early the morning of the last deposit's day or the bank day after */
  const created = rng.random() < 0.5 ? nextBankDay(day) : day;
  const hms = [rng.randint(5, 7), rng.randint(0, 59), rng.randint(0, 59)].map((v) => String(v).padStart(2, '0')).join('');
  const stamp = `${ymd(created)}${hms}${String(rng.randint(0, 999999)).padStart(6, '0')}`;
  const lines = [
    record('01', txt('BGMAX', 20), '01', stamp, marker),
    ...body,
    record('70', num(cnt20, 8), num(cnt21, 8), num(cnt2223, 8), num(cnt15, 8)),
  ];
  const eol = lf ? '\n' : '\r\n';
  return Buffer.from(lines.join(eol) + eol, 'latin1');
}

/* ---- the verifier ---- */

function validStamp(ts) {
  if (!/^\d{20}$/.test(ts)) return false;
  const [h, mi, s] = [ts.slice(8, 10), ts.slice(10, 12), ts.slice(12, 14)].map(Number);
  return parseYmd(ts.slice(0, 8)) !== null && h < 24 && mi < 60 && s < 60;
}

/*
 * Check a BgMax file as a strict reader would: 80-character records (shorter
 * ones are padded and longer ones cut with a warning when only blanks
 * overflow), the order 01, (05, (20|21 (22|23)* 25-29*)+, 15)+, 70, numeric
 * fields, each deposit's 15 record against its 20/21 records (count of 20 +
 * 21; amount = Σ20 − Σ21; currency) and the 70 record's counts.  ok is true
 * when errors is empty; warnings do not make a file invalid.  deposits lists
 * each 05 .. 15 section with its sums and whether its 15 record agrees.
 */
export function verifyBgmax(input) {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(String(input), 'latin1');
  const errors = [];
  const warnings = [];
  const err = (n, msg) => errors.push(`line ${n}: ${msg}`);
  const warn = (n, msg) => warnings.push(`line ${n}: ${msg}`);
  const deposits = [];
  const totals = { n20: 0, n21: 0, n2223: 0, n15: 0 };
  let endCounts = null;

  const lines = buf.toString('latin1').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  while (lines.length && lines[lines.length - 1].replace(/\r$/, '') === '') lines.pop();

  /* A numeric field at 1-based positions start..end; null when not digits. */
  const digitsAt = (n, line, start, end, what, fatal = true) => {
    const s = line.slice(start - 1, end);
    if (!isDigits(s)) {
      (fatal ? err : warn)(n, `${what} (pos ${start}-${end}) not numeric: '${s}'`);
      return null;
    }
    return Number(s);
  };
  /* A payment whose 22/23 records carry amounts adds up to them when it
   * has no reference of its own (the split pattern). */
  const checkSplit = (p) => {
    if (p && p.splitNonzero && (p.refcode === '0' || p.refcode === '1') && p.split !== p.amount) {
      warn(p.line, `22/23 amounts (${oreToString(p.split)}) do not add up to the payment (${oreToString(p.amount)})`);
    }
  };

  let state = 'start'; /* start -> file -> section -> entry ... -> end */
  let sec = null;
  let parent = null;
  let seenAfterParent = new Set();

  const result = () => ({ ok: errors.length === 0, errors, warnings, deposits, totals, endCounts });

  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    let line = lines[i];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (/[\x00-\x1f\x7f]/.test(line)) err(n, 'control character in record');
    if (line === '') {
      warn(n, 'empty line ignored');
      continue;
    }
    if (line.length < REC_LEN) {
      warn(n, `record is ${line.length} characters, padded to 80`);
      line = line.padEnd(REC_LEN, ' ');
    } else if (line.length > REC_LEN) {
      if (line.slice(REC_LEN).trim() === '') warn(n, `record is ${line.length} characters (trailing blanks), cut to 80`);
      else err(n, `record is ${line.length} characters, expected 80`);
      line = line.slice(0, REC_LEN);
    }
    const tk = line.slice(0, 2);

    if (state === 'end') {
      err(n, 'data after end record (70)');
      continue;
    }

    if (state === 'start') {
      if (tk !== '01') {
        err(n, `file must start with record 01, got '${tk}'`);
        return result();
      }
      const layout = line.slice(2, 22).trimEnd();
      if (layout !== 'BGMAX') err(n, `layout name is '${layout}', expected 'BGMAX'`);
      if (line.slice(22, 24) !== '01') warn(n, `layout version '${line.slice(22, 24)}' (expected '01')`);
      if (!validStamp(line.slice(24, 44))) err(n, `bad timestamp '${line.slice(24, 44)}'`);
      if (line[44] !== 'T' && line[44] !== 'P') err(n, `test marker '${line[44]}' is not T or P`);
      else if (line[44] === 'T') warn(n, 'test file (marker T)');
      state = 'file';
      continue;
    }

    if (tk === '01') {
      err(n, 'second start record (01)');
      continue;
    }

    if (tk === '05') {
      if (state !== 'file') err(n, 'opening record 05 inside an open section (missing 15)');
      const bg = digitsAt(n, line, 3, 12, 'payee bankgiro');
      const cur = line.slice(22, 25);
      if (!/^[A-Z]{3}$/.test(cur)) err(n, `bad currency '${cur}'`);
      sec = { line: n, bankgiro: bg, currency: cur, n20: 0, s20: 0, n21: 0, s21: 0 };
      parent = null;
      state = 'section';
      continue;
    }

    if (tk === '20' || tk === '21') {
      if (state !== 'section' && state !== 'entry') {
        err(n, `record ${tk} outside a section`);
        continue;
      }
      checkSplit(parent);
      digitsAt(n, line, 3, 12, 'payer bankgiro');
      const amount = digitsAt(n, line, 38, 55, 'amount') ?? 0;
      const refcode = line[55];
      const channel = line[56];
      const serialNo = line.slice(57, 69);
      const image = line[69];
      if (!'012345'.includes(refcode)) warn(n, `unknown reference code '${refcode}'`);
      if (!'1234'.includes(channel)) warn(n, `unknown payment channel code '${channel}'`);
      if (!isDigits(serialNo)) warn(n, `BGC serial number not numeric: '${serialNo}'`);
      if (!'01'.includes(image)) warn(n, `unknown image marker '${image}'`);
      if (refcode === '2') {
        const r = line.slice(12, 37).trim();
        if (!(isDigits(r) && luhnValid(r))) warn(n, `reference code 2 but '${r}' fails the OCR check digit`);
      }
      if (tk === '21' && !'012'.includes(line[70])) warn(n, `unknown deduction code '${line[70]}'`);
      if (tk === '20') {
        sec.n20++;
        sec.s20 += amount;
        totals.n20++;
      } else {
        sec.n21++;
        sec.s21 += amount;
        totals.n21++;
      }
      parent = {
        tk, line: n, bg: line.slice(2, 12), channel, serial: serialNo, image, amount, refcode, split: 0, splitNonzero: false,
      };
      seenAfterParent = new Set();
      state = 'entry';
      continue;
    }

    if (['22', '23', '25', '26', '27', '28', '29'].includes(tk)) {
      if (state !== 'entry' || parent === null) {
        err(n, `record ${tk} not preceded by a 20/21 record`);
        continue;
      }
      if (tk === '22' || tk === '23') {
        if (['25', '26', '27', '28', '29'].some((x) => seenAfterParent.has(x))) warn(n, 'extra reference record after 25-29 records');
        const amt = digitsAt(n, line, 38, 55, 'amount');
        if (line.slice(2, 12) !== parent.bg || line[56] !== parent.channel || line.slice(57, 69) !== parent.serial ||
            line[69] !== parent.image) {
          warn(n, `extra reference does not repeat the bankgiro/channel/serial/image of its payment (line ${parent.line})`);
        }
        if (line[55] === '2') {
          const r = line.slice(12, 37).trim();
          if (!(isDigits(r) && luhnValid(r))) warn(n, `reference code 2 but '${r}' fails the OCR check digit`);
        }
        if (amt) {
          parent.splitNonzero = true;
          parent.split += tk === '22' ? amt : -amt;
        }
        totals.n2223++;
      } else {
        if (seenAfterParent.has(tk) && tk !== '25') warn(n, `record ${tk} repeated for the same payment`);
        if (tk === '29') digitsAt(n, line, 3, 14, 'organisation number', false);
      }
      seenAfterParent.add(tk);
      continue;
    }

    if (tk === '15') {
      if ((state !== 'section' && state !== 'entry') || sec === null) {
        err(n, 'deposit record 15 without an opening record 05');
        continue;
      }
      checkSplit(parent);
      const acct = line.slice(2, 37);
      const date = line.slice(37, 45);
      const dser = line.slice(45, 50);
      const amount = digitsAt(n, line, 51, 68, 'deposit amount');
      const cur = line.slice(68, 71);
      const count = digitsAt(n, line, 72, 79, 'payment count');
      const type = line[79];
      if (!isDigits(acct)) err(n, `payee account not numeric: '${acct}'`);
      if (!parseYmd(date)) err(n, `bad payment date '${date}'`);
      if (!isDigits(dser)) err(n, `deposit serial number not numeric: '${dser}'`);
      if (cur !== sec.currency) err(n, `currency '${cur}' differs from opening record ('${sec.currency}')`);
      if (!' KDS'.includes(type)) warn(n, `unusual deposit type '${type}'`);
      const entries = sec.n20 + sec.n21;
      const net = sec.s20 - sec.s21;
      if (entries === 0) err(n, 'section without payment or deduction records');
      let ok = true;
      if (count !== null && count !== entries) {
        err(n, `deposit says ${count} payments, section has ${entries} (20+21)`);
        ok = false;
      }
      if (amount !== null && amount !== net) {
        err(n, `deposit amount ${oreToString(amount)} != sum(20) - sum(21) = ${oreToString(net)}`);
        ok = false;
      }
      deposits.push({
        no: deposits.length + 1, line: n, serial: dser, date, bankgiro: sec.bankgiro, currency: sec.currency,
        n20: sec.n20, s20: sec.s20, n21: sec.n21, s21: sec.s21, net, amount15: amount, count15: count, ok,
      });
      totals.n15++;
      sec = null;
      parent = null;
      state = 'file';
      continue;
    }

    if (tk === '70') {
      if (state !== 'file') err(n, 'end record 70 while a section is open (missing 15)');
      const fields = [
        ['n20', 3, 10, 'payment count', 'payment (20)'], ['n21', 11, 18, 'deduction count', 'deduction (21)'],
        ['n2223', 19, 26, 'extra reference count', 'extra reference (22/23)'], ['n15', 27, 34, 'deposit count', 'deposit (15)'],
      ];
      endCounts = {};
      for (const [key, a, b, what, kind] of fields) {
        const want = digitsAt(n, line, a, b, what);
        endCounts[key] = want;
        if (want !== null && want !== totals[key]) err(n, `end record says ${want} ${kind} records, file has ${totals[key]}`);
      }
      state = 'end';
      continue;
    }

    warn(n, `unknown record type '${tk}' ignored`);
  }

  if (state !== 'end') err(lines.length, 'file has no end record (70) - truncated?');
  return result();
}

/* ---- a file written record by record, as a test describes it ---- */

/*
 * writeBgmax({ stamp, marker, deposits }) -> array of 80-character records
 * (join them as the test needs: CR LF, LF, nothing).  Each deposit is
 * { bankgiro, currency = 'SEK', date = 'YYYYMMDD', serial = 1, payments },
 * each payment { ref = '', code = 2, amount (öre), payer = '0', deduction,
 * extras: [{ ref, code = 2, amount = 0 }] (negative amount: a 23 record),
 * message, name, orgnr }.  Counts and sums of the 15 and 70 records follow
 * from the payments.
 */
export function writeBgmax({ stamp = '20240316063015123456', marker = 'P', deposits }) {
  const out = [record('01BGMAX               01', stamp, marker)];
  const totals = { n20: 0, n21: 0, n2223: 0 };
  let serial = 1000;
  for (const d of deposits) {
    out.push(record('05', zeros(d.bankgiro, 10), ' '.repeat(10), d.currency ?? 'SEK'));
    let sum = 0;
    for (const p of d.payments) {
      const tk = p.deduction ? '21' : '20';
      const tail = `${p.code ?? 2}1${zeros(serial++, 12)}0${p.deduction ? '1' : ''}`;
      const payer = zeros(p.payer ?? '0', 10);
      out.push(record(tk, payer, padRef(p.ref ?? '', p.code ?? 2), zeros(p.amount, 18), tail));
      totals[p.deduction ? 'n21' : 'n20']++;
      sum += p.deduction ? -p.amount : p.amount;
      for (const x of p.extras ?? []) {
        const amount = x.amount ?? 0;
        out.push(record(amount < 0 ? '23' : '22', payer, padRef(x.ref, x.code ?? 2), zeros(Math.abs(amount), 18),
          `${x.code ?? 2}1${zeros(serial - 1, 12)}0`));
        totals.n2223++;
      }
      if (p.message) out.push(record('25', p.message));
      if (p.name) out.push(record('26', p.name));
      if (p.orgnr) out.push(record('29', zeros(p.orgnr, 12)));
    }
    out.push(record('15', zeros('58410000123456', 35), d.date ?? '20240315', zeros(d.serial ?? 1, 5),
      zeros(sum, 18), d.currency ?? 'SEK', zeros(d.payments.length, 8), ' '));
  }
  out.push(record('70', zeros(totals.n20, 8), zeros(totals.n21, 8), zeros(totals.n2223, 8), zeros(deposits.length, 8)));
  return out;
}

const zeros = (v, w) => String(v).padStart(w, '0');
const padRef = (ref, code) => (code === 2 ? ref.padStart(25, ' ') : ref.padEnd(25, ' '));

/* A summary like the one of `--verify`: a line per deposit, the warnings
 * (the first 50) and errors, and RESULT: OK or INVALID. */
export function formatReport(v) {
  const out = v.deposits.map((d) => `deposit ${d.no} serial ${d.serial} ${d.date} bankgiro ${d.bankgiro} ${d.currency}: ` +
    `${d.n20} payments ${oreToString(d.s20)}, ${d.n21} deductions ${oreToString(d.s21)}, net ${oreToString(d.net)} ` +
    `${d.ok ? 'OK' : `MISMATCH (count ${d.count15}, amount ${d.amount15 === null ? '?' : oreToString(d.amount15)})`}`);
  out.push(`records: 20=${v.totals.n20} 21=${v.totals.n21} 22/23=${v.totals.n2223} 15=${v.totals.n15}`);
  for (const w of v.warnings.slice(0, 50)) out.push(`WARNING ${w}`);
  if (v.warnings.length > 50) out.push(`WARNING ... ${v.warnings.length - 50} more warnings`);
  for (const e of v.errors) out.push(`ERROR ${e}`);
  out.push(`RESULT: ${v.ok ? 'OK' : 'INVALID'} (${v.errors.length} errors, ${v.warnings.length} warnings)`);
  return out.join('\n');
}

/* ---- command line ---- */

function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      verify: { type: 'string' },
      payments: { type: 'string' },
      bankgiro: { type: 'string' },
      seed: { type: 'string', default: '0' },
      'refs-file': { type: 'string' },
      'max-per-deposit': { type: 'string', default: '1000' },
      date: { type: 'string', default: '20240102' },
      marker: { type: 'string', default: 'T' },
      account: { type: 'string', default: '58410000123456' },
      currency: { type: 'string', default: 'SEK' },
      'deduction-rate': { type: 'string', default: '0.005' },
      'split-rate': { type: 'string', default: '0' },
      'allow-invalid-bankgiro': { type: 'boolean', default: false },
      lf: { type: 'boolean', default: false },
    },
  });
  if (values.verify) {
    const v = verifyBgmax(readFileSync(values.verify));
    console.log(formatReport(v));
    return v.ok ? 0 : 1;
  }
  if (positionals.length !== 1 || !values.payments || !values.bankgiro) {
    console.error('usage: bgmax.mjs OUT --payments N --bankgiro NNNNNNN [options] | bgmax.mjs --verify FILE');
    return 2;
  }
  const file = generateBgmax({
    payments: Number(values.payments),
    bankgiro: values.bankgiro,
    seed: values.seed,
    refs: values['refs-file'] ? readFileSync(values['refs-file'], 'utf8').split('\n') : undefined,
    maxPerDeposit: Number(values['max-per-deposit']),
    date: values.date,
    marker: values.marker,
    account: values.account,
    currency: values.currency,
    deductionRate: Number(values['deduction-rate']),
    splitRate: Number(values['split-rate']),
    allowInvalidBankgiro: values['allow-invalid-bankgiro'],
    lf: values.lf,
  });
  writeFileSync(positionals[0], file);
  const v = verifyBgmax(file);
  console.log(`wrote ${positionals[0]}: ${v.totals.n20} payments (20), ${v.totals.n21} deductions (21), ` +
    `${v.totals.n2223} extra references (22/23), ${v.totals.n15} deposits (15)`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`bgmax.mjs: ${e.message}`);
    process.exitCode = 2;
  }
}
