/*
 * activation.js — the guided activation of reminder handling via Visma
 * Amili ("Aktivera påminnelsehantering"): what the service does, the terms
 * with their version, an explicit accept step, and the result — or what to
 * fix in the company settings first.  Used by the start view and by the
 * Actions menu of an invoice.
 */
import { Action, api } from '../api.js';
import { clear, fieldLabel, h, hideError, loading, nextId, showError } from '../dom.js';
import { t } from '../i18n.js';
import { instant } from '../format.js';
import { amiliStatus, co, notifyChanged, state } from '../state.js';
import { agencyLink } from '../links.js';

function missingList(missing) {
  return h('ul.missing', missing.map((m) => {
    const f = String(m.field ?? '').replace(/^company\./, '');
    return h('li',
      h('span', m.message || m.code),
      f && fieldLabel(f) ? [' (', fieldLabel(f), ') '] : ' ',
      h('a.fix-link', { href: `#/settings?focus=${encodeURIComponent(f)}&return=${encodeURIComponent(location.hash)}` },
        t('activation.fix_in_settings')));
  }));
}

export function activatedSummary(d) {
  return h('div.activated',
    h('p.success-line', h('strong', t('activation.is_active'))),
    h('dl.facts',
      h('dt', t('activation.state')), h('dd', t(`activation.state.${d.state ?? 'active'}`)),
      h('dt', t('activation.terms_version')), h('dd', d.terms?.version ?? '–'),
      h('dt', t('activation.accepted_by')), h('dd', d.accepted_by ?? '–'),
      h('dt', t('activation.accepted_at')), h('dd', instant(d.accepted_at) || '–'),
      d.account_id ? [h('dt', t('activation.account')), h('dd', d.account_id)] : null),
    agencyLink(d.agency_url) ? h('p', h('a', { href: agencyLink(d.agency_url), target: '_blank', rel: 'noopener' }, t('activation.agency_link'))) : null);
}

/*
 * Fill container with the activation flow.  onActivated(data) is called
 * after a successful activation.  Returns nothing; errors are shown in place.
 */
export async function activationFlow(container, { onActivated, headingLevel = 2 } = {}) {
  clear(container);
  container.append(loading());
  const st = await amiliStatus(true);
  clear(container);
  if (st.status === 'error') {
    const box = h('div.error-box', { role: 'alert' });
    container.append(box);
    const err = st.error;
    if (err.status === 404) {
      err.message = t('activation.unavailable');
    }
    showError(box, err);
    container.append(h('button', { type: 'button', onclick: () => activationFlow(container, { onActivated, headingLevel }) }, t('common.retry')));
    return;
  }
  const d = st.data;
  if (d.activated) {
    container.append(activatedSummary(d));
    return;
  }
  const a = {
    container, onActivated, headingLevel, H: `h${headingLevel}`, version: d.terms?.version ?? '',
    termsId: nextId('terms'),
    errBox: h('div.error-box', { role: 'alert', hidden: true }),
    result: h('div.result', { 'aria-live': 'polite' }),
    accept: h('input', { type: 'checkbox', id: nextId('accept'), name: 'accept_terms' }),
    button: h('button.primary#activate-btn', { type: 'submit' }, t('activation.submit')),
    action: new Action(),
  };
  a.form = activationForm(a, d);
  a.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitActivation(a);
  });
  container.append(a.form);
}

/* The three steps: what the service does, the terms, accept and activate. */
function activationForm(a, d) {
  const { H, version, accept, termsId } = a;
  return h('form.activation', { novalidate: true },
    h('ol.steps',
      h('li.step',
        h(H, t('activation.step1')),
        h('p', t('activation.what1')),
        h('ul', h('li', t('activation.what2')), h('li', t('activation.what3')), h('li', t('activation.what4'))),
        h('p.muted', t('activation.once_note'))),
      h('li.step',
        h(H, t('activation.step2', { version })),
        h('div.terms', { id: termsId, tabindex: '0', role: 'region', 'aria-label': t('activation.terms_label', { version }) },
          (d.terms?.text ?? '').split(/\n{2,}/).map((p) => h('p', p)))),
      h('li.step',
        h(H, t('activation.step3')),
        d.state === 'pending' ? h('p.notice', t('activation.pending')) : null,
        d.state === 'failed' ? h('p.notice', t('activation.failed_before')) : null,
        d.missing && d.missing.length ? h('div.missing-box', h('p', t('activation.missing_intro')), missingList(d.missing)) : null,
        h('div.field.check', accept, h('label', { for: accept.id }, t('activation.accept', { version }))),
        a.errBox,
        h('div.buttons', a.button))),
    a.result);
}

async function submitActivation(a) {
  const { accept, button, container, errBox, H } = a;
  hideError(errBox);
  clear(a.result);
  if (!accept.checked) {
    showError(errBox, { message: t('activation.must_accept') });
    accept.setAttribute('aria-invalid', 'true');
    accept.focus();
    return;
  }
  accept.removeAttribute('aria-invalid');
  button.disabled = true;
  button.textContent = t('activation.working');
  try {
    const data = await api('POST', co('/amili/activation'), { body: { accept_terms: true, terms_version: a.version }, action: a.action });
    state.amili = { status: 'ok', data };
    clear(container);
    container.append(h('div.result-ok', { role: 'status' },
      h(H, { tabindex: '-1', class: 'result-heading' }, t('activation.done_title')),
      h('p', t('activation.done_text')),
      activatedSummary(data)));
    container.querySelector('.result-heading').focus();
    notifyChanged('amili');
    if (a.onActivated) a.onActivated(data);
  } catch (err) {
    button.disabled = false;
    button.textContent = t('activation.submit');
    activationFailed(a, err);
  }
}

/* What to fix (company incomplete), newer terms (start again) or the error. */
function activationFailed(a, err) {
  const { errBox, result } = a;
  if (err.handled) {
    showError(errBox, err);
    return;
  }
  const missing = err.body?.missing ?? err.error?.missing ?? [];
  if (err.code === 'company_incomplete') {
    clear(result);
    result.append(h('div.missing-box', { role: 'alert' },
      h('p', h('strong', t('activation.incomplete'))),
      h('p', err.message),
      missingList(missing),
      h('p', h('a', { href: `#/settings?return=${encodeURIComponent(location.hash)}` }, t('activation.open_settings')))));
    result.querySelector('a')?.focus();
    return;
  }
  if (err.code === 'terms_version_outdated') {
    showError(errBox, { message: t('activation.outdated'), status: err.status, code: err.code });
    setTimeout(() => activationFlow(a.container, { onActivated: a.onActivated, headingLevel: a.headingLevel }), 1500);
    return;
  }
  if (err.status === 404) err.message = t('activation.unavailable');
  showError(errBox, err, a.form);
}
