/*
 * store_ledger.c — the customer ledger as of a date (store_ledger.h),
 * written once in SQL over the storage driver (sql.h).
 *
 * Every statement starts from the same rows, LEDGER_INVOICES and
 * LEDGER_CREDITS ($1 the company, $2 the date): one row per SEK invoice
 * issued by the date with its balance then, and one per free-standing
 * credit note dated by then (a negative balance).  The invoices are read
 * from one covering index (invoices_ledger); an invoice's payments, credit
 * notes and payout lines are summed through their per-invoice indexes only
 * when its own totals say it has some, and its vouchers are looked at only
 * when it is written off (a confirmed loss).  The rows are then grouped by
 * customer once (LEDGER_SUMS) for a page, the totals or the neighbours:
 * one statement each, never one per customer.  On SQLite, 200 000 demo
 * invoices take about half a second a statement.
 *
 * Customers are in the customer list's order (store_customers.c): by name
 * without regard to case, then id; SQLite's column is NOCASE, PostgreSQL's
 * index is on lower(name COLLATE "C"), hence a text per dialect.
 */
#include "store/store_ledger.h"

#include "store/sql.h"

/* An invoice's balance on $2: its customer part less its payments (but
 * the agency's, which count when paid out), the capital Visma Amili paid
 * out, and its credit notes, each dated by $2.  Each sum is looked up only
 * when the invoice's own totals say there can be rows: no payment row
 * without paid_minor, no credit note without credited_minor, no agency
 * payment or payout of an invoice never with the agency (the agency's
 * payments are taken back out of the payments, which an index covers). */
#define LEDGER_BALANCE                                                                       \
    "i.customer_part_minor"                                                                  \
    " - CASE WHEN i.paid_minor = 0 THEN 0 ELSE coalesce((SELECT sum(p.amount_minor)"         \
    "   FROM payments AS p WHERE p.company_id = i.company_id AND p.invoice_id = i.id"        \
    "   AND p.date <= $2), 0) END"                                                           \
    " + CASE WHEN i.agency_state = '' THEN 0 ELSE coalesce((SELECT sum(p.amount_minor)"      \
    "   FROM payments AS p WHERE p.company_id = i.company_id AND p.invoice_id = i.id"        \
    "   AND p.date <= $2 AND p.source = 'agency'), 0)"                                       \
    "   - coalesce((SELECT sum(l.amount_minor) FROM agency_payout_lines AS l"                \
    "   WHERE l.company_id = i.company_id AND l.invoice_id = i.id"                           \
    "   AND l.finance_category = 'capital' AND l.payout_date <= $2), 0) END"                 \
    " - CASE WHEN i.credited_minor = 0 THEN 0 ELSE coalesce((SELECT"                         \
    "   sum(c.customer_part_minor) FROM credit_notes AS c WHERE c.company_id = i.company_id" \
    "   AND c.invoice_id = i.id AND c.date <= $2), 0) END"

/* A confirmed loss dated by $2 took the invoice off 1510 (whatever came
 * later was restored and paid in one step: no balance).  Only a written-off
 * invoice (the state stays) has one. */
#define LEDGER_NOT_LOST                                                                      \
    " AND (i.state <> 'written_off' OR NOT EXISTS (SELECT 1 FROM invoice_books AS b"         \
    "  JOIN voucher_invoices AS vi ON vi.company_id = b.company_id"                          \
    "   AND vi.invoice_id = b.invoice_id"                                                    \
    "  JOIN vouchers AS v ON v.company_id = vi.company_id AND v.year = vi.year"              \
    "   AND v.number = vi.number"                                                            \
    "  WHERE b.company_id = i.company_id AND b.invoice_id = i.id AND b.loss_gross_minor > 0" \
    "  AND v.source = 'confirmed_loss' AND v.date <= $2))"

/* customer_id, invoice_id, due_date, balance of the invoices ... */
#define LEDGER_INVOICES(cond)                                                       \
    "SELECT i.customer_id AS customer_id, i.id AS invoice_id, i.due_date AS "       \
    "due_date, " LEDGER_BALANCE " AS balance FROM invoices AS i"                    \
    " WHERE i.company_id = $1 AND i.currency = 'SEK' AND i.invoice_date <= $2" cond \
        LEDGER_NOT_LOST
/* ... and of the free-standing credit notes */
#define LEDGER_CREDITS(cond)                                                    \
    "SELECT c.customer_id, 0, 0, -c.customer_part_minor FROM credit_notes AS c" \
    " WHERE c.company_id = $1 AND c.invoice_id = 0 AND c.date <= $2" cond

#define LEDGER_ITEMS(cond_i, cond_c) \
    "ledger_items AS (" LEDGER_INVOICES(cond_i) " UNION ALL " LEDGER_CREDITS(cond_c) ")"

