/*
 * api_books.h — the money side's operations that more than one caller
 * needs: registering a payment (the payments route, the BgMax import and
 * `paminn import-bgmax` all go through api_books_payment()), the voucher of
 * a new invoice, the BgMax import itself and the SIE export.
 *
 * Each runs inside the caller's store transaction and writes everything of
 * its event there — the payment row, the invoice's balance, the charges
 * paid, the vouchers, the history event and the message to the agency — so
 * that a failure rolls all of it back.  Errors come back as a struct
 * api_error (code, field, and for BgMax the parser's reason in extra), the
 * one shape both the HTTP API and the command line report.
 */
#ifndef PM_API_BOOKS_H
#define PM_API_BOOKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api_error.h"
#include "store/store.h"
#include "util/buf.h"

struct clock;
struct rate_table;

/* What the operations need: borrowed, valid for the call. */
struct api_books_ctx {
    struct store *store;
    const struct clock *clock;
    const struct rate_table *rates;
    const struct company *company;
    int32_t today;     /* the company's local date */
    const char *actor; /* for history events: an e-mail, "token:name", "cli" */
    bool english;
};

struct api_request;

/* Fill *bx for a request: its store, clock, rates, today and actor (into
 * actor[cap]), and the company (read into *co).  Fills r->err on failure. */
enum pm_err api_books_ctx_of_request(struct api_request *r, struct company *co, char *actor,
                                     size_t cap, struct api_books_ctx *bx);

/* Add a history event to invoice_id (actor and time from bx); data, a
 * JSON object, is stolen. */
enum pm_err api_books_history(const struct api_books_ctx *bx, int64_t invoice_id, const char *kind,
                              const char *message, json_t *data, struct api_error *e);

/* How a payment was split and booked. */
struct api_books_payment {
    int64_t payment_id; /* the payment row, 0 when no capital was paid */
    int64_t amount_minor;
    int64_t capital_minor;   /* to the invoice (or recovered after a loss) */
    int64_t fees_minor;      /* reminder fee and förseningsersättning */
    int64_t interest_minor;  /* interest claimed by a reminder */
    int64_t overpaid_minor;  /* beyond everything owed */
    int64_t recovered_minor; /* part of capital that recovers a confirmed loss */
    int64_t remaining_minor; /* left on the invoice afterwards */
    int voucher_year;
    int64_t voucher_number; /* the payment voucher */
    bool reported_to_agency;
};

/* Register amount_minor received on date for invoice_id: capital first,
 * then the fees and interest of its reminders; the rest is an
 * over-payment, refused (422 out_of_range, field amount_minor) unless
 * allow_overpayment.  Books the payment voucher (and, after a confirmed
 * loss, the recovery voucher; with an expected loss, its reversal for the
 * part paid), adds the "payment" history event, and for an invoice with
 * the agency queues a report_payment message. */
enum pm_err api_books_payment(const struct api_books_ctx *bx, int64_t invoice_id, int32_t date,
                              int64_t amount_minor, const char *reference,
                              enum payment_source source, bool allow_overpayment,
                              struct api_books_payment *out, struct api_error *e);

/* The voucher of a new invoice (accrual-method companies; nothing for the
 * cash method, whose sales are booked when paid). */
enum pm_err api_books_invoice_issued(const struct api_books_ctx *bx, const struct invoice *inv,
                                     struct api_error *e);

/* Import a BgMax file: refused whole (bgmax_invalid naming the line, with
 * the reason in e->extra; bgmax_test_file; bankgiro_mismatch;
 * already_imported) or every payment matched and booked.  *report (new
 * reference) is {file_identity, matched, unmatched, overpayments,
 * underpayments, deductions, totals}. */
enum pm_err api_books_bgmax_import(const struct api_books_ctx *bx, const char *data, size_t len,
                                   bool allow_test_file, json_t **report, struct api_error *e);

/* The SIE 4 file of `year`, CP437, appended to *out. */
enum pm_err api_books_sie_export(const struct api_books_ctx *bx, int year, struct buf *out,
                                 struct api_error *e);

#endif
