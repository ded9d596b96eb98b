/*
 * webhooks.js — the company's webhooks ("Webhooks"), under the settings
 * (#/settings/webhooks): the endpoints with their event types and a
 * remove button, a form that adds one — its signing secret shown once,
 * with a copy button — and the deliveries, newest first, with their state,
 * tries, the endpoint's last answer and a "Skicka igen" button.  Adding
 * and removing are for owners (the API refuses others; the view says so).
 */
import { api, get } from '../api.js';
import { announce, clear, clearFieldErrors, confirmDialog, field, h, hideError, loading, scrollBox, showError } from '../dom.js';
import { t } from '../i18n.js';
import { instant } from '../format.js';
import { co, role } from '../state.js';

export async function render(main) {
  document.title = `${t('webhooks.title')} – Påminn`;
  const owner = role() === 'owner';
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const endpoints = h('div.webhook-list');
  const secret = h('div.webhook-secret-slot');
  const deliveries = h('div.webhook-deliveries');
  const formSlot = h('div');
  const reload = async () => {
    const types = await showEndpoints(endpoints, errBox, owner, reload);
    if (owner && types && !formSlot.firstChild) formSlot.append(createForm(types, secret, reload));
    await showDeliveries(deliveries, errBox, null);
  };
  main.append(h('h1', { tabindex: '-1' }, t('webhooks.title')), h('p', t('webhooks.intro')));
  if (!owner) main.append(h('p.notice', t('webhooks.owner_only')));
  main.append(errBox, secret, h('h2', t('webhooks.endpoints')), endpoints, formSlot,
    h('h2', t('webhooks.deliveries')), deliveries,
    h('p', h('a', { href: '#/settings' }, t('tokens.back'))));
  await reload();
}

async function showEndpoints(list, errBox, owner, reload) {
  clear(list).append(loading());
  let res;
  try {
    res = await get(co('/webhooks'));
  } catch (err) {
    clear(list);
    if (!err.handled) showError(errBox, err);
    return null;
  }
  clear(list);
  if (!res.items.length) list.append(h('p.list-status', t('webhooks.empty')));
  else list.append(h('ul.webhooks', res.items.map((ep) => endpointItem(ep, errBox, owner, reload))));
  return res.event_types;
}

function endpointItem(ep, errBox, owner, reload) {
  return h('li.webhook', { dataset: { id: String(ep.id) } },
    h('div.webhook-head', h('code.webhook-url', ep.url)),
    h('p.webhook-types', ep.event_types.map((ty) => t(`webhooks.type.${ty}`)).join(', ')),
    h('p.hint', t('webhooks.created', { at: instant(ep.created_at) })),
    owner ? h('button.remove-webhook', {
      type: 'button',
      'aria-label': t('webhooks.remove_named', { url: ep.url }),
      onclick: () => removeEndpoint(ep, errBox, reload),
    }, t('tokens.remove')) : null);
}

async function removeEndpoint(ep, errBox, reload) {
  const ok = await confirmDialog(t('webhooks.remove_title'), t('webhooks.remove_text', { url: ep.url }), t('tokens.remove'));
  if (!ok) return;
  hideError(errBox);
  try {
    await api('DELETE', co(`/webhooks/${ep.id}`));
  } catch (err) {
    if (!err.handled) showError(errBox, err);
    return;
  }
  announce(t('webhooks.removed', { url: ep.url }));
  await reload();
}

