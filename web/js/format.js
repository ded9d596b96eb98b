/*
 * format.js — amounts, quantities and dates for the Påminn web UI.
 *
 * Amounts travel as integers in minor units (öre).  They are formatted and
 * parsed with BigInt integer division and string handling only: no floating
 * point ever touches an amount.
 */

export const NBSP = '\u00a0';

function group(digits) {
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += NBSP;
    out += digits[i];
  }
  return out;
}

/* 123450 → "1 234,50 kr" (NBSP between groups and before the unit). */
export function money(minor, currency = 'SEK') {
  if (minor === null || minor === undefined || minor === '') return '–';
  let v = BigInt(minor);
  const neg = v < 0n;
  if (neg) v = -v;
  const whole = (v / 100n).toString();
  const frac = (v % 100n).toString().padStart(2, '0');
  const unit = !currency || currency === 'SEK' ? 'kr' : currency;
  return `${neg ? '−' : ''}${group(whole)},${frac}${NBSP}${unit}`;
}

/* The amount without unit, as an input field shows it: "1234,50". */
export function moneyInput(minor) {
  if (minor === null || minor === undefined) return '';
  let v = BigInt(minor);
  const neg = v < 0n;
  if (neg) v = -v;
  return `${neg ? '-' : ''}${(v / 100n).toString()},${(v % 100n).toString().padStart(2, '0')}`;
}

/*
 * "1 234,50", "1234.5", "-20", "1 234 kr" → integer minor units; null when the
 * text is not an amount.  Exact: the digits are joined as text.
 */
export function parseMoney(text) {
  if (typeof text !== 'string') return null;
  let s = text.replace(/[\s\u00a0\u202f]/g, '').replace(/(kr|sek)$/i, '').replace('−', '-');
  let neg = false;
  if (s.startsWith('-')) {
    neg = true;
    s = s.slice(1);
  }
  const m = /^(\d{1,15})(?:[.,](\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const minor = BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0') || '0');
  const n = Number(neg ? -minor : minor);
  return Number.isSafeInteger(n) ? n : null;
}

/* "1,5" → 1500 (thousandths); null when not a positive quantity. */
export function parseQuantity(text) {
  if (typeof text !== 'string') return null;
  const s = text.replace(/[\s\u00a0]/g, '');
  const m = /^(\d{1,12})(?:[.,](\d{1,3}))?$/.exec(s);
  if (!m) return null;
  const milli = Number(BigInt(m[1]) * 1000n + BigInt((m[2] ?? '').padEnd(3, '0') || '0'));
  return milli > 0 ? milli : null;
}

/* 1500 → "1,5". */
export function quantity(milli) {
  const v = BigInt(milli);
  const whole = (v / 1000n).toString();
  const frac = (v % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return frac ? `${whole},${frac}` : whole;
}

/* Basis points → "25 %". */
export function percentBp(bp) {
  const v = BigInt(bp);
  const whole = (v / 100n).toString();
  const frac = (v % 100n).toString().padStart(2, '0').replace(/0+$/, '');
  return `${frac ? `${whole},${frac}` : whole}${NBSP}%`;
}

/* Sum of amounts per currency: [{currency, minor}] → "1 234,50 kr + 10,00 EUR". */
export function moneyTotals(totals) {
  const parts = [...totals.entries()].map(([cur, minor]) => money(minor, cur));
  return parts.length ? parts.join(' + ') : money(0);
}

/* Adds integer minor units exactly (BigInt), per currency, into a Map. */
export function addTo(totals, currency, minor) {
  const cur = currency || 'SEK';
  totals.set(cur, Number(BigInt(totals.get(cur) ?? 0) + BigInt(minor ?? 0)));
}

/* The browser's local date as YYYY-MM-DD. */
export function todayLocal() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/* An RFC 3339 instant → "YYYY-MM-DD HH:MM" in Europe/Stockholm. */
export function instant(text) {
  if (!text) return '';
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return text;
  const parts = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hour12: false,
  }).formatToParts(d);
  const get = (type) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export const isDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s);
