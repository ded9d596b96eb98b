/*
 * store.c — the front of the storage layer: picks an engine from a DSN and
 * forwards every store_*() call through the engine's ops table.
 *
 * Nothing here knows SQL.  store_open() reads the DSN's scheme and hands the
 * rest to an engine's open function (store/sqlite/sqlite_store.h, or
 * store/pg/pg_store.h for a postgresql:// DSN); the wrappers are one line each so that the ops
 * table stays the single place where an engine's behaviour lives.  The enum names at the bottom are
 * the spellings used in the API and in the database alike.
 */
#include "store/store.h"

#include <string.h>

#include "store/sql.h"
#include "store/store_driver.h"

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The driver whose scheme starts dsn, else the one without schemes. */
static const struct store_driver *driver_for(const char *dsn)
{
    const struct store_driver *fallback = NULL;
    size_t i, j;

    for (i = 0; store_drivers[i]; i++) {
        const char *const *schemes = store_drivers[i]->schemes;

        if (!schemes[0])
            fallback = store_drivers[i];
        for (j = 0; schemes[j]; j++) {
            if (has_prefix(dsn, schemes[j]))
                return store_drivers[i];
        }
    }
    return fallback;
}

enum pm_err store_open(const char *dsn, struct store **out, struct pm_error *e)
{
    const struct store_driver *drv;

    *out = NULL;
    if (!dsn || !*dsn)
        return pm_error_set(e, PM_ERR_INVALID, "dsn", "empty database address");
    drv = driver_for(dsn);
    if (!drv)
        return pm_error_set(e, PM_ERR_INVALID, "dsn", "no storage engine for %s", dsn);
    return drv->open(dsn, out, e);
}

void store_dsn_redacted(const char *dsn, char *out, size_t cap)
{
    const char *scheme = strstr(dsn, "://");
    const char *at, *colon, *pw;
    size_t used = 0;

    snprintf(out, cap, "%s", dsn);
    if (!scheme)
        return;
    at = strchr(scheme + 3, '@');
    colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
    if (colon) /* postgresql://user:secret@host */
        used = (size_t)snprintf(out, cap, "%.*s:***%s", (int)(colon - dsn), dsn, at);
    pw = strstr(out, "password=");
    if (pw && used < cap) { /* ...?password=secret&... */
        const char *end = strchr(pw, '&');
        char rest[512];

        snprintf(rest, sizeof(rest), "%s", end ? end : "");
        snprintf((char *)pw + strlen("password="), cap - (size_t)(pw - out) - strlen("password="),
                 "***%s", rest);
    }
}

void store_close(struct store **st)
{
    if (!st || !*st)
        return;
    store_destroy(*st);
    *st = NULL;
}

const char *store_engine_name(const struct store *st)
{
    return st->drv->name;
}

const struct pm_error *store_error(const struct store *st)
{
    return &st->error;
}

/* Every engine reports exactly the transient conflicts as PM_ERR_BUSY:
 * SQLite a lock it waited for in vain, PostgreSQL a serialisation failure,
 * a deadlock or a lock not available. */
bool store_retryable(const struct store *st)
{
    return st->error.code == PM_ERR_BUSY;
}

int store_migrations_at_open(const struct store *st)
{
    return st->migrated;
}

enum pm_err store_migrate(struct store *st, int *applied)
{
    enum pm_err err = store_migrate_run(st, st->drv->migrations, applied);

    /* the schema whole: indexes a bulk load set aside and did not build */
    return err ? err : store_indexes_restore(st);
}

/* The error is cleared first, so that store_retryable() speaks of this
 * transaction only. */
enum pm_err store_begin(struct store *st)
{
    pm_error_clear(&st->error);
    sql_ids_forget(st);
    return st->drv->begin(st, STORE_TX_WRITE);
}

enum pm_err store_begin_for(struct store *st, int64_t company_id)
{
    pm_error_clear(&st->error);
    sql_ids_forget(st);
    if (!st->drv->begin_for || company_id <= 0)
        return st->drv->begin(st, STORE_TX_WRITE);
    return st->drv->begin_for(st, company_id);
}

enum pm_err store_commit(struct store *st)
{
    return st->drv->commit(st);
}

enum pm_err store_commit_send(struct store *st)
{
    if (st->drv->commit_send)
        return st->drv->commit_send(st);
    st->commit_sent = st->drv->commit(st);
    return st->commit_sent;
}

enum pm_err store_commit_wait(struct store *st)
{
    enum pm_err err = st->commit_sent;

    if (st->drv->commit_wait)
        return st->drv->commit_wait(st);
    st->commit_sent = PM_OK;
    return err;
}

enum pm_err store_rollback(struct store *st)
{
    sql_ids_forget(st);
    return st->drv->rollback(st);
}

enum pm_err store_bulk_writes(struct store *st, bool on)
{
    return st->drv->bulk_writes ? st->drv->bulk_writes(st, on) : PM_OK;
}

