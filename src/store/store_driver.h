/*
 * store_driver.h — what a storage engine provides: small steps, nothing of
 * the product.
 *
 * The store's operations (customers, invoices, the outbox, the books ...)
 * are written once, in SQL, over this interface (store/sql.h).  An engine
 * is a driver — prepare, bind, step, read a column, transactions, a data
 * version — in the manner of SQLite's VFS, libgit2's ODB backends and
 * curl's TLS backends: the front decides and computes, the driver only
 * runs statements.  What really differs between engines is either a
 * capability flag (STORE_CAP_*) or a statement variant (sql.h's
 * SQL_VARIANT), never a second copy of an operation.
 *
 * Statement text uses PostgreSQL's numbered placeholders $1, $2 ...; a
 * driver whose database spells them otherwise rewrites the text when it
 * prepares it (SQLite: ?1, ?2 ...).  Text is prepared once per handle and
 * cached by the address of its text, so it must be static (or interned for
 * the life of the process).
 *
 * Drivers register by DSN scheme in store_drivers.c; store.c knows none of
 * them by name.
 */
#ifndef PM_STORE_DRIVER_H
#define PM_STORE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/err.h"

/* A prepared statement of a driver.  Owned by the handle's cache. */
struct store_stmt;

enum store_dialect { STORE_DIALECT_SQLITE, STORE_DIALECT_PG, STORE_DIALECT_COUNT };

/* What a transaction is for. */
enum store_tx {
    STORE_TX_WRITE,          /* reads and writes with the engine's strongest isolation */
    STORE_TX_READ_COMMITTED, /* work-queue claims with FOR UPDATE SKIP LOCKED */
};

#define STORE_CAP_SKIP_LOCKED (1u << 0) /* SELECT ... FOR UPDATE SKIP LOCKED */
#define STORE_CAP_ID_BLOCKS   (1u << 1) /* reserve ids in growing blocks per transaction */

struct store_driver {
    const char *name; /* "sqlite", "postgresql" */
    enum store_dialect dialect;
    unsigned caps; /* STORE_CAP_* */
    /* DSN prefixes this driver opens, NULL-terminated; the driver whose
     * list is empty takes whatever no other driver claims (a bare path). */
    const char *const *schemes;

    /* Open the database at dsn (the scheme still on it) and bring its
     * schema up to date.  The driver allocates its handle with a struct
     * store first and fills it with store_init(). */
    enum pm_err (*open)(const char *dsn, struct store **out, struct pm_error *e);
    /* Close the connection (store_destroy finalizes the statements first
     * and frees the handle after: the driver's handle struct begins with
     * its struct store, allocated with malloc). */
    void (*close)(struct store *st);
    /* The engine's schema migrations (run by store_migrate_run). */
    const struct store_migrations *migrations;

    /* ---- statements ---- */
    /* Prepare sql (placeholders $1..$n) as a new statement. */
    enum pm_err (*prepare)(struct store *st, const char *sql, struct store_stmt **out);
    void (*finalize)(struct store_stmt *stmt);
    /* Bind parameter i (1-based).  Text and bytes are copied. */
    void (*bind_int)(struct store_stmt *stmt, int i, int64_t v);
    void (*bind_text)(struct store_stmt *stmt, int i, const char *v, size_t len);
    void (*bind_blob)(struct store_stmt *stmt, int i, const void *v, size_t len);
    void (*bind_null)(struct store_stmt *stmt, int i);
    /* Run the statement (on the first step) and move to its next row:
     * *row is true when a row can be read, false when it is done.  A
     * failure is recorded on the handle's error: PM_ERR_CONFLICT for a
     * unique key (field: its last column), PM_ERR_NOT_FOUND for a foreign
     * key, PM_ERR_INVALID for another constraint, PM_ERR_BUSY for a
     * transient conflict (a retry of the whole transaction may succeed). */
    enum pm_err (*step)(struct store *st, struct store_stmt *stmt, bool *row);
    /* The current row's columns (0-based); NULL reads as 0 / "". */
    int64_t (*column_int)(struct store_stmt *stmt, int col);
    bool (*column_null)(struct store_stmt *stmt, int col);
    /* Valid until the next step or reset. */
    const char *(*column_text)(struct store_stmt *stmt, int col, size_t *len);
    enum pm_err (*column_blob)(struct store *st, struct store_stmt *stmt, int col,
                               const void **data, size_t *len);
    /* Rows changed by the statement's last run. */
    int64_t (*changes)(struct store_stmt *stmt);
    /* Forget the run and its bindings, ready for the next. */
    void (*reset)(struct store_stmt *stmt);
    /* Run sql — one or more statements, no parameters, not cached — for its
     * effect; a failure is recorded on the handle's error as "what: the
     * database's message". */
    enum pm_err (*exec)(struct store *st, const char *sql, const char *what);
    /* Optional (NULL: the SQL layer inserts with statements): run copy, a
     * "COPY table (columns) FROM STDIN" (not cached), with data[0..len) as
     * its rows in COPY's text format — the engine's bulk load, one round
     * trip for many rows.  Failures as step's. */
    enum pm_err (*copy_in)(struct store *st, const char *copy, const char *data, size_t len);
    /* Optional (NULL: nothing to do): the handle is about to write a great
     * many rows (on) or is done with it (off) — what the engine tunes for
     * it (SQLite: a page cache that holds the indexes being filled). */
    enum pm_err (*bulk_writes)(struct store *st, bool on);

