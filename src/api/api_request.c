/*
 * api_request.c — small services handlers use on a request: headers, query
 * parameters, the actor's name, setting the answer.
 */
#include "api/api_request.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "api/api_router.h"
#include "app/app_companies.h"

const char *api_request_header(const struct api_request *r, const char *name)
{
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

const char *api_request_query(const struct api_request *r, const char *name)
{
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name) : NULL;
}

void api_request_actor(const struct api_request *r, char *dst, size_t cap)
{
    if (r->who == API_PRINCIPAL_TOKEN)
        snprintf(dst, cap, "token:%s", r->token.name);
    else if (r->who == API_PRINCIPAL_USER)
        snprintf(dst, cap, "%s", r->user.email);
    else
        snprintf(dst, cap, "system");
}

enum pm_err api_request_app(struct api_request *r, struct company *co, char *actor, size_t cap,
                            struct app_ctx *ax)
{
    struct app_error ae;
    enum pm_err rc;

    memset(ax, 0, sizeof(*ax));
    ax->store = r->store;
    if (co) {
        app_error_clear(&ae);
        rc = app_companies_get(ax, r->company_id, co, &ae);
        if (rc)
            return api_error_from_app(&r->err, &ae);
    }
    if (actor)
        api_request_actor(r, actor, cap);
    ax->store = r->store;
    ax->clock = r->ctx->clock;
    ax->rates = r->ctx->rates;
    ax->agency = r->ctx->agency;
    ax->camt054_schema = r->ctx->camt054_schema;
    ax->mail_from = r->ctx->mail_from;
    ax->company_id = r->company_id;
    ax->company = co;
    ax->today = r->today;
    ax->actor = actor;
    ax->actor_user_id = r->who == API_PRINCIPAL_TOKEN ? r->token.created_by : r->user.id;
    return PM_OK;
}

enum pm_err api_request_reply(struct api_request *r, int status, json_t *body)
{
    json_decref(r->reply);
    r->reply = body;
    r->status = status;
    if (!body && status != 204) {
        api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
        return api_error_detail(&r->err, "could not build the reply");
    }
    return PM_OK;
}

enum pm_err api_request_store_failed(struct api_request *r, enum pm_err rc)
{
    const struct pm_error *se = r->store ? store_error(r->store) : NULL;

    api_error_set(&r->err, rc, NULL, NULL);
    if (se)
        api_error_detail(&r->err, "store: %s (%s)", se->message, se->field);
    return rc;
}

enum pm_err api_request_query_int(struct api_request *r, const char *name, int64_t min, int64_t max,
                                  int64_t *out)
{
    const char *s = api_request_query(r, name);
    int64_t v;

    if (!s)
        return PM_OK;
    if (!(s[0] == '0' && s[1] == '\0' && min <= 0)) {
        if (!api_router_parse_id(s, strlen(s), &v) || v < min || v > max)
            return api_error_set(&r->err, PM_ERR_INVALID, "invalid_query", name);
    } else {
        v = 0;
    }
    *out = v;
    return PM_OK;
}
