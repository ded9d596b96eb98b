/*
 * reminder-stop.js — stopping reminders on an invoice or a customer card
 * (a dispute, a payment plan): the notice that says a stop holds (reason,
 * since, until, "no interest") with a button to resume reminders, and the
 * small dialog that sets or changes a stop.  A stopped invoice gets no
 * reminder and is not handed over; the server decides, these pieces only
 * say it and ask.
 */
import { api } from '../api.js';
import { clearFieldErrors, field, h, hideError, nextId, openDialog, showError } from '../dom.js';
import { t } from '../i18n.js';
import { isDate } from '../format.js';
import { co, role } from '../state.js';

const KINDS = ['dispute', 'payment_plan', 'other'];

/* Where a stop is set and lifted: the invoice's own or the customer's. */
export function stopUrl(source, id) {
  return co(`/${source === 'customer' ? 'customers' : 'invoices'}/${id}/reminder-stop`);
}

/* The stop in one line: "Bestridd – till och med 2025-10-31". */
export function stopSummary(s) {
  const reason = s.kind === 'other' && s.text ? `${t('stop.kind.other')}: ${s.text}` : t(`stop.kind.${s.kind}`);
  return `${reason} – ${s.until ? t('stop.until_date', { date: s.until }) : t('stop.until_lifted')}`;
}

/*
 * The notice of a stop holding today, or null.  stop: the invoice's or the
 * customer's reminder_stop; ids: {invoiceId, customerId}; onChanged()
 * after resuming.
 */
export function stopNotice(stop, { invoiceId, customerId, onChanged }) {
  if (!stop || typeof stop !== 'object') return null;
  const byCustomer = stop.source === 'customer';
  const headingId = nextId('stop-head');
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const canWrite = role() !== 'read_only';
  const resume = canWrite ? h('button.resume-stop', { type: 'button' },
    t(byCustomer && invoiceId ? 'stop.resume_customer' : 'stop.resume')) : null;
  const box = h('section.stop-notice', { 'aria-labelledby': headingId },
    h('h3', { id: headingId }, t('stop.notice_title')),
    h('p.stop-reason', stopSummary(stop)),
    stop.kind !== 'other' && stop.text ? h('p.stop-text', stop.text) : null,
    h('p.stop-since', t('stop.since', { date: stop.since, by: stop.by })),
    stop.no_interest ? h('p.stop-interest', t('stop.no_interest_note', { date: stop.since })) : null,
    byCustomer && invoiceId ? h('p.hint', t('stop.by_customer'), ' ',
      h('a', { href: `#/customers/${customerId}` }, t('stop.open_customer'))) : null,
    h('p.hint', t('stop.blocks')),
    errBox,
    resume ? h('div.buttons', resume) : null);
  resume?.addEventListener('click', async () => {
    hideError(errBox);
    resume.disabled = true;
    try {
      await api('DELETE', stopUrl(stop.source, byCustomer ? customerId : invoiceId));
      if (onChanged) await onChanged();
    } catch (err) {
      resume.disabled = false;
      showError(errBox, err);
    }
  });
  return box;
}

/*
 * The dialog that stops reminders (or changes the stop): reason, text,
 * last day, no interest.  url: stopUrl(); title: the dialog's heading;
 * current: the stop shown now (prefills), or null.  Resolves after close;
 * onChanged() when a stop was saved.
 */
export function stopDialog({ url, title, subject, current, onChanged }) {
  let changed = false;
  return openDialog(title, (body, close) => {
    const errBox = h('div.error-box', { role: 'alert', hidden: true });
    const group = nextId('stop-kind');
    const kind = current?.kind ?? 'dispute';
    const kinds = h('fieldset.stop-kinds',
      h('legend', t('stop.reason')),
      KINDS.map((k) => {
        const id = `${group}-${k}`;
        return h('div.radio',
          h('input', { type: 'radio', name: 'kind', value: k, id, checked: k === kind }),
          h('label', { for: id }, t(`stop.kind.${k}`)));
      }));
    const form = h('form.stop-form', { novalidate: true },
      subject ? h('p', subject) : null,
      h('p.hint', t('stop.intro')),
      kinds,
      field(t('stop.text'), 'text', { kind: 'textarea', value: current?.text ?? '', rows: 2 }),
      field(t('stop.until'), 'until', { kind: 'date', value: current?.until ?? '' }),
      h('p.hint', t('stop.until_hint')),
      field(t('stop.no_interest'), 'no_interest', { kind: 'checkbox', value: current?.no_interest ?? false, hint: t('stop.no_interest_hint') }),
      errBox,
      h('div.buttons', h('button.primary', { type: 'submit' }, t('stop.submit')),
        h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      hideError(errBox);
      clearFieldErrors(form);
      const k = form.querySelector('input[name=kind]:checked')?.value ?? 'dispute';
      const text = form.elements.text.value.trim();
      const until = form.elements.until.value.trim();
      if (k === 'other' && !text) return showError(errBox, { message: t('stop.text_required'), field: 'text' }, form);
      if (until && !isDate(until)) return showError(errBox, { message: t('form.bad_date'), field: 'until' }, form);
      const reqBody = { kind: k, no_interest: form.elements.no_interest.checked };
      if (text) reqBody.text = text;
      if (until) reqBody.until = until;
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      try {
        await api('PUT', url, { body: reqBody });
        changed = true;
        close();
      } catch (err) {
        btn.disabled = false;
        showError(errBox, err, form);
      }
    });
    body.append(form);
  }).then(async () => {
    if (changed && onChanged) await onChanged();
  });
}
