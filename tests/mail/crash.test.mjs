/*
 * mail_crash.test.mjs — kill -9 during a run of 2 000 reminder e-mails:
 * after the restart each invoice got its e-mail exactly once, counted at a
 * real SMTP server (tests/lib/smtp_sink.py).
 *
 * 2 000 overdue invoices are made over HTTP, their reminders made and
 * their e-mails queued by the product (`paminn remind --email`), then
 * `paminn serve --smtp-url` delivers; once a few hundred have arrived the
 * server is killed with SIGKILL mid-delivery and started again (a short
 * --smtp-lease-seconds, so the dead process's leases expire soon), and the
 * queue drains.  The sink then holds exactly one message per reminder:
 * 2 000 messages, 2 000 distinct Message-IDs, the ones the outbox holds —
 * or one fewer, when the kill fell between recording a mail as sent and
 * ending its DATA (src/app/app_mail.c: such a mail is lost, never sent
 * twice); the missing one must then be one the killed process was sending.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PATIENCE_MS, assertStatus, co, createCustomer, startServer, waitFor } from '../api/lib/server.mjs';
import { assertLostOnlyToKill, startSink } from '../lib/smtp.mjs';

const N = Number(process.env.MAIL_CRASH_N ?? 2000);
const CUSTOMERS = 20;

let sink;
let fx;

before(async () => {
  sink = await startSink();
  fx = await startServer({ now: '2025-09-30' });
});

after(async () => {
  await fx?.stop();
  await sink?.stop();
});

/* SIGTERM or SIGKILL the server and wait for it, keeping its database. */
async function halt(signal) {
  fx.child.kill(signal);
  await fx.exited;
}

async function startWithSmtp() {
  fx.exit = null; /* the fixture's record of the last exit is the old process's */
  fx.opts.serveArgs = ['--smtp-url', sink.url, '--smtp-from', 'paminnelser@example.se',
    '--smtp-lease-seconds', '3', '--smtp-retry-seconds', '1'];
  await fx.start();
}

const unsent = () => fx.count('mail_outbox', "state <> 'sent'");

test(`kill -9 during ${N} reminder e-mails: each invoice gets its e-mail exactly once`, async () => {
  const anna = await fx.login();
  const C = co(fx.companyId);
  assertStatus(await anna.patch(C, { bankgiro: '991-2346', email: 'faktura@example.se' }), 200);
  const customers = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    customers.push(await createCustomer(anna, fx.companyId, { name: `Kund ${i} Åström`, email: `kund${i}@example.se` }));
  }
  const ids = [];
  for (let i = 0; i < N; i += 8) {
    const made = await Promise.all(Array.from({ length: Math.min(8, N - i) }, (_, k) => anna.post(`${C}/invoices`, {
      customer_id: customers[(i + k) % CUSTOMERS].id,
      invoice_date: '2025-03-01',
      due_date: '2025-03-31',
      lines: [{ description: 'Arbete', quantity_milli: 1000, unit_price_minor: 100000 + i + k, vat_rate_bp: 2500, labour: false }],
    })));
    for (const res of made) {
      assertStatus(res, 201);
      ids.push(res.body.id);
    }
  }
  await halt('SIGTERM');
  const out = fx.cli(['--data-dir', 'data', 'remind', '--company', String(fx.companyId), '--email', ...ids.map(String)]);
  assert.match(out, new RegExp(`reminders: ${N} made, 0 refused, ${N} e-mails queued`));
  assert.equal(fx.count('mail_outbox'), N);
  assert.equal(sink.count(), 0);

  await startWithSmtp();
  const atKill = await waitFor(() => {
    const n = sink.count();
    return n >= Math.min(300, N / 4) ? n : 0;
  }, PATIENCE_MS, 'a few hundred messages at the sink');
  const killedPid = fx.child.pid;
  await halt('SIGKILL');
  const left = unsent();
  assert.ok(left > 0, `the server was killed mid-delivery (${atKill} at the sink, ${left} unsent)`);

  await startWithSmtp();
  await waitFor(() => unsent() === 0, PATIENCE_MS * 2, () => `the queue drained (${unsent()} unsent: ${
    fx.sql("select state, attempts, last_answer, count(*) from mail_outbox where state <> 'sent' group by 1, 2, 3")
  }; server: ${fx.stderr().split('\n').filter((l) => !l.startsWith('{')).slice(-10).join('\n')})`);
  /* "sent" is recorded just before the end of DATA: the last message may
   * reach the sink a moment after the queue is empty. */
  const msgs = await sink.arrived(() => true, N, 30000).catch(() => sink.messages());
  const outbox = fx.sql('select message_id, lease_owner from mail_outbox').split('\n').filter(Boolean)
    .map((l) => l.split('|'));
  assert.equal(outbox.length, N);
  const lost = assertLostOnlyToKill(msgs, outbox, killedPid);
  assert.equal(msgs.length, N - lost.length, `the outbox's messages at the sink (killed at ${atKill})`);
  assert.equal(fx.count('mail_outbox', "state = 'sent'"), N);
});
