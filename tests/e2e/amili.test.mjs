/*
 * amili.test.mjs — reminders via Visma Amili in a real browser, against the
 * real `paminn serve` wired to a real amili-sandbox (tests/amili/lib's
 * Stack: fresh databases, registered partner).  The guided activation from
 * the start view (incl. what to fix in the company settings), the bulk send
 * with one rejection that names the field, fixing the customer card from
 * the result's link and re-sending, the history entries and the Amili
 * action gone, and the customer-loss dialog on a handed-over invoice.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Stack, OWNER, waitFor } from '../amili/lib/stack.mjs';
import { assertNoPageErrors, kr, launchBrowser, login, newPage, shot } from './lib/env.mjs';

const NOW = '2025-06-16';
let stack;
let browser;
const inv = {}; /* name → invoice */
let incomplete; /* the customer without address */

before(async () => {
  stack = await new Stack({ now: NOW }).init();
  /* The company lacks its bankgiro: the activation has to say so. */
  const p = await stack.client.patch(stack.api, { bankgiro: '' });
  assert.equal(p.status, 200, p.text);
  const a = await stack.customer({ name: 'Anna Andersson' });
  const b = await stack.customer({ name: 'Bertil Berg', id_number: '19700101-0003', email: 'bertil@example.se' });
  const c = await stack.customer({ name: 'Cecilia Carlsson', id_number: '19650412-5482', email: 'cecilia@example.se' });
  incomplete = await stack.customer({ name: 'Dan Utanadress', id_number: '19900315-2395', email: 'dan@example.se', address_line_1: '', zip_code: '' });
  inv.a = await stack.invoice(a.id);
  inv.b = await stack.invoice(b.id, { lines: [{ description: 'Fönster', quantity_milli: 2000, unit_price_minor: 45050, vat_rate_bp: 2500, labour: false }] });
  inv.c = await stack.invoice(c.id, { due_date: '2025-05-20' });
  inv.d = await stack.invoice(incomplete.id, { due_date: '2025-05-10' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('activation from the start view: what it does, terms with version, accept, what to fix, result', async () => {
  const page = await newPage(browser.ctx, NOW);
  await login(page, stack.base, OWNER.email, OWNER.password);
  /* The invoice list points to the guided start while not activated. */
  await page.getByRole('link', { name: 'Aktivera påminnelsehantering' }).click();
  await page.getByRole('heading', { level: 1, name: 'Påminnelser' }).waitFor();
  await page.getByRole('heading', { name: 'Så fungerar Visma Amili' }).waitFor();
  const show = (await stack.client.get(`${stack.api}/amili`)).body;
  const version = show.terms.version;
  await page.getByRole('heading', { name: `Villkor (version ${version})` }).waitFor();
  const terms = page.getByRole('region', { name: `Villkor för Visma Amili, version ${version}` });
  assert.ok((await terms.innerText()).length > 50, 'the terms text is shown');
  await shot(page, 'activation-start-1280', { fullPage: true });

  /* No accept, no activation. */
  await page.getByRole('button', { name: 'Aktivera påminnelsehantering' }).click();
  await page.getByText('Du behöver godkänna villkoren för att aktivera tjänsten.').waitFor();
  assert.equal((await stack.client.get(`${stack.api}/amili`)).body.activated, false);

  /* Accept: the company lacks its bankgiro; the result says so and links to the settings. */
  await page.getByLabel(`Jag har läst och godkänner villkoren för Visma Amili (version ${version})`).check();
  await page.getByRole('button', { name: 'Aktivera påminnelsehantering' }).click();
  const missing = page.locator('.missing-box').last();
  await missing.waitFor();
  assert.match(await missing.innerText(), /Bankgiro/);
  await shot(page, 'activation-incomplete-1280', { fullPage: true });
  await missing.getByRole('link', { name: 'Rätta i inställningarna' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Företagsinställningar' }).waitFor();
  const bg = page.getByLabel('Bankgiro');
  await page.waitForFunction(() => document.activeElement?.name === 'bankgiro');
  await bg.fill('5050-1055');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByRole('heading', { level: 1, name: 'Påminnelser' }).waitFor();

  await page.getByLabel(/Jag har läst och godkänner villkoren/).check();
  await page.getByRole('button', { name: 'Aktivera påminnelsehantering' }).click();
  await page.getByRole('heading', { name: 'Klart – påminnelsehanteringen är aktiverad' }).waitFor();
  const text = await page.locator('main').innerText();
  assert.ok(text.includes(OWNER.email), 'who accepted is shown');
  assert.ok(text.includes(version), 'the accepted terms version is shown');
  await shot(page, 'activation-done-1280', { fullPage: true });
  const now = (await stack.client.get(`${stack.api}/amili`)).body;
  assert.equal(now.activated, true);
  assert.equal(now.accepted_by, OWNER.email);
  assertNoPageErrors(page);
  await page.close();
});

test('bulk send via Visma Amili: one rejection naming the field, fix the customer from the link, re-send, history, action gone', async () => {
  const page = await newPage(browser.ctx, NOW);
  await login(page, stack.base, OWNER.email, OWNER.password);
  await page.getByRole('tab', { name: /^Förfallna/ }).click();
  await page.locator('tr.inv-row').first().waitFor();
  for (const k of ['a', 'b', 'c', 'd']) {
    await page.locator(`tr.inv-row[data-id="${inv[k].id}"] input.row-check`).check();
  }
  await page.getByLabel('Utskrift/skicka-metod').selectOption({ label: 'Visma Amili' });
  await page.getByRole('button', { name: 'Skicka', exact: true }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Skicka' });
  await confirm.waitFor();
  const total = inv.a.remaining_minor + inv.b.remaining_minor + inv.c.remaining_minor + inv.d.remaining_minor;
  assert.equal(await confirm.locator('p').first().innerText(), `Skicka 4 fakturor till Visma Amili? Totalt kvar att betala: ${kr(total)}.`);
  await shot(page, 'send-confirm-1280');
  await confirm.getByRole('button', { name: 'Skicka' }).click();

  const results = page.locator('#send-results');
  await results.getByRole('progressbar').waitFor();
  await page.waitForFunction(() => document.querySelector('#send-results .progress-label')?.textContent === 'Klart', null, { timeout: 60000 });
  await results.getByText('3 skickade, 1 inte skickad').waitFor();
  const rejected = results.locator(`li.res[data-invoice-id="${inv.d.id}"]`);
  assert.equal(await rejected.getAttribute('data-status'), 'rejected');
  const why = await rejected.innerText();
  assert.match(why, /Inte skickad/);
  assert.match(why, /Postnummer|Adress/, `the field is named: ${why}`);
  /* "Klart" once nothing is queued: each of the three is registered. */
  for (const k of ['a', 'b', 'c']) {
    const li = results.locator(`li.res[data-invoice-id="${inv[k].id}"]`);
    assert.equal(await li.getAttribute('data-status'), 'registered');
    assert.match(await li.innerText(), /Skickad/);
  }
  await shot(page, 'send-results-1280', { fullPage: true });

  /* The link opens the customer card with the field focused; fix and save leads back. */
  await rejected.getByRole('link', { name: /Öppna kundkortet/ }).first().click();
  await page.getByRole('heading', { level: 1, name: /Kundkort – Dan Utanadress/ }).waitFor();
  const focused = await page.evaluate(() => document.activeElement?.name);
  /* The first reason the server gives is the address (then the postal code). */
  assert.equal(focused, 'address_line_1');
  await shot(page, 'customer-fix-1280', { fullPage: true });
  await page.getByLabel('Adress', { exact: true }).fill('Kungsgatan 7');
  await page.getByLabel('Postnummer').fill('722 11');
  await page.getByLabel('Ort').fill('Västerås');
  await page.getByRole('button', { name: 'Spara' }).click();
  await page.getByRole('heading', { level: 1, name: 'Kundfakturor' }).waitFor();
  /* The not-sent invoice is still ticked: send again. */
  await page.getByText('1 faktura markerad').waitFor();
  await page.getByRole('button', { name: 'Skicka', exact: true }).click();
  await page.getByRole('alertdialog', { name: 'Skicka' }).getByRole('button', { name: 'Skicka' }).click();
  await page.waitForFunction(() => document.querySelector('#send-results .progress-label')?.textContent === 'Klart'
    && document.querySelector('#send-results .summary')?.textContent.startsWith('1 skickad, 0 inte skickade'), null, { timeout: 60000 });

  /* Every hand-over reaches the agency; the history shows it; the action is gone. */
  await waitFor(async () => {
    const r = await stack.client.get(`${stack.api}/invoices/${inv.d.id}`);
    return r.body.amili?.state === 'registered';
  }, 30000, 'invoice d registered at the agency');
  await page.getByRole('tab', { name: /^Hos Visma Amili/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('tr.inv-row').length === 4);
  const row = page.locator(`tr.inv-row[data-id="${inv.d.id}"]`);
  assert.match(await row.locator('td.status').innerText(), /Visma Amili/);
  await row.locator('button.expand').click();
  const detail = page.locator(`#detail-${inv.d.id} .detail`);
  await detail.locator('ol.timeline li[data-kind="amili_queued"]').waitFor();
  await detail.locator('ol.timeline li[data-kind="amili_registered"]').waitFor();
  assert.ok(await detail.locator('ol.timeline li[data-kind="amili_failed"]').count() === 0);
  await detail.getByRole('button', { name: /Åtgärder/ }).click();
  const items = await detail.getByRole('menu').getByRole('menuitem').allInnerTexts();
  assert.ok(!items.includes('Skicka påminnelse via Visma Amili'), `Amili action still offered: ${items}`);
  assert.ok(!items.includes('Skapa manuell påminnelse (PDF)'), `manual reminder offered on a handed-over invoice: ${items}`);
  assert.ok(items.includes('Registrera kundförlust'));
  await page.keyboard.press('Escape');
  await shot(page, 'invoice-with-amili-1280', { fullPage: true });
  /* And on the invoice page. */
  await page.goto(`${stack.base}/#/invoices/${inv.a.number}`);
  await page.getByRole('button', { name: /Åtgärder/ }).click();
  const pageItems = await page.getByRole('menu').getByRole('menuitem').allInnerTexts();
  assert.ok(!pageItems.includes('Skicka påminnelse via Visma Amili'), pageItems.join());
  assertNoPageErrors(page);
  await page.close();
});

test('customer loss on a handed-over invoice: both choices explained before confirming', async () => {
  await waitFor(async () => (await stack.client.get(`${stack.api}/invoices/${inv.b.id}`)).body.amili?.state === 'registered', 30000, 'b registered');
  const page = await newPage(browser.ctx, NOW);
  await login(page, stack.base, OWNER.email, OWNER.password);
  await page.goto(`${stack.base}/#/invoices/${inv.b.number}`);
  await page.getByRole('button', { name: /Åtgärder/ }).click();
  await page.getByRole('menuitem', { name: 'Registrera kundförlust' }).click();
  const dlg = page.getByRole('dialog', { name: /Registrera kundförlust/ });
  await dlg.waitFor();
  const text = await dlg.innerText();
  assert.match(text, /Behåll ärendet hos Visma Amili/);
  assert.match(text, /Återkalla ärendet hos Visma Amili/);
  assert.match(text, /återvunnen kundförlust/);
  assert.match(text, /6352|6351/);
  await shot(page, 'customer-loss-dialog-1280');
  /* No choice, no registration. */
  await dlg.getByRole('button', { name: 'Registrera kundförlust' }).click();
  await dlg.getByText('Välj om ärendet hos Visma Amili ska behållas eller återkallas.').waitFor();
  await dlg.getByLabel('Behåll ärendet hos Visma Amili').check();
  await dlg.getByRole('button', { name: 'Registrera kundförlust' }).click();
  /* The books take it; the case stays open at the agency; the history has it. */
  await dlg.getByText(`Kundförlusten på faktura ${inv.b.number} är registrerad.`).waitFor();
  await dlg.getByText('Ärendet hos Visma Amili fortsätter.').waitFor();
  const events = (await stack.client.get(`${stack.api}/invoices/${inv.b.id}/history`)).body.items;
  assert.ok(events.some((e) => e.kind === 'customer_loss'), `no customer_loss event: ${events.map((e) => e.kind)}`);
  await dlg.getByRole('button', { name: 'Stäng' }).first().click();
  await page.locator('ol.timeline li[data-kind="customer_loss"]').waitFor();
  assertNoPageErrors(page);
  await page.close();
});