/* Per customer: balance, open invoices, overdue on $2. */
#define LEDGER_SUMS                                                                     \
    "ledger_sums AS (SELECT customer_id, sum(balance) AS balance,"                      \
    " sum(CASE WHEN invoice_id <> 0 AND balance <> 0 THEN 1 ELSE 0 END) AS open_items," \
    " sum(CASE WHEN invoice_id <> 0 AND balance > 0 AND due_date < $2 THEN balance"     \
    "  ELSE 0 END) AS overdue FROM ledger_items GROUP BY customer_id)"

#define LEDGER_COLS(c, s)                                                          \
    c ".id, " c ".number, " c ".name, CAST(coalesce(" s ".balance, 0) AS BIGINT)," \
      " CAST(coalesce(" s ".open_items, 0) AS BIGINT),"                            \
      " CAST(coalesce(" s ".overdue, 0) AS BIGINT)"

/* The ledger's order of customers, per dialect. */
#define KEY_SQLITE(c) c "name, " c "id"
#define KEY_PG(c)     "lower(" c "name COLLATE \"C\"), " c "id"

static const struct sql_col row_cols[] = SQL_COLS(struct ledger_row, customer_id, number, name,
                                                  balance_minor, open_items, overdue_minor);
static const struct sql_reader row_reader = SQL_READER(struct ledger_row, row_cols, NULL);

/* ---- the transaction ---- */

/* PostgreSQL estimates the grouped statements (a correlated sum per
 * invoice) high enough to JIT-compile them, which takes longer than running
 * them (seconds under load); the ledger's transaction goes without. */
static const struct sql_variant no_jit = {{
    [STORE_DIALECT_SQLITE] = "SELECT 1",
    [STORE_DIALECT_PG] = "SET LOCAL jit = off",
}};

enum pm_err store_ledger_begin_read(struct store *st)
{
    return sql_runf(st, sql_text(st, &no_jit), "");
}

/* ---- pages ---- */

/* $3 the previous page's last customer (0: none), $4 the limit. */
#define AFTER(key)                                                     \
    " ($3 = 0 OR (" key("c.") ") > (SELECT " key("") " FROM customers" \
                                                     " WHERE company_id = $1 AND id = $3))"

#define PAGE_OPEN(key)                                                                           \
    "WITH " LEDGER_ITEMS("", "") ", " LEDGER_SUMS " SELECT " LEDGER_COLS(                        \
        "c", "s") " FROM customers AS c JOIN ledger_sums AS s ON s.customer_id = c.id"           \
                  " WHERE c.company_id = $1 AND s.balance <> 0 AND" AFTER(key) " ORDER BY " key( \
                      "c.") " LIMIT $4"

static const struct sql_variant page_open = {{
    [STORE_DIALECT_SQLITE] = PAGE_OPEN(KEY_SQLITE),
    [STORE_DIALECT_PG] = PAGE_OPEN(KEY_PG),
}};

/* Every customer: the page's customers first, then only their rows. */
#define PAGE_ALL(key)                                                                              \
    "WITH ledger_page AS (SELECT c.id AS id, c.number AS number, c.name AS name"                   \
    " FROM customers AS c WHERE c.company_id = $1 AND" AFTER(key) " ORDER BY " key(                \
        "c.") " LIMIT $4), " LEDGER_ITEMS(" AND i.customer_id IN (SELECT "                         \
                                          "id FROM ledger_page)",                                  \
                                          " AND c.customer_id IN (SELECT "                         \
                                          "id FROM ledger_page)") ","                              \
                                                                  " " LEDGER_SUMS " SELECT"        \
                                                                  " " LEDGER_COLS(                 \
                                                                      "c",                         \
                                                                      "s") " FROM ledger_page AS " \
                                                                           "c"                     \
                                                                           " LEFT JOIN "           \
                                                                           "ledger_sums AS s ON "  \
                                                                           "s.customer_id = c.id " \
                                                                           "ORDER BY " key("c.")

static const struct sql_variant page_all = {{
    [STORE_DIALECT_SQLITE] = PAGE_ALL(KEY_SQLITE),
    [STORE_DIALECT_PG] = PAGE_ALL(KEY_PG),
}};

enum pm_err store_ledger_page(struct store *st, int64_t company_id, int32_t as_of, bool open_only,
                              int64_t after_id, struct ledger_row *out, size_t cap, size_t *n)
{
    *n = 0;
    if (cap > STORE_LIST_MAX)
        cap = STORE_LIST_MAX;
    return sql_listf(st, &row_reader, out, cap, n, sql_text(st, open_only ? &page_open : &page_all),
                     "idii", company_id, as_of, after_id, (int64_t)cap);
}

