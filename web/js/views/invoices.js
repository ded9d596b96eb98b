/*
 * invoices.js — the customer invoice list ("Kundfakturor"), put together
 * from its parts in invoices/:
 *
 *   list.js           filter tabs with counts, search, sortable table, paging
 *   row.js            one invoice row;  expanded-row.js  details, history, Åtgärder
 *   selection-bar.js  what is ticked, send method, Skicka;  bulk-send.js  the sending
 *   result-panel.js   progress and one result per invoice of a bulk send
 *   banner.js         "not activated" note;  list-state.js  what the list remembers
 */
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { onChange, role } from '../state.js';
import { activationBanner } from './invoices/banner.js';
import { InvoiceList } from './invoices/list.js';
import { readQuery } from './invoices/list-state.js';
import { resultPanel } from './invoices/result-panel.js';
import { SelectionBar } from './invoices/selection-bar.js';

export { resetState } from './invoices/list-state.js';

export async function render(main, ctx) {
  const bucket = readQuery(ctx.query);
  document.title = `${t('invoices.title')} – Påminn`;
  const readOnly = role() === 'read_only';
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const banner = activationBanner(readOnly);
  const selection = new SelectionBar({ bucket, readOnly, errBox, onActivated: () => banner.render() });
  const list = new InvoiceList({ bucket, readOnly, errBox, selection });
  selection.attach(list);

  main.append(h('div.view-head',
    h('h1', t('invoices.title')),
    readOnly ? null : h('a.button#new-invoice', { href: '#/invoices/new' }, t('invoices.new'))),
  banner.el, errBox, list.tabs.el, h('div.toolbar', list.searchForm, list.stoppedFilter, list.bucketChip, selection.el), resultPanel(),
  h('div.table-wrap', list.table), list.listStatus, list.moreBtn, list.sentinel);

  banner.render();
  list.loadCounts();
  /* An activation from a dialog takes the banner away at once. */
  const stopListening = onChange((what) => {
    if (what === 'amili') banner.render();
  });
  await list.loadPage();
  return () => {
    stopListening();
    list.stop();
  };
}
