/*
 * api_reports.c — the reports over HTTP: the dunning report per day and
 * the receivables key figures (DSO, collection rate) per month.
 *
 * Part of src/api: the query is read here, the figures are
 * app/app_reports.h's (definitions: core/report.h, docs/reports.md).
 * Amounts are öre in SEK; DSO is given in tenths of a day and the
 * collection rate in basis points, so that no figure is a float.
 */
#include <stdio.h>
#include <stdlib.h>

#include "api/api_handlers.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_reports.h"
#include "core/date.h"

static enum pm_err query_day(struct api_request *r, const char *name, int32_t *out)
{
    const char *s = api_request_query(r, name);

    if (s && date_parse_iso(s, out))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", name);
    return PM_OK;
}

static json_t *day_json(const struct report_day *d)
{
    json_t *o = json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I}", "reminders", (json_int_t)d->reminders, "fees_minor",
        (json_int_t)d->fees_minor, "handed_over", (json_int_t)d->handed_over, "handed_over_minor",
        (json_int_t)d->handed_over_minor, "paid_after_reminder", (json_int_t)d->paid,
        "paid_after_reminder_minor", (json_int_t)d->paid_minor);

    if (o && d->date && json_object_set_new(o, "date", api_render_date(d->date))) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

enum pm_err api_reports_dunning(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    struct report_dunning *rep;
    char actor[STORE_EMAIL_MAX];
    int32_t to = r->today, from;
    json_t *days;
    enum pm_err rc;
    size_t i;

    rc = query_day(r, "to", &to);
    from = to - 29;
    if (!rc)
        rc = query_day(r, "from", &from);
    if (!rc)
        rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    rep = malloc(sizeof(*rep));
    if (!rep)
        return api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
    app_error_clear(&ae);
    rc = app_reports_dunning(&ax, r->ctx->tz, from, to, rep, &ae);
    if (rc) {
        free(rep);
        return api_error_from_app(&r->err, &ae);
    }
    days = json_array();
    for (i = 0; days && i < rep->n_days; i++) {
        if (json_array_append_new(days, day_json(&rep->days[i]))) {
            json_decref(days);
            days = NULL;
        }
    }
    rc = api_request_reply(r, 200,
                           json_pack("{s:o, s:o, s:s, s:i, s:o, s:o}", "from",
                                     api_render_date(from), "to", api_render_date(to), "currency",
                                     "SEK", "paid_within_days", REPORT_PAID_WITHIN, "days", days,
                                     "total", day_json(&rep->total)));
    free(rep);
    return rc;
}

static json_t *month_json(const struct report_month *m)
{
    char month[8];

    snprintf(month, sizeof(month), "%04d-%02d", m->year, m->month);
    return json_pack(
        "{s:s, s:o, s:o, s:i, s:I, s:I, s:o, s:I, s:I, s:o}", "month", month, "from",
        api_render_date(m->first), "to", api_render_date(m->end), "days", m->days, "invoiced_minor",
        (json_int_t)m->invoiced_minor, "receivables_minor", (json_int_t)m->receivables_minor,
        "dso_tenths", m->dso_known ? json_integer(m->dso_tenths) : json_null(), "due_minor",
        (json_int_t)m->due_minor, "collected_minor", (json_int_t)m->collected_minor,
        "collection_rate_bp", m->rate_known ? json_integer(m->collection_rate_bp) : json_null());
}

enum pm_err api_reports_receivables(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    struct report_month m[REPORT_MONTHS_MAX];
    char actor[STORE_EMAIL_MAX];
    int64_t n = REPORT_MONTHS_DEFAULT;
    json_t *months;
    enum pm_err rc;
    int i;

    rc = api_request_query_int(r, "months", 1, REPORT_MONTHS_MAX, &n);
    if (!rc)
        rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_reports_receivables(&ax, (int)n, m, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    months = json_array();
    for (i = 0; months && i < (int)n; i++) {
        if (json_array_append_new(months, month_json(&m[i]))) {
            json_decref(months);
            months = NULL;
        }
    }
    return api_request_reply(r, 200,
                             json_pack("{s:o, s:s, s:o}", "as_of", api_render_date(r->today),
                                       "currency", "SEK", "months", months));
}
