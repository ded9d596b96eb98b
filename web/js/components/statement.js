/*
 * statement.js — the customer statement (kontoutdrag) on the customer
 * card: the "Kontoutdrag" action opens a panel to pick the date and the
 * period, preview the totals and the open invoices, download the PDF or
 * send it by e-mail (in the customer's language; not offered when the
 * customer has no e-mail address or the server sends no e-mail).
 * Imports no view.
 */
import { Action, api, get } from '../api.js';
import { clear, clearFieldErrors, field, h, hideError, showError } from '../dom.js';
import { t } from '../i18n.js';
import { isDate, money } from '../format.js';
import { co, role } from '../state.js';
import { smtpConfigured } from './mails.js';

function datesForm() {
  return h('form.statement-form', { novalidate: true },
    h('div.statement-dates',
      field(t('statement.as_of'), 'as_of', { kind: 'date' }),
      field(t('statement.from'), 'from', { kind: 'date' }),
      field(t('statement.to'), 'to', { kind: 'date' })),
    h('div.buttons', h('button.primary.statement-show', { type: 'submit' }, t('statement.show'))));
}

/* The query of the form, or an error {message, field}. */
function datesQuery(form) {
  const q = {};
  for (const k of ['as_of', 'from', 'to']) {
    const v = form.elements[k].value;
    if (v && !isDate(v)) return { error: { message: t('form.bad_date'), field: k } };
    if (v) q[k] = v;
  }
  return { query: q };
}

function totalsTable(s) {
  const row = (label, minor, cls = '') => h(`tr${cls}`, h('th', { scope: 'row' }, label), h('td.num', money(minor)));
  return h('table.statement-totals',
    h('caption', t('statement.totals_caption', { as_of: s.as_of, n: s.totals.items })),
    h('tbody',
      row(t('statement.remaining'), s.totals.remaining_minor),
      row(t('statement.interest', { as_of: s.as_of }), s.totals.interest_minor),
      row(t('statement.total'), s.totals.total_minor, '.total')));
}

function itemsTable(s) {
  if (!s.items.length) return h('p.statement-none', t('statement.none'));
  return h('div.table-wrap', h('table.statement-items',
    h('thead', h('tr',
      h('th', { scope: 'col' }, t('statement.invoice')),
      h('th.opt', { scope: 'col' }, t('statement.due')),
      h('th.num', { scope: 'col' }, t('statement.left')),
      h('th.num', { scope: 'col' }, t('statement.item_interest')),
      h('th.num.opt', { scope: 'col' }, t('statement.days')))),
    h('tbody', s.items.map((i) => h('tr', { dataset: { invoice: String(i.invoice_number) } },
      h('td', h('a', { href: `#/invoices/${i.invoice_number}` }, String(i.invoice_number))),
      h('td.opt', i.due_date),
      h('td.num', money(i.remaining_minor)),
      h('td.num', money(i.interest_minor)),
      h('td.num.opt', i.days_overdue ? String(i.days_overdue) : '–'))))));
}

/* Send by e-mail: the button, or why it cannot be offered. */
async function mailPart(c, s, errBox) {
  if (role() === 'read_only') return null;
  if (!c.email) return h('p.hint.statement-no-email', t('statement.no_email'));
  if (!(await smtpConfigured())) return h('p.hint', t('statement.no_smtp'));
  const action = new Action();
  const done = h('p.notice.statement-sent', { role: 'status', hidden: true });
  const btn = h('button.statement-email', { type: 'button' }, t('statement.email'));
  btn.addEventListener('click', async () => {
    hideError(errBox);
    btn.disabled = true;
    try {
      const m = await api('POST', co(`/customers/${c.id}/statement/email`), { body: { as_of: s.as_of, from: s.from, to: s.to }, action });
      done.textContent = t('statement.queued', { to: m.to });
      done.hidden = false;
    } catch (err) {
      btn.disabled = false;
      showError(errBox, err);
    }
  });
  return h('div', btn, done);
}

async function preview(c, form, out, errBox) {
  hideError(errBox);
  clearFieldErrors(form);
  const { query, error } = datesQuery(form);
  if (error) return showError(errBox, error, form);
  clear(out).append(h('p.list-status', { role: 'status' }, t('common.loading')));
  let s;
  try {
    s = await get(co(`/customers/${c.id}/statement`), query);
  } catch (err) {
    clear(out);
    return showError(errBox, err, form);
  }
  for (const k of ['as_of', 'from', 'to']) form.elements[k].value = s[k];
  const mail = await mailPart(c, s, errBox);
  clear(out).append(
    h('p.statement-period', t('statement.period', { from: s.from, to: s.to, n: s.period.moves.length })),
    totalsTable(s),
    itemsTable(s),
    h('div.buttons.statement-actions',
      h('a.button.statement-pdf', { href: s.pdf_url, download: '' }, t('statement.pdf')),
      mail));
}

/* The section on the card of customer c. */
export function statementSection(c) {
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const panel = h('div.statement-panel', { hidden: true });
  const out = h('div.statement-preview', { 'aria-live': 'polite' });
  const form = datesForm();
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    preview(c, form, out, errBox);
  });
  panel.append(h('p.hint', t('statement.intro', { lang: c.language === 'en' ? t('statement.lang_en') : t('statement.lang_sv') })), form, errBox, out);
  const open = h('button.statement-open', { type: 'button', 'aria-expanded': 'false' }, t('statement.action'));
  open.addEventListener('click', () => {
    const opening = panel.hidden;
    panel.hidden = !opening;
    open.setAttribute('aria-expanded', String(opening));
    if (opening && !out.firstChild) preview(c, form, out, errBox);
  });
  return h('section.customer-statement', { 'aria-labelledby': 'customer-statement-title' },
    h('h2#customer-statement-title', t('statement.title')),
    h('div.buttons', open),
    panel);
}
