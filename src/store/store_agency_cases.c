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

/* CASE_COLS, read as a row and bound as $1..$22. */
static const struct sql_col case_cols[] =
    SQL_COLS(struct agency_case, company_id, invoice_id, case_id, ocr, state, status, closed,
             capital_minor, fees_minor, interest_minor, paid_minor, remaining_minor, disputed,
             instalment_plan, etag, registered_at, synced_at, state_events, status_events,
             agency_paid_minor, payout_minor, original_invoice_url);

static const struct sql_reader case_reader = SQL_READER(struct agency_case, case_cols, NULL);

/* A new case that repeats both the invoice and the case id of existing
 * ones names case_id, the unique key SQLite checks first, where PostgreSQL
 * names the primary key's invoice_id: look the case id up to tell. */
static void conflict_field(struct store *st, const struct agency_case *c)
{
    static const char sql[] = "SELECT 1 FROM agency_cases WHERE company_id = $1 AND case_id = $2";
    struct pm_error saved = st->error;
    bool row = false;

    if (strcmp(saved.field, "invoice_id") == 0 &&
        !sql_findf(st, &row, NULL, NULL, sql, "it", c->company_id, SQL_ARR(c->case_id)) && row)
        snprintf(saved.field, sizeof(saved.field), "case_id");
    st->error = saved;
}

/* PM_ERR_CONFLICT when the invoice (or the case id) has a case already. */
enum pm_err store_agency_case_insert(struct store *st, const struct agency_case *c)
{
    static const char sql[] =
        "INSERT INTO agency_cases (" CASE_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
        " $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)";
    enum pm_err err = store_agency_writef(st, NULL, NULL, sql, "c", SQL_ROW(case_cols, c));

    if (err == PM_ERR_CONFLICT)
        conflict_field(st, c);
    return err;
}

enum pm_err store_agency_case_get(struct store *st, int64_t company_id, int64_t invoice_id,
                                  struct agency_case *out)
{
    static const char sql[] =
        "SELECT " CASE_COLS " FROM agency_cases WHERE company_id = $1 AND invoice_id = $2";

    return sql_getf(st, "case", "no such case", &case_reader, out, sql, "ii", company_id,
                    invoice_id);
}

enum pm_err store_agency_case_find(struct store *st, int64_t company_id, const char *case_id,
                                   struct agency_case *out)
{
    static const char sql[] =
        "SELECT " CASE_COLS " FROM agency_cases WHERE company_id = $1 AND case_id = $2";

    return sql_getf(st, "case", "no such case", &case_reader, out, sql, "it", company_id,
                    SQL_CAP(case_id, STORE_AGENCY_ID_MAX));
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

    return store_agency_writef(st, "case", "updating a case: no such row", sql, "cz",
                               SQL_ROW(case_cols, c), SQL_CAP(raw, SIZE_MAX));
}

enum pm_err store_agency_case_unsynced_since(struct store *st, int64_t company_id, bool all,
                                             int64_t *out)
{
    static const char sql[] =
        "SELECT coalesce(min(registered_at), 0) FROM agency_cases"
        " WHERE company_id = $1 AND (synced_at = 0 OR CAST($2 AS BIGINT) <> 0)";

    return sql_getf(st, "", "reading unsynced cases: no row", &sql_int_reader, out, sql, "ib",
                    company_id, all);
}

/* ---- seen keys, cursors, payouts ---- */

enum pm_err store_agency_seen(struct store *st, int64_t company_id, const char *key, bool *inserted)
{
    static const char sql[] =
        "INSERT INTO agency_seen (company_id, key, seen_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (company_id, key) DO NOTHING";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "iti", company_id, SQL_CAP(key, 256), sql_now());

    *inserted = false;
    if (err)
        return err;
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
    err = sql_query(st, &q, sql, "i", company_id);
    if (err)
        return err;
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

    return store_agency_writef(st, NULL, NULL, sql, "iti", company_id, SQL_CAP(value, 128),
                               synced_at);
}

#define PAYOUT_LINE_COLS                                                                     \
    "company_id, payout_id, line_no, invoice_id, invoice_number, finance_category, article," \
    " amount_minor, vat_minor, total_minor, booking_date, payout_date"

/* PAYOUT_LINE_COLS, bound as $1..$12. */
static const struct sql_col payout_line_cols[] = SQL_COLS(
    struct agency_payout_line, company_id, payout_id, line_no, invoice_id, invoice_number,
    finance_category, article, amount_minor, vat_minor, total_minor, booking_date, payout_date);

/* A line already kept (the same payout read again) is left as it is. */
enum pm_err store_agency_payout_line_insert(struct store *st, const struct agency_payout_line *l)
{
    static const char sql[] =
        "INSERT INTO agency_payout_lines (" PAYOUT_LINE_COLS ") VALUES ($1, $2, $3,"
        " nullif(CAST($4 AS BIGINT), 0), $5, $6, $7, $8, $9, $10, $11, $12)"
        " ON CONFLICT (company_id, payout_id, line_no) DO NOTHING";

    return store_agency_writef(st, NULL, NULL, sql, "c", SQL_ROW(payout_line_cols, l));
}
