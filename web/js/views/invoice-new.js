/*
 * invoice-new.js — create a customer invoice: customer, kind (standard,
 * ROT, RUT with the buyers), dates, currency and lines.  Amounts are typed
 * in kronor ("1 234,50") and sent as integer öre; the server computes the
 * totals and the tax reduction.
 */
import { Action, api, get } from '../api.js';
import { clear, clearFieldErrors, dropDraft, field, h, hideError, nextId, restoreDraft, showError, scrollBox } from '../dom.js';
import { t } from '../i18n.js';
import { isDate, parseMoney, parseQuantity, todayLocal } from '../format.js';
import { co, state } from '../state.js';
import { navigate } from '../router.js';

const VAT = [['2500', '25 %'], ['1200', '12 %'], ['600', '6 %'], ['0', '0 %']];
const CURRENCIES = ['SEK', 'EUR', 'USD', 'NOK', 'DKK', 'GBP'];

export async function render(main, ctx) {
  document.title = `${t('newinv.title')} – Påminn`;
  const f = newInvoiceForm(ctx);
  main.append(h('p.back', h('a', { href: '#/invoices' }, `← ${t('invoices.title')}`)), h('h1', { tabindex: '-1' }, t('newinv.title')), f.form);
  addLine(f);
  f.form.elements.kind.addEventListener('change', () => {
    const rr = f.form.elements.kind.value !== 'standard';
    f.buyersSection.hidden = !rr;
    if (rr && f.buyersBox.children.length === 0) addBuyer(f);
  });
  const loadCustomers = () => fillCustomers(f, ctx);
  let timer;
  f.custSearch.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(loadCustomers, 300);
  });
  await loadCustomers();
  if (restoreDraft(f.form)) f.buyersSection.hidden = f.form.elements.kind.value === 'standard';
  const action = new Action();
  f.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit(f, action);
  });
}

/* The form and the parts the functions below work on: {form, errBox, custSearch, custSel, linesBody, buyersBox, buyersSection}. */
function newInvoiceForm(ctx) {
  const f = {
    errBox: h('div.error-box', { role: 'alert', hidden: true }),
    custSearch: h('input#cust-search', { type: 'search', autocomplete: 'off', placeholder: t('newinv.customer_search_ph') }),
    custSel: h('select#customer_id', { name: 'customer_id', required: true }, h('option', { value: '' }, t('newinv.choose_customer'))),
    linesBody: h('tbody'),
    buyersBox: h('div.buyers-list'),
  };
  f.buyersSection = h('fieldset.buyers', { hidden: true }, h('legend', t('newinv.buyers')), h('p.hint', t('newinv.buyers_hint')), f.buyersBox,
    h('button', { type: 'button', onclick: () => addBuyer(f) }, t('newinv.add_buyer')));
  f.form = h('form.card-form.invoice-form', { novalidate: true, dataset: { draft: 'invoice-new' } },
    f.errBox,
    h('fieldset', h('legend', t('newinv.customer')),
      h('div.field', h('label', { for: 'cust-search' }, t('newinv.customer_search')), f.custSearch),
      h('div.field', h('label', { for: 'customer_id' }, t('newinv.customer')), f.custSel),
      h('p.hint', t('newinv.foreign_hint'), ' ', h('a', { href: '#/customers/new' }, t('customers.new')))),
    invoiceFieldset(ctx),
    linesFieldset(f),
    f.buyersSection,
    h('div.buttons', h('button.primary#create-invoice', { type: 'submit' }, t('newinv.create')), h('a.button', { href: '#/invoices' }, t('common.cancel'))));
  /* A saved draft remembers how many lines and buyers there were, and the chosen customer. */
  f.form._draftExtra = () => ({ lines: f.linesBody.children.length, buyers: f.buyersBox.children.length, customerText: f.custSel.options[f.custSel.selectedIndex]?.text ?? '', customerId: f.custSel.value });
  f.form._draftRestore = (extra) => {
    clear(f.linesBody);
    for (let i = 0; i < Math.max(1, extra.lines ?? 1); i++) addLine(f);
    clear(f.buyersBox);
    for (let i = 0; i < (extra.buyers ?? 0); i++) addBuyer(f);
    if (extra.customerId && ![...f.custSel.options].some((o) => o.value === extra.customerId)) f.custSel.append(h('option', { value: extra.customerId }, extra.customerText));
  };
  return f;
}

