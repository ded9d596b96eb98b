/*
 * sqlite_store.h — the SQLite driver (store_driver.h), the default engine:
 * one database file, WAL journal, foreign keys on, synchronous=NORMAL,
 * STRICT tables keyed (company_id, id).
 *
 *   sqlite_driver.c      the driver: statements ($N rewritten to ?N),
 *                        SQLite result codes → enum pm_err, transactions
 *                        (BEGIN IMMEDIATE: one writer at a time), the data
 *                        version, open and close;
 *   sqlite_migrations.c  the numbered schema migrations.
 *
 * store_open() reaches this driver through store_drivers.c for a bare path
 * or "sqlite:PATH".
 */
#ifndef PM_SQLITE_STORE_H
#define PM_SQLITE_STORE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "store/store.h"
#include "store/store_driver.h"

struct sqlite_store {
    struct store base; /* first, so a struct store * is a struct sqlite_store * */
    sqlite3 *db;
};

/* The driver (sqlite_driver.c). */
extern const struct store_driver sqlite_store_driver;

/* ---- sqlite_migrations.c ---- */

/* How many migrations the engine knows. */
int sqlite_migrations_count(void);
/* The migrations, run in one BEGIN IMMEDIATE transaction. */
extern const struct store_migrations sqlite_migrations;

#endif
