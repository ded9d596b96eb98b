/*
 * mails.js — e-mails of reminders and customer statements as the UI shows them: a state badge,
 * a table of mails (the "E-post" view and the invoice page), and whether
 * this server sends e-mail (GET .../mails answers `smtp.configured`).
 * Imports no view.
 */
import { get } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { instant } from '../format.js';
import { co } from '../state.js';

const BADGE = { queued: '', sending: '', retry: 'reminder', sent: 'ok', failed: 'bad' };

export function mailBadge(state) {
  return h(`span.badge${BADGE[state] ? '.' + BADGE[state] : ''}.mail-state`, { dataset: { state } }, t(`mail.state.${state}`));
}

/* Does this server send e-mail?  (cached for the session's company) */
let smtpCache = null;
export async function smtpConfigured() {
  const key = co('');
  if (smtpCache && smtpCache.key === key) return smtpCache.value;
  const res = await get(co('/mails?limit=1'));
  smtpCache = { key, value: Boolean(res.smtp?.configured) };
  return smtpCache.value;
}

/* One row of a mail: when, invoice, to, subject, state, answer. */
function mailRow(m, withInvoice) {
  return h('tr', { dataset: { id: String(m.id), state: m.state } },
    h('td', instant(m.sent_at ?? m.created_at)),
    withInvoice ? h('td', m.kind === 'statement'
      ? h('a', { href: `#/customers/${m.customer_id}` }, t('mail.statement_of', { name: m.customer_name }))
      : h('a', { href: `#/invoices/${m.invoice_number}` }, String(m.invoice_number))) : null,
    h('td', m.to),
    h('td', m.subject),
    h('td', mailBadge(m.state), m.attempts > 1 ? h('span.hint', ` ${t('mail.attempts', { n: m.attempts })}`) : null),
    h('td.mail-answer', m.state === 'failed' || m.state === 'retry' ? m.last_answer : ''));
}

export function mailTable(items, { withInvoice = true } = {}) {
  return h('table.mails-table',
    h('thead', h('tr',
      h('th', { scope: 'col' }, t('mail.when')),
      withInvoice ? h('th', { scope: 'col' }, t('mail.invoice')) : null,
      h('th', { scope: 'col' }, t('mail.to')),
      h('th', { scope: 'col' }, t('mail.subject')),
      h('th', { scope: 'col' }, t('mail.state')),
      h('th', { scope: 'col' }, t('mail.answer')))),
    h('tbody', items.map((m) => mailRow(m, withInvoice))));
}

/* The invoice page's section: its e-mails, a failed delivery called out. */
export function invoiceMails(inv) {
  const mails = inv.mails ?? [];
  if (!mails.length) return null;
  const failed = mails.find((m) => m.state === 'failed');
  return h('section.invoice-mails', h('h2', t('mail.invoice_title')),
    failed ? h('p.notice.mail-failed', { role: 'status' }, t('mail.failed_notice', { to: failed.to, answer: failed.last_answer })) : null,
    mailTable(mails, { withInvoice: false }));
}
