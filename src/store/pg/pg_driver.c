/*
 * pg_driver.c — the PostgreSQL driver (store_driver.h): prepared
 * statements with bound parameters on one libpq connection.
 *
 * A statement is prepared once per connection (PQprepare) and run by its
 * first step (PQexecPrepared with the bound values, all as text or bytes);
 * later steps walk the result's rows.  Its rows come in binary when every
 * column is of a type read here (numbers, booleans, text, bytes: the
 * server's description of the statement, asked once when it is prepared),
 * else as text: a binary number is neither printed by the server nor
 * parsed here, and bytes come unescaped.  A statement armed by
 * store_version_with_next goes out in one pipeline behind the data
 * version's read (exec_with_version): one round trip for both.
 *
 * A statement run outside a transaction that fails on a serialisation
 * failure or deadlock is run again here, a few times with a short random
 * pause; inside a transaction the caller retries the whole unit
 * (sql_atomic, or the API per request).  A connection the server dropped
 * is made again (PQreset, the session settings, the statements prepared
 * again on their next run) when the next transaction begins or a
 * statement runs outside one; inside the transaction it broke, every
 * statement fails until the caller rolls back, so nothing of that
 * transaction is half written.
 */
#include <endian.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg_store.h"
#include "store/sql.h"

#define PARAMS_MAX 100
#define RETRIES    30

/* The result types read in binary (pg_type's oids, fixed since 7.x). */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25 };
enum { OID_VARCHAR = 1043 };

struct store_stmt {
    char name[24];
    char *sql;           /* to prepare it again on a new connection */
    unsigned generation; /* the connection it is prepared on */
    int n_params;        /* the highest index bound */
    bool overflow;
    char *values[PARAMS_MAX]; /* owned copies; NULL = SQL NULL */
    int lengths[PARAMS_MAX];
    int formats[PARAMS_MAX];
    PGresult *res;
    int row, n_rows;     /* row = the current one, -1 before the first */
    unsigned char *blob; /* the last bytea column decoded (text results) */
    bool binary;         /* results in binary: every column's type is read here */
    int n_cols;
    char (*numbers)[24]; /* per column: a binary number read as text */
};

static struct pg_store *engine(struct store *st)
{
    return (struct pg_store *)st;
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

static enum pm_err fail(struct pg_store *s, const PGresult *res, const char *what)
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
        s->tx_busy = true;
    } else if (state && !strcmp(state, "25P02") && s->tx_busy) {
        /* a statement sent after the transaction failed on a conflict:
         * still the conflict, and the whole unit may run again */
        err = PM_ERR_BUSY;
    } else if (has_class(state, "08") || PQstatus(s->conn) != CONNECTION_OK) {
        err = PM_ERR_IO;
    }
    /* libpq's messages end in a newline; the log line should not. */
    len = strlen(msg);
    while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    return pm_error_set(&s->base.error, err, field, "%s: %.*s", what, (int)len, msg);
}

/* The server ended the session (SQLSTATE class 57: an administrator's
 * pg_terminate_backend, a shutdown): a statement it answered so did not
 * commit. */
static bool terminated(const PGresult *res)
{
    return has_class(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL, "57");
}

/* libpq's notices: the server's FATAL that it ends the session, which
 * reaches an idle connection as a notice, marks the session as ended;
 * every notice then goes on to libpq's own receiver (which hands it to the
 * connection's notice processor; it reads nothing of its argument). */
static void on_notice(void *arg, const PGresult *res)
{
    struct pg_store *s = arg;

    if (terminated(res))
        s->ended = true;
    if (s->libpq_notice)
        s->libpq_notice(NULL, res);
}

static bool alive(const struct pg_store *s)
{
    return PQstatus(s->conn) == CONNECTION_OK;
}

/* On a lost connection: whether a transaction was open when it broke. */
static bool in_transaction(const struct pg_store *s)
{
    if (!alive(s))
        return s->tx_open;
    return PQtransactionStatus(s->conn) != PQTRANS_IDLE;
}

/* After a statement: what the server says of the transaction. */
static void note_transaction(struct pg_store *s)
{
    if (alive(s))
        s->tx_open = PQtransactionStatus(s->conn) != PQTRANS_IDLE;
}

static bool drv_in_transaction(struct store *st)
{
    return in_transaction(engine(st));
}

