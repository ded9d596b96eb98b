/*
 * api_amili.c — the Amili hand-over over HTTP: the start view and
 * activation, sending one or many invoices, a batch's progress, and the
 * invoice's "amili" objects (api_amili.h, api_handlers.h).
 *
 * Activation shows the agency's terms, records who accepted which version
 * when, then onboards the company (an account with an active creditor)
 * while the user waits; an agency refusal is stored as state "failed" with
 * the agency's reason and answered 502, so the record of the attempt stays.
 *
 * Sending never waits on the agency: every invoice is checked with
 * handover_check() (core), and the valid ones are claimed in one store call
 * inside the request's transaction — claim, outbox row, history event —
 * and the dispatcher is woken.  Each invoice gets its own result.
 *
 * Without --amili-url every route here answers 503 agency_not_configured.
 */
#include "api/api_amili.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency/agency.h"
#include "agency/agency_amili.h"
#include "agency/agency_record.h"
#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "core/date.h"
#include "core/handover.h"
#include "store/store_agency.h"
#include "util/clock.h"

#define HANDOVER_IDS_MAX   10000
#define TERMS_TIMEOUT_MS   5000
#define ONBOARD_TIMEOUT_MS 10000
#define LIVE_TIMEOUT_MS    2000
#define MISSING_MAX        8

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

static int64_t acting_user(const struct api_request *r)
{
    return r->who == API_PRINCIPAL_TOKEN ? r->token.created_by : r->user.id;
}

static json_t *time_or_null(int64_t unix_s)
{
    char text[32];

    if (!unix_s)
        return json_null();
    clock_format_rfc3339(unix_s * 1000000, text);
    return json_string(text);
}

/* Terms from the agency: version and text (owned by *body). */
struct terms {
    json_t *body;
    const char *version;
    const char *text;
};

static enum pm_err fetch_terms(struct api_request *r, struct terms *t)
{
    struct agency_call call;
    struct agency_conn *conn;
    struct agency_amili_answer ans = {0};
    struct clock wall = {0};
    enum pm_err rc;

    memset(t, 0, sizeof(*t));
    memset(&call, 0, sizeof(call));
    conn = agency_conn_new(r->ctx->agency, 1);
    if (!conn)
        return PM_ERR_NOMEM;
    agency_amili_req_agreement(&call);
    call.timeout_ms = TERMS_TIMEOUT_MS;
    rc = agency_call_run(r->ctx->agency, conn, &call);
    if (!rc) {
        agency_amili_answer_read(&call, clock_now_s(&wall), &ans);
        t->version = json_string_value(json_object_get(ans.body, "version"));
        t->text = json_string_value(json_object_get(ans.body, "text"));
        if (ans.verdict != AGENCY_AMILI_OK || !t->version || !t->text) {
            agency_amili_answer_release(&ans);
            t->version = t->text = NULL;
            rc = PM_ERR_IO;
        } else {
            t->body = ans.body;
        }
    }
    agency_call_release(&call);
    agency_ops_of(r->ctx->agency)->conn_free(&conn);
    return rc;
}

static json_t *missing_json(const struct api_request *r, const struct company *co,
                            const char **first_field)
{
    struct agency_amili_missing m[MISSING_MAX];
    size_t n = agency_amili_company_missing(co, m, MISSING_MAX), i;
    json_t *arr = json_array();

    *first_field = n ? m[0].field : NULL;
    for (i = 0; arr && i < n; i++)
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:s}", "code", m[i].code, "field", m[i].field,
                                        "message", r->english ? m[i].message_en : m[i].message_sv));
    return arr;
}

