/*
 * dunning.test.mjs — reminder policies and the daily run over real HTTP:
 * policy refusals that change nothing; the proposal's reasons (paid,
 * stopped, disputed, not yet due, under the minimum, missing e-mail);
 * proposing twice gives the same run; two approvals at once make each
 * reminder once and the second is refused (409); a level-2 run after
 * level 1 with the fee charged once, and only where the invoice agreed it;
 * the run's letters
 * as one PDF; a customer's override.
 *
 * The clock: the server is started at 2026-03-12 09:00 Stockholm
 * (08:00Z), then restarted at 2026-03-19.  Invoices are due 2026-03-02
 * unless said otherwise; the policy: level 1 ten days after the due date
 * (e-mail and letter, fee), level 2 seven days after level 1 (letter,
 * fee), minimum 100 kr, no hand-over.  Fee agreed: 60 kr on invoices
 * issued after the company's setting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertError, assertStatus, co, createCustomer, createInvoice, line, startServer } from './lib/server.mjs';

let fx;
let anna;
let C;
const inv = {};

const POLICY = {
  enabled: true,
  approval: 'manual',
  minimum_minor: 10000,
  final_step: 'none',
  levels: [
    { days: 10, anchor: 'due', fee: true, channel: 'both', text_sv: 'Vi har inte fått betalt för fakturan.', text_en: 'We have not been paid.' },
    { days: 7, anchor: 'previous', fee: true, channel: 'letter' },
  ],
};

function due(customerId, extra = {}) {
  return createInvoice(anna, fx.companyId, customerId, {
    invoice_date: '2026-02-01', due_date: '2026-03-02', lines: [line(100000)], ...extra,
  });
}

async function restartAt(now) {
  fx.child.kill('SIGTERM');
  await fx.exited;
  fx.opts.now = now;
  fx.exit = null;
  await fx.start();
  anna = await fx.login();
}

async function run(id, query = '') {
  const res = await anna.get(`${C}/dunning/runs/${id}?limit=500${query}`);
  assertStatus(res, 200);
  return res.body;
}

const itemOf = (r, invoiceId) => r.items.find((i) => i.invoice_id === invoiceId);

before(async () => {
  fx = await startServer({ now: '2026-03-12T08:00:00Z', serveArgs: ['--dunning-every', '0'] });
  anna = await fx.login();
  C = co(fx.companyId);
  const a = await createCustomer(anna, fx.companyId, { name: 'Astrid Ek', email: 'astrid@example.se' });
  inv.noFee = await due(a.id); /* issued before the fee was agreed */
  assertStatus(await anna.patch(C, { reminder_fee_agreed: true, reminder_fee_minor: 6000 }), 200);
  const b = await createCustomer(anna, fx.companyId, { name: 'Bo Utan Post', email: '' });
  const d = await createCustomer(anna, fx.companyId, { name: 'Dora Tvist', email: 'dora@example.se' });
  inv.remind = await due(a.id);
  inv.paidLater = await due(a.id);
  inv.stopped = await due(a.id);
  inv.disputed = await due(d.id);
  inv.noEmail = await due(b.id);
  inv.notYet = await due(a.id, { due_date: '2026-03-08' });
  inv.small = await due(a.id, { lines: [line(4000)] }); /* 50 kr */
  inv.paid = await due(a.id);
  inv.customers = { a, b, d };
  assertStatus(await anna.post(`${C}/invoices/${inv.paid.id}/payments`, { date: '2026-03-05', amount_minor: 125000 }), 201);
  assertStatus(await anna.put(`${C}/invoices/${inv.stopped.id}/reminder-stop`, { kind: 'payment_plan' }), 200);
  assertStatus(await anna.put(`${C}/invoices/${inv.disputed.id}/reminder-stop`, { kind: 'dispute', text: 'Fel antal timmar' }), 200);
});
after(async () => {
  if (process.env.DUNNING_DEBUG) (await import('node:fs')).writeFileSync(process.env.DUNNING_DEBUG, fx?.stderr() ?? '');
  await fx?.stop();
});

