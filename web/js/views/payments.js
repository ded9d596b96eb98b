/*
 * payments.js — "Inbetalningar": bank files and the payments they bring,
 * put together from its parts in payments/:
 *
 *   import.js     choose a bank file, its preview (a dry run), Bokför, the result
 *   report.js     what a file does to the books, as preview and as result
 *   unmatched.js  payments waiting to be placed on an invoice, and placing one
 *   words.js      the server's reasons and the file's remarks in plain words
 *
 * Users who may only read see the payments waiting, without the import
 * and without the buttons that place them.
 */
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { notifyChanged, role } from '../state.js';
import { BankFileImport } from './payments/import.js';
import { heldSection } from './payments/unmatched.js';

export async function render(main) {
  document.title = `${t('payments.title')} – Påminn`;
  const readOnly = role() === 'read_only';
  const held = heldSection({ readOnly, onPlaced: () => notifyChanged('invoice') });
  main.append(h('h1', { tabindex: '-1' }, t('payments.title')),
    h('p', t('payments.intro')),
    readOnly ? h('p.notice', t('payments.read_only')) : new BankFileImport({
      onBooked: () => {
        notifyChanged('invoice');
        held.load();
      },
    }).el,
    held.el);
  await held.load();
}
