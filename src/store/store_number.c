/*
 * store_number.c — the invoice number rule (store_number.h).
 */
#include "store/store_number.h"
#include "store/store_driver.h"

/* Numbers of the series tried before giving up (all taken by hand). */
#define TRIES 100000

enum pm_err store_number_choose(struct store *st, const struct store_number_series *series,
                                int64_t company_id, int64_t *number)
{
    enum pm_err err;
    bool taken = true;
    int tries;

    if (*number > 0) {
        err = series->taken(st, company_id, *number, &taken);
        if (!err && taken)
            err = pm_error_set(&st->error, PM_ERR_CONFLICT, "number",
                               "invoice number %lld exists already", (long long)*number);
        return err;
    }
    for (tries = 0; tries < TRIES && taken; tries++) {
        err = series->next(st, company_id, number);
        if (!err)
            err = series->taken(st, company_id, *number, &taken);
        if (err)
            return err;
    }
    if (taken)
        return pm_error_set(&st->error, PM_ERR_CONFLICT, "number", "no free invoice number found");
    return PM_OK;
}
