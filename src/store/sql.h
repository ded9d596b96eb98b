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
 *     return sql_getf(st, "customer_id", "no such customer", &customer_reader, out, sql,
 *                     "ii", company_id, id);
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
/* Run q, an INSERT ... RETURNING a row id, to its end and give it back:
 * *id from its row, PM_ERR_NOT_FOUND ("", missing) when it returned none. */
enum pm_err sql_insert_id(struct store *st, struct store_stmt *q, const char *missing, int64_t *id);
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
 *   c  const struct sql_col *cols, size_t n, const void *in: the columns
 *      cols[0..n) of the struct at in, one parameter each (skipped ones
 *      take none); SQL_ROW(cols, in) passes a whole table
 *
 * A letter not in this list is PM_ERR_INTERNAL.
 */
#define SQL_ARR(a)        (const char *)(a), sizeof(a)
#define SQL_CAP(p, cap)   (const char *)(p), (size_t)(cap)
#define SQL_ROW(cols, in) (cols), SQL_NCOLS(cols), (const void *)(in)

/* sql_prepare, then bind by fmt.  *q is NULL on failure; else give it back
 * with sql_done(). */
enum pm_err sql_query(struct store *st, struct store_stmt **q, const char *sql, const char *fmt,
                      ...);

/* ---- rows as column tables ---- */

/*
 * A struct's columns in statement order:
 *
 *     static const struct sql_col payment_cols[] =
 *         SQL_COLS(struct payment, company_id, id, invoice_id, ..., source, created_at);
 *
 * The member's type picks how it is read and bound: int64_t, int (and
 * int32_t), bool, a char array of text.  A member of any other type (an
 * enum) is skipped, for the reader's fix-up to read; SQL_COL_SKIP stands
 * for a column that is no member.
 */
enum sql_col_kind { SQL_KIND_SKIP, SQL_KIND_I64, SQL_KIND_INT, SQL_KIND_BOOL, SQL_KIND_TEXT };

struct sql_col {
    enum sql_col_kind kind;
    size_t offset, size;
};

#define SQL_COL_KIND(x) \
    _Generic((x), int64_t: SQL_KIND_I64, int: SQL_KIND_INT, bool: SQL_KIND_BOOL, \
             char *: SQL_KIND_TEXT, default: SQL_KIND_SKIP)
/* clang-format off */
#define SQL_COL(type, member) \
    {SQL_COL_KIND(((type *)0)->member), offsetof(type, member), sizeof(((type *)0)->member)}
#define SQL_COL_SKIP {SQL_KIND_SKIP, 0, 0}
/* clang-format on */
#define SQL_NCOLS(cols) (sizeof(cols) / sizeof((cols)[0]))

/* SQL_COLS(type, m1, m2 ...): the table of type's members m1, m2 ... in
 * statement order, up to 32 (SQL_COL each). */
/* clang-format off */
#define SQL_COLS(type, ...) {SQL_COLS_N(__VA_ARGS__)(type, __VA_ARGS__)}
/* clang-format on */
#define SQL_COLS_N(...)                                                                            \
    SQL_COLS_PICK(__VA_ARGS__, SQL_C32, SQL_C31, SQL_C30, SQL_C29, SQL_C28, SQL_C27, SQL_C26,      \
                  SQL_C25, SQL_C24, SQL_C23, SQL_C22, SQL_C21, SQL_C20, SQL_C19, SQL_C18, SQL_C17, \
                  SQL_C16, SQL_C15, SQL_C14, SQL_C13, SQL_C12, SQL_C11, SQL_C10, SQL_C9, SQL_C8,   \
                  SQL_C7, SQL_C6, SQL_C5, SQL_C4, SQL_C3, SQL_C2, SQL_C1, )
#define SQL_COLS_PICK(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, \
                      _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32,  \
                      pick, ...)                                                                  \
    pick
