/*
 * invoices.js — the customer invoice list ("Kundfakturor"): filter tabs with
 * counts, search, sortable columns, keyset paging with infinite scroll (and
 * a "Visa fler" button), status badges, the expanded row with details,
 * history and the Åtgärder menu, and bulk send: tick invoices (on the page
 * or all matching the filter), choose the send method ("Visma Amili" or a
 * manual reminder letter), Skicka, confirm, watch the progress bar and read
 * one result per invoice.
 */
import { Action, api, get } from '../api.js';
import { clear, confirmDialog, h, hideError, loading, showError, announce } from '../dom.js';
import { t, tn } from '../i18n.js';
import { addTo, money, moneyTotals, todayLocal } from '../format.js';
import { amiliStatus, co, isActivated, role } from '../state.js';
import { actionsMenu, activationDialog } from '../components/actions.js';
import { handedOver, statusBadges, reasonList } from '../components/common.js';
import { detailBody, loadInvoice } from '../components/details.js';
import { HandoverView } from '../components/handover.js';

const TABS = ['all', 'unpaid', 'overdue', 'agency', 'paid', 'written_off'];
const PAGE = 50;
const MAX_IDS_PER_CALL = 10000;
const BUCKETS = {
  not_due: { status: 'unpaid', sort: '-due_date', test: (i) => i.status === 'unpaid', past: (i) => i.status !== 'unpaid' },
  '1-30': { status: 'overdue', sort: '-due_date', test: (i) => i.days_overdue >= 1 && i.days_overdue <= 30, past: (i) => i.days_overdue > 30 },
  '31-60': { status: 'overdue', sort: '-due_date', test: (i) => i.days_overdue >= 31 && i.days_overdue <= 60, past: (i) => i.days_overdue > 60 },
  '61-90': { status: 'overdue', sort: 'due_date', test: (i) => i.days_overdue >= 61 && i.days_overdue <= 90, past: (i) => i.days_overdue < 61 },
  '90+': { status: 'overdue', sort: 'due_date', test: (i) => i.days_overdue > 90, past: (i) => i.days_overdue <= 90 },
};

/* Kept while the user moves around the app (the results of a send survive
 * a visit to a customer card). */
let ls = fresh();

function fresh() {
  return {
    status: 'all', q: '', sort: 'due_date', bucket: null, method: 'amili',
    selected: new Map(), allMatching: false, resultsEl: null, lastKey: null,
  };
}

export function resetState() {
  ls = fresh();
}

