/*
 * app_reports.c — the reports (see app_reports.h).
 */
#include "app/app_reports.h"

#include "core/date.h"
#include "store/store_reports.h"

/* ---- the dunning report ---- */

struct dunning_ctx {
    struct report_dunning *r;
    const struct tz *tz;
};

static void add_reminders(void *ctx, int64_t date, int64_t count, int64_t sum)
{
    struct dunning_ctx *c = ctx;

    report_dunning_add_reminders(c->r, (int32_t)date, count, sum);
}

static void add_paid(void *ctx, int64_t date, int64_t count, int64_t sum)
{
    struct dunning_ctx *c = ctx;

    report_dunning_add_paid(c->r, (int32_t)date, count, sum);
}

static void add_handovers(void *ctx, int64_t hour, int64_t count, int64_t sum)
{
    struct dunning_ctx *c = ctx;

    report_dunning_add_handovers(c->r, c->tz, hour, count, sum);
}

enum pm_err app_reports_dunning(const struct app_ctx *ax, const struct tz *tz, int32_t from,
                                int32_t to, struct report_dunning *out, struct app_error *e)
{
    struct dunning_ctx c = {out, tz};
    struct pm_error pe = {0};
    enum pm_err rc;

    rc = report_dunning_init(from, to, out, &pe);
    if (rc) {
        app_error_set(e, rc, "out_of_range", pe.field);
        return app_error_detail(e, "%s", pe.message);
    }
    rc = store_report_reminders(ax->store, ax->company_id, from, to, add_reminders, &c);
    if (!rc)
        rc = store_report_paid_after(ax->store, ax->company_id, from, to, REPORT_PAID_WITHIN,
                                     add_paid, &c);
    if (!rc)
        rc = store_report_handovers(ax->store, ax->company_id, date_local_start(tz, from),
                                    date_local_start(tz, to + 1), add_handovers, &c);
    if (rc)
        return app_store_failed(ax, rc, e);
    report_dunning_sum(out);
    return PM_OK;
}

/* ---- DSO and the collection rate per month ---- */

struct months_ctx {
    struct report_month *m;
    int n;
    int32_t paid_date; /* for add_paid_later: the first day of the payments' month */
};

static void add_invoiced(void *ctx, int64_t date, int64_t count, int64_t sum)
{
    struct months_ctx *c = ctx;

    (void)count;
    report_months_add_invoiced(c->m, c->n, (int32_t)date, sum);
}

static void add_open(void *ctx, int64_t date, int64_t count, int64_t sum)
{
    struct months_ctx *c = ctx;

    (void)count;
    report_months_add_open(c->m, c->n, (int32_t)date, sum);
}

static void add_paid_later(void *ctx, int64_t date, int64_t count, int64_t sum)
{
    struct months_ctx *c = ctx;

    (void)count;
    report_months_add_paid_later(c->m, c->n, (int32_t)date, c->paid_date, sum);
}

enum pm_err app_reports_receivables(const struct app_ctx *ax, int n, struct report_month *m,
                                    struct app_error *e)
{
    struct months_ctx c = {m, n, 0};
    struct pm_error pe = {0};
    int32_t first;
    enum pm_err rc;
    int k;

    rc = report_months_init(ax->today, n, m, &pe);
    if (rc) {
        app_error_set(e, rc, "out_of_range", pe.field);
        return app_error_detail(e, "%s", pe.message);
    }
    first = m[0].first;
    rc = store_report_invoiced(ax->store, ax->company_id, first, ax->today, add_invoiced, &c);
    /* unpaid at a month end: open today, or paid in a later month */
    if (!rc)
        rc = store_report_open(ax->store, ax->company_id, first, ax->today, add_open, &c);
    for (k = 1; !rc && k < n; k++) {
        c.paid_date = m[k].first;
        rc = store_report_paid_in(ax->store, ax->company_id, m[k].first, m[k].end, m[k - 1].end,
                                  first, add_paid_later, &c);
    }
    for (k = 0; !rc && k < n; k++)
        rc = store_report_due(ax->store, ax->company_id, m[k].first,
                              m[k].first + date_days_in_month(m[k].year, m[k].month) - 1, m[k].end,
                              &m[k].due_minor, &m[k].collected_minor);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (report_months_finish(m, n))
        return app_error_set(e, PM_ERR_OVERFLOW, "internal_error", NULL);
    return PM_OK;
}
