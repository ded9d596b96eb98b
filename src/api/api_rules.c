/*
 * api_rules.c — the rules of the books over HTTP: the company's locked
 * period ("the books are locked up to DATE") and the reference rates of
 * late-payment interest (list; an owner adds the next half-year).
 *
 * Part of src/api: decodes the request, calls app/app_rules.h and renders
 * the answer; the rule itself is core/lock.h's.
 */
#include <string.h>

#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_rules.h"
#include "core/date.h"

static json_t *lock_json(int32_t through)
{
    return json_pack("{s:o}", "books_locked_through",
                     through > 0 ? api_render_date(through) : json_null());
}

enum pm_err api_rules_lock_show(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    int32_t through = 0;
    enum pm_err rc;

    rc = api_request_app(r, NULL, NULL, 0, &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    if (app_books_locked(&ax, &through, &ae))
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 200, lock_json(through));
}

/* {"books_locked_through": "YYYY-MM-DD"} locks, null unlocks. */
enum pm_err api_rules_lock_update(struct api_request *r)
{
    static const char *const keys[] = {"books_locked_through", NULL};
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    int32_t through = 0;
    enum pm_err rc;

    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc && !json_is_null(json_object_get(r->json, "books_locked_through")))
        rc = api_json_date(r->json, "", "books_locked_through", true, &through, NULL, &r->err);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    if (app_rules_lock_books(&ax, through, &ae))
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 200, lock_json(through));
}

static json_t *rate_json(const struct rate_period *p)
{
    return json_pack("{s:o, s:i, s:s, s:o}", "from", api_render_date(p->from), "rate_bp",
                     (int)p->reference_bp, "source", p->source, "added",
                     p->added > 0 ? api_render_date(p->added) : json_null());
}

/* {"items": [...], "known_until", "current_missing", "next_from"}: every
 * half-year's reference rate, and whether today's half-year lacks one (the
 * overview warns then: interest to date is partial). */
static json_t *rates_json(const struct rate_table *t, int32_t today)
{
    json_t *items = json_array();
    int32_t until = rate_table_known_until(t);
    size_t i;

    for (i = 0; items && i < t->n; i++) {
        if (json_array_append_new(items, rate_json(&t->periods[i]))) {
            json_decref(items);
            items = NULL;
        }
    }
    return json_pack("{s:o, s:o, s:b, s:o}", "items", items, "known_until",
                     until >= 0 ? api_render_date(until) : json_null(), "current_missing",
                     rate_table_period(t, today) == NULL, "next_from",
                     until >= 0 ? api_render_date(until + 1) : json_null());
}

static enum pm_err reply_rates(struct api_request *r, const struct app_ctx *ax, int status)
{
    struct rate_table t;
    struct app_error ae;
    json_t *body;

    app_error_clear(&ae);
    if (app_rules_rates(ax, &t, &ae))
        return api_error_from_app(&r->err, &ae);
    body = rates_json(&t, r->today);
    rate_table_release(&t);
    return api_request_reply(r, status, body);
}

enum pm_err api_rules_rates_list(struct api_request *r)
{
    struct app_ctx ax;
    enum pm_err rc = api_request_app(r, NULL, NULL, 0, &ax);

    if (rc)
        return rc;
    return reply_rates(r, &ax, 200);
}

/* {"valid_from": "2026-07-01", "rate_bp": 200, "source": "Sveriges riksbank"} */
enum pm_err api_rules_rates_add(struct api_request *r)
{
    static const char *const keys[] = {"valid_from", "rate_bp", "source", NULL};
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX], source[RATE_SOURCE_MAX * 2];
    int32_t from = 0;
    int64_t bp = 0;
    enum pm_err rc;

    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc)
        rc = api_json_date(r->json, "", "valid_from", true, &from, NULL, &r->err);
    if (!rc)
        rc = api_json_int(r->json, "", "rate_bp", true, -1000, 5000, &bp, NULL, &r->err);
    if (!rc)
        rc = api_json_string(r->json, "", "source", true, source, sizeof(source), NULL, &r->err);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    if (app_rules_rate_add(&ax, from, (int32_t)bp, source, &ae))
        return api_error_from_app(&r->err, &ae);
    return reply_rates(r, &ax, 201);
}
