/*
 * api_dunning.c — reminder policies and the daily dunning run over HTTP:
 * the company's default policy and a customer's override, the runs (a
 * proposal for today, its totals and items, the approval) and a run's
 * merged letters.
 *
 * Part of src/api: bodies are read here, app/app_dunning.h does the work,
 * the answers are rendered here.  The approval runs outside the request's
 * transaction (api_server.c): it carries the run out in chunks, each its
 * own transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_dunning.h"

#define RUNS_LIMIT_MAX  100
#define ITEMS_LIMIT_MAX 500

/* ---- policies ---- */

static json_t *level_json(const struct dunning_level *l)
{
    return json_pack("{s:i, s:s, s:b, s:s, s:s, s:s}", "days", l->days, "anchor",
                     dunning_anchor_name(l->anchor), "fee", l->fee, "channel",
                     dunning_channel_name(l->channel), "text_sv", l->text_sv, "text_en",
                     l->text_en);
}

static json_t *policy_json(const struct dunning_policy_row *row, bool stored)
{
    const struct dunning_policy *p = &row->policy;
    json_t *levels = json_array();
    size_t i;

    for (i = 0; levels && i < p->n_levels; i++) {
        if (json_array_append_new(levels, level_json(&p->levels[i]))) {
            json_decref(levels);
            levels = NULL;
        }
    }
    return json_pack("{s:o, s:b, s:b, s:s, s:I, s:s, s:i, s:o, s:s, s:I}", "customer_id",
                     row->customer_id ? json_integer(row->customer_id) : json_null(), "stored",
                     stored, "enabled", p->enabled, "approval", dunning_approval_name(p->approval),
                     "minimum_minor", (json_int_t)p->minimum_minor, "final_step",
                     dunning_final_name(p->final_step), "handover_days", p->handover_days, "levels",
                     levels, "updated_by", row->updated_by, "updated_at",
                     (json_int_t)row->updated_at);
}

static const char *const anchors[] = {"due", "previous", NULL};
static const char *const channels[] = {"email", "letter", "both", NULL};
static const char *const finals[] = {"none", "handover", NULL};
static const char *const approvals[] = {"manual", "automatic", NULL};

static enum pm_err decode_level(const json_t *obj, size_t i, struct dunning_level *l,
                                struct api_error *e)
{
    static const char *const keys[] = {"days",    "anchor",  "fee", "channel",
                                       "text_sv", "text_en", NULL};
    char prefix[24];
    int64_t days = 10;
    int v;
    enum pm_err rc;

    snprintf(prefix, sizeof(prefix), "levels[%zu].", i);
    if (!json_is_object(obj)) {
        snprintf(prefix, sizeof(prefix), "levels[%zu]", i);
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", prefix);
    }
    memset(l, 0, sizeof(*l));
    l->anchor = i == 0 ? DUNNING_ANCHOR_DUE : DUNNING_ANCHOR_PREVIOUS;
    l->channel = DUNNING_CHANNEL_BOTH;
    rc = api_json_check_keys(obj, prefix, keys, e);
    if (!rc)
        rc = api_json_int(obj, prefix, "days", true, 0, DUNNING_DAYS_MAX, &days, NULL, e);
    l->days = (int)days;
    v = (int)l->anchor;
    if (!rc)
        rc = api_json_enum(obj, prefix, "anchor", false, anchors, &v, NULL, e);
    l->anchor = (enum dunning_anchor)v;
    if (!rc)
        rc = api_json_bool(obj, prefix, "fee", false, &l->fee, NULL, e);
    v = (int)l->channel;
    if (!rc)
        rc = api_json_enum(obj, prefix, "channel", false, channels, &v, NULL, e);
    l->channel = (enum dunning_channel)v;
    if (!rc)
        rc =
            api_json_string(obj, prefix, "text_sv", false, l->text_sv, sizeof(l->text_sv), NULL, e);
    if (!rc)
        rc =
            api_json_string(obj, prefix, "text_en", false, l->text_en, sizeof(l->text_en), NULL, e);
    return rc;
}

