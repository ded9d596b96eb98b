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
 * Pattern of an operation: its static text, then one call that prepares
 * (from the cache), binds by a format and runs:
 *
 *     static const char sql[] = "SELECT ... WHERE company_id = $1 AND id = $2";
 *
 *     return sql_getf(st, "customer_id", "no such customer", customer_read, out, sql, "ii",
 *                     company_id, id);
 *
 * Where an operation needs the statement itself (several steps, a value
 * read after a write), sql_query() prepares and binds it, and sql_row(),
 * sql_run() ... run it, and sql_done() gives it back.
 */
#ifndef PM_STORE_SQL_H
#define PM_STORE_SQL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* ---- one call an operation: bind by a format ---- */

/*
 * fmt has one letter a parameter, bound as $1, $2 ... in order, each
 * taking the arguments named here from the varargs (exactly these types:
 * they are read with va_arg, so an int where int64_t is read is undefined
 * behaviour; cast narrower integers to int64_t or use d):
 *
 *   i  int64_t
 *   d  int (also int32_t)
 *   b  bool
 *   t  const char *, size_t cap: text up to its NUL or cap bytes, whichever
 *      comes first (NULL binds ""); SQL_ARR(a) passes a char array and its
 *      size, SQL_CAP(p, n) a pointer and a cap
 *   z  as t, but NULL binds SQL NULL
 *   x  const void *, size_t len: bytes (NULL binds SQL NULL)
 *   n  SQL NULL (no argument)
 *
 * A letter not in this list is PM_ERR_INTERNAL.
 */
#define SQL_ARR(a)      (const char *)(a), sizeof(a)
#define SQL_CAP(p, cap) (const char *)(p), (size_t)(cap)

/* A row reader: fill out (the table's struct) from the current row; an
 * error (a stored value the code does not know) refuses the row. */
typedef enum pm_err sql_read_fn(struct store *st, struct store_stmt *q, void *out);

/* sql_prepare, then bind by fmt.  *q is NULL on failure; else give it back
 * with sql_done(). */
enum pm_err sql_query(struct store *st, struct store_stmt **q, const char *sql, const char *fmt,
                      ...);
enum pm_err sql_vquery(struct store *st, struct store_stmt **q, const char *sql, const char *fmt,
                       va_list ap);
/* Run sql for its effect. */
enum pm_err sql_runf(struct store *st, const char *sql, const char *fmt, ...);
/* Run a write: sql_change's PM_ERR_NOT_FOUND (field, missing) when it
 * changed no row. */
enum pm_err sql_changef(struct store *st, const char *field, const char *missing, const char *sql,
                        const char *fmt, ...);
/* Read exactly one row into out with read: sql_row's PM_ERR_NOT_FOUND
 * (field, missing) when there is none. */
enum pm_err sql_getf(struct store *st, const char *field, const char *missing, sql_read_fn *read,
                     void *out, const char *sql, const char *fmt, ...);
/* Read the first row, if there is one, into out with read (NULL: only
 * tell whether there is one); *found says which. */
enum pm_err sql_findf(struct store *st, bool *found, sql_read_fn *read, void *out, const char *sql,
                      const char *fmt, ...);
/* Read up to cap rows into out (an array of elements of `size` bytes) with
 * read; *n rows.  The first row read refuses ends the list with its error. */
enum pm_err sql_listf(struct store *st, sql_read_fn *read, void *out, size_t size, size_t cap,
                      size_t *n, const char *sql, const char *fmt, ...);
/* The same over a statement already bound. */
enum pm_err sql_rows(struct store *st, struct store_stmt *q, sql_read_fn *read, void *out,
                     size_t size, size_t cap, size_t *n);

/* A reader of column 0 into an int64_t. */
enum pm_err sql_read_int(struct store *st, struct store_stmt *q, void *out);

/* ---- rows as column tables ---- */

/*
 * A struct's columns in statement order: { SQL_COL(struct payment, id),
 * SQL_COL_SKIP, ... }.  The member's type picks how it is read and bound
 * (int64_t, int, bool or a char array of text); SQL_COL_SKIP stands for a
 * column the reader handles itself (an enum, a computed value).
 */
enum sql_col_kind { SQL_KIND_SKIP, SQL_KIND_I64, SQL_KIND_INT, SQL_KIND_BOOL, SQL_KIND_TEXT };

struct sql_col {
    enum sql_col_kind kind;
    size_t offset, size;
};

#define SQL_COL_KIND(x) \
    _Generic((x), int64_t: SQL_KIND_I64, int: SQL_KIND_INT, bool: SQL_KIND_BOOL, char *: SQL_KIND_TEXT)
#define SQL_COL(type, member)                                                                  \
    {                                                                                          \
        SQL_COL_KIND(((type *)0)->member), offsetof(type, member), sizeof(((type *)0)->member) \
    }
#define SQL_COL_SKIP        \
    {                       \
        SQL_KIND_SKIP, 0, 0 \
    }
#define SQL_NCOLS(cols) (sizeof(cols) / sizeof((cols)[0]))

/* Read columns 0..n) of the current row into the struct at out. */
void sql_read_cols(struct store *st, struct store_stmt *q, const struct sql_col *cols, size_t n,
                   void *out);
/* Zero *out, then read the table cols (an array) into it. */
#define SQL_READ(st, q, cols, out) \
    (memset((out), 0, sizeof(*(out))), sql_read_cols((st), (q), (cols), SQL_NCOLS(cols), (out)))
/* Bind the struct at in as $first.. in the table's order (skips skipped). */
void sql_bind_cols(struct store *st, struct store_stmt *q, int first, const struct sql_col *cols,
                   size_t n, const void *in);

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
