/*
 * store_faults_test.c — the store when the database fails under it: a
 * schema migration that fails, and on PostgreSQL a serialisation conflict
 * forced by a second connection and a backend ended with
 * pg_terminate_backend, idle and in the middle of a transaction.
 *
 * On SQLite (no PAMINN_TEST_DSN) only the migration tests run, each on a
 * fresh file under /tmp; CMakeLists.txt runs the file a second time on the
 * PostgreSQL server of scripts/pg-server.sh (unit.store_faults_test.pg),
 * each test on a database of its own (pg_testdb.h).  The second connection
 * is plain libpq or sqlite3, like a second process would be.
 *
 * Also: a statement the database refuses (a duplicate key, a missing
 * parent, a check or NOT NULL, a value of the wrong kind, an unknown
 * table) comes back as the same error on both engines, and an unreachable
 * server is named.  Every write and read of the store (invoices, books,
 * the agency, reminder runs, e-mail, webhooks) has each of its statements
 * fail in turn (a wrapped driver table); a stored value no release wrote
 * is refused naming its column.  And what the front answers for a handle:
 * empty addresses, standbys (PostgreSQL's only), the data version, marks.
 *
 * What a caller relies on: a failed migration leaves the schema version and
 * the tables as they were and names the migration; `paminn serve` refuses
 * to start on it with that message; a transaction that meets a conflict is
 * run again whole or refused as retryable, never half written; a
 * connection the server dropped is made again for the next transaction,
 * and the transaction it broke fails as a whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "core/rotrut.h"
#include "core/voucher.h"
#include "pg_testdb.h"
#include "store/pg/pg_store.h"
#include "store/sql.h"
#include "store/store_agency.h"
#include "store/store_books.h"
#include "store/store_credit_notes.h"
#include "store/store_dunning.h"
#include "store/store_driver.h"
#include "store/store_ledger.h"
#include "store/store_mail.h"
#include "store/store_reports.h"
#include "store/store_rules.h"
#include "store/store_webhooks.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

struct fixture {
    char path[64]; /* SQLite: the file */
    char dsn[512]; /* what store_open() is given */
    char name[64]; /* PostgreSQL: this test's database */
    struct store *st;
    PGconn *pg;  /* the second connection (PostgreSQL) */
    sqlite3 *db; /* the same on SQLite */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct pm_error e;
    int fd;

    assert_non_null(f);
    if (on_pg()) {
        pg_create_db(f->name, f->dsn, sizeof(f->dsn));
        f->pg = PQconnectdb(f->dsn);
        if (PQstatus(f->pg) != CONNECTION_OK)
            fail_msg("connect %s: %s", f->dsn, PQerrorMessage(f->pg));
        PQsetNoticeProcessor(f->pg, quiet, NULL);
    } else {
        snprintf(f->path, sizeof(f->path), "/tmp/paminn-faults-XXXXXX");
        fd = mkstemp(f->path);
        assert_true(fd >= 0);
        close(fd);
        snprintf(f->dsn, sizeof(f->dsn), "%s", f->path);
    }
    if (store_open(f->dsn, &f->st, &e) != PM_OK)
        fail_msg("store_open %s: %s", f->dsn, e.message);
    if (!on_pg())
        assert_int_equal(sqlite3_open(f->path, &f->db), SQLITE_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    static const char *const SQLITE_FILES[] = {"", "-wal", "-shm"};
    struct fixture *f = *state;
    char file[80];
    size_t i;

    store_close(&f->st);
    if (f->pg)
        PQfinish(f->pg);
    if (f->db)
        sqlite3_close(f->db);
    if (on_pg())
        pg_drop_db(f->name);
    for (i = 0; !on_pg() && i < sizeof(SQLITE_FILES) / sizeof(SQLITE_FILES[0]); i++) {
        snprintf(file, sizeof(file), "%s%s", f->path, SQLITE_FILES[i]);
        unlink(file);
    }
    free(f);
    return 0;
}

