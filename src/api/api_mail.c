/*
 * api_mail.c — e-mail of reminders over HTTP: the company's mails (the
 * "E-post" view) paged newest first, a mail as every answer shows it, and
 * the channel of a reminder request ("letter", "email" or "both").
 *
 * Part of src/api: mails are queued and listed by app/app_mail.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_cursor.h"
#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_mail.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_mail.h"

#define MAILS_PAGE_DEFAULT 50
#define MAILS_PAGE_MAX     200

json_t *api_mail_json(const struct mail_row *m)
{
    bool statement = !strcmp(m->kind, "statement");
    json_t *o =
        json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:I, s:s, s:o, s:o}", "id",
                  (json_int_t)m->id, "kind", m->kind[0] ? m->kind : "reminder", "invoice_id",
                  m->invoice_id ? json_integer(m->invoice_id) : json_null(), "invoice_number",
                  m->invoice_number ? json_integer(m->invoice_number) : json_null(), "reminder_id",
                  m->reminder_id ? json_integer(m->reminder_id) : json_null(), "customer_id",
                  m->customer_id ? json_integer(m->customer_id) : json_null(), "customer_name",
                  m->customer_name, "to", m->recipient, "subject", m->subject, "message_id",
                  m->message_id, "attempts", (json_int_t)m->attempts, "last_answer", m->last_answer,
                  "sent_at", m->sent_at ? api_render_instant(m->sent_at) : json_null(),
                  "created_at", api_render_instant(m->created_at));

    if (o)
        json_object_set_new(o, "state", json_string(m->state));
    if (o && statement)
        json_object_set_new(o, "statement",
                            json_pack("{s:o, s:o, s:o}", "as_of", api_render_date(m->as_of), "from",
                                      api_render_date(m->period_from), "to",
                                      api_render_date(m->period_to)));
    return o;
}

enum pm_err api_mail_channel(struct api_request *r, enum api_mail_channel *out)
{
    static const char *const names[] = {"letter", "email", "both", NULL};
    int ch = API_MAIL_LETTER;
    enum pm_err rc = api_json_enum(r->json, "", "channel", false, names, &ch, NULL, &r->err);

    *out = (enum api_mail_channel)ch;
    if (!rc && ch != API_MAIL_LETTER && !r->ctx->mail_from)
        rc = api_error_set(&r->err, PM_ERR_BUSY, "mail_not_configured", "channel");
    return rc;
}

enum pm_err api_mail_queue(struct api_request *r, const struct app_ctx *ax, int64_t invoice_id,
                           int64_t reminder_id, json_t **mail)
{
    struct app_error ae;
    struct mail_row *m = calloc(1, sizeof(*m));
    bool found = false;
    enum pm_err rc;

    *mail = NULL;
    if (!m)
        return api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
    app_error_clear(&ae);
    rc = app_mail_queue_reminder(ax, invoice_id, reminder_id, &ae);
    if (!rc)
        rc = app_mail_of_reminder(ax, reminder_id, m, &found, &ae);
    if (rc)
        api_error_from_app(&r->err, &ae);
    else if (found)
        *mail = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)m->id, "state", m->state, "to",
                          m->recipient, "message_id", m->message_id);
    free(m);
    return rc;
}

#define INVOICE_MAILS 20

json_t *api_mail_invoice_part(const struct app_ctx *ax, int64_t invoice_id)
{
    struct mail_row *rows = calloc(INVOICE_MAILS, sizeof(*rows));
    struct app_error ae;
    json_t *arr = json_array();
    size_t n = 0, i;

    app_error_clear(&ae);
    if (!rows || !arr || app_mail_list(ax, invoice_id, 0, rows, INVOICE_MAILS, &n, &ae)) {
        json_decref(arr);
        arr = NULL;
    }
    for (i = 0; arr && i < n; i++) {
        if (json_array_append_new(arr, api_mail_json(&rows[i]))) {
            json_decref(arr);
            arr = NULL;
        }
    }
    free(rows);
    return arr;
}

/* POST .../invoices/{id}/reminders/{rid}/email: e-mail a reminder made
 * before (as a letter); a reminder e-mailed already keeps its one mail. */
enum pm_err api_mails_queue(struct api_request *r)
{
    static const char *const keys[] = {NULL};
    struct app_ctx ax;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    json_t *mail = NULL;
    enum pm_err rc;

    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc && !r->ctx->mail_from)
        rc = api_error_set(&r->err, PM_ERR_BUSY, "mail_not_configured", NULL);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (!rc)
        rc = api_mail_queue(r, &ax, api_router_param(&r->match, "id"),
                            api_router_param(&r->match, "rid"), &mail);
    if (!rc)
        rc = api_request_reply(r, 200, mail);
    return rc;
}

enum pm_err api_mails_list(struct api_request *r)
{
    const char *cursor = api_request_query(r, "cursor");
    int64_t limit = MAILS_PAGE_DEFAULT, invoice_id = 0, key = 0, before = 0;
    struct mail_row *rows = NULL;
    struct app_ctx ax;
    struct app_error ae;
    char next[API_CURSOR_MAX];
    json_t *items = NULL;
    size_t n = 0, i;
    enum pm_err rc;

    rc = api_request_query_int(r, "limit", 1, MAILS_PAGE_MAX, &limit);
    if (!rc)
        rc = api_request_query_int(r, "invoice_id", 1, INT64_MAX, &invoice_id);
    if (!rc && cursor && api_cursor_decode(cursor, 'm', 0, &key, &before))
        rc = api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "cursor");
    if (rc)
        return rc;
    api_request_app(r, NULL, NULL, 0, &ax);
    rows = calloc((size_t)limit, sizeof(*rows));
    items = json_array();
    if (!rows || !items) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    app_error_clear(&ae);
    rc = app_mail_list(&ax, invoice_id, before, rows, (size_t)limit, &n, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    for (i = 0; i < n; i++) {
        if (json_array_append_new(items, api_mail_json(&rows[i]))) {
            rc = api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
            goto out_free;
        }
    }
    next[0] = '\0';
    if (n == (size_t)limit)
        api_cursor_encode('m', 0, 0, rows[n - 1].id, next);
    rc = api_request_reply(r, 200,
                           json_pack("{s:o, s:s?, s:{s:b, s:s?}}", "items", items, "next_cursor",
                                     next[0] ? next : NULL, "smtp", "configured",
                                     r->ctx->mail_from != NULL, "from", r->ctx->mail_from));
    items = NULL;
out_free:
    json_decref(items);
    free(rows);
    return rc;
}
