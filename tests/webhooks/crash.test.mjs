/*
 * crash.test.mjs — 1 000 webhook events to a receiver that refuses the
 * first two tries of each (tests/webhooks/receiver.mjs), with kill -9 of
 * the server during delivery.
 *
 * 250 invoices get four payments each over HTTP (amounts 1, 2, 3, 4 kr,
 * in that order): 1 000 payment.received events for one endpoint.  Once a
 * few hundred have been accepted the server is killed with SIGKILL and
 * started again (a short --webhook-lease-seconds, so the dead process's
 * leases expire soon), and the outbox drains.  Then:
 * - every event the outbox holds was accepted by the receiver, after two
 *   refusals (at least three tries each), every try with a valid signature;
 * - per invoice, the events were accepted in the order they happened
 *   (amounts 1, 2, 3, 4 kr), none before the one before it;
 * - an event accepted more than once (the kill came between the
 *   receiver's 200 and the commit of "delivered") came again with the same
 *   Paminn-Webhook-Id: the duplicates are counted and printed, and are at
 *   most the deliveries one batch per dispatcher thread can have in flight.
 *
 * WEBHOOK_CRASH_N scales it down (the sanitizer build: CMakeLists.txt).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PATIENCE_MS, assertStatus, co, createCustomer, startServer, waitFor } from '../api/lib/server.mjs';
import { startReceiver } from './receiver.mjs';

const N = Number(process.env.WEBHOOK_CRASH_N ?? 1000);
const PER_INVOICE = 4;
const INVOICES = Math.ceil(N / PER_INVOICE);
const WORKERS = 2;
const BATCH = 16; /* APP_WEBHOOK_BATCH */

let rx;
let fx;

const serveArgs = ['--webhook-allow-http-loopback', '--webhook-workers', String(WORKERS),
  '--webhook-retry-seconds', '1', '--webhook-max-attempts', '20', '--webhook-lease-seconds', '3'];

before(async () => {
  rx = await startReceiver({ refuse: 2 });
  fx = await startServer({ now: '2025-09-30', serveArgs });
});

after(async () => {
  await fx?.stop();
  await rx?.stop();
});

async function halt(signal) {
  fx.child.kill(signal);
  await fx.exited;
}

const undelivered = () => fx.count('webhook_deliveries', "state <> 'delivered'");

test(`kill -9 during ${INVOICES * PER_INVOICE} webhook events refused twice each: all delivered, in order per invoice, signed`, async () => {
  const anna = await fx.login();
  const C = co(fx.companyId);
  const ep = await anna.post(`${C}/webhooks`, { url: rx.url, event_types: ['payment.received'] });
  assertStatus(ep, 201);
  rx.secret = ep.body.secret;

  const customer = await createCustomer(anna, fx.companyId, { name: 'Kund Åström' });
  const invoices = [];
  for (let i = 0; i < INVOICES; i += 8) {
    const made = await Promise.all(Array.from({ length: Math.min(8, INVOICES - i) }, () => anna.post(`${C}/invoices`, {
      customer_id: customer.id,
      invoice_date: '2025-03-01',
      due_date: '2025-03-31',
      lines: [{ description: 'Arbete', quantity_milli: 1000, unit_price_minor: 100000, vat_rate_bp: 2500, labour: false }],
    })));
    for (const res of made) {
      assertStatus(res, 201);
      invoices.push(res.body.id);
    }
  }
  /* the payments of each invoice one after another; invoices 8 at a time */
  for (let i = 0; i < invoices.length; i += 8) {
    await Promise.all(invoices.slice(i, i + 8).map(async (id) => {
      for (let k = 1; k <= PER_INVOICE; k++) {
        assertStatus(await anna.post(`${C}/invoices/${id}/payments`, { date: '2025-09-30', amount_minor: k * 100 }), 201);
      }
    }));
  }
  const total = INVOICES * PER_INVOICE;
  assert.equal(fx.count('webhook_deliveries'), total);

  const atKill = await waitFor(() => {
    const n = new Set(rx.acceptedIds()).size;
    return n >= Math.min(300, total / 4) ? n : 0;
  }, PATIENCE_MS, 'a few hundred events accepted');
  await halt('SIGKILL');
  const left = undelivered();
  assert.ok(left > 0, `killed mid-delivery (${atKill} accepted, ${left} undelivered)`);

  fx.exit = null;
  await fx.start();
  await waitFor(() => undelivered() === 0, PATIENCE_MS * 2, () => `the outbox drained (${undelivered()} left: ${
    fx.sql("select state, attempts, last_status, count(*) from webhook_deliveries where state <> 'delivered' group by 1, 2, 3")})`);

  /* every event of the outbox accepted; none lost */
  const ids = fx.sql('select event_id from webhook_deliveries').split('\n').filter(Boolean);
  assert.equal(ids.length, total);
  const accepted = new Set(rx.acceptedIds());
  const missing = ids.filter((id) => !accepted.has(id));
  assert.deepEqual(missing, [], 'every event accepted by the receiver');
  assert.equal(accepted.size, total, 'no event the outbox does not hold');
  /* refused twice first, every try signed */
  assert.equal(rx.badSignatures, 0, 'every try had a valid signature');
  const tries = new Map();
  for (const t of rx.tries) tries.set(t.id, (tries.get(t.id) ?? 0) + 1);
  assert.ok(ids.every((id) => tries.get(id) >= 3), 'each event tried at least three times');
  /* duplicates: only by the same id, counted */
  const duplicates = rx.accepted.length - accepted.size;
  console.log(`# webhooks: ${total} events, ${rx.tries.length} tries, killed at ${atKill} accepted, ` +
    `${duplicates} accepted twice (same Paminn-Webhook-Id)`);
  assert.ok(duplicates <= WORKERS * BATCH, `${duplicates} duplicates: at most what was in flight`);
  /* in order per invoice: first acceptances are 1, 2, 3, 4 kr */
  const order = new Map();
  const seen = new Set();
  for (const a of rx.accepted) {
    if (seen.has(a.id)) continue;
    seen.add(a.id);
    const list = order.get(a.event.invoice_id) ?? [];
    list.push(a.event.data.amount_minor);
    order.set(a.event.invoice_id, list);
  }
  assert.equal(order.size, INVOICES);
  const want = Array.from({ length: PER_INVOICE }, (_, k) => (k + 1) * 100);
  for (const [invoice, amounts] of order) assert.deepEqual(amounts, want, `invoice ${invoice} in order`);
});