enum pm_err store_ledger_totals(struct store *st, int64_t company_id, int32_t as_of,
                                struct ledger_totals *out)
{
    static const char sql[] = "WITH " LEDGER_ITEMS(
        "", "") ", " LEDGER_SUMS " SELECT CAST(coalesce(sum(balance), 0) AS BIGINT),"
                " CAST(coalesce(sum(CASE WHEN balance <> 0 THEN 1 ELSE 0 END), 0) AS BIGINT),"
                " CAST(coalesce(sum(open_items), 0) AS BIGINT), CAST(coalesce(sum(overdue), 0) AS "
                "BIGINT)"
                " FROM ledger_sums";
    static const struct sql_col cols[] =
        SQL_COLS(struct ledger_totals, balance_minor, customers, open_items, overdue_minor);
    static const struct sql_reader reader = SQL_READER(struct ledger_totals, cols, NULL);

    return sql_getf(st, "", "ledger totals: no row", &reader, out, sql, "id", company_id, as_of);
}

/* ---- the next and previous customer with a balance ---- */

/* Both in one statement: the customers with a balance once, then the
 * first after $3 and the last before it in the ledger's order. */
#define NEIGHBOURS(key, k)                                                                        \
    "WITH " LEDGER_ITEMS(                                                                         \
        "", "") ", " LEDGER_SUMS ", ledger_open AS (SELECT " k " AS k,"                           \
                " c.id AS id FROM customers AS c JOIN ledger_sums AS s ON s.customer_id = c.id"   \
                " WHERE c.company_id = $1 AND s.balance <> 0), ledger_here AS (SELECT " key(      \
                    "") " FROM customers WHERE company_id = $1 AND id = $3)"                      \
                        " SELECT (SELECT o.id FROM ledger_open AS o WHERE (o.k, o.id) > (SELECT " \
                        "* FROM"                                                                  \
                        " ledger_here) ORDER BY o.k, o.id LIMIT 1), (SELECT o.id FROM "           \
                        "ledger_open AS o"                                                        \
                        " WHERE (o.k, o.id) < (SELECT * FROM ledger_here) ORDER BY o.k DESC, "    \
                        "o.id DESC LIMIT 1)"

static const struct sql_variant neighbours_sql = {{
    [STORE_DIALECT_SQLITE] = NEIGHBOURS(KEY_SQLITE, "c.name"),
    [STORE_DIALECT_PG] = NEIGHBOURS(KEY_PG, "lower(c.name COLLATE \"C\")"),
}};

struct neighbours {
    int64_t next, prev;
};

static enum pm_err neighbours_read(struct store *st, struct store_stmt *q, void *out)
{
    struct neighbours *nb = out;

    nb->next = sql_is_null(st, q, 0) ? 0 : sql_int(st, q, 0);
    nb->prev = sql_is_null(st, q, 1) ? 0 : sql_int(st, q, 1);
    return PM_OK;
}

enum pm_err store_ledger_neighbours(struct store *st, int64_t company_id, int32_t as_of,
                                    int64_t customer_id, int64_t *next, int64_t *prev)
{
    static const struct sql_reader reader = SQL_READER_FN(struct neighbours, neighbours_read);
    struct neighbours nb = {0, 0};
    enum pm_err err =
        sql_getf(st, "", "ledger neighbours: no row", &reader, &nb, sql_text(st, &neighbours_sql),
                 "idi", company_id, as_of, customer_id);

    *next = err ? 0 : nb.next;
    *prev = err ? 0 : nb.prev;
    return err;
}

/* ---- one customer ---- */

enum pm_err store_ledger_customer(struct store *st, int64_t company_id, int32_t as_of,
                                  int64_t customer_id, struct ledger_row *out)
{
    static const char sql[] = "WITH " LEDGER_ITEMS(
        " AND i.customer_id = $3",
        " AND c.customer_id = $3") ", " LEDGER_SUMS
                                   " SELECT " LEDGER_COLS(
                                       "c",
                                       "s") " FROM customers AS c"
                                            " LEFT JOIN ledger_sums AS s ON s.customer_id = c.id"
                                            " WHERE c.company_id = $1 AND c.id = $3";

    return sql_getf(st, "customer_id", "no such customer", &row_reader, out, sql, "idi", company_id,
                    as_of, customer_id);
}

