/*
 * bookkeeper-amili.test.mjs — the bookkeeper's walk-through with Visma
 * Amili (the real amili-sandbox), in Swedish at 1366 px and in English at
 * 390 px: the not-activated banner goes as soon as the company is
 * activated, nothing offered that would fail (a EUR invoice, a handed-over
 * invoice ticked again), the ticked invoices kept across searches, the
 * history of a hand-over read in the UI's language with the case's current
 * state, a business customer's reminder showing its late-payment
 * compensation as a line; each view checked with axe-core.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoPageErrors, shot } from './lib/env.mjs';
import { assertAccessible } from './lib/axe.mjs';
import { noSideScroll, openAs, useBrowser, VIEWS, W } from './lib/bookkeeper.mjs';
import { OWNER, Stack, waitFor } from '../amili/lib/stack.mjs';

const NOW = '2025-06-16';
const shared = useBrowser();

VIEWS.forEach((v) => {
  const w = W[v.lang];

  test(`fresh screens and nothing offered that would fail: the banner goes on activation, no Visma Amili for EUR, no ticking a handed-over invoice, the selection kept across searches (${v.tag})`, async () => {
    const stack = await new Stack({ now: NOW }).init();
    try {
      const cust = await stack.customer({ name: 'Erik Ek' });
      const other = await stack.customer({ name: 'Olle Olsson', email: 'olle@example.se' });
      const a = await stack.invoice(cust.id);
      const b = await stack.invoice(cust.id, { lines: [{ description: 'Dörr', quantity_milli: 1000, unit_price_minor: 120000, vat_rate_bp: 2500, labour: false }] });
      const c = await stack.invoice(other.id);
      const eur = await stack.invoice(cust.id, { currency: 'EUR' });
      const page = await openAs(shared.browser.ctx, v, { base: stack.base, email: OWNER.email, password: OWNER.password, now: NOW });
      await page.getByText(w.banner).waitFor();
      await assertAccessible(page, 'the invoice list before activation');

      /* Activation from an invoice's menu: the banner above the list goes at once. */
      const row = page.locator(`tr.inv-row[data-id="${a.id}"]`);
      await row.locator('button.expand').click();
      const detail = page.locator(`#detail-${a.id} .detail`);
      await detail.getByRole('button', { name: w.actions }).click();
      await detail.getByRole('menuitem', { name: w.activate }).click();
      const dlg = page.getByRole('dialog', { name: w.activate });
      await dlg.getByLabel(w.accept).check();
      await dlg.getByRole('button', { name: w.activate }).click();
      await dlg.getByRole('heading', { name: w.activated }).waitFor();
      await dlg.getByRole('button', { name: w.close }).first().click();
      await dlg.waitFor({ state: 'detached' });
      await page.getByText(w.banner).waitFor({ state: 'detached' });
      assert.equal(await page.locator('#banner-activate').count(), 0);

      /* A EUR invoice: no hand-over offered, the reason said. */
      const eurRow = page.locator(`tr.inv-row[data-id="${eur.id}"]`);
      await eurRow.locator('button.expand').click();
      const eurDetail = page.locator(`#detail-${eur.id} .detail`);
      await eurDetail.getByText(w.sekOnly).waitFor();
      await eurDetail.getByRole('button', { name: w.actions }).click();
      const items = await eurDetail.getByRole('menu').getByRole('menuitem').allInnerTexts();
      assert.ok(!items.includes(w.amiliItem) && !items.includes(w.activate), items.join());
      await page.keyboard.press('Escape');

      /* A handed-over invoice cannot be ticked for another send. */
      const h = await stack.handover([a.id]);
      assert.equal(h.status, 202, h.text);
      await page.reload();
      await page.locator(`tr.inv-row[data-id="${b.id}"]`).waitFor();
      const boxA = page.locator(`tr.inv-row[data-id="${a.id}"] input.row-check`);
      assert.equal(await boxA.isDisabled(), true);
      assert.match(await boxA.getAttribute('aria-label'), w.notSendable);

      /* Tick one, search for another and tick it: both stay ticked, with a count. */
      await page.locator(`tr.inv-row[data-id="${b.id}"] input.row-check`).check();
      await page.getByRole('searchbox', { name: w.search }).fill('Olle');
      await page.waitForFunction((id) => document.querySelectorAll('tr.inv-row').length === 1 && document.querySelector(`tr.inv-row[data-id="${id}"]`), c.id);
      await page.locator(`tr.inv-row[data-id="${c.id}"] input.row-check`).check();
      assert.match(await page.locator('.sel-info').innerText(), w.selected2);
      await noSideScroll(page, 'the invoice list with a selection');
      await shot(page, `selection-kept-${v.tag}`);
      await page.getByRole('searchbox', { name: w.search }).fill('');
      await page.locator(`tr.inv-row[data-id="${a.id}"]`).waitFor();
      assert.equal(await page.locator(`tr.inv-row[data-id="${b.id}"] input.row-check`).isChecked(), true);
      await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.sel-info').textContent), w.selected2all.source);
      await assertAccessible(page, 'the invoice list after activation');
      assertNoPageErrors(page);
      await page.close();
    } finally {
      await stack.stop();
    }
  });
});

