/*
 * result-panel.js — where a bulk send shows its progress and one result per
 * invoice, above the table.  The panel element is kept in the list's state,
 * so the results are still there after a visit to a customer card to fix a
 * refusal.  Visma Amili uses the hand-over view (components/handover.js);
 * manual reminder letters get the same look from ReminderResults.
 */
import { clear, h } from '../../dom.js';
import { t, tn } from '../../i18n.js';
import { money } from '../../format.js';
import { co } from '../../state.js';
import { HandoverView } from '../../components/handover.js';
import { ls } from './list-state.js';

export function resultPanel() {
  if (!ls.resultsEl) ls.resultsEl = h('div#send-results.send-results');
  return ls.resultsEl;
}

export function clearResults() {
  clear(resultPanel());
}

/* Progress and results of a hand-over to Visma Amili; items: Map id → list item. */
export function handoverResults(items) {
  return new HandoverView(resultPanel(), items);
}

const invoiceName = (it) => `${t('invoice.number_short', { n: it.number })} · ${it.customer?.name ?? ''}`;
const invoiceLink = (it) => h('a', { href: `#/invoices/${it.number}` }, invoiceName(it));

/* Progress and results of manual reminder letters, one invoice at a time. */
export class ReminderResults {
  constructor(total) {
    this.total = total;
    this.label = h('p.progress-label#reminder-progress-label');
    this.bar = h('div.progress', {
      role: 'progressbar', 'aria-labelledby': 'reminder-progress-label', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0',
    }, h('div.progress-fill'));
    this.summary = h('p.summary', { role: 'status' });
    this.list = h('ul.results');
    this.heading = h('h2.results-heading', { tabindex: '-1' }, t('handover.results'));
    clearResults();
    resultPanel().append(h('section.handover', this.label, this.bar, this.heading, this.summary, this.list));
  }

  /* Working on the i-th invoice (from 1). */
  working(i) {
    this.label.textContent = t('send.reminders_progress', { done: i, total: this.total });
  }

  /* A line for a reminder created: fee, interest and the letter. */
  sent(it, r) {
    this.list.append(h('li.res.res-registered', { dataset: { invoiceId: it.id, status: 'sent' } }, invoiceLink(it), ' ',
      h('span.badge.ok', t('send.reminder_created')), ' ',
      h('span', `${t('reminder.fee')} ${money(r.fee_minor, it.currency)}${r.late_compensation_minor > 0 ? `, ${t('reminder.late_compensation')} ${money(r.late_compensation_minor, it.currency)}` : ''}, ${t('reminder.interest')} ${money(r.interest_minor, it.currency)}, ${t('reminder.total_due')} ${money(r.total_due_minor, it.currency)} `),
      h('a', { href: `/api/v1${co(`/invoices/${it.id}/reminders/${r.id}/letter.pdf`)}`, download: '' }, t('reminder.open_pdf'))));
  }

  /* A line for an invoice not sent; reasons: the list of reasons (an element). */
  refused(it, reasons) {
    this.list.append(h('li.res.res-rejected', { dataset: { invoiceId: it.id, status: 'rejected' } }, invoiceLink(it), ' ',
      h('span.badge.bad', t('send.reminder_not_created')), reasons));
  }

  /* After the i-th invoice: the bar and the counts so far. */
  done(i, okCount, failCount) {
    const pct = Math.floor((i * 100) / this.total);
    this.bar.setAttribute('aria-valuenow', String(pct));
    this.bar.firstChild.style.width = `${pct}%`;
    this.summary.textContent = failCount ? `${tn('send.reminders_sent', okCount)}, ${tn('send.reminders_failed', failCount)}` : tn('send.reminders_sent', okCount);
  }

  stopped() {
    this.label.textContent = t('err.session_expired_inline');
  }

  finished() {
    this.label.textContent = t('handover.phase_done');
  }
}
