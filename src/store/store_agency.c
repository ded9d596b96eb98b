/*
 * store_agency.c — what the hand-over to Visma Amili keeps (store_agency.h),
 * written once in SQL over the storage driver (sql.h): the company's
 * activation, the invoices' agency state and claims, the cached access
 * token, and the one-write unit the agency's other files share
 * (store_agency_sql.h).  Hand-overs are in store_agency_handover.c, the
 * outbox's delivery side in store_agency_outbox.c, the agency's cases and
 * what the status sync keeps (seen keys, cursors, payout lines) in
 * store_agency_cases.c.
 *
 * Every single write goes through store_agency_write(), so that one that
 * fails inside the caller's transaction leaves that transaction usable on
 * either engine.
 */
#include <string.h>

#include "store/store_agency.h"
#include "store/store_agency_sql.h"

/* ---- one write as a unit ---- */

struct write_unit {
    struct store_stmt *q;
    const char *field, *missing;
};

static enum pm_err write_run(struct store *st, void *ctx)
{
    const struct write_unit *u = ctx;

    if (u->missing)
        return sql_change(st, u->q, u->field, u->missing);
    return sql_run(st, u->q);
}

/* Inside a transaction sql_atomic() takes a savepoint and runs the unit
 * once, so the bound statement is run exactly once either way. */
enum pm_err store_agency_write(struct store *st, struct store_stmt *q, const char *field,
                               const char *missing)
{
    struct write_unit u = {q, field, missing};

    if (!sql_in_transaction(st))
        return write_run(st, &u);
    return sql_atomic(st, write_run, &u);
}

/* ---- activation ---- */

#define ACTIVATION_SELECT                                                              \
    "SELECT a.company_id, a.terms_version, a.accepted_by_user, coalesce(u.email, '')," \
    " a.accepted_at, a.account_id, a.creditor_id, a.state, a.failure, a.updated_at"    \
    " FROM amili_activations AS a LEFT JOIN users AS u ON u.id = a.accepted_by_user"

/* ACTIVATION_SELECT's columns; state is parsed below. */
static const struct sql_col activation_cols[] =
    SQL_COLS(struct amili_activation, company_id, terms_version, accepted_by_user, accepted_by,
             accepted_at, account_id, creditor_id, state, failure, updated_at);

static enum pm_err activation_state(struct store *st, struct store_stmt *q, void *out)
{
    struct amili_activation *a = out;

    if (amili_activation_state_parse(sql_text_ref(st, q, 7, NULL), &a->state))
        return sql_bad_value(st, q, 7, "state");
    return PM_OK;
}

static const struct sql_reader activation_reader =
    SQL_READER(struct amili_activation, activation_cols, activation_state);

enum pm_err store_agency_activation_get(struct store *st, int64_t company_id,
                                        struct amili_activation *out)
{
    static const char sql[] = ACTIVATION_SELECT " WHERE a.company_id = $1";

    return sql_getf(st, "company", "not activated", &activation_reader, out, sql, "i", company_id);
}

enum pm_err store_agency_activation_put(struct store *st, const struct amili_activation *a)
{
    static const char sql[] =
        "INSERT INTO amili_activations (company_id, terms_version, accepted_by_user, accepted_at,"
        " account_id, creditor_id, state, failure, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (company_id) DO UPDATE SET terms_version = excluded.terms_version,"
        " accepted_by_user = excluded.accepted_by_user, accepted_at = excluded.accepted_at,"
        " account_id = excluded.account_id, creditor_id = excluded.creditor_id,"
        " state = excluded.state, failure = excluded.failure, updated_at = excluded.updated_at";

    return store_agency_writef(
        st, NULL, NULL, sql, "itiitttti", a->company_id, SQL_ARR(a->terms_version),
        a->accepted_by_user, a->accepted_at, SQL_ARR(a->account_id), SQL_ARR(a->creditor_id),
        SQL_CAP(amili_activation_state_name(a->state), 16), SQL_ARR(a->failure), a->updated_at);
}

