/*
 * ledger.js — the customer ledger (Kundreskontra per kund / Customer
 * ledger): what each customer owes on account 1510 as of a date, with the
 * company's totals, page by page (#/ledger?as_of=&all=1), and one
 * customer's page (#/ledger/ID?as_of=): balance, open items, credit notes,
 * reminders and agency cases, with "← Föregående" / "Nästa kund med saldo
 * →" to jump between the customers that owe something on that date.
 */
import { get } from '../api.js';
import { clear, h, loading, showError } from '../dom.js';
import { t, tn } from '../i18n.js';
import { co } from '../state.js';
import { isDate, money, todayLocal } from '../format.js';

/* The date and filter of the address, as the API takes them. */
function params(ctx) {
  const asOf = ctx.query.get('as_of');
  return { asOf: isDate(asOf ?? '') ? asOf : null, all: ctx.query.get('all') === '1' };
}

function listHash(asOf, all) {
  const q = new URLSearchParams();
  if (asOf) q.set('as_of', asOf);
  if (all) q.set('all', '1');
  const s = q.toString();
  return `#/ledger${s ? `?${s}` : ''}`;
}

const customerHash = (id, asOf) => `#/ledger/${id}${asOf ? `?as_of=${asOf}` : ''}`;

/* The date picker (and on the list the "only with a balance" switch). */
function dateForm(asOf, onShow, extra = null) {
  const input = h('input#ledger-as-of', { type: 'date', name: 'as_of', value: asOf || todayLocal(), max: todayLocal() });
  return h('form.inline.ledger-form', { onsubmit: (ev) => { ev.preventDefault(); onShow(input.value); } },
    h('label', { for: 'ledger-as-of' }, t('ledger.as_of')), input, extra, h('button', { type: 'submit' }, t('ledger.show')));
}

function totalsFacts(tot) {
  return h('dl.facts.ledger-totals',
    h('dt', t('ledger.total')), h('dd.remaining#ledger-total', money(tot.balance_minor)),
    h('dt', t('ledger.customers_with_balance')), h('dd', String(tot.customers)),
    h('dt', t('ledger.open_items')), h('dd', String(tot.open_items)),
    h('dt', t('ledger.overdue')), h('dd', money(tot.overdue_minor)));
}

function errorInto(box, err) {
  if (err.handled) return;
  clear(box);
  const eb = h('div.error-box', { role: 'alert' });
  box.append(eb);
  showError(eb, err);
}

export async function renderList(main, ctx) {
  const { asOf, all } = params(ctx);
  document.title = `${t('ledger.title')} – Påminn`;
  const onlyOpen = h('input#ledger-open', { type: 'checkbox', checked: !all });
  const form = dateForm(asOf, (d) => { location.hash = listHash(d, !onlyOpen.checked); },
    h('label.check', onlyOpen, ` ${t('ledger.only_open')}`));
  const totals = h('div.ledger-totals-box');
  const tbody = h('tbody');
  const more = h('button#ledger-more', { type: 'button', hidden: true }, t('invoices.load_more'));
  const status = h('p.list-status', { role: 'status' });
  main.append(h('div.view-head', h('h1', { tabindex: '-1' }, t('ledger.title'))), form,
    h('p.muted', t('ledger.intro')), totals,
    h('div.table-wrap', h('table.ledger',
      h('caption.sr-only', t('ledger.title')),
      h('thead', h('tr',
        h('th.opt', { scope: 'col' }, t('field.number')),
        h('th', { scope: 'col' }, t('field.name')),
        h('th.num.opt', { scope: 'col' }, t('ledger.open_items')),
        h('th.num.opt', { scope: 'col' }, t('ledger.overdue')),
        h('th.num', { scope: 'col' }, t('ledger.balance')))),
      tbody)),
    status, more);
  let cursor = null;
  const load = async () => {
    status.textContent = t('common.loading');
    try {
      const page = await get(co('/ledger'), { as_of: asOf, open: all ? 'false' : 'true', limit: 50, cursor });
      if (!cursor) clear(totals).append(totalsFacts(page.totals));
      for (const r of page.items) tbody.append(listRow(r, page.as_of));
      cursor = page.next_cursor;
      more.hidden = !cursor;
      status.textContent = tbody.children.length ? tn('ledger.showing', tbody.children.length) : t('ledger.empty');
    } catch (err) {
      errorInto(totals, err);
      status.textContent = '';
    }
  };
  more.addEventListener('click', load);
  await load();
}

function listRow(r, asOf) {
  return h('tr', { dataset: { customer: r.customer_id } },
    h('td.opt', r.number),
    h('td', h('a', { href: customerHash(r.customer_id, asOf) }, r.name)),
    h('td.num.opt', String(r.open_items)),
    h('td.num.opt', r.overdue_minor ? money(r.overdue_minor) : '–'),
    h('td.num', money(r.balance_minor)));
}

/* ---- one customer ---- */

