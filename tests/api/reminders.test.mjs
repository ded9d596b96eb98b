/*
 * reminders.test.mjs — manual payment reminders over real HTTP: the fee,
 * interest and förseningsersättning rules with hand-checked figures, the
 * PDF letter (text extracted with pdftotext, page rendered with pdftoppm),
 * refusals that change nothing, and bulk reminders with one merged PDF
 * following the same rules.
 *
 * The server's clock is fixed at 2025-09-30 (Stockholm).  The check value:
 * 10 000,00 kr due 2025-03-31, reminder dated 2025-09-30 → interest
 * 526,30 kr (91 days at 11 % + 92 days at 10 %); with the agreed 60 kr fee
 * the letter asks for 10 586,30 kr by 2025-10-10.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertError, assertStatus, co, createCustomer, createInvoice, line, startServer } from './lib/server.mjs';
import { ocrOf } from '../lib/bgmax.mjs';

let fx;
let anna;
let C;
let private_;
let business;
let english;

/* 10 000,00 kr: 8 000 + 25 % VAT, due 2025-03-31. */
async function checkValueInvoice(customerId, extra = {}) {
  return createInvoice(anna, fx.companyId, customerId, {
    invoice_date: '2025-03-01',
    due_date: '2025-03-31',
    lines: [line(800000)],
    ...extra,
  });
}

/* Save a PDF answer and return its text (pdftotext -layout, NBSP as blank). */
function pdfText(res, name) {
  const file = path.join(fx.dir, name);
  writeFileSync(file, Buffer.from(res.raw));
  /* A reader finds nothing wrong with the text layer (the ToUnicode maps). */
  const run = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '', `pdftotext warns: ${run.stderr}`);
  return run.stdout.replace(/\u00a0/g, ' ');
}

async function getPdf(p) {
  const res = await fetch(fx.base + p, { headers: { Cookie: anna.cookie } });
  const raw = await res.arrayBuffer();
  return { status: res.status, headers: res.headers, raw };
}

function reminderCount() {
  return fx.count('reminders');
}

