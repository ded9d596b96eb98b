/*
 * dunning_clock.test.mjs — the daily run driven by the clock: `paminn
 * dunning run --now <day>` once a day, as cron would, from 2026-03-01 to
 * 2026-03-16, beside a running `paminn serve` and a real amili-sandbox.
 *
 * The policy (automatic): level 1 three days after the due date by e-mail
 * and letter, level 2 four days after level 1 by e-mail, with the fee
 * where agreed; hand-over to Visma Amili five days after level 2.  Four
 * invoices due 2026-02-26: one left unpaid gets level 1 on 03-01
 * (due + 3), level 2 on 03-05 (+ 4) and is handed over on 03-10 (+ 5),
 * registered at the sandbox exactly once however many days follow; one
 * paid, one with reminders stopped (payment plan), one disputed get
 * nothing.
 *
 * The e-mail: `paminn dunning run` queues it in the mail outbox; the
 * running `paminn serve --smtp-url` delivers it to a real SMTP sink
 * (tests/lib/smtp.mjs).  After each day the test waits until the outbox
 * has nothing unsent and the sink holds what was sent, then counts the
 * messages per invoice at the sink: the unpaid invoice's level 1 arrives
 * on 03-01 (To, subject, amounts, OCR, the PDF attached), its level 2 on
 * 03-05, each exactly once; the other three invoices never get one.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { BIN, DATA_DIR } from '../api/lib/server.mjs';
import { startSink } from '../lib/smtp.mjs';
import { PATIENCE_MS, assertStatus, startStack, waitFor } from './lib/stack.mjs';

const DAYS = Array.from({ length: 16 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`);

/* "1 234,50 kr" as money_format writes it (U+00A0 read as a blank). */
function kr(ore) {
  const whole = String(Math.floor(ore / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${whole},${String(ore % 100).padStart(2, '0')} kr`;
}

describe('the daily run, day by day', () => {
  let s;
  let sink;
  const inv = {};
  const lines = [];

  function runDay(day) {
    const out = execFileSync(BIN, ['--db', s.db, '--now', `${day}T08:00:00Z`, '--data-dir', DATA_DIR, 'dunning', 'run',
      '--secret-key', s.secretFile, '--amili-url', s.sb.base, '--amili-api-code', s.apiCode, '--amili-key', s.keyFile],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    lines.push(`${day}: ${out.trim()}`);
    return out;
  }

  const levels = (id) => s.rows(`select level from reminders where invoice_id = ${id} order by level`).map((r) => Number(r.level));

  before(async () => {
    sink = await startSink();
    s = await startStack({
      now: '2026-02-28T08:00:00Z',
      serveExtra: ['--dunning-every', '0', '--smtp-url', sink.url, '--smtp-from', 'paminnelser@example.se',
        '--smtp-retry-seconds', '1'],
    });
    await s.activate();
    assertStatus(await s.client.patch(s.api, { reminder_fee_agreed: true, reminder_fee_minor: 6000 }), 200);
    const policy = await s.client.put(`${s.api}/dunning/policy`, {
      enabled: true,
      approval: 'automatic',
      final_step: 'handover',
      handover_days: 5,
      levels: [
        { days: 3, anchor: 'due', fee: true, channel: 'both' },
        { days: 4, anchor: 'previous', fee: true, channel: 'email' },
      ],
    });
    assertStatus(policy, 200);
    const c = await s.customer();
    const due = { invoice_date: '2026-01-27', due_date: '2026-02-26' };
    inv.unpaid = await s.invoice(c.id, due);
    inv.paid = await s.invoice(c.id, due);
    inv.stopped = await s.invoice(c.id, due);
    inv.disputed = await s.invoice(c.id, due);
    assertStatus(await s.client.post(`${s.api}/invoices/${inv.paid.id}/payments`, { date: '2026-02-27', amount_minor: 125000 }), 201);
    assertStatus(await s.client.put(`${s.api}/invoices/${inv.stopped.id}/reminder-stop`, { kind: 'payment_plan' }), 200);
    assertStatus(await s.client.put(`${s.api}/invoices/${inv.disputed.id}/reminder-stop`, { kind: 'dispute', text: 'Arbetet ej utfört' }), 200);
  });
  after(async () => {
    if (process.env.PAMINN_DEBUG_DUNNING) console.log(lines.join('\n'));
    await s?.stop();
    await sink?.stop();
  });

  /* The messages at the sink about invoice inv (by the subject's number). */
  const mailsOf = (msgs, inv) => msgs.filter((m) => m.subject.includes(`faktura ${inv.number} `));

  /* Once the outbox has nothing unsent, every message it sent is at the
   * sink ("sent" is recorded just before the end of DATA: wait for them). */
  async function delivered() {
    await waitFor(() => s.scalar("select count(*) from mail_outbox where state <> 'sent'") === '0', PATIENCE_MS,
      () => `the mail outbox sent (${s.scalar("select state || ' ' || coalesce(last_answer, '') from mail_outbox where state <> 'sent'")})`);
    const sent = Number(s.scalar('select count(*) from mail_outbox'));
    return sink.arrived(() => true, sent);
  }

  test('level 1, level 2, then handed over exactly once; the paid, stopped and disputed ones get nothing', async () => {
    const seen = {};
    const mailed = {};
    for (const day of DAYS) {
      runDay(day);
      seen[day] = levels(inv.unpaid.id).join(',');
      const msgs = await delivered();
      mailed[day] = mailsOf(msgs, inv.unpaid).length;
      for (const k of ['paid', 'stopped', 'disputed']) assert.equal(mailsOf(msgs, inv[k]).length, 0, `${k} e-mailed on ${day}`);
      if (day === '2026-03-10') {
        /* registered at the agency by a dispatcher (the command's or the server's) */
        await waitFor(() => s.rows(`select agency_state from invoices where id = ${inv.unpaid.id}`)[0].agency_state === 'registered',
          PATIENCE_MS, 'the hand-over registered');
      }
    }
    assert.equal(seen['2026-02-28'], undefined);
    assert.equal(seen['2026-03-01'], '1', lines.join('\n'));
    assert.equal(seen['2026-03-04'], '1');
    assert.equal(seen['2026-03-05'], '1,2');
    assert.equal(seen['2026-03-16'], '1,2');
    /* the fee once, on level 1 */
    assert.deepEqual(s.rows(`select level, fee_minor from reminders where invoice_id = ${inv.unpaid.id} order by level`)
      .map((r) => [Number(r.level), Number(r.fee_minor)]), [[1, 6000], [2, 0]]);
    for (const k of ['paid', 'stopped', 'disputed']) assert.deepEqual(levels(inv[k].id), [], k);

    /* the e-mails: level 1 on 03-01, level 2 on 03-05, each once; none before, none after */
    assert.deepEqual(Object.entries(mailed).filter(([d]) => d < '2026-03-01').map(([, n]) => n), []);
    assert.equal(mailed['2026-03-01'], 1, 'level 1 arrives on the day it is made');
    assert.equal(mailed['2026-03-04'], 1);
    assert.equal(mailed['2026-03-05'], 2, 'level 2 arrives on its day');
    assert.equal(mailed['2026-03-16'], 2, 'and nothing more, hand-over or not');
    const msgs = sink.messages();
    assert.equal(msgs.length, 2, 'two messages at the sink in all');
    assert.equal(new Set(msgs.map((m) => m.headers['message-id'])).size, 2);
    const reminders = s.rows(`select level, ocr, total_due_minor from reminders where invoice_id = ${inv.unpaid.id} order by level`);
    const byLevel = new Map(s.rows(`select r.level, m.message_id from mail_outbox m join reminders r on r.id = m.reminder_id
      where m.invoice_id = ${inv.unpaid.id}`).map((r) => [Number(r.level), r.message_id]));
    for (const r of reminders) {
      const [m] = msgs.filter((x) => x.headers['message-id'] === byLevel.get(Number(r.level)));
      assert.ok(m, `the level ${r.level} e-mail at the sink`);
      assert.match(m.headers.to, /<anna@example\.se>$/);
      assert.equal(m.subject, `Påminnelse: faktura ${inv.unpaid.number} från Snickeri Ström AB`);
      const text = m.parts[0].body.toString('utf8').replace(/\u00a0/g, ' ');
      assert.match(text, new RegExp(`Att betala: +${kr(Number(r.total_due_minor))}`), text);
      assert.match(text, new RegExp(`OCR-nummer: +${r.ocr}\\b`), text);
      assert.match(text, /Bankgiro: +5050-1055/);
      assert.match(m.parts[1].headers['content-type'], /^application\/pdf/);
      assert.equal(m.parts[1].body.subarray(0, 5).toString('latin1'), '%PDF-');
      if (Number(r.level) === 1) assert.match(text, /Påminnelseavgift: +60,00 kr/);
    }
    /* one claim, one case at the sandbox */
    assert.equal(s.scalar(`select count(*) from agency_claims where invoice_id = ${inv.unpaid.id}`), '1');
    const cases = await s.agencyCases();
    assert.equal(cases.size, 1, 'one case at the agency');
    assert.ok(cases.has(String(inv.unpaid.number)) || cases.has(inv.unpaid.number), [...cases.keys()].join(','));
    assert.equal((await s.counters()).requests['POST /case--registrations'], 1);
    /* the run of the hand-over day says so; later days say "with the agency" */
    const handRun = s.rows("select id from dunning_runs where run_date = (select max(run_date) from dunning_runs) - 6")[0].id;
    assert.equal(s.scalar(`select action || ':' || state from dunning_items where run_id = ${handRun} and invoice_id = ${inv.unpaid.id}`), 'handover:done');
    const last = s.rows('select id from dunning_runs order by run_date desc limit 1')[0].id;
    assert.equal(s.scalar(`select reason from dunning_items where run_id = ${last} and invoice_id = ${inv.unpaid.id}`), 'with_agency');
    assert.equal(s.scalar("select count(*) from dunning_runs where state <> 'done'"), '0');
    assert.equal(s.scalar('select count(*) from dunning_runs'), String(DAYS.length));
  });
});
