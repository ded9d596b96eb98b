/*
 * api_amili.c — the Amili hand-over over HTTP: the start view and
 * activation, sending one or many invoices, a batch's progress, and the
 * invoice's "amili" object (api_amili.h, api_handlers.h).
 *
 * Part of src/api: bodies are read here, the operations are
 * app/app_activation.h's and app/app_handover.h's, and their results —
 * including the answers that carry more than an error (a failed
 * activation's recorded state, every invoice's outcome when none could be
 * sent) — are rendered here.  Without --amili-url every route here
 * answers 503 agency_not_configured.
 */
#include "api/api_amili.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_activation.h"
#include "app/app_handover.h"
#include "util/clock.h"

/* ---- small helpers ---- */

static enum pm_err not_configured(struct api_request *r)
{
    return api_error_set(&r->err, PM_ERR_BUSY, "agency_not_configured", NULL);
}

/* The error object of the API's vocabulary (api_error.c) for bodies that
 * carry more than the error. */
static json_t *error_object(const struct api_request *r, const char *code, const char *field)
{
    return json_pack("{s:s, s:s, s:s?}", "code", code, "message",
                     api_error_message(code, r->english), "field", field && *field ? field : NULL);
}

static json_t *missing_json(const struct api_request *r, const struct app_activation_view *v)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr && i < v->n_missing; i++)
        json_array_append_new(
            arr,
            json_pack("{s:s, s:s, s:s}", "code", v->missing[i].code, "field", v->missing[i].field,
                      "message", r->english ? v->missing[i].message_en : v->missing[i].message_sv));
    return arr;
}

/* The body of GET .../amili (no terms when the agency did not answer). */
static json_t *state_json(struct api_request *r, const struct app_activation_view *v)
{
    const struct amili_activation *act = v->have ? &v->act : NULL;
    const char *state = act ? amili_activation_state_name(act->state) : "not_activated";
    json_t *failure = json_null(), *terms;

    if (act && act->failure[0]) {
        json_decref(failure);
        failure = json_loads(act->failure, 0, NULL);
        if (!failure)
            failure = json_pack("{s:s}", "reason", act->failure);
    }
    terms = v->terms_version
                ? json_pack("{s:s, s:s}", "version", v->terms_version, "text", v->terms_text)
                : json_null();
    return json_pack("{s:b, s:s, s:o, s:s?, s:o, s:s?, s:s?, s:s?, s:o, s:s, s:o}", "activated",
                     act && act->state == AMILI_ACTIVATION_ACTIVE, "state", state, "terms", terms,
                     "accepted_by", act && act->accepted_by[0] ? act->accepted_by : NULL,
                     "accepted_at", api_render_instant(act ? act->accepted_at : 0), "terms_version",
                     act && act->terms_version[0] ? act->terms_version : NULL, "account_id",
                     act && act->account_id[0] ? act->account_id : NULL, "creditor_id",
                     act && act->creditor_id[0] ? act->creditor_id : NULL, "missing",
                     missing_json(r, v), "agency_url", v->agency_url, "failure", failure);
}

enum pm_err api_amili_show(struct api_request *r)
{
    struct app_activation_view v;
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX];
    enum pm_err rc;

    if (!r->ctx->agency)
        return not_configured(r);
    rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_activation_show(&ax, &v, &ae);
    if (rc)
        api_error_from_app(&r->err, &ae);
    else
        rc = api_request_reply(r, 200, state_json(r, &v));
    app_activation_view_release(&v);
    return rc;
}

/* ---- activation ---- */

enum pm_err api_amili_activate(struct api_request *r)
{
    static const char *const keys[] = {"accept_terms", "terms_version", NULL};
    struct app_activation_view v = {0};
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX], version[STORE_AGENCY_NAME_MAX] = "";
    bool accept = false;
    json_t *body;
    enum pm_err rc;

    if (!r->ctx->agency)
        return not_configured(r);
    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc)
        rc = api_json_bool(r->json, "", "accept_terms", true, &accept, NULL, &r->err);
    if (!rc && accept) /* terms not accepted: refused before the version is read */
        rc = api_json_string(r->json, "", "terms_version", true, version, sizeof(version), NULL,
                             &r->err);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_activation_activate(&ax, accept, version, &v, &ae);
    if (!rc) {
        rc = api_request_reply(r, 200, state_json(r, &v));
    } else if (v.failure_recorded) {
        /* the attempt is kept: the request succeeds with the state and the error */
        body = state_json(r, &v);
        if (body)
            json_object_set_new(body, "error", error_object(r, ae.code, ae.field));
        rc = api_request_reply(r, 502, body);
    } else if (ae.code && !strcmp(ae.code, "company_incomplete")) {
        rc = api_request_reply(r, 422,
                               json_pack("{s:o, s:o}", "error", error_object(r, ae.code, ae.field),
                                         "missing", missing_json(r, &v)));
    } else {
        api_error_from_app(&r->err, &ae);
    }
    app_activation_view_release(&v);
    return rc;
}

