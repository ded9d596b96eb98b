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
    struct store_stmt *q = NULL;
    enum pm_err err = sql_next_id(st, p->company_id, "payments", 1, &p->id);

    if (!err)
        err = sql_prepare_keys(st, sql, &q, SQL_KEYS(p->company_id, p->id, p->invoice_id, p->date));
    if (err)
        return err;
    if (!p->created_at)
        p->created_at = sql_now();
    sql_bind_arr(st, q, 5, p->reference);
    sql_bind_text(st, q, 6, store_payment_source_name(p->source), 16);
    sql_bind_int(st, q, 7, p->created_at);
    sql_bind_int(st, q, 8, fees_minor);
    sql_bind_int(st, q, 9, interest_minor);
    err = sql_run(st, q);
    sql_done(st, q);
    return err;
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
        return sql_change_keys(st, sql_update,
                               SQL_KEYS(p->company_id, p->id, fees_minor, interest_minor), "id",
                               "no such payment");
    return charges_insert(st, p, fees_minor, interest_minor);
}

/* ---- the locked period ---- */

enum pm_err store_rules_books_locked_get(struct store *st, int64_t company_id, int32_t *through)
{
    static const char sql[] =
        "SELECT books_locked_through FROM company_rules WHERE company_id = $1";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare_keys(st, sql, &q, SQL_KEYS(company_id));
    bool row = false;

    *through = 0;
    if (err)
        return err;
    err = sql_step(st, q, &row);
    if (!err && row)
        *through = (int32_t)sql_int(st, q, 0);
    sql_done(st, q);
    return err;
}

enum pm_err store_rules_books_locked_put(struct store *st, int64_t company_id, int32_t through)
{
    static const char sql[] =
        "INSERT INTO company_rules (company_id, books_locked_through) VALUES ($1, $2)"
        " ON CONFLICT (company_id) DO UPDATE SET books_locked_through = "
        "excluded.books_locked_through";

    return sql_run_keys(st, sql, SQL_KEYS(company_id, through));
}

/* ---- ROT and RUT reductions of a buyer ---- */

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
    enum pm_err err = sql_prepare_keys(st, sql, &q, SQL_KEYS(company_id, from, to));
    bool row = false;
    const char *kind;
    int64_t share;

    memset(out, 0, sizeof(*out));
    if (err)
        return err;
    sql_bind_text(st, q, 4, id_number, STORE_SHORT_MAX);
    for (;;) {
        err = sql_step(st, q, &row);
        if (err || !row)
            break;
        share =
            rotrut_share(sql_int(st, q, 1), (size_t)sql_int(st, q, 2), (size_t)sql_int(st, q, 3));
        kind = sql_text_ref(st, q, 0, NULL);
        if (kind && !strcmp(kind, "rot"))
            out->rot_minor += share;
        else
            out->rut_minor += share;
    }
    sql_done(st, q);
    return err;
}

/* ---- reference rates ---- */

enum pm_err store_rules_rate_add(struct store *st, const struct store_rate *r)
{
    static const char sql[] =
        "INSERT INTO reference_rates (valid_from, rate_bp, source, added_by, added_on)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare_keys(st, sql, &q, SQL_KEYS(r->valid_from, r->rate_bp));

    if (err)
        return err;
    sql_bind_arr(st, q, 3, r->source);
    sql_bind_arr(st, q, 4, r->added_by);
    sql_bind_int(st, q, 5, r->added_on);
    err = sql_run(st, q);
    if (!err && sql_changes(st, q) != 1)
        err = pm_error_set(&st->error, PM_ERR_CONFLICT, "valid_from",
                           "that half-year has a reference rate already");
    sql_done(st, q);
    return err;
}

static void rate_read(struct store *st, struct store_stmt *q, struct store_rate *r)
{
    memset(r, 0, sizeof(*r));
    r->valid_from = (int32_t)sql_int(st, q, 0);
    r->rate_bp = (int32_t)sql_int(st, q, 1);
    sql_col_arr(st, q, 2, r->source);
    sql_col_arr(st, q, 3, r->added_by);
    r->added_on = (int32_t)sql_int(st, q, 4);
}

enum pm_err store_rules_rate_list(struct store *st, struct store_rate *out, size_t cap, size_t *n)
{
    static const char sql[] = "SELECT valid_from, rate_bp, source, added_by, added_on"
                              " FROM reference_rates ORDER BY valid_from";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    *n = 0;
    if (err)
        return err;
    SQL_ROWS(st, q, out, cap, n, rate_read, err);
    sql_done(st, q);
    return err;
}
