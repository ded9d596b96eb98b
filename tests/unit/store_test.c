/*
 * store_test.c — the storage interface (store/store.h) against the SQLite
 * engine, each test on a fresh database file under /tmp; with
 * PAMINN_TEST_DSN=postgresql://... the same tests against the PostgreSQL
 * engine, each on a fresh database of that server (created and dropped
 * here), which is how CMakeLists.txt runs it a second time
 * (unit.store_test.pg, on the server of scripts/pg-server.sh).
 *
 * What a caller relies on: rows come back as written, every call is scoped
 * by company, numbers and ids follow their series, payments keep the
 * invoice's derived columns right, a failed or rolled-back call leaves
 * nothing, the invoice list pages every invoice exactly once in order (also
 * while invoices are added) from indexes, and the database itself refuses
 * an unbalanced voucher.  Where a test needs to see or set what the
 * interface does not expose, it opens a second connection on the database
 * (sqlite3 or libpq); the SQL it sends that way runs on both engines.  What
 * only one engine has (file handling, journal mode, its query planner's
 * output) is tested per engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include "pg_testdb.h"
#include "store/pg/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "store/store_mail.h"
#include "store/store_webhooks.h"
#include "store/store_agency.h"
#include "store/store_dunning.h"
#include "store/store_invoices.h"
#include "app/app_sessions.h"

#define TODAY 20000 /* 2024-10-04 as a day number */

struct fixture {
    char path[64]; /* SQLite: the file */
    char dsn[512]; /* what store_open() is given: the file or a DSN */
    char name[64]; /* PostgreSQL: this test's database */
    struct store *st;
    sqlite3 *raw;   /* a second connection */
    PGconn *pg_raw; /* the same on PostgreSQL */
    int64_t company_a, company_b;
    int64_t customer_a, customer_b;
};

static PGconn *pg_connect(const char *dsn)
{
    PGconn *c = PQconnectdb(dsn);

    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connect %s: %s", dsn, PQerrorMessage(c));
    /* Notices (a ROLLBACK with nothing open) are expected, not output. */
    PQsetNoticeProcessor(c, quiet, NULL);
    return c;
}

static void remove_files(const char *path)
{
    char side[80];

    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
}

static int64_t add_company(struct store *st, const char *name)
{
    struct company c;

    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "%s", name);
    snprintf(c.country, sizeof(c.country), "SE");
    snprintf(c.language, sizeof(c.language), "sv");
    snprintf(c.timezone, sizeof(c.timezone), "Europe/Stockholm");
    c.payment_terms_days = 30;
    assert_int_equal(store_company_insert(st, &c), PM_OK);
    assert_true(c.id > 0);
    return c.id;
}

static int64_t add_customer(struct store *st, int64_t company_id, const char *name)
{
    struct customer c;

    memset(&c, 0, sizeof(c));
    c.company_id = company_id;
    snprintf(c.name, sizeof(c.name), "%s", name);
    snprintf(c.country, sizeof(c.country), "SE");
    snprintf(c.zip_code, sizeof(c.zip_code), "11122");
    assert_int_equal(store_customer_insert(st, &c), PM_OK);
    assert_true(c.id > 0);
    return c.id;
}

/* An invoice of one line; customer part = amount. */
static struct invoice add_invoice(struct store *st, int64_t company_id, int64_t customer_id,
                                  int64_t number, int32_t due, int64_t amount)
{
    struct invoice inv;
    struct invoice_line_row line;

    memset(&inv, 0, sizeof(inv));
    memset(&line, 0, sizeof(line));
    inv.company_id = company_id;
    inv.customer_id = customer_id;
    inv.number = number;
    inv.kind = INVOICE_STANDARD;
    snprintf(inv.currency, sizeof(inv.currency), "SEK");
    inv.invoice_date = due - 30;
    inv.due_date = due;
    inv.net_minor = amount;
    inv.total_minor = amount;
    inv.customer_part_minor = amount;
    snprintf(line.description, sizeof(line.description), "Konsulttimmar");
    line.line.quantity_milli = 1000;
    line.line.unit_price_minor = amount;
    line.line.vat_rate_bp = 0;
    line.net_minor = amount;
    assert_int_equal(store_invoice_insert(st, &inv, &line, 1, NULL, 0), PM_OK);
    return inv;
}

/* Run sql (one or more statements) on the second connection: true when it
 * succeeded, else false with the database's message in err[cap]. */
static bool raw_try(struct fixture *f, const char *sql, char *err, size_t cap)
{
    bool ok;

    if (on_pg()) {
        PGresult *r = PQexec(f->pg_raw, sql);
        ExecStatusType rs = PQresultStatus(r);

        ok = rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK;
        snprintf(err, cap, "%s", ok ? "" : PQerrorMessage(f->pg_raw));
        PQclear(r);
    } else {
        char *msg = NULL;

        ok = sqlite3_exec(f->raw, sql, NULL, NULL, &msg) == SQLITE_OK;
        snprintf(err, cap, "%s", ok ? "" : (msg ? msg : "?"));
        sqlite3_free(msg);
    }
    return ok;
}

static void raw_exec(struct fixture *f, const char *sql)
{
    char err[512];

    if (!raw_try(f, sql, err, sizeof(err)))
        fail_msg("%s: %s", sql, err);
}

