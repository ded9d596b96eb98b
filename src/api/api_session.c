/*
 * api_session.c — logging in and out, and the company API tokens (create,
 * list, revoke), over HTTP (app/app_sessions.h does them).
 *
 * A login checks the failed-login counts of the e-mail and of the client
 * address (api_limiter.h) first and counts a failure in both (the server
 * runs it in its login pool: api_workpool.h); the session's cookie goes out
 * as an HttpOnly, SameSite=Strict cookie.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_decode.h"
#include "api/api_handlers.h"
#include "api/api_limiter.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "app/app_companies.h"
#include "app/app_sessions.h"
#include "util/clock.h"

#define MEMBERSHIPS_MAX 256
#define CLIENT_MAX      64

/* The client's IP address as text: the peer's, or behind a reverse proxy on
 * this machine (a loopback peer), the last X-Forwarded-For entry, which is
 * the address the proxy saw. */
static void client_address(const struct api_request *r, char out[CLIENT_MAX])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    const char *xff = api_request_header(r, "X-Forwarded-For"), *last;
    bool loopback = false;
    size_t n;

    snprintf(out, CLIENT_MAX, "unknown");
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)(const void *)sa;

        inet_ntop(AF_INET, &in4->sin_addr, out, CLIENT_MAX);
        loopback = (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

        inet_ntop(AF_INET6, &in6->sin6_addr, out, CLIENT_MAX);
        loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    if (!loopback || !xff)
        return;
    last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    last += strspn(last, " \t");
    n = strcspn(last, " \t");
    if (n > 0 && n < CLIENT_MAX)
        snprintf(out, CLIENT_MAX, "%.*s", (int)n, last);
}

/* The body of POST and GET /session. */
static enum pm_err session_reply(struct api_request *r, const struct user *u, const char *csrf)
{
    struct membership *list = NULL;
    struct app_ctx ax;
    struct app_error ae;
    json_t *companies = NULL, *item;
    size_t n = 0, i;
    enum pm_err rc;

    list = calloc(MEMBERSHIPS_MAX, sizeof(*list));
    if (!list)
        return api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
    api_request_app(r, NULL, NULL, 0, &ax);
    app_error_clear(&ae);
    rc = app_companies_of_user(&ax, u->id, list, MEMBERSHIPS_MAX, &n, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    companies = json_array();
    for (i = 0; companies && i < n; i++) {
        item = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)list[i].company_id, "name",
                         list[i].company_name, "role", store_role_name(list[i].role));
        if (!item || json_array_append_new(companies, item)) {
            json_decref(companies);
            companies = NULL;
        }
    }
    rc = api_request_reply(r, 200,
                           json_pack("{s:{s:I, s:s, s:s}, s:o?, s:s}", "user", "id",
                                     (json_int_t)u->id, "email", u->email, "name", u->name,
                                     "companies", companies, "csrf_token", csrf));
out_free:
    free(list);
    return rc;
}

enum pm_err api_session_create(struct api_request *r)
{
    struct api_session_input in;
    struct app_login login;
    struct app_ctx ax;
    struct app_error ae;
    char actor[STORE_EMAIL_MAX], client[CLIENT_MAX];
    int64_t now = clock_now_s(r->ctx->clock), retry = 0;
    enum pm_err rc;

    rc = api_decode_session(r->json, &in, &r->err);
    if (rc)
        return rc;
    client_address(r, client);
    if (api_limiter_blocked(r->ctx->limiter, in.email, now, &retry) ||
        api_limiter_client_blocked(r->ctx->limiter, client, now, &retry)) {
        api_error_set(&r->err, PM_ERR_BUSY, "too_many_attempts", NULL);
        r->err.retry_after = (int)retry;
        return PM_ERR_BUSY;
    }
    rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_sessions_login(&ax, in.email, in.password, r->ctx->dummy_hash, &login, &ae);
    if (rc && ae.code && !strcmp(ae.code, "invalid_credentials")) {
        api_limiter_fail(r->ctx->limiter, in.email, now);
        api_limiter_client_fail(r->ctx->limiter, client, now);
    }
    if (rc)
        return api_error_from_app(&r->err, &ae);
    api_limiter_success(r->ctx->limiter, in.email);
    snprintf(r->set_cookie, sizeof(r->set_cookie),
             "paminn_session=%s; Path=/; HttpOnly; SameSite=Strict%s", login.cookie,
             r->https ? "; Secure" : "");
    return session_reply(r, &login.user, login.session.csrf_token);
}

