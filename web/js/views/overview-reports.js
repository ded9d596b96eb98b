/*
 * overview-reports.js — the overview's key figures: DSO and the
 * collection rate per month as an inline SVG chart (bars: collection
 * rate, 0–100 %, left scale; line: DSO in days, right scale) with the same
 * figures in a table beside it, and the last 30 days of dunning (days
 * with something to show, and the totals).  Uses GET
 * /reports/receivables and /reports/dunning; the definitions are
 * docs/reports.md's.  The chart has a <title> and a <desc> that says every
 * figure, and the table is the fallback that screen readers and phones
 * can read in full.
 */
import { get } from '../api.js';
import { h, scrollBox, showError } from '../dom.js';
import { t } from '../i18n.js';
import { money, percentBp } from '../format.js';
import { co } from '../state.js';

const SVG = 'http://www.w3.org/2000/svg';

function svgEl(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

/* 393 → "39,3" */
function dsoText(tenths) {
  if (tenths === null || tenths === undefined) return '–';
  return `${Math.trunc(tenths / 10)},${Math.abs(tenths % 10)}`;
}

const rateText = (bp) => (bp === null || bp === undefined ? '–' : percentBp(bp));

/* "jan 2026" / "Jan 2026" */
function monthName(m, short) {
  const [y, mo] = m.month.split('-').map(Number);
  const name = t(`month.${mo}`);
  return short ? name.slice(0, 3) : `${name} ${y}`;
}

/* A round scale top for the DSO line: 30, 60, 90 … days. */
function dsoTop(months) {
  const max = Math.max(0, ...months.map((m) => (m.dso_tenths ?? 0) / 10));
  return Math.max(30, Math.ceil(max / 30) * 30);
}

function describe(months) {
  return months.map((m) => t('reports.chart_month', {
    month: monthName(m),
    dso: m.dso_tenths === null ? t('reports.chart_no_dso') : t('reports.chart_dso', { dso: dsoText(m.dso_tenths) }),
    rate: m.collection_rate_bp === null ? t('reports.chart_no_rate') : t('reports.chart_rate', { rate: rateText(m.collection_rate_bp) }),
  })).join(' ');
}

function axes(svg, g) {
  const { left, right, top, base } = g;
  svg.append(svgEl('line', { x1: left, x2: right, y1: base, y2: base, class: 'axis' }));
  for (const f of [0, 0.5, 1]) {
    const y = base - (base - top) * f;
    svg.append(svgEl('line', { x1: left, x2: right, y1: y, y2: y, class: 'grid' }));
    svg.append(svgEl('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick rate-tick' }, `${f * 100} %`));
    svg.append(svgEl('text', { x: right + 6, y: y + 4, 'text-anchor': 'start', class: 'tick dso-tick' }, String(g.dsoMax * f)));
  }
}

function chart(months) {
  const narrow = window.matchMedia('(max-width: 600px)').matches;
  const w = narrow ? 360 : 720;
  const g = { left: 44, right: w - 40, top: 24, base: 200, dsoMax: dsoTop(months) };
  const svg = svgEl('svg', { viewBox: `0 0 ${w} 250`, role: 'img', class: 'reports-chart', 'aria-labelledby': 'reports-chart-title reports-chart-desc' });
  svg.append(svgEl('title', { id: 'reports-chart-title' }, t('reports.chart_title')), svgEl('desc', { id: 'reports-chart-desc' }, describe(months)));
  axes(svg, g);
  const step = (g.right - g.left) / months.length;
  const bw = Math.max(6, step * 0.55);
  const points = [];
  months.forEach((m, i) => {
    const cx = g.left + step * i + step / 2;
    if (m.collection_rate_bp !== null) {
      const bh = Math.round(((g.base - g.top) * Math.min(m.collection_rate_bp, 10000)) / 10000);
      svg.append(svgEl('rect', { x: cx - bw / 2, y: g.base - bh, width: bw, height: bh, rx: 2, class: 'rate-bar' }));
    }
    if (m.dso_tenths !== null) points.push([cx, g.base - ((g.base - g.top) * Math.min(m.dso_tenths / 10, g.dsoMax)) / g.dsoMax]);
    /* on a phone every other month is named (the last one always), so the names keep their size */
    if (!narrow || months.length <= 6 || (months.length - 1 - i) % 2 === 0) {
      svg.append(svgEl('text', { x: cx, y: g.base + 18, 'text-anchor': 'middle', class: 'tick' }, monthName(m, true)));
    }
  });
  if (points.length) {
    svg.append(svgEl('polyline', { points: points.map((p) => p.join(',')).join(' '), class: 'dso-line' }));
    for (const [x, y] of points) svg.append(svgEl('circle', { cx: x, cy: y, r: 3.5, class: 'dso-dot' }));
  }
  svg.append(svgEl('text', { x: g.left - 6, y: 12, 'text-anchor': 'end', class: 'tick rate-tick' }, t('reports.rate_short')),
    svgEl('text', { x: g.right + 6, y: 12, 'text-anchor': 'start', class: 'tick dso-tick' }, t('reports.dso_short')));
  return svg;
}