/* A policy body: levels required, the rest as the defaults. */
static enum pm_err decode_policy(const json_t *obj, struct dunning_policy *p, struct api_error *e)
{
    static const char *const keys[] = {
        "enabled", "approval", "minimum_minor", "final_step", "handover_days", "levels", NULL};
    const json_t *levels = json_object_get(obj, "levels");
    int64_t minimum, days;
    int v;
    size_t i;
    enum pm_err rc;

    dunning_policy_default(p);
    rc = api_json_check_keys(obj, "", keys, e);
    if (rc)
        return rc;
    if (!levels)
        return api_error_set(e, PM_ERR_INVALID, "required", "levels");
    if (!json_is_array(levels))
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", "levels");
    if (json_array_size(levels) > DUNNING_LEVELS_MAX)
        return api_error_set(e, PM_ERR_RANGE, "out_of_range", "levels");
    p->n_levels = json_array_size(levels);
    for (i = 0; !rc && i < p->n_levels; i++)
        rc = decode_level(json_array_get(levels, i), i, &p->levels[i], e);
    if (!rc)
        rc = api_json_bool(obj, "", "enabled", false, &p->enabled, NULL, e);
    v = (int)p->approval;
    if (!rc)
        rc = api_json_enum(obj, "", "approval", false, approvals, &v, NULL, e);
    p->approval = (enum dunning_approval)v;
    minimum = p->minimum_minor;
    if (!rc)
        rc = api_json_int(obj, "", "minimum_minor", false, 0, DUNNING_MINIMUM_MAX, &minimum, NULL,
                          e);
    p->minimum_minor = minimum;
    v = (int)p->final_step;
    if (!rc)
        rc = api_json_enum(obj, "", "final_step", false, finals, &v, NULL, e);
    p->final_step = (enum dunning_final)v;
    days = p->handover_days;
    if (!rc)
        rc = api_json_int(obj, "", "handover_days", false, 0, DUNNING_DAYS_MAX, &days, NULL, e);
    p->handover_days = (int)days;
    return rc;
}

static enum pm_err policy_show(struct api_request *r, int64_t customer_id)
{
    struct dunning_policy_row row;
    struct app_ctx ax;
    struct app_error ae;
    char actor[STORE_EMAIL_MAX];
    bool stored = false;
    enum pm_err rc;

    rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_dunning_policy_get(&ax, customer_id, &row, &stored, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 200, policy_json(&row, stored));
}

static enum pm_err policy_put(struct api_request *r, int64_t customer_id)
{
    struct dunning_policy p;
    struct dunning_policy_row row;
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    enum pm_err rc;

    rc = decode_policy(r->json, &p, &r->err);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_dunning_policy_put(&ax, customer_id, &p, &row, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 200, policy_json(&row, true));
}

enum pm_err api_dunning_policy_show(struct api_request *r)
{
    return policy_show(r, 0);
}

enum pm_err api_dunning_policy_put(struct api_request *r)
{
    return policy_put(r, 0);
}

enum pm_err api_dunning_customer_policy_show(struct api_request *r)
{
    return policy_show(r, api_router_param(&r->match, "id"));
}

enum pm_err api_dunning_customer_policy_put(struct api_request *r)
{
    return policy_put(r, api_router_param(&r->match, "id"));
}

enum pm_err api_dunning_customer_policy_delete(struct api_request *r)
{
    struct app_ctx ax;
    struct app_error ae;
    char actor[STORE_EMAIL_MAX];
    enum pm_err rc;

    rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_dunning_policy_delete(&ax, api_router_param(&r->match, "id"), &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, 204, NULL);
}

/* ---- runs ---- */

static json_t *instant(int64_t t)
{
    return t ? json_integer(t) : json_null();
}

static json_t *run_json(const struct dunning_run *run)
{
    char url[160];

    snprintf(url, sizeof(url), "/api/v1/companies/%lld/dunning/runs/%lld/letters.pdf",
             (long long)run->company_id, (long long)run->id);
    return json_pack("{s:I, s:o, s:s, s:s, s:I, s:s, s:I, s:s, s:o, s:o, s:s?}", "id",
                     (json_int_t)run->id, "run_date", api_render_date(run->run_date), "state",
                     dunning_run_state_name(run->state), "approval",
                     dunning_approval_name(run->approval), "item_count", (json_int_t)run->items,
                     "created_by", run->created_by, "created_at", (json_int_t)run->created_at,
                     "approved_by", run->approved_by, "approved_at", instant(run->approved_at),
                     "finished_at", instant(run->finished_at), "letters_url",
                     run->state == DUNNING_RUN_DONE && run->letters_batch_id ? url : NULL);
}

