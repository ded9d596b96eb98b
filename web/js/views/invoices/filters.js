/*
 * filters.js — the invoice list's filters: the tabs with counts (arrow
 * keys, Home and End move between them), the search field (searches 300 ms
 * after the last key) and the chip of an aging bucket from the overview.
 */
import { h } from '../../dom.js';
import { t, tn } from '../../i18n.js';
import { BUCKETS, go, ls, TABS } from './list-state.js';

/* The tab list; setCounts(counts) fills in "(n)" per tab. */
export function filterTabs(bucket) {
  const el = h('div.tabs', { role: 'tablist', 'aria-label': t('invoices.filters') });
  const buttons = TABS.map((s) => {
    const b = h('button.tab', {
      type: 'button', role: 'tab', id: `tab-${s}`, 'aria-selected': String(s === ls.status && !bucket), 'aria-controls': 'invoice-table',
      tabindex: s === ls.status ? '0' : '-1', dataset: { status: s },
    }, h('span.tab-label', t(`tab.${s}`)), ' ', h('span.count', { dataset: { count: s } }, ''));
    b.addEventListener('click', () => go({ status: s }));
    return b;
  });
  el.append(...buttons);
  el.addEventListener('keydown', (ev) => moveFocus(ev, buttons));
  const setCounts = (c) => {
    for (const s of TABS) {
      const count = el.querySelector(`[data-count="${s}"]`);
      count.textContent = `(${c[s] ?? 0})`;
      count.setAttribute('aria-label', tn('invoices.count', c[s] ?? 0));
    }
  };
  return { el, setCounts };
}

function moveFocus(ev, list) {
  const i = list.indexOf(document.activeElement);
  if (i < 0) return;
  let j = null;
  if (ev.key === 'ArrowRight') j = (i + 1) % list.length;
  else if (ev.key === 'ArrowLeft') j = (i - 1 + list.length) % list.length;
  else if (ev.key === 'Home') j = 0;
  else if (ev.key === 'End') j = list.length - 1;
  if (j === null) return;
  ev.preventDefault();
  list[j].focus();
}

/* The search form; onSearch(text) after the user stops typing. */
export function searchForm(onSearch) {
  const search = h('input#invoice-search', { type: 'search', name: 'q', value: ls.q, autocomplete: 'off', placeholder: t('invoices.search_placeholder') });
  const form = h('form.search', { role: 'search', onsubmit: (ev) => ev.preventDefault() },
    h('label', { for: 'invoice-search' }, t('invoices.search')), search);
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => onSearch(search.value.trim()), 300);
  });
  return form;
}

/* The choice of invoices by stopped reminders: all, only stopped, only not stopped. */
export function stoppedFilter(onChange) {
  const sel = h('select#invoice-stopped', { name: 'stopped' },
    h('option', { value: '' }, t('invoices.stopped_any')),
    h('option', { value: 'true' }, t('invoices.stopped_true')),
    h('option', { value: 'false' }, t('invoices.stopped_false')));
  sel.value = ls.stopped ?? '';
  sel.addEventListener('change', () => {
    ls.stopped = sel.value || null;
    onChange();
  });
  return h('div.stopped-filter', h('label', { for: 'invoice-stopped' }, t('invoices.stopped_label')), sel);
}

/* "Filtered on …" with a link back to the whole filter, when a bucket is chosen. */
export function bucketChip(bucket) {
  if (!bucket) return null;
  return h('p.chip', t('invoices.bucket_filter', { bucket: t(`bucket.${bucket}`) }), ' ',
    h('a', { href: `#/invoices?status=${BUCKETS[bucket].status === 'unpaid' ? 'unpaid' : 'overdue'}` }, t('invoices.bucket_clear')));
}
