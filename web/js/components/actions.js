/*
 * actions.js — the "Åtgärder" (Actions) menu of an invoice and the dialogs
 * behind it: send reminder via Visma Amili, manual reminder (PDF letter),
 * register payment, register customer loss, activate reminder handling.
 * Only the actions that are valid for the invoice are offered: no Amili
 * action once the invoice is handed over, and then no manual reminder
 * either (the agency owns the dunning).  A keyboard-usable menu button
 * (arrows, Home/End, Escape).
 */
import { Action, api, get } from '../api.js';
import { append, clear, clearFieldErrors, dropDraft, field, h, hideError, nextId, openDialog, restoreDraft, showError } from '../dom.js';
import { t } from '../i18n.js';
import { isDate, money, moneyInput, parseMoney, todayLocal } from '../format.js';
import { amiliStatus, co, isActivated, role } from '../state.js';
import { activationFlow } from './activation.js';
import { handedOver, isOpen, reasonList } from './common.js';
import { showHandoverResults } from './handover.js';
import { stopDialog, stopUrl } from './reminder-stop.js';
import { smtpConfigured } from './mails.js';
import { creditDialog, creditable } from './credit-notes.js';

/* The company's "today" as best known: the invoice's interest period ends on it. */
export function companyToday(inv) {
  return inv?.interest?.to || todayLocal();
}

/* Which actions are valid for this invoice (the detail form). */
export function validActions(inv) {
  const list = [];
  if (role() === 'read_only') return list;
  const open = isOpen(inv);
  const withAgency = handedOver(inv);
  /* After an expected loss neither reminders nor a hand-over: the claim is written down.
   * Nor while reminders are stopped (a dispute, a payment plan): the notice offers to resume. */
  const stopped = !!inv.reminder_stop;
  if (open && !withAgency && !inv.loss && !stopped) {
    /* Visma Amili takes invoices in Swedish kronor only: nothing to offer for others. */
    if (inv.currency === 'SEK') list.push(isActivated() ? 'amili' : 'activate');
    if (inv.status === 'overdue') list.push('reminder');
  }
  if (open && !withAgency && !stopped) list.push('stop');
  if (open) {
    list.push('payment');
    list.push('loss');
  }
  if (creditable(inv)) list.push('credit');
  return list;
}

const LABEL = {
  amili: 'action.amili',
  activate: 'action.activate',
  reminder: 'action.reminder',
  payment: 'action.payment',
  loss: 'action.loss',
  stop: 'action.stop',
  credit: 'action.credit',
};

/*
 * The menu for one invoice (detail form).  onChanged() after an action that
 * changed something (reload the invoice and the list).
 */
export function actionsMenu(inv, { onChanged, idSuffix = '' } = {}) {
  const actions = validActions(inv);
  const menuId = nextId(`actions-menu${idSuffix}`);
  const btnId = nextId('actions-btn');
  const button = h('button.menu-btn.actions-btn', {
    type: 'button', id: btnId, 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': menuId,
    disabled: actions.length === 0 ? true : null,
    title: actions.length === 0 ? t('action.none') : null,
  }, t('action.menu'), h('span.caret', { 'aria-hidden': 'true' }, ' ▾'));
  const menu = h('ul.menu', { id: menuId, role: 'menu', 'aria-labelledby': btnId, hidden: true },
    actions.map((a) => h('li', { role: 'none' },
      h('button.menu-item', { type: 'button', role: 'menuitem', tabindex: '-1', dataset: { action: a } }, t(LABEL[a])))));
  const wrap = h('div.menu-wrap', button, menu);

  const items = () => [...menu.querySelectorAll('[role=menuitem]')];
  function open(focusLast = false) {
    if (!actions.length) return;
    menu.hidden = false;
    /* Open to the right when opening to the left would leave the screen (a phone). */
    menu.classList.toggle('align-left', button.getBoundingClientRect().right < menu.offsetWidth + 8);
    button.setAttribute('aria-expanded', 'true');
    const list = items();
    (focusLast ? list[list.length - 1] : list[0])?.focus();
    document.addEventListener('pointerdown', outside, true);
  }
  function close(refocus = true) {
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', outside, true);
    if (refocus) button.focus();
  }
  function outside(ev) {
    if (!wrap.contains(ev.target)) close(false);
  }
  button.addEventListener('click', () => (menu.hidden ? open() : close()));
  button.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      open();
    } else if (ev.key === 'ArrowUp') {
      ev.preventDefault();
      open(true);
    }
  });
  menu.addEventListener('keydown', (ev) => {
    const list = items();
    const i = list.indexOf(document.activeElement);
    if (ev.key === 'ArrowDown') list[(i + 1) % list.length].focus();
    else if (ev.key === 'ArrowUp') list[(i - 1 + list.length) % list.length].focus();
    else if (ev.key === 'Home') list[0].focus();
    else if (ev.key === 'End') list[list.length - 1].focus();
    else if (ev.key === 'Escape') close();
    else if (ev.key === 'Tab') close(false);
    else return;
    ev.preventDefault();
  });
  menu.addEventListener('click', (ev) => {
    const item = ev.target.closest('[role=menuitem]');
    if (!item) return;
    close();
    runAction(item.dataset.action, inv, onChanged);
  });
  return wrap;
}

