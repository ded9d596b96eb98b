/*
 * dunning-policy.js — the reminder policy editor, one component for the
 * company's policy (views/dunning/policy.js) and a customer's own policy
 * (the customer card, views/customers.js): levels (days after the due
 * date or the previous reminder, fee, channel, the letter's text in
 * Swedish and English) added and removed, the minimum amount, the final
 * step (hand-over to Visma Amili after N days) and, for the company only,
 * whether the daily run is on and whether a person approves each run.
 * The server checks the policy; its refusal names the field, which is
 * marked here.
 */
import { api } from '../api.js';
import { clear, clearFieldErrors, field, h, hideError, showError } from '../dom.js';
import { t } from '../i18n.js';
import { moneyInput, parseMoney } from '../format.js';
import { role } from '../state.js';

const MAX_LEVELS = 5;

function levelBox(l, i, onRemove) {
  const p = `levels[${i}].`;
  return h('fieldset.dunning-level', { dataset: { level: String(i) } },
    h('legend', t('dunning.level_n', { n: i + 1 })),
    h('div.row2',
      field(t('dunning.days'), `${p}days`, { kind: 'number', value: String(l.days ?? 10) }),
      field(t('dunning.anchor'), `${p}anchor`, { kind: 'select', value: l.anchor ?? (i ? 'previous' : 'due'),
        options: [['due', t('dunning.anchor.due')], ['previous', t('dunning.anchor.previous')]] })),
    h('div.row2',
      field(t('dunning.channel'), `${p}channel`, { kind: 'select', value: l.channel ?? 'both',
        options: [['email', t('dunning.channel.email')], ['letter', t('dunning.channel.letter')], ['both', t('dunning.channel.both')]] }),
      field(t('dunning.fee'), `${p}fee`, { kind: 'checkbox', value: l.fee ?? false, hint: t('dunning.fee_hint') })),
    field(t('dunning.text_sv'), `${p}text_sv`, { kind: 'textarea', value: l.text_sv ?? '', hint: t('dunning.text_hint') }),
    field(t('dunning.text_en'), `${p}text_en`, { kind: 'textarea', value: l.text_en ?? '' }),
    h('div.buttons', h('button.remove-level', { type: 'button', onclick: onRemove }, t('dunning.remove_level'))));
}

/* The levels as the form has them now (for a redraw after add/remove). */
function readLevels(form, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const v = (k) => form.elements[`levels[${i}].${k}`];
    out.push({
      days: Number(v('days').value), anchor: v('anchor').value, channel: v('channel').value, fee: v('fee').checked,
      text_sv: v('text_sv').value, text_en: v('text_en').value,
    });
  }
  return out;
}

function drawLevels(box, form, levels) {
  clear(box);
  levels.forEach((l, i) => box.append(levelBox(l, i, () => {
    const now = readLevels(form, levels.length);
    now.splice(i, 1);
    drawLevels(box, form, now);
  })));
  form.querySelector('.add-level').disabled = levels.length >= MAX_LEVELS;
  form._levels = levels.length;
}

/* The PUT body; a customer's policy keeps the company's run switches (ignored there). */
function bodyOf(form, p) {
  const minimum = parseMoney(form.elements.minimum_minor.value || '0');
  const el = form.elements;
  return {
    enabled: el.enabled ? el.enabled.checked : p.enabled,
    approval: el.approval ? el.approval.value : p.approval,
    minimum_minor: minimum === null ? -1 : minimum,
    final_step: el.final_step.value,
    handover_days: Number(el.handover_days.value || 0),
    levels: readLevels(form, form._levels).map((l) => ({ ...l, days: Number.isFinite(l.days) ? l.days : -1 })),
  };
}

function runFieldset(p, customer) {
  const minimum = field(t('dunning.minimum'), 'minimum_minor', { value: moneyInput(p.minimum_minor), inputmode: 'decimal', hint: t('dunning.minimum_hint') });
  if (customer) return h('fieldset', h('legend', t('dunning.amount_legend')), minimum);
  return h('fieldset', h('legend', t('dunning.run_legend')),
    field(t('dunning.enabled'), 'enabled', { kind: 'checkbox', value: p.enabled, hint: t('dunning.enabled_hint') }),
    field(t('dunning.approval'), 'approval', { kind: 'select', value: p.approval,
      options: [['manual', t('dunning.approval.manual')], ['automatic', t('dunning.approval.automatic')]] }),
    minimum);
}

/*
 * The editor of policy p (as GET .../dunning-policy answers it).  opts:
 *   url       where PUT stores it
 *   customer  true for a customer's own policy (no run switches)
 *   id        the form's id
 *   note      an element shown first (e.g. "the defaults") or null
 *   buttons   more elements beside "Spara"
 *   onSaved(stored)  after a save (default: the saved notice)
 */
export function policyEditor(p, opts) {
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const levelsBox = h('div.levels');
  const form = h(`form.card-form.policy-form#${opts.id}`, { novalidate: true },
    errBox,
    opts.note ?? null,
    runFieldset(p, opts.customer),
    h('fieldset', h('legend', t('dunning.levels_legend')), levelsBox,
      h('div.buttons', h('button.add-level', { type: 'button', onclick: () => {
        const now = readLevels(form, form._levels);
        now.push({ days: 10, anchor: now.length ? 'previous' : 'due', channel: 'both', fee: false });
        drawLevels(levelsBox, form, now);
      } }, t('dunning.add_level')))),
    h('fieldset', h('legend', t('dunning.final_legend')),
      h('div.row2',
        field(t('dunning.final_step'), 'final_step', { kind: 'select', value: p.final_step,
          options: [['none', t('dunning.final.none')], ['handover', t('dunning.final.handover')]] }),
        field(t('dunning.handover_days'), 'handover_days', { kind: 'number', value: String(p.handover_days), hint: t('dunning.handover_hint') }))),
    h('div.buttons', h('button.primary.save-policy', { type: 'submit', disabled: role() === 'read_only' }, t('common.save')),
      ...(opts.buttons ?? [])));
  drawLevels(levelsBox, form, p.levels);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    hideError(errBox);
    clearFieldErrors(form);
    try {
      const stored = await api('PUT', opts.url, { body: bodyOf(form, p) });
      if (opts.onSaved) {
        opts.onSaved(stored);
        return;
      }
      for (const old of form.querySelectorAll('.defaults-note, .saved')) old.remove();
      form.prepend(h('p.notice.saved', { role: 'status' }, t('dunning.saved')));
    } catch (err) {
      showError(errBox, err, form);
    }
  });
  return form;
}
