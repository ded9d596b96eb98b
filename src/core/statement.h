/*
 * statement.h — a customer statement (kontoutdrag): the open items of one
 * customer as of a date, with the interest accrued on each to that date,
 * and the period of payments and credits it reports.
 *
 * Part of core/: pure.  What an item owes is the invoice's own rule, seen
 * as of the statement's date: the customer's part of the invoice, less
 * the credit notes dated on or before that date and the capital of the
 * payments dated on or before it.  Its interest is the reminders' rule
 * (interest.h, räntelagen 6 §: the reference rate of each half-year + 8
 * percentage points, actual/365, from the day after the due date through
 * the statement's date, summed exactly and rounded once): a payment
 * reduces the capital from the day after it was paid, a credit note from
 * the due date (it corrects the invoice, so no interest ran on what it
 * credits — as app_invoices_capital_changes() gives reminders), the days
 * of a stop with "no interest" are left out, and interest the customer
 * has paid already (the interest part of payments up to the date) is
 * deducted.  Days past the known reference rates are reported (rate
 * unknown, with an estimate), never guessed.
 *
 * The period is from..to, both inclusive, from <= to; by default the
 * three months up to the as-of date (to = as_of, from = the day after the
 * same day three months earlier).
 */
#ifndef PM_STATEMENT_H
#define PM_STATEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/interest.h"
#include "util/err.h"

#define STATEMENT_OCR_MAX 32

/* A payment or credit note of an invoice. */
enum statement_move_kind { STATEMENT_PAYMENT, STATEMENT_CREDIT };

struct statement_move {
    enum statement_move_kind kind;
    int32_t date;
    int64_t amount_minor; /* of the capital (a payment's capital part; a credit's customer part) */
    int64_t interest_minor; /* of a payment: what it paid of interest */
};

/* One invoice as the store keeps it. */
struct statement_invoice {
    int64_t invoice_id;
    int64_t number;
    int32_t invoice_date;
    int32_t due_date;
    int64_t amount_minor; /* the customer's part */
    const struct statement_move *moves;
    size_t n_moves;
    const struct interest_pause *pauses; /* days without interest */
    size_t n_pauses;
    bool no_interest; /* no interest at all (a loss written down) */
};

/* The invoice as the statement shows it. */
struct statement_item {
    int64_t invoice_id;
    int64_t number;
    int32_t invoice_date;
    int32_t due_date;
    int64_t amount_minor;
    int64_t paid_minor;      /* capital paid on or before as_of */
    int64_t credited_minor;  /* credited on or before as_of */
    int64_t remaining_minor; /* amount - paid - credited */
    int64_t interest_minor;  /* accrued to as_of, less interest paid; never negative */
    int32_t interest_days;   /* days with interest */
    int32_t rate_bp;         /* the interest rate of the last day counted; 0 = none */
    bool rate_unknown;       /* some days lie past the known rates */
    int32_t unknown_from;
    int64_t estimate_minor;      /* the interest with the last known rate carried forward */
    int32_t days_overdue;        /* as_of - due_date when overdue, else 0 */
    char ocr[STATEMENT_OCR_MAX]; /* the invoice's OCR reference (number with check and length
                                    digits) */
};

struct statement_totals {
    int64_t items;
    int64_t remaining_minor;
    int64_t interest_minor;
    int64_t total_minor;   /* remaining + interest: to pay */
    int64_t overdue_minor; /* remaining of the overdue items */
    bool rate_unknown;
};

/* The item of inv as of as_of (inv->invoice_date <= as_of).  *open false
 * when nothing is left of it on that date.  PM_ERR_RANGE on overflow. */
enum pm_err statement_item_compute(const struct rate_table *rates,
                                   const struct statement_invoice *inv, int32_t as_of,
                                   struct statement_item *out, bool *open);

/* Add item to the totals (start from all zero). */
enum pm_err statement_totals_add(struct statement_totals *t, const struct statement_item *item);

/* The period when the caller names none: (as_of three months back) + 1
 * .. as_of. */
void statement_default_period(int32_t as_of, int32_t *from, int32_t *to);

/* A period must not end before it starts: PM_ERR_INVALID on field "from"
 * when from > to. */
enum pm_err statement_period_check(int32_t from, int32_t to, struct pm_error *e);

/* The OCR reference of invoice number (its digits, a length digit and a
 * Luhn check digit: idnum.h's ocr_make, as reminders print it). */
enum pm_err statement_ocr(int64_t number, char *dst, size_t cap);

#endif
