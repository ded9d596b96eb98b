/*
 * store_overdue.c — invoices falling due (see store_overdue.h), written
 * once in SQL over the storage driver (sql.h).  The invoices past the
 * mark are read through the index invoices_state_due (company_id, state,
 * due_date, id).
 */
#include "store/store_overdue.h"

#include "store/sql.h"

static const struct sql_col mark_cols[] = SQL_COLS(struct overdue_mark, due_date, invoice_id);
static const struct sql_reader mark_reader = SQL_READER(struct overdue_mark, mark_cols, NULL);

static const struct sql_col inv_cols[] =
    SQL_COLS(struct overdue_invoice, invoice_id, due_date, remaining_minor, currency);
static const struct sql_reader inv_reader = SQL_READER(struct overdue_invoice, inv_cols, NULL);

enum pm_err store_overdue_companies(struct store *st, int64_t after_id, int64_t *out, size_t cap,
                                    size_t *n)
{
    static const char sql[] = "SELECT id FROM companies WHERE id > $1 ORDER BY id LIMIT $2";

    return sql_listf(st, &sql_int_reader, out, cap, n, sql, "ii", after_id, (int64_t)cap);
}

enum pm_err store_overdue_mark_get(struct store *st, int64_t company_id, struct overdue_mark *out,
                                   bool *found)
{
    static const char sql[] =
        "SELECT due_date, invoice_id FROM overdue_marks WHERE company_id = $1";

    out->due_date = 0;
    out->invoice_id = 0;
    return sql_findf(st, found, &mark_reader, out, sql, "i", company_id);
}

enum pm_err store_overdue_mark_move(struct store *st, int64_t company_id,
                                    const struct overdue_mark *from, const struct overdue_mark *to,
                                    int64_t now)
{
    static const char first[] =
        "INSERT INTO overdue_marks (company_id, due_date, invoice_id, updated_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (company_id) DO NOTHING";
    static const char move[] =
        "UPDATE overdue_marks SET due_date = $2, invoice_id = $3, updated_at = $4"
        " WHERE company_id = $1 AND due_date = $5 AND invoice_id = $6";
    enum pm_err err;

    if (!from)
        err = sql_changef(st, "mark", "", first, "idii", company_id, to->due_date, to->invoice_id,
                          now);
    else
        err = sql_changef(st, "mark", "", move, "idiidi", company_id, to->due_date, to->invoice_id,
                          now, from->due_date, from->invoice_id);
    if (err == PM_ERR_NOT_FOUND)
        err = pm_error_set(&st->error, PM_ERR_CONFLICT, "mark",
                           "the overdue mark of company %lld was moved by another process",
                           (long long)company_id);
    return err;
}

enum pm_err store_overdue_after(struct store *st, int64_t company_id,
                                const struct overdue_mark *mark, int32_t today,
                                struct overdue_invoice *out, size_t cap, size_t *n)
{
    static const char sql[] = "SELECT id, due_date, remaining_minor, currency FROM invoices"
                              " WHERE company_id = $1 AND state = 'open' AND due_date < $4"
                              " AND (due_date > $2 OR (due_date = $2 AND id > $3))"
                              " ORDER BY due_date, id LIMIT $5";

    return sql_listf(st, &inv_reader, out, cap, n, sql, "ididi", company_id, mark->due_date,
                     mark->invoice_id, today, (int64_t)cap);
}
