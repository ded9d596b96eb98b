/*
 * bulk-send.js — sending the ticked invoices (or all matching the filter):
 * check that the company can use Visma Amili (else the activation), page in
 * "all matching" when Skicka is pressed, confirm count and total per
 * currency, then hand over to Visma Amili (up to 10 000 ids a call, progress
 * polled) or create manual reminder letters one by one.  Invoices not sent
 * stay ticked for a corrected re-send.
 */
import { Action, api, get } from '../../api.js';
import { announce, confirmDialog, h, hideError, showError } from '../../dom.js';
import { t, tn } from '../../i18n.js';
import { addTo, moneyTotals, todayLocal } from '../../format.js';
import { amiliStatus, co, isActivated } from '../../state.js';
import { activationDialog } from '../../components/actions.js';
import { handedOver, reasonList, sendable } from '../../components/common.js';
import { BUCKETS, ls } from './list-state.js';
import { clearResults, handoverResults, ReminderResults } from './result-panel.js';

const MAX_IDS_PER_CALL = 10000;

/*
 * method: 'amili' | 'reminder'.  onActivated() after the activation dialog,
 * busy(flag) around the sending, onSent() when it is over (refresh the list).
 */
export async function bulkSend({ method, bucket, errBox, onActivated, busy, onSent }) {
  hideError(errBox);
  if (!ls.allMatching && ls.selected.size === 0) {
    showError(errBox, { message: t('send.nothing_selected') });
    return;
  }
  if (method === 'amili' && !(await amiliReady(errBox, onActivated))) return;
  const items = await itemsToSend(bucket, errBox);
  if (!items || !(await confirmSend(method, items))) return;
  busy(true);
  try {
    if (method === 'amili') await sendAmili(items, errBox, onSent);
    else await sendReminders(items, onSent);
  } finally {
    busy(false);
  }
}

/* Whether the company may hand over now; offers the activation when not activated. */
async function amiliReady(errBox, onActivated) {
  const st = await amiliStatus(true);
  if (st.status === 'error') {
    const e = st.error;
    if (e.status === 404) e.message = t('amili.unavailable');
    showError(errBox, e);
    return false;
  }
  if (!st.data.activated) {
    announce(t('send.activate_first'));
    await activationDialog(onActivated);
    if (!isActivated()) return false;
  }
  return true;
}

/* Map id → list item: the ticked ones, or all matching the filter paged in. */
async function itemsToSend(bucket, errBox) {
  if (!ls.allMatching) return new Map(ls.selected);
  const progress = handoverResults(new Map());
  let items;
  try {
    items = await collectAllMatching(bucket, progress.progressLabel);
  } catch (err) {
    showError(errBox, err);
    return null;
  }
  clearResults();
  return items;
}

async function collectAllMatching(bucket, progressLabel) {
  const items = new Map();
  let cur = null;
  progressLabel.textContent = t('send.collecting', { n: 0 });
  for (;;) {
    const page = await get(co('/invoices'), { status: ls.status, q: ls.q, sort: ls.sort, stopped: ls.stopped, limit: 200, cursor: cur });
    for (const it of page.items) {
      if (bucket && !BUCKETS[bucket].test(it)) continue;
      if (!sendable(it)) continue;
      items.set(it.id, it);
    }
    progressLabel.textContent = t('send.collecting', { n: items.size });
    cur = page.next_cursor;
    if (!cur) break;
  }
  return items;
}

function confirmSend(method, items) {
  const totals = new Map();
  for (const it of items.values()) addTo(totals, it.currency, it.remaining_minor);
  const n = items.size;
  const question = method === 'amili'
    ? tn('send.confirm_amili', n, { amount: moneyTotals(totals) })
    : tn('send.confirm_reminder', n, { amount: moneyTotals(totals) });
  return confirmDialog(t('send.confirm_title'), h('div', h('p', question),
    method === 'amili' ? h('p.muted', t('amili.once_note')) : null), t('send.button'));
}

async function sendAmili(items, errBox, onSent) {
  const view = handoverResults(items);
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
  onSent();
}

async function sendReminders(items, onSent) {
  const view = new ReminderResults(items.size);
  view.heading.focus();
  let i = 0;
  let okCount = 0;
  const failed = new Map();
  for (const it of items.values()) {
    i += 1;
    view.working(i);
    const sent = await sendReminder(it, view);
    if (sent === null) return;
    if (sent) okCount += 1;
    else failed.set(it.id, it);
    view.done(i, okCount, failed.size);
  }
  view.finished();
  ls.allMatching = false;
  ls.selected = failed;
  announce(view.summary.textContent);
  onSent();
}

/* One reminder letter: true when created, false when refused, null when the session expired. */
async function sendReminder(it, view) {
  if (handedOver(it)) {
    view.refused(it, h('ul.reasons', h('li', t('send.reminder_with_agency'))));
    return false;
  }
  if (it.reminder_stop) {
    view.refused(it, h('ul.reasons', h('li', t('send.reminders_stopped'))));
    return false;
  }
  try {
    const r = await api('POST', co(`/invoices/${it.id}/reminders`), { body: { date: todayLocal() }, action: new Action() });
    view.sent(it, r);
    return true;
  } catch (err) {
    if (err.handled) {
      view.stopped();
      return null;
    }
    if (err.status === 404 && err.code === 'not_found') err.message = t('reminder.unavailable');
    view.refused(it, reasonList([{ code: err.code, field: err.field, message: err.message }], { invoiceId: it.id, customerId: it.customer?.id, returnTo: location.hash }));
    return false;
  }
}
