/*
 * store_webhooks.c — webhook endpoints and deliveries (see
 * store_webhooks.h), written once in SQL over the storage driver (sql.h).
 *
 * The lease is the mail outbox's (store_mail.c): the companies with due
 * deliveries are read across companies through the partial index
 * webhook_deliveries_due; each company's are then leased by a statement
 * of its own — FOR UPDATE SKIP LOCKED in a READ COMMITTED transaction on
 * PostgreSQL, one UPDATE ... RETURNING on SQLite.  The order per
 * (endpoint, invoice) is a NOT EXISTS of an older unfinished delivery of
 * the same pair (index webhook_deliveries_order), the same text on both
 * engines: a delivery being sent, waiting for a retry or not yet tried
 * holds back every later one of its invoice; one delivered or given up
 * does not.
 */
#include "store/store_webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/webhook.h"
#include "store/store_agency_sql.h"
#include "util/secret.h"

#define EP_COLS "company_id, id, url, event_types, secret, enabled, created_at"
#define DL_COLS                                                                                \
    "company_id, id, endpoint_id, invoice_id, event_id, event_type, payload, state, attempts," \
    " next_attempt_at, last_status, last_answer, delivered_at, created_at, updated_at"
#define DL_COLS_D                                                                            \
    "d.company_id, d.id, d.endpoint_id, d.invoice_id, d.event_id, d.event_type, d.payload,"  \
    " d.state, d.attempts, d.next_attempt_at, d.last_status, d.last_answer, d.delivered_at," \
    " d.created_at, d.updated_at"
#define UNFINISHED "('queued', 'sending', 'retry')"

static const struct sql_col ep_cols[] = SQL_COLS(struct webhook_endpoint, company_id, id, url,
                                                 event_types, secret, enabled, created_at);
static const struct sql_reader ep_reader = SQL_READER(struct webhook_endpoint, ep_cols, NULL);

static const struct sql_col dl_cols[] =
    SQL_COLS(struct webhook_delivery, company_id, id, endpoint_id, invoice_id, event_id, event_type,
             payload, state, attempts, next_attempt_at, last_status, last_answer, delivered_at,
             created_at, updated_at);
static const struct sql_reader dl_reader = SQL_READER(struct webhook_delivery, dl_cols, NULL);

static const struct sql_col list_cols[] =
    SQL_COLS(struct webhook_delivery, company_id, id, endpoint_id, invoice_id, event_id, event_type,
             payload, state, attempts, next_attempt_at, last_status, last_answer, delivered_at,
             created_at, updated_at, url);
static const struct sql_reader list_reader = SQL_READER(struct webhook_delivery, list_cols, NULL);

/* ---- endpoints ---- */

static enum pm_err endpoint_insert_run(struct store *st, void *ctx)
{
    static const char count[] = "SELECT count(*) FROM webhook_endpoints"
                                " WHERE company_id = $1 AND deleted_at = 0";
    static const char sql[] =
        "INSERT INTO webhook_endpoints (company_id, id, url, event_types, secret, enabled,"
        " created_at) VALUES ($1, $2, $3, $4, $5, 1, $6)";
    struct webhook_endpoint *ep = ctx;
    int64_t n = 0;
    enum pm_err err = sql_getf(st, "", "counting endpoints: no row", &sql_int_reader, &n, count,
                               "i", ep->company_id);

    if (!err && n >= STORE_WEBHOOK_ENDPOINTS)
        return pm_error_set(&st->error, PM_ERR_CONFLICT, "url",
                            "a company has at most %d webhook endpoints", STORE_WEBHOOK_ENDPOINTS);
    if (!err)
        err = sql_next_id(st, ep->company_id, "webhook_endpoints", 1, &ep->id);
    if (!err)
        err = sql_runf(st, sql, "iittti", ep->company_id, ep->id, SQL_ARR(ep->url),
                       SQL_ARR(ep->event_types), SQL_ARR(ep->secret), ep->created_at);
    ep->enabled = !err;
    return err;
}

enum pm_err store_webhook_endpoint_insert(struct store *st, struct webhook_endpoint *ep)
{
    return sql_atomic(st, endpoint_insert_run, ep);
}

enum pm_err store_webhook_endpoint_list(struct store *st, int64_t company_id,
                                        struct webhook_endpoint *out, size_t cap, size_t *n)
{
    static const char sql[] = "SELECT " EP_COLS " FROM webhook_endpoints"
                              " WHERE company_id = $1 AND deleted_at = 0 ORDER BY id LIMIT $2";