/* One statement on the second connection, for its effect. */
static void raw_exec(struct fixture *f, const char *sql)
{
    char *msg = NULL;
    PGresult *r;

    if (f->pg) {
        r = PQexec(f->pg, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
            fail_msg("%s: %s", sql, PQerrorMessage(f->pg));
        PQclear(r);
        return;
    }
    if (sqlite3_exec(f->db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

static int64_t raw_int(struct fixture *f, const char *sql)
{
    sqlite3_stmt *q = NULL;
    int64_t v = 0;
    PGresult *r;

    if (f->pg) {
        r = PQexec(f->pg, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
            fail_msg("%s: %s", sql, PQerrorMessage(f->pg));
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
        return v;
    }
    if (sqlite3_prepare_v2(f->db, sql, -1, &q, NULL) != SQLITE_OK || sqlite3_step(q) != SQLITE_ROW)
        fail_msg("%s: %s", sql, sqlite3_errmsg(f->db));
    v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static const struct store_migrations *engine_migrations(void)
{
    return on_pg() ? &pg_migrations : &sqlite_migrations;
}

static int64_t table_count(struct fixture *f)
{
    return raw_int(f, on_pg() ? "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                              : "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
}

static int64_t schema_version(struct fixture *f)
{
    return raw_int(f, "SELECT max(version) FROM schema_migrations");
}

/* ---- a failing migration ---- */

/* The next release's migrations: the first good, the second failing after
 * it has already created a table and added a column. */
static const char UPGRADE_GOOD[] = "CREATE TABLE upgrade_one (x INTEGER);"
                                   "ALTER TABLE companies ADD COLUMN upgrade_extra INTEGER";
static const char UPGRADE_BAD[] = "CREATE TABLE upgrade_two (x INTEGER);"
                                  "ALTER TABLE customers ADD COLUMN upgrade_more INTEGER;"
                                  "INSERT INTO no_such_table VALUES (1)";

/* The engine's migrations and then extra[0..n_extra) in texts. */
static struct store_migrations upgraded(const char **texts, const char *const *extra, int n_extra)
{
    struct store_migrations m = *engine_migrations();
    int i;

    for (i = 0; i < m.count; i++)
        texts[i] = m.texts[i];
    for (i = 0; i < n_extra; i++)
        texts[m.count + i] = extra[i];
    m.texts = texts;
    m.count += n_extra;
    return m;
}

static void test_failing_migration_rolls_back(void **state)
{
    struct fixture *f = *state;
    const char *texts[64];
    const char *const both[] = {UPGRADE_GOOD, UPGRADE_BAD};
    const char *const good[] = {UPGRADE_GOOD};
    int n = engine_migrations()->count, applied = -1;
    int64_t tables = table_count(f);
    struct store_migrations m;
    char what[32];

    assert_true(n + 2 <= (int)(sizeof(texts) / sizeof(texts[0])));
    assert_int_equal(schema_version(f), n);
    raw_exec(f, "INSERT INTO companies (name, created_at) VALUES ('Kvar AB', 0)");

    /* Two new migrations, the second failing: neither is applied. */
    m = upgraded(texts, both, 2);
    assert_int_not_equal(store_migrate_run(f->st, &m, &applied), PM_OK);
    assert_int_equal(applied, -1);
    snprintf(what, sizeof(what), "migration %d", n + 2);
    if (!strstr(store_error(f->st)->message, what))
        fail_msg("the error does not name %s: %s", what, store_error(f->st)->message);
    assert_non_null(strstr(store_error(f->st)->message, "no_such_table"));
    assert_int_equal(schema_version(f), n);
    assert_int_equal(table_count(f), tables);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM companies WHERE name = 'Kvar AB'"), 1);
    /* Neither the good migration's column nor the bad one's half. */
    assert_int_not_equal(sql_exec(f->st, "SELECT upgrade_extra FROM companies"), PM_OK);
    assert_int_not_equal(sql_exec(f->st, "SELECT upgrade_more FROM customers"), PM_OK);
    assert_int_not_equal(sql_exec(f->st, "SELECT x FROM upgrade_one"), PM_OK);

    /* The handle goes on: the good migration alone is applied, once. */
    m = upgraded(texts, good, 1);
    assert_int_equal(store_migrate_run(f->st, &m, &applied), PM_OK);
    assert_int_equal(applied, 1);
    assert_int_equal(schema_version(f), n + 1);
    assert_int_equal(table_count(f), tables + 1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM companies WHERE upgrade_extra IS NULL"), 1);
}

/* The paminn program beside this test's executable. */
static void paminn_path(char *out, size_t cap)
{
    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;

    assert_true(n > 0);
    self[n] = '\0';
    slash = strrchr(self, '/');
    assert_non_null(slash);
    *slash = '\0';
    snprintf(out, cap, "%s/paminn", self);
    assert_int_equal(access(out, X_OK), 0);
}

/* Run `paminn --db DSN args` (never more than 60 s): its exit status, its
 * output (stdout and stderr) in out[cap]. */
static int run_paminn(const char *dsn, const char *args, char *out, size_t cap)
{
    const char *source = getenv("PAMINN_SOURCE_DIR");
    char bin[600], cmd[2000];
    size_t len = 0, got;
    FILE *p;
    int status;

    if (!source)
        fail_msg("PAMINN_SOURCE_DIR (the repository, for its data/) is not set");
    paminn_path(bin, sizeof(bin));
    snprintf(cmd, sizeof(cmd), "timeout 60 '%s' --db '%s' --data-dir '%s/data' %s 2>&1", bin, dsn,
             source, args);
    p = popen(cmd, "r");
    assert_non_null(p);
    while (len + 1 < cap && (got = fread(out + len, 1, cap - 1 - len, p)) > 0)
        len += got;
    out[len] = '\0';
    status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The newest migration that creates a table: applied again, it fails
 * (the table is there).  Not every migration does, and not every one
 * that creates a table: a table rebuilt under a new name and renamed back
 * (payments, dunning_items) can run twice. */
static int newest_creating_migration(void)
{
    const struct store_migrations *m = engine_migrations();
    int v;

    for (v = m->count; v >= 1; v--)
        if (strncmp(m->texts[v - 1], "CREATE TABLE ", 13) == 0 &&
            !strstr(m->texts[v - 1], " RENAME TO "))
            return v;
    fail_msg("no migration creates a table");
    return 0;
}

/* A database whose migrations from n on lost their versions while their
 * changes are there (n creates a table, so it fails when applied again):
 * the server refuses to start, naming migration n, and the database is as
 * it was. */
static void test_server_refuses_a_failing_migration(void **state)
{
    struct fixture *f = *state;
    int n = newest_creating_migration(), code;
    int64_t tables = table_count(f);
    char out[4096], what[32], sql[96];

    store_close(&f->st);
    snprintf(sql, sizeof(sql), "DELETE FROM schema_migrations WHERE version >= %d", n);
    raw_exec(f, sql);
    code = run_paminn(f->dsn, "serve --listen 127.0.0.1:0", out, sizeof(out));
    assert_int_not_equal(code, 0);
    assert_int_not_equal(code, 124); /* refused, not stopped by the timeout */
    snprintf(what, sizeof(what), "migration %d", n);
    if (!strstr(out, what))
        fail_msg("paminn serve did not name %s:\n%s", what, out);
    assert_null(strstr(out, "listening on"));
    assert_int_equal(schema_version(f), n - 1);
    assert_int_equal(table_count(f), tables);

    /* `paminn migrate` says the same. */
    code = run_paminn(f->dsn, "migrate", out, sizeof(out));
    assert_int_not_equal(code, 0);
    assert_non_null(strstr(out, what));
    assert_int_equal(schema_version(f), n - 1);
}

/* ---- PostgreSQL: a serialisation conflict from a second connection ---- */

struct bump {
    struct fixture *f;
    int attempts;
    int conflicts; /* how many attempts the second connection spoils */
};

/* One unit: read the counter, log the attempt, and write the counter + 1;
 * between the read and the write the second connection may change it. */
static enum pm_err bump_once(struct store *st, void *ctx)
{
    struct bump *b = ctx;
    int64_t n = 0;
    enum pm_err err;

    b->attempts++;
    err = sql_getf(st, "", "no counter", &sql_int_reader, &n,
                   "SELECT n FROM fault_counter WHERE id = 1", "");
    if (!err)
        err =
            sql_runf(st, "INSERT INTO fault_log (attempt) VALUES ($1)", "i", (int64_t)b->attempts);
    if (!err && b->conflicts > 0) {
        b->conflicts--;
        raw_exec(b->f, "UPDATE fault_counter SET n = n + 10 WHERE id = 1");
    }
    if (!err)
        err = sql_runf(st, "UPDATE fault_counter SET n = $1 WHERE id = 1", "i", n + 1);
    return err;
}

static void counter_tables(struct fixture *f)
{
    raw_exec(f, "CREATE TABLE fault_counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);"
                "INSERT INTO fault_counter VALUES (1, 0);"
                "CREATE TABLE fault_log (attempt BIGINT NOT NULL)");
}

static void test_pg_serialisation_conflict_is_retried_whole(void **state)
{
    struct fixture *f = *state;
    struct bump b = {.f = f, .conflicts = 1};

    if (!on_pg())
        skip();
    counter_tables(f);
    assert_int_equal(sql_atomic(f->st, bump_once, &b), PM_OK);
    assert_int_equal(b.attempts, 2);
    /* The second connection's +10 kept, then ours on top of it. */
    assert_int_equal(raw_int(f, "SELECT n FROM fault_counter"), 11);
    /* Only the attempt that committed left its row. */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM fault_log"), 1);
    assert_int_equal(raw_int(f, "SELECT attempt FROM fault_log"), 2);
}

static void test_pg_serialisation_conflict_refused_when_it_persists(void **state)
{
    struct fixture *f = *state;
    struct bump b = {.f = f, .conflicts = 1000};
    enum pm_err err;

    if (!on_pg())
        skip();
    counter_tables(f);
    err = sql_atomic(f->st, bump_once, &b);
    assert_int_equal(err, PM_ERR_BUSY);
    assert_true(store_retryable(f->st));
    assert_true(b.attempts > 1);
    assert_non_null(strstr(store_error(f->st)->message, "could not serialize"));
    /* Every attempt rolled back: only the second connection's writes. */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM fault_log"), 0);
    assert_int_equal(raw_int(f, "SELECT n FROM fault_counter"), 10 * (int64_t)b.attempts);
    /* Nothing left open: the next unit runs. */
    b.conflicts = 0;
    assert_int_equal(sql_atomic(f->st, bump_once, &b), PM_OK);
}

/* ---- PostgreSQL: the backend ended under the handle ---- */

static int64_t backend_pid(struct fixture *f)
{
    int64_t pid = 0;

    if (sql_getf(f->st, "", "no pid", &sql_int_reader, &pid, "SELECT pg_backend_pid()", ""))
        fail_msg("pg_backend_pid: %s", store_error(f->st)->message);
    return pid;
}

/* End the handle's backend from the second connection and wait until it
 * is gone (a generous bound that fails loudly; no timing is asserted). */
static void terminate(struct fixture *f, int64_t pid)
{
    char sql[128];
    int i;

    snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld)::int", (long long)pid);
    assert_int_equal(raw_int(f, sql), 1);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_stat_activity WHERE pid = %lld",
             (long long)pid);
    for (i = 0; i < 1200 && raw_int(f, sql) > 0; i++)
        usleep(100000);
    if (raw_int(f, sql) > 0)
        fail_msg("backend %lld still there 120 s after pg_terminate_backend", (long long)pid);
}

static void test_pg_terminated_idle_connection_is_made_again(void **state)
{
    struct fixture *f = *state;
    int64_t pid, again, one = 0;

    if (!on_pg())
        skip();
    counter_tables(f);
    pid = backend_pid(f);
    terminate(f, pid);
    /* The next statement, and the next transaction, simply work. */
    assert_int_equal(sql_getf(f->st, "", "no row", &sql_int_reader, &one,
                              "SELECT n + 1 FROM fault_counter WHERE id = 1", ""),
                     PM_OK);
    assert_int_equal(one, 1);
    again = backend_pid(f);
    assert_true(again != pid);

    terminate(f, again);
    assert_int_equal(store_begin_for(f->st, 1), PM_OK);
    assert_int_equal(
        sql_runf(f->st, "INSERT INTO fault_log (attempt) VALUES ($1)", "i", (int64_t)1), PM_OK);
    assert_int_equal(store_commit(f->st), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM fault_log"), 1);
}

static void test_pg_terminated_mid_transaction_writes_nothing(void **state)
{
    struct fixture *f = *state;
    int64_t pid;
    enum pm_err err;

    if (!on_pg())
        skip();
    counter_tables(f);
    assert_int_equal(store_begin_for(f->st, 1), PM_OK);
    assert_int_equal(
        sql_runf(f->st, "INSERT INTO fault_log (attempt) VALUES ($1)", "i", (int64_t)1), PM_OK);
    pid = backend_pid(f);
    terminate(f, pid);
    /* The rest of the transaction fails: never run alone on a new
     * connection, which would write its second half without the first. */
    err = sql_runf(f->st, "INSERT INTO fault_log (attempt) VALUES ($1)", "i", (int64_t)2);
    assert_int_equal(err, PM_ERR_IO);
    err = sql_runf(f->st, "UPDATE fault_counter SET n = 5 WHERE id = 1", "");
    assert_int_not_equal(err, PM_OK);
    assert_int_not_equal(store_commit(f->st), PM_OK);
    assert_int_equal(store_rollback(f->st), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM fault_log"), 0);
    assert_int_equal(raw_int(f, "SELECT n FROM fault_counter"), 0);

    /* The handle goes on, on a new connection, the company lock free. */
    assert_int_equal(store_begin_for(f->st, 1), PM_OK);
    assert_int_equal(
        sql_runf(f->st, "INSERT INTO fault_log (attempt) VALUES ($1)", "i", (int64_t)3), PM_OK);
    assert_int_equal(store_commit(f->st), PM_OK);
    assert_int_equal(raw_int(f, "SELECT attempt FROM fault_log"), 3);
    assert_true(backend_pid(f) != pid);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                                " AND database = (SELECT oid FROM pg_database"
                                "                 WHERE datname = current_database())"),
                     0);
}

/* ---- errors of the database, as a caller sees them ---- */

/* Each statement refused by the database comes back as the same pm_err on
 * both engines, with the column a conflict is about, a message of one
 * line naming what failed, and nothing written. */
static void test_refusals_mapped_alike(void **state)
{
    struct fixture *f = *state;
    const struct pm_error *err = store_error(f->st);
    size_t len;

    assert_int_equal(sql_exec(f->st, "CREATE TABLE fault_parents (id INTEGER PRIMARY KEY)"), PM_OK);
    assert_int_equal(sql_exec(f->st, "CREATE TABLE fault_rows ("
                                     "  company_id INTEGER NOT NULL,"
                                     "  number INTEGER NOT NULL,"
                                     "  amount INTEGER NOT NULL CONSTRAINT fault_rows_amount"
                                     "    CHECK (amount >= 0),"
                                     "  parent INTEGER REFERENCES fault_parents (id),"
                                     "  PRIMARY KEY (company_id, number))"),
                     PM_OK);
    assert_int_equal(sql_exec(f->st, "INSERT INTO fault_parents (id) VALUES (1)"), PM_OK);
    assert_int_equal(sql_exec(f->st, "INSERT INTO fault_rows VALUES (1, 5, 100, 1)"), PM_OK);

    /* The same company and number: a conflict about `number`. */
    assert_int_equal(sql_exec(f->st, "INSERT INTO fault_rows VALUES (1, 5, 200, NULL)"),
                     PM_ERR_CONFLICT);
    assert_string_equal(err->field, "number");
    /* A parent that does not exist. */
    assert_int_equal(sql_exec(f->st, "INSERT INTO fault_rows VALUES (1, 6, 100, 9)"),
                     PM_ERR_NOT_FOUND);
    /* A negative amount, and none. */
    assert_int_equal(sql_exec(f->st, "INSERT INTO fault_rows VALUES (1, 7, -1, NULL)"),
                     PM_ERR_INVALID);
    if (on_pg())
        assert_string_equal(err->field, "fault_rows_amount");
    assert_int_equal(sql_exec(f->st, "INSERT INTO fault_rows VALUES (1, 8, NULL, NULL)"),
                     PM_ERR_INVALID);
    if (on_pg())
        assert_string_equal(err->field, "amount");
    /* A table that does not exist: a database error naming it, one line. */
    assert_int_equal(sql_exec(f->st, "INSERT INTO fault_nowhere VALUES (1)"), PM_ERR_DB);
    assert_non_null(strstr(err->message, "fault_nowhere"));
    len = strlen(err->message);
    assert_true(len > 0 && err->message[len - 1] != '\n' && err->message[len - 1] != ' ');
    assert_null(strstr(err->message, "ERROR:"));
    assert_null(strchr(err->message, '\n'));
    if (on_pg()) {
        /* Data exceptions (class 22) are invalid values too. */
        assert_int_equal(sql_exec(f->st, "UPDATE fault_rows SET amount = amount / 0"),
                         PM_ERR_INVALID);
        assert_int_equal(sql_exec(f->st, "UPDATE fault_rows SET amount = 'many'::integer"),
                         PM_ERR_INVALID);
    }
    /* Nothing of the refused statements was written. */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM fault_rows"), 1);
    assert_int_equal(raw_int(f, "SELECT amount FROM fault_rows WHERE number = 5"), 100);
    /* The handle goes on. */
    assert_int_equal(sql_exec(f->st, "INSERT INTO fault_rows VALUES (1, 6, 50, 1)"), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM fault_rows"), 2);
}

/* A server that does not answer: refused naming the server, never a
 * handle. */
static void test_unreachable_server_named(void **state)
{
    struct store *st = NULL;
    struct pm_error e;

    (void)state;
    pm_error_clear(&e);
    assert_int_equal(store_open("postgresql://paminn@127.0.0.1:1/ledger", &st, &e), PM_ERR_IO);
    assert_null(st);
    assert_string_equal(e.field, "dsn");
    assert_non_null(strstr(e.message, "connecting to PostgreSQL at 127.0.0.1:1/ledger: "));
    /* libpq's text without its trailing newline. */
    assert_true(e.message[strlen(e.message) - 1] != '\n');
}

/* ---- a statement or a commit that fails (a driver wrapper) ---- */

/* The handle's driver table wrapped: the step call (or PostgreSQL's COPY)
 * numbered fail_at (from 1, counted since armed) fails with `code` without
 * reaching the database,
 * and a commit can be made to fail (rolled back, as a driver's failing
 * commit leaves no transaction open).  Only the test sees this table: the
 * store goes through st->drv as always. */
static struct {
    const struct store_driver *inner;
    struct store_driver table;
    int fail_at, steps;
    bool every; /* every step from fail_at on fails */
    enum pm_err code;
    int fail_commits; /* commits still to fail */
    bool passing;     /* BEGIN and ROLLBACK: their own statements never fail here */
} inj;

/* Does the step now counted fail? */
static bool inj_fails(void)
{
    return inj.fail_at && !inj.passing &&
           (++inj.steps == inj.fail_at || (inj.every && inj.steps > inj.fail_at));
}

static enum pm_err inj_step(struct store *st, struct store_stmt *q, bool *row)
{
    if (inj_fails())
        return pm_error_set(&st->error, inj.code, "", "injected failure of step %d", inj.steps);
    return inj.inner->step(st, q, row);
}

/* PostgreSQL's COPY of a bulk insert: a step of its own. */
static enum pm_err inj_copy_in(struct store *st, const char *copy, const char *data, size_t len)
{
    if (inj_fails())
        return pm_error_set(&st->error, inj.code, "", "injected failure of COPY (step %d)",
                            inj.steps);
    return inj.inner->copy_in(st, copy, data, len);
}

static enum pm_err inj_rollback(struct store *st)
{
    enum pm_err rc;

    inj.passing = true;
    rc = inj.inner->rollback(st);
    inj.passing = false;
    return rc;
}

static enum pm_err inj_begin(struct store *st, enum store_tx kind)
{
    enum pm_err rc;

    inj.passing = true;
    rc = inj.inner->begin(st, kind);
    inj.passing = false;
    return rc;
}

static enum pm_err inj_commit(struct store *st)
{
    if (inj.fail_commits > 0) {
        inj.fail_commits--;
        (void)inj_rollback(st);
        return pm_error_set(&st->error, inj.code, "", "injected failure of the commit");
    }
    return inj.inner->commit(st);
}

static void inject(struct store *st)
{
    memset(&inj, 0, sizeof(inj));
    inj.inner = st->drv;
    inj.table = *st->drv;
    inj.table.step = inj_step;
    inj.table.commit = inj_commit;
    inj.table.rollback = inj_rollback;
    inj.table.begin = inj_begin;
    if (inj.inner->copy_in)
        inj.table.copy_in = inj_copy_in;
    st->drv = &inj.table;
}

static void arm(int fail_at, enum pm_err code)
{
    inj.fail_at = fail_at;
    inj.every = false;
    inj.steps = 0;
    inj.code = code;
}

#define SNAPSHOT_MAX 4096

/* What a write could have left behind: rows of every table the operations
 * below write, the id series, and the columns a write changes in place. */
static void snapshot(struct fixture *f, char *out, size_t cap)
{
    static const char *const tables[] = {
        "invoices",           "invoice_lines", "invoice_buyers",   "payments",
        "history_events",     "outbox",        "agency_claims",    "handover_batches",
        "vouchers",           "voucher_rows",  "customers",        "companies",
        "sessions",           "api_tokens",    "dunning_policies", "dunning_levels",
        "dunning_runs",       "dunning_items", "mail_outbox",      "webhook_endpoints",
        "webhook_deliveries",
    };
    static const char *const sums[] = {
        "SELECT coalesce(sum(next_value), 0) FROM sequences",
        "SELECT coalesce(sum(paid_minor), 0) FROM invoices",
        "SELECT coalesce(sum(attempts), 0) FROM outbox",
        "SELECT count(*) FROM outbox WHERE state = 'in_flight'",
        "SELECT count(*) FROM agency_cases",
        "SELECT coalesce(sum(paid_minor), 0) FROM agency_cases",
        "SELECT coalesce(sum(fee_charged_minor), 0) FROM invoice_books",
        "SELECT coalesce(sum(fees_paid_minor), 0) FROM invoice_books",
        "SELECT count(*) FROM dunning_runs WHERE state = 'approved'",
        "SELECT coalesce(sum(items), 0) FROM dunning_runs",
        "SELECT coalesce(sum(letters_batch_id), 0) FROM dunning_runs",
        "SELECT count(*) FROM dunning_items WHERE state = 'pending'",
        "SELECT coalesce(sum(attempts), 0) FROM mail_outbox",
        "SELECT count(*) FROM mail_outbox WHERE state = 'sent'",
        "SELECT count(*) FROM mail_outbox WHERE lease_owner <> ''",
        "SELECT count(*) FROM webhook_endpoints WHERE deleted_at > 0",
        "SELECT coalesce(sum(attempts), 0) FROM webhook_deliveries",
        "SELECT count(*) FROM webhook_deliveries WHERE lease_owner <> ''",
        "SELECT coalesce(sum(next_attempt_at + last_status), 0) FROM webhook_deliveries",
    };
    char sql[160];
    size_t i;
    int n = 0;

    for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
        n += snprintf(out + n, cap - (size_t)n, "%s=%lld ", tables[i], (long long)raw_int(f, sql));
    }
    /* each value after its query, so that a difference names what moved */
    for (i = 0; i < sizeof(sums) / sizeof(sums[0]); i++)
        n += snprintf(out + n, cap - (size_t)n, "[%s]=%lld ", sums[i],
                      (long long)raw_int(f, sums[i]));
}

struct world {
    int64_t company, customer, user;
    int64_t invoices[2];
    int64_t batch;
    int64_t payment;
    struct outbox_lease_row leased[4];
    size_t n_leased;
    int64_t run;              /* the reminder run */
    int64_t reminder;         /* a reminder (its row written by the test) */
    struct mail_row mails[2]; /* the mails leased */
    size_t n_mails;
    int64_t endpoint, delivery; /* a webhook endpoint and the delivery leased */
};

typedef enum pm_err (*write_op)(struct store *st, struct world *w);

/* One statement of its own (no unit): run in a caller's transaction, as
 * the application layer runs it, committed or rolled back by its result. */
static enum pm_err in_caller_tx(struct store *st, struct world *w, write_op op)
{
    enum pm_err rc;

    if (store_begin(st))
        return store_error(st)->code ? store_error(st)->code : PM_ERR_DB;
    rc = op(st, w);
    if (rc)
        (void)store_rollback(st);
    else
        rc = store_commit(st);
    return rc;
}

static write_op caller_tx_op;

#define SINGLES 12 /* the index of op_company in the list of writes below */

static enum pm_err op_in_caller_tx(struct store *st, struct world *w)
{
    return in_caller_tx(st, w, caller_tx_op);
}

/* Fail each step of op in turn with a database error: op fails, the
 * database is as before and the handle has no transaction open; then run
 * it with no failure.  Returns how many steps the whole run took. */
static int every_step_fails(struct fixture *f, struct world *w, write_op op)
{
    char before[SNAPSHOT_MAX], after[SNAPSHOT_MAX];
    enum pm_err rc;
    int n;

    snapshot(f, before, sizeof(before));
    for (n = 1;; n++) {
        arm(n, PM_ERR_DB);
        rc = op(f->st, w);
        if (inj.steps < n)
            break; /* ran whole before the step numbered n */
        if (rc == PM_OK)
            fail_msg("step %d failed and the operation still reported success", n);
        if (sql_in_transaction(f->st))
            fail_msg("step %d failed (%s) and left a transaction open", n,
                     store_error(f->st)->message);
        snapshot(f, after, sizeof(after));
        if (strcmp(before, after) != 0)
            fail_msg("step %d failed and left\n  %s\nwhere there was\n  %s", n, after, before);
    }
    if (rc != PM_OK)
        fail_msg("without a failure: %s (%s)", pm_err_name(rc), store_error(f->st)->message);
    arm(0, PM_OK);
    return n - 1;
}

/* Each of ops[0..n) in turn: every step failing writes nothing of it
 * (every_step_fails); then run again in a caller's transaction whose
 * commit fails, which writes nothing of it either (an operation refused
 * inside it, such as a second claim of the same invoices, changes nothing
 * either).  From ops[singles] on each is one statement of its own: the
 * application runs it in its transaction, and so does the test. */
static void writes_fail_each_step(struct fixture *f, struct world *w, const write_op *ops, size_t n,
                                  size_t singles)
{
    char before[SNAPSHOT_MAX], after[SNAPSHOT_MAX];
    struct world kept;
    size_t i;
    int steps;

    for (i = 0; i < n; i++) {
        if (i >= singles) {
            caller_tx_op = ops[i];
            steps = every_step_fails(f, w, op_in_caller_tx);
        } else {
            steps = every_step_fails(f, w, ops[i]);
        }
        assert_true(steps >= 1);
        snapshot(f, before, sizeof(before));
        kept = *w; /* what the rolled-back run sets is not there after it */
        assert_int_equal(store_begin(f->st), PM_OK);
        (void)ops[i](f->st, w);
        inj.fail_commits = 1;
        inj.code = PM_ERR_DB;
        assert_int_equal(store_commit(f->st), PM_ERR_DB);
        assert_int_equal(inj.fail_commits, 0);
        assert_false(sql_in_transaction(f->st));
        snapshot(f, after, sizeof(after));
        assert_string_equal(after, before);
        *w = kept;
    }
}

static int64_t inj_company(struct store *st)
{
    struct company c;

    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "Felfallet AB");
    snprintf(c.country, sizeof(c.country), "SE");
    snprintf(c.language, sizeof(c.language), "sv");
    snprintf(c.timezone, sizeof(c.timezone), "Europe/Stockholm");
    c.payment_terms_days = 30;
    assert_int_equal(store_company_insert(st, &c), PM_OK);
    return c.id;
}

static enum pm_err op_customer(struct store *st, struct world *w)
{
    struct customer c;

    memset(&c, 0, sizeof(c));
    c.company_id = w->company;
    snprintf(c.name, sizeof(c.name), "Kund med fel");
    snprintf(c.country, sizeof(c.country), "SE");
    snprintf(c.zip_code, sizeof(c.zip_code), "11122");
    return store_customer_insert(st, &c);
}

static enum pm_err op_invoice(struct store *st, struct world *w)
{
    struct invoice inv;
    struct invoice_line_row lines[2];
    struct invoice_buyer buyers[2];
    enum pm_err rc;

    memset(&inv, 0, sizeof(inv));
    memset(lines, 0, sizeof(lines));
    memset(buyers, 0, sizeof(buyers));
    inv.company_id = w->company;
    inv.customer_id = w->customer;
    inv.kind = INVOICE_ROT;
    snprintf(inv.currency, sizeof(inv.currency), "SEK");
    inv.invoice_date = 20000;
    inv.due_date = 20030;
    inv.net_minor = 100000;
    inv.vat_minor = 25000;
    inv.total_minor = 125000;
    inv.tax_reduction_minor = 30000;
    inv.customer_part_minor = 95000;
    snprintf(lines[0].description, sizeof(lines[0].description), "Målning, arbete");
    lines[0].line = (struct invoice_line){8000, 10000, 2500, true};
    lines[0].net_minor = 80000;
    snprintf(lines[1].description, sizeof(lines[1].description), "Färg");
    lines[1].line = (struct invoice_line){2000, 10000, 2500, false};
    lines[1].net_minor = 20000;
    snprintf(buyers[0].id_number, sizeof(buyers[0].id_number), "198112289874");
    snprintf(buyers[0].name, sizeof(buyers[0].name), "Åsa Öberg");
    snprintf(buyers[1].id_number, sizeof(buyers[1].id_number), "197802022389");
    snprintf(buyers[1].name, sizeof(buyers[1].name), "Per Öberg");
    rc = store_invoice_insert(st, &inv, lines, 2, buyers, 2);
    if (!rc)
        w->invoices[w->invoices[0] ? 1 : 0] = inv.id;
    return rc;
}

static enum pm_err op_payment(struct store *st, struct world *w)
{
    struct payment p;
    enum pm_err rc;

    memset(&p, 0, sizeof(p));
    p.company_id = w->company;
    p.invoice_id = w->invoices[0];
    p.date = 20010;
    p.amount_minor = 20000;
    snprintf(p.reference, sizeof(p.reference), "OCR");
    rc = store_payment_insert(st, &p);
    if (!rc)
        w->payment = p.id;
    return rc;
}

/* The fees and interest of that payment, added to its row. */
static enum pm_err op_charges(struct store *st, struct world *w)
{
    struct payment p;

    memset(&p, 0, sizeof(p));
    p.company_id = w->company;
    p.invoice_id = w->invoices[0];
    p.id = w->payment;
    p.date = 20010;
    return store_rules_payment_charges(st, &p, 6000, 1500);
}

static enum pm_err op_books(struct store *st, struct world *w)
{
    struct invoice_books b;

    memset(&b, 0, sizeof(b));
    b.company_id = w->company;
    b.invoice_id = w->invoices[1];
    b.fee_charged_minor = 6000;
    b.fees_paid_minor = 6000;
    return store_books_invoice_put(st, &b);
}

/* The dispatcher's lease of the claimed rows. */
static enum pm_err op_lease(struct store *st, struct world *w)
{
    return store_agency_outbox_lease(st, "owner-a", 1000, 1030, w->leased, 4, &w->n_leased);
}

static enum pm_err op_finish(struct store *st, struct world *w)
{
    return store_agency_outbox_finish(st, w->leased[0].company_id, w->leased[0].id, "owner-a",
                                      OUTBOX_RETRY, 2000, "503 from the agency");
}

static enum pm_err op_case(struct store *st, struct world *w)
{
    struct agency_case c;

    memset(&c, 0, sizeof(c));
    c.company_id = w->company;
    c.invoice_id = w->invoices[0];
    snprintf(c.case_id, sizeof(c.case_id), "case-1");
    snprintf(c.ocr, sizeof(c.ocr), "12345");
    snprintf(c.state, sizeof(c.state), "active");
    c.capital_minor = 75000;
    c.registered_at = 1000;
    return store_agency_case_insert(st, &c);
}

static enum pm_err op_case_update(struct store *st, struct world *w)
{
    struct agency_case c;
    enum pm_err rc = store_agency_case_get(st, w->company, w->invoices[0], &c);

    if (rc)
        return rc;
    c.paid_minor += 1000;
    c.synced_at = 1100;
    return store_agency_case_update(st, &c, "{\"_id\":\"case-1\"}");
}

static enum pm_err op_claim(struct store *st, struct world *w)
{
    struct handover_claim claims[2] = {
        {w->invoices[0], "{\"a\":1}", "Överlämnad till inkasso"},
        {w->invoices[1], "{\"a\":2}", "Överlämnad till inkasso"},
    };
    struct handover_batch b;
    enum pm_err rc;

    memset(&b, 0, sizeof(b));
    b.company_id = w->company;
    b.created_by = w->user;
    rc = store_agency_handover_claim(st, &b, claims, 2, "anna@example.se", 1);
    if (!rc)
        w->batch = b.id;
    return rc;
}

static enum pm_err op_voucher(struct store *st, struct world *w)
{
    struct voucher v;

    voucher_init(&v, 20010, "invoice", "Faktura");
    v.company_id = w->company;
    assert_int_equal(voucher_debit(&v, ACC_RECEIVABLES, 12500), PM_OK);
    assert_int_equal(voucher_credit(&v, ACC_SALES_25, 10000), PM_OK);
    assert_int_equal(voucher_credit(&v, ACC_OUTPUT_VAT_25, 2500), PM_OK);
    return store_books_voucher_insert(st, &v);
}

static enum pm_err op_company(struct store *st, struct world *w)
{
    struct company c;

    (void)w;
    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "Andra AB");
    snprintf(c.country, sizeof(c.country), "SE");
    snprintf(c.language, sizeof(c.language), "sv");
    snprintf(c.timezone, sizeof(c.timezone), "Europe/Stockholm");
    c.payment_terms_days = 30;
    return store_company_insert(st, &c);
}

static enum pm_err op_session(struct store *st, struct world *w)
{
    struct session s;
    static int k;

    memset(&s, 0, sizeof(s));
    snprintf(s.token_hash, sizeof(s.token_hash), "%064d", ++k);
    snprintf(s.csrf_token, sizeof(s.csrf_token), "%064d", k);
    s.user_id = w->user;
    s.expires_at = 4102444800;
    return store_session_insert(st, &s);
}

static enum pm_err op_token(struct store *st, struct world *w)
{
    struct api_token t;
    static int k;

    memset(&t, 0, sizeof(t));
    t.company_id = w->company;
    snprintf(t.name, sizeof(t.name), "bokföring");
    snprintf(t.token_hash, sizeof(t.token_hash), "%064d", ++k);
    t.created_by = w->user;
    return store_api_token_insert(st, &t);
}

static enum pm_err op_enqueue(struct store *st, struct world *w)
{
    struct outbox_message m;
    static int k;

    memset(&m, 0, sizeof(m));
    m.company_id = w->company;
    m.invoice_id = w->invoices[1];
    m.kind = AMILI_JOB_REPORT_PAYMENT;
    snprintf(m.payload, sizeof(m.payload), "{\"amount_minor\":100}");
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "payment-%d", ++k);
    return store_outbox_enqueue(st, &m);
}

/* ---- the front: addresses, standbys, marks ---- */

/* What store.c and the engine answer for the handle itself: an empty
 * address is refused; standbys are PostgreSQL's only (SQLite gives an
 * empty position and refuses the rest), and there a server has written
 * what it has just shown while a position that is not one is refused; a
 * write moves the data version; a mark needs a transaction and undoes
 * what came after it; a transaction for no company is a plain one.  Both
 * engines. */
static void test_store_front(void **state)
{
    struct fixture *f = *state;
    struct store *sb = NULL;
    struct pm_error e;
    char pos[STORE_POSITION_MAX];
    uint64_t before = 0, after = 0;
    bool yes = true;

    pm_error_clear(&e);
    assert_int_equal(store_open("", &sb, &e), PM_ERR_INVALID);
    assert_null(sb);
    assert_string_equal(e.field, "dsn");
    pm_error_clear(&e);
    assert_int_equal(store_open_standby("", &sb, &e), PM_ERR_INVALID);
    assert_null(sb);
    assert_string_equal(e.field, "db_read");
    assert_non_null(strstr(e.message, "no storage engine"));

    assert_int_equal(store_data_version_at(f->st, &before, pos), PM_OK);
    if (on_pg()) {
        assert_true(pos[0] != '\0');
        assert_int_equal(store_replayed(f->st, "", &yes), PM_ERR_INVALID);
        assert_false(yes);
        assert_int_equal(store_open_standby(f->dsn, &sb, &e), PM_OK);
        assert_int_equal(store_replayed(sb, pos, &yes), PM_OK);
        assert_true(yes);
        assert_int_not_equal(store_replayed(sb, "not a position", &yes), PM_OK);
        assert_false(yes);
        store_close(&sb);
        assert_null(sb);
        pm_error_clear(&e);
        assert_int_equal(store_open_standby("postgresql://paminn@127.0.0.1:1/ledger", &sb, &e),
                         PM_ERR_IO);
        assert_null(sb);
        assert_non_null(strstr(e.message, "127.0.0.1:1/ledger"));
    } else {
        assert_string_equal(pos, "");
        assert_int_equal(store_replayed(f->st, "0/16B3748", &yes), PM_ERR_INVALID);
        assert_false(yes);
        pm_error_clear(&e);
        assert_int_equal(store_open_standby(f->dsn, &sb, &e), PM_ERR_INVALID);
        assert_null(sb);
        assert_non_null(strstr(e.message, "has no standbys"));
    }
    store_close(&sb); /* no handle: nothing to do */
    store_close(NULL);

    (void)inj_company(f->st);
    assert_int_equal(store_data_version_at(f->st, &after, pos), PM_OK);
    assert_true(after != before);

    assert_int_equal(store_mark(f->st), PM_ERR_INTERNAL);
    assert_int_equal(store_begin_for(f->st, 0), PM_OK);
    assert_true(sql_in_transaction(f->st));
    (void)inj_company(f->st);
    assert_int_equal(store_mark(f->st), PM_OK);
    (void)inj_company(f->st);
    store_undo_to_mark(f->st);
    assert_true(sql_in_transaction(f->st));
    assert_int_equal(store_commit(f->st), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM companies"), 2);
    /* Tuning for many rows changes nothing of what is written. */
    assert_int_equal(store_bulk_writes(f->st, true), PM_OK);
    (void)inj_company(f->st);
    assert_int_equal(store_bulk_writes(f->st, false), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM companies"), 3);
}

/* ---- reads failing part-way ---- */

/* What the reads below answered, where a test checks more than success. */
static struct {
    int64_t due, count, remaining, candidates;
    size_t n;
    bool found;
} rd;

static void no_due(void *ctx, int32_t due, int64_t count, int64_t remaining)
{
    (void)due;
    (void)remaining;
    *(int64_t *)ctx += count;
}

static enum pm_err read_counts(struct store *st, struct world *w)
{
    int64_t counts[FILTER_COUNT];

    return store_invoice_counts(st, w->company, 20040, counts);
}

static enum pm_err read_vouchers(struct store *st, struct world *w)
{
    struct voucher v[4];

    return store_books_voucher_list(st, w->company, 0, 30000, 0, 0, v, 4, &rd.n);
}

static enum pm_err read_balances(struct store *st, struct world *w)
{
    struct account_balance bal[16];

    return store_books_voucher_balances(st, w->company, 30000, bal, 16, &rd.n);
}

static enum pm_err read_receivables_on(struct store *st, struct world *w)
{
    rd.due = 0;
    return store_books_receivables_on(st, w->company, 20040, no_due, &rd.due);
}

static enum pm_err read_reductions(struct store *st, struct world *w)
{
    struct rotrut_used used;

    return store_rules_buyer_reductions(st, w->company, "198112289874", 19000, 21000, &used);
}

static enum pm_err read_payments(struct store *st, struct world *w)
{
    struct payment pays[8];

    return store_payment_list(st, w->company, w->invoices[0], pays, 8, &rd.n);
}

static enum pm_err read_history(struct store *st, struct world *w)
{
    struct history_event ev[16];

    return store_history_list(st, w->company, w->invoices[0], 0, ev, 16, &rd.n);
}

static enum pm_err read_receivables_sum(struct store *st, struct world *w)
{
    return store_books_receivables_sum(st, w->company, 0, 30000, &rd.count, &rd.remaining);
}

static void report_row(void *ctx, int64_t key, int64_t count, int64_t sum)
{
    (void)key;
    (void)sum;
    *(int64_t *)ctx += count;
}

/* The reports of the invoices and payments above, one read each. */
static enum pm_err read_reports(struct store *st, struct world *w)
{
    int64_t n = 0, due = 0, collected = 0;
    enum pm_err rc = store_report_reminders(st, w->company, 19000, 21000, report_row, &n);

    if (!rc)
        rc = store_report_paid_after(st, w->company, 19000, 21000, 30, report_row, &n);
    if (!rc)
        rc = store_report_handovers(st, w->company, 0, INT64_C(4102444800), report_row, &n);
    if (!rc)
        rc = store_report_invoiced(st, w->company, 19000, 21000, report_row, &n);
    if (!rc)
        rc = store_report_open(st, w->company, 19500, 21000, report_row, &n);
    if (!rc)
        rc = store_report_paid_in(st, w->company, 19000, 21000, 21000, 19500, report_row, &n);
    if (!rc)
        rc = store_report_due(st, w->company, 19000, 21000, 21000, &due, &collected);
    rd.count = n;
    return rc;
}

/* The customer ledger of the customer above, every part of it. */
static enum pm_err read_ledger(struct store *st, struct world *w)
{
    static struct ledger_row rows[4];
    static struct ledger_item items[4];
    static struct ledger_credit credits[4];
    static struct ledger_reminder reminders[4];
    static struct ledger_case cases[4];
    struct ledger_totals totals;
    int64_t next = 0, prev = 0;
    enum pm_err rc = store_ledger_page(st, w->company, 20040, false, 0, rows, 4, &rd.n);

    if (!rc)
        rc = store_ledger_totals(st, w->company, 20040, &totals);
    if (!rc)
        rc = store_ledger_neighbours(st, w->company, 20040, w->customer, &next, &prev);
    if (!rc)
        rc = store_ledger_customer(st, w->company, 20040, w->customer, &rows[0]);
    if (!rc)
        rc = store_ledger_items(st, w->company, 20040, 20040, w->customer, items, 4, &rd.n);
    if (!rc)
        rc = store_ledger_credits(st, w->company, 20040, w->customer, credits, 4, &rd.n);
    if (!rc)
        rc = store_ledger_reminders(st, w->company, 20040, w->customer, reminders, 4, &rd.n);
    if (!rc)
        rc = store_ledger_cases(st, w->company, w->customer, cases, 4, &rd.n);
    return rc;
}

static enum pm_err read_credit_notes(struct store *st, struct world *w)
{
    struct credit_note_row rows[2];
    struct credit_note_amounts sum;
    enum pm_err rc = store_credit_note_list(st, w->company, w->invoices[0], rows, 2, &rd.n);

    return rc ? rc : store_credit_note_sum(st, w->company, w->invoices[0], &sum);
}

typedef enum pm_err (*read_op)(struct store *st, struct world *w);

/* Fail each step of a read in turn: it reports the failure and leaves no
 * transaction open; the same read without a failure answers.  Returns how
 * many steps the whole read took. */
static int read_fails_each_step(struct fixture *f, struct world *w, read_op read)
{
    enum pm_err rc;
    int step;

    for (step = 1;; step++) {
        arm(step, PM_ERR_DB);
        rc = read(f->st, w);
        if (inj.steps < step)
            break;
        if (rc == PM_OK)
            fail_msg("step %d failed and the read answered", step);
        assert_false(sql_in_transaction(f->st));
    }
    arm(0, PM_OK);
    if (rc != PM_OK)
        fail_msg("without a failure: %s", store_error(f->st)->message);
    return step - 1;
}

/* Each read failing at each of its steps in turn reports the failure; the
 * same read without a failure answers as before. */
static void reads_fail_each_step(struct fixture *f, struct world *w)
{
    static const read_op reads[] = {read_counts,         read_vouchers,        read_balances,
                                    read_receivables_on, read_reductions,      read_payments,
                                    read_history,        read_receivables_sum, read_reports,
                                    read_ledger,         read_credit_notes};
    size_t i;

    for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
        assert_true(read_fails_each_step(f, w, reads[i]) >= 1);
    assert_true(rd.due > 0);
    assert_true(rd.count > 0);
}

/* Every step of each write failing in turn writes nothing of it; a
 * transient failure is run again whole; a failing commit writes nothing.
 * Reads that fail part-way say so.  Both engines. */
static void test_each_failing_statement_writes_nothing(void **state)
{
    struct fixture *f = *state;
    /* From op_company on (SINGLES) each is one statement of its own: the
     * application runs it in its transaction, and so does the test. */
    static const write_op ops[] = {op_customer, op_invoice, op_invoice,     op_payment,
                                   op_charges,  op_books,   op_claim,       op_lease,
                                   op_finish,   op_case,    op_case_update, op_voucher,
                                   op_company,  op_session, op_token,       op_enqueue};
    struct world w;
    char before[SNAPSHOT_MAX], after[SNAPSHOT_MAX];
    struct handover_batch got;
    struct handover_item items[4];
    struct user u;
    struct invoice list[4];
    struct invoice_query q;
    size_t n = 0;
    int steps;

    memset(&w, 0, sizeof(w));
    w.company = inj_company(f->st);
    assert_int_equal(op_customer(f->st, &w), PM_OK);
    w.customer = raw_int(f, "SELECT max(id) FROM customers");
    memset(&u, 0, sizeof(u));
    snprintf(u.email, sizeof(u.email), "anna@example.se");
    assert_int_equal(store_user_insert(f->st, &u), PM_OK);
    w.user = u.id;
    inject(f->st);
    writes_fail_each_step(f, &w, ops, sizeof(ops) / sizeof(ops[0]), SINGLES);
    /* Every write above happened once (the last, failure-free run). */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoices"), 2);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoice_lines"), 4);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM payments"), 1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM agency_claims"), 2);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM outbox WHERE kind = 'register'"), 2);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM vouchers"), 1);

    /* Busy once at any step of an invoice: the unit runs again whole and
     * the invoice is written once, with its lines and buyers. */
    steps = every_step_fails(f, &w, op_invoice);
    for (n = 1; n <= (size_t)steps; n++) {
        int64_t want = raw_int(f, "SELECT count(*) FROM invoices") + 1;

        arm((int)n, PM_ERR_BUSY);
        assert_int_equal(op_invoice(f->st, &w), PM_OK);
        assert_true(inj.steps > (int)n);
        arm(0, PM_OK);
        assert_false(sql_in_transaction(f->st));
        assert_int_equal(raw_int(f, "SELECT count(*) FROM invoices"), want);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM invoice_lines"), 2 * want);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM invoice_buyers"), 2 * want);
    }
    /* A transient failure that persists: refused as retryable, nothing
     * written. */
    snapshot(f, before, sizeof(before));
    arm(1, PM_ERR_BUSY);
    inj.every = true;
    assert_int_equal(op_voucher(f->st, &w), PM_ERR_BUSY);
    assert_true(inj.steps > 1); /* it was tried again */
    arm(0, PM_OK);
    assert_false(sql_in_transaction(f->st));
    snapshot(f, after, sizeof(after));
    assert_string_equal(after, before);

    /* Reads failing part-way report the failure; the next read works. */
    for (steps = 1; steps <= 3; steps++) {
        arm(steps, PM_ERR_DB);
        if (store_agency_handover_batch_get(f->st, w.company, w.batch, &got, items, 4, &n) ==
            PM_OK) {
            assert_true(inj.steps < steps);
            break;
        }
    }
    arm(0, PM_OK);
    assert_int_equal(store_agency_handover_batch_get(f->st, w.company, w.batch, &got, items, 4, &n),
                     PM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(got.total, 2);
    memset(&q, 0, sizeof(q));
    q.filter = FILTER_ALL;
    q.limit = 4;
    q.today = 20040;
    arm(1, PM_ERR_DB);
    assert_int_equal(store_invoice_list(f->st, w.company, &q, list, 4, &n), PM_ERR_DB);
    arm(0, PM_OK);
    assert_int_equal(store_invoice_list(f->st, w.company, &q, list, 4, &n), PM_OK);
    assert_int_equal(n, 4);
    reads_fail_each_step(f, &w);
}