describe('policies', () => {
  test('the defaults before any is stored: one reminder 10 days after due, hand-over 14 days after it', async () => {
    const res = await anna.get(`${C}/dunning/policy`);
    assertStatus(res, 200);
    assert.equal(res.body.stored, false);
    assert.equal(res.body.enabled, false);
    assert.deepEqual(res.body.levels.map((l) => [l.days, l.anchor, l.fee, l.channel]), [[10, 'due', true, 'both']]);
    assert.equal(res.body.final_step, 'handover');
    assert.equal(res.body.handover_days, 14);
    assert.equal(res.body.approval, 'manual');
  });

  test('refusals name the field and change nothing', async () => {
    const cases = [
      [{ ...POLICY, levels: [{ ...POLICY.levels[0], days: 0 }] }, 'out_of_range', 'levels[0].days'],
      [{ ...POLICY, levels: [POLICY.levels[0], { ...POLICY.levels[1], channel: 'sms' }] }, 'invalid_value', 'levels[1].channel'],
      [{ ...POLICY, levels: [POLICY.levels[0], { days: 5, anchor: 'due' }] }, 'out_of_range', 'levels[1].days'],
      [{ ...POLICY, levels: undefined }, 'required', 'levels'],
      [{ ...POLICY, levels: [], final_step: 'none' }, 'out_of_range', 'levels'],
      [{ ...POLICY, final_step: 'handover', handover_days: 0 }, 'out_of_range', 'handover_days'],
      [{ ...POLICY, minimum_minor: -1 }, 'out_of_range', 'minimum_minor'],
      [{ ...POLICY, approval: 'sometimes' }, 'invalid_value', 'approval'],
      [{ ...POLICY, levels: [{ ...POLICY.levels[0], text_sv: 'x'.repeat(601) }] }, 'too_long', 'levels[0].text_sv'],
      [{ ...POLICY, colour: 'red' }, 'unknown_field', 'colour'],
    ];
    for (const [body, code, field] of cases) {
      assertError(await anna.put(`${C}/dunning/policy`, body), 422, code, field);
    }
    const res = await anna.get(`${C}/dunning/policy`);
    assert.equal(res.body.stored, false);
    assert.equal(fx.count('dunning_policies'), 0);
  });

  test('stored, read back; a customer override and its removal', async () => {
    const put = await anna.put(`${C}/dunning/policy`, POLICY);
    assertStatus(put, 200);
    assert.equal(put.body.stored, true);
    const res = await anna.get(`${C}/dunning/policy`);
    assert.deepEqual(res.body.levels.map((l) => [l.days, l.anchor, l.channel]), [[10, 'due', 'both'], [7, 'previous', 'letter']]);
    assert.equal(res.body.levels[0].text_sv, 'Vi har inte fått betalt för fakturan.');
    assert.equal(res.body.minimum_minor, 10000);

    const cust = inv.customers.a.id;
    const shown = await anna.get(`${C}/customers/${cust}/dunning-policy`);
    assertStatus(shown, 200);
    assert.equal(shown.body.stored, false, 'no override: the company policy is shown');
    assert.equal(shown.body.levels.length, 2);
    const over = await anna.put(`${C}/customers/${cust}/dunning-policy`, { levels: [{ days: 30 }], final_step: 'none' });
    assertStatus(over, 200);
    assert.equal(over.body.customer_id, cust);
    assertStatus(await anna.del(`${C}/customers/${cust}/dunning-policy`), 204);
    assertError(await anna.del(`${C}/customers/${cust}/dunning-policy`), 404, 'policy_not_found', 'id');
    assertError(await anna.get(`${C}/dunning/runs/999999`), 404, 'run_not_found', 'run_id');
    assertError(await anna.get(`${C}/customers/999999/dunning-policy`), 404, 'not_found', 'id');
  });
});

