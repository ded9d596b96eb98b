/*
 * api_session.c — logging in and out, and the company API tokens.
 *
 * A login checks the e-mail's failed-login count (api_limiter.h) first, then
 * the argon2id hash; an unknown e-mail is verified against a dummy hash so
 * both failures take the same time and get the same answer.  A session is a
 * random cookie value of which only the SHA-256 is stored, with its own
 * random CSRF token.  API tokens are likewise random, shown once, stored
 * hashed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_decode.h"
#include "api/api_handlers.h"
#include "api/api_limiter.h"
#include "api/api_request.h"
#include "util/clock.h"
#include "util/secret.h"

#define SESSION_LIFETIME_S (12 * 3600)
#define MEMBERSHIPS_MAX    256

/* The body of POST and GET /session. */
static enum pm_err session_reply(struct api_request *r, const struct user *u, const char *csrf)
{
    struct membership *list = NULL;
    json_t *companies = NULL, *item;
    size_t n = 0, i;
    enum pm_err rc;

    list = calloc(MEMBERSHIPS_MAX, sizeof(*list));
    if (!list)
        return api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
    rc = store_membership_list(r->store, u->id, list, MEMBERSHIPS_MAX, &n);
    if (rc) {
        api_request_store_failed(r, rc);
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
    struct session s = {0};
    struct user u;
    char cookie[SECRET_TOKEN_HEX];
    int64_t now = clock_now_s(r->ctx->clock), retry = 0;
    bool ok;
    enum pm_err rc;

    rc = api_decode_session(r->json, &in, &r->err);
    if (rc)
        return rc;
    if (api_limiter_blocked(r->ctx->limiter, in.email, now, &retry)) {
        api_error_set(&r->err, PM_ERR_BUSY, "too_many_attempts", NULL);
        r->err.retry_after = (int)retry;
        return PM_ERR_BUSY;
    }
    rc = store_user_get_by_email(r->store, in.email, &u);
    if (rc && rc != PM_ERR_NOT_FOUND)
        return api_request_store_failed(r, rc);
    if (rc == PM_OK) {
        ok = secret_password_verify(u.password_hash, in.password);
    } else {
        /* Same work for an unknown address, so timing tells nothing. */
        secret_password_verify(r->ctx->dummy_hash, in.password);
        ok = false;
    }
    if (!ok) {
        api_limiter_fail(r->ctx->limiter, in.email, now);
        return api_error_set(&r->err, PM_ERR_INVALID, "invalid_credentials", NULL);
    }
    api_limiter_success(r->ctx->limiter, in.email);

    secret_random_token(cookie);
    secret_sha256_hex(cookie, strlen(cookie), s.token_hash);
    secret_random_token(s.csrf_token);
    s.user_id = u.id;
    s.created_at = now;
    s.expires_at = now + SESSION_LIFETIME_S;
    rc = store_session_insert(r->store, &s);
    if (rc)
        return api_request_store_failed(r, rc);
    snprintf(r->set_cookie, sizeof(r->set_cookie),
             "paminn_session=%s; Path=/; HttpOnly; SameSite=Strict%s", cookie,
             r->https ? "; Secure" : "");
    return session_reply(r, &u, s.csrf_token);
}

enum pm_err api_session_show(struct api_request *r)
{
    return session_reply(r, &r->user, r->session.csrf_token);
}

enum pm_err api_session_delete(struct api_request *r)
{
    enum pm_err rc;

    rc = store_session_delete(r->store, r->session.token_hash);
    if (rc && rc != PM_ERR_NOT_FOUND)
        return api_request_store_failed(r, rc);
    snprintf(r->set_cookie, sizeof(r->set_cookie),
             "paminn_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
             r->https ? "; Secure" : "");
    return api_request_reply(r, 204, NULL);
}

enum pm_err api_session_token_create(struct api_request *r)
{
    struct api_token t = {0};
    char token[SECRET_TOKEN_HEX];
    enum pm_err rc;

    rc = api_decode_token(r->json, t.name, sizeof(t.name), &r->err);
    if (rc)
        return rc;
    secret_random_token(token);
    secret_sha256_hex(token, strlen(token), t.token_hash);
    t.company_id = r->company_id;
    t.created_by = r->user.id;
    t.created_at = clock_now_s(r->ctx->clock);
    rc = store_api_token_insert(r->store, &t);
    if (rc)
        return api_request_store_failed(r, rc);
    return api_request_reply(
        r, 201,
        json_pack("{s:I, s:s, s:s}", "id", (json_int_t)t.id, "name", t.name, "token", token));
}