/* The body of GET .../amili (terms may be NULL: the agency did not answer). */
static json_t *state_json(struct api_request *r, const struct company *co,
                          const struct amili_activation *act, const struct terms *t)
{
    const char *first = NULL;
    const char *state = act ? act->state : "not_activated";
    json_t *failure = json_null(), *terms;

    if (act && act->failure[0]) {
        json_decref(failure);
        failure = json_loads(act->failure, 0, NULL);
        if (!failure)
            failure = json_pack("{s:s}", "reason", act->failure);
    }
    terms = t && t->version ? json_pack("{s:s, s:s}", "version", t->version, "text", t->text)
                            : json_null();
    return json_pack("{s:b, s:s, s:o, s:s?, s:o, s:s?, s:s?, s:s?, s:o, s:s, s:o}", "activated",
                     act && !strcmp(act->state, "active"), "state", state, "terms", terms,
                     "accepted_by", act && act->accepted_by[0] ? act->accepted_by : NULL,
                     "accepted_at", time_or_null(act ? act->accepted_at : 0), "terms_version",
                     act && act->terms_version[0] ? act->terms_version : NULL, "account_id",
                     act && act->account_id[0] ? act->account_id : NULL, "creditor_id",
                     act && act->creditor_id[0] ? act->creditor_id : NULL, "missing",
                     missing_json(r, co, &first), "agency_url",
                     agency_config_of(r->ctx->agency)->url, "failure", failure);
}

/* The company and its activation (act_out->state "" when none). */
static enum pm_err load(struct api_request *r, struct company *co, struct amili_activation *act,
                        bool *have)
{
    enum pm_err rc;

    *have = false;
    rc = store_company_get(r->store, r->company_id, co);
    if (rc)
        return api_request_store_failed(r, rc);
    rc = store_agency_activation_get(r->store, r->company_id, act);
    if (rc == PM_ERR_NOT_FOUND)
        return PM_OK;
    if (rc)
        return api_request_store_failed(r, rc);
    *have = true;
    return PM_OK;
}

enum pm_err api_amili_show(struct api_request *r)
{
    struct company co;
    struct amili_activation act;
    struct terms t;
    bool have;
    enum pm_err rc;

    if (!r->ctx->agency)
        return not_configured(r);
    rc = load(r, &co, &act, &have);
    if (rc)
        return rc;
    if (fetch_terms(r, &t))
        memset(&t, 0, sizeof(t));
    rc = api_request_reply(r, 200, state_json(r, &co, have ? &act : NULL, &t));
    json_decref(t.body);
    return rc;
}

/* ---- activation ---- */

/* Store the activation as failed with why; answer code with the body of
 * GET plus the error (the request succeeds, so the record is kept). */
static enum pm_err activation_failed(struct api_request *r, const struct company *co,
                                     struct amili_activation *act, const struct terms *t,
                                     const char *code, const char *reason, const json_t *issues)
{
    json_t *failure = json_pack("{s:s, s:O?}", "reason", reason, "issues", issues);
    char *text = failure ? json_dumps(failure, JSON_COMPACT) : NULL;
    const char *field = NULL;
    json_t *body;
    enum pm_err rc;

    json_decref(failure);
    snprintf(act->state, sizeof(act->state), "failed");
    snprintf(act->failure, sizeof(act->failure), "%s", text ? text : "{}");
    free(text);
    act->updated_at = clock_now_s(r->ctx->clock);
    rc = store_agency_activation_put(r->store, act);
    if (rc)
        return api_request_store_failed(r, rc);
    if (issues && json_object_size(issues)) {
        void *it = json_object_iter((json_t *)issues);

        field = it ? json_object_iter_key(it) : NULL;
    }
    body = state_json(r, co, act, t);
    if (body)
        json_object_set_new(body, "error", error_object(r, code, field));
    return api_request_reply(r, 502, body);
}

/* An account and active creditor of the company at the agency: the one
 * already there (a retried activation), else a new one. */
static enum pm_err onboard(struct api_request *r, struct agency_conn *conn, const char *token,
                           const struct company *co, struct amili_activation *act,
                           struct agency_amili_answer *fail)
{
    struct agency_call call;
    struct clock wall = {0};
    char *body = NULL;
    const json_t *item;
    enum pm_err rc;