export async function render(main, ctx) {
  const q = ctx.query;
  const status = TABS.includes(q.get('status')) ? q.get('status') : 'all';
  const bucket = BUCKETS[q.get('bucket')] ? q.get('bucket') : null;
  const key = `${status}|${bucket}`;
  if (ls.lastKey !== null && ls.lastKey !== key) {
    ls.selected.clear();
    ls.allMatching = false;
  }
  ls.lastKey = key;
  ls.status = bucket ? BUCKETS[bucket].status : status;
  ls.bucket = bucket;
  if (q.has('q')) ls.q = q.get('q');
  const sortParam = q.get('sort');
  ls.sort = bucket ? BUCKETS[bucket].sort : (['due_date', '-due_date', 'number', '-number', '-remaining'].includes(sortParam) ? sortParam : ls.sort);
  document.title = `${t('invoices.title')} – Påminn`;

  const readOnly = role() === 'read_only';
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const banner = h('div.banner-slot');
  const tabs = h('div.tabs', { role: 'tablist', 'aria-label': t('invoices.filters') });
  const tabButtons = new Map();
  for (const s of TABS) {
    const b = h('button.tab', {
      type: 'button', role: 'tab', id: `tab-${s}`, 'aria-selected': String(s === ls.status && !bucket), 'aria-controls': 'invoice-table',
      tabindex: s === ls.status ? '0' : '-1', dataset: { status: s },
    }, h('span.tab-label', t(`tab.${s}`)), ' ', h('span.count', { dataset: { count: s } }, ''));
    b.addEventListener('click', () => go({ status: s }));
    tabButtons.set(s, b);
    tabs.append(b);
  }
  tabs.addEventListener('keydown', (ev) => {
    const list = [...tabButtons.values()];
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
  });

  const search = h('input#invoice-search', { type: 'search', name: 'q', value: ls.q, autocomplete: 'off', placeholder: t('invoices.search_placeholder') });
  const searchForm = h('form.search', { role: 'search', onsubmit: (ev) => ev.preventDefault() },
    h('label', { for: 'invoice-search' }, t('invoices.search')), search);
  let searchTimer = null;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      ls.q = search.value.trim();
      ls.selected.clear();
      ls.allMatching = false;
      replaceQuery();
      reload();
    }, 300);
  });

  const bucketChip = bucket ? h('p.chip', t('invoices.bucket_filter', { bucket: t(`bucket.${bucket}`) }), ' ',
    h('a', { href: `#/invoices?status=${BUCKETS[bucket].status === 'unpaid' ? 'unpaid' : 'overdue'}` }, t('invoices.bucket_clear'))) : null;

  /* bulk toolbar */
  const selInfo = h('span.sel-info', { 'aria-live': 'polite' });
  const allMatchingBtn = h('button.link-btn#select-all-matching', { type: 'button', hidden: true }, '');
  const methodSel = h('select#send-method', { name: 'method' },
    h('option', { value: 'amili' }, 'Visma Amili'),
    h('option', { value: 'reminder' }, t('send.method_reminder')));
  methodSel.value = ls.method;
  methodSel.addEventListener('change', () => {
    ls.method = methodSel.value;
  });
  const sendBtn = h('button.primary#send-btn', { type: 'button' }, t('send.button'));
  const bulk = readOnly ? null : h('div.bulk', { role: 'group', 'aria-label': t('send.group') },
    selInfo, allMatchingBtn,
    h('span.method', h('label', { for: 'send-method' }, t('send.method')), methodSel),
    sendBtn);
  if (!ls.resultsEl) ls.resultsEl = h('div#send-results.send-results');

  /* table */
  const headCheck = h('input#select-page', { type: 'checkbox', 'aria-label': t('invoices.select_page') });
  const sortBtn = (label, asc, desc, cls) => {
    const active = ls.sort === asc || ls.sort === desc;
    const dir = ls.sort === desc ? 'descending' : ls.sort === asc ? 'ascending' : 'none';
    const th = h('th', { scope: 'col', class: cls, 'aria-sort': active ? dir : null },
      h('button.sort', {
        type: 'button', dataset: { sort: asc ?? desc },
        onclick: () => {
          ls.sort = asc && desc ? (ls.sort === asc ? desc : asc) : (asc ?? desc);
          if (bucket) return go({ status: ls.status, sort: ls.sort });
          replaceQuery();
          reload();
          renderHead();
        },
      }, label, h('span.sort-ind', { 'aria-hidden': 'true' }, active ? (dir === 'descending' ? ' ▼' : ' ▲') : ' ↕')));
    return th;
  };
  const thead = h('thead');
  function renderHead() {
    clear(thead);
    thead.append(h('tr',
      h('th.sel', { scope: 'col' }, readOnly ? null : headCheck),
      h('th.exp', { scope: 'col' }, h('span.sr-only', t('invoices.expand_col'))),
      sortBtn(t('col.number'), 'number', '-number'),
      h('th.phone-hide', { scope: 'col' }, t('col.customer')),
      h('th.opt', { scope: 'col' }, t('col.invoice_date')),
      sortBtn(t('col.due_date'), 'due_date', '-due_date', 'opt3'),
      h('th.num.opt', { scope: 'col' }, t('col.amount')),
      sortBtn(t('col.remaining'), null, '-remaining'),
      h('th.num.opt2', { scope: 'col' }, t('col.days_overdue')),
      h('th.phone-hide', { scope: 'col' }, t('col.status'))));
    thead.querySelector('button[data-sort="-remaining"]').closest('th').classList.add('num');
  }
  renderHead();
  const tbody = h('tbody');
  const table = h('table#invoice-table.invoices', { role: 'tabpanel', 'aria-labelledby': `tab-${ls.status}` },
    h('caption.sr-only', t('invoices.caption')), thead, tbody);
  const listStatus = h('p.list-status', { role: 'status' });
  const moreBtn = h('button#load-more', { type: 'button', hidden: true }, t('invoices.load_more'));
  const sentinel = h('div.sentinel', { 'aria-hidden': 'true' });

  main.append(h('div.view-head',
    h('h1', t('invoices.title')),
    readOnly ? null : h('a.button#new-invoice', { href: '#/invoices/new' }, t('invoices.new'))),
  banner, errBox, tabs, h('div.toolbar', searchForm, bucketChip, bulk), ls.resultsEl,
  h('div.table-wrap', table), listStatus, moreBtn, sentinel);

  /* ---- data ---- */
  const rows = new Map(); /* id → item */
  let cursor = null;
  let loadingPage = false;
  let done = false;
  let generation = 0;

  async function loadCounts() {
    try {
      const c = await get(co('/invoices/counts'));
      for (const s of TABS) {
        const el = tabs.querySelector(`[data-count="${s}"]`);
        el.textContent = `(${c[s] ?? 0})`;
        el.setAttribute('aria-label', tn('invoices.count', c[s] ?? 0));
      }
      ls.counts = c;
      updateSel();
    } catch (err) {
      if (!err.handled) showError(errBox, err);
    }
  }

  async function loadPage() {
    if (loadingPage || done) return;
    loadingPage = true;
    const gen = generation;
    moreBtn.hidden = true;
    listStatus.textContent = t('common.loading');
    try {
      let added = 0;
      for (let round = 0; round < 20; round++) {
        const page = await get(co('/invoices'), { status: ls.status, q: ls.q, sort: ls.sort, limit: PAGE, cursor });
        if (gen !== generation) return;
        cursor = page.next_cursor;
        for (const item of page.items) {
          if (bucket) {
            if (BUCKETS[bucket].past(item) && !BUCKETS[bucket].test(item)) {
              cursor = null;
              break;
            }
            if (!BUCKETS[bucket].test(item)) continue;
          }
          if (rows.has(item.id)) continue;
          rows.set(item.id, item);
          tbody.append(...rowFor(item));
          added += 1;
        }
        if (!cursor || !bucket || added > 0) break;
      }
      done = !cursor;
      hideError(errBox);
    } catch (err) {
      if (gen !== generation) return;
      if (!err.handled) showError(errBox, err);
      moreBtn.hidden = false;
    } finally {
      if (gen === generation) {
        loadingPage = false;
        listStatus.textContent = rows.size === 0 && done ? t('invoices.empty')
          : `${tn('invoices.showing', rows.size)}${done ? '' : ` ${t('invoices.more_available')}`}`;
        moreBtn.hidden = done;
        updateSel();
      }
    }
  }

  function reload() {
    generation += 1;
    rows.clear();
    clear(tbody);
    cursor = null;
    done = false;
    loadingPage = false;
    loadPage();
  }

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && !loadingPage && !done && rows.size > 0) loadPage();
  }, { rootMargin: '400px' });
  observer.observe(sentinel);
  moreBtn.addEventListener('click', () => loadPage());

  /* ---- rows ---- */
  function rowFor(item) {
    const check = h('input.row-check', {
      type: 'checkbox', 'aria-label': t('invoices.select_one', { n: item.number, customer: item.customer.name }),
      checked: ls.allMatching || ls.selected.has(item.id),
    });
    check.addEventListener('change', () => {
      if (ls.allMatching) {
        /* Unticking one turns "all matching" into the loaded rows minus this one. */
        ls.allMatching = false;
        for (const [id, it] of rows) ls.selected.set(id, it);
      }
      if (check.checked) ls.selected.set(item.id, item);
      else ls.selected.delete(item.id);
      updateSel();
    });
    const detailId = `detail-${item.id}`;
    const expand = h('button.expand', {
      type: 'button', 'aria-expanded': 'false', 'aria-controls': detailId,
      'aria-label': t('invoices.expand', { n: item.number }),
    }, h('span', { 'aria-hidden': 'true' }, '▸'));
    const tr = h('tr.inv-row', { dataset: { id: item.id, number: item.number } },
      h('td.sel', readOnly ? null : check),
      h('td.exp', expand),
      h('td', h('a.inv-link', { href: `#/invoices/${item.id}` }, String(item.number))),
      h('td.customer', item.customer.name),
      h('td.opt', item.invoice_date),
      h('td.opt3', item.due_date),
      h('td.num.opt', money(item.total_minor, item.currency)),
      h('td.num.remaining', money(item.remaining_minor, item.currency)),
      h('td.num.opt2', item.days_overdue ? String(item.days_overdue) : ''),
      h('td.status', statusBadges(item)));
    const detailRow = h('tr.detail-row', { id: detailId, hidden: true }, h('td', { colspan: '10' }));
    expand.addEventListener('click', () => toggle(item, tr, detailRow, expand));
    tr.addEventListener('click', (ev) => {
      if (ev.target.closest('a, button, input, label, select')) return;
      toggle(item, tr, detailRow, expand);
    });
    return [tr, detailRow];
  }

  async function toggle(item, tr, detailRow, expand) {
    const openNow = expand.getAttribute('aria-expanded') !== 'true';
    expand.setAttribute('aria-expanded', String(openNow));
    expand.firstChild.textContent = openNow ? '▾' : '▸';
    tr.classList.toggle('expanded', openNow);
    detailRow.hidden = !openNow;
    if (openNow) await fillDetail(item, tr, detailRow);
  }

  async function fillDetail(item, tr, detailRow) {
    const cell = clear(detailRow.firstChild);
    cell.append(loading());
    try {
      await amiliStatus();
      const { inv, history } = await loadInvoice(item.id);
      clear(cell);
      const refresh = async () => {
        await fillDetail(item, tr, detailRow);
        refreshRow(inv.id, tr);
        loadCounts();
      };
      cell.append(h('div.detail', { role: 'region', 'aria-label': t('invoices.detail_label', { n: inv.number }) },
        h('div.detail-head',
          h('h2', t('invoice.number_short', { n: inv.number }), ' · ', inv.customer.name),
          actionsMenu(inv, { onChanged: refresh })),
        detailBody(inv, history),
        h('p', h('a', { href: `#/invoices/${inv.id}` }, t('invoices.open_page')))));
    } catch (err) {
      clear(cell);
      const box = h('div.error-box', { role: 'alert' });
      cell.append(box);
      showError(box, err);
    }
  }

  /* Update a row's cells from a fresh GET of the invoice. */
  async function refreshRow(id, tr) {
    try {
      const inv = await get(co(`/invoices/${id}`));
      const item = { ...rows.get(id), ...inv, amili: inv.amili && inv.amili.state ? { state: inv.amili.state, status: inv.amili.status } : null };
      rows.set(id, item);
      if (ls.selected.has(id)) ls.selected.set(id, item);
      tr.querySelector('td.remaining').textContent = money(item.remaining_minor, item.currency);
      tr.querySelector('td.opt2').textContent = item.days_overdue ? String(item.days_overdue) : '';
      clear(tr.querySelector('td.status')).append(statusBadges(item));
    } catch {
      /* the detail shows the error */
    }
  }

  /* ---- selection ---- */
  function updateSel() {
    if (readOnly) return;
    const n = ls.allMatching ? matchingCount() : ls.selected.size;
    const pageIds = [...rows.keys()];
    const allOnPage = pageIds.length > 0 && pageIds.every((id) => ls.allMatching || ls.selected.has(id));
    headCheck.checked = allOnPage;
    headCheck.indeterminate = !allOnPage && pageIds.some((id) => ls.selected.has(id));
    if (ls.allMatching) {
      selInfo.textContent = n === null ? t('send.all_matching_selected_unknown') : tn('send.all_matching_selected', n);
      allMatchingBtn.hidden = false;
      allMatchingBtn.textContent = t('send.clear_selection');
    } else {
      if (n === 0) selInfo.textContent = t('send.none_selected');
      else {
        const totals = new Map();
        for (const it of ls.selected.values()) addTo(totals, it.currency, it.remaining_minor);
        selInfo.textContent = tn('send.selected', n, { amount: moneyTotals(totals) });
      }
      const mc = matchingCount();
      allMatchingBtn.hidden = !(allOnPage && !done);
      allMatchingBtn.textContent = mc === null ? t('send.select_all_matching_unknown') : tn('send.select_all_matching', mc);
    }
  }

  function matchingCount() {
    if (ls.q || bucket) return done ? rows.size : null;
    return ls.counts ? ls.counts[ls.status] ?? null : null;
  }

  headCheck.addEventListener('change', () => {
    if (ls.allMatching && !headCheck.checked) {
      ls.allMatching = false;
      ls.selected.clear();
    }
    for (const [id, it] of rows) {
      if (headCheck.checked) ls.selected.set(id, it);
      else ls.selected.delete(id);
    }
    for (const c of tbody.querySelectorAll('input.row-check')) c.checked = headCheck.checked;
    updateSel();
  });
  allMatchingBtn.addEventListener('click', () => {
    if (ls.allMatching) {
      ls.allMatching = false;
      ls.selected.clear();
      for (const c of tbody.querySelectorAll('input.row-check')) c.checked = false;
    } else {
      ls.allMatching = true;
      for (const c of tbody.querySelectorAll('input.row-check')) c.checked = true;
    }
    updateSel();
    announce(selInfo.textContent);
  });

  /* ---- send ---- */
  sendBtn?.addEventListener('click', () => send());

  async function collectAllMatching(view) {
    const items = new Map();
    let cur = null;
    view.progressLabel.textContent = t('send.collecting', { n: 0 });
    for (;;) {
      const page = await get(co('/invoices'), { status: ls.status, q: ls.q, sort: ls.sort, limit: 200, cursor: cur });
      for (const it of page.items) {
        if (bucket && !BUCKETS[bucket].test(it)) continue;
        items.set(it.id, it);
      }
      view.progressLabel.textContent = t('send.collecting', { n: items.size });
      cur = page.next_cursor;
      if (!cur) break;
    }
    return items;
  }

  async function send() {
    hideError(errBox);
    if (!ls.allMatching && ls.selected.size === 0) {
      showError(errBox, { message: t('send.nothing_selected') });
      return;
    }
    const method = methodSel.value;
    if (method === 'amili') {
      const st = await amiliStatus(true);
      if (st.status === 'error') {
        const e = st.error;
        if (e.status === 404) e.message = t('amili.unavailable');
        showError(errBox, e);
        return;
      }
      if (!st.data.activated) {
        announce(t('send.activate_first'));
        await activationDialog(() => renderBanner());
        if (!isActivated()) return;
      }
    }
    let items;
    if (ls.allMatching) {
      const tmp = new HandoverView(ls.resultsEl, new Map());
      try {
        items = await collectAllMatching(tmp);
      } catch (err) {
        showError(errBox, err);
        return;
      }
      clear(ls.resultsEl);
    } else {
      items = new Map(ls.selected);
    }
    const totals = new Map();
    for (const it of items.values()) addTo(totals, it.currency, it.remaining_minor);
    const n = items.size;
    const question = method === 'amili'
      ? tn('send.confirm_amili', n, { amount: moneyTotals(totals) })
      : tn('send.confirm_reminder', n, { amount: moneyTotals(totals) });
    const ok = await confirmDialog(t('send.confirm_title'), h('div', h('p', question),
      method === 'amili' ? h('p.muted', t('amili.once_note')) : null), t('send.button'));
    if (!ok) return;
    sendBtn.disabled = true;
    try {
      if (method === 'amili') await sendAmili(items);
      else await sendReminders(items);
    } finally {
      sendBtn.disabled = false;
    }
  }

  async function sendAmili(items) {
    const view = new HandoverView(ls.resultsEl, items);
    const ids = [...items.keys()];
    view.setTotal(ids.length);
    view.heading.focus();
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_CALL) {
      const chunk = ids.slice(i, i + MAX_IDS_PER_CALL);
      const action = new Action();
      try {
        view.add(await api('POST', co('/amili/handovers'), { body: { invoice_ids: chunk }, action }));
      } catch (err) {
        if (err.body && Array.isArray(err.body.results)) view.add(err.body);
        else {
          if (err.status === 404 && err.code === 'not_found') err.message = t('amili.unavailable');
          showError(errBox, err);
          break;
        }
      }
    }
    await view.poll();
    /* Keep the invoices that did not go ticked, for a corrected re-send. */
    ls.allMatching = false;
    ls.selected.clear();
    for (const r of view.results.values()) {
      if (r.status === 'rejected' || r.status === 'failed') {
        const it = items.get(r.invoice_id);
        if (it) ls.selected.set(r.invoice_id, it);
      }
    }
    announce(view.summary.textContent);
    loadCounts();
    reload();
  }

  async function sendReminders(items) {
    const out = clear(ls.resultsEl);
    const label = h('p.progress-label#reminder-progress-label');
    const bar = h('div.progress', { role: 'progressbar', 'aria-labelledby': 'reminder-progress-label', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0' }, h('div.progress-fill'));
    const summary = h('p.summary', { role: 'status' });
    const list = h('ul.results');
    const heading = h('h2.results-heading', { tabindex: '-1' }, t('handover.results'));
    out.append(h('section.handover', label, bar, heading, summary, list));
    heading.focus();
    let i = 0;
    let okCount = 0;
    let failCount = 0;
    const failed = new Map();
    for (const it of items.values()) {
      i += 1;
      label.textContent = t('send.reminders_progress', { done: i, total: items.size });
      const name = `${t('invoice.number_short', { n: it.number })} · ${it.customer?.name ?? ''}`;
      let li;
      if (handedOver(it)) {
        failCount += 1;
        failed.set(it.id, it);
        li = h('li.res.res-rejected', { dataset: { invoiceId: it.id, status: 'rejected' } }, h('a', { href: `#/invoices/${it.id}` }, name), ' ',
          h('span.badge.bad', t('handover.status.rejected')), h('ul.reasons', h('li', t('send.reminder_with_agency'))));
      } else {
        try {
          const r = await api('POST', co(`/invoices/${it.id}/reminders`), { body: { date: todayLocal() }, action: new Action() });
          okCount += 1;
          li = h('li.res.res-registered', { dataset: { invoiceId: it.id, status: 'sent' } }, h('a', { href: `#/invoices/${it.id}` }, name), ' ',
            h('span.badge.ok', t('send.reminder_created')), ' ',
            h('span', `${t('reminder.fee')} ${money(r.fee_minor, it.currency)}, ${t('reminder.interest')} ${money(r.interest_minor, it.currency)} `),
            h('a', { href: `/api/v1${co(`/invoices/${it.id}/reminders/${r.id}/letter.pdf`)}`, target: '_blank', rel: 'noopener' }, t('reminder.open_pdf')));
        } catch (err) {
          if (err.handled) {
            label.textContent = t('err.session_expired_inline');
            return;
          }
          failCount += 1;
          failed.set(it.id, it);
          if (err.status === 404 && err.code === 'not_found') err.message = t('reminder.unavailable');
          li = h('li.res.res-rejected', { dataset: { invoiceId: it.id, status: 'rejected' } }, h('a', { href: `#/invoices/${it.id}` }, name), ' ',
            h('span.badge.bad', t('handover.status.rejected')),
            reasonList([{ code: err.code, field: err.field, message: err.message }], { invoiceId: it.id, customerId: it.customer?.id, returnTo: location.hash }));
        }
      }
      list.append(li);
      const pct = Math.floor((i * 100) / items.size);
      bar.setAttribute('aria-valuenow', String(pct));
      bar.firstChild.style.width = `${pct}%`;
      summary.textContent = `${tn('send.reminders_sent', okCount)}, ${tn('handover.not_sent', failCount)}`;
    }
    label.textContent = t('handover.phase_done');
    ls.allMatching = false;
    ls.selected = failed;
    announce(summary.textContent);
    loadCounts();
    reload();
  }

  /* ---- activation banner (the reminders area leads to the guided start) ---- */
  async function renderBanner() {
    const st = await amiliStatus().catch(() => null);
    clear(banner);
    if (!st || readOnly) return;
    if (st.status === 'ok' && !st.data.activated) {
      banner.append(h('div.banner', { role: 'note' },
        h('p', h('strong', t('banner.not_activated'))), h('p', t('banner.not_activated_text')),
        h('a.button#banner-activate', { href: '#/start' }, t('action.activate'))));
    }
  }

  /* ---- navigation ---- */
  function go({ status: s, sort }) {
    const p = new URLSearchParams();
    p.set('status', s);
    if (ls.q) p.set('q', ls.q);
    if (sort) p.set('sort', sort);
    location.hash = `#/invoices?${p}`;
  }
  function replaceQuery() {
    const p = new URLSearchParams();
    p.set('status', ls.status);
    if (ls.q) p.set('q', ls.q);
    if (ls.sort !== 'due_date') p.set('sort', ls.sort);
    if (bucket) p.set('bucket', bucket);
    history.replaceState(null, '', `#/invoices?${p}`);
  }

  renderBanner();
  loadCounts();
  await loadPage();
  return () => observer.disconnect();
}