static json_t *item_json(const struct dunning_item *it)
{
    return json_pack("{s:I, s:I, s:I, s:s, s:o, s:I, s:s, s:i, s:o, s:s, s:s, s:s, s:s, s:b,"
                     " s:I, s:s, s:s, s:o}",
                     "invoice_id", (json_int_t)it->invoice_id, "invoice_number",
                     (json_int_t)it->invoice_number, "customer_id", (json_int_t)it->customer_id,
                     "customer_name", it->customer_name, "due_date", api_render_date(it->due_date),
                     "remaining_minor", (json_int_t)it->remaining_minor, "action",
                     dunning_action_name(it->action), "level", it->level, "reason",
                     it->reason ? json_string(dunning_reason_name(it->reason)) : json_null(),
                     "reason_sv", dunning_reason_label(it->reason, false), "reason_en",
                     dunning_reason_label(it->reason, true), "detail", it->detail, "channel",
                     it->channel, "fee", it->fee, "fee_minor", (json_int_t)it->fee_minor, "state",
                     dunning_item_state_name(it->state), "result", it->result, "reminder_id",
                     it->reminder_id ? json_integer(it->reminder_id) : json_null());
}

/* Add count and amounts of t to obj[key] (created on first use). */
static int total_add(json_t *obj, const char *key, const struct dunning_total *t)
{
    json_t *o = json_object_get(obj, key);

    if (!o) {
        o = json_pack("{s:I, s:I, s:I}", "count", (json_int_t)0, "remaining_minor", (json_int_t)0,
                      "fee_minor", (json_int_t)0);
        if (!o || json_object_set_new(obj, key, o))
            return -1;
    }
    return json_object_set_new(
               o, "count",
               json_integer(json_integer_value(json_object_get(o, "count")) + t->count)) ||
           json_object_set_new(
               o, "remaining_minor",
               json_integer(json_integer_value(json_object_get(o, "remaining_minor")) +
                            t->remaining_minor)) ||
           json_object_set_new(
               o, "fee_minor",
               json_integer(json_integer_value(json_object_get(o, "fee_minor")) + t->fee_minor));
}