function monthsTable(months) {
  const th = (key) => h('th.num', { scope: 'col' }, t(key));
  return scrollBox(t('reports.months_caption'), h('table.reports-months',
    h('caption', t('reports.months_caption')),
    h('thead', h('tr', h('th', { scope: 'col' }, t('reports.month')), th('reports.invoiced'), th('reports.receivables'), th('reports.dso'),
      th('reports.due'), th('reports.collected'), th('reports.rate'))),
    h('tbody', months.map((m) => h('tr', { dataset: { month: m.month } },
      h('th', { scope: 'row' }, monthName(m)),
      h('td.num', money(m.invoiced_minor)), h('td.num', money(m.receivables_minor)), h('td.num.dso', dsoText(m.dso_tenths)),
      h('td.num', money(m.due_minor)), h('td.num', money(m.collected_minor)), h('td.num.rate', rateText(m.collection_rate_bp)))))));
}

function dunningRow(d, head) {
  return h('tr', d.date ? { dataset: { date: d.date } } : {}, head,
    h('td.num', String(d.reminders)), h('td.num', money(d.fees_minor)),
    h('td.num', String(d.handed_over)), h('td.num', money(d.handed_over_minor)),
    h('td.num', String(d.paid_after_reminder)), h('td.num', money(d.paid_after_reminder_minor)));
}

function dunningTable(rep) {
  const busy = rep.days.filter((d) => d.reminders || d.handed_over || d.paid_after_reminder).reverse();
  const th = (key) => h('th.num', { scope: 'col' }, t(key));
  return scrollBox(t('reports.dunning_heading'), h('table.reports-dunning',
    h('caption', t('reports.dunning_caption', { from: rep.from, to: rep.to })),
    h('thead', h('tr', h('th', { scope: 'col' }, t('reports.day')), th('reports.reminders'), th('reports.fees'),
      th('reports.handed_over'), th('reports.handed_over_amount'), th('reports.paid_after'), th('reports.paid_after_amount'))),
    h('tbody', busy.length ? busy.map((d) => dunningRow(d, h('th', { scope: 'row' }, d.date)))
      : h('tr', h('td', { colspan: 7 }, t('reports.no_dunning')))),
    h('tfoot', dunningRow(rep.total, h('th', { scope: 'row' }, t('overview.total'))))));
}

/* The section, filled when both reports have come. */
export function reportsSection() {
  const section = h('section.reports', { 'aria-labelledby': 'reports-heading' },
    h('h2#reports-heading', t('reports.heading')), h('p.loading', { role: 'status' }, t('common.loading')));
  Promise.all([get(co('/reports/receivables'), { months: 12 }), get(co('/reports/dunning'))]).then(([rec, dun]) => {
    section.querySelector('.loading').remove();
    section.append(
      h('figure.chart.reports-figure', chart(rec.months), h('figcaption', t('reports.caption'))),
      monthsTable(rec.months),
      h('h3', t('reports.dunning_heading')),
      dunningTable(dun),
      h('p.muted', t('reports.definitions')));
  }).catch((err) => {
    if (err.handled) return;
    section.querySelector('.loading')?.remove();
    const box = h('div.error-box', { role: 'alert' });
    section.append(box);
    showError(box, err);
  });
  return section;
}