describe('the run of 2026-03-12', () => {
  let runId;

  test('the proposal says what each invoice gets, and why not', async () => {
    const res = await anna.post(`${C}/dunning/runs`, {});
    assertStatus(res, 201);
    runId = res.body.id;
    assert.equal(res.body.run_date, '2026-03-12');
    assert.equal(res.body.state, 'proposed');
    const r = await run(runId);
    const want = {
      remind: ['remind', null],
      paidLater: ['remind', null],
      noFee: ['remind', null],
      stopped: ['none', 'stopped'],
      disputed: ['none', 'disputed'],
      noEmail: ['none', 'missing_email'],
      notYet: ['none', 'not_yet_due'],
      small: ['none', 'under_minimum'],
    };
    for (const [k, [action, reason]] of Object.entries(want)) {
      const it = itemOf(r, inv[k].id);
      assert.ok(it, `${k} is in the proposal`);
      assert.deepEqual([it.action, it.reason], [action, reason], k);
    }
    assert.equal(itemOf(r, inv.paid.id), undefined, 'paid before any reminder: not a candidate');
    const one = itemOf(r, inv.remind.id);
    assert.deepEqual([one.level, one.channel, one.fee_minor, one.state], [1, 'both', 6000, 'pending']);
    assert.equal(itemOf(r, inv.notYet.id).detail, '2026-03-18');
    assert.equal(itemOf(r, inv.disputed.id).reason_sv, 'Bestridd');
    assert.equal(itemOf(r, inv.noFee.id).fee_minor, 0, 'no fee where none was agreed');
    assert.equal(r.totals.by_action.remind.count, 3);
    assert.equal(r.totals.by_action.remind.remaining_minor, 375000);
    assert.equal(r.totals.by_action.remind.fee_minor, 12000);
    assert.equal(r.totals.by_reason.missing_email.count, 1);
    assert.equal(r.totals.by_action.none.count, 5);
    const only = await run(runId, '&action=remind');
    assert.deepEqual(only.items.map((i) => i.invoice_id).sort(), [inv.remind.id, inv.paidLater.id, inv.noFee.id].sort());
    assertError(await anna.get(`${C}/dunning/runs/${runId}?action=shout`), 400, 'invalid_query', 'action');
  });

  test('proposing again the same day returns the same run', async () => {
    const res = await anna.post(`${C}/dunning/runs`, {});
    assertStatus(res, 200);
    assert.equal(res.body.id, runId);
    assert.equal(fx.count('dunning_runs'), 1);
    assert.equal(fx.count('dunning_items', `run_id = ${runId}`), 8);
  });

  test('two approvals at once: one carries the run out, the other is refused; each reminder once', async () => {
    const [x, y] = await Promise.all([
      anna.post(`${C}/dunning/runs/${runId}/approve`, {}),
      anna.post(`${C}/dunning/runs/${runId}/approve`, {}),
    ]);
    const statuses = [x.status, y.status].sort();
    assert.deepEqual(statuses, [200, 409], `${x.status} ${JSON.stringify(x.body)} / ${y.status} ${JSON.stringify(y.body)}`);
    const ok = x.status === 200 ? x : y;
    assert.equal(ok.body.state, 'done');
    assert.equal(ok.body.outcome.reminded, 3);
    assertError(x.status === 409 ? x : y, 409, 'already_approved', 'run_id');
    assertError(await anna.post(`${C}/dunning/runs/${runId}/approve`, {}), 409, 'already_approved', 'run_id');
    for (const k of ['remind', 'paidLater']) {
      assert.equal(fx.count('reminders', `invoice_id = ${inv[k].id}`), 1, k);
      assert.equal(fx.sql(`select level, fee_minor from reminders where invoice_id = ${inv[k].id}`), '1|6000');
    }
    assert.equal(fx.sql(`select level, fee_minor from reminders where invoice_id = ${inv.noFee.id}`), '1|0');
    assert.equal(fx.count('reminders'), 3, 'nothing for the invoices the run skipped');
    const r = await run(runId);
    assert.equal(itemOf(r, inv.remind.id).state, 'done');
    assert.ok(itemOf(r, inv.remind.id).reminder_id > 0);
  });

  test('the run\'s letters are one PDF for printing', async () => {
    const res = await anna.get(`${C}/dunning/runs/${runId}/letters.pdf`);
    assertStatus(res, 200);
    assert.match(res.headers.get('content-type'), /^application\/pdf/);
    assert.ok(res.text.startsWith('%PDF-'));
  });

  test('past runs are listed newest first', async () => {
    const res = await anna.get(`${C}/dunning/runs`);
    assertStatus(res, 200);
    assert.deepEqual(res.body.runs.map((r) => [r.id, r.state]), [[runId, 'done']]);
  });
});

describe('a week later: level 2', () => {
  let runId;

  before(async () => {
    /* pay it off: fees and interest take their part first */
    for (let i = 0; i < 4; i++) {
      const cur = (await anna.get(`${C}/invoices/${inv.paidLater.id}`)).body;
      if (cur.remaining_minor <= 0) break;
      assertStatus(await anna.post(`${C}/invoices/${inv.paidLater.id}/payments`, { date: '2026-03-12', amount_minor: cur.remaining_minor }), 201);
    }
    /* the customer without e-mail gets letters by its own policy */
    assertStatus(await anna.put(`${C}/customers/${inv.customers.b.id}/dunning-policy`,
      { levels: [{ days: 10, channel: 'letter' }], final_step: 'none' }), 200);
    await restartAt('2026-03-19T08:00:00Z');
  });

  test('the reminded invoice gets level 2 without a second fee; the one paid meanwhile gets nothing', async () => {
    const res = await anna.post(`${C}/dunning/runs`, {});
    assertStatus(res, 201);
    runId = res.body.id;
    const r = await run(runId);
    const two = itemOf(r, inv.remind.id);
    assert.deepEqual([two.action, two.level, two.channel, two.fee, two.fee_minor], ['remind', 2, 'letter', true, 0]);
    assert.deepEqual([itemOf(r, inv.paidLater.id).action, itemOf(r, inv.paidLater.id).reason], ['none', 'paid']);
    assert.equal(itemOf(r, inv.notYet.id).action, 'remind', 'now ten days past its due date');
    const byLetter = itemOf(r, inv.noEmail.id);
    assert.deepEqual([byLetter.action, byLetter.level, byLetter.channel, byLetter.fee], ['remind', 1, 'letter', false],
      'the customer\'s override holds');
    assertStatus(await anna.post(`${C}/dunning/runs/${runId}/approve`, {}), 200);
    assert.equal(fx.sql(`select level, fee_minor from reminders where invoice_id = ${inv.remind.id} order by level`), '1|6000\n2|0');
    assert.equal(Number(fx.sql(`select fee_charged_minor from invoice_books where invoice_id = ${inv.remind.id}`)), 6000);
  });
});
