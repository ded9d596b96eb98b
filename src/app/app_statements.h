/*
 * app_statements.h — customer statements (kontoutdrag): one customer's
 * open items as of a date with interest to that date, the payments and
 * credit notes of a period, as data (the API's JSON), as a PDF letter,
 * and queued as an e-mail with the PDF attached.
 *
 * Part of src/app.  The store reads (store_statements.h), core computes
 * (core/statement.h: remaining and interest per item, the totals — the
 * interest as reminders compute it, stops with "no interest" included),
 * the letter layer renders (letter_statement_pdf), and the e-mail goes
 * through the mail outbox (a row of kind "statement" carrying its text and
 * PDF, delivered by the mail dispatcher as reminders are: app_mail.h).
 * Invoices with the collection agency and those written down as an
 * expected loss are listed without interest (the agency claims it).
 * Only SEK invoices are on a statement.  A statement never leaves a row
 * out: more than STORE_STATEMENT_ITEMS_MAX open invoices, or more than
 * STORE_STATEMENT_MOVES_MAX payments and credit notes of one invoice or
 * of the period, is refused (out_of_range on "id" or "from").
 */
#ifndef PM_APP_STATEMENTS_H
#define PM_APP_STATEMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/statement.h"
#include "store/store_mail.h"
#include "store/store_statements.h"
#include "util/buf.h"

struct app_statement_item {
    struct statement_item item;
    bool with_agency; /* handed over: no interest on the statement */
};

struct app_statement {
    int32_t as_of, from, to;
    struct customer customer;
    struct company company;
    bool english;
    struct app_statement_item *items;
    size_t n_items;
    struct statement_move_row *moves; /* of the period, by date */
    size_t n_moves;
    int64_t paid_minor, credited_minor; /* in the period */
    struct statement_totals totals;
};

/* The dates of a request: as_of 0 means today; from and to 0 mean the
 * default period (statement_default_period).  PM_ERR_INVALID on "from"
 * when from > to. */
enum pm_err app_statement_dates(const struct app_ctx *ax, int32_t *as_of, int32_t *from,
                                int32_t *to, struct app_error *e);

/* The statement of customer_id (not_found on "id" when the company has no
 * such customer).  app_statement_release() frees it. */
enum pm_err app_statement_build(const struct app_ctx *ax, int64_t customer_id, int32_t as_of,
                                int32_t from, int32_t to, struct app_statement *out,
                                struct app_error *e);
void app_statement_release(struct app_statement *s);

/* The statement as a PDF (appended to *pdf) and its file name. */
enum pm_err app_statement_pdf(const struct app_statement *s, struct buf *pdf, char *name,
                              size_t cap, struct app_error *e);

/* Queue the statement as an e-mail to the customer's address, in the
 * customer's language, with the PDF attached, in the caller's transaction;
 * *out the queued mail.  missing_email (field "email") when the customer
 * has no usable address. */
enum pm_err app_statement_email(const struct app_ctx *ax, const struct app_statement *s,
                                struct mail_row *out, struct app_error *e);

#endif