#define SQL_C1(t, m)       SQL_COL(t, m)
#define SQL_C2(t, m, ...)  SQL_COL(t, m), SQL_C1(t, __VA_ARGS__)
#define SQL_C3(t, m, ...)  SQL_COL(t, m), SQL_C2(t, __VA_ARGS__)
#define SQL_C4(t, m, ...)  SQL_COL(t, m), SQL_C3(t, __VA_ARGS__)
#define SQL_C5(t, m, ...)  SQL_COL(t, m), SQL_C4(t, __VA_ARGS__)
#define SQL_C6(t, m, ...)  SQL_COL(t, m), SQL_C5(t, __VA_ARGS__)
#define SQL_C7(t, m, ...)  SQL_COL(t, m), SQL_C6(t, __VA_ARGS__)
#define SQL_C8(t, m, ...)  SQL_COL(t, m), SQL_C7(t, __VA_ARGS__)
#define SQL_C9(t, m, ...)  SQL_COL(t, m), SQL_C8(t, __VA_ARGS__)
#define SQL_C10(t, m, ...) SQL_COL(t, m), SQL_C9(t, __VA_ARGS__)
#define SQL_C11(t, m, ...) SQL_COL(t, m), SQL_C10(t, __VA_ARGS__)
#define SQL_C12(t, m, ...) SQL_COL(t, m), SQL_C11(t, __VA_ARGS__)
#define SQL_C13(t, m, ...) SQL_COL(t, m), SQL_C12(t, __VA_ARGS__)
#define SQL_C14(t, m, ...) SQL_COL(t, m), SQL_C13(t, __VA_ARGS__)
#define SQL_C15(t, m, ...) SQL_COL(t, m), SQL_C14(t, __VA_ARGS__)
#define SQL_C16(t, m, ...) SQL_COL(t, m), SQL_C15(t, __VA_ARGS__)
#define SQL_C17(t, m, ...) SQL_COL(t, m), SQL_C16(t, __VA_ARGS__)
#define SQL_C18(t, m, ...) SQL_COL(t, m), SQL_C17(t, __VA_ARGS__)
#define SQL_C19(t, m, ...) SQL_COL(t, m), SQL_C18(t, __VA_ARGS__)
#define SQL_C20(t, m, ...) SQL_COL(t, m), SQL_C19(t, __VA_ARGS__)
#define SQL_C21(t, m, ...) SQL_COL(t, m), SQL_C20(t, __VA_ARGS__)
#define SQL_C22(t, m, ...) SQL_COL(t, m), SQL_C21(t, __VA_ARGS__)
#define SQL_C23(t, m, ...) SQL_COL(t, m), SQL_C22(t, __VA_ARGS__)
#define SQL_C24(t, m, ...) SQL_COL(t, m), SQL_C23(t, __VA_ARGS__)
#define SQL_C25(t, m, ...) SQL_COL(t, m), SQL_C24(t, __VA_ARGS__)
#define SQL_C26(t, m, ...) SQL_COL(t, m), SQL_C25(t, __VA_ARGS__)
#define SQL_C27(t, m, ...) SQL_COL(t, m), SQL_C26(t, __VA_ARGS__)
#define SQL_C28(t, m, ...) SQL_COL(t, m), SQL_C27(t, __VA_ARGS__)
#define SQL_C29(t, m, ...) SQL_COL(t, m), SQL_C28(t, __VA_ARGS__)
#define SQL_C30(t, m, ...) SQL_COL(t, m), SQL_C29(t, __VA_ARGS__)
#define SQL_C31(t, m, ...) SQL_COL(t, m), SQL_C30(t, __VA_ARGS__)
#define SQL_C32(t, m, ...) SQL_COL(t, m), SQL_C31(t, __VA_ARGS__)

/* Bind the columns cols[0..n) of the struct at in as $first.. in order
 * (skipping skipped columns); the next parameter's number. */
int sql_bind_cols(struct store *st, struct store_stmt *q, int first, const struct sql_col *cols,
                  size_t n, const void *in);

/* A fix-up after the columns, or a whole reader: fill what a table cannot
 * from the current row; an error (a stored value the code does not know)
 * refuses the row. */
typedef enum pm_err sql_read_fn(struct store *st, struct store_stmt *q, void *out);

/* How a row is read into a struct of `size` bytes: zeroed (size 0: left as
 * it is), its columns read by the table, then fix (when not NULL). */
struct sql_reader {
    const struct sql_col *cols;
    size_t n_cols, size;
    sql_read_fn *fix;
};

/* clang-format off */
#define SQL_READER(type, cols, fix) {(cols), SQL_NCOLS(cols), sizeof(type), (fix)}
/* A reader that is only a function. */
#define SQL_READER_FN(type, fn) {NULL, 0, sizeof(type), (fn)}
/* clang-format on */

/* Column 0 into an int64_t. */
extern const struct sql_reader sql_int_reader;

enum pm_err sql_read(struct store *st, struct store_stmt *q, const struct sql_reader *r, void *out);
/* Read up to cap rows of q into the array out with r; *n rows.  The first
 * row r refuses ends the list with its error. */
enum pm_err sql_rows(struct store *st, struct store_stmt *q, const struct sql_reader *r, void *out,
                     size_t cap, size_t *n);

/* ---- one call an operation ---- */

/* What sql_do() does with the statement once it is bound. */
enum sql_do_kind { SQL_DO_WRITE, SQL_DO_GET, SQL_DO_FIND, SQL_DO_LIST, SQL_DO_INSERT_ID };