export function runAction(action, inv, onChanged) {
  if (action === 'payment') return paymentDialog(inv, onChanged);
  if (action === 'reminder') return reminderDialog(inv, onChanged);
  if (action === 'loss') return lossDialog(inv, onChanged);
  if (action === 'amili') return amiliDialog(inv, onChanged);
  if (action === 'activate') return activationDialog(onChanged);
  if (action === 'credit') return creditDialog(inv, onChanged, companyToday(inv));
  if (action === 'stop') {
    return stopDialog({ url: stopUrl('invoice', inv.id), title: t('stop.title_invoice', { n: inv.number }), subject: invoiceTitle(inv), current: null, onChanged });
  }
  return null;
}

function invoiceTitle(inv) {
  return `${t('invoice.number_short', { n: inv.number })} · ${inv.customer?.name ?? ''}`;
}

/* ---- activate ---- */

export function activationDialog(onChanged) {
  let changed = false;
  return openDialog(t('action.activate'), (body) => {
    const box = h('div.activation-in-dialog');
    body.append(box);
    activationFlow(box, { headingLevel: 3, onActivated: () => { changed = true; } });
  }, { wide: true }).then(() => {
    if (changed && onChanged) onChanged();
  });
}

/* ---- payment ---- */

function paymentDialog(inv, onChanged) {
  let changed = false;
  return openDialog(t('payment.title', { n: inv.number }), (body, close) => {
    const errBox = h('div.error-box', { role: 'alert', hidden: true });
    const action = new Action();
    const form = h('form', { novalidate: true, dataset: { draft: `payment-${inv.id}` } },
      h('p', invoiceTitle(inv)),
      h('p', t('payment.remaining', { amount: money(inv.remaining_minor, inv.currency) })),
      errBox,
      field(t('payment.date'), 'date', { kind: 'date', value: companyToday(inv), required: true }),
      field(t('payment.amount', { currency: inv.currency }), 'amount_minor', { value: moneyInput(inv.remaining_minor), required: true, inputmode: 'decimal' }),
      field(t('payment.reference'), 'reference', { maxlength: 79 }),
      h('div.buttons', h('button.primary', { type: 'submit' }, t('payment.submit')), h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))));
    restoreDraft(form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      hideError(errBox);
      clearFieldErrors(form);
      const amount = parseMoney(form.elements.amount_minor.value);
      const date = form.elements.date.value;
      if (!isDate(date)) return showError(errBox, { message: t('form.bad_date'), field: 'date' }, form);
      if (amount === null || amount <= 0) return showError(errBox, { message: t('form.bad_amount'), field: 'amount_minor' }, form);
      const bodyJson = { date, amount_minor: amount };
      const ref = form.elements.reference.value.trim();
      if (ref) bodyJson.reference = ref;
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      try {
        await api('POST', co(`/invoices/${inv.id}/payments`), { body: bodyJson, action });
        changed = true;
        dropDraft(form);
        clear(body);
        body.append(h('div.result-ok', { role: 'status' }, h('p', t('payment.done', { amount: money(amount, inv.currency), n: inv.number }))),
          h('div.buttons', h('button.primary', { type: 'button', autofocus: true, onclick: () => close() }, t('common.close'))));
        body.querySelector('button').focus();
      } catch (err) {
        btn.disabled = false;
        showError(errBox, err, form);
      }
    });
    body.append(form);
  }).then(() => {
    if (changed && onChanged) onChanged();
  });
}

