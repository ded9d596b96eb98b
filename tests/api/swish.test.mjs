/*
 * swish.test.mjs — the company's Swish number and the Swish payment QR
 * code on reminder letters, over real HTTP.
 *
 * The letter is rendered with pdftoppm (200 dpi) and its QR code read
 * with zbarimg (Debian's zbar-tools), as a phone would: the code must say
 * exactly Swish's C2B text (Swish QR-code API manual, 6.1):
 * C<number>;<the letter's total, two decimals, comma>;<OCR>;0.
 *
 * The server's clock is fixed at 2025-09-30: 10 000,00 kr due 2025-03-31
 * with the agreed 60 kr fee → 10 586,30 kr (reminders.test.mjs's check
 * value).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertError, assertStatus, co, createCustomer, createInvoice, line, startServer } from './lib/server.mjs';
import * as db from './lib/db.mjs';
import { ocrOf } from '../lib/bgmax.mjs';

let fx;
let anna;
let C;
let customer;
let english;

async function overdueInvoice(customerId) {
  return createInvoice(anna, fx.companyId, customerId, {
    invoice_date: '2025-03-01',
    due_date: '2025-03-31',
    lines: [line(800000)],
  });
}

async function getPdf(p) {
  const res = await fetch(fx.base + p, { headers: { Cookie: anna.cookie } });
  assert.equal(res.status, 200, p);
  return Buffer.from(await res.arrayBuffer());
}

/* The QR codes a phone finds on the letter's pages (zbarimg --raw). */
function qrCodes(pdf, name) {
  const file = path.join(fx.dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  const png = spawnSync('pdftoppm', ['-r', '200', '-png', file, path.join(fx.dir, name)], { encoding: 'utf8' });
  assert.equal(png.status, 0, png.stderr);
  const pages = spawnSync('sh', ['-c', `ls ${path.join(fx.dir, name)}-*.png`], { encoding: 'utf8' }).stdout.trim().split('\n');
  return pages.map((page) => {
    const run = spawnSync('zbarimg', ['--raw', '-q', page], { encoding: 'utf8' });
    /* 4: no symbol found */
    assert.ok(run.status === 0 || run.status === 4, run.stderr);
    return run.stdout.trim();
  });
}

function pdfText(pdf, name) {
  const file = path.join(fx.dir, `${name}-text.pdf`);
  writeFileSync(file, pdf);
  const run = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.replace(/\u00a0/g, ' ');
}

before(async () => {
  fx = await startServer({ now: '2025-09-30' });
  anna = await fx.login();
  C = co(fx.companyId);
  assertStatus(await anna.patch(C, {
    bankgiro: '991-2346',
    reminder_fee_agreed: true,
    reminder_fee_minor: 6000,
  }), 200);
  customer = await createCustomer(anna, fx.companyId, { name: 'Örjan Ängström', address_line_1: 'Västra Långgatan 5', zip_code: '413 01', city: 'Göteborg' });
  english = await createCustomer(anna, fx.companyId, { name: 'Nordfjord Eiendom AS', address_line_1: 'Karl Johans gate 12', zip_code: '0154', city: 'Oslo', country: 'NO', language: 'en' });
});
after(async () => {
  await fx?.stop();
});

describe('the Swish number setting', () => {
  test('empty by default; written as people write it, shown as Swish prints it', async () => {
    assert.equal((await anna.get(C)).body.swish_number, '');
    const res = await anna.patch(C, { swish_number: '123-4567890' });
    assertStatus(res, 200);
    assert.equal(res.body.swish_number, '123 456 78 90');
    assert.equal(fx.sql(`select swish_number from companies where id = ${fx.companyId}`), '1234567890');
  });

  test('a number that is not Swish för företag is refused naming swish_number, and nothing changes', async () => {
    for (const bad of ['0701234567', '123456789', '12345678901', '1244567890', '123 45x 78 90', 42]) {
      const res = await anna.patch(C, { swish_number: bad, name: 'Ändrat AB' });
      assertError(res, 422, 'invalid_value', 'swish_number');
    }
    const now = (await anna.get(C)).body;
    assert.equal(now.swish_number, '123 456 78 90');
    assert.notEqual(now.name, 'Ändrat AB');
  });
});

describe('the QR code on a reminder letter', () => {
  test('a phone reads the payment: the Swish number, the letter\'s total and the OCR, not editable', async () => {
    const inv = await overdueInvoice(customer.id);
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, {});
    assertStatus(res, 201);
    assert.equal(res.body.total_due_minor, 1058630);
    const pdf = await getPdf(res.body.letter_url);
    assert.deepEqual(qrCodes(pdf, 'one'), [`C1234567890;10586,30;${ocrOf(inv.number)};0`]);
    const text = pdfText(pdf, 'one');
    assert.ok(text.includes('Betala med Swish'), text);
    assert.ok(text.includes('Swishnummer 123 456 78 90'), text);
    assert.ok(text.includes(`Meddelande ${ocrOf(inv.number)}`), text);
    /* the bankgiro payment stays */
    assert.ok(text.includes('991-2346') && text.includes(ocrOf(inv.number)), text);
  });

  test('in English and in a batch: each page its own code, printed again from its snapshot alike', async () => {
    const a = await overdueInvoice(customer.id);
    const b = await overdueInvoice(english.id);
    const res = await anna.post(`${C}/reminders`, { invoice_ids: [a.id, b.id] });
    assertStatus(res, 201);
    const [ra, rb] = res.body.results.map((r) => r.reminder);
    const want = [
      `C1234567890;${(ra.total_due_minor / 100).toFixed(2).replace('.', ',')};${ocrOf(a.number)};0`,
      `C1234567890;${(rb.total_due_minor / 100).toFixed(2).replace('.', ',')};${ocrOf(b.number)};0`,
    ];
    assert.deepEqual(qrCodes(await getPdf(res.body.letters_url), 'batch'), want);
    const en = await getPdf(rb.letter_url);
    assert.ok(pdfText(en, 'en').includes('Pay with Swish'));

    /* The Swish number changes: a letter printed again still pays the
     * number it was made with. */
    assertStatus(await anna.patch(C, { swish_number: '1239876543' }), 200);
    assert.deepEqual(qrCodes(await getPdf(ra.letter_url), 'again'), [want[0]]);
  });

  test('after a long specification (interest over eight half-years) the code still reads, clear of the footer', async () => {
    const inv = await createInvoice(anna, fx.companyId, customer.id, {
      invoice_date: '2021-12-01', due_date: '2021-12-31', lines: [line(800000)],
    });
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, {});
    assertStatus(res, 201);
    assert.ok(res.body.interest.periods.length >= 7, JSON.stringify(res.body.interest.periods));
    const pdf = await getPdf(res.body.letter_url);
    assert.deepEqual(qrCodes(pdf, 'long'), [
      `C1239876543;${(res.body.total_due_minor / 100).toFixed(2).replace('.', ',')};${ocrOf(inv.number)};0`,
    ]);
    const text = pdfText(pdf, 'long');
    assert.ok(text.includes('Betala med Swish') && text.includes('Dröjsmålsränta enligt räntelagen'), text);
  });

  test('no Swish number, no QR code (the bankgiro payment alone)', async () => {
    assertStatus(await anna.patch(C, { swish_number: '' }), 200);
    assert.equal((await anna.get(C)).body.swish_number, '');
    const inv = await overdueInvoice(customer.id);
    const res = await anna.post(`${C}/invoices/${inv.id}/reminders`, {});
    assertStatus(res, 201);
    const pdf = await getPdf(res.body.letter_url);
    assert.deepEqual(qrCodes(pdf, 'none'), ['']);
    const text = pdfText(pdf, 'none');
    assert.ok(!text.includes('Swish'), text);
    assert.ok(text.includes('991-2346'));
  });

  test('a letter snapshot made before Swish numbers existed prints without a code', async () => {
    assertStatus(await anna.patch(C, { swish_number: '1234567890' }), 200);
    const a = await overdueInvoice(customer.id);
    const res = await anna.post(`${C}/reminders`, { invoice_ids: [a.id] });
    assertStatus(res, 201);
    const rem = res.body.results[0].reminder;
    /* the snapshot as older versions wrote it: no company_swish member */
    const snap = JSON.parse(fx.sql(`select letter from reminders where company_id = ${fx.companyId} and id = ${rem.id}`));
    delete snap.company_swish;
    const text = JSON.stringify(snap).replace(/'/g, "''");
    db.exec(fx.db, `update reminders set letter = '${text}' where company_id = ${fx.companyId} and id = ${rem.id}`);
    const pdf = await getPdf(rem.letter_url);
    assert.deepEqual(qrCodes(pdf, 'old'), ['']);
    assert.ok(pdfText(pdf, 'old').includes(ocrOf(a.number)));
  });
});
