/*
 * api_invoices.c — customer invoices: list, counts, create, the invoice
 * page (lines, buyers, late-payment interest, Amili eligibility), history
 * and payments.
 *
 * The list is one keyset query in the store; each row's status and
 * days_overdue are computed from the row and today, never with further
 * queries.  Interest uses core/interest.h on the customer's part with the
 * payments as capital changes; eligibility uses core/handover.h with the
 * company not yet activated (activation arrives with the Amili issue).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_amili.h"
#include "api/api_cursor.h"
#include "api/api_decode.h"
#include "api/api_handlers.h"
#include "api/api_mail.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_handover.h"
#include "app/app_invoices.h"
#include "app/app_payments.h"
#include "app/app_reminder_stops.h"
#include "core/date.h"
#include "core/handover.h"
#include "util/clock.h"

#define LIMIT_DEFAULT 50
#define LIMIT_MAX     200

static const char *const sort_names[] = {
    [SORT_DUE_ASC] = "due_date",          [SORT_DUE_DESC] = "-due_date",
    [SORT_NUMBER_ASC] = "number",         [SORT_NUMBER_DESC] = "-number",
    [SORT_REMAINING_DESC] = "-remaining", NULL,
};

static int64_t sort_key(const struct invoice *inv, enum invoice_sort sort)
{
    switch (sort) {
    case SORT_DUE_ASC:
    case SORT_DUE_DESC:
        return inv->due_date;
    case SORT_NUMBER_ASC:
    case SORT_NUMBER_DESC:
        return inv->number;
    case SORT_REMAINING_DESC:
        return inv->remaining_minor;
    }
    return 0;
}

/* The hash of the filter a cursor is bound to: status, customer and text
 * (the sort is in the cursor itself). */
static uint32_t list_filter(const struct invoice_query *q)
{
    char text[STORE_NAME_MAX + 64];

    snprintf(text, sizeof(text), "%d|%lld|%d|%s", (int)q->filter, (long long)q->customer_id,
             (int)q->stopped, q->q ? q->q : "");
    return api_cursor_filter(text);
}

/* Read status, stopped, sort, q, customer_id, limit and cursor into *q. */
static enum pm_err list_query(struct api_request *r, struct invoice_query *q, int64_t *limit)
{
    const char *status = api_request_query(r, "status"), *sort = api_request_query(r, "sort");
    const char *stopped = api_request_query(r, "stopped");
    const char *cursor = api_request_query(r, "cursor"), *text = api_request_query(r, "q");
    int i, found = -1;
    enum pm_err rc;

    memset(q, 0, sizeof(*q));
    q->filter = FILTER_ALL;
    q->sort = SORT_DUE_ASC;
    q->today = r->today;
    if (status && store_filter_parse(status, &q->filter))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "status");
    if (stopped && !strcmp(stopped, "true"))
        q->stopped = STOPPED_YES;
    else if (stopped && !strcmp(stopped, "false"))
        q->stopped = STOPPED_NO;
    else if (stopped)
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "stopped");
    if (sort) {
        for (i = 0; sort_names[i]; i++) {
            if (!strcmp(sort_names[i], sort))
                found = i;
        }
        if (found < 0)
            return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "sort");
        q->sort = (enum invoice_sort)found;
    }
    if (text && strlen(text) >= STORE_NAME_MAX)
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "q");
    q->q = text && *text ? text : NULL;
    rc = api_request_query_int(r, "customer_id", 1, INT64_MAX, &q->customer_id);
    if (!rc)
        rc = api_request_query_int(r, "limit", 1, LIMIT_MAX, limit);
    if (rc)
        return rc;
    if (cursor && *cursor) {
        rc = api_cursor_decode_in(cursor, 'i', (int)q->sort, list_filter(q), &q->after.key,
                                  &q->after.id);
        if (rc == PM_ERR_CONFLICT)
            api_error_extra(&r->err, "{\"reason\": \"the cursor belongs to another filter\"}");
        if (rc)
            return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "cursor");
        q->after.set = true;
    }
    q->limit = (size_t)*limit + 1;
    return PM_OK;
}

/* The list cache: everything the list's body depends on besides
 * the data itself, normalised, so equal keys mean equal answers. */
enum pm_err api_invoices_list_key(struct api_request *r, char *out, size_t cap, size_t *len)
{
    struct invoice_query q;
    int64_t limit = LIMIT_DEFAULT;
    enum pm_err rc;
    int n;

