/*
 * mail.test.mjs — reminders by e-mail over SMTP, against a real SMTP server
 * on 127.0.0.1 (tests/lib/smtp_sink.py, Debian's aiosmtpd) that keeps every
 * message it accepts; the test reads them back and parses them.
 *
 * - a reminder e-mailed: From, To, Date, Message-ID; the subject's å ä ö
 *   (RFC 2047) decoded; the text's amounts and OCR those of the reminder;
 *   the PDF attachment's text (pdftotext) with the same total;
 * - 451 to the first DATA: retried and delivered once, same Message-ID;
 * - 550 to RCPT: failed, on the invoice page and in its history;
 * - no e-mail address: 422 missing_email on "email", nothing made;
 * - the same reminder e-mailed twice: one mail;
 * - STARTTLS (a throwaway self-signed certificate) with AUTH required.
 *
 * The server's clock is fixed at 2025-09-30: 10 000,00 kr due 2025-03-31
 * with the agreed 60 kr fee → 10 586,30 kr by 2025-10-10 (reminders.test.mjs).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { PATIENCE_MS, assertError, assertStatus, co, createCustomer, createInvoice, line, startServer, waitFor } from './lib/server.mjs';
import { startSink } from '../lib/smtp.mjs';

const COMPANY = 'Åkerö Bygg & Målning i Västerås AB';
const FROM = 'paminnelser@akero.se';

/* "10 586,30 kr" as money_format writes it (U+00A0 read as a blank). */
function kr(ore) {
  const neg = ore < 0;
  const a = Math.abs(ore);
  const whole = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${neg ? '-' : ''}${whole},${String(a % 100).padStart(2, '0')} kr`;
}

async function setUpCompany(anna, C) {
  const patch = await anna.patch(C, {
    name: COMPANY,
    address_line_1: 'Storgatan 1',
    zip_code: '722 15',
    city: 'Västerås',
    bankgiro: '991-2346',
    email: 'faktura@akero.se',
    phone: '021-12 34 56',
    reminder_fee_agreed: true,
    reminder_fee_minor: 6000,
  });
  assertStatus(patch, 200);
}

async function overdue(anna, cid, email, name = 'Örjan Ängström') {
  const customer = await createCustomer(anna, cid, {
    name,
    address_line_1: 'Västra Långgatan 5',
    zip_code: '413 01',
    city: 'Göteborg',
    email,
  });
  return createInvoice(anna, cid, customer.id, {
    invoice_date: '2025-03-01',
    due_date: '2025-03-31',
    lines: [line(800000)],
  });
}

/* The mail of the company with id, once it is in one of `states`. */
async function mailIn(anna, C, id, states) {
  let last;
  return waitFor(async () => {
    const res = await anna.get(`${C}/mails`);
    assertStatus(res, 200);
    last = res.body.items.find((m) => m.id === id);
    return last && states.includes(last.state) ? last : null;
  }, PATIENCE_MS, () => `mail ${id} in ${states.join('/')} (last: ${JSON.stringify(last)})`);
}

function pdfText(fx, buf, name) {
  const file = path.join(fx.dir, name);
  writeFileSync(file, buf);
  const run = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.replace(/\u00a0/g, ' ');
}

describe('reminders by e-mail', () => {
  let sink;
  let fx;
  let anna;
  let C;

  before(async () => {
    sink = await startSink({ refuse: '^refuse', tempfail: '^slow' });
    fx = await startServer({
      now: '2025-09-30',
      serveArgs: ['--smtp-url', sink.url, '--smtp-from', FROM, '--smtp-retry-seconds', '1'],
    });
    anna = await fx.login();
    C = co(fx.companyId);
    await setUpCompany(anna, C);
  });

  after(async () => {
    await fx?.stop();
    await sink?.stop();
  });

  test('a reminder e-mailed arrives with its headers, text, amounts, OCR and PDF', async () => {
    const inv = await overdue(anna, fx.companyId, 'orjan@example.se');
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, { channel: 'both' });
    assertStatus(res, 201);
    const rm = res.body;
    assert.equal(rm.channel, 'both');
    assert.equal(rm.total_due_minor, 1058630, 'the check value of reminders.test.mjs');
    assert.ok(rm.mail && rm.mail.id > 0, JSON.stringify(rm));
    assert.equal(rm.mail.to, 'orjan@example.se');
    assert.match(rm.mail.message_id, /^<[0-9a-f]{32}@akero\.se>$/);

    const mail = await mailIn(anna, C, rm.mail.id, ['sent']);
    assert.equal(mail.attempts, 1);
    assert.equal(mail.invoice_number, inv.number);
    assert.ok(mail.sent_at, 'sent_at is set');

    const msgs = await sink.arrived((m) => m.headers['message-id'] === rm.mail.message_id);
    assert.equal(msgs.length, 1, 'one message at the sink');
    const m = msgs[0];
    /* headers */
    assert.match(m.headers.from, /<paminnelser@akero\.se>$/);
    assert.ok(m.headers.from.includes(COMPANY) || /=\?UTF-8\?B\?/.test(m.headers.from));
    assert.equal(m.headers['reply-to'], '<faktura@akero.se>');
    assert.match(m.headers.to, /<orjan@example\.se>$/);
    assert.ok(!Number.isNaN(Date.parse(m.headers.date)), `a date: ${m.headers.date}`);
    assert.match(m.headers.date, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(m.headers['mime-version'], '1.0');
    assert.match(m.headers['content-type'], /^multipart\/mixed; boundary="/);
    /* the subject: encoded-words of UTF-8, decoded with å ä ö */
    assert.match(m.head, /^Subject: =\?UTF-8\?B\?/m);
    assert.equal(m.subject, `Påminnelse: faktura ${inv.number} från ${COMPANY}`);
    assert.ok(/[åäö]/.test(m.subject) && m.subject.includes('ä') && m.subject.includes('å') && m.subject.includes('ö'));
    /* lines: CRLF only, none over 998 (76 in the head) */
    assert.ok(!/[^\r]\n/.test(m.raw), 'every line ends in CRLF');
    for (const l of m.raw.split('\r\n')) assert.ok(l.length <= 998, `line of ${l.length}`);
    for (const l of m.head.split('\r\n')) assert.ok(l.length <= 78, `head line of ${l.length}: ${l}`);
    /* the text */
    assert.equal(m.parts.length, 2);
    assert.match(m.parts[0].headers['content-type'], /^text\/plain; charset=UTF-8/);
    const text = m.parts[0].body.toString('utf8').replace(/\u00a0/g, ' ');
    assert.ok(text.includes('Hej Örjan Ängström'), text);
    assert.ok(text.includes(`faktura ${inv.number}`));
    for (const [label, ore] of [['Kapitalbelopp:', 1000000], ['Påminnelseavgift:', rm.fee_minor],
      ['Dröjsmålsränta:', rm.interest_minor], ['Att betala:', rm.total_due_minor]]) {
      assert.match(text, new RegExp(`${label} +${kr(ore)}`), `${label} ${kr(ore)} in:\n${text}`);
    }
    assert.equal(rm.interest_minor, 52630);
    assert.match(text, /Ny förfallodag: +2025-10-10/);
    assert.match(text, /Bankgiro: +991-2346/);
    assert.match(text, new RegExp(`OCR-nummer: +${rm.ocr}\\b`));
    assert.ok(!/Swish/.test(text), `no Swish line without a Swish number:\n${text}`);
    /* the PDF */
    const pdf = m.parts[1];
    assert.match(pdf.headers['content-type'], /^application\/pdf; name="paminnelse-\d+\.pdf"/);
    assert.match(pdf.headers['content-disposition'], new RegExp(`attachment; filename="paminnelse-${inv.number}\\.pdf"`));
    assert.equal(pdf.body.subarray(0, 5).toString('latin1'), '%PDF-');
    const pdfTxt = pdfText(fx, pdf.body, 'attached.pdf');
    assert.ok(pdfTxt.includes(kr(rm.total_due_minor).replace(' kr', '')), `the total ${kr(rm.total_due_minor)} in the PDF:\n${pdfTxt}`);
    assert.ok(pdfTxt.includes(rm.ocr), 'the OCR in the PDF');

    /* the invoice page shows it; its history says it was queued */
    const detail = await anna.get(`${C}/invoices/${inv.id}`);
    assertStatus(detail, 200);
    assert.equal(detail.body.mails.length, 1);
    assert.equal(detail.body.mails[0].state, 'sent');
  });

  test('with a Swish number the text has a Swish line: the number and the OCR as the message, in Swedish and English', async () => {
    assertStatus(await anna.patch(C, { swish_number: '123-4567890' }), 200);
    try {
      const sv = await overdue(anna, fx.companyId, 'swish@example.se');
      const res = await anna.post(`${C}/invoices/${sv.id}/reminders`, { channel: 'email' });
      assertStatus(res, 201);
      const en = await createCustomer(anna, fx.companyId, { name: 'Jane Smith', language: 'en', email: 'swish-en@example.se' });
      const enInv = await createInvoice(anna, fx.companyId, en.id, { invoice_date: '2025-03-01', due_date: '2025-03-31', lines: [line(800000)] });
      const resEn = await anna.post(`${C}/invoices/${enInv.id}/reminders`, { channel: 'email' });
      assertStatus(resEn, 201);
      const textOf = async (rm) => {
        const [m] = await sink.arrived((x) => x.headers['message-id'] === rm.mail.message_id);
        return m.parts[0].body.toString('utf8').replace(/\u00a0/g, ' ');
      };
      const text = await textOf(res.body);
      assert.match(text, new RegExp(`^Swish: +123 456 78 90, meddelande ${res.body.ocr}$`, 'm'), text);
      assert.match(text, new RegExp(`OCR-nummer: +${res.body.ocr}\\b`), 'the bankgiro payment stays');
      assert.match(text, /Bankgiro: +991-2346/);
      const textEn = await textOf(resEn.body);
      assert.match(textEn, new RegExp(`^Swish: +123 456 78 90, message ${resEn.body.ocr}$`, 'm'), textEn);
    } finally {
      assertStatus(await anna.patch(C, { swish_number: '' }), 200);
    }
  });

  test('a 451 to DATA is retried and the mail delivered once with the same Message-ID', async () => {
    const inv = await overdue(anna, fx.companyId, 'slow@example.se', 'Åsa Långsam');
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, { channel: 'email' });
    assertStatus(res, 201);
    // "sent" is recorded just before the end of DATA (docs/mail.md), so the
    // first try reads "sent" for a moment before its 451 comes back: look
    // once the sink has accepted the message.
    const msgs = await sink.arrived((m) => /slow@example\.se/.test(m.headers.to));
    const mail = await mailIn(anna, C, res.body.mail.id, ['sent', 'failed']);
    assert.equal(mail.state, 'sent');
    assert.equal(mail.attempts, 2, 'a second attempt after the 451');
    assert.equal(mail.message_id, res.body.mail.message_id);
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0].headers['message-id'], res.body.mail.message_id);
  });

  test('a 550 to RCPT fails the mail, shown on the invoice and in its history', async () => {
    const inv = await overdue(anna, fx.companyId, 'refuse@example.se', 'Rune Refuserad');
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, { channel: 'email' });
    assertStatus(res, 201);
    const mail = await mailIn(anna, C, res.body.mail.id, ['failed', 'sent']);
    assert.equal(mail.state, 'failed');
    assert.equal(mail.attempts, 1, 'a refusal is not retried');
    assert.match(mail.last_answer, /^550 5\.1\.1 <refuse@example\.se>/);
    assert.equal(sink.messages().filter((m) => /refuse@/.test(m.headers.to)).length, 0);
    const detail = await anna.get(`${C}/invoices/${inv.id}`);
    assert.equal(detail.body.mails[0].state, 'failed');
    assert.match(detail.body.mails[0].last_answer, /^550/);
    const hist = await anna.get(`${C}/invoices/${inv.id}/history`);
    assertStatus(hist, 200);
    const items = hist.body.items ?? hist.body;
    const ev = items.find((h) => h.kind === 'mail_failed');
    assert.ok(ev, `a mail_failed event in ${JSON.stringify(items.map((h) => h.kind))}`);
    assert.match(ev.message, /^E-post kunde inte levereras: 550 5\.1\.1/);
  });

  test('no e-mail address: 422 missing_email on "email", nothing made', async () => {
    const inv = await overdue(anna, fx.companyId, '', 'Utan Adress');
    const before_ = { reminders: fx.count('reminders'), mails: fx.count('mail_outbox') };
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, { channel: 'email' });
    assertError(res, 422, 'missing_email', 'email');
    assert.deepEqual({ reminders: fx.count('reminders'), mails: fx.count('mail_outbox') }, before_);
    /* the letter alone is still possible */
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/reminders`, {}), 201);
  });

  test('the same reminder e-mailed twice is one mail', async () => {
    const inv = await overdue(anna, fx.companyId, 'twice@example.se', 'Tvåa Tvåsson');
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, { channel: 'letter' });
    assertStatus(res, 201);
    assert.equal(res.body.mail, null);
    const first = await anna.post(`${C}/invoices/${inv.id}/reminders/${res.body.id}/email`, {});
    assertStatus(first, 200);
    const second = await anna.post(`${C}/invoices/${inv.id}/reminders/${res.body.id}/email`, {});
    assertStatus(second, 200);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.body.message_id, first.body.message_id);
    assert.equal(fx.count('mail_outbox', `reminder_id = ${res.body.id}`), 1);
    await mailIn(anna, C, first.body.id, ['sent']);
    assert.equal((await sink.arrived((m) => /twice@/.test(m.headers.to))).length, 1);
  });

  test('an unknown channel is refused naming "channel"', async () => {
    const inv = await overdue(anna, fx.companyId, 'kanal@example.se', 'Kanal Kanalsson');
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, { channel: 'fax' });
    assertError(res, 422, undefined, 'channel');
  });

  test('bulk reminders by e-mail queue one mail each; a customer without address keeps the letter', async () => {
    const a = await overdue(anna, fx.companyId, 'bulk1@example.se', 'Bulk Ett');
    const b = await overdue(anna, fx.companyId, '', 'Bulk Utan');
    const res = await anna.post(`${C}/reminders`, { invoice_ids: [a.id, b.id], channel: 'email' });
    assertStatus(res, 201);
    assert.equal(res.body.created, 2);
    assert.equal(res.body.mailed, 1);
    const [ra, rb] = res.body.results;
    assert.ok(ra.mail.id > 0);
    assert.equal(rb.mail, null);
    assert.equal(rb.mail_error.code, 'missing_email');
    await mailIn(anna, C, ra.mail.id, ['sent']);
  });

  test('GET /mails pages newest first and tells that SMTP is configured', async () => {
    const page = await anna.get(`${C}/mails?limit=2`);
    assertStatus(page, 200);
    assert.equal(page.body.smtp.configured, true);
    assert.equal(page.body.items.length, 2);
    assert.ok(page.body.items[0].id > page.body.items[1].id);
    const next = await anna.get(`${C}/mails?limit=2&cursor=${encodeURIComponent(page.body.next_cursor)}`);
    assertStatus(next, 200);
    assert.ok(next.body.items[0].id < page.body.items[1].id);
    assertError(await anna.get(`${C}/mails?cursor=junk`), 400, 'invalid_query', 'cursor');
  });
});