enum pm_err store_agency_activation_list_active(struct store *st, int64_t after_company,
                                                struct amili_activation *out, size_t cap, size_t *n)
{
    static const char sql[] = ACTIVATION_SELECT " WHERE a.state = 'active' AND a.company_id > $1"
                                                " ORDER BY a.company_id LIMIT $2";

    return sql_listf(st, &activation_reader, out, cap, n, sql, "ii", after_company, (int64_t)cap);
}

/* ---- invoices and claims ---- */

/* The state's name ("" for a value without one), never NULL: NULL binds
 * SQL NULL, which keeps the column as it is. */
static const char *state_text(enum amili_state state)
{
    const char *name = amili_state_name(state);

    return name ? name : "";
}

enum pm_err store_agency_invoice_agency(struct store *st, int64_t company_id, int64_t invoice_id,
                                        const enum amili_state *state, const char *status)
{
    static const char sql[] =
        "UPDATE invoices SET agency_state = coalesce(CAST($3 AS TEXT), agency_state),"
        " agency_status = coalesce(CAST($4 AS TEXT), agency_status)"
        " WHERE company_id = $1 AND id = $2";

    return store_agency_writef(st, "invoice_id", "updating the invoice's agency state: no such row",
                               sql, "iizz", company_id, invoice_id,
                               SQL_CAP(state ? state_text(*state) : NULL, 32), SQL_CAP(status, 64));
}

enum pm_err store_agency_claim_release(struct store *st, int64_t company_id, int64_t invoice_id)
{
    static const char sql[] = "DELETE FROM agency_claims WHERE company_id = $1 AND invoice_id = $2";

    return store_agency_writef(st, NULL, NULL, sql, "ii", company_id, invoice_id);
}

enum pm_err store_agency_invoice_by_number(struct store *st, int64_t company_id, int64_t number,
                                           int64_t *invoice_id)
{
    static const char sql[] = "SELECT id FROM invoices WHERE company_id = $1 AND number = $2";

    return sql_getf(st, "number", "no such invoice", &sql_int_reader, invoice_id, sql, "ii",
                    company_id, number);
}

/* ---- the access token cache ---- */

enum pm_err store_agency_token_get(struct store *st, const char *api_code, unsigned char *sealed,
                                   size_t cap, size_t *len, int64_t *expires_at)
{
    static const char sql[] = "SELECT sealed, expires_at FROM agency_tokens WHERE api_code = $1";
    struct store_stmt *q = NULL;
    const void *data = NULL;
    size_t bytes = 0;
    enum pm_err err = sql_query(st, &q, sql, "t", SQL_CAP(api_code, 128));

    if (err)
        return err;
    err = sql_row(st, q, "token", "no cached token");
    if (!err)
        err = sql_blob(st, q, 0, &data, &bytes);
    if (!err && bytes > cap)
        err = pm_error_set(&st->error, PM_ERR_RANGE, "token", "sealed token too long");
    if (!err) {
        if (bytes)
            memcpy(sealed, data, bytes);
        *len = bytes;
        *expires_at = sql_int(st, q, 1);
    }
    sql_done(st, q);
    return err;
}

enum pm_err store_agency_token_put(struct store *st, const char *api_code,
                                   const unsigned char *sealed, size_t len, int64_t expires_at)
{
    static const char sql[] = "INSERT INTO agency_tokens (api_code, sealed, expires_at, updated_at)"
                              " VALUES ($1, $2, $3, $4)"
                              " ON CONFLICT (api_code) DO UPDATE SET sealed = excluded.sealed,"
                              " expires_at = excluded.expires_at, updated_at = excluded.updated_at";

    return store_agency_writef(st, NULL, NULL, sql, "txii", SQL_CAP(api_code, 128), sealed, len,
                               expires_at, sql_now());
}
