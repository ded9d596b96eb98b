// The simulated process on the sandbox clock: reminder -> collection 12 days
// later -> enforcement/surveillance 30 days after that; fees, interest,
// debtor payments, dispute and instalment plan.  Steps share one sandbox
// and run in order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, call, onboarded, register, debt, customer, getCase, advance } from './helper.mjs';

let sb, o;
const ids = {};
const foreignCompany = customer({
  name: 'Firma GmbH', is_company: true, id_number: undefined,
  address: { address_line_1: 'Hauptstr. 1', zip_code: '10115', city: 'Berlin', country: 'DE' },
});

before(async () => {
  sb = await startSandbox({ now: '2025-04-10' });
  o = await onboarded(sb);
  const reg = async (name, d, extra) => {
    const r = await register(sb, o, [d], extra);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids[name] = r.body._cases[0];
  };
  await reg('A', debt());
  await reg('B', debt(), { customer: foreignCompany });
  await reg('C', debt());
  await reg('D', debt());
  await reg('E', debt());
  await reg('F', debt(), { first_action: 'debt_collection' });
  await reg('G', debt({ invoice_date: '2025-04-01' }));
});
after(async () => { assert.equal((await sb.stop()).code, 0); });

const at = (c, name) => c.state_history.map((h) => h.state).includes(name);

test('registration after the due date sends the reminder at once (60 kr)', async () => {
  const a = await getCase(sb, o, ids.A);
  assert.equal(a.state, 'reminder');
  assert.equal(a.status, 'reminder_sent');
  assert.equal(a.closed, false);
  assert.deepEqual(a.state_history.map((h) => h.state), ['initializing', 'reminder']);
  assert.equal(a.local_added_costs_amount, 60);
  assert.equal(a.local_remaining_capital_amount, 10000);
  // 10 days (1-10 April) at 3 % + 8 pp on 10 000 kr.
  assert.equal(a.local_added_interest_amount, 30.14);
  assert.equal(a.debt.invoice_due_days_after_invoice_date, 30);
  assert.deepEqual(a.case_settings, { interest_rate: { reference_rate: true } });
  const f = await getCase(sb, o, ids.F);
  assert.equal(f.state, 'debt_collection');
  assert.equal(f.local_added_costs_amount, 180);
  const g = await getCase(sb, o, ids.G);
  assert.equal(g.state, 'initializing');
  assert.equal(g.status, 'initialized');
  assert.equal(g.local_added_costs_amount, 0);
});

test('debtor part payment pays costs, then interest, then capital; full payment closes', async () => {
  const part = await call(sb.url, 'POST', '/_sandbox/debtor/pay', { body: { case: ids.C, amount: 100 } });
  assert.equal(part.status, 200, JSON.stringify(part.body));
  const c = part.body.case;
  assert.equal(c.local_remaining_costs_amount, 0);
  assert.equal(c.local_remaining_interest_amount, 0);
  assert.equal(c.local_remaining_capital_amount, 9990.14);
  assert.equal(c.closed, false);
  const tooMuch = await call(sb.url, 'POST', '/_sandbox/debtor/pay', { body: { case: ids.C, amount: 20000 } });
  assert.equal(tooMuch.status, 422);
  const full = await call(sb.url, 'POST', '/_sandbox/debtor/pay', { body: { case: ids.C } });
  assert.equal(full.status, 200);
  assert.equal(full.body.paid, 9990.14);
  const closed = await getCase(sb, o, ids.C);
  assert.equal(closed.state, 'closed');
  assert.equal(closed.status, 'paid');
  assert.equal(closed.closed, true);
  assert.equal(closed.local_remaining_transaction_amount, 0);
  assert.equal(closed.local_added_transaction_amount, 10090.14);
  const again = await call(sb.url, 'POST', '/_sandbox/debtor/pay', { body: { case: ids.C } });
  assert.equal(again.status, 409);
});

