/*
 * expanded-row.js — the row under an invoice that opens with ▸: the
 * invoice's details, its history and the Åtgärder menu, loaded when opened
 * and again after an action changed the invoice.
 */
import { clear, h, loading, showError } from '../../dom.js';
import { t } from '../../i18n.js';
import { amiliStatus } from '../../state.js';
import { actionsMenu } from '../../components/actions.js';
import { detailBody, loadInvoice } from '../../components/details.js';

export class ExpandedRow {
  /* onChanged() after an action in the menu changed the invoice (the detail is fresh by then). */
  constructor(item, onChanged) {
    this.item = item;
    this.onChanged = onChanged;
    this.id = `detail-${item.id}`;
    this.el = h('tr.detail-row', { id: this.id, hidden: true }, h('td', { colspan: '10' }));
  }

  /* Open or close under the row tr; expand is the row's ▸ button. */
  async toggle(tr, expand) {
    const openNow = expand.getAttribute('aria-expanded') !== 'true';
    expand.setAttribute('aria-expanded', String(openNow));
    expand.firstChild.textContent = openNow ? '▾' : '▸';
    tr.classList.toggle('expanded', openNow);
    this.el.hidden = !openNow;
    if (openNow) await this.fill();
  }

  async fill() {
    const cell = clear(this.el.firstChild);
    cell.append(loading());
    try {
      await amiliStatus();
      const { inv, history } = await loadInvoice(this.item.id);
      clear(cell);
      const refresh = async () => {
        await this.fill();
        this.onChanged();
      };
      cell.append(h('div.detail', { role: 'region', 'aria-label': t('invoices.detail_label', { n: inv.number }) },
        h('div.detail-head',
          h('h2', t('invoice.number_short', { n: inv.number }), ' · ', inv.customer.name),
          actionsMenu(inv, { onChanged: refresh })),
        detailBody(inv, history, { onChanged: refresh }),
        h('p', h('a', { href: `#/invoices/${inv.number}` }, t('invoices.open_page')))));
    } catch (err) {
      clear(cell);
      const box = h('div.error-box', { role: 'alert' });
      cell.append(box);
      showError(box, err);
    }
  }
}
