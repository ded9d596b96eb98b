/*
 * header.js — the page header: navigation, the company switcher, the
 * English/Svenska switch, the user and logout.  Drawn again before every
 * view (the router calls renderHeader).
 */
import { announce, clear, h, saveDrafts } from '../dom.js';
import { getLang, setLang, t, tn } from '../i18n.js';
import { navigate, parseHash, rerender } from '../router.js';
import { chooseCompany, loadHeldCount, onChange, state } from '../state.js';
import { logout } from './session.js';

const NAV = [
  ['#/invoices', 'nav.invoices', /^\/invoices/],
  ['#/payments', 'nav.payments', /^\/payments/, () => heldBadge()],
  ['#/start', 'nav.reminders', /^\/start/],
  ['#/dunning', 'nav.dunning', /^\/dunning/],
  ['#/mails', 'nav.mails', /^\/mails/],
  ['#/customers', 'nav.customers', /^\/customers/],
  ['#/ledger', 'nav.ledger', /^\/ledger/],
  ['#/overview', 'nav.overview', /^\/overview/],
  ['#/settings', 'nav.settings', /^\/settings/],
];

/* onCompanySwitch() runs when the user picks another company, before the list is shown. */
export function renderHeader({ onCompanySwitch } = {}) {
  const header = document.getElementById('app-header');
  header.hidden = false;
  clear(header);
  const { path } = parseHash();
  const other = getLang() === 'sv' ? 'en' : 'sv';
  header.append(
    h('div.brand', h('a', { href: '#/invoices' }, 'Påminn')),
    h('nav', { 'aria-label': t('nav.label') },
      h('ul', NAV.map(([href, key, re, extra]) => h('li', h('a', { href, 'aria-current': re.test(path) ? 'page' : null }, t(key), extra?.()))))),
    h('div.header-tools',
      companyControl(onCompanySwitch),
      h('button#lang-switch.link-btn', { type: 'button', lang: other, onclick: () => switchLang(other) }, other === 'en' ? 'English' : 'Svenska'),
      h('span.user', { title: state.session.user.email }, state.session.user.name || state.session.user.email),
      h('button#logout.link-btn', { type: 'button', onclick: logout }, t('header.logout'))),
  );
  document.getElementById('skip-link').textContent = t('header.skip');
  if (state.heldCount === null && state.companyId) loadHeldCount();
}

/* Beside "Inbetalningar": how many bank payments wait to be placed (none: nothing). */
function heldBadge() {
  const n = state.heldCount ?? 0;
  return h('span.nav-count', { hidden: n === 0 },
    h('span', { 'aria-hidden': 'true' }, String(n)), h('span.sr-only', `, ${tn('nav.held', n)}`));
}

/* The count follows every change (a file booked, a payment placed) without drawing the header again. */
onChange((what) => {
  if (what !== 'held-count') return;
  const old = document.querySelector('#app-header .nav-count');
  if (old) old.replaceWith(heldBadge());
});

/* The company's name, or a switcher when the user has more than one. */
function companyControl(onCompanySwitch) {
  const companies = state.session.companies;
  if (companies.length <= 1) return h('div.company', h('span.company-name', companies[0]?.name ?? ''));
  const sel = h('select#company-switch', { 'aria-label': t('header.company') },
    companies.map((c) => h('option', { value: c.id }, c.name)));
  sel.value = String(state.companyId);
  sel.addEventListener('change', () => {
    saveDrafts();
    chooseCompany(Number(sel.value));
    onCompanySwitch?.();
    navigate('#/invoices');
    announce(t('header.company_switched', { name: sel.options[sel.selectedIndex].text }));
  });
  return h('div.company', h('label.sr-only', { for: 'company-switch' }, t('header.company')), sel);
}

function switchLang(l) {
  saveDrafts();
  setLang(l);
  announce(t('header.lang_switched'));
  rerender();
}
