/*
 * unmatched.js — the bank payments waiting to be placed: money a bank
 * file brought in that no invoice could be found for, held on account
 * 2420 until a person places it.  Each row shows date, payer, amount,
 * reference and message and why it was not placed; where the server
 * suggests an invoice, "Placera på faktura N" opens the confirmation at
 * once, and "Välj faktura" lets the user give any invoice's number
 * (looked up and checked before anything is booked).  Read-only users see
 * the list without the buttons.
 */
import { Action, api, get } from '../../api.js';
import { announce, clear, clearFieldErrors, field, h, hideError, loading, openDialog, showError } from '../../dom.js';
import { t, tn } from '../../i18n.js';
import { money } from '../../format.js';
import { co, setHeldCount } from '../../state.js';
import { referenceText } from './report.js';
import { reasonText } from './words.js';

const payerOf = (u) => u.payer_name || t('payments.unknown_payer');

/* The invoice with this number, or null (the list's search, then the exact number). */
async function invoiceByNumber(number) {
  const page = await get(co('/invoices'), { q: String(number), limit: 50 });
  return page.items.find((i) => i.number === number) ?? null;
}

/* Why an invoice cannot take a held payment, or null when it can. */
function notPlaceable(inv) {
  if (inv.status === 'credited') return t('payments.place.credited', { n: inv.number });
  if (inv.currency && inv.currency !== 'SEK') return t('payments.place.currency', { n: inv.number, currency: inv.currency });
  return null;
}

/* What placing u on inv books, in words. */
function whatHappens(u, inv) {
  const remaining = BigInt(inv.remaining_minor ?? 0);
  const amount = BigInt(u.amount_minor);
  const items = [
    t('payments.place.books', { amount: money(u.amount_minor), n: inv.number, customer: inv.customer?.name ?? '', date: u.date }),
    t('payments.place.accounts'),
    remaining === 0n ? t('payments.place.already_paid', { amount: money(u.amount_minor) })
      : amount > remaining ? t('payments.place.more_than_left', { left: money(inv.remaining_minor), over: money(Number(amount - remaining)) })
        : t('payments.place.left_now', { left: money(inv.remaining_minor) }),
  ];
  if (/[1-9]/.test(u.payer_bankgiro ?? '')) items.push(t('payments.place.payer_learnt', { customer: inv.customer?.name ?? '' }));
  return h('ul.place-effects', items.map((s) => h('li', s)));
}

/*
 * The dialog that places held payment u: with inv, the confirmation at
 * once; without, first the invoice number.  onPlaced() after it is booked.
 */
export function placeDialog(u, inv, onPlaced) {
  let placed = false;
  return openDialog(t('payments.place.title'), (body, close) => {
    const action = new Action();
    const heldText = h('p.place-held', t('payments.place.held', { amount: money(u.amount_minor), payer: payerOf(u), date: u.date }));

    function askNumber() {
      clear(body);
      const errBox = h('div.error-box', { role: 'alert', hidden: true });
      const form = h('form.place-form', { novalidate: true },
        heldText, errBox,
        field(t('payments.place.number'), 'invoice_number', { inputmode: 'numeric', required: true, hint: t('payments.place.number_hint') }),
        h('div.buttons', h('button.primary', { type: 'submit' }, t('payments.place.find')),
          h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        hideError(errBox);
        clearFieldErrors(form);
        const text = form.elements.invoice_number.value.trim();
        if (!/^\d{1,15}$/.test(text)) return showError(errBox, { message: t('payments.place.bad_number'), field: 'invoice_number' }, form);
        const number = Number(text);
        const btn = form.querySelector('button[type=submit]');
        btn.disabled = true;
        try {
          const found = await invoiceByNumber(number);
          if (!found) return showError(errBox, { message: t('payments.place.no_such', { n: number }), field: 'invoice_number' }, form);
          confirmStep(found);
        } catch (err) {
          showError(errBox, err, form);
        } finally {
          btn.disabled = false;
        }
      });
      body.append(form);
      form.elements.invoice_number.focus();
    }

    function confirmStep(target) {
      clear(body);
      const errBox = h('div.error-box', { role: 'alert', hidden: true });
      const why = notPlaceable(target);
      const ok = h('button.primary#confirm-place', { type: 'button', disabled: !!why }, t('payments.place.confirm', { n: target.number }));
      body.append(heldText, h('h3', t('payments.place.what')), why ? h('p.notice', why) : whatHappens(u, target), errBox,
        h('div.buttons', ok,
          h('button', { type: 'button', onclick: askNumber }, t('payments.place.other')),
          h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))));
      ok.addEventListener('click', async () => {
        ok.disabled = true;
        hideError(errBox);
        try {
          const res = await api('POST', co(`/payments/unmatched/${u.id}/confirm`), { body: { invoice_id: target.id }, action });
          placed = true;
          done(target, res.payment);
        } catch (err) {
          ok.disabled = false;
          if (err.code === 'already_confirmed') placed = true;
          showError(errBox, err);
        }
      });
      (why ? body.querySelector('button:not([disabled])') : ok).focus();
    }

    function done(target, payment) {
      clear(body);
      const left = payment.remaining_minor > 0 ? t('payments.place.done_left', { left: money(payment.remaining_minor) }) : t('payments.place.done_paid');
      const over = payment.overpaid_minor > 0 ? t('payments.place.done_over', { over: money(payment.overpaid_minor) }) : '';
      body.append(h('div.result-ok', { role: 'status' },
        h('p', t('payments.place.done', { amount: money(u.amount_minor), n: target.number }), ' ', left, over ? ` ${over}` : '')),
      h('div.buttons', h('button.primary', { type: 'button', onclick: () => close() }, t('common.close'))));
      body.querySelector('button').focus();
      announce(t('payments.place.done', { amount: money(u.amount_minor), n: target.number }));
    }

    if (inv) confirmStep(inv);
    else askNumber();
  }).then(() => {
    if (placed) onPlaced();
  });
}

