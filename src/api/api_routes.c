/*
 * api_routes.c — the table of the API's routes.
 *
 * Order does not matter: literal segments win over parameters
 * (api_router.c).  GET /api/v1/openapi.yaml has a row with a NULL handler:
 * the server answers it from the embedded document, without authentication.
 */
#include "api/api_routes.h"

#include <string.h>

#include "api/api_handlers.h"

#define V1 "/api/v1"
#define CO V1 "/companies/{cid}"

const struct api_route api_routes[] = {
    {"GET", V1 "/openapi.yaml", API_AUTH_NONE, API_NEED_READ, NULL},

    {"POST", V1 "/session", API_AUTH_NONE, API_NEED_READ, api_session_create},
    {"GET", V1 "/session", API_AUTH_SESSION, API_NEED_READ, api_session_show},
    {"DELETE", V1 "/session", API_AUTH_SESSION, API_NEED_READ, api_session_delete},

    {"GET", V1 "/companies", API_AUTH_ANY, API_NEED_READ, api_companies_list},
    {"POST", V1 "/companies", API_AUTH_ANY, API_NEED_OWNER_USER, api_companies_create},
    {"GET", CO, API_AUTH_ANY, API_NEED_READ, api_companies_show},
    {"PATCH", CO, API_AUTH_ANY, API_NEED_OWNER, api_companies_update},
    {"POST", CO "/tokens", API_AUTH_ANY, API_NEED_OWNER_USER, api_session_token_create},
    {"GET", CO "/tokens", API_AUTH_ANY, API_NEED_OWNER_USER, api_session_token_list},
    {"DELETE", CO "/tokens/{id}", API_AUTH_ANY, API_NEED_OWNER_USER, api_session_token_revoke},

    {"GET", CO "/customers", API_AUTH_ANY, API_NEED_READ, api_customers_list},
    {"POST", CO "/customers", API_AUTH_ANY, API_NEED_WRITE, api_customers_create},
    {"GET", CO "/customers/{id}", API_AUTH_ANY, API_NEED_READ, api_customers_show},
    {"PATCH", CO "/customers/{id}", API_AUTH_ANY, API_NEED_WRITE, api_customers_update},
    {"GET", CO "/customers/{id}/statement", API_AUTH_ANY, API_NEED_READ, api_statements_show},
    {"GET", CO "/customers/{id}/statement.pdf", API_AUTH_ANY, API_NEED_READ, api_statements_pdf},
    {"POST", CO "/customers/{id}/statement/email", API_AUTH_ANY, API_NEED_WRITE,
     api_statements_email},
    {"PUT", CO "/customers/{id}/reminder-stop", API_AUTH_ANY, API_NEED_WRITE,
     api_customers_stop_put},
    {"DELETE", CO "/customers/{id}/reminder-stop", API_AUTH_ANY, API_NEED_WRITE,
     api_customers_stop_delete},
    {"GET", CO "/customers/{id}/ledger", API_AUTH_ANY, API_NEED_READ, api_ledger_customer},
    {"GET", CO "/ledger", API_AUTH_ANY, API_NEED_READ, api_ledger_page},

    {"GET", CO "/invoices", API_AUTH_ANY, API_NEED_READ, api_invoices_list},
    {"POST", CO "/invoices", API_AUTH_ANY, API_NEED_WRITE, api_invoices_create},
    {"GET", CO "/invoices/counts", API_AUTH_ANY, API_NEED_READ, api_invoices_counts},
    {"GET", CO "/invoices/{id}", API_AUTH_ANY, API_NEED_READ, api_invoices_show},
    {"GET", CO "/invoices/by-number/{number}", API_AUTH_ANY, API_NEED_READ,
     api_invoices_show_by_number},
    {"GET", CO "/invoices/{id}/history", API_AUTH_ANY, API_NEED_READ, api_invoices_history},
    {"PUT", CO "/invoices/{id}/reminder-stop", API_AUTH_ANY, API_NEED_WRITE, api_invoices_stop_put},
    {"DELETE", CO "/invoices/{id}/reminder-stop", API_AUTH_ANY, API_NEED_WRITE,
     api_invoices_stop_delete},
    {"POST", CO "/invoices/{id}/payments", API_AUTH_ANY, API_NEED_WRITE,
     api_invoices_payment_create},
    {"POST", CO "/invoices/{id}/credit-notes", API_AUTH_ANY, API_NEED_WRITE,
     api_credit_notes_create},
    {"GET", CO "/invoices/{id}/credit-notes", API_AUTH_ANY, API_NEED_READ, api_credit_notes_list},
    {"POST", CO "/credit-notes", API_AUTH_ANY, API_NEED_WRITE, api_credit_notes_create_free},
    {"GET", CO "/credit-notes/{id}", API_AUTH_ANY, API_NEED_READ, api_credit_notes_show},
    {"GET", CO "/credit-notes/{id}/credit-note.pdf", API_AUTH_ANY, API_NEED_READ,
     api_credit_notes_pdf},

    /* ---- reminder policies and the daily dunning run ---- */
    {"GET", CO "/dunning/policy", API_AUTH_ANY, API_NEED_READ, api_dunning_policy_show},
    {"PUT", CO "/dunning/policy", API_AUTH_ANY, API_NEED_WRITE, api_dunning_policy_put},
    {"GET", CO "/customers/{id}/dunning-policy", API_AUTH_ANY, API_NEED_READ,
     api_dunning_customer_policy_show},
    {"PUT", CO "/customers/{id}/dunning-policy", API_AUTH_ANY, API_NEED_WRITE,
     api_dunning_customer_policy_put},
    {"DELETE", CO "/customers/{id}/dunning-policy", API_AUTH_ANY, API_NEED_WRITE,
     api_dunning_customer_policy_delete},
    {"GET", CO "/dunning/runs", API_AUTH_ANY, API_NEED_READ, api_dunning_runs_list},
    {"POST", CO "/dunning/runs", API_AUTH_ANY, API_NEED_WRITE, api_dunning_run_create},
    {"GET", CO "/dunning/runs/{id}", API_AUTH_ANY, API_NEED_READ, api_dunning_run_show},
    {"POST", CO "/dunning/runs/{id}/approve", API_AUTH_ANY, API_NEED_WRITE,
     api_dunning_run_approve},
    {"GET", CO "/dunning/runs/{id}/letters.pdf", API_AUTH_ANY, API_NEED_READ,
     api_dunning_run_letters},

    /* ---- reminders, customer loss, vouchers, SIE, BgMax, aging ---- */
    {"POST", CO "/invoices/{id}/reminders", API_AUTH_ANY, API_NEED_WRITE, api_reminders_create},
    {"GET", CO "/invoices/{id}/reminders/{rid}/letter.pdf", API_AUTH_ANY, API_NEED_READ,
     api_reminders_letter},
    {"POST", CO "/reminders", API_AUTH_ANY, API_NEED_WRITE, api_reminders_bulk},
    {"GET", CO "/reminders/batches/{batch_id}/letters.pdf", API_AUTH_ANY, API_NEED_READ,
     api_reminders_batch_letters},
    {"GET", CO "/mails", API_AUTH_ANY, API_NEED_READ, api_mails_list},
    {"POST", CO "/invoices/{id}/reminders/{rid}/email", API_AUTH_ANY, API_NEED_WRITE,
     api_mails_queue},
    {"GET", CO "/webhooks", API_AUTH_ANY, API_NEED_READ, api_webhooks_list},
    {"POST", CO "/webhooks", API_AUTH_ANY, API_NEED_OWNER, api_webhooks_create},
    {"DELETE", CO "/webhooks/{id}", API_AUTH_ANY, API_NEED_OWNER, api_webhooks_delete},
    {"GET", CO "/webhooks/deliveries", API_AUTH_ANY, API_NEED_READ, api_webhooks_deliveries},
    {"POST", CO "/webhooks/deliveries/{id}/resend", API_AUTH_ANY, API_NEED_WRITE,
     api_webhooks_resend},
    {"POST", CO "/invoices/{id}/customer-loss", API_AUTH_ANY, API_NEED_WRITE, api_loss_create},
    {"GET", CO "/vouchers", API_AUTH_ANY, API_NEED_READ, api_books_vouchers},
    {"GET", CO "/export/sie", API_AUTH_ANY, API_NEED_READ, api_books_sie},
    {"POST", CO "/payments/bgmax", API_AUTH_ANY, API_NEED_WRITE, api_books_bgmax},
    {"POST", CO "/payments/camt054", API_AUTH_ANY, API_NEED_WRITE, api_books_camt054},
    {"GET", CO "/payments/unmatched", API_AUTH_ANY, API_NEED_READ, api_books_unmatched_list},
    {"POST", CO "/payments/unmatched/{id}/confirm", API_AUTH_ANY, API_NEED_WRITE,
     api_books_unmatched_confirm},
    {"GET", CO "/receivables/aging", API_AUTH_ANY, API_NEED_READ, api_books_aging},
    {"GET", CO "/reports/dunning", API_AUTH_ANY, API_NEED_READ, api_reports_dunning},
    {"GET", CO "/reports/receivables", API_AUTH_ANY, API_NEED_READ, api_reports_receivables},
    {"GET", CO "/books-lock", API_AUTH_ANY, API_NEED_READ, api_rules_lock_show},
    {"PUT", CO "/books-lock", API_AUTH_ANY, API_NEED_OWNER, api_rules_lock_update},
    {"GET", CO "/reference-rates", API_AUTH_ANY, API_NEED_READ, api_rules_rates_list},
    {"POST", CO "/reference-rates", API_AUTH_ANY, API_NEED_OWNER_USER, api_rules_rates_add},
    /* ---- end books ---- */

    /* ---- the hand-over to Visma Amili ---- */
    {"GET", CO "/amili", API_AUTH_ANY, API_NEED_READ, api_amili_show},
    {"POST", CO "/amili/activation", API_AUTH_ANY, API_NEED_OWNER, api_amili_activate},
    {"POST", CO "/amili/handovers", API_AUTH_ANY, API_NEED_WRITE, api_amili_handover},
    {"GET", CO "/amili/handovers/{batch_id}", API_AUTH_ANY, API_NEED_READ, api_amili_batch_show},
    /* ---- end Amili hand-over ---- */
};