export async function renderCustomer(main, ctx) {
  const id = Number(ctx.params[0]);
  const { asOf } = params(ctx);
  main.append(loading());
  let p;
  try {
    p = await get(co(`/customers/${id}/ledger`), { as_of: asOf });
  } catch (err) {
    clear(main);
    errorInto(main, err);
    return;
  }
  clear(main);
  document.title = `${t('ledger.customer_title', { name: p.customer.name })} – Påminn`;
  main.append(
    h('p.back', h('a', { href: listHash(p.as_of === todayLocal() ? null : p.as_of, false) }, `← ${t('ledger.title')}`)),
    h('div.view-head', h('h1', { tabindex: '-1' }, p.customer.name),
      h('a.button', { href: `#/customers/${p.customer.id}` }, t('ledger.card'))),
    dateForm(p.as_of, (d) => { location.hash = customerHash(id, d); }),
    jumpLinks(p),
    h('dl.facts.ledger-customer',
      h('dt', t('field.number')), h('dd', p.customer.number || '–'),
      h('dt', t('ledger.balance_on', { date: p.as_of })), h('dd.remaining#ledger-balance', money(p.balance_minor)),
      h('dt', t('ledger.overdue')), h('dd', money(p.overdue_minor))),
    ...[itemsSection(p), creditsSection(p), remindersSection(p), casesSection(p)].filter(Boolean));
}

function jumpLinks(p) {
  return h('nav.ledger-jump', { 'aria-label': t('ledger.jump') },
    p.prev_customer_id
      ? h('a.button#ledger-prev', { href: customerHash(p.prev_customer_id, p.as_of) }, t('ledger.prev'))
      : h('span.muted', t('ledger.no_prev')),
    p.next_customer_id
      ? h('a.button#ledger-next', { href: customerHash(p.next_customer_id, p.as_of) }, t('ledger.next'))
      : h('span.muted', t('ledger.no_next')));
}

function section(id, title, body) {
  return h(`section.ledger-section#${id}`, { 'aria-labelledby': `${id}-title` }, h(`h2#${id}-title`, title), body);
}

function table(cls, caption, heads, rows) {
  return h('div.table-wrap', h(`table.${cls}`, h('caption.sr-only', caption),
    h('thead', h('tr', heads.map(([text, c]) => h(`th${c ?? ''}`, { scope: 'col' }, text)))),
    h('tbody', rows)));
}

function itemBadges(it) {
  return h('span.badges',
    h(`span.badge.${it.state === 'overdue' ? 'overdue' : 'ok'}`, t(`ledger.state.${it.state}`)),
    it.handed_over ? h('span.badge.amili', t('ledger.handed_over')) : null,
    it.reminder_stop ? h('span.badge.stopped', t('ledger.stopped')) : null);
}

function itemsSection(p) {
  const title = t('ledger.items');
  if (!p.items.length) return section('ledger-items', title, h('p.muted', t('ledger.no_items')));
  return section('ledger-items', title, table('ledger-items', title, [
    [t('ledger.invoice')], [t('ledger.invoice_date'), '.opt'], [t('ledger.due_date')],
    [t('ledger.amount'), '.num.opt'], [t('ledger.remaining'), '.num'], [t('ledger.days'), '.num.opt'], [t('ledger.status')]],
  p.items.map((it) => h('tr', { dataset: { invoice: it.number } },
    h('td', h('a', { href: `#/invoices/${it.number}` }, String(it.number))),
    h('td.opt', it.invoice_date), h('td', it.due_date),
    h('td.num.opt', money(it.amount_minor)), h('td.num', money(it.remaining_minor)),
    h('td.num.opt', String(it.days_overdue)), h('td', itemBadges(it))))));
}

function creditsSection(p) {
  if (!p.credit_notes.length) return null;
  const title = t('ledger.credits');
  return section('ledger-credits', title, table('ledger-credits', title,
    [[t('credit.number')], [t('ledger.date')], [t('ledger.amount'), '.num']],
    p.credit_notes.map((c) => h('tr', h('td', String(c.number)), h('td', c.date), h('td.num', `−${money(c.amount_minor)}`)))));
}

function remindersSection(p) {
  const title = t('ledger.reminders');
  if (!p.reminders.length) return section('ledger-reminders', title, h('p.muted', t('ledger.no_reminders')));
  return section('ledger-reminders', title, table('ledger-reminders', title, [
    [t('ledger.date')], [t('ledger.invoice')], [t('ledger.level'), '.opt'], [t('ledger.fee'), '.num'],
    [t('ledger.interest'), '.num'], [t('ledger.total_due'), '.num.opt']],
  p.reminders.map((r) => h('tr',
    h('td', r.date), h('td', h('a', { href: `#/invoices/${r.invoice_number}` }, String(r.invoice_number))),
    h('td.opt', r.level ? String(r.level) : t('ledger.manual')),
    h('td.num', money(r.fee_minor + r.late_compensation_minor)), h('td.num', money(r.interest_minor)),
    h('td.num.opt', money(r.total_due_minor))))));
}

function casesSection(p) {
  const title = t('ledger.cases');
  if (!p.agency_cases.length) return section('ledger-cases', title, h('p.muted', t('ledger.no_cases')));
  return section('ledger-cases', title, table('ledger-cases', title, [
    [t('ledger.case')], [t('ledger.case_state')], [t('ledger.remaining'), '.num']],
  p.agency_cases.map((c) => h('tr',
    h('td', h('a', { href: `#/invoices/${c.invoice_number}`, title: c.case_id ?? '' }, t('ledger.case_ref', { n: c.invoice_number }))),
    h('td', [c.state || c.agency_state, c.status].filter(Boolean).join(' · ') + (c.closed ? ` (${t('ledger.closed')})` : '')),
    h('td.num', money(c.remaining_minor))))));
}
