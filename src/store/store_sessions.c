/*
 * store_sessions.c — login sessions, per-company API tokens and the
 * answers kept for Idempotency-Key repeats, written once in SQL over the
 * storage driver (sql.h).  Only hashes of session cookies and tokens are
 * stored.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"
#include "store/store.h"

/* Hex SHA-256: the token hashes' length. */
#define HASH_HEX_LEN 64

/* Read the row of sql ($1 a hex SHA-256 hash) into out. */
static enum pm_err by_hash(struct store *st, const char *sql, const char *hash, const char *field,
                           const char *missing, const struct sql_reader *reader, void *out)
{
    return sql_getf(st, field, missing, reader, out, sql, "t", SQL_CAP(hash, HASH_HEX_LEN + 1));
}

/* ---- sessions ---- */

enum pm_err store_session_insert(struct store *st, const struct session *s)
{
    static const char sql[] =
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)"
        " VALUES ($1, $2, $3, $4, $5)";

    return sql_runf(st, sql, "titii", SQL_ARR(s->token_hash), s->user_id, SQL_ARR(s->csrf_token),
                    s->created_at ? s->created_at : sql_now(), s->expires_at);
}

static const struct sql_col session_cols[] =
    SQL_COLS(struct session, token_hash, user_id, csrf_token, created_at, expires_at);

static const struct sql_reader session_reader = SQL_READER(struct session, session_cols, NULL);

/* Expired sessions are returned too: the caller compares expires_at with
 * its own clock. */
enum pm_err store_session_get(struct store *st, const char *token_hash, struct session *out)
{
    static const char sql[] = "SELECT token_hash, user_id, csrf_token, created_at, expires_at"
                              " FROM sessions WHERE token_hash = $1";

    return by_hash(st, sql, token_hash, "session", "no such session", &session_reader, out);
}

/* PM_ERR_NOT_FOUND when there was no such session. */
enum pm_err store_session_delete(struct store *st, const char *token_hash)
{
    static const char sql[] = "DELETE FROM sessions WHERE token_hash = $1";

    return sql_changef(st, "session", "deleting a session: no such row", sql, "t",
                       SQL_CAP(token_hash, HASH_HEX_LEN + 1));
}

/* ---- API tokens ---- */

static enum pm_err token_insert(struct store *st, void *ctx)
{
    static const char sql[] =
        "INSERT INTO api_tokens (company_id, id, name, token_hash, created_by, created_at,"
        " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    struct api_token *t = ctx;
    enum pm_err err = sql_next_id(st, t->company_id, "api_tokens", 1, &t->id);

    if (!err)
        err = sql_runf(st, sql, "iittiii", t->company_id, t->id, SQL_ARR(t->name),
                       SQL_ARR(t->token_hash), t->created_by, t->created_at, t->expires_at);
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

static const struct sql_col token_cols[] =
    SQL_COLS(struct api_token, company_id, id, name, token_hash, created_by, created_at, expires_at,
             last_used_at);

static const struct sql_reader token_reader = SQL_READER(struct api_token, token_cols, NULL);

enum pm_err store_api_token_get(struct store *st, const char *token_hash, struct api_token *out)
{
    static const char sql[] = "SELECT company_id, id, name, token_hash, created_by, created_at,"
                              " expires_at, last_used_at FROM api_tokens WHERE token_hash = $1";

    return by_hash(st, sql, token_hash, "token", "no such API token", &token_reader, out);
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
    enum pm_err err = sql_query(st, &q, sql, "it", company_id, SQL_CAP(key, sizeof(out->key)));

    if (err)
        return err;
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
    enum pm_err err =
        sql_runf(st, sql, "ittdti", r->company_id, SQL_ARR(r->key), SQL_ARR(r->request_hash),
                 r->status, SQL_CAP(r->body, SIZE_MAX), r->created_at ? r->created_at : sql_now());

    if (err == PM_ERR_CONFLICT)
        snprintf(st->error.field, sizeof(st->error.field), "idempotency_key");
    return err;
}