/* The first column of the first row as an integer; -1 when there is none. */
static int64_t raw_int(struct fixture *f, const char *sql)
{
    int64_t v = -1;

    if (on_pg()) {
        PGresult *r = PQexec(f->pg_raw, sql);

        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            fail_msg("%s: %s", sql, PQerrorMessage(f->pg_raw));
        if (PQntuples(r) > 0)
            v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    } else {
        sqlite3_stmt *st = NULL;

        assert_int_equal(sqlite3_prepare_v2(f->raw, sql, -1, &st, NULL), SQLITE_OK);
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

static int migrations_count(void)
{
    return on_pg() ? pg_migrations_count() : sqlite_migrations_count();
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct pm_error e;
    int fd;

    assert_non_null(f);
    pm_error_clear(&e);
    if (on_pg()) {
        pg_create_db(f->name, f->dsn, sizeof(f->dsn));
        if (store_open(f->dsn, &f->st, &e) != PM_OK)
            fail_msg("store_open %s: %s", f->dsn, e.message);
        f->pg_raw = pg_connect(f->dsn);
    } else {
        snprintf(f->path, sizeof(f->path), "/tmp/paminn-store-XXXXXX");
        fd = mkstemp(f->path);
        assert_true(fd >= 0);
        close(fd);
        snprintf(f->dsn, sizeof(f->dsn), "%s", f->path);
        assert_int_equal(store_open(f->path, &f->st, &e), PM_OK);
        assert_int_equal(sqlite3_open(f->path, &f->raw), SQLITE_OK);
        sqlite3_busy_timeout(f->raw, 5000);
        /* As every connection of the engine has it (the SQLite driver's open). */
        assert_int_equal(sqlite3_exec(f->raw, "PRAGMA foreign_keys = ON", NULL, NULL, NULL),
                         SQLITE_OK);
    }
    f->company_a = add_company(f->st, "Bygg & Måleri AB");
    f->company_b = add_company(f->st, "Annan Firma AB");
    f->customer_a = add_customer(f->st, f->company_a, "Kund A");
    f->customer_b = add_customer(f->st, f->company_b, "Kund B");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    sqlite3_close(f->raw);
    if (f->pg_raw)
        PQfinish(f->pg_raw);
    store_close(&f->st);
    assert_null(f->st);
    if (on_pg())
        pg_drop_db(f->name);
    else
        remove_files(f->path);
    free(f);
    return 0;
}

/* ---- open and migrations ---- */

static void test_open_dsn(void **state)
{
    struct fixture *f = *state;
    struct store *st = NULL;
    struct pm_error e;
    char dsn[96];

    pm_error_clear(&e);
    /* No server listens on port 1: refused, with no handle. */
    assert_int_not_equal(store_open("postgresql://paminn@127.0.0.1:1/paminn", &st, &e), PM_OK);
    assert_null(st);
    assert_true(e.message[0] != '\0');
    assert_int_equal(store_open("", &st, &e), PM_ERR_INVALID);
    assert_int_equal(store_open("sqlite:", &st, &e), PM_ERR_INVALID);
    assert_int_equal(store_open("/nonexistent-dir/x/y.db", &st, &e), PM_ERR_IO);
    assert_null(st);

    if (on_pg()) {
        assert_int_equal(store_open(f->dsn, &st, &e), PM_OK);
        assert_string_equal(store_engine_name(st), "postgresql");
    } else {
        snprintf(dsn, sizeof(dsn), "sqlite:%s", f->path);
        assert_int_equal(store_open(dsn, &st, &e), PM_OK);
        assert_string_equal(store_engine_name(st), "sqlite");
    }
    store_close(&st);
    store_close(&st); /* NULL: a no-op */
}

static void test_migrate_idempotent(void **state)
{
    struct fixture *f = *state;
    struct store *st = NULL;
    struct pm_error e;
    int applied = -1;

    /* Open applied every migration once. */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM schema_migrations"), migrations_count());
    assert_int_equal(raw_int(f, "SELECT max(version) FROM schema_migrations"), migrations_count());
    assert_int_equal(store_migrate(f->st, &applied), PM_OK);
    assert_int_equal(applied, 0);
    applied = -1;
    assert_int_equal(store_migrate(f->st, &applied), PM_OK);
    assert_int_equal(applied, 0);

    /* Reopening changes nothing, and the data is still there. */
    assert_int_equal(store_open(f->dsn, &st, &e), PM_OK);
    assert_int_equal(store_migrate(st, &applied), PM_OK);
    assert_int_equal(applied, 0);
    store_close(&st);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM schema_migrations"), migrations_count());
    assert_int_equal(raw_int(f, "SELECT count(*) FROM companies"), 2);
    if (!on_pg())
        assert_int_equal(raw_int(f, "PRAGMA journal_mode = WAL") >= 0, 1);
}

/* The indexes of invoices: how many, how many unique, and the length of
 * their definitions all told (a definition that came back different
 * changes it). */
static void invoice_indexes(struct fixture *f, int64_t *all, int64_t *unique, int64_t *chars)
{
    if (on_pg()) {
        *all = raw_int(f, "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()"
                          " AND tablename = 'invoices'");
        *unique = raw_int(f, "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()"
                             " AND tablename = 'invoices' AND indexdef LIKE 'CREATE UNIQUE%'");
        *chars = raw_int(f, "SELECT sum(length(indexdef)) FROM pg_indexes"
                            " WHERE schemaname = current_schema() AND tablename = 'invoices'");
    } else {
        *all = raw_int(f, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                          " AND tbl_name = 'invoices'");
        *unique =
            raw_int(f, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                       " AND tbl_name = 'invoices' AND (sql IS NULL OR sql LIKE 'CREATE UNIQUE%')");
        *chars = raw_int(f, "SELECT sum(length(sql)) FROM sqlite_master WHERE type = 'index'"
                            " AND tbl_name = 'invoices'");
    }
}

/* A bulk load's indexes set aside (store_indexes_defer): only those that
 * speed reads go, their definitions stay in the database, and a process
 * that dies before building them again leaves them to the next
 * store_migrate(), which builds the very same indexes. */
static void test_indexes_deferred(void **state)
{
    static const char *const tables[] = {"invoices", "payments", NULL};
    struct fixture *f = *state;
    struct store *other = NULL;
    struct pm_error e;
    int64_t all, unique, chars, all2, unique2, chars2;

    /* PostgreSQL: the foreign keys of both tables, and their definitions */
    static const char fks[] = "SELECT count(*) * 100000 + sum(length(pg_get_constraintdef(oid)))"
                              " FROM pg_constraint WHERE contype = 'f'"
                              " AND conrelid::regclass::text IN ('invoices', 'payments')";
    int64_t fk = 0;

    invoice_indexes(f, &all, &unique, &chars);
    assert_true(all > unique + 10); /* the list's filters and sorts */
    assert_true(unique >= 1);       /* the key, the invoice number */
    if (on_pg()) {
        fk = raw_int(f, fks);
        assert_true(fk >= 3 * 100000); /* company, customer; payment to invoice */
    }

    /* not inside a transaction of the caller */
    assert_int_equal(store_begin(f->st), PM_OK);
    assert_int_equal(store_indexes_defer(f->st, tables), PM_ERR_INTERNAL);
    assert_int_equal(store_rollback(f->st), PM_OK);

    assert_int_equal(store_indexes_defer(f->st, tables), PM_OK);
    invoice_indexes(f, &all2, &unique2, &chars2);
    assert_int_equal(all2, unique);
    assert_int_equal(unique2, unique);
    assert_int_equal(raw_int(f,
                             "SELECT count(*) FROM deferred_indexes WHERE table_name = 'invoices'"
                             " AND sql LIKE 'CREATE INDEX%'"),
                     all - unique);
    assert_true(raw_int(f, "SELECT count(*) FROM deferred_indexes WHERE table_name = 'payments'") >
                0);
    if (on_pg()) {
        assert_int_equal(raw_int(f, fks), 0);
        assert_int_equal(raw_int(f, "SELECT count(*) FROM deferred_indexes"),
                         all - unique + fk / 100000 +
                             raw_int(f, "SELECT count(*) FROM deferred_indexes WHERE table_name"
                                        " = 'payments' AND sql LIKE 'CREATE INDEX%'"));
    }

    /* the process "died": another opens the database and migrates */
    assert_int_equal(store_open(f->dsn, &other, &e), PM_OK);
    assert_int_equal(store_migrate(other, NULL), PM_OK);
    store_close(&other);
    invoice_indexes(f, &all2, &unique2, &chars2);
    assert_int_equal(all2, all);
    assert_int_equal(unique2, unique);
    assert_int_equal(chars2, chars);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM deferred_indexes"), 0);
    if (on_pg())
        assert_int_equal(raw_int(f, fks), fk);

    /* nothing set aside: nothing to do */
    assert_int_equal(store_indexes_restore(f->st), PM_OK);
    invoice_indexes(f, &all2, &unique2, &chars2);
    assert_int_equal(all2, all);
}

/* The same on PostgreSQL: a database with a table of its own gets our
 * schema beside it; a newer schema is refused. */
static void migrate_fresh_pg(void)
{
    char name[64], dsn[512];
    struct store *st = NULL;
    struct pm_error e;
    int applied = -1;
    PGconn *c;
    PGresult *r;

    pg_create_db(name, dsn, sizeof(dsn));
    c = pg_connect(dsn);
    r = PQexec(c, "CREATE TABLE unrelated (x BIGINT)");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    if (store_open(dsn, &st, &e) != PM_OK)
        fail_msg("store_open: %s", e.message);
    assert_int_equal(store_migrate(st, &applied), PM_OK);
    assert_int_equal(applied, 0);
    store_close(&st);

    r = PQexec(c, "INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("insert: %s", PQerrorMessage(c));
    PQclear(r);
    pm_error_clear(&e);
    assert_int_equal(store_open(dsn, &st, &e), PM_ERR_DB);
    assert_null(st);
    assert_non_null(strstr(e.message, "newer"));
    PQfinish(c);
    pg_drop_db(name);
}

static void test_migrate_fresh_raw_file(void **state)
{
    char path[64];
    struct store *st = NULL;
    struct pm_error e;
    int applied = -1, fd;
    sqlite3 *db;

    (void)state;
    if (on_pg()) {
        migrate_fresh_pg();
        return;
    }
    snprintf(path, sizeof(path), "/tmp/paminn-store-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    /* An existing SQLite file without our schema gets it on open. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE unrelated (x INTEGER)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_open(path, &st, &e), PM_OK);
    assert_int_equal(store_migrate(st, &applied), PM_OK);
    assert_int_equal(applied, 0);
    store_close(&st);

    /* A newer schema than this program knows is refused. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO schema_migrations (version, applied_at)"
                                  " VALUES (9999, 0)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    pm_error_clear(&e);
    assert_int_equal(store_open(path, &st, &e), PM_ERR_DB);
    assert_null(st);
    assert_non_null(strstr(e.message, "newer"));
    remove_files(path);
}

/* A database of the release before the customer's name was kept on the
 * invoice row, with invoices: the migration fills each row with its
 * customer's name, and the list and the invoice show it. */
static void test_migration_fills_customer_names(void **state)
{
    const struct store_migrations *m = on_pg() ? &pg_migrations : &sqlite_migrations;
    struct fixture old;
    struct store *st = NULL;
    struct invoice_query q = {.filter = FILTER_ALL, .today = TODAY, .limit = 10};
    struct invoice rows[10], one;
    struct pm_error e;
    char sql[128];
    size_t n = 0, i;
    int v, applied = -1, fd;

    (void)state;
    for (v = m->count; v >= 1 && !strstr(m->texts[v - 1], "ADD COLUMN customer_name"); v--)
        ;
    assert_true(v > 1);

    /* the schema up to version v - 1, as that release left it */
    memset(&old, 0, sizeof(old));
    if (on_pg()) {
        pg_create_db(old.name, old.dsn, sizeof(old.dsn));
        old.pg_raw = pg_connect(old.dsn);
    } else {
        snprintf(old.path, sizeof(old.path), "/tmp/paminn-store-XXXXXX");
        fd = mkstemp(old.path);
        assert_true(fd >= 0);
        close(fd);
        snprintf(old.dsn, sizeof(old.dsn), "%s", old.path);
        assert_int_equal(sqlite3_open(old.path, &old.raw), SQLITE_OK);
    }
    raw_exec(&old, m->create_table);
    for (i = 1; i < (size_t)v; i++) {
        raw_exec(&old, m->texts[i - 1]);
        snprintf(sql, sizeof(sql),
                 "INSERT INTO schema_migrations (version, applied_at) VALUES (%zu, 0)", i);
        raw_exec(&old, sql);
    }
    raw_exec(&old, "INSERT INTO companies (id, name, created_at) VALUES (1, 'Förr AB', 0)");
    raw_exec(&old, "INSERT INTO customers (company_id, id, name, is_company, created_at)"
                   " VALUES (1, 1, 'Åkeri Öst AB', 1, 0), (1, 2, 'Berit', 0, 0)");
    raw_exec(&old, "INSERT INTO invoices (company_id, id, number, customer_id, kind, currency,"
                   " invoice_date, due_date, net_minor, vat_minor, total_minor,"
                   " customer_part_minor, remaining_minor, state, created_at)"
                   " VALUES (1, 1, 1001, 1, 'standard', 'SEK', 19970, 20000, 100, 0, 100, 100,"
                   " 100, 'open', 0), (1, 2, 1002, 2, 'standard', 'SEK', 19971, 20001, 200, 0,"
                   " 200, 200, 200, 'open', 0), (1, 3, 1003, 1, 'standard', 'SEK', 19972,"
                   " 20002, 300, 0, 300, 300, 300, 'open', 0)");

    /* this release opens it: the newer migrations run */
    pm_error_clear(&e);
    if (store_open(old.dsn, &st, &e) != PM_OK)
        fail_msg("store_open: %s", e.message);
    assert_int_equal(raw_int(&old, "SELECT max(version) FROM schema_migrations"), m->count);
    assert_int_equal(raw_int(&old, "SELECT count(*) FROM invoices WHERE customer_name = ''"), 0);
    assert_int_equal(store_invoice_list(st, 1, &q, rows, 10, &n), PM_OK);
    assert_int_equal(n, 3);
    for (i = 0; i < n; i++) {
        const char *want = rows[i].customer_id == 1 ? "Åkeri Öst AB" : "Berit";

        assert_string_equal(rows[i].customer_name, want);
        assert_int_equal(store_invoice_get(st, 1, rows[i].id, &one), PM_OK);
        assert_string_equal(one.customer_name, want);
    }
    assert_int_equal(store_migrate(st, &applied), PM_OK);
    assert_int_equal(applied, 0);

    store_close(&st);
    if (on_pg()) {
        PQfinish(old.pg_raw);
        pg_drop_db(old.name);
    } else {
        sqlite3_close(old.raw);
        remove_files(old.path);
    }
}

/* ---- companies, users, memberships ---- */

static void test_company_user_membership(void **state)
{
    struct fixture *f = *state;
    struct company c;
    struct user u, u2, got;
    struct membership m[4];
    size_t n = 0;

    assert_int_equal(store_company_get(f->st, f->company_a, &c), PM_OK);
    assert_string_equal(c.name, "Bygg & Måleri AB");
    assert_string_equal(c.timezone, "Europe/Stockholm");
    assert_int_equal(c.payment_terms_days, 30);
    assert_true(c.created_at > 0);
    snprintf(c.bankgiro, sizeof(c.bankgiro), "5050-1055");
    c.reminder_fee_agreed = true;
    c.reminder_fee_minor = 6000;
    c.accounting_method = ACCOUNTING_CASH;
    assert_int_equal(store_company_update(f->st, &c), PM_OK);
    memset(&c, 0, sizeof(c));
    assert_int_equal(store_company_get(f->st, f->company_a, &c), PM_OK);
    assert_string_equal(c.bankgiro, "5050-1055");
    assert_true(c.reminder_fee_agreed);
    assert_int_equal(c.reminder_fee_minor, 6000);
    assert_int_equal(c.accounting_method, ACCOUNTING_CASH);
    assert_int_equal(store_company_get(f->st, 999, &c), PM_ERR_NOT_FOUND);
    c.id = 999;
    assert_int_equal(store_company_update(f->st, &c), PM_ERR_NOT_FOUND);

    memset(&u, 0, sizeof(u));
    snprintf(u.email, sizeof(u.email), "Anna@Example.se");
    snprintf(u.name, sizeof(u.name), "Anna Andersson");
    snprintf(u.password_hash, sizeof(u.password_hash), "$argon2id$v=19$m=65536,t=2,p=1$x$y");
    assert_int_equal(store_user_insert(f->st, &u), PM_OK);
    assert_true(u.id > 0);
    assert_int_equal(store_user_get_by_email(f->st, "anna@example.se", &got), PM_OK);
    assert_int_equal(got.id, u.id);
    assert_string_equal(got.email, "Anna@Example.se");
    assert_string_equal(got.password_hash, u.password_hash);
    assert_int_equal(store_user_get(f->st, u.id, &got), PM_OK);
    assert_string_equal(got.name, "Anna Andersson");
    assert_int_equal(store_user_get(f->st, u.id + 100, &got), PM_ERR_NOT_FOUND);
    assert_int_equal(store_user_get_by_email(f->st, "nobody@example.se", &got), PM_ERR_NOT_FOUND);

    u2 = u;
    snprintf(u2.email, sizeof(u2.email), "ANNA@example.SE");
    assert_int_equal(store_user_insert(f->st, &u2), PM_ERR_CONFLICT);
    assert_string_equal(store_error(f->st)->field, "email");

    assert_int_equal(store_membership_set(f->st, f->company_a, u.id, ROLE_OWNER), PM_OK);
    assert_int_equal(store_membership_set(f->st, f->company_b, u.id, ROLE_MEMBER), PM_OK);
    assert_int_equal(store_membership_set(f->st, f->company_b, u.id, ROLE_READ_ONLY), PM_OK);
    assert_int_equal(store_membership_list(f->st, u.id, m, 4, &n), PM_OK);
    assert_int_equal(n, 2);
    /* By company name. */
    assert_int_equal(m[0].company_id, f->company_b);
    assert_string_equal(m[0].company_name, "Annan Firma AB");
    assert_int_equal(m[0].role, ROLE_READ_ONLY);
    assert_int_equal(m[1].company_id, f->company_a);
    assert_int_equal(m[1].role, ROLE_OWNER);
    assert_int_equal(store_membership_list(f->st, u.id, m, 1, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_membership_set(f->st, f->company_a, u.id + 100, ROLE_OWNER),
                     PM_ERR_NOT_FOUND);
}

/* A password hashed with other limits than today's (here libsodium's
 * least, standing for the older, larger ones) is hashed again at the
 * first right login, and logging in goes on working; a wrong password
 * changes nothing. */
static void test_login_rehashes_stale_password(void **state)
{
    struct fixture *f = *state;
    struct app_ctx ax = {.store = f->st};
    struct app_login login;
    struct app_error ae;
    struct user u = {0}, got;
    char dummy[SECRET_HASH_MAX];

    assert_int_equal(secret_init(), PM_OK);
    assert_int_equal(secret_password_hash("no such user", dummy, sizeof(dummy)), PM_OK);
    assert_false(secret_password_stale(dummy));
    snprintf(u.email, sizeof(u.email), "old@example.se");
    snprintf(u.name, sizeof(u.name), "Old Hash");
    assert_int_equal(crypto_pwhash_str(u.password_hash, "right-pass-1", 12,
                                       crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN),
                     0);
    assert_true(secret_password_stale(u.password_hash));
    assert_int_equal(store_user_insert(f->st, &u), PM_OK);

    app_error_clear(&ae);
    assert_int_equal(app_sessions_login(&ax, "old@example.se", "wrong-pass-1", dummy, &login, &ae),
                     PM_ERR_INVALID);
    assert_int_equal(store_user_get(f->st, u.id, &got), PM_OK);
    assert_string_equal(got.password_hash, u.password_hash);

    assert_int_equal(app_sessions_login(&ax, "old@example.se", "right-pass-1", dummy, &login, &ae),
                     PM_OK);
    assert_int_equal(store_user_get(f->st, u.id, &got), PM_OK);
    assert_string_not_equal(got.password_hash, u.password_hash);
    assert_false(secret_password_stale(got.password_hash));
    assert_true(secret_password_verify(got.password_hash, "right-pass-1"));
    assert_false(secret_password_verify(got.password_hash, "wrong-pass-1"));
    assert_int_equal(app_sessions_login(&ax, "old@example.se", "right-pass-1", dummy, &login, &ae),
                     PM_OK);

    assert_int_equal(store_user_set_password_hash(f->st, u.id + 100, got.password_hash),
                     PM_ERR_NOT_FOUND);
}

/* ---- customers ---- */

static void test_customers(void **state)
{
    struct fixture *f = *state;
    struct customer c, got, list[10];
    const char *names[] = {"Östen AB", "bertil", "Adam", "Cesar", "Berit"};
    size_t n = 0, i;
    int64_t after = 0;

    assert_int_equal(store_customer_get(f->st, f->company_a, f->customer_a, &c), PM_OK);
    assert_string_equal(c.name, "Kund A");
    assert_int_equal(c.company_id, f->company_a);
    snprintf(c.city, sizeof(c.city), "Göteborg");
    snprintf(c.number, sizeof(c.number), "K-1");
    c.is_company = true;
    snprintf(c.id_number, sizeof(c.id_number), "5560000001");
    assert_int_equal(store_customer_update(f->st, &c), PM_OK);
    assert_int_equal(store_customer_get(f->st, f->company_a, f->customer_a, &got), PM_OK);
    assert_string_equal(got.city, "Göteborg");
    assert_string_equal(got.number, "K-1");
    assert_true(got.is_company);
    assert_string_equal(got.id_number, "5560000001");
    assert_int_equal(store_customer_get(f->st, f->company_a, 999, &got), PM_ERR_NOT_FOUND);

    /* Customer numbers are unique within the company. */
    memset(&c, 0, sizeof(c));
    c.company_id = f->company_a;
    snprintf(c.name, sizeof(c.name), "Dubblett");
    snprintf(c.number, sizeof(c.number), "K-1");
    assert_int_equal(store_customer_insert(f->st, &c), PM_ERR_CONFLICT);
    c.company_id = f->company_b;
    assert_int_equal(store_customer_insert(f->st, &c), PM_OK);

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        add_customer(f->st, f->company_a, names[i]);

    /* By name, ignoring ASCII case, then id; paged with after_id. */
    assert_int_equal(store_customer_list(f->st, f->company_a, NULL, 0, list, 10, &n), PM_OK);
    assert_int_equal(n, 6);
    assert_string_equal(list[0].name, "Adam");
    assert_string_equal(list[1].name, "Berit");
    assert_string_equal(list[2].name, "bertil");
    assert_string_equal(list[3].name, "Cesar");
    assert_string_equal(list[4].name, "Kund A");
    assert_string_equal(list[5].name, "Östen AB");
    {
        size_t total = 0;

        do {
            assert_int_equal(store_customer_list(f->st, f->company_a, "", after, list, 4, &n),
                             PM_OK);
            for (i = 0; i < n; i++) {
                if (total == 1)
                    assert_string_equal(list[i].name, "Berit");
                if (total == 5)
                    assert_string_equal(list[i].name, "Östen AB");
                total++;
                after = list[i].id;
            }
        } while (n == 4);
        assert_int_equal(total, 6);
    }
    assert_int_equal(store_customer_list(f->st, f->company_a, "ber", 0, list, 10, &n), PM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(store_customer_list(f->st, f->company_a, "K-1", 0, list, 10, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, f->customer_a);
    assert_int_equal(store_customer_list(f->st, f->company_a, "%", 0, list, 10, &n), PM_OK);
    assert_int_equal(n, 0);
}

/* ---- tenant isolation ---- */

static void test_tenant_isolation(void **state)
{
    struct fixture *f = *state;
    /* Ids count per company: A's second customer has an id B does not have. */
    int64_t cust = add_customer(f->st, f->company_a, "Kund A2");
    struct invoice inv = add_invoice(f->st, f->company_a, cust, 0, TODAY - 5, 10000);
    struct invoice got, bad;
    struct customer c;
    struct invoice_line_row lines[2];
    struct payment p;
    struct invoice_query q;
    size_t n = 9;

    assert_int_equal(cust, 2);
    assert_int_equal(store_customer_get(f->st, f->company_b, cust, &c), PM_ERR_NOT_FOUND);
    assert_int_equal(store_invoice_get(f->st, f->company_b, inv.id, &got), PM_ERR_NOT_FOUND);
    assert_int_equal(store_invoice_lines(f->st, f->company_b, inv.id, lines, 2, &n),
                     PM_ERR_NOT_FOUND);
    assert_int_equal(n, 0);

    /* B cannot change A's customer, bill it or pay A's invoice. */
    assert_int_equal(store_customer_get(f->st, f->company_a, cust, &c), PM_OK);
    c.company_id = f->company_b;
    snprintf(c.name, sizeof(c.name), "Kapad");
    assert_int_equal(store_customer_update(f->st, &c), PM_ERR_NOT_FOUND);
    assert_int_equal(store_customer_get(f->st, f->company_a, cust, &c), PM_OK);
    assert_string_equal(c.name, "Kund A2");
    bad = inv;
    bad.id = 0;
    bad.number = 0;
    bad.company_id = f->company_b;
    assert_int_equal(store_invoice_insert(f->st, &bad, NULL, 0, NULL, 0), PM_ERR_NOT_FOUND);
    assert_string_equal(store_error(f->st)->field, "customer_id");

    memset(&p, 0, sizeof(p));
    p.company_id = f->company_b;
    p.invoice_id = inv.id;
    p.date = TODAY;
    p.amount_minor = 100;
    assert_int_equal(store_payment_insert(f->st, &p), PM_ERR_NOT_FOUND);

    memset(&q, 0, sizeof(q));
    q.filter = FILTER_ALL;
    q.limit = 10;
    q.today = TODAY;
    assert_int_equal(store_invoice_list(f->st, f->company_b, &q, &got, 1, &n), PM_ERR_RANGE);
    q.limit = 1;
    assert_int_equal(store_invoice_list(f->st, f->company_b, &q, &got, 1, &n), PM_OK);
    assert_int_equal(n, 0);

    /* Ids count per company: B's first invoice is also id 1. */
    got = add_invoice(f->st, f->company_b, f->customer_b, 0, TODAY, 500);
    assert_int_equal(got.id, inv.id);
    assert_int_equal(got.number, 1001);
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &got), PM_OK);
    assert_int_equal(got.total_minor, 10000);
}

/* ---- invoices ---- */

static void test_invoice_insert_and_numbers(void **state)
{
    struct fixture *f = *state;
    struct invoice inv, got;
    struct invoice_line_row lines[3], rlines[4];
    struct invoice_buyer buyers[2], rbuyers[4];
    size_t n = 0;

    memset(&inv, 0, sizeof(inv));
    memset(lines, 0, sizeof(lines));
    memset(buyers, 0, sizeof(buyers));
    inv.company_id = f->company_a;
    inv.customer_id = f->customer_a;
    inv.kind = INVOICE_ROT;
    snprintf(inv.currency, sizeof(inv.currency), "SEK");
    inv.invoice_date = TODAY - 40;
    inv.due_date = TODAY - 10;
    inv.net_minor = 100000;
    inv.vat_minor = 25000;
    inv.total_minor = 125000;
    inv.tax_reduction_minor = 30000;
    inv.customer_part_minor = 95000;
    snprintf(lines[0].description, sizeof(lines[0].description), "Målning, arbete");
    lines[0].line = (struct invoice_line){8000, 10000, 2500, true};
    lines[0].net_minor = 80000;
    /* Text that needs quoting on its way to the database arrives as written. */
    snprintf(lines[1].description, sizeof(lines[1].description), "Färg \"vit\" 10\\l\n\tslut %%_");
    lines[1].line = (struct invoice_line){2000, 10000, 2500, false};
    lines[1].net_minor = 20000;
    snprintf(buyers[0].id_number, sizeof(buyers[0].id_number), "198112289874");
    snprintf(buyers[0].name, sizeof(buyers[0].name), "Åsa Öberg");
    snprintf(buyers[1].id_number, sizeof(buyers[1].id_number), "197802022389");
    snprintf(buyers[1].name, sizeof(buyers[1].name), "Per \"Pelle\" Öberg\\");
    assert_int_equal(store_invoice_insert(f->st, &inv, lines, 2, buyers, 2), PM_OK);
    assert_int_equal(inv.number, 1001);
    assert_true(inv.id > 0);
    assert_int_equal(inv.remaining_minor, 95000);
    assert_int_equal(inv.state, INVOICE_STATE_OPEN);

    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &got), PM_OK);
    assert_int_equal(got.number, 1001);
    assert_int_equal(got.kind, INVOICE_ROT);
    assert_string_equal(got.currency, "SEK");
    assert_string_equal(got.customer_name, "Kund A");
    assert_int_equal(got.due_date, TODAY - 10);
    assert_int_equal(got.tax_reduction_minor, 30000);
    assert_int_equal(got.customer_part_minor, 95000);
    assert_int_equal(got.remaining_minor, 95000);
    assert_int_equal(got.paid_minor, 0);
    assert_int_equal(got.state, INVOICE_STATE_OPEN);
    assert_int_equal(got.agency_state, AMILI_STATE_NONE);

    assert_int_equal(store_invoice_lines(f->st, f->company_a, inv.id, rlines, 4, &n), PM_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rlines[0].description, "Målning, arbete");
    assert_int_equal(rlines[0].line.quantity_milli, 8000);
    assert_true(rlines[0].line.labour);
    assert_string_equal(rlines[1].description, lines[1].description);
    assert_int_equal(rlines[1].net_minor, 20000);
    assert_false(rlines[1].line.labour);
    assert_int_equal(store_invoice_buyers(f->st, f->company_a, inv.id, rbuyers, 4, &n), PM_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rbuyers[0].name, "Åsa Öberg");
    assert_string_equal(rbuyers[1].id_number, "197802022389");
    assert_string_equal(rbuyers[1].name, buyers[1].name);

    /* The series: 1002 next; an explicit number that exists is a conflict on
     * "number"; a free explicit number is taken and the series steps over it. */
    assert_int_equal(add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 100).number, 1002);
    inv.id = 0;
    inv.number = 1001;
    assert_int_equal(store_invoice_insert(f->st, &inv, lines, 2, NULL, 0), PM_ERR_CONFLICT);
    assert_string_equal(store_error(f->st)->field, "number");
    assert_int_equal(add_invoice(f->st, f->company_a, f->customer_a, 1004, TODAY, 100).number,
                     1004);
    assert_int_equal(add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 100).number, 1003);
    assert_int_equal(add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 100).number, 1005);
    /* The failed insert wrote nothing: no lines of a phantom invoice. */
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoices"), 5);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoice_lines"), 2 + 4);

    /* A line the database refuses (VAT rate) rolls the whole invoice back. */
    lines[2] = lines[1];
    lines[2].line.vat_rate_bp = 1700;
    inv.number = 0;
    assert_int_equal(store_invoice_insert(f->st, &inv, lines, 3, NULL, 0), PM_ERR_INVALID);
    assert_string_equal(store_error(f->st)->field, "lines[2]");
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoices"), 5);
    assert_int_equal(add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 100).number, 1006);
}

