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

export async function loadInvoice(id) {
  const [inv, hist] = await Promise.all([get(co(`/invoices/${id}`)), get(co(`/invoices/${id}/history`))]);
  return { inv, history: hist.items ?? [] };
}

function fact(label, value, cls) {
  return [h('dt', label), h(`dd${cls ? `.${cls}` : ''}`, value)];
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
    fact(t('col.remaining'), money(inv.remaining_minor, cur), 'remaining'),
    fact(t('invoice.interest_to_date', { date: inv.interest?.to ?? '' }), h('span.interest',
      money(inv.interest_minor, cur),
      inv.interest?.rate_bp ? ` (${t('invoice.interest_rate', { rate: (inv.interest.rate_bp / 100).toString().replace('.', ',') })})` : '',
      inv.interest?.rate_unknown ? ` ${t('invoice.interest_estimate', { amount: money(inv.interest.estimate_minor, cur) })}` : '')),
    fact(t('col.days_overdue'), String(inv.days_overdue ?? 0)),
    fact(t('invoice.manual_reminders'), String(inv.manual_reminders ?? 0)));
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
        fact(t('amili.case_id'), c.id ?? '–'),
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
      if (agencyLink(c.url)) parts.push(h('p', h('a', { href: agencyLink(c.url), target: '_blank', rel: 'noopener' }, t('amili.open_case'))));
    }
    if (a.state === 'failed' && a.reasons?.length) {
      parts.push(h('p', t('amili.failed_reasons')), reasonList(a.reasons, { invoiceId: inv.id, customerId: inv.customer.id, returnTo: location.hash }));
    }
  } else if (isOpen(inv) && a.eligible === false && a.reasons?.length) {
    const onlyActivation = a.reasons.every((r) => r.code === 'company_not_activated');
    if (!onlyActivation || !isActivated()) {
      parts.push(h('p', t('amili.not_eligible_now')),
        reasonList(a.reasons, { invoiceId: inv.id, customerId: inv.customer.id, returnTo: location.hash }));
    }
  }
  if (!parts.length) return null;
  return h('section.amili-block', h('h3', 'Visma Amili'), parts);
}

export function detailBody(inv, history) {
  return [
    factsBlock(inv),
    amiliBlock(inv),
    h('section.history', h('h3', t('history.title')), historyList(history, inv.currency)),
  ];
}
