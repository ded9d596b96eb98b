/*
 * app.js — the shell of the Påminn web UI: session start-up, the header
 * (navigation, company switcher, language switch, logout), the hash router,
 * and the login page / re-login dialog when the session has expired.
 */
import { api, ApiError, onUnauthorized, setCsrf } from './api.js';
import { announce, clear, dropDraft, field, h, hideError, openDialog, saveDrafts, showError } from './dom.js';
import { getLang, setLang, t } from './i18n.js';
import { chooseCompany, initialCompany, state } from './state.js';
import * as invoices from './views/invoices.js';
import * as invoicePage from './views/invoice.js';
import * as invoiceNew from './views/invoice-new.js';
import * as customers from './views/customers.js';
import * as start from './views/start.js';
import * as overview from './views/overview.js';
import * as settings from './views/settings.js';

const routes = [
  [/^\/invoices\/new$/, invoiceNew.render],
  [/^\/invoices\/(\d+)$/, invoicePage.render],
  [/^\/invoices$/, invoices.render],
  [/^\/customers\/new$/, customers.renderForm],
  [/^\/customers\/(\d+)$/, customers.renderForm],
  [/^\/customers$/, customers.renderList],
  [/^\/start$/, start.render],
  [/^\/overview$/, overview.render],
  [/^\/settings$/, settings.render],
];

const NAV = [
  ['#/invoices', 'nav.invoices', /^\/invoices/],
  ['#/start', 'nav.reminders', /^\/start/],
  ['#/customers', 'nav.customers', /^\/customers/],
  ['#/overview', 'nav.overview', /^\/overview/],
  ['#/settings', 'nav.settings', /^\/settings/],
];

export function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/invoices';
  const [path, qs] = raw.split('?');
  return { path: path || '/invoices', query: new URLSearchParams(qs ?? '') };
}

let renderSeq = 0;
let cleanup = null;

async function route() {
  if (!state.session) return;
  const { path, query } = parseHash();
  const main = document.getElementById('main');
  const seq = ++renderSeq;
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* ignore */
    }
    cleanup = null;
  }
  renderHeader();
  for (const [re, fn] of routes) {
    const m = re.exec(path);
    if (!m) continue;
    clear(main);
    const ctx = { params: m.slice(1), query, isCurrent: () => seq === renderSeq };
    try {
      const c = await fn(main, ctx);
      if (seq === renderSeq && typeof c === 'function') cleanup = c;
    } catch (err) {
      if (seq !== renderSeq) return;
      clear(main);
      const box = h('div.error-box', { role: 'alert' });
      main.append(h('h1', { tabindex: '-1' }, t('err.view_failed')), box);
      showError(box, err);
    }
    if (seq === renderSeq) {
      if (state.flash) {
        announce(state.flash);
        state.flash = null;
      }
      const focusTarget = main.querySelector('[data-autofocus]') || main.querySelector('h1');
      if (focusTarget && !main.contains(document.activeElement)) {
        if (!focusTarget.hasAttribute('tabindex') && focusTarget.tagName === 'H1') focusTarget.setAttribute('tabindex', '-1');
        focusTarget.focus({ preventScroll: false });
      }
    }
    return;
  }
  location.hash = '#/invoices';
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

export function rerender() {
  route();
}

function renderHeader() {
  const header = document.getElementById('app-header');
  header.hidden = false;
  clear(header);
  const { path } = parseHash();
  const companies = state.session.companies;
  let companyCtl;
  if (companies.length > 1) {
    const sel = h('select#company-switch', { 'aria-label': t('header.company') },
      companies.map((c) => h('option', { value: c.id }, c.name)));
    sel.value = String(state.companyId);
    sel.addEventListener('change', () => {
      saveDrafts();
      chooseCompany(Number(sel.value));
      invoices.resetState();
      navigate('#/invoices');
      announce(t('header.company_switched', { name: sel.options[sel.selectedIndex].text }));
    });
    companyCtl = h('div.company', h('label.sr-only', { for: 'company-switch' }, t('header.company')), sel);
  } else {
    companyCtl = h('div.company', h('span.company-name', companies[0]?.name ?? ''));
  }
  const other = getLang() === 'sv' ? 'en' : 'sv';
  header.append(
    h('div.brand', h('a', { href: '#/invoices' }, 'Påminn')),
    h('nav', { 'aria-label': t('nav.label') },
      h('ul', NAV.map(([href, key, re]) => h('li', h('a', { href, 'aria-current': re.test(path) ? 'page' : null }, t(key)))))),
    h('div.header-tools',
      companyCtl,
      h('button#lang-switch.link-btn', { type: 'button', lang: other, onclick: () => switchLang(other) }, other === 'en' ? 'English' : 'Svenska'),
      h('span.user', { title: state.session.user.email }, state.session.user.name || state.session.user.email),
      h('button#logout.link-btn', { type: 'button', onclick: logout }, t('header.logout'))),
  );
  document.getElementById('skip-link').textContent = t('header.skip');
}

