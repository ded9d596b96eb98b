/*
 * ui.test.mjs — the everyday web UI in a real browser against the real
 * server with the demo company (no agency configured): login, the invoice
 * list (tabs with counts, search, sort, infinite scroll, badges, amounts),
 * the expanded row with history and a keyboard-driven Åtgärder menu,
 * payment, the forms (customer, invoice incl. ROT, settings), the
 * receivables overview, the company switcher, a session that expires with
 * a half-filled form, the English switch, logout, clear messages where the
 * server lacks a feature, and screenshots at 1280 px and phone width.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertNoPageErrors, co, DEMO_EMAIL, DEMO_PASSWORD, launchBrowser, login, newPage, ore, shot, startApp,
} from './lib/env.mjs';

let app;
let browser;
let api; /* an API client logged in as the demo user */
let cid;

before(async () => {
  app = await startApp({ setup: (fx) => fx.cli(['demo-data', '--password', DEMO_PASSWORD]) });
  api = await app.fx.login(DEMO_EMAIL, DEMO_PASSWORD);
  cid = api.session.companies[0].id;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test('login: a wrong password is refused with a message; the right one opens the invoice list', async () => {
  const page = await newPage(browser.ctx);
  await page.goto(`${app.base}/`);
  await page.getByRole('heading', { name: 'Logga in' }).waitFor();
  await page.getByLabel('E-postadress').fill(DEMO_EMAIL);
  await page.getByLabel('Lösenord').fill('fel-lösenord');
  await page.getByRole('button', { name: 'Logga in' }).click();
  const alert = page.locator('.login .error-box');
  await alert.waitFor();
  assert.match(await alert.innerText(), /Det gick inte:.+/);
  await shot(page, 'login-1280');
  await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Kundfakturor' }).waitFor();
  await page.locator('tr.inv-row').first().waitFor();
  assertNoPageErrors(page);
  await page.close();
});

test('invoice list: tab counts, overdue filter, search, sort, Swedish amounts, infinite scroll', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, DEMO_EMAIL, DEMO_PASSWORD);
  const counts = (await api.get(`${co(cid)}/invoices/counts`)).body;
  for (const [status, label] of [['all', 'Alla'], ['unpaid', 'Obetalda'], ['overdue', 'Förfallna'], ['agency', 'Hos Visma Amili'], ['paid', 'Betalda'], ['written_off', 'Kundförlust']]) {
    const tab = page.getByRole('tab', { name: new RegExp(`^${label}`) });
    await assert.doesNotReject(tab.waitFor());
    await page.waitForFunction(([s, n]) => document.querySelector(`[data-count="${s}"]`)?.textContent === `(${n})`, [status, counts[status]]);
  }
  /* 50 rows per page; scrolling to the end loads the next page (keyset paging). */
  await page.locator('tr.inv-row').nth(49).waitFor();
  assert.equal(await page.locator('tr.inv-row').count(), 50);
  await page.locator('tr.inv-row').last().scrollIntoViewIfNeeded();
  await page.mouse.wheel(0, 20000);
  await page.locator('tr.inv-row').nth(99).waitFor();

  await page.getByRole('tab', { name: /^Förfallna/ }).click();
  await page.waitForFunction(() => location.hash.includes('status=overdue'));
  await page.locator('tr.inv-row').first().waitFor();
  assert.equal(await page.getByRole('tab', { name: /^Förfallna/ }).getAttribute('aria-selected'), 'true');
  const badges = await page.locator('tr.inv-row td.status').allInnerTexts();
  assert.ok(badges.length > 0);
  for (const b of badges) assert.match(b, /Förfallen \d+ dag/);
  /* Amounts as 1 234,50 kr with no-break spaces, from integer öre. */
  const first = (await api.get(`${co(cid)}/invoices?status=overdue&limit=1`)).body.items[0];
  const cell = await page.locator('tr.inv-row').first().locator('td.remaining').innerText();
  assert.equal(ore(cell), first.remaining_minor);
  assert.match(cell, /^\d{1,3}(\u00a0\d{3})*,\d\d\u00a0kr$/);
  await shot(page, 'invoices-overdue-1280');

  /* Sort by number: aria-sort follows, and the first row is the smallest number. */
  await page.getByRole('button', { name: /^Nummer/ }).click();
  await page.waitForFunction(() => document.querySelector('th[aria-sort="ascending"] button[data-sort="number"]'));
  const sorted = (await api.get(`${co(cid)}/invoices?status=overdue&sort=number&limit=1`)).body.items[0];
  await page.waitForFunction((n) => document.querySelector('tr.inv-row')?.dataset.number === String(n), sorted.number);

  /* Search by customer name narrows the list. */
  const name = sorted.customer.name;
  await page.getByRole('searchbox', { name: 'Sök' }).fill(name);
  await page.waitForFunction((nm) => [...document.querySelectorAll('tr.inv-row td.customer')].length > 0
    && [...document.querySelectorAll('tr.inv-row td.customer')].every((td) => td.textContent === nm), name);
  assertNoPageErrors(page);
  await page.close();
});

