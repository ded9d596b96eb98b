/*
 * store_unmatched.c — unmatched bank payments and known payer bankgiros
 * (see store_unmatched.h), written once in SQL over the storage driver
 * (sql.h).
 */
#include "store/store_unmatched.h"

#include <stdio.h>
#include <string.h>

#include "store/sql.h"

#define UNMATCHED_COLUMNS                                                                 \
    "company_id, id, file_identity, line, date, amount_minor, reference, payer_bankgiro," \
    " payer_name, message, reason, suggested_invoice_id, invoice_id, confirmed_by, created_at"

static const struct sql_col unmatched_cols[] =
    SQL_COLS(struct unmatched_payment, company_id, id, file_identity, line, date, amount_minor,
             reference, payer_bankgiro, payer_name, message, reason, suggested_invoice_id,
             invoice_id, confirmed_by, created_at);

static const struct sql_reader unmatched_reader =
    SQL_READER(struct unmatched_payment, unmatched_cols, NULL);

/* The columns above, then the suggested invoice's number. */
static const struct sql_col unmatched_listed_cols[] =
    SQL_COLS(struct unmatched_payment, company_id, id, file_identity, line, date, amount_minor,
             reference, payer_bankgiro, payer_name, message, reason, suggested_invoice_id,
             invoice_id, confirmed_by, created_at, suggested_invoice_number);

static const struct sql_reader unmatched_listed_reader =
    SQL_READER(struct unmatched_payment, unmatched_listed_cols, NULL);

enum pm_err store_unmatched_insert(struct store *st, struct unmatched_payment *u)
{
    static const char sql[] = "INSERT INTO unmatched_payments (" UNMATCHED_COLUMNS ")"
                              " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
                              " $14, $15)";
    enum pm_err err = sql_next_id(st, u->company_id, "unmatched_payments", 1, &u->id);

    if (err)
        return err;
    if (!u->created_at)
        u->created_at = sql_now();
    return sql_runf(st, sql, "c", SQL_ROW(unmatched_cols, u));
}

enum pm_err store_unmatched_get(struct store *st, int64_t company_id, int64_t id,
                                struct unmatched_payment *out)
{
    static const char sql[] = "SELECT " UNMATCHED_COLUMNS " FROM unmatched_payments"
                              " WHERE company_id = $1 AND id = $2";

    return sql_getf(st, "id", "no such unmatched payment", &unmatched_reader, out, sql, "ii",
                    company_id, id);
}

enum pm_err store_unmatched_list_open(struct store *st, int64_t company_id,
                                      struct unmatched_payment *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT u.company_id, u.id, u.file_identity, u.line, u.date, u.amount_minor, u.reference,"
        " u.payer_bankgiro, u.payer_name, u.message, u.reason, u.suggested_invoice_id,"
        " u.invoice_id, u.confirmed_by, u.created_at, COALESCE(i.number, 0)"
        " FROM unmatched_payments u LEFT JOIN invoices i"
        " ON i.company_id = u.company_id AND i.id = u.suggested_invoice_id"
        " WHERE u.company_id = $1 AND u.invoice_id = 0 ORDER BY u.id LIMIT $2";

    return sql_listf(st, &unmatched_listed_reader, out, cap, n, sql, "ii", company_id,
                     (int64_t)cap);
}

enum pm_err store_unmatched_place(struct store *st, int64_t company_id, int64_t id,
                                  int64_t invoice_id, const char *by)
{
    static const char sql[] = "UPDATE unmatched_payments SET invoice_id = $3, confirmed_by = $4"
                              " WHERE company_id = $1 AND id = $2 AND invoice_id = 0";
    enum pm_err err = sql_changef(st, "id", "placed already", sql, "iiit", company_id, id,
                                  invoice_id, SQL_CAP(by, STORE_EMAIL_MAX));

    if (err == PM_ERR_NOT_FOUND)
        err = pm_error_set(&st->error, PM_ERR_CONFLICT, "id",
                           "unmatched payment %lld was placed already", (long long)id);
    return err;
}

enum pm_err store_unmatched_payer_put(struct store *st, int64_t company_id, const char *bg,
                                      int64_t customer_id)
{
    static const char sql[] =
        "INSERT INTO payer_bankgiros (company_id, bankgiro, customer_id) VALUES ($1, $2, $3)"
        " ON CONFLICT (company_id, bankgiro) DO UPDATE SET customer_id = excluded.customer_id";

    return sql_runf(st, sql, "iti", company_id, SQL_CAP(bg, 11), customer_id);
}

enum pm_err store_unmatched_payer_get(struct store *st, int64_t company_id, const char *bg,
                                      int64_t *customer_id)
{
    static const char sql[] =
        "SELECT customer_id FROM payer_bankgiros WHERE company_id = $1 AND bankgiro = $2";
    bool found = false;
    enum pm_err err;

    *customer_id = 0;
    err =
        sql_findf(st, &found, &sql_int_reader, customer_id, sql, "it", company_id, SQL_CAP(bg, 11));
    if (!found)
        *customer_id = 0;
    return err;
}
