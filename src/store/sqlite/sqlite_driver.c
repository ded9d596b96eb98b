/*
 * sqlite_driver.c — the SQLite driver (store_driver.h): statements,
 * columns, transactions and the data version on one sqlite3 connection.
 *
 * Placeholders arrive as $1..$n and are rewritten to SQLite's ?1..?n when
 * a statement is prepared (once per handle).  Writers take the write lock
 * up front (BEGIN IMMEDIATE): SQLite has one writer at a time, so a store
 * transaction never fails on a concurrent writer — it waits (busy timeout)
 * and at worst reports PM_ERR_BUSY.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_store.h"
#include "store/sql.h"

struct store_stmt {
    sqlite3_stmt *stmt;
    sqlite3 *db;
    int64_t changes;
};

static struct sqlite_store *engine(struct store *st)
{
    return (struct sqlite_store *)st;
}

/* ---- errors ---- */

/* The column named in "UNIQUE constraint failed: t.a, t.b" (the last one). */
static void constraint_field(const char *msg, char *field, size_t cap)
{
    const char *dot = strrchr(msg, '.');
    const char *colon = strstr(msg, "constraint failed: ");

    field[0] = '\0';
    if (colon && dot && dot > colon)
        snprintf(field, cap, "%s", dot + 1);
}

static enum pm_err fail(struct sqlite_store *s, int rc, const char *what)
{
    const char *msg = sqlite3_errmsg(s->db);
    enum pm_err err;
    char field[64] = "";

    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
            err = PM_ERR_CONFLICT;
            constraint_field(msg, field, sizeof(field));
        } else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
            err = PM_ERR_NOT_FOUND;
        } else {
            err = PM_ERR_INVALID;
        }
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        err = PM_ERR_BUSY;
        break;
    case SQLITE_NOMEM:
        err = PM_ERR_NOMEM;
        break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
        err = PM_ERR_IO;
        break;
    default:
        err = PM_ERR_DB;
        break;
    }
    return pm_error_set(&s->base.error, err, field, "%s: %s", what, msg);
}

/* sql with every $N outside quotes written ?N; the caller frees it. */
static char *placeholders(const char *sql)
{
    size_t len = strlen(sql), i;
    char *out = malloc(len + 1);
    char quote = 0;

    if (!out)
        return NULL;
    for (i = 0; i <= len; i++) {
        char c = sql[i];

        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            c = '?';
        }
        out[i] = c;
    }
    return out;
}

static enum pm_err drv_prepare(struct store *st, const char *sql, struct store_stmt **out)
{
    struct sqlite_store *s = engine(st);
    struct store_stmt *q;
    char *text;
    int rc;

    *out = NULL;
    q = calloc(1, sizeof(*q));
    text = placeholders(sql);
    if (!q || !text) {
        free(q);
        free(text);
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "preparing a statement");
    }
    rc = sqlite3_prepare_v3(s->db, text, -1, SQLITE_PREPARE_PERSISTENT, &q->stmt, NULL);
    free(text);
    if (rc != SQLITE_OK) {
        free(q);
        return fail(s, rc, "preparing a statement");
    }
    q->db = s->db;
    *out = q;
    return PM_OK;
}

static void drv_finalize(struct store_stmt *q)
{
    if (!q)
        return;
    sqlite3_finalize(q->stmt);
    free(q);
}

static void drv_bind_int(struct store_stmt *q, int i, int64_t v)
{
    sqlite3_bind_int64(q->stmt, i, (sqlite3_int64)v);
}

static void drv_bind_text(struct store_stmt *q, int i, const char *v, size_t len)
{
    sqlite3_bind_text(q->stmt, i, v, (int)len, SQLITE_TRANSIENT);
}

static void drv_bind_blob(struct store_stmt *q, int i, const void *v, size_t len)
{
    sqlite3_bind_blob(q->stmt, i, v, (int)len, SQLITE_TRANSIENT);
}

static void drv_bind_null(struct store_stmt *q, int i)
{
    sqlite3_bind_null(q->stmt, i);
}

/* What a failed statement was doing, for the error message: its first
 * words. */
static void statement_words(sqlite3_stmt *stmt, char *dst, size_t cap)
{
    const char *sql = sqlite3_sql(stmt);

    snprintf(dst, cap, "%.48s", sql ? sql : "a statement");
}

static enum pm_err drv_step(struct store *st, struct store_stmt *q, bool *row)
{
    char what[64];
    int rc = sqlite3_step(q->stmt);

    *row = false;
    if (rc == SQLITE_ROW) {
        *row = true;
        return PM_OK;
    }
    if (rc == SQLITE_DONE) {
        q->changes = sqlite3_changes64(q->db);
        return PM_OK;
    }
    statement_words(q->stmt, what, sizeof(what));
    return fail(engine(st), rc, what);
}

static int64_t drv_column_int(struct store_stmt *q, int col)
{
    return sqlite3_column_int64(q->stmt, col);
}

static bool drv_column_null(struct store_stmt *q, int col)
{
    return sqlite3_column_type(q->stmt, col) == SQLITE_NULL;
}

static const char *drv_column_text(struct store_stmt *q, int col, size_t *len)
{
    const unsigned char *t = sqlite3_column_text(q->stmt, col);

    *len = t ? (size_t)sqlite3_column_bytes(q->stmt, col) : 0;
    return t ? (const char *)t : "";
}

static enum pm_err drv_column_blob(struct store *st, struct store_stmt *q, int col,
                                   const void **data, size_t *len)
{
    (void)st;
    *data = sqlite3_column_blob(q->stmt, col);
    *len = *data ? (size_t)sqlite3_column_bytes(q->stmt, col) : 0;
    return PM_OK;
}

static int64_t drv_changes(struct store_stmt *q)
{
    return q->changes;
}