/* ---- reminder runs and their e-mail ---- */

static void policy_of(struct dunning_policy_row *r, const struct world *w, int64_t customer,
                      size_t levels)
{
    size_t i;

    memset(r, 0, sizeof(*r));
    r->company_id = w->company;
    r->customer_id = customer;
    r->policy.enabled = customer == 0;
    r->policy.minimum_minor = customer ? 10000 : 5000;
    r->policy.final_step = DUNNING_FINAL_HANDOVER;
    r->policy.handover_days = 10;
    r->policy.approval = DUNNING_APPROVAL_MANUAL;
    r->policy.n_levels = levels;
    for (i = 0; i < levels; i++) {
        r->policy.levels[i].days = 10 * (int)(i + 1);
        r->policy.levels[i].anchor = i ? DUNNING_ANCHOR_PREVIOUS : DUNNING_ANCHOR_DUE;
        r->policy.levels[i].fee = i == 0;
        r->policy.levels[i].channel = i ? DUNNING_CHANNEL_LETTER : DUNNING_CHANNEL_BOTH;
        snprintf(r->policy.levels[i].text_sv, sizeof(r->policy.levels[i].text_sv), "Påminnelse %zu",
                 i + 1);
    }
    snprintf(r->updated_by, sizeof(r->updated_by), "anna@example.se");
    r->updated_at = 1000;
}