/* ---- manual reminder ---- */

function reminderDialog(inv, onChanged) {
  let changed = false;
  return openDialog(t('reminder.title', { n: inv.number }), (body, close) => {
    const errBox = h('div.error-box', { role: 'alert', hidden: true });
    const action = new Action();
    const form = h('form', { novalidate: true, dataset: { draft: `reminder-${inv.id}` } },
      h('p', invoiceTitle(inv)),
      h('p', t('reminder.intro')),
      errBox,
      field(t('reminder.date'), 'date', { kind: 'date', value: companyToday(inv), required: true }),
      channelChoice(inv),
      h('div.buttons', h('button.primary', { type: 'submit' }, t('reminder.submit')), h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))));
    restoreDraft(form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      hideError(errBox);
      clearFieldErrors(form);
      const date = form.elements.date.value;
      if (!isDate(date)) return showError(errBox, { message: t('form.bad_date'), field: 'date' }, form);
      const btn = form.querySelector('button[type=submit]');
      const channel = form.querySelector('input[name=channel]:checked')?.value ?? 'letter';
      btn.disabled = true;
      try {
        const r = await api('POST', co(`/invoices/${inv.id}/reminders`), { body: { date, channel }, action });
        changed = true;
        dropDraft(form);
        clear(body);
        const pdf = `/api/v1${co(`/invoices/${inv.id}/reminders/${r.id}/letter.pdf`)}`;
        body.append(h('div.result-ok', { role: 'status' },
          h('p', h('strong', t('reminder.done'))),
          h('dl.facts',
            reminderCharges(r, inv.currency),
            h('dt', t('reminder.interest')), h('dd', money(r.interest_minor, inv.currency)),
            h('dt', t('reminder.total_due')), h('dd', money(r.total_due_minor, inv.currency)),
            h('dt', t('reminder.new_due')), h('dd', r.new_due_date ?? '–'),
            r.mail ? [h('dt', t('reminder.email')), h('dd', t('reminder.email_queued', { to: r.mail.to }))] : null)),
        h('div.buttons',
          h('a.button.primary', { href: pdf, download: '' }, t('reminder.open_pdf')),
          h('button', { type: 'button', onclick: () => close() }, t('common.close'))));
        body.querySelector('a').focus();
      } catch (err) {
        btn.disabled = false;
        if (err.status === 404 && err.code === 'not_found') err.message = t('reminder.unavailable');
        showError(errBox, err, form);
      }
    });
    body.append(form);
  }).then(() => {
    if (changed && onChanged) onChanged();
  });
}

/* Letter, e-mail or both: e-mail disabled, with the reason, when the
 * customer has no address or this server sends no e-mail. */
function channelChoice(inv) {
  const group = 'channel';
  const reason = h('p.hint.channel-reason', { hidden: true });
  const box = h('fieldset.channel',
    h('legend', t('reminder.channel')),
    radio('channel', 'letter', t('reminder.channel_letter'), null, group, true),
    radio('channel', 'email', t('reminder.channel_email'), null, group, false),
    radio('channel', 'both', t('reminder.channel_both'), null, group, false),
    reason);
  const mailInputs = () => [...box.querySelectorAll('input[value=email], input[value=both]')];
  for (const i of mailInputs()) i.disabled = true;
  Promise.all([smtpConfigured(), inv.customer?.id ? get(co(`/customers/${inv.customer.id}`)) : null])
    .then(([smtp, cust]) => {
      const why = !smtp ? t('reminder.no_smtp') : !cust?.email ? t('reminder.no_email') : '';
      for (const i of mailInputs()) i.disabled = Boolean(why);
      reason.hidden = !why;
      reason.textContent = why;
      if (!why) reason.textContent = '';
      if (!why && cust?.email) {
        reason.hidden = false;
        reason.textContent = t('reminder.email_to', { to: cust.email });
      }
    })
    .catch(() => {
      reason.hidden = false;
      reason.textContent = t('reminder.no_smtp');
    });
  return box;
}

