/*
 * customers.js — the customer register: a searchable, paged list and the
 * customer card form (create / edit).  The error links of a refused
 * hand-over open the card with the field at fault focused
 * (#/customers/ID?focus=zip_code&return=...), and saving leads back.
 * Above an existing card: its stop of reminders, or the button to set one;
 * the customer's statement (kontoutdrag, components/statement.js): preview,
 * PDF and e-mail; below it: the customer's own reminder policy (the policy
 * editor of components/dunning-policy.js) to view, set and remove.
 */
import { Action, api, get } from '../api.js';
import { clear, clearFieldErrors, dropDraft, field, h, hideError, loading, markField, restoreDraft, showError } from '../dom.js';
import { t } from '../i18n.js';
import { co, role, state } from '../state.js';
import { navigate } from '../router.js';
import { appReturn } from '../links.js';
import { stopDialog, stopNotice, stopUrl } from '../components/reminder-stop.js';
import { policyEditor } from '../components/dunning-policy.js';
import { statementSection } from '../components/statement.js';

export async function renderList(main) {
  document.title = `${t('customers.title')} – Påminn`;
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const search = h('input#customer-search', { type: 'search', autocomplete: 'off' });
  const tbody = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, t('invoices.load_more'));
  const status = h('p.list-status', { role: 'status' });
  main.append(
    h('div.view-head', h('h1', t('customers.title')), role() === 'read_only' ? null : h('a.button#new-customer', { href: '#/customers/new' }, t('customers.new'))),
    errBox,
    h('form.search', { role: 'search', onsubmit: (e) => e.preventDefault() }, h('label', { for: 'customer-search' }, t('customers.search')), search),
    h('div.table-wrap', h('table.customers',
      h('caption.sr-only', t('customers.title')),
      h('thead', h('tr',
        h('th', { scope: 'col' }, t('field.number')),
        h('th', { scope: 'col' }, t('field.name')),
        h('th.opt', { scope: 'col' }, t('field.id_number')),
        h('th', { scope: 'col' }, t('customers.address')),
        h('th.opt', { scope: 'col' }, t('field.email')))),
      tbody)),
    status, more);
  let cursor = null;
  let gen = 0;
  async function load(reset) {
    const g = reset ? ++gen : gen;
    if (reset) {
      clear(tbody);
      cursor = null;
    }
    status.textContent = t('common.loading');
    try {
      const page = await get(co('/customers'), { q: search.value.trim(), limit: 100, cursor });
      if (g !== gen) return;
      for (const c of page.items) {
        const addr = [c.address_line_1, [c.zip_code, c.city].filter(Boolean).join(' '), c.country !== 'SE' ? c.country : ''].filter(Boolean).join(', ');
        tbody.append(h('tr',
          h('td', c.number),
          h('td', h('a', { href: `#/customers/${c.id}` }, c.name)),
          h('td.opt', c.id_number),
          h('td', addr || h('span.badge.bad', t('customers.no_address'))),
          h('td.opt', c.email)));
      }
      cursor = page.next_cursor;
      more.hidden = !cursor;
      status.textContent = tbody.children.length ? t('customers.showing', { n: tbody.children.length }) : t('customers.empty');
    } catch (err) {
      if (!err.handled) showError(errBox, err);
      status.textContent = '';
    }
  }
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => load(true), 300);
  });
  more.addEventListener('click', () => load(false));
  await load(true);
}

const COUNTRIES = ['SE', 'NO', 'DK', 'FI', 'DE', 'GB', 'NL', 'FR', 'ES', 'PL', 'US'];

