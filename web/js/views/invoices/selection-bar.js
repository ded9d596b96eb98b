/*
 * selection-bar.js — the bar above the table for bulk send: how many
 * invoices are ticked and their total per currency, "Markera alla som
 * matchar filtret" (or clear the selection), the send method (Visma Amili
 * or a manual reminder letter) and Skicka.  Also keeps the tick boxes (the
 * page's box in the table head and each row's) in step with the selection.
 */
import { announce, h } from '../../dom.js';
import { t, tn } from '../../i18n.js';
import { addTo, moneyTotals } from '../../format.js';
import { bulkSend } from './bulk-send.js';
import { clearSelection, ls } from './list-state.js';

export class SelectionBar {
  /* onActivated() after the company was activated from here (the banner goes). */
  constructor({ bucket, readOnly, errBox, onActivated }) {
    Object.assign(this, { bucket, readOnly, errBox, onActivated, list: null });
    this.info = h('span.sel-info', { 'aria-live': 'polite' });
    this.allMatchingBtn = h('button.link-btn#select-all-matching', { type: 'button', hidden: true }, '');
    this.methodSel = h('select#send-method', { name: 'method' },
      h('option', { value: 'amili' }, 'Visma Amili'),
      h('option', { value: 'reminder' }, t('send.method_reminder')));
    this.methodSel.value = ls.method;
    this.methodSel.addEventListener('change', () => {
      ls.method = this.methodSel.value;
    });
    this.sendBtn = h('button.primary#send-btn', { type: 'button' }, t('send.button'));
    this.el = readOnly ? null : h('div.bulk', { role: 'group', 'aria-label': t('send.group') },
      this.info, this.allMatchingBtn,
      h('span.method', h('label', { for: 'send-method' }, t('send.method')), this.methodSel),
      this.sendBtn);
    /* The table head's box: the whole page. */
    this.headCheck = h('input#select-page', { type: 'checkbox', 'aria-label': t('invoices.select_page') });
    this.headCheck.addEventListener('change', () => this.tickPage(this.headCheck.checked));
    this.allMatchingBtn.addEventListener('click', () => this.toggleAllMatching());
    this.sendBtn.addEventListener('click', () => this.send());
  }

  /* The list whose rows are ticked (InvoiceList: rows, done, tickRows, loadCounts, reload). */
  attach(list) {
    this.list = list;
  }

  isTicked(id) {
    return ls.allMatching || ls.selected.has(id);
  }

  /* A row's box. */
  tick(item, checked) {
    if (ls.allMatching) {
      /* Unticking one turns "all matching" into the loaded rows minus this one. */
      ls.allMatching = false;
      for (const [id, it] of this.list.sendableRows()) ls.selected.set(id, it);
    }
    if (checked) ls.selected.set(item.id, item);
    else ls.selected.delete(item.id);
    this.update();
  }

  tickPage(checked) {
    if (ls.allMatching && !checked) clearSelection();
    for (const [id, it] of this.list.sendableRows()) {
      if (checked) ls.selected.set(id, it);
      else ls.selected.delete(id);
    }
    this.list.tickRows(checked);
    this.update();
  }

  toggleAllMatching() {
    if (ls.allMatching) {
      clearSelection();
      this.list.tickRows(false);
    } else {
      ls.allMatching = true;
      this.list.tickRows(true);
    }
    this.update();
    announce(this.info.textContent);
  }

  /* How many invoices match the filter, when known. */
  matchingCount() {
    if (ls.q || this.bucket) return this.list.done ? this.list.rows.size : null;
    return ls.counts ? ls.counts[ls.status] ?? null : null;
  }

  /* Bring the boxes, the count and the "all matching" button up to date. */
  update() {
    if (this.readOnly) return;
    const n = ls.allMatching ? this.matchingCount() : ls.selected.size;
    const pageIds = this.list.sendableRows().map(([id]) => id);
    const allOnPage = pageIds.length > 0 && pageIds.every((id) => ls.allMatching || ls.selected.has(id));
    this.headCheck.checked = allOnPage;
    this.headCheck.indeterminate = !allOnPage && pageIds.some((id) => ls.selected.has(id));
    if (ls.allMatching) {
      this.info.textContent = n === null ? t('send.all_matching_selected_unknown') : tn('send.all_matching_selected', n);
      this.allMatchingBtn.hidden = false;
      this.allMatchingBtn.textContent = t('send.clear_selection');
      return;
    }
    if (n === 0) this.info.textContent = t('send.none_selected');
    else {
      const totals = new Map();
      for (const it of ls.selected.values()) addTo(totals, it.currency, it.remaining_minor);
      const elsewhere = [...ls.selected.keys()].filter((id) => !this.list.rows.has(id)).length;
      this.info.textContent = tn('send.selected', n, { amount: moneyTotals(totals) }) + (elsewhere ? ` ${tn('send.selected_elsewhere', elsewhere)}` : '');
    }
    const mc = this.matchingCount();
    this.allMatchingBtn.hidden = !(allOnPage && !this.list.done);
    this.allMatchingBtn.textContent = mc === null ? t('send.select_all_matching_unknown') : tn('send.select_all_matching', mc);
  }

  send() {
    return bulkSend({
      method: this.methodSel.value,
      bucket: this.bucket,
      errBox: this.errBox,
      onActivated: this.onActivated,
      busy: (on) => {
        this.sendBtn.disabled = on;
      },
      onSent: () => {
        this.list.loadCounts();
        this.list.reload();
      },
    });
  }
}