    *len = 0;
    rc = list_query(r, &q, &limit);
    if (rc)
        return rc;
    n = snprintf(out, cap, "list %lld %ld %d %d %d %lld %lld %d %lld %lld %s",
                 (long long)r->company_id, (long)q.today, (int)q.filter, (int)q.stopped,
                 (int)q.sort, (long long)q.customer_id, (long long)limit, q.after.set ? 1 : 0,
                 (long long)q.after.key, (long long)q.after.id, q.q ? q.q : "");
    if (n < 0 || (size_t)n >= cap)
        return PM_ERR_RANGE;
    *len = (size_t)n;
    return PM_OK;
}

/* The hottest answer of the product: written straight into the body with
 * the streaming writer, no jansson tree (see docs/benchmarks.md). */
enum pm_err api_invoices_list(struct api_request *r)
{
    struct invoice_query q;
    struct invoice *rows = NULL;
    struct app_ctx ax;
    struct app_error ae;
    struct buf body = BUF_INIT;
    struct jsonw w;
    char next_text[API_CURSOR_MAX] = "";
    int64_t limit = LIMIT_DEFAULT;
    size_t n = 0, i;
    enum pm_err rc;

    rc = list_query(r, &q, &limit);
    if (rc)
        return rc;
    rows = calloc(q.limit, sizeof(*rows));
    if (!rows) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
        goto out_free;
    }
    api_request_app(r, NULL, NULL, 0, &ax);
    app_error_clear(&ae);
    rc = app_invoices_list(&ax, &q, rows, q.limit, &n, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    if (n > (size_t)limit) {
        n = (size_t)limit;
        api_cursor_encode_in('i', (int)q.sort, list_filter(&q), sort_key(&rows[n - 1], q.sort),
                             rows[n - 1].id, next_text);
    }
    jsonw_init(&w, &body);
    jsonw_object_begin(&w);
    JSONW_KEY(&w, "items");
    jsonw_array_begin(&w);
    for (i = 0; i < n; i++)
        api_render_invoice_write(&w, &rows[i], r->today);
    jsonw_array_end(&w);
    JSONW_KEY(&w, "next_cursor");
    jsonw_string_or_null(&w, next_text);
    jsonw_object_end(&w);
    rc = jsonw_error(&w);
    if (rc) {
        api_error_set(&r->err, rc, NULL, NULL);
        goto out_free;
    }
    r->status = 200;
    r->raw_type = "application/json; charset=utf-8";
    r->raw_body = buf_detach(&body, &r->raw_len);
out_free:
    buf_release(&body);
    free(rows);
    return rc;
}

enum pm_err api_invoices_counts(struct api_request *r)
{
    int64_t c[FILTER_COUNT] = {0};
    struct app_ctx ax;
    struct app_error ae;

    api_request_app(r, NULL, NULL, 0, &ax);
    app_error_clear(&ae);
    if (app_invoices_counts(&ax, c, &ae))
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(
        r, 200,
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "all", (json_int_t)c[FILTER_ALL], "unpaid",
                  (json_int_t)c[FILTER_UNPAID], "overdue", (json_int_t)c[FILTER_OVERDUE], "agency",
                  (json_int_t)c[FILTER_AGENCY], "paid", (json_int_t)c[FILTER_PAID], "written_off",
                  (json_int_t)c[FILTER_WRITTEN_OFF]));
}

static json_t *date_or_null(int32_t d, bool have)
{
    return have ? api_render_date(d) : json_null();
}

/* The reference rate behind the interest: its half-year, source and the
 * day an administrator added it (null when shipped). */
static json_t *reference_json(const struct app_invoice_view *v)
{
    if (!v->have_rate)
        return json_null();
    return json_pack("{s:o, s:i, s:s, s:o}", "from", api_render_date(v->rate.from), "rate_bp",
                     (int)v->rate.reference_bp, "source", v->rate.source, "added",
                     v->rate.added > 0 ? api_render_date(v->rate.added) : json_null());
}

/* Late-payment interest as the invoice page shows it. */
static json_t *interest_json(const struct app_invoice_view *v)
{
    const struct interest_result *res = &v->interest;

    return json_pack("{s:I, s:i, s:o, s:o, s:i, s:i, s:b, s:o, s:I, s:o}", "amount_minor",
                     (json_int_t)res->amount_minor, "rate_bp", (int)res->last_rate_bp, "from",
                     date_or_null(res->first_day, res->days > 0), "to",
                     date_or_null(res->last_day, res->days > 0), "days", (int)res->days,
                     "paused_days", (int)res->paused_days, "rate_unknown", res->rate_unknown,
                     "unknown_from", date_or_null(res->unknown_from, res->rate_unknown),
                     "estimate_minor",
                     (json_int_t)(res->rate_unknown ? res->estimate_minor : res->amount_minor),
                     "reference_rate", reference_json(v));
}

/* A registered customer loss: expected (net written down) or confirmed
 * (the customer's unpaid part written off, VAT included), or null. */
