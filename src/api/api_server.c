/*
 * api_server.c — libmicrohttpd plumbing: the request life cycle, the store
 * pool, authentication, CSRF, roles, idempotency keys and the access log.
 *
 * One request goes through on_request() several times:
 *   1. headers known: size checks (headers, Content-Length → 431/413 at
 *      once, the body is never read), framing (Transfer-Encoding with
 *      Content-Length, differing Content-Lengths, a CR in a header → 400),
 *      the Content-Type of a body (415), the caller of an API route that
 *      needs one (401/403 before the body is read) and the server's budget
 *      of body bytes in flight (503);
 *   2. body chunks: appended up to max_body (beyond: 413 at once) and
 *      within the budget;
 *   3. complete: /healthz, static files, or the API — route, take a store
 *      handle, authenticate (cookie session or bearer token), check CSRF,
 *      company membership and role, parse the JSON body, replay or record an
 *      Idempotency-Key, run the handler inside one transaction for state
 *      changes, and answer.  A login is handed to the login pool
 *      (api_workpool.h) with its connection suspended, so that its password
 *      hash holds no HTTP worker; past the pool's queue it is answered 503.
 * Every failure on the way is a struct api_error rendered by
 * api_error_render(); on_completed() writes the access log line.
 *
 * The list cache: each handle of the pool comes with two caches
 * (api_cache.h), valid for the handle's data version read at the start of
 * every API request — the overdue list's answers as shared MHD responses
 * with their ETag, and bearer tokens by hash.  Authentication and the
 * company check run on every request before a cached answer is looked up;
 * the answer's key is the company, today and the normalised query.
 *
 * Every answer carries the Content-Security-Policy and its companions
 * (add_security_headers).  A pruner thread deletes expired sessions and
 * day-old Idempotency-Key answers at start and hourly.
 */
#include "api/api.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agency/agency.h"
#include "api/api_cache.h"
#include "api/api_deadline.h"
#include "api/api_error.h"
#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_limiter.h"
#include "api/api_request.h"
#include "api/api_routes.h"
#include "api/api_static.h"
#include "api/api_workpool.h"
#include "app/app_sessions.h"
#include "core/date.h"
#include "store/store.h"
#include "store/store_tokens.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/secret.h"

#define JSON_TYPE "application/json; charset=utf-8"
/* Sent with every answer: scripts, styles and frames only from this origin
 * (the UI has no inline script, style or handler), never framed. */
#define CSP_POLICY             "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
#define CONNECTION_MEMORY      (32 * 1024) /* API_HEADERS_MAX fits; MHD clears it per request */
#define LIMITER_SLOTS          4096
#define LOG_PATH_MAX           512
#define IDEMPOTENCY_KEY_MAX    127
#define DISCARD_FACTOR         16 /* drop up to this many times max_body before cutting off */
#define BUSY_RETRY_S           5  /* Retry-After of a 503 for a full body budget */
#define LOGIN_QUEUE_PER_THREAD 4  /* logins waiting for a login thread, per thread */
#define LOGIN_RETRY_S          1  /* Retry-After of a 503 for a full login queue */
#define PRUNE_INTERVAL_S       3600
#define API_INDEX_MAX          (1u << 20) /* index.html read into memory */
/* The list cache, per store handle. */
#define REPLY_CACHE_ENTRIES 64
#define REPLY_CACHE_BYTES   (4u << 20)
#define REPLY_OVERHEAD      512 /* headers and bookkeeping, counted per answer */
#define TOKEN_CACHE_ENTRIES 64
#define TOKEN_CACHE_BYTES   (64u << 10)
#define LIST_KEY_MAX        512
#define ETAG_MAX            40 /* a quoted 32-digit hex string */

/* After a standby failed, lists are read from the primary this long
 * before the standby is tried again. */
#define STANDBY_RETRY_S 5

/* One handle of the store pool with its caches. */
struct pool_slot {
    struct store *store;
    struct api_cache *replies; /* struct cached_reply, by list key */
    struct api_cache *tokens;  /* struct api_token, by token hash */
    bool versioned;            /* the caches are synced for this request */
    /* The version the caches were last synced to (synced: ever), and
     * whether this request went ahead on it, to confirm with its page
     * (one_trip). */
    uint64_t version;
    bool synced, provisional;
    /* The slot's reader of lists (opened when first needed): on the
     * standby with --db-read, else on the primary (PostgreSQL); when to
     * try it again after a failure; and the position a standby must have
     * replayed to show what this request's data version shows. */
    struct store *standby;
    time_t standby_retry_at;
    char position[STORE_POSITION_MAX];
};

/* A cached answer: one MHD response queued to every client that asks. */
struct cached_reply {
    struct MHD_Response *resp; /* the cache's reference */
    char etag[ETAG_MAX];
};

struct api_server {
    struct MHD_Daemon *mhd;
    struct api_context ctx;
    struct clock wall; /* real time, for the access log and durations */
    size_t max_body;
    char *web_dir;
    char *db_read;     /* the lists' reader: --db-read's standby, the primary, or NULL */
    bool read_primary; /* db_read is the primary's own DSN: nothing to replay */
    char web_version[API_STATIC_VERSION_MAX]; /* of the files under web_dir */
    int port;
    /* The store pool: one handle (with its caches) per worker, login thread
     * and the pruner. */
    pthread_mutex_t pool_lock;
    pthread_cond_t pool_cond;
    struct pool_slot *slots; /* all of them, for closing */
    struct pool_slot **free_slots;
    size_t n_slots, n_free;
    struct api_limiter *limiter;
    /* Logins run in a pool of their own (their connection suspended), so
     * password hashing never holds the HTTP worker threads. */
    struct api_workpool *logins;
    pthread_mutex_t defer_lock;
    pthread_cond_t defer_cond;
    /* The pruner: expired sessions and old Idempotency-Key answers go at
     * start and then every PRUNE_INTERVAL_S. */
    pthread_t pruner;
    bool pruner_started, stopping; /* stopping: under defer_lock */
    char dummy_hash[SECRET_HASH_MAX];
    atomic_int in_flight; /* requests begun and not completed */
    atomic_int quiescing; /* api_server_stop() has begun: no new connections */
    /* Body bytes buffered by requests in flight, and their ceiling: a
     * request that would pass it is answered 503 before its body is read. */
    atomic_size_t body_bytes;
    size_t body_budget;
    bool https; /* the public URL is https: every cookie is Secure */
    /* Connections whose request head is not read within the deadline are
     * shut down, however they trickle (api_deadline.h). */
    struct api_deadline *deadline;
};

/* Per request (MHD's *con_cls). */
struct conn_state {
    int64_t start_us;
    struct buf body;
    bool responded;    /* an early answer was queued; ignore the rest */
    bool too_large;    /* the body passed max_body: dropping the rest */
    uint64_t received; /* body bytes seen */
    int status;
    int64_t company_id;
    char method[16];
    char path[LOG_PATH_MAX];
    char error[256];  /* detail of a 5xx, for the log */
    size_t max_body;  /* the route's limit (0 until known) */
    size_t reserved;  /* this request's share of the server's body budget */
    bool over_budget; /* a body without Content-Length passed the budget */
    /* The caller, authenticated on the headers (caller_known), or NULL. */
    struct api_request *caller;
    /* A login done in the login pool, with its answer (then resumed). */
    struct login_job *login;
    bool suspended; /* the connection is suspended (under defer_lock) */
};

/* The answer being built. */
struct reply {
    int status;
    char *body; /* malloc'ed, or NULL */
    size_t len;
    const void *persistent; /* static body (the OpenAPI document) */
    int fd;                 /* a static file, or -1 */
    uint64_t fd_size;
    const char *content_type;
    char allow[64];
    char set_cookie[256];
    int retry_after;
    bool replayed;
    bool no_store;
    char disposition[160]; /* Content-Disposition, or "" */
    bool sent;             /* list cache: already queued, with this result */
    enum MHD_Result sent_result;
    char etag[API_STATIC_ETAG_MAX]; /* a static file's validator, or "" */
    const char *cache_control;      /* a static file's Cache-Control, or NULL */
};

/* ---- the store pool ---- */

static struct pool_slot *pool_take(struct api_server *s)
{
    struct pool_slot *slot;

    pthread_mutex_lock(&s->pool_lock);
    while (s->n_free == 0)
        pthread_cond_wait(&s->pool_cond, &s->pool_lock);
    slot = s->free_slots[--s->n_free];
    pthread_mutex_unlock(&s->pool_lock);
    return slot;
}

static void pool_give(struct api_server *s, struct pool_slot *slot)
{
    if (!slot)
        return;
    pthread_mutex_lock(&s->pool_lock);
    s->free_slots[s->n_free++] = slot;
    pthread_cond_signal(&s->pool_cond);
    pthread_mutex_unlock(&s->pool_lock);
}

/* The slot's caches brought to data version `version`. */
static void sync_to(struct pool_slot *slot, uint64_t version)
{
    api_cache_sync(slot->replies, version);
    api_cache_sync(slot->tokens, version);
    slot->version = version;
    slot->synced = slot->versioned = true;
}