test('expanded row: details, interest, history and the Åtgärder menu by keyboard; register a payment', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, DEMO_EMAIL, DEMO_PASSWORD);
  await page.goto(`${app.base}/#/invoices?status=overdue`);
  const row = page.locator('tr.inv-row').first();
  await row.waitFor();
  const id = Number(await row.getAttribute('data-id'));
  const inv = (await api.get(`${co(cid)}/invoices/${id}`)).body;
  await row.locator('td.customer').click();
  const detail = page.locator(`#detail-${id} .detail`);
  await detail.waitFor();
  const text = await detail.innerText();
  assert.match(text, /Kvar att betala/);
  assert.match(text, /Dröjsmålsränta t\.o\.m\. 2026-03-02/);
  assert.ok(text.includes(`Dröjsmålsränta`) && text.replace(/\s/g, '').includes(`${Math.trunc(inv.interest_minor / 100)}`.replace(/\B(?=(\d{3})+(?!\d))/g, '')));
  assert.match(text, /Historik/);
  assert.ok(await detail.locator('ol.timeline li[data-kind="created"]').count() === 1);
  await shot(page, 'invoice-expanded-1280');

  /* Keyboard: focus the menu button, ArrowDown opens it on the first item. */
  const menuBtn = detail.getByRole('button', { name: /Åtgärder/ });
  await menuBtn.focus();
  await page.keyboard.press('ArrowDown');
  const menu = detail.getByRole('menu');
  await menu.waitFor();
  const items = await menu.getByRole('menuitem').allInnerTexts();
  assert.deepEqual(items, ['Aktivera påminnelsehantering', 'Skapa manuell påminnelse (PDF)', 'Stoppa påminnelser', 'Registrera betalning', 'Registrera kundförlust', 'Kreditera']);
  await shot(page, 'actions-menu-1280');
  await page.keyboard.press('Escape');
  assert.equal(await menu.isHidden(), true);
  assert.equal(await menuBtn.evaluate((b) => b === document.activeElement), true);
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter'); /* "Registrera betalning" (then kundförlust, Kreditera) */

  const dialog = page.getByRole('dialog', { name: /Registrera betalning/ });
  await dialog.waitFor();
  await dialog.getByLabel('Betalningsdatum').fill('2026-03-02');
  await dialog.getByLabel(/Belopp/).fill('100,50');
  await dialog.getByLabel(/Referens/).fill('Delbetalning');
  await dialog.getByRole('button', { name: 'Registrera betalning' }).click();
  await dialog.getByText(/Betalningen på 100,50\u00a0kr är registrerad/).waitFor();
  await dialog.getByRole('button', { name: 'Stäng' }).first().click();
  await detail.locator('ol.timeline li[data-kind="payment"]').waitFor();
  const after1 = (await api.get(`${co(cid)}/invoices/${id}`)).body;
  assert.equal(after1.remaining_minor, inv.remaining_minor - 10050);
  await page.waitForFunction(([i, txt]) => document.querySelector(`tr.inv-row[data-id="${i}"] td.remaining`)?.textContent === txt,
    [id, (await page.evaluate(async (m) => (await import('/js/format.js')).money(m), after1.remaining_minor))]);

  /* An amount above the remaining one: the API's message is shown, naming the field. */
  await menuBtn.click();
  await menu.getByRole('menuitem', { name: 'Registrera betalning' }).click();
  await dialog.waitFor();
  await dialog.getByLabel('Betalningsdatum').fill('2026-03-02');
  await dialog.getByLabel(/Belopp/).fill('99999999');
  await dialog.getByRole('button', { name: 'Registrera betalning' }).click();
  const err = dialog.locator('.error-box');
  await err.waitFor();
  assert.match(await err.innerText(), /Det gick inte:/);
  assert.equal(await dialog.getByLabel(/Belopp/).getAttribute('aria-invalid'), 'true');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assertNoPageErrors(page);
  await page.close();
});

