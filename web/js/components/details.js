/*
 * details.js — one invoice in full: amounts (remaining, interest to date),
 * the Visma Amili case as synced from the agency, why it cannot be handed
 * over (when it cannot), and the history timeline.  Shown in the expanded
 * row of the list and on the invoice page.
 */
import { get } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { money } from '../format.js';
import { co, isActivated } from '../state.js';
import { amiliStatusText, handedOver, isOpen, reasonList } from './common.js';
import { historyList } from './history.js';
import { agencyLink } from '../links.js';
import { stopNotice } from './reminder-stop.js';

export async function loadInvoice(id) {
  const [inv, hist] = await Promise.all([get(co(`/invoices/${id}`)), get(co(`/invoices/${id}/history`))]);
  return { inv, history: hist.items ?? [] };
}

/* The same for the invoice page, whose address names the invoice by its
 * number (#/invoices/1043). */
export async function loadInvoiceByNumber(number) {
  const inv = await get(co(`/invoices/by-number/${number}`));
  const hist = await get(co(`/invoices/${inv.id}/history`));
  return { inv, history: hist.items ?? [] };
}

function fact(label, value, cls) {
  return [h('dt', label), h(`dd${cls ? `.${cls}` : ''}`, value)];
}

/* The late-payment interest fact: up to which day, or why there is none. */
function interestFact(inv) {
  const cur = inv.currency;
  const i = inv.interest ?? {};
  if (inv.loss) return fact(t('invoice.interest'), t('invoice.interest_stopped_loss'));
  if (!i.days && !i.rate_unknown) return fact(t('invoice.interest'), t(inv.status === 'overdue' ? 'invoice.interest_none' : 'invoice.interest_none_yet'));
  return fact(t('invoice.interest_to_date', { date: i.to ?? '' }), h('span.interest',
    money(inv.interest_minor, cur),
    i.rate_bp ? ` (${t('invoice.interest_rate', { rate: (i.rate_bp / 100).toString().replace('.', ',') })})` : '',
    i.rate_unknown ? ` ${t('invoice.interest_estimate', { amount: money(i.estimate_minor, cur) })}` : '',
    rateSource(i.reference_rate)));
}

/* What is left: written off after a confirmed loss, else the remaining amount (and an expected loss). */
function remainingFacts(inv) {
  const cur = inv.currency;
  if (inv.loss?.kind === 'confirmed' || inv.status === 'written_off') {
    return fact(t('invoice.written_off'), money(inv.loss?.amount_minor ?? inv.remaining_minor, cur), 'loss');
  }
  return [
    fact(t('col.remaining'), money(inv.remaining_minor, cur), 'remaining'),
    inv.loss?.kind === 'expected' ? fact(t('invoice.expected_loss'), t('invoice.expected_loss_amount', { amount: money(inv.loss.amount_minor, cur) }), 'loss') : null,
  ];
}

export function factsBlock(inv) {
  const cur = inv.currency;
  const rotRut = inv.kind === 'rot' || inv.kind === 'rut';
  return h('dl.facts.invoice-facts',
    fact(t('col.customer'), h('a', { href: `#/customers/${inv.customer.id}` }, inv.customer.name)),
    fact(t('invoice.kind'), t(`kind.${inv.kind}`)),
    fact(t('col.invoice_date'), inv.invoice_date),
    fact(t('col.due_date'), inv.due_date),
    fact(t('invoice.total'), money(inv.total_minor, cur)),
    rotRut ? fact(t('invoice.tax_reduction'), money(inv.tax_reduction_minor, cur)) : null,
    rotRut ? fact(t('invoice.customer_part'), money(inv.customer_part_minor, cur)) : null,
    fact(t('invoice.paid'), money(inv.paid_minor, cur)),
    remainingFacts(inv),
    interestFact(inv),
    inv.status === 'overdue' ? fact(t('col.days_overdue'), String(inv.days_overdue ?? 0)) : null,
    fact(t('invoice.manual_reminders'), String(inv.manual_reminders ?? 0)));
}

/* Where the interest's reference rate comes from: its half-year, source,
 * and the day an administrator added it. */
function rateSource(r) {
  if (!r) return '';
  const rate = (r.rate_bp / 100).toFixed(2).replace('.', ',');
  return h('span.rate-source', ` – ${t('invoice.interest_source', { rate, from: r.from, source: r.source })}`,
    r.added ? t('invoice.interest_added', { date: r.added }) : '');
}

export function amiliBlock(inv) {
  const a = inv.amili ?? {};
  const cur = inv.currency;
  const parts = [];
  if (handedOver(inv) || a.state === 'failed') {
    const c = a.case;
    parts.push(h('p', h('strong', 'Visma Amili: '), amiliStatusText(a)));
    if (c) {
      parts.push(h('dl.facts.case-facts',
        fact(t('amili.case_id'), String(inv.number)),
        fact(t('amili.case_agency_id'), h('span.case-agency-id', c.id ?? '–')),
        fact('OCR', c.ocr ?? '–'),
        fact(t('amili.case_status'), c.status ? (t(`amili.status.${c.status}`) !== `amili.status.${c.status}` ? t(`amili.status.${c.status}`) : c.status) : (c.state ?? '–')),
        fact(t('amili.capital'), money(c.capital_minor, cur)),
        fact(t('amili.fees'), money(c.fees_minor, cur)),
        fact(t('amili.interest'), money(c.interest_minor, cur)),
        fact(t('amili.paid'), money(c.paid_minor, cur)),
        fact(t('amili.remaining'), money(c.remaining_minor, cur)),
        fact(t('amili.disputed'), c.disputed ? t('common.yes') : t('common.no')),
        fact(t('amili.instalment_plan'), c.instalment_plan ? t('common.yes') : t('common.no')),
        fact(t('amili.closed'), c.closed ? t('common.yes') : t('common.no'))));
      /* Two interest figures on one page: say why they differ. */
      parts.push(h('p.hint', t('amili.interest_note')));
      if (agencyLink(c.url)) parts.push(h('p', h('a', { href: agencyLink(c.url), target: '_blank', rel: 'noopener' }, t('amili.open_case'))));
    }
    if (a.state === 'failed' && a.reasons?.length) {
      parts.push(h('p', t('amili.failed_reasons')), reasonList(a.reasons, { invoiceId: inv.id, invoiceNumber: inv.number, customerId: inv.customer.id, returnTo: location.hash }));
    }
  } else if (isOpen(inv) && a.eligible === false && a.reasons?.length) {
    const onlyActivation = a.reasons.every((r) => r.code === 'company_not_activated');
    if (!onlyActivation || !isActivated()) {
      parts.push(h('p', t('amili.not_eligible_now')),
        reasonList(a.reasons, { invoiceId: inv.id, invoiceNumber: inv.number, customerId: inv.customer.id, returnTo: location.hash }));
    }
  }
  if (!parts.length) return null;
  return h('section.amili-block', h('h3', 'Visma Amili'), parts);
}

/* opts.onChanged(): after reminders were resumed from the stop's notice. */
export function detailBody(inv, history, opts = {}) {
  const stop = stopNotice(inv.reminder_stop, { invoiceId: inv.id, customerId: inv.customer.id, onChanged: opts.onChanged });
  return [
    stop ? h('div.facts-wrap', stop, factsBlock(inv)) : factsBlock(inv),
    amiliBlock(inv),
    h('section.history', h('h3', t('history.title')), historyList(history, inv.currency, inv.number)),
  ];
}
