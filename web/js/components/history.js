/*
 * history.js — an invoice's timeline as a person reads it: one line per
 * change, worded in the UI's language from the event's kind and data
 * (created, sent, manual reminders with fee, late-payment compensation and
 * interest, the due date passing, hand-over to Visma Amili and each case change, payments,
 * customer loss ...).  The agency's state and status changes read in the
 * same minute make one line.  Unknown kinds are shown with their message
 * as they come.
 */
import { h } from '../dom.js';
import { has, t } from '../i18n.js';
import { instant, money } from '../format.js';

function kindLabel(kind) {
  return has(`history.${kind}`) ? t(`history.${kind}`) : kind;
}

function actorLabel(actor) {
  if (actor === 'system') return t('history.actor_system');
  if (actor === 'amili') return 'Visma Amili';
  return actor;
}

/* A word of the agency's ('state' or 'status'), as it comes when unknown. */
function caseWord(which, name) {
  const key = which === 'state' ? `amili.case_state.${name}` : `amili.status.${name}`;
  return has(key) ? t(key) : name;
}

/* The event in words of the UI's language; the stored (Swedish) message for kinds without. */
function eventText(ev) {
  const d = ev.data ?? {};
  switch (ev.kind) {
    case 'created': return t('history.text.created');
    case 'payment': return t('history.text.payment');
    case 'overdue': return t('history.text.overdue', { date: d.due_date ?? '' });
    case 'amili_queued': return t('history.text.amili_queued');
    case 'amili_registered': return ''; /* the case and OCR follow in the data */
    case 'reminder': return t('history.text.reminder', { date: d.new_due_date ?? '' });
    case 'amili_state': return t('history.text.amili_state', { state: caseWord('state', d.state) });
    case 'amili_status': return t('history.text.amili_status', { status: caseWord('status', d.status) });
    case 'amili_closed': return t('history.text.amili_closed', { status: caseWord('status', d.status) });
    case 'amili_document': return ''; /* the kind says it all */
    case 'amili_reported':
      return has(`history.text.reported.${d.kind}`) ? t(`history.text.reported.${d.kind}`) : ev.message;
    case 'reminder_stop_set':
    case 'reminder_stop_changed':
    case 'reminder_stop_lifted':
      return stopText(ev.kind, d);
    case 'customer_loss':
      return t(`history.text.loss_${d.kind === 'confirmed' ? 'confirmed' : 'expected'}`)
        + (d.ground ? ` ${t('history.text.loss_ground', { ground: d.ground === 'other' ? d.ground_text : t(`loss.ground_${d.ground}`) })}` : '')
        + (d.case_choice ? ` ${t(`history.text.loss_case_${d.case_choice}`)}` : '');
    default: return ev.message;
  }
}

/* A stop of reminders set, changed or lifted, on the invoice or on its customer. */
function stopText(kind, d) {
  const reason = has(`stop.kind.${d.kind}`) ? t(`stop.kind.${d.kind}`) : d.kind;
  const bits = [t(`history.text.${kind}${d.source === 'customer' ? '_customer' : ''}`, { reason })];
  if (d.text) bits.push(`“${d.text}”`);
  if (kind !== 'reminder_stop_lifted') {
    bits.push(d.until ? t('stop.until_date', { date: d.until }) : t('stop.until_lifted'));
    if (d.no_interest) bits.push(t('stop.no_interest_short'));
  }
  return bits.join(' · ');
}

/* A case at the agency is read out by its invoice's number (one case per
 * invoice): "Ärende 1043"; the agency's own id is on the invoice page's
 * case facts. */
function dataLine(ev, currency, number) {
  const d = ev.data ?? {};
  const bits = [];
  if (d.fee_minor !== undefined) bits.push(`${t('history.fee')} ${money(d.fee_minor, currency)}`);
  if (d.late_compensation_minor) bits.push(`${t('reminder.late_compensation')} ${money(d.late_compensation_minor, currency)}`);
  if (d.interest_minor !== undefined) bits.push(`${t('history.interest')} ${money(d.interest_minor, currency)}`);
  if (d.total_due_minor !== undefined) bits.push(`${t('reminder.total_due')} ${money(d.total_due_minor, currency)}`);
  if (d.amount_minor !== undefined) bits.push(`${t('history.amount')} ${money(d.amount_minor, currency)}`);
  if (ev.kind === 'customer_loss' && d.gross_minor !== undefined) bits.push(`${t('history.amount')} ${money(d.gross_minor, currency)}`);
  if (d.case_id && ev.kind !== 'amili_state' && ev.kind !== 'amili_status') bits.push(`${t('amili.case_id')} ${number ?? d.case_id}`);
  if (d.ocr) bits.push(`OCR ${d.ocr}`);
  return bits.length ? h('span.ev-data', bits.join(' · ')) : null;
}

const CASE_CHANGE = new Set(['amili_state', 'amili_status']);

/* The events as lines: a run of the agency's state and status changes read in one minute is one line. */
function lines(items) {
  const out = [];
  for (const ev of items) {
    const last = out[out.length - 1];
    if (last && CASE_CHANGE.has(ev.kind) && CASE_CHANGE.has(last.kind) && instant(ev.at) === instant(last.events[0].at)) {
      last.events.push(ev);
    } else {
      out.push({ kind: ev.kind, events: [ev] });
    }
  }
  return out;
}

function lineItem(line, currency, number) {
  const first = line.events[0];
  const merged = line.events.length > 1;
  /* A run of case changes reads as where the case is now: its latest stage and status. */
  const shown = merged ? ['amili_state', 'amili_status'].map((k) => line.events.filter((e) => e.kind === k).pop()).filter(Boolean) : line.events;
  const texts = [...new Set(shown.map(eventText))].filter(Boolean);
  return h(`li.ev.ev-${first.kind.replace(/[^\w-]/g, '')}`, { dataset: { kind: merged ? 'amili_case' : first.kind } },
    h('span.ev-when', instant(first.at)),
    h('span.ev-kind', merged ? t('history.amili_case') : kindLabel(first.kind)),
    texts.length ? h('span.ev-msg', texts.join(' · ')) : null,
    merged ? null : dataLine(first, currency, number),
    h('span.ev-actor', actorLabel(first.actor)));
}

export function historyList(items, currency, number) {
  if (!items.length) return h('p.muted', t('history.empty'));
  return h('ol.timeline', lines(items).map((line) => lineItem(line, currency, number)));
}