/* The company's default policy: inserted the first time, updated after. */
static enum pm_err op_policy(struct store *st, struct world *w)
{
    struct dunning_policy_row r;

    policy_of(&r, w, 0, 2);
    return store_dunning_policy_put(st, &r);
}

static enum pm_err op_override(struct store *st, struct world *w)
{
    struct dunning_policy_row r;

    policy_of(&r, w, w->customer, 1);
    return store_dunning_policy_put(st, &r);
}

static enum pm_err op_override_delete(struct store *st, struct world *w)
{
    bool found = false;
    enum pm_err rc = store_dunning_policy_delete(st, w->company, w->customer, &found);

    return rc ? rc : found ? PM_OK : PM_ERR_NOT_FOUND;
}

static enum pm_err op_run_open(struct store *st, struct world *w)
{
    struct dunning_run r;
    bool created = false;
    enum pm_err rc;

    memset(&r, 0, sizeof(r));
    r.company_id = w->company;
    r.run_date = 20040;
    r.approval = DUNNING_APPROVAL_MANUAL;
    snprintf(r.created_by, sizeof(r.created_by), "anna@example.se");
    r.created_at = 1000;
    rc = store_dunning_run_open(st, &r, &created);
    if (!rc)
        w->run = r.id;
    return rc;
}