before(async () => {
  fx = await startServer({ now: '2025-09-30' });
  anna = await fx.login();
  C = co(fx.companyId);
  const patch = await anna.patch(C, {
    name: 'Åkerö Bygg & Måleri AB',
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
  assert.equal(patch.body.reminder_due_days, 10, 'the default days to pay after a reminder');
  private_ = await createCustomer(anna, fx.companyId, {
    name: 'Örjan Ängström',
    address_line_1: 'Västra Långgatan 5',
    zip_code: '413 01',
    city: 'Göteborg',
  });
  business = await createCustomer(anna, fx.companyId, {
    name: 'Bygg & Fönster i Umeå AB',
    is_company: true,
    id_number: '556036-0793',
  });
  english = await createCustomer(anna, fx.companyId, {
    name: 'Nordfjord Eiendom AS',
    address_line_1: 'Karl Johans gate 12',
    zip_code: '0154',
    city: 'Oslo',
    country: 'NO',
    language: 'en',
  });
});
after(async () => {
  await fx?.stop();
});

describe('one manual reminder', () => {
  let inv;
  let rem;

  test('the check value: fee 60,00, interest 526,30 (91 days at 11 % + 92 at 10 %), total 10 586,30 by 2025-10-10', async () => {
    inv = await checkValueInvoice(private_.id);
    assert.equal(inv.total_minor, 1000000);
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, {});
    assertStatus(res, 201);
    rem = res.body;
    assert.equal(rem.invoice_id, inv.id);
    assert.equal(rem.date, '2025-09-30');
    assert.equal(rem.fee_minor, 6000);
    assert.equal(rem.late_compensation_minor, 0);
    assert.equal(rem.interest_minor, 52630);
    assert.equal(rem.capital_minor, 1000000);
    assert.equal(rem.total_due_minor, 1058630);
    assert.equal(rem.new_due_date, '2025-10-10');
    assert.equal(rem.ocr, ocrOf(inv.number));
    assert.deepEqual(rem.interest.periods, [
      { from: '2025-04-01', to: '2025-06-30', rate_bp: 1100 },
      { from: '2025-07-01', to: '2025-09-30', rate_bp: 1000 },
    ]);
    assert.equal(rem.interest.days, 183);
    assert.equal(rem.interest.rate_unknown, false);
    assert.equal(rem.letter_url, `${C}/invoices/${inv.id}/reminders/${rem.id}/letter.pdf`);
  });

  test('the invoice counts it and its history has the reminder with fee, interest and total', async () => {
    const got = await anna.get(`${C}/invoices/${inv.id}`);
    assert.equal(got.body.manual_reminders, 1);
    const hist = await anna.get(`${C}/invoices/${inv.id}/history`);
    const ev = hist.body.items.find((e) => e.kind === 'reminder');
    assert.ok(ev, 'a reminder event');
    assert.equal(ev.actor, 'anna@example.se');
    assert.equal(ev.data.fee_minor, 6000);
    assert.equal(ev.data.interest_minor, 52630);
    assert.equal(ev.data.total_due_minor, 1058630);
    assert.equal(ev.data.new_due_date, '2025-10-10');
    assert.equal(ev.data.ocr, rem.ocr);
    assert.match(ev.message, /10\u00a0586,30\u00a0kr/);
  });

  test('the letter: a PDF whose text has the amounts apart, the rate and period, the OCR and å ä ö', async () => {
    const res = await getPdf(rem.letter_url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(Buffer.from(res.raw).subarray(0, 5).toString(), '%PDF-');
    /* all of it Windows-1252: the standard fonts, nothing embedded */
    assert.ok(res.raw.byteLength < 20000, `a letter of ${res.raw.byteLength} bytes`);
    const text = pdfText(res, 'letter.pdf');
    for (const s of [
      'BETALNINGSPÅMINNELSE',
      'Åkerö Bygg & Måleri AB',
      'Bankgiro 991-2346',
      'Örjan Ängström',
      'Västra Långgatan 5',
      '413 01 Göteborg',
      /* label and value on one line (the gap depends on the font's widths) */
      new RegExp(`Fakturanummer +${inv.number}\n`),
      /Förfallodag +2025-03-31\n/,
      '10 000,00 kr',
      'Påminnelseavgift',
      '60,00 kr',
      'Dröjsmålsränta',
      '526,30 kr',
      '11,00 % per år från 2025-04-01 till och med 2025-06-30 på 10 000,00 kr',
      '10,00 % per år från 2025-07-01 till och med 2025-09-30 på 10 000,00 kr',
      'Att betala',
      '10 586,30 kr',
      rem.ocr,
      '2025-10-10',
      'faktura@akero.se',
    ]) {
      assert.ok(s instanceof RegExp ? s.test(text) : text.includes(s), `the letter lacks "${s}":\n${text}`);
    }
  });

  test('the letter renders to an A4 page (pdftoppm) with ink where the envelope window is', async () => {
    const res = await getPdf(rem.letter_url);
    const file = path.join(fx.dir, 'render.pdf');
    writeFileSync(file, Buffer.from(res.raw));
    execFileSync('pdftoppm', ['-r', '50', '-png', '-singlefile', file, path.join(fx.dir, 'page')]);
    const png = readFileSync(path.join(fx.dir, 'page.png'));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    /* IHDR: A4 (595,3 × 841,9 pt) at 50 dpi, rounded up → 414 × 585 pixels */
    assert.equal(png.readUInt32BE(16), 414);
    assert.equal(png.readUInt32BE(20), 585);
    /* Grey map (PGM) to count dark pixels inside the window of a C5 envelope
     * (20..110 mm from the left, 45..90 mm from the top). */
    execFileSync('pdftoppm', ['-r', '50', '-gray', '-singlefile', file, path.join(fx.dir, 'page')]);
    const pgm = readFileSync(path.join(fx.dir, 'page.pgm'));
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString('latin1'));
    assert.ok(header, 'a binary PGM');
    const [w, h] = [Number(header[1]), Number(header[2])];
    const data = pgm.subarray(header[0].length);
    const px = (mm) => Math.round((mm / 25.4) * 50);
    let dark = 0;
    let outside = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const ink = data[y * w + x] < 128;
        if (!ink) continue;
        if (x >= px(20) && x < px(110) && y >= px(45) && y < px(90)) dark++;
        else if (y >= px(40) && y < px(95) && x < px(115)) outside++;
      }
    }
    assert.ok(dark > 200, `the address shows in the window (${dark} dark pixels)`);
    assert.equal(outside, 0, 'nothing else is printed beside the window');
  });

  test('the letter is stored: the same bytes each time', async () => {
    const a = await getPdf(rem.letter_url);
    const b = await getPdf(rem.letter_url);
    assert.ok(Buffer.from(a.raw).equals(Buffer.from(b.raw)));
    assert.equal(fx.count('reminders', `id = ${rem.id} and pdf is not null`), 1);
  });

  test('a second reminder: no new fee (once per invoice), the first fee still owed, interest to the day', async () => {
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, { date: '2025-09-30' });
    assertStatus(res, 201);
    assert.equal(res.body.fee_minor, 0);
    assert.equal(res.body.earlier_charges_minor, 6000);
    assert.equal(res.body.interest_minor, 52630);
    assert.equal(res.body.total_due_minor, 1058630);
    const got = await anna.get(`${C}/invoices/${inv.id}`);
    assert.equal(got.body.manual_reminders, 2);
  });

  test('a reminder dated earlier counts interest to its own date', async () => {
    const twin = await checkValueInvoice(private_.id);
    /* 2025-06-30: 91 days at 11 % on 10 000 = 274,25 kr */
    const res = await anna.post(`${C}/invoices/${twin.id}/reminders`, { date: '2025-06-30' });
    assertStatus(res, 201);
    assert.equal(res.body.interest_minor, 27425);
    /* Its own 2025-07-10 has passed: the letter gives 8 days from today. */
    assert.equal(res.body.new_due_date, '2025-10-08');
    assert.equal(res.body.new_due_date_moved, true);
  });
});

