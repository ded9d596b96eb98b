/*
 * api_reminders.c — manual payment reminders over HTTP: one invoice at a
 * time or many from the list, their PDF letters, and the batch's merged
 * letters for printing.
 *
 * Part of src/api: the bodies are read here, the reminders are made by
 * app/app_reminders.h, and the answers rendered here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_mail.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_mail.h"
#include "app/app_reminders.h"

#define BULK_MAX 1000

static json_t *interest_json(const struct reminder *rm, const struct reminder_amounts *a)
{
    return json_pack("{s:i, s:o, s:o, s:i, s:b, s:o, s:I}", "rate_bp",
                     (int)a->interest.last_rate_bp, "from",
                     rm->period_from ? api_render_date(rm->period_from) : json_null(), "to",
                     rm->period_to ? api_render_date(rm->period_to) : json_null(), "days",
                     (int)a->interest.days, "rate_unknown", a->interest.rate_unknown, "periods",
                     app_reminders_periods_json(a->periods, a->n_periods), "capital_minor",
                     (json_int_t)a->interest_capital_minor);
}

/* The reminder as the API answers it. */
static json_t *reminder_json(const struct reminder *rm, const struct reminder_amounts *a)
{
    char url[160];

    app_reminders_letter_url(rm, url, sizeof(url));
    return json_pack(
        "{s:I, s:I, s:o, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:o, s:b, s:s, s:s, s:s}", "id",
        (json_int_t)rm->id, "invoice_id", (json_int_t)rm->invoice_id, "date",
        api_render_date(rm->date), "fee_minor", (json_int_t)rm->fee_minor, "interest_minor",
        (json_int_t)rm->interest_minor, "interest", interest_json(rm, a), "late_compensation_minor",
        (json_int_t)rm->late_compensation_minor, "earlier_charges_minor",
        (json_int_t)rm->earlier_charges_minor, "capital_minor", (json_int_t)a->capital_minor,
        "total_due_minor", (json_int_t)rm->total_due_minor, "new_due_date",
        api_render_date(rm->new_due_date), "new_due_date_moved", a->new_due_date_moved, "ocr",
        rm->ocr, "currency", "SEK", "letter_url", url);
}

/* {date} of a reminder request: default today. */
static enum pm_err reminder_date(struct api_request *r, const json_t *obj, int32_t *date)
{
    *date = r->today;
    return api_json_date(obj, "", "date", false, date, NULL, &r->err);
}

enum pm_err api_reminders_create(struct api_request *r)
{
    static const char *const keys[] = {"date", "channel", NULL};
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    struct reminder *rm = NULL;
    struct reminder_amounts a;
    enum api_mail_channel channel;
    char actor[STORE_EMAIL_MAX];
    json_t *obj, *mail = NULL;
    int32_t date;
    enum pm_err rc;

    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc)
        rc = reminder_date(r, r->json, &date);
    if (!rc)
        rc = api_mail_channel(r, &channel);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    rm = malloc(sizeof(*rm));
    if (!rm)
        return api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
    app_error_clear(&ae);
    rc = app_reminders_create(&ax, api_router_param(&r->match, "id"), date, rm, &a, &ae);
    if (rc == PM_ERR_NOT_FOUND)
        api_request_store_failed(r, rc);
    else if (rc)
        api_error_from_app(&r->err, &ae);
    if (!rc && channel != API_MAIL_LETTER)
        rc = api_mail_queue(r, &ax, rm->invoice_id, rm->id, &mail);
    if (!rc) {
        obj = reminder_json(rm, &a);
        if (obj) {
            json_object_set_new(obj, "channel",
                                json_string(channel == API_MAIL_LETTER  ? "letter"
                                            : channel == API_MAIL_EMAIL ? "email"
                                                                        : "both"));
            json_object_set_new(obj, "mail", mail ? mail : json_null());
            mail = NULL;
        }
        rc = api_request_reply(r, 201, obj);
    }
    json_decref(mail);
    free(rm);
    return rc;
}

/* Answer with a PDF (stolen). */
static enum pm_err reply_pdf(struct api_request *r, struct buf *pdf, const char *filename)
{
    r->status = 200;
    r->raw_type = "application/pdf";
    snprintf(r->raw_filename, sizeof(r->raw_filename), "%s", filename);
    r->raw_body = buf_detach(pdf, &r->raw_len);
    return r->raw_body ? PM_OK : api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
}

enum pm_err api_reminders_letter(struct api_request *r)
{
    int64_t rid = api_router_param(&r->match, "rid");
    struct app_ctx ax;
    struct app_error ae;
    struct buf pdf = BUF_INIT;
    char actor[STORE_EMAIL_MAX], name[64];
    enum pm_err rc;

    rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_reminders_letter(&ax, api_router_param(&r->match, "id"), rid, &pdf, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_release;
    }
    snprintf(name, sizeof(name), "paminnelse-%lld.pdf", (long long)rid);
    rc = reply_pdf(r, &pdf, name);
out_release:
    buf_release(&pdf);
    return rc;
}

/* The invoice_ids of a bulk request: 1..BULK_MAX positive ids. */
static enum pm_err bulk_ids(struct api_request *r, int64_t **ids, size_t *n)
{
    json_t *arr = json_object_get(r->json, "invoice_ids"), *v;
    size_t i;

