/*
 * store_sessions.c — login sessions, per-company API tokens and the
 * answers kept for Idempotency-Key repeats, written once in SQL over the
 * storage driver (sql.h).  Only hashes of session cookies and tokens are
 * stored.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"
#include "store/store.h"

/* ---- sessions ---- */

enum pm_err store_session_insert(struct store *st, const struct session *s)
{
    static const char sql[] =
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)"
        " VALUES ($1, $2, $3, $4, $5)";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    sql_bind_arr(st, q, 1, s->token_hash);
    sql_bind_int(st, q, 2, s->user_id);
    sql_bind_arr(st, q, 3, s->csrf_token);
    sql_bind_int(st, q, 4, s->created_at ? s->created_at : sql_now());
    sql_bind_int(st, q, 5, s->expires_at);
    err = sql_run(st, q);
    sql_done(st, q);
    return err;
}

/* Expired sessions are returned too: the caller compares expires_at with
 * its own clock. */
enum pm_err store_session_get(struct store *st, const char *token_hash, struct session *out)
{
    static const char sql[] = "SELECT token_hash, user_id, csrf_token, created_at, expires_at"
                              " FROM sessions WHERE token_hash = $1";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    sql_bind_text(st, q, 1, token_hash, sizeof(out->token_hash));
    err = sql_row(st, q, "session", "no such session");
    if (!err) {
        memset(out, 0, sizeof(*out));
        sql_col_arr(st, q, 0, out->token_hash);
        out->user_id = sql_int(st, q, 1);
        sql_col_arr(st, q, 2, out->csrf_token);
        out->created_at = sql_int(st, q, 3);
        out->expires_at = sql_int(st, q, 4);
    }
    sql_done(st, q);
    return err;
}

/* PM_ERR_NOT_FOUND when there was no such session. */
enum pm_err store_session_delete(struct store *st, const char *token_hash)
{
    static const char sql[] = "DELETE FROM sessions WHERE token_hash = $1";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    sql_bind_text(st, q, 1, token_hash, 65);
    err = sql_change(st, q, "session", "deleting a session: no such row");
    sql_done(st, q);
    return err;
}

/* ---- API tokens ---- */

static enum pm_err token_insert(struct store *st, void *ctx)
{
    static const char sql[] =
        "INSERT INTO api_tokens (company_id, id, name, token_hash, created_by, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)";
    struct api_token *t = ctx;
    struct store_stmt *q = NULL;
    enum pm_err err = sql_next_id(st, t->company_id, "api_tokens", 1, &t->id);

    if (!err)
        err = sql_prepare_keys(st, sql, &q, SQL_KEYS(t->company_id, t->id));
    if (err)
        return err;
    sql_bind_arr(st, q, 3, t->name);
    sql_bind_arr(st, q, 4, t->token_hash);
    sql_bind_int(st, q, 5, t->created_by);
    sql_bind_int(st, q, 6, t->created_at);
    err = sql_run(st, q);
    sql_done(st, q);
    return err;
}

enum pm_err store_api_token_insert(struct store *st, struct api_token *t)
{
    struct api_token row = *t;
    enum pm_err err;

    if (!row.created_at)
        row.created_at = sql_now();
    err = sql_atomic(st, token_insert, &row);
    if (!err)
        *t = row;
    return err;
}

enum pm_err store_api_token_get(struct store *st, const char *token_hash, struct api_token *out)
{
    static const char sql[] = "SELECT company_id, id, name, token_hash, created_by, created_at"
                              " FROM api_tokens WHERE token_hash = $1";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    sql_bind_text(st, q, 1, token_hash, sizeof(out->token_hash));
    err = sql_row(st, q, "token", "no such API token");
    if (!err) {
        memset(out, 0, sizeof(*out));
        out->company_id = sql_int(st, q, 0);
        out->id = sql_int(st, q, 1);
        sql_col_arr(st, q, 2, out->name);
        sql_col_arr(st, q, 3, out->token_hash);
        out->created_by = sql_int(st, q, 4);
        out->created_at = sql_int(st, q, 5);
    }
    sql_done(st, q);
    return err;
}

/* ---- idempotency records ---- */

enum pm_err store_idempotency_get(struct store *st, int64_t company_id, const char *key,
                                  struct idempotency_record *out)
{
    static const char sql[] = "SELECT key, request_hash, status, body, created_at"
                              " FROM idempotency_keys WHERE company_id = $1 AND key = $2";
    struct store_stmt *q = NULL;
    const char *body;
    size_t len = 0;
    enum pm_err err = sql_prepare_keys(st, sql, &q, SQL_KEYS(company_id));

    if (err)
        return err;
    sql_bind_text(st, q, 2, key, sizeof(out->key));
    err = sql_row(st, q, "idempotency_key", "new key");
    if (!err) {
        memset(out, 0, sizeof(*out));
        out->company_id = company_id;
        sql_col_arr(st, q, 0, out->key);
        sql_col_arr(st, q, 1, out->request_hash);
        out->status = (int)sql_int(st, q, 2);
        body = sql_text_ref(st, q, 3, &len);
        out->body = strndup(body, len);
        out->created_at = sql_int(st, q, 4);
        if (!out->body)
            err = pm_error_set(&st->error, PM_ERR_NOMEM, "", "idempotency body");
    }
    sql_done(st, q);
    return err;
}

enum pm_err store_idempotency_put(struct store *st, const struct idempotency_record *r)
{
    static const char sql[] =
        "INSERT INTO idempotency_keys (company_id, key, request_hash, status, body, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare_keys(st, sql, &q, SQL_KEYS(r->company_id));

    if (err)
        return err;
    sql_bind_arr(st, q, 2, r->key);
    sql_bind_arr(st, q, 3, r->request_hash);
    sql_bind_int(st, q, 4, r->status);
    sql_bind_text(st, q, 5, r->body, r->body ? strlen(r->body) : 0);
    sql_bind_int(st, q, 6, r->created_at ? r->created_at : sql_now());
    err = sql_run(st, q);
    sql_done(st, q);
    if (err == PM_ERR_CONFLICT)
        snprintf(st->error.field, sizeof(st->error.field), "idempotency_key");
    return err;
}
