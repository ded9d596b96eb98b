/*
 * store_tokens.c — listing and revoking API tokens, pruning the session and
 * idempotency tables (see store_tokens.h), written once in SQL over the
 * storage driver (sql.h).  The prunes run on an index (sessions by expiry,
 * answers by age).
 */
#include "store/store_tokens.h"

#include "store/sql.h"

/* Run a delete with one integer parameter; *deleted = rows gone. */
static enum pm_err delete_before(struct store *st, const char *sql, int64_t t, int64_t *deleted)
{
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "i", t);

    if (err)
        return err;
    err = sql_run(st, q);
    if (!err && deleted)
        *deleted = sql_changes(st, q);
    sql_done(st, q);
    return err;
}

enum pm_err store_sessions_prune(struct store *st, int64_t now, int64_t *deleted)
{
    static const char sql[] = "DELETE FROM sessions WHERE expires_at <= $1";

    return delete_before(st, sql, now, deleted);
}

enum pm_err store_idempotency_prune(struct store *st, int64_t before, int64_t *deleted)
{
    static const char sql[] = "DELETE FROM idempotency_keys WHERE created_at < $1";

    return delete_before(st, sql, before, deleted);
}

/* A token as listed: everything but its hash. */
static const struct sql_col listed_cols[] = SQL_COLS(
    struct api_token, company_id, id, name, created_by, created_at, expires_at, last_used_at);
static const struct sql_reader listed_reader = SQL_READER(struct api_token, listed_cols, NULL);

enum pm_err store_api_token_list(struct store *st, int64_t company_id, struct api_token *out,
                                 size_t cap, size_t *n)
{
    static const char sql[] = "SELECT company_id, id, name, created_by, created_at, expires_at,"
                              " last_used_at FROM api_tokens WHERE company_id = $1 ORDER BY id";

    return sql_listf(st, &listed_reader, out, cap, n, sql, "i", company_id);
}

enum pm_err store_api_token_delete(struct store *st, int64_t company_id, int64_t id)
{
    static const char sql[] = "DELETE FROM api_tokens WHERE company_id = $1 AND id = $2";

    return sql_changef(st, "id", "no such token", sql, "ii", company_id, id);
}

enum pm_err store_api_token_touch(struct store *st, int64_t company_id, int64_t id, int64_t now)
{
    static const char sql[] = "UPDATE api_tokens SET last_used_at = $3"
                              " WHERE company_id = $1 AND id = $2 AND last_used_at < $3";

    return sql_runf(st, sql, "iii", company_id, id, now);
}