    *ids = NULL;
    *n = 0;
    if (!arr)
        return api_error_set(&r->err, PM_ERR_INVALID, "required", "invoice_ids");
    if (!json_is_array(arr))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_value", "invoice_ids");
    if (json_array_size(arr) == 0 || json_array_size(arr) > BULK_MAX)
        return api_error_set(&r->err, PM_ERR_RANGE, "out_of_range", "invoice_ids");
    *ids = calloc(json_array_size(arr), sizeof(**ids));
    if (!*ids)
        return api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0) {
            char field[48];

            snprintf(field, sizeof(field), "invoice_ids[%zu]", i);
            free(*ids);
            *ids = NULL;
            return api_error_set(&r->err, PM_ERR_INVALID, "invalid_value", field);
        }
        (*ids)[i] = json_integer_value(v);
    }
    *n = json_array_size(arr);
    return PM_OK;
}

/* Each invoice's outcome of a bulk request, rendered as it comes. */
struct bulk_results {
    json_t *items;
    bool english;
    enum api_mail_channel channel;
    const struct app_ctx *ax;
    size_t mailed;
};

/* Queue the e-mail of a reminder made in a batch into item: "mail", or
 * "mail_error" when the customer has no address (the letter stands). */
static enum pm_err bulk_mail(struct bulk_results *br, const struct reminder *rm, json_t *item)
{
    struct app_error ae;
    struct mail_row m;
    bool found = false;
    const char *code;
    enum pm_err rc;

    app_error_clear(&ae);
    rc = app_mail_queue_reminder(br->ax, rm->invoice_id, rm->id, &ae);
    if (rc == PM_ERR_INVALID) {
        code = app_error_code(&ae);
        json_object_set_new(item, "mail", json_null());
        return json_object_set_new(item, "mail_error",
                                   json_pack("{s:s, s:s, s:s}", "code", code, "field", ae.field,
                                             "message", app_error_message(code, br->english)))
                   ? PM_ERR_NOMEM
                   : PM_OK;
    }
    if (!rc)
        rc = app_mail_of_reminder(br->ax, rm->id, &m, &found, &ae);
    if (rc)
        return rc;
    br->mailed++;
    return json_object_set_new(item, "mail",
                               json_pack("{s:I, s:s, s:s}", "id", (json_int_t)m.id, "state",
                                         m.state, "to", m.recipient))
               ? PM_ERR_NOMEM
               : PM_OK;
}

static enum pm_err bulk_result(void *arg, int64_t invoice_id, const struct reminder *rm,
                               const struct reminder_amounts *a, const struct app_error *err)
{
    struct bulk_results *br = arg;
    struct api_error one;
    json_t *item;

    if (rm) {
        item = json_pack("{s:I, s:s, s:o, s:[]}", "invoice_id", (json_int_t)invoice_id, "status",
                         "created", "reminder", reminder_json(rm, a), "errors");
        if (item && br->channel != API_MAIL_LETTER) {
            enum pm_err rc = bulk_mail(br, rm, item);

            if (rc) {
                json_decref(item);
                return rc;
            }
        }
    } else {
        const char *code;

        api_error_clear(&one);
        api_error_from_app(&one, err);
        code = api_error_code(&one);
        item = json_pack("{s:I, s:s, s:n, s:[{s:s, s:s, s:s}]}", "invoice_id",
                         (json_int_t)invoice_id, "status", "rejected", "reminder", "errors", "code",
                         code, "field", one.field, "message", api_error_message(code, br->english));
    }
    return item && !json_array_append_new(br->items, item) ? PM_OK : PM_ERR_NOMEM;
}

enum pm_err api_reminders_bulk(struct api_request *r)
{
    static const char *const keys[] = {"invoice_ids", "date", "channel", NULL};
    struct app_ctx ax;
    struct app_error ae;
    struct app_reminder_batch batch;
    struct bulk_results br = {0};
    struct company co;
    char actor[STORE_EMAIL_MAX], url[160];
    int64_t *ids = NULL;
    size_t n = 0;
    int32_t date;
    enum pm_err rc;

    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc)
        rc = bulk_ids(r, &ids, &n);
    if (!rc)
        rc = reminder_date(r, r->json, &date);
    if (!rc)
        rc = api_mail_channel(r, &br.channel);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        goto out_free;
    br.ax = &ax;
    br.english = r->english;
    br.items = json_array();
    if (!br.items) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    app_error_clear(&ae);
    rc = app_reminders_bulk(&ax, ids, n, date, bulk_result, &br, &batch, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    url[0] = '\0';
    if (batch.created > 0)
        app_reminders_batch_url(r->company_id, batch.batch_id, url, sizeof(url));
    rc = api_request_reply(
        r, 201,
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:s?}", "batch_id", (json_int_t)batch.batch_id,
                  "total", (json_int_t)batch.total, "created", (json_int_t)batch.created,
                  "rejected", (json_int_t)(batch.total - batch.created), "mailed",
                  (json_int_t)br.mailed, "results", br.items, "letters_url", url[0] ? url : NULL));
    br.items = NULL;
out_free:
    json_decref(br.items);
    free(ids);
    return rc;
}

enum pm_err api_reminders_batch_letters(struct api_request *r)
{
    int64_t batch_id = api_router_param(&r->match, "batch_id");
    struct app_ctx ax;
    struct app_error ae;
    struct buf pdf = BUF_INIT;
    char actor[STORE_EMAIL_MAX], name[64];
    enum pm_err rc;

    rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_reminders_batch_letters(&ax, batch_id, &pdf, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_release;
    }
    snprintf(name, sizeof(name), "paminnelser-%lld.pdf", (long long)batch_id);
    rc = reply_pdf(r, &pdf, name);
out_release:
    buf_release(&pdf);
    return rc;
}
