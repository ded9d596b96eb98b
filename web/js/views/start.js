/*
 * start.js — the reminders area ("Påminnelser").  Before the company has
 * activated Visma Amili it is the guided start view (what the service does,
 * the terms with their version, accept, result); afterwards it shows the
 * activation, the overdue invoices and how to send.
 */
import { get } from '../api.js';
import { clear, h } from '../dom.js';
import { t, tn } from '../i18n.js';
import { amiliStatus, co, isActivated } from '../state.js';
import { activatedSummary, activationFlow } from '../components/activation.js';

export async function render(main) {
  document.title = `${t('start.title')} – Påminn`;
  const body = h('div.start');
  main.append(h('h1', { tabindex: '-1' }, t('start.title')), body);
  await amiliStatus(true);
  if (!isActivated()) {
    body.append(h('p.lead', t('start.lead')));
    const box = h('div.activation-box');
    body.append(box);
    await activationFlow(box, { onActivated: () => setTimeout(() => {}, 0) });
    return;
  }
  const st = await amiliStatus();
  const stats = h('div.stats');
  body.append(h('section', h('h2', t('start.active_title')), activatedSummary(st.data)), h('section', h('h2', t('start.now_title')), stats),
    h('section', h('h2', t('start.how_title')), h('ol',
      h('li', t('start.how1')), h('li', t('start.how2')), h('li', t('start.how3')), h('li', t('start.how4')))));
  try {
    const c = await get(co('/invoices/counts'));
    clear(stats).append(h('ul.stat-list',
      h('li', h('a', { href: '#/invoices?status=overdue' }, tn('start.overdue', c.overdue))),
      h('li', h('a', { href: '#/invoices?status=agency' }, tn('start.agency', c.agency)))));
  } catch (err) {
    if (!err.handled) stats.append(h('p', err.message));
  }
}
