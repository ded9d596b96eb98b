/*
 * app_customers.c — creating and changing customer cards (see
 * app_customers.h).
 *
 * Part of src/app.
 */
#include "app/app_customers.h"

static enum pm_err write_failed(const struct app_ctx *ax, enum pm_err rc, struct app_error *e)
{
    app_store_failed(ax, rc, e);
    if (rc == PM_ERR_CONFLICT)
        app_error_set(e, rc, "duplicate_number", "number");
    return rc;
}

enum pm_err app_customers_get(const struct app_ctx *ax, int64_t id, struct customer *c,
                              struct app_error *e)
{
    enum pm_err rc = store_customer_get(ax->store, ax->company_id, id, c);

    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_customers_list(const struct app_ctx *ax, const char *q, int64_t after_id,
                               struct customer *out, size_t cap, size_t *n, struct app_error *e)
{
    enum pm_err rc = store_customer_list(ax->store, ax->company_id, q, after_id, out, cap, n);

    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_customers_create(const struct app_ctx *ax, struct customer *c, struct app_error *e)
{
    enum pm_err rc;

    c->company_id = ax->company_id;
    rc = store_customer_insert(ax->store, c);
    if (rc)
        return write_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_customers_update(const struct app_ctx *ax, const struct customer *c,
                                 struct app_error *e)
{
    enum pm_err rc = store_customer_update(ax->store, c);

    if (rc)
        return write_failed(ax, rc, e);
    return PM_OK;
}