static json_t *totals_json(const struct app_dunning_view *v)
{
    json_t *out =
        json_pack("{s:{}, s:{}, s:{}, s:{}}", "by_action", "by_reason", "by_level", "by_state");
    char level[16];
    size_t i;

    for (i = 0; out && i < v->n_totals; i++) {
        const struct dunning_total *t = &v->totals[i];

        snprintf(level, sizeof(level), "%d", t->level);
        if (total_add(json_object_get(out, "by_action"), t->action, t) ||
            (t->reason[0] && total_add(json_object_get(out, "by_reason"), t->reason, t)) ||
            (!strcmp(t->action, "remind") &&
             total_add(json_object_get(out, "by_level"), level, t)) ||
            total_add(json_object_get(out, "by_state"), t->state, t)) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

enum pm_err api_dunning_runs_list(struct api_request *r)
{
    struct dunning_run runs[RUNS_LIMIT_MAX];
    struct app_ctx ax;
    char actor[STORE_EMAIL_MAX];
    int64_t before = 0, limit = 20;
    json_t *arr;
    size_t n = 0, i;
    enum pm_err rc;

    rc = api_request_query_int(r, "before", 1, INT64_MAX, &before);
    if (!rc)
        rc = api_request_query_int(r, "limit", 1, RUNS_LIMIT_MAX, &limit);
    if (!rc)
        rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    rc = store_dunning_runs(ax.store, ax.company_id, before, runs, (size_t)limit, &n);
    if (rc)
        return api_request_store_failed(r, rc);
    arr = json_array();
    for (i = 0; arr && i < n; i++) {
        if (json_array_append_new(arr, run_json(&runs[i]))) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return api_request_reply(
        r, 200,
        json_pack("{s:o, s:o}", "runs", arr, "next_before",
                  n == (size_t)limit && n ? json_integer(runs[n - 1].id) : json_null()));
}

enum pm_err api_dunning_run_show(struct api_request *r)
{
    struct app_dunning_view *v = NULL;
    struct dunning_item *items = NULL;
    struct app_ctx ax;
    struct app_error ae;
    char actor[STORE_EMAIL_MAX];
    const char *action = api_request_query(r, "action");
    int64_t after = 0, limit = 100;
    enum dunning_action act;
    json_t *body, *arr;
    size_t n = 0, i;
    enum pm_err rc;

    rc = api_request_query_int(r, "after", 0, INT64_MAX, &after);
    if (!rc)
        rc = api_request_query_int(r, "limit", 1, ITEMS_LIMIT_MAX, &limit);
    if (!rc && action && dunning_action_parse(action, &act))
        rc = api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", "action");
    if (!rc)
        rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    v = malloc(sizeof(*v));
    items = calloc((size_t)limit, sizeof(*items));
    if (!v || !items) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    app_error_clear(&ae);
    rc = app_dunning_run_get(&ax, api_router_param(&r->match, "id"), v, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    rc = store_dunning_items(ax.store, ax.company_id, v->run.id, after, action, items,
                             (size_t)limit, &n);
    if (rc) {
        api_request_store_failed(r, rc);
        goto out_free;
    }
    arr = json_array();
    for (i = 0; arr && i < n; i++) {
        if (json_array_append_new(arr, item_json(&items[i]))) {
            json_decref(arr);
            arr = NULL;
        }
    }
    body = run_json(&v->run);
    if (body && (json_object_set_new(body, "totals", totals_json(v)) ||
                 json_object_set_new(body, "items", arr ? arr : json_null()) ||
                 json_object_set_new(body, "next_after",
                                     n == (size_t)limit && n ? json_integer(items[n - 1].invoice_id)
                                                             : json_null()))) {
        json_decref(body);
        body = NULL;
    }
    rc = api_request_reply(r, 200, body);
out_free:
    free(items);
    free(v);
    return rc;
}

enum pm_err api_dunning_run_create(struct api_request *r)
{
    static const char *const keys[] = {NULL};
    struct dunning_run run;
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    bool created = false;
    enum pm_err rc;

    rc = r->json ? api_json_check_keys(r->json, "", keys, &r->err) : PM_OK;
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_dunning_propose(&ax, &run, &created, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    return api_request_reply(r, created ? 201 : 200, run_json(&run));
}

enum pm_err api_dunning_run_approve(struct api_request *r)
{
    struct app_dunning_outcome out;
    struct dunning_run run;
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    json_t *body;
    enum pm_err rc;

    rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_dunning_approve(&ax, api_router_param(&r->match, "id"), &out, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    rc = store_dunning_run_get(ax.store, ax.company_id, api_router_param(&r->match, "id"), &run);
    if (rc)
        return api_request_store_failed(r, rc);
    body = run_json(&run);
    if (body &&
        json_object_set_new(body, "outcome",
                            json_pack("{s:I, s:I, s:I}", "reminded", (json_int_t)out.reminded,
                                      "handed_over", (json_int_t)out.handed_over, "failed",
                                      (json_int_t)out.failed))) {
        json_decref(body);
        body = NULL;
    }
    return api_request_reply(r, 200, body);
}

enum pm_err api_dunning_run_letters(struct api_request *r)
{
    int64_t id = api_router_param(&r->match, "id");
    struct app_ctx ax;
    struct app_error ae;
    struct buf pdf = BUF_INIT;
    char actor[STORE_EMAIL_MAX];
    enum pm_err rc;

    rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_dunning_letters(&ax, id, &pdf, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        buf_release(&pdf);
        return rc;
    }
    r->status = 200;
    r->raw_type = "application/pdf";
    snprintf(r->raw_filename, sizeof(r->raw_filename), "paminnelser-korning-%lld.pdf",
             (long long)id);
    r->raw_body = buf_detach(&pdf, &r->raw_len);
    return r->raw_body ? PM_OK : api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
}