enum pm_err store_mark(struct store *st)
{
    static const char sql[] = "SAVEPOINT store_mark";

    if (!sql_in_transaction(st))
        return pm_error_set(&st->error, PM_ERR_INTERNAL, "", "a mark needs a transaction");
    return sql_exec(st, sql);
}

void store_undo_to_mark(struct store *st)
{
    static const char undo[] = "ROLLBACK TO SAVEPOINT store_mark";
    static const char release[] = "RELEASE SAVEPOINT store_mark";
    struct pm_error saved = st->error;

    sql_ids_forget(st); /* ids reserved since the mark are reserved no more */
    (void)sql_exec(st, undo);
    (void)sql_exec(st, release);
    st->error = saved;
}

enum pm_err store_data_version(struct store *st, uint64_t *out)
{
    *out = 0;
    if (!st->drv->data_version)
        return pm_error_set(&st->error, PM_ERR_INTERNAL, "", "the %s store has no data version",
                            st->drv->name);
    return st->drv->data_version(st, out);
}

enum pm_err store_data_version_at(struct store *st, uint64_t *version, char pos[STORE_POSITION_MAX])
{
    pos[0] = '\0';
    if (!st->drv->data_version_at)
        return store_data_version(st, version);
    return st->drv->data_version_at(st, version, pos);
}

void store_version_with_next(struct store *st)
{
    if (st->drv->version_with_next)
        st->drv->version_with_next(st);
}

bool store_version_taken(struct store *st, uint64_t *version)
{
    *version = 0;
    return st->drv->version_taken && st->drv->version_taken(st, version);
}

enum pm_err store_replayed(struct store *st, const char *pos, bool *yes)
{
    *yes = false;
    if (!st->drv->replayed || !pos || !*pos)
        return pm_error_set(&st->error, PM_ERR_INVALID, "", "the %s store has no standbys",
                            st->drv->name);
    return st->drv->replayed(st, pos, yes);
}

enum pm_err store_open_standby(const char *dsn, struct store **out, struct pm_error *e)
{
    const struct store_driver *drv = dsn && *dsn ? driver_for(dsn) : NULL;

    *out = NULL;
    if (!drv || !drv->open_standby)
        return pm_error_set(e, PM_ERR_INVALID, "db_read", "%s has no standbys: give a %s address",
                            drv ? drv->name : "no storage engine", "postgresql://");
    return drv->open_standby(dsn, out, e);
}

/* ---- enum names ---- */

static const char *const role_names[] = {
    [ROLE_OWNER] = "owner",
    [ROLE_MEMBER] = "member",
    [ROLE_READ_ONLY] = "read_only",
};

static const char *const state_names[] = {
    [INVOICE_STATE_OPEN] = "open",
    [INVOICE_STATE_PAID] = "paid",
    [INVOICE_STATE_WRITTEN_OFF] = "written_off",
    [INVOICE_STATE_CREDITED] = "credited",
};

static const char *const filter_names[] = {
    [FILTER_ALL] = "all",       [FILTER_UNPAID] = "unpaid", [FILTER_OVERDUE] = "overdue",
    [FILTER_AGENCY] = "agency", [FILTER_PAID] = "paid",     [FILTER_WRITTEN_OFF] = "written_off",
};

static const char *const source_names[] = {
    [PAYMENT_MANUAL] = "manual",
    [PAYMENT_BGMAX] = "bgmax",
    [PAYMENT_AGENCY] = "agency",
    [PAYMENT_CAMT054] = "camt054",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Index of s in names[0..n), or -1. */
static int name_index(const char *const *names, size_t n, const char *s)
{
    size_t i;

    if (!s)
        return -1;
    for (i = 0; i < n; i++) {
        if (strcmp(names[i], s) == 0)
            return (int)i;
    }
    return -1;
}

static const char *name_at(const char *const *names, size_t n, int i)
{
    return i >= 0 && (size_t)i < n ? names[i] : "unknown";
}

/* prefix_name() and prefix_parse() of an enum over its names: a value
 * without a name is "unknown", a text without a value PM_ERR_INVALID. */
#define NAMED_ENUM(prefix, type, names)                  \
    const char *prefix##_name(type v)                    \
    {                                                    \
        return name_at(names, COUNT_OF(names), (int)v);  \
    }                                                    \
                                                         \
    enum pm_err prefix##_parse(const char *s, type *out) \
    {                                                    \
        int i = name_index(names, COUNT_OF(names), s);   \
                                                         \
        if (i < 0)                                       \
            return PM_ERR_INVALID;                       \
        *out = (type)i;                                  \
        return PM_OK;                                    \
    }

NAMED_ENUM(store_role, enum member_role, role_names)
NAMED_ENUM(store_invoice_state, enum invoice_state, state_names)
NAMED_ENUM(store_filter, enum invoice_filter, filter_names)
NAMED_ENUM(store_payment_source, enum payment_source, source_names)
