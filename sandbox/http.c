/*
 * http.c — the sandbox's HTTP face: libmicrohttpd, the route table, fault
 * injection, request counters and the one place that turns a handler's
 * result into an HTTP answer.
 *
 * A request is read whole (bounded: 1 MiB of JSON, 10 MiB of upload), then
 * counted, then matched against the fault rules (which may delay it, answer
 * a status, hold it, drop the connection, or drop it after the work is
 * committed), then authenticated, then handled in one SQLite transaction
 * under ctx->lock.  One thread per connection, so a held request blocks
 * nobody else.
 */
#include "sandbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define TIMEOUT_HOLD_MS 35000

struct sb_http {
    struct MHD_Daemon *daemon;
};

struct conn_state {
    struct buf body;
};

enum auth_need { AUTH_TOKEN, AUTH_NONE };

struct route {
    const char *method;
    const char *path; /* exact path, or the prefix before "/{id}" */
    bool has_param;
    sb_handler_fn fn;
    enum auth_need auth;
    const char *kind;
};

static enum pm_err list_handler(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    return sb_list_get(ctx, req, resp, req->kind);
}

static enum pm_err one_handler(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    return sb_list_get_one(ctx, req, resp, req->kind);
}

/* The documented API, then the [ours] /_sandbox/ extras: data, not code. */
static const struct route ROUTES[] = {
    {"GET", "/authenticates/api-code", false, sb_auth_token, AUTH_NONE, NULL},
    {"GET", "/accounts", false, list_handler, AUTH_TOKEN, "account"},
    {"POST", "/accounts", false, sb_onboard_account_post, AUTH_TOKEN, NULL},
    {"GET", "/accounts", true, one_handler, AUTH_TOKEN, "account"},
    {"GET", "/creditors", false, list_handler, AUTH_TOKEN, "creditor"},
    {"POST", "/creditors", false, sb_onboard_creditor_post, AUTH_TOKEN, NULL},
    {"GET", "/creditors", true, one_handler, AUTH_TOKEN, "creditor"},
    {"PATCH", "/creditors", true, sb_onboard_creditor_patch, AUTH_TOKEN, NULL},
    {"GET", "/case--registrations", false, list_handler, AUTH_TOKEN, "registration"},
    {"POST", "/case--registrations", false, sb_cases_register, AUTH_TOKEN, NULL},
    {"GET", "/case--registrations", true, one_handler, AUTH_TOKEN, "registration"},
    {"GET", "/cases", false, list_handler, AUTH_TOKEN, "case"},
    {"GET", "/cases", true, one_handler, AUTH_TOKEN, "case"},
    {"GET", "/creditor--payments", false, list_handler, AUTH_TOKEN, "creditor_payment"},
    {"POST", "/creditor--payments", false, sb_cases_creditor_payment, AUTH_TOKEN, NULL},
    {"GET", "/creditor--payments", true, one_handler, AUTH_TOKEN, "creditor_payment"},
    {"GET", "/creditor--creditings", false, list_handler, AUTH_TOKEN, "crediting"},
    {"POST", "/creditor--creditings", false, sb_cases_crediting, AUTH_TOKEN, NULL},
    {"GET", "/creditor--creditings", true, one_handler, AUTH_TOKEN, "crediting"},
    {"GET", "/creditor--cancellations", false, list_handler, AUTH_TOKEN, "cancellation"},
    {"POST", "/creditor--cancellations", false, sb_cases_cancellation, AUTH_TOKEN, NULL},
    {"GET", "/creditor--cancellations", true, one_handler, AUTH_TOKEN, "cancellation"},
    {"POST", "/media--upload", true, sb_media_upload, AUTH_TOKEN, NULL},
    {"GET", "/media", true, sb_media_get, AUTH_TOKEN, NULL},
    {"GET", "/finance--payouts", false, list_handler, AUTH_TOKEN, "payout"},
    {"GET", "/finance--payouts", true, one_handler, AUTH_TOKEN, "payout"},
    {"GET", "/finance--payout-specifications", false, list_handler, AUTH_TOKEN,
     "payout_specification"},
    {"GET", "/finance--payout-specifications", true, one_handler, AUTH_TOKEN,
     "payout_specification"},
    {"GET", "/_sandbox/agreement", false, sb_control_agreement, AUTH_NONE, NULL},
    {"POST", "/_sandbox/partners", false, sb_auth_register_partner, AUTH_NONE, NULL},
    {"GET", "/_sandbox/clock", false, sb_control_clock_get, AUTH_NONE, NULL},
    {"POST", "/_sandbox/clock", false, sb_control_clock_set, AUTH_NONE, NULL},
    {"POST", "/_sandbox/debtor/pay", false, sb_cases_debtor_pay, AUTH_NONE, NULL},
    {"POST", "/_sandbox/debtor/dispute", false, sb_cases_debtor_dispute, AUTH_NONE, NULL},
    {"POST", "/_sandbox/debtor/instalment-plan", false, sb_cases_debtor_plan, AUTH_NONE, NULL},
    {"POST", "/_sandbox/payouts", false, sb_payouts_create, AUTH_NONE, NULL},
    {"POST", "/_sandbox/faults", false, sb_control_faults_add, AUTH_NONE, NULL},
    {"GET", "/_sandbox/faults", false, sb_control_faults_get, AUTH_NONE, NULL},
    {"DELETE", "/_sandbox/faults", false, sb_control_faults_clear, AUTH_NONE, NULL},
    {"GET", "/_sandbox/counters", false, sb_control_counters, AUTH_NONE, NULL},
    {"POST", "/_sandbox/reset", false, sb_control_reset, AUTH_NONE, NULL},
};

