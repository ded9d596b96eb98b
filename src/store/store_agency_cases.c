/*
 * store_agency_cases.c — the agency's cases as last seen and what the
 * status sync keeps beside them (store_agency.h): "seen" keys that make
 * every synced event happen once, the per-company sync cursor and payout
 * lines; written once in SQL over the storage driver (sql.h).
 *
 * agency_seen's primary key is the exactly-once guarantee of the sync:
 * a key is recorded in the same transaction as the history entry it
 * stands for, and a second recording changes nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store/store_agency.h"
#include "store/store_agency_sql.h"

/* ---- cases ---- */

#define CASE_COLS                                                                             \
    "company_id, invoice_id, case_id, ocr, state, status, closed, capital_minor, fees_minor," \
    " interest_minor, paid_minor, remaining_minor, disputed, instalment_plan, etag,"          \
    " registered_at, synced_at, state_events, status_events, agency_paid_minor,"              \
    " payout_minor, original_invoice_url"

/* $1..$22 in CASE_COLS order. */
static void case_bind(struct store *st, struct store_stmt *q, const struct agency_case *c)
{
    sql_bind_int(st, q, 1, c->company_id);
    sql_bind_int(st, q, 2, c->invoice_id);
    sql_bind_arr(st, q, 3, c->case_id);
    sql_bind_arr(st, q, 4, c->ocr);
    sql_bind_arr(st, q, 5, c->state);
    sql_bind_arr(st, q, 6, c->status);
    sql_bind_bool(st, q, 7, c->closed);
    sql_bind_int(st, q, 8, c->capital_minor);
    sql_bind_int(st, q, 9, c->fees_minor);
    sql_bind_int(st, q, 10, c->interest_minor);
    sql_bind_int(st, q, 11, c->paid_minor);
    sql_bind_int(st, q, 12, c->remaining_minor);
    sql_bind_bool(st, q, 13, c->disputed);
    sql_bind_bool(st, q, 14, c->instalment_plan);
    sql_bind_arr(st, q, 15, c->etag);
    sql_bind_int(st, q, 16, c->registered_at);
    sql_bind_int(st, q, 17, c->synced_at);
    sql_bind_int(st, q, 18, c->state_events);
    sql_bind_int(st, q, 19, c->status_events);
    sql_bind_int(st, q, 20, c->agency_paid_minor);
    sql_bind_int(st, q, 21, c->payout_minor);
    sql_bind_arr(st, q, 22, c->original_invoice_url);
}

static void case_read(struct store *st, struct store_stmt *q, struct agency_case *c)
{
    memset(c, 0, sizeof(*c));
    c->company_id = sql_int(st, q, 0);
    c->invoice_id = sql_int(st, q, 1);
    sql_col_arr(st, q, 2, c->case_id);
    sql_col_arr(st, q, 3, c->ocr);
    sql_col_arr(st, q, 4, c->state);
    sql_col_arr(st, q, 5, c->status);
    c->closed = sql_bool(st, q, 6);
    c->capital_minor = sql_int(st, q, 7);
    c->fees_minor = sql_int(st, q, 8);
    c->interest_minor = sql_int(st, q, 9);
    c->paid_minor = sql_int(st, q, 10);
    c->remaining_minor = sql_int(st, q, 11);
    c->disputed = sql_bool(st, q, 12);
    c->instalment_plan = sql_bool(st, q, 13);
    sql_col_arr(st, q, 14, c->etag);
    c->registered_at = sql_int(st, q, 15);
    c->synced_at = sql_int(st, q, 16);
    c->state_events = (int)sql_int(st, q, 17);
    c->status_events = (int)sql_int(st, q, 18);
    c->agency_paid_minor = sql_int(st, q, 19);
    c->payout_minor = sql_int(st, q, 20);
    sql_col_arr(st, q, 21, c->original_invoice_url);
}

/* A new case that repeats both the invoice and the case id of existing
 * ones names case_id, the unique key SQLite checks first, where PostgreSQL
 * names the primary key's invoice_id: look the case id up to tell. */
static void conflict_field(struct store *st, const struct agency_case *c)
{
    static const char sql[] = "SELECT 1 FROM agency_cases WHERE company_id = $1 AND case_id = $2";
    struct pm_error saved = st->error;
    struct store_stmt *q = NULL;
    bool row = false;

    if (strcmp(saved.field, "invoice_id") != 0 || sql_prepare(st, sql, &q))
        goto out_restore;
    sql_bind_int(st, q, 1, c->company_id);
    sql_bind_arr(st, q, 2, c->case_id);
    if (!sql_step(st, q, &row) && row)
        snprintf(saved.field, sizeof(saved.field), "case_id");
    sql_done(st, q);
out_restore:
    st->error = saved;
}

/* PM_ERR_CONFLICT when the invoice (or the case id) has a case already. */
enum pm_err store_agency_case_insert(struct store *st, const struct agency_case *c)
{
    static const char sql[] =
        "INSERT INTO agency_cases (" CASE_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
        " $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    case_bind(st, q, c);
    err = store_agency_write(st, q, NULL, NULL);
    sql_done(st, q);
    if (err == PM_ERR_CONFLICT)
        conflict_field(st, c);
    return err;
}

static enum pm_err case_one(struct store *st, struct store_stmt *q, struct agency_case *out)
{
    enum pm_err err = sql_row(st, q, "case", "no such case");

    if (!err)
        case_read(st, q, out);
    sql_done(st, q);
    return err;
}

enum pm_err store_agency_case_get(struct store *st, int64_t company_id, int64_t invoice_id,
                                  struct agency_case *out)
{
    static const char sql[] =
        "SELECT " CASE_COLS " FROM agency_cases WHERE company_id = $1 AND invoice_id = $2";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    sql_bind_int(st, q, 1, company_id);
    sql_bind_int(st, q, 2, invoice_id);
    return case_one(st, q, out);
}

