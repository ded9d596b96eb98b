/*
 * sql.h — the SQL layer: what the store's operations are written with.
 *
 * Each operation of the store (store_customers.c, store_invoices.c ...) is
 * written once over these helpers, which run on whichever driver the
 * handle has (store_driver.h).  They add to the driver's steps what every
 * operation needs: the per-handle statement cache, binding and reading
 * whole rows by column, "exactly one row" and "changed a row" checks,
 * atomic units with retries of transient conflicts, and the per-company id
 * series.
 *
 * Statement text is static and uses $1..$n.  Where engines truly differ,
 * the text is a variant per dialect (SQL_VARIANT), chosen by sql_text().
 *
 * Pattern of an operation:
 *
 *     static const char sql[] = "SELECT ... WHERE company_id = $1 AND id = $2";
 *     struct store_stmt *q = NULL;
 *     enum pm_err err = sql_prepare(st, sql, &q);
 *     if (err)
 *         return err;
 *     sql_bind_int(st, q, 1, company_id);
 *     sql_bind_int(st, q, 2, id);
 *     err = sql_row(st, q, "reading a customer", "customer_id", "no such customer");
 *     if (!err)
 *         customer_read(st, q, out);
 *     sql_done(st, q);
 */
#ifndef PM_STORE_SQL_H
#define PM_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_driver.h"

/* A statement whose text differs by dialect: { [STORE_DIALECT_SQLITE] = "...",
 * [STORE_DIALECT_PG] = "..." }.  Declare it static const. */
struct sql_variant {
    const char *text[STORE_DIALECT_COUNT];
};

enum store_dialect sql_dialect(const struct store *st);
bool sql_has(const struct store *st, unsigned cap);
/* The text of v for the handle's dialect. */
const char *sql_text(const struct store *st, const struct sql_variant *v);

/* The cached statement for static text sql, ready to bind (prepared on
 * first use on this handle).  Give it back with sql_done(). */
enum pm_err sql_prepare(struct store *st, const char *sql, struct store_stmt **out);
/* Reset a statement after use (NULL is a no-op). */
void sql_done(struct store *st, struct store_stmt *q);

void sql_bind_int(struct store *st, struct store_stmt *q, int i, int64_t v);
void sql_bind_bool(struct store *st, struct store_stmt *q, int i, bool v);
/* Text up to its NUL or cap bytes, whichever comes first; NULL binds "". */
void sql_bind_text(struct store *st, struct store_stmt *q, int i, const char *v, size_t cap);
#define sql_bind_arr(st, q, i, arr) sql_bind_text(st, q, i, arr, sizeof(arr))
void sql_bind_blob(struct store *st, struct store_stmt *q, int i, const void *v, size_t len);
void sql_bind_null(struct store *st, struct store_stmt *q, int i);

/* One step; *row as the driver's step. */
enum pm_err sql_step(struct store *st, struct store_stmt *q, bool *row);
/* Run to the end, for a statement whose rows do not matter. */
enum pm_err sql_run(struct store *st, struct store_stmt *q);
/* Step to exactly one row: PM_ERR_NOT_FOUND with field and message
 * `missing` when there is none. */
enum pm_err sql_row(struct store *st, struct store_stmt *q, const char *field, const char *missing);
/* Run a write; PM_ERR_NOT_FOUND (field, missing) when it changed no row. */
enum pm_err sql_change(struct store *st, struct store_stmt *q, const char *field,
                       const char *missing);
/* Run a statement that takes no parameters. */
enum pm_err sql_exec(struct store *st, const char *sql);
int64_t sql_changes(struct store *st, struct store_stmt *q);

int64_t sql_int(struct store *st, struct store_stmt *q, int col);
bool sql_bool(struct store *st, struct store_stmt *q, int col);
bool sql_is_null(struct store *st, struct store_stmt *q, int col);
/* Copy a text column into dst[cap] (NULL reads as ""). */
void sql_text_col(struct store *st, struct store_stmt *q, int col, char *dst, size_t cap);
#define sql_col_arr(st, q, col, arr) sql_text_col(st, q, col, arr, sizeof(arr))
/* A text column as the driver holds it, valid until the next step. */
const char *sql_text_ref(struct store *st, struct store_stmt *q, int col, size_t *len);
/* PM_ERR_DB (field column) for a stored value the code has no enum value
 * for: a row is refused rather than read as some default. */
