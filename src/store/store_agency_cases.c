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
#include "util/buf.h"
#include "util/jsonw.h"

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

static const char CASE_UPDATE[] =
    "UPDATE agency_cases SET case_id = $3, ocr = $4, state = $5, status = $6, closed = $7,"
    " capital_minor = $8, fees_minor = $9, interest_minor = $10, paid_minor = $11,"
    " remaining_minor = $12, disputed = $13, instalment_plan = $14, etag = $15,"
    " registered_at = $16, synced_at = $17, state_events = $18, status_events = $19,"
    " agency_paid_minor = $20, payout_minor = $21, original_invoice_url = $22,"
    " raw = coalesce(CAST($23 AS TEXT), raw)"
    " WHERE company_id = $1 AND invoice_id = $2";

enum pm_err store_agency_case_update(struct store *st, const struct agency_case *c, const char *raw)
{
    return store_agency_writef(st, "case", "updating a case: no such row", CASE_UPDATE, "cz",
                               SQL_ROW(case_cols, c), SQL_CAP(raw, SIZE_MAX));
}

/* ---- a page of cases at once ---- */

/* The statements over many cases take their rows as one JSON parameter
 * ($2): one statement a page whatever its size, which on PostgreSQL is one
 * round trip. */

static const struct sql_variant CASES_FIND = {{
    [STORE_DIALECT_SQLITE] = "SELECT " CASE_COLS " FROM agency_cases WHERE company_id = $1"
                             " AND case_id IN (SELECT value FROM json_each($2))",
    [STORE_DIALECT_PG] = "SELECT " CASE_COLS " FROM agency_cases WHERE company_id = $1"
                         " AND case_id IN (SELECT jsonb_array_elements_text(CAST($2 AS JSONB)))",
}};

enum pm_err store_agency_case_find_many(struct store *st, int64_t company_id,
                                        const char *const *case_ids, size_t n,
                                        struct agency_case *out, bool *found)
{
    struct buf ids = BUF_INIT;
    struct jsonw w;
    struct agency_case row;
    struct store_stmt *q = NULL;
    bool more = false;
    size_t i;
    enum pm_err err;

    for (i = 0; i < n; i++)
        found[i] = false;
    if (n == 0)
        return PM_OK;
    jsonw_init(&w, &ids);
    jsonw_array_begin(&w);
    for (i = 0; i < n; i++)
        jsonw_string(&w, case_ids[i]);
    jsonw_array_end(&w);
    err = jsonw_error(&w);
    if (err)
        err = pm_error_set(&st->error, err, "", "reading cases: out of memory");
    else
        err = sql_query(st, &q, sql_text(st, &CASES_FIND), "it", company_id,
                        SQL_CAP(ids.data, ids.len));
    while (!err && !(err = sql_step(st, q, &more)) && more) {
        err = sql_read(st, q, &case_reader, &row);
        for (i = 0; !err && i < n; i++) {
            if (strcmp(case_ids[i], row.case_id) == 0) {
                out[i] = row;
                found[i] = true;
            }
        }
    }
    if (q)
        sql_done(st, q);
    buf_release(&ids);
    return err;
}

/* PostgreSQL: the rows r of $2 (the case columns by name) as a record set.
 * Like SQLite's below, it leaves the case's id and when it was registered
 * as they are: the sync finds a page's cases by id and moves neither. */
static const char CASES_UPDATE_PG[] =
    "UPDATE agency_cases SET ocr = r.ocr, state = r.state,"
    " status = r.status, closed = r.closed, capital_minor = r.capital_minor,"
    " fees_minor = r.fees_minor, interest_minor = r.interest_minor, paid_minor = r.paid_minor,"
    " remaining_minor = r.remaining_minor, disputed = r.disputed,"
    " instalment_plan = r.instalment_plan, etag = r.etag, synced_at = r.synced_at,"
    " state_events = r.state_events, status_events = r.status_events,"
    " agency_paid_minor = r.agency_paid_minor, payout_minor = r.payout_minor,"
    " original_invoice_url = r.original_invoice_url, raw = r.raw"
    " FROM jsonb_to_recordset(CAST($2 AS JSONB)) AS r(invoice_id BIGINT, case_id TEXT, ocr TEXT,"
    "   state TEXT, status TEXT, closed BIGINT, capital_minor BIGINT, fees_minor BIGINT,"
    "   interest_minor BIGINT, paid_minor BIGINT, remaining_minor BIGINT, disputed BIGINT,"
    "   instalment_plan BIGINT, etag TEXT, registered_at BIGINT, synced_at BIGINT,"
    "   state_events BIGINT, status_events BIGINT, agency_paid_minor BIGINT,"
    "   payout_minor BIGINT, original_invoice_url TEXT, raw TEXT)"
    " WHERE agency_cases.company_id = $1 AND agency_cases.invoice_id = r.invoice_id"
    "   AND agency_cases.case_id = r.case_id AND agency_cases.registered_at = r.registered_at";