/* The session settings every handle runs with.  A reader (of a standby,
 * or of the primary: the lists of paminn serve) reads only, and a hot
 * standby runs no SERIALIZABLE transactions; each of its statements, the
 * lists', is planned once per connection: with plan_cache_mode = auto the
 * server planned every execution of a list page again (its generic plan
 * looks dearer under LIMIT $n), which cost more than the page's execution.
 * The generic plans of every list shape are the ones the tests check
 * (list_uses_indexes_pg in tests/unit/store_test.c). */
static const char SQL_SESSION[] = "SET default_transaction_isolation = 'serializable';"
                                  "SET client_encoding = 'UTF8';"
                                  "SET TIME ZONE 'UTC';"
                                  "SET client_min_messages = 'warning'";
static const char SQL_SESSION_STANDBY[] = "SET default_transaction_isolation = 'repeatable read';"
                                          "SET default_transaction_read_only = on;"
                                          "SET plan_cache_mode = force_generic_plan;"
                                          "SET client_encoding = 'UTF8';"
                                          "SET TIME ZONE 'UTC';"
                                          "SET client_min_messages = 'warning'";

static const char *session_sql(const struct pg_store *s)
{
    return s->standby ? SQL_SESSION_STANDBY : SQL_SESSION;
}

/* Outside a transaction: make the connection again when the server has
 * dropped it.  An idle connection does not know it was dropped until it
 * reads, so what the server sent meanwhile (its FATAL and the end of the
 * stream) is read first, without waiting.  The session's advisory locks
 * went with the old connection; its prepared statements too (a new
 * generation: each is prepared again on its next run). */
static enum pm_err revive(struct pg_store *s)
{
    enum pm_err err = PM_OK;
    PGresult *res;

    /* Twice: the first read may end with the server's message, the second
     * then meets the end of the stream.  The server's FATAL may come before
     * the end of the stream does; it says enough. */
    if (alive(s) && PQconsumeInput(s->conn) && PQconsumeInput(s->conn))
        (void)PQisBusy(s->conn); /* parses it: on_notice() */
    if (alive(s) && !s->ended)
        return PM_OK;
    PQreset(s->conn);
    s->ended = false;
    s->write_lock = 0;
    s->tx_open = false;
    s->generation++;
    if (!alive(s))
        return fail(s, NULL, "connecting to PostgreSQL again");
    res = PQexec(s->conn, session_sql(s));
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        err = fail(s, res, "setting up the session again");
    PQclear(res);
    return err;
}

static bool binary_type(Oid type)
{
    switch (type) {
    case OID_BOOL:
    case OID_BYTEA:
    case OID_INT8:
    case OID_INT2:
    case OID_INT4:
    case OID_TEXT:
    case OID_VARCHAR:
        return true;
    default:
        return false;
    }
}

/* Prepare q on the connection and ask the server what its rows are: in
 * binary when every column's type is one this driver reads so. */
static enum pm_err prepare_on(struct pg_store *s, struct store_stmt *q, const char *what)
{
    PGresult *res = PQprepare(s->conn, q->name, q->sql, 0, NULL);
    enum pm_err err = PM_OK;
    int i, n;

    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        err = fail(s, res, what);
        PQclear(res);
        return err;
    }
    PQclear(res);
    res = PQdescribePrepared(s->conn, q->name);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        err = fail(s, res, what);
        PQclear(res);
        return err;
    }
    n = PQnfields(res);
    q->binary = true;
    for (i = 0; i < n; i++)
        q->binary = q->binary && binary_type(PQftype(res, i));
    PQclear(res);
    free(q->numbers);
    q->numbers = n ? calloc((size_t)n, sizeof(*q->numbers)) : NULL;
    q->n_cols = q->numbers ? n : 0;
    if (n && !q->numbers)
        return pm_error_set(&s->base.error, PM_ERR_NOMEM, "", "%s", what);
    q->generation = s->generation;
    return PM_OK;
}

static enum pm_err drv_prepare(struct store *st, const char *sql, struct store_stmt **out)
{
    static atomic_ulong serial;
    struct pg_store *s = engine(st);
    struct store_stmt *q = calloc(1, sizeof(*q));
    enum pm_err err;

    *out = NULL;
    if (!q)
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "preparing a statement");
    snprintf(q->name, sizeof(q->name), "q%lu", (unsigned long)atomic_fetch_add(&serial, 1));
    q->row = -1;
    q->sql = strdup(sql);
    if (!q->sql) {
        free(q);
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "preparing a statement");
    }
    err = in_transaction(s) ? PM_OK : revive(s);
    if (!err)
        err = prepare_on(s, q, "preparing a statement");
    if (err)
        goto out_free;
    *out = q;
    return PM_OK;