test('dispute pauses the case; an instalment plan adds 170 kr', async () => {
  const d = await call(sb.url, 'POST', '/_sandbox/debtor/dispute', { body: { case: ids.D } });
  assert.equal(d.status, 200);
  assert.equal(d.body.case.status, 'disputed');
  const e = await call(sb.url, 'POST', '/_sandbox/debtor/instalment-plan', { body: { case: ids.E, months: 3 } });
  assert.equal(e.status, 200, JSON.stringify(e.body));
  assert.equal(e.body.case.status, 'instalment_plan');
  assert.equal(e.body.case.local_added_costs_amount, 230);
  assert.equal(e.body.schedule.length, 3);
  assert.deepEqual(e.body.case.status_history.map((h) => h.status), ['initialized', 'reminder_sent', 'instalment_plan']);
});

test('12 days after the reminder the case goes to collection (180 kr; B2B up to 450 kr)', async () => {
  const before11 = (await advance(sb, 11)).body;
  assert.equal(before11.today, '2025-04-21');
  assert.equal((await getCase(sb, o, ids.A)).state, 'reminder');
  const r = await advance(sb, 1);
  assert.equal(r.body.today, '2025-04-22');
  assert.ok(r.body.cases_changed >= 2);
  const a = await getCase(sb, o, ids.A);
  assert.equal(a.state, 'debt_collection');
  assert.equal(a.status, 'debt_collection_active');
  assert.equal(a.local_added_costs_amount, 240);
  assert.equal(a.state_history.at(-1).state_date, 'Tue, 22 Apr 2025 00:00:00 GMT');
  assert.equal(a.latest_state_date, 'Tue, 22 Apr 2025 00:00:00 GMT');
  const b = await getCase(sb, o, ids.B);
  assert.equal(b.state, 'debt_collection');
  assert.equal(b.local_added_costs_amount, 450);
  assert.equal((await getCase(sb, o, ids.D)).state, 'reminder', 'disputed: paused');
  assert.equal((await getCase(sb, o, ids.E)).state, 'reminder', 'plan: no escalation');
  assert.equal((await getCase(sb, o, ids.G)).state, 'initializing');
});

test('30 days later: enforcement with an id number, surveillance without', async () => {
  const r = await call(sb.url, 'POST', '/_sandbox/clock', { body: { now: '2025-05-22' } });
  assert.equal(r.status, 200);
  const a = await getCase(sb, o, ids.A);
  assert.equal(a.state, 'enforcement');
  const b = await getCase(sb, o, ids.B);
  assert.equal(b.state, 'surveillance');
  const g = await getCase(sb, o, ids.G);
  assert.deepEqual(g.state_history.map((h) => [h.state, h.state_date.slice(5, 16)]), [
    ['initializing', '10 Apr 2025'], ['reminder', '02 May 2025'], ['debt_collection', '14 May 2025'],
  ]);
  const back = await call(sb.url, 'POST', '/_sandbox/clock', { body: { now: '2025-05-01' } });
  assert.equal(back.status, 422);
});

test('the instalment plan pays itself monthly and closes the case', async () => {
  await call(sb.url, 'POST', '/_sandbox/clock', { body: { now: '2025-07-10' } });
  const e = await getCase(sb, o, ids.E);
  assert.equal(e.closed, true);
  assert.equal(e.status, 'paid');
  assert.equal(e.local_remaining_transaction_amount, 0);
  assert.ok(e.local_added_transaction_amount > 10230);
});

test('interest is the reference rate + 8 pp from the due date (10 000 kr, 31 Mar -> 30 Sep = 526.30)', async () => {
  await call(sb.url, 'POST', '/_sandbox/clock', { body: { now: '2025-09-30T08:00:00Z' } });
  const a = await getCase(sb, o, ids.A);
  assert.equal(a.local_added_interest_amount, 526.3);
  assert.equal(a.local_remaining_interest_amount, 526.3);
  assert.equal(a.local_remaining_transaction_amount, 10000 + 240 + 526.3);
  assert.equal((await getCase(sb, o, ids.D)).status, 'disputed');
  const clock = await call(sb.url, 'GET', '/_sandbox/clock');
  assert.equal(clock.body.today, '2025-09-30');
  assert.match(clock.body.now, /^2025-09-30T08:0\d:\d\dZ$/);
});
