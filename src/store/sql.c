/*
 * sql.c — the SQL layer over a storage driver (sql.h): the statement
 * cache, row helpers, atomic units with retries and the id series, written
 * once for every engine.
 */
#include "store/sql.h"

#include "util/buf.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RETRIES      30
#define ID_BLOCK_MAX 4096

int64_t sql_now(void)
{
    return (int64_t)time(NULL);
}

enum store_dialect sql_dialect(const struct store *st)
{
    return st->drv->dialect;
}

bool sql_has(const struct store *st, unsigned cap)
{
    return (st->drv->caps & cap) != 0;
}

const char *sql_text(const struct store *st, const struct sql_variant *v)
{
    return v->text[st->drv->dialect];
}

/* ---- the handle's common part ---- */

void store_init(struct store *st, const struct store_driver *drv)
{
    st->drv = drv;
    pm_error_clear(&st->error);
    st->stmts = NULL;
    st->n_stmts = st->cap_stmts = 0;
    st->n_id_blocks = 0;
}

void store_release(struct store *st)
{
    size_t i;

    for (i = 0; i < st->cap_stmts; i++) {
        if (st->stmts[i].sql)
            st->drv->finalize(st->stmts[i].stmt);
    }
    free(st->stmts);
    st->stmts = NULL;
    st->n_stmts = st->cap_stmts = 0;
}

void store_destroy(struct store *st)
{
    store_release(st);
    st->drv->close(st);
    free(st);
}

/* ---- the statement cache: open addressing on the text's address ---- */

static size_t slot_of(const char *sql, size_t cap)
{
    uintptr_t h = (uintptr_t)sql;

    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15u;
    h ^= h >> 29;
    return (size_t)h & (cap - 1);
}

static struct store_stmt_slot *find_slot(struct store_stmt_slot *slots, size_t cap, const char *sql)
{
    size_t i = slot_of(sql, cap);

    while (slots[i].sql && slots[i].sql != sql)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static enum pm_err grow_cache(struct store *st)
{
    size_t cap = st->cap_stmts ? st->cap_stmts * 2 : 256, i;
    struct store_stmt_slot *slots = calloc(cap, sizeof(*slots));

    if (!slots)
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "statement cache");
    for (i = 0; i < st->cap_stmts; i++) {
        if (st->stmts[i].sql)
            *find_slot(slots, cap, st->stmts[i].sql) = st->stmts[i];
    }
    free(st->stmts);
    st->stmts = slots;
    st->cap_stmts = cap;
    return PM_OK;
}

/* ---- the statement trace (tests) ----
 *
 * With PAMINN_SQL_TRACE=FILE in the environment, every statement a handle
 * prepares is appended to FILE as one line "<dialect>\t<sql>" (once per
 * handle: the cache keeps it afterwards).  One write() per line on an
 * O_APPEND descriptor, so the servers and tools of a test run can share one
 * file.  tests/store/shape_test.mjs reads it to check that every statement
 * on a company's table names the company (docs/operations.md, Citus).  Off
 * (no cost but a pointer test) when the variable is not set. */
static int trace_fd = -1;
static pthread_once_t trace_once = PTHREAD_ONCE_INIT;