    memset(&call, 0, sizeof(call));
    memset(fail, 0, sizeof(*fail));
    rc = agency_amili_req_find_account(&call, co->organization_no);
    snprintf(call.api_key, sizeof(call.api_key), "%s", token);
    call.timeout_ms = ONBOARD_TIMEOUT_MS;
    if (!rc)
        rc = agency_call_run(r->ctx->agency, conn, &call);
    if (rc)
        goto out_release;
    agency_amili_answer_read(&call, clock_now_s(&wall), fail);
    if (fail->verdict != AGENCY_AMILI_OK) {
        rc = PM_ERR_IO;
        goto out_release;
    }
    item = agency_amili_first_item(fail->body);
    if (item && json_string_value(json_object_get(item, "_id"))) {
        snprintf(act->account_id, sizeof(act->account_id), "%s",
                 json_string_value(json_object_get(item, "_id")));
        agency_amili_answer_release(fail);
        agency_call_reset(&call);
        rc = agency_amili_req_creditors_of(&call, act->account_id);
        snprintf(call.api_key, sizeof(call.api_key), "%s", token);
        call.timeout_ms = ONBOARD_TIMEOUT_MS;
        if (!rc)
            rc = agency_call_run(r->ctx->agency, conn, &call);
        if (rc)
            goto out_release;
        agency_amili_answer_read(&call, clock_now_s(&wall), fail);
        item = fail->verdict == AGENCY_AMILI_OK ? agency_amili_first_item(fail->body) : NULL;
        if (item && json_string_value(json_object_get(item, "_id"))) {
            snprintf(act->creditor_id, sizeof(act->creditor_id), "%s",
                     json_string_value(json_object_get(item, "_id")));
            agency_amili_answer_release(fail);
            goto out_release;
        }
        if (fail->verdict != AGENCY_AMILI_OK) {
            rc = PM_ERR_IO;
            goto out_release;
        }
    }
    agency_amili_answer_release(fail);
    agency_call_reset(&call);
    rc = agency_amili_req_onboard(&call, co, &body);
    snprintf(call.api_key, sizeof(call.api_key), "%s", token);
    call.timeout_ms = ONBOARD_TIMEOUT_MS;
    if (!rc)
        rc = agency_call_run(r->ctx->agency, conn, &call);
    if (rc)
        goto out_release;
    agency_amili_answer_read(&call, clock_now_s(&wall), fail);
    if (fail->verdict != AGENCY_AMILI_OK) {
        rc = fail->verdict == AGENCY_AMILI_REFUSED ? PM_ERR_INVALID : PM_ERR_IO;
        goto out_release;
    }
    item = json_array_get(json_object_get(fail->body, "_creditors"), 0);
    if (!json_string_value(json_object_get(fail->body, "_id")) || !json_string_value(item)) {
        rc = PM_ERR_IO;
        goto out_release;
    }
    snprintf(act->account_id, sizeof(act->account_id), "%s",
             json_string_value(json_object_get(fail->body, "_id")));
    snprintf(act->creditor_id, sizeof(act->creditor_id), "%s", json_string_value(item));
    agency_amili_answer_release(fail);
out_release:
    free(body);
    agency_call_release(&call);
    return rc;
}

enum pm_err api_amili_activate(struct api_request *r)
{
    static const char *const keys[] = {"accept_terms", "terms_version", NULL};
    struct company co;
    struct amili_activation act;
    struct terms t = {0};
    struct agency_amili_answer fail = {0};
    struct agency_conn *conn = NULL;
    struct pm_error e = {0};
    char version[STORE_AGENCY_NAME_MAX], token[AGENCY_TOKEN_MAX];
    const char *first = NULL;
    bool accept = false, have = false;
    json_t *body, *missing;
    enum pm_err rc;