VIEWS.forEach((v) => {
  const w = W[v.lang];

  test(`history a person reads and the B2B compensation on screen (${v.tag})`, async () => {
    const stack = await new Stack({ now: NOW }).init();
    try {
      await stack.activate();
      const person = await stack.customer({ name: 'Erik Ek' });
      const firm = await stack.customer({ name: 'Bygg och Montage AB', is_company: true, id_number: '556036-0793', email: 'ekonomi@bygg.example' });
      const handed = await stack.invoice(person.id);
      const b2b = await stack.invoice(firm.id);
      const h = await stack.handover([handed.id]);
      assert.equal(h.status, 202, h.text);
      await waitFor(async () => (await stack.history(handed.id)).some((e) => e.kind === 'amili_status'), 30000, 'the case status in the history');
      const page = await openAs(shared.browser.ctx, v, { base: stack.base, email: OWNER.email, password: OWNER.password, now: NOW });

      /* The hand-over's history: words of the UI's language, no code names, the case's changes in one line. */
      await page.goto(`${stack.base}/#/invoices/${handed.number}`);
      const timeline = page.locator('ol.timeline');
      await timeline.locator('li[data-kind="amili_registered"]').waitFor();
      const text = await timeline.innerText();
      for (const word of ['(initializing)', '(initialized)', '(reminder_sent)', 'amili_', 'Registrerad hos Visma Amili: ärende'].concat(v.lang === 'en' ? ['ärendet', 'Faktura skapad'] : [])) {
        assert.ok(!text.includes(word), `"${word}" in the history: ${text}`);
      }
      assert.ok(text.includes(w.historyCase) || (await timeline.locator('li[data-kind="amili_status"]').count()) === 1, text);
      const pill = page.locator('.view-head .badge.amili');
      assert.ok(!(await pill.innerText()).includes('·'), await pill.innerText());
      /* The pill is one line, also on a phone. */
      const lh = await pill.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
      assert.ok((await pill.boundingBox()).height < lh * 1.8, 'the Visma Amili pill wraps');
      /* Our interest and the agency's: the page says why they differ. */
      assert.ok((await page.locator('.amili-block').innerText()).includes(w.amiliNote));
      /* The case is read out by the invoice's number; the agency's 24-digit
       * id only among the case facts, never in the history. */
      const caseId = (await stack.show(handed.id)).amili.case.id;
      assert.match(caseId, /^[0-9a-f]{24}$/);
      assert.equal(await page.locator('.case-facts dd').first().innerText(), String(handed.number));
      assert.equal(await page.locator('.case-facts .case-agency-id').innerText(), caseId);
      assert.ok(!text.includes(caseId), `the agency's id in the history: ${text}`);
      await noSideScroll(page, 'the invoice page of a handed-over invoice');
      await shot(page, `history-${v.tag}`, { fullPage: true });
      await assertAccessible(page, 'the invoice page of a handed-over invoice');

      /* A business customer's reminder: the compensation is a line, no 0,00 kr fee. */
      await page.goto(`${stack.base}/#/invoices/${b2b.number}`);
      await page.getByRole('button', { name: w.actions }).click();
      await page.getByRole('menuitem', { name: w.reminder }).click();
      const dlg = page.getByRole('dialog', { name: w.reminderTitle });
      await dlg.getByRole('button', { name: w.reminderSubmit }).click();
      await dlg.getByText(w.reminderDone).waitFor();
      const result = await dlg.innerText();
      assert.match(result, new RegExp(`${w.compensation}\\s+450,00\u00a0kr`));
      assert.match(result, new RegExp(`${w.total}\\s+`));
      await shot(page, `reminder-b2b-${v.tag}`);
      await dlg.getByRole('button', { name: w.close }).first().click();
      await page.locator('ol.timeline li[data-kind="reminder"]').waitFor();
      assert.match(await page.locator('ol.timeline li[data-kind="reminder"]').innerText(), new RegExp(`${w.compensation} 450,00\u00a0kr`));
      assertNoPageErrors(page);
      await page.close();
    } finally {
      await stack.stop();
    }
  });
});
