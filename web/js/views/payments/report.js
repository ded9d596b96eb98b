/*
 * report.js — what a bank file does to the books, drawn from the import's
 * report: the summary (payments, total, placed and not placed), a test
 * file's note, the file's remarks, the payments placed on invoices (with
 * a link to each invoice and whether it is now paid, part paid or over
 * paid), the payments that stay unplaced and why, deductions, money owed
 * back to payers and deposits in other currencies.  The same report reads
 * as a preview ("will be booked") before booking and as the result after.
 */
import { h } from '../../dom.js';
import { t, tn } from '../../i18n.js';
import { money } from '../../format.js';
import { identityParts, matchedByText, reasonText, warningText } from './words.js';

/* A table that becomes one card per row at phone width (each cell names its column). */
function stackTable(caption, cols, rows) {
  return h('table.stack',
    h('caption.sr-only', caption),
    h('thead', h('tr', cols.map(([label, cls]) => h('th', { scope: 'col', class: cls }, label)))),
    h('tbody', rows.map((cells) => h('tr', cells.map((c, i) => h('td', { class: cols[i][1], dataset: { label: cols[i][0] } }, c))))));
}

function resultBadge(m) {
  if (m.status === 'paid') return h('span.badge.paid', t('payments.status.paid'));
  if (m.status === 'overpaid') return h('span.badge.overpaid', t('payments.status.overpaid', { amount: money(m.overpaid_minor) }));
  return h('span.badge.part', t('payments.status.part_paid', { amount: money(m.remaining_minor) }));
}

const invoiceLink = (id, number) => h('a', { href: `#/invoices/${number}` }, t('invoice.number_short', { n: number }));

/* The reference and the payer's message, as one text. */
export function referenceText(reference, message) {
  const parts = [reference, message].map((s) => (s ?? '').trim()).filter(Boolean);
  return parts.length ? parts.join(' · ') : h('span.muted', t('payments.no_reference'));
}

function summary(rep, { preview, fileName }) {
  const tot = rep.totals;
  const id = identityParts(rep.file_identity);
  const rows = [
    fileName ? [t('payments.sum.file'), fileName] : null,
    id ? [t('payments.sum.from_bank'), t('payments.sum.from_bank_value', { created: id.created, bankgiro: id.bankgiro })]
      : rep.file_identity ? [t('payments.sum.identity'), rep.file_identity] : null,
    [t('payments.sum.payments'), `${tn('payments.count', tot.payments)} · ${tn('payments.deposits', tot.deposits)}`],
    [t('payments.sum.total'), money(tot.deposits_minor)],
    [t(preview ? 'payments.sum.matched_preview' : 'payments.sum.matched'), `${tn('payments.count', tot.matched_count)} · ${money(tot.matched_minor)}`],
    [t(preview ? 'payments.sum.unmatched_preview' : 'payments.sum.unmatched'), `${tn('payments.count', tot.unmatched_count)} · ${money(tot.unmatched_minor)}`],
    tot.deductions_minor ? [t('payments.sum.deductions'), money(tot.deductions_minor)] : null,
  ].filter(Boolean);
  return h('dl.facts.pay-summary', rows.map(([k, v]) => [h('dt', k), h('dd', v)]));
}

function matchedPart(rep, preview) {
  if (!rep.matched.length) return null;
  return h('section.pay-part',
    h('h3', t(preview ? 'payments.matched_title_preview' : 'payments.matched_title')),
    stackTable(t('payments.matched_caption'), [
      [t('payments.col.invoice')], [t('payments.col.amount'), 'num'], [t('payments.col.found_by')], [t('payments.col.result')],
    ], rep.matched.map((m) => [invoiceLink(m.invoice_id, m.invoice_number), money(m.amount_minor), matchedByText(m.matched_by), resultBadge(m)])));
}

function unmatchedPart(rep, preview) {
  if (!rep.unmatched.length) return null;
  return h('section.pay-part',
    h('h3', t(preview ? 'payments.unmatched_title_preview' : 'payments.unmatched_title')),
    h('p', t(preview ? 'payments.unmatched_intro_preview' : 'payments.unmatched_intro')),
    stackTable(t('payments.unmatched_caption'), [
      [t('payments.col.payer')], [t('payments.col.amount'), 'num'], [t('payments.col.reference')], [t('payments.col.reason')], [t('payments.col.suggestion')],
    ], rep.unmatched.map((u) => [
      u.payer_name || h('span.muted', t('payments.unknown_payer')),
      money(u.amount_minor),
      referenceText(u.reference, u.message),
      reasonText(u.reason),
      u.suggested_invoice_id ? invoiceLink(u.suggested_invoice_id, u.suggested_invoice_number) : '–',
    ])));
}

function otherParts(rep) {
  const out = [];
  if (rep.payer_overpayments?.length) {
    out.push(h('section.pay-part', h('h3', t('payments.overpaid_title')), h('p', t('payments.overpaid_intro')),
      h('ul', rep.payer_overpayments.map((o) => h('li', t('payments.overpaid_item', {
        amount: money(o.amount_minor), payer: o.payer_name || t('payments.unknown_payer'), n: o.invoice_number,
      }))))));
  }
  if (rep.deductions?.length) {
    out.push(h('section.pay-part', h('h3', t('payments.deductions_title')), h('p', t('payments.deductions_intro')),
      h('ul', rep.deductions.map((d) => h('li', t('payments.deduction_item', {
        amount: money(d.amount_minor), payer: d.payer_name || t('payments.unknown_payer'), reference: d.reference || '–',
      }))))));
  }
  if (rep.skipped_deposits?.length) {
    out.push(h('section.pay-part', h('h3', t('payments.skipped_title')),
      h('ul', rep.skipped_deposits.map((s) => h('li', t('payments.skipped_item', {
        amount: money(s.amount_minor, s.currency), count: s.payments,
      }))))));
  }
  return out;
}

function warningsPart(rep) {
  const list = rep.warning_list ?? [];
  if (!rep.totals.warnings && !list.length) return null;
  const more = rep.totals.warnings - list.length;
  return h('section.pay-part.pay-warnings',
    h('h3', t('payments.warnings_title')),
    h('p', t('payments.warnings_intro')),
    h('ul', list.map((w) => h('li', warningText(w)))),
    more > 0 ? h('p.muted', tn('payments.warnings_more', more)) : null);
}

/*
 * The report as a region: opts.preview (a dry run: nothing booked yet),
 * opts.fileName (the chosen file's name), opts.headingId.
 */
export function reportView(rep, opts = {}) {
  const preview = !!opts.preview;
  const isTest = rep.test_marker === 'T';
  return h('div.pay-report',
    summary(rep, opts),
    isTest ? h('p.notice.test-note', { role: 'note' }, h('strong', t('payments.test_file_title')), ' ', t('payments.test_file_text')) : null,
    warningsPart(rep),
    matchedPart(rep, preview),
    unmatchedPart(rep, preview),
    ...otherParts(rep),
    !rep.matched.length && !rep.unmatched.length ? h('p', t('payments.nothing')) : null);
}
