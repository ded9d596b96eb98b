/*
 * store_indexes.c — a table's secondary indexes set aside during a bulk
 * load and built again after it (see store.h, store_indexes_defer),
 * written once in SQL over the storage driver (sql.h).
 *
 * An index that only speeds reads — not unique, not a key, not a
 * constraint's — is dropped and its definition kept in deferred_indexes
 * in the same transaction, so that whatever happens next the definition
 * survives: store_indexes_restore() builds each again, one transaction an
 * index, and store_migrate() calls it, so a load that died half-way is
 * made whole by the next command or server that opens the database.
 *
 * On PostgreSQL the tables' foreign keys are set aside the same way: each
 * row COPY writes otherwise runs a query of its own to find the row it
 * refers to (half of a large load's time), where adding the constraint
 * back checks every row in one join.  Adding it back would fail on a row
 * that refers to nothing; none can be written meanwhile, by the load or
 * by anyone else, since the store deletes no company, customer or
 * invoice.
 * SQLite cannot drop a table's constraint, and checks one with the index
 * probe it needs anyway.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"
#include "store/store.h"

#define NAME_MAX_ 128

/* What a bulk load sets aside of a table, each listed as its name, the
 * statement that puts it back and the one that sets it aside. */

/* The indexes that only speed reads. */
static const struct sql_variant SECONDARY = {{
    [STORE_DIALECT_SQLITE] =
        "SELECT name, sql, 'DROP INDEX \"' || name || '\"' FROM sqlite_master"
        " WHERE type = 'index' AND tbl_name = $1"
        " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %' ORDER BY name",
    [STORE_DIALECT_PG] =
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), format('DROP INDEX %I', c.relname)"
        " FROM pg_index AS i"
        " JOIN pg_class AS c ON c.oid = i.indexrelid JOIN pg_class AS t ON t.oid = i.indrelid"
        " WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace"
        " AND NOT i.indisunique AND NOT i.indisprimary"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint AS k WHERE k.conindid = i.indexrelid)"
        " ORDER BY c.relname",
}};

/* The foreign keys (PostgreSQL; none on SQLite, which cannot drop one). */
static const struct sql_variant FOREIGN_KEYS = {{
    [STORE_DIALECT_SQLITE] = "SELECT '', '', '' WHERE $1 IS NULL",
    [STORE_DIALECT_PG] =
        "SELECT k.conname, format('ALTER TABLE %I ADD CONSTRAINT %I %s', t.relname, k.conname,"
        " pg_get_constraintdef(k.oid)), format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname,"
        " k.conname) FROM pg_constraint AS k"
        " JOIN pg_class AS t ON t.oid = k.conrelid WHERE k.contype = 'f' AND t.relname = $1"
        " AND t.relnamespace = current_schema()::regnamespace ORDER BY k.conname",
}};

static const struct sql_variant *const DEFERRABLE[] = {&SECONDARY, &FOREIGN_KEYS};

struct index_def {
    char name[NAME_MAX_];
    char *sql;  /* puts it back */
    char *drop; /* sets it aside */
};

/* Run the statement a followed by b (made here, not cached). */
static enum pm_err run_ddl(struct store *st, const char *what, const char *a, const char *b)
{
    size_t len = strlen(a) + strlen(b) + 1;
    char *sql = malloc(len);
    enum pm_err err;

    if (!sql)
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "out of memory");
    snprintf(sql, len, "%s%s", a, b);
    err = st->drv->exec(st, sql, what);
    free(sql);
    return err;
}

