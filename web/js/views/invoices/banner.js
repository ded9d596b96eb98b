/*
 * banner.js — above the invoice list while the company has not activated
 * reminder handling with Visma Amili: a note that leads to the guided start.
 */
import { clear, h } from '../../dom.js';
import { t } from '../../i18n.js';
import { amiliStatus } from '../../state.js';

/* {el, render()}: render() (again after an activation) shows or removes the note. */
export function activationBanner(readOnly) {
  const el = h('div.banner-slot');
  async function render() {
    const st = await amiliStatus().catch(() => null);
    clear(el);
    if (!st || readOnly) return;
    if (st.status === 'ok' && !st.data.activated) {
      el.append(h('div.banner', { role: 'note' },
        h('p', h('strong', t('banner.not_activated'))), h('p', t('banner.not_activated_text')),
        h('a.button#banner-activate', { href: '#/start' }, t('action.activate'))));
    }
  }
  return { el, render };
}
