/*
 * store_number.h — the invoice number rule, shared by the SQL engines
 * (store/sqlite, store/pg).
 *
 * An invoice keeps the number it was given if that number is free (else
 * PM_ERR_CONFLICT on "number"), or takes the next free one of the
 * company's series, which starts at 1001.  Numbers given by hand do not
 * move the series; it steps over them.  Each engine supplies the two
 * primitives; the rule lives here once, so the engines agree on it.
 */
#ifndef PM_STORE_NUMBER_H
#define PM_STORE_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_NUMBER_FIRST 1001

struct store_number_series {
    /* *taken: an invoice of the company has this number. */
    enum pm_err (*taken)(struct store *st, int64_t company_id, int64_t number, bool *taken);
    /* The next value of the company's "invoice_number" series. */
    enum pm_err (*next)(struct store *st, int64_t company_id, int64_t *number);
};

/* Choose *number (0: the next free one) inside the caller's transaction;
 * failures are detailed on st's error. */
enum pm_err store_number_choose(struct store *st, const struct store_number_series *series,
                                int64_t company_id, int64_t *number);

#endif
