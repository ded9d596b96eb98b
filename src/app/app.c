/*
 * app.c — what the application's operations share: their transaction for
 * callers without one, store failures, history events, vouchers and the
 * facts of an invoice its vouchers need.
 *
 * Part of src/app (see app.h).
 */
#include "app/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "core/lock.h"
#include "store/store_books.h"
#include "store/store_rules.h"
#include "util/clock.h"

#define ATOMIC_TRIES 5

enum pm_err app_atomic(const struct app_ctx *ax,
                       enum pm_err (*op)(const struct app_ctx *ax, void *arg, struct app_error *e),
                       void *arg, struct app_error *e)
{
    enum pm_err rc = PM_OK;

    for (int attempt = 0; attempt < ATOMIC_TRIES; attempt++) {
        if (attempt > 0)
            usleep(50000 * (useconds_t)attempt); /* another writer of the company */
        app_error_clear(e);
        rc = store_begin_for(ax->store, ax->company_id);
        if (rc)
            return app_store_failed(ax, rc, e);
        rc = op(ax, arg, e);
        if (rc) {
            if (!e->rc)
                app_store_failed(ax, rc, e);
            store_rollback(ax->store);
        } else {
            rc = store_commit(ax->store);
            if (rc)
                app_store_failed(ax, rc, e);
        }
        if (!rc || !store_retryable(ax->store))
            break;
    }
    return rc;
}

enum pm_err app_migrate(struct store *st, int *applied, struct app_error *e)
{
    enum pm_err rc = store_migrate(st, applied);

    /* opening the store applied what was missing: those count too */
    if (!rc && applied)
        *applied += store_migrations_at_open(st);
    if (rc) {
        app_error_set(e, rc, NULL, NULL);
        app_error_detail(e, "%s", store_error(st)->message);
    }
    return rc;
}

enum pm_err app_store_failed(const struct app_ctx *ax, enum pm_err rc, struct app_error *e)
{
    const struct pm_error *se = ax->store ? store_error(ax->store) : NULL;

    app_error_set(e, rc, NULL, NULL);
    if (e && se)
        app_error_detail(e, "store: %s (%s)", se->message, se->field);
    return rc;
}

json_t *app_json_date(int32_t date)
{
    char text[DATE_ISO_LEN + 1];

    date_format_iso(date, text);
    return json_string(text);
}

enum pm_err app_history(const struct app_ctx *ax, int64_t invoice_id, const char *kind,
                        const char *message, json_t *data, struct app_error *e)
{
    struct history_event ev;
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    enum pm_err rc = PM_OK;

    json_decref(data);
    memset(&ev, 0, sizeof(ev));
    if (!text || strlen(text) >= sizeof(ev.data)) {
        rc = app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    ev.company_id = ax->company_id;
    ev.invoice_id = invoice_id;
    ev.at_us = clock_now_us(ax->clock);
    snprintf(ev.kind, sizeof(ev.kind), "%s", kind);
    snprintf(ev.actor, sizeof(ev.actor), "%s", ax->actor ? ax->actor : "system");
    snprintf(ev.message, sizeof(ev.message), "%s", message);
    snprintf(ev.data, sizeof(ev.data), "%s", text);
    rc = store_history_insert(ax->store, &ev);
    if (rc)
        app_store_failed(ax, rc, e);
out_free:
    free(text);
    return rc;
}

enum pm_err app_books_locked(const struct app_ctx *ax, int32_t *through, struct app_error *e)
{
    enum pm_err rc = store_rules_books_locked_get(ax->store, ax->company_id, through);

    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_books_open(const struct app_ctx *ax, int32_t date, const char *field,
                           struct app_error *e)
{
    struct pm_error pe = {0};
    char extra[64], day[DATE_ISO_LEN + 1];
    int32_t through = 0;
    enum pm_err rc = app_books_locked(ax, &through, e);

    if (rc)
        return rc;
    rc = lock_check(date, through, field, &pe);
    if (!rc)
        return PM_OK;
    date_format_iso(through, day);
    snprintf(extra, sizeof(extra), "{\"locked_through\": \"%s\"}", day);
    app_error_set(e, rc, "books_locked", field);
    app_error_extra(e, extra);
    return app_error_detail(e, "%s", pe.message);
}

enum pm_err app_book(const struct app_ctx *ax, struct voucher *v, int64_t invoice_id,
                     struct app_error *e)
{
    enum pm_err rc;

    v->company_id = ax->company_id;
    v->invoice_id = invoice_id;
    v->created_at = clock_now_s(ax->clock);
    rc = app_books_open(ax, v->date, "date", e); /* nothing into a locked period */
    if (rc)
        return rc;
    rc = store_books_voucher_insert(ax->store, v);
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_voucher_built(enum pm_err rc, struct app_error *e, const char *what)
{
    if (rc) {
        app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
        app_error_detail(e, "building the %s voucher failed (%s)", what, pm_err_name(rc));
    }
    return rc;
}

enum pm_err app_invoice_facts(const struct app_ctx *ax, const struct invoice *inv, bool with_rates,
                              struct voucher_invoice *out, struct app_error *e)
{
    struct invoice_line_row *rows = NULL;
    struct invoice_line *lines = NULL;
    struct customer cu;
    struct pm_error pe = {0};
    size_t n = 0, i;
    enum pm_err rc = PM_OK;

    memset(out, 0, sizeof(*out));
    out->number = inv->number;
    out->customer_name = inv->customer_name;
    out->totals.net_minor = inv->net_minor;
    out->totals.vat_minor = inv->vat_minor;
    out->totals.total_minor = inv->total_minor;
    out->totals.tax_reduction_minor = inv->tax_reduction_minor;
    out->totals.customer_part_minor = inv->customer_part_minor;
    if (!with_rates)
        return PM_OK;
    rows = calloc(STORE_LINES_MAX, sizeof(*rows));
    lines = calloc(STORE_LINES_MAX, sizeof(*lines));
    if (!rows || !lines) {
        rc = app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    rc = store_invoice_lines(ax->store, inv->company_id, inv->id, rows, STORE_LINES_MAX, &n);
    if (!rc)
        rc = store_customer_get(ax->store, inv->company_id, inv->customer_id, &cu);
    if (rc) {
        app_store_failed(ax, rc, e);
        goto out_free;
    }
    for (i = 0; i < n; i++)
        lines[i] = rows[i].line;
    rc = invoice_compute(inv->kind, inv->invoice_date, lines, n, &out->totals, &pe);
    if (rc) {
        app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
        app_error_detail(e, "invoice %lld: %s", (long long)inv->id, pe.message);
        goto out_free;
    }
    /* The stored split stands: the yearly ROT/RUT caps may have cut it. */
    out->totals.tax_reduction_minor = inv->tax_reduction_minor;
    out->totals.customer_part_minor = inv->customer_part_minor;
    out->market = voucher_market_of(cu.country);
    out->zero_vat = inv->zero_vat;
out_free:
    free(lines);
    free(rows);
    return rc;
}