test('manual reminder from the Åtgärder menu: fee, interest, new due date, the PDF letter; the badge follows', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, DEMO_EMAIL, DEMO_PASSWORD);
  await page.goto(`${app.base}/#/invoices?status=overdue&sort=-number`);
  const row = page.locator('tr.inv-row').first();
  await row.waitFor();
  const id = Number(await row.getAttribute('data-id'));
  await row.locator('button.expand').click();
  const detail = page.locator(`#detail-${id} .detail`);
  await detail.getByRole('button', { name: /Åtgärder/ }).click();
  await detail.getByRole('menuitem', { name: 'Skapa manuell påminnelse (PDF)' }).click();
  const dlg = page.getByRole('dialog', { name: /Skapa manuell påminnelse/ });
  await dlg.waitFor();
  assert.equal(await dlg.getByLabel('Påminnelsedatum').inputValue(), '2026-03-02');
  await dlg.getByRole('button', { name: 'Skapa påminnelse' }).click();
  await dlg.getByText('Påminnelsen är skapad.').waitFor();
  const text = await dlg.innerText();
  assert.match(text, /Påminnelseavgift\s+\d[\d\u00a0]*,\d\d\u00a0kr/);
  assert.match(text, /Dröjsmålsränta\s+\d[\d\u00a0]*,\d\d\u00a0kr/);
  assert.match(text, /Att betala\s+\d[\d\u00a0]*,\d\d\u00a0kr/);
  assert.match(text, /Nytt förfallodatum\s+\d{4}-\d{2}-\d{2}/);
  const href = await dlg.getByRole('link', { name: 'Ladda ner påminnelsebrevet (PDF)' }).getAttribute('href');
  const pdf = await page.evaluate(async (u) => {
    const r = await fetch(u);
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('content-type'), magic: String.fromCharCode(...b.slice(0, 5)) };
  }, href);
  assert.equal(pdf.status, 200);
  assert.equal(pdf.magic, '%PDF-');
  await dlg.getByRole('button', { name: 'Stäng' }).first().click();
  await detail.locator('ol.timeline li[data-kind="reminder"]').waitFor();
  await page.waitForFunction((i) => /Påminnelse skapad/.test(document.querySelector(`tr.inv-row[data-id="${i}"] td.status`)?.textContent ?? ''), id);
  assertNoPageErrors(page);
  await page.close();
});

test('Amili and bookkeeping routes the server lacks: clear messages, nothing breaks', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, DEMO_EMAIL, DEMO_PASSWORD);
  await page.goto(`${app.base}/#/start`);
  const alert = page.locator('main .error-box');
  await alert.waitFor();
  const msg = await alert.innerText();
  assert.match(msg, /Det gick inte:/);
  assert.ok(msg.length > 30, msg);
  /* Bulk send with Visma Amili: the same clear message, nothing sent. */
  await page.goto(`${app.base}/#/invoices?status=overdue`);
  await page.locator('tr.inv-row input.row-check').first().check();
  await page.getByRole('button', { name: 'Skicka', exact: true }).click();
  const err = page.locator('main > .error-box');
  await err.waitFor();
  assert.match(await err.innerText(), /Det gick inte:/);
  assertNoPageErrors(page);
  await page.close();
});

