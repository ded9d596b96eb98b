/*
 * store_overdue.h — invoices falling due, as the daily sweep notes them
 * (app_overdue.h): each company's mark (table overdue_marks) and the open
 * invoices past it.
 *
 * Written once in SQL over the storage driver (store_overdue.c).  The
 * mark is a position in (due_date, invoice_id) order: every invoice at or
 * before it has been looked at.  Moving it is a compare-and-set, so two
 * processes sweeping the same company at once cannot both note an
 * invoice: the second finds the mark moved (PM_ERR_CONFLICT) and its unit
 * rolls back.
 */
#ifndef PM_STORE_OVERDUE_H
#define PM_STORE_OVERDUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct overdue_mark {
    int32_t due_date; /* day number; 0 with !found: never swept */
    int64_t invoice_id;
};

/* An open invoice past the mark. */
struct overdue_invoice {
    int64_t invoice_id;
    int32_t due_date;
    int64_t remaining_minor;
    char currency[4];
};

/* The companies' ids above after_id, ascending, at most cap. */
enum pm_err store_overdue_companies(struct store *st, int64_t after_id, int64_t *out, size_t cap,
                                    size_t *n);

/* The company's mark; *found false when it was never swept. */
enum pm_err store_overdue_mark_get(struct store *st, int64_t company_id, struct overdue_mark *out,
                                   bool *found);

/* Move the mark from `from` (NULL: there is none yet) to `to`, at `now`
 * (unix seconds).  PM_ERR_CONFLICT (field "mark") when another process
 * moved it first. */
enum pm_err store_overdue_mark_move(struct store *st, int64_t company_id,
                                    const struct overdue_mark *from, const struct overdue_mark *to,
                                    int64_t now);

/* The open invoices after `mark` in (due_date, id) order that are due
 * before `today`, at most cap, in that order. */
enum pm_err store_overdue_after(struct store *st, int64_t company_id,
                                const struct overdue_mark *mark, int32_t today,
                                struct overdue_invoice *out, size_t cap, size_t *n);

#endif
