/*
 * tokens.js — the company's API tokens ("API-nycklar"), under the settings:
 * the list (name, made, expires, last used), a form that makes one — its
 * secret shown once, with a copy button — and removal after a
 * confirmation.  Owners only: the API refuses everyone else, and the view
 * says so instead of showing a form that cannot work.
 */
import { api, get } from '../api.js';
import { announce, clear, clearFieldErrors, confirmDialog, field, h, hideError, loading, showError } from '../dom.js';
import { t } from '../i18n.js';
import { instant, isDate } from '../format.js';
import { co, role } from '../state.js';

export async function render(main) {
  document.title = `${t('tokens.title')} – Påminn`;
  main.append(h('h1', { tabindex: '-1' }, t('tokens.title')),
    h('p', t('tokens.intro')));
  if (role() !== 'owner') {
    main.append(h('p.notice', t('tokens.owner_only')), backLink());
    return;
  }
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const list = h('div.token-list');
  const secret = h('div.token-secret-slot');
  const reload = () => showList(list, errBox);
  main.append(errBox, secret, h('h2', t('tokens.list')), list, createForm(secret, reload), backLink());
  await reload();
}

function backLink() {
  return h('p', h('a', { href: '#/settings' }, t('tokens.back')));
}

/* "2026-03-01 13:00", or the text for none. */
const when = (at, none) => (at ? instant(at) : none);

/* An expiry at midnight in Stockholm (a date was given) reads as the day it
 * is valid through, as it was entered: "t.o.m. 2026-12-31". */
function expiryText(at) {
  if (!at) return t('tokens.never_expires');
  const shown = instant(at);
  if (!shown.endsWith(' 00:00')) return shown;
  return t('tokens.through', { date: instant(new Date(new Date(at).getTime() - 1000).toISOString()).slice(0, 10) });
}

async function showList(list, errBox) {
  clear(list).append(loading());
  let items;
  try {
    items = (await get(co('/tokens'))).items;
  } catch (err) {
    clear(list);
    if (!err.handled) showError(errBox, err);
    return;
  }
  clear(list);
  if (!items.length) {
    list.append(h('p.list-status', t('tokens.empty')));
    return;
  }
  list.append(h('ul.tokens', items.map((tok) => tokenItem(tok, list, errBox))));
}

function tokenItem(tok, list, errBox) {
  const expired = tok.expires_at && new Date(tok.expires_at) <= new Date();
  return h('li.token', { dataset: { id: String(tok.id) } },
    h('div.token-head', h('strong', tok.name), expired ? h('span.badge.bad', t('tokens.expired')) : null),
    h('dl.token-facts',
      h('dt', t('tokens.created')), h('dd', when(tok.created_at, '')),
      h('dt', t('tokens.expires')), h('dd', expiryText(tok.expires_at)),
      h('dt', t('tokens.last_used')), h('dd', when(tok.last_used_at, t('tokens.never_used')))),
    h('button.remove-token', {
      type: 'button',
      'aria-label': t('tokens.remove_named', { name: tok.name }),
      onclick: () => removeToken(tok, list, errBox),
    }, t('tokens.remove')));
}

async function removeToken(tok, list, errBox) {
  const ok = await confirmDialog(t('tokens.remove_title'), t('tokens.remove_text', { name: tok.name }), t('tokens.remove'));
  if (!ok) return;
  hideError(errBox);
  try {
    await api('DELETE', co(`/tokens/${tok.id}`));
  } catch (err) {
    if (err.status !== 404) {
      if (!err.handled) showError(errBox, err);
      return;
    }
  }
  announce(t('tokens.removed', { name: tok.name }));
  await showList(list, errBox);
  document.querySelector('main h1')?.focus();
}

function createForm(secretSlot, reload) {
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const form = h('form.card-form.token-form', { novalidate: true },
    h('fieldset', h('legend', t('tokens.new')),
      errBox,
      field(t('tokens.name'), 'name', { required: true, hint: t('tokens.name_hint'), maxlength: 199 }),
      field(t('tokens.expires_field'), 'expires_at', { kind: 'date', hint: t('tokens.expires_hint') })),
    h('div.buttons', h('button.primary#create-token', { type: 'submit' }, t('tokens.create'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    hideError(errBox);
    clearFieldErrors(form);
    const name = form.elements.name.value.trim();
    const expires = form.elements.expires_at.value.trim();
    if (!name) return showError(errBox, { message: t('form.required', { field: t('tokens.name') }), field: 'name' }, form);
    if (expires && !isDate(expires)) return showError(errBox, { message: t('form.bad_date'), field: 'expires_at' }, form);
    const btn = form.querySelector('#create-token');
    btn.disabled = true;
    try {
      const made = await api('POST', co('/tokens'), { body: expires ? { name, expires_at: expires } : { name } });
      form.reset();
      showSecret(secretSlot, made);
      await reload();
    } catch (err) {
      if (!err.handled) showError(errBox, err, form);
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}

/* The new token's secret, once: a read-only field, a copy button and a
 * plain warning that it will not be shown again. */
function showSecret(slot, made) {
  const id = 'new-token-value';
  const input = h('input.token-value', { id, type: 'text', readonly: true, value: made.token, spellcheck: 'false', autocomplete: 'off' });
  const status = h('p.copy-status', { role: 'status' });
  const copy = async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(made.token);
      status.textContent = t('tokens.copied');
    } catch {
      status.textContent = t('tokens.copy_by_hand');
    }
  };
  const panel = h('section.token-once', { 'aria-labelledby': 'token-once-title' },
    h('h2#token-once-title', { tabindex: '-1' }, t('tokens.made', { name: made.name })),
    h('p.notice', h('strong', t('tokens.shown_once'))),
    h('div.field', h('label', { for: id }, t('tokens.value')), input),
    h('div.buttons',
      h('button.primary', { type: 'button', onclick: copy }, t('tokens.copy')),
      h('button', { type: 'button', onclick: () => clear(slot) }, t('tokens.done'))),
    status);
  clear(slot).append(panel);
  panel.querySelector('h2').focus();
}
