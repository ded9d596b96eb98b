/*
 * mails.js — the "E-post" view (#/mails): the company's reminder e-mails,
 * newest first — queued, sent and failed, with a state badge and, for a
 * failure or a retry, the mail server's answer — paged with "Visa fler".
 */
import { get } from '../api.js';
import { clear, h, loading, showError } from '../dom.js';
import { t } from '../i18n.js';
import { co } from '../state.js';
import { mailTable } from '../components/mails.js';

export async function render(main) {
  document.title = `${t('mail.title')} – Påminn`;
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const status = h('p.mail-smtp');
  const list = h('div.mail-list');
  main.append(h('h1', { tabindex: '-1' }, t('mail.title')), h('p', t('mail.intro')), status, errBox, list);
  await page(list, status, errBox, null);
}

async function page(list, status, errBox, cursor) {
  const more = list.querySelector('button.more');
  if (more) more.remove();
  if (!cursor) clear(list).append(loading());
  let res;
  try {
    res = await get(co(`/mails?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
  } catch (err) {
    if (!cursor) clear(list);
    if (!err.handled) showError(errBox, err);
    return;
  }
  if (!cursor) {
    clear(list);
    status.textContent = res.smtp?.configured ? t('mail.smtp_on', { from: res.smtp.from }) : t('mail.smtp_off');
    if (!res.items.length) {
      list.append(h('p.list-status', t('mail.empty')));
      return;
    }
    list.append(mailTable(res.items));
  } else {
    const tbody = list.querySelector('tbody');
    for (const row of mailTable(res.items).querySelectorAll('tbody tr')) tbody.append(row);
  }
  if (res.next_cursor) {
    list.append(h('button.more', { type: 'button', onclick: () => page(list, status, errBox, res.next_cursor) }, t('mail.more')));
  }
}
