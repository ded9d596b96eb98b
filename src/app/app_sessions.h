/*
 * app_sessions.h — logging in and out, and a company's API tokens.
 *
 * Part of src/app.  A login checks the argon2id hash (and replaces one made
 * with older limits, see secret.h, by one with today's); an unknown e-mail is
 * verified against a dummy hash so both failures take the same time and
 * get the same answer (invalid_credentials).  A session is a random cookie
 * value of which only the SHA-256 is stored, with its own random CSRF
 * token.  API tokens are likewise random, shown once, stored hashed.
 * Throttling repeated failures is the edge's business (api_limiter.h).
 */
#ifndef PM_APP_SESSIONS_H
#define PM_APP_SESSIONS_H

#include "app/app.h"
#include "util/secret.h"

#define APP_SESSION_LIFETIME_S (12 * 3600)
/* An API token's last use is noted to this many seconds, so that a busy
 * token costs one write an hour, not one a request. */
#define APP_TOKEN_USE_GRAIN_S 3600
/* How long the answer to a POST with an Idempotency-Key is kept for repeats. */
#define APP_IDEMPOTENCY_KEEP_S (24 * 3600)

struct app_login {
    struct user user;
    struct session session;        /* as stored: the cookie's hash, the CSRF token */
    char cookie[SECRET_TOKEN_HEX]; /* the cookie value, never stored */
};

/* Log email in with password; dummy_hash is verified for an unknown
 * e-mail.  invalid_credentials when either is wrong.  ax->company is not
 * used. */
enum pm_err app_sessions_login(const struct app_ctx *ax, const char *email, const char *password,
                               const char *dummy_hash, struct app_login *out, struct app_error *e);

/* End the session with this cookie hash (gone already is no failure). */
enum pm_err app_sessions_logout(const struct app_ctx *ax, const char *token_hash,
                                struct app_error *e);

/* A new API token of ax->company named t->name, made by the acting user,
 * valid until t->expires_at (unix seconds; 0 = no end; expiry_in_past on
 * "expires_at" unless after now): t is stored (its hash), token gets the
 * value shown once. */
enum pm_err app_sessions_token_create(const struct app_ctx *ax, struct api_token *t,
                                      char token[SECRET_TOKEN_HEX], struct app_error *e);

/* Delete the sessions expired by now and the Idempotency-Key answers older
 * than APP_IDEMPOTENCY_KEEP_S (the server does it now and then). */
enum pm_err app_sessions_prune(const struct app_ctx *ax, struct app_error *e);

/* The company's API tokens (ax->company_id), up to cap, by id. */
enum pm_err app_sessions_token_list(const struct app_ctx *ax, struct api_token *out, size_t cap,
                                    size_t *n, struct app_error *e);
/* Revoke one of them: from now on it authenticates nothing. */
enum pm_err app_sessions_token_revoke(const struct app_ctx *ax, int64_t id, struct app_error *e);

#endif