static void test_payment_updates_invoice(void **state)
{
    struct fixture *f = *state;
    struct invoice inv = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY - 3, 50000);
    struct invoice got;
    struct payment p, list[4];
    size_t n = 0;

    memset(&p, 0, sizeof(p));
    p.company_id = f->company_a;
    p.invoice_id = inv.id;
    p.date = TODAY;
    p.amount_minor = 20000;
    snprintf(p.reference, sizeof(p.reference), "OCR 1001");
    assert_int_equal(store_payment_insert(f->st, &p), PM_OK);
    assert_true(p.id > 0);
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &got), PM_OK);
    assert_int_equal(got.paid_minor, 20000);
    assert_int_equal(got.remaining_minor, 30000);
    assert_int_equal(got.state, INVOICE_STATE_OPEN);

    p.id = 0;
    p.amount_minor = 30000;
    p.source = PAYMENT_BGMAX;
    assert_int_equal(store_payment_insert(f->st, &p), PM_OK);
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &got), PM_OK);
    assert_int_equal(got.paid_minor, 50000);
    assert_int_equal(got.remaining_minor, 0);
    assert_int_equal(got.state, INVOICE_STATE_PAID);

    /* An over-payment leaves a negative remainder, still paid. */
    p.id = 0;
    p.amount_minor = 1;
    assert_int_equal(store_payment_insert(f->st, &p), PM_OK);
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &got), PM_OK);
    assert_int_equal(got.remaining_minor, -1);
    assert_int_equal(got.state, INVOICE_STATE_PAID);

    p.amount_minor = 0;
    assert_int_equal(store_payment_insert(f->st, &p), PM_ERR_RANGE);
    p.amount_minor = -5;
    assert_int_equal(store_payment_insert(f->st, &p), PM_ERR_RANGE);
    p.amount_minor = 5;
    p.invoice_id = 999;
    assert_int_equal(store_payment_insert(f->st, &p), PM_ERR_NOT_FOUND);

    assert_int_equal(store_payment_list(f->st, f->company_a, inv.id, list, 4, &n), PM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(list[0].amount_minor, 20000);
    assert_string_equal(list[0].reference, "OCR 1001");
    assert_int_equal(list[0].source, PAYMENT_MANUAL);
    assert_int_equal(list[1].source, PAYMENT_BGMAX);
    assert_int_equal(list[2].amount_minor, 1);
}

/* ---- the list ---- */

/* The ids a filter returns, in one big page. */
static size_t list_ids(struct fixture *f, enum invoice_filter filter, int64_t *ids, size_t cap)
{
    struct invoice_query q;
    struct invoice rows[STORE_LIST_MAX];
    size_t n = 0, i;

    memset(&q, 0, sizeof(q));
    q.filter = filter;
    q.sort = SORT_NUMBER_ASC;
    q.today = TODAY;
    q.limit = STORE_LIST_MAX;
    assert_int_equal(store_invoice_list(f->st, f->company_a, &q, rows, STORE_LIST_MAX, &n), PM_OK);
    assert_true(n <= cap);
    for (i = 0; i < n; i++)
        ids[i] = rows[i].number;
    return n;
}

static void test_list_filters_and_counts(void **state)
{
    struct fixture *f = *state;
    struct invoice paid, wo;
    struct payment p;
    int64_t ids[16], counts[FILTER_COUNT];
    size_t n;
    char sql[160];

    /* 1001 overdue, 1002 due today (unpaid, not overdue), 1003 due later,
     * 1004 overdue and paid, 1005 overdue and written off, 1006 overdue
     * and with the agency. */
    add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY - 1, 1000);
    add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 1000);
    add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY + 10, 1000);
    paid = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY - 20, 1000);
    wo = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY - 30, 1000);
    add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY - 40, 1000);
    add_invoice(f->st, f->company_b, f->customer_b, 0, TODAY - 40, 1000);

    memset(&p, 0, sizeof(p));
    p.company_id = f->company_a;
    p.invoice_id = paid.id;
    p.date = TODAY;
    p.amount_minor = 1000;
    assert_int_equal(store_payment_insert(f->st, &p), PM_OK);
    snprintf(sql, sizeof(sql),
             "UPDATE invoices SET state = 'written_off' WHERE company_id = %lld AND id = %lld",
             (long long)f->company_a, (long long)wo.id);
    raw_exec(f, sql);
    snprintf(sql, sizeof(sql),
             "UPDATE invoices SET agency_state = 'registered', agency_status = 'reminder'"
             " WHERE company_id = %lld AND number = 1006",
             (long long)f->company_a);
    raw_exec(f, sql);

    n = list_ids(f, FILTER_ALL, ids, 16);
    assert_int_equal(n, 6);
    n = list_ids(f, FILTER_UNPAID, ids, 16);
    assert_int_equal(n, 4);
    assert_int_equal(ids[0], 1001);
    assert_int_equal(ids[1], 1002);
    assert_int_equal(ids[2], 1003);
    assert_int_equal(ids[3], 1006);
    n = list_ids(f, FILTER_OVERDUE, ids, 16);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 1001);
    assert_int_equal(ids[1], 1006);
    n = list_ids(f, FILTER_PAID, ids, 16);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 1004);
    n = list_ids(f, FILTER_WRITTEN_OFF, ids, 16);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 1005);
    n = list_ids(f, FILTER_AGENCY, ids, 16);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 1006);

    assert_int_equal(store_invoice_counts(f->st, f->company_a, TODAY, counts), PM_OK);
    assert_int_equal(counts[FILTER_ALL], 6);
    assert_int_equal(counts[FILTER_UNPAID], 4);
    assert_int_equal(counts[FILTER_OVERDUE], 2);
    assert_int_equal(counts[FILTER_AGENCY], 1);
    assert_int_equal(counts[FILTER_PAID], 1);
    assert_int_equal(counts[FILTER_WRITTEN_OFF], 1);
    /* Tomorrow 1002 is overdue too. */
    assert_int_equal(store_invoice_counts(f->st, f->company_a, TODAY + 1, counts), PM_OK);
    assert_int_equal(counts[FILTER_OVERDUE], 3);
    assert_int_equal(store_invoice_counts(f->st, f->company_b, TODAY, counts), PM_OK);
    assert_int_equal(counts[FILTER_ALL], 1);
    assert_int_equal(counts[FILTER_OVERDUE], 1);
}

static void test_list_search_and_customer(void **state)
{
    struct fixture *f = *state;
    int64_t other = add_customer(f->st, f->company_a, "Fönsterputs Nilsson");
    struct invoice rows[10];
    struct invoice_query q;
    size_t n = 0;

    add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY - 1, 1000);
    add_invoice(f->st, f->company_a, other, 0, TODAY - 2, 2000);
    add_invoice(f->st, f->company_a, other, 0, TODAY + 2, 3000);

    memset(&q, 0, sizeof(q));
    q.filter = FILTER_ALL;
    q.sort = SORT_DUE_ASC;
    q.today = TODAY;
    q.limit = 10;
    q.q = "1002";
    assert_int_equal(store_invoice_list(f->st, f->company_a, &q, rows, 10, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].number, 1002);
    assert_string_equal(rows[0].customer_name, "Fönsterputs Nilsson");
    q.q = "nilsson";
    assert_int_equal(store_invoice_list(f->st, f->company_a, &q, rows, 10, &n), PM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].number, 1002);
    assert_int_equal(rows[1].number, 1003);
    q.q = "9999";
    assert_int_equal(store_invoice_list(f->st, f->company_a, &q, rows, 10, &n), PM_OK);
    assert_int_equal(n, 0);
    q.q = "Kund B"; /* company B's customer */
    assert_int_equal(store_invoice_list(f->st, f->company_a, &q, rows, 10, &n), PM_OK);
    assert_int_equal(n, 0);

    q.q = NULL;
    q.customer_id = other;
    q.filter = FILTER_OVERDUE;
    assert_int_equal(store_invoice_list(f->st, f->company_a, &q, rows, 10, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].number, 1002);
    q.filter = FILTER_UNPAID;
    q.sort = SORT_REMAINING_DESC;
    assert_int_equal(store_invoice_list(f->st, f->company_a, &q, rows, 10, &n), PM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].number, 1003);

    /* A cursor past today on the overdue list still lists only overdue. */
    q.customer_id = 0;
    q.filter = FILTER_OVERDUE;
    q.sort = SORT_DUE_DESC;
    q.after.set = true;
    q.after.key = TODAY + 100;
    q.after.id = 1;
    assert_int_equal(store_invoice_list(f->st, f->company_a, &q, rows, 10, &n), PM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].number, 1001);
    assert_int_equal(rows[1].number, 1002);
    q.after.key = TODAY - 1;
    q.after.id = 1;
    assert_int_equal(store_invoice_list(f->st, f->company_a, &q, rows, 10, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].number, 1002);
    q.after.set = false;

    q.filter = (enum invoice_filter)FILTER_COUNT;
    assert_int_equal(store_invoice_list(f->st, f->company_a, &q, rows, 10, &n), PM_ERR_INVALID);
}

static int64_t sort_key(const struct invoice *inv, enum invoice_sort sort)
{
    switch (sort) {
    case SORT_NUMBER_ASC:
    case SORT_NUMBER_DESC:
        return inv->number;
    case SORT_REMAINING_DESC:
        return inv->remaining_minor;
    case SORT_DUE_ASC:
    case SORT_DUE_DESC:
        break;
    }
    return inv->due_date;
}

static bool descending(enum invoice_sort sort)
{
    return sort == SORT_DUE_DESC || sort == SORT_NUMBER_DESC || sort == SORT_REMAINING_DESC;
}

#define N_PAGED 250

/* Page through filter/sort with pages of `limit`, checking the order and
 * that each invoice comes once; optionally inserting invoices between
 * pages.  Returns how many rows were seen; seen[id] counts visits. */
static size_t page_all(struct fixture *f, enum invoice_filter filter, enum invoice_sort sort,
                       size_t limit, bool insert_between, int *seen, size_t seen_cap)
{
    struct invoice rows[16];
    struct invoice_query q;
    size_t n = 0, i, total = 0, pages = 0;
    int64_t prev_key = 0, prev_id = 0, key;
    bool have_prev = false;

    memset(&q, 0, sizeof(q));
    q.filter = filter;
    q.sort = sort;
    q.today = TODAY;
    q.limit = limit;
    do {
        assert_int_equal(store_invoice_list(f->st, f->company_a, &q, rows, 16, &n), PM_OK);
        assert_true(n <= limit);
        for (i = 0; i < n; i++) {
            key = sort_key(&rows[i], sort);
            if (have_prev) {
                if (descending(sort))
                    assert_true(key < prev_key || (key == prev_key && rows[i].id < prev_id));
                else
                    assert_true(key > prev_key || (key == prev_key && rows[i].id > prev_id));
            }
            prev_key = key;
            prev_id = rows[i].id;
            have_prev = true;
            assert_true((size_t)rows[i].id < seen_cap);
            seen[rows[i].id]++;
            total++;
        }
        if (n > 0) {
            q.after.set = true;
            q.after.key = prev_key;
            q.after.id = prev_id;
        }
        if (insert_between && n > 0) {
            /* One before the cursor, one after it, one with the same key. */
            add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY - 400, 7);
            add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY + 400, 7);
            add_invoice(f->st, f->company_a, f->customer_a, 0, (int32_t)prev_key, 7);
        }
        pages++;
    } while (n == limit && pages < 10000);
    return total;
}

static void test_list_keyset_paging(void **state)
{
    struct fixture *f = *state;
    static int seen[4 * N_PAGED];
    const enum invoice_sort sorts[] = {SORT_DUE_ASC, SORT_DUE_DESC, SORT_NUMBER_ASC,
                                       SORT_NUMBER_DESC, SORT_REMAINING_DESC};
    const enum invoice_filter filters[] = {FILTER_ALL, FILTER_UNPAID, FILTER_OVERDUE};
    struct invoice inv;
    uint32_t r = 12345;
    size_t i, si, fi, total, expected_unpaid = 0, expected_overdue = 0;
    int64_t id_max = 0, counts[FILTER_COUNT];

    assert_int_equal(store_begin(f->st), PM_OK);
    for (i = 0; i < N_PAGED; i++) {
        r = r * 1103515245u + 12345u;
        /* Few distinct due dates and amounts: many ties on the key. */
        inv =
            add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY - 20 + (int32_t)(r >> 16) % 40,
                        1000 * (1 + (int64_t)((r >> 8) % 7)));
        if (inv.due_date < TODAY)
            expected_overdue++;
        expected_unpaid++;
        id_max = inv.id;
    }
    assert_int_equal(store_commit(f->st), PM_OK);
    assert_int_equal(store_invoice_counts(f->st, f->company_a, TODAY, counts), PM_OK);
    assert_int_equal(counts[FILTER_OVERDUE], (int64_t)expected_overdue);

    for (fi = 0; fi < sizeof(filters) / sizeof(filters[0]); fi++) {
        for (si = 0; si < sizeof(sorts) / sizeof(sorts[0]); si++) {
            memset(seen, 0, sizeof(seen));
            total = page_all(f, filters[fi], sorts[si], 7, false, seen, 4 * N_PAGED);
            assert_int_equal(total,
                             filters[fi] == FILTER_OVERDUE ? expected_overdue : expected_unpaid);
            for (i = 1; i <= (size_t)id_max; i++)
                assert_true(seen[i] <= 1);
        }
    }

    /* Stable under inserts: every invoice that existed at the start is
     * visited exactly once, none twice, the order holds. */
    memset(seen, 0, sizeof(seen));
    page_all(f, FILTER_ALL, SORT_DUE_ASC, 10, true, seen, 4 * N_PAGED);
    for (i = 1; i < 4 * N_PAGED; i++) {
        assert_true(seen[i] <= 1);
        if ((int64_t)i <= id_max)
            assert_int_equal(seen[i], 1);
    }
}

