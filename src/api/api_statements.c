/*
 * api_statements.c — customer statements (kontoutdrag) over HTTP: the
 * statement as JSON, as a PDF, and queued as an e-mail.
 *
 *   GET  .../customers/{id}/statement?as_of=&from=&to=
 *   GET  .../customers/{id}/statement.pdf?as_of=&from=&to=
 *   POST .../customers/{id}/statement/email  {"as_of", "from", "to"}
 *
 * Dates are YYYY-MM-DD; as_of defaults to today, the period to the three
 * months up to as_of.  Part of src/api: app/app_statements.h does the work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_mail.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_statements.h"
#include "core/date.h"

static enum pm_err query_date(struct api_request *r, const char *name, int32_t *out)
{
    const char *s = api_request_query(r, name);

    if (s && (strlen(s) != 10 || date_parse_iso(s, out)))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", name);
    return PM_OK;
}

static enum pm_err query_dates(struct api_request *r, int32_t *as_of, int32_t *from, int32_t *to)
{
    enum pm_err rc = query_date(r, "as_of", as_of);

    if (!rc)
        rc = query_date(r, "from", from);
    if (!rc)
        rc = query_date(r, "to", to);
    return rc;
}

/* The statement of the route's customer for the dates. */
static enum pm_err built(struct api_request *r, struct app_ctx *ax, int32_t as_of, int32_t from,
                         int32_t to, struct app_statement *s)
{
    struct app_error ae;
    enum pm_err rc;

    app_error_clear(&ae);
    rc = app_statement_dates(ax, &as_of, &from, &to, &ae);
    if (!rc)
        rc = app_statement_build(ax, api_router_param(&r->match, "id"), as_of, from, to, s, &ae);
    return rc ? api_error_from_app(&r->err, &ae) : PM_OK;
}

static json_t *item_json(const struct app_statement_item *a)
{
    const struct statement_item *it = &a->item;

    return json_pack(
        "{s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:b, s:o, s:i, s:s,"
        " s:b}",
        "invoice_id", (json_int_t)it->invoice_id, "invoice_number", (json_int_t)it->number,
        "invoice_date", api_render_date(it->invoice_date), "due_date",
        api_render_date(it->due_date), "amount_minor", (json_int_t)it->amount_minor, "paid_minor",
        (json_int_t)it->paid_minor, "credited_minor", (json_int_t)it->credited_minor,
        "remaining_minor", (json_int_t)it->remaining_minor, "interest_minor",
        (json_int_t)it->interest_minor, "interest_rate_bp", (int)it->rate_bp, "interest_days",
        (int)it->interest_days, "rate_unknown", it->rate_unknown, "interest_estimate_minor",
        it->rate_unknown ? json_integer(it->estimate_minor) : json_null(), "days_overdue",
        (int)it->days_overdue, "ocr", it->ocr, "with_agency", a->with_agency);
}

static json_t *move_json(const struct statement_move_row *m)
{
    bool credit = !strcmp(m->kind, "credit");

    return json_pack(
        "{s:s, s:I, s:o, s:o, s:o, s:o, s:I, s:I, s:I}", "kind", credit ? "credit_note" : "payment",
        "id", (json_int_t)m->id, "date", api_render_date(m->date), "invoice_id",
        m->invoice_id ? json_integer(m->invoice_id) : json_null(), "invoice_number",
        m->invoice_number ? json_integer(m->invoice_number) : json_null(), "credit_note_number",
        credit ? json_integer(m->number) : json_null(), "amount_minor", (json_int_t)m->amount_minor,
        "interest_minor", (json_int_t)m->interest_minor, "fees_minor", (json_int_t)m->fees_minor);
}

