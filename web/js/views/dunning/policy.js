/*
 * dunning/policy.js — the company's reminder policy ("Påminnelseregler"):
 * the policy editor (components/dunning-policy.js) over
 * GET/PUT .../dunning/policy, with a note while the standard rules are
 * shown unsaved and a link back to the runs.
 */
import { get } from '../../api.js';
import { h, loading } from '../../dom.js';
import { t } from '../../i18n.js';
import { co } from '../../state.js';
import { policyEditor } from '../../components/dunning-policy.js';

export async function render(main) {
  document.title = `${t('dunning.policy_title')} – Påminn`;
  main.append(h('h1', { tabindex: '-1' }, t('dunning.policy_title')), loading());
  const p = await get(co('/dunning/policy'));
  main.querySelector('.loading')?.remove();
  main.append(policyEditor(p, {
    id: 'dunning-policy',
    url: co('/dunning/policy'),
    note: p.stored ? null : h('p.notice.defaults-note', t('dunning.defaults_note')),
    buttons: [h('a.button', { href: '#/dunning' }, t('dunning.to_runs'))],
  }));
}
