/*
 * handover.js — the result of a hand-over to Visma Amili: a progress bar
 * while the batch is dispatched (polling GET /amili/handovers/{batch_id}),
 * and one line per invoice: sent, or not sent with the exact reason and a
 * link to the customer card or invoice to fix it.
 */
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { t, tn } from '../i18n.js';
import { co } from '../state.js';
import { reasonList } from './common.js';

const FINAL = new Set(['registered', 'failed', 'rejected']);

export class HandoverView {
  /* items: Map invoice id → list item (number, customer) for the names. */
  constructor(container, items, { returnTo } = {}) {
    this.container = container;
    this.items = items;
    this.returnTo = returnTo ?? location.hash;
    this.results = new Map();
    this.batches = [];
    this.phase = 'sending';
    this.total = 0;
    this.stopped = false;
    clear(container);
    this.progressLabel = h('p.progress-label', { id: 'handover-progress-label' });
    this.bar = h('div.progress', {
      role: 'progressbar', 'aria-labelledby': 'handover-progress-label', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0',
    }, h('div.progress-fill'));
    this.summary = h('p.summary', { role: 'status' });
    this.list = h('ul.results');
    this.heading = h('h2.results-heading', { tabindex: '-1' }, t('handover.results'));
    container.append(h('section.handover', { 'aria-labelledby': 'handover-results-h' },
      this.progressLabel, this.bar, this.heading, this.summary, this.list));
    this.heading.id = 'handover-results-h';
  }

  setTotal(n) {
    this.total = n;
    this.render();
  }

  /* Merge one POST answer (or a batch status answer). */
  add(res) {
    if (res.batch_id && !this.batches.includes(res.batch_id)) this.batches.push(res.batch_id);
    for (const r of res.results ?? []) {
      const prev = this.results.get(r.invoice_id) ?? {};
      this.results.set(r.invoice_id, { ...prev, ...r, errors: r.errors && r.errors.length ? r.errors : prev.errors ?? [] });
    }
    this.render();
  }

  counts() {
    const c = { queued: 0, registered: 0, failed: 0, rejected: 0 };
    for (const r of this.results.values()) c[r.status] = (c[r.status] ?? 0) + 1;
    return c;
  }

  render() {
    const c = this.counts();
    const total = Math.max(this.total, this.results.size);
    const done = c.registered + c.failed + c.rejected;
    const pct = total ? Math.floor((done * 100) / total) : 0;
    this.bar.setAttribute('aria-valuenow', String(pct));
    this.bar.setAttribute('aria-valuetext', t('handover.progress_text', { done, total }));
    this.bar.firstChild.style.width = `${pct}%`;
    const phaseText = this.phase === 'sending' ? t('handover.phase_sending', { n: this.results.size, total })
      : this.phase === 'dispatching' ? t('handover.phase_dispatching', { done, total })
        : t('handover.phase_done');
    this.progressLabel.textContent = phaseText;
    const sent = c.registered + c.queued;
    const notSent = c.failed + c.rejected;
    this.summary.textContent = this.results.size
      ? `${tn('handover.sent', sent)}, ${tn('handover.not_sent', notSent)}${c.queued ? ` (${tn('handover.queued', c.queued)})` : ''}`
      : '';
    clear(this.list);
    const rows = [...this.results.values()].sort((a, b) => rank(a) - rank(b));
    for (const r of rows) {
      const inv = this.items.get(r.invoice_id);
      const label = inv ? `${t('invoice.number_short', { n: inv.number })} · ${inv.customer?.name ?? ''}` : `#${r.invoice_id}`;
      const ok = r.status === 'registered' || r.status === 'queued';
      const li = h(`li.res.res-${r.status}`, { dataset: { invoiceId: r.invoice_id, status: r.status } },
        inv ? h('a.res-inv', { href: `#/invoices/${inv.number}` }, label) : h('span.res-inv', label),
        ' ',
        h(`span.badge.${ok ? 'ok' : 'bad'}`, t(`handover.status.${r.status}`)),
        r.case_id ? h('span.res-case', { title: r.case_id }, ` ${t('amili.case_id')} ${inv ? inv.number : r.case_id}${r.ocr ? ` · OCR ${r.ocr}` : ''}`) : null,
        !ok ? reasonList(r.errors ?? [], { invoiceId: r.invoice_id, invoiceNumber: inv?.number, customerId: inv?.customer?.id, returnTo: this.returnTo }) : null);
      this.list.append(li);
    }
  }

  /* Poll every batch until nothing is queued (or the time is up). */
  async poll(timeoutMs = 60000) {
    this.phase = 'dispatching';
    this.render();
    const until = Date.now() + timeoutMs;
    let delay = 300;
    while (!this.stopped && Date.now() < until && [...this.results.values()].some((r) => r.status === 'queued')) {
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(2000, Math.floor(delay * 1.5));
      for (const b of this.batches) {
        try {
          const st = await api('GET', co(`/amili/handovers/${encodeURIComponent(b)}`));
          this.add({ results: (st.results ?? []).filter((r) => this.results.has(r.invoice_id)) });
        } catch (err) {
          if (err.handled) return;
          this.progressLabel.textContent = `${t('handover.poll_failed')} ${err.message}`;
          return;
        }
      }
    }
    this.phase = 'done';
    this.render();
  }

  stop() {
    this.stopped = true;
  }
}

function rank(r) {
  return { rejected: 0, failed: 1, queued: 2, registered: 3 }[r.status] ?? 4;
}

/* One POST answer shown with polling, used by the single-invoice dialog. */
export async function showHandoverResults(container, res, items, { poll = true } = {}) {
  const view = new HandoverView(container, items);
  view.setTotal((res.results ?? []).length);
  view.add(res);
  if (poll && res.batch_id) await view.poll();
  else {
    view.phase = 'done';
    view.render();
  }
  return view;
}

export { FINAL };