describe('STARTTLS and AUTH', () => {
  let sink;
  let fx;

  before(async () => {
    sink = await startSink({ tls: true, auth: 'paminn:hemligt-smtp' });
    fx = await startServer({
      now: '2025-09-30',
      setup: (f) => {
        f.file('smtp-password', 'hemligt-smtp\n');
      },
      serveArgs: [],
      args: (f) => ['--db', f.db, '--now', '2025-09-30', '--data-dir', path.resolve('data'), 'serve',
        '--listen', '127.0.0.1:0', '--smtp-url', sink.url, '--smtp-from', FROM, '--smtp-tls', 'require',
        '--smtp-insecure', '--smtp-user', 'paminn', '--smtp-password-file', path.join(f.dir, 'smtp-password')],
    });
  });

  after(async () => {
    await fx?.stop();
    await sink?.stop();
  });

  test('a mail goes over STARTTLS with AUTH', async () => {
    const anna = await fx.login();
    const C = co(fx.companyId);
    await setUpCompany(anna, C);
    const inv = await overdue(anna, fx.companyId, 'tls@example.se');
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, { channel: 'email' });
    assertStatus(res, 201);
    const mail = await mailIn(anna, C, res.body.mail.id, ['sent', 'failed', 'retry']);
    assert.equal(mail.state, 'sent', JSON.stringify(mail));
    assert.equal((await sink.arrived()).length, 1);
  });
});

describe('without SMTP', () => {
  let fx;

  before(async () => {
    fx = await startServer({ now: '2025-09-30' });
  });
  after(async () => {
    await fx?.stop();
  });

  test('e-mail is refused with 503 mail_not_configured and GET /mails says so', async () => {
    const anna = await fx.login();
    const C = co(fx.companyId);
    await setUpCompany(anna, C);
    const inv = await overdue(anna, fx.companyId, 'ingen@example.se');
    assertError(await anna.post(`${C}/invoices/${inv.id}/reminders`, { channel: 'email' }), 503,
      'mail_not_configured', 'channel');
    const list = await anna.get(`${C}/mails`);
    assertStatus(list, 200);
    assert.equal(list.body.smtp.configured, false);
    assert.deepEqual(list.body.items, []);
  });
});
