/*
 * listcache.test.mjs — the invoice list's answer cache and the
 * hand-over: right after the hand-over request the very next overdue list
 * shows the invoice as queued with Amili, and once the dispatcher (its own
 * store connection, in the background) has registered the case, the next
 * list shows the case id and OCR — never the cached page from before.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertStatus, startStack } from './lib/stack.mjs';

let s;
let customer;
const OVERDUE = '?status=overdue&limit=50';

before(async () => {
  s = await startStack();
  customer = await s.customer();
  await s.activate();
});
after(async () => {
  await s?.stop();
});

async function overdueRow(id) {
  const res = await s.client.get(`${s.api}/invoices${OVERDUE}`);
  assertStatus(res, 200);
  return res.body.items.find((i) => i.id === id);
}

test('a hand-over and its registration show in the very next list', async () => {
  const inv = await s.invoice(customer.id);
  assert.equal((await overdueRow(inv.id)).amili, null);
  assert.equal((await overdueRow(inv.id)).amili, null); /* now from the cache */
  const res = await s.handover([inv.id]);
  assertStatus(res, 202);
  const queued = (await overdueRow(inv.id)).amili;
  assert.ok(queued, 'the list still shows the invoice as not handed over');
  assert.ok(['queued', 'registered'].includes(queued.state), queued.state);
  const batch = await s.waitBatch(res.body.batch_id);
  const registered = (await overdueRow(inv.id)).amili;
  assert.equal(registered.state, 'registered');
  assert.equal(registered.case_id, batch.results[0].case_id);
  assert.equal(registered.ocr, batch.results[0].ocr);
});
