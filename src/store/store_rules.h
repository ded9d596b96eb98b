/*
 * store_rules.h — what the rules of the books keep beside the invoices:
 * the fees and interest each payment paid, the date up to which a
 * company's books are locked, a buyer's ROT and RUT reductions of a year,
 * and the reference rates an administrator added to the shipped table.
 *
 * Written once in SQL over the storage driver (store_rules.c).  The rules
 * of store.h hold: every company-owned call takes the company id, errors
 * are detailed on the handle, a call is atomic on its own or joins the
 * caller's transaction.
 */
#ifndef PM_STORE_RULES_H
#define PM_STORE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "core/interest.h"
#include "core/rotrut.h"
#include "store/store.h"

/* Record the fees and interest a payment paid.  With p->id set (the row
 * store_payment_insert() wrote for its capital) they are added to that
 * row; with p->id 0 (a payment of only fees and interest) a payment row
 * of no capital is written and p->id set. */
enum pm_err store_rules_payment_charges(struct store *st, struct payment *p, int64_t fees_minor,
                                        int64_t interest_minor);

/* The last day of the company's locked period (0: nothing locked). */
enum pm_err store_rules_books_locked_get(struct store *st, int64_t company_id, int32_t *through);
enum pm_err store_rules_books_locked_put(struct store *st, int64_t company_id, int32_t through);

/* The ROT and RUT reductions the buyer with this (normalised) personal
 * identity number had on the company's invoices dated from..to
 * (inclusive), credited ones aside: each invoice's reduction shared by its
 * buyers as core/rotrut.h shares it. */
enum pm_err store_rules_buyer_reductions(struct store *st, int64_t company_id,
                                         const char *id_number, int32_t from, int32_t to,
                                         struct rotrut_used *out);

/* A reference rate added beside data/reference-rates.csv. */
struct store_rate {
    int32_t valid_from; /* 1 January or 1 July */
    int32_t rate_bp;    /* the reference rate, basis points */
    char source[RATE_SOURCE_MAX];
    char added_by[STORE_EMAIL_MAX];
    int32_t added_on; /* the day it was added (the company's date) */
};

/* Add a rate; PM_ERR_CONFLICT (field valid_from) when that half-year has
 * one already. */
enum pm_err store_rules_rate_add(struct store *st, const struct store_rate *r);
/* The rates added, oldest first, into out[0..cap). */
enum pm_err store_rules_rate_list(struct store *st, struct store_rate *out, size_t cap, size_t *n);

#endif
