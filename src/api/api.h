/*
 * api.h — the HTTP server of Påminn (libmicrohttpd + jansson).
 *
 * api_server_start() opens one store handle per worker thread, per login
 * thread and for the pruner (a SQLite handle is never shared between
 * threads at once), starts a libmicrohttpd daemon with a thread pool on the
 * configured address and returns; requests
 * are then served until api_server_stop(), which stops accepting, lets
 * in-flight requests finish and closes the store handles.
 *
 * Routes: /healthz, the JSON API under /api/v1 (api_routes.c) and, for any
 * other GET, the static files of the web UI from web_dir.  Every request
 * writes one JSON line to stderr (the access log).
 */
#ifndef PM_API_H
#define PM_API_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct clock;
struct tz;
struct rate_table;
struct agency;         /* agency/agency.h (Amili hand-over) */
struct camt054_schema; /* bank/camt054.h */

#define API_DEFAULT_LISTEN       "127.0.0.1:8080"
#define API_DEFAULT_THREADS      4
#define API_DEFAULT_MAX_BODY     1048576
#define API_DEFAULT_BODY_BUDGET  (64u * 1024 * 1024) /* body bytes of all requests in flight */
#define API_CONNECTION_LIMIT     1024
#define API_CONNECTION_TIMEOUT_S 30 /* of inactivity: a byte now and then keeps it open */
/* A request's whole head (request line and headers), however it trickles
 * in; also how long a kept-alive connection waits for the next request. */
#define API_DEFAULT_HEADER_TIMEOUT_S 30
#define API_MAX_HEADER_TIMEOUT_S     3600
#define API_DEFAULT_PER_IP           32 /* connections from one address; 0 = no limit */
#define API_HEADERS_MAX              16384

struct api_config {
    const char *listen;        /* "HOST:PORT" ("[::1]:8080" for IPv6); port 0 = any free port */
    unsigned threads;          /* worker threads = store handles, 1..256 */
    size_t max_body;           /* bytes; larger bodies are refused with 413 */
    size_t body_budget;        /* body bytes buffered at once by all requests; 0 = default */
    int per_ip;                /* connections from one address: -1 default, 0 no limit */
    unsigned header_timeout_s; /* seconds for a request's head; 0 = default */
    /* The address users reach the server at ("https://paminn.example.se"),
     * or NULL: with https the session cookie is always Secure. */
    const char *public_url;
    const char *db; /* store DSN each worker opens */
    /* A standby's DSN (--db-read) that invoice lists are read from when it
     * has replayed what the primary shows (api_server.c), or NULL. */
    const char *db_read;
    const char *web_dir; /* static files of the web UI */
    /* The Visma Amili client: borrowed, outlives the server; NULL = the
     * Amili routes answer 503 agency_not_configured. */
    struct agency *agency;
    /* data/camt054.xsd compiled (bank/camt054.h): borrowed, outlives the
     * server; NULL = camt.054 files are refused (500). */
    const struct camt054_schema *camt054_schema;
    /* The sender of e-mail (--smtp-from) when SMTP is configured, else
     * NULL: the UI offers e-mail only then. */
    const char *mail_from;
    /* Webhook endpoints may be http://127.0.0.1 or http://localhost
     * (--webhook-allow-http-loopback, tests only); else https:// only. */
    bool webhook_allow_http_loopback;
};

struct api_server;

/* Start serving.  cfg is copied; clock, tz and rates are borrowed and must
 * outlive the server.  On success *out is the running server; on failure
 * *out is NULL and e says why. */
enum pm_err api_server_start(const struct api_config *cfg, const struct clock *clock,
                             const struct tz *tz, const struct rate_table *rates,
                             struct api_server **out, struct pm_error *e);

/* The port the server listens on (useful after "HOST:0"). */
int api_server_port(const struct api_server *s);

/* Stop accepting, finish in-flight requests, close the store handles and
 * free the server; sets *s to NULL.  api_server_stop(NULL) is a no-op. */
void api_server_stop(struct api_server **s);

#endif