    return sql_listf(st, &ep_reader, out, cap, n, sql, "ii", company_id, (int64_t)cap);
}

enum pm_err store_webhook_endpoint_get(struct store *st, int64_t company_id, int64_t id,
                                       struct webhook_endpoint *out)
{
    static const char sql[] = "SELECT " EP_COLS " FROM webhook_endpoints"
                              " WHERE company_id = $1 AND id = $2";

    return sql_getf(st, "id", "no such webhook endpoint", &ep_reader, out, sql, "ii", company_id,
                    id);
}

struct remove_unit {
    int64_t company_id, id, now;
};

static enum pm_err remove_run(struct store *st, void *ctx)
{
    static const char ep[] = "UPDATE webhook_endpoints SET enabled = 0, deleted_at = $3"
                             " WHERE company_id = $1 AND id = $2 AND deleted_at = 0";
    static const char dl[] =
        "UPDATE webhook_deliveries SET state = 'failed', last_answer = 'endpoint removed',"
        " lease_owner = '', lease_until = 0, updated_at = $3"
        " WHERE company_id = $1 AND endpoint_id = $2 AND state IN " UNFINISHED;
    struct remove_unit *u = ctx;
    enum pm_err err =
        sql_changef(st, "id", "no such webhook endpoint", ep, "iii", u->company_id, u->id, u->now);

    if (!err)
        err = sql_runf(st, dl, "iii", u->company_id, u->id, u->now);
    return err;
}

enum pm_err store_webhook_endpoint_remove(struct store *st, int64_t company_id, int64_t id,
                                          int64_t now)
{
    struct remove_unit u = {company_id, id, now};

    return sql_atomic(st, remove_run, &u);
}

/* ---- events ---- */

struct emit_unit {
    int64_t company_id, invoice_id, at_s;
    const char *type, *data;
    struct webhook_endpoint *eps;
    struct webhook_delivery *d;
    int queued;
};

/* {"id": ..., "type": ..., "created_at": ..., "invoice_id": ..., "data": ...}:
 * every part is hex, a known type name, a number or JSON already. */
static enum pm_err payload_of(struct emit_unit *u, struct webhook_delivery *d)
{
    int len = snprintf(d->payload, sizeof(d->payload),
                       "{\"id\":\"%s\",\"type\":\"%s\",\"created_at\":%lld,\"company_id\":%lld,"
                       "\"invoice_id\":%lld,\"data\":%s}",
                       d->event_id, u->type, (long long)u->at_s, (long long)u->company_id,
                       (long long)u->invoice_id, u->data && u->data[0] ? u->data : "{}");

    return len > 0 && (size_t)len < sizeof(d->payload) ? PM_OK : PM_ERR_RANGE;
}

static enum pm_err emit_run(struct store *st, void *ctx)
{
    static const char sql[] =
        "INSERT INTO webhook_deliveries (company_id, id, endpoint_id, invoice_id, event_id,"
        " event_type, payload, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)";
    struct emit_unit *u = ctx;
    struct webhook_delivery *d = u->d;
    char token[SECRET_TOKEN_HEX];
    size_t n = 0, i;
    enum pm_err err;

    u->queued = 0;
    err = store_webhook_endpoint_list(st, u->company_id, u->eps, STORE_WEBHOOK_ENDPOINTS, &n);
    secret_random_token(token);
    snprintf(d->event_id, sizeof(d->event_id), "evt_%.32s", token);
    if (!err && n > 0)
        err = payload_of(u, d);
    for (i = 0; !err && i < n; i++) {
        if (!u->eps[i].enabled || !webhook_types_include(u->eps[i].event_types, u->type))
            continue;
        err = sql_next_id(st, u->company_id, "webhook_deliveries", 1, &d->id);
        if (!err)
            err =
                sql_runf(st, sql, "iiiittti", u->company_id, d->id, u->eps[i].id, u->invoice_id,
                         SQL_ARR(d->event_id), SQL_CAP(u->type, 32), SQL_ARR(d->payload), u->at_s);
        u->queued += !err;
    }
    return err;
}