/* EXPLAIN QUERY PLAN of the list SQL the store runs on SQLite, on a second
 * connection ($1 .. $n are parameters to SQLite too). */
static void plan_of(struct fixture *f, const struct invoice_query *q, struct buf *plan)
{
    struct buf sql = BUF_INIT, explain = BUF_INIT;
    sqlite3_stmt *st = NULL;
    int rc;

    assert_int_equal(store_invoice_list_sql(STORE_DIALECT_SQLITE, q, &sql), PM_OK);
    assert_int_equal(buf_addf(&explain, "EXPLAIN QUERY PLAN %s", sql.data), PM_OK);
    rc = sqlite3_prepare_v2(f->raw, explain.data, -1, &st, NULL);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", explain.data, sqlite3_errmsg(f->raw));
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_int_equal(buf_adds(plan, (const char *)sqlite3_column_text(st, 3)), PM_OK);
        assert_int_equal(buf_addch(plan, '\n'), PM_OK);
    }
    sqlite3_finalize(st);
    buf_release(&sql);
    buf_release(&explain);
}

/* ---- the same on PostgreSQL: the plans of the engine's own statements ----
 *
 * auto_explain, loaded on the engine's connection, sends the plan of every
 * statement it runs back as a notice; the test collects them.  Sequential
 * scans and sorts are made prohibitively expensive, so a plan with one of
 * them means that no index can serve the shape (on tables this small the
 * planner would otherwise rightly prefer a scan). */
static void collect_notice(void *arg, const char *message)
{
    struct buf *plan = arg;

    (void)buf_adds(plan, message);
}

/* True when a line of plan that starts (after spaces and "->") with
 * `what` also holds `needle`. */
static bool plan_line_has(const char *plan, const char *what, const char *needle)
{
    const char *line = plan, *end, *p;

    while (line && *line) {
        end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        for (p = line; p < end && (*p == ' ' || *p == '-' || *p == '>'); p++)
            ;
        if ((size_t)(end - p) >= strlen(what) && strncmp(p, what, strlen(what)) == 0) {
            const char *hit = strstr(p, needle);

            if (hit && hit < end)
                return true;
        }
        line = *end ? end + 1 : NULL;
    }
    return false;
}

static void pg_plan_of(struct fixture *f, const struct invoice_query *q, struct buf *plan)
{
    struct invoice rows[50];
    size_t n = 0;

    buf_reset(plan);
    assert_int_equal(store_invoice_list(f->st, f->company_a, q, rows, 50, &n), PM_OK);
    if (!plan->data || !strstr(plan->data, "invoices"))
        fail_msg("no plan of the list was reported:\n%s", plan->data ? plan->data : "");
    if (getenv("STORE_TEST_SHOW_PLANS"))
        printf("%s\n", plan->data);
}

static void list_uses_indexes_pg(struct fixture *f)
{
    PGconn *conn = ((struct pg_store *)f->st)->conn;
    struct invoice_query q;
    struct buf plan = BUF_INIT;
    int filter, sort, cursor, search;
    PGresult *r;

    r = PQexec(conn, "LOAD 'auto_explain';"
                     "SET auto_explain.log_min_duration = 0;"
                     "SET auto_explain.log_level = 'notice';"
                     "SET client_min_messages = notice;"
                     "SET enable_seqscan = off; SET enable_sort = off;"
                     "SET plan_cache_mode = force_generic_plan;");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("auto_explain: %s", PQerrorMessage(conn));
    PQclear(r);
    PQsetNoticeProcessor(conn, collect_notice, &plan);

    /* The overdue list, first page and a keyset page: one index range in
     * the order of the sort, no scan, no sort. */
    memset(&q, 0, sizeof(q));
    q.filter = FILTER_OVERDUE;
    q.sort = SORT_DUE_ASC;
    q.today = TODAY;
    q.limit = 50;
    pg_plan_of(f, &q, &plan);
    if (strstr(plan.data, "Seq Scan") || strstr(plan.data, "Sort") ||
        !strstr(plan.data, "using invoices_state_due"))
        fail_msg("overdue first page:\n%s", plan.data);
    q.after.set = true;
    q.after.key = TODAY - 10;
    q.after.id = 1;
    pg_plan_of(f, &q, &plan);
    if (strstr(plan.data, "Seq Scan") || strstr(plan.data, "Sort") ||
        !strstr(plan.data, "using invoices_state_due") ||
        !plan_line_has(plan.data, "Index Cond:", "ROW(due_date, id) >"))
        fail_msg("overdue keyset page:\n%s", plan.data);

    for (filter = 0; filter < FILTER_COUNT; filter++) {
        for (sort = 0; sort <= SORT_REMAINING_DESC; sort++) {
            for (cursor = 0; cursor < 2; cursor++) {
                for (search = 0; search < 3; search++) {
                    memset(&q, 0, sizeof(q));
                    q.filter = (enum invoice_filter)filter;
                    q.sort = (enum invoice_sort)sort;
                    q.today = TODAY;
                    q.after.set = cursor;
                    q.after.key = 1;
                    q.after.id = 1;
                    q.q = search == 1 ? "1001" : NULL;
                    q.customer_id = search == 2 ? 1 : 0;
                    q.limit = 50;
                    pg_plan_of(f, &q, &plan);
                    if (strstr(plan.data, "Seq Scan on invoices"))
                        fail_msg("filter %d sort %d cursor %d search %d:\n%s", filter, sort, cursor,
                                 search, plan.data);
                    if (strstr(plan.data, "customers"))
                        fail_msg("filter %d sort %d cursor %d search %d reads customers:\n%s",
                                 filter, sort, cursor, search, plan.data);
                    if (search == 0 && strstr(plan.data, "Sort"))
                        fail_msg("filter %d sort %d cursor %d sorts:\n%s", filter, sort, cursor,
                                 plan.data);
                    /* The cursor is part of the index range (Index Cond),
                     * not a filter over the rows read. */
                    if (search == 0 && cursor &&
                        (!plan_line_has(plan.data, "Index Cond:", "ROW(") ||
                         plan_line_has(plan.data, "Filter:", "ROW(")))
                        fail_msg("filter %d sort %d: cursor not in the range:\n%s", filter, sort,
                                 plan.data);
                }
            }
        }
    }
    PQsetNoticeProcessor(conn, quiet, NULL);
    buf_release(&plan);
}

static void test_list_uses_indexes(void **state)
{
    struct fixture *f = *state;
    struct invoice_query q;
    struct buf plan = BUF_INIT;
    int filter, sort, cursor, search;

    if (on_pg()) {
        list_uses_indexes_pg(f);
        return;
    }

    /* The overdue list, first page and a keyset page: an index range in
     * the order of the sort, no scan, no sort. */
    memset(&q, 0, sizeof(q));
    q.filter = FILTER_OVERDUE;
    q.sort = SORT_DUE_ASC;
    q.limit = 50;
    plan_of(f, &q, &plan);
    if (strstr(plan.data, "SCAN") || strstr(plan.data, "TEMP B-TREE") ||
        !strstr(plan.data,
                "USING INDEX invoices_state_due (company_id=? AND state=? AND due_date<?)"))
        fail_msg("overdue first page:\n%s", plan.data);
    buf_reset(&plan);
    q.after.set = true;
    plan_of(f, &q, &plan);
    if (strstr(plan.data, "SCAN") || strstr(plan.data, "TEMP B-TREE") ||
        !strstr(plan.data, "USING INDEX invoices_state_due (company_id=? AND state=? AND "
                           "(due_date,id)>(?,?) AND due_date<?)"))
        fail_msg("overdue keyset page:\n%s", plan.data);

    /* Every shape without a name search: no scan of the invoices; without a
     * customer also no sort. */
    for (filter = 0; filter < FILTER_COUNT; filter++) {
        for (sort = 0; sort <= SORT_REMAINING_DESC; sort++) {
            for (cursor = 0; cursor < 2; cursor++) {
                for (search = 0; search < 3; search++) {
                    memset(&q, 0, sizeof(q));
                    q.filter = (enum invoice_filter)filter;
                    q.sort = (enum invoice_sort)sort;
                    q.after.set = cursor;
                    q.q = search == 1 ? "1001" : NULL;
                    q.customer_id = search == 2 ? 1 : 0;
                    q.limit = 50;
                    buf_reset(&plan);
                    plan_of(f, &q, &plan);
                    if (strstr(plan.data, "SCAN"))
                        fail_msg("filter %d sort %d cursor %d search %d:\n%s", filter, sort, cursor,
                                 search, plan.data);
                    /* A row is the invoice row: no customer is read for its
                     * name. */
                    if (strstr(plan.data, "customers"))
                        fail_msg("filter %d sort %d cursor %d search %d reads customers:\n%s",
                                 filter, sort, cursor, search, plan.data);
                    if (search == 0 && strstr(plan.data, "TEMP B-TREE"))
                        fail_msg("filter %d sort %d cursor %d sorts:\n%s", filter, sort, cursor,
                                 plan.data);
                    /* A later page starts where the last ended: the cursor is
                     * part of the index range, not a filter. */
                    if (search == 0 && cursor && !strstr(plan.data, ",id)>(?,?)") &&
                        !strstr(plan.data, ",id)<(?,?)"))
                        fail_msg("filter %d sort %d: cursor not in the range:\n%s", filter, sort,
                                 plan.data);
                }
            }
        }
    }
    buf_release(&plan);
}

/* paminn serve reads lists on a reader (store_open_standby: of a standby,
 * or of the primary).  On PostgreSQL its session plans each list statement
 * once: pages after the first run on the generic plan (the one
 * list_uses_indexes_pg checks), not a plan made again for every page —
 * which cost more than reading the page.  SQLite has no readers. */
static void test_reader_plans_a_list_once(void **state)
{
    struct fixture *f = *state;
    struct store *reader = NULL;
    struct invoice_query q;
    struct invoice rows[5];
    struct pm_error e = {0};
    size_t n = 0;
    int page;
    PGresult *r;

    if (!on_pg())
        skip(); /* no readers (test_store_front) */
    assert_int_equal(store_open_standby(f->dsn, &reader, &e), PM_OK);
    memset(&q, 0, sizeof(q));
    q.filter = FILTER_ALL;
    q.sort = SORT_DUE_ASC;
    q.today = TODAY;
    q.limit = 5;
    q.after.set = true;
    for (page = 0; page < 8; page++) {
        q.after.key = page;
        q.after.id = page;
        assert_int_equal(store_invoice_list(reader, f->company_a, &q, rows, 5, &n), PM_OK);
    }
    r = PQexec(((struct pg_store *)reader)->conn,
               "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
               " WHERE statement LIKE '%FROM invoices AS i%ORDER BY i.due_date ASC%'");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(r), 1);
    assert_string_equal(PQgetvalue(r, 0, 0), "8"); /* generic */
    assert_string_equal(PQgetvalue(r, 0, 1), "0"); /* custom */
    PQclear(r);
    store_close(&reader);
}

/* Several processes inserting at once: numbers and ids stay unique and
 * gapless (BEGIN IMMEDIATE serialises SQLite's writers; on PostgreSQL the
 * series row lock and serialisable retries do). */
#define WRITERS    4
#define PER_WRITER 40

static int writer(const char *path, int64_t company_id, int64_t customer_id)
{
    struct store *st = NULL;
    struct pm_error e;
    struct invoice inv;
    int i, rc = 0;

    if (store_open(path, &st, &e))
        return 2;
    for (i = 0; i < PER_WRITER && !rc; i++) {
        memset(&inv, 0, sizeof(inv));
        inv.company_id = company_id;
        inv.customer_id = customer_id;
        inv.kind = INVOICE_STANDARD;
        snprintf(inv.currency, sizeof(inv.currency), "SEK");
        inv.invoice_date = TODAY;
        inv.due_date = TODAY + 30;
        inv.customer_part_minor = 100;
        inv.total_minor = 100;
        if (store_invoice_insert(st, &inv, NULL, 0, NULL, 0)) {
            fprintf(stderr, "writer %d, invoice %d: %s\n", (int)getpid(), i,
                    store_error(st)->message);
            rc = 3;
        }
    }
    store_close(&st);
    return rc;
}

static void test_concurrent_writers(void **state)
{
    struct fixture *f = *state;
    pid_t pids[WRITERS];
    int i, status;

    for (i = 0; i < WRITERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0)
            _exit(writer(f->dsn, f->company_a, f->customer_a));
    }
    for (i = 0; i < WRITERS; i++) {
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoices"), WRITERS * PER_WRITER);
    assert_int_equal(raw_int(f, "SELECT count(DISTINCT number) FROM invoices"),
                     WRITERS * PER_WRITER);
    assert_int_equal(raw_int(f, "SELECT min(number) FROM invoices"), 1001);
    assert_int_equal(raw_int(f, "SELECT max(number) FROM invoices"), 1000 + WRITERS * PER_WRITER);
    assert_int_equal(raw_int(f, "SELECT max(id) FROM invoices"), WRITERS * PER_WRITER);
}

/* ---- history ---- */

static void test_history(void **state)
{
    struct fixture *f = *state;
    struct invoice inv = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 1000);
    struct history_event ev, out[4];
    const char *kinds[] = {"created", "manual_reminder", "payment"};
    size_t i, n = 0;

    for (i = 0; i < 3; i++) {
        memset(&ev, 0, sizeof(ev));
        ev.company_id = f->company_a;
        ev.invoice_id = inv.id;
        ev.at_us = i == 2 ? 0 : (int64_t)1700000000000000 + (int64_t)i;
        snprintf(ev.kind, sizeof(ev.kind), "%s", kinds[i]);
        snprintf(ev.actor, sizeof(ev.actor), "anna@example.se");
        snprintf(ev.message, sizeof(ev.message), "händelse %zu", i);
        if (i == 1)
            snprintf(ev.data, sizeof(ev.data), "{\"fee_minor\":6000}");
        assert_int_equal(store_history_insert(f->st, &ev), PM_OK);
        assert_true(ev.id > 0);
    }
    assert_true(ev.at_us > 1700000000000000); /* 0 became now */
    assert_int_equal(store_history_list(f->st, f->company_a, inv.id, 0, out, 4, &n), PM_OK);
    assert_int_equal(n, 3);
    for (i = 0; i < 3; i++)
        assert_string_equal(out[i].kind, kinds[i]);
    assert_true(out[0].id < out[1].id && out[1].id < out[2].id);
    assert_int_equal(out[0].at_us, 1700000000000000);
    assert_string_equal(out[0].data, "{}");
    assert_string_equal(out[1].data, "{\"fee_minor\":6000}");
    assert_string_equal(out[1].message, "händelse 1");
    assert_int_equal(store_history_list(f->st, f->company_a, inv.id, out[0].id, out, 4, &n), PM_OK);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].kind, "manual_reminder");
    assert_int_equal(store_history_list(f->st, f->company_b, inv.id, 0, out, 4, &n), PM_OK);
    assert_int_equal(n, 0);

    /* Data must be JSON; an event on another company's invoice is refused. */
    snprintf(ev.data, sizeof(ev.data), "{not json");
    assert_int_equal(store_history_insert(f->st, &ev), PM_ERR_INVALID);
    snprintf(ev.data, sizeof(ev.data), "{}");
    ev.company_id = f->company_b;
    ev.invoice_id = inv.id + 50;
    assert_int_equal(store_history_insert(f->st, &ev), PM_ERR_NOT_FOUND);
}

/* ---- sessions, tokens, idempotency ---- */

