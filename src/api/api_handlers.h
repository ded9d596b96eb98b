/*
 * api_handlers.h — the handlers of the API's routes, one per route.
 *
 * Each is called by the server (api_server.c) through the route table
 * (api_routes.c) with a request that has passed authentication, the CSRF
 * check and the company/role check of its route; see api_request.h for the
 * contract.  Grouped by resource:
 *
 *   api_session.c    login sessions and API tokens
 *   api_companies.c  companies
 *   api_customers.c  customers
 *   api_invoices.c   invoices, their history and payments
 */
#ifndef PM_API_HANDLERS_H
#define PM_API_HANDLERS_H

#include <stddef.h>

#include "util/err.h"

struct api_request;

enum pm_err api_session_create(struct api_request *r);
enum pm_err api_session_show(struct api_request *r);
enum pm_err api_session_delete(struct api_request *r);
enum pm_err api_session_token_create(struct api_request *r);
enum pm_err api_session_token_list(struct api_request *r);
enum pm_err api_session_token_revoke(struct api_request *r);

enum pm_err api_companies_list(struct api_request *r);
enum pm_err api_companies_create(struct api_request *r);
enum pm_err api_companies_show(struct api_request *r);
enum pm_err api_companies_update(struct api_request *r);

enum pm_err api_customers_list(struct api_request *r);
enum pm_err api_customers_create(struct api_request *r);
enum pm_err api_customers_show(struct api_request *r);
enum pm_err api_customers_stop_put(struct api_request *r);
enum pm_err api_customers_stop_delete(struct api_request *r);
enum pm_err api_customers_update(struct api_request *r);

/* api_ledger.c: the customer ledger */
enum pm_err api_ledger_page(struct api_request *r);
enum pm_err api_ledger_customer(struct api_request *r);
/* api_statements.c: customer statements */
enum pm_err api_statements_show(struct api_request *r);
enum pm_err api_statements_pdf(struct api_request *r);
enum pm_err api_statements_email(struct api_request *r);

enum pm_err api_invoices_list(struct api_request *r);
/* The list cache: the cache key of the list request r (its
 * company, today and normalised query) into out[cap], *len bytes; a query
 * the list would refuse is its error (r->err set), too long PM_ERR_RANGE. */
enum pm_err api_invoices_list_key(struct api_request *r, char *out, size_t cap, size_t *len);
enum pm_err api_invoices_counts(struct api_request *r);
enum pm_err api_invoices_create(struct api_request *r);
enum pm_err api_invoices_show(struct api_request *r);
enum pm_err api_invoices_show_by_number(struct api_request *r);
enum pm_err api_invoices_stop_put(struct api_request *r);
enum pm_err api_invoices_stop_delete(struct api_request *r);

enum pm_err api_invoices_history(struct api_request *r);
enum pm_err api_invoices_payment_create(struct api_request *r);

/* ---- the money side ----
 *   api_reminders.c  manual reminders, their letters, bulk reminders
 *   api_loss.c       customer losses
 *   api_books.c      vouchers, SIE export, BgMax import, receivables aging */
enum pm_err api_reminders_create(struct api_request *r);
enum pm_err api_reminders_letter(struct api_request *r);
enum pm_err api_reminders_bulk(struct api_request *r);
enum pm_err api_reminders_batch_letters(struct api_request *r);
/* api_webhooks.c: webhook endpoints and deliveries */
enum pm_err api_webhooks_create(struct api_request *r);
enum pm_err api_webhooks_list(struct api_request *r);
enum pm_err api_webhooks_delete(struct api_request *r);
enum pm_err api_webhooks_deliveries(struct api_request *r);
enum pm_err api_webhooks_resend(struct api_request *r);
/* api_mail.c: the company's e-mails of reminders */
enum pm_err api_mails_list(struct api_request *r);
enum pm_err api_mails_queue(struct api_request *r);
enum pm_err api_loss_create(struct api_request *r);
enum pm_err api_books_vouchers(struct api_request *r);
enum pm_err api_books_sie(struct api_request *r);
enum pm_err api_books_bgmax(struct api_request *r);
enum pm_err api_books_camt054(struct api_request *r);
enum pm_err api_books_unmatched_list(struct api_request *r);
enum pm_err api_books_unmatched_confirm(struct api_request *r);
enum pm_err api_books_aging(struct api_request *r);
/* api_reports.c: the dunning report and DSO / collection rate */
enum pm_err api_reports_dunning(struct api_request *r);
enum pm_err api_reports_receivables(struct api_request *r);
/* api_rules.c: the locked period of the books */
enum pm_err api_rules_lock_show(struct api_request *r);
enum pm_err api_rules_lock_update(struct api_request *r);
enum pm_err api_rules_rates_list(struct api_request *r);
enum pm_err api_rules_rates_add(struct api_request *r);
/* ---- end books ---- */

/* ---- reminder policies and the daily run: api_dunning.c (the approval
 * runs outside the request's transaction: it commits chunk by chunk) ---- */
enum pm_err api_dunning_policy_show(struct api_request *r);
enum pm_err api_dunning_policy_put(struct api_request *r);
enum pm_err api_dunning_customer_policy_show(struct api_request *r);
enum pm_err api_dunning_customer_policy_put(struct api_request *r);
enum pm_err api_dunning_customer_policy_delete(struct api_request *r);
enum pm_err api_dunning_runs_list(struct api_request *r);
enum pm_err api_dunning_run_create(struct api_request *r);
enum pm_err api_dunning_run_show(struct api_request *r);
enum pm_err api_dunning_run_approve(struct api_request *r);
enum pm_err api_dunning_run_letters(struct api_request *r);

/* ---- credit notes: api_credit_notes.c ---- */
enum pm_err api_credit_notes_create(struct api_request *r);
enum pm_err api_credit_notes_create_free(struct api_request *r);
enum pm_err api_credit_notes_list(struct api_request *r);
enum pm_err api_credit_notes_show(struct api_request *r);
enum pm_err api_credit_notes_pdf(struct api_request *r);

/* ---- the hand-over to Visma Amili: api_amili.c (helpers for other handlers:
 * api_amili.h) ---- */
enum pm_err api_amili_show(struct api_request *r);
enum pm_err api_amili_activate(struct api_request *r);
enum pm_err api_amili_handover(struct api_request *r);
enum pm_err api_amili_batch_show(struct api_request *r);
/* ---- end Amili hand-over ---- */

#endif
