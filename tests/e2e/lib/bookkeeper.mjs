/*
 * bookkeeper.mjs — what the browser tests of the bookkeeper's walk-through
 * share: the two ways they look at the UI (Swedish at 1366 px, English at
 * 390 px), the words a user sees in each language, a logged-in page in
 * that view, the demo company with a browser for a test file, and the
 * check that a page does not scroll sideways.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { co, DEMO_EMAIL, DEMO_PASSWORD, launchBrowser, login, newPage, startApp } from './env.mjs';

/* The two ways a test looks at the UI: Swedish on a laptop, English on a phone. */
export const VIEWS = [
  { lang: 'sv', width: 1366, height: 900, tag: '1366' },
  { lang: 'en', width: 390, height: 844, tag: 'phone-en' },
];

export const W = {
  sv: {
    failed: 'Det gick inte:', details: 'Detaljer', actions: /Åtgärder/, save: 'Spara', create: 'Skapa faktura',
    price1: 'à-pris (kr) 1', qty1: 'Antal 1', desc1: 'Beskrivning 1', customer: 'Kund', search: 'Sök kund',
    linePrice: 'Rad 1, à-pris (kr):', badAmount: 'Ange ett belopp', outOfRange: 'Värdet är utanför tillåtet intervall.',
    overdueTab: /^Förfallna/, lossTab: /^Kundförlust/, expectedBadge: 'Befarad kundförlust', interestStopped: 'Ingen – kundförlust registrerad',
    reminder: 'Skapa manuell påminnelse (PDF)', lossItem: 'Registrera kundförlust', expectedKind: 'Befarad kundförlust',
    confirmedKind: 'Konstaterad kundförlust', alreadyExpected: 'En befarad kundförlust är redan registrerad',
    vat1: 'Moms 1', zeroVat: 'Moms',
    chooseGround: 'Välj grunden för kundförlusten', groundOther: 'Annat skäl', describeGround: 'Beskriv skälet till kundförlusten.',
    groundText: 'Beskriv skälet', groundWords: 'Bolaget avfört ur registret',
    close: 'Stäng', writtenOff: 'Avskriven som kundförlust', writtenOffBadge: 'Avskriven (kundförlust)', remaining: 'Kvar att betala',
    daysOverdue: 'Dagar förfallen', lossDone: /Kundförlusten på faktura \d+ är registrerad/,
    banner: 'Påminnelsehantering via Visma Amili är inte aktiverad', activate: 'Aktivera påminnelsehantering',
    accept: /Jag har läst och godkänner villkoren/, activated: 'Klart – påminnelsehanteringen är aktiverad',
    amiliItem: 'Skicka påminnelse via Visma Amili', search: 'Sök', notSendable: /kan inte skickas/,
    selected2: /^2 fakturor markerade, 2\u00a0750,00\u00a0kr \(1 av dem syns inte i listan just nu\)$/,
    selected2all: /^2 fakturor markerade, 2\u00a0750,00\u00a0kr$/, sekOnly: 'Endast fakturor i svenska kronor (SEK)',
    reminderTitle: /Skapa manuell påminnelse – faktura \d+/, reminderSubmit: 'Skapa påminnelse', reminderDone: 'Påminnelsen är skapad.',
    pdf: 'Ladda ner påminnelsebrevet (PDF)', historyReminder: 'Manuell påminnelse skapad', badgeReminder: 'Påminnelse skapad',
    priceCol: 'à-pris (kr)', newInvoice: 'Ny kundfaktura',
    compensation: 'Förseningsersättning', total: 'Att betala',
    idNumber: 'Person-/organisationsnummer', zip: 'Postnummer', isCompany: 'Kunden är ett företag', name: 'Namn',
    checkDigit: 'Person-/organisationsnummer: Kontrollsiffran (sista siffran) stämmer inte.',
    badZip: 'Postnummer: Ange ett svenskt postnummer med fem siffror, t.ex. 722 15.',
    asOf: 'Per datum', overview: 'Kundreskontra', sekNote: 'Fakturor i andra valutor (t.ex. EUR) ingår inte i summorna.',
    notDue: 'Ingen – fakturan är inte förfallen', unpaidTab: /^Obetalda/, amiliNote: 'Visma Amili räknar ränta och avgifter på ärendet från överlämnandet', historyCase: 'Visma Amili: ärendet uppdaterat',
  },
  en: {
    failed: 'That did not work:', details: 'Details', actions: /Actions/, save: 'Save', create: 'Create invoice',
    price1: 'Unit price (SEK) 1', qty1: 'Quantity 1', desc1: 'Description 1', customer: 'Customer', search: 'Search customer',
    linePrice: 'Line 1, unit price (SEK):', badAmount: 'Enter an amount', outOfRange: 'The value is out of the allowed range.',
    overdueTab: /^Overdue/, lossTab: /^Written off/, expectedBadge: 'Expected customer loss', interestStopped: 'None – customer loss registered',
    reminder: 'Create manual reminder (PDF)', lossItem: 'Register customer loss', expectedKind: 'Expected customer loss',
    confirmedKind: 'Confirmed customer loss', alreadyExpected: 'An expected customer loss is already registered',
    vat1: 'VAT 1', zeroVat: 'VAT',
    chooseGround: 'Choose the ground for the customer loss', groundOther: 'Another reason', describeGround: 'Describe the reason for the customer loss.',
    groundText: 'Describe the reason', groundWords: 'The company was struck off the register',
    close: 'Close', writtenOff: 'Written off as a customer loss', writtenOffBadge: 'Written off (customer loss)', remaining: 'Remaining',
    daysOverdue: 'Days overdue', lossDone: /The customer loss on invoice \d+ is registered/,
    banner: 'Reminder handling via Visma Amili is not activated', activate: 'Activate reminder handling',
    accept: /I have read and accept the terms/, activated: 'Done – reminder handling is activated',
    amiliItem: 'Send reminder via Visma Amili', search: 'Search', notSendable: /cannot be sent/,
    selected2: /^2 invoices selected, 2\u00a0750,00\u00a0kr \(1 of them is not in the list right now\)$/,
    selected2all: /^2 invoices selected, 2\u00a0750,00\u00a0kr$/, sekOnly: 'Only invoices in Swedish kronor (SEK)',
    reminderTitle: /Create manual reminder – invoice \d+/, reminderSubmit: 'Create reminder', reminderDone: 'The reminder is created.',
    pdf: 'Download the reminder letter (PDF)', historyReminder: 'Manual reminder created', badgeReminder: 'Reminder created',
    priceCol: 'Unit price (SEK)', newInvoice: 'New customer invoice',
    compensation: 'Late-payment compensation', total: 'Amount due',
    idNumber: 'Personal / organisation number', zip: 'Postal code', isCompany: 'The customer is a company', name: 'Name',
    checkDigit: 'Personal / organisation number: The check digit (the last digit) is wrong.',
    badZip: 'Postal code: Enter a Swedish postal code of five digits, e.g. 722 15.',
    asOf: 'As of', overview: 'Receivables', sekNote: 'Invoices in other currencies (e.g. EUR) are not included in the totals.',
    notDue: 'None – the invoice is not past due', unpaidTab: /^Unpaid/, amiliNote: 'Visma Amili charges interest and fees on the case from the hand-over', historyCase: 'Visma Amili: case updated',
  },
};
/* A logged-in page at the view's width, in its language. */
export async function openAs(ctx, v, { base, email, password, now }) {
  const page = await newPage(ctx, now);
  await page.setViewportSize({ width: v.width, height: v.height });
  await login(page, base, email, password);
  if (v.lang === 'en') {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Customer invoices' }).waitFor();
  }
  return page;
}

