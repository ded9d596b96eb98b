/*
 * list.js — the invoice list: filter tabs with counts, search, the table
 * with sortable columns, and keyset paging (50 a page) that loads the next
 * page when the end comes into view or with "Visa fler".  With an aging
 * bucket from the overview, pages are read until the bucket's invoices are
 * found and stop after them.
 */
import { get } from '../../api.js';
import { clear, h, hideError, showError } from '../../dom.js';
import { t, tn } from '../../i18n.js';
import { co } from '../../state.js';
import { sendable } from '../../components/common.js';
import { bucketChip, filterTabs, searchForm, stoppedFilter } from './filters.js';
import { BUCKETS, go, ls, replaceQuery } from './list-state.js';
import { invoiceRow, updateRow } from './row.js';

const PAGE = 50;

export class InvoiceList {
  /* selection: the SelectionBar (headCheck, isTicked, tick, update). */
  constructor({ bucket, readOnly, errBox, selection }) {
    Object.assign(this, { bucket, readOnly, errBox, selection });
    this.rows = new Map(); /* id → item */
    this.cursor = null;
    this.loadingPage = false;
    this.done = false;
    this.generation = 0;
    this.tabs = filterTabs(bucket);
    this.searchForm = searchForm((q) => this.search(q));
    this.bucketChip = bucketChip(bucket);
    this.stoppedFilter = stoppedFilter(() => {
      replaceQuery(this.bucket);
      this.reload();
    });
    this.thead = h('thead');
    this.tbody = h('tbody');
    this.renderHead();
    this.table = h('table#invoice-table.invoices', { role: 'tabpanel', 'aria-labelledby': `tab-${ls.status}` },
      h('caption.sr-only', t('invoices.caption')), this.thead, this.tbody);
    this.listStatus = h('p.list-status', { role: 'status' });
    this.moreBtn = h('button#load-more', { type: 'button', hidden: true }, t('invoices.load_more'));
    this.moreBtn.addEventListener('click', () => this.loadPage());
    this.sentinel = h('div.sentinel', { 'aria-hidden': 'true' });
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !this.loadingPage && !this.done && this.rows.size > 0) this.loadPage();
    }, { rootMargin: '400px' });
    this.observer.observe(this.sentinel);
  }

  /* When the view goes. */
  stop() {
    this.observer.disconnect();
  }

  renderHead() {
    clear(this.thead);
    this.thead.append(h('tr',
      h('th.sel', { scope: 'col' }, this.readOnly ? null : this.selection.headCheck),
      h('th.exp', { scope: 'col' }, h('span.sr-only', t('invoices.expand_col'))),
      this.sortHeader(t('col.number'), 'number', '-number'),
      h('th.phone-hide', { scope: 'col' }, t('col.customer')),
      h('th.opt', { scope: 'col' }, t('col.invoice_date')),
      this.sortHeader(t('col.due_date'), 'due_date', '-due_date', 'opt3'),
      h('th.num.opt', { scope: 'col' }, t('col.amount')),
      this.sortHeader(t('col.remaining'), null, '-remaining'),
      h('th.num.opt2', { scope: 'col' }, t('col.days_overdue')),
      h('th.phone-hide', { scope: 'col' }, t('col.status'))));
    this.thead.querySelector('button[data-sort="-remaining"]').closest('th').classList.add('num');
  }

  /* A column head that sorts (asc and/or desc are sort keys). */
  sortHeader(label, asc, desc, cls) {
    const active = ls.sort === asc || ls.sort === desc;
    const dir = ls.sort === desc ? 'descending' : ls.sort === asc ? 'ascending' : 'none';
    return h('th', { scope: 'col', class: cls, 'aria-sort': active ? dir : null },
      h('button.sort', { type: 'button', dataset: { sort: asc ?? desc }, onclick: () => this.sortBy(asc, desc) },
        label, h('span.sort-ind', { 'aria-hidden': 'true' }, active ? (dir === 'descending' ? ' ▼' : ' ▲') : ' ↕')));
  }

  sortBy(asc, desc) {
    ls.sort = asc && desc ? (ls.sort === asc ? desc : asc) : (asc ?? desc);
    if (this.bucket) return go({ status: ls.status, sort: ls.sort });
    replaceQuery(this.bucket);
    this.reload();
    this.renderHead();
  }

  /* A new search keeps what is ticked (the bar counts it); "all matching" becomes the rows loaded. */
  search(q) {
    ls.q = q;
    if (ls.allMatching) {
      ls.allMatching = false;
      for (const [id, it] of this.sendableRows()) ls.selected.set(id, it);
    }
    replaceQuery(this.bucket);
    this.reload();
  }

  async loadCounts() {
    try {
      const c = await get(co('/invoices/counts'));
      this.tabs.setCounts(c);
      ls.counts = c;
      this.selection.update();
    } catch (err) {
      if (!err.handled) showError(this.errBox, err);
    }
  }

  async loadPage() {
    if (this.loadingPage || this.done) return;
    this.loadingPage = true;
    const gen = this.generation;
    this.moreBtn.hidden = true;
    this.listStatus.textContent = t('common.loading');
    try {
      let added = 0;
      for (let round = 0; round < 20; round++) {
        const page = await get(co('/invoices'), { status: ls.status, q: ls.q, sort: ls.sort, stopped: ls.stopped, limit: PAGE, cursor: this.cursor });
        if (gen !== this.generation) return;
        this.cursor = page.next_cursor;
        added += this.addItems(page.items);
        if (!this.cursor || !this.bucket || added > 0) break;
      }
      this.done = !this.cursor;
      hideError(this.errBox);
    } catch (err) {
      if (gen !== this.generation) return;
      if (!err.handled) showError(this.errBox, err);
      this.moreBtn.hidden = false;
    } finally {
      if (gen === this.generation) this.pageLoaded();
    }
  }

  /* Add a page's invoices (only the bucket's, if one is chosen); returns how many. */
  addItems(items) {
    const b = this.bucket ? BUCKETS[this.bucket] : null;
    let added = 0;
    for (const item of items) {
      if (b) {
        if (b.past(item) && !b.test(item)) {
          this.cursor = null;
          break;
        }
        if (!b.test(item)) continue;
      }
      if (this.rows.has(item.id)) continue;
      this.rows.set(item.id, item);
      /* A ticked invoice changed elsewhere (paid from a bank file) is ticked as it is now. */
      if (ls.selected.has(item.id)) {
        if (sendable(item)) ls.selected.set(item.id, item);
        else ls.selected.delete(item.id);
      }
      this.tbody.append(...this.rowFor(item));
      added += 1;
    }
    return added;
  }

  pageLoaded() {
    this.loadingPage = false;
    this.listStatus.textContent = this.rows.size === 0 && this.done ? t('invoices.empty')
      : `${tn('invoices.showing', this.rows.size)}${this.done ? '' : ` ${t('invoices.more_available')}`}`;
    this.moreBtn.hidden = this.done;
    this.selection.update();
  }

  /* From the first page again (new search, sort, or after a send). */
  reload() {
    this.generation += 1;
    this.rows.clear();
    clear(this.tbody);
    this.cursor = null;
    this.done = false;
    this.loadingPage = false;
    this.loadPage();
  }

  rowFor(item) {
    return invoiceRow(item, {
      readOnly: this.readOnly,
      selection: this.selection,
      onChanged: (id, tr) => {
        this.refreshRow(id, tr);
        this.loadCounts();
      },
    });
  }

  /* Tick or untick every row's box (not those that cannot be sent). */
  tickRows(checked) {
    for (const c of this.tbody.querySelectorAll('input.row-check:not(:disabled)')) c.checked = checked;
  }

  /* The loaded invoices that a send may include. */
  sendableRows() {
    return [...this.rows].filter(([, it]) => sendable(it));
  }

  /* Update a row's cells from a fresh GET of the invoice. */
  async refreshRow(id, tr) {
    try {
      const inv = await get(co(`/invoices/${id}`));
      const item = { ...this.rows.get(id), ...inv, amili: inv.amili && inv.amili.state ? { state: inv.amili.state, status: inv.amili.status } : null };
      this.rows.set(id, item);
      if (ls.selected.has(id)) {
        if (sendable(item)) ls.selected.set(id, item);
        else ls.selected.delete(id);
        this.selection.update();
      }
      updateRow(tr, item);
    } catch {
      /* the detail shows the error */
    }
  }
}