function switchLang(l) {
  saveDrafts();
  setLang(l);
  announce(t('header.lang_switched'));
  route();
}

async function logout() {
  try {
    await api('DELETE', '/session', { noAuthRedirect: true });
  } catch (err) {
    if (err.status !== 401) {
      announce(err.message);
      return;
    }
  }
  state.session = null;
  setCsrf(null);
  try {
    sessionStorage.clear();
  } catch {
    /* ignore */
  }
  location.hash = '#/invoices';
  showLoginPage(t('login.logged_out'));
}

function applySession(session) {
  state.session = session;
  setCsrf(session.csrf_token);
  if (!session.companies.some((c) => c.id === state.companyId)) chooseCompany(initialCompany(session.companies));
}

/* The login form; onDone(session) after a successful login. */
function loginForm(onDone, note) {
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const form = h('form.login-form', { novalidate: true },
    note ? h('p.notice', note) : null,
    errBox,
    field(t('login.email'), 'email', { kind: 'email', autocomplete: 'username', required: true }),
    field(t('login.password'), 'password', { kind: 'password', autocomplete: 'current-password', required: true }),
    h('div.buttons', h('button.primary', { type: 'submit' }, t('login.submit'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    hideError(errBox);
    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
    if (!email || !password) {
      showError(errBox, new ApiError(0, 'required', t('login.required')));
      (email ? form.elements.password : form.elements.email).focus();
      return;
    }
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      const session = await api('POST', '/session', { body: { email, password }, noAuthRedirect: true });
      onDone(session);
    } catch (err) {
      showError(errBox, err);
      form.elements.password.focus();
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}

function showLoginPage(note) {
  document.getElementById('app-header').hidden = true;
  const main = clear(document.getElementById('main'));
  const other = getLang() === 'sv' ? 'en' : 'sv';
  const form = loginForm((session) => {
    applySession(session);
    let next = null;
    try {
      next = sessionStorage.getItem('paminn.next');
      sessionStorage.removeItem('paminn.next');
    } catch {
      /* ignore */
    }
    if (next && next !== location.hash) location.hash = next;
    else route();
  }, note);
  main.append(h('section.login',
    h('h1', { tabindex: '-1' }, t('login.title')),
    h('p.lead', t('login.lead')),
    form,
    h('p', h('button.link-btn#lang-switch', { type: 'button', lang: other, onclick: () => { setLang(other); showLoginPage(note); } },
      other === 'en' ? 'English' : 'Svenska'))));
  document.title = `${t('login.title')} – Påminn`;
  form.elements.email.focus();
}

let reloginOpen = false;

/* 401 in the middle of work: keep every half-filled form, log in again on top. */
function sessionExpired() {
  saveDrafts();
  try {
    sessionStorage.setItem('paminn.next', location.hash);
  } catch {
    /* ignore */
  }
  if (reloginOpen) return;
  reloginOpen = true;
  const previousUser = state.session?.user?.id;
  openDialog(t('login.expired_title'), (body, close) => {
    body.append(loginForm((session) => {
      const sameUser = session.user.id === previousUser;
      applySession(session);
      close(sameUser ? 'same' : 'other');
    }, t('login.expired_note')));
  }).then((how) => {
    reloginOpen = false;
    if (how === 'same') {
      try {
        sessionStorage.removeItem('paminn.next');
      } catch {
        /* ignore */
      }
      /* The page is as it was: drop the saved copies of forms still on screen. */
      for (const form of document.querySelectorAll('form[data-draft]')) dropDraft(form);
      announce(t('login.back_again'));
    } else if (how === 'other') {
      location.reload();
    } else {
      showLoginPage(t('login.expired_note'));
    }
  });
}

async function boot() {
  setLang(getLang());
  onUnauthorized(sessionExpired);
  window.addEventListener('hashchange', route);
  try {
    const session = await api('GET', '/session', { noAuthRedirect: true });
    applySession(session);
    route();
  } catch (err) {
    if (err.status === 401) showLoginPage();
    else {
      const main = clear(document.getElementById('main'));
      const box = h('div.error-box', { role: 'alert' });
      main.append(h('h1', 'Påminn'), box);
      showError(box, err);
    }
  }
}

boot();
