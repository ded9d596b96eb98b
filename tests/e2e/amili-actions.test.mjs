/*
 * amili-actions.test.mjs — the same activation reached from an overdue
 * invoice's Åtgärder menu ("Aktivera påminnelsehantering"), then "Skicka
 * påminnelse via Visma Amili" for that one invoice from the same menu, the
 * action gone afterwards; and a server without an agency: a clear message.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Stack, OWNER, waitFor } from '../amili/lib/stack.mjs';
import { assertNoPageErrors, launchBrowser, login, newPage, shot } from './lib/env.mjs';

const NOW = '2025-06-16';
let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('activation from an invoice\'s Åtgärder menu, then send that invoice via Visma Amili', async () => {
  const stack = await new Stack({ now: NOW }).init();
  try {
    const cust = await stack.customer({ name: 'Erik Ek' });
    const invoice = await stack.invoice(cust.id);
    const page = await newPage(browser.ctx, NOW);
    await login(page, stack.base, OWNER.email, OWNER.password);
    await page.getByRole('tab', { name: /^Förfallna/ }).click();
    const row = page.locator(`tr.inv-row[data-id="${invoice.id}"]`);
    await row.locator('button.expand').click();
    const detail = page.locator(`#detail-${invoice.id} .detail`);
    await detail.getByRole('button', { name: /Åtgärder/ }).click();
    await detail.getByRole('menuitem', { name: 'Aktivera påminnelsehantering' }).click();
    const dlg = page.getByRole('dialog', { name: 'Aktivera påminnelsehantering' });
    await dlg.waitFor();
    await dlg.getByRole('heading', { name: /Villkor \(version .+\)/ }).waitFor();
    await shot(page, 'activation-dialog-1280');
    await dlg.getByLabel(/Jag har läst och godkänner villkoren/).check();
    await dlg.getByRole('button', { name: 'Aktivera påminnelsehantering' }).click();
    await dlg.getByRole('heading', { name: 'Klart – påminnelsehanteringen är aktiverad' }).waitFor();
    await dlg.getByRole('button', { name: 'Stäng' }).click();
    await dlg.waitFor({ state: 'detached' });

    /* Now the menu offers the hand-over instead of the activation. */
    await detail.getByRole('button', { name: /Åtgärder/ }).click();
    let items = await detail.getByRole('menu').getByRole('menuitem').allInnerTexts();
    assert.ok(items.includes('Skicka påminnelse via Visma Amili'), items.join());
    assert.ok(!items.includes('Aktivera påminnelsehantering'), items.join());
    await detail.getByRole('menuitem', { name: 'Skicka påminnelse via Visma Amili' }).click();
    const send = page.getByRole('dialog', { name: /Skicka påminnelse via Visma Amili/ });
    await send.waitFor();
    await send.getByRole('button', { name: 'Skicka', exact: true }).click();
    await send.locator(`li.res[data-invoice-id="${invoice.id}"]`).waitFor();
    await page.waitForFunction(() => document.querySelector('dialog .progress-label')?.textContent === 'Klart', null, { timeout: 60000 });
    assert.match(await send.locator('li.res').innerText(), /Skickad/);
    await send.getByRole('button', { name: 'Stäng' }).click();
    await send.waitFor({ state: 'detached' });
    await waitFor(async () => (await stack.client.get(`${stack.api}/invoices/${invoice.id}`)).body.amili?.state === 'registered', 30000, 'registered');

    /* The expanded row reloads: history entry, and no Amili action any more. */
    await detail.locator('ol.timeline li[data-kind="amili_queued"]').waitFor();
    await detail.getByRole('button', { name: /Åtgärder/ }).click();
    items = await detail.getByRole('menu').getByRole('menuitem').allInnerTexts();
    assert.ok(!items.includes('Skicka påminnelse via Visma Amili'), items.join());
    assert.ok(!items.includes('Skapa manuell påminnelse (PDF)'), items.join());
    /* A second hand-over is refused by the API too (HTTP 409). */
    const again = await stack.handover([invoice.id]);
    assert.equal(again.status, 409);
    assertNoPageErrors(page);
    await page.close();
  } finally {
    await stack.stop();
  }
});

test('a server without an agency: the start view says so clearly', async () => {
  const stack = await new Stack({ now: NOW, noAgency: true }).init();
  try {
    const page = await newPage(browser.ctx, NOW);
    await login(page, stack.base, OWNER.email, OWNER.password);
    await page.goto(`${stack.base}/#/start`);
    await page.getByRole('heading', { level: 1, name: 'Påminnelser' }).waitFor();
    const show = await stack.client.get(`${stack.api}/amili`);
    if (show.status !== 200) {
      const box = page.locator('main .error-box');
      await box.waitFor();
      assert.match(await box.innerText(), /Det gick inte:/);
    } else {
      /* The terms are shown; activating answers 503 agency_not_configured, shown as such. */
      await page.getByLabel(/Jag har läst och godkänner villkoren/).check();
      await page.getByRole('button', { name: 'Aktivera påminnelsehantering' }).click();
      const box = page.locator('main .error-box:not([hidden])');
      await box.waitFor();
      assert.match(await box.innerText(), /Det gick inte:/);
      /* The status and code are under "Detaljer". */
      await box.getByText('Detaljer').click();
      assert.match(await box.innerText(), /HTTP 503/);
    }
    await shot(page, 'activation-no-agency-1280');
    assertNoPageErrors(page);
    await page.close();
  } finally {
    await stack.stop();
  }
});