static void test_sessions_tokens_idempotency(void **state)
{
    struct fixture *f = *state;
    struct user u;
    struct session s, sg;
    struct api_token t, tg;
    struct idempotency_record r, rg;

    memset(&u, 0, sizeof(u));
    snprintf(u.email, sizeof(u.email), "bo@example.se");
    assert_int_equal(store_user_insert(f->st, &u), PM_OK);

    memset(&s, 0, sizeof(s));
    snprintf(s.token_hash, sizeof(s.token_hash), "%064d", 1);
    snprintf(s.csrf_token, sizeof(s.csrf_token), "csrf-abc");
    s.user_id = u.id;
    s.expires_at = 1900000000;
    assert_int_equal(store_session_insert(f->st, &s), PM_OK);
    assert_int_equal(store_session_insert(f->st, &s), PM_ERR_CONFLICT);
    assert_int_equal(store_session_get(f->st, s.token_hash, &sg), PM_OK);
    assert_int_equal(sg.user_id, u.id);
    assert_string_equal(sg.csrf_token, "csrf-abc");
    assert_int_equal(sg.expires_at, 1900000000);
    assert_true(sg.created_at > 0);
    assert_int_equal(store_session_delete(f->st, s.token_hash), PM_OK);
    assert_int_equal(store_session_get(f->st, s.token_hash, &sg), PM_ERR_NOT_FOUND);
    assert_int_equal(store_session_delete(f->st, s.token_hash), PM_ERR_NOT_FOUND);

    memset(&t, 0, sizeof(t));
    t.company_id = f->company_a;
    t.created_by = u.id;
    snprintf(t.name, sizeof(t.name), "Integration");
    snprintf(t.token_hash, sizeof(t.token_hash), "%064d", 2);
    assert_int_equal(store_api_token_insert(f->st, &t), PM_OK);
    assert_int_equal(t.id, 1);
    assert_int_equal(store_api_token_get(f->st, t.token_hash, &tg), PM_OK);
    assert_int_equal(tg.company_id, f->company_a);
    assert_int_equal(tg.id, t.id);
    assert_string_equal(tg.name, "Integration");
    t.company_id = f->company_b;
    assert_int_equal(store_api_token_insert(f->st, &t), PM_ERR_CONFLICT);
    assert_int_equal(store_api_token_get(f->st, "nope", &tg), PM_ERR_NOT_FOUND);

    memset(&r, 0, sizeof(r));
    r.company_id = f->company_a;
    snprintf(r.key, sizeof(r.key), "key-1");
    snprintf(r.request_hash, sizeof(r.request_hash), "%064d", 3);
    r.status = 201;
    r.body = "{\"id\":7}";
    assert_int_equal(store_idempotency_get(f->st, f->company_a, "key-1", &rg), PM_ERR_NOT_FOUND);
    assert_int_equal(store_idempotency_put(f->st, &r), PM_OK);
    assert_int_equal(store_idempotency_put(f->st, &r), PM_ERR_CONFLICT);
    assert_int_equal(store_idempotency_get(f->st, f->company_a, "key-1", &rg), PM_OK);
    assert_int_equal(rg.status, 201);
    assert_string_equal(rg.body, "{\"id\":7}");
    assert_string_equal(rg.request_hash, r.request_hash);
    free(rg.body);
    /* Keys are per company. */
    assert_int_equal(store_idempotency_get(f->st, f->company_b, "key-1", &rg), PM_ERR_NOT_FOUND);
    r.company_id = f->company_b;
    assert_int_equal(store_idempotency_put(f->st, &r), PM_OK);
}

/* ---- transactions ---- */

static void test_rollback_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    struct invoice inv, got;
    struct customer c;
    int64_t cust, before = raw_int(f, "SELECT count(*) FROM invoices");

    assert_int_equal(store_begin(f->st), PM_OK);
    cust = add_customer(f->st, f->company_a, "Tillfällig");
    inv = add_invoice(f->st, f->company_a, cust, 0, TODAY, 1000);
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &got), PM_OK);
    assert_int_equal(store_rollback(f->st), PM_OK);
    assert_int_equal(store_rollback(f->st), PM_OK); /* nothing open: harmless */
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &got), PM_ERR_NOT_FOUND);
    assert_int_equal(store_customer_get(f->st, f->company_a, cust, &c), PM_ERR_NOT_FOUND);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoices"), before);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoice_lines"), 0);
    /* The series rolled back too: the number is given again. */
    assert_int_equal(add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 1).number, 1001);

    /* A failing call inside a transaction undoes only itself. */
    assert_int_equal(store_begin(f->st), PM_OK);
    inv = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 1000);
    got = inv;
    got.id = 0;
    assert_int_equal(store_invoice_insert(f->st, &got, NULL, 0, NULL, 0), PM_ERR_CONFLICT);
    assert_int_equal(store_commit(f->st), PM_OK);
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &got), PM_OK);
    assert_int_equal(got.number, 1002);
}

/* The agency's states and job kinds are enums in C and their names in the
 * database: each round-trips, and a name the code does not know is an error
 * naming the column, never read as some default. */
static void test_agency_states_stored_as_names(void **state)
{
    struct fixture *f = *state;
    struct invoice inv = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 5000);
    const enum amili_state registered = AMILI_STATE_REGISTERED;
    struct outbox_message m;
    struct invoice got;
    char sql[256];

    assert_int_equal(store_agency_invoice_agency(f->st, f->company_a, inv.id, &registered, "x"),
                     PM_OK);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM invoices WHERE id = %lld AND agency_state = 'registered'",
             (long long)inv.id);
    assert_int_equal(raw_int(f, sql), 1);
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &got), PM_OK);
    assert_int_equal(got.agency_state, AMILI_STATE_REGISTERED);

    snprintf(sql, sizeof(sql), "UPDATE invoices SET agency_state = 'lost' WHERE id = %lld",
             (long long)inv.id);
    raw_exec(f, sql);
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &got), PM_ERR_DB);
    assert_string_equal(store_error(f->st)->field, "agency_state");

    memset(&m, 0, sizeof(m));
    m.company_id = f->company_a;
    m.invoice_id = inv.id;
    m.kind = AMILI_JOB_CANCEL;
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "cancel-1");
    assert_int_equal(store_outbox_enqueue(f->st, &m), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM outbox WHERE kind = 'cancel'"), 1);
    m.kind = (enum amili_job)99;
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "cancel-2");
    assert_int_equal(store_outbox_enqueue(f->st, &m), PM_ERR_INVALID);
    assert_string_equal(store_error(f->st)->field, "kind");
}

static void test_outbox_enqueue_once(void **state)
{
    struct fixture *f = *state;
    struct invoice inv = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 5000);
    struct outbox_message m, again;

    memset(&m, 0, sizeof(m));
    m.company_id = f->company_a;
    m.invoice_id = inv.id;
    m.kind = AMILI_JOB_REPORT_PAYMENT;
    snprintf(m.payload, sizeof(m.payload), "{\"amount_minor\":5000}");
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "payment-1");
    assert_int_equal(store_outbox_enqueue(f->st, &m), PM_OK);
    assert_true(m.id > 0);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM outbox WHERE state = 'pending'"), 1);

    /* The same message again (a retried request) is refused, not queued twice. */
    again = m;
    again.id = 0;
    assert_int_equal(store_outbox_enqueue(f->st, &again), PM_ERR_CONFLICT);
    /* Another company may use the same key: keys are per company. */
    again.company_id = f->company_b;
    again.invoice_id = add_invoice(f->st, f->company_b, f->customer_b, 0, TODAY, 100).id;
    assert_int_equal(store_outbox_enqueue(f->st, &again), PM_OK);
    /* Rolled back with the change that called for it. */
    assert_int_equal(store_begin(f->st), PM_OK);
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "payment-2");
    assert_int_equal(store_outbox_enqueue(f->st, &m), PM_OK);
    assert_int_equal(store_rollback(f->st), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM outbox"), 2);
    /* A message for an invoice the company does not have is refused. */
    m.invoice_id = 999999;
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "payment-3");
    assert_int_not_equal(store_outbox_enqueue(f->st, &m), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM outbox"), 2);
}

static int64_t enqueue_for(struct fixture *f, int64_t company_id, int64_t invoice_id,
                           enum amili_job kind, const char *key)
{
    struct outbox_message m;

    memset(&m, 0, sizeof(m));
    m.company_id = company_id;
    m.invoice_id = invoice_id;
    m.kind = kind;
    snprintf(m.payload, sizeof(m.payload), "{}");
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "%s", key);
    assert_int_equal(store_outbox_enqueue(f->st, &m), PM_OK);
    return m.id;
}

static int64_t enqueue_kind(struct fixture *f, int64_t invoice_id, enum amili_job kind,
                            const char *key)
{
    return enqueue_for(f, f->company_a, invoice_id, kind, key);
}

/* A lease goes company by company (each locking statement names its
 * company), yet the queue keeps its order across companies: the company
 * whose message fell due first is served first, and every company's rows
 * are leased once. */
static void test_outbox_lease_across_companies(void **state)
{
    struct fixture *f = *state;
    struct invoice inv_a = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 5000);
    struct invoice inv_b = add_invoice(f->st, f->company_b, f->customer_b, 0, TODAY, 7000);
    struct outbox_lease_row rows[8];
    int64_t a1, a2, b1;
    char sql[160];
    size_t n = 0;

    a1 = enqueue_for(f, f->company_a, inv_a.id, AMILI_JOB_REGISTER, "register-a");
    a2 = enqueue_for(f, f->company_a, inv_a.id, AMILI_JOB_REPORT_PAYMENT, "payment-a");
    b1 = enqueue_for(f, f->company_b, inv_b.id, AMILI_JOB_REGISTER, "register-b");
    raw_exec(f, "UPDATE outbox SET next_attempt_at = 500");
    snprintf(sql, sizeof(sql), "UPDATE outbox SET next_attempt_at = 100 WHERE company_id = %lld",
             (long long)f->company_b);
    raw_exec(f, sql);
    snprintf(sql, sizeof(sql), "UPDATE outbox SET next_attempt_at = 3000 WHERE id = %lld",
             (long long)a2);
    raw_exec(f, sql);

    /* One at a time: company B's fell due first. */
    assert_int_equal(store_agency_outbox_lease(f->st, "owner-a", 2000, 2030, rows, 1, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].company_id, f->company_b);
    assert_int_equal(rows[0].id, b1);
    /* Then A's, and not its payment report, which is not due yet. */
    assert_int_equal(store_agency_outbox_lease(f->st, "owner-b", 2000, 2030, rows, 8, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].company_id, f->company_a);
    assert_int_equal(rows[0].id, a1);
    assert_int_equal(store_agency_outbox_lease(f->st, "owner-c", 2001, 2031, rows, 8, &n), PM_OK);
    assert_int_equal(n, 0);
    /* When it falls due and the leases expire: the report, and B's and A's
     * registrations again (their leases ran out), each once. */
    assert_int_equal(store_agency_outbox_lease(f->st, "owner-d", 3000, 3030, rows, 8, &n), PM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].id, b1);
    assert_int_equal(rows[0].company_id, f->company_b);
    assert_int_equal(rows[1].id, a1);
    assert_int_equal(rows[2].id, a2);
    assert_int_equal(rows[2].attempts, 1);
    assert_int_equal(store_agency_outbox_lease(f->st, "owner-e", 3000, 3030, rows, 8, &n), PM_OK);
    assert_int_equal(n, 0);
}

static int64_t queue_mail(struct fixture *f, int64_t company_id, int64_t invoice_id,
                          int64_t reminder_id)
{
    struct mail_row m;
    bool queued = false;
    char sql[320];

    snprintf(sql, sizeof(sql),
             "INSERT INTO reminders (company_id, id, invoice_id, date, period_from, period_to,"
             " total_due_minor, new_due_date, created_at)"
             " VALUES (%lld, %lld, %lld, 20000, 20000, 20000, 5000, 20010, 100)",
             (long long)company_id, (long long)reminder_id, (long long)invoice_id);
    raw_exec(f, sql);
    memset(&m, 0, sizeof(m));
    m.company_id = company_id;
    m.invoice_id = invoice_id;
    m.reminder_id = reminder_id;
    snprintf(m.recipient, sizeof(m.recipient), "kund%lld@example.se", (long long)reminder_id);
    snprintf(m.subject, sizeof(m.subject), "Påminnelse %lld", (long long)reminder_id);
    snprintf(m.message_id, sizeof(m.message_id), "<%lld@example.se>", (long long)reminder_id);
    m.created_at = 100;
    assert_int_equal(store_mail_insert(f->st, &m, &queued), PM_OK);
    assert_true(queued);
    return m.id;
}

/* The mail lease goes company by company, as the agency outbox's: the
 * company whose mail fell due first first, each mail once per lease. */
static void test_mail_lease_across_companies(void **state)
{
    struct fixture *f = *state;
    struct invoice inv_a = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 5000);
    struct invoice inv_b = add_invoice(f->st, f->company_b, f->customer_b, 0, TODAY, 7000);
    struct mail_row rows[8];
    int64_t a1, a2, b1;
    char sql[160];
    size_t n = 0;

    a1 = queue_mail(f, f->company_a, inv_a.id, 1);
    a2 = queue_mail(f, f->company_a, inv_a.id, 2);
    b1 = queue_mail(f, f->company_b, inv_b.id, 3);
    raw_exec(f, "UPDATE mail_outbox SET next_attempt_at = 500");
    snprintf(sql, sizeof(sql),
             "UPDATE mail_outbox SET next_attempt_at = 100 WHERE company_id = %lld",
             (long long)f->company_b);
    raw_exec(f, sql);
    snprintf(sql, sizeof(sql), "UPDATE mail_outbox SET next_attempt_at = 3000 WHERE id = %lld",
             (long long)a2);
    raw_exec(f, sql);

    assert_int_equal(store_mail_lease(f->st, "owner-a", 2000, 2030, rows, 1, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].company_id, f->company_b);
    assert_int_equal(rows[0].id, b1);
    assert_int_equal(store_mail_lease(f->st, "owner-b", 2000, 2030, rows, 8, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].company_id, f->company_a);
    assert_int_equal(rows[0].id, a1);
    assert_int_equal(store_mail_lease(f->st, "owner-c", 2001, 2031, rows, 8, &n), PM_OK);
    assert_int_equal(n, 0);
    /* leases run out and a2 falls due: all three, B's first, each once */
    assert_int_equal(store_mail_lease(f->st, "owner-d", 3000, 3030, rows, 8, &n), PM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].id, b1);
    assert_int_equal(rows[1].id, a1);
    assert_int_equal(rows[2].id, a2);
    assert_int_equal(rows[2].attempts, 1);
    assert_int_equal(rows[1].attempts, 2);
    assert_int_equal(store_mail_lease(f->st, "owner-e", 3000, 3030, rows, 8, &n), PM_OK);
    assert_int_equal(n, 0);
}

static int64_t emit_one(struct fixture *f, int64_t invoice_id, const char *type, int want)
{
    struct webhook_delivery rows[4];
    size_t n = 0;
    int queued = -1;

    assert_int_equal(store_webhook_emit(f->st, f->company_a, invoice_id, type,
                                        "{\"amount_minor\":1}", 100, &queued),
                     PM_OK);
    assert_int_equal(queued, want);
    assert_int_equal(store_webhook_delivery_list(f->st, f->company_a, 0, rows, 1, &n), PM_OK);
    return n ? rows[0].id : 0;
}

/* Ids of a series never repeat and only increase within a transaction,
 * however many series it draws from and however many ids it takes at once
 * (PostgreSQL hands them out of blocks it reserves: up to eight series a
 * transaction, blocks growing to 4 096, so ids may skip, unlike invoice
 * numbers); the next transaction goes on after the last id its
 * series row kept; a rolled-back transaction keeps none. */
static void test_id_series_in_one_transaction(void **state)
{
    static const char *const names[] = {
        "t0", "t1", "t2", "t3", "t4",
        "t5", "t6", "t7", "t8", "a series with a name longer than a block keeps"};
    const size_t n_names = sizeof(names) / sizeof(names[0]);
    struct fixture *f = *state;
    int64_t id = 0, next, again, first[10];
    char sql[200];
    size_t i;
    int k;

    assert_int_equal(store_begin(f->st), PM_OK);
    for (i = 0; i < n_names; i++) {
        assert_int_equal(sql_next_id(f->st, f->company_a, names[i], 100, &first[i]), PM_OK);
        assert_int_equal(first[i], 100);
    }
    /* 1, 2, 4 ... 4 096 ids at a time from t0, and one more from each. */
    next = first[0] + 1;
    for (k = 0; k <= 12; k++) {
        assert_int_equal(sql_reserve_ids(f->st, f->company_a, "t0", 100, INT64_C(1) << k, &id),
                         PM_OK);
        assert_true(id >= next);
        next = id + (INT64_C(1) << k);
    }
    for (i = 0; i < n_names; i++) {
        assert_int_equal(sql_next_id(f->st, f->company_a, names[i], 100, &id), PM_OK);
        assert_true(id >= (i == 0 ? next : first[i] + 1));
    }
    next = id + 1; /* of the long name's series */
    assert_int_equal(store_commit(f->st), PM_OK);
    snprintf(sql, sizeof(sql),
             "SELECT next_value FROM sequences WHERE company_id = %lld AND name = '%s'",
             (long long)f->company_a, names[n_names - 1]);
    assert_true(raw_int(f, sql) >= next);
    next = raw_int(f, sql);
    assert_int_equal(sql_next_id(f->st, f->company_a, names[n_names - 1], 100, &id), PM_OK);
    assert_int_equal(id, next);

    assert_int_equal(store_begin(f->st), PM_OK);
    assert_int_equal(sql_reserve_ids(f->st, f->company_a, "t8", 100, 50, &id), PM_OK);
    assert_int_equal(store_rollback(f->st), PM_OK);
    assert_int_equal(sql_next_id(f->st, f->company_a, "t8", 100, &again), PM_OK);
    assert_int_equal(again, id);
}

