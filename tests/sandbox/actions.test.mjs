// Creditor actions (payments, creditings, cancellations) and payouts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, call, onboarded, register, debt, getCase } from './helper.mjs';

let sb, o;
before(async () => { sb = await startSandbox({ now: '2025-04-10' }); o = await onboarded(sb); });
after(async () => { await sb.stop(); });

const newCase = async (d = debt()) => {
  const r = await register(sb, o, [d]);
  assert.equal(r.status, 201);
  return { id: r.body._cases[0], invoice: d.invoice_number };
};
const post = (path, body) => call(sb.url, 'POST', path, { token: o.token, body });

test('a direct payment to the creditor reduces the capital', async () => {
  const c = await newCase();
  const r = await post('/creditor--payments', {
    creditor: o.creditor, invoice_number: c.invoice, currency: 'SEK', amount: 4000.5,
    bank_transaction_date: 'Wed, 09 Apr 2025 00:00:00 GMT', creditor_payment_reference: 'BG-1',
    origin: 'creditor_system',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body._status, 'OK');
  assert.equal(r.body.status, 'completed');
  assert.equal(r.body._payment_status, 'completed');
  assert.equal(r.body.settled_amount, 4000.5);
  assert.ok(r.body.status_reason_locale.sv);
  const k = await getCase(sb, o, c.id);
  assert.equal(k.local_remaining_capital_amount, 5999.5);
  assert.equal(k.closed, false);
  const over = await post('/creditor--payments', {
    creditor: o.creditor, case: c.id, currency: 'SEK', amount: 7000,
    bank_transaction_date: '2025-04-10', origin: 'creditor_system',
  });
  assert.equal(over.status, 201);
  assert.equal(over.body.status, 'warning');
  assert.equal(over.body.settled_amount, 5999.5);
  const after = await getCase(sb, o, c.id);
  assert.equal(after.local_remaining_capital_amount, 0);
  // 60 kr fee + 28.93 kr interest left: below 100 kr, written off.
  assert.equal(after.closed, true);
  assert.equal(after.status, 'paid');
});

test('residual fees and interest of 100 kr or more are still pursued', async () => {
  const d = debt();
  const r = await register(sb, o, [d], { first_action: 'debt_collection' });
  const id = r.body._cases[0];
  const pay = await post('/creditor--payments', {
    creditor: o.creditor, case: id, currency: 'SEK', amount: 10000,
    bank_transaction_date: '2025-04-10', origin: 'creditor_system',
  });
  assert.equal(pay.body.status, 'completed');
  const k = await getCase(sb, o, id);
  assert.equal(k.local_remaining_capital_amount, 0);
  assert.equal(k.local_remaining_costs_amount, 180);
  assert.equal(k.closed, false);
});

test('creditor actions validate origin, currency, amount and the case', async () => {
  const c = await newCase();
  const r = await post('/creditor--payments', { creditor: o.creditor, case: c.id, currency: 'EUR', amount: -1, origin: 'web' });
  assert.equal(r.status, 422);
  for (const k of ['origin', 'currency', 'amount', 'bank_transaction_date']) assert.ok(r.body._issues[k], k);
  const none = await post('/creditor--creditings', { creditor: o.creditor, invoice_number: 'nope', currency: 'SEK', amount: 1, origin: 'creditor_system' });
  assert.equal(none.status, 422);
  assert.ok(none.body._issues.invoice_number);
});

test('a full crediting closes the case as credited', async () => {
  const c = await newCase(debt({ capital_to_claim: 500 }));
  const part = await post('/creditor--creditings', { creditor: o.creditor, case: c.id, currency: 'SEK', amount: 200, credit_invoice: 'K1', origin: 'creditor_system' });
  assert.equal(part.status, 201);
  assert.equal(part.body.status, 'completed');
  assert.equal((await getCase(sb, o, c.id)).local_remaining_capital_amount, 300);
  const rest = await post('/creditor--creditings', { creditor: o.creditor, case: c.id, currency: 'SEK', amount: 300, origin: 'creditor_system' });
  assert.equal(rest.body.settled_amount, 300);
  const k = await getCase(sb, o, c.id);
  assert.equal(k.state, 'closed');
  assert.equal(k.status, 'credited');
  assert.equal(k.local_remaining_transaction_amount, 0);
});

test('a cancellation closes the case; a second one is a warning', async () => {
  const c = await newCase();
  const r = await post('/creditor--cancellations', { creditor: o.creditor, case: c.id, origin: 'creditor_system' });
  assert.equal(r.status, 201);
  assert.equal(r.body._cancellation_status, 'completed');
  const k = await getCase(sb, o, c.id);
  assert.equal(k.status, 'cancelled');
  assert.equal(k.closed, true);
  const again = await post('/creditor--cancellations', { creditor: o.creditor, invoice_number: c.invoice, origin: 'creditor_system' });
  assert.equal(again.status, 201);
  assert.equal(again.body.status, 'warning');
  const pay = await post('/creditor--payments', { creditor: o.creditor, case: c.id, currency: 'SEK', amount: 1, bank_transaction_date: '2025-04-10', origin: 'creditor_system' });
  assert.equal(pay.body.status, 'error');
  const bad = await post('/creditor--cancellations', { creditor: o.creditor, case: c.id, origin: 'other' });
  assert.equal(bad.status, 422);
});

test('a payout pays capital and interest, deducts commission with VAT, keeps the fees', async () => {
  const c = await newCase();
  const pay = await call(sb.url, 'POST', '/_sandbox/debtor/pay', { body: { case: c.id } });
  assert.equal(pay.status, 200);
  // 10 000 capital + 30.14 interest + 60 reminder fee (kept by the agency).
  assert.equal(pay.body.paid, 10090.14);
  const r = await call(sb.url, 'POST', '/_sandbox/payouts', { body: { creditor: o.creditor } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const payout = r.body._id;
  const where = encodeURIComponent(JSON.stringify({ payout }));
  const lines = await call(sb.url, 'GET', `/finance--payout-specifications?where=${where}`, { token: o.token });
  assert.equal(lines.status, 200);
  const by = Object.fromEntries(lines.body._items.map((l) => [l.finance_category, l]));
  assert.deepEqual(Object.keys(by).sort(), ['capital', 'creditor_commission', 'interest']);
  assert.equal(by.capital.article, 'capital');
  assert.equal(by.capital.amount, 10000);
  assert.equal(by.interest.article, 'interest');
  assert.equal(by.interest.amount, 30.14);
  assert.equal(by.creditor_commission.article, 'reminder');
  assert.equal(by.creditor_commission.amount, -1000);
  assert.equal(by.creditor_commission.vat_amount, -250);
  assert.equal(by.creditor_commission.total_amount, -1250);
  for (const l of lines.body._items) {
    assert.equal(l.payout, payout);
    assert.equal(l.invoice_number, c.invoice);
    for (const k of ['booking_date', 'payout_date', 'payout_reference']) assert.ok(l[k], k);
  }
  const list = await call(sb.url, 'GET', '/finance--payouts', { token: o.token });
  const p = list.body._items.find((x) => x._id === payout);
  assert.equal(p.amount, 10000 + 30.14 - 1250);
  assert.equal(p.creditor, o.creditor);
  const empty = await call(sb.url, 'POST', '/_sandbox/payouts', { body: { creditor: o.creditor } });
  assert.equal(empty.status, 422, 'nothing new to pay out');
});
