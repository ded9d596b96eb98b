/*
 * row.js — one invoice in the list: tick box, ▸ to open the expanded row,
 * number (link to the invoice page), customer, dates, amounts, days overdue
 * and status badges.  A click anywhere on the row (not on a control) opens
 * it too.
 */
import { clear, h } from '../../dom.js';
import { t } from '../../i18n.js';
import { money } from '../../format.js';
import { sendable, statusBadges } from '../../components/common.js';
import { ExpandedRow } from './expanded-row.js';

/*
 * [tr, detail tr] for item.  selection: {isTicked(id), tick(item, checked)};
 * onChanged(id, tr) after an action changed the invoice.
 */
export function invoiceRow(item, { readOnly, selection, onChanged }) {
  /* An invoice that cannot be sent again (with the agency, paid, written off) cannot be ticked. */
  const canSend = sendable(item);
  const check = h('input.row-check', {
    type: 'checkbox',
    'aria-label': t(canSend ? 'invoices.select_one' : 'invoices.select_not_sendable', { n: item.number, customer: item.customer.name }),
    checked: canSend && selection.isTicked(item.id),
    disabled: !canSend,
    title: canSend ? null : notSendableWhy(item),
  });
  check.addEventListener('change', () => selection.tick(item, check.checked));
  const detail = new ExpandedRow(item, () => onChanged(item.id, tr));
  const expand = h('button.expand', {
    type: 'button', 'aria-expanded': 'false', 'aria-controls': detail.id,
    'aria-label': t('invoices.expand', { n: item.number }),
  }, h('span', { 'aria-hidden': 'true' }, '▸'));
  const tr = h('tr.inv-row', { dataset: { id: item.id, number: item.number } },
    h('td.sel', readOnly ? null : check),
    h('td.exp', expand),
    h('td', h('a.inv-link', { href: `#/invoices/${item.number}` }, String(item.number))),
    h('td.customer', item.customer.name),
    h('td.opt', item.invoice_date),
    h('td.opt3', item.due_date),
    h('td.num.opt', money(item.total_minor, item.currency)),
    h('td.num.remaining', money(item.remaining_minor, item.currency)),
    h('td.num.opt2', item.days_overdue ? String(item.days_overdue) : ''),
    h('td.status', statusBadges(item)));
  expand.addEventListener('click', () => detail.toggle(tr, expand));
  tr.addEventListener('click', (ev) => {
    if (ev.target.closest('a, button, input, label, select')) return;
    detail.toggle(tr, expand);
  });
  return [tr, detail.el];
}

/* Why a row cannot be ticked, in words. */
function notSendableWhy(item) {
  return item.reminder_stop ? t('invoices.not_sendable_stopped') : t('invoices.not_sendable');
}

/* Show a fresher copy of the row's invoice (remaining, days overdue, badges). */
export function updateRow(tr, item) {
  const check = tr.querySelector('input.row-check');
  if (check && !sendable(item)) {
    check.checked = false;
    check.disabled = true;
    check.title = notSendableWhy(item);
    check.setAttribute('aria-label', t('invoices.select_not_sendable', { n: item.number, customer: item.customer.name }));
  } else if (check) {
    /* Sendable again (reminders resumed). */
    check.disabled = false;
    check.title = '';
    check.setAttribute('aria-label', t('invoices.select_one', { n: item.number, customer: item.customer.name }));
  }
  tr.querySelector('td.remaining').textContent = money(item.remaining_minor, item.currency);
  tr.querySelector('td.opt2').textContent = item.days_overdue ? String(item.days_overdue) : '';
  clear(tr.querySelector('td.status')).append(statusBadges(item));
}
