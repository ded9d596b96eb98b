/*
 * words.js — the bank file's texts in the bookkeeper's words: the reasons
 * the server gives (in English) for a payment it could not place, the
 * file reader's remarks, how a payment was matched, and the file's
 * identity (when Bankgirot made it, for which bankgiro).  A text the UI
 * does not know is shown as the server wrote it, marked as English.
 */
import { h } from '../../dom.js';
import { getLang, t } from '../../i18n.js';

/* The server's reasons for holding a payment (app_bankfile.c) → dictionary keys. */
const REASONS = {
  'no invoice has this reference': 'no_invoice',
  'the invoice is credited or not in SEK': 'not_bookable',
  'the message names an invoice, but the payer is not known as its customer': 'payer_unknown',
  "the message names an invoice of another customer than the payer's": 'other_customer',
  'the amount is more than the invoices the message names claim': 'too_much',
  'a credit the payer deducted': 'deducted_credit',
};

/* The file reader's remarks that come without numbers (core/bgmax.c) → keys. */
const WARNINGS = {
  'the file is UTF-8, not ISO-8859-1: read as UTF-8': 'utf8',
  'the file starts with a UTF-8 byte order mark': 'bom',
  'records of 80 characters without line ends': 'no_line_ends',
  'TAB characters read as blanks up to the next tab stop (every 8 characters)': 'tabs',
  'record shorter than 80 characters': 'short_record',
  'payer bankgiro number (positions 3-12) written with blanks, read as digits': 'payer_bg_blanks',
  'payer bankgiro number (positions 3-12) is not a number, read as unknown': 'payer_bg_bad',
  'OCR reference fails the check digit': 'ocr_check',
  'unknown record type skipped': 'unknown_record',
  'records of a payment out of the usual order': 'order',
  'layout version is not 01': 'version',
};

/* An English text from the server, marked so when the page is Swedish. */
function english(text) {
  return getLang() === 'en' ? text : h('span', { lang: 'en' }, text);
}

/* Why a payment was not placed on an invoice. */
export function reasonText(reason) {
  const key = REASONS[reason];
  return key ? t(`payments.reason.${key}`) : english(reason || t('payments.reason.unknown'));
}

/* "line 12: what" → "Rad 12: <what in words>". */
export function warningText(text) {
  const m = /^line (\d+): (.*)$/s.exec(text ?? '');
  const what = m ? m[2] : text;
  const key = WARNINGS[what];
  const words = key ? t(`payments.warning.${key}`) : english(what);
  return m ? [t('payments.line', { n: m[1] }), ' ', words] : words;
}

export function matchedByText(how) {
  return t(`payments.matched_by.${how === 'ocr' || how === 'invoice_number' || how === 'message' ? how : 'other'}`);
}

/* A bankgiro number as written: 0009912346 → 991-2346. */
export function bankgiroText(digits) {
  const d = String(digits ?? '').replace(/^0+/, '');
  return d.length >= 7 ? `${d.slice(0, -4)}-${d.slice(-4)}` : d;
}

/* "BGMAX-20240316063015123456-0009912346" → {created: "2024-03-16 06:30", bankgiro: "991-2346"}, or null. */
export function identityParts(identity) {
  const m = /^BGMAX-(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)\d{8}-(\d{10})$/.exec(identity ?? '');
  if (!m) return null;
  return { created: `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}`, bankgiro: bankgiroText(m[6]) };
}

/*
 * The identity the server remembers a BgMax file by (the 01 record's
 * timestamp and the first deposit's bankgiro), read from the file's bytes
 * so that a refusal of a file imported before can name it; null when the
 * bytes do not show it.
 */
export function bgmaxIdentity(bytes) {
  let text = new TextDecoder('latin1').decode(new Uint8Array(bytes, 0, Math.min(bytes.byteLength, 4000)));
  text = text.replace(/^\u00ef\u00bb\u00bf/, '');
  const records = text.includes('\n') ? text.split(/\r?\n/) : text.match(/.{1,80}/gs) ?? [];
  const start = records.find((r) => r.startsWith('01'));
  const opening = records.find((r) => r.startsWith('05'));
  const stamp = start?.slice(24, 44);
  const bg = opening?.slice(2, 12).replace(/ /g, '');
  if (!/^\d{20}$/.test(stamp ?? '') || !/^\d{1,10}$/.test(bg ?? '')) return null;
  return `BGMAX-${stamp}-${bg.padStart(10, '0')}`;
}

/* Which route reads the file: camt.054 (XML) when it starts, after a byte
 * order mark and blanks, with '<'; else BgMax. */
export function fileKind(bytes) {
  const b = new Uint8Array(bytes, 0, Math.min(bytes.byteLength, 512));
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  return b[i] === 0x3c ? 'camt054' : 'bgmax';
}
