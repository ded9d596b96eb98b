/*
 * pg_store.h — the PostgreSQL engine behind struct store_ops.
 *
 * The same binary runs on one SQLite file or on a PostgreSQL server shared
 * by several `paminn serve` processes.  store_open() (store/store.c) calls
 * pg_store_open() for a "postgresql://" or "postgres://" DSN; everything
 * else reaches the engine through the ops table.  The engine's files share
 * the declarations below and nothing else:
 *
 *   pg_conn.c        parameters, prepared statements, results, error
 *                    mapping, transactions and their retries, id series;
 *   pg_store.c       open/close, the ops table, transactions and the
 *                    company write lock, companies, users, memberships,
 *                    sessions, tokens, idempotency records, data version;
 *   pg_migrations.c  the numbered schema migrations (same numbers as the
 *                    SQLite engine's).
 *
 * Semantics are the SQLite engine's.  Transactions run SERIALIZABLE, so a
 * caller's store_begin() .. store_commit() sees what SQLite's single writer
 * gives; a serialisation failure or deadlock is PM_ERR_BUSY.  A store call
 * that owns its transaction (pg_store_atomic) or runs one statement outside
 * a transaction is retried by the engine; inside a caller's transaction the
 * caller retries the whole unit (the API does, for a request).
 *
 * Values are always bound parameters ($1, $2 ...), never written into SQL
 * text.  Static SQL is prepared once per connection, keyed by the address
 * of its text, like the SQLite engine's statement cache.
 */
#ifndef PM_PG_STORE_H
#define PM_PG_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_driver.h"

struct pg_stmt {
    const char *sql; /* the key: a static string, compared by address */
    char name[16];   /* the prepared statement's name on the connection */
};

struct pg_store {
    struct store base; /* first, so a struct store * is a struct pg_store * */
    PGconn *conn;
    struct pg_stmt *stmts;
    size_t n_stmts, cap_stmts;
    /* The last failed statement was a serialisation failure or deadlock. */
    bool retryable;
    /* The company whose write lock (store_begin_for) this handle holds
     * until its transaction ends, or 0. */
    int64_t write_lock;
    /* Ids reserved by this transaction and not yet handed out, per series
     * (pg_store_reserve_ids); forgotten when a transaction begins or rolls
     * back to a savepoint. */
    struct pg_id_block {
        int64_t company_id;
        char name[32];
        int64_t next, end; /* [next, end) */
        int64_t grow;      /* the size of the next block */
    } id_blocks[8];
    size_t n_id_blocks;
};

/* Open a connection to the server named by dsn (a libpq URI), bring the
 * schema up to date (serialised across processes by an advisory lock) and
 * return a handle the caller closes with store_close(). */
enum pm_err pg_store_open(const char *dsn, struct store **out, struct pm_error *e);
void pg_store_close(struct store *st);
enum pm_err pg_store_migrate(struct store *st, int *applied);
/* Transactions and the data version, as the driver's (pg_store.c). */
enum pm_err pg_store_begin(struct store *st, enum store_tx kind);
enum pm_err pg_store_begin_for(struct store *st, int64_t company_id);
enum pm_err pg_store_commit(struct store *st);
enum pm_err pg_store_rollback(struct store *st);
enum pm_err pg_store_data_version(struct store *st, uint64_t *out);

/* The driver (pg_driver.c). */
extern const struct store_driver pg_store_driver;

/* ---- parameters (pg_conn.c) ---- */

#define PG_PARAMS_MAX 48

/* Up to PG_PARAMS_MAX values for $1..$n, in order of the pg_param_*() calls.
 * Integers are printed into the struct's own buffers; text and bytes point
 * at the caller's memory, which must live until the statement has run. */
struct pg_params {
    int n;
    bool overflow; /* more than PG_PARAMS_MAX: the statement is refused */
    const char *values[PG_PARAMS_MAX];
    int lengths[PG_PARAMS_MAX];
    int formats[PG_PARAMS_MAX]; /* 0 text, 1 binary (bytes) */
    char ints[PG_PARAMS_MAX][24];
};

void pg_params_init(struct pg_params *p);
void pg_param_int(struct pg_params *p, int64_t v);
void pg_param_bool(struct pg_params *p, bool v); /* bound as 0 / 1 */
/* Text up to its NUL or cap bytes, whichever comes first; NULL binds "". */
void pg_param_text(struct pg_params *p, const char *s, size_t cap);
#define pg_param_arr(p, arr) pg_param_text(p, arr, sizeof(arr))
void pg_param_null(struct pg_params *p);
/* A bytea value (binary format); NULL data binds SQL NULL. */
void pg_param_bytes(struct pg_params *p, const void *data, size_t len);

/* ---- statements ---- */

/* Run static SQL text sql (prepared on first use on this connection) with
 * params p (may be NULL).  On success, when out is not NULL, *out is the
 * result (rows of a SELECT or RETURNING), which the caller PQclear()s; when
 * out is NULL the result is dropped.  On failure *out is NULL and the
 * handle's error says why (pg_store_fail's mapping). */
enum pm_err pg_store_exec(struct pg_store *s, const char *sql, const struct pg_params *p,
                          PGresult **out, const char *what);
/* The same for SQL text built at run time (not prepared, still bound). */
enum pm_err pg_store_exec_dynamic(struct pg_store *s, const char *sql, const struct pg_params *p,
                                  PGresult **out, const char *what);
