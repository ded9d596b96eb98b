/*
 * sqlite_store.c — the SQLite engine: its handle, ops table, statement
 * cache, transactions and id series for the agency and books sub-tables
 * (the operations written once over the driver: src/store/store_*.c).
 *
 * A handle is one sqlite3 connection in WAL mode with foreign keys on,
 * synchronous=NORMAL and a 5 s busy timeout; it is used by one thread at a
 * time (store.h).  Static SQL is prepared on first use and cached on the
 * handle by the address of its text.  Writers take the write lock up front
 * (BEGIN IMMEDIATE), so allocating ids from the sequences table is race-free
 * across processes: SQLite has one writer at a time.
 *
 * created_at columns are set from time(NULL) here when the caller leaves
 * them 0 (the product's clock lives in the context; nothing in the store's
 * behaviour depends on these stamps).
 */
#include "store/sqlite/sqlite_store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BIND_ARR(st, name, arr) sqlite_store_bind_text(st, name, arr, sizeof(arr))
#define COL_ARR(st, col, arr)   sqlite_store_column_text(st, col, arr, sizeof(arr))

static struct sqlite_store *engine(struct store *st)
{
    return (struct sqlite_store *)st;
}

int64_t sqlite_store_now(void)
{
    return (int64_t)time(NULL);
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

enum pm_err sqlite_store_fail(struct sqlite_store *s, int rc, const char *what)
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

/* ---- statements ---- */

enum pm_err sqlite_store_stmt(struct sqlite_store *s, const char *sql, sqlite3_stmt **out)
{
    struct sqlite_store_stmt *grown;
    sqlite3_stmt *st = NULL;
    size_t i, cap;
    int rc;

    for (i = 0; i < s->n_stmts; i++) {
        if (s->stmts[i].sql == sql) {
            *out = s->stmts[i].stmt;
            return PM_OK;
        }
    }
    if (s->n_stmts == s->cap_stmts) {
        cap = s->cap_stmts ? s->cap_stmts * 2 : 64;
        grown = realloc(s->stmts, cap * sizeof(*grown));
        if (!grown)
            return pm_error_set(&s->base.error, PM_ERR_NOMEM, "", "statement cache");
        s->stmts = grown;
        s->cap_stmts = cap;
    }
    rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
        return sqlite_store_fail(s, rc, "preparing a statement");
    s->stmts[s->n_stmts].sql = sql;
    s->stmts[s->n_stmts].stmt = st;
    s->n_stmts++;
    *out = st;
    return PM_OK;
}

void sqlite_store_done(sqlite3_stmt *stmt)
{
    if (!stmt)
        return;
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
}

int sqlite_store_bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(st, name);

    return i ? sqlite3_bind_int64(st, i, (sqlite3_int64)v) : SQLITE_OK;
}

int sqlite_store_bind_text(sqlite3_stmt *st, const char *name, const char *v, size_t cap)
{
    int i = sqlite3_bind_parameter_index(st, name);

    if (!i)
        return SQLITE_OK;
    return sqlite3_bind_text(st, i, v ? v : "", v ? (int)strnlen(v, cap) : 0, SQLITE_TRANSIENT);
}

void sqlite_store_column_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* Run a cached statement that returns no rows. */
static enum pm_err exec_cached(struct sqlite_store *s, const char *sql, const char *what)
{
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = sqlite_store_fail(s, rc, what);
    sqlite_store_done(st);
    return err;
}

/* Run sql for its effect only, keeping the handle's error as it was: used
 * to undo after a failure that is already recorded. */
static void exec_quiet(struct sqlite_store *s, const char *sql)
{
    struct pm_error saved = s->base.error;

    (void)exec_cached(s, sql, "undo");
    s->base.error = saved;
}

/* ---- transactions ---- */

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_SAVEPOINT[] = "SAVEPOINT store_call";
static const char SQL_RELEASE[] = "RELEASE store_call";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO store_call";

