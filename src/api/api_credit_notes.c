/*
 * api_credit_notes.c — the routes of credit notes (kreditfakturor):
 *
 *   POST .../invoices/{id}/credit-notes  {reason, date?, amount_minor? |
 *                                         rates?: [{vat_rate_bp, net_minor}]}
 *        (neither amount_minor nor rates: all that is left on the invoice)
 *   GET  .../invoices/{id}/credit-notes
 *   POST .../credit-notes                {customer_id, reason, date?, rates}
 *        (free-standing)
 *   GET  .../credit-notes/{id}
 *   GET  .../credit-notes/{id}/credit-note.pdf
 *
 * HTTP only: decode, call app/app_credit_notes.h, render.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_error.h"
#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "api/api_router.h"
#include "app/app_credit_notes.h"
#include "core/money.h"

static json_t *render(const struct credit_note_row *cn)
{
    struct credit_note_amounts a;
    json_t *rates = json_array(), *obj;
    char url[128];
    int i;

    store_credit_note_amounts(cn, &a);
    for (i = 0; rates && i < VAT_RATES; i++) {
        if (!a.net_by_rate[i] && !a.vat_by_rate[i])
            continue;
        json_array_append_new(rates, json_pack("{s:i, s:I, s:I}", "vat_rate_bp", vat_rates[i].bp,
                                               "net_minor", (json_int_t)a.net_by_rate[i],
                                               "vat_minor", (json_int_t)a.vat_by_rate[i]));
    }
    app_credit_notes_pdf_url(cn->company_id, cn->id, url, sizeof(url));
    obj = json_pack("{s:I, s:I, s:o, s:I, s:o, s:s, s:o, s:I, s:I, s:I, s:o, s:s, s:s}", "id",
                    (json_int_t)cn->id, "number", (json_int_t)cn->number, "invoice_id",
                    cn->invoice_id ? json_integer(cn->invoice_id) : json_null(), "customer_id",
                    (json_int_t)cn->customer_id, "date", api_render_date(cn->date), "reason",
                    cn->reason, "rates", rates ? rates : json_array(), "total_minor",
                    (json_int_t)cn->total_minor, "tax_reduction_minor",
                    (json_int_t)cn->tax_reduction_minor, "customer_part_minor",
                    (json_int_t)cn->customer_part_minor, "voucher",
                    cn->voucher_number ? json_pack("{s:i, s:I}", "year", cn->voucher_year, "number",
                                                   (json_int_t)cn->voucher_number)
                                       : json_null(),
                    "created_by", cn->created_by, "pdf_url", url);
    return obj;
}

/* rates: [{vat_rate_bp, net_minor}], each rate at most once. */
static enum pm_err decode_rates(const json_t *arr, struct credit_note_request *req,
                                struct api_error *e)
{
    static const char *const keys[] = {"vat_rate_bp", "net_minor", NULL};
    char prefix[32];
    int64_t bp, net;
    bool seen[VAT_RATES] = {false};
    enum pm_err rc;
    size_t i;
    int at;

    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > VAT_RATES)
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", "rates");
    req->by_rates = true;
    for (i = 0; i < json_array_size(arr); i++) {
        const json_t *o = json_array_get(arr, i);

        snprintf(prefix, sizeof(prefix), "rates[%zu].", i);
        if (!json_is_object(o))
            return api_error_set(e, PM_ERR_INVALID, "invalid_value", "rates");
        rc = api_json_check_keys(o, prefix, keys, e);
        if (!rc)
            rc = api_json_int(o, prefix, "vat_rate_bp", true, 0, 10000, &bp, NULL, e);
        if (!rc)
            rc = api_json_int(o, prefix, "net_minor", true, 0, MONEY_MAX, &net, NULL, e);
        if (rc)
            return rc;
        at = vat_index((int)bp);
        if (at < 0 || seen[at])
            return api_error_at(e, PM_ERR_INVALID, "invalid_value", prefix, "vat_rate_bp");
        seen[at] = true;
        req->net_by_rate[at] = net;
    }
    return PM_OK;
}

static enum pm_err decode(const json_t *obj, bool free_standing, struct app_credit_note_input *in,
                          struct api_error *e)
{
    static const char *const keys[] = {"reason", "date", "amount_minor", "rates", NULL};
    static const char *const free_keys[] = {"customer_id", "reason", "date", "rates", NULL};
    bool has_amount = false;
    const json_t *rates;
    enum pm_err rc;

