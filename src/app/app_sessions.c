/*
 * app_sessions.c — login sessions and API tokens (see app_sessions.h).
 *
 * Part of src/app.
 */
#include "app/app_sessions.h"

#include <stdio.h>
#include <string.h>

#include "store/store_tokens.h"
#include "util/clock.h"

/* A password hashed with older limits is hashed again with today's, now
 * that it is known to be right: its next login costs what a new one does.
 * Failing to store it fails no login (the old hash stays valid). */
static void rehash(const struct app_ctx *ax, struct user *u, const char *password)
{
    char hash[SECRET_HASH_MAX];

    if (!secret_password_stale(u->password_hash) ||
        secret_password_hash(password, hash, sizeof(hash)))
        return;
    if (!store_user_set_password_hash(ax->store, u->id, hash))
        snprintf(u->password_hash, sizeof(u->password_hash), "%s", hash);
}

enum pm_err app_sessions_login(const struct app_ctx *ax, const char *email, const char *password,
                               const char *dummy_hash, struct app_login *out, struct app_error *e)
{
    int64_t now = clock_now_s(ax->clock);
    bool ok;
    enum pm_err rc;

    memset(out, 0, sizeof(*out));
    rc = store_user_get_by_email(ax->store, email, &out->user);
    if (rc && rc != PM_ERR_NOT_FOUND)
        return app_store_failed(ax, rc, e);
    if (rc == PM_OK) {
        ok = secret_password_verify(out->user.password_hash, password);
    } else {
        /* Same work for an unknown address, so timing tells nothing. */
        secret_password_verify(dummy_hash, password);
        ok = false;
    }
    if (!ok)
        return app_error_set(e, PM_ERR_INVALID, "invalid_credentials", NULL);
    rehash(ax, &out->user, password);
    secret_random_token(out->cookie);
    secret_sha256_hex(out->cookie, strlen(out->cookie), out->session.token_hash);
    secret_random_token(out->session.csrf_token);
    out->session.user_id = out->user.id;
    out->session.created_at = now;
    out->session.expires_at = now + APP_SESSION_LIFETIME_S;
    rc = store_session_insert(ax->store, &out->session);
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_sessions_logout(const struct app_ctx *ax, const char *token_hash,
                                struct app_error *e)
{
    enum pm_err rc = store_session_delete(ax->store, token_hash);

    if (rc && rc != PM_ERR_NOT_FOUND)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_sessions_token_create(const struct app_ctx *ax, struct api_token *t,
                                      char token[SECRET_TOKEN_HEX], struct app_error *e)
{
    int64_t now = clock_now_s(ax->clock);
    enum pm_err rc;

    if (t->expires_at && t->expires_at <= now)
        return app_error_set(e, PM_ERR_INVALID, "expiry_in_past", "expires_at");
    secret_random_token(token);
    secret_sha256_hex(token, strlen(token), t->token_hash);
    t->company_id = ax->company_id;
    t->created_by = ax->actor_user_id;
    t->created_at = now;
    t->last_used_at = 0;
    rc = store_api_token_insert(ax->store, t);
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_sessions_prune(const struct app_ctx *ax, struct app_error *e)
{
    int64_t now = clock_now_s(ax->clock);
    enum pm_err rc;

    rc = store_sessions_prune(ax->store, now, NULL);
    if (!rc)
        rc = store_idempotency_prune(ax->store, now - APP_IDEMPOTENCY_KEEP_S, NULL);
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_sessions_token_list(const struct app_ctx *ax, struct api_token *out, size_t cap,
                                    size_t *n, struct app_error *e)
{
    enum pm_err rc = store_api_token_list(ax->store, ax->company_id, out, cap, n);

    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_sessions_token_revoke(const struct app_ctx *ax, int64_t id, struct app_error *e)
{
    enum pm_err rc = store_api_token_delete(ax->store, ax->company_id, id);

    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "not_found", "id");
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}
