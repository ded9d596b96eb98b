/*
 * router.js — the hash router: #/path?query → the view whose pattern
 * matches, a view's cleanup when the next one comes, an error page when a
 * view fails, the flash message and the focus after a view is drawn.
 *
 * Views and the shell import navigate/rerender/parseHash from here; the route
 * table comes from app.js through startRouter(), so this module imports no
 * view and no view imports app.js.
 */
import { announce, clear, h, showError } from './dom.js';
import { t } from './i18n.js';
import { state } from './state.js';

let routes = [];
let beforeEach = () => {};
let renderSeq = 0;
let cleanup = null;

export function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/invoices';
  const [path, qs] = raw.split('?');
  return { path: path || '/invoices', query: new URLSearchParams(qs ?? '') };
}

/* table: [[RegExp, render(main, ctx)], …]; before() runs before every view (the header). */
export function startRouter(table, { before } = {}) {
  routes = table;
  beforeEach = before ?? (() => {});
  window.addEventListener('hashchange', route);
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

export function rerender() {
  route();
}

function runCleanup() {
  if (!cleanup) return;
  try {
    cleanup();
  } catch {
    /* ignore */
  }
  cleanup = null;
}

async function route() {
  if (!state.session) return;
  const { path, query } = parseHash();
  const main = document.getElementById('main');
  const seq = ++renderSeq;
  runCleanup();
  beforeEach();
  for (const [re, fn] of routes) {
    const m = re.exec(path);
    if (!m) continue;
    clear(main);
    const ctx = { params: m.slice(1), query, isCurrent: () => seq === renderSeq };
    await renderView(main, fn, ctx, seq);
    if (seq === renderSeq) afterRender(main);
    return;
  }
  location.hash = '#/invoices';
}

async function renderView(main, fn, ctx, seq) {
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
}

/* The flash message of the previous step, and the focus on the new view. */
function afterRender(main) {
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
