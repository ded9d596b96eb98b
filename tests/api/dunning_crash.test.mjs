/*
 * dunning_crash.test.mjs — kill -9 during the approval of a run of 2 000
 * reminders.  The server is killed while the run's chunks commit; after a
 * restart its scheduler finishes the run (approved, not done) from where
 * the last committed chunk left it.  In the end each invoice has exactly
 * one reminder of level 1, its fee (60 kr, agreed on every invoice) at
 * most once, every item done, and the run done.
 *
 * The clock: 2026-03-12 09:00 Stockholm; 2 000 invoices due 2026-03-02 (so
 * ten days overdue); the policy: one reminder 10 days after the due date by
 * e-mail, no hand-over.  The server is killed once 100 items are done
 * (polled); the run's 40 chunks take longer than that.  AMILI_TEST_SCALE
 * scales the count as in tests/amili.
 *
 * The server sends the e-mails as the chunks queue them (`--smtp-url` to a
 * real SMTP sink, tests/lib/smtp.mjs), so the kill also cuts deliveries
 * short; the restarted server (a short --smtp-lease-seconds, so the dead
 * process's leases expire soon) delivers the rest.  In the end the sink
 * holds exactly one message per invoice: N messages, N distinct
 * Message-IDs (those of the outbox), N distinct invoice numbers in the
 * subjects, all to the customer's address — or one fewer, when the kill
 * fell between recording a mail as sent and ending its DATA (app_mail.c:
 * such a mail is lost, never sent twice); the missing one must then be
 * one the killed process was sending.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertLostOnlyToKill, startSink } from '../lib/smtp.mjs';
import { PATIENCE_MS, assertError, assertStatus, co, createCustomer, line, startServer, waitFor } from './lib/server.mjs';

const N = Math.max(50, Math.round(2000 * Number(process.env.AMILI_TEST_SCALE ?? 1)));

let fx;
let anna;
let C;
let sink;

const SMTP = () => ['--smtp-url', sink.url, '--smtp-from', 'paminnelser@example.se', '--smtp-lease-seconds', '3',
  '--smtp-retry-seconds', '1'];

before(async () => {
  sink = await startSink();
  fx = await startServer({ now: '2026-03-12T08:00:00Z', serveArgs: ['--dunning-every', '0', ...SMTP()] });
  anna = await fx.login();
  C = co(fx.companyId);
  assertStatus(await anna.patch(C, { reminder_fee_agreed: true, reminder_fee_minor: 6000 }), 200);
  const cust = await createCustomer(anna, fx.companyId, { name: 'Många Fakturor AB', is_company: false, email: 'manga@example.se' });
  let next = 0;
  const worker = async () => {
    while (next < N) {
      next++;
      const res = await anna.post(`${C}/invoices`, {
        customer_id: cust.id, invoice_date: '2026-02-01', due_date: '2026-03-02', lines: [line(100000)],
      });
      assertStatus(res, 201);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  assertStatus(await anna.put(`${C}/dunning/policy`, {
    enabled: true, approval: 'manual', final_step: 'none', levels: [{ days: 10, fee: true, channel: 'email' }],
  }), 200);
});
after(async () => {
  await fx?.stop();
  await sink?.stop();
});

test(`kill -9 during the approval of ${N} e-mail reminders: after the restart each invoice reminded and e-mailed once, its fee at most once`, async () => {
  const proposal = await anna.post(`${C}/dunning/runs`, {});
  assertStatus(proposal, 201);
  const runId = proposal.body.id;
  assert.equal(proposal.body.item_count, N);

  /* the approval runs; the server is killed once some chunks are in */
  const approval = anna.post(`${C}/dunning/runs/${runId}/approve`, {}).catch((err) => ({ failed: err }));
  let answered = null;
  approval.then((a) => { answered = a; });
  await waitFor(() => fx.count('dunning_items', `run_id = ${runId} and state = 'done'`) >= 100, PATIENCE_MS,
    () => `a few chunks of the approval committed (${fx.count('dunning_items', `run_id = ${runId} and state = 'done'`)} done;` +
      ` the approval answered ${JSON.stringify(answered?.body ?? answered?.failed?.message ?? null)}; server log:\n${
        fx.stderr().split('\n').filter((l) => !l.startsWith('{"ts"')).slice(-10).join('\n')})`);
  const killedPid = fx.child.pid;
  fx.child.kill('SIGKILL');
  const exit = await fx.exited;
  assert.equal(exit.signal, 'SIGKILL');
  const answer = await approval;
  assert.ok(answer.failed || answer.status !== 200 || answer.body.state === 'done', 'the approval was cut off (or had just finished)');
  const doneAtKill = fx.count('dunning_items', `run_id = ${runId} and state = 'done'`);
  assert.ok(doneAtKill < N, `the kill came after the whole run (${doneAtKill}); make the run longer`);
  /* what was committed is whole: a done item has its reminder and vice versa */
  assert.equal(fx.count('reminders'), doneAtKill);

  /* the restarted server's scheduler finishes the run */
  fx.exit = null;
  fx.opts.serveArgs = ['--dunning-every', '1', '--dunning-hour', '0', ...SMTP()];
  await fx.start();
  try {
    await waitFor(() => fx.sql(`select state from dunning_runs where id = ${runId}`) === 'done', 5 * PATIENCE_MS,
      'the run finished after the restart');
  } catch (err) {
    const log = fx.stderr().split('\n').filter((l) => !l.startsWith('{"ts"')).slice(-20).join('\n');
    const left = fx.count('dunning_items', `run_id = ${runId} and state = 'pending'`);
    throw new Error(`${err.message}; ${left} items pending; server log:\n${log}`);
  }

  assert.equal(fx.count('dunning_items', `run_id = ${runId} and state <> 'done'`), 0);
  assert.equal(fx.count('reminders'), N);
  assert.equal(fx.count('reminders', 'level = 1'), N);
  /* exactly one reminder per invoice, and each fee once */
  assert.equal(Number(fx.sql('select count(distinct invoice_id) from reminders')), N);
  assert.equal(Number(fx.sql('select count(*) from (select invoice_id from reminders group by invoice_id having count(*) > 1) as t')), 0);
  assert.equal(Number(fx.sql('select count(*) from invoice_books where fee_charged_minor > 6000')), 0);
  assert.equal(Number(fx.sql('select count(*) from invoice_books where fee_charged_minor = 6000')), N);
  assert.equal(Number(fx.sql("select count(*) from history_events where kind = 'reminder'")), N);
  /* each invoice's e-mail exactly once, counted at the sink */
  const unsent = () => fx.count('mail_outbox', "state <> 'sent'");
  await waitFor(() => unsent() === 0, 2 * PATIENCE_MS, () => `the mail outbox drained (${unsent()} unsent: ${
    fx.sql("select state, attempts, last_answer, count(*) from mail_outbox where state <> 'sent' group by 1, 2, 3")})`);
  assert.equal(fx.count('mail_outbox'), N);
  const msgs = await sink.arrived(() => true, N, 30000).catch(() => sink.messages());
  const outbox = fx.sql('select message_id, lease_owner from mail_outbox').split('\n').filter(Boolean)
    .map((l) => l.split('|'));
  const lost = assertLostOnlyToKill(msgs, outbox, killedPid);
  assert.equal(msgs.length, N - lost.length);
  assert.equal(msgs.filter((m) => /<manga@example\.se>$/.test(m.headers.to)).length, msgs.length, 'all to the customer');
  const numbers = new Set(msgs.map((m) => /faktura (\d+) /.exec(m.subject)?.[1]));
  assert.equal(numbers.size, msgs.length, 'one message per invoice');
  assert.equal(Number(fx.sql('select count(distinct number) from invoices')), N);

  /* a second run the same day changes nothing; all by e-mail, the run has no letters */
  const again = await (await fx.login()).post(`${C}/dunning/runs`, {});
  assertStatus(again, 200);
  assert.equal(again.body.id, runId);
  assert.equal(again.body.letters_url, null, 'a run by e-mail only offers no letters');
  assertError(await (await fx.login()).get(`${C}/dunning/runs/${runId}/letters.pdf`), 404, 'no_letters', 'run_id');
});
