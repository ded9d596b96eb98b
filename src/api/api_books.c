/*
 * api_books.c — the books over HTTP: the vouchers list, the SIE export,
 * the BgMax and camt.054 imports and the receivables aging.
 *
 * Part of src/api: query parameters and bodies are read here, the
 * operations are app/app_export.h's and app/app_bankfile.h's, and their
 * results are rendered here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_bankfile.h"
#include "app/app_export.h"
#include "core/date.h"

/* ---- vouchers ---- */

static json_t *voucher_json(const struct voucher *v)
{
    json_t *rows = json_array(), *row;
    size_t i;

    for (i = 0; rows && i < v->n_rows; i++) {
        row = json_pack("{s:i, s:I, s:I}", "account", v->rows[i].account, "debit_minor",
                        (json_int_t)v->rows[i].debit_minor, "credit_minor",
                        (json_int_t)v->rows[i].credit_minor);
        if (!row || json_array_append_new(rows, row)) {
            json_decref(rows);
            rows = NULL;
        }
    }
    return json_pack("{s:I, s:i, s:o, s:s, s:s, s:o, s:o}", "number", (json_int_t)v->number, "year",
                     v->year, "date", api_render_date(v->date), "text", v->text, "source",
                     v->source, "invoice_id",
                     v->invoice_id ? json_integer(v->invoice_id) : json_null(), "rows", rows);
}

/* A date query parameter: absent leaves *out. */
static enum pm_err query_date(struct api_request *r, const char *name, int32_t *out)
{
    const char *s = api_request_query(r, name);

    if (s && date_parse_iso(s, out))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", name);
    return PM_OK;
}

static enum pm_err add_voucher(void *arg, const struct voucher *v)
{
    return json_array_append_new(arg, voucher_json(v)) ? PM_ERR_NOMEM : PM_OK;
}

enum pm_err api_books_vouchers(struct api_request *r)
{
    int32_t from = 0, to = 0;
    struct app_ctx ax;
    struct app_error ae;
    char actor[STORE_EMAIL_MAX];
    json_t *items = NULL;
    bool truncated = false;
    enum pm_err rc;

    date_from_ymd(DATE_MIN_YEAR, 1, 1, &from);
    date_from_ymd(DATE_MAX_YEAR, 12, 31, &to);
    rc = query_date(r, "from", &from);
    if (!rc)
        rc = query_date(r, "to", &to);
    if (rc)
        return rc;
    if (from > to)
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "to");
    rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    items = json_array();
    if (!items)
        return api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
    app_error_clear(&ae);
    rc = app_export_vouchers(&ax, from, to, add_voucher, items, &truncated, &ae);
    if (rc) {
        json_decref(items);
        return api_error_from_app(&r->err, &ae);
    }
    return api_request_reply(r, 200,
                             json_pack("{s:o, s:b}", "items", items, "truncated", truncated));
}

/* ---- SIE ---- */

enum pm_err api_books_sie(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    struct buf out = BUF_INIT;
    char actor[STORE_EMAIL_MAX];
    const char *type_text = api_request_query(r, "type");
    enum sie_type type = SIE_TYPE_4I;
    int64_t year = 0;
    enum pm_err rc;

    if (!api_request_query(r, "year"))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "year");
    if (type_text && !strcmp(type_text, "4E"))
        type = SIE_TYPE_4E;
    else if (type_text && strcmp(type_text, "4I") != 0)
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "type");
    rc = api_request_query_int(r, "year", DATE_MIN_YEAR, DATE_MAX_YEAR - 1, &year);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (!rc) {
        app_error_clear(&ae);
        rc = app_export_sie(&ax, (int)year, type, &out, &ae);
        if (rc)
            api_error_from_app(&r->err, &ae);
    }
    if (rc) {
        buf_release(&out);
        return rc;
    }
    r->status = 200;
    r->raw_type = "text/plain; charset=IBM437";
    snprintf(r->raw_filename, sizeof(r->raw_filename), "paminn-%lld-%lld.%s",
             (long long)r->company_id, (long long)year, type == SIE_TYPE_4E ? "se" : "si");
    r->raw_body = buf_detach(&out, &r->raw_len);
    return r->raw_body ? PM_OK : api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
}

/* ---- receivables aging ---- */

