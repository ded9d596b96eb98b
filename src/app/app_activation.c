/*
 * app_activation.c — the Visma Amili activation: the terms, who accepted
 * them, and the company's account and creditor at the agency (see
 * app_activation.h).
 *
 * Part of src/app.  The agency's requests and answers are
 * agency/agency_amili.h's; this file runs them in order while the user
 * waits and records each outcome.
 */
#include "app/app_activation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency/agency.h"
#include "util/clock.h"

#define TERMS_TIMEOUT_MS   5000
#define ONBOARD_TIMEOUT_MS 10000

void app_activation_view_release(struct app_activation_view *v)
{
    json_decref(v->terms_body);
    memset(v, 0, sizeof(*v));
}

/* The agency's current terms into v (version and text), or PM_ERR_IO. */
static enum pm_err fetch_terms(const struct app_ctx *ax, struct app_activation_view *v)
{
    struct agency_call call;
    struct agency_conn *conn;
    struct agency_amili_answer ans = {0};
    struct clock wall = {0};
    const char *version, *text;
    enum pm_err rc;

    memset(&call, 0, sizeof(call));
    conn = agency_conn_new(ax->agency, 1);
    if (!conn)
        return PM_ERR_NOMEM;
    agency_amili_req_agreement(&call);
    call.timeout_ms = TERMS_TIMEOUT_MS;
    rc = agency_call_run(ax->agency, conn, &call);
    if (!rc) {
        agency_amili_answer_read(&call, clock_now_s(&wall), &ans);
        version = json_string_value(json_object_get(ans.body, "version"));
        text = json_string_value(json_object_get(ans.body, "text"));
        if (ans.verdict != AGENCY_AMILI_OK || !version || !text) {
            agency_amili_answer_release(&ans);
            rc = PM_ERR_IO;
        } else {
            v->terms_body = ans.body;
            v->terms_version = version;
            v->terms_text = text;
        }
    }
    agency_call_release(&call);
    agency_ops_of(ax->agency)->conn_free(&conn);
    return rc;
}

/* The activation row and what the company lacks. */
static enum pm_err load(const struct app_ctx *ax, struct app_activation_view *v,
                        struct app_error *e)
{
    enum pm_err rc;

    memset(v, 0, sizeof(*v));
    if (!ax->agency)
        return app_error_set(e, PM_ERR_BUSY, "agency_not_configured", NULL);
    v->agency_url = agency_config_of(ax->agency)->url;
    v->n_missing =
        agency_amili_company_missing(ax->company, v->missing, APP_ACTIVATION_MISSING_MAX);
    rc = store_agency_activation_get(ax->store, ax->company_id, &v->act);
    if (rc == PM_ERR_NOT_FOUND)
        return PM_OK;
    if (rc)
        return app_store_failed(ax, rc, e);
    v->have = true;
    return PM_OK;
}

enum pm_err app_activation_show(const struct app_ctx *ax, struct app_activation_view *v,
                                struct app_error *e)
{
    enum pm_err rc = load(ax, v, e);

    if (!rc)
        (void)fetch_terms(ax, v); /* the page shows no terms when the agency is silent */
    return rc;
}

/* Store the activation as failed with why: code on the first of the
 * agency's issues.  The failure is the answer, the record stays. */
static enum pm_err failed(const struct app_ctx *ax, struct app_activation_view *v, const char *code,
                          const char *reason, const json_t *issues, struct app_error *e)
{
    json_t *failure = json_pack("{s:s, s:O?}", "reason", reason, "issues", issues);
    char *text = failure ? json_dumps(failure, JSON_COMPACT) : NULL;
    const char *field = NULL;
    enum pm_err rc;

    json_decref(failure);
    v->act.state = AMILI_ACTIVATION_FAILED;
    snprintf(v->act.failure, sizeof(v->act.failure), "%s", text ? text : "{}");
    free(text);
    v->act.updated_at = clock_now_s(ax->clock);
    rc = store_agency_activation_put(ax->store, &v->act);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (issues && json_object_size(issues)) {
        void *it = json_object_iter((json_t *)issues);

        field = it ? json_object_iter_key(it) : NULL;
    }
    v->failure_recorded = true;
    return app_error_set(e, PM_ERR_IO, code, field);
}

