/*
 * sandbox.h — amili-sandbox, the local stand-in for Visma Amili's API.
 *
 * A second binary beside paminn (see DESIGN.md, "The agency side") that
 * speaks the agency API of docs/../domain/amili-api.md over HTTP, keeps its
 * own SQLite state and runs a simulated collection process on a clock that
 * tests can move.  It reuses util/ and core/ (money, dates, id numbers,
 * OCR, interest) and nothing above them.  One internal header for the
 * whole binary: each section below belongs to one .c file, whose exported
 * names carry its prefix (sb_store_, sb_http_, sb_auth_, ...).
 *
 * Threads: libmicrohttpd runs one thread per connection; every database
 * use happens with ctx->lock held, so the handlers are plain sequential
 * code and one request is one SQLite transaction.
 */
#ifndef SB_SANDBOX_H
#define SB_SANDBOX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "core/interest.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"

#define SB_ID_LEN            24 /* _id: 24 lowercase hex digits */
#define SB_ETAG_LEN          40 /* _etag: 40 lowercase hex digits */
#define SB_RFC1123_LEN       30 /* "Mon, 16 Jun 2025 00:00:00 GMT" + NUL */
#define SB_AGREEMENT_VERSION "2025-1"
#define SB_BODY_MAX          (1u << 20)  /* JSON request bodies: 1 MiB */
#define SB_UPLOAD_MAX        (10u << 20) /* media uploads: 10 MiB */
#define SB_TOKEN_LIFETIME_S  3600        /* access tokens live one hour (real time) */
#define SB_JWT_MAX_AHEAD_S   (15 * 60)   /* a JWT's exp may lie at most this far ahead */
#define SB_JWT_SKEW_S        60          /* tolerated clock difference to the integrator */

/* The whole sandbox: passed to every function, never global. */
struct sb_ctx {
    sqlite3 *db;
    pthread_mutex_t lock;      /* held around every use of db */
    struct clock clock;        /* the sandbox clock: real time + offset_us */
    int64_t initial_offset_us; /* the clock offset this run started with (for reset) */
    struct rate_table rates;   /* reference rates (data/reference-rates.csv) */
    atomic_bool stopping;      /* set on SIGTERM: held requests give up */
    char public_url[80];       /* "http://127.0.0.1:PORT", for media URLs */
};

/* One HTTP request as a handler sees it. */
struct sb_req {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const char *param; /* the {id} of the route, or NULL */
    const char *kind;  /* the stored kind a generic list route serves */
    const char *body;  /* NUL-terminated, body_len bytes */
    size_t body_len;
    const char *partner; /* the authenticated api_code, or NULL */
};

/* The answer a handler fills: a JSON body (owned) or raw bytes (owned). */
struct sb_resp {
    unsigned status;
    json_t *json;
    char *raw;
    size_t raw_len;
    char content_type[64];
    int retry_after; /* seconds for a Retry-After header; 0 = none */
};

typedef enum pm_err (*sb_handler_fn)(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);

/* ---- fmt.c: ids, dates, money and small JSON helpers ------------------- */

/* A new random id: 24 lowercase hex digits and a NUL. */
void sb_fmt_new_id(char dst[SB_ID_LEN + 1]);
bool sb_fmt_is_id(const char *s);
/* RFC 1123 in GMT: "Mon, 16 Jun 2025 00:00:00 GMT". */
void sb_fmt_rfc1123(int64_t unix_s, char dst[SB_RFC1123_LEN]);
void sb_fmt_day_rfc1123(int32_t day, char dst[SB_RFC1123_LEN]);
/* Parse an instant: RFC 1123 GMT, RFC 3339 ("...Z" or "+hh:mm"), or a bare
 * ISO date (midnight UTC). */
enum pm_err sb_fmt_parse_instant(const char *s, int64_t *unix_s);
/* The calendar date (UTC) of such a text. */
enum pm_err sb_fmt_parse_day(const char *s, int32_t *day);
int32_t sb_fmt_day_of(int64_t unix_s);
/* Money: öre <-> JSON number in kronor with decimals, exactly.  Input may
 * be an integer or a real with at most two decimals. */
json_t *sb_fmt_money(int64_t ore);
enum pm_err sb_fmt_money_in(const json_t *v, int64_t *ore);
/* JSON text of v (compact, reals with 15 significant digits); caller frees. */
char *sb_fmt_dump(const json_t *v);
/* Record a validation issue (the first one per path wins). */
void sb_fmt_issue(json_t *issues, const char *path, const char *message);
/* A string member, or NULL when absent or not a string. */
const char *sb_fmt_str(const json_t *obj, const char *key);
/* A non-empty string member (after no trimming), or NULL. */
const char *sb_fmt_nonempty(const json_t *obj, const char *key);

