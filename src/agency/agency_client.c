/*
 * agency_client.c — struct agency, the client every thread shares: its
 * configuration, the transport, the access token and the dispatcher's
 * wake-up signal.
 *
 * The access token.  A JWT {"api_code", "exp": now + 10 min} signed ES256
 * with the partner's private key (libjwt) buys a token at
 * GET /authenticates/api-code.  The token is kept in memory (under a mutex,
 * so one thread fetches while the others wait for it) and, sealed with the
 * secret key (agency_vault.c), in the store, so that a restart or another
 * process reuses it.  It is replaced a minute before it expires and after a
 * 401 ([ours], agency_amili.c).  Token lifetimes and JWT expiry are real
 * time (the wall clock), never the business clock that --now fixes.
 */
#include <jwt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <sodium.h>

#include "agency/agency.h"
#include "agency/agency_amili.h"
#include "agency/agency_edge.h"
#include "store/store_agency.h"

#define JWT_LIFETIME_S   600
#define TOKEN_MARGIN_S   60
#define TOKEN_DEFAULT_S  3000 /* when the answer names no usable expiry */
#define TOKEN_TIMEOUT_MS 10000
#define SEALED_TOKEN_MAX (AGENCY_TOKEN_MAX + AGENCY_SEAL_OVERHEAD)

struct agency {
    struct agency_config cfg; /* strings below are owned copies */
    char *url, *api_code, *key_pem;
    const struct agency_ops *ops;
    struct clock wall; /* real time */

    pthread_mutex_t token_lock;
    char token[AGENCY_TOKEN_MAX];
    int64_t token_expires; /* wall-clock unix seconds */
    /* The token the agency last refused (401): its sealed copy in the store
     * is not taken back, or every round would meet the same 401 until it
     * expires. */
    char refused[AGENCY_TOKEN_MAX];

    pthread_mutex_t wake_lock;
    pthread_cond_t wake_cond;
    uint64_t wakes;

    atomic_uint_least64_t dispatch_rounds, sync_rounds; /* agency_round_done() */
};

