/*
 * app.h — the application layer of Påminn: every user-level operation
 * written once, for the HTTP API (src/api) and the command line (src/cli).
 *
 * Layers: util -> core -> store / agency / letter -> app -> api, cli.  An
 * operation takes plain C structs, does what the user asked — store calls,
 * vouchers, outbox messages to the agency, history events — and returns an
 * enum pm_err with the reason in a struct app_error (app_error.h).  It
 * knows nothing of HTTP, JSON bodies or argv; the edges turn their input
 * into its arguments and its results into their answers.
 *
 * Transactions: an operation that writes runs inside the caller's store
 * transaction, so that all it writes — and, over HTTP, the request's
 * idempotency record — commits or rolls back together.  The HTTP server
 * opens one per request; other callers use app_atomic().
 *
 * Files: app_payments.c (payments), app_invoices.c (issuing, the invoice
 * page, lists, history), app_customers.c, app_companies.c (and their
 * users), app_sessions.c (login, API tokens), app_reminders.c,
 * app_dunning.c (reminder policies and the daily run), app_loss.c
 * (customer losses), app_credit_notes.c (credit notes), app_handover.c
 * and app_activation.c (Visma Amili), app_bankfile.c (BgMax),
 * app_export.c (vouchers, SIE, aging), app_demo.c (the demo company),
 * app_letter.c (the parties every letter prints), app_overdue.c (invoices
 * falling due).
 * JSON here is what an operation stores (a history
 * event's data, an outbox message, a letter's snapshot) and the few
 * documents that are stored and shown alike (a loss's vouchers, a
 * reminder's interest periods) or given by both edges (the BgMax report).
 */
#ifndef PM_APP_H
#define PM_APP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/app_error.h"
#include "core/voucher.h"
#include "store/store.h"

struct clock;
struct rate_table;
struct agency;
struct camt054_schema;

/* What an operation needs, borrowed for the call. */
struct app_ctx {
    struct store *store;
    const struct clock *clock; /* business time: --now fixes it */
    const struct rate_table *rates;
    struct agency *agency; /* the Visma Amili client; NULL = not configured */
    /* the compiled data/camt054.xsd (bank/camt054.h); NULL = camt.054
     * files are refused */
    const struct camt054_schema *camt054_schema;
    /* the sender address of e-mail (--smtp-from); NULL = no SMTP
     * configured (mails are still queued, and sent once it is) */
    const char *mail_from;
    int64_t company_id; /* the company acted on */
    /* its row, for the operations that need its settings (every write);
     * reads that need only the id run without it (NULL) */
    const struct company *company;
    int32_t today;         /* the company's local date */
    const char *actor;     /* for history: an e-mail, "token:name", "cli" */
    int64_t actor_user_id; /* the user acting (a token's creator); 0 = none */
};

/* Run op(ax, arg, e) in a store transaction of its own for company_id:
 * committed when it returns PM_OK, rolled back otherwise, and run again
 * (up to a few times, with a short pause) when the store reports a
 * transient conflict with another writer.  A failure of op is in *e; a
 * failed BEGIN or COMMIT is its result with e->detail from the store. */
enum pm_err app_atomic(const struct app_ctx *ax,
                       enum pm_err (*op)(const struct app_ctx *ax, void *arg, struct app_error *e),
                       void *arg, struct app_error *e);

/* Bring the store's schema up to date; *applied (may be NULL) = how many
 * migrations ran, those opening the store applied included. */
enum pm_err app_migrate(struct store *st, int *applied, struct app_error *e);

/* ---- services the operations share ---- */

/* A failed store call as the operation's error: rc with the store's
 * detail for the log. */
enum pm_err app_store_failed(const struct app_ctx *ax, enum pm_err rc, struct app_error *e);

/* Add a history event to invoice_id (actor and time from ax); data, a
 * JSON object, is stolen. */
enum pm_err app_history(const struct app_ctx *ax, int64_t invoice_id, const char *kind,
                        const char *message, json_t *data, struct app_error *e);

/* PM_OK when `date` lies after the company's locked period; otherwise
 * books_locked on `field` (422), the lock date in the error's extra
 * {"locked_through": "YYYY-MM-DD"}. */
enum pm_err app_books_open(const struct app_ctx *ax, int32_t date, const char *field,
                           struct app_error *e);

/* The company's lock date (0: nothing locked). */
enum pm_err app_books_locked(const struct app_ctx *ax, int32_t *through, struct app_error *e);

/* Number and store voucher v of the company for invoice_id (0 = none). */
enum pm_err app_book(const struct app_ctx *ax, struct voucher *v, int64_t invoice_id,
                     struct app_error *e);

/* A voucher builder's failure as an internal error naming what was built. */
enum pm_err app_voucher_built(enum pm_err rc, struct app_error *e, const char *what);

/* The facts of an invoice its vouchers need; with_rates computes the
 * totals per VAT rate from the stored lines and the customer's market. */
enum pm_err app_invoice_facts(const struct app_ctx *ax, const struct invoice *inv, bool with_rates,
                              struct voucher_invoice *out, struct app_error *e);

/* "YYYY-MM-DD" of a date as a JSON string (for history data). */
json_t *app_json_date(int32_t date);

#endif