/* ---- responses ----------------------------------------------------------- */

enum pm_err sb_resp_json(struct sb_resp *resp, unsigned status, json_t *body)
{
    json_decref(resp->json);
    resp->json = body;
    resp->status = status;
    return body ? PM_OK : PM_ERR_NOMEM;
}

enum pm_err sb_resp_error(struct sb_resp *resp, unsigned status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return sb_resp_json(resp, status,
                        json_pack("{s:s, s:{s:i, s:s}}", "_status", "ERR", "_error", "code",
                                  (int)status, "message", msg));
}

enum pm_err sb_resp_issues(struct sb_resp *resp, json_t *issues)
{
    return sb_resp_json(resp, 422,
                        json_pack("{s:s, s:{s:i, s:s}, s:o}", "_status", "ERR", "_error", "code",
                                  422, "message", "validation failed", "_issues", issues));
}

enum pm_err sb_req_json(struct sb_req *req, struct sb_resp *resp, json_t **out)
{
    json_error_t jerr;
    json_t *v = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);

    if (!v || !json_is_object(v)) {
        json_decref(v);
        sb_resp_error(resp, 400, "the body must be a JSON object%s%s", v ? "" : ": ",
                      v ? "" : jerr.text);
        return PM_ERR_INVALID;
    }
    *out = v;
    return PM_OK;
}

const char *sb_req_query(struct sb_req *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *sb_req_header(struct sb_req *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, key);
}