/* What the outboxes and the reminder run refuse, each naming the field,
 * with nothing changed: a mail's state that is none, a lease another
 * owner holds, a statement mail that is a reminder's; a company's
 * twenty-first webhook endpoint, a webhook's state that is none, a resend
 * after the endpoint was removed; a run not in the state it is moved
 * from, an item no longer pending, a run that is not there. */
static void test_outbox_and_run_refusals(void **state)
{
    struct fixture *f = *state;
    struct invoice inv = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 5000);
    const struct pm_error *err = store_error(f->st);
    struct mail_row rows[2], got;
    struct webhook_endpoint ep;
    struct webhook_delivery d[2];
    struct dunning_run run;
    struct dunning_item item;
    char *body = NULL, name[32];
    void *pdf = NULL;
    size_t n = 0, len = 0;
    int64_t mail, endpoint = 0;
    bool found = true, created = false;
    int i;

    mail = queue_mail(f, f->company_a, inv.id, 1);
    assert_int_equal(store_mail_lease(f->st, "owner-a", 2000, 2030, rows, 2, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_mail_finish(f->st, f->company_a, mail, "owner-a", "lost", 0, "", 2001),
                     PM_ERR_INVALID);
    assert_string_equal(err->field, "state");
    assert_int_equal(store_mail_mark_sent(f->st, f->company_a, mail, "owner-b", 2001),
                     PM_ERR_NOT_FOUND);
    assert_string_equal(err->field, "lease");
    assert_int_equal(store_mail_release(f->st, f->company_a, mail, "owner-b"), PM_ERR_NOT_FOUND);
    assert_int_equal(
        store_mail_finish(f->st, f->company_a, mail, "owner-b", "sent", 0, "250 ok", 2001),
        PM_ERR_NOT_FOUND);
    assert_int_equal(store_mail_of_reminder(f->st, f->company_a, 1, &got, &found), PM_OK);
    assert_true(found);
    assert_string_equal(got.state, "sending");
    assert_int_equal(got.attempts, 1);
    assert_int_equal(store_mail_of_reminder(f->st, f->company_a, 2, &got, &found), PM_OK);
    assert_false(found);
    assert_int_equal(store_mail_statement_content(f->st, f->company_a, mail, &body, &pdf, &len,
                                                  name, sizeof(name)),
                     PM_ERR_NOT_FOUND);
    assert_string_equal(err->field, "mail_id");
    assert_null(body);
    assert_null(pdf);

    memset(&ep, 0, sizeof(ep));
    ep.company_id = f->company_a;
    snprintf(ep.event_types, sizeof(ep.event_types), "payment.received");
    snprintf(ep.secret, sizeof(ep.secret), "whsec_test");
    ep.created_at = 100;
    for (i = 0; i < STORE_WEBHOOK_ENDPOINTS; i++) {
        snprintf(ep.url, sizeof(ep.url), "https://hooks.example.se/%d", i);
        assert_int_equal(store_webhook_endpoint_insert(f->st, &ep), PM_OK);
        endpoint = endpoint ? endpoint : ep.id;
    }
    assert_int_equal(store_webhook_endpoint_insert(f->st, &ep), PM_ERR_CONFLICT);
    assert_string_equal(err->field, "url");
    assert_int_equal(raw_int(f, "SELECT count(*) FROM webhook_endpoints"), STORE_WEBHOOK_ENDPOINTS);
    /* Only the first endpoint stays: one delivery of the event. */
    raw_exec(f, "UPDATE webhook_endpoints SET enabled = 0 WHERE id <> (SELECT min(id) FROM"
                " webhook_endpoints)");
    assert_int_equal(emit_one(f, inv.id, "payment.received", 1) > 0, 1);
    assert_int_equal(store_webhook_lease(f->st, "w1", 1000, 1030, d, 2, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(
        store_webhook_finish(f->st, f->company_a, d[0].id, "w1", "lost", 0, 0, "", 1001),
        PM_ERR_INVALID);
    assert_string_equal(err->field, "state");
    assert_int_equal(store_webhook_resend(f->st, f->company_a, d[0].id, 1002), PM_ERR_CONFLICT);
    assert_string_equal(err->field, "state"); /* being sent */
    assert_int_equal(store_webhook_endpoint_remove(f->st, f->company_a, endpoint, 1003), PM_OK);
    assert_int_equal(store_webhook_endpoint_remove(f->st, f->company_a, endpoint, 1003),
                     PM_ERR_NOT_FOUND);
    assert_int_equal(store_webhook_resend(f->st, f->company_a, d[0].id, 1004), PM_ERR_CONFLICT);
    assert_non_null(strstr(err->message, "removed"));
    assert_int_equal(raw_int(f, "SELECT count(*) FROM webhook_deliveries WHERE state = 'failed'"),
                     1);

    memset(&run, 0, sizeof(run));
    run.company_id = f->company_a;
    run.run_date = TODAY;
    assert_int_equal(store_dunning_run_open(f->st, &run, &created), PM_OK);
    assert_true(created);
    assert_int_equal(store_dunning_run_open(f->st, &run, &created), PM_OK);
    assert_false(created); /* the day's run, as it is */
    assert_int_equal(store_dunning_run_move(f->st, f->company_a, run.id, DUNNING_RUN_APPROVED,
                                            DUNNING_RUN_DONE, NULL, 100),
                     PM_ERR_NOT_FOUND);
    assert_string_equal(err->field, "run_id");
    assert_int_equal(store_dunning_run_set_items(f->st, f->company_a, run.id + 1, 5),
                     PM_ERR_NOT_FOUND);
    assert_int_equal(store_dunning_run_get(f->st, f->company_b, run.id, &run), PM_ERR_NOT_FOUND);
    memset(&item, 0, sizeof(item));
    item.company_id = f->company_a;
    item.run_id = run.id;
    item.invoice_id = inv.id;
    item.action = DUNNING_ACTION_REMIND;
    item.state = DUNNING_ITEM_PENDING;
    assert_int_equal(store_dunning_items_insert(f->st, &item, 1), PM_OK);
    assert_int_equal(store_dunning_item_finish(f->st, f->company_a, run.id, inv.id,
                                               DUNNING_ITEM_FAILED, "smtp", 0, 100),
                     PM_OK);
    assert_int_equal(store_dunning_item_finish(f->st, f->company_a, run.id, inv.id,
                                               DUNNING_ITEM_DONE, NULL, 0, 101),
                     PM_ERR_NOT_FOUND);
    assert_string_equal(err->field, "invoice_id");
    assert_int_equal(raw_int(f, "SELECT count(*) FROM dunning_items WHERE state = 'failed'"
                                " AND result = 'smtp'"),
                     1);
    assert_int_equal(store_dunning_policy_delete(f->st, f->company_a, f->customer_a, &found),
                     PM_OK);
    assert_false(found);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM dunning_runs WHERE state = 'proposed'"), 1);
}

/* Webhook deliveries go in order per (endpoint, invoice): only the oldest
 * unfinished one of an invoice is leased; one waiting for a retry holds
 * back the later ones of its invoice, not those of another invoice. */
static void test_webhook_order_per_invoice(void **state)
{
    struct fixture *f = *state;
    struct invoice inv1 = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 5000);
    struct invoice inv2 = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 7000);
    struct webhook_endpoint ep;
    struct webhook_delivery rows[8];
    int64_t e1, e2, e3;
    size_t n = 0;

    memset(&ep, 0, sizeof(ep));
    ep.company_id = f->company_a;
    snprintf(ep.url, sizeof(ep.url), "https://hooks.example.se/a");
    snprintf(ep.event_types, sizeof(ep.event_types), "reminder.sent payment.received");
    snprintf(ep.secret, sizeof(ep.secret), "whsec_test");
    ep.created_at = 100;
    assert_int_equal(store_webhook_endpoint_insert(f->st, &ep), PM_OK);
    e1 = emit_one(f, inv1.id, "payment.received", 1);
    e2 = emit_one(f, inv1.id, "reminder.sent", 1);
    e3 = emit_one(f, inv2.id, "payment.received", 1);
    assert_int_equal(emit_one(f, inv2.id, "customer.loss", 0), e3); /* not asked for */

    assert_int_equal(store_webhook_lease(f->st, "w1", 1000, 1030, rows, 8, &n), PM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, e1);
    assert_int_equal(rows[1].id, e3);
    assert_string_equal(rows[0].event_type, "payment.received");
    assert_non_null(strstr(rows[0].payload, "\"type\":\"payment.received\""));
    assert_int_equal(store_webhook_lease(f->st, "w2", 1000, 1030, rows, 8, &n), PM_OK);
    assert_int_equal(n, 0); /* e2 waits for e1 */
    assert_int_equal(
        store_webhook_finish(f->st, f->company_a, e1, "w1", "retry", 2000, 503, "no", 1001), PM_OK);
    assert_int_equal(
        store_webhook_finish(f->st, f->company_a, e3, "w1", "delivered", 0, 200, "ok", 1001),
        PM_OK);
    /* another owner cannot finish what it does not hold */
    assert_int_equal(
        store_webhook_finish(f->st, f->company_a, e3, "w2", "delivered", 0, 200, "ok", 1001),
        PM_ERR_NOT_FOUND);
    assert_int_equal(store_webhook_lease(f->st, "w2", 1500, 1530, rows, 8, &n), PM_OK);
    assert_int_equal(n, 0); /* e1 waits for its retry, e2 for e1 */
    assert_int_equal(store_webhook_lease(f->st, "w2", 2000, 2030, rows, 8, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, e1);
    assert_int_equal(rows[0].attempts, 2);
    assert_int_equal(
        store_webhook_finish(f->st, f->company_a, e1, "w2", "delivered", 0, 200, "ok", 2001),
        PM_OK);
    assert_int_equal(store_webhook_lease(f->st, "w3", 2001, 2031, rows, 8, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, e2);
    /* the list shows the endpoint and the last answer; a resend starts over */
    assert_int_equal(store_webhook_delivery_list(f->st, f->company_a, 0, rows, 8, &n), PM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(rows[2].id, e1);
    assert_string_equal(rows[2].state, "delivered");
    assert_int_equal(rows[2].last_status, 200);
    assert_string_equal(rows[2].url, "https://hooks.example.se/a");
    assert_int_equal(store_webhook_resend(f->st, f->company_a, e2, 2002), PM_ERR_CONFLICT);
    assert_int_equal(store_webhook_resend(f->st, f->company_a, e1, 2002), PM_OK);
    assert_int_equal(store_webhook_resend(f->st, f->company_b, e1, 2002), PM_ERR_NOT_FOUND);
}

/* The uploads of original invoices after a large hand-over do not hold up a
 * registration that fell due after them; among themselves the messages go
 * in the order they fell due. */
static void test_outbox_lease_registrations_first(void **state)
{
    struct fixture *f = *state;
    struct invoice inv = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 5000);
    struct outbox_lease_row rows[8];
    int64_t up1, up2, up3, reg;
    char sql[160];
    size_t n = 0;

    up1 = enqueue_kind(f, inv.id, AMILI_JOB_UPLOAD_INVOICE, "upload-1");
    up2 = enqueue_kind(f, inv.id, AMILI_JOB_UPLOAD_INVOICE, "upload-2");
    up3 = enqueue_kind(f, inv.id, AMILI_JOB_UPLOAD_INVOICE, "upload-3");
    reg = enqueue_kind(f, inv.id, AMILI_JOB_REGISTER, "register-1");
    raw_exec(f, "UPDATE outbox SET next_attempt_at = 100 + id");
    snprintf(sql, sizeof(sql), "UPDATE outbox SET next_attempt_at = 1000 WHERE id = %lld",
             (long long)reg);
    raw_exec(f, sql);

    assert_int_equal(store_agency_outbox_lease(f->st, "owner-a", 2000, 2030, rows, 1, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, reg);
    assert_int_equal(rows[0].kind, AMILI_JOB_REGISTER);

    assert_int_equal(store_agency_outbox_lease(f->st, "owner-a", 2000, 2030, rows, 8, &n), PM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].id, up1);
    assert_int_equal(rows[1].id, up2);
    assert_int_equal(rows[2].id, up3);
    /* All four are leased now: nothing is leased twice. */
    assert_int_equal(store_agency_outbox_lease(f->st, "owner-b", 2001, 2031, rows, 8, &n), PM_OK);
    assert_int_equal(n, 0);
}

static void test_unbalanced_voucher_refused(void **state)
{
    struct fixture *f = *state;
    char sql[512], err[512];
    long long a = (long long)f->company_a;

    /* Balanced: rows, then the head. */
    snprintf(sql, sizeof(sql),
             "BEGIN;"
             "INSERT INTO voucher_rows VALUES (%lld, 2024, 1, 1, 1510, 12500, 0);"
             "INSERT INTO voucher_rows VALUES (%lld, 2024, 1, 2, 3001, 0, 10000);"
             "INSERT INTO voucher_rows VALUES (%lld, 2024, 1, 3, 2611, 0, 2500);"
             "INSERT INTO vouchers VALUES (%lld, 2024, 1, 20000, 'Faktura 1001', 'invoice', 0);"
             "COMMIT;",
             a, a, a, a);
    raw_exec(f, sql);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM voucher_rows"), 3);

    /* Unbalanced: the head is refused. */
    snprintf(sql, sizeof(sql),
             "BEGIN;"
             "INSERT INTO voucher_rows VALUES (%lld, 2024, 2, 1, 1510, 12500, 0);"
             "INSERT INTO voucher_rows VALUES (%lld, 2024, 2, 2, 3001, 0, 10000);"
             "INSERT INTO vouchers VALUES (%lld, 2024, 2, 20000, 'Fel', 'invoice', 0);",
             a, a, a);
    if (raw_try(f, sql, err, sizeof(err)))
        fail_msg("an unbalanced voucher was taken");
    if (!strstr(err, "not balanced"))
        fail_msg("unbalanced voucher refused with: %s", err);
    raw_exec(f, "ROLLBACK");

    /* Rows without a head fail at COMMIT. */
    snprintf(sql, sizeof(sql),
             "BEGIN;"
             "INSERT INTO voucher_rows VALUES (%lld, 2024, 3, 1, 1510, 100, 0);",
             a);
    raw_exec(f, sql);
    if (raw_try(f, "COMMIT", err, sizeof(err)))
        fail_msg("rows without a voucher were committed");
    raw_try(f, "ROLLBACK", err, sizeof(err)); /* SQLite keeps it open */

    /* A closed voucher takes no more rows and cannot be changed. */
    snprintf(sql, sizeof(sql), "INSERT INTO voucher_rows VALUES (%lld, 2024, 1, 4, 1510, 1, 0)", a);
    assert_false(raw_try(f, sql, err, sizeof(err)));
    assert_false(raw_try(f, "UPDATE voucher_rows SET debit_minor = 1", err, sizeof(err)));
    assert_false(raw_try(f, "DELETE FROM vouchers", err, sizeof(err)));
    assert_int_equal(raw_int(f, "SELECT count(*) FROM voucher_rows"), 3);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM vouchers"), 1);
}

/* ---- bulk inserts ---- */

/* Text with what COPY's text format escapes (a tab, a newline, a carriage
 * return, a backslash) and UTF-8. */
#define AWKWARD "tab\tnl\ncr\rbs\\ \\N \xc3\x85sa"

static void item_at(struct fixture *f, struct dunning_item *it, int64_t invoice_id)
{
    memset(it, 0, sizeof(*it));
    it->company_id = f->company_a;
    it->run_id = 1;
    it->invoice_id = invoice_id;
    it->due_date = TODAY - (int)(invoice_id % 40);
    it->remaining_minor = -invoice_id * 100; /* a minus sign travels too */
    it->action = invoice_id % 2 ? DUNNING_ACTION_REMIND : DUNNING_ACTION_NONE;
    it->level = invoice_id % 2 ? 1 : 0;
    it->reason = invoice_id % 2 ? DUNNING_REASON_NONE : DUNNING_REASON_NOT_YET_DUE;
    snprintf(it->detail, sizeof(it->detail), "%s", AWKWARD);
    snprintf(it->channel, sizeof(it->channel), "%s", invoice_id % 2 ? "both" : "");
    it->fee = invoice_id % 2;
    it->fee_minor = invoice_id % 2 ? 6000 : 0;
    it->state = invoice_id % 2 ? DUNNING_ITEM_PENDING : DUNNING_ITEM_SKIPPED;
    snprintf(it->result, sizeof(it->result), "%s", invoice_id == 7 ? "" : AWKWARD);
    it->updated_at = 1700000000;
}

/* Many rows in one call (more than one statement's worth on SQLite, one
 * COPY on PostgreSQL) arrive exactly as given; a batch with a duplicate
 * key is refused as a conflict and writes none of its rows, and the
 * handle goes on working. */
static void test_bulk_insert(void **state)
{
    struct fixture *f = *state;
    enum { N = 1000 };
    struct dunning_item *items = calloc(N, sizeof(*items));
    struct dunning_total totals[8];
    size_t n = 0, i;
    char sql[256];

    assert_non_null(items);
    for (i = 0; i < N; i++)
        item_at(f, &items[i], (int64_t)i + 1);
    assert_int_equal(store_dunning_items_insert(f->st, items, N), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM dunning_items"), N);
    assert_int_equal(raw_int(f, "SELECT sum(invoice_id) FROM dunning_items"), N * (N + 1) / 2);
    assert_int_equal(raw_int(f, "SELECT sum(remaining_minor) FROM dunning_items"),
                     -100 * N * (N + 1) / 2);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM dunning_items WHERE detail = '%s'", AWKWARD);
    assert_int_equal(raw_int(f, sql), N);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM dunning_items WHERE result = '%s'", AWKWARD);
    assert_int_equal(raw_int(f, sql), N - 1);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM dunning_items WHERE invoice_id = 7"
                                " AND result = ''"),
                     1);
    assert_int_equal(store_dunning_totals(f->st, f->company_a, 1, totals, 8, &n), PM_OK);
    assert_int_equal(n, 2);
    assert_string_equal(totals[0].action, "none");
    assert_string_equal(totals[0].reason, "not_yet_due");
    assert_string_equal(totals[0].state, "skipped");
    assert_int_equal(totals[0].count, N / 2);
    assert_string_equal(totals[1].action, "remind");
    assert_int_equal(totals[1].level, 1);
    assert_string_equal(totals[1].state, "pending");
    assert_int_equal(totals[1].fee_minor, 6000 * N / 2);

    /* invoice N + 1 and a second N: refused whole */
    item_at(f, &items[0], N + 1);
    item_at(f, &items[1], N);
    assert_int_equal(store_dunning_items_insert(f->st, items, 2), PM_ERR_CONFLICT);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM dunning_items"), N);
    assert_int_equal(store_dunning_items_insert(f->st, items, 1), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM dunning_items"), N + 1);
    assert_int_equal(store_dunning_items_insert(f->st, items, 0), PM_OK);
    free(items);
}

/* ---- the dunning run's candidates ---- */

struct seen {
    size_t n;
    int64_t id[4];
    char name[4][STORE_NAME_MAX];
    char zip[4][STORE_SHORT_MAX];
    int level[4];
};

static enum pm_err see(void *arg, const struct dunning_candidate *c)
{
    struct seen *s = arg;

    if (s->n < 4) {
        s->id[s->n] = c->invoice_id;
        snprintf(s->name[s->n], sizeof(s->name[0]), "%s", c->customer_name);
        snprintf(s->zip[s->n], sizeof(s->zip[0]), "%s", c->zip_code);
        s->level[s->n] = c->dunning_level;
    }
    s->n++;
    return PM_OK;
}

/* The open invoices past their due date are the candidates; the customer's
 * name and address come with those at or past address_level only. */
static void test_dunning_candidates_address(void **state)
{
    struct fixture *f = *state;
    struct invoice a = add_invoice(f->st, f->company_a, f->customer_a, 1, TODAY - 20, 100000);
    struct invoice b = add_invoice(f->st, f->company_a, f->customer_a, 2, TODAY - 20, 100000);
    char sql[160];
    struct seen s;

    (void)add_invoice(f->st, f->company_a, f->customer_a, 3, TODAY + 5, 100000); /* not due */
    snprintf(sql, sizeof(sql),
             "UPDATE invoices SET dunning_level = 1, dunning_date = %d"
             " WHERE company_id = %lld AND id = %lld",
             TODAY - 5, (long long)f->company_a, (long long)b.id);
    raw_exec(f, sql);

    memset(&s, 0, sizeof(s));
    assert_int_equal(store_dunning_candidates(f->st, f->company_a, TODAY, TODAY - 60, 1, see, &s),
                     PM_OK);
    assert_int_equal(s.n, 2);
    for (size_t i = 0; i < 2; i++) {
        bool reminded = s.id[i] == b.id;

        assert_true(s.id[i] == a.id || reminded);
        assert_int_equal(s.level[i], reminded ? 1 : 0);
        assert_string_equal(s.name[i], reminded ? "Kund A" : "");
        assert_string_equal(s.zip[i], reminded ? "11122" : "");
    }

    memset(&s, 0, sizeof(s));
    assert_int_equal(store_dunning_candidates(f->st, f->company_a, TODAY, TODAY - 60, 0, see, &s),
                     PM_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.name[0], "Kund A");
    assert_string_equal(s.name[1], "Kund A");
}

/* ---- enum names ---- */

static void test_enum_names(void **state)
{
    enum member_role role;
    enum invoice_filter filter;
    enum invoice_state st;
    enum payment_source src;

    (void)state;
    assert_string_equal(store_role_name(ROLE_READ_ONLY), "read_only");
    assert_int_equal(store_role_parse("member", &role), PM_OK);
    assert_int_equal(role, ROLE_MEMBER);
    assert_int_equal(store_role_parse("admin", &role), PM_ERR_INVALID);
    assert_int_equal(store_role_parse(NULL, &role), PM_ERR_INVALID);
    assert_string_equal(store_invoice_state_name(INVOICE_STATE_WRITTEN_OFF), "written_off");
    assert_int_equal(store_invoice_state_parse("credited", &st), PM_OK);
    assert_int_equal(st, INVOICE_STATE_CREDITED);
    assert_string_equal(store_filter_name(FILTER_AGENCY), "agency");
    assert_int_equal(store_filter_parse("overdue", &filter), PM_OK);
    assert_int_equal(filter, FILTER_OVERDUE);
    assert_int_equal(store_filter_parse("Overdue", &filter), PM_ERR_INVALID);
    assert_string_equal(store_payment_source_name(PAYMENT_BGMAX), "bgmax");
    assert_int_equal(store_payment_source_parse("agency", &src), PM_OK);
    assert_int_equal(src, PAYMENT_AGENCY);
    assert_string_equal(store_filter_name((enum invoice_filter)77), "unknown");
}

/* ---- the list cache's data version ---- */

/* The number changes on a commit by another connection and on the handle's
 * own writes, so a cached answer is never served after either; reading
 * leaves it (on SQLite; other engines may move it on their own). */
static void test_data_version(void **state)
{
    struct fixture *f = *state;
    struct invoice_query q = {.filter = FILTER_ALL, .today = TODAY, .limit = 10};
    struct invoice rows[10];
    struct customer c;
    uint64_t before, after_read, after_other, after_own;
    char sql[160];
    size_t n = 0;

    assert_int_equal(store_data_version(f->st, &before), PM_OK);
    assert_int_equal(store_invoice_list(f->st, f->company_a, &q, rows, 10, &n), PM_OK);
    assert_int_equal(store_customer_get(f->st, f->company_a, f->customer_a, &c), PM_OK);
    assert_int_equal(store_data_version(f->st, &after_read), PM_OK);
    if (!on_pg())
        assert_true(after_read == before);
    snprintf(sql, sizeof(sql),
             "UPDATE customers SET name = 'Omdöpt AB' WHERE company_id = %lld AND id = %lld",
             (long long)f->company_a, (long long)f->customer_a);
    raw_exec(f, sql); /* another connection commits */
    assert_int_equal(store_data_version(f->st, &after_other), PM_OK);
    assert_true(after_other != after_read);
    snprintf(c.name, sizeof(c.name), "%s", "Omdöpt igen AB");
    assert_int_equal(store_customer_update(f->st, &c), PM_OK);
    assert_int_equal(store_data_version(f->st, &after_own), PM_OK);
    assert_true(after_own != after_other);
}

/* A case per invoice, and a case id once: a second case for the invoice
 * names invoice_id, a repeated case id names case_id (also when the
 * invoice repeats too), on both engines; the first case is kept. */
static void test_agency_case_conflicts(void **state)
{
    struct fixture *f = *state;
    struct invoice a = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 5000);
    struct invoice b = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY, 7000);
    struct agency_case c, got;

    memset(&c, 0, sizeof(c));
    c.company_id = f->company_a;
    c.invoice_id = a.id;
    snprintf(c.case_id, sizeof(c.case_id), "6650aa000000000000000001");
    snprintf(c.ocr, sizeof(c.ocr), "20250000000123");
    assert_int_equal(store_agency_case_insert(f->st, &c), PM_OK);
    /* The same invoice, another case. */
    snprintf(c.case_id, sizeof(c.case_id), "6650aa000000000000000002");
    assert_int_equal(store_agency_case_insert(f->st, &c), PM_ERR_CONFLICT);
    assert_string_equal(store_error(f->st)->field, "invoice_id");
    /* Another invoice, the same case. */
    c.invoice_id = b.id;
    snprintf(c.case_id, sizeof(c.case_id), "6650aa000000000000000001");
    assert_int_equal(store_agency_case_insert(f->st, &c), PM_ERR_CONFLICT);
    assert_string_equal(store_error(f->st)->field, "case_id");
    /* Both again: the case id is named, on both engines. */
    c.invoice_id = a.id;
    assert_int_equal(store_agency_case_insert(f->st, &c), PM_ERR_CONFLICT);
    assert_string_equal(store_error(f->st)->field, "case_id");
    assert_int_equal(raw_int(f, "SELECT count(*) FROM agency_cases"), 1);
    assert_int_equal(store_agency_case_get(f->st, f->company_a, a.id, &got), PM_OK);
    assert_string_equal(got.case_id, "6650aa000000000000000001");
    assert_string_equal(got.ocr, "20250000000123");
    assert_int_equal(store_agency_case_get(f->st, f->company_a, b.id, &got), PM_ERR_NOT_FOUND);
}

