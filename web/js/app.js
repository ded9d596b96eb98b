/*
 * app.js — the composition of the Påminn web UI: which view draws which
 * route, the header before every view, and start-up.  Everything the views
 * share (api.js, i18n.js, state.js, dom.js, router.js) lives in modules of
 * its own that import no view, so nothing imports this file.
 */
import { onUnauthorized } from './api.js';
import { getLang, setLang } from './i18n.js';
import { startRouter } from './router.js';
import { renderHeader } from './shell/header.js';
import { sessionExpired, startSession } from './shell/session.js';
import * as invoices from './views/invoices.js';
import * as invoicePage from './views/invoice.js';
import * as invoiceNew from './views/invoice-new.js';
import * as customers from './views/customers.js';
import * as ledger from './views/ledger.js';
import * as start from './views/start.js';
import * as overview from './views/overview.js';
import * as settings from './views/settings.js';
import * as tokens from './views/tokens.js';
import * as payments from './views/payments.js';
import * as dunningRun from './views/dunning/run.js';
import * as dunningPolicy from './views/dunning/policy.js';
import * as mails from './views/mails.js';
import * as webhooks from './views/webhooks.js';

const routes = [
  [/^\/invoices\/new$/, invoiceNew.render],
  [/^\/invoices\/(\d+)$/, invoicePage.render],
  [/^\/invoices$/, invoices.render],
  [/^\/customers\/new$/, customers.renderForm],
  [/^\/customers\/(\d+)$/, customers.renderForm],
  [/^\/customers$/, customers.renderList],
  [/^\/ledger\/(\d+)$/, ledger.renderCustomer],
  [/^\/ledger$/, ledger.renderList],
  [/^\/payments$/, payments.render],
  [/^\/dunning\/policy$/, dunningPolicy.render],
  [/^\/dunning$/, dunningRun.render],
  [/^\/mails$/, mails.render],
  [/^\/start$/, start.render],
  [/^\/overview$/, overview.render],
  [/^\/settings$/, settings.render],
  [/^\/settings\/tokens$/, tokens.render],
  [/^\/settings\/webhooks$/, webhooks.render],
];

setLang(getLang());
onUnauthorized(sessionExpired);
/* The invoice list keeps its filter and selection between visits, but not across companies. */
startRouter(routes, { before: () => renderHeader({ onCompanySwitch: invoices.resetState }) });
startSession();
