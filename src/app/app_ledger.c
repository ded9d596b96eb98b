/*
 * app_ledger.c — the customer ledger as of a date (see app_ledger.h).
 *
 * Part of src/app.  The statements are store_ledger.c's; here they are
 * run together in one transaction and the date is checked.
 */
#include "app/app_ledger.h"

#include <string.h>

static enum pm_err check_date(const struct app_ctx *ax, int32_t as_of, struct app_error *e)
{
    if (as_of > ax->today) {
        app_error_set(e, PM_ERR_RANGE, "out_of_range", "as_of");
        app_error_extra(e, "{\"reason\": \"the date is after today\"}");
        return e->rc;
    }
    return PM_OK;
}

static enum pm_err page_op(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct app_ledger_page *p = arg;
    enum pm_err rc;

    rc = store_ledger_begin_read(ax->store);
    if (!rc)
        rc = store_ledger_page(ax->store, ax->company_id, p->as_of, p->open_only, p->after_id,
                               p->rows, p->cap, &p->n);
    if (!rc)
        rc = store_ledger_totals(ax->store, ax->company_id, p->as_of, &p->totals);
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_ledger_page(const struct app_ctx *ax, struct app_ledger_page *p,
                            struct app_error *e)
{
    p->n = 0;
    memset(&p->totals, 0, sizeof(p->totals));
    if (check_date(ax, p->as_of, e))
        return e->rc;
    return app_atomic(ax, page_op, p, e);
}

struct customer_arg {
    int64_t customer_id;
    struct app_ledger_customer *out;
};

static enum pm_err customer_op(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct customer_arg *a = arg;
    struct app_ledger_customer *o = a->out;
    struct store *st = ax->store;
    int64_t cid = ax->company_id;
    enum pm_err rc;

    rc = store_ledger_begin_read(st);
    if (!rc)
        rc = store_customer_get(st, cid, a->customer_id, &o->customer);
    if (!rc)
        rc = store_ledger_customer(st, cid, o->as_of, a->customer_id, &o->line);
    if (!rc)
        rc = store_ledger_items(st, cid, o->as_of, ax->today, a->customer_id, o->items,
                                APP_LEDGER_ITEMS_MAX, &o->n_items);
    if (!rc)
        rc = store_ledger_credits(st, cid, o->as_of, a->customer_id, o->credits,
                                  APP_LEDGER_CREDITS_MAX, &o->n_credits);
    if (!rc)
        rc = store_ledger_reminders(st, cid, o->as_of, a->customer_id, o->reminders,
                                    APP_LEDGER_REMINDERS_MAX, &o->n_reminders);
    if (!rc)
        rc = store_ledger_cases(st, cid, a->customer_id, o->cases, APP_LEDGER_CASES_MAX,
                                &o->n_cases);
    if (!rc)
        rc = store_ledger_neighbours(st, cid, o->as_of, a->customer_id, &o->next_id, &o->prev_id);
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_ledger_customer(const struct app_ctx *ax, int64_t customer_id, int32_t as_of,
                                struct app_ledger_customer *out, struct app_error *e)
{
    struct customer_arg a = {customer_id, out};

    memset(out, 0, sizeof(*out));
    out->as_of = as_of;
    if (check_date(ax, as_of, e))
        return e->rc;
    return app_atomic(ax, customer_op, &a, e);
}