enum pm_err api_session_show(struct api_request *r)
{
    return session_reply(r, &r->user, r->session.csrf_token);
}

/* Run an operation that answers nothing but success (204) for r's caller;
 * its failure goes into r->err. */
static enum pm_err run_app(struct api_request *r,
                           enum pm_err (*op)(const struct app_ctx *ax, const void *arg,
                                             struct app_error *e),
                           const void *arg)
{
    struct app_ctx ax;
    struct app_error ae;
    char actor[STORE_EMAIL_MAX];
    enum pm_err rc;

    rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = op(&ax, arg, &ae);
    return rc ? api_error_from_app(&r->err, &ae) : PM_OK;
}

static enum pm_err session_logout(const struct app_ctx *ax, const void *token_hash,
                                  struct app_error *e)
{
    return app_sessions_logout(ax, token_hash, e);
}

static enum pm_err token_revoke(const struct app_ctx *ax, const void *id, struct app_error *e)
{
    return app_sessions_token_revoke(ax, *(const int64_t *)id, e);
}

enum pm_err api_session_delete(struct api_request *r)
{
    enum pm_err rc = run_app(r, session_logout, r->session.token_hash);

    if (rc)
        return rc;
    snprintf(r->set_cookie, sizeof(r->set_cookie),
             "paminn_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
             r->https ? "; Secure" : "");
    return api_request_reply(r, 204, NULL);
}

enum pm_err api_session_token_create(struct api_request *r)
{
    struct api_token t = {0};
    struct app_ctx ax;
    struct app_error ae;
    char token[SECRET_TOKEN_HEX], actor[STORE_EMAIL_MAX];
    enum pm_err rc;

    rc = api_decode_token(r->json, r->ctx->tz, &t, &r->err);
    if (!rc)
        rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        return rc;
    app_error_clear(&ae);
    rc = app_sessions_token_create(&ax, &t, token, &ae);
    if (rc)
        return api_error_from_app(&r->err, &ae);
    /* a repeat with the same Idempotency-Key answers without the secret */
    r->stored_reply = json_pack("{s:I, s:s, s:n, s:o}", "id", (json_int_t)t.id, "name", t.name,
                                "token", "expires_at", api_render_instant(t.expires_at));
    return api_request_reply(r, 201,
                             json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)t.id, "name",
                                       t.name, "token", token, "expires_at",
                                       api_render_instant(t.expires_at)));
}

#define TOKENS_MAX 1000

enum pm_err api_session_token_list(struct api_request *r)
{
    struct api_token *list = calloc(TOKENS_MAX, sizeof(*list));
    struct app_ctx ax;
    struct app_error ae;
    char actor[STORE_EMAIL_MAX], at[32];
    json_t *items = NULL, *item;
    size_t n = 0, i;
    enum pm_err rc;

    if (!list)
        return api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
    rc = api_request_app(r, NULL, actor, sizeof(actor), &ax);
    if (rc)
        goto out_free;
    app_error_clear(&ae);
    rc = app_sessions_token_list(&ax, list, TOKENS_MAX, &n, &ae);
    if (rc) {
        api_error_from_app(&r->err, &ae);
        goto out_free;
    }
    items = json_array();
    for (i = 0; items && i < n; i++) {
        clock_format_rfc3339(list[i].created_at * 1000000, at);
        item = json_pack("{s:I, s:s, s:I, s:s, s:o, s:o}", "id", (json_int_t)list[i].id, "name",
                         list[i].name, "created_by", (json_int_t)list[i].created_by, "created_at",
                         at, "expires_at", api_render_instant(list[i].expires_at), "last_used_at",
                         api_render_instant(list[i].last_used_at));
        if (!item || json_array_append_new(items, item)) {
            json_decref(items);
            items = NULL;
        }
    }
    if (items)
        rc = api_request_reply(r, 200, json_pack("{s:o}", "items", items));
    else
        rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
out_free:
    free(list);
    return rc;
}

enum pm_err api_session_token_revoke(struct api_request *r)
{
    int64_t id = api_router_param(&r->match, "id");
    enum pm_err rc = run_app(r, token_revoke, &id);

    return rc ? rc : api_request_reply(r, 204, NULL);
}