static bool in_transaction(struct sqlite_store *s)
{
    return sqlite3_get_autocommit(s->db) == 0;
}

enum pm_err sqlite_store_tx_begin(struct sqlite_store *s, bool *own)
{
    *own = !in_transaction(s);
    return exec_cached(s, *own ? SQL_BEGIN : SQL_SAVEPOINT, "starting a transaction");
}

enum pm_err sqlite_store_tx_end(struct sqlite_store *s, bool own, enum pm_err rc)
{
    if (rc == PM_OK) {
        rc = exec_cached(s, own ? SQL_COMMIT : SQL_RELEASE, "committing");
        if (rc == PM_OK)
            return PM_OK;
    }
    /* Errors are ignored here: SQLite may have rolled back already. */
    if (own) {
        if (in_transaction(s))
            exec_quiet(s, SQL_ROLLBACK);
    } else if (in_transaction(s)) {
        exec_quiet(s, SQL_ROLLBACK_TO);
        exec_quiet(s, SQL_RELEASE);
    }
    return rc;
}

enum pm_err sqlite_store_reserve_ids(struct sqlite_store *s, int64_t company_id, const char *name,
                                     int64_t first, int64_t n, int64_t *out)
{
    static const char sql[] =
        "INSERT INTO sequences (company_id, name, next_value) VALUES (:cid, :name, :first + :n)"
        " ON CONFLICT (company_id, name) DO UPDATE SET next_value = next_value + :n"
        " RETURNING next_value - :n";
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_text(st, ":name", name, 64);
    sqlite_store_bind_int(st, ":first", first);
    sqlite_store_bind_int(st, ":n", n);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "allocating ids");
    sqlite_store_done(st);
    return err;
}

enum pm_err sqlite_store_next_id(struct sqlite_store *s, int64_t company_id, const char *name,
                                 int64_t first, int64_t *out)
{
    return sqlite_store_reserve_ids(s, company_id, name, first, 1, out);
}

/* ---- the handle ---- */

enum pm_err sqlite_store_migrate(struct store *stp, int *applied)
{
    return sqlite_migrations_apply(engine(stp)->db, applied, &engine(stp)->base.error);
}

void sqlite_store_close(struct store *stp)
{
    struct sqlite_store *s = engine(stp);
    size_t i;

    store_release(&s->base);
    for (i = 0; i < s->n_stmts; i++)
        sqlite3_finalize(s->stmts[i].stmt);
    free(s->stmts);
    sqlite3_close(s->db);
    free(s);
}


static enum pm_err pragma(sqlite3 *db, const char *sql, struct pm_error *e)
{
    char *msg = NULL;
    enum pm_err err = PM_OK;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

    if (rc != SQLITE_OK)
        err = pm_error_set(e, (rc & 0xff) == SQLITE_BUSY ? PM_ERR_BUSY : PM_ERR_DB, "", "%s: %s",
                           sql, msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return err;
}

enum pm_err sqlite_store_open(const char *path, struct store **out, struct pm_error *e)
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
    err = pragma(s->db, "PRAGMA journal_mode = WAL", e);
    if (!err)
        err = pragma(s->db, "PRAGMA foreign_keys = ON", e);
    if (!err)
        err = pragma(s->db, "PRAGMA synchronous = NORMAL", e);
    if (!err)
        err = sqlite_migrations_apply(s->db, NULL, e);
    if (err)
        goto out_close;
    *out = &s->base;
    return PM_OK;

out_close:
    sqlite_store_close(&s->base);
    return err;
}

enum pm_err sqlite_store_open_dsn(const char *dsn, struct store **out, struct pm_error *e)
{
    const char *path = strncmp(dsn, "sqlite:", 7) == 0 ? dsn + 7 : dsn;

    *out = NULL;
    if (!*path)
        return pm_error_set(e, PM_ERR_INVALID, "dsn", "no SQLite file named in %s", dsn);
    return sqlite_store_open(path, out, e);
}
