/*
 * pg_conn.c — what every file of the PostgreSQL engine shares: bound
 * parameters, the per-connection cache of prepared statements, reading
 * results, the mapping of SQLSTATEs to enum pm_err, transactions with
 * their retries, and the per-company id series.
 */
#include "store/pg/pg_store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RETRIES 30

int64_t pg_store_now(void)
{
    return (int64_t)time(NULL);
}

/* ---- parameters ---- */

void pg_params_init(struct pg_params *p)
{
    p->n = 0;
    p->overflow = false;
}

/* The next slot, or NULL (and overflow) when full. */
static int next_slot(struct pg_params *p)
{
    if (p->n >= PG_PARAMS_MAX) {
        p->overflow = true;
        return -1;
    }
    return p->n++;
}

void pg_param_int(struct pg_params *p, int64_t v)
{
    int i = next_slot(p);

    if (i < 0)
        return;
    snprintf(p->ints[i], sizeof(p->ints[i]), "%" PRId64, v);
    p->values[i] = p->ints[i];
    p->lengths[i] = 0;
    p->formats[i] = 0;
}

void pg_param_bool(struct pg_params *p, bool v)
{
    pg_param_int(p, v ? 1 : 0);
}

void pg_param_text(struct pg_params *p, const char *s, size_t cap)
{
    int i = next_slot(p);

    if (i < 0)
        return;
    /* Text parameters travel NUL-terminated; a value that fills its array
     * without a NUL is a bug in the caller, refused rather than read past. */
    if (s && strnlen(s, cap) == cap)
        p->overflow = true;
    p->values[i] = s ? s : "";
    p->lengths[i] = 0;
    p->formats[i] = 0;
}

void pg_param_null(struct pg_params *p)
{
    int i = next_slot(p);

    if (i < 0)
        return;
    p->values[i] = NULL;
    p->lengths[i] = 0;
    p->formats[i] = 0;
}

void pg_param_bytes(struct pg_params *p, const void *data, size_t len)
{
    int i = next_slot(p);

    if (i < 0)
        return;
    if (len > INT32_MAX)
        p->overflow = true;
    p->values[i] = data;
    p->lengths[i] = (int)len;
    p->formats[i] = 1;
}

/* ---- errors ---- */

/* The last column of "Key (company_id, number)=(1, 5) already exists." */
static void key_field(const char *detail, char *field, size_t cap)
{
    const char *open, *close, *start;

    field[0] = '\0';
    if (!detail || strncmp(detail, "Key (", 5) != 0)
        return;
    open = detail + 5;
    close = strstr(open, ")=");
    if (!close)
        return;
    start = close;
    while (start > open && start[-1] != ' ' && start[-1] != ',' && start[-1] != '(')
        start--;
    snprintf(field, cap, "%.*s", (int)(close - start), start);
}

static bool has_class(const char *state, const char *cls)
{
    return state && strncmp(state, cls, 2) == 0;
}

enum pm_err pg_store_fail(struct pg_store *s, const PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    /* The primary message alone: one line, like SQLite's, without libpq's
     * "ERROR:" prefix and DETAIL/HINT/CONTEXT lines. */
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *column = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    char field[64] = "";
    enum pm_err err = PM_ERR_DB;
    size_t len;

    s->retryable = false;
    if (!msg || !*msg)
        msg = PQerrorMessage(s->conn);
    if (state && !strcmp(state, "23505")) {
        err = PM_ERR_CONFLICT;
        key_field(res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL, field,
                  sizeof(field));
    } else if (state && !strcmp(state, "23503")) {
        err = PM_ERR_NOT_FOUND;
    } else if (state && (has_class(state, "22") || !strcmp(state, "23514") ||
                         !strcmp(state, "23502") || !strcmp(state, "P0001"))) {
        err = PM_ERR_INVALID;
        snprintf(field, sizeof(field), "%s", column ? column : constraint ? constraint : "");
    } else if (state &&
               (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))) {
        err = PM_ERR_BUSY;
        s->retryable = true;
    } else if (has_class(state, "08") || PQstatus(s->conn) != CONNECTION_OK) {
        err = PM_ERR_IO;
    }
    /* libpq's messages end in a newline; the log line should not. */
    len = strlen(msg);
    while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    return pm_error_set(&s->base.error, err, field, "%s: %.*s", what, (int)len, msg);
}