    rc = api_json_check_keys(obj, "", free_standing ? free_keys : keys, e);
    if (!rc && free_standing)
        rc = api_json_int(obj, "", "customer_id", true, 1, INT64_MAX, &in->customer_id, NULL, e);
    if (!rc)
        rc = api_json_string(obj, "", "reason", true, in->reason, sizeof(in->reason), NULL, e);
    if (!rc && !in->reason[0])
        rc = api_error_set(e, PM_ERR_INVALID, "required", "reason");
    if (!rc)
        rc = api_json_date(obj, "", "date", false, &in->date, NULL, e);
    if (!rc && !free_standing)
        rc = api_json_int(obj, "", "amount_minor", false, 1, MONEY_MAX, &in->req.customer_minor,
                          &has_amount, e);
    if (rc)
        return rc;
    rates = json_object_get(obj, "rates");
    if (rates && has_amount)
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", "rates");
    if (rates)
        return decode_rates(rates, &in->req, e);
    if (free_standing)
        return api_error_set(e, PM_ERR_INVALID, "required", "rates");
    in->full = !has_amount;
    return PM_OK;
}

static enum pm_err create(struct api_request *r, int64_t invoice_id)
{
    struct app_credit_note_input in;
    struct app_credit_note_result res;
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    json_t *obj;
    enum pm_err rc;

    memset(&in, 0, sizeof(in));
    in.invoice_id = invoice_id;
    rc = decode(r->json, invoice_id == 0, &in, &r->err);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_credit_notes_create(&ax, &in, &res, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    obj = render(&res.note);
    if (obj && invoice_id) {
        json_object_set_new(obj, "remaining_minor", json_integer(res.remaining_minor));
        json_object_set_new(obj, "reported_to_agency", json_boolean(res.reported_to_agency));
    }
    return api_request_reply(r, 201, obj);
}

enum pm_err api_credit_notes_create(struct api_request *r)
{
    return create(r, api_router_param(&r->match, "id"));
}

enum pm_err api_credit_notes_create_free(struct api_request *r)
{
    return create(r, 0);
}

enum pm_err api_credit_notes_list(struct api_request *r)
{
    struct credit_note_row *rows;
    struct app_ctx ax;
    struct app_error ae;
    json_t *items;
    size_t n = 0, i;
    enum pm_err rc;

    rc = api_request_app(r, NULL, NULL, 0, &ax);
    if (rc)
        return rc;
    rows = calloc(STORE_CREDIT_NOTES_MAX, sizeof(*rows));
    if (!rows)
        return api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
    app_error_clear(&ae);
    rc = app_credit_notes_list(&ax, api_router_param(&r->match, "id"), rows, STORE_CREDIT_NOTES_MAX,
                               &n, &ae);
    if (rc) {
        free(rows);
        return api_error_from_app(&r->err, &ae);
    }
    items = json_array();
    for (i = 0; items && i < n; i++)
        json_array_append_new(items, render(&rows[i]));
    free(rows);
    return api_request_reply(r, 200, items ? json_pack("{s:o}", "items", items) : NULL);
}

enum pm_err api_credit_notes_show(struct api_request *r)
{
    struct credit_note_row cn;
    struct app_ctx ax;
    struct app_error ae;
    enum pm_err rc;

    rc = api_request_app(r, NULL, NULL, 0, &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_credit_notes_get(&ax, api_router_param(&r->match, "id"), &cn, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 200, render(&cn));
}

enum pm_err api_credit_notes_pdf(struct api_request *r)
{
    int64_t id = api_router_param(&r->match, "id");
    struct buf pdf = BUF_INIT;
    struct app_ctx ax;
    struct app_error ae;
    enum pm_err rc;

    rc = api_request_app(r, NULL, NULL, 0, &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_credit_notes_pdf(&ax, id, &pdf, &ae);
    if (rc) {
        buf_release(&pdf);
        return api_error_from_app(&r->err, &ae);
    }
    r->status = 200;
    r->raw_type = "application/pdf";
    snprintf(r->raw_filename, sizeof(r->raw_filename), "kreditfaktura-%lld.pdf", (long long)id);
    r->raw_body = buf_detach(&pdf, &r->raw_len);
    buf_release(&pdf);
    return r->raw_body ? PM_OK : api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
}
