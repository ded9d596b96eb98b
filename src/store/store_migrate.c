/*
 * store_migrate.c — the schema migration runner, written once for every
 * engine over the driver (store_driver.h) and the SQL layer (sql.h).
 *
 * Each engine keeps only its list of migration texts and how its run
 * begins (struct store_migrations, in *_migrations.c); the runner creates
 * schema_migrations, reads the highest recorded version, runs every newer
 * text and records it, all in one transaction, so running it again applies
 * nothing and several processes starting at once apply each version once.
 * store_open_done() is the end every driver's open shares.
 */
#include <stdio.h>

#include "store/sql.h"

/* The highest recorded version, 0 for a new database. */
static enum pm_err current_version(struct store *st, int *out)
{
    static const char sql[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";
    int64_t version = 0;
    enum pm_err err =
        sql_getf(st, "", "reading schema version: no row", &sql_int_reader, &version, sql, "");

    if (!err)
        *out = (int)version;
    return err;
}

static enum pm_err record_version(struct store *st, int version)
{
    static const char sql[] = "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)";

    return sql_runf(st, sql, "di", version, sql_now());
}

enum pm_err store_open_done(struct store *st, enum pm_err err, struct store **out,
                            struct pm_error *e)
{
    if (!err)
        err = store_migrate_run(st, st->drv->migrations, &st->migrated);
    if (err) {
        pm_error_set(e, err, st->error.field, "%s", st->error.message);
        store_destroy(st);
        return err;
    }
    *out = st;
    return PM_OK;
}

enum pm_err store_migrate_run(struct store *st, const struct store_migrations *m, int *applied)
{
    const struct store_driver *drv = st->drv;
    char what[48];
    enum pm_err err;
    int version = 0, v, done = 0;

    err = drv->exec(st, m->begin, "starting migrations");
    if (err)
        return err;
    if (m->lock) {
        err = drv->exec(st, m->lock, "locking migrations");
        if (err)
            goto out_rollback;
    }
    err = drv->exec(st, m->create_table, "creating schema_migrations");
    if (err)
        goto out_rollback;
    err = current_version(st, &version);
    if (err)
        goto out_rollback;
    if (version > m->count) {
        err = pm_error_set(&st->error, PM_ERR_DB, "",
                           "database schema version %d is newer than this program knows (%d)",
                           version, m->count);
        goto out_rollback;
    }
    for (v = version + 1; v <= m->count; v++) {
        snprintf(what, sizeof(what), "migration %d", v);
        err = drv->exec(st, m->texts[v - 1], what);
        if (err)
            goto out_rollback;
        err = record_version(st, v);
        if (err)
            goto out_rollback;
        done++;
    }
    err = drv->exec(st, "COMMIT", "committing migrations");
    if (err)
        goto out_rollback;
    if (applied)
        *applied = done;
    return PM_OK;

out_rollback:
    if (drv->in_transaction(st)) {
        struct pm_error saved = st->error;

        (void)drv->exec(st, "ROLLBACK", "rolling back migrations");
        st->error = saved;
    }
    return err;
}
