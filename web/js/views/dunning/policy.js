/*
 * dunning/policy.js — the reminder policy editor ("Påminnelseregler"):
 * levels (days after the due date or the previous reminder, fee, channel,
 * the letter's text in Swedish and English) added and removed, the
 * minimum amount, the final step (hand-over to Visma Amili after N days)
 * and whether a person approves each run.  The server checks the policy;
 * its refusal names the field, which is marked here.
 */
import { api, get } from '../../api.js';
import { clear, clearFieldErrors, field, h, hideError, loading, showError } from '../../dom.js';
import { t } from '../../i18n.js';
import { moneyInput, parseMoney } from '../../format.js';
import { co, role } from '../../state.js';

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
  form.querySelector('#add-level').disabled = levels.length >= MAX_LEVELS;
  form._levels = levels.length;
}

function bodyOf(form) {
  const minimum = parseMoney(form.elements.minimum_minor.value || '0');
  return {
    enabled: form.elements.enabled.checked,
    approval: form.elements.approval.value,
    minimum_minor: minimum === null ? -1 : minimum,
    final_step: form.elements.final_step.value,
    handover_days: Number(form.elements.handover_days.value || 0),
    levels: readLevels(form, form._levels).map((l) => ({ ...l, days: Number.isFinite(l.days) ? l.days : -1 })),
  };
}

export async function render(main) {
  document.title = `${t('dunning.policy_title')} – Påminn`;
  main.append(h('h1', { tabindex: '-1' }, t('dunning.policy_title')), loading());
  const p = await get(co('/dunning/policy'));
  main.querySelector('.loading')?.remove();
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const levelsBox = h('div.levels');
  const form = h('form.card-form#dunning-policy', { novalidate: true },
    errBox,
    p.stored ? null : h('p.notice.defaults-note', t('dunning.defaults_note')),
    h('fieldset', h('legend', t('dunning.run_legend')),
      field(t('dunning.enabled'), 'enabled', { kind: 'checkbox', value: p.enabled, hint: t('dunning.enabled_hint') }),
      field(t('dunning.approval'), 'approval', { kind: 'select', value: p.approval,
        options: [['manual', t('dunning.approval.manual')], ['automatic', t('dunning.approval.automatic')]] }),
      field(t('dunning.minimum'), 'minimum_minor', { value: moneyInput(p.minimum_minor), inputmode: 'decimal', hint: t('dunning.minimum_hint') })),
    h('fieldset', h('legend', t('dunning.levels_legend')), levelsBox,
      h('div.buttons', h('button#add-level', { type: 'button', onclick: () => {
        const now = readLevels(form, form._levels);
        now.push({ days: 10, anchor: now.length ? 'previous' : 'due', channel: 'both', fee: false });
        drawLevels(levelsBox, form, now);
      } }, t('dunning.add_level')))),
    h('fieldset', h('legend', t('dunning.final_legend')),
      h('div.row2',
        field(t('dunning.final_step'), 'final_step', { kind: 'select', value: p.final_step,
          options: [['none', t('dunning.final.none')], ['handover', t('dunning.final.handover')]] }),
        field(t('dunning.handover_days'), 'handover_days', { kind: 'number', value: String(p.handover_days), hint: t('dunning.handover_hint') }))),
    h('div.buttons', h('button.primary#save-policy', { type: 'submit', disabled: role() === 'read_only' }, t('common.save')),
      h('a.button', { href: '#/dunning' }, t('dunning.to_runs'))));
  main.append(form);
  drawLevels(levelsBox, form, p.levels);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    hideError(errBox);
    clearFieldErrors(form);
    try {
      await api('PUT', co('/dunning/policy'), { body: bodyOf(form) });
      for (const old of form.querySelectorAll('.defaults-note, .saved')) old.remove();
      form.prepend(h('p.notice.saved', { role: 'status' }, t('dunning.saved')));
    } catch (err) {
      showError(errBox, err, form);
    }
  });
}