test('forms: new foreign customer, edit it, new ROT invoice with a buyer, company settings', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, DEMO_EMAIL, DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Kunder' }).click();
  await page.getByRole('link', { name: 'Ny kund' }).click();
  await page.getByLabel('Namn', { exact: true }).fill('Fjellheim Bygg AS');
  /* A private customer: ROT is a private person's deduction (a company is refused). */
  assert.equal(await page.getByLabel('Kunden är ett företag').isChecked(), false);
  await page.getByLabel('Adress', { exact: true }).fill('Karl Johans gate 1');
  await page.getByLabel('Postnummer').fill('0154');
  await page.getByLabel('Ort').fill('Oslo');
  await page.getByLabel('Land').selectOption('NO');
  await page.getByLabel('E-post').fill('not-an-email');
  await page.getByRole('button', { name: 'Spara' }).click();
  /* The API's refusal names the field; it is marked and focused. */
  await page.locator('main .error-box').waitFor();
  assert.equal(await page.getByLabel('E-post').getAttribute('aria-invalid'), 'true');
  await page.getByLabel('E-post').fill('faktura@fjellheim.example.no');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByRole('heading', { level: 1, name: /Kundkort – Fjellheim Bygg AS/ }).waitFor();
  await shot(page, 'customer-card-1280');
  const customers = (await api.get(`${co(cid)}/customers?q=Fjellheim`)).body.items;
  assert.equal(customers.length, 1);
  assert.equal(customers[0].country, 'NO');

  await page.goto(`${app.base}/#/invoices/new`);
  await page.getByLabel('Sök kund').fill('Fjellheim');
  await page.waitForFunction(() => [...document.querySelectorAll('#customer_id option')].some((o) => o.textContent.startsWith('Fjellheim')));
  await page.getByLabel('Kund', { exact: true }).selectOption(String(customers[0].id));
  await page.getByLabel('Fakturatyp').selectOption('rot');
  await page.getByLabel('Fakturadatum').fill('2026-01-10');
  await page.getByLabel('Förfallodatum').fill('2026-02-09');
  await page.getByLabel('Beskrivning 1').fill('Takläggning, arbete');
  await page.getByLabel('Antal 1').fill('10');
  await page.getByLabel('à-pris (kr) 1').fill('800');
  await page.getByLabel('Arbetskostnad 1').check();
  await page.getByRole('button', { name: 'Lägg till rad' }).click();
  await page.getByLabel('Beskrivning 2').fill('Material');
  await page.getByLabel('Antal 2').fill('1');
  await page.getByLabel('à-pris (kr) 2').fill('2 000,00');
  const buyer = page.locator('fieldset.buyer').first();
  await buyer.getByLabel('Namn').fill('Ola Nordmann');
  await buyer.getByLabel('Personnummer').fill('19800101-0019');
  await shot(page, 'invoice-new-1280', { fullPage: true });
  await page.getByRole('button', { name: 'Skapa faktura' }).click();
  await page.getByRole('heading', { level: 1, name: /Faktura \d+ · Fjellheim Bygg AS/ }).waitFor();
  const created = (await api.get(`${co(cid)}/invoices?q=Fjellheim`)).body.items[0];
  assert.equal(created.kind, 'rot');
  assert.equal(created.total_minor, 1000000 + 250000);
  assert.match(await page.locator('main').innerText(), /Skatteverkets del/);
  assert.match(await page.locator('main').innerText(), /Ola Nordmann/);

  await page.getByRole('link', { name: 'Inställningar' }).click();
  await page.getByLabel('Betalningsvillkor (dagar)').fill('20');
  await page.getByLabel(/Påminnelseavgift \(kr/).fill('60');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByText('Inställningarna är sparade.').waitFor();
  const company = (await api.get(co(cid))).body;
  assert.equal(company.payment_terms_days, 20);
  assert.equal(company.reminder_fee_minor, 6000);
  await shot(page, 'settings-1280', { fullPage: true });
  assertNoPageErrors(page);
  await page.close();
});