describe('who owes what', () => {
  test('a business customer: förseningsersättning 450 kr replaces the 60 kr fee', async () => {
    const inv = await checkValueInvoice(business.id);
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, {});
    assertStatus(res, 201);
    assert.equal(res.body.late_compensation_minor, 45000);
    assert.equal(res.body.fee_minor, 0);
    assert.equal(res.body.total_due_minor, 1000000 + 45000 + 52630);
    const again = await anna.post(`${C}/invoices/${inv.id}/reminders`, {});
    assert.equal(again.body.late_compensation_minor, 0, 'once per debt');
  });

  test('no fee without the company\'s fee agreement', async () => {
    assertStatus(await anna.patch(C, { reminder_fee_agreed: false }), 200);
    try {
      const inv = await checkValueInvoice(private_.id);
      const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, {});
      assert.equal(res.body.fee_minor, 0);
      assert.equal(res.body.total_due_minor, 1052630);
    } finally {
      assertStatus(await anna.patch(C, { reminder_fee_agreed: true }), 200);
    }
  });

  test('the fee agreement is the invoice\'s, made when it was issued (lag 1981:739, 2 §)', async () => {
    /* Issued while the company's terms had the 60 kr fee: it stays agreed. */
    const agreed = await checkValueInvoice(private_.id);
    assert.equal(agreed.reminder_fee_agreed_minor, 6000);
    assertStatus(await anna.patch(C, { reminder_fee_agreed: false }), 200);
    let notAgreed;
    try {
      notAgreed = await checkValueInvoice(private_.id);
      assert.equal(notAgreed.reminder_fee_agreed_minor, 0);
      const res = await anna.post(`${C}/invoices/${agreed.id}/reminders`, {});
      assertStatus(res, 201);
      assert.equal(res.body.fee_minor, 6000, 'agreed when issued: the later change of terms does not reach it');
    } finally {
      assertStatus(await anna.patch(C, { reminder_fee_agreed: true }), 200);
    }
    /* Issued without the fee: agreeing to it afterwards does not reach it. */
    const res = await anna.post(`${C}/invoices/${notAgreed.id}/reminders`, {});
    assertStatus(res, 201);
    assert.equal(res.body.fee_minor, 0, 'a fee agreed only after the debt arose is not charged');
    assert.equal((await anna.get(`${C}/invoices/${notAgreed.id}`)).body.reminder_fee_agreed_minor, 0);
  });

  test('the days to pay are the company\'s setting', async () => {
    assertStatus(await anna.patch(C, { reminder_due_days: 14 }), 200);
    try {
      const inv = await checkValueInvoice(private_.id);
      const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, {});
      assert.equal(res.body.new_due_date, '2025-10-14');
    } finally {
      assertStatus(await anna.patch(C, { reminder_due_days: 10 }), 200);
    }
    assertError(await anna.patch(C, { reminder_due_days: 0 }), 422, 'out_of_range', 'reminder_due_days');
  });

  test('an English-speaking customer gets the letter in English', async () => {
    const inv = await checkValueInvoice(english.id);
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, {});
    assertStatus(res, 201);
    const text = pdfText(await getPdf(res.body.letter_url), 'english.pdf');
    for (const s of ['PAYMENT REMINDER', 'Nordfjord Eiendom AS', '0154 Oslo', 'NO', 'Reminder fee', 'SEK 60.00',
      'Late-payment interest', 'SEK 526.30', '11.00% a year from 2025-04-01 to 2025-06-30', 'Total to pay',
      'SEK 10,586.30', res.body.ocr]) {
      assert.ok(text.includes(s), `the English letter lacks "${s}":\n${text}`);
    }
  });

  test('a name beyond Windows-1252 prints as written too, beside å ä ö', async () => {
    const polish = await createCustomer(anna, fx.companyId, {
      name: 'Łukasz Żółć',
      address_line_1: 'ulica Świętokrzyska 3',
      zip_code: '00-360',
      city: 'Warszawa',
      country: 'PL',
    });
    const inv = await checkValueInvoice(polish.id);
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, {});
    assertStatus(res, 201);
    const pdf = await getPdf(res.body.letter_url);
    const text = pdfText(pdf, 'polish.pdf');
    for (const s of ['BETALNINGSPÅMINNELSE', 'Åkerö Bygg & Måleri AB', 'Łukasz Żółć', 'ulica Świętokrzyska 3',
      'Påminnelseavgift', 'Dröjsmålsränta', '10 586,30 kr', res.body.ocr]) {
      assert.ok(text.includes(s), `the letter lacks "${s}":\n${text}`);
    }
  });
});

