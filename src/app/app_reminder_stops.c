/*
 * app_reminder_stops.c — stops of reminders on invoices and customer
 * cards (see app_reminder_stops.h).
 *
 * Part of src/app.  Each change is one history line per invoice it
 * touches (kind reminder_stop_set, reminder_stop_changed or
 * reminder_stop_lifted, with the stop in its data), so the timeline of an
 * invoice shows a customer's stop as well as its own.
 */
#include "app/app_reminder_stops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "util/clock.h"

#define HISTORY_PAGE 100

static const char *target_of(enum reminder_stop_source source)
{
    return reminder_stop_source_name(source);
}

void app_reminder_stop_read(const struct reminder_stop_row *row, struct reminder_stop *out)
{
    memset(out, 0, sizeof(*out));
    if (reminder_stop_kind_parse(row->kind, &out->kind))
        out->kind = STOP_OTHER;
    out->set = true;
    out->since = row->since;
    out->until = row->until;
    out->no_interest = row->no_interest;
}

static enum pm_err stop_get(const struct app_ctx *ax, enum reminder_stop_source source, int64_t id,
                            struct reminder_stop_row *out, bool *found, struct app_error *e)
{
    enum pm_err rc;

    *found = false;
    memset(out, 0, sizeof(*out));
    rc = store_reminder_stop_get(ax->store, ax->company_id, target_of(source), id, out, found);
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_reminder_stop_current(const struct app_ctx *ax, enum reminder_stop_source source,
                                      int64_t id, struct reminder_stop_row *out, bool *found,
                                      struct app_error *e)
{
    struct reminder_stop s;
    enum pm_err rc = stop_get(ax, source, id, out, found, e);

    if (rc || !*found)
        return rc;
    app_reminder_stop_read(out, &s);
    *found = reminder_stop_covers(&s, ax->today);
    return PM_OK;
}

enum pm_err app_reminder_stops_of(const struct app_ctx *ax, const struct invoice *inv,
                                  struct app_invoice_stops *out, struct app_error *e)
{
    enum pm_err rc;

    memset(out, 0, sizeof(*out));
    rc = stop_get(ax, STOP_SOURCE_INVOICE, inv->id, &out->inv_row, &out->have_inv, e);
    if (!rc)
        rc = stop_get(ax, STOP_SOURCE_CUSTOMER, inv->customer_id, &out->cust_row, &out->have_cust,
                      e);
    if (rc)
        return rc;
    if (out->have_inv)
        app_reminder_stop_read(&out->inv_row, &out->inv);
    if (out->have_cust)
        app_reminder_stop_read(&out->cust_row, &out->cust);
    reminder_stop_on(&out->inv, &out->cust, ax->today, &out->today);
    return PM_OK;
}

enum pm_err app_reminder_stop_refuse(const struct reminder_stop_state *s, struct app_error *e)
{
    const char *sv = reminder_stop_kind_label(s->stop.kind, false);
    const char *en = reminder_stop_kind_label(s->stop.kind, true);
    char since[DATE_ISO_LEN + 1], until[DATE_ISO_LEN + 1], extra[512];
    char until_sv[48] = "", until_en[48] = "";
    bool customer = s->source == STOP_SOURCE_CUSTOMER;

    date_format_iso(s->stop.since, since);
    if (s->stop.until) {
        date_format_iso(s->stop.until, until);
        snprintf(until_sv, sizeof(until_sv), " till och med %s", until);
        snprintf(until_en, sizeof(until_en), " through %s", until);
    }
    snprintf(extra, sizeof(extra),
             "{\"reminder_stop\": {\"kind\": \"%s\", \"source\": \"%s\", \"since\": \"%s\","
             " \"until\": %s%s%s},"
             " \"reason_sv\": \"Påminnelser är stoppade %s%s: %s.\","
             " \"reason_en\": \"Reminders are stopped %s%s: %s.\"}",
             reminder_stop_kind_name(s->stop.kind), reminder_stop_source_name(s->source), since,
             s->stop.until ? "\"" : "", s->stop.until ? until : "null", s->stop.until ? "\"" : "",
             customer ? "för kunden" : "för fakturan", until_sv, sv,
             customer ? "for the customer" : "for the invoice", until_en, en);
    app_error_set(e, PM_ERR_CONFLICT, "reminders_stopped", "invoice.reminder_stop");
    app_error_extra(e, extra);
    return e ? e->rc : PM_ERR_CONFLICT;
}

/* ---- history ---- */

static json_t *stop_data(enum reminder_stop_source source, const struct reminder_stop_row *row)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:b}", "source", reminder_stop_source_name(source),
                     "kind", row->kind, "text", row->text, "since", app_json_date(row->since),
                     "until", row->until ? app_json_date(row->until) : json_null(), "no_interest",
                     row->no_interest);
}

static void stop_message(const char *kind, enum reminder_stop_source source,
                         const struct reminder_stop_row *row, char *dst, size_t cap)
{
    struct reminder_stop s;
    char until[DATE_ISO_LEN + 1] = "";
    const char *what = !strcmp(kind, "reminder_stop_lifted")    ? "återupptagna"
                       : !strcmp(kind, "reminder_stop_changed") ? "stoppade (ändrat)"
                                                                : "stoppade";

    app_reminder_stop_read(row, &s);
    if (row->until)
        date_format_iso(row->until, until);
    snprintf(dst, cap, "Påminnelser %s%s: %s%s%s%s", what,
             source == STOP_SOURCE_CUSTOMER ? " för kunden" : "",
             reminder_stop_kind_label(s.kind, false), row->until ? ", till och med " : "", until,
             row->no_interest ? ", ingen ränta från stoppdagen" : "");
}

