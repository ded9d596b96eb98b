/*
 * app_demo.h — the demo company of `paminn demo-data`.
 *
 * Part of src/app.
 */
#ifndef PM_APP_DEMO_H
#define PM_APP_DEMO_H

#include <stdint.h>

#include "app/app.h"
#include "util/secret.h"

#define APP_DEMO_EMAIL "demo@example.se" /* the demo company's user */

struct app_demo_options {
    int32_t today;        /* the company's local date: the data follows from it */
    int64_t invoices;     /* 1..1000000 */
    const char *password; /* of the demo user; NULL = a random one */
    int vouchers;         /* 1 = book them, 0 = not, -1 = up to 50 000 invoices */
    /* called with 0 when the checks passed and the writing starts, then
     * after every few thousand invoices written (may be NULL) */
    void (*progress)(void *arg, int64_t invoices_written);
    void *arg;
};

/* What was built. */
struct app_demo_summary {
    struct company company;
    char password[SECRET_TOKEN_HEX]; /* of APP_DEMO_EMAIL */
    size_t customers, persons, businesses, foreign, incomplete;
    size_t invoices, rot, rut, eur, payments;
    int64_t vouchers;
    int64_t counts[FILTER_COUNT]; /* invoices per list filter on today */
};

/* Build the demo company in st (in transactions of its own).  A database
 * that holds the demo user already: conflict on "email". */
enum pm_err app_demo_build(struct store *st, const struct app_demo_options *o,
                           struct app_demo_summary *s, struct app_error *e);

/* The vouchers of company_id's invoices and payments as the demo data
 * wrote them (SEK invoices; invoice vouchers for the accrual method), in
 * transactions of their own; *made = how many.  today is the company's
 * local date. */
enum pm_err app_demo_vouchers(struct store *st, int64_t company_id, int32_t today, int64_t *made);

#endif
