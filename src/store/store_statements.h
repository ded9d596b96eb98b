/*
 * store_statements.h — what a customer statement (kontoutdrag) reads: a
 * customer's invoices that may be open on a date, the payments and
 * credit notes of one invoice up to a date, and the payments and credit
 * notes of a customer within a period.
 *
 * Written once in SQL over the storage driver (store_statements.c).  The
 * rules of store.h hold: every call takes the company id.  Only reads:
 * what is open and what it owes is core/statement.h's rule; the first
 * query only narrows the invoices down with the same sums (the
 * customer's part less the credit notes and the capital paid up to the
 * date), as the receivables aging "as of" does (store_books_receivables_on):
 * SEK invoices issued on or before the date, not fully credited, not
 * written off by a confirmed loss by then.
 */
#ifndef PM_STORE_STATEMENTS_H
#define PM_STORE_STATEMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_STATEMENT_ITEMS_MAX 1000 /* open items of one statement */
#define STORE_STATEMENT_MOVES_MAX 500  /* moves of one invoice, or of a period */

struct statement_invoice_row {
    int64_t id;
    int64_t number;
    int invoice_date;
    int due_date;
    int64_t customer_part_minor;
    int64_t credited_minor;      /* on the invoice now (all its credits) */
    int64_t credit_notes_minor;  /* of its credit notes, of every date */
    int64_t expected_loss_minor; /* written down on 1519, not reversed */
};

/* A payment ("payment") or credit note ("credit"). */
struct statement_move_row {
    char kind[12];
    int64_t id;
    int64_t invoice_id; /* 0: a free-standing credit note */
    int64_t invoice_number;
    int64_t number; /* a credit note's number; 0 for a payment */
    int date;
    int64_t amount_minor;                /* a payment's capital; a credit note's customer part */
    int64_t interest_minor;              /* of a payment */
    int64_t fees_minor;                  /* of a payment */
    char reference[STORE_SHORT_MAX * 2]; /* a payment's reference; a credit note's reason (cut) */
};

/* The customer's invoices with something left on as_of, by due date and
 * number, up to cap. */
enum pm_err store_statement_invoices(struct store *st, int64_t company_id, int64_t customer_id,
                                     int32_t as_of, struct statement_invoice_row *out, size_t cap,
                                     size_t *n);

/* The payments and credit notes of invoice_id dated on or before to, by
 * date, up to cap. */
enum pm_err store_statement_invoice_moves(struct store *st, int64_t company_id, int64_t invoice_id,
                                          int32_t to, struct statement_move_row *out, size_t cap,
                                          size_t *n);

/* The payments on the customer's invoices and the customer's credit
 * notes (free-standing ones too) dated from..to, by date, up to cap. */
enum pm_err store_statement_period(struct store *st, int64_t company_id, int64_t customer_id,
                                   int32_t from, int32_t to, struct statement_move_row *out,
                                   size_t cap, size_t *n);

#endif
