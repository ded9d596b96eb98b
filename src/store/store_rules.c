/*
 * store_rules.c — the records behind the rules of the books (see
 * store_rules.h), written once in SQL over the storage driver (sql.h):
 * the fees and interest of each payment row, the company's locked period
 * and the reference rates added by an administrator.
 *
 * Inserts that may meet an existing row do nothing rather than violate a
 * key, which would abort a caller's transaction on PostgreSQL.
 */
#include <stdio.h>
#include <string.h>

#include "store/sql.h"
#include "store/store_rules.h"

/* ---- payments: fees and interest ---- */

static enum pm_err charges_insert(struct store *st, struct payment *p, int64_t fees_minor,
                                  int64_t interest_minor)
{
    static const char sql[] =
        "INSERT INTO payments (company_id, id, invoice_id, date, amount_minor, reference, source,"
        " created_at, fees_minor, interest_minor) VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9)";
    enum pm_err err = sql_next_id(st, p->company_id, "payments", 1, &p->id);

    if (err)
        return err;
    if (!p->created_at)
        p->created_at = sql_now();
    return sql_runf(st, sql, "iiidttiii", p->company_id, p->id, p->invoice_id, (int)p->date,
                    SQL_ARR(p->reference), SQL_CAP(store_payment_source_name(p->source), 16),
                    p->created_at, fees_minor, interest_minor);
}

enum pm_err store_rules_payment_charges(struct store *st, struct payment *p, int64_t fees_minor,
                                        int64_t interest_minor)
{
    static const char sql_update[] = "UPDATE payments SET fees_minor = fees_minor + $3,"
                                     " interest_minor = interest_minor + $4"
                                     " WHERE company_id = $1 AND id = $2";

    if (fees_minor < 0 || interest_minor < 0)
        return pm_error_set(&st->error, PM_ERR_RANGE, "amount_minor",
                            "fees and interest paid are not negative");
    if (p->id)
        return sql_changef(st, "id", "no such payment", sql_update, "iiii", p->company_id, p->id,
                           fees_minor, interest_minor);
    return charges_insert(st, p, fees_minor, interest_minor);
}

/* ---- the locked period ---- */

enum pm_err store_rules_books_locked_get(struct store *st, int64_t company_id, int32_t *through)
{
    static const char sql[] =
        "SELECT books_locked_through FROM company_rules WHERE company_id = $1";
    int64_t value = 0;
    bool found = false;
    enum pm_err err = sql_findf(st, &found, &sql_int_reader, &value, sql, "i", company_id);

    *through = !err && found ? (int32_t)value : 0;
    return err;
}

enum pm_err store_rules_books_locked_put(struct store *st, int64_t company_id, int32_t through)
{
    static const char sql[] =
        "INSERT INTO company_rules (company_id, books_locked_through) VALUES ($1, $2)"
        " ON CONFLICT (company_id) DO UPDATE SET books_locked_through = "
        "excluded.books_locked_through";

    return sql_runf(st, sql, "id", company_id, (int)through);
}

/* ---- ROT and RUT reductions of a buyer ---- */

/* Add the buyer's share of the reduction of the current row (kind,
 * reduction, buyers, buyers before this one) to out. */
static void add_share(struct store *st, struct store_stmt *q, struct rotrut_used *out)
{
    const char *kind = sql_text_ref(st, q, 0, NULL);
    int64_t share =
        rotrut_share(sql_int(st, q, 1), (size_t)sql_int(st, q, 2), (size_t)sql_int(st, q, 3));

    if (kind && !strcmp(kind, "rot"))
        out->rot_minor += share;
    else
        out->rut_minor += share;
}

enum pm_err store_rules_buyer_reductions(struct store *st, int64_t company_id,
                                         const char *id_number, int32_t from, int32_t to,
                                         struct rotrut_used *out)
{
    static const char sql[] =
        "SELECT i.kind, i.tax_reduction_minor,"
        " (SELECT count(*) FROM invoice_buyers n"
        "   WHERE n.company_id = i.company_id AND n.invoice_id = i.id),"
        " (SELECT count(*) FROM invoice_buyers p"
        "   WHERE p.company_id = i.company_id AND p.invoice_id = i.id AND p.buyer_no < b.buyer_no)"
        " FROM invoice_buyers b JOIN invoices i ON i.company_id = b.company_id AND i.id = "
        "b.invoice_id"
        " WHERE b.company_id = $1 AND i.invoice_date BETWEEN $2 AND $3 AND b.id_number = $4"
        " AND i.kind IN ('rot', 'rut') AND i.state <> 'credited'";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "iddt", company_id, (int)from, (int)to,
                                SQL_CAP(id_number, STORE_SHORT_MAX));
    bool row = true;

    memset(out, 0, sizeof(*out));
    if (err)
        return err;
    while (!err && row) {
        err = sql_step(st, q, &row);
        if (!err && row)
            add_share(st, q, out);
    }
    sql_done(st, q);
    return err;
}

/* ---- reference rates ---- */

#define RATE_COLS "valid_from, rate_bp, source, added_by, added_on"

/* The columns of RATE_COLS, bound in an insert and read in a list. */
static const struct sql_col rate_cols[] =
    SQL_COLS(struct store_rate, valid_from, rate_bp, source, added_by, added_on);

enum pm_err store_rules_rate_add(struct store *st, const struct store_rate *r)
{
    static const char sql[] =
        "INSERT INTO reference_rates (" RATE_COLS ") VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT DO NOTHING";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "c", SQL_ROW(rate_cols, r));

    if (err)
        return err;
    err = sql_run(st, q);
    if (!err && sql_changes(st, q) != 1)
        err = pm_error_set(&st->error, PM_ERR_CONFLICT, "valid_from",
                           "that half-year has a reference rate already");
    sql_done(st, q);
    return err;
}

static const struct sql_reader rate_reader = SQL_READER(struct store_rate, rate_cols, NULL);

enum pm_err store_rules_rate_list(struct store *st, struct store_rate *out, size_t cap, size_t *n)
{
    static const char sql[] = "SELECT " RATE_COLS " FROM reference_rates ORDER BY valid_from";

    return sql_listf(st, &rate_reader, out, cap, n, sql, "");
}
