/*
 * store_unmatched.h — bank payments that matched no invoice, held until a
 * person places them, and the customer each payer bankgiro is known to
 * pay for.
 *
 * Written once in SQL over the storage driver (store_unmatched.c).  The
 * rules of store.h hold: every call takes the company id, errors are
 * detailed on the handle, a call is atomic on its own or joins the
 * caller's transaction.
 */
#ifndef PM_STORE_UNMATCHED_H
#define PM_STORE_UNMATCHED_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct unmatched_payment {
    int64_t company_id;
    int64_t id;
    char file_identity[96];
    int64_t line;
    int date; /* the bank's payment date (a day number) */
    int64_t amount_minor;
    char reference[52];
    char payer_bankgiro[11];
    char payer_name[144];
    char message[512];
    char reason[160];                 /* why it matched nothing (English) */
    int64_t suggested_invoice_id;     /* the invoice its message names; 0 = none */
    int64_t suggested_invoice_number; /* its number (read, not stored); 0 = none */
    int64_t invoice_id;               /* where a person placed it; 0 = open */
    char confirmed_by[STORE_EMAIL_MAX];
    int64_t created_at;
};

/* Insert u (u->id is set). */
enum pm_err store_unmatched_insert(struct store *st, struct unmatched_payment *u);
/* PM_ERR_NOT_FOUND (field id) when the company has no such payment. */
enum pm_err store_unmatched_get(struct store *st, int64_t company_id, int64_t id,
                                struct unmatched_payment *out);
/* The open ones (not placed), oldest first, into out[0..cap), each with
 * its suggested invoice's number. */
enum pm_err store_unmatched_list_open(struct store *st, int64_t company_id,
                                      struct unmatched_payment *out, size_t cap, size_t *n);
/* Place an open payment on invoice_id; PM_ERR_CONFLICT (field id) when it
 * was placed already. */
enum pm_err store_unmatched_place(struct store *st, int64_t company_id, int64_t id,
                                  int64_t invoice_id, const char *by);

/* Remember that payer bankgiro bg (10 digits) paid for customer_id. */
enum pm_err store_unmatched_payer_put(struct store *st, int64_t company_id, const char *bg,
                                      int64_t customer_id);
/* The customer payer bankgiro bg paid for last (0: unknown). */
enum pm_err store_unmatched_payer_get(struct store *st, int64_t company_id, const char *bg,
                                      int64_t *customer_id);

#endif