/* The run's items, and their number on the run, as a proposal writes
 * them. */
static enum pm_err op_items(struct store *st, struct world *w)
{
    struct dunning_item items[2];
    enum pm_err rc;
    int i;

    memset(items, 0, sizeof(items));
    for (i = 0; i < 2; i++) {
        items[i].company_id = w->company;
        items[i].run_id = w->run;
        items[i].invoice_id = w->invoices[i];
        items[i].due_date = 20030;
        items[i].remaining_minor = 125000;
        items[i].action = i ? DUNNING_ACTION_NONE : DUNNING_ACTION_REMIND;
        items[i].level = i ? 0 : 1;
        items[i].reason = i ? DUNNING_REASON_STOPPED : DUNNING_REASON_NONE;
        snprintf(items[i].channel, sizeof(items[i].channel), "%s", i ? "" : "both");
        items[i].state = i ? DUNNING_ITEM_SKIPPED : DUNNING_ITEM_PENDING;
    }
    rc = store_dunning_items_insert(st, items, 2);
    if (!rc)
        rc = store_dunning_run_set_items(st, w->company, w->run, 2);
    return rc;
}

static enum pm_err op_run_approve(struct store *st, struct world *w)
{
    return store_dunning_run_move(st, w->company, w->run, DUNNING_RUN_PROPOSED,
                                  DUNNING_RUN_APPROVED, "anna@example.se", 1100);
}

static enum pm_err op_item_finish(struct store *st, struct world *w)
{
    return store_dunning_item_finish(st, w->company, w->run, w->invoices[0], DUNNING_ITEM_DONE, "",
                                     w->reminder, 1200);
}

static enum pm_err op_run_batch(struct store *st, struct world *w)
{
    return store_dunning_run_set_batch(st, w->company, w->run, 7);
}

static enum pm_err op_run_done(struct store *st, struct world *w)
{
    return store_dunning_run_move(st, w->company, w->run, DUNNING_RUN_APPROVED, DUNNING_RUN_DONE,
                                  NULL, 1300);
}

static void mail_of(struct mail_row *m, const struct world *w, const char *what)
{
    memset(m, 0, sizeof(*m));
    m->company_id = w->company;
    m->invoice_id = w->invoices[0];
    m->reminder_id = w->reminder;
    m->customer_id = w->customer;
    snprintf(m->recipient, sizeof(m->recipient), "kund@example.se");
    snprintf(m->subject, sizeof(m->subject), "%s", what);
    snprintf(m->message_id, sizeof(m->message_id), "<%s@example.se>", what);
    m->as_of = 20040;
    m->period_from = 20000;
    m->period_to = 20040;
    m->created_at = 1400;
}

static enum pm_err op_mail(struct store *st, struct world *w)
{
    struct mail_row m;
    bool queued = false;
    enum pm_err rc;

    mail_of(&m, w, "reminder");
    rc = store_mail_insert(st, &m, &queued);
    return rc ? rc : queued ? PM_OK : PM_ERR_CONFLICT;
}

static enum pm_err op_statement_mail(struct store *st, struct world *w)
{
    static const char pdf[] = "%PDF-1.4 kontoutdrag";
    struct mail_row m;

    mail_of(&m, w, "statement");
    return store_mail_insert_statement(st, &m, "Hej!\nHär är kontoutdraget.", pdf, sizeof(pdf),
                                       "kontoutdrag.pdf");
}

