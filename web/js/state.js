/*
 * state.js — what the whole UI shares: the login session, the chosen
 * company, the company's Visma Amili status (cached, refreshed on
 * demand), the number of bank payments waiting to be placed, and the
 * word that something changed (so that every part of the screen showing
 * it follows without a reload).  No DOM here.
 */
import { api, get } from './api.js';

export const state = {
  session: null,
  companyId: null,
  company: null,
  amili: null, /* {status: 'ok', data} | {status: 'error', error} */
  flash: null, /* a message to show on the next view */
  heldCount: null, /* bank payments waiting to be placed (the menu's count); null: not known */
};

export const co = (p = '') => `/companies/${state.companyId}${p}`;

export function chooseCompany(id) {
  state.companyId = id;
  state.company = null;
  state.amili = null;
  state.heldCount = null;
  try {
    localStorage.setItem('paminn.company', String(id));
  } catch {
    /* ignore */
  }
}

export function initialCompany(companies) {
  let saved = null;
  try {
    saved = Number(localStorage.getItem('paminn.company'));
  } catch {
    /* ignore */
  }
  const found = companies.find((c) => c.id === saved);
  return (found ?? companies[0])?.id ?? null;
}

export function role() {
  return state.session?.companies.find((c) => c.id === state.companyId)?.role ?? 'read_only';
}

export async function loadCompany(force = false) {
  if (!state.company || force) state.company = await get(co());
  return state.company;
}

/* The company's Amili status; never throws (the error is in the answer). */
export async function amiliStatus(force = false) {
  if (state.amili && !force) return state.amili;
  try {
    state.amili = { status: 'ok', data: await get(co('/amili')) };
  } catch (error) {
    if (error.handled) throw error;
    state.amili = { status: 'error', error };
  }
  return state.amili;
}

export function isActivated() {
  return state.amili?.status === 'ok' && state.amili.data.activated === true;
}

export { api };

/*
 * Tell the parts of the screen that an action changed `what` ('amili': the
 * activation, 'invoice': an invoice's amounts or state); onChange(fn)
 * listens and returns the function that stops listening.
 */
export function notifyChanged(what) {
  window.dispatchEvent(new CustomEvent('paminn:changed', { detail: what }));
}

export function onChange(fn) {
  const listener = (ev) => fn(ev.detail);
  window.addEventListener('paminn:changed', listener);
  return () => window.removeEventListener('paminn:changed', listener);
}

/*
 * The number of bank payments waiting to be placed on an invoice, for the
 * menu: setHeldCount(n) when a view has just read the list, loadHeldCount()
 * to read it (never throws, never asks to log in again).  Either tells the
 * screen with notifyChanged('held-count').
 */
export function setHeldCount(n) {
  state.heldCount = n;
  notifyChanged('held-count');
}

let heldLoading = null;
export function loadHeldCount() {
  if (heldLoading) return heldLoading;
  const company = state.companyId;
  heldLoading = api('GET', co('/payments/unmatched'), { noAuthRedirect: true })
    .then((r) => {
      if (company === state.companyId) setHeldCount(r.items.filter((u) => !u.invoice_id).length);
    })
    .catch(() => {
      /* Not asked again at every view: the payments view or a booking tells it. */
      if (company === state.companyId && state.heldCount === null) state.heldCount = 0;
    })
    .finally(() => {
      heldLoading = null;
    });
  return heldLoading;
}