out_free:
    free(q->numbers);
    free(q->sql);
    free(q);
    return err;
}

/* q prepared on the current connection (again, after it was made anew). */
static enum pm_err prepared(struct pg_store *s, struct store_stmt *q)
{
    if (q->generation == s->generation)
        return PM_OK;
    return prepare_on(s, q, "preparing a statement again");
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
    free(q->numbers);
    free(q->sql);
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

/* The data version: the snapshot's text, hashed.  (See drv_data_version.) */
#define SQL_DATA_VERSION "SELECT pg_current_snapshot()::text"

static uint64_t text_hash(const char *text)
{
    const unsigned char *c;
    uint64_t h = UINT64_C(14695981039346656037);

    for (c = (const unsigned char *)text; *c; c++)
        h = (h ^ *c) * UINT64_C(1099511628211);
    return h;
}

/* The results of a pipeline of two statements and its sync, in order:
 * the first's and the second's (NULL for one that never came). */
static void pipeline_results(PGconn *conn, PGresult *out[2])
{
    PGresult *res;
    int n = 0, nulls = 0;

    out[0] = out[1] = NULL;
    for (;;) {
        res = PQgetResult(conn);
        if (!res) {
            /* one NULL ends each statement's results; two in a row, or
             * one on a broken connection, mean nothing more will come */
            if (++nulls > 1 || PQstatus(conn) != CONNECTION_OK)
                break;
            continue;
        }
        nulls = 0;
        if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        if (n < 2)
            out[n++] = res;
        else
            PQclear(res);
    }
    (void)PQexitPipelineMode(conn);
}

/*
 * q run with the data version read just before it, in one round trip: a
 * pipeline whose two statements are one implicit transaction, so on a
 * reader's REPEATABLE READ session they share one snapshot.  The
 * statement's result, or the version's failure; the version, when read,
 * in s->version.
 */
static PGresult *exec_with_version(struct pg_store *s, struct store_stmt *q)
{
    PGresult *res[2];

    if (s->version_prepared != s->generation + 1) { /* once per connection */
        res[0] = PQprepare(s->conn, "paminn_version", SQL_DATA_VERSION, 0, NULL);
        if (PQresultStatus(res[0]) != PGRES_COMMAND_OK)
            return res[0];
        PQclear(res[0]);
        s->version_prepared = s->generation + 1;
    }
    if (!PQenterPipelineMode(s->conn))
        return NULL;
    if (!PQsendQueryPrepared(s->conn, "paminn_version", 0, NULL, NULL, NULL, 0) ||
        !PQsendQueryPrepared(s->conn, q->name, q->n_params, (const char *const *)q->values,
                             q->lengths, q->formats, q->binary ? 1 : 0) ||
        !PQpipelineSync(s->conn)) {
        pipeline_results(s->conn, res);
        PQclear(res[0]);
        PQclear(res[1]);
        return NULL; /* PQerrorMessage says why */
    }
    pipeline_results(s->conn, res);
    if (PQresultStatus(res[0]) != PGRES_TUPLES_OK || PQntuples(res[0]) != 1) {
        PQclear(res[1]);
        return res[0];
    }
    s->version = text_hash(PQgetvalue(res[0], 0, 0));
    s->version_read = true;
    PQclear(res[0]);
    return res[1];
}

static enum pm_err run(struct pg_store *s, struct store_stmt *q)
{
    bool alone = !in_transaction(s), lost;
    ExecStatusType status;
    enum pm_err err;
    int attempt;