struct sql_do {
    enum sql_do_kind kind;
    /* WRITE: missing NULL runs the statement, else a write that changed no
     * row is PM_ERR_NOT_FOUND (field, missing).  GET: no row is.
     * INSERT_ID: sql_insert_id's missing, into out (an int64_t). */
    const char *field, *missing;
    const struct sql_reader *reader; /* GET, FIND (NULL: only look), LIST */
    void *out;
    bool *found; /* FIND: whether there is a row */
    size_t cap;  /* LIST: at most this many rows */
    size_t *n;   /* LIST: how many */
    /* WRITE: run the bound statement with this instead (a store_agency_write) */
    enum pm_err (*write)(struct store *st, struct store_stmt *q, const char *field,
                         const char *missing);
};

/* Prepare sql (from the cache), bind by fmt and do what `what` says. */
enum pm_err sql_do(struct store *st, const struct sql_do *what, const char *sql, const char *fmt,
                   ...);

/* Run sql for its effect: sql_runf(st, sql, fmt, args...). */
#define sql_runf(st, sql, ...) \
    sql_do((st), &(const struct sql_do){.kind = SQL_DO_WRITE}, (sql), __VA_ARGS__)
/* Run a write: PM_ERR_NOT_FOUND (field, missing) when it changed no row. */
#define sql_changef(st, field_, missing_, sql, ...)                                                \
    sql_do((st),                                                                                   \
           &(const struct sql_do){.kind = SQL_DO_WRITE, .field = (field_), .missing = (missing_)}, \
           (sql), __VA_ARGS__)
/* Read exactly one row into out with reader: PM_ERR_NOT_FOUND (field,
 * missing) when there is none. */
#define sql_getf(st, field_, missing_, reader_, out_, sql, ...) \
    sql_do((st),                                                \
           &(const struct sql_do){.kind = SQL_DO_GET,           \
                                  .field = (field_),            \
                                  .missing = (missing_),        \
                                  .reader = (reader_),          \
                                  .out = (out_)},               \
           (sql), __VA_ARGS__)
/* Read the first row, if any, into out with reader (NULL: only look);
 * *found says whether there was one. */
#define sql_findf(st, found_, reader_, out_, sql, ...)                                      \
    sql_do((st),                                                                            \
           &(const struct sql_do){                                                          \
               .kind = SQL_DO_FIND, .found = (found_), .reader = (reader_), .out = (out_)}, \
           (sql), __VA_ARGS__)
/* sql_insert_id() of sql bound by fmt: sql_insert_idf(st, missing, &id, sql, fmt, ...). */
#define sql_insert_idf(st, missing_, id_, sql, ...)                                               \
    sql_do((st),                                                                                  \
           &(const struct sql_do){.kind = SQL_DO_INSERT_ID, .missing = (missing_), .out = (id_)}, \
           (sql), __VA_ARGS__)
/* Read up to cap rows into the array out with reader; *n rows. */
#define sql_listf(st, reader_, out_, cap_, n_, sql, ...)                                           \
    sql_do((st),                                                                                   \
           &(const struct sql_do){                                                                 \
               .kind = SQL_DO_LIST, .reader = (reader_), .out = (out_), .cap = (cap_), .n = (n_)}, \
           (sql), __VA_ARGS__)

/* ---- bulk inserts ---- */

/*
 * Many rows of one table in one call, read from an array of structs by a
 * column table (every column written, in the table's order):
 *
 *     static const struct sql_bulk item_bulk =
 *         SQL_BULK("dunning_items", "company_id, run_id, invoice_id ...", item_row_cols);
 *
 *     err = sql_bulk_insert(st, &item_bulk, rows, sizeof(rows[0]), n);
 *
 * On an engine with a bulk load (the driver's copy_in: PostgreSQL's COPY
 * FROM STDIN) the rows go as one stream, in one round trip; elsewhere
 * (SQLite) as INSERT statements of up to SQL_BULK_ROWS rows.  The same
 * keys, checks and triggers hold as for an INSERT.  Declare the sql_bulk
 * static: its statement texts are made once per process, keyed by its
 * address.
 */
#define SQL_BULK_ROWS 64

struct sql_bulk {
    const char *table;
    const char *columns; /* the column names in the order of cols: "a, b, c" */
    const struct sql_col *cols;
    size_t n_cols;
};

/* clang-format off */
#define SQL_BULK(table, columns, cols) {(table), (columns), (cols), SQL_NCOLS(cols)}
/* clang-format on */

/* Insert rows[0..n), structs of `size` bytes, into bulk->table. */
enum pm_err sql_bulk_insert(struct store *st, const struct sql_bulk *bulk, const void *rows,
                            size_t size, size_t n);

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
/* The same at READ COMMITTED in a transaction of its own (none may be
 * open), ended with store_commit_send(): when this returns PM_OK the
 * COMMIT is on its way, and the caller reads its answer with
 * store_commit_wait() before anything else runs on the handle. */
enum pm_err sql_atomic_commit_sent(struct store *st, enum pm_err (*fn)(struct store *st, void *ctx),
                                   void *ctx);

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
