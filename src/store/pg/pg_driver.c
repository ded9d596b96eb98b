/*
 * pg_driver.c — the PostgreSQL driver (store_driver.h): prepared
 * statements with bound parameters on one libpq connection.
 *
 * A statement is prepared once per connection (PQprepare) and run by its
 * first step (PQexecPrepared with the bound values, all as text or bytes);
 * later steps walk the result's rows.  A statement run outside a
 * transaction that fails on a serialisation failure or deadlock is run
 * again here, a few times with a short random pause; inside a transaction
 * the caller retries the whole unit (sql_atomic, or the API per request).
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/pg/pg_store.h"
#include "store/sql.h"

#define PARAMS_MAX 100
#define RETRIES    30

struct store_stmt {
    char name[24];
    int n_params; /* the highest index bound */
    bool overflow;
    char *values[PARAMS_MAX]; /* owned copies; NULL = SQL NULL */
    int lengths[PARAMS_MAX];
    int formats[PARAMS_MAX];
    PGresult *res;
    int row, n_rows;     /* row = the current one, -1 before the first */
    unsigned char *blob; /* the last bytea column decoded */
};

static struct pg_store *engine(struct store *st)
{
    return (struct pg_store *)st;
}

static enum pm_err drv_prepare(struct store *st, const char *sql, struct store_stmt **out)
{
    static atomic_ulong serial;
    struct pg_store *s = engine(st);
    struct store_stmt *q = calloc(1, sizeof(*q));
    PGresult *res;
    enum pm_err err;

    *out = NULL;
    if (!q)
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "preparing a statement");
    snprintf(q->name, sizeof(q->name), "q%lu", (unsigned long)atomic_fetch_add(&serial, 1));
    q->row = -1;
    res = PQprepare(s->conn, q->name, sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        err = pg_store_fail(s, res, "preparing a statement");
        PQclear(res);
        free(q);
        return err;
    }
    PQclear(res);
    *out = q;
    return PM_OK;
}

static void clear_values(struct store_stmt *q)
{
    int i;

    for (i = 0; i < q->n_params; i++) {
        free(q->values[i]);
        q->values[i] = NULL;
        q->lengths[i] = 0;
        q->formats[i] = 0;
    }
    q->n_params = 0;
    q->overflow = false;
}

static void clear_result(struct store_stmt *q)
{
    PQclear(q->res);
    q->res = NULL;
    q->row = -1;
    q->n_rows = 0;
    if (q->blob)
        PQfreemem(q->blob);
    q->blob = NULL;
}

static void drv_reset(struct store_stmt *q)
{
    clear_result(q);
    clear_values(q);
}

static void drv_finalize(struct store_stmt *q)
{
    if (!q)
        return;
    drv_reset(q);
    free(q);
}

/* Slot i (1-based) for a new value, or NULL (overflow). */
static int slot(struct store_stmt *q, int i)
{
    if (i < 1 || i > PARAMS_MAX) {
        q->overflow = true;
        return -1;
    }
    while (q->n_params < i) {
        q->values[q->n_params] = NULL;
        q->lengths[q->n_params] = 0;
        q->formats[q->n_params] = 0;
        q->n_params++;
    }
    free(q->values[i - 1]);
    q->values[i - 1] = NULL;
    return i - 1;
}

static void set_bytes(struct store_stmt *q, int i, const void *v, size_t len, int format)
{
    int k = slot(q, i);
    char *copy;

    if (k < 0)
        return;
    copy = malloc(len + 1);
    if (!copy || len > INT32_MAX) {
        free(copy);
        q->overflow = true;
        return;
    }
    if (len)
        memcpy(copy, v, len);
    copy[len] = '\0';
    q->values[k] = copy;
    q->lengths[k] = (int)len;
    q->formats[k] = format;
}

static void drv_bind_int(struct store_stmt *q, int i, int64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof(text), "%" PRId64, v);

    set_bytes(q, i, text, (size_t)n, 0);
}

static void drv_bind_text(struct store_stmt *q, int i, const char *v, size_t len)
{
    /* Text travels NUL-terminated: a NUL inside is refused, not cut. */
    if (memchr(v, '\0', len))
        q->overflow = true;
    set_bytes(q, i, v, len, 0);
}

static void drv_bind_blob(struct store_stmt *q, int i, const void *v, size_t len)
{
    set_bytes(q, i, v, len, 1);
}