describe('refusals change nothing', () => {
  test('not overdue: 422 not_overdue naming the date', async () => {
    const inv = await createInvoice(anna, fx.companyId, private_.id, { invoice_date: '2025-09-20', due_date: '2025-10-20' });
    const before = reminderCount();
    assertError(await anna.post(`${C}/invoices/${inv.id}/reminders`, {}), 422, 'not_overdue', 'date');
    assert.equal(reminderCount(), before);
    const got = await anna.get(`${C}/invoices/${inv.id}`);
    assert.equal(got.body.manual_reminders, 0);
  });

  test('nothing left to pay: 422 nothing_left', async () => {
    const inv = await checkValueInvoice(private_.id);
    assertStatus(await anna.post(`${C}/invoices/${inv.id}/payments`, { date: '2025-09-01', amount_minor: 1000000 }), 201);
    const before = reminderCount();
    assertError(await anna.post(`${C}/invoices/${inv.id}/reminders`, {}), 422, 'nothing_left');
    assert.equal(reminderCount(), before);
  });

  test('handed over to Visma Amili: 409 handed_over (no double dunning)', async () => {
    const inv = await checkValueInvoice(private_.id);
    fx.exec(`update invoices set agency_state = 'registered' where id = ${inv.id}`);
    const before = reminderCount();
    assertError(await anna.post(`${C}/invoices/${inv.id}/reminders`, {}), 409, 'handed_over', 'invoice_id');
    assert.equal(reminderCount(), before);
  });

  test('a date after today, unknown keys and another company\'s invoice', async () => {
    const inv = await checkValueInvoice(private_.id);
    assertError(await anna.post(`${C}/invoices/${inv.id}/reminders`, { date: '2025-10-01' }), 422, 'out_of_range', 'date');
    assertError(await anna.post(`${C}/invoices/${inv.id}/reminders`, { fee_minor: 0 }), 422, 'unknown_field', 'fee_minor');
    assertError(await anna.post(`${C}/invoices/999999/reminders`, {}), 404);
    assertError(await anna.get(`${C}/invoices/${inv.id}/reminders/999/letter.pdf`), 404, 'reminder_not_found');
  });
});

