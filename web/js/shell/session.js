/*
 * session.js — the login session: start-up (is there a session?), the
 * login page, the re-login dialog over the page when the session has
 * expired (half-filled forms are kept), and logout.
 */
import { api, ApiError, setCsrf } from '../api.js';
import { announce, clear, dropDraft, field, h, hideError, openDialog, saveDrafts, showError } from '../dom.js';
import { getLang, setLang, t } from '../i18n.js';
import { rerender } from '../router.js';
import { chooseCompany, initialCompany, state } from '../state.js';

/* Ask for the session: show the current view, the login page or the error. */
export async function startSession() {
  try {
    const session = await api('GET', '/session', { noAuthRedirect: true });
    applySession(session);
    rerender();
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

export async function logout() {
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
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitLogin(form, errBox, onDone);
  });
  return form;
}

async function submitLogin(form, errBox, onDone) {
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
    else rerender();
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
export function sessionExpired() {
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
  }).then(afterRelogin);
}

function afterRelogin(how) {
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
}