    if (!r->ctx->agency)
        return not_configured(r);
    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc)
        rc = api_json_bool(r->json, "", "accept_terms", true, &accept, NULL, &r->err);
    if (!rc && !accept)
        rc = api_error_set(&r->err, PM_ERR_INVALID, "terms_not_accepted", "accept_terms");
    if (!rc)
        rc = api_json_string(r->json, "", "terms_version", true, version, sizeof(version), NULL,
                             &r->err);
    if (!rc)
        rc = load(r, &co, &act, &have);
    if (rc)
        return rc;
    if (have && !strcmp(act.state, "active")) {
        if (fetch_terms(r, &t))
            memset(&t, 0, sizeof(t));
        rc = api_request_reply(r, 200, state_json(r, &co, &act, &t));
        goto out_free;
    }
    if (fetch_terms(r, &t)) {
        rc = api_error_set(&r->err, PM_ERR_IO, "agency_unavailable", NULL);
        goto out_free;
    }
    if (strcmp(version, t.version) != 0) {
        rc = api_error_set(&r->err, PM_ERR_CONFLICT, "terms_version_outdated", "terms_version");
        goto out_free;
    }
    missing = missing_json(r, &co, &first);
    if (first) {
        body = json_pack("{s:o, s:o}", "error", error_object(r, "company_incomplete", first),
                         "missing", missing);
        rc = api_request_reply(r, 422, body);
        goto out_free;
    }
    json_decref(missing);

    /* Who accepted which version when, then the onboarding. */
    memset(&act, 0, sizeof(act));
    act.company_id = r->company_id;
    snprintf(act.terms_version, sizeof(act.terms_version), "%s", t.version);
    act.accepted_by_user = acting_user(r);
    act.accepted_at = clock_now_s(r->ctx->clock);
    act.updated_at = act.accepted_at;
    snprintf(act.state, sizeof(act.state), "pending");
    rc = store_agency_activation_put(r->store, &act);
    if (!rc)
        rc = store_agency_activation_get(r->store, r->company_id, &act); /* accepted_by */
    if (rc) {
        rc = api_request_store_failed(r, rc);
        goto out_free;
    }
    rc = agency_token(r->ctx->agency, r->store, token, &e);
    if (rc) {
        rc = activation_failed(r, &co, &act, &t,
                               rc == PM_ERR_INVALID ? "agency_refused" : "agency_unavailable",
                               e.message, NULL);
        goto out_free;
    }
    conn = agency_conn_new(r->ctx->agency, 1);
    if (!conn) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
        goto out_free;
    }
    rc = onboard(r, conn, token, &co, &act, &fail);
    if (rc) {
        if (fail.verdict == AGENCY_AMILI_UNAUTHORIZED)
            agency_token_forget(r->ctx->agency, token);
        rc = activation_failed(
            r, &co, &act, &t, rc == PM_ERR_INVALID ? "agency_refused" : "agency_unavailable",
            fail.reason[0] ? fail.reason : "no answer from the agency", fail.issues);
        goto out_free;
    }
    snprintf(act.state, sizeof(act.state), "active");
    act.failure[0] = '\0';
    act.updated_at = clock_now_s(r->ctx->clock);
    rc = store_agency_activation_put(r->store, &act);
    if (rc) {
        rc = api_request_store_failed(r, rc);
        goto out_free;
    }
    rc = api_request_reply(r, 200, state_json(r, &co, &act, &t));
out_free:
    agency_amili_answer_release(&fail);
    if (conn)
        agency_ops_of(r->ctx->agency)->conn_free(&conn);
    json_decref(t.body);
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
    if (count < 1 || count > HANDOVER_IDS_MAX)
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

static void facts_of(const struct handover_row *row, bool activated, struct handover_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->company_activated = activated;
    f->due_date = row->inv.due_date;
    f->remaining_minor = row->inv.remaining_minor;
    f->currency = row->inv.currency;
    f->already_handed_over = row->claimed || row->has_case;
    f->written_off = row->inv.state == INVOICE_STATE_WRITTEN_OFF;
    f->credited = row->inv.state == INVOICE_STATE_CREDITED;
    f->customer_name = row->cu.name;
    f->address_line_1 = row->cu.address_line_1;
    f->zip_code = row->cu.zip_code;
    f->city = row->cu.city;
    f->country = row->cu.country;
    f->id_number = row->cu.id_number;
    f->customer_is_company = row->cu.is_company;
}

enum pm_err api_amili_handover(struct api_request *r)
{
    struct handover_reason reasons[HANDOVER_MAX_REASONS];
    struct handover_claim *claims = NULL;
    struct handover_row *row = NULL;
    struct handover_facts f;
    struct handover_batch batch;
    struct amili_activation act;
    struct agency_amili_payload_cache cache = {0};
    char actor[STORE_EMAIL_MAX], field[48], queued_msg[STORE_TEXT_MAX];
    int64_t *ids = NULL;
    size_t n = 0, n_claims = 0, i, nr;
    bool activated = false, any_handed = false;
    const char *first_field = NULL;
    json_t *results = NULL, *item;
    enum pm_err rc;

