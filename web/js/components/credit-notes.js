/*
 * credit-notes.js — credit notes (kreditfakturor) on the invoice page: the
 * "Kreditera" dialog (all that is left, or a part of it as an amount, with
 * a reason and a date) and the section listing the invoice's credit notes
 * with their PDF.  Imports no view.
 */
import { Action, api, get } from '../api.js';
import { clear, clearFieldErrors, field, h, hideError, nextId, openDialog, scrollBox, showError } from '../dom.js';
import { t } from '../i18n.js';
import { isDate, money, moneyInput, parseMoney, todayLocal } from '../format.js';
import { co } from '../state.js';

/* Can the invoice be credited?  Something is left and it is not written off. */
export function creditable(inv) {
  return inv.remaining_minor > 0 && inv.status !== 'written_off';
}

function choice(name, value, label, checked) {
  const id = nextId(`${name}-${value}`);
  return h('div.field.check',
    h('input', { type: 'radio', id, name, value, checked: checked ? true : null }),
    h('label', { for: id }, label));
}

function creditForm(inv, today) {
  const amount = field(t('credit.amount', { currency: inv.currency }), 'amount_minor',
    { value: moneyInput(inv.remaining_minor), inputmode: 'decimal' });
  amount.hidden = true;
  const form = h('form.credit-form', { novalidate: true },
    h('p', t('credit.left', { amount: money(inv.remaining_minor, inv.currency) })),
    h('fieldset', h('legend', t('credit.scope')),
      choice('scope', 'full', t('credit.full'), true),
      choice('scope', 'partial', t('credit.partial'), false)),
    amount,
    field(t('credit.reason'), 'reason', { kind: 'textarea', rows: 2, required: true }),
    field(t('credit.date'), 'date', { kind: 'date', value: today, required: true }));
  form.addEventListener('change', () => {
    amount.hidden = form.elements.scope.value !== 'partial';
  });
  return form;
}

/* The request body of the form, or an error {message, field}. */
function creditBody(form) {
  const reason = form.elements.reason.value.trim();
  const date = form.elements.date.value;
  if (!reason) return { error: { message: t('credit.need_reason'), field: 'reason' } };
  if (!isDate(date)) return { error: { message: t('form.bad_date'), field: 'date' } };
  const body = { reason, date };
  if (form.elements.scope.value === 'partial') {
    const amount = parseMoney(form.elements.amount_minor.value);
    if (amount === null || amount <= 0) return { error: { message: t('form.bad_amount'), field: 'amount_minor' } };
    body.amount_minor = amount;
  }
  return { body };
}

export function creditDialog(inv, onChanged, today = todayLocal()) {
  let changed = false;
  return openDialog(t('credit.title', { n: inv.number }), (body, close) => {
    const errBox = h('div.error-box', { role: 'alert', hidden: true });
    const action = new Action();
    const form = creditForm(inv, today);
    form.insertBefore(errBox, form.firstChild.nextSibling);
    form.append(h('div.buttons', h('button.primary', { type: 'submit' }, t('credit.submit')),
      h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      hideError(errBox);
      clearFieldErrors(form);
      const { body: json, error } = creditBody(form);
      if (error) return showError(errBox, error, form);
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      try {
        const note = await api('POST', co(`/invoices/${inv.id}/credit-notes`), { body: json, action });
        changed = true;
        clear(body);
        body.append(h('div.result-ok', { role: 'status' },
          h('p', t('credit.done', { n: note.number, amount: money(note.customer_part_minor, inv.currency) })),
          h('p', h('a', { href: note.pdf_url, target: '_blank', rel: 'noopener' }, t('credit.pdf', { n: note.number })))),
        h('div.buttons', h('button.primary', { type: 'button', onclick: () => close() }, t('common.close'))));
        body.querySelector('button').focus();
      } catch (err) {
        btn.disabled = false;
        showError(errBox, err, form);
      }
    });
    body.append(form);
  }).then(() => {
    if (changed && onChanged) onChanged();
  });
}

function noteRow(n, currency) {
  return h('tr', { dataset: { id: String(n.id) } },
    h('td', String(n.number)),
    h('td', n.date),
    h('td', n.reason),
    h('td.num', money(-n.customer_part_minor, currency)),
    h('td.num', n.tax_reduction_minor ? money(-n.tax_reduction_minor, currency) : ''),
    h('td', h('a', { href: n.pdf_url, target: '_blank', rel: 'noopener' }, t('credit.pdf_short'))));
}

/* The invoice's credit notes (filled once loaded; empty when none). */
export function creditNotesSection(inv) {
  const section = h('section.credit-notes', { hidden: true });
  get(co(`/invoices/${inv.id}/credit-notes`)).then((res) => {
    const items = res.items ?? [];
    if (!items.length) return;
    section.append(h('h2', t('credit.section')),
      scrollBox(t('credit.section'), h('table.credit-notes-table',
        h('thead', h('tr',
          h('th', { scope: 'col' }, t('credit.number')),
          h('th', { scope: 'col' }, t('credit.date')),
          h('th', { scope: 'col' }, t('credit.reason')),
          h('th.num', { scope: 'col' }, t('credit.customer_part')),
          h('th.num', { scope: 'col' }, t('credit.tax_reduction')),
          h('th', { scope: 'col' }, 'PDF'))),
        h('tbody', items.map((n) => noteRow(n, inv.currency))))));
    section.hidden = false;
  }).catch(() => {
    section.append(h('p.notice', t('credit.load_failed')));
    section.hidden = false;
  });
  return section;
}
