/*
 * security.test.mjs — links a stranger can craft into the UI.  A ?return=
 * parameter of the settings and customer forms comes from the address bar:
 * a `javascript:` address there, clicked as "Tillbaka", would run in the
 * victim's session and could mint an API token for the company.  The UI
 * only follows in-app returns (#/...), and every answer carries a
 * Content-Security-Policy that forbids inline script anyway.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { agencyLink, appReturn } from '../../web/js/links.js';
import { launchBrowser, login, newPage, OWNER_EMAIL, OWNER_PASSWORD, startApp } from './lib/env.mjs';

let app;
let browser;
let customerId;

/* What an attacker would put behind "Tillbaka": read the session's CSRF
 * token, then mint a token for the first company. */
const PAYLOAD = "javascript:fetch('/api/v1/session').then(r=>r.json()).then(s=>fetch('/api/v1/companies/'+s.companies[0].id+'/tokens'," +
  "{method:'POST',headers:{'Content-Type':'application/json','X-CSRF-Token':s.csrf_token},body:JSON.stringify({name:'stolen'})}))" +
  ".then(()=>{document.title='pwned'});void 0";

before(async () => {
  app = await startApp();
  const api = await app.fx.login(OWNER_EMAIL, OWNER_PASSWORD);
  const res = await api.post(`/api/v1/companies/${app.fx.companyId}/customers`, {
    name: 'Kund Kundsson', is_company: false, address_line_1: 'Storgatan 1', zip_code: '722 15', city: 'Västerås', country: 'SE',
  });
  assert.equal(res.status, 201, res.text);
  customerId = res.body.id;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/* Open hash with the crafted return, click every "Tillbaka" link there is,
 * and let the page settle; then no token exists and nothing ran. */
async function clickBack(hash) {
  const page = await newPage(browser.ctx);
  await login(page, app.base, OWNER_EMAIL, OWNER_PASSWORD);
  await page.goto(`${app.base}/#${hash}?return=${encodeURIComponent(PAYLOAD)}`);
  await page.locator('form.card-form').waitFor();
  const back = page.getByRole('link', { name: /Tillbaka/ });
  for (const href of await back.evaluateAll((links) => links.map((a) => a.getAttribute('href')))) {
    assert.match(href, /^#\//, `a back link points outside the app: ${href}`);
  }
  if (await back.count()) {
    await back.first().click();
    /* whatever the click started has finished once the network is idle */
    await page.waitForLoadState('networkidle');
  }
  assert.notEqual(await page.title(), 'pwned');
  assert.equal(app.fx.count('api_tokens'), 0, 'a token was minted by the crafted link');
  await page.close();
}

test('settings: a javascript: return link runs nothing and mints no token', async () => {
  await clickBack('/settings');
});

test('customer form: a javascript: return link runs nothing and mints no token', async () => {
  await clickBack(`/customers/${customerId}`);
});

test('every answer carries the Content-Security-Policy, nosniff and a Referrer-Policy', async () => {
  for (const p of ['/', '/js/app.js', '/healthz', '/api/v1/session', '/no-such-file']) {
    const res = await fetch(app.base + p);
    assert.equal(res.headers.get('content-security-policy'),
      "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'", p);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p);
    assert.equal(res.headers.get('referrer-policy'), 'same-origin', p);
  }
});

test('links: only in-app returns and https: agency addresses are used', () => {
  assert.equal(appReturn('#/invoices?status=overdue'), '#/invoices?status=overdue');
  for (const bad of [PAYLOAD, 'JavaScript:alert(1)', 'https://evil.example/', '//evil.example', '#javascript:x', ' #/x', null]) {
    assert.equal(appReturn(bad, '#/customers'), '#/customers', String(bad));
  }
  assert.equal(agencyLink('https://app.amili.se/case/1'), 'https://app.amili.se/case/1');
  assert.equal(agencyLink('http://127.0.0.1:8090/case/1'), 'http://127.0.0.1:8090/case/1');
  for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'http://evil.example/', 'vbscript:x', '', undefined]) {
    assert.equal(agencyLink(bad), null, String(bad));
  }
});
