/*
 * sqlite_migrations.c — the schema migrations of the SQLite engine: the
 * common text (store_schema.h) in SQLite's spellings, and how the runner
 * (store_migrate.c) serialises processes here.
 */
#include "store/sqlite/sqlite_store.h"

#define T_INT        "INTEGER"
#define T_BLOB       "BLOB"
#define T_ROWID      "INTEGER PRIMARY KEY"
#define T_STRICT     " STRICT"
#define T_JSON(col)  "json_valid(" col ")"
#define T_USER_EMAIL "  email TEXT NOT NULL COLLATE NOCASE UNIQUE,"
#define T_USER_INDEXES
#define T_CUSTOMER_NAME    "  name TEXT NOT NULL COLLATE NOCASE,"
#define T_CUSTOMER_INDEXES "CREATE INDEX customers_name ON customers (company_id, name, id);"
#define T_LETTER_CHECK     " CHECK (json_valid(letter))"
/* Vouchers and their rows can be neither changed nor deleted, and a
 * voucher's rows must balance when its head goes in. */
#define T_VOUCHER_TRIGGERS                                                                     \
    "CREATE TRIGGER voucher_balance BEFORE INSERT ON vouchers BEGIN"                           \
    "  SELECT RAISE(ABORT, 'voucher is not balanced')"                                         \
    "  WHERE (SELECT count(*) < 2 OR coalesce(sum(debit_minor), 0) <> "                        \
    "coalesce(sum(credit_minor), "                                                             \
    "0)"                                                                                       \
    "         FROM voucher_rows"                                                               \
    "         WHERE company_id = NEW.company_id AND year = NEW.year AND number = NEW.number);" \
    "END;"                                                                                     \
    "CREATE TRIGGER voucher_rows_closed BEFORE INSERT ON voucher_rows"                         \
    "  WHEN EXISTS (SELECT 1 FROM vouchers WHERE company_id = NEW.company_id"                  \
    "               AND year = NEW.year AND number = NEW.number) BEGIN"                        \
    "  SELECT RAISE(ABORT, 'voucher is closed');"                                              \
    "END;"                                                                                     \
    "CREATE TRIGGER voucher_rows_immutable BEFORE UPDATE ON voucher_rows BEGIN"                \
    "  SELECT RAISE(ABORT, 'vouchers cannot be changed');"                                     \
    "END;"                                                                                     \
    "CREATE TRIGGER voucher_rows_undeletable BEFORE DELETE ON voucher_rows BEGIN"              \
    "  SELECT RAISE(ABORT, 'vouchers cannot be deleted');"                                     \
    "END;"                                                                                     \
    "CREATE TRIGGER vouchers_immutable BEFORE UPDATE ON vouchers BEGIN"                        \
    "  SELECT RAISE(ABORT, 'vouchers cannot be changed');"                                     \
    "END;"                                                                                     \
    "CREATE TRIGGER vouchers_undeletable BEFORE DELETE ON vouchers BEGIN"                      \
    "  SELECT RAISE(ABORT, 'vouchers cannot be deleted');"                                     \
    "END;"

static const char *const migrations[] = {
#include "store/store_schema.h"
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int sqlite_migrations_count(void)
{
    return N_MIGRATIONS;
}

/* Several processes starting at once are serialised by the write lock
 * that BEGIN IMMEDIATE takes, and each reads the recorded versions after
 * taking it. */
const struct store_migrations sqlite_migrations = {
    .begin = "BEGIN IMMEDIATE",
    .lock = NULL,
    .create_table = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    "  version INTEGER PRIMARY KEY,"
                    "  applied_at INTEGER NOT NULL"
                    ") STRICT",
    .texts = migrations,
    .count = N_MIGRATIONS,
};
