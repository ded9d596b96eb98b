/*
 * settings.js — company settings ("Företagsinställningar"): name, org.
 * number, address, bankgiro, Swish number (the QR code on reminders), payment terms, the reminder-fee agreement,
 * the accounting method and the month the fiscal year starts in.
 * The activation's "what is missing" links open it with the field focused.
 * Owners find the company's API tokens from here (tokens.js).
 */
import { api, get } from '../api.js';
import { clear, clearFieldErrors, dropDraft, field, h, hideError, loading, restoreDraft, showError } from '../dom.js';
import { t } from '../i18n.js';
import { moneyInput, parseMoney } from '../format.js';
import { amiliStatus, co, role, state } from '../state.js';
import { navigate } from '../router.js';
import { appReturn } from '../links.js';

const MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const TEXT = ['name', 'organization_no', 'address_line_1', 'address_line_2', 'zip_code', 'city', 'country', 'email', 'phone', 'bankgiro', 'swish_number'];

export async function render(main, ctx) {
  const focus = ctx.query.get('focus');
  const returnTo = appReturn(ctx.query.get('return'));
  document.title = `${t('settings.title')} – Påminn`;
  main.append(loading());
  let c = await get(co());
  state.company = c;
  clear(main);
  const owner = role() === 'owner';
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const form = h('form.card-form', { novalidate: true, dataset: { draft: `company-${c.id}` } },
    owner ? null : h('p.notice', t('settings.owner_only')),
    errBox,
    h('fieldset', h('legend', t('settings.company')),
      field(t('field.company_name'), 'name', { value: c.name, required: true }),
      field(t('field.organization_no'), 'organization_no', { value: c.organization_no, required: true, hint: t('settings.org_hint') })),
    h('fieldset', h('legend', t('customer.address_legend')),
      field(t('field.address_line_1'), 'address_line_1', { value: c.address_line_1 }),
      field(t('field.address_line_2'), 'address_line_2', { value: c.address_line_2 }),
      h('div.row2', field(t('field.zip_code'), 'zip_code', { value: c.zip_code }), field(t('field.city'), 'city', { value: c.city })),
      field(t('field.country'), 'country', { value: c.country, maxlength: 2 }),
      field(t('field.email'), 'email', { kind: 'email', value: c.email }),
      field(t('field.phone'), 'phone', { kind: 'tel', value: c.phone })),
    h('fieldset', h('legend', t('settings.payments')),
      field(t('field.bankgiro'), 'bankgiro', { value: c.bankgiro, hint: t('settings.bankgiro_hint') }),
      field(t('field.swish_number'), 'swish_number', { value: c.swish_number ?? '', inputmode: 'numeric', hint: t('settings.swish_hint') }),
      field(t('field.payment_terms_days'), 'payment_terms_days', { kind: 'number', value: String(c.payment_terms_days) }),
      field(t('field.reminder_fee_agreed'), 'reminder_fee_agreed', { kind: 'checkbox', value: c.reminder_fee_agreed, hint: t('settings.fee_agreed_hint') }),
      field(t('field.reminder_fee_minor'), 'reminder_fee_minor', { value: moneyInput(c.reminder_fee_minor), inputmode: 'decimal', hint: t('settings.fee_hint') }),
      field(t('field.accounting_method'), 'accounting_method', { kind: 'select', value: c.accounting_method, options: [['accrual', t('settings.accrual')], ['cash', t('settings.cash')]] }),
      field(t('field.fiscal_year_start_month'), 'fiscal_year_start_month', { kind: 'select', value: String(c.fiscal_year_start_month ?? 1), options: MONTHS.map((m) => [String(m), t(`month.${m}`)]), hint: t('settings.fiscal_year_hint') }),
      field(t('field.language'), 'language', { kind: 'select', value: c.language, options: [['sv', 'Svenska'], ['en', 'English']] })),
    h('div.buttons', h('button.primary#save-settings', { type: 'submit', disabled: !owner }, t('common.save')),
      returnTo ? h('a.button', { href: returnTo }, t('common.back')) : null));
  main.append(h('h1', { tabindex: '-1' }, t('settings.title')), form,
    owner ? h('p.settings-more', h('a#tokens-link', { href: '#/settings/tokens' }, t('settings.tokens_link'))) : null,
    h('p.settings-more', h('a#webhooks-link', { href: '#/settings/webhooks' }, t('settings.webhooks_link'))));
  restoreDraft(form);
  if (focus && form.elements[focus]) {
    const el = form.elements[focus];
    el.setAttribute('data-autofocus', '');
    el.closest('.field')?.classList.add('highlight');
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    hideError(errBox);
    clearFieldErrors(form);
    const body = {};
    for (const k of TEXT) {
      const v = form.elements[k].value.trim();
      if (v !== (c[k] ?? '')) body[k] = k === 'country' ? v.toUpperCase() : v;
    }
    const days = form.elements.payment_terms_days.value.trim();
    if (!/^\d{1,3}$/.test(days)) return showError(errBox, { message: t('form.bad_number'), field: 'payment_terms_days' }, form);
    if (Number(days) !== c.payment_terms_days) body.payment_terms_days = Number(days);
    const fee = parseMoney(form.elements.reminder_fee_minor.value || '0');
    if (fee === null || fee < 0) return showError(errBox, { message: t('form.bad_amount'), field: 'reminder_fee_minor' }, form);
    if (fee !== c.reminder_fee_minor) body.reminder_fee_minor = fee;
    const agreed = form.elements.reminder_fee_agreed.checked;
    if (agreed !== c.reminder_fee_agreed) body.reminder_fee_agreed = agreed;
    for (const k of ['accounting_method', 'language']) if (form.elements[k].value !== c[k]) body[k] = form.elements[k].value;
    const month = Number(form.elements.fiscal_year_start_month.value);
    if (month !== (c.fiscal_year_start_month ?? 1)) body.fiscal_year_start_month = month;
    const btn = form.querySelector('#save-settings');
    btn.disabled = true;
    try {
      if (Object.keys(body).length) c = await api('PATCH', co(), { body });
      state.company = c;
      dropDraft(form);
      amiliStatus(true).catch(() => {});
      btn.disabled = false;
      if (returnTo) {
        state.flash = t('settings.saved');
        navigate(returnTo);
        return;
      }
      form.prepend(h('p.notice.saved', { role: 'status' }, t('settings.saved')));
    } catch (err) {
      btn.disabled = false;
      showError(errBox, err, form);
    }
  });
}
