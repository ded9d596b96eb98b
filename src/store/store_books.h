/*
 * store_books.h — what the money side keeps: manual reminders and their
 * letters, per-invoice charges and losses, vouchers (verifikationer),
 * imported BgMax files, and the sums behind the receivables aging.
 *
 * Written once in SQL over the storage driver: store_books.c (reminders,
 * per-invoice books, BgMax, aging) and store_vouchers.c.  The rules of
 * store.h hold: every call takes the company id, errors are detailed on
 * the handle, a call is atomic on its own or joins the caller's
 * transaction.
 *
 * Vouchers are immutable.  What may be booked and how vouchers are
 * numbered are core/voucher.h's rules (voucher_check, voucher_year,
 * voucher_next_number), applied before anything is written; the database
 * holds the same line underneath (migration 1's triggers: the rows go in
 * first, then the head, whose trigger refuses it unless its rows balance;
 * nothing can change or delete them afterwards).  Corrections are new
 * vouchers.
 */
#ifndef PM_STORE_BOOKS_H
#define PM_STORE_BOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/voucher.h"
#include "store/store.h"

#define STORE_LETTER_MAX 16384 /* the letter's snapshot (JSON text) */

/* A manual reminder as issued. */
struct reminder {
    int64_t company_id;
    int64_t id; /* set by reminder_insert */
    int64_t invoice_id;
    int64_t batch_id; /* 0 = made alone */
    int level;        /* the level of a dunning run's reminder; 0 = manual */
    int32_t date;
    int64_t fee_minor;
    int64_t late_compensation_minor;
    int64_t interest_minor;
    int interest_rate_bp; /* of the last interest day */
    int32_t period_from;  /* interest period; 0 when none */
    int32_t period_to;
    int64_t earlier_charges_minor;
    int64_t total_due_minor;
    int32_t new_due_date;
    char ocr[32];
    /* Everything the letter shows (JSON object text), so that it can be
     * printed again exactly as sent. */
    char letter[STORE_LETTER_MAX];
    int64_t created_at;
};

struct reminder_batch {
    int64_t company_id;
    int64_t id;
    int64_t total; /* reminders made */
    int64_t created_at;
};

/* The money side of one invoice beyond its capital (no row = all zero). */
struct invoice_books {
    int64_t company_id;
    int64_t invoice_id;
    int64_t fee_charged_minor;          /* reminder fee charged (once) */
    int64_t compensation_charged_minor; /* förseningsersättning claimed (once) */
    int64_t fees_paid_minor;            /* of both */
    int64_t interest_charged_minor;     /* interest claimed by the latest reminder */
    int64_t interest_paid_minor;
    int64_t expected_loss_minor; /* net written down on 1519, not yet reversed */
    struct voucher_loss loss;    /* the confirmed loss, gross 0 = none */
    int64_t recovered_minor;     /* of the confirmed loss, received later */
};

/* One account's balance (debit positive). */
struct account_balance {
    int account;
    int64_t balance_minor;
};

/* ---- reminders ---- */

/* Insert a reminder (sets r->id, and r->created_at when 0); pdf (may be
 * NULL) is the letter as printed.  Increments the invoice's
 * manual_reminders in the same transaction; PM_ERR_NOT_FOUND
 * ("invoice_id") when the company has no such invoice. */
enum pm_err store_books_reminder_insert(struct store *st, struct reminder *r, const void *pdf,
                                        size_t pdf_len);
/* The reminder id of invoice_id (PM_ERR_NOT_FOUND, "reminder_id"); *pdf
 * (when pdf is not NULL) is a malloc'ed copy of the stored PDF the caller
 * frees, or NULL. */
enum pm_err store_books_reminder_get(struct store *st, int64_t company_id, int64_t invoice_id,
                                     int64_t id, struct reminder *out, void **pdf, size_t *pdf_len);
/* Reminders of a batch by id, after id after_id. */
enum pm_err store_books_reminder_list_batch(struct store *st, int64_t company_id, int64_t batch_id,
                                            int64_t after_id, struct reminder *out, size_t cap,
                                            size_t *n);
/* Insert a batch (sets b->id, and b->created_at when 0). */
enum pm_err store_books_reminder_batch_insert(struct store *st, struct reminder_batch *b);
/* Store the batch's merged letters (PM_ERR_NOT_FOUND, "batch_id"). */
enum pm_err store_books_reminder_batch_put_pdf(struct store *st, int64_t company_id,
                                               int64_t batch_id, const void *pdf, size_t len);