/* ---- http.c: the server, routing, faults, counters ---------------------- */

struct sb_http;
/* Start listening on host:port (port 0 = any free port).  The caller stops
 * with sb_http_stop(). */
enum pm_err sb_http_start(struct sb_ctx *ctx, const char *host, unsigned port, struct sb_http **out,
                          unsigned *bound_port);
void sb_http_stop(struct sb_http **h);
/* Fill resp with an error body {"_status":"ERR","_error":{...}}. */
enum pm_err sb_resp_error(struct sb_resp *resp, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 422 with `_issues` (stolen). */
enum pm_err sb_resp_issues(struct sb_resp *resp, json_t *issues);
/* Fill resp with status and a JSON body (stolen). */
enum pm_err sb_resp_json(struct sb_resp *resp, unsigned status, json_t *body);
/* Parse the request body as a JSON object; on failure fills resp with 400
 * and returns PM_ERR_INVALID.  The caller owns *out. */
enum pm_err sb_req_json(struct sb_req *req, struct sb_resp *resp, json_t **out);
/* A query-string argument, or NULL. */
const char *sb_req_query(struct sb_req *req, const char *key);
const char *sb_req_header(struct sb_req *req, const char *key);

/* ---- store.c: the SQLite state ----------------------------------------- */

/* A stored resource: public fields in body; internal state under "__". */
struct sb_doc {
    char id[SB_ID_LEN + 1];
    char kind[24];
    char partner[128];
    int64_t created_us;
    int64_t updated_us;
    char etag[SB_ETAG_LEN + 1];
    json_t *body;
};

enum pm_err sb_store_open(struct sb_ctx *ctx, const char *path);
void sb_store_close(struct sb_ctx *ctx);
enum pm_err sb_store_begin(struct sb_ctx *ctx);
enum pm_err sb_store_commit(struct sb_ctx *ctx);
void sb_store_rollback(struct sb_ctx *ctx);
enum pm_err sb_store_meta_get(struct sb_ctx *ctx, const char *key, int64_t dflt, int64_t *out);
enum pm_err sb_store_meta_set(struct sb_ctx *ctx, const char *key, int64_t value);
/* Wipe everything but partners and their tokens. */
enum pm_err sb_store_reset(struct sb_ctx *ctx);

void sb_doc_release(struct sb_doc *d);
/* partner NULL = any partner.  PM_ERR_NOT_FOUND when absent. */
enum pm_err sb_store_doc_get(struct sb_ctx *ctx, const char *kind, const char *partner,
                             const char *id, struct sb_doc *out);
/* Insert (created_us == 0) or update a document: stamps _updated (strictly
 * increasing over the whole store), _etag and, on insert, _created. */
enum pm_err sb_store_doc_put(struct sb_ctx *ctx, struct sb_doc *d);
/* All documents of a kind (of one partner, or all when partner is NULL),
 * oldest first.  The caller releases each and frees the array. */
enum pm_err sb_store_doc_list(struct sb_ctx *ctx, const char *kind, const char *partner,
                              struct sb_doc **out, size_t *n);

/* Partners and tokens. */
enum pm_err sb_store_partner_put(struct sb_ctx *ctx, const char *api_code, const char *pem);
enum pm_err sb_store_partner_key(struct sb_ctx *ctx, const char *api_code, char **pem);
enum pm_err sb_store_token_put(struct sb_ctx *ctx, const char *hash, const char *api_code,
                               int64_t expires_s);
/* The api_code of a live token (hash), into dst; PM_ERR_NOT_FOUND otherwise. */
enum pm_err sb_store_token_get(struct sb_ctx *ctx, const char *hash, int64_t now_s, char *dst,
                               size_t cap);

/* The once-per-invoice key: PM_ERR_CONFLICT (and the existing case id in
 * existing) when creditor + invoice_number is taken. */
enum pm_err sb_store_invoice_claim(struct sb_ctx *ctx, const char *creditor,
                                   const char *invoice_number, const char *case_id,
                                   char existing[SB_ID_LEN + 1]);
enum pm_err sb_store_invoice_find(struct sb_ctx *ctx, const char *creditor,
                                  const char *invoice_number, char case_id[SB_ID_LEN + 1]);

/* Request counters. */
enum pm_err sb_store_count(struct sb_ctx *ctx, const char *key);
enum pm_err sb_store_counters(struct sb_ctx *ctx, json_t **out);

/* Fault rules. */
struct sb_fault {
    int64_t id;
    char method[16];
    char path_prefix[256];
    char mode[24];
    int status;
    int64_t remaining; /* 0 = unlimited */
    double probability;
    int latency_ms;
    int retry_after;
};
enum pm_err sb_store_fault_add(struct sb_ctx *ctx, const struct sb_fault *f, int64_t *id);
enum pm_err sb_store_fault_clear(struct sb_ctx *ctx);
enum pm_err sb_store_fault_list(struct sb_ctx *ctx, json_t **out);
/* The first rule matching method + path that fires (probability); consumes
 * one of its count.  *hit false when none fires. */
enum pm_err sb_store_fault_take(struct sb_ctx *ctx, const char *method, const char *path,
                                struct sb_fault *out, bool *hit);

/* Money movements on cases, for payouts. */
struct sb_ledger {
    int64_t id;
    char case_id[SB_ID_LEN + 1];
    char creditor[SB_ID_LEN + 1];
    char kind[24];    /* debtor_payment | creditor_payment | crediting */
    char article[24]; /* commission article: reminder | debt_collection */
    int32_t day;
    int64_t capital, interest, fees, outlay;
    char payout[SB_ID_LEN + 1]; /* "" until paid out */
};
enum pm_err sb_store_ledger_add(struct sb_ctx *ctx, const struct sb_ledger *l);
/* Debtor payments of a creditor not yet paid out (caller frees *out). */
enum pm_err sb_store_ledger_unpaid(struct sb_ctx *ctx, const char *creditor, struct sb_ledger **out,
                                   size_t *n);
enum pm_err sb_store_ledger_mark(struct sb_ctx *ctx, int64_t id, const char *payout);

/* Uploaded media. */
enum pm_err sb_store_media_put(struct sb_ctx *ctx, const char *id, const char *partner,
                               const char *case_id, const char *content_type, const char *filename,
                               const void *data, size_t len);
/* The caller frees *data. */
enum pm_err sb_store_media_get(struct sb_ctx *ctx, const char *id, const char *partner,
                               char *content_type, size_t ct_cap, char **data, size_t *len);

/* ---- auth.c ------------------------------------------------------------ */

enum pm_err sb_auth_register_partner(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
/* GET /authenticates/api-code */
enum pm_err sb_auth_token(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
/* The partner of the access token in X-API-Key, into dst; false if none. */
bool sb_auth_check(struct sb_ctx *ctx, struct sb_req *req, char *dst, size_t cap);

/* ---- list.c: Eve-style lists and single reads --------------------------- */

/* Render a stored document for output (adds _id, _created, _updated,
 * _etag; drops "__"); cases get their amounts as of the sandbox clock. */
json_t *sb_list_render(struct sb_ctx *ctx, const struct sb_doc *d);
/* GET /{resource} of `kind` with page, max_results, where, sort, projection. */
enum pm_err sb_list_get(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp,
                        const char *kind);
/* GET /{resource}/{id} of `kind`. */
enum pm_err sb_list_get_one(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp,
                            const char *kind);
/* The 201 answer of a POST: _id, _etag, _created, _updated, _status. */
json_t *sb_list_created(const struct sb_doc *d);

/* ---- onboard.c: accounts and creditors ---------------------------------- */

enum pm_err sb_onboard_account_post(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_onboard_creditor_post(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_onboard_creditor_patch(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);

/* ---- cases.c: registrations, the case lifecycle, case actions ---------- */

enum pm_err sb_cases_register(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
/* Add the computed amounts to a rendered case (out) from its stored doc. */
void sb_cases_render(struct sb_ctx *ctx, const struct sb_doc *d, json_t *out);
/* Run the process of every open case up to the sandbox date; *changed
 * (optional) counts the cases that changed. */
enum pm_err sb_cases_run(struct sb_ctx *ctx, int *changed);
/* Run it only when the sandbox date moved since the last run. */
enum pm_err sb_cases_catch_up(struct sb_ctx *ctx);
enum pm_err sb_cases_creditor_payment(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_cases_crediting(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_cases_cancellation(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_cases_debtor_pay(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_cases_debtor_dispute(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_cases_debtor_plan(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
/* Record an uploaded document's URL on a case. */
enum pm_err sb_cases_attach(struct sb_ctx *ctx, struct sb_doc *c, const char *dotted_path,
                            const char *url);

/* ---- payouts.c --------------------------------------------------------- */

enum pm_err sb_payouts_create(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);

/* ---- media.c ----------------------------------------------------------- */

enum pm_err sb_media_upload(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_media_get(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);

/* ---- control.c: the /_sandbox/ endpoints -------------------------------- */

enum pm_err sb_control_agreement(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_control_clock_get(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_control_clock_set(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_control_faults_add(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_control_faults_get(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_control_faults_clear(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_control_counters(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
enum pm_err sb_control_reset(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp);
/* The sandbox's "today" (UTC date of the sandbox clock). */
int32_t sb_control_today(const struct sb_ctx *ctx);

#endif