/* ---- statements ---- */

/* The prepared statement's name for sql on this connection, preparing it
 * on first use. */
static enum pm_err prepared(struct pg_store *s, const char *sql, const char **name)
{
    struct pg_stmt *grown, *slot;
    PGresult *res;
    size_t i, cap;

    for (i = 0; i < s->n_stmts; i++) {
        if (s->stmts[i].sql == sql) {
            *name = s->stmts[i].name;
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
    slot = &s->stmts[s->n_stmts];
    snprintf(slot->name, sizeof(slot->name), "pm%zu", s->n_stmts);
    res = PQprepare(s->conn, slot->name, sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        enum pm_err err = pg_store_fail(s, res, "preparing a statement");

        PQclear(res);
        return err;
    }
    PQclear(res);
    slot->sql = sql;
    s->n_stmts++;
    *name = slot->name;
    return PM_OK;
}

static bool result_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);

    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* One run of a statement; prepared when `dynamic` is false. */
static enum pm_err run_once(struct pg_store *s, const char *sql, const struct pg_params *p,
                            bool dynamic, PGresult **out, const char *what)
{
    static const struct pg_params none = {0};
    const char *name = NULL;
    PGresult *res;
    enum pm_err err;

    if (!p)
        p = &none;
    if (p->overflow)
        return pm_error_set(&s->base.error, PM_ERR_INTERNAL, "", "%s: bad parameters", what);
    if (!dynamic) {
        err = prepared(s, sql, &name);
        if (err)
            return err;
        res = PQexecPrepared(s->conn, name, p->n, p->values, p->lengths, p->formats, 0);
    } else {
        res = PQexecParams(s->conn, sql, p->n, NULL, p->values, p->lengths, p->formats, 0);
    }
    if (!result_ok(res)) {
        err = pg_store_fail(s, res, what);
        PQclear(res);
        return err;
    }
    s->retryable = false;
    if (out)
        *out = res;
    else
        PQclear(res);
    return PM_OK;
}

/* Pause 1..8 ms times the attempt before retrying a serialisation failure.
 * The jitter comes from the clock and the process id, not rand(): processes
 * forked from one parent (or started alike) would otherwise share rand()'s
 * sequence, pause alike and collide again on every retry. */
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

static enum pm_err run(struct pg_store *s, const char *sql, const struct pg_params *p, bool dynamic,
                       PGresult **out, const char *what)
{
    bool alone = !pg_store_in_transaction(s);
    enum pm_err err;
    int attempt;

    if (out)
        *out = NULL;
    for (attempt = 1;; attempt++) {
        err = run_once(s, sql, p, dynamic, out, what);
        if (err != PM_ERR_BUSY || !alone || !s->retryable || attempt == RETRIES)
            return err;
        backoff(attempt);
    }
}

enum pm_err pg_store_exec(struct pg_store *s, const char *sql, const struct pg_params *p,
                          PGresult **out, const char *what)
{
    return run(s, sql, p, false, out, what);
}

enum pm_err pg_store_exec_dynamic(struct pg_store *s, const char *sql, const struct pg_params *p,
                                  PGresult **out, const char *what)
{
    return run(s, sql, p, true, out, what);
}

enum pm_err pg_store_exec_row(struct pg_store *s, const char *sql, const struct pg_params *p,
                              PGresult **out, const char *what)
{
    PGresult *res = NULL;
    enum pm_err err = pg_store_exec(s, sql, p, &res, what);

    *out = NULL;
    if (err)
        return err;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "", "%s: not found", what);
    }
    *out = res;
    return PM_OK;
}

/* ---- reading results ---- */

int64_t pg_get_int(const PGresult *r, int row, int col)
{
    const char *v;

    if (PQgetisnull(r, row, col))
        return 0;
    v = PQgetvalue(r, row, col);
    return (int64_t)strtoll(v, NULL, 10);
}

