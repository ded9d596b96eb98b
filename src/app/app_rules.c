/*
 * app_rules.c — the locked period of the books and the reference rates
 * added by an administrator (see app_rules.h).
 *
 * Part of src/app.
 */
#include "app/app_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/lock.h"
#include "core/rotrut.h"

enum pm_err app_rules_lock_books(const struct app_ctx *ax, int32_t through, struct app_error *e)
{
    struct pm_error pe = {0};
    enum pm_err rc = lock_date_check(through, ax->today, &pe);

    if (rc) {
        app_error_set(e, rc, "out_of_range", pe.field);
        return app_error_detail(e, "%s", pe.message);
    }
    rc = store_rules_books_locked_put(ax->store, ax->company_id, through);
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

#define RATES_ADDED_MAX 128 /* 64 years of half-years */

enum pm_err app_rules_rates(const struct app_ctx *ax, struct rate_table *out, struct app_error *e)
{
    struct store_rate *rows = calloc(RATES_ADDED_MAX, sizeof(*rows));
    struct rate_period *add = calloc(RATES_ADDED_MAX, sizeof(*add));
    size_t n = 0, i;
    enum pm_err rc;

    out->periods = NULL;
    out->n = 0;
    if (!rows || !add) {
        rc = app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    rc = store_rules_rate_list(ax->store, rows, RATES_ADDED_MAX, &n);
    if (rc) {
        app_store_failed(ax, rc, e);
        goto out_free;
    }
    for (i = 0; i < n; i++) {
        add[i].from = rows[i].valid_from;
        add[i].reference_bp = rows[i].rate_bp;
        snprintf(add[i].source, sizeof(add[i].source), "%s", rows[i].source);
        add[i].added = rows[i].added_on;
    }
    rc = rate_table_extend(ax->rates, add, n, out);
    if (rc)
        app_error_set(e, rc, "internal_error", NULL);
out_free:
    free(add);
    free(rows);
    return rc;
}

enum pm_err app_rules_rate_add(const struct app_ctx *ax, int32_t from, int32_t bp,
                               const char *source, struct app_error *e)
{
    struct rate_table t;
    struct store_rate r;
    struct pm_error pe = {0};
    enum pm_err rc;

    if (!source || !source[0] || strlen(source) >= RATE_SOURCE_MAX)
        return app_error_set(e, PM_ERR_RANGE, "out_of_range", "source");
    rc = app_rules_rates(ax, &t, e);
    if (rc)
        return rc;
    rc = rate_check_new(&t, from, bp, &pe);
    rate_table_release(&t);
    if (rc) {
        app_error_set(e, rc, rc == PM_ERR_CONFLICT ? "conflict" : "out_of_range", pe.field);
        return app_error_detail(e, "%s", pe.message);
    }
    memset(&r, 0, sizeof(r));
    r.valid_from = from;
    r.rate_bp = bp;
    snprintf(r.source, sizeof(r.source), "%s", source);
    snprintf(r.added_by, sizeof(r.added_by), "%s", ax->actor ? ax->actor : "");
    r.added_on = ax->today;
    rc = store_rules_rate_add(ax->store, &r);
    if (rc == PM_ERR_CONFLICT)
        return app_error_set(e, rc, "conflict", "valid_from");
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_rules_rotrut(const struct app_ctx *ax, const struct customer *cu,
                             struct invoice *inv, const struct invoice_buyer *buyers, size_t n,
                             int64_t *capped_from, struct app_error *e)
{
    struct rotrut_used used[STORE_BUYERS_MAX];
    int32_t from = 0, to = 0;
    int64_t capped = 0;
    int y, m, d;
    size_t i;
    enum pm_err rc;

    *capped_from = 0;
    if (inv->kind == INVOICE_STANDARD)
        return PM_OK;
    if (cu->is_company)
        return app_error_set(e, PM_ERR_INVALID, "rot_rut_company_customer", "kind");
    if (n == 0 || n > STORE_BUYERS_MAX)
        return app_error_set(e, PM_ERR_INVALID, "required", "buyers");
    date_to_ymd(inv->invoice_date, &y, &m, &d);
    rc = date_from_ymd(y, 1, 1, &from);
    if (!rc)
        rc = date_from_ymd(y, 12, 31, &to);
    if (rc)
        return app_error_set(e, PM_ERR_RANGE, "out_of_range", "invoice_date");
    for (i = 0; i < n; i++) {
        rc = store_rules_buyer_reductions(ax->store, ax->company_id, buyers[i].id_number, from, to,
                                          &used[i]);
        if (rc)
            return app_store_failed(ax, rc, e);
    }
    rc = rotrut_cap(inv->kind, inv->tax_reduction_minor, used, n, &capped);
    if (rc)
        return app_error_set(e, rc, "out_of_range", "buyers");
    if (capped < inv->tax_reduction_minor) {
        *capped_from = inv->tax_reduction_minor;
        inv->customer_part_minor += inv->tax_reduction_minor - capped;
        inv->remaining_minor += inv->tax_reduction_minor - capped;
        inv->tax_reduction_minor = capped;
    }
    return PM_OK;
}
