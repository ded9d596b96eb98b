/*
 * api_webhooks.c — webhooks over HTTP: a company's endpoints (the secret
 * in the answer that creates one, never again), their deliveries with the
 * last answer, and re-sending a delivery by hand.
 *
 * Part of src/api: the operations are app/app_webhooks.h's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_cursor.h"
#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_webhooks.h"
#include "core/webhook.h"

#define DELIVERIES_PAGE_DEFAULT 50
#define DELIVERIES_PAGE_MAX     200
#define TYPES_MAX               16

/* The space-separated list as a JSON array. */
static json_t *types_json(const char *types)
{
    json_t *arr = json_array();
    const char *p = types;
    char one[WEBHOOK_TYPE_MAX];
    size_t n;

    while (arr && *p) {
        p += strspn(p, " ");
        n = strcspn(p, " ");
        if (n && n < sizeof(one)) {
            memcpy(one, p, n);
            one[n] = '\0';
            json_array_append_new(arr, json_string(one));
        }
        p += n;
    }
    return arr;
}

static json_t *endpoint_json(const struct webhook_endpoint *ep, bool with_secret)
{
    json_t *o = json_pack("{s:I, s:s, s:o, s:b, s:o}", "id", (json_int_t)ep->id, "url", ep->url,
                          "event_types", types_json(ep->event_types), "enabled", ep->enabled,
                          "created_at", api_render_instant(ep->created_at));

    if (o && with_secret)
        json_object_set_new(o, "secret", json_string(ep->secret));
    return o;
}

static json_t *delivery_json(const struct webhook_delivery *d)
{
    return json_pack(
        "{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:o, s:o, s:o}", "id",
        (json_int_t)d->id, "endpoint_id", (json_int_t)d->endpoint_id, "url", d->url, "invoice_id",
        (json_int_t)d->invoice_id, "event_id", d->event_id, "event_type", d->event_type, "state",
        d->state, "attempts", (json_int_t)d->attempts, "last_status", (json_int_t)d->last_status,
        "last_answer", d->last_answer, "next_attempt_at",
        d->next_attempt_at && strcmp(d->state, "retry") == 0
            ? api_render_instant(d->next_attempt_at)
            : json_null(),
        "delivered_at", d->delivered_at ? api_render_instant(d->delivered_at) : json_null(),
        "created_at", api_render_instant(d->created_at));
}

/* "event_types": an array of strings, up to TYPES_MAX. */
static enum pm_err read_types(struct api_request *r, const char **types, size_t *n)
{
    json_t *arr = json_object_get(r->json, "event_types"), *item;
    char field[32];
    size_t i;

    *n = 0;
    if (!arr)
        return api_error_set(&r->err, PM_ERR_INVALID, "required", "event_types");
    if (!json_is_array(arr))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_value", "event_types");
    if (json_array_size(arr) > TYPES_MAX)
        return api_error_set(&r->err, PM_ERR_INVALID, "out_of_range", "event_types");
    json_array_foreach(arr, i, item)
    {
        snprintf(field, sizeof(field), "event_types[%zu]", i);
        if (!json_is_string(item))
            return api_error_set(&r->err, PM_ERR_INVALID, "invalid_value", field);
        types[(*n)++] = json_string_value(item);
    }
    return PM_OK;
}

/* POST .../webhooks {"url": ..., "event_types": [...]}: 201 with the
 * endpoint and its secret (shown this once). */
enum pm_err api_webhooks_create(struct api_request *r)
{
    static const char *const keys[] = {"url", "event_types", NULL};
    const char *types[TYPES_MAX];
    struct webhook_endpoint *ep = calloc(1, sizeof(*ep));
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX], url[STORE_WEBHOOK_URL_MAX];
    size_t n = 0;
    enum pm_err rc;

    if (!ep)
        return api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc)
        rc = api_json_string(r->json, "", "url", true, url, sizeof(url), NULL, &r->err);
    if (!rc)
        rc = read_types(r, types, &n);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (!rc) {
        app_error_clear(&ae);
        rc = app_webhooks_create(&ax, url, types, n, r->ctx->webhook_allow_http_loopback, ep, &ae);
        if (rc)
            api_error_from_app(&r->err, &ae);
    }
    if (!rc)
        rc = api_request_reply(r, 201, endpoint_json(ep, true));
    free(ep);
    return rc;
}

enum pm_err api_webhooks_list(struct api_request *r)
{
    struct webhook_endpoint *rows = calloc(STORE_WEBHOOK_ENDPOINTS, sizeof(*rows));
    json_t *items = json_array(), *types = json_array();
    struct app_ctx ax;
    struct app_error ae;
    size_t n = 0, i;
    enum pm_err rc = PM_OK;

    if (!rows || !items || !types) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    api_request_app(r, NULL, NULL, 0, &ax);
    app_error_clear(&ae);
    rc = app_webhooks_list(&ax, rows, STORE_WEBHOOK_ENDPOINTS, &n, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    for (i = 0; i < n; i++)
        json_array_append_new(items, endpoint_json(&rows[i], false));
    for (i = 0; webhook_types[i]; i++)
        json_array_append_new(types, json_string(webhook_types[i]));
    rc = api_request_reply(r, 200, json_pack("{s:o, s:o}", "items", items, "event_types", types));
    items = types = NULL;
out_free:
    json_decref(items);
    json_decref(types);
    free(rows);
    return rc;
}

enum pm_err api_webhooks_delete(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    enum pm_err rc = api_request_app(r, &co, actor, sizeof(actor), &ax);

    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_webhooks_remove(&ax, api_router_param(&r->match, "id"), &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 204, NULL);
}

enum pm_err api_webhooks_deliveries(struct api_request *r)
{
    const char *cursor = api_request_query(r, "cursor");
    int64_t limit = DELIVERIES_PAGE_DEFAULT, key = 0, before = 0;
    struct webhook_delivery *rows = NULL;
    struct app_ctx ax;
    struct app_error ae;
    char next[API_CURSOR_MAX];
    json_t *items = NULL;
    size_t n = 0, i;
    enum pm_err rc;

    rc = api_request_query_int(r, "limit", 1, DELIVERIES_PAGE_MAX, &limit);
    if (!rc && cursor && api_cursor_decode(cursor, 'w', 0, &key, &before))
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
    rc = app_webhooks_deliveries(&ax, before, rows, (size_t)limit, &n, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    for (i = 0; i < n; i++) {
        if (json_array_append_new(items, delivery_json(&rows[i]))) {
            rc = api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
            goto out_free;
        }
    }
    next[0] = '\0';
    if (n == (size_t)limit)
        api_cursor_encode('w', 0, 0, rows[n - 1].id, next);
    rc = api_request_reply(
        r, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor", next[0] ? next : NULL));
    items = NULL;
out_free:
    json_decref(items);
    free(rows);
    return rc;
}

enum pm_err api_webhooks_resend(struct api_request *r)
{
    static const char *const keys[] = {NULL};
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    int64_t id = api_router_param(&r->match, "id");
    enum pm_err rc = r->json ? api_json_check_keys(r->json, "", keys, &r->err) : PM_OK;

    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_webhooks_resend(&ax, id, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 202,
                             json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", "queued"));
}