enum pm_err store_webhook_emit(struct store *st, int64_t company_id, int64_t invoice_id,
                               const char *type, const char *data, int64_t at_s, int *queued)
{
    struct emit_unit u = {company_id, invoice_id, at_s, type, data, NULL, NULL, 0};
    enum pm_err err;

    u.eps = calloc(STORE_WEBHOOK_ENDPOINTS, sizeof(*u.eps));
    u.d = calloc(1, sizeof(*u.d));
    if (!u.eps || !u.d)
        err = pm_error_set(&st->error, PM_ERR_NOMEM, "", "queueing webhooks: out of memory");
    else if (sql_in_transaction(st))
        err = emit_run(st, &u); /* the caller's unit rolls back on failure */
    else
        err = sql_atomic(st, emit_run, &u);
    if (queued)
        *queued = err ? 0 : u.queued;
    free(u.eps);
    free(u.d);
    return err;
}

enum pm_err store_webhook_delivery_list(struct store *st, int64_t company_id, int64_t before_id,
                                        struct webhook_delivery *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT " DL_COLS_D ", e.url FROM webhook_deliveries AS d"
        " JOIN webhook_endpoints AS e ON e.company_id = d.company_id AND e.id = d.endpoint_id"
        " WHERE d.company_id = $1 AND d.id < $2 ORDER BY d.id DESC LIMIT $3";

    if (before_id <= 0)
        before_id = INT64_MAX;
    return sql_listf(st, &list_reader, out, cap, n, sql, "iii", company_id, before_id,
                     (int64_t)cap);
}

struct resend_unit {
    int64_t company_id, id, now;
};

static enum pm_err resend_run(struct store *st, void *ctx)
{
    static const char look[] =
        "SELECT d.state, e.deleted_at FROM webhook_deliveries AS d"
        " JOIN webhook_endpoints AS e ON e.company_id = d.company_id AND e.id = d.endpoint_id"
        " WHERE d.company_id = $1 AND d.id = $2";
    static const char sql[] =
        "UPDATE webhook_deliveries SET state = 'queued', attempts = 0, next_attempt_at = 0,"
        " lease_owner = '', lease_until = 0, delivered_at = 0, updated_at = $3"
        " WHERE company_id = $1 AND id = $2 AND state IN ('delivered', 'failed', 'retry',"
        " 'queued')";
    struct resend_unit *u = ctx;
    struct store_stmt *q = NULL;
    char state[12] = "";
    int64_t deleted = 0;
    enum pm_err err = sql_query(st, &q, look, "ii", u->company_id, u->id);

    if (!err)
        err = sql_row(st, q, "id", "no such webhook delivery");
    if (!err) {
        snprintf(state, sizeof(state), "%s", sql_text_ref(st, q, 0, NULL));
        deleted = sql_int(st, q, 1);
    }
    sql_done(st, q);
    if (err)
        return err;
    if (!strcmp(state, "sending"))
        return pm_error_set(&st->error, PM_ERR_CONFLICT, "state",
                            "the delivery is being sent right now");
    if (deleted)
        return pm_error_set(&st->error, PM_ERR_CONFLICT, "state",
                            "the delivery's endpoint was removed");
    return sql_changef(st, "id", "no such webhook delivery", sql, "iii", u->company_id, u->id,
                       u->now);
}

enum pm_err store_webhook_resend(struct store *st, int64_t company_id, int64_t id, int64_t now)
{
    struct resend_unit u = {company_id, id, now};

    return sql_atomic(st, resend_run, &u);
}

/* ---- delivery ---- */

/* The companies with deliveries due now, the longest waiting first, at
 * most $2: the one read that spans companies. */
static const char DUE_COMPANIES[] =
    "SELECT company_id FROM webhook_deliveries"
    " WHERE state IN " UNFINISHED " AND next_attempt_at <= $1 AND lease_until <= $1"
    " GROUP BY company_id ORDER BY min(next_attempt_at), company_id LIMIT $2";

/* Due, and the oldest unfinished of its endpoint and invoice. */
#define DUE_ONE(d)                                                                                \
    d ".company_id = $5 AND " d ".state IN " UNFINISHED " AND " d ".next_attempt_at <= $3 AND " d \
      ".lease_until <= $3"                                                                        \
      " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries AS p"                                    \
      "   WHERE p.company_id = " d ".company_id AND p.endpoint_id = " d ".endpoint_id"            \
      "     AND p.invoice_id = " d ".invoice_id AND p.id < " d ".id"                              \
      "     AND p.state IN " UNFINISHED ")"