const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);

/* ---- a BgMax file is sent as it is, up to 16 MiB
 * (10 000 payments with names and addresses take about 2 MB); a camt.054
 * file likewise, up to 32 MiB (XML is wordy: 10 000 payments with names
 * and references take about 5 MB, a bank's fuller records more). ---- */
#define BGMAX_BODY_MAX   (16u * 1024 * 1024)
#define CAMT054_BODY_MAX (32u * 1024 * 1024)

const struct api_route_body api_route_bodies[] = {
    {"POST", CO "/payments/bgmax", "text/plain,application/octet-stream", BGMAX_BODY_MAX,
     "bgmax_media_type"},
    {"POST", CO "/payments/camt054", "application/xml,text/xml,application/octet-stream",
     CAMT054_BODY_MAX, "camt054_media_type"},
};

const size_t api_route_bodies_count = sizeof(api_route_bodies) / sizeof(api_route_bodies[0]);

const struct api_route_body *api_routes_body_rules(const struct api_route *route)
{
    size_t i;

    for (i = 0; route && i < api_route_bodies_count; i++) {
        if (!strcmp(api_route_bodies[i].method, route->method) &&
            !strcmp(api_route_bodies[i].pattern, route->pattern))
            return &api_route_bodies[i];
    }
    return NULL;
}
/* ---- end books ---- */
