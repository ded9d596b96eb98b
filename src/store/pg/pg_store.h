/*
 * pg_store.h — the PostgreSQL driver (store_driver.h): one libpq
 * connection per handle, shared with the migrations.
 *
 *   pg_driver.c      the driver: prepared statements with bound
 *                    parameters, SQLSTATE → enum pm_err, transactions with
 *                    the per-company write lock, the data version, open and
 *                    close;
 *   pg_migrations.c  the numbered schema migrations (the same numbers as
 *                    the SQLite engine's).
 *
 * A connection the server dropped (a restart, pg_terminate_backend) is
 * made again before the next statement outside a transaction; the
 * transaction it broke fails (PM_ERR_IO) until the caller rolls it back.
 * Sessions run SERIALIZABLE by default, in UTF-8 and UTC, so a caller's
 * store_begin() .. store_commit() sees what SQLite's single writer gives; a
 * serialisation failure or deadlock is PM_ERR_BUSY (retried by sql_atomic,
 * or by the API per request).  Text is ordered and compared as SQLite does
 * where the store's statements ask for it (COLLATE "C" variants in sql.h).
 * store_open() reaches this driver through store_drivers.c.
 */
#ifndef PM_PG_STORE_H
#define PM_PG_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store_driver.h"
#include "util/err.h"

struct pg_store {
    struct store base; /* first, so a struct store * is a struct pg_store * */
    PGconn *conn;
    /* The company whose write lock (store_begin_for) this handle holds
     * until its transaction ends, or 0. */
    int64_t write_lock;
    /* Which connection the statements were prepared on: it grows when a
     * lost connection is made again, and a statement of an older one is
     * prepared again before it runs. */
    unsigned generation;
    /* Whether a transaction was open when the connection was last seen
     * alive: after the server dropped it, statements fail until the caller
     * ends that transaction, never run alone on a new connection. */
    bool tx_open;
    /* The server said it ends the session (a FATAL of class 57 before the
     * connection closed): a statement sent after it never ran. */
    bool ended;
    /* A statement of the open transaction failed on a serialisation
     * failure, deadlock or lock not available: the transaction's later
     * failures ("current transaction is aborted", its COMMIT) are that same
     * retryable failure, not errors of their own. */
    bool tx_busy;
    /* store_commit_send() sent a COMMIT whose answer is still to be read. */
    bool commit_sent;
    /* A reader of a standby (store_open_standby): read-only sessions at
     * REPEATABLE READ, the strongest isolation a hot standby runs. */
    bool standby;
    PQnoticeReceiver libpq_notice; /* the receiver libpq had before ours */
    /* store_version_with_next: the next statement run alone carries a
     * read of the data version (version_next), which it left in version
     * (version_read) for store_version_taken. */
    bool version_next, version_read;
    uint64_t version;
    unsigned version_prepared; /* the generation it is prepared on, + 1 */
};

/* The driver (pg_driver.c). */
extern const struct store_driver pg_store_driver;

/* pg_migrations.c */
int pg_migrations_count(void);
/* The migrations, run in one transaction under an advisory lock. */
extern const struct store_migrations pg_migrations;

#endif