static enum pm_err op_mail_lease(struct store *st, struct world *w)
{
    return store_mail_lease(st, "owner-m", 2000, 2030, w->mails, 2, &w->n_mails);
}

/* The leased mail of kind. */
static const struct mail_row *leased_mail(const struct world *w, const char *kind)
{
    size_t i;

    for (i = 0; i < w->n_mails; i++) {
        if (!strcmp(w->mails[i].kind, kind))
            return &w->mails[i];
    }
    fail_msg("no %s mail leased", kind);
    return NULL;
}

static enum pm_err op_mail_sent(struct store *st, struct world *w)
{
    return store_mail_mark_sent(st, w->company, leased_mail(w, "reminder")->id, "owner-m", 2005);
}

static enum pm_err op_mail_finish(struct store *st, struct world *w)
{
    return store_mail_finish(st, w->company, leased_mail(w, "reminder")->id, "owner-m", "sent", 0,
                             "250 2.0.0 Ok", 2006);
}

static enum pm_err op_mail_release(struct store *st, struct world *w)
{
    return store_mail_release(st, w->company, leased_mail(w, "statement")->id, "owner-m");
}

static enum pm_err op_endpoint(struct store *st, struct world *w)
{
    struct webhook_endpoint ep;
    enum pm_err rc;

    memset(&ep, 0, sizeof(ep));
    ep.company_id = w->company;
    snprintf(ep.url, sizeof(ep.url), "https://hooks.example.se/paminn");
    snprintf(ep.event_types, sizeof(ep.event_types), "invoice.paid invoice.overdue");
    snprintf(ep.secret, sizeof(ep.secret), "whsec_%064d", 7);
    ep.created_at = 1500;
    rc = store_webhook_endpoint_insert(st, &ep);
    if (!rc)
        w->endpoint = ep.id;
    return rc;
}

static enum pm_err op_emit(struct store *st, struct world *w)
{
    int queued = 0;
    enum pm_err rc = store_webhook_emit(st, w->company, w->invoices[0], "invoice.paid",
                                        "{\"amount_minor\":20000}", 1600, &queued);

    return rc ? rc : queued == 1 ? PM_OK : PM_ERR_NOT_FOUND;
}

static enum pm_err op_hook_lease(struct store *st, struct world *w)
{
    static struct webhook_delivery d[2];
    size_t n = 0;
    enum pm_err rc = store_webhook_lease(st, "owner-w", 2000, 2030, d, 2, &n);

    if (!rc && n == 1)
        w->delivery = d[0].id;
    return rc ? rc : n == 1 ? PM_OK : PM_ERR_NOT_FOUND;
}

static enum pm_err op_hook_finish(struct store *st, struct world *w)
{
    return store_webhook_finish(st, w->company, w->delivery, "owner-w", "retry", 1900, 503,
                                "Service Unavailable", 2010);
}

static enum pm_err op_hook_release(struct store *st, struct world *w)
{
    return store_webhook_release(st, w->company, w->delivery, "owner-w");
}

static enum pm_err op_hook_resend(struct store *st, struct world *w)
{
    return store_webhook_resend(st, w->company, w->delivery, 2100);
}

static enum pm_err op_endpoint_remove(struct store *st, struct world *w)
{
    return store_webhook_endpoint_remove(st, w->company, w->endpoint, 2200);
}

static enum pm_err read_endpoints(struct store *st, struct world *w)
{
    struct webhook_endpoint ep[2];

    return store_webhook_endpoint_list(st, w->company, ep, 2, &rd.n);
}

static enum pm_err read_endpoint(struct store *st, struct world *w)
{
    struct webhook_endpoint ep;

    return store_webhook_endpoint_get(st, w->company, w->endpoint, &ep);
}

static enum pm_err read_deliveries(struct store *st, struct world *w)
{
    static struct webhook_delivery d[2];

    return store_webhook_delivery_list(st, w->company, 0, d, 2, &rd.n);
}

static enum pm_err read_hooks_pending(struct store *st, struct world *w)
{
    (void)w;
    return store_webhook_pending(st, &rd.count);
}

/* Two invoices in one batch, each with a payment received and an event,
 * as an import writes them. */
static enum pm_err op_invoice_batch(struct store *st, struct world *w)
{
    static struct history_event evs[2];
    struct store_invoice_new items[2];
    struct invoice_line_row line;
    struct payment pays[2];
    int i;

    memset(items, 0, sizeof(items));
    memset(&line, 0, sizeof(line));
    memset(pays, 0, sizeof(pays));
    memset(evs, 0, sizeof(evs));
    snprintf(line.description, sizeof(line.description), "Importerad rad");
    line.line = (struct invoice_line){1000, 40000, 2500, false};
    line.net_minor = 40000;
    for (i = 0; i < 2; i++) {
        items[i].inv.company_id = w->company;
        items[i].inv.customer_id = w->customer;
        snprintf(items[i].inv.currency, sizeof(items[i].inv.currency), "SEK");
        items[i].inv.invoice_date = 20000;
        items[i].inv.due_date = 20030;
        items[i].inv.net_minor = 40000;
        items[i].inv.vat_minor = 10000;
        items[i].inv.total_minor = 50000;
        items[i].inv.customer_part_minor = 50000;
        items[i].inv.remaining_minor = 50000;
        items[i].lines = &line;
        items[i].n_lines = 1;
        pays[i].company_id = w->company;
        pays[i].date = 20005;
        pays[i].amount_minor = 10000 * (i + 1);
        items[i].payments = &pays[i];
        items[i].n_payments = 1;
        evs[i].company_id = w->company;
        snprintf(evs[i].kind, sizeof(evs[i].kind), "created");
        snprintf(evs[i].actor, sizeof(evs[i].actor), "import");
        snprintf(evs[i].data, sizeof(evs[i].data), "{}");
        items[i].events = &evs[i];
        items[i].n_events = 1;
    }
    return store_invoice_insert_batch(st, items, 2, NULL, NULL);
}

static enum pm_err read_policy(struct store *st, struct world *w)
{
    struct dunning_policy_row r;
    enum pm_err rc = store_dunning_policy_get(st, w->company, 0, &r, &rd.found);

    rd.n = r.policy.n_levels;
    return rc;
}

static enum pm_err read_policies(struct store *st, struct world *w)
{
    struct dunning_policy_row *rows = NULL;
    enum pm_err rc = store_dunning_policies(st, w->company, &rows, &rd.n);

    if (!rc) {
        assert_int_equal(rd.n, 2);
        assert_int_equal(rows[0].policy.n_levels + rows[1].policy.n_levels, 3);
    }
    free(rows);
    return rc;
}

static enum pm_err read_dunning_companies(struct store *st, struct world *w)
{
    int64_t ids[4];

    (void)w;
    return store_dunning_companies(st, ids, 4, &rd.n);
}

static enum pm_err count_candidate(void *arg, const struct dunning_candidate *c)
{
    (void)c;
    (*(int64_t *)arg)++;
    return PM_OK;
}

static enum pm_err read_candidates(struct store *st, struct world *w)
{
    rd.candidates = 0;
    return store_dunning_candidates(st, w->company, 20040, 20000, 1, count_candidate,
                                    &rd.candidates);
}

static enum pm_err read_run(struct store *st, struct world *w)
{
    struct dunning_run r;

    return store_dunning_run_get(st, w->company, w->run, &r);
}

static enum pm_err read_runs(struct store *st, struct world *w)
{
    struct dunning_run r[2];

    return store_dunning_runs(st, w->company, 0, r, 2, &rd.n);
}

static enum pm_err read_runs_unfinished(struct store *st, struct world *w)
{
    int64_t ids[2];

    return store_dunning_runs_unfinished(st, w->company, ids, 2, &rd.n);
}

static enum pm_err read_items(struct store *st, struct world *w)
{
    struct dunning_item items[4];

    return store_dunning_items(st, w->company, w->run, 0, NULL, items, 4, &rd.n);
}

static enum pm_err read_items_pending(struct store *st, struct world *w)
{
    struct dunning_item items[4];

    return store_dunning_items_pending(st, w->company, w->run, items, 4, &rd.n);
}

static enum pm_err read_totals(struct store *st, struct world *w)
{
    struct dunning_total t[4];

    return store_dunning_totals(st, w->company, w->run, t, 4, &rd.n);
}

static enum pm_err read_statement(struct store *st, struct world *w)
{
    char *body = NULL, name[64];
    void *pdf = NULL;
    size_t len = 0;
    enum pm_err rc = store_mail_statement_content(st, w->company, leased_mail(w, "statement")->id,
                                                  &body, &pdf, &len, name, sizeof(name));

    if (!rc) {
        assert_string_equal(body, "Hej!\nHär är kontoutdraget.");
        assert_int_equal(len, sizeof("%PDF-1.4 kontoutdrag"));
        assert_string_equal(name, "kontoutdrag.pdf");
    } else {
        assert_null(body);
        assert_null(pdf);
    }
    free(body);
    free(pdf);
    return rc;
}

static enum pm_err read_mail_of_reminder(struct store *st, struct world *w)
{
    struct mail_row m;

    return store_mail_of_reminder(st, w->company, w->reminder, &m, &rd.found);
}

static enum pm_err read_mails(struct store *st, struct world *w)
{
    struct mail_row m[4];

    return store_mail_list(st, w->company, 0, 0, m, 4, &rd.n);
}

static enum pm_err read_invoice_mails(struct store *st, struct world *w)
{
    struct mail_row m[4];

    return store_mail_list(st, w->company, w->invoices[0], 0, m, 4, &rd.n);
}

static enum pm_err read_mail_counts(struct store *st, struct world *w)
{
    int64_t queued = 0, sent = 0, failed = 0;
    enum pm_err rc = store_mail_counts(st, w->company, &queued, &sent, &failed);

    rd.count = queued * 100 + sent * 10 + failed;
    return rc;
}

static enum pm_err read_mails_pending(struct store *st, struct world *w)
{
    (void)w;
    return store_mail_pending(st, &rd.count);
}

/* A reminder run, its e-mail and a webhook, every step of each write
 * failing in turn: nothing of it is written, and without a failure each is written
 * once; every read failing at each step says so, and answers afterwards.
 * Both engines. */