static void case_json(struct jsonw *w, const struct agency_case *c, const char *raw)
{
    jsonw_object_begin(w);
    JSONW_KEY(w, "invoice_id");
    jsonw_int(w, c->invoice_id);
    JSONW_KEY(w, "case_id");
    jsonw_string(w, c->case_id);
    JSONW_KEY(w, "ocr");
    jsonw_string(w, c->ocr);
    JSONW_KEY(w, "state");
    jsonw_string(w, c->state);
    JSONW_KEY(w, "status");
    jsonw_string(w, c->status);
    JSONW_KEY(w, "closed");
    jsonw_int(w, c->closed);
    JSONW_KEY(w, "capital_minor");
    jsonw_int(w, c->capital_minor);
    JSONW_KEY(w, "fees_minor");
    jsonw_int(w, c->fees_minor);
    JSONW_KEY(w, "interest_minor");
    jsonw_int(w, c->interest_minor);
    JSONW_KEY(w, "paid_minor");
    jsonw_int(w, c->paid_minor);
    JSONW_KEY(w, "remaining_minor");
    jsonw_int(w, c->remaining_minor);
    JSONW_KEY(w, "disputed");
    jsonw_int(w, c->disputed);
    JSONW_KEY(w, "instalment_plan");
    jsonw_int(w, c->instalment_plan);
    JSONW_KEY(w, "etag");
    jsonw_string(w, c->etag);
    JSONW_KEY(w, "registered_at");
    jsonw_int(w, c->registered_at);
    JSONW_KEY(w, "synced_at");
    jsonw_int(w, c->synced_at);
    JSONW_KEY(w, "state_events");
    jsonw_int(w, c->state_events);
    JSONW_KEY(w, "status_events");
    jsonw_int(w, c->status_events);
    JSONW_KEY(w, "agency_paid_minor");
    jsonw_int(w, c->agency_paid_minor);
    JSONW_KEY(w, "payout_minor");
    jsonw_int(w, c->payout_minor);
    JSONW_KEY(w, "original_invoice_url");
    jsonw_string(w, c->original_invoice_url);
    JSONW_KEY(w, "raw");
    jsonw_string(w, raw);
    jsonw_object_end(w);
}

/* Run the write sql over the JSON rows text as one atomic
 * unit: PM_ERR_NOT_FOUND (field, missing) unless it changed n rows. */
static enum pm_err write_rows(struct store *st, const char *sql, int64_t company_id,
                              const struct buf *rows, size_t n, const char *field,
                              const char *missing)
{
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "it", company_id, SQL_CAP(rows->data, rows->len));

    if (err)
        return err;
    err = store_agency_write(st, q, NULL, NULL);
    if (!err && sql_changes(st, q) != (int64_t)n)
        err = pm_error_set(&st->error, PM_ERR_NOT_FOUND, field, "%s", missing);
    sql_done(st, q);
    return err;
}

/* SQLite: the rows one prepared statement each (in-process, cheaper than
 * reading them out of JSON), in one atomic unit.  The case's id and when
 * it was registered are not set again: SQLite rewrites the entry of every
 * index with a column in the SET list, the unique index of case ids and
 * the one of unsynced cases included, even when the value is the same. */
static const char CASES_UPDATE_SQLITE[] =
    "UPDATE agency_cases SET ocr = $4, state = $5, status = $6, closed = $7,"
    " capital_minor = $8, fees_minor = $9, interest_minor = $10, paid_minor = $11,"
    " remaining_minor = $12, disputed = $13, instalment_plan = $14, etag = $15,"
    " synced_at = $17, state_events = $18, status_events = $19,"
    " agency_paid_minor = $20, payout_minor = $21, original_invoice_url = $22,"
    " raw = coalesce(CAST($23 AS TEXT), raw)"
    " WHERE company_id = $1 AND invoice_id = $2 AND case_id = $3"
    "   AND registered_at = $16";