function invoiceFieldset(ctx) {
  return h('fieldset', h('legend', t('newinv.invoice')),
    field(t('invoice.kind'), 'kind', { kind: 'select', value: 'standard', options: [['standard', t('kind.standard')], ['rot', t('kind.rot')], ['rut', t('kind.rut')]] }),
    h('div.row2',
      field(t('col.invoice_date'), 'invoice_date', { kind: 'date', value: ctx.query.get('date') || todayLocal(), required: true }),
      field(t('col.due_date'), 'due_date', { kind: 'date', hint: t('newinv.due_hint', { days: state.company?.payment_terms_days ?? 30 }) })),
    h('div.row2',
      field(t('newinv.currency'), 'currency', { kind: 'select', value: 'SEK', options: CURRENCIES.map((c) => [c, c]), hint: t('newinv.currency_hint') }),
      field(t('newinv.number'), 'number', { kind: 'text', inputmode: 'numeric', hint: t('newinv.number_hint') })),
    field(t('newinv.zero_vat'), 'zero_vat', { kind: 'select', value: '', hint: t('newinv.zero_vat_hint'),
      options: [['', t('zero_vat.none')], ['construction', t('zero_vat.construction')], ['goods', t('zero_vat.goods')]] }));
}

function linesFieldset(f) {
  return h('fieldset', h('legend', t('invoice.lines')),
    scrollBox(t('invoice.lines'), h('table.lines-edit',
      h('thead', h('tr',
        h('th', { scope: 'col' }, t('line.description')), h('th', { scope: 'col' }, t('line.quantity')),
        h('th', { scope: 'col' }, t('line.unit_price_kr')), h('th', { scope: 'col' }, t('line.vat')),
        h('th', { scope: 'col' }, t('line.labour')), h('th', { scope: 'col' }, h('span.sr-only', t('newinv.remove'))))),
      f.linesBody)),
    h('button#add-line', { type: 'button', onclick: () => addLine(f) }, t('newinv.add_line')));
}

/* Names and labels of lines and buyers follow their position. */
function renumber(f) {
  [...f.linesBody.children].forEach((tr, i) => {
    for (const el of tr.querySelectorAll('[data-key]')) {
      el.name = `lines[${i}].${el.dataset.key}`;
      el.setAttribute('aria-label', `${t(`line.${el.dataset.label}`)} ${i + 1}`);
    }
    tr.querySelector('.remove').setAttribute('aria-label', t('newinv.remove_line', { n: i + 1 }));
  });
  [...f.buyersBox.children].forEach((div, i) => {
    for (const el of div.querySelectorAll('[data-key]')) el.name = `buyers[${i}].${el.dataset.key}`;
    div.querySelector('legend').textContent = t('newinv.buyer_n', { n: i + 1 });
  });
}

function addLine(f) {
  const tr = h('tr',
    h('td', h('input', { type: 'text', dataset: { key: 'description', label: 'description' }, maxlength: 999 })),
    h('td', h('input.qty', { type: 'text', inputmode: 'decimal', value: '1', dataset: { key: 'quantity_milli', label: 'quantity' } })),
    h('td', h('input.price', { type: 'text', inputmode: 'decimal', dataset: { key: 'unit_price_minor', label: 'unit_price_kr' } })),
    h('td', h('select', { dataset: { key: 'vat_rate_bp', label: 'vat' } }, VAT.map(([v, l]) => h('option', { value: v }, l)))),
    h('td', h('input', { type: 'checkbox', dataset: { key: 'labour', label: 'labour' } })),
    h('td', h('button.icon-btn.remove', { type: 'button', onclick: () => { if (f.linesBody.children.length > 1) { tr.remove(); renumber(f); } } }, '×')));
  f.linesBody.append(tr);
  renumber(f);
  return tr;
}