/* An account and active creditor of the company at the agency: the one
 * already there (a retried activation), else a new one. */
static enum pm_err onboard(const struct app_ctx *ax, struct agency_conn *conn, const char *token,
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
        rc = agency_call_run(ax->agency, conn, &call);
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
            rc = agency_call_run(ax->agency, conn, &call);
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
        rc = agency_call_run(ax->agency, conn, &call);
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

enum pm_err app_activation_activate(const struct app_ctx *ax, bool accept, const char *version,
                                    struct app_activation_view *v, struct app_error *e)
{
    struct agency_amili_answer fail = {0};
    struct agency_conn *conn = NULL;
    struct pm_error pe = {0};
    char token[AGENCY_TOKEN_MAX];
    enum pm_err rc;

    memset(v, 0, sizeof(*v));
    if (!ax->agency)
        return app_error_set(e, PM_ERR_BUSY, "agency_not_configured", NULL);
    if (!accept)
        return app_error_set(e, PM_ERR_INVALID, "terms_not_accepted", "accept_terms");
    rc = load(ax, v, e);
    if (rc)
        return rc;
    if (v->have && v->act.state == AMILI_ACTIVATION_ACTIVE) {
        (void)fetch_terms(ax, v);
        return PM_OK;
    }
    if (fetch_terms(ax, v))
        return app_error_set(e, PM_ERR_IO, "agency_unavailable", NULL);
    if (strcmp(version, v->terms_version) != 0)
        return app_error_set(e, PM_ERR_CONFLICT, "terms_version_outdated", "terms_version");
    if (v->n_missing)
        return app_error_set(e, PM_ERR_INVALID, "company_incomplete", v->missing[0].field);

    /* Who accepted which version when, then the onboarding. */
    memset(&v->act, 0, sizeof(v->act));
    v->act.company_id = ax->company_id;
    snprintf(v->act.terms_version, sizeof(v->act.terms_version), "%s", v->terms_version);
    v->act.accepted_by_user = ax->actor_user_id;
    v->act.accepted_at = clock_now_s(ax->clock);
    v->act.updated_at = v->act.accepted_at;
    v->act.state = AMILI_ACTIVATION_PENDING;
    rc = store_agency_activation_put(ax->store, &v->act);
    if (!rc) /* accepted_by */
        rc = store_agency_activation_get(ax->store, ax->company_id, &v->act);
    if (rc)
        return app_store_failed(ax, rc, e);
    v->have = true;
    rc = agency_token(ax->agency, ax->store, token, &pe);
    if (rc)
        return failed(ax, v, rc == PM_ERR_INVALID ? "agency_refused" : "agency_unavailable",
                      pe.message, NULL, e);
    conn = agency_conn_new(ax->agency, 1);
    if (!conn)
        return app_error_set(e, PM_ERR_NOMEM, NULL, NULL);
    rc = onboard(ax, conn, token, ax->company, &v->act, &fail);
    if (rc) {
        if (fail.verdict == AGENCY_AMILI_UNAUTHORIZED)
            agency_token_forget(ax->agency, token);
        rc = failed(ax, v, rc == PM_ERR_INVALID ? "agency_refused" : "agency_unavailable",
                    fail.reason[0] ? fail.reason : "no answer from the agency", fail.issues, e);
        goto out_release;
    }
    v->act.state = AMILI_ACTIVATION_ACTIVE;
    v->act.failure[0] = '\0';
    v->act.updated_at = clock_now_s(ax->clock);
    rc = store_agency_activation_put(ax->store, &v->act);
    if (rc)
        app_store_failed(ax, rc, e);
out_release:
    agency_amili_answer_release(&fail);
    agency_ops_of(ax->agency)->conn_free(&conn);
    return rc;
}