enum pm_err api_books_aging(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    struct app_aging aging;
    char actor[STORE_EMAIL_MAX];
    int32_t as_of = r->today;
    json_t *buckets, *b;
    enum pm_err rc;
    int i;

    rc = query_date(r, "as_of", &as_of);
    if (!rc)
        rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_export_aging(&ax, as_of, &aging, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    buckets = json_array();
    for (i = 0; buckets && i < AGING_BUCKETS; i++) {
        b = json_pack("{s:s, s:I, s:I}", "key", aging_bucket_key((enum aging_bucket)i), "count",
                      (json_int_t)aging.count[i], "remaining_minor",
                      (json_int_t)aging.remaining_minor[i]);
        if (!b || json_array_append_new(buckets, b)) {
            json_decref(buckets);
            buckets = NULL;
        }
    }
    return api_request_reply(r, 200,
                             json_pack("{s:o, s:s, s:o, s:I, s:I}", "as_of", api_render_date(as_of),
                                       "currency", "SEK", "buckets", buckets, "total_minor",
                                       (json_int_t)aging.total_minor, "count",
                                       (json_int_t)aging.total_count));
}

/* ---- BgMax import ---- */

/* The import options of the query (dry_run, and for BgMax
 * allow_test_file). */
static enum pm_err import_options(struct api_request *r, bool bgmax, struct app_bgmax_options *opt)
{
    const char *allow = api_request_query(r, "allow_test_file");
    const char *dry = api_request_query(r, "dry_run");

    memset(opt, 0, sizeof(*opt));
    if (allow && (!bgmax || (strcmp(allow, "true") != 0 && strcmp(allow, "false") != 0)))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "allow_test_file");
    if (dry && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0)
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "dry_run");
    opt->allow_test_file = allow && !strcmp(allow, "true");
    opt->dry_run = dry && !strcmp(dry, "true");
    return PM_OK;
}

enum pm_err api_books_camt054(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    struct app_bgmax_report rep;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    struct app_bgmax_options opt;
    enum pm_err rc;

    rc = import_options(r, false, &opt);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_bankfile_import_camt054(&ax, r->body, r->body_len, &opt, &rep, &ae);
    if (rc)
        api_error_from_app(&r->err, &ae);
    else
        rc = api_request_reply(r, 200, app_bgmax_report_json(&rep));
    app_bgmax_report_release(&rep);
    return rc;
}

enum pm_err api_books_bgmax(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    struct app_bgmax_report rep;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    struct app_bgmax_options opt;
    enum pm_err rc;

    rc = import_options(r, true, &opt);
    if (rc)
        return rc;
    rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_bankfile_import_bgmax(&ax, r->body, r->body_len, &opt, &rep, &ae);
    if (rc)
        api_error_from_app(&r->err, &ae);
    else
        rc = api_request_reply(r, 200, app_bgmax_report_json(&rep));
    app_bgmax_report_release(&rep);
    return rc;
}

/* ---- bank payments held unmatched ---- */

#define UNMATCHED_LIST_MAX 500

static json_t *unmatched_json(const struct unmatched_payment *u)
{
    return json_pack(
        "{s:I, s:s, s:I, s:o, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "id",
        (json_int_t)u->id, "file_identity", u->file_identity, "line", (json_int_t)u->line, "date",
        api_render_date(u->date), "amount_minor", (json_int_t)u->amount_minor, "reference",
        u->reference, "payer_bankgiro", u->payer_bankgiro, "payer_name", u->payer_name, "message",
        u->message, "reason", u->reason, "suggested_invoice_id",
        u->suggested_invoice_id ? json_integer(u->suggested_invoice_id) : json_null(),
        "suggested_invoice_number",
        u->suggested_invoice_number ? json_integer(u->suggested_invoice_number) : json_null(),
        "invoice_id", u->invoice_id ? json_integer(u->invoice_id) : json_null());
}

enum pm_err api_books_unmatched_list(struct api_request *r)
{
    struct unmatched_payment *rows;
    struct app_ctx ax;
    struct app_error ae;
    json_t *items;
    size_t n = 0, i;
    enum pm_err rc;

    api_request_app(r, NULL, NULL, 0, &ax);
    rows = calloc(UNMATCHED_LIST_MAX, sizeof(*rows));
    items = json_array();
    if (!rows || !items) {
        free(rows);
        json_decref(items);
        return api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
    }
    app_error_clear(&ae);
    rc = app_bankfile_unmatched_list(&ax, rows, UNMATCHED_LIST_MAX, &n, &ae);
    if (rc)
        api_error_from_app(&r->err, &ae);
    for (i = 0; !rc && i < n; i++) {
        if (json_array_append_new(items, unmatched_json(&rows[i])))
            rc = api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
    }
    free(rows);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return api_request_reply(r, 200, json_pack("{s:o}", "items", items));
}

enum pm_err api_books_unmatched_confirm(struct api_request *r)
{
    static const char *const keys[] = {"invoice_id", NULL};
    int64_t id = api_router_param(&r->match, "id"), invoice_id = 0;
    struct app_payment_result res;
    struct unmatched_payment u;
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    enum pm_err rc;

    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc)
        rc =
            api_json_int(r->json, "", "invoice_id", true, 1, INT64_MAX, &invoice_id, NULL, &r->err);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_bankfile_unmatched_confirm(&ax, id, invoice_id, &u, &res, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(
        r, 200,
        json_pack("{s:o, s:{s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:i, s:I}}}", "unmatched",
                  unmatched_json(&u), "payment", "id",
                  res.payment_id ? json_integer(res.payment_id) : json_null(), "amount_minor",
                  (json_int_t)res.amount_minor, "capital_minor", (json_int_t)res.capital_minor,
                  "fees_minor", (json_int_t)res.fees_minor, "interest_minor",
                  (json_int_t)res.interest_minor, "overpaid_minor", (json_int_t)res.overpaid_minor,
                  "remaining_minor", (json_int_t)res.remaining_minor, "voucher", "year",
                  res.voucher_year, "number", (json_int_t)res.voucher_number));
}
