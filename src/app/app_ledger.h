/*
 * app_ledger.h — the customer ledger (kundreskontra) as of a date: the
 * page of customers with their balances on account 1510 and the company's
 * totals, and one customer's page — balance, open items, free-standing
 * credit notes, reminders, agency cases, and the next and previous
 * customer with a balance.
 *
 * Part of src/app.  Reads only; each operation runs in one transaction so
 * that its statements see the same books.  What the balance sums is
 * store/store_ledger.h's (docs/books.md, "The customer ledger").
 */
#ifndef PM_APP_LEDGER_H
#define PM_APP_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "app/app_error.h"
#include "store/store_ledger.h"

#define APP_LEDGER_ITEMS_MAX     200 /* open items on a customer's page */
#define APP_LEDGER_CREDITS_MAX   50
#define APP_LEDGER_REMINDERS_MAX 100
#define APP_LEDGER_CASES_MAX     50

/* A page of the ledger.  rows[cap]: the caller's; one more than a page is
 * asked for to know whether there is a next. */
struct app_ledger_page {
    int32_t as_of;
    bool open_only;
    int64_t after_id; /* the previous page's last customer; 0 = first page */
    struct ledger_row *rows;
    size_t cap, n;
    struct ledger_totals totals;
};

/* One customer's page. */
struct app_ledger_customer {
    int32_t as_of;
    struct customer customer;
    struct ledger_row line;
    struct ledger_item items[APP_LEDGER_ITEMS_MAX];
    size_t n_items;
    struct ledger_credit credits[APP_LEDGER_CREDITS_MAX];
    size_t n_credits;
    struct ledger_reminder reminders[APP_LEDGER_REMINDERS_MAX];
    size_t n_reminders;
    struct ledger_case cases[APP_LEDGER_CASES_MAX];
    size_t n_cases;
    int64_t next_id; /* next customer with a balance; 0 = none */
    int64_t prev_id;
};

/* The page and the totals on p->as_of.  A date after today is refused
 * (out_of_range on as_of): the ledger is what was booked. */
enum pm_err app_ledger_page(const struct app_ctx *ax, struct app_ledger_page *p,
                            struct app_error *e);

/* Customer customer_id's page on as_of (not_found on customer_id). */
enum pm_err app_ledger_customer(const struct app_ctx *ax, int64_t customer_id, int32_t as_of,
                                struct app_ledger_customer *out, struct app_error *e);

#endif