static void drv_bind_null(struct store_stmt *q, int i)
{
    (void)slot(q, i);
}

static void backoff(int attempt)
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

static enum pm_err run(struct pg_store *s, struct store_stmt *q)
{
    bool alone = !pg_store_in_transaction(s);
    ExecStatusType status;
    enum pm_err err;
    int attempt;

    if (q->overflow)
        return pm_error_set(&s->base.error, PM_ERR_INTERNAL, "", "a statement's parameters");
    for (attempt = 1;; attempt++) {
        q->res = PQexecPrepared(s->conn, q->name, q->n_params, (const char *const *)q->values,
                                q->lengths, q->formats, 0);
        status = PQresultStatus(q->res);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            s->retryable = false;
            q->n_rows = PQntuples(q->res);
            q->row = -1;
            return PM_OK;
        }
        err = pg_store_fail(s, q->res, "running a statement");
        PQclear(q->res);
        q->res = NULL;
        if (err != PM_ERR_BUSY || !alone || attempt == RETRIES)
            return err;
        backoff(attempt);
    }
}

static enum pm_err drv_step(struct store *st, struct store_stmt *q, bool *row)
{
    enum pm_err err;

    *row = false;
    if (!q->res) {
        err = run(engine(st), q);
        if (err)
            return err;
    }
    if (q->blob) {
        PQfreemem(q->blob);
        q->blob = NULL;
    }
    if (q->row + 1 < q->n_rows) {
        q->row++;
        *row = true;
    } else {
        q->row = q->n_rows;
    }
    return PM_OK;
}

static bool drv_column_null(struct store_stmt *q, int col)
{
    return !q->res || q->row < 0 || q->row >= q->n_rows || PQgetisnull(q->res, q->row, col);
}

static int64_t drv_column_int(struct store_stmt *q, int col)
{
    const char *v;

    if (drv_column_null(q, col))
        return 0;
    v = PQgetvalue(q->res, q->row, col);
    if (v[0] == 't')
        return 1; /* a boolean */
    return (int64_t)strtoll(v, NULL, 10);
}

static const char *drv_column_text(struct store_stmt *q, int col, size_t *len)
{
    if (drv_column_null(q, col)) {
        *len = 0;
        return "";
    }
    *len = (size_t)PQgetlength(q->res, q->row, col);
    return PQgetvalue(q->res, q->row, col);
}

static enum pm_err drv_column_blob(struct store *st, struct store_stmt *q, int col,
                                   const void **data, size_t *len)
{
    size_t n = 0;

    *data = NULL;
    *len = 0;
    if (drv_column_null(q, col))
        return PM_OK;
    if (q->blob)
        PQfreemem(q->blob);
    q->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(q->res, q->row, col), &n);
    if (!q->blob)
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "decoding bytes");
    *data = q->blob;
    *len = n;
    return PM_OK;
}

static int64_t drv_changes(struct store_stmt *q)
{
    const char *tuples = q->res ? PQcmdTuples(q->res) : "";

    return tuples[0] ? (int64_t)strtoll(tuples, NULL, 10) : 0;
}

static bool drv_in_transaction(struct store *st)
{
    return pg_store_in_transaction(engine(st));
}

static const char *const pg_schemes[] = {"postgresql://", "postgres://", NULL};

const struct store_driver pg_store_driver = {
    .name = "postgresql",
    .dialect = STORE_DIALECT_PG,
    .caps = STORE_CAP_SKIP_LOCKED | STORE_CAP_ID_BLOCKS,
    .schemes = pg_schemes,
    .open = pg_store_open,
    .close = pg_store_close,
    .migrate = pg_store_migrate,
    .prepare = drv_prepare,
    .finalize = drv_finalize,
    .bind_int = drv_bind_int,
    .bind_text = drv_bind_text,
    .bind_blob = drv_bind_blob,
    .bind_null = drv_bind_null,
    .step = drv_step,
    .column_int = drv_column_int,
    .column_null = drv_column_null,
    .column_text = drv_column_text,
    .column_blob = drv_column_blob,
    .changes = drv_changes,
    .reset = drv_reset,
    .in_transaction = drv_in_transaction,
    .begin = pg_store_begin,
    .begin_for = pg_store_begin_for,
    .commit = pg_store_commit,
    .rollback = pg_store_rollback,
    .data_version = pg_store_data_version,
};