/* The database address as the log shows it: never a password. */
static void test_dsn_redacted(void **state)
{
    static const struct {
        const char *dsn, *shown;
    } cases[] = {
        {"postgresql://paminn:hemligt@db.local:5432/paminn",
         "postgresql://paminn:***@db.local:5432/paminn"},
        {"postgresql://paminn@db.local/paminn", "postgresql://paminn@db.local/paminn"},
        {"postgresql://db.local/paminn?sslmode=require&password=hemligt&user=paminn",
         "postgresql://db.local/paminn?sslmode=require&password=***&user=paminn"},
        {"postgres://db.local/paminn?password=hemligt", "postgres://db.local/paminn?password=***"},
        {"postgresql://u:a@b@db.local/p?password=c",
         "postgresql://u:***@b@db.local/p?password=***"},
        {"/var/lib/paminn/paminn.db", "/var/lib/paminn/paminn.db"},
        {"sqlite:/var/lib/paminn/password=x.db", "sqlite:/var/lib/paminn/password=x.db"},
    };
    char out[256];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        store_dsn_redacted(cases[i].dsn, out, sizeof(out));
        assert_string_equal(out, cases[i].shown);
        assert_null(strstr(out, "hemligt"));
    }
}

/* ---- batches: the same rows as the one-row calls ---- */

/* Every row of sql (all columns, "|" between, "\n" after each) into out. */
static void raw_rows(struct fixture *f, const char *sql, char *out, size_t cap)
{
    size_t len = 0;

    out[0] = '\0';
    if (on_pg()) {
        PGresult *r = PQexec(f->pg_raw, sql);
        int i, c;

        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            fail_msg("%s: %s", sql, PQerrorMessage(f->pg_raw));
        for (i = 0; i < PQntuples(r); i++)
            for (c = 0; c < PQnfields(r) && len < cap; c++)
                len += (size_t)snprintf(out + len, cap - len, "%s%c", PQgetvalue(r, i, c),
                                        c + 1 < PQnfields(r) ? '|' : '\n');
        PQclear(r);
    } else {
        sqlite3_stmt *q = NULL;
        int c;

        assert_int_equal(sqlite3_prepare_v2(f->raw, sql, -1, &q, NULL), SQLITE_OK);
        while (sqlite3_step(q) == SQLITE_ROW)
            for (c = 0; c < sqlite3_column_count(q) && len < cap; c++) {
                const unsigned char *v = sqlite3_column_text(q, c);

                len += (size_t)snprintf(out + len, cap - len, "%s%c", v ? (const char *)v : "",
                                        c + 1 < sqlite3_column_count(q) ? '|' : '\n');
            }
        sqlite3_finalize(q);
    }
    assert_true(len < cap);
}

/* The rows of company_id's invoices and what hangs on them, without the
 * company and the clock (created_at, a delivery's event id). */
static void company_rows(struct fixture *f, int64_t company_id, char *out, size_t cap)
{
    static const char *const tables[] = {
        "SELECT id, number, customer_id, kind, currency, invoice_date, due_date, net_minor,"
        " vat_minor, total_minor, tax_reduction_minor, customer_part_minor, paid_minor,"
        " credited_minor, remaining_minor, state, manual_reminders, agency_state, agency_status,"
        " reminder_fee_minor, zero_vat, dunning_level, dunning_date FROM invoices"
        " WHERE company_id = %lld ORDER BY id",
        "SELECT invoice_id, line_no, description, quantity_milli, unit_price_minor, vat_rate_bp,"
        " labour, net_minor FROM invoice_lines WHERE company_id = %lld"
        " ORDER BY invoice_id, line_no",
        "SELECT invoice_id, buyer_no, id_number, name FROM invoice_buyers"
        " WHERE company_id = %lld ORDER BY invoice_id, buyer_no",
        "SELECT id, invoice_id, date, amount_minor, reference, source, fees_minor, interest_minor"
        " FROM payments WHERE company_id = %lld ORDER BY id",
        "SELECT id, invoice_id, at_us, kind, actor, message, data FROM history_events"
        " WHERE company_id = %lld ORDER BY id",
        "SELECT id, endpoint_id, invoice_id, event_type, state, created_at FROM webhook_deliveries"
        " WHERE company_id = %lld ORDER BY id",
        "SELECT name, next_value FROM sequences WHERE company_id = %lld"
        " AND name IN ('invoice_number', 'invoices') ORDER BY name",
    };
    char sql[1024];
    size_t i, len = 0;

    for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        snprintf(sql, sizeof(sql), tables[i], (long long)company_id);
        len += (size_t)snprintf(out + len, cap - len, "-- %zu\n", i);
        raw_rows(f, sql, out + len, cap - len);
        len += strlen(out + len);
    }
}

#define BATCH_N 6

/* The invoices of the batch test: item k of company_id and customer_id,
 * its lines, buyers, payments and events in r. */
/* Room for the invoices of a batch and what they carry. */
struct batch_room {
    struct store_invoice_new items[BATCH_N];
    struct invoice_line_row lines[BATCH_N][2];
    struct invoice_buyer buyers[BATCH_N][2];
    struct payment pays[BATCH_N][2];
    struct history_event evs[BATCH_N][3];
};

