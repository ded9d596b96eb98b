/*
 * store_reports.c — the sums behind the reports (see store_reports.h),
 * written once in SQL over the storage driver (sql.h).
 *
 * Sums are CAST to BIGINT: PostgreSQL's sum() of a bigint is numeric.
 */
#include "store/store_reports.h"

#include "store/sql.h"

/* Step q to its end, giving each row's three integers to fn. */
static enum pm_err each_row(struct store *st, struct store_stmt *q, store_report_fn fn, void *ctx)
{
    enum pm_err err = PM_OK;
    bool row = false;

    while (!err) {
        err = sql_step(st, q, &row);
        if (err || !row)
            break;
        fn(ctx, sql_int(st, q, 0), sql_int(st, q, 1), sql_int(st, q, 2));
    }
    sql_done(st, q);
    return err;
}

enum pm_err store_report_reminders(struct store *st, int64_t company_id, int32_t from, int32_t to,
                                   store_report_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT date, count(*), CAST(coalesce(sum(fee_minor + late_compensation_minor), 0)"
        " AS BIGINT) FROM reminders WHERE company_id = $1 AND date BETWEEN $2 AND $3"
        " GROUP BY date ORDER BY date";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "idd", company_id, from, to);

    return err ? err : each_row(st, q, fn, ctx);
}

enum pm_err store_report_paid_after(struct store *st, int64_t company_id, int32_t from, int32_t to,
                                    int within, store_report_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT rdate, count(*), CAST(coalesce(sum(paid), 0) AS BIGINT) FROM ("
        " SELECT r.date AS rdate,"
        "  (SELECT coalesce(sum(p.amount_minor + p.fees_minor + p.interest_minor), 0)"
        "   FROM payments AS p WHERE p.company_id = r.company_id AND p.invoice_id = r.invoice_id"
        "   AND p.date BETWEEN r.date AND r.date + $4) AS paid,"
        "  (SELECT max(p.date) FROM payments AS p"
        "   WHERE p.company_id = r.company_id AND p.invoice_id = r.invoice_id) AS last_paid"
        /* CROSS JOIN: SQLite reads the period's reminders first, then
         * their invoices (PostgreSQL plans it as any join) */
        " FROM reminders AS r CROSS JOIN invoices AS i"
        " WHERE i.company_id = r.company_id AND i.id = r.invoice_id"
        "  AND r.company_id = $1 AND r.date BETWEEN $2 AND $3"
        "  AND i.state = 'paid' AND i.remaining_minor = 0"
        ") AS t WHERE last_paid BETWEEN rdate AND rdate + $4"
        " GROUP BY rdate ORDER BY rdate";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "iddd", company_id, from, to, within);

    return err ? err : each_row(st, q, fn, ctx);
}

enum pm_err store_report_handovers(struct store *st, int64_t company_id, int64_t from_s,
                                   int64_t to_s, store_report_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT hour, count(*), CAST(coalesce(sum(capital), 0) AS BIGINT) FROM ("
        " SELECT a.claimed_at / 3600 AS hour,"
        "  i.customer_part_minor - i.credited_minor"
        "  - coalesce((SELECT sum(p.amount_minor) FROM payments AS p"
        "    WHERE p.company_id = a.company_id AND p.invoice_id = a.invoice_id"
        "    AND p.created_at < a.claimed_at), 0) AS capital"
        " FROM agency_claims AS a JOIN invoices AS i"
        "  ON i.company_id = a.company_id AND i.id = a.invoice_id"
        " WHERE a.company_id = $1 AND a.claimed_at >= $2 AND a.claimed_at < $3"
        ") AS t GROUP BY hour ORDER BY hour";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "iii", company_id, from_s, to_s);

    return err ? err : each_row(st, q, fn, ctx);
}

enum pm_err store_report_invoiced(struct store *st, int64_t company_id, int32_t from, int32_t to,
                                  store_report_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT invoice_date, count(*),"
        " CAST(coalesce(sum(customer_part_minor - credited_minor), 0) AS BIGINT)"
        " FROM invoices WHERE company_id = $1 AND currency = 'SEK'"
        " AND invoice_date BETWEEN $2 AND $3 GROUP BY invoice_date ORDER BY invoice_date";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "idd", company_id, from, to);

    return err ? err : each_row(st, q, fn, ctx);
}

enum pm_err store_report_open(struct store *st, int64_t company_id, int32_t before, int32_t to,
                              store_report_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT d, count(*), CAST(coalesce(sum(remaining_minor), 0) AS BIGINT) FROM ("
        " SELECT CASE WHEN invoice_date < $2 THEN $2 - 1 ELSE invoice_date END AS d,"
        "  remaining_minor FROM invoices"
        " WHERE company_id = $1 AND currency = 'SEK' AND state = 'open' AND invoice_date <= $3"
        ") AS t GROUP BY d ORDER BY d";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "idd", company_id, before, to);

    return err ? err : each_row(st, q, fn, ctx);
}

enum pm_err store_report_paid_in(struct store *st, int64_t company_id, int32_t paid_from,
                                 int32_t paid_to, int32_t issued_to, int32_t before,
                                 store_report_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT d, count(*), CAST(coalesce(sum(amount_minor), 0) AS BIGINT) FROM ("
        " SELECT CASE WHEN i.invoice_date < $5 THEN $5 - 1 ELSE i.invoice_date END AS d,"
        "  p.amount_minor AS amount_minor"
        " FROM payments AS p JOIN invoices AS i"
        "  ON i.company_id = p.company_id AND i.id = p.invoice_id"
        " WHERE p.company_id = $1 AND p.date BETWEEN $2 AND $3"
        "  AND i.currency = 'SEK' AND i.invoice_date <= $4"
        ") AS t GROUP BY d ORDER BY d";
    struct store_stmt *q = NULL;
    enum pm_err err =
        sql_query(st, &q, sql, "idddd", company_id, paid_from, paid_to, issued_to, before);

    return err ? err : each_row(st, q, fn, ctx);
}

enum pm_err store_report_due(struct store *st, int64_t company_id, int32_t due_from, int32_t due_to,
                             int32_t paid_to, int64_t *due, int64_t *collected)
{
    static const char sql[] =
        "SELECT CAST(coalesce(sum(i.customer_part_minor - i.credited_minor), 0) AS BIGINT),"
        " CAST(coalesce(sum((SELECT coalesce(sum(p.amount_minor), 0) FROM payments AS p"
        "  WHERE p.company_id = i.company_id AND p.invoice_id = i.id AND p.date <= $4)), 0)"
        " AS BIGINT)"
        " FROM invoices AS i WHERE i.company_id = $1 AND i.due_date BETWEEN $2 AND $3"
        " AND i.currency = 'SEK'";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "iddd", company_id, due_from, due_to, paid_to);

    if (err)
        return err;
    err = sql_row(st, q, "", "summing what fell due: no row");
    if (!err) {
        *due = sql_int(st, q, 0);
        *collected = sql_int(st, q, 1);
    }
    sql_done(st, q);
    return err;
}
