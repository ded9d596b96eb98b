/*
 * history.js — an invoice's timeline: every event (created, sent, manual
 * reminders, hand-over to Visma Amili and each case change, payments,
 * customer loss ...) with when, who and what.  Unknown kinds are shown with
 * their message as they come.
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

function dataLine(ev, currency) {
  const d = ev.data ?? {};
  const bits = [];
  if (d.fee_minor !== undefined) bits.push(`${t('history.fee')} ${money(d.fee_minor, currency)}`);
  if (d.interest_minor !== undefined) bits.push(`${t('history.interest')} ${money(d.interest_minor, currency)}`);
  if (d.amount_minor !== undefined) bits.push(`${t('history.amount')} ${money(d.amount_minor, currency)}`);
  if (d.case_id) bits.push(`${t('amili.case_id')} ${d.case_id}`);
  if (d.ocr) bits.push(`OCR ${d.ocr}`);
  return bits.length ? h('span.ev-data', bits.join(' · ')) : null;
}

export function historyList(items, currency) {
  if (!items.length) return h('p.muted', t('history.empty'));
  return h('ol.timeline', items.map((ev) => h(`li.ev.ev-${ev.kind.replace(/[^\w-]/g, '')}`, { dataset: { kind: ev.kind } },
    h('span.ev-when', instant(ev.at)),
    h('span.ev-kind', kindLabel(ev.kind)),
    h('span.ev-msg', ev.message),
    dataLine(ev, currency),
    h('span.ev-actor', actorLabel(ev.actor)))));
}
