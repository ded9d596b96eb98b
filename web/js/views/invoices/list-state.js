/*
 * list-state.js — what the invoice list remembers while the user moves
 * around the app (filter, search, sort, send method, the ticked invoices,
 * the element with the results of the last send, so they survive a visit to
 * a customer card), the filter tabs and aging buckets, and the list's
 * address: #/invoices?status=…&q=…&sort=…&bucket=….
 *
 * `ls` is a live binding: resetState() (another company chosen) gives every
 * importer the fresh state.
 */

export const TABS = ['all', 'unpaid', 'overdue', 'agency', 'paid', 'written_off'];
const SORTS = ['due_date', '-due_date', 'number', '-number', '-remaining'];

/* The overview's aging buckets: the filter and sort to page through, which
 * invoices belong (test) and which come after the bucket in that sort (past). */
export const BUCKETS = {
  not_due: { status: 'unpaid', sort: '-due_date', test: (i) => i.status === 'unpaid', past: (i) => i.status !== 'unpaid' },
  '1-30': { status: 'overdue', sort: '-due_date', test: (i) => i.days_overdue >= 1 && i.days_overdue <= 30, past: (i) => i.days_overdue > 30 },
  '31-60': { status: 'overdue', sort: '-due_date', test: (i) => i.days_overdue >= 31 && i.days_overdue <= 60, past: (i) => i.days_overdue > 60 },
  '61-90': { status: 'overdue', sort: 'due_date', test: (i) => i.days_overdue >= 61 && i.days_overdue <= 90, past: (i) => i.days_overdue < 61 },
  '90+': { status: 'overdue', sort: 'due_date', test: (i) => i.days_overdue > 90, past: (i) => i.days_overdue <= 90 },
};

export let ls = fresh();

function fresh() {
  return {
    status: 'all', q: '', sort: 'due_date', bucket: null, method: 'amili', stopped: null,
    selected: new Map(), allMatching: false, resultsEl: null, lastKey: null,
  };
}

export function resetState() {
  ls = fresh();
}

export function clearSelection() {
  ls.selected.clear();
  ls.allMatching = false;
}

/* Take filter, bucket, search and sort from the address (the selection is
 * dropped when the filter changes); returns the aging bucket or null. */
export function readQuery(q) {
  const status = TABS.includes(q.get('status')) ? q.get('status') : 'all';
  const bucket = BUCKETS[q.get('bucket')] ? q.get('bucket') : null;
  const stopped = ['true', 'false'].includes(q.get('stopped')) ? q.get('stopped') : null;
  const key = `${status}|${bucket}|${stopped}`;
  if (ls.lastKey !== null && ls.lastKey !== key) clearSelection();
  ls.lastKey = key;
  ls.status = bucket ? BUCKETS[bucket].status : status;
  ls.bucket = bucket;
  ls.stopped = stopped;
  if (q.has('q')) ls.q = q.get('q');
  const sortParam = q.get('sort');
  ls.sort = bucket ? BUCKETS[bucket].sort : (SORTS.includes(sortParam) ? sortParam : ls.sort);
  return bucket;
}

/* Go to another filter (a new view, like following a link). */
export function go({ status, sort }) {
  const p = new URLSearchParams();
  p.set('status', status);
  if (ls.q) p.set('q', ls.q);
  if (ls.stopped) p.set('stopped', ls.stopped);
  if (sort) p.set('sort', sort);
  location.hash = `#/invoices?${p}`;
}

/* Write search and sort into the address without drawing the view again. */
export function replaceQuery(bucket) {
  const p = new URLSearchParams();
  p.set('status', ls.status);
  if (ls.q) p.set('q', ls.q);
  if (ls.sort !== 'due_date') p.set('sort', ls.sort);
  if (ls.stopped) p.set('stopped', ls.stopped);
  if (bucket) p.set('bucket', bucket);
  history.replaceState(null, '', `#/invoices?${p}`);
}