/* Run sql with p and read exactly one row: PM_ERR_NOT_FOUND (no detail
 * set beyond `what`) when there is none.  *out as for pg_store_exec. */
enum pm_err pg_store_exec_row(struct pg_store *s, const char *sql, const struct pg_params *p,
                              PGresult **out, const char *what);

/* ---- reading results ---- */

int64_t pg_get_int(const PGresult *r, int row, int col); /* NULL reads as 0 */
bool pg_get_bool(const PGresult *r, int row, int col);   /* 0/1 integers or booleans */
/* Copy a text column into dst[cap] (NULL reads as ""). */
void pg_get_text(const PGresult *r, int row, int col, char *dst, size_t cap);
#define pg_get_arr(r, row, col, arr) pg_get_text(r, row, col, arr, sizeof(arr))
/* A bytea column (selected as is, text format) decoded into dst[cap];
 * *len is the decoded length.  PM_ERR_RANGE when it does not fit. */
enum pm_err pg_get_bytes(struct pg_store *s, const PGresult *r, int row, int col,
                         unsigned char *dst, size_t cap, size_t *len);
/* The same, into a malloc'ed buffer the caller frees (NULL data → NULL, 0). */
enum pm_err pg_get_bytes_alloc(struct pg_store *s, const PGresult *r, int row, int col,
                               unsigned char **out, size_t *len);

/* ---- errors ---- */

/* Record a failed result (res may be NULL: the connection's message) on the
 * handle and return the matching enum pm_err:
 *   23505 unique violation       PM_ERR_CONFLICT, field = the key's last column
 *   23503 foreign key violation  PM_ERR_NOT_FOUND
 *   23514 check, 23502 not null, 22xxx data exceptions, P0001 raised by a
 *         trigger                PM_ERR_INVALID (field: column or constraint)
 *   40001 serialisation, 40P01 deadlock, 55P03 lock not available
 *                                PM_ERR_BUSY, and s->retryable = true
 *   08xxx / connection lost      PM_ERR_IO
 *   anything else                PM_ERR_DB */
enum pm_err pg_store_fail(struct pg_store *s, const PGresult *res, const char *what);

/* ---- transactions ---- */

/* True when a transaction (the caller's or a store call's) is open. */
bool pg_store_in_transaction(const struct pg_store *s);

/* Start an atomic unit for one store call: BEGIN (SERIALIZABLE, the
 * connection's default) when no transaction is open, else a SAVEPOINT.
 * pg_store_tx_end() commits or releases it when rc is PM_OK, rolls it back
 * otherwise, and returns rc (or the commit's failure). */
enum pm_err pg_store_tx_begin(struct pg_store *s, bool *own);
enum pm_err pg_store_tx_end(struct pg_store *s, bool own, enum pm_err rc);

/* COMMIT the open transaction; one that an earlier failed statement has
 * aborted is rolled back and reported as PM_ERR_DB, never as committed. */
enum pm_err pg_store_commit_checked(struct pg_store *s);

/* Run fn(s, ctx) as one atomic unit (tx_begin/tx_end).  When the unit owns
 * its transaction and fails with a serialisation failure or deadlock, it is
 * run again, up to a few times with a short randomised pause: fn must
 * therefore only write through the store and fill its outputs afresh on
 * every run.  Inside a caller's transaction it runs once. */
enum pm_err pg_store_atomic(struct pg_store *s, enum pm_err (*fn)(struct pg_store *s, void *ctx),
                            void *ctx);

/* The same with READ COMMITTED isolation, for work-queue claims that use
 * FOR UPDATE SKIP LOCKED (the outbox lease): only when no caller's
 * transaction is open; inside one it behaves as pg_store_atomic. */
enum pm_err pg_store_atomic_read_committed(struct pg_store *s,
                                           enum pm_err (*fn)(struct pg_store *s, void *ctx),
                                           void *ctx);

/* ---- id series (the sequences table, as in the SQLite engine) ---- */

/* Reserve n consecutive values of the company's series `name` (starting at
 * `first` for a new series) inside the caller's transaction; *out is the
 * first of them.  The series row stays locked until that transaction ends,
 * so concurrent writers of one company take numbers in turn.
 *
 * Inside a transaction, ids of every series but the invoice numbers are
 * reserved in growing blocks (1, 2, 4 ... 4096 at a time) and handed out
 * from memory: PostgreSQL slows down on every repeated update of one row in
 * one transaction, and a bulk import takes thousands of ids.  The ids a
 * transaction reserved but did not use are a gap in the series; invoice
 * numbers, which people read, never have one. */
enum pm_err pg_store_reserve_ids(struct pg_store *s, int64_t company_id, const char *name,
                                 int64_t first, int64_t n, int64_t *out);
/* Forget the reserved id blocks (a new transaction, or a rollback that may
 * have undone their reservation). */
void pg_store_ids_forget(struct pg_store *s);
enum pm_err pg_store_next_id(struct pg_store *s, int64_t company_id, const char *name,
                             int64_t first, int64_t *out);

/* Unix seconds now (created_at columns the caller left 0). */
int64_t pg_store_now(void);

/* ---- the engine's files ---- */


/* pg_migrations.c */
int pg_migrations_count(void);
/* Apply every migration not yet recorded in schema_migrations, in one
 * transaction under an advisory lock; *applied (may be NULL) = how many. */
enum pm_err pg_migrations_apply(PGconn *conn, int *applied, struct pm_error *e);

#endif
