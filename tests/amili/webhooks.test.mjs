/*
 * webhooks.test.mjs — the agency's events as webhooks, end to end: paminn
 * serve with a real amili-sandbox and a real receiver on 127.0.0.1 that
 * checks every signature (tests/webhooks/receiver.mjs) and refuses each
 * event's first try.
 *
 * An invoice is handed over (invoice.handed_over when the agency registers
 * the case), the agency clock moves 13 days (case.state_changed), the
 * debtor pays at the agency (payment.received, from the agency's figures)
 * and the agency pays out (payout.received).  The receiver gets each type,
 * signed, and the invoice's events in the order of its history.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PATIENCE_MS, assertStatus, sandboxCall, startStack, waitFor } from './lib/stack.mjs';
import { startReceiver } from '../webhooks/receiver.mjs';

let s;
let rx;

before(async () => {
  rx = await startReceiver({ refuse: 1 });
  s = await startStack({ serveExtra: ['--webhook-allow-http-loopback', '--webhook-retry-seconds', '1'] });
});

after(async () => {
  await s?.stop();
  await rx?.stop();
});

const typesOf = (invoiceId) => {
  const seen = new Set();
  return rx.accepted.filter((a) => a.event.invoice_id === invoiceId && !seen.has(a.id) && seen.add(a.id)).map((a) => a.event.type);
};

test('hand-over, case state, payment at the agency and payout reach the receiver, signed, in order', async () => {
  const ep = await s.client.post(`${s.api}/webhooks`, {
    url: rx.url, event_types: ['invoice.handed_over', 'case.state_changed', 'payment.received', 'payout.received'],
  });
  assertStatus(ep, 201);
  rx.secret = ep.body.secret;
  await s.activate();
  const customer = await s.customer({ name: 'Bygg Berg AB', is_company: true, id_number: '556677-8808' });
  const inv = await s.invoice(customer.id);
  const res = await s.handover([inv.id]);
  assertStatus(res, 202);
  assert.equal((await s.waitBatch(res.body.batch_id)).registered, 1);
  await waitFor(() => typesOf(inv.id).includes('invoice.handed_over'), PATIENCE_MS, 'invoice.handed_over delivered');

  await s.advance(13);
  const caseId = (await s.show(inv.id)).amili.case.id;
  const pay = await sandboxCall(s.sb.base, 'POST', '/_sandbox/debtor/pay', { case: caseId });
  assert.equal(pay.status, 200, JSON.stringify(pay.body));
  const creditor = s.rows('select creditor_id from amili_activations')[0].creditor_id;
  const payout = await sandboxCall(s.sb.base, 'POST', '/_sandbox/payouts', { creditor });
  assert.equal(payout.status, 201, JSON.stringify(payout.body));

  await waitFor(() => ['case.state_changed', 'payment.received', 'payout.received'].every((ty) => typesOf(inv.id).includes(ty)),
    PATIENCE_MS, () => `all four types delivered (got ${typesOf(inv.id).join(', ')})`);
  await waitFor(() => s.scalar("select count(*) from webhook_deliveries where state <> 'delivered'") === '0',
    PATIENCE_MS, 'every delivery delivered');
  assert.equal(rx.badSignatures, 0);
  /* in the order of the invoice's history */
  const kinds = { amili_registered: 'invoice.handed_over', amili_state: 'case.state_changed', amili_status: 'case.state_changed',
    amili_closed: 'case.state_changed', amili_payment: 'payment.received', amili_payout: 'payout.received' };
  const history = s.rows(`select kind from history_events where invoice_id = ${inv.id} order by id`)
    .map((r) => kinds[r.kind]).filter(Boolean);
  assert.deepEqual(typesOf(inv.id), history);
  const paid = rx.accepted.find((a) => a.event.type === 'payout.received').event;
  assert.equal(paid.data.payout_id, payout.body._id);
});