export async function renderForm(main, ctx) {
  const id = ctx.params[0] ? Number(ctx.params[0]) : null;
  const focus = ctx.query.get('focus');
  const returnTo = appReturn(ctx.query.get('return'));
  let c = { number: '', name: '', is_company: false, id_number: '', address_line_1: '', address_line_2: '', zip_code: '', city: '', country: 'SE', email: '', mobile_number: '', language: 'sv' };
  main.append(loading());
  if (id) c = await get(co(`/customers/${id}`));
  clear(main);
  const title = id ? t('customer.edit_title', { name: c.name }) : t('customer.new_title');
  document.title = `${title} – Påminn`;
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const form = customerForm(c, id, returnTo, errBox);
  const stopArea = h('div.customer-stop');
  const policyArea = id ? h('section.customer-policy', { 'aria-labelledby': 'customer-policy-title' }) : null;
  main.append(
    h('p.back', h('a', { href: returnTo || '#/customers' }, `← ${returnTo ? t('common.back') : t('customers.title')}`)),
    h('h1', { tabindex: '-1' }, title), stopArea, id ? statementSection(c) : null, form, policyArea);
  if (id) {
    fillStop(stopArea, c);
    await fillPolicy(policyArea, c);
  }
  restoreDraft(form);
  if (focus) markToFix(form, focus);
  /* s.c is the customer as last saved (what an edit is compared with). */
  const s = { c, id, returnTo, form, errBox, action: new Action() };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    saveCustomer(s);
  });
}

/* The customer's stop of reminders: its notice with "resume", or the button that sets one. */
function fillStop(area, c) {
  const refresh = async () => {
    const fresh = await get(co(`/customers/${c.id}`));
    c.reminder_stop = fresh.reminder_stop;
    fillStop(area, c);
    area.querySelector('button')?.focus();
  };
  clear(area);
  const notice = stopNotice(c.reminder_stop, { customerId: c.id, onChanged: refresh });
  if (notice) {
    area.append(notice);
    return;
  }
  if (role() === 'read_only') return;
  area.append(h('div.buttons', h('button.set-stop', {
    type: 'button',
    onclick: () => stopDialog({ url: stopUrl('customer', c.id), title: t('stop.title_customer', { name: c.name }), subject: t('stop.customer_intro'), current: null, onChanged: refresh }),
  }, t('action.stop'))));
}

/* The customer's own reminder policy: "follows the company's" with a button
 * to set one (the editor, prefilled with the company's), or the editor of
 * the stored one with "remove".  notice: a line said first (after a save). */
async function fillPolicy(area, c, notice = null, editing = false) {
  const url = co(`/customers/${c.id}/dunning-policy`);
  const p = await get(url);
  clear(area);
  area.append(h('h2#customer-policy-title', t('cpolicy.title')));
  if (notice) area.append(h('p.notice.saved', { role: 'status' }, notice));
  const again = (text, edit = false) => fillPolicy(area, c, text, edit)
    .then(() => area.querySelector('.notice, button')?.focus());
  if (!p.stored && !editing) {
    area.append(h('p.policy-state', t('cpolicy.follows')));
    if (role() !== 'read_only') {
      area.append(h('div.buttons', h('button.set-policy', { type: 'button', onclick: () => again(null, true) }, t('cpolicy.set'))));
    }
    return;
  }
  let editor = null;
  const remove = p.stored && role() !== 'read_only'
    ? h('button.remove-policy', { type: 'button', onclick: async () => {
      try {
        await api('DELETE', url);
        again(t('cpolicy.removed'));
      } catch (err) {
        showError(editor.querySelector('.error-box'), err);
      }
    } }, t('cpolicy.remove'))
    : h('button.cancel-policy', { type: 'button', onclick: () => again(null) }, t('common.cancel'));
  editor = policyEditor(p, { id: 'customer-policy', url, customer: true, buttons: [remove], onSaved: () => again(t('cpolicy.saved')) });
  area.append(
    h('p.policy-state', p.stored ? t('cpolicy.own') : t('cpolicy.follows')),
    h('p.hint', t('cpolicy.run_note')),
    editor);
}

