/*
 * store_credit_notes.h — credit notes (kreditfakturor), as stored.
 *
 * Written once in SQL over the storage driver (store_credit_notes.c).  The
 * rules of store.h hold: every call takes the company id, errors are
 * detailed on the handle, a call is atomic on its own or joins the
 * caller's transaction.  What a credit note credits is core/credit_note.h's
 * rule; the store numbers it, keeps it and applies its customer part to
 * the invoice's credited and remaining amounts and state.
 */
#ifndef PM_STORE_CREDIT_NOTES_H
#define PM_STORE_CREDIT_NOTES_H

#include <stddef.h>
#include <stdint.h>

#include "core/credit_note.h"
#include "store/store.h"

#define STORE_CREDIT_NOTES_MAX 100 /* of one invoice, listed at once */

struct credit_note_row {
    int64_t company_id;
    int64_t id;
    int64_t number;     /* the company's credit-note series, 1, 2, 3 ... */
    int64_t invoice_id; /* 0: free-standing */
    int64_t customer_id;
    int date;
    char reason[CREDIT_NOTE_REASON_MAX + 1];
    int64_t net_25_minor, net_12_minor, net_6_minor, net_0_minor;
    int64_t vat_25_minor, vat_12_minor, vat_6_minor;
    int64_t total_minor;
    int64_t tax_reduction_minor;
    int64_t customer_part_minor;
    int voucher_year;
    int64_t voucher_number; /* 0: not booked (kontantmetoden) */
    char created_by[STORE_EMAIL_MAX];
    int64_t created_at;
};

/* The row's amounts as core's struct, and back. */
void store_credit_note_amounts(const struct credit_note_row *r, struct credit_note_amounts *out);
void store_credit_note_set_amounts(struct credit_note_row *r, const struct credit_note_amounts *a);

/* Store c: its id and number are taken here (c->id, c->number set), and
 * when it is against an invoice, its customer part is added to the
 * invoice's credited amount (remaining and state follow:
 * invoice_state_derive).  PM_ERR_RANGE on "amount_minor" when the
 * invoice has less left than that. */
enum pm_err store_credit_note_insert(struct store *st, struct credit_note_row *c);
/* Note the voucher that booked credit note id. */
enum pm_err store_credit_note_voucher(struct store *st, int64_t company_id, int64_t id, int year,
                                      int64_t number);
enum pm_err store_credit_note_get(struct store *st, int64_t company_id, int64_t id,
                                  struct credit_note_row *out);
/* The credit notes of invoice_id, oldest first, at most cap. */
enum pm_err store_credit_note_list(struct store *st, int64_t company_id, int64_t invoice_id,
                                   struct credit_note_row *out, size_t cap, size_t *n);
/* The sum of what the credit notes of invoice_id credited. */
enum pm_err store_credit_note_sum(struct store *st, int64_t company_id, int64_t invoice_id,
                                  struct credit_note_amounts *out);

#endif