/* The reminder's charges: the fee, and for a business customer the late-payment compensation (förseningsersättning). */
export function reminderCharges(r, currency) {
  return [
    [h('dt', t('reminder.fee')), h('dd', money(r.fee_minor, currency))],
    r.late_compensation_minor > 0 ? [h('dt', t('reminder.late_compensation')), h('dd', money(r.late_compensation_minor, currency))] : null,
  ];
}

/* ---- customer loss ---- */

function caseIsOpen(inv) {
  if (!handedOver(inv)) return false;
  const c = inv.amili?.case;
  return !(c && c.closed);
}

function lossDialog(inv, onChanged) {
  let changed = false;
  return openDialog(t('loss.title', { n: inv.number }), (body, close) => {
    const errBox = h('div.error-box', { role: 'alert', hidden: true });
    const action = new Action();
    const withCase = caseIsOpen(inv);
    const kindName = nextId('loss-kind');
    const choiceBox = h('div.case-choice');
    const groundBox = lossGround(nextId('loss-ground'));
    const form = h('form', { novalidate: true, dataset: { draft: `loss-${inv.id}` } },
      h('p', invoiceTitle(inv)),
      h('p', t('loss.remaining', { amount: money(inv.remaining_minor, inv.currency) })),
      lossKinds(inv, kindName),
      groundBox,
      field(t('loss.date'), 'date', { kind: 'date', value: companyToday(inv), required: true }),
      choiceBox,
      errBox,
      h('div.buttons', h('button.primary.danger', { type: 'submit' }, t('loss.submit')), h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))));

    function showChoices(impact) {
      clear(choiceBox);
      choiceBox.append(h('fieldset.choices',
        h('legend', t('loss.case_legend')),
        h('p', t('loss.case_intro')),
        radio('case_choice', 'keep', t('loss.keep'), impact?.keep || t('loss.keep_effect'), 'loss-choice', false),
        radio('case_choice', 'withdraw', t('loss.withdraw'), impact?.withdraw || t('loss.withdraw_effect'), 'loss-choice', false)));
    }
    if (withCase) showChoices(null);
    /* The ground is asked for a confirmed loss only. */
    const showGround = () => { groundBox.hidden = form.querySelector('input[name=kind]:checked')?.value !== 'confirmed'; };
    form.addEventListener('change', showGround);
    restoreDraft(form);
    showGround();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      hideError(errBox);
      clearFieldErrors(form);
      const date = form.elements.date.value;
      if (!isDate(date)) return showError(errBox, { message: t('form.bad_date'), field: 'date' }, form);
      const kind = form.querySelector('input[name=kind]:checked')?.value ?? 'expected';
      const reqBody = { kind, date };
      if (kind === 'confirmed') {
        const ground = lossGroundOf(form, errBox);
        if (!ground) return;
        Object.assign(reqBody, ground);
      }
      const choiceEl = form.querySelector('input[name=case_choice]');
      if (choiceEl) {
        const chosen = form.querySelector('input[name=case_choice]:checked');
        if (!chosen) {
          showError(errBox, { message: t('loss.choose_case') });
          choiceEl.focus();
          return;
        }
        reqBody.case_choice = chosen.value;
      }
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      try {
        await api('POST', co(`/invoices/${inv.id}/customer-loss`), { body: reqBody, action });
        changed = true;
        dropDraft(form);
        clear(body);
        body.append(h('div.result-ok', { role: 'status' },
          h('p', h('strong', t('loss.done', { n: inv.number }))),
          reqBody.case_choice ? h('p', t(`loss.done_${reqBody.case_choice}`)) : null),
        h('div.buttons', h('button.primary', { type: 'button', onclick: () => close() }, t('common.close'))));
        body.querySelector('button').focus();
      } catch (err) {
        btn.disabled = false;
        if (err.code === 'agency_case_open') {
          /* The server knows of an open case: show its own words on both choices. */
          showChoices(err.error?.impact);
          showError(errBox, err);
          form.querySelector('input[name=case_choice]')?.focus();
          return;
        }
        if (err.status === 404 && err.code === 'not_found') err.message = t('loss.unavailable');
        showError(errBox, err, form);
      }
    });
    body.append(form);
  }, { wide: true }).then(() => {
    if (changed && onChanged) onChanged();
  });
}