static void drv_reset(struct store_stmt *q)
{
    sqlite3_reset(q->stmt);
    sqlite3_clear_bindings(q->stmt);
}

static enum pm_err drv_exec(struct store *st, const char *sql, const char *what)
{
    char *msg = NULL;
    enum pm_err err = PM_OK;
    int rc = sqlite3_exec(engine(st)->db, sql, NULL, NULL, &msg);

    if (rc != SQLITE_OK)
        err = pm_error_set(&st->error, (rc & 0xff) == SQLITE_BUSY ? PM_ERR_BUSY : PM_ERR_DB, "",
                           "%s: %s", what, msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return err;
}

/* ---- transactions ---- */

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

static bool drv_in_transaction(struct store *st)
{
    return sqlite3_get_autocommit(engine(st)->db) == 0;
}

static enum pm_err drv_begin(struct store *st, enum store_tx kind)
{
    (void)kind; /* one writer at a time: every transaction is serial */
    return sql_exec(st, SQL_BEGIN);
}

/* A failed COMMIT (a deferred constraint) rolls back, so that nothing is
 * left half done. */
static enum pm_err drv_commit(struct store *st)
{
    enum pm_err err = sql_exec(st, SQL_COMMIT);

    if (err && drv_in_transaction(st)) {
        struct pm_error saved = st->error;

        (void)sql_exec(st, SQL_ROLLBACK);
        st->error = saved;
    }
    return err;
}

static enum pm_err drv_rollback(struct store *st)
{
    if (!drv_in_transaction(st))
        return PM_OK;
    return sql_exec(st, SQL_ROLLBACK);
}

/* PRAGMA data_version changes when another connection (or process) commits;
 * total_changes counts this connection's own row changes.  Both only grow,
 * so their sum changes exactly when one of them does. */
static enum pm_err drv_data_version(struct store *st, uint64_t *out)
{
    static const char sql[] = "PRAGMA data_version";
    int64_t version = 0;
    enum pm_err err = sql_getf(st, "", "no data version", &sql_int_reader, &version, sql, "");

    *out = err ? 0 : (uint64_t)version + (uint64_t)sqlite3_total_changes64(engine(st)->db);
    return err;
}

/* ---- the handle ---- */

static void drv_close(struct store *st)
{
    sqlite3_close(engine(st)->db);
}

/* A connection setting, named by its own text in a failure. */
static enum pm_err pragma(struct store *st, const char *sql)
{
    return drv_exec(st, sql, sql);
}

/* A page cache of STORE_BULK_CACHE_MIB (negative cache_size: KiB) and a
 * checkpoint of the WAL every STORE_BULK_CACHE_MIB too (pages of indexes
 * changed by many transactions copied into the file once, not once a
 * transaction); or SQLite's defaults again (2 MiB, 1 000 pages), the WAL
 * checkpointed at once. */
static enum pm_err drv_bulk_writes(struct store *st, bool on)
{
    char sql[64];
    enum pm_err err;

    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", on ? STORE_BULK_CACHE_MIB * 1024 : 2000);
    err = drv_exec(st, sql, "setting the page cache");
    snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint = %d",
             on ? STORE_BULK_CACHE_MIB * 1024 / 4 : 1000);
    if (!err)
        err = drv_exec(st, sql, "setting the checkpoints");
    if (!err && !on)
        err = drv_exec(st, "PRAGMA wal_checkpoint(PASSIVE)", "checkpointing");
    return err;
}

static enum pm_err open_path(const char *path, struct store **out, struct pm_error *e)
{
    struct sqlite_store *s;
    enum pm_err err;
    int rc;

    *out = NULL;
    if (sqlite3_libversion_number() < 3037000)
        return pm_error_set(e, PM_ERR_DB, "dsn", "SQLite %s is too old (3.37 or newer needed)",
                            sqlite3_libversion());
    s = calloc(1, sizeof(*s));
    if (!s)
        return pm_error_set(e, PM_ERR_NOMEM, "", "allocating the store");
    store_init(&s->base, &sqlite_store_driver);
    rc = sqlite3_open_v2(path, &s->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        err = pm_error_set(e, rc == SQLITE_NOMEM ? PM_ERR_NOMEM : PM_ERR_IO, "dsn",
                           "opening %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "");
        goto out_close;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 5000);
    err = pragma(&s->base, "PRAGMA journal_mode = WAL");
    if (!err)
        err = pragma(&s->base, "PRAGMA foreign_keys = ON");
    if (!err)
        err = pragma(&s->base, "PRAGMA synchronous = NORMAL");
    /* Savepoints and statement journals in memory: every store call inside a
     * transaction takes a savepoint, and on disk each one cost a hundred
     * small writes per invoice of a bulk import. */
    if (!err)
        err = pragma(&s->base, "PRAGMA temp_store = MEMORY");
    return store_open_done(&s->base, err, out, e);

out_close:
    store_destroy(&s->base);
    return err;
}

static enum pm_err drv_open(const char *dsn, struct store **out, struct pm_error *e)
{
    const char *path = strncmp(dsn, "sqlite:", 7) == 0 ? dsn + 7 : dsn;

    *out = NULL;
    if (!*path)
        return pm_error_set(e, PM_ERR_INVALID, "dsn", "no SQLite file named in %s", dsn);
    return open_path(path, out, e);
}

static const char *const no_schemes[] = {NULL};

const struct store_driver sqlite_store_driver = {
    .name = "sqlite",
    .dialect = STORE_DIALECT_SQLITE,
    .caps = 0,
    .schemes = no_schemes,
    .open = drv_open,
    .migrations = &sqlite_migrations,
    .begin_for = NULL,
    .bulk_writes = drv_bulk_writes,
    STORE_DRIVER_STEPS,
};