static json_t *statement_json(const struct app_statement *s, int64_t company_id)
{
    json_t *items = json_array(), *moves = json_array();
    char date[16], from[16], to[16], url[256];
    size_t i;

    for (i = 0; items && i < s->n_items; i++)
        json_array_append_new(items, item_json(&s->items[i]));
    for (i = 0; moves && i < s->n_moves; i++)
        json_array_append_new(moves, move_json(&s->moves[i]));
    date_format_iso(s->as_of, date);
    date_format_iso(s->from, from);
    date_format_iso(s->to, to);
    snprintf(url, sizeof(url),
             "/api/v1/companies/%lld/customers/%lld/statement.pdf?as_of=%s&from=%s&to=%s",
             (long long)company_id, (long long)s->customer.id, date, from, to);
    return json_pack(
        "{s:{s:I, s:s, s:s, s:s}, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:b},"
        " s:{s:I, s:I, s:o}, s:{s:s, s:s}, s:s}",
        "customer", "id", (json_int_t)s->customer.id, "name", s->customer.name, "email",
        s->customer.email, "language", s->english ? "en" : "sv", "language",
        s->english ? "en" : "sv", "as_of", date, "from", from, "to", to, "currency", "SEK", "items",
        items ? items : json_array(), "totals", "items", (json_int_t)s->totals.items,
        "remaining_minor", (json_int_t)s->totals.remaining_minor, "interest_minor",
        (json_int_t)s->totals.interest_minor, "total_minor", (json_int_t)s->totals.total_minor,
        "overdue_minor", (json_int_t)s->totals.overdue_minor, "rate_unknown",
        s->totals.rate_unknown, "period", "paid_minor", (json_int_t)s->paid_minor, "credited_minor",
        (json_int_t)s->credited_minor, "moves", moves ? moves : json_array(), "payment", "bankgiro",
        s->company.bankgiro, "reference", "ocr_per_invoice", "pdf_url", url);
}

/* The statement the query asks for (as_of, from, to). */
static enum pm_err requested(struct api_request *r, struct app_ctx *ax, struct app_statement *s)
{
    int32_t as_of = 0, from = 0, to = 0;
    enum pm_err rc = query_dates(r, &as_of, &from, &to);

    if (!rc)
        rc = api_request_app(r, NULL, NULL, 0, ax);
    return rc ? rc : built(r, ax, as_of, from, to, s);
}

enum pm_err api_statements_show(struct api_request *r)
{
    struct app_statement s;
    struct app_ctx ax;
    enum pm_err rc;

    rc = requested(r, &ax, &s);
    if (rc)
        return rc;
    rc = api_request_reply(r, 200, statement_json(&s, ax.company_id));
    app_statement_release(&s);
    return rc;
}

enum pm_err api_statements_pdf(struct api_request *r)
{
    struct app_statement s;
    struct app_ctx ax;
    struct app_error ae;
    struct buf pdf = BUF_INIT;
    enum pm_err rc;

    rc = requested(r, &ax, &s);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_statement_pdf(&s, &pdf, r->raw_filename, sizeof(r->raw_filename), &ae);
    app_statement_release(&s);
    if (rc) {
        buf_release(&pdf);
        return api_error_from_app(&r->err, &ae);
    }
    r->status = 200;
    r->raw_type = "application/pdf";
    r->raw_body = buf_detach(&pdf, &r->raw_len);
    buf_release(&pdf);
    return r->raw_body ? PM_OK : api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
}

enum pm_err api_statements_email(struct api_request *r)
{
    static const char *const keys[] = {"as_of", "from", "to", NULL};
    int32_t as_of = 0, from = 0, to = 0;
    struct app_statement s;
    struct mail_row *m = NULL;
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    enum pm_err rc;

    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc)
        rc = api_json_date(r->json, "", "as_of", false, &as_of, NULL, &r->err);
    if (!rc)
        rc = api_json_date(r->json, "", "from", false, &from, NULL, &r->err);
    if (!rc)
        rc = api_json_date(r->json, "", "to", false, &to, NULL, &r->err);
    if (!rc && !r->ctx->mail_from)
        rc = api_error_set(&r->err, PM_ERR_BUSY, "mail_not_configured", NULL);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (!rc)
        rc = built(r, &ax, as_of, from, to, &s);
    if (rc)
        return rc;
    m = calloc(1, sizeof(*m));
    app_error_clear(&ae);
    rc = m ? app_statement_email(&ax, &s, m, &ae)
           : app_error_set(&ae, PM_ERR_NOMEM, "internal_error", NULL);
    app_statement_release(&s);
    if (rc)
        api_error_from_app(&r->err, &ae);
    else
        rc = api_request_reply(r, 202, api_mail_json(m));
    free(m);
    return rc;
}
