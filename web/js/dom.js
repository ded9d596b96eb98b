/*
 * dom.js — small DOM helpers: an element builder, the live regions, modal
 * dialogs with focus management, error boxes that name the field at fault,
 * and drafts of half-filled forms kept in sessionStorage across a re-login.
 */
import { has, t } from './i18n.js';

/* h('button.primary#send', {type: 'button', onclick}, 'Skicka') */
export function h(tag, attrs, ...children) {
  const m = /^([a-z0-9-]+)((?:[.#][\w-]+)*)$/i.exec(tag);
  const el = document.createElement(m ? m[1] : tag);
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === '.') el.classList.add(part.slice(1));
      else el.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else if (k === 'html') el.innerHTML = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/* Polite announcement for screen readers (and a visible toast). */
export function announce(text) {
  const live = document.getElementById('live');
  if (live) {
    live.textContent = '';
    setTimeout(() => {
      live.textContent = text;
    }, 30);
  }
  const toast = document.getElementById('toast');
  if (toast) {
    toast.textContent = text;
    toast.hidden = false;
    /* Room below the page for the toast, so that it covers nothing the
     * user can scroll to; the toast goes at the next click or key, or
     * after 5 s.  The room stays until the next view: taking it away
     * under a click would move what is being clicked. */
    const room = toast.offsetHeight + 32;
    if (room > (parseFloat(document.body.style.paddingBottom) || 0)) document.body.style.paddingBottom = `${room}px`;
    window.addEventListener('hashchange', () => { document.body.style.paddingBottom = ''; }, { once: true });
    clearTimeout(toast._timer);
    toast._timer = setTimeout(hideToast, 5000);
    setTimeout(() => {
      document.addEventListener('pointerdown', hideToast, { once: true });
      document.addEventListener('keydown', hideToast, { once: true });
    }, 0);
  }
}

function hideToast() {
  const toast = document.getElementById('toast');
  if (!toast) return;
  toast.hidden = true;
  clearTimeout(toast._timer);
  document.removeEventListener('pointerdown', hideToast);
  document.removeEventListener('keydown', hideToast);
}

/* ---- errors ---- */

/*
 * An error box (role=alert) for an ApiError or any Error: one plain
 * sentence that names the field as the form labels it ("Rad 1, à-pris (kr):
 * …"), the HTTP status and code only inside a "Detaljer" disclosure.  When
 * the form has the field, it is marked invalid, described by the message
 * and focused.
 */
export function showError(box, err, form) {
  if (!box) return;
  clear(box);
  box.hidden = false;
  if (err && err.handled) {
    box.append(h('p', t('err.session_expired_inline')));
    return;
  }
  const msg = err && err.message ? err.message : String(err);
  const label = err && err.field ? fieldLabel(err.field, form) : null;
  box.append(h('p', h('strong', t('err.title')), ' ', label ? t('err.with_field', { field: label, message: msg }) : msg));
  if (err && err.status && err.code) {
    box.append(h('details.err-details', h('summary', t('err.details')),
      h('p.err-code', `HTTP ${err.status} · ${err.code}${err.field ? ` · ${err.field}` : ''}`)));
  }
  if (form && err && err.field) markField(form, err.field, msg);
}

export function hideError(box) {
  if (!box) return;
  clear(box);
  box.hidden = true;
}

/* The control a JSON field path names in form, if any ("customer.zip_code" → [name=zip_code]). */
function fieldControl(form, path) {
  if (!form) return null;
  const name = String(path).replace(/^(customer|company|invoice)\./, '');
  return form.querySelector(`[name="${CSS.escape(path)}"]`) || form.querySelector(`[name="${CSS.escape(name)}"]`);
}

/* What the form calls a control: the legend of a radio group, else its label or aria-label. */
function controlLabel(el) {
  if (el.type === 'radio') return el.closest('fieldset')?.querySelector('legend')?.textContent ?? null;
  if (el.labels && el.labels.length) return el.labels[0].textContent;
  return null;
}

/*
 * A readable name for a JSON field path: an invoice line's column and row
 * ("lines[0].unit_price_minor" → "Rad 1, à-pris (kr)"), the form's own label
 * when the form has the field, else the common name with where it is
 * ("customer.zip_code" → "Postnummer (kundkortet)").  null for paths that
 * name no field a person fills in (e.g. "invoice_id").
 */
export function fieldLabel(path, form) {
  const line = /^lines\[(\d+)\]\.(\w+)$/.exec(String(path));
  if (line && has(`field.lines[].${line[2]}`)) return t('err.line_field', { n: Number(line[1]) + 1, column: t(`field.lines[].${line[2]}`) });
  const el = fieldControl(form, path);
  const own = el ? controlLabel(el) : null;
  if (own) return own;
  const [obj, ...rest] = String(path).split('.');
  const key = rest.length ? rest.join('.') : obj;
  const base = key.replace(/\[\d+\]/g, '[]');
  if (!has(`field.${base}`)) return null;
  const name = t(`field.${base}`);
  if (rest.length && (obj === 'customer' || obj === 'invoice' || obj === 'company')) return `${name} (${t(`where.${obj}`)})`;
  return name;
}

export function markField(form, field, message) {
  const el = fieldControl(form, field);
  if (!el) return false;
  el.setAttribute('aria-invalid', 'true');
  let note = document.getElementById(`${el.id}-err`);
  if (!note) {
    note = h('span.field-error', { id: `${el.id}-err` });
    (el.closest('.field') ?? el.parentElement).append(note);
  }
  note.textContent = message;
  const desc = (el.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  if (!desc.includes(note.id)) el.setAttribute('aria-describedby', [...desc, note.id].join(' '));
  el.focus();
  return true;
}

export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.remove();
}

/* ---- labelled inputs ---- */

let uid = 0;
export function nextId(prefix = 'f') {
  uid += 1;
  return `${prefix}-${uid}`;
}

/*
 * A label + control pair.  kind: 'text' (default), 'date', 'email', 'number',
 * 'select' (options: [[value, label]]), 'checkbox', 'textarea'.
 */
export function field(label, name, opts = {}) {
  const id = opts.id ?? nextId(name.replace(/[^\w-]/g, '_'));
  let control;
  if (opts.kind === 'select') {
    control = h('select', { id, name, required: opts.required }, (opts.options ?? []).map(([v, l]) => h('option', { value: v }, l)));
    if (opts.value !== undefined) control.value = opts.value;
  } else if (opts.kind === 'textarea') {
    control = h('textarea', { id, name, rows: opts.rows ?? 3 });
    control.value = opts.value ?? '';
  } else if (opts.kind === 'checkbox') {
    control = h('input', { id, name, type: 'checkbox', checked: !!opts.value });
    const wrap = h('div.field.check', control, h('label', { for: id }, label), opts.hint ? h('span.hint', { id: `${id}-hint` }, opts.hint) : null);
    if (opts.hint) control.setAttribute('aria-describedby', `${id}-hint`);
    return wrap;
  } else {
    control = h('input', {
      id, name, type: opts.kind ?? 'text', required: opts.required, autocomplete: opts.autocomplete ?? 'off',
      inputmode: opts.inputmode, placeholder: opts.placeholder, maxlength: opts.maxlength,
    });
    control.value = opts.value ?? '';
  }
  const wrap = h('div.field', h('label', { for: id }, label), control);
  if (opts.hint) {
    wrap.append(h('span.hint', { id: `${id}-hint` }, opts.hint));
    control.setAttribute('aria-describedby', `${id}-hint`);
  }
  return wrap;
}

/* ---- dialogs ---- */

/*
 * A modal <dialog> with a heading; resolves when closed.  build(body, close)
 * fills it.  Focus goes to the first field (or the dialog) and returns to the
 * element that had it; Escape closes.
 */
export function openDialog(title, build, opts = {}) {
  const opener = document.activeElement;
  const headingId = nextId('dlg-title');
  const body = h('div.dialog-body');
  const dlg = h(`dialog.dialog${opts.wide ? '.wide' : ''}`, { 'aria-labelledby': headingId, role: opts.alert ? 'alertdialog' : null },
    h('div.dialog-head', h('h2', { id: headingId, tabindex: '-1' }, title),
      h('button.icon-btn', { type: 'button', 'aria-label': t('common.close'), onclick: () => close() }, '×')),
    body);
  document.body.append(dlg);
  let resolveFn;
  const done = new Promise((r) => {
    resolveFn = r;
  });
  let result;
  function close(value) {
    result = value;
    if (dlg.open) dlg.close();
  }
  dlg.addEventListener('close', () => {
    dlg.remove();
    if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
    else document.querySelector('main h1')?.focus();
    resolveFn(result);
  });
  build(body, close, dlg);
  dlg.showModal();
  const first = dlg.querySelector('[autofocus]') || body.querySelector('input:not([type=hidden]):not([disabled]), select, textarea, button:not([disabled])');
  (first ?? dlg.querySelector('h2')).focus();
  return done;
}

/* Yes/no confirmation; resolves true when confirmed. */
export function confirmDialog(title, message, okLabel) {
  return openDialog(title, (body, close) => {
    body.append(
      typeof message === 'string' ? h('p', message) : message,
      h('div.buttons',
        h('button.primary', { type: 'button', autofocus: true, onclick: () => close(true) }, okLabel ?? t('common.ok')),
        h('button', { type: 'button', onclick: () => close(false) }, t('common.cancel'))),
    );
  }, { alert: true }).then((v) => v === true);
}

/* ---- drafts: half-filled forms survive a session expiry ---- */

const DRAFT_KEY = 'paminn.drafts';

function readDrafts() {
  try {
    return JSON.parse(sessionStorage.getItem(DRAFT_KEY) ?? '{}') ?? {};
  } catch {
    return {};
  }
}

/* Save every form[data-draft] in the document (page and open dialogs). */
export function saveDrafts() {
  const drafts = readDrafts();
  for (const form of document.querySelectorAll('form[data-draft]')) {
    const values = {};
    for (const el of form.elements) {
      if (!el.name || el.type === 'password' || el.type === 'submit' || el.type === 'button') continue;
      values[el.name] = el.type === 'checkbox' || el.type === 'radio' ? (el.type === 'radio' ? (el.checked ? el.value : values[el.name]) : el.checked) : el.value;
      if (el.type === 'radio' && values[el.name] === undefined) delete values[el.name];
    }
    drafts[form.dataset.draft] = { values, extra: form._draftExtra ? form._draftExtra() : null, at: Date.now() };
  }
  try {
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify(drafts));
  } catch {
    /* full: nothing to do */
  }
}

/* Fill a form from its saved draft (once); returns the draft or null. */
export function restoreDraft(form) {
  const drafts = readDrafts();
  const d = drafts[form.dataset.draft];
  if (!d) return null;
  delete drafts[form.dataset.draft];
  sessionStorage.setItem(DRAFT_KEY, JSON.stringify(drafts));
  if (form._draftRestore && d.extra) form._draftRestore(d.extra);
  for (const [name, value] of Object.entries(d.values)) {
    const els = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    for (const el of els) {
      if (el.type === 'checkbox') el.checked = !!value;
      else if (el.type === 'radio') el.checked = el.value === value;
      else el.value = value;
    }
  }
  const note = h('p.notice', { role: 'status' }, t('draft.restored'));
  form.prepend(note);
  return d;
}

export function dropDraft(form) {
  const drafts = readDrafts();
  if (drafts[form.dataset.draft]) {
    delete drafts[form.dataset.draft];
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify(drafts));
  }
}

/* A wide table in a box that scrolls sideways on a narrow screen, reachable by keyboard (a named region). */
export function scrollBox(label, table) {
  return h('div.table-wrap', { tabindex: '0', role: 'region', 'aria-label': label }, table);
}

/* A loading line for a region while data comes. */
export function loading() {
  return h('p.loading', { role: 'status' }, t('common.loading'));
}