static void trace_open(void)
{
    const char *path = getenv("PAMINN_SQL_TRACE");

    if (path && *path)
        trace_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

static void trace_statement(const struct store *st, const char *sql)
{
    struct buf line;
    ssize_t n;

    pthread_once(&trace_once, trace_open);
    if (trace_fd < 0)
        return;
    buf_init(&line);
    if (!buf_addf(&line, "%s\t%s\n", st->drv->dialect == STORE_DIALECT_PG ? "pg" : "sqlite", sql)) {
        /* a short write only loses a line of the trace: nothing to recover */
        n = write(trace_fd, line.data, line.len);
        (void)n;
    }
    buf_release(&line);
}

enum pm_err sql_prepare(struct store *st, const char *sql, struct store_stmt **out)
{
    struct store_stmt_slot *slot;
    enum pm_err err;

    *out = NULL;
    if (st->cap_stmts) {
        slot = find_slot(st->stmts, st->cap_stmts, sql);
        if (slot->sql) {
            *out = slot->stmt;
            return PM_OK;
        }
    }
    if ((st->n_stmts + 1) * 2 > st->cap_stmts) {
        err = grow_cache(st);
        if (err)
            return err;
    }
    slot = find_slot(st->stmts, st->cap_stmts, sql);
    err = st->drv->prepare(st, sql, &slot->stmt);
    if (err)
        return err;
    trace_statement(st, sql);
    slot->sql = sql;
    st->n_stmts++;
    *out = slot->stmt;
    return PM_OK;
}

void sql_done(struct store *st, struct store_stmt *q)
{
    if (q)
        st->drv->reset(q);
}

/* ---- binding ---- */

void sql_bind_int(struct store *st, struct store_stmt *q, int i, int64_t v)
{
    st->drv->bind_int(q, i, v);
}

void sql_bind_bool(struct store *st, struct store_stmt *q, int i, bool v)
{
    st->drv->bind_int(q, i, v ? 1 : 0);
}

void sql_bind_text(struct store *st, struct store_stmt *q, int i, const char *v, size_t cap)
{
    st->drv->bind_text(q, i, v ? v : "", v ? strnlen(v, cap) : 0);
}

void sql_bind_blob(struct store *st, struct store_stmt *q, int i, const void *v, size_t len)
{
    if (!v)
        st->drv->bind_null(q, i);
    else
        st->drv->bind_blob(q, i, v, len);
}

void sql_bind_null(struct store *st, struct store_stmt *q, int i)
{
    st->drv->bind_null(q, i);
}

/* ---- running ---- */

enum pm_err sql_step(struct store *st, struct store_stmt *q, bool *row)
{
    return st->drv->step(st, q, row);
}

enum pm_err sql_run(struct store *st, struct store_stmt *q)
{
    bool row = true;
    enum pm_err err = PM_OK;

    while (!err && row)
        err = sql_step(st, q, &row);
    return err;
}

enum pm_err sql_row(struct store *st, struct store_stmt *q, const char *field, const char *missing)
{
    bool row = false;
    enum pm_err err = sql_step(st, q, &row);

    if (err)
        return err;
    if (!row)
        return pm_error_set(&st->error, PM_ERR_NOT_FOUND, field ? field : "", "%s",
                            missing ? missing : "not found");
    return PM_OK;
}

enum pm_err sql_change(struct store *st, struct store_stmt *q, const char *field,
                       const char *missing)
{
    enum pm_err err = sql_run(st, q);

    if (err)
        return err;
    if (st->drv->changes(q) == 0)
        return pm_error_set(&st->error, PM_ERR_NOT_FOUND, field ? field : "", "%s",
                            missing ? missing : "no such row");
    return PM_OK;
}

/* sql_insert_id() without giving q back. */
static enum pm_err insert_id(struct store *st, struct store_stmt *q, const char *missing,
                             int64_t *id)
{
    enum pm_err err = sql_row(st, q, "", missing);

    if (!err) {
        *id = sql_int(st, q, 0);
        err = sql_run(st, q);
    }
    return err;
}

enum pm_err sql_insert_id(struct store *st, struct store_stmt *q, const char *missing, int64_t *id)
{
    enum pm_err err = insert_id(st, q, missing, id);

    sql_done(st, q);
    return err;
}

enum pm_err sql_exec(struct store *st, const char *sql)
{
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    err = sql_run(st, q);
    sql_done(st, q);
    return err;
}

int64_t sql_changes(struct store *st, struct store_stmt *q)
{
    return st->drv->changes(q);
}

/* ---- one call an operation ---- */

/* Bind the arguments ap as fmt says (sql.h). */
static enum pm_err bind_format(struct store *st, struct store_stmt *q, const char *fmt, va_list ap)
{
    const struct sql_col *cols;
    const char *text;
    const void *data;
    size_t len;
    int i;

    for (i = 1; *fmt; fmt++, i++) {
        switch (*fmt) {
        case 'c':
            cols = va_arg(ap, const struct sql_col *);
            len = va_arg(ap, size_t);
            data = va_arg(ap, const void *);
            i = sql_bind_cols(st, q, i, cols, len, data) - 1;
            break;
        case 'i':
            sql_bind_int(st, q, i, va_arg(ap, int64_t));
            break;
        case 'd':
            sql_bind_int(st, q, i, va_arg(ap, int));
            break;
        case 'b':
            sql_bind_bool(st, q, i, va_arg(ap, int) != 0);
            break;
        case 't':
        case 'z':
            text = va_arg(ap, const char *);
            len = va_arg(ap, size_t);
            if (!text && *fmt == 'z')
                sql_bind_null(st, q, i);
            else
                sql_bind_text(st, q, i, text, len);
            break;
        case 'x':
            data = va_arg(ap, const void *);
            len = va_arg(ap, size_t);
            sql_bind_blob(st, q, i, data, len);
            break;
        case 'n':
            sql_bind_null(st, q, i);
            break;
        default:
            return pm_error_set(&st->error, PM_ERR_INTERNAL, "",
                                "binding $%d: no such format letter '%c'", i, *fmt);
        }
    }
    return PM_OK;
}

/* sql_prepare, then bind: on failure *q is given back and NULL. */
static enum pm_err query(struct store *st, struct store_stmt **q, const char *sql, const char *fmt,
                         va_list ap)
{
    enum pm_err err = sql_prepare(st, sql, q);

    if (!err)
        err = bind_format(st, *q, fmt, ap);
    if (err && *q) {
        sql_done(st, *q);
        *q = NULL;
    }
    return err;
}

enum pm_err sql_query(struct store *st, struct store_stmt **q, const char *sql, const char *fmt,
                      ...)
{
    va_list ap;
    enum pm_err err;

    va_start(ap, fmt);
    err = query(st, q, sql, fmt, ap);
    va_end(ap);
    return err;
}

/* What sql_do() does with the bound statement q. */
static enum pm_err do_bound(struct store *st, const struct sql_do *w, struct store_stmt *q)
{
    enum pm_err err;

    switch (w->kind) {
    case SQL_DO_WRITE:
        if (w->write)
            return w->write(st, q, w->field, w->missing);
        return w->missing ? sql_change(st, q, w->field, w->missing) : sql_run(st, q);
    case SQL_DO_GET:
        err = sql_row(st, q, w->field, w->missing);
        return err ? err : sql_read(st, q, w->reader, w->out);
    case SQL_DO_FIND:
        err = sql_step(st, q, w->found);
        if (err || !*w->found || !w->reader)
            return err;
        return sql_read(st, q, w->reader, w->out);
    case SQL_DO_LIST:
        return sql_rows(st, q, w->reader, w->out, w->cap, w->n);
    case SQL_DO_INSERT_ID:
        return insert_id(st, q, w->missing, w->out);
    }
    return pm_error_set(&st->error, PM_ERR_INTERNAL, "", "no such statement use");
}

enum pm_err sql_do(struct store *st, const struct sql_do *what, const char *sql, const char *fmt,
                   ...)
{
    struct store_stmt *q = NULL;
    va_list ap;
    enum pm_err err;

    if (what->found)
        *what->found = false;
    if (what->n)
        *what->n = 0;
    va_start(ap, fmt);
    err = query(st, &q, sql, fmt, ap);
    va_end(ap);
    if (err)
        return err;
    err = do_bound(st, what, q);
    sql_done(st, q);
    return err;
}

/* ---- rows ---- */

static const struct sql_col int_col[] = {{SQL_KIND_I64, 0, sizeof(int64_t)}};
const struct sql_reader sql_int_reader = SQL_READER(int64_t, int_col, NULL);

enum pm_err sql_read(struct store *st, struct store_stmt *q, const struct sql_reader *r, void *out)
{
    char *base = out;
    int64_t i64;
    int i32;
    bool b;
    size_t c;

    memset(out, 0, r->size);
    for (c = 0; c < r->n_cols; c++) {
        const struct sql_col *col = &r->cols[c];

        switch (col->kind) {
        case SQL_KIND_I64:
            i64 = sql_int(st, q, (int)c);
            memcpy(base + col->offset, &i64, sizeof(i64));
            break;
        case SQL_KIND_INT:
            i32 = (int)sql_int(st, q, (int)c);
            memcpy(base + col->offset, &i32, sizeof(i32));
            break;
        case SQL_KIND_BOOL:
            b = sql_bool(st, q, (int)c);
            memcpy(base + col->offset, &b, sizeof(b));
            break;
        case SQL_KIND_TEXT:
            sql_text_col(st, q, (int)c, base + col->offset, col->size);
            break;
        case SQL_KIND_SKIP:
            break;
        }
    }
    return r->fix ? r->fix(st, q, out) : PM_OK;
}

enum pm_err sql_rows(struct store *st, struct store_stmt *q, const struct sql_reader *r, void *out,
                     size_t cap, size_t *n)
{
    enum pm_err err = PM_OK;
    bool row = false;

    *n = 0;
    while (*n < cap) {
        err = sql_step(st, q, &row);
        if (err || !row)
            break;
        err = sql_read(st, q, r, (char *)out + *n * r->size);
        if (err)
            break;
        (*n)++;
    }
    return err;
}

int sql_bind_cols(struct store *st, struct store_stmt *q, int first, const struct sql_col *cols,
                  size_t n, const void *in)
{
    const char *base = in;
    int64_t i64;
    int i32;
    bool b;
    size_t c;

    for (c = 0; c < n; c++) {
        switch (cols[c].kind) {
        case SQL_KIND_I64:
            memcpy(&i64, base + cols[c].offset, sizeof(i64));
            sql_bind_int(st, q, first++, i64);
            break;
        case SQL_KIND_INT:
            memcpy(&i32, base + cols[c].offset, sizeof(i32));
            sql_bind_int(st, q, first++, i32);
            break;
        case SQL_KIND_BOOL:
            memcpy(&b, base + cols[c].offset, sizeof(b));
            sql_bind_bool(st, q, first++, b);
            break;
        case SQL_KIND_TEXT:
            sql_bind_text(st, q, first++, base + cols[c].offset, cols[c].size);
            break;
        case SQL_KIND_SKIP:
            break;
        }
    }
    return first;
}

/* ---- bulk inserts ---- */

/* A bulk insert's statement text, made once per process: rows 0 is the
 * COPY, rows k an INSERT of k rows. */
struct bulk_text {
    const struct sql_bulk *bulk;
    size_t rows;
    char *text;
    struct bulk_text *next;
};

static struct bulk_text *bulk_texts;
static pthread_mutex_t bulk_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t bulk_params(const struct sql_bulk *b)
{
    size_t c, n = 0;

    for (c = 0; c < b->n_cols; c++)
        n += b->cols[c].kind != SQL_KIND_SKIP;
    return n;
}

/* "COPY t (cols) FROM STDIN" or "INSERT INTO t (cols) VALUES ($1, ...), ...". */
static enum pm_err bulk_build(const struct sql_bulk *b, size_t rows, struct buf *t)
{
    size_t np = bulk_params(b), r, c;
    enum pm_err rc;

    if (!rows)
        return buf_addf(t, "COPY %s (%s) FROM STDIN", b->table, b->columns);
    rc = buf_addf(t, "INSERT INTO %s (%s) VALUES ", b->table, b->columns);
    for (r = 0; !rc && r < rows; r++) {
        for (c = 0; !rc && c < np; c++)
            rc = buf_addf(t, "%s$%zu", c ? ", " : (r ? ", (" : "("), r * np + c + 1);
        if (!rc)
            rc = buf_addch(t, ')');
    }
    return rc;
}

/* The text of b for `rows` (0: the COPY), made on first use; *made when
 * this call made it. */
static enum pm_err bulk_text_of(const struct sql_bulk *b, size_t rows, const char **out, bool *made)
{
    struct bulk_text *t;
    struct buf text = BUF_INIT;
    enum pm_err rc = PM_OK;

    *made = false;
    pthread_mutex_lock(&bulk_lock);
    for (t = bulk_texts; t && (t->bulk != b || t->rows != rows); t = t->next)
        ;
    if (!t) {
        t = calloc(1, sizeof(*t));
        rc = t ? bulk_build(b, rows, &text) : PM_ERR_NOMEM;
        if (!rc) {
            t->bulk = b;
            t->rows = rows;
            t->text = text.data; /* kept for the life of the process */
            t->next = bulk_texts;
            bulk_texts = t;
            *made = true;
        } else {
            free(t);
            buf_release(&text);
            t = NULL;
        }
    }
    pthread_mutex_unlock(&bulk_lock);
    *out = t ? t->text : NULL;
    return rc;
}

/* v in decimal at the end of out. */
static enum pm_err copy_int(struct buf *out, int64_t v)
{
    char digits[24], *p = digits + sizeof(digits);
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return buf_add(out, p, (size_t)(digits + sizeof(digits) - p));
}

/* Text up to its NUL or cap bytes, escaped for COPY's text format. */
static enum pm_err copy_text(struct buf *out, const char *v, size_t cap)
{
    size_t len = strnlen(v, cap), i, from = 0;
    enum pm_err rc = PM_OK;
    char esc;

    for (i = 0; !rc && i < len; i++) {
        esc = v[i] == '\\'   ? '\\'
              : v[i] == '\t' ? 't'
              : v[i] == '\n' ? 'n'
              : v[i] == '\r' ? 'r'
                             : 0;
        if (!esc)
            continue;
        rc = buf_add(out, v + from, i - from);
        if (!rc)
            rc = buf_addch(out, '\\');
        if (!rc)
            rc = buf_addch(out, esc);
        from = i + 1;
    }
    return rc ? rc : buf_add(out, v + from, len - from);
}

/* One row of COPY's text format: fields by tabs, a newline at the end. */
static enum pm_err copy_row(struct buf *out, const struct sql_bulk *b, const char *row)
{
    enum pm_err rc = PM_OK;
    bool first = true, flag;
    int64_t i64;
    int i32;
    size_t c;

    for (c = 0; !rc && c < b->n_cols; c++) {
        const struct sql_col *col = &b->cols[c];

        if (col->kind == SQL_KIND_SKIP)
            continue;
        if (!first)
            rc = buf_addch(out, '\t');
        first = false;
        if (rc)
            break;
        switch (col->kind) {
        case SQL_KIND_I64:
            memcpy(&i64, row + col->offset, sizeof(i64));
            rc = copy_int(out, i64);
            break;
        case SQL_KIND_INT:
            memcpy(&i32, row + col->offset, sizeof(i32));
            rc = copy_int(out, i32);
            break;
        case SQL_KIND_BOOL:
            memcpy(&flag, row + col->offset, sizeof(flag));
            rc = buf_addch(out, flag ? '1' : '0');
            break;
        case SQL_KIND_TEXT:
            rc = copy_text(out, row + col->offset, col->size);
            break;
        case SQL_KIND_SKIP:
            break;
        }
    }
    return rc ? rc : buf_addch(out, '\n');
}

static enum pm_err bulk_copy(struct store *st, const struct sql_bulk *b, const char *rows,
                             size_t size, size_t n)
{
    struct buf data = BUF_INIT;
    const char *copy = NULL;
    bool made = false;
    enum pm_err err;
    size_t r;

    err = bulk_text_of(b, 0, &copy, &made);
    if (!err && made)
        trace_statement(st, copy);
    for (r = 0; !err && r < n; r++)
        err = copy_row(&data, b, rows + r * size);
    if (err)
        err = pm_error_set(&st->error, err, "", "copying rows into %s", b->table);
    else
        err = st->drv->copy_in(st, copy, data.data, data.len);
    buf_release(&data);
    return err;
}

static enum pm_err bulk_statements(struct store *st, const struct sql_bulk *b, const char *rows,
                                   size_t size, size_t n)
{
    size_t np = bulk_params(b), per = SQL_BULK_ROWS, done = 0, k, r;
    struct store_stmt *q = NULL;
    const char *text = NULL;
    enum pm_err err = PM_OK;
    bool made = false;
    int next;

    if (np && per * np > 999) /* SQLite's oldest limit of parameters a statement */
        per = 999 / np;
    while (!err && done < n) {
        k = n - done < per ? n - done : per;
        err = bulk_text_of(b, k, &text, &made);
        if (err)
            return pm_error_set(&st->error, err, "", "inserting rows into %s", b->table);
        err = sql_prepare(st, text, &q);
        if (err)
            break;
        next = 1;
        for (r = 0; r < k; r++)
            next = sql_bind_cols(st, q, next, b->cols, b->n_cols, rows + (done + r) * size);
        err = sql_run(st, q);
        sql_done(st, q);
        done += k;
    }
    return err;
}

enum pm_err sql_bulk_insert(struct store *st, const struct sql_bulk *bulk, const void *rows,
                            size_t size, size_t n)
{
    if (n == 0)
        return PM_OK;
    if (st->drv->copy_in)
        return bulk_copy(st, bulk, rows, size, n);
    return bulk_statements(st, bulk, rows, size, n);
}

/* ---- reading ---- */

int64_t sql_int(struct store *st, struct store_stmt *q, int col)
{
    return st->drv->column_int(q, col);
}

bool sql_bool(struct store *st, struct store_stmt *q, int col)
{
    return st->drv->column_int(q, col) != 0;
}

bool sql_is_null(struct store *st, struct store_stmt *q, int col)
{
    return st->drv->column_null(q, col);
}

void sql_text_col(struct store *st, struct store_stmt *q, int col, char *dst, size_t cap)
{
    size_t len = 0;
    const char *t = st->drv->column_text(q, col, &len);

    if (!cap)
        return;
    if (len >= cap)
        len = cap - 1;
    if (len)
        memcpy(dst, t, len);
    dst[len] = '\0';
}

const char *sql_text_ref(struct store *st, struct store_stmt *q, int col, size_t *len)
{
    size_t n = 0;
    const char *t = st->drv->column_text(q, col, &n);

    if (len)
        *len = n;
    return t;
}

enum pm_err sql_bad_value(struct store *st, struct store_stmt *q, int col, const char *column)
{
    const char *t = sql_text_ref(st, q, col, NULL);

    return pm_error_set(&st->error, PM_ERR_DB, column, "unknown value '%s' stored in %s",
                        t ? t : "(null)", column);
}

enum pm_err sql_blob(struct store *st, struct store_stmt *q, int col, const void **data,
                     size_t *len)
{
    return st->drv->column_blob(st, q, col, data, len);
}

/* ---- transactions ---- */

static const char SQL_SAVEPOINT[] = "SAVEPOINT store_call";
static const char SQL_RELEASE[] = "RELEASE SAVEPOINT store_call";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO SAVEPOINT store_call";

bool sql_in_transaction(struct store *st)
{
    return st->drv->in_transaction(st);
}

/* Run sql for its effect only, keeping the handle's error as it was: used
 * to undo after a failure that is already recorded. */
static void exec_quiet(struct store *st, const char *sql)
{
    struct pm_error saved = st->error;

    (void)sql_exec(st, sql);
    st->error = saved;
}

static enum pm_err unit_begin(struct store *st, enum store_tx kind, bool *own)
{
    *own = !sql_in_transaction(st);
    if (*own) {
        sql_ids_forget(st);
        return st->drv->begin(st, kind);
    }
    return sql_exec(st, SQL_SAVEPOINT);
}

static enum pm_err unit_end(struct store *st, bool own, enum pm_err rc)
{
    if (rc == PM_OK) {
        rc = own ? st->drv->commit(st) : sql_exec(st, SQL_RELEASE);
        if (rc == PM_OK)
            return PM_OK;
    }
    sql_ids_forget(st);
    if (own) {
        struct pm_error saved = st->error;

        (void)st->drv->rollback(st);
        st->error = saved;
    } else if (sql_in_transaction(st)) {
        exec_quiet(st, SQL_ROLLBACK_TO);
        exec_quiet(st, SQL_RELEASE);
    }
    return rc;
}

/* Pause 1..8 ms times the attempt before a retry.  The jitter comes from
 * the clock and the process id: processes started alike would otherwise
 * pause alike and collide again. */
void sql_backoff(int attempt)
{
    struct timespec now, ts;
    unsigned jitter;

    clock_gettime(CLOCK_MONOTONIC, &now);
    jitter = (unsigned)now.tv_nsec ^ ((unsigned)getpid() * 2654435761u);
    jitter ^= jitter >> 13;
    ts.tv_sec = 0;
    ts.tv_nsec = (long)((1 + jitter % 8) * (unsigned)(attempt < 10 ? attempt : 10)) * 1000000L;
    nanosleep(&ts, NULL);
}

static enum pm_err atomic(struct store *st, enum store_tx kind,
                          enum pm_err (*fn)(struct store *st, void *ctx), void *ctx)
{
    enum pm_err err;
    bool own = false;
    int attempt;

    for (attempt = 1;; attempt++) {
        err = unit_begin(st, kind, &own);
        if (err)
            return err;
        err = unit_end(st, own, fn(st, ctx));
        if (err != PM_ERR_BUSY || !own || attempt == RETRIES)
            return err;
        sql_backoff(attempt);
    }
}

enum pm_err sql_atomic(struct store *st, enum pm_err (*fn)(struct store *st, void *ctx), void *ctx)
{
    return atomic(st, STORE_TX_WRITE, fn, ctx);
}

enum pm_err sql_atomic_read_committed(struct store *st,
                                      enum pm_err (*fn)(struct store *st, void *ctx), void *ctx)
{
    return atomic(st, STORE_TX_READ_COMMITTED, fn, ctx);
}

enum pm_err sql_atomic_commit_sent(struct store *st, enum pm_err (*fn)(struct store *st, void *ctx),
                                   void *ctx)
{
    struct pm_error saved;
    enum pm_err err;
    int attempt;

    if (sql_in_transaction(st))
        return pm_error_set(&st->error, PM_ERR_INTERNAL, "",
                            "a commit sent ahead: a transaction is open");
    for (attempt = 1;; attempt++) {
        sql_ids_forget(st);
        err = st->drv->begin(st, STORE_TX_READ_COMMITTED);
        if (!err)
            err = fn(st, ctx);
        if (!err)
            return store_commit_send(st);
        saved = st->error;
        (void)st->drv->rollback(st);
        st->error = saved;
        if (err != PM_ERR_BUSY || attempt == RETRIES)
            return err;
        sql_backoff(attempt);
    }
}

/* ---- id series ---- */

/* One update of the series row: n values, the first in *out. */
static enum pm_err reserve_exact(struct store *st, int64_t company_id, const char *name,
                                 int64_t first, int64_t n, int64_t *out)
{
    static const char sql[] =
        "INSERT INTO sequences (company_id, name, next_value)"
        " VALUES ($1, $2, CAST($3 AS BIGINT) + CAST($4 AS BIGINT))"
        " ON CONFLICT (company_id, name) DO UPDATE SET next_value = sequences.next_value"
        " + CAST($4 AS BIGINT)"
        " RETURNING next_value - CAST($4 AS BIGINT)";

    return sql_insert_idf(st, "allocating ids: no row", out, sql, "itii", company_id,
                          SQL_CAP(name, 64), first, n);
}

void sql_ids_forget(struct store *st)
{
    st->n_id_blocks = 0;
}

static struct store_id_block *id_block(struct store *st, int64_t company_id, const char *name)
{
    struct store_id_block *b;
    size_t i;

    for (i = 0; i < st->n_id_blocks; i++) {
        b = &st->id_blocks[i];
        if (b->company_id == company_id && !strcmp(b->name, name))
            return b;
    }
    if (st->n_id_blocks == sizeof(st->id_blocks) / sizeof(st->id_blocks[0]) ||
        strlen(name) >= sizeof(b->name))
        return NULL;
    b = &st->id_blocks[st->n_id_blocks++];
    memset(b, 0, sizeof(*b));
    b->company_id = company_id;
    snprintf(b->name, sizeof(b->name), "%s", name);
    b->grow = 1;
    return b;
}

enum pm_err sql_reserve_ids(struct store *st, int64_t company_id, const char *name, int64_t first,
                            int64_t n, int64_t *out)
{
    struct store_id_block *b = NULL;
    int64_t size, start;
    enum pm_err err;

    if (sql_has(st, STORE_CAP_ID_BLOCKS) && sql_in_transaction(st) &&
        strcmp(name, "invoice_number") != 0)
        b = id_block(st, company_id, name);
    if (!b)
        return reserve_exact(st, company_id, name, first, n, out);
    if (b->end - b->next < n) {
        size = n > b->grow ? n : b->grow;
        err = reserve_exact(st, company_id, name, first, size, &start);
        if (err)
            return err;
        b->next = start;
        b->end = start + size;
        if (b->grow < ID_BLOCK_MAX)
            b->grow *= 2;
    }
    *out = b->next;
    b->next += n;
    return PM_OK;
}

enum pm_err sql_next_id(struct store *st, int64_t company_id, const char *name, int64_t first,
                        int64_t *out)
{
    return sql_reserve_ids(st, company_id, name, first, 1, out);
}