/* The section with the list: {el, load()}.  onPlaced() after a payment was placed. */
export function heldSection({ readOnly, onPlaced }) {
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const count = h('span.count');
  const body = h('div.held-body');
  const el = h('section.pay-held', { 'aria-labelledby': 'held-title' },
    h('h2#held-title', t('payments.held_title'), ' ', count),
    h('p', t('payments.held_intro')),
    errBox, body);
  /* The suggested invoice as it is now (read when the button is pressed),
   * or the dialog asking for a number when it cannot be read. */
  async function placeSuggested(u) {
    const inv = await get(co(`/invoices/${u.suggested_invoice_id}`)).catch(() => null);
    return placeDialog(u, inv, placedOne);
  }

  function row(u) {
    /* The accessible name starts with the visible text and says which payment. */
    const suggestion = u.suggested_invoice_id && u.suggested_invoice_number;
    const chooseLabel = t(suggestion ? 'payments.place.choose_other' : 'payments.place.choose');
    const actions = readOnly ? null : h('div.held-actions',
      suggestion ? h('button.primary.place-suggested', { type: 'button', onclick: () => placeSuggested(u) },
        t('payments.place.on', { n: u.suggested_invoice_number })) : null,
      h('button.place-other', {
        type: 'button',
        'aria-label': t('payments.place.choose_for', { label: chooseLabel, amount: money(u.amount_minor), payer: payerOf(u) }),
        onclick: () => placeDialog(u, null, placedOne),
      }, chooseLabel));
    const cols = [
      [t('payments.col.date'), u.date],
      [t('payments.col.payer'), u.payer_name || h('span.muted', t('payments.unknown_payer'))],
      [t('payments.col.amount'), money(u.amount_minor), 'num'],
      [t('payments.col.reference'), referenceText(u.reference, u.message)],
      [t('payments.col.reason'), reasonText(u.reason)],
    ];
    return h('tr', { dataset: { id: String(u.id) } },
      cols.map(([label, v, cls]) => h('td', { class: cls, dataset: { label } }, v)),
      readOnly ? null : h('td.held-act', { dataset: { label: t('payments.col.action') } }, actions));
  }

  async function load() {
    clear(body).append(loading());
    let items;
    try {
      items = (await get(co('/payments/unmatched'))).items.filter((u) => !u.invoice_id);
    } catch (err) {
      clear(body);
      if (!err.handled) showError(errBox, err);
      return;
    }
    hideError(errBox);
    clear(body);
    count.textContent = items.length ? `(${items.length})` : '';
    setHeldCount(items.length);
    if (!items.length) {
      body.append(h('p.list-status', t('payments.held_empty')));
      return;
    }
    const heads = ['date', 'payer', 'amount', 'reference', 'reason'].map((k) => h('th', { scope: 'col', class: k === 'amount' ? 'num' : null }, t(`payments.col.${k}`)));
    if (!readOnly) heads.push(h('th', { scope: 'col' }, h('span.sr-only', t('payments.col.action'))));
    body.append(h('table.stack.held-table',
      h('caption.sr-only', tn('payments.held_caption', items.length)),
      h('thead', h('tr', heads)),
      h('tbody', items.map((u) => row(u)))));
  }

  async function placedOne() {
    await load();
    onPlaced();
  }

  return { el, load };
}