    if (!r->ctx->agency)
        return not_configured(r);
    rc = read_ids(r, &ids, &n);
    if (rc)
        return rc;
    rc = store_agency_activation_get(r->store, r->company_id, &act);
    if (!rc)
        activated = !strcmp(act.state, "active");
    else if (rc != PM_ERR_NOT_FOUND) {
        rc = api_request_store_failed(r, rc);
        goto out_free;
    }
    claims = calloc(n, sizeof(*claims));
    row = malloc(sizeof(*row));
    results = json_array();
    if (!claims || !row || !results) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
        goto out_free;
    }
    api_request_actor(r, actor, sizeof(actor));
    snprintf(queued_msg, sizeof(queued_msg), "Lämnad till Visma Amili (köad för registrering)");
    for (i = 0; i < n; i++) {
        rc = store_agency_handover_facts(r->store, r->company_id, ids[i], row);
        if (rc == PM_ERR_NOT_FOUND) {
            snprintf(field, sizeof(field), "invoice_ids[%zu]", i);
            item = json_pack("{s:I, s:s, s:[{s:s, s:s, s:s}]}", "invoice_id", (json_int_t)ids[i],
                             "status", "rejected", "errors", "code", "not_found", "field", field,
                             "message", r->english ? "No such invoice." : "Fakturan finns inte.");
            if (!first_field)
                first_field = "invoice_ids";
            json_array_append_new(results, item);
            continue;
        }
        if (rc) {
            rc = api_request_store_failed(r, rc);
            goto out_free;
        }
        facts_of(row, activated, &f);
        nr = handover_check(&f, r->today, reasons);
        if (nr) {
            any_handed = any_handed || f.already_handed_over;
            if (!first_field)
                first_field = reasons[0].field;
            json_array_append_new(results, json_pack("{s:I, s:s, s:o}", "invoice_id",
                                                     (json_int_t)ids[i], "status", "rejected",
                                                     "errors", reasons_json(r, reasons, nr)));
            continue;
        }
        claims[n_claims].invoice_id = ids[i];
        claims[n_claims].message = queued_msg;
        if (agency_amili_registration_payload(&act, row, &cache,
                                              (char **)&claims[n_claims].payload)) {
            rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
            goto out_free;
        }
        n_claims++;
        json_array_append_new(results, json_pack("{s:I, s:s, s:[]}", "invoice_id",
                                                 (json_int_t)ids[i], "status", "queued", "errors"));
    }
    if (n_claims == 0) {
        const char *code = any_handed ? "already_handed_over" : "not_eligible";

        rc = api_request_reply(r, any_handed ? 409 : 422,
                               json_pack("{s:o, s:n, s:O}", "error",
                                         error_object(r, code, first_field), "batch_id", "results",
                                         results));
        goto out_free;
    }
    memset(&batch, 0, sizeof(batch));
    batch.company_id = r->company_id;
    batch.created_by = acting_user(r);
    batch.created_at = clock_now_s(r->ctx->clock);
    rc = store_agency_handover_claim(r->store, &batch, claims, n_claims, actor,
                                     clock_now_us(r->ctx->clock));
    if (rc == PM_ERR_CONFLICT) {
        api_request_store_failed(r, rc);
        rc = api_error_set(&r->err, PM_ERR_CONFLICT, "already_handed_over", "invoice_ids");
        goto out_free;
    }
    if (rc) {
        rc = api_request_store_failed(r, rc);
        goto out_free;
    }
    agency_wake(r->ctx->agency);
    rc = api_request_reply(r, 202,
                           json_pack("{s:I, s:I, s:I, s:O}", "batch_id", (json_int_t)batch.id,
                                     "queued", (json_int_t)n_claims, "rejected",
                                     (json_int_t)(n - n_claims), "results", results));
