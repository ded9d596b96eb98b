/*
 * sqlite_store.h — the SQLite engine behind struct store_ops.
 *
 * The default engine: one database file, WAL journal, foreign keys on,
 * STRICT tables keyed (company_id, id).  store_open() (store/store.c) calls
 * sqlite_store_open(); everything else reaches the engine through the ops
 * table.  The engine is split in files that share the declarations below
 * and nothing else:
 *
 *   sqlite_store.c       open/close, transactions, statement cache, error
 *                        mapping, id series;
 *   sqlite_driver.c      the driver (store_driver.h), over which the
 *                        store's operations are written once (src/store);
 *   sqlite_agency.c, sqlite_books.c
 *                        the agency and books sub-tables;
 *   sqlite_migrations.c  the numbered schema migrations.
 *
 * Statements are prepared once per handle and cached; values are always
 * bound, never written into SQL text.  Writes that span several statements
 * run inside BEGIN IMMEDIATE (or a SAVEPOINT when the caller holds a
 * transaction), so a failed call leaves nothing behind.
 */
#ifndef PM_SQLITE_STORE_H
#define PM_SQLITE_STORE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "store/store.h"
#include "store/store_driver.h"

struct sqlite_store_stmt {
    const char *sql; /* the key: a static string, compared by address */
    sqlite3_stmt *stmt;
};

struct sqlite_store {
    struct store base; /* first, so a struct store * is a struct sqlite_store * */
    sqlite3 *db;
    /* Statements of static SQL, prepared on first use. */
    struct sqlite_store_stmt *stmts;
    size_t n_stmts, cap_stmts;
};

/* Open (creating if needed) the database file at path and bring its schema
 * up to date.  On success *out is a new handle the caller closes with
 * store_close(); on failure *out is NULL and e says why. */
enum pm_err sqlite_store_open(const char *path, struct store **out, struct pm_error *e);
/* The same for a DSN "sqlite:PATH" or a bare path (the driver's open). */
enum pm_err sqlite_store_open_dsn(const char *dsn, struct store **out, struct pm_error *e);
void sqlite_store_close(struct store *st);
enum pm_err sqlite_store_migrate(struct store *st, int *applied);

/* The driver (sqlite_driver.c). */
extern const struct store_driver sqlite_store_driver;

/* ---- shared by the engine's files ---- */

/* The cached, reset statement for static SQL text sql.  The caller resets it
 * (sqlite_store_done) after use; the handle owns it. */
enum pm_err sqlite_store_stmt(struct sqlite_store *s, const char *sql, sqlite3_stmt **out);
/* Reset and unbind a statement from the cache (NULL is a no-op). */
void sqlite_store_done(sqlite3_stmt *stmt);

/* Record a failed SQLite call (rc, with the connection's message) on the
 * handle and return the matching enum pm_err: a unique key is
 * PM_ERR_CONFLICT, another constraint PM_ERR_INVALID, a lock PM_ERR_BUSY. */
enum pm_err sqlite_store_fail(struct sqlite_store *s, int rc, const char *what);

/* Start an atomic unit for one store call: BEGIN IMMEDIATE when no
 * transaction is open, else a SAVEPOINT.  sqlite_store_tx_end() commits or
 * releases it when rc is PM_OK, rolls it back otherwise, and returns rc (or
 * the commit's failure). */
enum pm_err sqlite_store_tx_begin(struct sqlite_store *s, bool *own);
enum pm_err sqlite_store_tx_end(struct sqlite_store *s, bool own, enum pm_err rc);

/* Allocate the next value of the company's series `name` (starting at
 * `first`) inside the caller's transaction. */
/* Reserve n consecutive values of the company's series `name` (starting at
 * `first` for a new series); *out is the first of them. */
enum pm_err sqlite_store_reserve_ids(struct sqlite_store *s, int64_t company_id, const char *name,
                                     int64_t first, int64_t n, int64_t *out);
enum pm_err sqlite_store_next_id(struct sqlite_store *s, int64_t company_id, const char *name,
                                 int64_t first, int64_t *out);

/* Bind helpers by parameter name; a name the statement lacks is skipped. */
int sqlite_store_bind_int(sqlite3_stmt *st, const char *name, int64_t v);
/* Text v is bound up to its NUL or cap bytes, whichever comes first;
 * NULL binds "". */
int sqlite_store_bind_text(sqlite3_stmt *st, const char *name, const char *v, size_t cap);

/* Copy column col as text into dst[cap] (NULL reads as ""); truncation is
 * impossible for rows the store wrote, since lengths are checked on write. */
void sqlite_store_column_text(sqlite3_stmt *st, int col, char *dst, size_t cap);

/* Unix seconds now (the store's own clock for created_at columns). */
int64_t sqlite_store_now(void);


/* ---- sqlite_migrations.c ---- */

/* How many migrations the engine knows. */
int sqlite_migrations_count(void);
/* Apply, in one BEGIN IMMEDIATE transaction, every migration not yet
 * recorded in schema_migrations; *applied (may be NULL) = how many. */
enum pm_err sqlite_migrations_apply(sqlite3 *db, int *applied, struct pm_error *e);

#endif
