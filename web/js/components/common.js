/*
 * common.js — pieces several views share: status badges of an invoice, the
 * link that leads from a refusal reason to the place to fix it, and the
 * "is this invoice with the agency" rules.
 */
import { fieldLabel, h } from '../dom.js';
import { has, t, tn } from '../i18n.js';

/* Handed over: the Amili state is set and not "failed" (then it is the agency's). */
export function handedOver(inv) {
  const a = inv.amili;
  return !!(a && a.state && a.state !== 'failed');
}

export function isOpen(inv) {
  return (inv.status === 'unpaid' || inv.status === 'overdue') && BigInt(inv.remaining_minor ?? 0) > 0n;
}

/* Whether a bulk send may include the invoice: open and not with the agency. */
export function sendable(inv) {
  return isOpen(inv) && !handedOver(inv) && !inv.loss && !inv.reminder_stop;
}

/* The case's state now, in one phrase: the agency's latest status when known, else where the hand-over is. */
export function amiliStatusText(a) {
  if (!a || !a.state) return '';
  if (a.state !== 'failed' && a.status && has(`amili.status.${a.status}`)) return t(`amili.status.${a.status}`);
  return t(`amili.state.${a.state}`);
}

export function statusBadges(inv) {
  const out = [];
  if (inv.status === 'overdue') out.push(h('span.badge.overdue', tn('badge.overdue', inv.days_overdue)));
  else if (inv.status === 'unpaid') out.push(h('span.badge.unpaid', t('status.unpaid')));
  else out.push(h(`span.badge.${inv.status}`, t(`status.${inv.status}`)));
  if (inv.loss?.kind === 'expected') out.push(h('span.badge.loss', t('badge.expected_loss')));
  if (inv.reminder_stop) out.push(h('span.badge.stopped', t('badge.reminders_stopped')));
  if (inv.manual_reminders > 0) out.push(h('span.badge.reminder', tn('badge.reminders', inv.manual_reminders)));
  if (inv.amili && inv.amili.state) {
    out.push(h(`span.badge.amili.amili-${inv.amili.state}`, `Visma Amili: ${amiliStatusText(inv.amili)}`));
  }
  if (inv.currency && inv.currency !== 'SEK') out.push(h('span.badge.currency', inv.currency));
  if (inv.kind && inv.kind !== 'standard') out.push(h('span.badge.kind', t(`kind.${inv.kind}`)));
  return h('span.badges', out);
}

/*
 * Where to fix a refusal reason {code, field, message}: a link to the
 * customer card (with the field focused), the invoice, the company settings
 * or the activation.  ctx: {invoiceId, invoiceNumber, customerId, returnTo}.
 */
export function fixLink(reason, ctx) {
  const f = reason.field ?? '';
  const ret = ctx.returnTo ? `&return=${encodeURIComponent(ctx.returnTo)}` : '';
  if (f.startsWith('customer.') && ctx.customerId) {
    const name = f.slice('customer.'.length);
    return h('a.fix-link', { href: `#/customers/${ctx.customerId}?focus=${encodeURIComponent(name)}${ret}` },
      t('fix.customer', { field: fieldLabel(name) ?? name }));
  }
  if (reason.code === 'company_not_activated' || f === 'company' || f === 'company.amili') {
    return h('a.fix-link', { href: '#/start' }, t('fix.activate'));
  }
  if (f.startsWith('company.')) {
    return h('a.fix-link', { href: `#/settings?focus=${encodeURIComponent(f.slice(8))}${ret}` }, t('fix.company', { field: fieldLabel(f.slice(8)) ?? f.slice(8) }));
  }
  /* A link to the invoice, unless that is the page already shown. */
  if (ctx.invoiceNumber && location.hash.replace(/\?.*$/, '') !== `#/invoices/${ctx.invoiceNumber}`) {
    return h('a.fix-link', { href: `#/invoices/${ctx.invoiceNumber}` }, t('fix.invoice'));
  }
  return null;
}

/* A list of reasons, each with its message and the link that names the field to fix. */
export function reasonList(reasons, ctx) {
  return h('ul.reasons', (reasons ?? []).map((r) => h('li',
    h('span.reason-msg', r.message || t('err.other_reason')),
    ' ', fixLink(r, ctx))));
}