function addBuyer(f) {
  if (f.buyersBox.children.length >= 4) return null;
  const id1 = nextId('buyer-name');
  const id2 = nextId('buyer-id');
  const div = h('fieldset.buyer', h('legend', ''),
    h('div.row2',
      h('div.field', h('label', { for: id1 }, t('newinv.buyer_name')), h('input', { id: id1, type: 'text', dataset: { key: 'name' } })),
      h('div.field', h('label', { for: id2 }, t('newinv.buyer_id')), h('input', { id: id2, type: 'text', dataset: { key: 'id_number' }, placeholder: 'ÅÅÅÅMMDD-NNNN' }))),
    h('button', { type: 'button', onclick: () => { div.remove(); renumber(f); } }, t('newinv.remove_buyer')));
  f.buyersBox.append(div);
  renumber(f);
  return div;
}

/* The customer choice from the search field (keeps the chosen one when still listed). */
async function fillCustomers(f, ctx) {
  const { custSel } = f;
  try {
    const page = await get(co('/customers'), { q: f.custSearch.value.trim(), limit: 100 });
    const keep = custSel.value;
    clear(custSel).append(h('option', { value: '' }, t('newinv.choose_customer')),
      ...page.items.map((c) => h('option', { value: c.id }, `${c.name}${c.number ? ` (${c.number})` : ''}${c.country && c.country !== 'SE' ? ` – ${c.country}` : ''}`)));
    if (keep && [...custSel.options].some((o) => o.value === keep)) custSel.value = keep;
    if (ctx.query.get('customer')) custSel.value = ctx.query.get('customer');
  } catch (err) {
    if (!err.handled) showError(f.errBox, err);
  }
}

async function submit(f, action) {
  const { form, errBox } = f;
  hideError(errBox);
  clearFieldErrors(form);
  const body = readInvoice(f);
  if (!body) return;
  const btn = form.querySelector('#create-invoice');
  btn.disabled = true;
  try {
    const inv = await api('POST', co('/invoices'), { body, action });
    dropDraft(form);
    state.flash = t('newinv.created', { n: inv.number });
    navigate(`#/invoices/${inv.number}`);
  } catch (err) {
    btn.disabled = false;
    showError(errBox, err, form);
  }
}

/* The request body from the form, or null after marking the first field at fault. */
function readInvoice(f) {
  const { form } = f;
  const fail = (message, fld) => {
    showError(f.errBox, { message, field: fld }, form);
    return null;
  };
  const customerId = Number(f.custSel.value);
  if (!customerId) return fail(t('form.required', { field: t('newinv.customer') }), 'customer_id');
  const body = { customer_id: customerId, invoice_date: form.elements.invoice_date.value, kind: form.elements.kind.value, currency: form.elements.currency.value, lines: [] };
  if (!isDate(body.invoice_date)) return fail(t('form.bad_date'), 'invoice_date');
  const due = form.elements.due_date.value;
  if (due) {
    if (!isDate(due)) return fail(t('form.bad_date'), 'due_date');
    body.due_date = due;
  }
  if (form.elements.zero_vat.value) body.zero_vat = form.elements.zero_vat.value;
  const num = form.elements.number.value.trim();
  if (num) {
    if (!/^\d{1,15}$/.test(num)) return fail(t('form.bad_number'), 'number');
    body.number = Number(num);
  }
  const trs = [...f.linesBody.children];
  for (let i = 0; i < trs.length; i++) {
    const get1 = (k) => form.elements[`lines[${i}].${k}`];
    const q = parseQuantity(get1('quantity_milli').value);
    if (q === null) return fail(t('form.bad_quantity'), `lines[${i}].quantity_milli`);
    const p = parseMoney(get1('unit_price_minor').value);
    if (p === null) return fail(t('form.bad_amount'), `lines[${i}].unit_price_minor`);
    body.lines.push({ description: get1('description').value.trim(), quantity_milli: q, unit_price_minor: p,
      vat_rate_bp: Number(get1('vat_rate_bp').value), labour: get1('labour').checked });
  }
  if (body.kind !== 'standard') {
    body.buyers = [...f.buyersBox.children].map((div, i) => ({
      name: form.elements[`buyers[${i}].name`].value.trim(), id_number: form.elements[`buyers[${i}].id_number`].value.trim(),
    }));
  }
  return body;
}
