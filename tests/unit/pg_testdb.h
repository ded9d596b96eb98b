/*
 * pg_testdb.h — a fresh PostgreSQL database per test for the store suites
 * (store_test.c, store_books_test.c): PAMINN_TEST_DSN names the server;
 * each test creates a database of its own there and drops it afterwards,
 * so no test sees what another left behind.  Header-only (static inline):
 * every unit test is one source file.
 */
#ifndef PM_TEST_PGDB_H
#define PM_TEST_PGDB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

/* PAMINN_TEST_DSN: the PostgreSQL server to test on, else NULL (SQLite). */
static const char *pg_base;

/* Read PAMINN_TEST_DSN (unset or empty: SQLite). */
static inline void pg_base_from_env(void)
{
    pg_base = getenv("PAMINN_TEST_DSN");
    if (pg_base && !*pg_base)
        pg_base = NULL;
}

static inline bool on_pg(void)
{
    return pg_base != NULL;
}

/* pg_base with its database replaced by name, into out[cap]. */
static inline void pg_dsn_for(const char *name, char *out, size_t cap)
{
    const char *host = strstr(pg_base, "://");
    const char *slash, *query;

    assert_non_null(host);
    slash = strchr(host + 3, '/');
    query = strchr(host + 3, '?');
    if (!slash || (query && slash > query))
        slash = query ? query : pg_base + strlen(pg_base);
    snprintf(out, cap, "%.*s/%s%s", (int)(slash - pg_base), pg_base, name, query ? query : "");
}

static inline void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Run one statement on the server's database of pg_base (CREATE / DROP
 * DATABASE cannot run inside the database they name). */
static inline void pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(pg_base);
    PGresult *r;

    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connect %s: %s", pg_base, PQerrorMessage(c));
    PQsetNoticeProcessor(c, quiet, NULL);
    r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

/* A fresh, empty database; its name into name[64], its DSN into dsn[cap]. */
static inline void pg_create_db(char name[64], char *dsn, size_t cap)
{
    static unsigned counter;
    char sql[128];

    snprintf(name, 64, "pm_store_%d_%u", (int)getpid(), counter++);
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    pg_admin(sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    pg_admin(sql);
    pg_dsn_for(name, dsn, cap);
}

static inline void pg_drop_db(const char *name)
{
    char sql[128];

    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    pg_admin(sql);
}

#endif