export async function noSideScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px`);
}

/* A browser for the test file (launched before its tests, closed after): {browser}. */
export function useBrowser() {
  const shared = {};
  before(async () => {
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
  });
  return shared;
}

/*
 * The demo company and a browser for the test file (started before its
 * tests, stopped after): {app, api, cid, browser, open(view)}.
 */
export function useDemoApp() {
  const demo = {};
  before(async () => {
    demo.app = await startApp({ setup: (fx) => fx.cli(['demo-data', '--password', DEMO_PASSWORD]) });
    demo.api = await demo.app.fx.login(DEMO_EMAIL, DEMO_PASSWORD);
    demo.cid = demo.api.session.companies[0].id;
    demo.browser = await launchBrowser();
  });
  after(async () => {
    await demo.browser?.close();
    await demo.app?.stop();
  });
  demo.open = (v) => openAs(demo.browser.ctx, v, { base: demo.app.base, email: DEMO_EMAIL, password: DEMO_PASSWORD });
  /* Overdue SEK standard invoices not with the agency, in number order: each test takes its own. */
  demo.overdueInvoices = async () => {
    const items = (await demo.api.get(`${co(demo.cid)}/invoices?status=overdue&sort=number&limit=200`)).body.items;
    return items.filter((i) => !i.amili && i.currency === 'SEK' && i.kind === 'standard');
  };
  return demo;
}