test('receivables overview: SVG chart with a link per bucket, totals, link to the filtered list', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, DEMO_EMAIL, DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Kundreskontra' }).click();
  const svg = page.locator('svg.aging-chart');
  await svg.waitFor();
  assert.equal(await svg.locator('a').count(), 5);
  const rows = page.locator('table.aging tbody tr');
  assert.equal(await rows.count(), 5);
  /* The table's total equals the sum of what the API says is unpaid. */
  let sum = 0n;
  let n = 0;
  let cursor = null;
  do {
    const q = `status=unpaid&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page1 = (await api.get(`${co(cid)}/invoices?${q}`)).body;
    for (const it of page1.items) if (it.currency === 'SEK') { sum += BigInt(it.remaining_minor); n += 1; }
    cursor = page1.next_cursor;
  } while (cursor);
  const total = await page.locator('table.aging tfoot td').last().innerText();
  assert.equal(BigInt(ore(total)), sum);
  await shot(page, 'overview-1280', { fullPage: true });
  await page.locator('table.aging tbody tr[data-bucket="90+"] a').click();
  await page.waitForFunction(() => location.hash.includes('bucket=90%2B') || location.hash.includes('bucket=90+'));
  await page.locator('tr.inv-row').first().waitFor();
  const days = await page.locator('tr.inv-row td.opt2').allInnerTexts();
  for (const d of days) assert.ok(Number(d) > 90, `row with ${d} days in the >90 bucket`);
  assertNoPageErrors(page);
  await page.close();
});

test('session expiry: the half-filled form survives a new login', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, DEMO_EMAIL, DEMO_PASSWORD);
  await page.goto(`${app.base}/#/customers/new`);
  await page.getByLabel('Namn', { exact: true }).fill('Halvfärdig Kund');
  await page.getByLabel('Adress', { exact: true }).fill('Långgatan 5');
  await page.getByLabel('Ort').fill('Borås');
  /* The session ends on the server (as after an expiry). */
  await page.evaluate(async () => {
    const s = await (await fetch('/api/v1/session')).json();
    await fetch('/api/v1/session', { method: 'DELETE', headers: { 'X-CSRF-Token': s.csrf_token } });
  });
  await page.getByRole('button', { name: 'Spara' }).click();
  const dlg = page.getByRole('dialog', { name: 'Logga in igen' });
  await dlg.waitFor();
  assert.match(await dlg.innerText(), /Din session har gått ut/);
  const stored = await page.evaluate(() => sessionStorage.getItem('paminn.drafts'));
  assert.match(stored, /Halvfärdig Kund/);
  await dlg.getByLabel('E-postadress').fill(DEMO_EMAIL);
  await dlg.getByLabel('Lösenord').fill(DEMO_PASSWORD);
  await dlg.getByRole('button', { name: 'Logga in' }).click();
  await dlg.waitFor({ state: 'detached' });
  assert.equal(await page.getByLabel('Namn', { exact: true }).inputValue(), 'Halvfärdig Kund');
  assert.equal(await page.getByLabel('Ort').inputValue(), 'Borås');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByRole('heading', { level: 1, name: /Kundkort – Halvfärdig Kund/ }).waitFor();

  /* A reload while logged out: the login page, then the form comes back filled. */
  await page.goto(`${app.base}/#/customers/new`);
  await page.getByLabel('Namn', { exact: true }).fill('Efter omladdning');
  await page.evaluate(async () => {
    const s = await (await fetch('/api/v1/session')).json();
    await fetch('/api/v1/session', { method: 'DELETE', headers: { 'X-CSRF-Token': s.csrf_token } });
  });
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByRole('dialog', { name: 'Logga in igen' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Logga in' }).waitFor();
  await page.getByLabel('E-postadress').fill(DEMO_EMAIL);
  await page.getByLabel('Lösenord').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Ny kund' }).waitFor();
  assert.equal(await page.getByLabel('Namn', { exact: true }).inputValue(), 'Efter omladdning');
  await page.getByText(/har återställts/).waitFor();
  assertNoPageErrors(page);
  await page.close();
});

test('phone width: the list, the expanded row and a dialog fit and work', async () => {
  const page = await newPage(browser.ctx);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, app.base, DEMO_EMAIL, DEMO_PASSWORD);
  await page.getByRole('tab', { name: /^Förfallna/ }).click();
  await page.locator('tr.inv-row').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at phone width`);
  await shot(page, 'invoices-phone');
  await page.locator('tr.inv-row').first().locator('button.expand').click();
  await page.locator('.detail').first().waitFor();
  await shot(page, 'invoice-expanded-phone');
  await page.getByRole('button', { name: /Åtgärder/ }).first().click();
  await page.getByRole('menuitem', { name: 'Registrera kundförlust' }).click();
  await page.getByRole('dialog', { name: /Registrera kundförlust/ }).waitFor();
  await shot(page, 'customer-loss-phone');
  await page.keyboard.press('Escape');
  await page.goto(`${app.base}/#/overview`);
  await page.locator('svg.aging-chart').waitFor();
  await shot(page, 'overview-phone', { fullPage: true });
  assertNoPageErrors(page);
  await page.close();
});

test('company switcher, English switch and logout', async () => {
  /* The demo user creates a second company and so belongs to two. */
  const res = await api.post('/api/v1/companies', { name: 'Andra Bolaget AB', organization_no: '556036-0793' });
  assert.equal(res.status, 201, res.text);
  const page = await newPage(browser.ctx);
  await login(page, app.base, DEMO_EMAIL, DEMO_PASSWORD);
  const sw = page.getByLabel('Företag');
  await sw.waitFor();
  assert.equal(await sw.locator('option').count(), 2);
  await sw.selectOption({ label: 'Andra Bolaget AB' });
  await page.waitForFunction(() => document.querySelector('[data-count="all"]')?.textContent === '(0)');
  await page.getByText('Inga fakturor matchar.').waitFor();
  await sw.selectOption({ label: 'Snickarglädje i Västerås AB' });
  await page.locator('tr.inv-row').first().waitFor();

  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Customer invoices' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.getByRole('tab', { name: /^Overdue/ }).click();
  await page.locator('tr.inv-row').first().waitFor();
  await page.locator('tr.inv-row').first().locator('button.expand').click();
  await page.getByRole('button', { name: /Actions/ }).first().click();
  const items = await page.getByRole('menu').first().getByRole('menuitem').allInnerTexts();
  assert.ok(items.includes('Activate reminder handling') && items.includes('Register customer loss'), items.join());
  await page.keyboard.press('Escape');
  await shot(page, 'invoices-english-1280');
  /* Error messages from the API come in English too. */
  await page.goto(`${app.base}/#/customers/new`);
  await page.getByLabel('Name', { exact: true }).fill('X');
  await page.getByLabel('E-mail').fill('bad');
  await page.getByRole('button', { name: 'Save' }).click();
  const err = page.locator('main .error-box');
  await err.waitFor();
  assert.match(await err.innerText(), /That did not work:/);
  await page.getByRole('button', { name: 'Svenska' }).click();
  await page.getByRole('heading', { level: 1, name: 'Ny kund' }).waitFor();

  await page.getByRole('button', { name: 'Logga ut' }).click();
  await page.getByRole('heading', { name: 'Logga in' }).waitFor();
  const s = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  assert.equal(s, 401);
  assertNoPageErrors(page);
  await page.close();
});