/* $1 owner, $2 lease_until, $3 now, $4 how many, $5 the company. */
static const struct sql_variant LEASE = {{
    [STORE_DIALECT_SQLITE] =
        "UPDATE webhook_deliveries SET state = 'sending', lease_owner = $1, lease_until = $2,"
        " attempts = attempts + 1, updated_at = $3"
        " WHERE rowid IN (SELECT q.rowid FROM webhook_deliveries AS q WHERE " DUE_ONE(
            "q") "   ORDER BY q.next_attempt_at, q.id LIMIT $4)"
                 " RETURNING " DL_COLS,
    [STORE_DIALECT_PG] =
        "WITH due AS ("
        "  SELECT q.company_id, q.id FROM webhook_deliveries AS q WHERE " DUE_ONE(
            "q") "  ORDER BY q.next_attempt_at, q.id LIMIT $4"
                 "  FOR UPDATE SKIP LOCKED),"
                 " leased AS ("
                 "  UPDATE webhook_deliveries AS d SET state = 'sending', lease_owner = $1,"
                 "    lease_until = $2, attempts = d.attempts + 1, updated_at = $3"
                 "  FROM due WHERE d.company_id = $5 AND d.company_id = due.company_id AND d.id = "
                 "due.id"
                 "  RETURNING " DL_COLS_D ")"
                 " SELECT " DL_COLS " FROM leased ORDER BY next_attempt_at, id",
}};

static const struct store_lease_pass webhook_pass = {DUE_COMPANIES, &LEASE};
static const struct store_lease webhook_lease = {&webhook_pass, 1, &dl_reader,
                                                 STORE_WEBHOOK_OWNER_MAX};

enum pm_err store_webhook_lease(struct store *st, const char *owner, int64_t now,
                                int64_t lease_until, struct webhook_delivery *out, size_t cap,
                                size_t *n)
{
    return store_lease_by_company(st, &webhook_lease, owner, now, lease_until, out, sizeof(*out),
                                  cap, n);
}

enum pm_err store_webhook_finish(struct store *st, int64_t company_id, int64_t id,
                                 const char *owner, const char *state, int64_t next_attempt_at,
                                 int64_t status, const char *answer, int64_t now)
{
    static const char sql[] =
        "UPDATE webhook_deliveries SET state = $4, next_attempt_at = $5, last_status = $6,"
        " last_answer = $7, lease_owner = '', lease_until = 0, updated_at = $8,"
        " delivered_at = CASE WHEN $4 = 'delivered' THEN CAST($8 AS BIGINT) ELSE 0 END"
        " WHERE company_id = $1 AND id = $2 AND lease_owner = $3 AND state = 'sending'";

    if (strcmp(state, "retry") && strcmp(state, "failed") && strcmp(state, "delivered"))
        return pm_error_set(&st->error, PM_ERR_INVALID, "state", "no such state of a delivery");
    return store_agency_writef(st, "lease", "finishing a webhook delivery: no such lease", sql,
                               "iittiiti", company_id, id, SQL_CAP(owner, STORE_WEBHOOK_OWNER_MAX),
                               SQL_CAP(state, 12), next_attempt_at, status,
                               SQL_CAP(answer, STORE_WEBHOOK_ANSWER_MAX), now);
}

enum pm_err store_webhook_release(struct store *st, int64_t company_id, int64_t id,
                                  const char *owner)
{
    static const char sql[] =
        "UPDATE webhook_deliveries SET state = CASE WHEN attempts <= 1 THEN 'queued' ELSE"
        " 'retry' END, attempts = attempts - 1, lease_owner = '', lease_until = 0,"
        " next_attempt_at = 0"
        " WHERE company_id = $1 AND id = $2 AND lease_owner = $3 AND state = 'sending'";

    return store_agency_writef(st, "lease", "releasing a webhook delivery: no such lease", sql,
                               "iit", company_id, id, SQL_CAP(owner, STORE_WEBHOOK_OWNER_MAX));
}

enum pm_err store_webhook_pending(struct store *st, int64_t *out)
{
    static const char sql[] = "SELECT count(*) FROM webhook_deliveries"
                              " WHERE state IN " UNFINISHED;

    return sql_getf(st, "", "counting webhook deliveries: no row", &sql_int_reader, out, sql, "");
}