/* ---- hand-over ---- */

static int cmp_ids(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;

    return *x < *y ? -1 : *x > *y;
}

/* invoice_ids: 1..10000 positive integers, no duplicates. */
static enum pm_err read_ids(struct api_request *r, int64_t **out, size_t *n)
{
    static const char *const keys[] = {"invoice_ids", NULL};
    const json_t *arr;
    int64_t *ids = NULL, *sorted = NULL;
    char field[48];
    size_t i, count;
    enum pm_err rc;

    *out = NULL;
    *n = 0;
    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (rc)
        return rc;
    arr = json_object_get(r->json, "invoice_ids");
    if (!arr || json_is_null(arr))
        return api_error_set(&r->err, PM_ERR_INVALID, "required", "invoice_ids");
    if (!json_is_array(arr))
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_value", "invoice_ids");
    count = json_array_size(arr);
    if (count < 1 || count > APP_HANDOVER_IDS_MAX)
        return api_error_set(&r->err, PM_ERR_RANGE, "out_of_range", "invoice_ids");
    ids = malloc(count * sizeof(*ids));
    sorted = malloc(count * sizeof(*sorted));
    if (!ids || !sorted) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
        goto out_free;
    }
    for (i = 0; i < count; i++) {
        const json_t *v = json_array_get(arr, i);

        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            snprintf(field, sizeof(field), "invoice_ids[%zu]", i);
            rc = api_error_set(&r->err, PM_ERR_INVALID, "invalid_value", field);
            goto out_free;
        }
        ids[i] = sorted[i] = (int64_t)json_integer_value(v);
    }
    qsort(sorted, count, sizeof(*sorted), cmp_ids);
    for (i = 1; i < count; i++) {
        if (sorted[i] == sorted[i - 1]) {
            size_t k, seen = 0;

            /* Name the second occurrence in request order. */
            for (k = 0; k < count; k++)
                if (ids[k] == sorted[i] && seen++ == 1)
                    break;
            snprintf(field, sizeof(field), "invoice_ids[%zu]", k);
            rc = api_error_set(&r->err, PM_ERR_INVALID, "duplicate_value", field);
            goto out_free;
        }
    }
    *out = ids;
    *n = count;
    ids = NULL;
out_free:
    free(ids);
    free(sorted);
    return rc;
}

static json_t *reasons_json(const struct api_request *r, const struct handover_reason *rs, size_t n)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "code", rs[i].code, "field",
                                             rs[i].field, "message",
                                             r->english ? rs[i].message_en : rs[i].message_sv));
    return arr;
}

enum pm_err api_amili_handover(struct api_request *r)
{
    struct app_handover_result res = {0};
    struct app_ctx ax;
    struct app_error ae;
    struct company co;
    char actor[STORE_EMAIL_MAX], field[48];
    int64_t *ids = NULL;
    size_t n = 0, i;
    json_t *results = NULL, *item;
    enum pm_err rc;

    if (!r->ctx->agency)
        return not_configured(r);
    rc = read_ids(r, &ids, &n);
    if (!rc)
        rc = api_request_app(r, &co, actor, sizeof(actor), &ax);
    if (rc)
        goto out_free;
    app_error_clear(&ae);
    rc = app_handover_send(&ax, ids, n, &res, &ae);
    if (rc && !res.none_eligible) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    results = json_array();
    for (i = 0; results && i < res.n; i++) {
        const struct app_handover_outcome *o = &res.outcomes[i];

        if (o->not_found) {
            snprintf(field, sizeof(field), "invoice_ids[%zu]", i);
            item = json_pack("{s:I, s:s, s:[{s:s, s:s, s:s}]}", "invoice_id",
                             (json_int_t)o->invoice_id, "status", "rejected", "errors", "code",
                             "not_found", "field", field, "message",
                             r->english ? "No such invoice." : "Fakturan finns inte.");
        } else if (o->n_reasons) {
            item = json_pack("{s:I, s:s, s:o}", "invoice_id", (json_int_t)o->invoice_id, "status",
                             "rejected", "errors", reasons_json(r, o->reasons, o->n_reasons));
        } else {
            item = json_pack("{s:I, s:s, s:[]}", "invoice_id", (json_int_t)o->invoice_id, "status",
                             "queued", "errors");
        }
        json_array_append_new(results, item);
    }
    if (rc) /* nothing could be sent: every invoice's reasons with the error */
        rc = api_request_reply(r, res.any_handed ? 409 : 422,
                               json_pack("{s:o, s:n, s:O}", "error",
                                         error_object(r, ae.code, res.first_field), "batch_id",
                                         "results", results));
    else
        rc = api_request_reply(r, 202,
                               json_pack("{s:I, s:I, s:I, s:O}", "batch_id",
                                         (json_int_t)res.batch_id, "queued", (json_int_t)res.queued,
                                         "rejected", (json_int_t)(n - res.queued), "results",
                                         results));
out_free:
    json_decref(results);
    app_handover_result_release(&res);
    free(ids);
    return rc;
}