static void batch_items(int64_t company_id, int64_t customer_id, struct batch_room *r)
{
    struct store_invoice_new *items = r->items;
    struct invoice_line_row(*lines)[2] = r->lines;
    struct invoice_buyer(*buyers)[2] = r->buyers;
    struct payment(*pays)[2] = r->pays;
    struct history_event(*evs)[3] = r->evs;
    static const int64_t amounts[BATCH_N][2] = {{0, 0},      {50000, 0}, {20000, 10000},
                                                {90000, 50}, {12000, 0}, {0, 0}};
    size_t k, i;

    memset(items, 0, sizeof(*items) * BATCH_N);
    memset(lines, 0, sizeof(lines[0]) * BATCH_N);
    memset(buyers, 0, sizeof(buyers[0]) * BATCH_N);
    memset(pays, 0, sizeof(pays[0]) * BATCH_N);
    memset(evs, 0, sizeof(evs[0]) * BATCH_N);
    for (k = 0; k < BATCH_N; k++) {
        struct invoice *inv = &items[k].inv;
        int64_t amount = 30000 + 10000 * (int64_t)k;

        inv->company_id = company_id;
        inv->customer_id = customer_id;
        inv->kind = k == 2 ? INVOICE_ROT : k == 4 ? INVOICE_RUT : INVOICE_STANDARD;
        snprintf(inv->currency, sizeof(inv->currency), "%s", k == 5 ? "EUR" : "SEK");
        inv->invoice_date = TODAY - 40 + (int32_t)k;
        inv->due_date = TODAY - 10 + (int32_t)k * 5;
        inv->net_minor = inv->total_minor = inv->customer_part_minor = amount;
        inv->reminder_fee_agreed_minor = k % 2 ? 6000 : 0;
        inv->zero_vat = k == 5 ? ZERO_VAT_GOODS : ZERO_VAT_NONE;
        if (k == 3)
            inv->state = INVOICE_STATE_WRITTEN_OFF;
        /* text that COPY and the statements must carry as written */
        snprintf(lines[k][0].description, sizeof(lines[k][0].description),
                 "Rad %zu: \"citat\"\t\\N och\\ttab\nny rad %%_ Åäö", k);
        lines[k][0].line = (struct invoice_line){1000, amount, 0, k == 2 || k == 4};
        lines[k][0].net_minor = amount;
        snprintf(lines[k][1].description, sizeof(lines[k][1].description), "Material");
        lines[k][1].line = (struct invoice_line){500, 0, 2500, false};
        items[k].lines = lines[k];
        items[k].n_lines = k == 1 ? 1 : 2;
        if (inv->kind != INVOICE_STANDARD) {
            snprintf(buyers[k][0].id_number, sizeof(buyers[k][0].id_number), "198112289874");
            snprintf(buyers[k][0].name, sizeof(buyers[k][0].name), "Åsa \\ Öberg");
            snprintf(buyers[k][1].id_number, sizeof(buyers[k][1].id_number), "197802022389");
            snprintf(buyers[k][1].name, sizeof(buyers[k][1].name), "Per\tÖberg");
            items[k].buyers = buyers[k];
            items[k].n_buyers = 2;
        }
        snprintf(evs[k][0].kind, sizeof(evs[k][0].kind), "created");
        snprintf(evs[k][0].actor, sizeof(evs[k][0].actor), "anna@example.se");
        snprintf(evs[k][0].message, sizeof(evs[k][0].message), "Faktura skapad");
        evs[k][0].at_us = (int64_t)1700000000000000 + (int64_t)k;
        items[k].events = evs[k];
        items[k].n_events = 1;
        for (i = 0; i < 2 && amounts[k][i]; i++) {
            pays[k][i].date = TODAY - 5 + (int32_t)i;
            pays[k][i].amount_minor = amounts[k][i];
            pays[k][i].source = i ? PAYMENT_BGMAX : PAYMENT_MANUAL;
            pays[k][i].created_at = 1700000000;
            snprintf(pays[k][i].reference, sizeof(pays[k][i].reference), "ref %zu-%zu", k, i);
            items[k].payments = pays[k];
            items[k].n_payments = i + 1;
            /* a webhook event: a delivery for the endpoint that asked */
            snprintf(evs[k][1 + i].kind, sizeof(evs[k][1 + i].kind), "payment");
            snprintf(evs[k][1 + i].actor, sizeof(evs[k][1 + i].actor), "system");
            snprintf(evs[k][1 + i].data, sizeof(evs[k][1 + i].data), "{\"amount_minor\":%lld}",
                     (long long)amounts[k][i]);
            evs[k][1 + i].at_us = (int64_t)1700000100000000 + (int64_t)i;
            items[k].n_events = 2 + i;
        }
    }
}

/* What the one-row calls write, and the same through one batch on another
 * company: the same invoices (numbers of the series stepping over one
 * given by hand, derived columns after the payments, a written-off one),
 * lines and buyers with text to escape, payments, events and webhook
 * deliveries, in the same order of ids. */
static void test_invoice_batch_same_as_single(void **state)
{
    struct fixture *f = *state;
    static struct batch_room r;
    static char single[32768], batch[32768];
    int64_t companies[2] = {f->company_a, f->company_b};
    int64_t customers[2] = {f->customer_a, f->customer_b};
    struct webhook_endpoint ep;
    struct payment p;
    struct history_event ev;
    size_t c, k, i;

    assert_int_equal(f->customer_a, f->customer_b); /* the first of each company's series */
    for (c = 0; c < 2; c++) {
        memset(&ep, 0, sizeof(ep));
        ep.company_id = companies[c];
        snprintf(ep.url, sizeof(ep.url), "https://hooks.example.se/%zu", c);
        snprintf(ep.event_types, sizeof(ep.event_types), "payment.received");
        snprintf(ep.secret, sizeof(ep.secret), "whsec_test");
        ep.created_at = 100;
        assert_int_equal(store_webhook_endpoint_insert(f->st, &ep), PM_OK);
        /* a number given by hand ahead of the series: both step over it */
        add_invoice(f->st, companies[c], customers[c], 1003, TODAY, 100);
    }
    /* company a: one row at a time */
    batch_items(f->company_a, f->customer_a, &r);
    for (k = 0; k < BATCH_N; k++) {
        struct invoice inv = r.items[k].inv;

        assert_int_equal(store_invoice_insert(f->st, &inv, r.items[k].lines, r.items[k].n_lines,
                                              r.items[k].buyers, r.items[k].n_buyers),
                         PM_OK);
        for (i = 0; i < r.items[k].n_payments; i++) {
            p = r.items[k].payments[i];
            p.company_id = f->company_a;
            p.invoice_id = inv.id;
            assert_int_equal(store_payment_insert(f->st, &p), PM_OK);
        }
        for (i = 0; i < r.items[k].n_events; i++) {
            ev = r.items[k].events[i];
            ev.company_id = f->company_a;
            ev.invoice_id = inv.id;
            assert_int_equal(store_history_insert(f->st, &ev), PM_OK);
        }
    }
    /* company b: one batch */
    batch_items(f->company_b, f->customer_b, &r);
    assert_int_equal(store_invoice_insert_batch(f->st, r.items, BATCH_N, NULL, NULL), PM_OK);
    assert_int_equal(r.items[0].inv.number, 1001);
    assert_int_equal(r.items[2].inv.number, 1004); /* 1003 was taken */
    assert_int_equal(r.items[3].inv.state, INVOICE_STATE_WRITTEN_OFF);
    assert_int_equal(r.items[2].inv.paid_minor, 30000);
    assert_int_equal(r.items[2].inv.remaining_minor, 20000);
    assert_true(r.items[1].payments[0].id > 0 && r.items[1].events[1].id > r.items[1].events[0].id);

    company_rows(f, f->company_a, single, sizeof(single));
    company_rows(f, f->company_b, batch, sizeof(batch));
    assert_true(strlen(single) > 2000);
    assert_string_equal(batch, single);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM webhook_deliveries"), 2 * 6);
    /* what a caller reads back is the same too */
    for (k = 0; k < BATCH_N; k++) {
        struct invoice a, b;

        assert_int_equal(store_invoice_get(f->st, f->company_a, r.items[k].inv.id, &a), PM_OK);
        assert_int_equal(store_invoice_get(f->st, f->company_b, r.items[k].inv.id, &b), PM_OK);
        assert_int_equal(a.remaining_minor, b.remaining_minor);
        assert_int_equal(a.state, b.state);
        assert_string_equal(a.customer_name, "Kund A");
        assert_string_equal(b.customer_name, "Kund B");
    }
}

/* A batch that cannot be written writes nothing, and names what is wrong. */
static void test_invoice_batch_refused(void **state)
{
    struct fixture *f = *state;
    static struct batch_room r;
    struct history_event two[2];
    int64_t before = raw_int(f, "SELECT count(*) FROM invoices");

    batch_items(f->company_a, f->customer_a, &r);
    r.lines[4][1].line.vat_rate_bp = 1700; /* a line the database would refuse */
    assert_int_equal(store_invoice_insert_batch(f->st, r.items, BATCH_N, NULL, NULL),
                     PM_ERR_INVALID);
    assert_string_equal(store_error(f->st)->field, "lines");
    r.lines[4][1].line.vat_rate_bp = 2500;
    r.items[3].inv.customer_id = f->customer_a + 100;
    assert_int_equal(store_invoice_insert_batch(f->st, r.items, BATCH_N, NULL, NULL),
                     PM_ERR_NOT_FOUND);
    assert_string_equal(store_error(f->st)->field, "customer_id");
    r.items[3].inv.customer_id = f->customer_a;
    r.items[1].inv.number = 1500;
    assert_int_equal(store_invoice_insert_batch(f->st, r.items, BATCH_N, NULL, NULL),
                     PM_ERR_INVALID);
    assert_string_equal(store_error(f->st)->field, "number");
    r.items[1].inv.number = 0;
    r.pays[2][1].amount_minor = 0;
    assert_int_equal(store_invoice_insert_batch(f->st, r.items, BATCH_N, NULL, NULL), PM_ERR_RANGE);
    assert_string_equal(store_error(f->st)->field, "amount_minor");
    r.pays[2][1].amount_minor = 10000;
    /* data that is no JSON: refused by the database, at the end of the unit */
    snprintf(r.evs[5][0].data, sizeof(r.evs[5][0].data), "{not json");
    assert_int_not_equal(store_invoice_insert_batch(f->st, r.items, BATCH_N, NULL, NULL), PM_OK);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM invoices"), before);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM payments"), 0);
    assert_int_equal(raw_int(f, "SELECT count(*) FROM history_events"), 0);
    /* the series is as it was: the next invoice is 1001 */
    snprintf(r.evs[5][0].data, sizeof(r.evs[5][0].data), "{}");
    assert_int_equal(store_invoice_insert_batch(f->st, r.items, BATCH_N, NULL, NULL), PM_OK);
    assert_int_equal(r.items[0].inv.number, 1001);

    /* history events alone: ids in order, the clock and "{}" filled in */
    memset(two, 0, sizeof(two));
    for (size_t i = 0; i < 2; i++) {
        two[i].company_id = f->company_a;
        two[i].invoice_id = r.items[i].inv.id;
        snprintf(two[i].kind, sizeof(two[i].kind), "note");
        snprintf(two[i].actor, sizeof(two[i].actor), "system");
    }
    assert_int_equal(store_history_insert_batch(f->st, two, 2), PM_OK);
    assert_true(two[0].id > 0 && two[1].id == two[0].id + 1);
    assert_true(two[0].at_us > 1700000000000000);
    assert_string_equal(two[1].data, "{}");
    two[1].company_id = f->company_b;
    assert_int_equal(store_history_insert_batch(f->st, two, 2), PM_ERR_INVALID);
}

/* ---- the customer's name on the invoice row ---- */

/* Every invoice of the company, in the list and one by one: those of
 * customer_id show name, the others other; n_total of them. */
static void invoice_names(struct fixture *f, int64_t company_id, int64_t customer_id,
                          const char *name, const char *other, size_t n_total)
{
    struct invoice_query q = {.filter = FILTER_ALL, .today = TODAY, .limit = 20};
    struct invoice rows[20], one;
    size_t n = 0, i;

    assert_int_equal(store_invoice_list(f->st, company_id, &q, rows, 20, &n), PM_OK);
    assert_int_equal(n, n_total);
    for (i = 0; i < n; i++) {
        const char *want = rows[i].customer_id == customer_id ? name : other;

        if (strcmp(rows[i].customer_name, want) != 0)
            fail_msg("invoice %lld in the list: \"%s\", not \"%s\"", (long long)rows[i].number,
                     rows[i].customer_name, want);
        assert_int_equal(store_invoice_get(f->st, company_id, rows[i].id, &one), PM_OK);
        if (strcmp(one.customer_name, want) != 0)
            fail_msg("invoice %lld read alone: \"%s\", not \"%s\"", (long long)one.number,
                     one.customer_name, want);
    }
}

/* A customer renamed after its invoices were written, one at a time and in
 * a batch: the list and the invoice show the new name (also when only the
 * case of its letters changed); other customers' invoices, also another
 * company's customer of the same id, keep theirs; a change the database
 * refuses leaves the invoices' name as it was. */
static void test_customer_rename_reaches_invoices(void **state)
{
    struct fixture *f = *state;
    static struct batch_room r;
    int64_t other = add_customer(f->st, f->company_a, "Kvar AB");
    struct invoice inv;
    struct customer c, o;
    size_t k;

    inv = add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY - 5, 1000);
    assert_string_equal(inv.customer_name, "Kund A");
    add_invoice(f->st, f->company_a, f->customer_a, 0, TODAY + 5, 2000);
    add_invoice(f->st, f->company_a, other, 0, TODAY, 3000);
    add_invoice(f->st, f->company_b, f->customer_b, 0, TODAY, 4000);
    batch_items(f->company_a, f->customer_a, &r);
    r.items[1].inv.customer_id = other; /* two customers in one batch */
    assert_int_equal(store_invoice_insert_batch(f->st, r.items, BATCH_N, NULL, NULL), PM_OK);
    for (k = 0; k < BATCH_N; k++)
        assert_string_equal(r.items[k].inv.customer_name, k == 1 ? "Kvar AB" : "Kund A");
    invoice_names(f, f->company_a, f->customer_a, "Kund A", "Kvar AB", 3 + BATCH_N);

    assert_int_equal(store_customer_get(f->st, f->company_a, f->customer_a, &c), PM_OK);
    snprintf(c.name, sizeof(c.name), "Kund A Nytt Namn");
    assert_int_equal(store_customer_update(f->st, &c), PM_OK);
    invoice_names(f, f->company_a, f->customer_a, "Kund A Nytt Namn", "Kvar AB", 3 + BATCH_N);
    invoice_names(f, f->company_b, f->customer_b, "Kund B", "", 1);

    /* the same name but for the case of its letters */
    snprintf(c.name, sizeof(c.name), "KUND A NYTT NAMN");
    assert_int_equal(store_customer_update(f->st, &c), PM_OK);
    invoice_names(f, f->company_a, f->customer_a, "KUND A NYTT NAMN", "Kvar AB", 3 + BATCH_N);

    /* refused (the other customer's number): neither the card nor the
     * invoices change */
    assert_int_equal(store_customer_get(f->st, f->company_a, other, &o), PM_OK);
    snprintf(c.name, sizeof(c.name), "Aldrig");
    snprintf(c.number, sizeof(c.number), "%s", o.number);
    assert_int_equal(store_customer_update(f->st, &c), PM_ERR_CONFLICT);
    invoice_names(f, f->company_a, f->customer_a, "KUND A NYTT NAMN", "Kvar AB", 3 + BATCH_N);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    pg_base_from_env();
    const struct CMUnitTest tests[] = {
        T(test_open_dsn),
        T(test_migrate_idempotent),
        T(test_indexes_deferred),
        cmocka_unit_test(test_migrate_fresh_raw_file),
        cmocka_unit_test(test_migration_fills_customer_names),
        T(test_company_user_membership),
        T(test_login_rehashes_stale_password),
        T(test_customers),
        T(test_tenant_isolation),
        T(test_invoice_insert_and_numbers),
        T(test_invoice_batch_same_as_single),
        T(test_invoice_batch_refused),
        T(test_customer_rename_reaches_invoices),
        T(test_payment_updates_invoice),
        T(test_list_filters_and_counts),
        T(test_list_search_and_customer),
        T(test_list_keyset_paging),
        T(test_list_uses_indexes),
        T(test_reader_plans_a_list_once),
        T(test_concurrent_writers),
        T(test_history),
        T(test_sessions_tokens_idempotency),
        T(test_rollback_leaves_nothing),
        T(test_unbalanced_voucher_refused),
        T(test_outbox_enqueue_once),
        T(test_outbox_lease_registrations_first),
        T(test_outbox_lease_across_companies),
        T(test_mail_lease_across_companies),
        T(test_webhook_order_per_invoice),
        T(test_outbox_and_run_refusals),
        T(test_id_series_in_one_transaction),
        T(test_agency_states_stored_as_names),
        T(test_agency_case_conflicts),
        cmocka_unit_test(test_dsn_redacted),
        T(test_data_version),
        T(test_bulk_insert),
        T(test_dunning_candidates_address),
        cmocka_unit_test(test_enum_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
