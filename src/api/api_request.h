/*
 * api_request.h — what a handler sees of one HTTP request, and how it answers.
 *
 * The server (api_server.c) fills a struct api_request after routing,
 * authentication, the CSRF check and the company/role check, then calls the
 * route's handler with a store handle of its own (taken from the server's
 * pool for the duration of the request).  A handler either sets the reply
 * (api_request_reply) and returns PM_OK, or fills r->err and returns the
 * failure; it never writes error JSON.  State-changing requests run inside
 * one store transaction that the server commits only on PM_OK, so a failed
 * request changes nothing.
 *
 * Ownership: r->json (the parsed body) and r->reply belong to the server,
 * which frees them after the request; a handler that replaces r->reply
 * hands its reference over.
 */
#ifndef PM_API_REQUEST_H
#define PM_API_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api_error.h"
#include "api/api_router.h"
#include "store/store.h"
#include "util/secret.h"

struct MHD_Connection;
struct clock;
struct tz;
struct rate_table;
struct api_limiter;
struct agency;         /* agency/agency.h (Amili hand-over) */
struct camt054_schema; /* bank/camt054.h */
struct app_ctx;

/* What all requests share; read-only after start (the limiter locks itself). */
struct api_context {
    const struct clock *clock; /* business time: --now fixes it */
    const struct tz *tz;       /* Europe/Stockholm */
    const struct rate_table *rates;
    struct api_limiter *limiter;
    const char *dummy_hash; /* verified against for unknown e-mails (equal timing) */
    /* The agency client, NULL when not configured. */
    struct agency *agency;
    const struct camt054_schema *camt054_schema;
    const char *mail_from;            /* the e-mail sender; NULL = no SMTP configured */
    bool webhook_allow_http_loopback; /* --webhook-allow-http-loopback (tests) */
};

enum api_principal {
    API_PRINCIPAL_NONE,
    API_PRINCIPAL_USER,  /* a login session (cookie) */
    API_PRINCIPAL_TOKEN, /* a company's bearer token */
};

struct api_request {
    const struct api_context *ctx;
    struct MHD_Connection *conn;
    struct store *store;
    const char *method;
    const char *path;
    const char *body; /* the raw body (NUL-terminated), "" when none */
    size_t body_len;
    json_t *json; /* the parsed body object for POST/PATCH/PUT, else NULL */
    struct api_match match;
    bool english;  /* Accept-Language starts with "en" */
    bool https;    /* X-Forwarded-Proto: https */
    int32_t today; /* the company's local date (Europe/Stockholm) now */

    enum api_principal who;
    struct user user;       /* when who == USER */
    struct session session; /* when who == USER */
    char session_cookie[SECRET_TOKEN_HEX];
    struct api_token token; /* when who == TOKEN */
    int64_t company_id;     /* the path's {cid}, checked against the caller; 0 = none */
    enum member_role role;  /* the caller's role in company_id */

    /* The answer. */
    int status;
    json_t *reply; /* NULL: no body (204) */
    /* What an Idempotency-Key's record keeps instead of reply: the answer
     * without its secrets (a new token is shown once).  NULL = reply. */
    json_t *stored_reply;
    struct api_error err;
    char set_cookie[256]; /* a Set-Cookie value, or "" */
    /* ---- an answer that is not JSON (a PDF, a SIE file):
     * malloc'ed bytes handed to the server, which frees them; raw_type is
     * a static Content-Type, raw_filename (may be "") the download name. */
    char *raw_body;
    size_t raw_len;
    const char *raw_type;
    char raw_filename[96];
    /* ---- end books ---- */
};

/* A request header or query parameter, or NULL when absent. */
const char *api_request_header(const struct api_request *r, const char *name);
const char *api_request_query(const struct api_request *r, const char *name);

/* Who acts, for history events: the user's e-mail or "token:<name>". */
void api_request_actor(const struct api_request *r, char *dst, size_t cap);

/* The application context of the request (app/app.h): its store, clock,
 * rates, agency, today, actor (written into actor[cap]) and acting user,
 * and its company (read into *co, which must outlive *ax; co NULL: not
 * read, for reads and routes without a company; actor NULL: none).  Fills
 * r->err on failure (never with co NULL). */
enum pm_err api_request_app(struct api_request *r, struct company *co, char *actor, size_t cap,
                            struct app_ctx *ax);

/* Set the answer: status and body (a new reference, stolen; NULL for none).
 * A body that failed to build (NULL with status != 204) is an internal error. */
enum pm_err api_request_reply(struct api_request *r, int status, json_t *body);

/* Turn a failed store call into the request's error: the store's detail goes
 * to the log, not_found / conflict / internal_error to the client. */
enum pm_err api_request_store_failed(struct api_request *r, enum pm_err rc);

/* A query parameter as a positive id or limit etc.: absent leaves *out;
 * malformed or out of [min, max] is 400 invalid_query naming the parameter. */
enum pm_err api_request_query_int(struct api_request *r, const char *name, int64_t min, int64_t max,
                                  int64_t *out);

#endif