enum pm_err store_ledger_items(struct store *st, int64_t company_id, int32_t as_of, int32_t today,
                               int64_t customer_id, struct ledger_item *out, size_t cap, size_t *n)
{
    /* $4 today: does a stop of the invoice or of its customer hold
     * (store_invoice_list.c's predicate)? */
    static const char sql[] =
        "SELECT id, number, invoice_date, due_date, customer_part_minor, remaining, state,"
        " agency_state, stopped FROM (SELECT i.id AS id, i.number AS number,"
        " i.invoice_date AS invoice_date, i.due_date AS due_date,"
        " i.customer_part_minor AS customer_part_minor,"
        " CAST(" LEDGER_BALANCE " AS BIGINT) AS remaining, i.state AS state,"
        " i.agency_state AS agency_state,"
        " CASE WHEN EXISTS (SELECT 1 FROM reminder_stops AS s WHERE s.company_id = i.company_id"
        "  AND ((s.target = 'invoice' AND s.target_id = i.id) OR (s.target = 'customer'"
        "  AND s.target_id = i.customer_id)) AND s.since_day <= $4"
        "  AND (s.until_day = 0 OR s.until_day >= $4)) THEN 1 ELSE 0 END AS stopped"
        " FROM invoices AS i WHERE i.company_id = $1 AND i.customer_id = $3"
        " AND i.currency = 'SEK' AND i.invoice_date <= $2" LEDGER_NOT_LOST ") AS t"
        " WHERE remaining <> 0 ORDER BY due_date, id LIMIT $5";
    static const struct sql_col cols[] =
        SQL_COLS(struct ledger_item, invoice_id, number, invoice_date, due_date,
                 customer_part_minor, remaining_minor, state, agency_state, stopped);
    static const struct sql_reader reader = SQL_READER(struct ledger_item, cols, NULL);

    *n = 0;
    if (cap > STORE_LIST_MAX)
        cap = STORE_LIST_MAX;
    return sql_listf(st, &reader, out, cap, n, sql, "idiii", company_id, as_of, customer_id,
                     (int64_t)today, (int64_t)cap);
}

enum pm_err store_ledger_credits(struct store *st, int64_t company_id, int32_t as_of,
                                 int64_t customer_id, struct ledger_credit *out, size_t cap,
                                 size_t *n)
{
    static const char sql[] = "SELECT id, number, date, customer_part_minor FROM credit_notes"
                              " WHERE company_id = $1 AND invoice_id = 0 AND customer_id = $3"
                              " AND date <= $2 ORDER BY date DESC, id DESC LIMIT $4";
    static const struct sql_col cols[] =
        SQL_COLS(struct ledger_credit, id, number, date, customer_part_minor);
    static const struct sql_reader reader = SQL_READER(struct ledger_credit, cols, NULL);

    *n = 0;
    if (cap > STORE_LIST_MAX)
        cap = STORE_LIST_MAX;
    return sql_listf(st, &reader, out, cap, n, sql, "idii", company_id, as_of, customer_id,
                     (int64_t)cap);
}

enum pm_err store_ledger_reminders(struct store *st, int64_t company_id, int32_t as_of,
                                   int64_t customer_id, struct ledger_reminder *out, size_t cap,
                                   size_t *n)
{
    static const char sql[] =
        "SELECT r.id, r.invoice_id, i.number, r.date, r.level, r.fee_minor,"
        " r.late_compensation_minor, r.interest_minor, r.total_due_minor"
        " FROM reminders AS r JOIN invoices AS i ON i.company_id = r.company_id"
        " AND i.id = r.invoice_id"
        " WHERE r.company_id = $1 AND i.customer_id = $3 AND r.date <= $2"
        " ORDER BY r.date DESC, r.id DESC LIMIT $4";
    static const struct sql_col cols[] =
        SQL_COLS(struct ledger_reminder, id, invoice_id, invoice_number, date, level, fee_minor,
                 late_compensation_minor, interest_minor, total_due_minor);
    static const struct sql_reader reader = SQL_READER(struct ledger_reminder, cols, NULL);

    *n = 0;
    if (cap > STORE_LIST_MAX)
        cap = STORE_LIST_MAX;
    return sql_listf(st, &reader, out, cap, n, sql, "idii", company_id, as_of, customer_id,
                     (int64_t)cap);
}

enum pm_err store_ledger_cases(struct store *st, int64_t company_id, int64_t customer_id,
                               struct ledger_case *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT i.id, i.number, i.agency_state, coalesce(a.case_id, ''), coalesce(a.state, ''),"
        " coalesce(a.status, ''), coalesce(a.closed, 0), coalesce(a.capital_minor, 0),"
        " coalesce(a.remaining_minor, 0)"
        " FROM invoices AS i LEFT JOIN agency_cases AS a ON a.company_id = i.company_id"
        " AND a.invoice_id = i.id"
        " WHERE i.company_id = $1 AND i.customer_id = $2 AND i.agency_state <> ''"
        " ORDER BY i.number DESC LIMIT $3";
    static const struct sql_col cols[] =
        SQL_COLS(struct ledger_case, invoice_id, invoice_number, agency_state, case_id, state,
                 status, closed, capital_minor, remaining_minor);
    static const struct sql_reader reader = SQL_READER(struct ledger_case, cols, NULL);

    *n = 0;
    if (cap > STORE_LIST_MAX)
        cap = STORE_LIST_MAX;
    return sql_listf(st, &reader, out, cap, n, sql, "iii", company_id, customer_id, (int64_t)cap);
}