enum pm_err store_agency_case_find(struct store *st, int64_t company_id, const char *case_id,
                                   struct agency_case *out)
{
    static const char sql[] =
        "SELECT " CASE_COLS " FROM agency_cases WHERE company_id = $1 AND case_id = $2";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    sql_bind_int(st, q, 1, company_id);
    sql_bind_text(st, q, 2, case_id, STORE_AGENCY_ID_MAX);
    return case_one(st, q, out);
}

enum pm_err store_agency_case_update(struct store *st, const struct agency_case *c, const char *raw)
{
    static const char sql[] =
        "UPDATE agency_cases SET case_id = $3, ocr = $4, state = $5, status = $6, closed = $7,"
        " capital_minor = $8, fees_minor = $9, interest_minor = $10, paid_minor = $11,"
        " remaining_minor = $12, disputed = $13, instalment_plan = $14, etag = $15,"
        " registered_at = $16, synced_at = $17, state_events = $18, status_events = $19,"
        " agency_paid_minor = $20, payout_minor = $21, original_invoice_url = $22,"
        " raw = coalesce(CAST($23 AS TEXT), raw)"
        " WHERE company_id = $1 AND invoice_id = $2";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    case_bind(st, q, c);
    if (raw)
        sql_bind_text(st, q, 23, raw, SIZE_MAX);
    else
        sql_bind_null(st, q, 23);
    err = store_agency_write(st, q, "case", "updating a case: no such row");
    sql_done(st, q);
    return err;
}

enum pm_err store_agency_case_unsynced_since(struct store *st, int64_t company_id, bool all,
                                             int64_t *out)
{
    static const char sql[] =
        "SELECT coalesce(min(registered_at), 0) FROM agency_cases"
        " WHERE company_id = $1 AND (synced_at = 0 OR CAST($2 AS BIGINT) <> 0)";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    sql_bind_int(st, q, 1, company_id);
    sql_bind_bool(st, q, 2, all);
    err = sql_row(st, q, "", "reading unsynced cases: no row");
    if (!err)
        *out = sql_int(st, q, 0);
    sql_done(st, q);
    return err;
}

/* ---- seen keys, cursors, payouts ---- */

enum pm_err store_agency_seen(struct store *st, int64_t company_id, const char *key, bool *inserted)
{
    static const char sql[] =
        "INSERT INTO agency_seen (company_id, key, seen_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (company_id, key) DO NOTHING";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    *inserted = false;
    if (err)
        return err;
    sql_bind_int(st, q, 1, company_id);
    sql_bind_text(st, q, 2, key, 256);
    sql_bind_int(st, q, 3, sql_now());
    err = store_agency_write(st, q, NULL, NULL);
    if (!err)
        *inserted = sql_changes(st, q) > 0;
    sql_done(st, q);
    return err;
}

/* One cursor per company: the status sync of any process reads and moves
 * the same row.  "" when there is none yet. */
enum pm_err store_agency_cursor_get(struct store *st, int64_t company_id, char *out, size_t cap)
{
    static const char sql[] = "SELECT last_updated FROM sync_cursors WHERE company_id = $1";
    struct store_stmt *q = NULL;
    bool row = false;
    enum pm_err err;

    out[0] = '\0';
    err = sql_prepare(st, sql, &q);
    if (err)
        return err;
    sql_bind_int(st, q, 1, company_id);
    err = sql_step(st, q, &row);
    if (!err && row)
        sql_text_col(st, q, 0, out, cap);
    sql_done(st, q);
    return err;
}

enum pm_err store_agency_cursor_put(struct store *st, int64_t company_id, const char *value,
                                    int64_t synced_at)
{
    static const char sql[] =
        "INSERT INTO sync_cursors (company_id, last_updated, synced_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (company_id) DO UPDATE SET last_updated = excluded.last_updated,"
        " synced_at = excluded.synced_at";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    sql_bind_int(st, q, 1, company_id);
    sql_bind_text(st, q, 2, value, 128);
    sql_bind_int(st, q, 3, synced_at);
    err = store_agency_write(st, q, NULL, NULL);
    sql_done(st, q);
    return err;
}

/* A line already kept (the same payout read again) is left as it is. */
enum pm_err store_agency_payout_line_insert(struct store *st, const struct agency_payout_line *l)
{
    static const char sql[] =
        "INSERT INTO agency_payout_lines (company_id, payout_id, line_no, invoice_id,"
        " invoice_number, finance_category, article, amount_minor, vat_minor, total_minor,"
        " booking_date, payout_date) VALUES ($1, $2, $3, nullif(CAST($4 AS BIGINT), 0), $5, $6,"
        " $7, $8, $9, $10, $11, $12)"
        " ON CONFLICT (company_id, payout_id, line_no) DO NOTHING";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    sql_bind_int(st, q, 1, l->company_id);
    sql_bind_arr(st, q, 2, l->payout_id);
    sql_bind_int(st, q, 3, l->line_no);
    sql_bind_int(st, q, 4, l->invoice_id);
    sql_bind_arr(st, q, 5, l->invoice_number);
    sql_bind_arr(st, q, 6, l->finance_category);
    sql_bind_arr(st, q, 7, l->article);
    sql_bind_int(st, q, 8, l->amount_minor);
    sql_bind_int(st, q, 9, l->vat_minor);
    sql_bind_int(st, q, 10, l->total_minor);
    sql_bind_int(st, q, 11, l->booking_date);
    sql_bind_int(st, q, 12, l->payout_date);
    err = store_agency_write(st, q, NULL, NULL);
    sql_done(st, q);
    return err;
}