bool pg_get_bool(const PGresult *r, int row, int col)
{
    const char *v;

    if (PQgetisnull(r, row, col))
        return false;
    v = PQgetvalue(r, row, col);
    return v[0] == 't' || (v[0] >= '1' && v[0] <= '9');
}

void pg_get_text(const PGresult *r, int row, int col, char *dst, size_t cap)
{
    snprintf(dst, cap, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

enum pm_err pg_get_bytes_alloc(struct pg_store *s, const PGresult *r, int row, int col,
                               unsigned char **out, size_t *len)
{
    unsigned char *raw, *copy;
    size_t n = 0;

    *out = NULL;
    *len = 0;
    if (PQgetisnull(r, row, col))
        return PM_OK;
    raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
    if (!raw)
        return pm_error_set(&s->base.error, PM_ERR_NOMEM, "", "decoding bytes");
    copy = malloc(n ? n : 1);
    if (!copy) {
        PQfreemem(raw);
        return pm_error_set(&s->base.error, PM_ERR_NOMEM, "", "decoding bytes");
    }
    memcpy(copy, raw, n);
    PQfreemem(raw);
    *out = copy;
    *len = n;
    return PM_OK;
}

enum pm_err pg_get_bytes(struct pg_store *s, const PGresult *r, int row, int col,
                         unsigned char *dst, size_t cap, size_t *len)
{
    unsigned char *data = NULL;
    enum pm_err err = pg_get_bytes_alloc(s, r, row, col, &data, len);

    if (err)
        return err;
    if (*len > cap) {
        free(data);
        *len = 0;
        return pm_error_set(&s->base.error, PM_ERR_RANGE, "", "stored bytes do not fit");
    }
    if (*len)
        memcpy(dst, data, *len);
    free(data);
    return PM_OK;
}

/* ---- transactions ---- */

static const char SQL_BEGIN[] = "BEGIN";
static const char SQL_BEGIN_RC[] = "BEGIN ISOLATION LEVEL READ COMMITTED";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_SAVEPOINT[] = "SAVEPOINT store_call";
static const char SQL_RELEASE[] = "RELEASE SAVEPOINT store_call";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO SAVEPOINT store_call";

bool pg_store_in_transaction(const struct pg_store *s)
{
    return PQtransactionStatus(s->conn) != PQTRANS_IDLE;
}

/* Run sql for its effect only, keeping the handle's error as it was: used
 * to undo after a failure that is already recorded. */
static void exec_quiet(struct pg_store *s, const char *sql)
{
    struct pm_error saved = s->base.error;
    bool retryable = s->retryable;

    (void)run_once(s, sql, NULL, false, NULL, "undo");
    s->base.error = saved;
    s->retryable = retryable;
}

enum pm_err pg_store_commit_checked(struct pg_store *s)
{
    /* PostgreSQL answers COMMIT of a transaction that an earlier statement
     * failed with a quiet ROLLBACK: report it as the failure it is. */
    if (PQtransactionStatus(s->conn) == PQTRANS_INERROR) {
        exec_quiet(s, SQL_ROLLBACK);
        return pm_error_set(&s->base.error, PM_ERR_DB, "",
                            "COMMIT: the transaction was aborted by an earlier failure");
    }
    return run_once(s, SQL_COMMIT, NULL, false, NULL, "committing");
}

static enum pm_err tx_begin(struct pg_store *s, bool *own, const char *begin_sql)
{
    *own = !pg_store_in_transaction(s);
    if (*own)
        pg_store_ids_forget(s);
    return run_once(s, *own ? begin_sql : SQL_SAVEPOINT, NULL, false, NULL,
                    "starting a transaction");
}

enum pm_err pg_store_tx_begin(struct pg_store *s, bool *own)
{
    return tx_begin(s, own, SQL_BEGIN);
}

enum pm_err pg_store_tx_end(struct pg_store *s, bool own, enum pm_err rc)
{
    if (rc == PM_OK) {
        rc = own ? pg_store_commit_checked(s)
                 : run_once(s, SQL_RELEASE, NULL, false, NULL, "committing");
        if (rc == PM_OK)
            return PM_OK;
    }
    pg_store_ids_forget(s);
    if (own) {
        if (pg_store_in_transaction(s))
            exec_quiet(s, SQL_ROLLBACK);
    } else if (pg_store_in_transaction(s)) {
        exec_quiet(s, SQL_ROLLBACK_TO);
        exec_quiet(s, SQL_RELEASE);
    }
    return rc;
}

static enum pm_err atomic(struct pg_store *s, const char *begin_sql,
                          enum pm_err (*fn)(struct pg_store *s, void *ctx), void *ctx)
{
    enum pm_err err;
    bool own = false;
    int attempt;

    for (attempt = 1;; attempt++) {
        err = tx_begin(s, &own, begin_sql);
        if (err)
            return err;
        err = pg_store_tx_end(s, own, fn(s, ctx));
        if (err != PM_ERR_BUSY || !own || !s->retryable || attempt == RETRIES)
            return err;
        backoff(attempt);
    }
}

enum pm_err pg_store_atomic(struct pg_store *s, enum pm_err (*fn)(struct pg_store *s, void *ctx),
                            void *ctx)
{
    return atomic(s, SQL_BEGIN, fn, ctx);
}

enum pm_err pg_store_atomic_read_committed(struct pg_store *s,
                                           enum pm_err (*fn)(struct pg_store *s, void *ctx),
                                           void *ctx)
{
    return atomic(s, SQL_BEGIN_RC, fn, ctx);
}

/* ---- id series ---- */

/* One update of the series row: n values, the first in *out. */
static enum pm_err reserve_exact(struct pg_store *s, int64_t company_id, const char *name,
                                 int64_t first, int64_t n, int64_t *out)
{
    static const char sql[] =
        "INSERT INTO sequences (company_id, name, next_value)"
        " VALUES ($1, $2, $3::bigint + $4::bigint)"
        " ON CONFLICT (company_id, name) DO UPDATE SET next_value = sequences.next_value + "
        "$4::bigint"
        " RETURNING next_value - $4::bigint";
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_text(&p, name, 64);
    pg_param_int(&p, first);
    pg_param_int(&p, n);
    err = pg_store_exec_row(s, sql, &p, &res, "allocating ids");
    if (err)
        return err;
    *out = pg_get_int(res, 0, 0);
    PQclear(res);
    return PM_OK;
}

void pg_store_ids_forget(struct pg_store *s)
{
    s->n_id_blocks = 0;
}

static struct pg_id_block *id_block(struct pg_store *s, int64_t company_id, const char *name)
{
    struct pg_id_block *b;
    size_t i;

    for (i = 0; i < s->n_id_blocks; i++) {
        b = &s->id_blocks[i];
        if (b->company_id == company_id && !strcmp(b->name, name))
            return b;
    }
    if (s->n_id_blocks == sizeof(s->id_blocks) / sizeof(s->id_blocks[0]) ||
        strlen(name) >= sizeof(b->name))
        return NULL;
    b = &s->id_blocks[s->n_id_blocks++];
    memset(b, 0, sizeof(*b));
    b->company_id = company_id;
    snprintf(b->name, sizeof(b->name), "%s", name);
    b->grow = 1;
    return b;
}

#define ID_BLOCK_MAX 4096

enum pm_err pg_store_reserve_ids(struct pg_store *s, int64_t company_id, const char *name,
                                 int64_t first, int64_t n, int64_t *out)
{
    struct pg_id_block *b = NULL;
    int64_t size, start;
    enum pm_err err;

    if (pg_store_in_transaction(s) && strcmp(name, "invoice_number") != 0)
        b = id_block(s, company_id, name);
    if (!b)
        return reserve_exact(s, company_id, name, first, n, out);
    if (b->end - b->next < n) {
        size = n > b->grow ? n : b->grow;
        err = reserve_exact(s, company_id, name, first, size, &start);
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

enum pm_err pg_store_next_id(struct pg_store *s, int64_t company_id, const char *name,
                             int64_t first, int64_t *out)
{
    return pg_store_reserve_ids(s, company_id, name, first, 1, out);
}