function createForm(types, secretSlot, reload) {
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const boxes = types.map((ty) => field(t(`webhooks.type.${ty}`), `type:${ty}`, { kind: 'checkbox', value: true }));
  const form = h('form.card-form.webhook-form', { novalidate: true },
    h('fieldset', h('legend', t('webhooks.new')),
      errBox,
      field(t('webhooks.url'), 'url', { required: true, kind: 'url', hint: t('webhooks.url_hint'), maxlength: 511 }),
      h('fieldset.webhook-type-boxes', h('legend', t('webhooks.types')), boxes)),
    h('div.buttons', h('button.primary#create-webhook', { type: 'submit' }, t('webhooks.create'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    hideError(errBox);
    clearFieldErrors(form);
    const url = form.elements.url.value.trim();
    const chosen = types.filter((ty) => form.elements[`type:${ty}`].checked);
    if (!url) return showError(errBox, { message: t('form.required', { field: t('webhooks.url') }), field: 'url' }, form);
    if (!chosen.length) return showError(errBox, { message: t('webhooks.pick_type') }, form);
    const btn = form.querySelector('#create-webhook');
    btn.disabled = true;
    try {
      const made = await api('POST', co('/webhooks'), { body: { url, event_types: chosen } });
      form.elements.url.value = '';
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

/* The new endpoint's secret, once, with a copy button. */
function showSecret(slot, made) {
  const id = 'new-webhook-secret';
  const input = h('input.webhook-secret', { id, type: 'text', readonly: true, value: made.secret, spellcheck: 'false', autocomplete: 'off' });
  const status = h('p.copy-status', { role: 'status' });
  const copy = async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(made.secret);
      status.textContent = t('webhooks.copied');
    } catch {
      status.textContent = t('tokens.copy_by_hand');
    }
  };
  const panel = h('section.token-once.webhook-once', { 'aria-labelledby': 'webhook-once-title' },
    h('h2#webhook-once-title', { tabindex: '-1' }, t('webhooks.made', { url: made.url })),
    h('p.notice', h('strong', t('webhooks.shown_once'))),
    h('div.field', h('label', { for: id }, t('webhooks.secret')), input),
    h('div.buttons',
      h('button.primary#copy-webhook-secret', { type: 'button', onclick: copy }, t('tokens.copy')),
      h('button', { type: 'button', onclick: () => clear(slot) }, t('tokens.done'))),
    status);
  clear(slot).append(panel);
  panel.querySelector('h2').focus();
}

const BADGE = { queued: '', sending: '', retry: 'reminder', delivered: 'ok', failed: 'bad' };

function deliveryRow(d, list, errBox) {
  const badge = h(`span.badge${BADGE[d.state] ? '.' + BADGE[d.state] : ''}.webhook-state`, { dataset: { state: d.state } },
    t(`webhooks.state.${d.state}`));
  const answer = d.last_status ? `${d.last_status} ${d.last_answer}` : d.last_answer;
  const canResend = ['delivered', 'failed', 'retry'].includes(d.state);
  return h('tr', { dataset: { id: String(d.id), state: d.state } },
    h('td', instant(d.delivered_at ?? d.created_at)),
    h('td', h('a', { href: `#/invoices/${d.invoice_id}` }, t(`webhooks.type.${d.event_type}`))),
    h('td', h('code', d.url)),
    h('td', badge, d.attempts > 1 ? h('span.hint', ` ${t('mail.attempts', { n: d.attempts })}`) : null),
    h('td.webhook-answer', answer),
    h('td', canResend ? h('button.resend-webhook', {
      type: 'button',
      'aria-label': t('webhooks.resend_named', { id: d.event_id }),
      onclick: () => resend(d, list, errBox),
    }, t('webhooks.resend')) : null));
}

async function resend(d, list, errBox) {
  hideError(errBox);
  try {
    await api('POST', co(`/webhooks/deliveries/${d.id}/resend`), { body: {} });
  } catch (err) {
    if (!err.handled) showError(errBox, err);
    return;
  }
  announce(t('webhooks.resent'));
  await showDeliveries(list, errBox, null);
}

function deliveryTable(items, list, errBox) {
  return h('table.webhook-table',
    h('thead', h('tr', ['when', 'event', 'url', 'state', 'answer', 'action'].map((k) =>
      h('th', { scope: 'col' }, t(`webhooks.col.${k}`))))),
    h('tbody', items.map((d) => deliveryRow(d, list, errBox))));
}

async function showDeliveries(list, errBox, cursor) {
  list.querySelector('button.more')?.remove();
  if (!cursor) clear(list).append(loading());
  let res;
  try {
    res = await get(co(`/webhooks/deliveries?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
  } catch (err) {
    if (!cursor) clear(list);
    if (!err.handled) showError(errBox, err);
    return;
  }
  if (!cursor) {
    clear(list);
    if (!res.items.length) {
      list.append(h('p.list-status', t('webhooks.no_deliveries')));
      return;
    }
    list.append(scrollBox(t('webhooks.deliveries'), deliveryTable(res.items, list, errBox)));
  } else {
    const tbody = list.querySelector('tbody');
    for (const row of deliveryTable(res.items, list, errBox).querySelectorAll('tbody tr')) tbody.append(row);
  }
  if (res.next_cursor) {
    list.append(h('button.more', { type: 'button', onclick: () => showDeliveries(list, errBox, res.next_cursor) }, t('mail.more')));
  }
}