static void test_reminder_run_mail_and_webhook_fail_at_each_step(void **state)
{
    struct fixture *f = *state;
    static const write_op setup_ops[] = {op_policy, op_override, op_policy, op_run_open};
    static const write_op proposal_ops[] = {op_items};
    static const write_op run_ops[] = {
        op_run_approve,    op_item_finish, op_run_batch, op_run_done,    op_mail,
        op_statement_mail, op_mail_lease,  op_mail_sent, op_mail_finish, op_mail_release};
    static const write_op delete_ops[] = {op_override_delete};
    /* A webhook: queued, leased, refused by the receiver (a retry),
     * leased again and given back, sent again, its endpoint removed. */
    static const write_op hook_ops[] = {op_endpoint,     op_emit,           op_hook_lease,
                                        op_hook_finish,  op_hook_resend,    op_hook_lease,
                                        op_hook_release, op_endpoint_remove};
    static const write_op batch_ops[] = {op_invoice_batch};
    static const read_op hook_reads[] = {read_endpoints, read_endpoint, read_deliveries,
                                         read_hooks_pending};
    static const read_op reads[] = {
        read_policy,        read_policies,      read_dunning_companies, read_candidates,
        read_run,           read_runs,          read_runs_unfinished,   read_items,
        read_items_pending, read_totals,        read_statement,         read_mail_of_reminder,
        read_mails,         read_invoice_mails, read_mail_counts,       read_mails_pending};
    size_t i;
    struct world w;
    char sql[320];

    memset(&w, 0, sizeof(w));
    w.company = inj_company(f->st);
    assert_int_equal(op_customer(f->st, &w), PM_OK);
    w.customer = raw_int(f, "SELECT max(id) FROM customers");
    assert_int_equal(op_invoice(f->st, &w), PM_OK);
    assert_int_equal(op_invoice(f->st, &w), PM_OK);
    w.reminder = 1;
    snprintf(sql, sizeof(sql),
             "INSERT INTO reminders (company_id, id, invoice_id, date, period_from, period_to,"
             " total_due_minor, new_due_date, created_at)"
             " VALUES (%lld, 1, %lld, 20040, 20000, 20040, 125000, 20050, 1000)",
             (long long)w.company, (long long)w.invoices[0]);
    raw_exec(f, sql);
    inject(f->st);
    writes_fail_each_step(f, &w, setup_ops, 4, 4);
    /* The items and their count: several statements, in the caller's
     * transaction as the proposal runs them. */
    writes_fail_each_step(f, &w, proposal_ops, 1, 0);
    writes_fail_each_step(f, &w, run_ops, sizeof(run_ops) / sizeof(run_ops[0]),
                          sizeof(run_ops) / sizeof(run_ops[0]));
    /* Each written once, as the last, failure-free run left it. */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM dunning_policies"), 2);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM dunning_levels"), 3);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM dunning_runs WHERE state = 'done'"
                                " AND items = 2 AND letters_batch_id = 7"),
                     1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM dunning_items WHERE state = 'done'"
                                " AND reminder_id = 1"),
                     1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM mail_outbox"), 2);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM mail_outbox WHERE kind = 'reminder'"
                                " AND state = 'sent' AND attempts = 1 AND lease_owner = ''"),
                     1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM mail_outbox WHERE kind = 'statement'"
                                " AND state = 'queued' AND attempts = 0 AND lease_owner = ''"),
                     1);

    for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
        assert_true(read_fails_each_step(f, &w, reads[i]) >= 1);
    /* What the last reads answered: one statement mail queued, one
     * reminder mail sent; both invoices are past due. */
    assert_int_equal(rd.count, 1);
    assert_int_equal(read_mail_counts(f->st, &w), PM_OK);
    assert_int_equal(rd.count, 110);
    assert_int_equal(read_candidates(f->st, &w), PM_OK);
    assert_int_equal(rd.candidates, 2);
    assert_int_equal(read_policy(f->st, &w), PM_OK);
    assert_true(rd.found);
    assert_int_equal(rd.n, 2);

    writes_fail_each_step(f, &w, delete_ops, 1, 0);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM dunning_policies"), 1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM dunning_levels"), 2);

    writes_fail_each_step(f, &w, hook_ops, sizeof(hook_ops) / sizeof(hook_ops[0]),
                          sizeof(hook_ops) / sizeof(hook_ops[0]));
    /* Sent again from a first try, then failed with its endpoint. */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM webhook_deliveries WHERE state = 'failed'"
                                " AND attempts = 0 AND lease_owner = ''"),
                     1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM webhook_endpoints WHERE deleted_at = 2200"),
                     1);
    for (i = 0; i < sizeof(hook_reads) / sizeof(hook_reads[0]); i++)
        assert_true(read_fails_each_step(f, &w, hook_reads[i]) >= 1);
    assert_int_equal(rd.count, 0); /* nothing left to deliver */

    /* An import's batch: both invoices, their lines, payments and events
     * once, or nothing of them. */
    writes_fail_each_step(f, &w, batch_ops, 1, 1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoices"), 4);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM payments"), 2);
    assert_int_equal(raw_int(f, "SELECT sum(remaining_minor) FROM invoices WHERE total_minor ="
                                " 50000"),
                     70000);
}

/* Inside a caller's transaction a unit is a savepoint: one that fails is
 * undone alone and the transaction goes on to commit the rest. */
static void test_failing_unit_inside_a_transaction_undone_alone(void **state)
{
    struct fixture *f = *state;
    struct world w;

    memset(&w, 0, sizeof(w));
    w.company = inj_company(f->st);
    assert_int_equal(op_customer(f->st, &w), PM_OK);
    w.customer = raw_int(f, "SELECT max(id) FROM customers");
    inject(f->st);
    assert_int_equal(store_begin(f->st), PM_OK);
    assert_int_equal(op_invoice(f->st, &w), PM_OK);
    arm(2, PM_ERR_DB);
    assert_int_equal(op_invoice(f->st, &w), PM_ERR_DB);
    arm(0, PM_OK);
    assert_true(sql_in_transaction(f->st));
    assert_int_equal(op_customer(f->st, &w), PM_OK);
    assert_int_equal(store_commit(f->st), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoices"), 1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoice_lines"), 2);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM customers"), 2);
    /* A transient failure inside the caller's transaction is not retried
     * by the unit: the caller runs the whole transaction again. */
    assert_int_equal(store_begin(f->st), PM_OK);
    arm(1, PM_ERR_BUSY);
    assert_int_equal(op_invoice(f->st, &w), PM_ERR_BUSY);
    arm(0, PM_OK);
    assert_int_equal(store_rollback(f->st), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoices"), 1);
}

/* Each statement of a migration run failing in turn: the migration is not
 * applied and the schema version stays; without a failure it is applied
 * once. */
static void test_migration_statement_failing_applies_nothing(void **state)
{
    struct fixture *f = *state;
    const char *texts[64];
    const char *const good[] = {UPGRADE_GOOD};
    int n = engine_migrations()->count, applied, step;
    int64_t tables = table_count(f);
    struct store_migrations m = upgraded(texts, good, 1);
    enum pm_err rc;

    inject(f->st);
    for (step = 1;; step++) {
        applied = -1;
        arm(step, PM_ERR_DB);
        rc = store_migrate_run(f->st, &m, &applied);
        if (inj.steps < step)
            break;
        if (rc == PM_OK)
            fail_msg("step %d failed and the migration was applied", step);
        assert_int_equal(applied, -1);
        assert_false(sql_in_transaction(f->st));
        assert_int_equal(schema_version(f), n);
        assert_int_equal(table_count(f), tables);
    }
    arm(0, PM_OK);
    assert_int_equal(rc, PM_OK);
    assert_true(step > 2);
    assert_int_equal(applied, 1);
    assert_int_equal(schema_version(f), n + 1);
    assert_int_equal(table_count(f), tables + 1);
}

/* PostgreSQL: an exception raised by the database (P0001) is an invalid
 * value; a lock that cannot be had at once (55P03, NOWAIT behind another
 * connection's lock) is transient and retryable; the handle goes on. */
/* The data version read in the same round trip as a page (the lists of
 * `paminn serve` on PostgreSQL): it is the version the primary's handle
 * reads at that moment, and the page shows exactly what it counts — a
 * write by another connection both changes the version and is in the
 * page.  Read once (then forgotten); never on SQLite.  ("That moment": a
 * version read on either side of it, the same twice over — other tests'
 * transactions on the server change it too.) */
static uint64_t version_with_count(struct fixture *f, struct store *reader, int64_t *n)
{
    static const char count[] = "SELECT count(*) FROM companies";
    uint64_t before = 0, with_page = 0, after = 1;
    int tries;

    for (tries = 0; tries < 100 && before != after; tries++) {
        assert_int_equal(store_data_version(f->st, &before), PM_OK);
        store_version_with_next(reader);
        assert_int_equal(sql_getf(reader, "", "no row", &sql_int_reader, n, count, ""), PM_OK);
        assert_true(store_version_taken(reader, &with_page));
        assert_false(store_version_taken(reader, &after)); /* once */
        assert_int_equal(store_data_version(f->st, &after), PM_OK);
    }
    assert_true(before == after);
    assert_true(with_page == before);
    assert_int_equal(*n, raw_int(f, count));
    return with_page;
}

static void test_version_read_with_the_page(void **state)
{
    struct fixture *f = *state;
    struct store *reader = NULL;
    struct pm_error e;
    uint64_t first, second;
    int64_t n = 0, m = 0;

    if (!on_pg()) {
        store_version_with_next(f->st);
        assert_int_equal(sql_getf(f->st, "", "no row", &sql_int_reader, &n,
                                  "SELECT count(*) FROM companies", ""),
                         PM_OK);
        assert_false(store_version_taken(f->st, &first));
        return;
    }
    assert_int_equal(store_open_standby(f->dsn, &reader, &e), PM_OK);
    first = version_with_count(f, reader, &n);
    raw_exec(f, "INSERT INTO companies (name, created_at) VALUES ('Nytt AB', 1)");
    second = version_with_count(f, reader, &m);
    assert_true(second != first);
    assert_int_equal(m, n + 1);
    store_close(&reader);
}

static void test_pg_raised_and_lock_not_available(void **state)
{
    struct fixture *f = *state;

    if (!on_pg())
        skip();
    assert_int_equal(sql_exec(f->st, "DO $$ BEGIN RAISE EXCEPTION 'nope'; END $$"), PM_ERR_INVALID);
    assert_non_null(strstr(store_error(f->st)->message, "nope"));
    raw_exec(f, "BEGIN");
    raw_exec(f, "LOCK TABLE companies IN ACCESS EXCLUSIVE MODE");
    assert_int_equal(store_begin(f->st), PM_OK);
    assert_int_equal(sql_exec(f->st, "LOCK TABLE companies IN SHARE MODE NOWAIT"), PM_ERR_BUSY);
    assert_true(store_retryable(f->st));
    /* A statement sent after it in the same transaction, and the commit,
     * fail as the same retryable conflict ("current transaction is
     * aborted" is not an error of its own): the caller runs the unit again
     * rather than answering 500. */
    assert_int_equal(sql_exec(f->st, "SELECT count(*) FROM companies"), PM_ERR_BUSY);
    assert_true(store_retryable(f->st));
    assert_int_equal(store_commit(f->st), PM_ERR_BUSY);
    assert_int_equal(store_rollback(f->st), PM_OK);
    raw_exec(f, "ROLLBACK");
    /* A new transaction starts clean: its own aborted statement is not
     * taken for a conflict. */
    assert_int_equal(store_begin(f->st), PM_OK);
    assert_int_equal(sql_exec(f->st, "SELECT 1/0"), PM_ERR_INVALID);
    assert_int_not_equal(sql_exec(f->st, "SELECT 1"), PM_ERR_BUSY);
    assert_false(store_retryable(f->st));
    assert_int_equal(store_rollback(f->st), PM_OK);
    assert_int_equal(sql_exec(f->st, "SELECT count(*) FROM companies"), PM_OK);
}

/* Every kind of value the store reads comes back as it went in, on both
 * engines: integers of each width at their extremes (PostgreSQL sends
 * these rows in binary), a boolean, an integer read as text, text with
 * non-ASCII letters, bytes with a zero among them, NULL; and a numeric sum
 * (a statement PostgreSQL sends as text) read as an integer. */
