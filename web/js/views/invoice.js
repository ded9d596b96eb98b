/*
 * invoice.js — the invoice page: heading with the Åtgärder menu top right,
 * the amounts, the Visma Amili case, the lines, the buyers of a ROT/RUT
 * invoice, its e-mails, its credit notes and the history.
 */
import { invoiceMails } from '../components/mails.js';
import { creditNotesSection } from '../components/credit-notes.js';
import { h, clear, loading, showError, scrollBox } from '../dom.js';
import { t } from '../i18n.js';
import { money, percentBp, quantity } from '../format.js';
import { amiliStatus } from '../state.js';
import { actionsMenu } from '../components/actions.js';
import { statusBadges } from '../components/common.js';
import { detailBody, loadInvoiceByNumber } from '../components/details.js';

export async function render(main, ctx) {
  const number = Number(ctx.params[0]);
  const wrap = h('div.invoice-page');
  main.append(wrap);
  async function fill() {
    clear(wrap).append(loading());
    try {
      await amiliStatus();
      const { inv, history } = await loadInvoiceByNumber(number);
      if (!ctx.isCurrent()) return;
      document.title = `${t('invoice.number_short', { n: inv.number })} – Påminn`;
      clear(wrap);
      const parts = detailBody(inv, history, { onChanged: fill });
      wrap.append(
        h('p.back', h('a', { href: '#/invoices' }, `← ${t('invoices.title')}`)),
        h('div.view-head',
          h('div', h('h1', { tabindex: '-1' }, t('invoice.number_short', { n: inv.number }), ' · ', inv.customer.name), statusBadges(inv)),
          actionsMenu(inv, { onChanged: fill, idSuffix: '-page' })),
        ...parts.slice(0, 2).filter(Boolean),
        h('section.lines', h('h2', t('invoice.lines')),
          scrollBox(t('invoice.lines'), h('table.lines-table',
            h('thead', h('tr',
              h('th', { scope: 'col' }, t('line.description')),
              h('th.num', { scope: 'col' }, t('line.quantity')),
              h('th.num', { scope: 'col' }, t('line.unit_price')),
              h('th.num', { scope: 'col' }, t('line.vat')),
              h('th', { scope: 'col' }, t('line.labour')),
              h('th.num', { scope: 'col' }, t('line.net')))),
            h('tbody', inv.lines.map((l) => h('tr',
              h('td', l.description),
              h('td.num', quantity(l.quantity_milli)),
              h('td.num', money(l.unit_price_minor, inv.currency)),
              h('td.num', percentBp(l.vat_rate_bp)),
              h('td', l.labour ? t('common.yes') : ''),
              h('td.num', money(l.net_minor, inv.currency)))))))),
        inv.buyers && inv.buyers.length ? h('section.buyers', h('h2', t('invoice.buyers')),
          h('ul', inv.buyers.map((b) => h('li', `${b.name} (${b.id_number})`)))) : '',
        invoiceMails(inv) ?? '',
        creditNotesSection(inv),
        ...parts.slice(2).filter(Boolean));
    } catch (err) {
      clear(wrap);
      const box = h('div.error-box', { role: 'alert' });
      wrap.append(h('h1', { tabindex: '-1' }, t('invoice.page_title')), box);
      showError(box, err);
    }
  }
  await fill();
}