enum pm_err sql_bad_value(struct store *st, struct store_stmt *q, int col, const char *column);
/* A bytes column, valid until the next step. */
enum pm_err sql_blob(struct store *st, struct store_stmt *q, int col, const void **data,
                     size_t *len);

/* ---- statements keyed by integers ---- */

/* The integer arguments as an array and its length, for the *_keys helpers:
 * sql_change_keys(st, sql, SQL_KEYS(company_id, id), "id", "no such row"). */
#define SQL_KEYS(...) \
    (const int64_t[]){__VA_ARGS__}, (int)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

/* A row mapper: fill out (the table's struct) from the current row. */
typedef void sql_read_fn(struct store *st, struct store_stmt *q, void *out);

/* sql_prepare, then bind keys[0..n) as $1..$n. */
enum pm_err sql_prepare_keys(struct store *st, const char *sql, struct store_stmt **out,
                             const int64_t *keys, int n);
/* Run sql with integer keys for its effect. */
enum pm_err sql_run_keys(struct store *st, const char *sql, const int64_t *keys, int n);
/* Run a write with integer keys: sql_change's PM_ERR_NOT_FOUND (field,
 * missing) when it changed no row. */
enum pm_err sql_change_keys(struct store *st, const char *sql, const int64_t *keys, int n,
                            const char *field, const char *missing);
/* Read exactly one row with integer keys into out with read: sql_row's
 * PM_ERR_NOT_FOUND (field, missing) when there is none. */
enum pm_err sql_get_keys(struct store *st, const char *sql, const int64_t *keys, int n,
                         const char *field, const char *missing, sql_read_fn *read, void *out);

/* Read rows into out[0..cap): *n rows; read(st, q, &out[i]) fills one. */
#define SQL_ROWS(st, q, out, cap, n, read, err) \
    do {                                        \
        bool row_ = false;                      \
        *(n) = 0;                               \
        while (*(n) < (cap)) {                  \
            (err) = sql_step((st), (q), &row_); \
            if ((err) || !row_)                 \
                break;                          \
            read((st), (q), &(out)[*(n)]);      \
            (*(n))++;                           \
        }                                       \
    } while (0)

/* The same with a read(st, q, &out[i]) that returns enum pm_err: the first
 * row it refuses ends the loop with its error. */
#define SQL_ROWS_CHECKED(st, q, out, cap, n, read, err) \
    do {                                                \
        bool row_ = false;                              \
        *(n) = 0;                                       \
        while (*(n) < (cap)) {                          \
            (err) = sql_step((st), (q), &row_);         \
            if ((err) || !row_)                         \
                break;                                  \
            (err) = read((st), (q), &(out)[*(n)]);      \
            if (err)                                    \
                break;                                  \
            (*(n))++;                                   \
        }                                               \
    } while (0)

/* ---- transactions ---- */

bool sql_in_transaction(struct store *st);
/* Run fn(st, ctx) as one atomic unit: its own transaction when none is
 * open (run again, a few times with a short random pause, when it fails on
 * a transient conflict — so fn must only write through the store and fill
 * its outputs afresh on every run), else a savepoint of the caller's
 * transaction, rolled back on failure. */
enum pm_err sql_atomic(struct store *st, enum pm_err (*fn)(struct store *st, void *ctx), void *ctx);
/* The same at READ COMMITTED (work-queue claims with SKIP LOCKED) when no
 * transaction is open. */
enum pm_err sql_atomic_read_committed(struct store *st,
                                      enum pm_err (*fn)(struct store *st, void *ctx), void *ctx);

/* Pause 1..8 ms times the attempt (at most 10) before retry number attempt
 * of work that failed on a transient conflict. */
void sql_backoff(int attempt);

/* ---- id series (the sequences table) ---- */

/* Reserve n consecutive values of the company's series `name` (starting at
 * `first` for a new series) inside the caller's transaction; *out is the
 * first.  With STORE_CAP_ID_BLOCKS, ids of every series but the invoice
 * numbers are reserved in growing blocks per transaction (a gap in the
 * series where a transaction did not use them; invoice numbers, which
 * people read, never have one). */
enum pm_err sql_reserve_ids(struct store *st, int64_t company_id, const char *name, int64_t first,
                            int64_t n, int64_t *out);
enum pm_err sql_next_id(struct store *st, int64_t company_id, const char *name, int64_t first,
                        int64_t *out);
/* Forget reserved id blocks (a transaction began or rolled back). */
void sql_ids_forget(struct store *st);

/* Unix seconds now (created_at columns the caller left 0). */
int64_t sql_now(void);

#endif
