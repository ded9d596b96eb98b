/*
 * app_invoices.h — issuing an invoice.
 *
 * Part of src/app.  The invoice arrives validated and with its totals
 * computed (the edges decode it with core/invoice.h); this is what the
 * company's books and history make of it.
 */
#ifndef PM_APP_INVOICES_H
#define PM_APP_INVOICES_H

#include <stddef.h>

#include "app/app.h"
#include "app/app_reminder_stops.h"
#include "core/interest.h"
#include "store/store_agency.h"
#include "store/store_books.h"

#define APP_PAYMENTS_MAX 1000 /* payments of one invoice that are read */

/* Store a new invoice of the company with its lines and buyers: the
 * customer must exist (invalid_value, field customer_id), a number in use
 * is duplicate_number (field number).  Sets inv->id, company_id,
 * customer_name (and number when 0), adds the "created" history event and
 * books the invoice's voucher (app_invoices_issued).  Runs in the
 * caller's transaction. */
enum pm_err app_invoices_create(const struct app_ctx *ax, struct invoice *inv,
                                const struct invoice_line_row *lines, size_t n_lines,
                                const struct invoice_buyer *buyers, size_t n_buyers,
                                struct app_error *e);

/* ---- reads: they need ax->company_id only ---- */

/* The id of the company's invoice numbered number (404 when none). */
enum pm_err app_invoices_id_by_number(const struct app_ctx *ax, int64_t number, int64_t *invoice_id,
                                      struct app_error *e);

/* The invoice invoice_id into *inv. */
enum pm_err app_invoices_get(const struct app_ctx *ax, int64_t invoice_id, struct invoice *inv,
                             struct app_error *e);

/* One page of the invoice list: q as the store takes it (store.h). */
enum pm_err app_invoices_list(const struct app_ctx *ax, const struct invoice_query *q,
                              struct invoice *out, size_t cap, size_t *n, struct app_error *e);

/* The number of invoices per list filter on ax->today. */
enum pm_err app_invoices_counts(const struct app_ctx *ax, int64_t counts[FILTER_COUNT],
                                struct app_error *e);

#define APP_HISTORY_MAX 10000 /* events of one invoice that are read */

/* Called with each history event of an invoice, oldest first; its result
 * stops the listing when not PM_OK. */
typedef enum pm_err (*app_history_each)(void *arg, const struct history_event *ev);

/* The history of invoice_id (not_found when there is no such invoice). */
enum pm_err app_invoices_history(const struct app_ctx *ax, int64_t invoice_id,
                                 app_history_each each, void *arg, struct app_error *e);

/* What reduced inv's capital and when, for late-payment interest: each
 * payment on its date and a credit note from the due date, as negative
 * changes in *ch (malloc'ed, *n of them; free() it). */
enum pm_err app_invoices_capital_changes(const struct app_ctx *ax, const struct invoice *inv,
                                         struct capital_change **ch, size_t *n,
                                         struct app_error *e);

/* The invoice as its page shows it, with interest up to as_of. */
struct app_invoice_view {
    struct invoice inv;
    struct invoice_line_row *lines; /* malloc'ed, n_lines of them */
    size_t n_lines;
    struct invoice_buyer buyers[STORE_BUYERS_MAX];
    size_t n_buyers;
    /* late-payment interest on the customer's part up to as_of; a day
     * past the known reference rates gives rate_unknown from the day after
     * the due date, never a guess; none once a customer loss is
     * registered (the claim is written down or off) */
    struct interest_result interest;
    /* the reference rate of the last interest day (its half-year and
     * source), when one is known */
    struct rate_period rate;
    bool have_rate;
    /* the invoice's books: an expected loss (expected_loss_minor, net)
     * or a confirmed one (loss.gross_minor > 0) */
    struct invoice_books books;
    /* the invoice's and its customer's stops of reminders, and which holds
     * today; the days of a stop set "no interest" are left out of
     * `interest` */
    struct app_invoice_stops stops;
};

enum pm_err app_invoices_view(const struct app_ctx *ax, int64_t invoice_id, int32_t as_of,
                              struct app_invoice_view *v, struct app_error *e);
void app_invoices_view_release(struct app_invoice_view *v);

/* The voucher of a new invoice (accrual-method companies; nothing for the
 * cash method, whose sales are booked when paid). */
enum pm_err app_invoices_issued(const struct app_ctx *ax, const struct invoice *inv,
                                struct app_error *e);

#endif
