/*
 * api_customers.c — a company's customer cards.
 *
 * The list is a keyset page by name (the store continues after the id of
 * the previous page's last row); the cursor is opaque to clients
 * (api_cursor.h).  A duplicate customer number is a 409 on "number".
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_cursor.h"
#include "api/api_decode.h"
#include "api/api_handlers.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_customers.h"
#include "app/app_reminder_stops.h"

#define LIMIT_DEFAULT 50
#define LIMIT_MAX     200

enum pm_err api_customers_list(struct api_request *r)
{
    const char *q = api_request_query(r, "q"), *cursor = api_request_query(r, "cursor");
    struct app_ctx ax;
    struct app_error ae;
    struct customer *rows = NULL;
    json_t *items = NULL, *next = json_null();
    char next_text[API_CURSOR_MAX];
    int64_t limit = LIMIT_DEFAULT, key = 0, after = 0;
    size_t n = 0, i;
    enum pm_err rc;

    rc = api_request_query_int(r, "limit", 1, LIMIT_MAX, &limit);
    if (rc)
        return rc;
    rc = cursor && *cursor
             ? api_cursor_decode_in(cursor, 'c', 0, api_cursor_filter(q), &key, &after)
             : PM_OK;
    if (rc == PM_ERR_CONFLICT)
        api_error_extra(&r->err, "{\"reason\": \"the cursor belongs to another filter\"}");
    if (rc)
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "cursor");
    if (q && strlen(q) >= STORE_NAME_MAX)
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "q");
    rows = calloc((size_t)limit + 1, sizeof(*rows));
    items = json_array();
    if (!rows || !items) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
        goto out_free;
    }
    api_request_app(r, NULL, NULL, 0, &ax);
    app_error_clear(&ae);
    rc = app_customers_list(&ax, q && *q ? q : NULL, after, rows, (size_t)limit + 1, &n, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    if (n > (size_t)limit) {
        n = (size_t)limit;
        api_cursor_encode_in('c', 0, api_cursor_filter(q && *q ? q : ""), 0, rows[n - 1].id,
                             next_text);
        next = json_string(next_text);
    }
    for (i = 0; i < n; i++) {
        if (json_array_append_new(items, api_render_customer(&rows[i], r->today))) {
            rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
            goto out_free;
        }
    }
    rc = api_request_reply(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
    items = NULL;
    next = NULL;
out_free:
    json_decref(items);
    json_decref(next);
    free(rows);
    return rc;
}

enum pm_err api_customers_create(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    struct customer c;
    char actor[STORE_EMAIL_MAX];
    enum pm_err rc;

    api_decode_customer_defaults(&c);
    rc = api_decode_customer(r->json, true, r->today, &c, &r->err);
    if (!rc)
        rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_customers_create(&ax, &c, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 201, api_render_customer(&c, r->today));
}

/* The customer of the path's {id}. */
static enum pm_err get_customer(struct api_request *r, struct customer *c)
{
    struct app_ctx ax;
    struct app_error ae;

    api_request_app(r, NULL, NULL, 0, &ax);
    app_error_clear(&ae);
    if (app_customers_get(&ax, api_router_param(&r->match, "id"), c, &ae))
        return api_error_from_app(&r->err, &ae);
    return PM_OK;
}

/* The customer card with the stop of reminders holding on it today. */
static enum pm_err reply_card(struct api_request *r, int status, const struct customer *c)
{
    struct reminder_stop_row row;
    struct app_ctx ax;
    struct app_error ae;
    bool found = false;
    json_t *obj;

    api_request_app(r, NULL, NULL, 0, &ax);
    app_error_clear(&ae);
    if (app_reminder_stop_current(&ax, STOP_SOURCE_CUSTOMER, c->id, &row, &found, &ae))
        return api_error_from_app(&r->err, &ae);
    obj = api_render_customer(c, r->today);
    if (obj && json_object_set_new(obj, "reminder_stop",
                                   api_render_reminder_stop(found ? &row : NULL, "customer"))) {
        json_decref(obj);
        obj = NULL;
    }
    return api_request_reply(r, status, obj);
}

enum pm_err api_customers_show(struct api_request *r)
{
    struct customer c;
    enum pm_err rc;

    rc = get_customer(r, &c);
    if (rc)
        return rc;
    return reply_card(r, 200, &c);
}

static enum pm_err stop_change(struct api_request *r, bool lift)
{
    int64_t id = api_router_param(&r->match, "id");
    struct app_reminder_stop_input in;
    struct app_ctx ax;
    struct app_error ae;
    struct customer c;
    char actor[STORE_EMAIL_MAX], kind[32], text[REMINDER_STOP_TEXT_MAX + 1];
    enum pm_err rc = PM_OK;

    if (!lift)
        rc =
            api_decode_reminder_stop(r->json, kind, sizeof(kind), text, sizeof(text), &in, &r->err);
    if (!rc)
        rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = lift ? app_reminder_stop_lift(&ax, STOP_SOURCE_CUSTOMER, id, &ae)
              : app_reminder_stop_set(&ax, STOP_SOURCE_CUSTOMER, id, &in, NULL, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    rc = get_customer(r, &c);
    if (rc)
        return rc;
    return reply_card(r, 200, &c);
}

enum pm_err api_customers_stop_put(struct api_request *r)
{
    return stop_change(r, false);
}

enum pm_err api_customers_stop_delete(struct api_request *r)
{
    return stop_change(r, true);
}

enum pm_err api_customers_update(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    struct customer c;
    char actor[STORE_EMAIL_MAX];
    enum pm_err rc;

    rc = get_customer(r, &c);
    if (rc)
        return rc;
    rc = api_decode_customer(r->json, false, r->today, &c, &r->err);
    if (!rc)
        rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_customers_update(&ax, &c, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return reply_card(r, 200, &c);
}