/* What `which` lists of table into defs (up to cap; *n of them). */
static enum pm_err deferrable_of(struct store *st, const struct sql_variant *which,
                                 const char *table, struct index_def *defs, size_t cap, size_t *n)
{
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql_text(st, which), "t", SQL_CAP(table, 64));
    bool row = false;

    while (!err && !(err = sql_step(st, q, &row)) && row) {
        if (*n == cap) {
            err = pm_error_set(&st->error, PM_ERR_RANGE, "tables", "too many indexes");
            break;
        }
        sql_col_arr(st, q, 0, defs[*n].name);
        defs[*n].sql = strdup(sql_text_ref(st, q, 1, NULL));
        defs[*n].drop = strdup(sql_text_ref(st, q, 2, NULL));
        if (!defs[*n].sql || !defs[*n].drop) {
            free(defs[*n].sql);
            free(defs[*n].drop);
            err = pm_error_set(&st->error, PM_ERR_NOMEM, "", "out of memory");
        } else {
            (*n)++;
        }
    }
    sql_done(st, q);
    return err;
}

#define DEFERRED_MAX 64

static enum pm_err defer_run(struct store *st, void *ctx)
{
    static const char insert[] = "INSERT INTO deferred_indexes (name, table_name, sql)"
                                 " VALUES ($1, $2, $3)";
    const char *const *tables = ctx;
    struct index_def defs[DEFERRED_MAX];
    size_t n = 0, from, i, k;
    enum pm_err err = PM_OK;

    for (; !err && *tables; tables++) {
        for (k = 0; !err && k < sizeof(DEFERRABLE) / sizeof(DEFERRABLE[0]); k++) {
            from = n;
            err = deferrable_of(st, DEFERRABLE[k], *tables, defs, DEFERRED_MAX, &n);
            for (i = from; !err && i < n; i++) {
                err = sql_runf(st, insert, "ttt", SQL_ARR(defs[i].name), SQL_CAP(*tables, 64),
                               SQL_CAP(defs[i].sql, strlen(defs[i].sql) + 1));
                if (!err)
                    err = st->drv->exec(st, defs[i].drop, "setting an index or key aside");
            }
        }
    }
    for (i = 0; i < n; i++) {
        free(defs[i].sql);
        free(defs[i].drop);
    }
    return err;
}

enum pm_err store_indexes_defer(struct store *st, const char *const *tables)
{
    if (sql_in_transaction(st))
        return pm_error_set(&st->error, PM_ERR_INTERNAL, "",
                            "deferring indexes: a transaction is open");
    return sql_atomic(st, defer_run, (void *)tables);
}

/* Build one deferred index again, if any is left (*done when none). */
static enum pm_err restore_one(struct store *st, void *ctx)
{
    static const char first[] = "SELECT name, sql FROM deferred_indexes ORDER BY name LIMIT 1";
    static const char forget[] = "DELETE FROM deferred_indexes WHERE name = $1";
    static const char create[] = "CREATE INDEX ";
    bool *done = ctx, row = false;
    struct store_stmt *q = NULL;
    struct index_def def = {0};
    enum pm_err err = sql_query(st, &q, first, "");

    if (!err)
        err = sql_step(st, q, &row);
    if (!err && row) {
        sql_col_arr(st, q, 0, def.name);
        def.sql = strdup(sql_text_ref(st, q, 1, NULL));
        if (!def.sql)
            err = pm_error_set(&st->error, PM_ERR_NOMEM, "", "out of memory");
    }
    sql_done(st, q);
    *done = !err && !row;
    if (err || !row)
        return err;
    /* IF NOT EXISTS: a process that built it and died before forgetting it */
    if (!strncmp(def.sql, create, sizeof(create) - 1))
        err = run_ddl(st, "building an index", "CREATE INDEX IF NOT EXISTS ",
                      def.sql + sizeof(create) - 1);
    else
        err = run_ddl(st, "adding a foreign key back", "", def.sql);
    if (!err)
        err = sql_runf(st, forget, "t", SQL_ARR(def.name));
    free(def.sql);
    return err;
}

enum pm_err store_indexes_restore(struct store *st)
{
    bool done = false;
    enum pm_err err = PM_OK;

    while (!err && !done)
        err = sql_atomic(st, restore_one, &done);
    return err;
}