struct cases_update {
    int64_t company_id;
    const struct agency_case *cases;
    const char *const *raws;
    size_t n;
};

static enum pm_err cases_update_run(struct store *st, void *ctx)
{
    const struct cases_update *u = ctx;
    enum pm_err err = PM_OK;
    size_t i;

    for (i = 0; !err && i < u->n; i++)
        err = sql_changef(st, "case", "updating cases: no such row", CASES_UPDATE_SQLITE, "cz",
                          SQL_ROW(case_cols, &u->cases[i]), SQL_CAP(u->raws[i], SIZE_MAX));
    return err;
}

enum pm_err store_agency_case_update_many(struct store *st, int64_t company_id,
                                          const struct agency_case *cases, const char *const *raws,
                                          size_t n)
{
    struct cases_update u = {company_id, cases, raws, n};
    struct buf rows = BUF_INIT;
    struct jsonw w;
    size_t i;
    enum pm_err err;

    for (i = 0; i < n; i++)
        if (cases[i].company_id != company_id)
            return pm_error_set(&st->error, PM_ERR_INVALID, "company_id",
                                "the cases of a page are of one company");
    if (n == 0)
        return PM_OK;
    if (sql_dialect(st) != STORE_DIALECT_PG)
        return sql_atomic(st, cases_update_run, &u);
    jsonw_init(&w, &rows);
    jsonw_array_begin(&w);
    for (i = 0; i < n; i++)
        case_json(&w, &cases[i], raws[i]);
    jsonw_array_end(&w);
    err = jsonw_error(&w);
    if (err)
        err = pm_error_set(&st->error, err, "", "updating cases: out of memory");
    else
        err = write_rows(st, CASES_UPDATE_PG, company_id, &rows, n, "case",
                         "updating cases: no such row");
    buf_release(&rows);
    return err;
}

/* PostgreSQL: the rows r of $2 in one statement. */
static const char STATUSES_UPDATE_PG[] =
    "UPDATE invoices SET agency_status = r.status"
    " FROM jsonb_to_recordset(CAST($2 AS JSONB)) AS r(invoice_id BIGINT, status TEXT)"
    " WHERE invoices.company_id = $1 AND invoices.id = r.invoice_id";

/* SQLite: one prepared statement a row, as the cases. */
struct statuses_update {
    int64_t company_id;
    const int64_t *invoice_ids;
    const char *const *statuses;
    size_t n;
};

static enum pm_err statuses_update_run(struct store *st, void *ctx)
{
    static const char sql[] =
        "UPDATE invoices SET agency_status = $3 WHERE company_id = $1 AND id = $2";
    const struct statuses_update *u = ctx;
    enum pm_err err = PM_OK;
    size_t i;

    for (i = 0; !err && i < u->n; i++)
        err = sql_changef(st, "invoice_id", "updating the invoice's agency state: no such row", sql,
                          "iit", u->company_id, u->invoice_ids[i],
                          SQL_CAP(u->statuses[i], sizeof(((struct agency_case *)0)->status)));
    return err;
}

enum pm_err store_agency_invoice_status_many(struct store *st, int64_t company_id,
                                             const int64_t *invoice_ids,
                                             const char *const *statuses, size_t n)
{
    struct buf rows = BUF_INIT;
    struct jsonw w;
    size_t i;
    enum pm_err err;

    struct statuses_update u = {company_id, invoice_ids, statuses, n};

    if (n == 0)
        return PM_OK;
    if (sql_dialect(st) != STORE_DIALECT_PG)
        return sql_atomic(st, statuses_update_run, &u);
    jsonw_init(&w, &rows);
    jsonw_array_begin(&w);
    for (i = 0; i < n; i++) {
        jsonw_object_begin(&w);
        JSONW_KEY(&w, "invoice_id");
        jsonw_int(&w, invoice_ids[i]);
        JSONW_KEY(&w, "status");
        jsonw_string(&w, statuses[i]);
        jsonw_object_end(&w);
    }
    jsonw_array_end(&w);
    err = jsonw_error(&w);
    if (err)
        err = pm_error_set(&st->error, err, "", "updating invoices: out of memory");
    else
        err = write_rows(st, STATUSES_UPDATE_PG, company_id, &rows, n, "invoice_id",
                         "updating the invoice's agency state: no such row");
    buf_release(&rows);
    return err;
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
