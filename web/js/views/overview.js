/*
 * overview.js — the receivables overview ("Kundreskontra"): open amounts by
 * age (not due, 1–30, 31–60, 61–90, over 90 days) as an SVG bar chart and a
 * table of totals, each bucket a link to the invoice list filtered to it.
 * Uses GET /receivables/aging; when the server does not have it yet the
 * buckets are summed here from the open invoices (integer öre) and the page
 * says so.  A warning tops the page when today's half-year has no reference
 * rate (GET /reference-rates), since interest to date is then partial.
 */
import { get } from '../api.js';
import { clear, h, loading, showError } from '../dom.js';
import { t, tn } from '../i18n.js';
import { isDate, money, todayLocal } from '../format.js';
import { co } from '../state.js';
import { reportsSection } from './overview-reports.js';

const KEYS = ['not_due', '1-30', '31-60', '61-90', '90+'];
const SVG = 'http://www.w3.org/2000/svg';

function bucketKey(b) {
  const raw = String(b.key ?? b.bucket ?? b.id ?? b.name ?? '').toLowerCase();
  if (/not|current|ej/.test(raw)) return 'not_due';
  if (b.from_days !== undefined || b.min_days !== undefined) {
    const from = b.from_days ?? b.min_days;
    if (from <= 0) return 'not_due';
    if (from <= 1) return '1-30';
    if (from <= 31) return '31-60';
    if (from <= 61) return '61-90';
    return '90+';
  }
  if (/^1\D+30$|1_30/.test(raw)) return '1-30';
  if (/31\D+60/.test(raw)) return '31-60';
  if (/61\D+90/.test(raw)) return '61-90';
  if (/90|over/.test(raw)) return '90+';
  return null;
}

/* The API's answer, whatever its exact shape, as Map key → {amount, count}. */
function fromApi(res) {
  const list = Array.isArray(res) ? res : res.buckets ?? res.items ?? [];
  const out = new Map(KEYS.map((k) => [k, { amount: 0, count: 0 }]));
  if (Array.isArray(list)) {
    for (const b of list) {
      const k = bucketKey(b);
      if (!k) continue;
      out.set(k, { amount: Number(b.amount_minor ?? b.remaining_minor ?? b.total_minor ?? 0), count: Number(b.count ?? b.invoices ?? 0) });
    }
  } else if (list && typeof list === 'object') {
    for (const [name, b] of Object.entries(list)) {
      const k = bucketKey({ key: name });
      if (k) out.set(k, { amount: Number(b.amount_minor ?? b.remaining_minor ?? b ?? 0), count: Number(b.count ?? 0) });
    }
  }
  return { buckets: out, currency: res.currency ?? 'SEK', asOf: res.as_of ?? null };
}

async function computeHere(progress) {
  const out = new Map(KEYS.map((k) => [k, { amount: 0n, count: 0 }]));
  let cursor = null;
  let n = 0;
  const other = new Set();
  for (;;) {
    const page = await get(co('/invoices'), { status: 'unpaid', sort: 'due_date', limit: 200, cursor });
    for (const it of page.items) {
      if (it.currency !== 'SEK') {
        other.add(it.currency);
        continue;
      }
      const d = it.days_overdue ?? 0;
      const k = it.status !== 'overdue' ? 'not_due' : d <= 30 ? '1-30' : d <= 60 ? '31-60' : d <= 90 ? '61-90' : '90+';
      const b = out.get(k);
      b.amount += BigInt(it.remaining_minor);
      b.count += 1;
      n += 1;
    }
    progress(n);
    cursor = page.next_cursor;
    if (!cursor || n >= 50000) break;
  }
  for (const b of out.values()) b.amount = Number(b.amount);
  return { buckets: out, currency: 'SEK', partial: !!cursor, other: [...other] };
}

function chart(buckets, currency) {
  /* A phone gets a drawing as wide as its screen, so that the labels keep their size. */
  const narrow = window.matchMedia('(max-width: 600px)').matches;
  const w = narrow ? 360 : 640;
  const hgt = narrow ? 240 : 260;
  const pad = narrow ? 30 : 36;
  const bw = narrow ? 50 : 80;
  const gap = (w - pad * 2 - bw * KEYS.length) / (KEYS.length - 1);
  let max = 0;
  for (const b of buckets.values()) max = Math.max(max, b.amount);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  /* A group, not an image: it holds a link per bar. */
  svg.setAttribute('role', 'group');
  svg.setAttribute('class', 'aging-chart');
  svg.setAttribute('aria-labelledby', 'aging-chart-title');
  const title = document.createElementNS(SVG, 'title');
  title.id = 'aging-chart-title';
  title.textContent = t('overview.chart_title') + ': ' + KEYS.map((k) => `${t(`bucket.${k}`)} ${money(buckets.get(k).amount, currency)}`).join('; ');
  svg.append(title);
  const base = hgt - 40;
  const line = document.createElementNS(SVG, 'line');
  Object.entries({ x1: pad - 8, x2: w - pad + 8, y1: base, y2: base, class: 'axis' }).forEach(([k, v]) => line.setAttribute(k, v));
  svg.append(line);
  KEYS.forEach((k, i) => {
    const b = buckets.get(k);
    /* Pixel heights only: the ratio is layout, not an amount. */
    const bh = max > 0 ? Math.max(b.amount > 0 ? 2 : 0, Math.round(((base - 30) * b.amount) / max)) : 0;
    const x = pad + i * (bw + gap);
    const a = document.createElementNS(SVG, 'a');
    a.setAttribute('href', link(k));
    const shown = narrow ? thousands(b.amount) : shortMoney(b.amount);
    /* The link's name is its text on screen: the bucket, then the (rounded) amount; the table below has the exact one. */
    const rect = document.createElementNS(SVG, 'rect');
    Object.entries({ x, y: base - bh, width: bw, height: bh, class: `bar bar-${i}`, rx: 3 }).forEach(([kk, v]) => rect.setAttribute(kk, v));
    const val = document.createElementNS(SVG, 'text');
    Object.entries({ x: x + bw / 2, y: base - bh - 6, 'text-anchor': 'middle', class: 'bar-value' }).forEach(([kk, v]) => val.setAttribute(kk, v));
    val.textContent = shown;
    const lab = document.createElementNS(SVG, 'text');
    Object.entries({ x: x + bw / 2, y: base + 20, 'text-anchor': 'middle', class: 'bar-label' }).forEach(([kk, v]) => lab.setAttribute(kk, v));
    barLabel(lab, t(`bucket.${k}`), narrow);
    a.append(rect, lab, val);
    svg.append(a);
  });
  return svg;
}