/* The kinds of loss still possible: once an expected loss is registered, only the confirmed one. */
function lossKinds(inv, group) {
  const expectedDone = inv.loss?.kind === 'expected';
  return h('fieldset',
    h('legend', t('loss.kind')),
    expectedDone ? h('p.hint', t('loss.expected_registered', { amount: money(inv.loss.amount_minor, inv.currency) })) : null,
    expectedDone ? null : radio('kind', 'expected', t('loss.expected'), t('loss.expected_help'), group, true),
    radio('kind', 'confirmed', t('loss.confirmed'), t('loss.confirmed_help'), group, expectedDone));
}

/* Why the loss is confirmed: required, since it lowers the output VAT. */
function lossGround(group) {
  const text = h('div.ground-text', { hidden: true }, field(t('loss.ground_text'), 'ground_text', { maxlength: 200 }));
  const box = h('fieldset.ground',
    h('legend', t('loss.ground')),
    ['bankruptcy', 'composition', 'fruitless_collection', 'other'].map((g) => radio('ground', g, t(`loss.ground_${g}`), null, group, false)),
    text);
  box.addEventListener('change', () => {
    text.hidden = box.querySelector('input[name=ground]:checked')?.value !== 'other';
  });
  return box;
}

/* {ground, ground_text?} from the form, or null after saying what is missing. */
function lossGroundOf(form, errBox) {
  const ground = form.querySelector('input[name=ground]:checked')?.value;
  if (!ground) {
    showError(errBox, { message: t('loss.choose_ground'), field: 'ground' }, form);
    form.querySelector('input[name=ground]').focus();
    return null;
  }
  if (ground !== 'other') return { ground };
  const text = form.elements.ground_text.value.trim();
  if (!text) {
    showError(errBox, { message: t('loss.describe_ground'), field: 'ground_text' }, form);
    form.elements.ground_text.focus();
    return null;
  }
  return { ground, ground_text: text };
}

function radio(name, value, label, help, group, checked) {
  const id = nextId(`${group}-${value}`);
  const helpId = `${id}-help`;
  return h('div.radio',
    h('input', { type: 'radio', name, value, id, checked, 'aria-describedby': help ? helpId : null }),
    h('label', { for: id }, label),
    help ? h('p.hint', { id: helpId }, help) : null);
}

/* ---- send one invoice via Amili ---- */

function amiliDialog(inv, onChanged) {
  let changed = false;
  return openDialog(t('amili.send_title', { n: inv.number }), (body, close) => {
    const errBox = h('div.error-box', { role: 'alert', hidden: true });
    const action = new Action();
    const out = h('div.handover-out');
    const reasons = inv.amili?.reasons ?? [];
    const sendBtn = h('button.primary', { type: 'button' }, t('amili.send_button'));
    append(body, [
      h('p', invoiceTitle(inv)),
      h('p', t('amili.send_confirm_one', { amount: money(inv.remaining_minor, inv.currency) })),
      h('p.muted', t('amili.once_note')),
      !inv.amili?.eligible && reasons.length ? h('div.missing-box', h('p', t('amili.not_eligible_now')),
        reasonList(reasons, { invoiceId: inv.id, invoiceNumber: inv.number, customerId: inv.customer?.id, returnTo: location.hash })) : null,
      errBox,
      h('div.buttons', sendBtn, h('button', { type: 'button', onclick: () => close() }, t('common.cancel'))),
      out]);
    sendBtn.addEventListener('click', async () => {
      hideError(errBox);
      sendBtn.disabled = true;
      try {
        const res = await api('POST', co('/amili/handovers'), { body: { invoice_ids: [inv.id] }, action });
        changed = true;
        clear(out);
        await showHandoverResults(out, res, new Map([[inv.id, inv]]), { poll: true });
        sendBtn.remove();
      } catch (err) {
        sendBtn.disabled = false;
        if (err.body && Array.isArray(err.body.results)) {
          clear(out);
          await showHandoverResults(out, err.body, new Map([[inv.id, inv]]), { poll: false, error: err });
          return;
        }
        if (err.status === 404 && err.code === 'not_found') err.message = t('amili.unavailable');
        showError(errBox, err);
      }
    });
  }, { wide: true }).then(() => {
    if (changed) amiliStatus(true).catch(() => {});
    if (changed && onChanged) onChanged();
  });
}
