/*
 * statements.test.mjs — customer statements (kontoutdrag) over real HTTP:
 * the open items as of a date with interest to that date, the period's
 * payments and credits, the PDF (rendered with pdftoppm at 300 dpi, its
 * text extracted with pdftotext -layout and read back from the picture
 * with tesseract), several pages, and the e-mail at a real SMTP sink.
 *
 * The server's clock is fixed at 2025-08-20; the statement is as of
 * 2025-08-14.  Expected figures are computed here by hand, not read back:
 * interest per räntelagen 6 § = remaining × (reference rate + 8 %) × days
 * / 365 per half-year, summed and rounded once to the öre (half away from
 * zero): 11 % to 2025-06-30, 10 % from 2025-07-01.
 *   A  8 000,00 kr due 2025-05-15, unpaid: 46 days at 11 % + 45 at 10 %
 *   B  5 000,00 kr due 2025-07-31, 2 000,00 kr paid 2025-07-20: 14 days
 *      at 10 % on 3 000,00 kr
 *   C  4 000,00 kr due 2025-06-30, credit note of 1 000,00 kr on
 *      2025-08-01: 45 days at 10 % on 3 000,00 kr (a credit note corrects
 *      the invoice: no interest ran on what it credits)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { PATIENCE_MS, assertError, assertStatus, co, createCustomer, createInvoice, line, startServer, waitFor } from './lib/server.mjs';
import { parseMessage, startSink } from '../lib/smtp.mjs';

const FROM = 'kontoutdrag@akero.se';
const AS_OF = '2025-08-14';

/* "10 586,30 kr" with plain blanks (U+00A0 read as a blank). */
function kr(ore) {
  const a = Math.abs(ore);
  const whole = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${ore < 0 ? '-' : ''}${whole},${String(a % 100).padStart(2, '0')} kr`;
}

/* "SEK 10,586.30" as the English letters write amounts. */
function sek(ore) {
  const a = Math.abs(ore);
  const whole = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `SEK ${ore < 0 ? '-' : ''}${whole}.${String(a % 100).padStart(2, '0')}`;
}

/* Interest by hand: capital öre × rate % × days / 365 per segment, summed
 * exactly (in öre × 100 × 365 units), rounded once half away from zero. */
function interest(segments) {
  let num = 0n;
  for (const [capital, ratePercent, days] of segments) num += BigInt(capital) * BigInt(ratePercent) * BigInt(days);
  const den = 100n * 365n;
  return Number((2n * num + den) / (2n * den));
}

const daysBetween = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / 86400000);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
  return r.stdout;
}

describe('customer statements', () => {
  let sink;
  let fx;
  let anna;
  let C;
  let cust;
  const inv = {};
  const want = {};

  async function getPdf(p) {
    const res = await fetch(fx.base + p, { headers: { Cookie: anna.cookie } });
    return { status: res.status, headers: res.headers, raw: Buffer.from(await res.arrayBuffer()) };
  }

  before(async () => {
    sink = await startSink();
    fx = await startServer({ now: '2025-08-20', serveArgs: ['--smtp-url', sink.url, '--smtp-from', FROM, '--smtp-retry-seconds', '1'] });
    anna = await fx.login();
    C = co(fx.companyId);
    assertStatus(await anna.patch(C, {
      name: 'Åkerö Bygg AB', address_line_1: 'Storgatan 1', zip_code: '722 15', city: 'Västerås',
      bankgiro: '991-2346', email: 'faktura@akero.se',
    }), 200);
    cust = await createCustomer(anna, fx.companyId, {
      name: 'Örjan Ängström', address_line_1: 'Västra Långgatan 5', zip_code: '413 01', city: 'Göteborg',
      email: 'orjan@example.se',
    });
    /* line(net) with 25 % VAT: 640 000 → 8 000,00 kr */
    inv.a = await createInvoice(anna, fx.companyId, cust.id, { invoice_date: '2025-04-15', due_date: '2025-05-15', lines: [line(640000)] });
    inv.b = await createInvoice(anna, fx.companyId, cust.id, { invoice_date: '2025-07-01', due_date: '2025-07-31', lines: [line(400000)] });
    inv.c = await createInvoice(anna, fx.companyId, cust.id, { invoice_date: '2025-06-01', due_date: '2025-06-30', lines: [line(320000)] });
    assertStatus(await anna.post(`${C}/invoices/${inv.b.id}/payments`, { date: '2025-07-20', amount_minor: 200000, reference: 'delbetalning' }), 201);
    /* after the statement's date: not on it */
    assertStatus(await anna.post(`${C}/invoices/${inv.b.id}/payments`, { date: '2025-08-18', amount_minor: 50000, reference: 'senare' }), 201);
    assertStatus(await anna.post(`${C}/invoices/${inv.c.id}/credit-notes`, { reason: 'Prisavdrag', date: '2025-08-01', amount_minor: 100000 }), 201);

    const A = daysBetween('2025-05-15', '2025-06-30');
    const A2 = daysBetween('2025-06-30', AS_OF);
    want.a = { remaining: 800000, interest: interest([[800000, 11, A], [800000, 10, A2]]), days: 91 };
    want.b = { remaining: 300000, interest: interest([[300000, 10, daysBetween('2025-07-31', AS_OF)]]), days: 14 };
    want.c = { remaining: 300000, interest: interest([[300000, 10, daysBetween('2025-06-30', AS_OF)]]), days: 45 };
    want.remaining = want.a.remaining + want.b.remaining + want.c.remaining;
    want.interest = want.a.interest + want.b.interest + want.c.interest;
    want.total = want.remaining + want.interest;
  });

  after(async () => {
    await fx?.stop();
    await sink?.stop();
  });

  test('the hand-checked figures', () => {
    assert.equal(want.a.interest, 20953); /* 209,53 kr */
    assert.equal(want.b.interest, 1151);
    assert.equal(want.c.interest, 3699);
    assert.equal(want.total, 1425803); /* 14 258,03 kr */
  });

  test('the statement as JSON: open items, interest, days overdue, totals, the period', async () => {
    const res = await anna.get(`${C}/customers/${cust.id}/statement?as_of=${AS_OF}`);
    assertStatus(res, 200);
    const s = res.body;
    assert.equal(s.as_of, AS_OF);
    assert.equal(s.from, '2025-05-15', 'three months up to the date by default');
    assert.equal(s.to, AS_OF);
    assert.equal(s.language, 'sv');
    assert.equal(s.payment.bankgiro, '991-2346');
    const by = Object.fromEntries(s.items.map((i) => [i.invoice_id, i]));
    assert.equal(s.items.length, 3);
    for (const k of ['a', 'b', 'c']) {
      const it = by[inv[k].id];
      assert.ok(it, `invoice ${k} is open`);
      assert.equal(it.remaining_minor, want[k].remaining, `${k} remaining`);
      assert.equal(it.interest_minor, want[k].interest, `${k} interest`);
      assert.equal(it.days_overdue, want[k].days, `${k} days overdue`);
      assert.match(it.ocr, new RegExp(`^${inv[k].number}\\d\\d$`));
    }
    assert.equal(by[inv.c.id].credited_minor, 100000);
    assert.equal(by[inv.b.id].paid_minor, 200000);
    assert.deepEqual(s.totals, { items: 3, remaining_minor: want.remaining, interest_minor: want.interest,
      total_minor: want.total, overdue_minor: want.remaining, rate_unknown: false });
    /* the period: the part payment and the credit note, not the later payment */
    assert.deepEqual(s.period.moves.map((m) => [m.kind, m.date, m.amount_minor]),
      [['payment', '2025-07-20', 200000], ['credit_note', '2025-08-01', 100000]]);
    assert.equal(s.period.paid_minor, 200000);
    assert.equal(s.period.credited_minor, 100000);
  });

  test('bad dates and a period that ends before it starts: 400 naming the field', async () => {
    assertError(await anna.get(`${C}/customers/${cust.id}/statement?as_of=2025-02-30`), 400, 'invalid_query', 'as_of');
    assertError(await anna.get(`${C}/customers/${cust.id}/statement?from=igår`), 400, 'invalid_query', 'from');
    assertError(await anna.get(`${C}/customers/${cust.id}/statement.pdf?to=2025-13-01`), 400, 'invalid_query', 'to');
    assertError(await anna.get(`${C}/customers/${cust.id}/statement?from=2025-08-01&to=2025-07-01`), 400, 'invalid_period', 'from');
    assertError(await anna.get(`${C}/customers/999999/statement`), 404, 'not_found', 'id');
  });

  test('the PDF: rendered at 300 dpi, its text and the picture say every item, its interest and the total', async () => {
    const res = await getPdf(`${C}/customers/${cust.id}/statement.pdf?as_of=${AS_OF}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.match(res.headers.get('content-disposition'), /kontoutdrag-\d+-2025-08-14\.pdf/);
    const file = path.join(fx.dir, 'statement.pdf');
    writeFileSync(file, res.raw);

    const prefix = path.join(fx.dir, 'statement-page');
    run('pdftoppm', ['-r', '300', '-png', file, prefix]);
    const pngs = readdirSync(fx.dir).filter((f) => f.startsWith('statement-page') && f.endsWith('.png')).sort();
    assert.equal(pngs.length, 1, 'three items fit one page');

    const text = run('pdftotext', ['-layout', file, '-']).replace(/\u00a0/g, ' ');
    assert.match(text, /KONTOUTDRAG/);
    assert.match(text, /Sida 1 av 1/);
    for (const k of ['a', 'b', 'c']) {
      const row = text.split('\n').find((l) => new RegExp(`^\\s*${inv[k].number}\\s`).test(l));
      assert.ok(row, `a row for invoice ${inv[k].number}:\n${text}`);
      const cells = row.trim().split(/\s{2,}/);
      assert.ok(cells.includes(kr(want[k].remaining)), `remaining of ${k} in ${JSON.stringify(cells)}`);
      assert.ok(cells.includes(kr(want[k].interest)), `interest of ${k} in ${JSON.stringify(cells)}`);
      assert.ok(cells.includes(String(want[k].days)), `days overdue of ${k} in ${JSON.stringify(cells)}`);
    }
    assert.match(text, new RegExp(`Att betala totalt\\s+${kr(want.total)}`));
    assert.match(text, new RegExp(`Dröjsmålsränta till och med 2025-08-14\\s+${kr(want.interest)}`));
    assert.match(text, /991-2346/);

    /* what the rendered page shows, read by OCR */
    const seen = run('tesseract', [path.join(fx.dir, pngs[0]), '-', '--psm', '6']).replace(/[\s\u00a0]+/g, ' ');
    const squeezed = seen.replace(/ /g, '');
    for (const k of ['a', 'b', 'c']) assert.match(seen, new RegExp(`\\b${inv[k].number}\\b`), `invoice ${inv[k].number} on the page: ${seen}`);
    assert.ok(squeezed.includes(kr(want.total).replace(/ /g, '')), `the total ${kr(want.total)} on the page: ${seen}`);
  });

  test('many items: several pages, numbered, every item on one of them', async () => {
    const many = await createCustomer(anna, fx.companyId, { name: 'Många Fakturor AB', address_line_1: 'Gatan 2', zip_code: '111 22', city: 'Stockholm' });
    const numbers = [];
    for (let i = 0; i < 45; i++) {
      const x = await createInvoice(anna, fx.companyId, many.id, { invoice_date: '2025-06-01', due_date: '2025-07-01', lines: [line(10000 + i * 100)] });
      numbers.push(x.number);
    }
    const res = await getPdf(`${C}/customers/${many.id}/statement.pdf?as_of=${AS_OF}`);
    assert.equal(res.status, 200);
    const file = path.join(fx.dir, 'many.pdf');
    writeFileSync(file, res.raw);
    const info = run('pdfinfo', [file]);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)[1]);
    assert.equal(pages, 2);
    const text = run('pdftotext', ['-layout', file, '-']).replace(/\u00a0/g, ' ');
    assert.match(text, /Sida 1 av 2/);
    assert.match(text, /Sida 2 av 2/);
    for (const n of numbers) assert.match(text, new RegExp(`^\\s*${n}\\s`, 'm'), `invoice ${n}`);
    const page2 = run('pdftotext', ['-layout', '-f', '2', '-l', '2', file, '-']);
    assert.match(page2, /KONTOUTDRAG \(forts\.\)/);
  });

  test('e-mail: missing address 422 on "email"; an English customer gets it in English with the PDF, once per Idempotency-Key', async () => {
    const none = await createCustomer(anna, fx.companyId, { name: 'Utan Adress AB', address_line_1: 'Väg 1', zip_code: '111 22', city: 'Stockholm', email: '' });
    assertError(await anna.post(`${C}/customers/${none.id}/statement/email`, {}), 422, 'missing_email', 'email');
    assertError(await anna.post(`${C}/customers/${cust.id}/statement/email`, { as_of: AS_OF, from: '2025-08-10', to: '2025-08-01' }), 400, 'invalid_period', 'from');

    const en = await createCustomer(anna, fx.companyId, {
      name: 'Oliver Smith Ltd', address_line_1: '1 High Street', zip_code: 'SW1A 1AA', city: 'London', country: 'GB',
      email: 'oliver@example.co.uk', language: 'en',
    });
    const x = await createInvoice(anna, fx.companyId, en.id, { invoice_date: '2025-05-15', due_date: '2025-06-14', lines: [line(800000)] });
    /* 10 000,00 kr: 16 days at 11 % + 45 at 10 % */
    const want_en = interest([[1000000, 11, 16], [1000000, 10, 45]]);
    const key = `statement-${en.id}`;
    const first = await anna.post(`${C}/customers/${en.id}/statement/email`, { as_of: AS_OF }, { idem: key });
    assertStatus(first, 202);
    const again = await anna.post(`${C}/customers/${en.id}/statement/email`, { as_of: AS_OF }, { idem: key });
    assertStatus(again, 202);
    assert.equal(again.body.id, first.body.id, 'the same request queues one mail');
    assert.equal(first.body.kind, 'statement');
    assert.equal(first.body.to, 'oliver@example.co.uk');

    const mail = await waitFor(async () => {
      const list = await anna.get(`${C}/mails`);
      const m = list.body.items.find((i) => i.id === first.body.id);
      return m && m.state === 'sent' ? m : null;
    }, PATIENCE_MS, 'the statement mail sent');
    assert.equal(mail.customer_name, 'Oliver Smith Ltd');
    assert.equal(mail.statement.as_of, AS_OF);
    const statements = (await anna.get(`${C}/mails`)).body.items.filter((m) => m.kind === 'statement');
    assert.equal(statements.length, 1);

    const msgs = await sink.arrived((m) => m.headers['message-id'] === first.body.message_id);
    assert.equal(msgs.length, 1);
    const m = msgs[0];
    assert.equal(m.subject, 'Statement from Åkerö Bygg AB as of 2025-08-14');
    const body = m.parts[0].body.toString('utf8');
    assert.match(body, /Dear Oliver Smith Ltd/);
    assert.match(body, new RegExp(`Total to pay:\\s+${kr(1000000 + want_en).replace(/ /g, '[ \\u00a0]')}`));
    const pdf = m.parts.find((p) => /application\/pdf/.test(p.headers['content-type'] ?? ''));
    assert.ok(pdf, 'the PDF attached');
    assert.match(pdf.headers['content-disposition'] ?? pdf.headers['content-type'], /statement-\d+-2025-08-14\.pdf/);
    const file = path.join(fx.dir, 'mailed.pdf');
    writeFileSync(file, pdf.body);
    const text = run('pdftotext', ['-layout', file, '-']);
    assert.match(text, /STATEMENT/);
    assert.match(text, /Page 1 of 1/);
    const row = text.split('\n').find((l) => new RegExp(`^\\s*${x.number}\\s`).test(l));
    assert.ok(row && row.includes(sek(1000000)) && row.includes(sek(want_en)), row);
    assert.match(text, new RegExp(`Total to pay\\s+${sek(1000000 + want_en)}`));
  });
});