static char *dup_trimmed(const char *s)
{
    size_t n;
    char *out;

    if (!s)
        return NULL;
    n = strlen(s);
    while (n > 0 && s[n - 1] == '/')
        n--;
    out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

struct agency *agency_new(const struct agency_config *cfg, const struct agency_ops *ops,
                          struct pm_error *e)
{
    struct agency *a;

    if (!cfg->url || !*cfg->url || !cfg->api_code || !*cfg->api_code || !cfg->key_pem ||
        !*cfg->key_pem) {
        pm_error_set(e, PM_ERR_INVALID, "amili", "the agency needs a URL, an API code and a key");
        return NULL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        pm_error_set(e, PM_ERR_INTERNAL, "", "libcurl failed to initialise");
        return NULL;
    }
    a = calloc(1, sizeof(*a));
    if (!a) {
        pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
        return NULL;
    }
    a->cfg = *cfg;
    atomic_init(&a->dispatch_rounds, 0);
    atomic_init(&a->sync_rounds, 0);
    a->url = dup_trimmed(cfg->url);
    a->api_code = strdup(cfg->api_code);
    a->key_pem = strdup(cfg->key_pem);
    a->ops = ops ? ops : &agency_curl_ops;
    if (!a->url || !a->api_code || !a->key_pem) {
        pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
        agency_free(&a);
        return NULL;
    }
    a->cfg.url = a->url;
    a->cfg.api_code = a->api_code;
    a->cfg.key_pem = a->key_pem;
    if (a->cfg.concurrency < 1)
        a->cfg.concurrency = AGENCY_DEFAULT_CONCURRENCY;
    if (a->cfg.sync_interval_s < 1)
        a->cfg.sync_interval_s = AGENCY_DEFAULT_SYNC_S;
    if (a->cfg.lease_s < 2)
        a->cfg.lease_s = AGENCY_DEFAULT_LEASE_S;
    if (a->cfg.request_timeout_ms <= 0) {
        /* A call must end well inside its lease (docs/agency.md). */
        a->cfg.request_timeout_ms = (long)a->cfg.lease_s * 2000 / 3;
        if (a->cfg.request_timeout_ms > 10000)
            a->cfg.request_timeout_ms = 10000;
    }
    pthread_mutex_init(&a->token_lock, NULL);
    pthread_mutex_init(&a->wake_lock, NULL);
    pthread_cond_init(&a->wake_cond, NULL);
    return a;
}

void agency_free(struct agency **ap)
{
    struct agency *a;

    if (!ap || !*ap)
        return;
    a = *ap;
    if (a->key_pem) {
        sodium_memzero(a->key_pem, strlen(a->key_pem));
        free(a->key_pem);
    }
    sodium_memzero(a->cfg.secret_key, sizeof(a->cfg.secret_key));
    sodium_memzero(a->token, sizeof(a->token));
    sodium_memzero(a->refused, sizeof(a->refused));
    free(a->url);
    free(a->api_code);
    pthread_mutex_destroy(&a->token_lock);
    pthread_mutex_destroy(&a->wake_lock);
    pthread_cond_destroy(&a->wake_cond);
    free(a);
    *ap = NULL;
}

const struct agency_config *agency_config_of(const struct agency *a)
{
    return &a->cfg;
}

const struct agency_ops *agency_ops_of(const struct agency *a)
{
    return a->ops;
}

struct agency_conn *agency_conn_new(const struct agency *a, int max_parallel)
{
    return a->ops->conn_new(a->url, max_parallel);
}

enum pm_err agency_call_run(const struct agency *a, struct agency_conn *conn,
                            struct agency_call *call)
{
    struct agency_call *done = NULL;
    enum pm_err rc;

    rc = a->ops->start(conn, call);
    while (!rc && done != call) {
        rc = a->ops->next(conn, 1000, &done);
        if (!rc && !done && a->ops->in_flight(conn) == 0)
            rc = PM_ERR_INTERNAL;
    }
    return rc;
}

/* ---- the access token ---- */

static enum pm_err make_jwt(struct agency *a, char **out, struct pm_error *e)
{
    jwt_t *jwt = NULL;
    enum pm_err rc = PM_OK;

    *out = NULL;
    if (jwt_new(&jwt) != 0)
        return pm_error_set(e, PM_ERR_NOMEM, "", "jwt_new failed");
    if (jwt_add_grant(jwt, "api_code", a->api_code) != 0 ||
        jwt_add_grant_int(jwt, "exp", (long)(clock_now_s(&a->wall) + JWT_LIFETIME_S)) != 0 ||
        jwt_set_alg(jwt, JWT_ALG_ES256, (const unsigned char *)a->key_pem,
                    (int)strlen(a->key_pem)) != 0) {
        rc = pm_error_set(e, PM_ERR_INVALID, "amili_key",
                          "cannot sign with the partner key (an EC P-256 private key in PEM)");
        goto out_free;
    }
    *out = jwt_encode_str(jwt);
    if (!*out)
        rc = pm_error_set(e, PM_ERR_INVALID, "amili_key",
                          "cannot sign with the partner key (an EC P-256 private key in PEM)");
out_free:
    jwt_free(jwt);
    return rc;
}

/* The sealed token of the store, when it is still good. */
static bool load_sealed(struct agency *a, struct store *st, int64_t now)
{
    unsigned char sealed[SEALED_TOKEN_MAX];
    char token[AGENCY_TOKEN_MAX];
    size_t len = 0, tlen = 0;
    int64_t expires = 0;

    if (!st || store_agency_token_get(st, a->api_code, sealed, sizeof(sealed), &len, &expires))
        return false;
    if (expires - TOKEN_MARGIN_S <= now ||
        agency_vault_open(a->cfg.secret_key, sealed, len, token, sizeof(token) - 1, &tlen))
        return false;
    token[tlen] = '\0';
    if (!strcmp(token, a->refused)) {
        sodium_memzero(token, sizeof(token));
        return false;
    }
    memcpy(a->token, token, tlen + 1);
    a->token_expires = expires;
    sodium_memzero(token, sizeof(token));
    return true;
}

static void save_sealed(struct agency *a, struct store *st)
{
    unsigned char sealed[SEALED_TOKEN_MAX];
    size_t len = 0;

    if (!st || agency_vault_seal(a->cfg.secret_key, a->token, strlen(a->token), sealed,
                                 sizeof(sealed), &len))
        return;
    /* A cache: a failure to write it only costs a fetch later. */
    (void)store_agency_token_put(st, a->api_code, sealed, len, a->token_expires);
}

static enum pm_err fetch_token(struct agency *a, int64_t now, struct pm_error *e)
{
    struct agency_call call = {0};
    struct agency_conn *conn = NULL;
    struct agency_amili_answer ans = {0};
    const char *token, *expires;
    char *jwt = NULL;
    int64_t exp_s;
    enum pm_err rc;

    rc = make_jwt(a, &jwt, e);
    if (rc)
        return rc;
    conn = agency_conn_new(a, 1);
    if (!conn) {
        rc = pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
        goto out_free;
    }
    agency_amili_req_token(&call, jwt);
    call.timeout_ms = TOKEN_TIMEOUT_MS;
    rc = agency_call_run(a, conn, &call);
    if (rc) {
        pm_error_set(e, rc, "amili", "cannot call the agency");
        goto out_free;
    }
    agency_amili_answer_read(&call, now, &ans);
    if (ans.verdict == AGENCY_AMILI_RETRY) {
        rc = pm_error_set(e, PM_ERR_IO, "amili", "the agency did not answer the token request: %s",
                          ans.reason);
        goto out_free;
    }
    token = json_string_value(json_object_get(ans.body, "token"));
    if (ans.verdict != AGENCY_AMILI_OK || !token || !*token || strlen(token) >= AGENCY_TOKEN_MAX) {
        rc = pm_error_set(e, PM_ERR_INVALID, "amili",
                          "the agency refused the API code or key (HTTP %d: %s)", ans.status,
                          ans.reason);
        goto out_free;
    }
    expires = json_string_value(json_object_get(ans.body, "expires"));
    if (!expires || agency_date_parse(expires, &exp_s) || exp_s <= now + TOKEN_MARGIN_S)
        exp_s = now + TOKEN_DEFAULT_S;
    snprintf(a->token, sizeof(a->token), "%s", token);
    a->token_expires = exp_s;
out_free:
    agency_amili_answer_release(&ans);
    agency_call_release(&call);
    a->ops->conn_free(&conn);
    free(jwt);
    return rc;
}

enum pm_err agency_token(struct agency *a, struct store *st, char *dst, struct pm_error *e)
{
    int64_t now = clock_now_s(&a->wall);
    enum pm_err rc = PM_OK;

    pthread_mutex_lock(&a->token_lock);
    if (!a->token[0] || a->token_expires - TOKEN_MARGIN_S <= now) {
        a->token[0] = '\0';
        if (!load_sealed(a, st, now)) {
            rc = fetch_token(a, now, e);
            if (!rc)
                save_sealed(a, st);
        }
    }
    if (!rc)
        snprintf(dst, AGENCY_TOKEN_MAX, "%s", a->token);
    pthread_mutex_unlock(&a->token_lock);
    return rc;
}

void agency_token_forget(struct agency *a, const char *token)
{
    pthread_mutex_lock(&a->token_lock);
    if (!strcmp(a->token, token)) {
        snprintf(a->refused, sizeof(a->refused), "%s", a->token);
        a->token[0] = '\0';
        a->token_expires = 0;
    }
    pthread_mutex_unlock(&a->token_lock);
}

/* ---- waking the dispatcher ---- */

void agency_wake(struct agency *a)
{
    pthread_mutex_lock(&a->wake_lock);
    a->wakes++;
    pthread_cond_broadcast(&a->wake_cond);
    pthread_mutex_unlock(&a->wake_lock);
}

void agency_round_done(struct agency *a, enum agency_loop loop)
{
    atomic_fetch_add(loop == AGENCY_LOOP_SYNC ? &a->sync_rounds : &a->dispatch_rounds, 1);
}

uint64_t agency_rounds(const struct agency *a, enum agency_loop loop)
{
    return atomic_load(loop == AGENCY_LOOP_SYNC ? &a->sync_rounds : &a->dispatch_rounds);
}

void agency_wait(struct agency *a, int timeout_ms)
{
    struct timespec until;
    uint64_t seen;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&a->wake_lock);
    seen = a->wakes;
    while (a->wakes == seen) {
        if (pthread_cond_timedwait(&a->wake_cond, &a->wake_lock, &until) != 0)
            break;
    }
    pthread_mutex_unlock(&a->wake_lock);
}
