/*
 * webhooks.test.mjs — webhooks over real HTTP, against a real receiver on
 * 127.0.0.1 (tests/webhooks/receiver.mjs) that checks every signature.
 *
 * - an endpoint is created with its secret shown once (not in the list);
 * - a payment, a reminder and a customer loss reach it as
 *   payment.received, reminder.sent and customer.loss, signed, with the headers docs/webhooks.md names;
 *   an endpoint asking for one type gets only that one;
 * - refused twice: tried three times, delivered, the last answer (status
 *   and text) visible in the list;
 * - refused past --webhook-max-attempts: failed, and a resend by hand
 *   delivers it (same event id);
 * - invoice.overdue: `paminn dunning run` on the days after a due date
 *   notes each open invoice once, the day after its due date (history
 *   event "overdue", one delivery); paid invoices, invoices overdue before
 *   the first sweep, and runs repeated or with an earlier clock note
 *   nothing more;
 * - bad input names the field and changes nothing; https:// only without
 *   the test flag (a second server).
 *
 * The server's clock is fixed at 2025-09-30 (invoices due 2025-03-31 are
 * overdue, as in reminders.test.mjs).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DATA_DIR, PATIENCE_MS, assertError, assertStatus, co, createCustomer, createInvoice, line, paminn, startServer, waitFor }
  from './lib/server.mjs';
import { signatureOk, startReceiver } from '../webhooks/receiver.mjs';

async function overdue(anna, cid) {
  const customer = await createCustomer(anna, cid, { name: 'Örjan Ängström' });
  return createInvoice(anna, cid, customer.id, { invoice_date: '2025-03-01', due_date: '2025-03-31', lines: [line(800000)] });
}

async function deliveryIn(anna, C, pred, what) {
  let last;
  return waitFor(async () => {
    const res = await anna.get(`${C}/webhooks/deliveries?limit=200`);
    assertStatus(res, 200);
    last = res.body.items;
    return last.find(pred) ?? null;
  }, PATIENCE_MS, () => `${what} (deliveries: ${JSON.stringify(last?.slice(0, 5))})`);
}

describe('webhooks', () => {
  let rx;
  let fx;
  let anna;
  let C;
  let endpoint;

  before(async () => {
    rx = await startReceiver({ refuse: 2 });
    fx = await startServer({
      now: '2025-09-30',
      serveArgs: ['--webhook-allow-http-loopback', '--webhook-retry-seconds', '1', '--webhook-max-attempts', '3'],
    });
    anna = await fx.login();
    C = co(fx.companyId);
    assertStatus(await anna.patch(C, { bankgiro: '991-2346', reminder_fee_agreed: true, reminder_fee_minor: 6000 }), 200);
  });

  after(async () => {
    await fx?.stop();
    await rx?.stop();
  });

  test('an endpoint is created with its secret, shown once', async () => {
    const res = await anna.post(`${C}/webhooks`, { url: rx.url, event_types: ['payment.received', 'reminder.sent'] });
    assertStatus(res, 201);
    endpoint = res.body;
    assert.match(endpoint.secret, /^whsec_[0-9a-f]{64}$/);
    assert.deepEqual(endpoint.event_types, ['payment.received', 'reminder.sent']);
    assert.equal(endpoint.url, rx.url);
    assert.equal(endpoint.enabled, true);
    rx.secret = endpoint.secret;
    const list = await anna.get(`${C}/webhooks`);
    assertStatus(list, 200);
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].id, endpoint.id);
    assert.equal(list.body.items[0].secret, undefined, 'the secret is not shown again');
    assert.ok(list.body.event_types.includes('case.state_changed'));
  });

  test('a payment reaches the receiver signed after two refusals; the last answer is visible', async () => {
    const inv = await overdue(anna, fx.companyId);
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-09-30', amount_minor: 100000 }), 201);
    const d = await deliveryIn(anna, C, (x) => x.invoice_id === inv.id && x.event_type === 'payment.received' && x.state === 'delivered',
      'the payment delivered');
    assert.equal(d.attempts, 3, 'refused twice, then accepted');
    assert.equal(d.last_status, 200);
    assert.equal(d.last_answer, 'ok');
    assert.ok(d.delivered_at);
    const tries = rx.tries.filter((t) => t.id === d.event_id);
    assert.equal(tries.length, 3);
    assert.deepEqual(tries.map((t) => t.status), [503, 503, 200]);
    assert.ok(tries.every((t) => t.signatureOk), 'every try is signed with the secret');
    const ev = JSON.parse(tries[2].body);
    assert.equal(ev.id, d.event_id);
    assert.equal(ev.type, 'payment.received');
    assert.equal(ev.invoice_id, inv.id);
    assert.equal(ev.data.amount_minor, 100000);
    assert.equal(typeof ev.created_at, 'number');
    /* the signature is over "<timestamp>.<body>": another secret, another
     * timestamp or a changed body does not check */
    const h = { 'paminn-webhook-timestamp': tries[2].timestamp, 'paminn-webhook-signature': tries[2].signature };
    assert.match(tries[2].signature, /^v1=[0-9a-f]{64}$/);
    assert.equal(signatureOk(rx.secret, h, tries[2].body), true);
    assert.equal(signatureOk('whsec_other', h, tries[2].body), false);
    assert.equal(signatureOk(rx.secret, { ...h, 'paminn-webhook-timestamp': String(Number(h['paminn-webhook-timestamp']) + 1) }, tries[2].body), false);
    assert.equal(signatureOk(rx.secret, h, tries[2].body.replace('100000', '100001')), false);
  });

  test('a reminder is reminder.sent; an endpoint for one type gets only that type', async () => {
    const only = await startReceiver();
    try {
      const res = await anna.post(`${C}/webhooks`, { url: only.url, event_types: ['reminder.sent'] });
      assertStatus(res, 201);
      only.secret = res.body.secret;
      const inv = await overdue(anna, fx.companyId);
      assertStatus(await anna.post(`${C}/invoices/${inv.id}/reminders`, {}), 201);
      assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-09-30', amount_minor: 5000 }), 201);
      await deliveryIn(anna, C, (x) => x.invoice_id === inv.id && x.endpoint_id === res.body.id && x.state === 'delivered', 'the reminder delivered');
      await deliveryIn(anna, C, (x) => x.invoice_id === inv.id && x.endpoint_id === endpoint.id && x.event_type === 'payment.received'
        && x.state === 'delivered', 'the payment delivered to the first endpoint');
      const mine = only.accepted.filter((a) => a.event.invoice_id === inv.id);
      assert.deepEqual(mine.map((a) => a.event.type), ['reminder.sent']);
      assert.equal(only.badSignatures, 0);
      /* the first endpoint got both, the reminder first (in order per invoice) */
      const first = rx.accepted.filter((a) => a.event.invoice_id === inv.id).map((a) => a.event.type);
      assert.deepEqual(first, ['reminder.sent', 'payment.received']);
      assertStatus(await anna.del(`${C}/webhooks/${res.body.id}`), 204);
      const list = await anna.get(`${C}/webhooks`);
      assert.deepEqual(list.body.items.map((e) => e.id), [endpoint.id]);
    } finally {
      await only.stop();
    }
  });

  test('a customer loss is customer.loss, for an endpoint that asked for it', async () => {
    const loss = await startReceiver();
    try {
      const res = await anna.post(`${C}/webhooks`, { url: loss.url, event_types: ['customer.loss'] });
      assertStatus(res, 201);
      loss.secret = res.body.secret;
      const inv = await overdue(anna, fx.companyId);
      assertStatus(await anna.post(`${C}/invoices/${inv.id}/customer-loss`, { kind: 'expected', date: '2025-09-30' }), 201);
      const d = await deliveryIn(anna, C, (x) => x.invoice_id === inv.id && x.endpoint_id === res.body.id && x.state === 'delivered',
        'the loss delivered');
      assert.equal(d.event_type, 'customer.loss');
      assert.equal(loss.accepted.length, 1);
      assert.equal(loss.accepted[0].event.data.kind, 'expected');
      assert.equal(loss.badSignatures, 0);
      assertStatus(await anna.del(`${C}/webhooks/${res.body.id}`), 204);
    } finally {
      await loss.stop();
    }
  });

  test('given up after --webhook-max-attempts, then re-sent by hand with the same event id', async () => {
    rx.refuse = 5;
    const inv = await overdue(anna, fx.companyId);
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-09-30', amount_minor: 2000 }), 201);
    const failed = await deliveryIn(anna, C, (x) => x.invoice_id === inv.id && x.state === 'failed', 'the delivery failed');
    assert.equal(failed.attempts, 3);
    assert.equal(failed.last_status, 503);
    assert.match(failed.last_answer, /^try 3: not yet$/);
    rx.refuse = 0;
    const res = await anna.post(`${C}/webhooks/deliveries/${failed.id}/resend`, {});
    assertStatus(res, 202);
    const done = await deliveryIn(anna, C, (x) => x.id === failed.id && x.state === 'delivered', 'the re-sent delivery delivered');
    assert.equal(done.event_id, failed.event_id);
    assert.equal(done.attempts, 1);
    assert.equal(rx.accepted.filter((a) => a.id === failed.event_id).length, 1);
    rx.refuse = 2;
  });

  test('invoice.overdue: each open invoice once, the day after its due date', async () => {
    const od = await startReceiver();
    try {
      const res = await anna.post(`${C}/webhooks`, { url: od.url, event_types: ['invoice.overdue'] });
      assertStatus(res, 201);
      od.secret = res.body.secret;
      const customer = await createCustomer(anna, fx.companyId, { name: 'Signe Åkesson' });
      const due = (due_date) => createInvoice(anna, fx.companyId, customer.id,
        { invoice_date: '2025-09-01', due_date, lines: [line(100000)] });
      const old = await overdue(anna, fx.companyId); /* overdue long before the first sweep */
      const first = await due('2025-10-01');
      const paid = await due('2025-10-01');
      const second = await due('2025-10-02');
      assertStatus(await anna.post(`${C}/invoices/${paid.id}/payments`, { date: '2025-09-30', amount_minor: paid.remaining_minor }), 201);
      /* the daily run on a day; its stdout */
      const day = (d) => paminn(['--db', fx.db, '--now', `${d}T08:00:00Z`, '--data-dir', DATA_DIR, 'dunning', 'run',
        '--company', String(fx.companyId)]);
      /* invoice.overdue deliveries of [old, first, paid, second] */
      const overdueDeliveries = async () => {
        const list = await anna.get(`${C}/webhooks/deliveries?limit=200`);
        assertStatus(list, 200);
        return [old, first, paid, second].map((inv) =>
          list.body.items.filter((x) => x.event_type === 'invoice.overdue' && x.invoice_id === inv.id).length);
      };

      day('2025-09-30'); /* the first sweep (or one after the server's own): marks, notes nothing */
      assert.doesNotMatch(day('2025-10-01'), /fell due/, 'due today is not overdue yet');
      assert.deepEqual(await overdueDeliveries(), [0, 0, 0, 0]);
      assert.match(day('2025-10-02'), /company \d+ 2025-10-02: 1 invoice fell due/);
      assert.deepEqual(await overdueDeliveries(), [0, 1, 0, 0], 'the open invoice due 10-01, not the paid one');
      assert.doesNotMatch(day('2025-10-02'), /fell due/, 'the same day again notes nothing');
      assert.match(day('2025-10-05'), /company \d+ 2025-10-05: 1 invoice fell due/);
      day('2025-10-01'); /* a process with an earlier clock does not move the mark back */
      assert.doesNotMatch(day('2025-10-06'), /fell due/);
      assert.deepEqual(await overdueDeliveries(), [0, 1, 0, 1], 'once each');

      const d = await deliveryIn(anna, C, (x) => x.invoice_id === first.id && x.endpoint_id === res.body.id && x.state === 'delivered',
        'invoice.overdue delivered');
      const ev = od.accepted.find((a) => a.id === d.event_id).event;
      assert.equal(ev.type, 'invoice.overdue');
      assert.equal(ev.invoice_id, first.id);
      assert.deepEqual(ev.data, { due_date: '2025-10-01', remaining_minor: first.remaining_minor, currency: 'SEK' });
      assert.equal(od.badSignatures, 0);
      const history = await anna.get(`${C}/invoices/${second.id}/history`);
      assertStatus(history, 200);
      const ov = history.body.items.filter((x) => x.kind === 'overdue');
      assert.equal(ov.length, 1);
      assert.equal(ov[0].data.due_date, '2025-10-02');
      assertStatus(await anna.del(`${C}/webhooks/${res.body.id}`), 204);
    } finally {
      await od.stop();
    }
  });

  test('bad input names the field and changes nothing', async () => {
    const before = (await anna.get(`${C}/webhooks`)).body.items.length;
    assertError(await anna.post(`${C}/webhooks`, { event_types: ['payment.received'] }), 422, 'required', 'url');
    assertError(await anna.post(`${C}/webhooks`, { url: 'ftp://example.se/x', event_types: ['payment.received'] }), 422,
      'webhook_url_invalid', 'url');
    assertError(await anna.post(`${C}/webhooks`, { url: 'http://example.se/hook', event_types: ['payment.received'] }), 422,
      'webhook_url_invalid', 'url');
    assertError(await anna.post(`${C}/webhooks`, { url: 'https://example.se/hook' }), 422, 'required', 'event_types');
    assertError(await anna.post(`${C}/webhooks`, { url: 'https://example.se/hook', event_types: [] }), 422, 'required', 'event_types');
    assertError(await anna.post(`${C}/webhooks`, { url: 'https://example.se/hook', event_types: ['payment.received', 'invoice.paid'] }),
      422, 'unknown_event_type', 'event_types[1]');
    assertError(await anna.post(`${C}/webhooks`, { url: 'https://example.se/hook', event_types: ['payment.received', 'payment.received'] }),
      422, 'duplicate_value', 'event_types[1]');
    assertError(await anna.post(`${C}/webhooks`, { url: 'https://example.se/hook', event_types: [7] }), 422, 'invalid_value', 'event_types[0]');
    assertError(await anna.post(`${C}/webhooks`, { url: 'https://example.se/hook', event_types: ['payment.received'], secret: 'x' }), 422,
      'unknown_field', 'secret');
    assertError(await anna.del(`${C}/webhooks/999999`), 404, 'webhook_not_found', 'id');
    assertError(await anna.post(`${C}/webhooks/deliveries/999999/resend`, {}), 404, 'delivery_not_found', 'id');
    assert.equal((await anna.get(`${C}/webhooks`)).body.items.length, before);
  });
});

describe('webhooks without the test flag', () => {
  test('only https:// endpoints', async () => {
    const fx = await startServer({ now: '2025-09-30', serveArgs: ['--webhook-workers', '0'] });
    try {
      const anna = await fx.login();
      const C = co(fx.companyId);
      assertError(await anna.post(`${C}/webhooks`, { url: 'http://127.0.0.1:9/hook', event_types: ['payout.received'] }), 422,
        'webhook_url_invalid', 'url');
      assertStatus(await anna.post(`${C}/webhooks`, { url: 'https://hooks.example.se/paminn', event_types: ['payout.received'] }), 201);
    } finally {
      await fx.stop();
    }
  });
});
