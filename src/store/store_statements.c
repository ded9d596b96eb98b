/*
 * store_statements.c — the reads of a customer statement (see
 * store_statements.h), written once in SQL over the storage driver
 * (sql.h).
 */
#include "store/store_statements.h"

#include "store/sql.h"

static const struct sql_col invoice_cols[] =
    SQL_COLS(struct statement_invoice_row, id, number, invoice_date, due_date, customer_part_minor,
             credited_minor, credit_notes_minor, expected_loss_minor);
static const struct sql_reader invoice_reader =
    SQL_READER(struct statement_invoice_row, invoice_cols, NULL);

static const struct sql_col move_cols[] =
    SQL_COLS(struct statement_move_row, kind, id, invoice_id, invoice_number, number, date,
             amount_minor, interest_minor, fees_minor, reference);
static const struct sql_reader move_reader = SQL_READER(struct statement_move_row, move_cols, NULL);

enum pm_err store_statement_invoices(struct store *st, int64_t company_id, int64_t customer_id,
                                     int32_t as_of, struct statement_invoice_row *out, size_t cap,
                                     size_t *n)
{
    static const char sql[] =
        "SELECT id, number, invoice_date, due_date, customer_part_minor, credited_minor,"
        " cn_all, expected_loss FROM ("
        " SELECT i.id AS id, i.number AS number, i.invoice_date AS invoice_date,"
        "  i.due_date AS due_date, i.customer_part_minor AS customer_part_minor,"
        "  i.credited_minor AS credited_minor,"
        "  CAST(coalesce((SELECT sum(c.customer_part_minor) FROM credit_notes AS c"
        "   WHERE c.company_id = i.company_id AND c.invoice_id = i.id), 0) AS BIGINT) AS cn_all,"
        "  CAST(coalesce((SELECT sum(c.customer_part_minor) FROM credit_notes AS c"
        "   WHERE c.company_id = i.company_id AND c.invoice_id = i.id AND c.date <= $3), 0)"
        "   AS BIGINT) AS cn_to,"
        "  CAST(coalesce((SELECT sum(p.amount_minor) FROM payments AS p"
        "   WHERE p.company_id = i.company_id AND p.invoice_id = i.id AND p.date <= $3), 0)"
        "   AS BIGINT) AS paid_to,"
        "  CAST(coalesce((SELECT b.expected_loss_minor FROM invoice_books AS b"
        "   WHERE b.company_id = i.company_id AND b.invoice_id = i.id), 0) AS BIGINT)"
        "   AS expected_loss"
        " FROM invoices AS i WHERE i.company_id = $1 AND i.customer_id = $2"
        " AND i.currency = 'SEK' AND i.invoice_date <= $3"
        " AND NOT EXISTS (SELECT 1 FROM voucher_invoices AS vi JOIN vouchers AS v"
        "  ON v.company_id = vi.company_id AND v.year = vi.year AND v.number = vi.number"
        "  WHERE vi.company_id = i.company_id AND vi.invoice_id = i.id"
        "  AND v.source = 'confirmed_loss' AND v.date <= $3)"
        ") AS t"
        /* credits the invoice has beyond its credit notes count from the start */
        " WHERE customer_part_minor - cn_to - paid_to"
        "  - CASE WHEN credited_minor > cn_all THEN credited_minor - cn_all ELSE 0 END > 0"
        " ORDER BY due_date, number LIMIT $4";

    return sql_listf(st, &invoice_reader, out, cap, n, sql, "iidi", company_id, customer_id,
                     (int)as_of, (int64_t)cap);
}

#define MOVE_PAYMENT_COLS                                                                   \
    "'payment', p.id, p.invoice_id, i.number, 0, p.date, p.amount_minor, p.interest_minor," \
    " p.fees_minor, p.reference"
#define MOVE_CREDIT_COLS                                                     \
    "'credit', c.id, c.invoice_id, coalesce(i.number, 0), c.number, c.date," \
    " c.customer_part_minor, 0, 0, substr(c.reason, 1, 60)"

enum pm_err store_statement_invoice_moves(struct store *st, int64_t company_id, int64_t invoice_id,
                                          int32_t to, struct statement_move_row *out, size_t cap,
                                          size_t *n)
{
    static const char sql[] =
        "SELECT * FROM ("
        " SELECT " MOVE_PAYMENT_COLS " FROM payments AS p JOIN invoices AS i"
        "  ON i.company_id = p.company_id AND i.id = p.invoice_id"
        "  WHERE p.company_id = $1 AND p.invoice_id = $2 AND p.date <= $3"
        " UNION ALL"
        " SELECT " MOVE_CREDIT_COLS " FROM credit_notes AS c JOIN invoices AS i"
        "  ON i.company_id = c.company_id AND i.id = c.invoice_id"
        "  WHERE c.company_id = $1 AND c.invoice_id = $2 AND c.date <= $3"
        ") AS m ORDER BY 6, 2 LIMIT $4";

    return sql_listf(st, &move_reader, out, cap, n, sql, "iidi", company_id, invoice_id, (int)to,
                     (int64_t)cap);
}

enum pm_err store_statement_period(struct store *st, int64_t company_id, int64_t customer_id,
                                   int32_t from, int32_t to, struct statement_move_row *out,
                                   size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT * FROM ("
        " SELECT " MOVE_PAYMENT_COLS " FROM payments AS p JOIN invoices AS i"
        "  ON i.company_id = p.company_id AND i.id = p.invoice_id"
        "  WHERE p.company_id = $1 AND i.customer_id = $2 AND p.date BETWEEN $3 AND $4"
        " UNION ALL"
        " SELECT " MOVE_CREDIT_COLS " FROM credit_notes AS c LEFT JOIN invoices AS i"
        "  ON i.company_id = c.company_id AND i.id = c.invoice_id"
        "  WHERE c.company_id = $1 AND c.customer_id = $2 AND c.date BETWEEN $3 AND $4"
        ") AS m ORDER BY 6, 1 DESC, 2 LIMIT $5";

    return sql_listf(st, &move_reader, out, cap, n, sql, "iiddi", company_id, customer_id,
                     (int)from, (int)to, (int64_t)cap);
}
