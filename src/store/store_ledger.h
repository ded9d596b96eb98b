/*
 * store_ledger.h — the customer ledger (kundreskontra) as of a date: what
 * each customer owes on account 1510, page by page, the company's totals,
 * the next and previous customer with a balance, and one customer's open
 * items, reminders and agency cases.
 *
 * Written once in SQL over the storage driver (store_ledger.c).  The rules
 * of store.h hold: every call takes the company id, errors are detailed on
 * the handle, a call is atomic on its own or joins the caller's
 * transaction.
 *
 * A customer's balance on a day is summed from the facts the vouchers are
 * booked from, each by its own date (docs/books.md, "The customer
 * ledger"): per SEK invoice issued by then, its customer part, less the
 * payments dated by then (their capital; the agency's payments count when
 * Visma Amili pays them out, by the payout's capital lines), less its
 * credit notes dated by then, and nothing at all once a confirmed customer
 * loss is dated by then (what is received afterwards is restored and paid
 * in the same step); less the customer's free-standing credit notes dated
 * by then.  Under the accrual method that is the customer's balance on
 * 1510, and the sum over the customers is 1510's balance.
 *
 * Each call is one statement: the balances of a page of customers, or of
 * all of them for the totals and the "only with a balance" pages, are one
 * grouped query, never a query per customer.
 */
#ifndef PM_STORE_LEDGER_H
#define PM_STORE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* One customer's line of the ledger. */
struct ledger_row {
    int64_t customer_id;
    char number[STORE_SHORT_MAX];
    char name[STORE_NAME_MAX];
    int64_t balance_minor; /* owed on 1510; negative: the company owes */
    int64_t open_items;    /* invoices with something left */
    int64_t overdue_minor; /* of those, due before the date */
};

/* The whole company's ledger on a date. */
struct ledger_totals {
    int64_t balance_minor;
    int64_t customers; /* with a balance other than zero */
    int64_t open_items;
    int64_t overdue_minor;
};

/* One invoice of a customer with something left on the date. */
struct ledger_item {
    int64_t invoice_id;
    int64_t number;
    int32_t invoice_date;
    int32_t due_date;
    int64_t customer_part_minor; /* what the customer was invoiced */
    int64_t remaining_minor;     /* left on the date */
    char state[16];              /* today's invoice state */
    char agency_state[32];       /* '' = not with the agency */
    bool stopped;                /* a stop of reminders holds today */
};

/* A free-standing credit note of the customer dated by the date. */
struct ledger_credit {
    int64_t id;
    int64_t number;
    int32_t date;
    int64_t customer_part_minor;
};

/* A reminder of one of the customer's invoices. */
struct ledger_reminder {
    int64_t id;
    int64_t invoice_id;
    int64_t invoice_number;
    int32_t date;
    int level; /* 0: manual */
    int64_t fee_minor;
    int64_t late_compensation_minor;
    int64_t interest_minor;
    int64_t total_due_minor;
};

/* An invoice of the customer handed to the agency, with its case when the
 * agency registered one. */
struct ledger_case {
    int64_t invoice_id;
    int64_t invoice_number;
    char agency_state[32];
    char case_id[64]; /* '' until registered */
    char state[64];
    char status[64];
    bool closed;
    int64_t capital_minor;
    int64_t remaining_minor;
};

/* Inside the caller's transaction, before the statements below: settings
 * they run best with (PostgreSQL: no JIT compilation). */
enum pm_err store_ledger_begin_read(struct store *st);
/* A page of customers by name and id after customer after_id (0: from the
 * first), with their balances on as_of; open_only keeps those whose
 * balance is not zero. */
enum pm_err store_ledger_page(struct store *st, int64_t company_id, int32_t as_of, bool open_only,
                              int64_t after_id, struct ledger_row *out, size_t cap, size_t *n);
/* The sums over all customers on as_of. */
enum pm_err store_ledger_totals(struct store *st, int64_t company_id, int32_t as_of,
                                struct ledger_totals *out);
/* The customers after (*next) and before (*prev) customer_id in the
 * ledger's order whose balance on as_of is not zero; 0 when there is none
 * (customer_id itself need not have one). */
enum pm_err store_ledger_neighbours(struct store *st, int64_t company_id, int32_t as_of,
                                    int64_t customer_id, int64_t *next, int64_t *prev);
/* One customer's line (balance, open items, overdue) on as_of;
 * PM_ERR_NOT_FOUND ("customer_id") for no such customer. */
enum pm_err store_ledger_customer(struct store *st, int64_t company_id, int32_t as_of,
                                  int64_t customer_id, struct ledger_row *out);
/* The customer's invoices with something left (or owed back) on as_of, by
 * due date; `stopped` as of today. */
enum pm_err store_ledger_items(struct store *st, int64_t company_id, int32_t as_of, int32_t today,
                               int64_t customer_id, struct ledger_item *out, size_t cap, size_t *n);
/* The customer's free-standing credit notes dated by as_of, newest first. */
enum pm_err store_ledger_credits(struct store *st, int64_t company_id, int32_t as_of,
                                 int64_t customer_id, struct ledger_credit *out, size_t cap,
                                 size_t *n);
/* The reminders of the customer's invoices dated by as_of, newest first. */
enum pm_err store_ledger_reminders(struct store *st, int64_t company_id, int32_t as_of,
                                   int64_t customer_id, struct ledger_reminder *out, size_t cap,
                                   size_t *n);
/* The customer's invoices with the agency, newest invoice first. */
enum pm_err store_ledger_cases(struct store *st, int64_t company_id, int64_t customer_id,
                               struct ledger_case *out, size_t cap, size_t *n);

#endif