static void test_values_read_as_stored(void **state)
{
    /* Bytes are typed on PostgreSQL (a bare parameter there is text). */
#define VALUES_SQL(bytes)                                                                 \
    "SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT), CAST(-32768 AS SMALLINT),"            \
    " CAST(2147483647 AS INTEGER), CAST(-2147483648 AS INTEGER), CAST($3 AS BIGINT) = 7," \
    " CAST($4 AS BIGINT) <> 7, CAST($5 AS TEXT), " bytes ", CAST(NULL AS BIGINT),"        \
    " CAST($1 AS BIGINT) + 0"
    static const char sql_sqlite[] = VALUES_SQL("$6");
    static const char sql_pg[] = VALUES_SQL("CAST($6 AS BYTEA)");
#undef VALUES_SQL
    static const unsigned char bytes[] = {0x00, 0xff, 0x5c, 0x78, 0x00, 0x27};
    struct fixture *f = *state;
    struct store_stmt *q = NULL;
    const void *data = NULL;
    char text[64];
    size_t len = 0;
    int64_t sum = 0;

    assert_int_equal(sql_query(f->st, &q,
                               sql_dialect(f->st) == STORE_DIALECT_PG ? sql_pg : sql_sqlite,
                               "iiiitx", INT64_MAX, INT64_MIN + 1, (int64_t)7, (int64_t)7,
                               SQL_ARR("Åsa Öberg, Malmö"), (const void *)bytes, sizeof(bytes)),
                     PM_OK);
    assert_int_equal(sql_row(f->st, q, "", "no row"), PM_OK);
    assert_true(sql_int(f->st, q, 0) == INT64_MAX);
    assert_true(sql_int(f->st, q, 1) == INT64_MIN + 1);
    assert_int_equal(sql_int(f->st, q, 2), -32768);
    assert_int_equal(sql_int(f->st, q, 3), 2147483647);
    assert_int_equal(sql_int(f->st, q, 4), -2147483648LL);
    assert_true(sql_bool(f->st, q, 5));
    assert_false(sql_bool(f->st, q, 6));
    sql_col_arr(f->st, q, 1, text);
    assert_string_equal(text, "-9223372036854775807");
    sql_col_arr(f->st, q, 7, text);
    assert_string_equal(text, "Åsa Öberg, Malmö");
    assert_int_equal(sql_blob(f->st, q, 8, &data, &len), PM_OK);
    assert_int_equal(len, sizeof(bytes));
    assert_memory_equal(data, bytes, sizeof(bytes));
    assert_true(sql_is_null(f->st, q, 9));
    assert_int_equal(sql_int(f->st, q, 9), 0);
    assert_true(sql_int(f->st, q, 10) == INT64_MAX);
    sql_done(f->st, q);

    assert_int_equal(sql_getf(f->st, "", "no row", &sql_int_reader, &sum,
                              "SELECT sum(v) FROM (SELECT CAST($1 AS BIGINT) AS v"
                              " UNION ALL SELECT CAST(-7 AS BIGINT)) AS t",
                              "i", (int64_t)1000000000000),
                     PM_OK);
    assert_true(sum == 999999999993);
}

/* Text that merely looks like a placeholder ('$1' in a string literal, a
 * quoted identifier) reaches the database as written, beside real
 * placeholders; an outbox message without a kind or an idempotency key is
 * refused naming which, and nothing is written.  Both engines. */
static void test_quoted_dollars_and_incomplete_message(void **state)
{
    static const char sql[] = "SELECT length('$1' || \"t\".\"x$2\") + CAST($1 AS BIGINT)"
                              " FROM (SELECT 'ab' AS \"x$2\") AS \"t\"";
    struct fixture *f = *state;
    struct outbox_message m;
    struct world w;
    int64_t v = 0;

    assert_int_equal(sql_getf(f->st, "", "no row", &sql_int_reader, &v, sql, "i", (int64_t)10),
                     PM_OK);
    assert_int_equal(v, 14); /* "$1" and "ab", plus 10 */

    memset(&w, 0, sizeof(w));
    w.company = inj_company(f->st);
    assert_int_equal(op_customer(f->st, &w), PM_OK);
    w.customer = raw_int(f, "SELECT max(id) FROM customers");
    assert_int_equal(op_invoice(f->st, &w), PM_OK);
    memset(&m, 0, sizeof(m));
    m.company_id = w.company;
    m.invoice_id = w.invoices[0];
    m.kind = AMILI_JOB_REPORT_PAYMENT;
    snprintf(m.payload, sizeof(m.payload), "{}");
    assert_int_equal(store_outbox_enqueue(f->st, &m), PM_ERR_INVALID);
    assert_string_equal(store_error(f->st)->field, "idempotency_key");
    m.kind = AMILI_JOB_UNKNOWN;
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "k-1");
    assert_int_equal(store_outbox_enqueue(f->st, &m), PM_ERR_INVALID);
    assert_string_equal(store_error(f->st)->field, "kind");
    assert_int_equal(raw_int(f, "SELECT count(*) FROM outbox"), 0);
    m.kind = AMILI_JOB_REPORT_PAYMENT;
    assert_int_equal(store_outbox_enqueue(f->st, &m), PM_OK);
    assert_int_equal(store_outbox_enqueue(f->st, &m), PM_ERR_CONFLICT);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM outbox"), 1);
}

/* ---- values the code does not know ---- */

/* A stored agency state no version of the code wrote (the column has no
 * CHECK: a newer release may add states) is
 * refused naming the value, never read as another one; put right, the
 * row reads again.  Both engines. */
static void test_unknown_stored_value_refused(void **state)
{
    struct fixture *f = *state;
    struct world w;
    struct invoice got, list[2];
    struct handover_row facts;
    struct invoice_query q;
    const struct pm_error *err = store_error(f->st);
    size_t n = 0, i;
    char sql[160];
    const struct {
        const char *column, *bad;
    } cols[] = {{"agency_state", "lost"}, {"agency_state", "QUEUED"}};

    memset(&w, 0, sizeof(w));
    w.company = inj_company(f->st);
    assert_int_equal(op_customer(f->st, &w), PM_OK);
    w.customer = raw_int(f, "SELECT max(id) FROM customers");
    assert_int_equal(op_invoice(f->st, &w), PM_OK);
    memset(&q, 0, sizeof(q));
    q.filter = FILTER_ALL;
    q.limit = 2;
    q.today = 20040;
    for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
        snprintf(sql, sizeof(sql), "UPDATE invoices SET %s = '%s'", cols[i].column, cols[i].bad);
        raw_exec(f, sql);
        assert_int_equal(store_invoice_get(f->st, w.company, w.invoices[0], &got), PM_ERR_DB);
        assert_string_equal(err->field, cols[i].column);
        assert_non_null(strstr(err->message, cols[i].bad));
        assert_int_equal(store_invoice_list(f->st, w.company, &q, list, 2, &n), PM_ERR_DB);
        assert_int_equal(store_agency_handover_facts(f->st, w.company, w.invoices[0], &facts),
                         PM_ERR_DB);
        snprintf(sql, sizeof(sql), "UPDATE invoices SET %s = ''", cols[i].column);
        raw_exec(f, sql);
        assert_int_equal(store_invoice_get(f->st, w.company, w.invoices[0], &got), PM_OK);
        assert_int_equal(store_invoice_list(f->st, w.company, &q, list, 2, &n), PM_OK);
        assert_int_equal(n, 1);
    }
}

/* A table's CHECK constraints set aside on the second connection, as in a
 * database a newer release wrote to: PostgreSQL drops them, SQLite's
 * connection ignores them. */
static void checks_off(struct fixture *f, const char *table)
{
    char sql[600];

    if (!on_pg()) {
        raw_exec(f, "PRAGMA ignore_check_constraints = ON");
        return;
    }
    snprintf(sql, sizeof(sql),
             "DO $$ DECLARE c record; BEGIN"
             " FOR c IN SELECT conname FROM pg_constraint"
             "   WHERE conrelid = '%s'::regclass AND contype = 'c' LOOP"
             "   EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %%I', c.conname);"
             " END LOOP; END $$",
             table, table);
    raw_exec(f, sql);
}

/* A reminder policy, level, run or item holding a value no version of the
 * code wrote is refused naming the column and the value, never read as
 * another one; put right, the row reads again.  Both engines. */
static void test_unknown_dunning_value_refused(void **state)
{
    struct fixture *f = *state;
    const struct pm_error *err = store_error(f->st);
    static const struct {
        const char *table, *column, *good;
        read_op read;
    } cols[] = {
        {"dunning_policies", "final_step", "handover", read_policy},
        {"dunning_policies", "approval", "manual", read_policies},
        {"dunning_levels", "anchor", "due", read_policy},
        {"dunning_levels", "channel", "both", read_policies},
        {"dunning_runs", "state", "done", read_run},
        {"dunning_runs", "approval", "manual", read_runs},
        {"dunning_items", "action", "remind", read_items},
        {"dunning_items", "reason", "", read_items},
        {"dunning_items", "state", "done", read_items},
    };
    struct world w;
    char sql[200];
    size_t i;

    memset(&w, 0, sizeof(w));
    w.company = inj_company(f->st);
    assert_int_equal(op_customer(f->st, &w), PM_OK);
    w.customer = raw_int(f, "SELECT max(id) FROM customers");
    assert_int_equal(op_invoice(f->st, &w), PM_OK);
    assert_int_equal(op_invoice(f->st, &w), PM_OK);
    assert_int_equal(op_policy(f->st, &w), PM_OK);
    assert_int_equal(op_override(f->st, &w), PM_OK);
    assert_int_equal(op_run_open(f->st, &w), PM_OK);
    assert_int_equal(in_caller_tx(f->st, &w, op_items), PM_OK);
    for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
        checks_off(f, cols[i].table);
        snprintf(sql, sizeof(sql), "UPDATE %s SET %s = 'someday'", cols[i].table, cols[i].column);
        raw_exec(f, sql);
        assert_int_equal(cols[i].read(f->st, &w), PM_ERR_DB);
        assert_string_equal(err->field, cols[i].column);
        assert_non_null(strstr(err->message, "someday"));
        snprintf(sql, sizeof(sql), "UPDATE %s SET %s = '%s'", cols[i].table, cols[i].column,
                 cols[i].good);
        raw_exec(f, sql);
        assert_int_equal(cols[i].read(f->st, &w), PM_OK);
    }
    /* The item of the invoice reminded, as put right above. */
    assert_int_equal(read_items(f->st, &w), PM_OK);
    assert_int_equal(rd.n, 2);
}

/* ---- SQLite: the file and its lock ---- */

static void test_sqlite_file_refused_or_busy(void **state)
{
    struct fixture *f = *state;
    struct store *st = NULL;
    struct pm_error e;
    struct world w;
    char path[96];
    FILE *junk;

    if (on_pg())
        skip();
    /* A directory that does not exist: named. */
    pm_error_clear(&e);
    assert_int_equal(store_open("/nonexistent-dir/paminn/p.db", &st, &e), PM_ERR_IO);
    assert_null(st);
    assert_string_equal(e.field, "dsn");
    assert_non_null(strstr(e.message, "opening /nonexistent-dir/paminn/p.db"));
    /* A file that is not a database: refused, the file left as it was. */
    snprintf(path, sizeof(path), "%s-junk", f->path);
    junk = fopen(path, "w");
    assert_non_null(junk);
    fputs("this is not an SQLite database, but it is long enough to be read as one's header\n",
          junk);
    fclose(junk);
    pm_error_clear(&e);
    assert_int_not_equal(store_open(path, &st, &e), PM_OK);
    assert_null(st);
    assert_true(e.message[0] != '\0');
    unlink(path);

    /* Another connection holds the write lock past the busy timeout: the
     * write is refused as retryable and writes nothing; once the lock is
     * gone it goes through. */
    memset(&w, 0, sizeof(w));
    w.company = inj_company(f->st);
    raw_exec(f, "BEGIN IMMEDIATE");
    assert_int_equal(op_customer(f->st, &w), PM_ERR_BUSY);
    assert_true(store_retryable(f->st));
    assert_false(sql_in_transaction(f->st));
    raw_exec(f, "ROLLBACK");
    assert_int_equal(raw_int(f, "SELECT count(*) FROM customers"), 0);
    assert_int_equal(op_customer(f->st, &w), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM customers"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_failing_migration_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_mapped_alike, setup, teardown),
        cmocka_unit_test(test_unreachable_server_named),
        cmocka_unit_test_setup_teardown(test_store_front, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_failing_statement_writes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reminder_run_mail_and_webhook_fail_at_each_step, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failing_unit_inside_a_transaction_undone_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown_stored_value_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_dunning_value_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quoted_dollars_and_incomplete_message, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_values_read_as_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_read_with_the_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_raised_and_lock_not_available, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_statement_failing_applies_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sqlite_file_refused_or_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_refuses_a_failing_migration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_serialisation_conflict_is_retried_whole, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pg_serialisation_conflict_refused_when_it_persists,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_terminated_idle_connection_is_made_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pg_terminated_mid_transaction_writes_nothing, setup,
                                        teardown),
    };

    pg_base_from_env();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