/* A bar's label; on a phone on two lines ("31–60" over "dagar"). */
function barLabel(text, label, narrow) {
  const cut = label.lastIndexOf(' ');
  if (!narrow || cut < 0) {
    text.textContent = label;
    return;
  }
  [label.slice(0, cut), label.slice(cut + 1)].forEach((part, i) => {
    const span = document.createElementNS(SVG, 'tspan');
    span.setAttribute('x', text.getAttribute('x'));
    if (i) span.setAttribute('dy', '1.1em');
    span.textContent = part;
    text.append(span);
  });
}

/* "1 235 tkr" for a phone's narrow bars (whole thousands, integer division). */
function thousands(minor) {
  const k = BigInt(minor) / 100000n;
  return t('overview.thousands', { n: money(k * 100n).replace(/,00/, '').replace(/\s*kr$/, '').replace(/^SEK\s*/, '') });
}

/* "12 345 kr" without öre for the chart's labels (integer division). */
function shortMoney(minor) {
  const kr = BigInt(minor) / 100n;
  return money(kr * 100n).replace(/,00/, '');
}

function link(k) {
  return `#/invoices?status=${k === 'not_due' ? 'unpaid' : 'overdue'}&bucket=${encodeURIComponent(k)}`;
}

/* The warning when the current half-year's reference rate is missing, or ''. */
async function rateWarning() {
  try {
    const r = await get(co('/reference-rates'));
    if (!r.current_missing) return '';
    return h('p.notice.rate-warning', { role: 'status' }, t('overview.rate_missing', { from: r.next_from, until: r.known_until }));
  } catch {
    return '';
  }
}

export async function render(main, ctx) {
  document.title = `${t('overview.title')} – Påminn`;
  const asOfParam = ctx.query.get('as_of');
  const out = h('div.overview-body');
  /* The date starts as today, the day the figures are for when none is chosen. */
  const asOf = h('input#as-of', { type: 'date', name: 'as_of', value: isDate(asOfParam ?? '') ? asOfParam : todayLocal() });
  const form = h('form.inline', { onsubmit: (ev) => { ev.preventDefault(); location.hash = `#/overview${asOf.value ? `?as_of=${asOf.value}` : ''}`; } },
    h('label', { for: 'as-of' }, t('overview.as_of')), asOf, h('button', { type: 'submit' }, t('overview.show')));
  main.append(h('h1', { tabindex: '-1' }, t('overview.title')), form, out);
  out.append(loading());
  let data;
  let note = null;
  const warning = rateWarning();
  try {
    const res = await get(co('/receivables/aging'), { as_of: isDate(asOfParam ?? '') ? asOfParam : undefined });
    data = fromApi(res);
    if (data.asOf) asOf.value = data.asOf;
  } catch (err) {
    if (err.handled) return;
    if (err.status !== 404) {
      clear(out);
      const box = h('div.error-box', { role: 'alert' });
      out.append(box);
      showError(box, err);
      return;
    }
    clear(out).append(h('p.loading', { role: 'status' }, t('overview.computing', { n: 0 })));
    data = await computeHere((n) => {
      out.firstChild.textContent = t('overview.computing', { n });
    });
    note = h('p.notice', t('overview.fallback'), data.partial ? ` ${t('overview.partial')}` : '',
      data.other.length ? ` ${t('overview.other_currencies', { list: data.other.join(', ') })}` : '');
  }
  clear(out);
  let total = 0n;
  let count = 0;
  for (const b of data.buckets.values()) {
    total += BigInt(b.amount);
    count += b.count;
  }
  out.append(await warning, note ?? '',
    h('figure.chart', chart(data.buckets, data.currency), h('figcaption', t('overview.caption'))),
    h('div.table-wrap', h('table.aging',
      h('caption', t('overview.table_caption')),
      h('thead', h('tr', h('th', { scope: 'col' }, t('overview.bucket')), h('th.num', { scope: 'col' }, t('overview.count')), h('th.num', { scope: 'col' }, t('overview.amount')))),
      h('tbody', KEYS.map((k) => h('tr', { dataset: { bucket: k } },
        h('th', { scope: 'row' }, h('a', { href: link(k) }, t(`bucket.${k}`))),
        h('td.num', String(data.buckets.get(k).count)),
        h('td.num', money(data.buckets.get(k).amount, data.currency))))),
      h('tfoot', h('tr', h('th', { scope: 'row' }, t('overview.total')), h('td.num', String(count)), h('td.num', money(total, data.currency)))))),
    h('p.muted', tn('overview.summary', count, { amount: money(total, data.currency) })),
    note ? null : h('p.muted.currency-note', t('overview.sek_only')),
    reportsSection());
}