out_free:
    for (i = 0; claims && i < n_claims; i++)
        free((char *)claims[i].payload);
    agency_amili_payload_cache_release(&cache);
    json_decref(results);
    free(claims);
    free(row);
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
    size_t n = 0, i, cap;
    int64_t counts[3] = {0};
    static const char *const names[] = {"queued", "registered", "failed"};
    json_t *results = NULL;
    enum pm_err rc;

    if (!r->ctx->agency)
        return not_configured(r);
    rc = store_agency_handover_batch_get(r->store, r->company_id, batch_id, &b, NULL, 0, NULL);
    if (rc)
        return api_request_store_failed(r, rc);
    cap = (size_t)(b.total > 0 ? b.total : 1);
    items = calloc(cap, sizeof(*items));
    results = json_array();
    if (!items || !results) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
        goto out_free;
    }
    rc = store_agency_handover_batch_get(r->store, r->company_id, batch_id, &b, items, cap, &n);
    if (rc) {
        rc = api_request_store_failed(r, rc);
        goto out_free;
    }
    for (i = 0; i < n; i++) {
        counts[items[i].status]++;
        json_array_append_new(
            results,
            json_pack("{s:I, s:s, s:s?, s:s?, s:o}", "invoice_id", (json_int_t)items[i].invoice_id,
                      "status", names[items[i].status], "case_id",
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

/* ---- the invoice's "amili" objects ---- */

enum pm_err api_amili_after_payment(struct store *st, int64_t company_id, const struct invoice *inv,
                                    int64_t amount_minor, int32_t date, const char *reference,
                                    enum payment_source source, const char *idempotency_key,
                                    bool *reported, struct api_error *e)
{
    struct outbox_message m;
    char day[DATE_ISO_LEN + 1];
    json_t *payload;
    char *text;
    enum pm_err rc;

    if (reported)
        *reported = false;
    if (source == PAYMENT_AGENCY || amount_minor <= 0 ||
        (strcmp(inv->agency_state, "queued") != 0 && strcmp(inv->agency_state, "registered") != 0))
        return PM_OK;
    memset(&m, 0, sizeof(m));
    date_format_iso(date, day);
    payload = json_pack("{s:I, s:s, s:s}", "amount_minor", (json_int_t)amount_minor, "date", day,
                        "reference", reference ? reference : "");
    text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    if (!text || strlen(text) >= sizeof(m.payload)) {
        free(text);
        return api_error_set(e, PM_ERR_NOMEM, NULL, NULL);
    }
    m.company_id = company_id;
    m.invoice_id = inv->id;
    snprintf(m.kind, sizeof(m.kind), "report_payment");
    snprintf(m.payload, sizeof(m.payload), "%s", text);
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "%s", idempotency_key);
    free(text);
    rc = store_outbox_enqueue(st, &m);
    if (rc == PM_ERR_CONFLICT)
        return PM_OK; /* reported already under this key */
    if (rc)
        return api_error_set(e, rc, NULL, NULL);
    if (reported)
        *reported = true;
    return PM_OK;
}

static json_t *case_json(const struct api_request *r, const struct agency_case *c)
{
    char url[512];

    agency_amili_case_url(agency_config_of(r->ctx->agency)->url, c->case_id, url, sizeof(url));
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
                     (json_int_t)c->payout_minor, "synced_at", time_or_null(c->synced_at));
}

json_t *api_amili_invoice_part(struct api_request *r, const struct invoice *inv)
{
    struct handover_reason reasons[HANDOVER_MAX_REASONS];
    struct handover_row *row = malloc(sizeof(*row));
    struct amili_activation act;
    struct agency_case c;
    struct handover_facts f;
    json_t *kase = json_null(), *out = NULL;
    bool activated = false;
    size_t n = 0;

    if (!row)
        return NULL;
    if (!store_agency_activation_get(r->store, r->company_id, &act))
        activated = !strcmp(act.state, "active") && r->ctx->agency;
    if (store_agency_handover_facts(r->store, r->company_id, inv->id, row))
        goto out_free;
    facts_of(row, activated, &f);
    n = handover_check(&f, r->today, reasons);
    if (r->ctx->agency && !store_agency_case_get(r->store, r->company_id, inv->id, &c)) {
        json_decref(kase);
        kase = case_json(r, &c);
    }
    out = json_pack("{s:b, s:o, s:s?, s:s?, s:o}", "eligible", n == 0, "reasons",
                    reasons_json(r, reasons, n), "state",
                    inv->agency_state[0] ? inv->agency_state : NULL, "status",
                    inv->agency_status[0] ? inv->agency_status : NULL, "case", kase);
    kase = NULL;
out_free:
    json_decref(kase);
    free(row);
    return out;
}

void api_amili_live_lookup(struct api_request *r, int64_t invoice_id)
{
    if (!r->ctx->agency)
        return;
    (void)agency_record_live(r->ctx->agency, r->store, r->ctx->clock, r->company_id, invoice_id,
                             LIVE_TIMEOUT_MS);
}