/* Validate the slot's caches against the handle's data version; without a
 * version (the engine cannot tell, or the read failed) they are not used.
 * With a standby, the primary's position is read in the same statement. */
static void pool_sync(const struct api_server *s, struct pool_slot *slot)
{
    uint64_t version;

    slot->versioned = slot->provisional = false;
    slot->position[0] = '\0';
    if (s->db_read && !s->read_primary
            ? store_data_version_at(slot->store, &version, slot->position)
            : store_data_version(slot->store, &version))
        return;
    sync_to(slot, version);
}

/* ---- answers ---- */

static void reply_init(struct reply *rp)
{
    memset(rp, 0, sizeof(*rp));
    rp->fd = -1;
    rp->content_type = JSON_TYPE;
    rp->no_store = true;
}

static void reply_error(struct reply *rp, const struct api_error *e, bool english,
                        struct conn_state *cs)
{
    free(rp->body);
    rp->body = NULL;
    if (api_error_render(e, english, &rp->status, &rp->body, &rp->len)) {
        rp->status = 500;
        rp->body = NULL;
        rp->len = 0;
    }
    rp->content_type = JSON_TYPE;
    rp->disposition[0] = '\0';
    rp->retry_after = e->retry_after;
    if (cs && rp->status >= 500)
        snprintf(cs->error, sizeof(cs->error), "%s%s%s", api_error_code(e),
                 e->detail[0] ? ": " : "", e->detail);
}

static void reply_code(struct reply *rp, enum pm_err rc, const char *code, const char *field,
                       bool english, struct conn_state *cs)
{
    struct api_error e;

    api_error_clear(&e);
    api_error_set(&e, rc, code, field);
    reply_error(rp, &e, english, cs);
}

/* The headers every answer carries, cached or not. */
static void add_security_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy", CSP_POLICY);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