/* The agency's reasons of a failed row as [{code, field, message}]. */
static json_t *failure_errors(const char *last_error)
{
    json_t *doc = json_loads(last_error, 0, NULL), *arr = json_array(), *issues;
    const char *reason = json_string_value(json_object_get(doc, "reason"));
    const char *k;
    json_t *v;

    issues = json_object_get(doc, "issues");
    if (json_is_object(issues) && json_object_size(issues)) {
        json_object_foreach(issues, k, v)
        {
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:s}", "code", "agency_refused", "field", k, "message",
                               json_is_string(v) ? json_string_value(v) : "invalid"));
        }
    } else {
        json_array_append_new(arr, json_pack("{s:s, s:n, s:s}", "code", "agency_refused", "field",
                                             "message", reason ? reason : last_error));
    }
    json_decref(doc);
    return arr;
}

enum pm_err api_amili_batch_show(struct api_request *r)
{
    int64_t batch_id = api_router_param(&r->match, "batch_id");
    struct handover_batch b;
    struct handover_item *items = NULL;
    struct app_ctx ax;
    struct app_error ae;
    char actor[STORE_EMAIL_MAX];
    size_t n = 0, i;
    int64_t counts[3] = {0};
    json_t *results = NULL;
    enum pm_err rc;

    if (!r->ctx->agency)
        return not_configured(r);
    rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_handover_batch(&ax, batch_id, &b, &items, &n, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    results = json_array();
    if (!results) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
        goto out_free;
    }
    for (i = 0; i < n; i++) {
        counts[items[i].status]++;
        json_array_append_new(
            results,
            json_pack("{s:I, s:s, s:s?, s:s?, s:o}", "invoice_id", (json_int_t)items[i].invoice_id,
                      "status", handover_item_status_name(items[i].status), "case_id",
                      items[i].case_id[0] ? items[i].case_id : NULL, "ocr",
                      items[i].ocr[0] ? items[i].ocr : NULL, "errors",
                      items[i].status == HANDOVER_FAILED ? failure_errors(items[i].last_error)
                                                         : json_array()));
    }
    rc = api_request_reply(r, 200,
                           json_pack("{s:I, s:I, s:I, s:I, s:I, s:O}", "batch_id", (json_int_t)b.id,
                                     "total", (json_int_t)b.total, "queued",
                                     (json_int_t)counts[HANDOVER_QUEUED], "registered",
                                     (json_int_t)counts[HANDOVER_REGISTERED], "failed",
                                     (json_int_t)counts[HANDOVER_FAILED], "results", results));
out_free:
    json_decref(results);
    free(items);
    return rc;
}

static json_t *case_json(const struct agency_case *c, const char *url)
{
    return json_pack("{s:s, s:s?, s:s?, s:s?, s:b, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:s, s:s?, "
                     "s:I, s:o}",
                     "id", c->case_id, "ocr", c->ocr[0] ? c->ocr : NULL, "state",
                     c->state[0] ? c->state : NULL, "status", c->status[0] ? c->status : NULL,
                     "closed", c->closed, "capital_minor", (json_int_t)c->capital_minor,
                     "fees_minor", (json_int_t)c->fees_minor, "interest_minor",
                     (json_int_t)c->interest_minor, "paid_minor", (json_int_t)c->paid_minor,
                     "remaining_minor", (json_int_t)c->remaining_minor, "disputed", c->disputed,
                     "instalment_plan", c->instalment_plan, "url", url, "original_invoice_url",
                     c->original_invoice_url[0] ? c->original_invoice_url : NULL, "payout_minor",
                     (json_int_t)c->payout_minor, "synced_at", api_render_instant(c->synced_at));
}

/* ---- the invoice's "amili" objects ---- */

json_t *api_amili_invoice_part(struct api_request *r, const struct app_ctx *ax,
                               const struct invoice *inv)
{
    struct app_handover_status *st = malloc(sizeof(*st));
    struct app_error ae;
    json_t *out = NULL;

    if (!st)
        return NULL;
    app_error_clear(&ae);
    if (!app_handover_status(ax, inv, st, &ae))
        out = json_pack("{s:b, s:o, s:s?, s:s?, s:o}", "eligible", st->n_reasons == 0, "reasons",
                        reasons_json(r, st->reasons, st->n_reasons), "state",
                        inv->agency_state != AMILI_STATE_NONE ? amili_state_name(inv->agency_state)
                                                              : NULL,
                        "status", inv->agency_status[0] ? inv->agency_status : NULL, "case",
                        st->have_case ? case_json(&st->kase, st->case_url) : json_null());
    free(st);
    return out;
}