/* One history line kind on the invoice, or on each open invoice of the
 * customer. */
static enum pm_err add_history(const struct app_ctx *ax, enum reminder_stop_source source,
                               int64_t id, const char *kind, const struct reminder_stop_row *row,
                               struct app_error *e)
{
    struct invoice_query q;
    struct invoice *page = NULL;
    char message[STORE_TEXT_MAX];
    size_t n = 0, i;
    enum pm_err rc = PM_OK;

    stop_message(kind, source, row, message, sizeof(message));
    if (source == STOP_SOURCE_INVOICE)
        return app_history(ax, id, kind, message, stop_data(source, row), e);
    page = calloc(HISTORY_PAGE, sizeof(*page));
    if (!page)
        return app_error_set(e, PM_ERR_NOMEM, NULL, NULL);
    memset(&q, 0, sizeof(q));
    q.filter = FILTER_UNPAID;
    q.sort = SORT_DUE_ASC;
    q.today = ax->today;
    q.customer_id = id;
    q.limit = HISTORY_PAGE;
    do {
        rc = store_invoice_list(ax->store, ax->company_id, &q, page, HISTORY_PAGE, &n);
        if (rc) {
            app_store_failed(ax, rc, e);
            break;
        }
        for (i = 0; i < n && !rc; i++)
            rc = app_history(ax, page[i].id, kind, message, stop_data(source, row), e);
        if (n > 0) {
            q.after.set = true;
            q.after.key = page[n - 1].due_date;
            q.after.id = page[n - 1].id;
        }
    } while (!rc && n == HISTORY_PAGE);
    free(page);
    return rc;
}

/* ---- set and lift ---- */

static enum pm_err target_exists(const struct app_ctx *ax, enum reminder_stop_source source,
                                 int64_t id, struct app_error *e)
{
    struct invoice inv;
    struct customer cu;
    enum pm_err rc = source == STOP_SOURCE_INVOICE
                         ? store_invoice_get(ax->store, ax->company_id, id, &inv)
                         : store_customer_get(ax->store, ax->company_id, id, &cu);

    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "not_found", "id");
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_reminder_stop_set(const struct app_ctx *ax, enum reminder_stop_source source,
                                  int64_t id, const struct app_reminder_stop_input *in,
                                  struct reminder_stop_row *out, struct app_error *e)
{
    struct reminder_stop_row old, row;
    struct pm_error pe = {0};
    enum reminder_stop_kind kind;
    const char *text = in->text ? in->text : "";
    bool had = false;
    enum pm_err rc;

    if (reminder_stop_kind_parse(in->kind, &kind))
        return app_error_set(e, PM_ERR_INVALID, "invalid_value", "kind");
    rc = reminder_stop_check(kind, text, in->until, ax->today, &pe);
    if (rc) {
        app_error_set(e, rc,
                      !strcmp(pe.field, "text") && rc == PM_ERR_INVALID ? "required"
                      : rc == PM_ERR_RANGE                              ? "out_of_range"
                                                                        : "invalid_value",
                      pe.field);
        return app_error_detail(e, "%s", pe.message);
    }
    rc = target_exists(ax, source, id, e);
    if (!rc)
        rc = app_reminder_stop_current(ax, source, id, &old, &had, e);
    if (rc)
        return rc;
    memset(&row, 0, sizeof(row));
    row.company_id = ax->company_id;
    snprintf(row.target, sizeof(row.target), "%s", target_of(source));
    row.target_id = id;
    snprintf(row.kind, sizeof(row.kind), "%s", reminder_stop_kind_name(kind));
    snprintf(row.text, sizeof(row.text), "%s", text);
    row.since = had ? old.since : ax->today;
    row.until = in->until;
    row.no_interest = in->no_interest;
    snprintf(row.set_by, sizeof(row.set_by), "%s", ax->actor ? ax->actor : "");
    row.set_at = clock_now_s(ax->clock);
    rc = store_reminder_stop_put(ax->store, &row);
    if (rc)
        return app_store_failed(ax, rc, e);
    rc = add_history(ax, source, id, had ? "reminder_stop_changed" : "reminder_stop_set", &row, e);
    if (!rc && out)
        *out = row;
    return rc;
}

enum pm_err app_reminder_stop_lift(const struct app_ctx *ax, enum reminder_stop_source source,
                                   int64_t id, struct app_error *e)
{
    struct reminder_stop_row row;
    bool had = false;
    enum pm_err rc;

    rc = target_exists(ax, source, id, e);
    if (!rc)
        rc = app_reminder_stop_current(ax, source, id, &row, &had, e);
    if (rc || !had)
        return rc;
    if (row.since < ax->today) {
        row.until = ax->today - 1;
        rc = store_reminder_stop_put(ax->store, &row);
    } else {
        rc = store_reminder_stop_delete(ax->store, ax->company_id, target_of(source), id);
    }
    if (rc)
        return app_store_failed(ax, rc, e);
    return add_history(ax, source, id, "reminder_stop_lifted", &row, e);
}