/* Hand the answer to MHD; frees what the reply owns. */
static enum MHD_Result send_reply(struct MHD_Connection *conn, struct reply *rp)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    char num[32];

    if (rp->sent)
        return rp->sent_result;
    if (rp->fd >= 0) {
        resp = MHD_create_response_from_fd64(rp->fd_size, rp->fd);
        if (!resp)
            close(rp->fd);
    } else if (rp->persistent) {
        resp = MHD_create_response_from_buffer(rp->len, (void *)rp->persistent,
                                               MHD_RESPMEM_PERSISTENT);
    } else if (rp->body) {
        resp = MHD_create_response_from_buffer(rp->len, rp->body, MHD_RESPMEM_MUST_FREE);
        if (!resp)
            free(rp->body);
    } else {
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    rp->body = NULL;
    rp->fd = -1;
    if (!resp)
        return MHD_NO;
    if (rp->status != 204 && rp->status != 304)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rp->content_type);
    add_security_headers(resp);
    if (rp->no_store)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    else if (rp->cache_control)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, rp->cache_control);
    if (rp->etag[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, rp->etag);
    if (rp->allow[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rp->allow);
    if (rp->disposition[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, rp->disposition);
    if (rp->set_cookie[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, rp->set_cookie);
    if (rp->retry_after > 0) {
        snprintf(num, sizeof(num), "%d", rp->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, num);
    }
    if (rp->replayed)
        MHD_add_response_header(resp, "Idempotent-Replayed", "true");
    ret = MHD_queue_response(conn, (unsigned int)rp->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- request helpers ---- */

static bool wants_english(struct MHD_Connection *conn)
{
    const char *al = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language");

    while (al && *al == ' ')
        al++;
    return al && strncasecmp(al, "en", 2) == 0;
}

static bool has_body_method(const char *method)
{
    return !strcmp(method, "POST") || !strcmp(method, "PATCH") || !strcmp(method, "PUT");
}

static bool is_state_changing(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static bool is_json_type(const char *ct)
{
    size_t n = strlen("application/json");

    return ct && strncasecmp(ct, "application/json", n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* ---- routes with their own body rules (files: BgMax in, PDF and SIE out) ---- */

/* Has any route of this method body rules of its own?  (Spares the list
 * cache's GETs a second route match.) */
static bool method_has_body_rules(const char *method)
{
    size_t i;

    for (i = 0; i < api_route_bodies_count; i++) {
        if (!strcmp(api_route_bodies[i].method, method))
            return true;
    }
    return false;
}

/* The body rules of an API path's route, or NULL for the default. */
static const struct api_route_body *raw_route(const char *path, const char *method)
{
    struct api_match m;

    if (strncmp(path, "/api/", 5) != 0 || !method_has_body_rules(method) ||
        api_router_match(api_routes, api_routes_count, method, path, &m))
        return NULL;
    return api_routes_body_rules(m.route);
}

/* Is the Content-Type ct (parameters ignored) one of the comma-separated types? */
static bool raw_type_ok(const char *types, const char *ct)
{
    size_t n, ct_len;
    const char *p = types, *end;

    if (!ct)
        return false;
    ct_len = strcspn(ct, "; ");
    while (*p) {
        end = strchr(p, ',');
        n = end ? (size_t)(end - p) : strlen(p);
        if (n == ct_len && strncasecmp(p, ct, n) == 0)
            return true;
        p += n + (end ? 1 : 0);
    }
    return false;
}
/* ---- end books ---- */

/* What the request's headers hold, as far as the early checks ask. */
struct header_scan {
    size_t bytes;        /* in all */
    unsigned lengths;    /* Content-Length headers */
    bool lengths_differ; /* ... with different values */
    const char *length;  /* the first one */
    bool chunked;        /* a Transfer-Encoding header */
    bool bad_bytes;      /* a CR or LF inside a name or value (a NUL ends the
                          * value in libmicrohttpd 0.9.75: what follows is lost) */
};

static bool has_bad_bytes(const char *s, size_t n)
{
    return s && (strlen(s) != n || memchr(s, '\r', n) || memchr(s, '\n', n));
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    struct header_scan *h = cls;

    (void)kind;
    h->bytes += key_size + value_size + 4;
    if (has_bad_bytes(key, key_size) || has_bad_bytes(value, value_size))
        h->bad_bytes = true;
    if (!strcasecmp(key, "Transfer-Encoding"))
        h->chunked = true;
    if (!strcasecmp(key, "Content-Length")) {
        if (h->lengths++ && (!value || !h->length || strcmp(value, h->length) != 0))
            h->lengths_differ = true;
        if (!h->length)
            h->length = value;
    }
    return MHD_YES;
}

/* Strict decimal Content-Length; false when absent or malformed. */
static bool content_length(struct MHD_Connection *conn, uint64_t *out)
{
    const char *s = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    uint64_t v = 0;

    if (!s || !*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > UINT64_MAX / 10 - 1)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

/* ---- authentication and authorisation ---- */

/* The bearer token with hash `hash` into r->token: from the slot's cache
 * while the data version holds (a revoked token changes it), else from the
 * store, remembered for the next request. */
static enum pm_err token_lookup(struct api_request *r, struct pool_slot *slot, const char *hash)
{
    size_t len = strlen(hash);
    struct api_token *hit = NULL, *copy;
    enum pm_err rc;

    if (slot->versioned)
        hit = api_cache_get(slot->tokens, hash, len);
    if (hit) {
        r->token = *hit;
        return PM_OK;
    }
    rc = store_api_token_get(r->store, hash, &r->token);
    if (rc || !slot->versioned)
        return rc;
    copy = malloc(sizeof(*copy));
    if (copy) {
        *copy = r->token;
        (void)api_cache_put(slot->tokens, hash, len, copy, sizeof(*copy));
    }
    return PM_OK;
}

static enum pm_err authenticate(struct api_request *r, struct pool_slot *slot, enum api_auth need)
{
    const char *authz = api_request_header(r, "Authorization"), *cookie;
    char hash[SECRET_TOKEN_HEX];
    int64_t now = clock_now_s(r->ctx->clock);
    enum pm_err rc;

    if (need == API_AUTH_NONE)
        return PM_OK;
    if (authz) {
        if (need == API_AUTH_SESSION || strncasecmp(authz, "Bearer ", 7) != 0 ||
            strlen(authz + 7) == 0 || strlen(authz + 7) > 256)
            return api_error_set(&r->err, PM_ERR_INVALID, "not_authenticated", NULL);
        secret_sha256_hex(authz + 7, strlen(authz + 7), hash);
        rc = token_lookup(r, slot, hash);
        if (!rc && r->token.expires_at && r->token.expires_at <= now)
            rc = PM_ERR_NOT_FOUND; /* expired: as if it never was */
        if (rc == PM_ERR_NOT_FOUND)
            return api_error_set(&r->err, PM_ERR_INVALID, "not_authenticated", NULL);
        if (rc)
            return api_request_store_failed(r, rc);
        r->who = API_PRINCIPAL_TOKEN;
        return PM_OK;
    }
    cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "paminn_session");
    if (!cookie || strlen(cookie) >= SECRET_TOKEN_HEX)
        return api_error_set(&r->err, PM_ERR_INVALID, "not_authenticated", NULL);
    secret_sha256_hex(cookie, strlen(cookie), hash);
    rc = store_session_get(r->store, hash, &r->session);
    if (!rc && r->session.expires_at <= now)
        rc = PM_ERR_NOT_FOUND;
    if (!rc)
        rc = store_user_get(r->store, r->session.user_id, &r->user);
    if (rc == PM_ERR_NOT_FOUND)
        return api_error_set(&r->err, PM_ERR_INVALID, "not_authenticated", NULL);
    if (rc)
        return api_request_store_failed(r, rc);
    snprintf(r->session_cookie, sizeof(r->session_cookie), "%s", cookie);
    r->who = API_PRINCIPAL_USER;
    return PM_OK;
}

/* Note the bearer token's use, at most once per APP_TOKEN_USE_GRAIN_S (the
 * write empties the answer caches); failing to note it fails nothing. */
static void note_token_use(struct api_request *r)
{
    int64_t now = clock_now_s(r->ctx->clock);

    if (r->who != API_PRINCIPAL_TOKEN || r->token.last_used_at > now - APP_TOKEN_USE_GRAIN_S)
        return;
    if (!store_api_token_touch(r->store, r->token.company_id, r->token.id, now))
        r->token.last_used_at = now;
}

static enum pm_err check_csrf(struct api_request *r)
{
    const char *token = api_request_header(r, "X-CSRF-Token");

    if (r->who != API_PRINCIPAL_USER || !is_state_changing(r->method))
        return PM_OK;
    if (!token || !secret_equal(token, r->session.csrf_token))
        return api_error_set(&r->err, PM_ERR_INVALID, "csrf_token_invalid", NULL);
    return PM_OK;
}

/* The caller's role in the path's company (404 when not theirs), then the
 * route's need against it. */
static enum pm_err authorize(struct api_request *r, enum api_need need)
{
    int64_t cid = api_router_param(&r->match, "cid");
    struct membership *list = NULL;
    size_t n = 0, i;
    bool found = false;
    enum pm_err rc = PM_OK;

    if (r->who == API_PRINCIPAL_TOKEN) {
        if (cid && cid != r->token.company_id)
            return api_error_set(&r->err, PM_ERR_NOT_FOUND, "not_found", NULL);
        if (need == API_NEED_OWNER_USER)
            return api_error_set(&r->err, PM_ERR_INVALID, "forbidden_role", NULL);
        r->company_id = cid;
        r->role = ROLE_OWNER;
        return PM_OK;
    }
    if (r->who != API_PRINCIPAL_USER || !cid)
        return PM_OK;
    list = calloc(256, sizeof(*list));
    if (!list)
        return api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
    rc = store_membership_list(r->store, r->user.id, list, 256, &n);
    if (rc) {
        api_request_store_failed(r, rc);
        goto out_free;
    }
    for (i = 0; i < n && !found; i++) {
        if (list[i].company_id == cid) {
            found = true;
            r->role = list[i].role;
        }
    }
    if (!found) {
        rc = api_error_set(&r->err, PM_ERR_NOT_FOUND, "not_found", NULL);
        goto out_free;
    }
    r->company_id = cid;
    if ((r->role == ROLE_READ_ONLY && is_state_changing(r->method)) ||
        (need == API_NEED_WRITE && r->role == ROLE_READ_ONLY) ||
        ((need == API_NEED_OWNER || need == API_NEED_OWNER_USER) && r->role != ROLE_OWNER))
        rc = api_error_set(&r->err, PM_ERR_INVALID, "forbidden_role", NULL);
out_free:
    free(list);
    return rc;
}

/* ---- idempotency and transactions ---- */

static void request_hash(const struct api_request *r, char out[SECRET_TOKEN_HEX])
{
    struct buf b = BUF_INIT;

    if (buf_addf(&b, "%s\n%s\n", r->method, r->path) || buf_add(&b, r->body, r->body_len)) {
        out[0] = '\0'; /* matches no stored hash */
        buf_release(&b);
        return;
    }
    secret_sha256_hex(b.data, b.len, out);
    buf_release(&b);
}

/* Answer with the stored first answer of key when there is one. */
static enum pm_err replay(struct api_request *r, const char *key, const char *hash,
                          struct reply *rp, bool *done)
{
    struct idempotency_record rec = {0};
    enum pm_err rc;

    *done = false;
    rc = store_idempotency_get(r->store, r->company_id, key, &rec);
    if (rc == PM_ERR_NOT_FOUND)
        return PM_OK;
    if (rc)
        return api_request_store_failed(r, rc);
    if (!secret_equal(rec.request_hash, hash)) {
        free(rec.body);
        return api_error_set(&r->err, PM_ERR_CONFLICT, "idempotency_key_reused", "Idempotency-Key");
    }
    rp->status = rec.status;
    rp->body = rec.body;
    rp->len = strlen(rec.body);
    rp->replayed = true;
    *done = true;
    return PM_OK;
}

/* How often a request whose transaction hit a transient conflict is run
 * (PostgreSQL keeps a committed transaction's reads against later writers
 * until every transaction that overlapped it has ended: on a busy machine
 * that outlasts a few milliseconds, so the pauses grow to a quarter of a
 * second, half a second in all at most). */
#define HANDLER_ATTEMPTS 6

/* One run of the route's handler, in a transaction when tx, with the
 * Idempotency-Key's record (key, hash) written in that transaction.
 * *retry: the transaction failed on a transient conflict (store_retryable)
 * and was rolled back, so running the request again may succeed. */
static enum pm_err run_attempt(struct api_request *r, struct reply *rp, bool tx, const char *key,
                               const char *hash, bool *raced, bool *retry)
{
    struct idempotency_record rec = {0};
    char *stored = NULL;
    enum pm_err rc;

    *raced = false;
    *retry = false;
    if (tx) {
        rc = store_begin_for(r->store, r->company_id);
        if (rc)
            return api_request_store_failed(r, rc);
    }
    rc = r->match.route->handler(r);
    if (!rc && r->raw_body) { /* a PDF or SIE file */
        rp->body = r->raw_body;
        rp->len = r->raw_len;
        rp->content_type = r->raw_type ? r->raw_type : "application/octet-stream";
        if (r->raw_filename[0])
            snprintf(rp->disposition, sizeof(rp->disposition), "attachment; filename=\"%s\"",
                     r->raw_filename);
        r->raw_body = NULL;
    } else if (!rc && r->reply) {
        rp->body = json_dumps(r->reply, JSON_COMPACT);
        rp->len = rp->body ? strlen(rp->body) : 0;
        if (!rp->body)
            rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
    }
    rp->status = r->status;
    if (!rc && key && r->stored_reply) {
        stored = json_dumps(r->stored_reply, JSON_COMPACT);
        if (!stored)
            rc = api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
    }
    if (!rc && key) {
        rec.company_id = r->company_id;
        snprintf(rec.key, sizeof(rec.key), "%s", key);
        snprintf(rec.request_hash, sizeof(rec.request_hash), "%s", hash);
        rec.status = r->status;
        rec.body = stored ? stored : rp->body ? rp->body : (char *)"";
        rec.created_at = clock_now_s(r->ctx->clock);
        rc = store_idempotency_put(r->store, &rec);
        if (rc)
            api_request_store_failed(r, rc);
        *raced = rc == PM_ERR_CONFLICT;
    }
    free(stored);
    if (tx && rc) {
        *retry = rc == PM_ERR_BUSY && store_retryable(r->store);
        store_rollback(r->store);
    } else if (tx) {
        rc = store_commit(r->store);
        if (rc)
            api_request_store_failed(r, rc);
        *retry = rc == PM_ERR_BUSY && store_retryable(r->store);
    }
    return rc;
}

/* Forget what a failed attempt answered, so that the next starts afresh
 * (the request itself, its body and who asks, stay). */
static void reset_answer(struct api_request *r, struct reply *rp, const char *set_cookie)
{
    json_decref(r->reply);
    r->reply = NULL;
    json_decref(r->stored_reply);
    r->stored_reply = NULL;
    free(r->raw_body);
    r->raw_body = NULL;
    r->raw_len = 0;
    r->raw_type = NULL;
    r->raw_filename[0] = '\0';
    r->status = 0;
    snprintf(r->set_cookie, sizeof(r->set_cookie), "%s", set_cookie);
    api_error_clear(&r->err);
    free(rp->body);
    rp->body = NULL;
    rp->len = 0;
    rp->content_type = JSON_TYPE;
    rp->disposition[0] = '\0';
}

/* Before running a request again: a random pause of up to 2^(attempt+3)
 * ms, so that requests that collided do not collide again in step. */
static void retry_pause(int attempt)
{
    struct timespec now, pause;
    uint64_t x;

    clock_gettime(CLOCK_MONOTONIC, &now);
    x = (uint64_t)now.tv_nsec * UINT64_C(0x9E3779B97F4A7C15);
    x ^= x >> 29;
    pause.tv_sec = 0;
    pause.tv_nsec = (long)(1 + x % (UINT64_C(8) << attempt)) * 1000000L;
    nanosleep(&pause, NULL);
}

/*
 * A state-changing request runs in one transaction.  When that transaction
 * fails on a transient conflict — PostgreSQL's serialisation failure or
 * deadlock, SQLite's busy database — it is rolled back and the whole
 * request runs again, up to HANDLER_ATTEMPTS times: each attempt sees the
 * database afresh, so the outcome is that of some serial order.
 */
static enum pm_err run_handler(struct api_request *r, struct reply *rp)
{
    const char *key = NULL;
    char hash[SECRET_TOKEN_HEX] = "", set_cookie[sizeof(r->set_cookie)];
    /* A login hashes a password for tens of milliseconds and writes one row:
     * it runs without a transaction, holding no write lock while it hashes. */
    /* The approval of a dunning run commits chunk by chunk itself. */
    bool tx = is_state_changing(r->method) && r->match.route->handler != api_session_create &&
              r->match.route->handler != api_dunning_run_approve;
    bool done = false, raced = false, retry = false;
    enum pm_err rc;
    int attempt;

    if (!strcmp(r->method, "POST") && r->company_id)
        key = api_request_header(r, "Idempotency-Key");
    if (key) {
        if (!*key || strlen(key) > IDEMPOTENCY_KEY_MAX || !api_json_text_ok(key, strlen(key)))
            return api_error_set(&r->err, PM_ERR_INVALID, "invalid_value", "Idempotency-Key");
        request_hash(r, hash);
        rc = replay(r, key, hash, rp, &done);
        if (rc || done)
            return rc;
    }
    snprintf(set_cookie, sizeof(set_cookie), "%s", r->set_cookie);
    for (attempt = 1;; attempt++) {
        rc = run_attempt(r, rp, tx, key, hash, &raced, &retry);
        if (!retry || attempt == HANDLER_ATTEMPTS)
            break;
        reset_answer(r, rp, set_cookie);
        retry_pause(attempt);
    }
    if (raced) {
        /* A concurrent request with the same key won: answer as it did. */
        free(rp->body);
        rp->body = NULL;
        api_error_clear(&r->err);
        rc = replay(r, key, hash, rp, &done);
        if (!rc && !done)
            rc = api_error_set(&r->err, PM_ERR_CONFLICT, "conflict", NULL);
    }
    if (rc) {
        free(rp->body);
        rp->body = NULL;
    }
    return rc;
}

/* ---- the list cache ---- */

static void cached_reply_release(void *value)
{
    struct cached_reply *c = value;

    MHD_destroy_response(c->resp);
    free(c);
}

static bool is_cached_route(const struct api_request *r)
{
    return r->match.route->handler == api_invoices_list &&
           (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"));
}

/* Does If-None-Match name etag (or "*")?  Weak comparison, as RFC 9110
 * asks for If-None-Match. */
static bool etag_matches(const char *header, const char *etag)
{
    const char *p = header;
    size_t n = strlen(etag);

    while (p && *p) {
        p += strspn(p, " \t,");
        if (!strncmp(p, "W/", 2))
            p += 2;
        /* strchr() also finds the terminating NUL: the tag ends the header */
        if (*p == '*' || (!strncmp(p, etag, n) && strchr(" \t,", p[n])))
            return true;
        p = strchr(p, ',');
    }
    return false;
}

/* Queue c's answer (or 304 when the client has it) on r's connection, now,
 * while the slot and so c are still ours. */
static void queue_cached(struct api_request *r, const struct cached_reply *c, struct reply *rp)
{
    struct MHD_Response *resp = c->resp;
    const char *inm = api_request_header(r, "If-None-Match");

    rp->status = 200;
    if (inm && etag_matches(inm, c->etag)) {
        rp->status = 304;
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (resp) {
            MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, c->etag);
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
            add_security_headers(resp);
        }
    }
    rp->sent = true;
    rp->sent_result = resp ? MHD_queue_response(r->conn, (unsigned)rp->status, resp) : MHD_NO;
    if (resp && resp != c->resp)
        MHD_destroy_response(resp);
}

/* The strong ETag of body: a quoted hex prefix of its SHA-256 (OpenSSL's,
 * which uses the CPU's SHA instructions: a page is hashed on every miss). */
static void etag_of(const char *body, size_t len, char etag[ETAG_MAX])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[SHA256_DIGEST_LENGTH];
    size_t i, n = 0;

    SHA256((const unsigned char *)body, len, md);
    etag[n++] = '"';
    for (i = 0; i < 16; i++) {
        etag[n++] = hex[md[i] >> 4];
        etag[n++] = hex[md[i] & 15];
    }
    etag[n++] = '"';
    etag[n] = '\0';
}

/* A shared response for the list body rp->body (taken over) with its ETag,
 * or NULL (the body is then freed). */
static struct cached_reply *cached_reply_new(struct reply *rp)
{
    struct cached_reply *c = calloc(1, sizeof(*c));
    char *body = rp->body;

    rp->body = NULL;
    if (c)
        c->resp = MHD_create_response_from_buffer(rp->len, body, MHD_RESPMEM_MUST_FREE);
    if (!c || !c->resp) {
        free(body);
        free(c);
        return NULL;
    }
    etag_of(body, rp->len, c->etag); /* the response owns body now, and keeps it */
    MHD_add_response_header(c->resp, MHD_HTTP_HEADER_CONTENT_TYPE, rp->content_type);
    add_security_headers(c->resp);
    MHD_add_response_header(c->resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(c->resp, MHD_HTTP_HEADER_ETAG, c->etag);
    return c;
}

static time_t monotonic_s(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec;
}

/* How the log names the lists' reader. */
static const char *reader_name(const struct api_server *s)
{
    return s->read_primary ? "the reader of lists" : "the standby (--db-read)";
}

/* The reader stops being asked for a while (its handle closed). */
static void standby_failed(const struct api_server *s, struct pool_slot *slot, const char *what)
{
    fprintf(stderr, "paminn: %s %s: %s; lists are read by the worker's own handle\n",
            reader_name(s), what, slot->standby ? store_error(slot->standby)->message : "");
    store_close(&slot->standby);
    slot->standby_retry_at = monotonic_s() + STANDBY_RETRY_S;
}

/*
 * Prefer the reader.  A standby answers a list when it has replayed the
 * primary's WAL up to the position read with this request's data version,
 * so it shows every write the primary showed then — the caller's own
 * included (read-your-writes) — and the answer may be cached under that
 * version.  A reader of the primary always may: it reads after the version
 * was taken.  Otherwise, or while the reader is down, the worker's own
 * handle answers.
 */
static struct store *standby_for(const struct api_server *s, struct pool_slot *slot)
{
    struct pm_error e = {0};
    bool yes = false;

    if (!s->db_read || (!s->read_primary && !slot->position[0]))
        return NULL;
    if (!slot->standby) {
        if (monotonic_s() < slot->standby_retry_at)
            return NULL;
        if (store_open_standby(s->db_read, &slot->standby, &e)) {
            fprintf(stderr, "paminn: %s: %s; lists are read by the worker's own handle\n",
                    reader_name(s), e.message);
            slot->standby_retry_at = monotonic_s() + STANDBY_RETRY_S;
            return NULL;
        }
    }
    if (s->read_primary)
        return slot->standby;
    if (store_replayed(slot->standby, slot->position, &yes)) {
        standby_failed(s, slot, "did not answer");
        return NULL;
    }
    return yes ? slot->standby : NULL;
}

/* The list's handler, on the standby when it may answer, else (or when
 * it failed) on the primary.  A provisional request's page carries the
 * data version's read (*taken, *version: see one_trip). */
static enum pm_err run_list_handler(struct api_server *s, struct api_request *r,
                                    struct pool_slot *slot, struct reply *rp, bool *taken,
                                    uint64_t *version)
{
    struct store *standby = standby_for(s, slot);
    char set_cookie[sizeof(r->set_cookie)];
    enum pm_err rc;

    *taken = false;
    *version = 0;
    if (!standby)
        return run_handler(r, rp);
    if (slot->provisional)
        store_version_with_next(standby);
    snprintf(set_cookie, sizeof(set_cookie), "%s", r->set_cookie);
    r->store = standby;
    rc = run_handler(r, rp);
    r->store = slot->store;
    *taken = store_version_taken(standby, version);
    if (rc && (r->err.rc == PM_ERR_DB || r->err.rc == PM_ERR_IO || r->err.rc == PM_ERR_BUSY)) {
        standby_failed(s, slot, "failed a list");
        reset_answer(r, rp, set_cookie);
        *taken = false;
        rc = run_handler(r, rp);
    }
    return rc;
}

/*
 * One round trip for a list page on PostgreSQL, where lists are read on
 * the primary by the slot's reader: instead of the data version, then
 * the page, a bearer token's GET goes ahead on the caches as they were
 * (the token as last found) and the page's statement carries the
 * version's read, in its snapshot (store_version_with_next).  Then
 * confirm_caller brings the caches to that version and, when it moved
 * on, finds the token again before anything is answered: a token revoked
 * before the request came changed the version, so it is refused as
 * before.  Sessions (whose look-ups are not cached) and standbys (whose
 * position comes with the primary's version) go the usual way.
 */
static bool one_trip(const struct api_server *s, struct api_request *r,
                     const struct pool_slot *slot)
{
    const char *authz;

    if (!s->db_read || !s->read_primary || !slot->synced || !is_cached_route(r))
        return false;
    authz = api_request_header(r, "Authorization");
    return authz && strncasecmp(authz, "Bearer ", 7) == 0;
}

/* A provisional request's caches brought to `version` (taken: read with
 * its page; else read now); when it is not the one the caller was found
 * at, the caller is found again and must be the same token. */
static enum pm_err confirm_caller(struct api_server *s, struct api_request *r,
                                  struct pool_slot *slot, bool taken, uint64_t version)
{
    uint64_t was = slot->version;
    int64_t token_id = r->token.id, company_id = r->token.company_id;
    enum pm_err rc;

    if (taken) {
        slot->provisional = false;
        sync_to(slot, version);
    } else {
        pool_sync(s, slot);
    }
    if (slot->versioned && slot->version == was)
        return PM_OK; /* nothing was committed since the caller was found */
    rc = authenticate(r, slot, r->match.route->auth);
    if (!rc)
        rc = authorize(r, r->match.route->need);
    if (!rc && (r->token.id != token_id || r->token.company_id != company_id))
        rc = api_error_set(&r->err, PM_ERR_INVALID, "not_authenticated", NULL);
    return rc;
}

/* The invoice list, from the slot's cache when it holds this answer at
 * the handle's data version; otherwise from the handler (on the standby
 * when there is one that may answer), then cached. */
static enum pm_err run_list(struct api_server *s, struct api_request *r, struct pool_slot *slot,
                            struct reply *rp)
{
    char key[LIST_KEY_MAX], set_cookie[sizeof(r->set_cookie)];
    size_t key_len = 0;
    struct cached_reply *c = NULL;
    struct api_error answer;
    uint64_t version;
    bool taken;
    enum pm_err rc;

    if (slot->versioned && api_invoices_list_key(r, key, sizeof(key), &key_len)) {
        api_error_clear(&r->err); /* the handler gives the same answer */
        key_len = 0;
    }
    if (key_len)
        c = api_cache_get(slot->replies, key, key_len);
    if (c && slot->provisional) { /* is it still the answer?  The version says */
        rc = confirm_caller(s, r, slot, false, 0);
        if (rc)
            return rc;
        c = key_len && slot->versioned ? api_cache_get(slot->replies, key, key_len) : NULL;
    }
    if (c) {
        queue_cached(r, c, rp);
        return PM_OK;
    }
    snprintf(set_cookie, sizeof(set_cookie), "%s", r->set_cookie);
    rc = run_list_handler(s, r, slot, rp, &taken, &version);
    if (slot->provisional) {
        answer = r->err;
        if (confirm_caller(s, r, slot, taken, version)) {
            answer = r->err; /* the caller's refusal, not the page */
            reset_answer(r, rp, set_cookie);
            r->err = answer;
            return r->err.rc ? r->err.rc : PM_ERR_INVALID;
        }
        r->err = answer;
        if (!taken)
            key_len = 0; /* read before the version: not to be cached under it */
    }
    if (rc || rp->status != 200 || !rp->body || !key_len)
        return rc;
    c = cached_reply_new(rp);
    if (!c)
        return api_error_set(&r->err, PM_ERR_NOMEM, NULL, NULL);
    queue_cached(r, c, rp);
    (void)api_cache_put(slot->replies, key, key_len, c, rp->len + REPLY_OVERHEAD);
    return PM_OK;
}

/* ---- the three kinds of answer ---- */

static void handle_api(struct api_server *srv, struct conn_state *cs, struct MHD_Connection *conn,
                       const char *url, const char *method, struct reply *rp)
{
    /* the caller, when the headers already told (caller_known) */
    struct api_request *r = cs->caller ? cs->caller : calloc(1, sizeof(*r));
    bool known = cs->caller != NULL;
    struct pool_slot *slot = NULL;
    const char *xfp;
    enum pm_err rc;

    if (!r) {
        reply_code(rp, PM_ERR_NOMEM, "internal_error", NULL, false, cs);
        return;
    }
    cs->caller = NULL; /* r is ours now */
    r->ctx = &srv->ctx;
    r->conn = conn;
    r->method = method;
    r->path = url;
    r->body = cs->body.data;
    r->body_len = cs->body.len;
    r->english = wants_english(conn);
    xfp = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
    r->https = srv->https || (xfp && !strcasecmp(xfp, "https"));
    r->today = date_local_from_utc(srv->ctx.tz, clock_now_s(srv->ctx.clock));
    api_error_clear(&r->err);

    rc = api_router_match(api_routes, api_routes_count, method, url, &r->match);
    if (rc) {
        if (r->match.allow[0]) {
            api_error_set(&r->err, PM_ERR_INVALID, "method_not_allowed", NULL);
            snprintf(rp->allow, sizeof(rp->allow), "%s", r->match.allow);
        } else {
            api_error_set(&r->err, PM_ERR_NOT_FOUND, "not_found", NULL);
        }
        goto out_error;
    }
    if (!r->match.route->handler) { /* the OpenAPI document */
        rp->status = 200;
        rp->persistent = api_openapi_yaml;
        rp->len = api_openapi_yaml_len;
        rp->content_type = "application/yaml; charset=utf-8";
        rp->no_store = false;
        goto out_free;
    }
    slot = pool_take(srv);
    r->store = slot->store;
    slot->provisional = !known && one_trip(srv, r, slot);
    if (slot->provisional)
        slot->versioned = true; /* the caches as they were, confirmed with the page */
    else
        pool_sync(srv, slot);
    rc = known ? PM_OK : authenticate(r, slot, r->match.route->auth);
    if (!rc && !known)
        rc = check_csrf(r);
    if (!rc)
        rc = authorize(r, r->match.route->need);
    if (!rc)
        note_token_use(r);
    if (!rc && has_body_method(method) &&
        !(api_routes_body_rules(r->match.route) &&
          api_routes_body_rules(r->match.route)->raw_types)) /* a raw body: a bank file */
        rc = api_json_parse_object(r->body, r->body_len, &r->json, &r->err);
    if (!rc)
        rc = is_cached_route(r) ? run_list(srv, r, slot, rp) : run_handler(r, rp);
    if (rc)
        goto out_error;
    snprintf(rp->set_cookie, sizeof(rp->set_cookie), "%s", r->set_cookie);
    goto out_free;
out_error:
    reply_error(rp, &r->err, r->english, cs);
out_free:
    cs->company_id =
        r->company_id ? r->company_id : (r->who == API_PRINCIPAL_TOKEN ? r->token.company_id : 0);
    pool_give(srv, slot);
    json_decref(r->json);
    json_decref(r->reply);
    json_decref(r->stored_reply);
    free(r->raw_body); /* not handed over on failure */
    free(r);
}

/* index.html with its URLs in the current version (api_static.h). */
static void index_reply(const struct api_server *srv, int fd, size_t size, struct reply *rp)
{
    char *text = size < API_INDEX_MAX ? malloc(size + 1) : NULL;
    ssize_t got = text ? read(fd, text, size) : -1;

    if (got == (ssize_t)size)
        rp->body = api_static_index(text, size, srv->web_version, &rp->len);
    free(text);
    if (!rp->body)
        rp->status = 500;
}

static void handle_static(struct api_server *srv, struct conn_state *cs,
                          struct MHD_Connection *conn, const char *url, const char *method,
                          struct reply *rp)
{
    bool english = wants_english(conn), current, is_index;
    char path[4096];
    struct stat sb;
    int fd;

    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        snprintf(rp->allow, sizeof(rp->allow), "GET, HEAD");
        reply_code(rp, PM_ERR_INVALID, "method_not_allowed", NULL, english, cs);
        return;
    }
    url = api_static_unversion(url, srv->web_version, &current);
    if (!api_static_path(srv->web_dir, url, path, sizeof(path))) {
        reply_code(rp, PM_ERR_NOT_FOUND, "not_found", NULL, english, cs);
        return;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        reply_code(rp, PM_ERR_NOT_FOUND, "not_found", NULL, english, cs);
        return;
    }
    rp->content_type = api_static_content_type(path);
    rp->no_store = false;
    /* Validators: the browser keeps the file and asks again with If-None-Match. */
    api_static_etag((uint64_t)sb.st_size,
                    (int64_t)sb.st_mtim.tv_sec * 1000000000 + (int64_t)sb.st_mtim.tv_nsec,
                    rp->etag);
    is_index = !strcmp(url, "/") || !strcmp(url, "/index.html");
    if (is_index) /* its text names the version: so does its validator */
        snprintf(rp->etag + strlen(rp->etag) - 1, API_STATIC_ETAG_MAX - strlen(rp->etag) + 1,
                 "-%s\"", srv->web_version);
    rp->cache_control = api_static_cache_control(current);
    if (api_static_etag_matches(
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
            rp->etag)) {
        close(fd);
        rp->status = 304;
        return;
    }
    rp->status = 200;
    if (is_index) {
        index_reply(srv, fd, (size_t)sb.st_size, rp);
        close(fd);
        return;
    }
    rp->fd = fd;
    rp->fd_size = (uint64_t)sb.st_size;
}

#define HEALTH_BODY_MAX 192

/* {"status":"ok"} with what a caller can wait on instead of sleeping:
 * requests in flight besides this one, whether the server is stopping
 * (it accepts no new connection then), and with the agency configured
 * the completed rounds of its dispatcher and sync (agency.h). */
static void handle_health(struct api_server *srv, struct conn_state *cs, const char *method,
                          bool english, struct reply *rp)
{
    const struct agency *a = srv->ctx.agency;
    char agency[96] = "";
    int n;

    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        snprintf(rp->allow, sizeof(rp->allow), "GET, HEAD");
        reply_code(rp, PM_ERR_INVALID, "method_not_allowed", NULL, english, cs);
        return;
    }
    if (a)
        snprintf(agency, sizeof(agency),
                 ",\"agency\":{\"dispatch_rounds\":%llu,\"sync_rounds\":%llu}",
                 (unsigned long long)agency_rounds(a, AGENCY_LOOP_DISPATCH),
                 (unsigned long long)agency_rounds(a, AGENCY_LOOP_SYNC));
    rp->body = malloc(HEALTH_BODY_MAX);
    if (!rp->body) {
        reply_code(rp, PM_ERR_NOMEM, "internal_error", NULL, english, cs);
        return;
    }
    n = snprintf(rp->body, HEALTH_BODY_MAX,
                 "{\"status\":\"ok\",\"requests_in_flight\":%d,\"stopping\":%s%s}",
                 atomic_load(&srv->in_flight) - 1, atomic_load(&srv->quiescing) ? "true" : "false",
                 agency);
    rp->status = 200;
    rp->len = (size_t)n;
}

/* ---- MHD callbacks ---- */

/* Take n more bytes of the server's body budget for cs; false (nothing
 * taken) when that would pass the budget. */
static bool budget_take(struct api_server *srv, struct conn_state *cs, size_t n)
{
    size_t used = atomic_load(&srv->body_bytes);

    do {
        if (n > srv->body_budget || used > srv->body_budget - n)
            return false;
    } while (!atomic_compare_exchange_weak(&srv->body_bytes, &used, used + n));
    cs->reserved += n;
    return true;
}

static void budget_give(struct api_server *srv, struct conn_state *cs)
{
    atomic_fetch_sub(&srv->body_bytes, cs->reserved);
    cs->reserved = 0;
}

/* A request with a body to an API route that needs a caller: the caller
 * (session and CSRF token, or bearer token) is checked on the headers,
 * before a byte of the body is read, so that a stranger's upload costs no
 * memory.  The caller found is kept for the request (cs->caller).  False
 * with the refusal in rp. */
static bool caller_known(struct api_server *srv, struct MHD_Connection *conn, const char *method,
                         struct reply *rp, struct conn_state *cs)
{
    struct api_request *r;
    struct pool_slot *slot;
    struct api_match m;
    enum pm_err rc;

    if (strncmp(cs->path, "/api/", 5) != 0 ||
        api_router_match(api_routes, api_routes_count, method, cs->path, &m) || !m.route->handler ||
        m.route->auth == API_AUTH_NONE)
        return true; /* answered (or refused) after the body as before */
    r = calloc(1, sizeof(*r));
    if (!r) {
        reply_code(rp, PM_ERR_NOMEM, "internal_error", NULL, false, cs);
        return false;
    }
    r->ctx = &srv->ctx;
    r->conn = conn;
    r->method = method;
    r->path = cs->path;
    api_error_clear(&r->err);
    slot = pool_take(srv);
    r->store = slot->store;
    pool_sync(srv, slot);
    rc = authenticate(r, slot, m.route->auth);
    if (!rc)
        rc = check_csrf(r);
    pool_give(srv, slot);
    r->store = NULL;
    if (rc) {
        reply_error(rp, &r->err, wants_english(conn), cs);
        free(r);
        return false;
    }
    cs->caller = r; /* handle_api goes on with it once the body is in */
    return true;
}

/* Checks on the first call, when only the headers are known: an early
 * answer (queued here) or NULL. */
static bool early_refusal(struct api_server *srv, struct MHD_Connection *conn, const char *method,
                          struct reply *rp, struct conn_state *cs)
{
    const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
    const struct api_route_body *route;
    bool english = wants_english(conn), body;
    struct header_scan h = {0};
    uint64_t len = 0;

    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, scan_header, &h);
    if (h.bytes > API_HEADERS_MAX) {
        reply_code(rp, PM_ERR_RANGE, "headers_too_large", NULL, english, cs);
        return true;
    }
    /* Framing that a proxy in front may read otherwise than we do (request
     * smuggling), and bytes no header may hold: refused before routing. */
    if (h.bad_bytes || h.lengths_differ || (h.chunked && h.lengths)) {
        reply_code(rp, PM_ERR_INVALID, "malformed_request", NULL, english, cs);
        return true;
    }
    /* a route may take a larger or non-JSON body */
    route = raw_route(cs->path, method);
    cs->max_body = route && route->max_body > srv->max_body ? route->max_body : srv->max_body;
    if (content_length(conn, &len) && len > cs->max_body) {
        /* A client still sending would miss an answer given now (the
         * connection closes under it): a body of modest excess is read and
         * dropped, and 413 goes out at its end; a huge one is cut off. */
        if (len / DISCARD_FACTOR <= cs->max_body) {
            cs->too_large = true;
            return false;
        }
        reply_code(rp, PM_ERR_RANGE, "body_too_large", NULL, english, cs);
        return true;
    }
    body = len > 0 || (te && strcasecmp(te, "identity") != 0);
    if (route && route->raw_types && body &&
        !raw_type_ok(route->raw_types,
                     MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type"))) {
        reply_code(rp, PM_ERR_INVALID, route->media_error, NULL, english, cs);
        return true;
    }
    if (body && has_body_method(method) && !(route && route->raw_types) &&
        !is_json_type(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type")) &&
        !strncmp(cs->path, "/api/", 5)) {
        reply_code(rp, PM_ERR_INVALID, "unsupported_media_type", NULL, english, cs);
        return true;
    }
    if (body && !caller_known(srv, conn, method, rp, cs))
        return true;
    if (body && !cs->too_large && !budget_take(srv, cs, (size_t)len)) {
        reply_code(rp, PM_ERR_BUSY, "server_busy", NULL, english, cs);
        rp->retry_after = BUSY_RETRY_S;
        return true;
    }
    return false;
}

/* ---- logins, in their own pool ---- */

struct login_job {
    struct api_server *srv;
    struct conn_state *cs;
    struct MHD_Connection *conn;
    const char *url, *method; /* MHD's, valid until the request completes */
    struct reply rp;
};

/* Is this the login (POST /session)? */
static bool is_login(const char *url, const char *method)
{
    struct api_match m;

    return !strcmp(method, "POST") && !strncmp(url, "/api/", 5) &&
           !api_router_match(api_routes, api_routes_count, method, url, &m) &&
           m.route->handler == api_session_create;
}

/* In a login thread: the whole request as any other, then its answer handed
 * to the connection, resumed once the HTTP thread has suspended it. */
static void login_run(void *arg)
{
    struct login_job *job = arg;
    struct api_server *srv = job->srv;

    reply_init(&job->rp);
    handle_api(srv, job->cs, job->conn, job->url, job->method, &job->rp);
    pthread_mutex_lock(&srv->defer_lock);
    while (!job->cs->suspended)
        pthread_cond_wait(&srv->defer_cond, &srv->defer_lock);
    job->cs->suspended = false;
    job->cs->login = job;
    pthread_mutex_unlock(&srv->defer_lock);
    MHD_resume_connection(job->conn);
}

/* Hand the login to the login pool and suspend its connection: true when
 * taken; false when the pool's queue is full (rp: 503). */
static bool login_defer(struct api_server *srv, struct conn_state *cs, struct MHD_Connection *conn,
                        const char *url, const char *method, struct reply *rp)
{
    struct login_job *job = calloc(1, sizeof(*job));

    if (job) {
        *job = (struct login_job){srv, cs, conn, url, method, {0}};
        if (api_workpool_submit(srv->logins, login_run, job)) {
            MHD_suspend_connection(conn);
            pthread_mutex_lock(&srv->defer_lock);
            cs->suspended = true;
            pthread_cond_broadcast(&srv->defer_cond);
            pthread_mutex_unlock(&srv->defer_lock);
            return true;
        }
        free(job);
    }
    reply_code(rp, PM_ERR_BUSY, "server_busy", NULL, wants_english(conn), cs);
    rp->retry_after = LOGIN_RETRY_S;
    return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct api_server *srv = cls;
    struct conn_state *cs = *con_cls;
    struct reply rp;
    enum MHD_Result ret;

    (void)version;
    reply_init(&rp);
    if (!cs) {
        api_deadline_head_read(srv->deadline, conn); /* the head is complete */
        cs = calloc(1, sizeof(*cs));
        if (!cs)
            return MHD_NO;
        cs->start_us = clock_now_us(&srv->wall);
        buf_init(&cs->body);
        snprintf(cs->method, sizeof(cs->method), "%s", method);
        snprintf(cs->path, sizeof(cs->path), "%s", url);
        *con_cls = cs;
        atomic_fetch_add(&srv->in_flight, 1);
        if (!early_refusal(srv, conn, method, &rp, cs))
            return MHD_YES;
        cs->responded = true;
        cs->status = rp.status;
        return send_reply(conn, &rp);
    }
    if (cs->responded) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* A body without Content-Length that grows too large: libmicrohttpd
         * cannot answer in the middle of an upload, so the rest is counted
         * and dropped (never buffered) and 413 goes out at its end; a client
         * that keeps sending far beyond the limit is cut off. */
        cs->received += *upload_data_size;
        if (!cs->too_large && !cs->over_budget && cs->body.len + *upload_data_size > cs->reserved &&
            !budget_take(srv, cs, cs->body.len + *upload_data_size - cs->reserved)) {
            cs->over_budget = true;
            buf_release(&cs->body);
        }
        if (!cs->too_large && !cs->over_budget &&
            (cs->body.len + *upload_data_size > cs->max_body ||
             buf_add(&cs->body, upload_data, *upload_data_size))) {
            cs->too_large = true;
            buf_release(&cs->body);
        }
        *upload_data_size = 0;
        if ((cs->too_large || cs->over_budget) && cs->received / DISCARD_FACTOR > cs->max_body)
            return MHD_NO;
        return MHD_YES;
    }
    if (cs->login) { /* back from the login pool */
        rp = cs->login->rp;
        free(cs->login);
        cs->login = NULL;
    } else if (cs->too_large) {
        reply_code(&rp, PM_ERR_RANGE, "body_too_large", NULL, wants_english(conn), cs);
    } else if (cs->over_budget) {
        reply_code(&rp, PM_ERR_BUSY, "server_busy", NULL, wants_english(conn), cs);
        rp.retry_after = BUSY_RETRY_S;
    } else if (!strcmp(url, "/healthz")) {
        handle_health(srv, cs, method, wants_english(conn), &rp);
    } else if (is_login(url, method)) {
        if (login_defer(srv, cs, conn, url, method, &rp))
            return MHD_YES; /* answered when the login pool is done */
    } else if (!strncmp(url, "/api/", 5) || !strcmp(url, "/api")) {
        handle_api(srv, cs, conn, url, method, &rp);
    } else {
        handle_static(srv, cs, conn, url, method, &rp);
    }
    cs->responded = true;
    cs->status = rp.status;
    ret = send_reply(conn, &rp);
    return ret;
}

/* Text that JSON carries as it is: printable ASCII without '"' or '\\'. */
static bool json_plain(const char *s)
{
    for (; *s; s++) {
        if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
            return false;
    }
    return true;
}

#define LOG_LINE_MAX 1024
#define LOG_FORMAT \
    "{\"ts\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,\"us\":%lld,\"company\":%s}\n"

/* line (malloc'ed, taken over) with a newline added, or NULL. */
static char *with_newline(char *line)
{
    size_t len = strlen(line);
    char *grown = realloc(line, len + 2);

    if (!grown) {
        free(line);
        return NULL;
    }
    grown[len] = '\n';
    grown[len + 1] = '\0';
    return grown;
}

/* The access log line of cs, as jansson writes it (compact, ASCII), with a
 * newline, into line[LOG_LINE_MAX] or (when it does not fit, or needs
 * escaping) into *heap, which the caller frees.  The common line (plain
 * method and path, no error) is formatted directly: the log is on every
 * request's path.  Returns the line, or NULL. */
static const char *log_line(const struct conn_state *cs, const char *ts, int64_t us,
                            char line[LOG_LINE_MAX], char **heap)
{
    char company[24] = "null";
    json_t *log;
    int n;

    *heap = NULL;
    if (!cs->error[0] && json_plain(cs->method) && json_plain(cs->path)) {
        if (cs->company_id)
            snprintf(company, sizeof(company), "%lld", (long long)cs->company_id);
        n = snprintf(line, LOG_LINE_MAX, LOG_FORMAT, ts, cs->method, cs->path, cs->status,
                     (long long)us, company);
        if (n > 0 && n < LOG_LINE_MAX)
            return line;
    }
    log = json_pack("{s:s, s:s, s:s, s:i, s:I, s:o}", "ts", ts, "method", cs->method, "path",
                    cs->path, "status", cs->status, "us", (json_int_t)us, "company",
                    cs->company_id ? json_integer(cs->company_id) : json_null());
    if (log && cs->error[0])
        json_object_set_new(log, "error", json_string(cs->error));
    *heap = log ? json_dumps(log, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(log);
    if (*heap)
        *heap = with_newline(*heap);
    return *heap;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct api_server *srv = cls;
    struct conn_state *cs = *con_cls;
    int64_t now;
    char ts[32], buf[LOG_LINE_MAX], *heap;
    const char *line;

    (void)toe;
    api_deadline_await_head(srv->deadline, conn); /* kept alive: the next one */
    if (!cs)
        return;
    now = clock_now_us(&srv->wall);
    clock_format_rfc3339(now, ts);
    line = log_line(cs, ts, now - cs->start_us, buf, &heap);
    if (line) /* one write: stderr is unbuffered */
        fwrite(line, 1, strlen(line), stderr);
    free(heap);
    buf_release(&cs->body);
    free(cs->caller); /* when the request ended before handle_api */
    budget_give(srv, cs);
    free(cs);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    flockfile(stderr);
    fputs("paminn serve: libmicrohttpd: ", stderr);
    vfprintf(stderr, fmt, ap);
    funlockfile(stderr);
}

/* ---- the pruner ---- */

static void prune_once(struct api_server *srv)
{
    struct pool_slot *slot = pool_take(srv);
    struct app_ctx ax = {.store = slot->store, .clock = srv->ctx.clock, .actor = "server"};
    struct app_error ae;

    app_error_clear(&ae);
    if (app_sessions_prune(&ax, &ae))
        fprintf(stderr, "paminn serve: pruning sessions and idempotency keys failed: %s\n",
                ae.detail);
    pool_give(srv, slot);
}

static void *pruner_run(void *cls)
{
    struct api_server *srv = cls;
    struct timespec until;

    pthread_mutex_lock(&srv->defer_lock);
    while (!srv->stopping) {
        pthread_mutex_unlock(&srv->defer_lock);
        prune_once(srv);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += PRUNE_INTERVAL_S;
        pthread_mutex_lock(&srv->defer_lock);
        while (!srv->stopping &&
               pthread_cond_timedwait(&srv->defer_cond, &srv->defer_lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&srv->defer_lock);
    return NULL;
}

/* ---- start and stop ---- */

/* Resolve "HOST:PORT" / "[V6]:PORT" into addr. */
static enum pm_err parse_listen(const char *listen, struct sockaddr_storage *addr,
                                socklen_t *addr_len, struct pm_error *e)
{
    char host[256], port[8];
    const char *colon = strrchr(listen, ':'), *h = listen;
    size_t hlen;
    struct addrinfo hints = {0}, *res = NULL;
    int64_t p = 0;

    if (!colon || colon == listen || !colon[1] || strlen(colon + 1) > 5)
        return pm_error_set(e, PM_ERR_INVALID, "listen", "listen address '%s' is not HOST:PORT",
                            listen);
    hlen = (size_t)(colon - listen);
    if (h[0] == '[' && colon[-1] == ']') {
        h++;
        hlen -= 2;
    }
    if (hlen == 0 || hlen >= sizeof(host))
        return pm_error_set(e, PM_ERR_INVALID, "listen", "bad host in '%s'", listen);
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    snprintf(port, sizeof(port), "%s", colon + 1);
    if (!(port[0] == '0' && !port[1]) &&
        (!api_router_parse_id(port, strlen(port), &p) || p > 65535))
        return pm_error_set(e, PM_ERR_INVALID, "listen", "bad port in '%s'", listen);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    if (getaddrinfo(host, port, &hints, &res) != 0 || !res)
        return pm_error_set(e, PM_ERR_INVALID, "listen", "cannot resolve '%s'", host);
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    return PM_OK;
}

static void close_pool(struct api_server *s)
{
    size_t i;

    for (i = 0; i < s->n_slots; i++) {
        api_cache_free(&s->slots[i].replies);
        api_cache_free(&s->slots[i].tokens);
        store_close(&s->slots[i].store);
        store_close(&s->slots[i].standby);
    }
    free(s->slots);
    free(s->free_slots);
    s->slots = NULL;
    s->free_slots = NULL;
    s->n_slots = s->n_free = 0;
}

static void token_release(void *value)
{
    free(value);
}

static enum pm_err open_slot(struct pool_slot *slot, const char *dsn, bool migrate,
                             struct pm_error *e)
{
    enum pm_err rc;

    slot->replies = api_cache_new(REPLY_CACHE_ENTRIES, REPLY_CACHE_BYTES, cached_reply_release);
    slot->tokens = api_cache_new(TOKEN_CACHE_ENTRIES, TOKEN_CACHE_BYTES, token_release);
    if (!slot->replies || !slot->tokens)
        return pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
    rc = store_open(dsn, &slot->store, e);
    if (!rc && migrate) {
        rc = store_migrate(slot->store, NULL);
        if (rc)
            pm_error_set(e, rc, "db", "%s", store_error(slot->store)->message);
    }
    return rc;
}

/* --db-read names a database that can be a standby: refused when the
 * engine has none (SQLite); a standby that is down only warns (lists are
 * read from the primary until it answers). */
static enum pm_err check_standby(struct api_server *s, const char *dsn, struct pm_error *e)
{
    struct store *st = NULL;
    struct pm_error oe = {0};
    enum pm_err rc = store_open_standby(dsn, &st, &oe);

    store_close(&st);
    if (rc == PM_ERR_INVALID || rc == PM_ERR_NOMEM)
        return pm_error_set(e, rc, "db_read", "--db-read: %s", oe.message);
    if (rc)
        fprintf(stderr, "paminn: the standby (--db-read): %s; lists are read from the primary\n",
                oe.message);
    s->db_read = strdup(dsn);
    return s->db_read ? PM_OK : pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
}

/* Without --db-read, an engine that has readers (PostgreSQL) reads lists
 * on a reader of the primary, a second connection per worker whose
 * session plans each list statement once (pg_driver.c); SQLite's workers
 * read with their own handle. */
static enum pm_err open_primary_reader(struct api_server *s, const char *dsn, struct pm_error *e)
{
    struct store *st = NULL;
    struct pm_error oe = {0};
    enum pm_err rc = store_open_standby(dsn, &st, &oe);

    store_close(&st);
    if (rc == PM_ERR_INVALID)
        return PM_OK;
    if (rc == PM_ERR_NOMEM)
        return pm_error_set(e, rc, "", "%s", oe.message);
    s->db_read = strdup(dsn);
    s->read_primary = s->db_read != NULL;
    return s->db_read ? PM_OK : pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
}

static enum pm_err open_pool(struct api_server *s, const char *dsn, unsigned n, struct pm_error *e)
{
    enum pm_err rc = PM_OK;
    unsigned i;

    s->slots = calloc(n, sizeof(*s->slots));
    s->free_slots = calloc(n, sizeof(*s->free_slots));
    if (!s->slots || !s->free_slots)
        return pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
    for (i = 0; i < n; i++) {
        s->n_slots++; /* closed by close_pool() also when half open */
        rc = open_slot(&s->slots[i], dsn, i == 0, e);
        if (rc)
            return rc;
        s->free_slots[s->n_free++] = &s->slots[i];
    }
    return PM_OK;
}

enum pm_err api_server_start(const struct api_config *cfg, const struct clock *clock,
                             const struct tz *tz, const struct rate_table *rates,
                             struct api_server **out, struct pm_error *e)
{
    struct api_server *s = NULL;
    struct sockaddr_storage addr;
    socklen_t addr_len = 0;
    const union MHD_DaemonInfo *info;
    unsigned threads = cfg->threads ? cfg->threads : API_DEFAULT_THREADS, per_ip;
    unsigned login_threads = threads / 4 ? threads / 4 : 1;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    enum pm_err rc;

    *out = NULL;
    rc = parse_listen(cfg->listen ? cfg->listen : API_DEFAULT_LISTEN, &addr, &addr_len, e);
    if (rc)
        return rc;
    if (secret_init())
        return pm_error_set(e, PM_ERR_INTERNAL, "", "libsodium failed to initialise");
    s = calloc(1, sizeof(*s));
    if (!s)
        return pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
    pthread_mutex_init(&s->pool_lock, NULL);
    pthread_cond_init(&s->pool_cond, NULL);
    pthread_mutex_init(&s->defer_lock, NULL);
    pthread_cond_init(&s->defer_cond, NULL);
    s->max_body = cfg->max_body ? cfg->max_body : API_DEFAULT_MAX_BODY;
    s->body_budget = cfg->body_budget ? cfg->body_budget : API_DEFAULT_BODY_BUDGET;
    s->https = cfg->public_url && !strncasecmp(cfg->public_url, "https://", 8);
    s->web_dir = strdup(cfg->web_dir ? cfg->web_dir : "web");
    if (s->web_dir && !api_static_version_of(s->web_dir, s->web_version))
        fprintf(stderr, "paminn: cannot read the web directory %s\n", s->web_dir);
    s->limiter = api_limiter_new(LIMITER_SLOTS);
    s->logins = api_workpool_new(login_threads, login_threads * LOGIN_QUEUE_PER_THREAD);
    if (!s->web_dir || !s->limiter || !s->logins) {
        rc = pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
        goto out_free;
    }
    rc = secret_password_hash("paminn: no such user", s->dummy_hash, sizeof(s->dummy_hash));
    if (rc) {
        pm_error_set(e, rc, "", "cannot hash the dummy password");
        goto out_free;
    }
    s->ctx.clock = clock;
    s->ctx.tz = tz;
    s->ctx.rates = rates;
    s->ctx.limiter = s->limiter;
    s->ctx.dummy_hash = s->dummy_hash;
    s->ctx.agency = cfg->agency; /* the agency, or NULL */
    s->ctx.camt054_schema = cfg->camt054_schema;
    s->ctx.mail_from = cfg->mail_from;
    s->ctx.webhook_allow_http_loopback = cfg->webhook_allow_http_loopback;
    /* a handle for every HTTP worker, login thread and the pruner: none of
     * them ever waits for another's */
    rc = open_pool(s, cfg->db, threads + login_threads + 1, e);
    if (rc)
        goto out_free;
    rc = cfg->db_read ? check_standby(s, cfg->db_read, e) : open_primary_reader(s, cfg->db, e);
    if (rc)
        goto out_free;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    per_ip = cfg->per_ip < 0 ? API_DEFAULT_PER_IP : (unsigned)cfg->per_ip;
    rc = api_deadline_start(
        cfg->header_timeout_s ? cfg->header_timeout_s : API_DEFAULT_HEADER_TIMEOUT_S, &s->deadline);
    if (rc) {
        pm_error_set(e, rc, "", "cannot start the header deadline's thread");
        goto out_free;
    }
    s->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)API_CONNECTION_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)API_CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONNECTION_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, api_deadline_notify, s->deadline, MHD_OPTION_END);
    if (!s->mhd) {
        rc = pm_error_set(e, PM_ERR_IO, "listen", "cannot listen on %s",
                          cfg->listen ? cfg->listen : API_DEFAULT_LISTEN);
        goto out_free;
    }
    if (pthread_create(&s->pruner, NULL, pruner_run, s)) {
        rc = pm_error_set(e, PM_ERR_INTERNAL, "", "cannot start the pruner thread");
        goto out_free;
    }
    s->pruner_started = true;
    info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    (void)addr_len;
    *out = s;
    return PM_OK;
out_free:
    api_server_stop(&s);
    return rc;
}

int api_server_port(const struct api_server *s)
{
    return s->port;
}

void api_server_stop(struct api_server **sp)
{
    struct api_server *s;
    int waited_ms;

    if (!sp || !*sp)
        return;
    s = *sp;
    if (s->mhd) {
        /* Stop accepting, then give requests in flight time to finish
         * (idle keep-alive connections do not count). */
        atomic_store(&s->quiescing, 1);
        MHD_quiesce_daemon(s->mhd);
        for (waited_ms = 0;
             atomic_load(&s->in_flight) > 0 && waited_ms < API_CONNECTION_TIMEOUT_S * 1000;
             waited_ms += 10)
            usleep(10000);
        api_workpool_free(&s->logins); /* resumes what it still holds */
        MHD_stop_daemon(s->mhd);
    }
    api_deadline_stop(&s->deadline); /* after the daemon: its callbacks use it */
    if (s->pruner_started) {
        pthread_mutex_lock(&s->defer_lock);
        s->stopping = true;
        pthread_cond_broadcast(&s->defer_cond);
        pthread_mutex_unlock(&s->defer_lock);
        pthread_join(s->pruner, NULL);
    }
    api_workpool_free(&s->logins);
    close_pool(s);
    api_limiter_free(&s->limiter);
    pthread_cond_destroy(&s->pool_cond);
    pthread_mutex_destroy(&s->pool_lock);
    pthread_cond_destroy(&s->defer_cond);
    pthread_mutex_destroy(&s->defer_lock);
    free(s->web_dir);
    free(s->db_read);
    free(s);
    *sp = NULL;
}