    if (q->overflow)
        return pm_error_set(&s->base.error, PM_ERR_INTERNAL, "", "a statement's parameters");
    for (attempt = 1;; attempt++) {
        err = alone ? revive(s) : PM_OK;
        if (!err)
            err = prepared(s, q);
        if (err)
            return err;
        if (s->version_next && alone) {
            s->version_next = false;
            q->res = exec_with_version(s, q);
        } else {
            q->res = PQexecPrepared(s->conn, q->name, q->n_params, (const char *const *)q->values,
                                    q->lengths, q->formats, q->binary ? 1 : 0);
        }
        note_transaction(s);
        status = PQresultStatus(q->res);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            q->n_rows = PQntuples(q->res);
            q->row = -1;
            return PM_OK;
        }
        err = fail(s, q->res, "running a statement");
        lost = alone && !alive(s) && (terminated(q->res) || s->ended);
        PQclear(q->res);
        q->res = NULL;
        if (lost && attempt < RETRIES)
            continue; /* the server ended the session before it ran: again on a new one */
        if (err != PM_ERR_BUSY || !alone || attempt == RETRIES)
            return err;
        sql_backoff(attempt);
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

/* A binary integer of the column's type (big-endian on the wire). */
static int64_t binary_int(const char *v, Oid type)
{
    uint64_t u64;
    uint32_t u32;
    uint16_t u16;

    switch (type) {
    case OID_INT8:
        memcpy(&u64, v, sizeof(u64));
        return (int64_t)be64toh(u64);
    case OID_INT4:
        memcpy(&u32, v, sizeof(u32));
        return (int32_t)be32toh(u32);
    case OID_INT2:
        memcpy(&u16, v, sizeof(u16));
        return (int16_t)be16toh(u16);
    case OID_BOOL:
        return v[0] != 0;
    default:
        return (int64_t)strtoll(v, NULL, 10); /* text */
    }
}

static int64_t drv_column_int(struct store_stmt *q, int col)
{
    const char *v;

    if (drv_column_null(q, col))
        return 0;
    v = PQgetvalue(q->res, q->row, col);
    if (q->binary)
        return binary_int(v, PQftype(q->res, col));
    if (v[0] == 't')
        return 1; /* a boolean */
    return (int64_t)strtoll(v, NULL, 10);
}

/* Text as the server would print it: a binary number or boolean is
 * printed into the column's own buffer (valid until the next row). */
static const char *drv_column_text(struct store_stmt *q, int col, size_t *len)
{
    Oid type;
    int n;

    if (drv_column_null(q, col)) {
        *len = 0;
        return "";
    }
    type = q->binary ? PQftype(q->res, col) : OID_TEXT;
    if (type == OID_BOOL) {
        *len = 1;
        return PQgetvalue(q->res, q->row, col)[0] ? "t" : "f";
    }
    if ((type == OID_INT8 || type == OID_INT4 || type == OID_INT2) && col < q->n_cols) {
        n = snprintf(q->numbers[col], sizeof(q->numbers[col]), "%" PRId64,
                     binary_int(PQgetvalue(q->res, q->row, col), type));
        *len = (size_t)n;
        return q->numbers[col];
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
    if (q->binary) { /* the bytes themselves */
        *data = PQgetvalue(q->res, q->row, col);
        *len = (size_t)PQgetlength(q->res, q->row, col);
        return PM_OK;
    }
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

static enum pm_err drv_exec(struct store *st, const char *sql, const char *what)
{
    struct pg_store *s = engine(st);
    enum pm_err err = in_transaction(s) ? PM_OK : revive(s);
    ExecStatusType status;
    PGresult *res;

    if (err)
        return err;
    res = PQexec(s->conn, sql);
    note_transaction(s);
    status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        err = fail(s, res, what);
    PQclear(res);
    return err;
}

/* The data of a COPY in pieces of this many bytes. */
#define COPY_PIECE (1 << 20)

/* What the server answered a COPY: its last result (the command's end,
 * or the failure), the rest drained. */
static enum pm_err copy_result(struct pg_store *s)
{
    enum pm_err err = PM_OK;
    PGresult *res;

    while ((res = PQgetResult(s->conn))) {
        if (!err && PQresultStatus(res) != PGRES_COMMAND_OK)
            err = fail(s, res, "copying rows");
        PQclear(res);
    }
    note_transaction(s);
    return err;
}

/* COPY ... FROM STDIN with data in COPY's text format: the statement,
 * the data in pieces, the end, the server's answer.  A failure while
 * sending ends the copy with that message, so the server rolls the
 * statement back and the connection stays usable. */
static enum pm_err drv_copy_in(struct store *st, const char *copy, const char *data, size_t len)
{
    struct pg_store *s = engine(st);
    enum pm_err err = in_transaction(s) ? PM_OK : revive(s);
    size_t done = 0, k;
    PGresult *res;
    int ok = 1;

    if (err)
        return err;
    res = PQexec(s->conn, copy);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        err = fail(s, res, "starting a copy");
        PQclear(res);
        note_transaction(s);
        return err;
    }
    PQclear(res);
    while (ok == 1 && done < len) {
        k = len - done < COPY_PIECE ? len - done : COPY_PIECE;
        ok = PQputCopyData(s->conn, data + done, (int)k);
        done += k;
    }
    if (ok == 1)
        ok = PQputCopyEnd(s->conn, NULL);
    else
        (void)PQputCopyEnd(s->conn, "the client could not send the rows");
    err = copy_result(s);
    if (!err && ok != 1)
        err = pm_error_set(&s->base.error, PM_ERR_IO, "", "copying rows: %s",
                           PQerrorMessage(s->conn));
    return err;
}

/* ---- transactions ---- */

static const char SQL_BEGIN[] = "BEGIN";
static const char SQL_BEGIN_RC[] = "BEGIN ISOLATION LEVEL READ COMMITTED";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_LOCK[] = "SELECT pg_advisory_lock($1::bigint)";
static const char SQL_UNLOCK[] = "SELECT pg_advisory_unlock($1::bigint)";

/* A company's write lock: an advisory lock key of its own class. */
#define WRITE_LOCK_CLASS (INT64_C(0x504d) << 48)

/* SERIALIZABLE, the session's default: the same guarantees as SQLite's
 * single writer, with a serialisation failure (PM_ERR_BUSY, retryable)
 * where SQLite would have waited for the lock. */
static enum pm_err drv_begin(struct store *st, enum store_tx kind)
{
    engine(st)->tx_busy = false;
    return sql_exec(st, kind == STORE_TX_READ_COMMITTED ? SQL_BEGIN_RC : SQL_BEGIN);
}

/* Run a statement of this file with one integer parameter, for its effect. */
static enum pm_err exec_int(struct store *st, const char *sql, int64_t v)
{
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    sql_bind_int(st, q, 1, v);
    err = sql_run(st, q);
    sql_done(st, q);
    return err;
}

/* The server dropped the connection: its transaction and its locks are
 * gone with it. */
static void forget_session(struct pg_store *s)
{
    s->tx_open = false;
    s->write_lock = 0;
}

/* Release the company write lock taken by op_begin_for, if any, keeping
 * the handle's error as it is. */
static void write_unlock(struct pg_store *s)
{
    struct pm_error saved = s->base.error;

    if (!s->write_lock)
        return;
    (void)exec_int(&s->base, SQL_UNLOCK, WRITE_LOCK_CLASS | s->write_lock);
    s->write_lock = 0;
    s->base.error = saved;
}

/*
 * Writers of one company queue for a session-level advisory lock taken
 * before BEGIN, and so before the transaction's snapshot: a writer that
 * waited then sees everything its predecessor committed, and the two never
 * fail each other with a serialisation error (on the sequences rows, say).
 * Work outside such transactions (background jobs) can still collide and
 * is retried as usual.
 */
static enum pm_err drv_begin_for(struct store *st, int64_t company_id)
{
    struct pg_store *s = engine(st);
    enum pm_err err;

    if (in_transaction(s))
        return pm_error_set(&s->base.error, PM_ERR_INTERNAL, "", "BEGIN: a transaction is open");
    write_unlock(s);
    err = exec_int(st, SQL_LOCK, WRITE_LOCK_CLASS | company_id);
    if (err)
        return err;
    s->write_lock = company_id;
    err = drv_begin(st, STORE_TX_WRITE);
    if (err)
        write_unlock(s);
    return err;
}

/* An earlier statement of the open transaction failed: PostgreSQL would
 * answer its COMMIT with a quiet ROLLBACK. */
static bool aborted(const struct pg_store *s)
{
    return PQtransactionStatus(s->conn) == PQTRANS_INERROR;
}

static enum pm_err aborted_commit(struct pg_store *s)
{
    return pm_error_set(&s->base.error, s->tx_busy ? PM_ERR_BUSY : PM_ERR_DB, "",
                        "COMMIT: the transaction was aborted by an earlier failure%s",
                        s->tx_busy ? " (a serialisation conflict: retryable)" : "");
}

/* After a COMMIT (err: how it went): no transaction left open, the write
 * lock given back. */
static enum pm_err commit_ended(struct pg_store *s, enum pm_err err)
{
    PGresult *res;

    if (err && alive(s) && in_transaction(s)) {
        res = PQexec(s->conn, SQL_ROLLBACK);
        PQclear(res);
    }
    if (!alive(s))
        forget_session(s);
    write_unlock(s);
    return err;
}

/* A failed COMMIT (a deferred constraint, a serialisation failure) leaves
 * nothing behind: PostgreSQL has rolled back already, and any transaction
 * still open is rolled back here, so store_rollback() afterwards is
 * harmless. */
static enum pm_err drv_commit(struct store *st)
{
    struct pg_store *s = engine(st);

    return commit_ended(s, aborted(s) ? aborted_commit(s) : sql_exec(st, SQL_COMMIT));
}

/* The first half of store_commit_send(): the COMMIT is on its way to the
 * server when this returns. */
static enum pm_err drv_commit_send(struct store *st)
{
    struct pg_store *s = engine(st);

    if (aborted(s))
        return commit_ended(s, aborted_commit(s));
    if (!PQsendQuery(s->conn, SQL_COMMIT))
        return commit_ended(s, fail(s, NULL, "COMMIT"));
    s->commit_sent = true;
    return PM_OK;
}

static enum pm_err drv_commit_wait(struct store *st)
{
    struct pg_store *s = engine(st);
    enum pm_err err = PM_OK;
    PGresult *res;

    if (!s->commit_sent)
        return PM_OK;
    s->commit_sent = false;
    while ((res = PQgetResult(s->conn))) {
        if (!err && PQresultStatus(res) != PGRES_COMMAND_OK)
            err = fail(s, res, "COMMIT");
        PQclear(res);
    }
    note_transaction(s);
    return commit_ended(s, err);
}

/* Rolling back when no transaction is open is a no-op. */
static enum pm_err drv_rollback(struct store *st)
{
    struct pg_store *s = engine(st);
    enum pm_err err = PM_OK;

    /* A dropped connection took its transaction with it: nothing to undo. */
    if (!alive(s))
        forget_session(s);
    else if (in_transaction(s))
        err = sql_exec(st, SQL_ROLLBACK);
    write_unlock(s);
    return err;
}

/*
 * A hash (FNV-1a, 64 bits) of the server's current snapshot, "xmin:xmax:
 * xip,...": the snapshot says exactly which transactions' writes a query
 * would see, so it changes when, and only when, a write transaction of
 * any connection ends, and never repeats (xmax only grows).  Not the WAL
 * position: a commit's record is written before the commit becomes
 * visible, so a version read in between would already count a change
 * that the query run next does not yet see, and the cache would keep that
 * stale answer under the new number.
 */
static enum pm_err snapshot_hash(struct store *st, struct store_stmt *q, void *out)
{
    *(uint64_t *)out = text_hash(sql_text_ref(st, q, 0, NULL));
    return PM_OK;
}

static const struct sql_reader snapshot_reader = SQL_READER_FN(uint64_t, snapshot_hash);

static enum pm_err drv_data_version(struct store *st, uint64_t *out)
{
    static const char sql[] = SQL_DATA_VERSION;

    *out = 0;
    return sql_getf(st, "", "reading the data version: no row", &snapshot_reader, out, sql, "");
}

/*
 * The data version and, read in the same statement, the end of the WAL
 * inserted so far.  Every transaction the snapshot shows committed wrote
 * its commit record before it became visible, so a standby that has
 * replayed up to this position shows at least what the snapshot does.
 */
struct version_at {
    uint64_t version;
    char pos[STORE_POSITION_MAX];
};

static enum pm_err version_at_row(struct store *st, struct store_stmt *q, void *out)
{
    struct version_at *v = out;

    snapshot_hash(st, q, &v->version);
    snprintf(v->pos, sizeof(v->pos), "%s", sql_text_ref(st, q, 1, NULL));
    return PM_OK;
}

static const struct sql_reader version_at_reader = SQL_READER_FN(struct version_at, version_at_row);

static enum pm_err drv_data_version_at(struct store *st, uint64_t *version, char *pos)
{
    static const char sql[] =
        "SELECT pg_current_snapshot()::text, pg_current_wal_insert_lsn()::text";
    struct version_at v = {0};
    enum pm_err err;

    *version = 0;
    pos[0] = '\0';
    err = sql_getf(st, "", "reading the data version: no row", &version_at_reader, &v, sql, "");
    if (!err) {
        *version = v.version;
        memcpy(pos, v.pos, sizeof(v.pos));
    }
    return err;
}

/* Has this server replayed (a standby) or written (a primary, e.g. one
 * promoted since) the WAL up to pos? */
static enum pm_err drv_replayed(struct store *st, const char *pos, bool *yes)
{
    static const char sql[] =
        "SELECT CASE WHEN pg_is_in_recovery() THEN coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn,"
        " false) ELSE pg_current_wal_insert_lsn() >= $1::pg_lsn END::int";
    int64_t v = 0;
    enum pm_err err;

    *yes = false;
    err = sql_getf(st, "", "reading the replay position: no row", &sql_int_reader, &v, sql, "t",
                   pos, strlen(pos));
    *yes = !err && v == 1;
    return err;
}

/* ---- the handle ---- */

static void drv_close(struct store *st)
{
    PQfinish(engine(st)->conn);
}

/* Which server a message is about: host, port and database, never the
 * user's password (libpq's own messages do not carry it either). */
static void server_name(PGconn *conn, char *dst, size_t cap)
{
    const char *host = conn ? PQhost(conn) : NULL;
    const char *port = conn ? PQport(conn) : NULL;
    const char *db = conn ? PQdb(conn) : NULL;

    snprintf(dst, cap, "%s:%s/%s", host && *host ? host : "(default host)",
             port && *port ? port : "5432", db ? db : "");
}

/* libpq's message without its trailing newline. */
static void conn_message(PGconn *conn, char *dst, size_t cap)
{
    const char *msg = conn ? PQerrorMessage(conn) : "out of memory";
    size_t len = strlen(msg);

    while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    snprintf(dst, cap, "%.*s", (int)len, msg);
}

/* A connection with its session set up: a handle of the primary, or with
 * standby a reader of a standby (no migrations: a standby takes none). */
static enum pm_err open_conn(const char *dsn, bool standby, struct store **out, struct pm_error *e)
{
    struct pg_store *s;
    char server[160], msg[200];
    enum pm_err err;
    PGresult *res;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (!s)
        return pm_error_set(e, PM_ERR_NOMEM, "", "allocating the store");
    store_init(&s->base, &pg_store_driver);
    s->standby = standby;
    s->conn = PQconnectdb(dsn);
    if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
        server_name(s->conn, server, sizeof(server));
        conn_message(s->conn, msg, sizeof(msg));
        err = pm_error_set(e, s->conn ? PM_ERR_IO : PM_ERR_NOMEM, "dsn",
                           "connecting to PostgreSQL at %s: %s", server, msg);
        goto out_close;
    }
    s->libpq_notice = PQsetNoticeReceiver(s->conn, on_notice, s);
    res = PQexec(s->conn, session_sql(s));
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        server_name(s->conn, server, sizeof(server));
        conn_message(s->conn, msg, sizeof(msg));
        err = pm_error_set(e, PM_ERR_DB, "dsn", "setting up the session on %s: %s", server, msg);
        PQclear(res);
        goto out_close;
    }
    PQclear(res);
    if (standby) {
        *out = &s->base;
        return PM_OK;
    }
    return store_open_done(&s->base, PM_OK, out, e);

out_close:
    store_destroy(&s->base);
    return err;
}

static enum pm_err drv_open(const char *dsn, struct store **out, struct pm_error *e)
{
    return open_conn(dsn, false, out, e);
}

static enum pm_err drv_open_standby(const char *dsn, struct store **out, struct pm_error *e)
{
    return open_conn(dsn, true, out, e);
}

static void drv_version_with_next(struct store *st)
{
    engine(st)->version_next = true;
    engine(st)->version_read = false;
}

static bool drv_version_taken(struct store *st, uint64_t *version)
{
    struct pg_store *s = engine(st);
    bool read = s->version_read;

    *version = read ? s->version : 0;
    s->version_next = s->version_read = false;
    return read;
}

static const char *const pg_schemes[] = {"postgresql://", "postgres://", NULL};

const struct store_driver pg_store_driver = {
    .name = "postgresql",
    .dialect = STORE_DIALECT_PG,
    .caps = STORE_CAP_SKIP_LOCKED | STORE_CAP_ID_BLOCKS,
    .schemes = pg_schemes,
    .open = drv_open,
    .migrations = &pg_migrations,
    .begin_for = drv_begin_for,
    .data_version_at = drv_data_version_at,
    .replayed = drv_replayed,
    .open_standby = drv_open_standby,
    .version_with_next = drv_version_with_next,
    .version_taken = drv_version_taken,
    .copy_in = drv_copy_in,
    .commit_send = drv_commit_send,
    .commit_wait = drv_commit_wait,
    STORE_DRIVER_STEPS,
};
