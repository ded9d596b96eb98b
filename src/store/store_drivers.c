/*
 * store_drivers.c — the registry of storage drivers, by DSN scheme.
 *
 * store_open() walks this list: the first driver one of whose schemes
 * starts the DSN opens it; the driver without schemes (SQLite) takes a
 * bare path.  A new engine adds one line here and nothing elsewhere.
 */
#include "store/pg/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_driver.h"

const struct store_driver *const store_drivers[] = {
    &pg_store_driver,
    &sqlite_store_driver,
    NULL,
};