static json_t *loss_json(const struct invoice_books *b)
{
    if (b->loss.gross_minor > 0)
        return json_pack("{s:s, s:I, s:I}", "kind", "confirmed", "amount_minor",
                         (json_int_t)b->loss.gross_minor, "net_minor",
                         (json_int_t)b->loss.net_minor);
    if (b->expected_loss_minor > 0)
        return json_pack("{s:s, s:I, s:I}", "kind", "expected", "amount_minor",
                         (json_int_t)b->expected_loss_minor, "net_minor",
                         (json_int_t)b->expected_loss_minor);
    return json_null();
}

static json_t *lines_json(const struct invoice_line_row *lines, size_t n)
{
    json_t *arr = json_array(), *item;
    size_t i;

    for (i = 0; arr && i < n; i++) {
        item = json_pack("{s:s, s:I, s:I, s:i, s:b, s:I}", "description", lines[i].description,
                         "quantity_milli", (json_int_t)lines[i].line.quantity_milli,
                         "unit_price_minor", (json_int_t)lines[i].line.unit_price_minor,
                         "vat_rate_bp", lines[i].line.vat_rate_bp, "labour", lines[i].line.labour,
                         "net_minor", (json_int_t)lines[i].net_minor);
        if (!item || json_array_append_new(arr, item)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

static json_t *buyers_json(const struct invoice_buyer *b, size_t n, int32_t today)
{
    json_t *arr = json_array(), *item;
    size_t i;

    for (i = 0; arr && i < n; i++) {
        item = json_pack("{s:o, s:s}", "id_number", api_render_idnum(b[i].id_number, today), "name",
                         b[i].name);
        if (!item || json_array_append_new(arr, item)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

/* The stop of reminders holding on the invoice today, or null. */
static json_t *stop_json(const struct app_invoice_stops *s)
{
    if (!s->today.stopped)
        return json_null();
    return api_render_reminder_stop(s->today.source == STOP_SOURCE_INVOICE ? &s->inv_row
                                                                           : &s->cust_row,
                                    reminder_stop_source_name(s->today.source));
}

/* The whole invoice as the invoice page shows it, with interest up to as_of. */
static enum pm_err invoice_detail(struct api_request *r, const struct app_ctx *ax, int64_t id,
                                  int32_t as_of, json_t **out)
{
    struct app_invoice_view v;
    struct app_error ae;
    json_t *obj = NULL, *interest = NULL;
    enum pm_err rc;

    *out = NULL;
    app_error_clear(&ae);
    rc = app_invoices_view(ax, id, as_of, &v, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    interest = interest_json(&v);
    obj = api_render_invoice(&v.inv, r->today); /* amili: set below */
    if (!interest || !obj || json_object_set_new(obj, "lines", lines_json(v.lines, v.n_lines)) ||
        json_object_set_new(obj, "buyers", buyers_json(v.buyers, v.n_buyers, r->today)) ||
        json_object_set(obj, "interest_minor", json_object_get(interest, "amount_minor")) ||
        json_object_set(obj, "interest", interest) ||
        json_object_set_new(obj, "loss", loss_json(&v.books)) ||
        json_object_set_new(obj, "reminder_stop", stop_json(&v.stops)) ||
        json_object_set_new(obj, "amili", api_amili_invoice_part(r, ax, &v.inv)) ||
        json_object_set_new(obj, "mails", api_mail_invoice_part(ax, v.inv.id))) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
        goto out_free;
    }
    *out = obj;
    obj = NULL;
out_free:
    json_decref(interest);
    json_decref(obj);
    app_invoices_view_release(&v);
    return rc;
}

/* The invoice page's answer for the invoice id, or (id 0) for the one
 * numbered number. */
static enum pm_err show(struct api_request *r, int64_t id, int64_t number)
{
    const char *as_of_text = api_request_query(r, "as_of");
    int32_t as_of = r->today;
    struct app_ctx ax;
    struct app_error ae;
    char actor[STORE_EMAIL_MAX];
    json_t *obj;
    enum pm_err rc;

    if (as_of_text && date_parse_iso(as_of_text, &as_of))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "as_of");
    rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    if (!id && app_invoices_id_by_number(&ax, number, &id, &ae))
        return api_error_from_app(&r->err, &ae);
    /* a handed-over invoice's case, fresh from the agency */
    app_handover_refresh(&ax, id);
    rc = invoice_detail(r, &ax, id, as_of, &obj);
    if (rc)
        return rc;
    return api_request_reply(r, 200, obj);
}

enum pm_err api_invoices_show(struct api_request *r)
{
    return show(r, api_router_param(&r->match, "id"), 0);
}

/* The page's address names the invoice by its number (#/invoices/1043). */
enum pm_err api_invoices_show_by_number(struct api_request *r)
{
    return show(r, 0, api_router_param(&r->match, "number"));
}

enum pm_err api_invoices_create(struct api_request *r)
{
    struct api_invoice_input *in = NULL;
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    json_t *obj = NULL;
    enum pm_err rc;

    rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    in = malloc(sizeof(*in));
    if (!in)
        return api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
    rc = api_decode_invoice(r->json, r->today, co.payment_terms_days, in, &r->err);
    if (rc)
        goto out_free;
    app_error_clear(&ae);
    rc = app_invoices_create(&ax, &in->inv, in->lines, in->n_lines, in->buyers, in->n_buyers, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    rc = invoice_detail(r, &ax, in->inv.id, r->today, &obj);
    if (!rc)
        rc = api_request_reply(r, 201, obj);
out_free:
    free(in);
    return rc;
}

static json_t *event_json(const struct history_event *ev)
{
    char at[32];
    json_t *data = json_loads(ev->data, 0, NULL);

    if (!json_is_object(data)) {
        json_decref(data);
        data = json_object();
    }
    clock_format_rfc3339(ev->at_us, at);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)ev->id, "at", at, "kind",
                     ev->kind, "actor", ev->actor, "message", ev->message, "data", data);
}

static enum pm_err add_event(void *arg, const struct history_event *ev)
{
    return json_array_append_new(arg, event_json(ev)) ? PM_ERR_NOMEM : PM_OK;
}

enum pm_err api_invoices_history(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    json_t *items = json_array();

    if (!items)
        return api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
    api_request_app(r, NULL, NULL, 0, &ax);
    app_error_clear(&ae);
    if (app_invoices_history(&ax, api_router_param(&r->match, "id"), add_event, items, &ae)) {
        json_decref(items);
        return api_error_from_app(&r->err, &ae);
    }
    return api_request_reply(r, 200, json_pack("{s:o}", "items", items));
}

enum pm_err api_invoices_payment_create(struct api_request *r)
{
    int64_t id = api_router_param(&r->match, "id");
    struct app_payment_result res;
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    struct invoice inv;
    struct payment p;
    char actor[STORE_EMAIL_MAX];
    json_t *obj = NULL;
    enum pm_err rc;

    api_request_app(r, NULL, NULL, 0, &ax);
    app_error_clear(&ae);
    if (app_invoices_get(&ax, id, &inv, &ae))
        return api_error_from_app(&r->err, &ae);
    rc = api_decode_payment(r->json, r->today, &p, &r->err);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_payments_register(&ax, id, p.date, p.amount_minor, p.reference, PAYMENT_MANUAL, false,
                               &res, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    rc = invoice_detail(r, &ax, id, r->today, &obj);
    if (rc)
        return rc;
    return api_request_reply(
        r, 201,
        json_pack("{s:o, s:I, s:o, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:{s:i, s:I}, s:b,"
                  " s:o}",
                  "id", res.payment_id ? json_integer(res.payment_id) : json_null(), "invoice_id",
                  (json_int_t)id, "date", api_render_date(p.date), "amount_minor",
                  (json_int_t)p.amount_minor, "currency", inv.currency, "reference", p.reference,
                  "source", store_payment_source_name(PAYMENT_MANUAL), "capital_minor",
                  (json_int_t)res.capital_minor, "fees_minor", (json_int_t)res.fees_minor,
                  "interest_minor", (json_int_t)res.interest_minor, "recovered_minor",
                  (json_int_t)res.recovered_minor, "voucher", "year", res.voucher_year, "number",
                  (json_int_t)res.voucher_number, "reported_to_agency", res.reported_to_agency,
                  "invoice", obj));
}

static enum pm_err stop_change(struct api_request *r, bool lift)
{
    int64_t id = api_router_param(&r->match, "id");
    struct app_reminder_stop_input in;
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX], kind[32], text[REMINDER_STOP_TEXT_MAX + 1];
    json_t *obj = NULL;
    enum pm_err rc = PM_OK;

    if (!lift)
        rc =
            api_decode_reminder_stop(r->json, kind, sizeof(kind), text, sizeof(text), &in, &r->err);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = lift ? app_reminder_stop_lift(&ax, STOP_SOURCE_INVOICE, id, &ae)
              : app_reminder_stop_set(&ax, STOP_SOURCE_INVOICE, id, &in, NULL, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    rc = invoice_detail(r, &ax, id, r->today, &obj);
    if (rc)
        return rc;
    return api_request_reply(r, 200, obj);
}

enum pm_err api_invoices_stop_put(struct api_request *r)
{
    return stop_change(r, false);
}

enum pm_err api_invoices_stop_delete(struct api_request *r)
{
    return stop_change(r, true);
}
