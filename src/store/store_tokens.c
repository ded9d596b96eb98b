/*
 * store_tokens.c — pruning the session and idempotency tables (see
 * store_tokens.h), written once in SQL over the storage driver (sql.h).
 * Both deletes run on an index (sessions by expiry, answers by age).
 */
#include "store/store_tokens.h"

#include "store/sql.h"

/* Run a delete with one integer parameter; *deleted = rows gone. */
static enum pm_err delete_before(struct store *st, const char *sql, int64_t t, int64_t *deleted)
{
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare_keys(st, sql, &q, SQL_KEYS(t));

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