function customerForm(c, id, returnTo, errBox) {
  const countries = COUNTRIES.includes(c.country) ? COUNTRIES : [...COUNTRIES, c.country];
  return h('form.card-form', { novalidate: true, dataset: { draft: `customer-${id ?? 'new'}` } },
    errBox,
    h('fieldset', h('legend', t('customer.basics')),
      field(t('field.name'), 'name', { value: c.name, required: true, autocomplete: 'off' }),
      field(t('field.number'), 'number', { value: c.number, hint: id ? null : t('customer.number_hint') }),
      field(t('customer.is_company'), 'is_company', { kind: 'checkbox', value: c.is_company }),
      field(t('field.id_number'), 'id_number', { value: c.id_number, hint: t('customer.id_hint') })),
    h('fieldset', h('legend', t('customer.address_legend')),
      field(t('field.address_line_1'), 'address_line_1', { value: c.address_line_1, autocomplete: 'off' }),
      field(t('field.address_line_2'), 'address_line_2', { value: c.address_line_2 }),
      h('div.row2',
        field(t('field.zip_code'), 'zip_code', { value: c.zip_code }),
        field(t('field.city'), 'city', { value: c.city })),
      field(t('field.country'), 'country', { kind: 'select', value: c.country, options: countries.map((k) => [k, `${t(`country.${k}`) !== `country.${k}` ? t(`country.${k}`) : k} (${k})`]) })),
    h('fieldset', h('legend', t('customer.contact')),
      field(t('field.email'), 'email', { kind: 'email', value: c.email }),
      field(t('field.mobile_number'), 'mobile_number', { kind: 'tel', value: c.mobile_number }),
      field(t('field.language'), 'language', { kind: 'select', value: c.language, options: [['sv', 'Svenska'], ['en', 'English']] })),
    h('div.buttons',
      h('button.primary#save-customer', { type: 'submit' }, t('common.save')),
      h('a.button', { href: returnTo || (id ? '#/customers' : '#/customers') }, returnTo ? t('common.back') : t('common.cancel'))));
}

/* Arriving from a refusal reason (?focus=zip_code): the field is highlighted, described and focused. */
function markToFix(form, focus) {
  const el = form.elements[focus];
  if (!el) return;
  el.setAttribute('data-autofocus', '');
  el.closest('.field')?.classList.add('highlight');
  const note = h('span.field-error', { id: `${el.id}-fix` }, t('customer.fix_this'));
  el.closest('.field')?.append(note);
  el.setAttribute('aria-describedby', [el.getAttribute('aria-describedby'), note.id].filter(Boolean).join(' '));
}

/* A new customer: every filled field; an edit: only the changed ones. */
function changedFields(form, c, id) {
  const body = {};
  for (const k of ['name', 'number', 'id_number', 'address_line_1', 'address_line_2', 'zip_code', 'city', 'country', 'email', 'mobile_number', 'language']) {
    const v = form.elements[k].value.trim();
    if (id) {
      if (v !== (c[k] ?? '')) body[k] = v;
    } else if (v !== '') body[k] = v;
  }
  const isCo = form.elements.is_company.checked;
  if (!id || isCo !== c.is_company) body.is_company = isCo;
  return body;
}

async function saveCustomer(s) {
  const { id, returnTo, form, errBox } = s;
  hideError(errBox);
  clearFieldErrors(form);
  const body = changedFields(form, s.c, id);
  if (!form.elements.name.value.trim()) {
    showError(errBox, { message: t('form.required', { field: t('field.name') }), field: 'name' }, form);
    return;
  }
  const btn = form.querySelector('#save-customer');
  btn.disabled = true;
  try {
    const saved = id
      ? (Object.keys(body).length ? await api('PATCH', co(`/customers/${id}`), { body }) : s.c)
      : await api('POST', co('/customers'), { body, action: s.action });
    dropDraft(form);
    state.flash = t('customer.saved', { name: saved.name });
    if (returnTo) navigate(returnTo);
    else if (!id) navigate(`#/customers/${saved.id}`);
    else {
      s.c = saved;
      btn.disabled = false;
      const ok = h('p.notice.saved', { role: 'status' }, t('customer.saved', { name: saved.name }));
      form.prepend(ok);
      for (const el of form.querySelectorAll('.highlight')) el.classList.remove('highlight');
      for (const el of form.querySelectorAll('[id$="-fix"]')) el.remove();
    }
  } catch (err) {
    btn.disabled = false;
    showError(errBox, err, form);
    if (err.field && !markField(form, err.field, err.message)) errBox.focus?.();
  }
}
