/*
 * pg_store.c — the PostgreSQL engine: its handle, ops table,
 * transactions with the company write lock, and the data version (the
 * operations written once over the driver: src/store/store_*.c; the
 * shared machinery of statements and transactions: pg_conn.c).
 *
 * A handle is one libpq connection whose session runs SERIALIZABLE by
 * default, in UTF-8 and UTC; it is used by one thread at a time (store.h).
 * Behaviour is the SQLite engine's (sqlite_store.c), operation for
 * operation: the same return codes, error fields and ordering.  Text is
 * ordered and compared as SQLite does — bytes (COLLATE "C"), and for
 * e-mail addresses ignoring ASCII case (lower(x COLLATE "C")).
 *
 * created_at columns are set from time(NULL) here when the caller leaves
 * them 0, as in the SQLite engine.
 */
#include "store/pg/pg_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static struct pg_store *engine(struct store *st)
{
    return (struct pg_store *)st;
}

/* ---- transactions ---- */

static const char SQL_BEGIN[] = "BEGIN";
static const char SQL_BEGIN_RC[] = "BEGIN ISOLATION LEVEL READ COMMITTED";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_LOCK[] = "SELECT pg_advisory_lock($1::bigint)";
static const char SQL_UNLOCK[] = "SELECT pg_advisory_unlock($1::bigint)";

/* A company's write lock: an advisory lock key of its own class. */
#define WRITE_LOCK_CLASS (INT64_C(0x504d) << 48)

/* SERIALIZABLE, the session's default: the same guarantees as SQLite's
 * single writer, with a serialisation failure (PM_ERR_BUSY, retryable)
 * where SQLite would have waited for the lock. */
enum pm_err pg_store_begin(struct store *st, enum store_tx kind)
{
    pg_store_ids_forget(engine(st));
    return pg_store_exec(engine(st), kind == STORE_TX_READ_COMMITTED ? SQL_BEGIN_RC : SQL_BEGIN,
                         NULL, NULL, "BEGIN");
}

/* Release the company write lock taken by op_begin_for, if any, keeping
 * the handle's error as it is. */
static void write_unlock(struct pg_store *s)
{
    struct pm_error saved = s->base.error;
    bool retryable = s->retryable;
    struct pg_params p;

    if (!s->write_lock)
        return;
    pg_params_init(&p);
    pg_param_int(&p, WRITE_LOCK_CLASS | s->write_lock);
    (void)pg_store_exec(s, SQL_UNLOCK, &p, NULL, "releasing the write lock");
    s->write_lock = 0;
    s->base.error = saved;
    s->retryable = retryable;
}

/*
 * Writers of one company queue for a session-level advisory lock taken
 * before BEGIN, and so before the transaction's snapshot: a writer that
 * waited then sees everything its predecessor committed, and the two never
 * fail each other with a serialisation error (on the sequences rows, say).
 * Work outside such transactions (background jobs) can still collide and
 * is retried as usual.
 */
enum pm_err pg_store_begin_for(struct store *st, int64_t company_id)
{
    struct pg_store *s = engine(st);
    struct pg_params p;
    enum pm_err err;

    if (pg_store_in_transaction(s))
        return pm_error_set(&s->base.error, PM_ERR_INTERNAL, "", "BEGIN: a transaction is open");
    write_unlock(s);
    pg_params_init(&p);
    pg_param_int(&p, WRITE_LOCK_CLASS | company_id);
    err = pg_store_exec(s, SQL_LOCK, &p, NULL, "taking the company's write lock");
    if (err)
        return err;
    s->write_lock = company_id;
    err = pg_store_begin(st, STORE_TX_WRITE);
    if (err)
        write_unlock(s);
    return err;
}

/* A failed COMMIT (a deferred constraint, a serialisation failure) leaves
 * nothing behind: PostgreSQL has rolled back already, and any transaction
 * still open is rolled back here, so store_rollback() afterwards is
 * harmless. */
enum pm_err pg_store_commit(struct store *st)
{
    struct pg_store *s = engine(st);
    enum pm_err err = pg_store_commit_checked(s);
    PGresult *res;

    if (err && pg_store_in_transaction(s)) {
        res = PQexec(s->conn, SQL_ROLLBACK);
        PQclear(res);
    }
    write_unlock(s);
    return err;
}

/* Rolling back when no transaction is open is a no-op. */
enum pm_err pg_store_rollback(struct store *st)
{
    struct pg_store *s = engine(st);
    enum pm_err err = PM_OK;

    pg_store_ids_forget(s);
    if (pg_store_in_transaction(s))
        err = pg_store_exec(s, SQL_ROLLBACK, NULL, NULL, "ROLLBACK");
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
enum pm_err pg_store_data_version(struct store *st, uint64_t *out)
{
    static const char sql[] = "SELECT pg_current_snapshot()::text";
    struct pg_store *s = engine(st);
    PGresult *res = NULL;
    const unsigned char *c;
    uint64_t h = UINT64_C(14695981039346656037);
    enum pm_err err;

    *out = 0;
    err = pg_store_exec_row(s, sql, NULL, &res, "reading the data version");
    if (err)
        return err;
    for (c = (const unsigned char *)PQgetvalue(res, 0, 0); *c; c++)
        h = (h ^ *c) * UINT64_C(1099511628211);
    PQclear(res);
    *out = h;
    return PM_OK;
}

/* ---- the handle ---- */

enum pm_err pg_store_migrate(struct store *st, int *applied)
{
    struct pg_store *s = engine(st);

    return pg_migrations_apply(s->conn, applied, &s->base.error);
}

void pg_store_close(struct store *st)
{
    struct pg_store *s = engine(st);

    store_release(&s->base);
    free(s->stmts);
    PQfinish(s->conn);
    free(s);
}


/* The session settings every handle runs with. */
static const char SQL_SESSION[] = "SET default_transaction_isolation = 'serializable';"
                                  "SET client_encoding = 'UTF8';"
                                  "SET TIME ZONE 'UTC';"
                                  "SET client_min_messages = 'warning'";

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

enum pm_err pg_store_open(const char *dsn, struct store **out, struct pm_error *e)
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
    s->conn = PQconnectdb(dsn);
    if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
        server_name(s->conn, server, sizeof(server));
        conn_message(s->conn, msg, sizeof(msg));
        err = pm_error_set(e, s->conn ? PM_ERR_IO : PM_ERR_NOMEM, "dsn",
                           "connecting to PostgreSQL at %s: %s", server, msg);
        goto out_close;
    }
    res = PQexec(s->conn, SQL_SESSION);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        server_name(s->conn, server, sizeof(server));
        conn_message(s->conn, msg, sizeof(msg));
        err = pm_error_set(e, PM_ERR_DB, "dsn", "setting up the session on %s: %s", server, msg);
        PQclear(res);
        goto out_close;
    }
    PQclear(res);
    err = pg_migrations_apply(s->conn, NULL, e);
    if (err)
        goto out_close;
    *out = &s->base;
    return PM_OK;

out_close:
    pg_store_close(&s->base);
    return err;
}