/* *pdf is malloc'ed (NULL when not stored); PM_ERR_NOT_FOUND, "batch_id". */
enum pm_err store_books_reminder_batch_get(struct store *st, int64_t company_id, int64_t batch_id,
                                           struct reminder_batch *out, void **pdf, size_t *len);

/* ---- per-invoice books ---- */

/* All zero when nothing was written for the invoice. */
enum pm_err store_books_invoice_get(struct store *st, int64_t company_id, int64_t invoice_id,
                                    struct invoice_books *out);
/* Write the invoice's row whole.  PM_ERR_INVALID ("loss") for VAT at 0 %
 * or parts that do not add up, PM_ERR_NOT_FOUND for no such invoice. */
enum pm_err store_books_invoice_put(struct store *st, const struct invoice_books *b);
/* The last date of the invoice's payments and credit notes (0: none). */
enum pm_err store_books_invoice_last_movement(struct store *st, int64_t company_id,
                                              int64_t invoice_id, int32_t *out);
/* Mark the invoice written off (a confirmed customer loss);
 * PM_ERR_NOT_FOUND ("invoice_id"). */
enum pm_err store_books_invoice_write_off(struct store *st, int64_t company_id, int64_t invoice_id);

/* ---- vouchers (store_vouchers.c) ---- */

/* Check v with voucher_check() (PM_ERR_INVALID, "rows" when it does not
 * balance), number it (per company and fiscal year of v->date, the
 * company's fiscal_year_start_month read in the same transaction, see
 * voucher_year(); sets year and number, and created_at when 0) and store
 * it with the invoice it concerns.  PM_ERR_NOT_FOUND for an invoice the
 * company does not have; a refused voucher leaves nothing and takes no
 * number. */
enum pm_err store_books_voucher_insert(struct store *st, struct voucher *v);
/* v[0..n), all of one company, as store_books_voucher_insert each in
 * order (the same numbers of each fiscal year's series), in one atomic
 * unit: the series read once a year, the rows, heads and invoice links
 * each with one sql_bulk_insert (store_vouchers.c). */
enum pm_err store_books_voucher_insert_batch(struct store *st, struct voucher *v, size_t n);
/* Vouchers dated from..to (inclusive), ordered by year and number,
 * after (after_year, after_number). */
enum pm_err store_books_voucher_list(struct store *st, int64_t company_id, int32_t from, int32_t to,
                                     int after_year, int64_t after_number, struct voucher *out,
                                     size_t cap, size_t *n);
/* Whether the company has booked any voucher. */
enum pm_err store_books_voucher_exists(struct store *st, int64_t company_id, bool *out);
/* Balance per account of all vouchers dated before `before`, by account;
 * PM_ERR_RANGE when there are more than cap accounts. */
enum pm_err store_books_voucher_balances(struct store *st, int64_t company_id, int32_t before,
                                         struct account_balance *out, size_t cap, size_t *n);

/* ---- BgMax ---- */

/* Remember an imported BgMax file or deposit by its identity (its first
 * 256 bytes; at 0 = now); PM_ERR_CONFLICT ("file_identity") when it was
 * imported before — which leaves a caller's transaction usable. */
enum pm_err store_books_bgmax_remember(struct store *st, int64_t company_id, const char *identity,
                                       int64_t at);

/* ---- aging ---- */

/* The SEK receivables as they stood at the end of as_of: invoices issued
 * by then, not credited in full and not written off as a confirmed loss by
 * then, less the capital of the payments dated by then (a partial credit
 * counts from the invoice's date: credits carry no date of their own);
 * those with something left, summed per due date: fn(ctx, due date, how
 * many, what remains) for each due date, in order. */
enum pm_err store_books_receivables_on(struct store *st, int64_t company_id, int32_t as_of,
                                       void (*fn)(void *ctx, int32_t due_date, int64_t count,
                                                  int64_t remaining_minor),
                                       void *ctx);

/* Open SEK invoices due in [due_from, due_to]: how many, and what remains. */
enum pm_err store_books_receivables_sum(struct store *st, int64_t company_id, int32_t due_from,
                                        int32_t due_to, int64_t *count, int64_t *remaining);

#endif
