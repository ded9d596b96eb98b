/*
 * tokens.test.mjs — the API token page under the company settings, as an
 * owner uses it: make a token (its secret shown once, copied with a
 * button), see when it expires and was last used, remove it after a
 * confirmation — after which it opens nothing.  A past expiry is refused
 * with the field named; a member gets no token page; the page fits a phone
 * and passes axe.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible } from './lib/axe.mjs';
import { assertNoPageErrors, launchBrowser, login, newPage, OWNER_EMAIL, OWNER_PASSWORD, shot, startApp } from './lib/env.mjs';

let app;
let browser;
let companyPath;

before(async () => {
  app = await startApp();
  companyPath = `/api/v1/companies/${app.fx.companyId}`;
  app.fx.addUser('mats@example.se', 'hemligt123', app.fx.companyId, 'member');
  browser = await launchBrowser({ width: 1366, height: 900 });
  await browser.ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.base });
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/* What a program holding the token gets from the API. */
async function statusWith(token) {
  const res = await fetch(app.base + companyPath, { headers: { Authorization: `Bearer ${token}` } });
  return res.status;
}

async function openTokens(page) {
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.goto(`${app.base}/#/settings`);
  await page.getByRole('link', { name: 'API-nycklar för andra program' }).click();
  await page.getByRole('heading', { level: 1, name: 'API-nycklar' }).waitFor();
}

async function makeToken(page, name, through) {
  await page.getByLabel('Namn').fill(name);
  if (through) await page.getByLabel('Gäller till och med').fill(through);
  await page.getByRole('button', { name: 'Skapa nyckel' }).click();
  await page.getByRole('heading', { name: `Nyckeln ”${name}” är skapad` }).waitFor();
  return page.getByLabel('API-nyckel', { exact: true }).inputValue();
}

test('an owner makes a token: shown once, copied with a button, listed with its expiry and last use', async () => {
  const page = await newPage(browser.ctx);
  await openTokens(page);
  await page.getByText('Det finns inga API-nycklar ännu.').waitFor();
  await assertAccessible(page, 'the token page, empty');

  const token = await makeToken(page, 'Affärssystemet', '2026-12-31');
  assert.match(token, /^[0-9a-f]{64}$/);
  await page.getByText('Den visas bara den här gången').waitFor();
  await page.getByRole('button', { name: 'Kopiera' }).click();
  await page.getByText('Nyckeln är kopierad.').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
  const item = page.locator('li.token', { hasText: 'Affärssystemet' });
  await item.getByText('t.o.m. 2026-12-31').waitFor();
  await item.getByText('Inte använd ännu').waitFor();
  await assertAccessible(page, 'the token page with a new secret shown');
  await shot(page, 'tokens-created');

  /* the token works; once the page is left, the secret is gone for good */
  assert.equal(await statusWith(token), 200);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'API-nycklar' }).waitFor();
  await item.waitFor();
  assert.ok(!(await page.content()).includes(token), 'the secret is shown again after a reload');
  assert.equal(await item.getByText('Inte använd ännu').count(), 0, 'the use of the token is not shown');
  assert.match(await item.locator('dt:text-is("Senast använd") + dd').textContent(), /^2026-03-02 \d\d:\d\d$/);
  assertNoPageErrors(page);
  await page.close();
});

test('removing a token asks first; a removed token opens nothing', async () => {
  const page = await newPage(browser.ctx);
  await openTokens(page);
  const token = await makeToken(page, 'Gammal koppling');
  assert.equal(await statusWith(token), 200);
  const remove = page.getByRole('button', { name: 'Ta bort nyckeln Gammal koppling' });
  await remove.click();
  const dialog = page.getByRole('alertdialog', { name: 'Ta bort API-nyckeln?' });
  await dialog.getByText('slutar fungera direkt').waitFor();
  await dialog.getByRole('button', { name: 'Avbryt' }).click();
  assert.equal(await statusWith(token), 200, 'cancelling removed the token');
  await remove.click();
  await dialog.getByRole('button', { name: 'Ta bort' }).click();
  await page.locator('li.token', { hasText: 'Gammal koppling' }).waitFor({ state: 'detached' });
  assert.equal(await statusWith(token), 401);
  assertNoPageErrors(page);
  await page.close();
});

test('an expiry already past is refused, naming the field, and makes nothing', async () => {
  const page = await newPage(browser.ctx);
  await openTokens(page);
  const before = app.fx.count('api_tokens');
  await page.getByLabel('Namn').fill('För sent');
  await page.getByLabel('Gäller till och med').fill('2026-03-01');
  await page.getByRole('button', { name: 'Skapa nyckel' }).click();
  const alert = page.locator('form.token-form .error-box');
  await alert.getByText(/Gäller till och med/).waitFor();
  await alert.getByText(/redan gått ut/).waitFor();
  assert.equal(await page.getByLabel('Gäller till och med').getAttribute('aria-invalid'), 'true');
  assert.equal(app.fx.count('api_tokens'), before);
  assert.equal(await page.getByLabel('API-nyckel', { exact: true }).count(), 0);
  assertNoPageErrors(page);
  await page.close();
});

test('phone width: the token page fits and passes axe', async () => {
  const page = await newPage(browser.ctx);
  await page.setViewportSize({ width: 390, height: 844 });
  await openTokens(page);
  await makeToken(page, 'Mobil koppling med ett ganska långt namn för en liten skärm', '2027-06-30');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the token page scrolls sideways by ${overflow}px at phone width`);
  await assertAccessible(page, 'the token page at phone width');
  await shot(page, 'tokens-phone', { fullPage: true });
  assertNoPageErrors(page);
  await page.close();
});

test('a member gets no token page', async () => {
  const page = await newPage(browser.ctx);
  await login(page, app.base, 'mats@example.se', 'hemligt123');
  await page.goto(`${app.base}/#/settings`);
  await page.getByRole('heading', { level: 1, name: 'Företagsinställningar' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'API-nycklar för andra program' }).count(), 0);
  await page.goto(`${app.base}/#/settings/tokens`);
  await page.getByText('Bara företagets ägare kan se, skapa och ta bort API-nycklar.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Skapa nyckel' }).count(), 0);
  assertNoPageErrors(page);
  await page.close();
});