/* The one mapping of an unhandled result to an HTTP status. */
static unsigned status_of(enum pm_err rc)
{
    switch (rc) {
    case PM_OK:
        return 200;
    case PM_ERR_INVALID:
    case PM_ERR_RANGE:
    case PM_ERR_OVERFLOW:
        return 400;
    case PM_ERR_NOT_FOUND:
        return 404;
    case PM_ERR_CONFLICT:
        return 409;
    case PM_ERR_BUSY:
        return 503;
    default:
        return 500;
    }
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct sb_resp *resp)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    char ra[16];

    if (resp->raw) {
        r = MHD_create_response_from_buffer(resp->raw_len, resp->raw, MHD_RESPMEM_MUST_FREE);
        resp->raw = NULL;
    } else {
        char *text = resp->json ? sb_fmt_dump(resp->json) : NULL;

        if (!text) {
            text = strdup("{\"_status\":\"ERR\",\"_error\":{\"code\":500,\"message\":\"out of "
                          "memory\"}}");
            resp->status = 500;
        }
        if (!text)
            return MHD_NO;
        snprintf(resp->content_type, sizeof(resp->content_type), "application/json");
        r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    }
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    if (resp->retry_after > 0) {
        snprintf(ra, sizeof(ra), "%d", resp->retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    ret = MHD_queue_response(conn, resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- faults -------------------------------------------------------------- */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Sleep ms in small steps; false if the sandbox is stopping. */
static bool wait_ms(struct sb_ctx *ctx, int ms)
{
    while (ms > 0 && !atomic_load(&ctx->stopping)) {
        int step = ms < 50 ? ms : 50;

        sleep_ms(step);
        ms -= step;
    }
    return !atomic_load(&ctx->stopping);
}

/* Hold a request without answering until the client goes, the hold time
 * ends or the sandbox stops. */
static void hold(struct sb_ctx *ctx, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    int fd = ci ? ci->connect_fd : -1;
    int waited = 0;

    while (waited < TIMEOUT_HOLD_MS && !atomic_load(&ctx->stopping)) {
        struct pollfd p = {fd, POLLIN, 0};
        char c;

        if (fd >= 0 && poll(&p, 1, 100) > 0) {
            ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
                return; /* the client went */
            if (p.revents & (POLLHUP | POLLERR))
                return;
            sleep_ms(100); /* pipelined bytes: keep holding */
        } else if (fd < 0) {
            sleep_ms(100);
        }
        waited += 100;
    }
}

/* ---- dispatch ------------------------------------------------------------ */

static const struct route *match(const char *method, const char *path, const char **param,
                                 bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < sizeof(ROUTES) / sizeof(ROUTES[0]); i++) {
        const struct route *r = &ROUTES[i];
        size_t n = strlen(r->path);
        bool hit;

        if (!r->has_param) {
            hit = strcmp(path, r->path) == 0;
        } else {
            hit = strncmp(path, r->path, n) == 0 && path[n] == '/' && path[n + 1] &&
                  !strchr(path + n + 1, '/');
        }
        if (!hit)
            continue;
        *path_known = true;
        if (strcmp(method, r->method) == 0) {
            *param = r->has_param ? path + n + 1 : NULL;
            return r;
        }
    }
    return NULL;
}

static bool is_control(const char *path)
{
    return strncmp(path, "/_sandbox/", 10) == 0;
}

/* Run the handler in one transaction; returns true when it committed. */
static bool handle(struct sb_ctx *ctx, const struct route *r, struct sb_req *req,
                   struct sb_resp *resp)
{
    char partner[128];
    enum pm_err rc;
    bool committed = false;

    pthread_mutex_lock(&ctx->lock);
    if (r->auth == AUTH_TOKEN) {
        if (!sb_auth_check(ctx, req, partner, sizeof(partner))) {
            sb_resp_error(resp, 401, "missing, unknown or expired access token in X-API-Key");
            goto out_unlock;
        }
        req->partner = partner;
    }
    rc = sb_store_begin(ctx);
    if (!rc)
        rc = sb_cases_catch_up(ctx);
    if (!rc)
        rc = r->fn(ctx, req, resp);
    if (!resp->status) {
        if (!rc)
            rc = PM_ERR_INTERNAL;
        sb_resp_error(resp, status_of(rc), "%s", pm_err_name(rc));
    }
    if (!rc && resp->status < 400) {
        rc = sb_store_commit(ctx);
        if (rc)
            sb_resp_error(resp, status_of(rc), "commit failed: %s", pm_err_name(rc));
        else
            committed = true;
    }
    if (!committed)
        sb_store_rollback(ctx);
out_unlock:
    pthread_mutex_unlock(&ctx->lock);
    return committed;
}

static enum MHD_Result serve(struct sb_ctx *ctx, struct MHD_Connection *conn, const char *url,
                             const char *method, struct conn_state *cs)
{
    struct sb_req req;
    struct sb_resp resp;
    const struct route *r;
    const char *param = NULL;
    bool known, hit = false, lose_answer = false;
    struct sb_fault fault;
    char key[320];
    enum MHD_Result ret = MHD_YES;

    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    r = match(method, url, &param, &known);
    if (!is_control(url)) {
        if (r)
            snprintf(key, sizeof(key), "%s %s%s", method, r->path, r->has_param ? "/{id}" : "");
        else
            snprintf(key, sizeof(key), "%s %.256s", method, url);
        pthread_mutex_lock(&ctx->lock);
        (void)sb_store_count(ctx, key);
        (void)sb_store_fault_take(ctx, method, url, &fault, &hit);
        pthread_mutex_unlock(&ctx->lock);
    }
    if (hit) {
        if (strcmp(fault.mode, "latency") == 0) {
            if (!wait_ms(ctx, fault.latency_ms))
                return MHD_NO;
        } else if (strcmp(fault.mode, "status") == 0) {
            sb_resp_error(&resp, (unsigned)fault.status, "injected fault: status %d", fault.status);
            resp.retry_after = fault.retry_after;
            goto out_send;
        } else if (strcmp(fault.mode, "timeout") == 0) {
            hold(ctx, conn);
            return MHD_NO;
        } else if (strcmp(fault.mode, "drop") == 0) {
            return MHD_NO;
        } else if (strcmp(fault.mode, "lost_after_commit") == 0) {
            lose_answer = true;
        }
        /* "duplicate": answered normally; a retry then meets the 409. */
    }
    if (!r) {
        sb_resp_error(&resp, known ? 405 : 404, known ? "method not allowed" : "no such resource");
        goto out_send;
    }
    if (cs->body.len >= cs->body.max) {
        sb_resp_error(&resp, 413, "request body too large");
        goto out_send;
    }
    req.conn = conn;
    req.method = method;
    req.path = url;
    req.param = param;
    req.kind = r->kind;
    req.body = cs->body.data;
    req.body_len = cs->body.len;
    (void)handle(ctx, r, &req, &resp);
    if (lose_answer) {
        json_decref(resp.json);
        free(resp.raw);
        return MHD_NO;
    }
out_send:
    ret = send_resp(conn, &resp);
    json_decref(resp.json);
    free(resp.raw);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct sb_ctx *ctx = cls;
    struct conn_state *cs = *con_cls;

    (void)version;
    if (!cs) {
        cs = calloc(1, sizeof(*cs));
        if (!cs)
            return MHD_NO;
        buf_init(&cs->body);
        /* One byte over the limit marks "too large"; nothing more is stored. */
        cs->body.max = (strncmp(url, "/media--upload/", 15) == 0 ? SB_UPLOAD_MAX : SB_BODY_MAX) + 1;
        *con_cls = cs;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (cs->body.len < cs->body.max) {
            size_t room = cs->body.max - cs->body.len;
            size_t n = *upload_data_size < room ? *upload_data_size : room;

            if (buf_add(&cs->body, upload_data, n))
                return MHD_NO;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    return serve(ctx, conn, url, method, cs);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn_state *cs = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (!cs)
        return;
    buf_release(&cs->body);
    free(cs);
    *con_cls = NULL;
}

enum pm_err sb_http_start(struct sb_ctx *ctx, const char *host, unsigned port, struct sb_http **out,
                          unsigned *bound_port)
{
    struct sockaddr_in sa;
    struct sb_http *h;
    const union MHD_DaemonInfo *di;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return PM_ERR_INVALID;
    h = calloc(1, sizeof(*h));
    if (!h)
        return PM_ERR_NOMEM;
    h->daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                     MHD_USE_POLL | MHD_USE_ERROR_LOG,
                                 (uint16_t)port, NULL, NULL, on_request, ctx, MHD_OPTION_SOCK_ADDR,
                                 (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                                 ctx, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)256, MHD_OPTION_END);
    if (!h->daemon) {
        free(h);
        return PM_ERR_IO;
    }
    di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *bound_port = di ? di->port : port;
    *out = h;
    return PM_OK;
}

void sb_http_stop(struct sb_http **h)
{
    if (!h || !*h)
        return;
    MHD_stop_daemon((*h)->daemon);
    free(*h);
    *h = NULL;
}