    /* ---- transactions ---- */
    bool (*in_transaction)(struct store *st);
    enum pm_err (*begin)(struct store *st, enum store_tx kind);
    /* Begin a transaction that writes company_id's data, queued behind the
     * company's other writers (NULL: begin() is enough — one writer). */
    enum pm_err (*begin_for)(struct store *st, int64_t company_id);
    /* A commit that fails leaves no transaction open. */
    enum pm_err (*commit)(struct store *st);
    /* Optional (NULL: commit() does both): send the COMMIT and return
     * without waiting for the server's answer, which commit_wait() reads;
     * nothing else runs on the handle in between.  commit_send's own
     * failure is commit's. */
    enum pm_err (*commit_send)(struct store *st);
    enum pm_err (*commit_wait)(struct store *st);
    /* No-op when no transaction is open. */
    enum pm_err (*rollback)(struct store *st);

    /* See store_data_version() in store.h.  NULL when the engine cannot tell. */
    enum pm_err (*data_version)(struct store *st, uint64_t *out);

    /* ---- standbys (store_open_standby, store.h); NULL when the engine has none ---- */
    /* The data version and the position (STORE_POSITION_MAX) a standby must
     * have replayed to show what that version shows. */
    enum pm_err (*data_version_at)(struct store *st, uint64_t *version, char *pos);
    enum pm_err (*replayed)(struct store *st, const char *pos, bool *yes);
    /* Open a reader of a standby: read-only, no migrations. */
    enum pm_err (*open_standby)(const char *dsn, struct store **out, struct pm_error *e);
    /* See store_version_with_next() in store.h (NULL: never). */
    void (*version_with_next)(struct store *st);
    bool (*version_taken)(struct store *st, uint64_t *version);
};

/* The members of a driver's table that every driver defines under the same
 * static names; a driver's table is its name, dialect, caps, schemes, open,
 * migrations and begin_for (and copy_in where it has one), then
 * STORE_DRIVER_STEPS. */
#define STORE_DRIVER_STEPS                                                                        \
    .close = drv_close, .prepare = drv_prepare, .finalize = drv_finalize,                         \
    .bind_int = drv_bind_int, .bind_text = drv_bind_text, .bind_blob = drv_bind_blob,             \
    .bind_null = drv_bind_null, .step = drv_step, .column_int = drv_column_int,                   \
    .column_null = drv_column_null, .column_text = drv_column_text,                               \
    .column_blob = drv_column_blob, .changes = drv_changes, .reset = drv_reset, .exec = drv_exec, \
    .in_transaction = drv_in_transaction, .begin = drv_begin, .commit = drv_commit,               \
    .rollback = drv_rollback, .data_version = drv_data_version

/* ---- the handle every driver embeds first ---- */

struct store_stmt_slot {
    const char *sql; /* the key: compared by address */
    struct store_stmt *stmt;
};

struct store_id_block {
    int64_t company_id;
    char name[32];
    int64_t next, end; /* [next, end) */
    int64_t grow;      /* the size of the next block */
};

struct store {
    const struct store_driver *drv;
    struct pm_error error; /* detail of the last failed call */
    /* Prepared statements by the address of their text (open addressing). */
    struct store_stmt_slot *stmts;
    size_t n_stmts, cap_stmts;
    /* Ids reserved by this transaction and not yet handed out, per series
     * (STORE_CAP_ID_BLOCKS). */
    struct store_id_block id_blocks[8];
    size_t n_id_blocks;
    /* store_commit_send's outcome on an engine without commit_send */
    enum pm_err commit_sent;
    /* How many migrations the open applied (store_migrations_at_open). */
    int migrated;
};

/* Set up the common part of a driver's new handle. */
void store_init(struct store *st, const struct store_driver *drv);
/* Finalize the cached statements. */
void store_release(struct store *st);
/* Finalize the handle's statements, close its connection with its driver
 * and free it. */
void store_destroy(struct store *st);
/* The end of a driver's open, for a handle st set up with err (PM_OK, or
 * a failure recorded on the handle): migrate it and hand it out in *out,
 * or destroy it with its error copied to e. */
enum pm_err store_open_done(struct store *st, enum pm_err err, struct store **out,
                            struct pm_error *e);

/* ---- schema migrations (store_migrate.c) ---- */

/* An engine's numbered migrations: texts[i] is version i + 1.  The texts
 * are the engine's own (its types, its CREATE syntax); the bookkeeping in
 * schema_migrations is common. */
struct store_migrations {
    const char *begin;        /* the transaction the whole run is one of */
    const char *lock;         /* run right after begin (NULL: none needed) */
    const char *create_table; /* CREATE TABLE IF NOT EXISTS schema_migrations */
    const char *const *texts;
    int count;
};

/* Apply, in one transaction, every migration above the highest version
 * recorded in schema_migrations, recording each; *applied (may be NULL) =
 * how many.  A failure is on the handle's error and nothing is applied. */
enum pm_err store_migrate_run(struct store *st, const struct store_migrations *m, int *applied);

/* The registered drivers, NULL-terminated (store_drivers.c). */
extern const struct store_driver *const store_drivers[];

#endif