describe('bulk reminders from the list', () => {
  test('each invoice its own result, the same rules as one at a time, and one merged PDF', async () => {
    const a = await checkValueInvoice(private_.id);
    const b = await checkValueInvoice(business.id);
    const notDue = await createInvoice(anna, fx.companyId, private_.id, { invoice_date: '2025-09-20', due_date: '2025-10-20' });
    const before = reminderCount();
    const res = await anna.post(`${C}/reminders`, { invoice_ids: [a.id, notDue.id, b.id, 999999, a.id] });
    assertStatus(res, 201);
    assert.equal(res.body.total, 5);
    assert.equal(res.body.created, 2);
    assert.equal(res.body.rejected, 3);
    const [ra, rnd, rb, rmissing, rdup] = res.body.results;
    assert.equal(ra.status, 'created');
    assert.equal(ra.reminder.fee_minor, 6000);
    assert.equal(ra.reminder.interest_minor, 52630);
    assert.equal(ra.reminder.total_due_minor, 1058630);
    assert.equal(rb.status, 'created');
    assert.equal(rb.reminder.late_compensation_minor, 45000);
    assert.equal(rb.reminder.total_due_minor, 1097630);
    assert.equal(rnd.status, 'rejected');
    assert.equal(rnd.errors[0].code, 'not_overdue');
    assert.equal(rmissing.status, 'rejected');
    assert.equal(rmissing.errors[0].code, 'not_found');
    assert.equal(rdup.status, 'rejected');
    assert.equal(reminderCount(), before + 2);

    const pdf = await getPdf(res.body.letters_url);
    assert.equal(pdf.status, 200);
    const file = path.join(fx.dir, 'batch.pdf');
    writeFileSync(file, Buffer.from(pdf.raw));
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    assert.match(info, /Pages:\s+2\n/);
    const text = pdfText(pdf, 'batch.pdf');
    assert.ok(text.includes('10 586,30 kr') && text.includes('10 976,30 kr'), text);
    assert.ok(text.includes('Örjan Ängström') && text.includes('Bygg & Fönster i Umeå AB'));

    /* A batch reminder's own letter prints from its stored snapshot. */
    const one = await getPdf(ra.reminder.letter_url);
    assert.equal(one.status, 200);
    assert.ok(pdfText(one, 'one.pdf').includes('10 586,30 kr'));
  });

  test('bad requests: no ids, too many, a non-id; nothing is written', async () => {
    const before = reminderCount();
    assertError(await anna.post(`${C}/reminders`, {}), 422, 'required', 'invoice_ids');
    assertError(await anna.post(`${C}/reminders`, { invoice_ids: [] }), 422, 'out_of_range', 'invoice_ids');
    assertError(await anna.post(`${C}/reminders`, { invoice_ids: Array.from({ length: 1001 }, (_, i) => i + 1) }), 422,
      'out_of_range', 'invoice_ids');
    assertError(await anna.post(`${C}/reminders`, { invoice_ids: [1, 'x'] }), 422, 'invalid_value', 'invoice_ids[1]');
    assert.equal(reminderCount(), before);
    assertError(await anna.get(`${C}/reminders/batches/999/letters.pdf`), 404, 'batch_not_found');
  });
});
