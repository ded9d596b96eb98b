/*
 * dunning/run.js — the daily run ("Påminnelsekörning"): today's proposal
 * with its totals (reminders, hand-overs, nothing and why), a row per
 * invoice with its level or reason, "Skicka" to approve it, the letters
 * to print once it is done (only a run with letters has them: one that
 * sent only e-mail offers none), and the past runs.
 */
import { api, get } from '../../api.js';
import { clear, confirmDialog, h, hideError, loading, scrollBox, showError } from '../../dom.js';
import { getLang, t } from '../../i18n.js';
import { money } from '../../format.js';
import { co, role } from '../../state.js';
import { navigate } from '../../router.js';

const PAGE = 100;

function actionText(it) {
  if (it.action === 'remind') return t('dunning.action.remind', { n: it.level });
  if (it.action === 'handover') return t('dunning.action.handover');
  return '–';
}

function reasonText(it) {
  if (!it.reason) return it.result ? t('dunning.failed', { code: it.result }) : '';
  const base = getLang() === 'en' ? it.reason_en : it.reason_sv;
  return it.detail ? `${base} (${it.detail})` : base;
}

function itemRow(it) {
  return h('tr', { dataset: { invoice: String(it.invoice_id), action: it.action } },
    h('td', h('a', { href: `#/invoices/${it.invoice_number}` }, String(it.invoice_number))),
    h('td', it.customer_name),
    h('td', it.due_date),
    h('td.num', money(it.remaining_minor)),
    h('td.action', actionText(it)),
    h('td.reason', reasonText(it)),
    h('td', it.channel ? t(`dunning.channel.${it.channel}`) : ''),
    h('td.num', it.fee_minor ? money(it.fee_minor) : ''),
    h('td.state', t(`dunning.item.${it.state}`)));
}

function totalsBox(run) {
  const by = run.totals.by_action;
  const stat = (key, o) => h('div.stat', { dataset: { total: key } },
    h('span.stat-n', String(o?.count ?? 0)), h('span.stat-l', t(`dunning.total.${key}`)),
    h('span.stat-a', money(o?.remaining_minor ?? 0)),
    key === 'remind' && o?.fee_minor ? h('span.stat-f', t('dunning.fees', { amount: money(o.fee_minor) })) : null);
  const reasons = Object.entries(run.totals.by_reason).map(([r, o]) =>
    h('li', { dataset: { reason: r } }, `${t(`dunning.reason.${r}`)}: ${o.count}`));
  return h('div.dunning-totals', h('div.stats-row', stat('remind', by.remind), stat('handover', by.handover), stat('none', by.none)),
    reasons.length ? h('ul.reason-list', { 'aria-label': t('dunning.why_not') }, reasons) : null);
}

function itemsTable(run, items) {
  const body = h('tbody', items.map(itemRow));
  const table = h('table.dunning-items',
    h('thead', h('tr', ['invoice', 'customer', 'due', 'remaining', 'action', 'reason', 'channel', 'fee', 'state']
      .map((k) => h('th', { scope: 'col' }, t(`dunning.col.${k}`))))), body);
  let after = run.next_after;
  const more = h('button.more', { type: 'button', hidden: !after, onclick: async () => {
    const next = await get(co(`/dunning/runs/${run.id}`), { after, limit: PAGE });
    body.append(...next.items.map(itemRow));
    after = next.next_after;
    more.hidden = !after;
  } }, t('dunning.more'));
  return h('div', scrollBox(t('dunning.items_label'), table), more);
}

async function approve(run, errBox, onDone) {
  const n = run.totals.by_action.remind?.count ?? 0;
  const k = run.totals.by_action.handover?.count ?? 0;
  if (!await confirmDialog(t('dunning.confirm_title'), t('dunning.confirm', { n, k }), t('dunning.send'))) return;
  hideError(errBox);
  try {
    await api('POST', co(`/dunning/runs/${run.id}/approve`), { body: {} });
    onDone();
  } catch (err) {
    showError(errBox, err);
  }
}

function runSection(run, rerun) {
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  const sendable = run.state === 'proposed' && role() !== 'read_only';
  return h('section.dunning-run', { dataset: { run: String(run.id), state: run.state } },
    h('h2', t('dunning.run_of', { date: run.run_date })),
    h('p.run-state', t(`dunning.state.${run.state}`)),
    errBox,
    totalsBox(run),
    h('div.buttons',
      sendable ? h('button.primary#send-run', { type: 'button', onclick: () => approve(run, errBox, rerun) }, t('dunning.send')) : null,
      run.letters_url ? h('a.button#run-letters', { href: run.letters_url, download: '' }, t('dunning.letters')) : null),
    itemsTable(run, run.items));
}

/* A past run: its day and state, and its letters only when it has some
 * (a run that sent only e-mail has none: no letters_url). */
function pastRun(r, current) {
  const label = `${r.run_date} – ${t(`dunning.state.${r.state}`)}`;
  return h('li', { dataset: { run: String(r.id) } },
    r.id === current ? h('strong', label) : h('a', { href: `#/dunning?run=${r.id}` }, label),
    r.letters_url ? [' · ', h('a.run-letters', { href: r.letters_url, download: '' }, t('dunning.letters_short'))] : null);
}

function pastRuns(runs, current) {
  if (!runs.length) return null;
  return h('section.past-runs', h('h2', t('dunning.past')), h('ul', runs.map((r) => pastRun(r, current))));
}

export async function render(main, ctx) {
  document.title = `${t('dunning.title')} – Påminn`;
  const body = h('div.dunning', loading());
  const errBox = h('div.error-box', { role: 'alert', hidden: true });
  main.append(h('h1', { tabindex: '-1' }, t('dunning.title')),
    h('p.lead', t('dunning.lead'), ' ', h('a#policy-link', { href: '#/dunning/policy' }, t('dunning.policy_link'))), errBox, body);
  const list = await get(co('/dunning/runs'), { limit: 20 });
  const wanted = Number(ctx.query.get('run')) || list.runs[0]?.id;
  clear(body);
  const propose = h('button#propose', { type: 'button', disabled: role() === 'read_only', onclick: async () => {
    try {
      const r = await api('POST', co('/dunning/runs'), { body: {} });
      navigate(`#/dunning?run=${r.id}&t=${Date.now()}`);
    } catch (err) {
      showError(errBox, err);
    }
  } }, t('dunning.propose'));
  body.append(h('div.buttons', propose));
  if (wanted) {
    const run = await get(co(`/dunning/runs/${wanted}`), { limit: PAGE });
    body.append(runSection(run, () => navigate(`#/dunning?run=${run.id}&t=${Date.now()}`)));
  } else {
    body.append(h('p', t('dunning.none_yet')));
  }
  const past = pastRuns(list.runs, wanted);
  if (past) body.append(past);
}
