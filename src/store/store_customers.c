/*
 * store_customers.c — customers, written once in SQL over the storage
 * driver (sql.h).
 *
 * Customers are listed by name ignoring ASCII case, then id, and searched
 * by a part of the name (ASCII case-insensitive, å/ä/ö only as written) or
 * the whole customer number.  A change of a customer's name is written to
 * its invoices too, in the same transaction: the invoice row keeps the
 * name for the invoice list (store_invoice_list.c).
 *
 * SQLite's name column is COLLATE NOCASE and its LIKE folds ASCII case;
 * PostgreSQL's index is on lower(name COLLATE "C"), so the list is a
 * statement variant.  The pattern is lowered here (ASCII only) for both.
 */
#include <stdio.h>
#include <string.h>

#include "store/sql.h"
#include "store/store.h"
#include "store/store_search.h"

#define CUSTOMER_COLS                                                                      \
    "company_id, id, number, name, is_company, id_number, address_line_1, address_line_2," \
    " zip_code, city, country, email, mobile_number, language, created_at"

/* CUSTOMER_COLS, read as a row and bound as $1..$15 (an insert) or
 * $1..$14, all but created_at (an update). */
static const struct sql_col customer_cols[] =
    SQL_COLS(struct customer, company_id, id, number, name, is_company, id_number, address_line_1,
             address_line_2, zip_code, city, country, email, mobile_number, language, created_at);

static const struct sql_reader customer_reader = SQL_READER(struct customer, customer_cols, NULL);

/* The highest customer number made of digits only (0 when none): a new
 * card without a number gets the one above it, as the form promises. */
static const struct sql_variant number_highest = {{
    [STORE_DIALECT_SQLITE] =
        "SELECT COALESCE(MAX(CAST(number AS INTEGER)), 0) FROM customers WHERE company_id = $1"
        " AND number <> '' AND number NOT GLOB '*[^0-9]*' AND length(number) <= 15",
    [STORE_DIALECT_PG] = "SELECT COALESCE(MAX(CAST(number AS BIGINT)), 0) FROM customers"
                         " WHERE company_id = $1 AND number ~ '^[0-9]{1,15}$'",
}};

#define CUSTOMER_NUMBER_FIRST 1001

static enum pm_err number_next(struct store *st, struct customer *c)
{
    int64_t highest = 0;
    bool found = false;
    enum pm_err err = sql_findf(st, &found, &sql_int_reader, &highest,
                                sql_text(st, &number_highest), "i", c->company_id);

    if (err)
        return err;
    snprintf(c->number, sizeof(c->number), "%lld",
             (long long)(highest > 0 ? highest + 1 : CUSTOMER_NUMBER_FIRST));
    return PM_OK;
}

struct customer_insert {
    const struct customer *in;
    struct customer row;
};

static enum pm_err customer_insert_run(struct store *st, void *ctx)
{
    static const char sql[] = "INSERT INTO customers (" CUSTOMER_COLS ")"
                              " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
                              " $14, $15)";
    struct customer_insert *ci = ctx;
    enum pm_err err;

    ci->row = *ci->in;
    if (!ci->row.created_at)
        ci->row.created_at = sql_now();
    err = sql_next_id(st, ci->row.company_id, "customers", 1, &ci->row.id);
    if (!err && !ci->row.number[0])
        err = number_next(st, &ci->row);
    if (!err)
        err = sql_runf(st, sql, "c", SQL_ROW(customer_cols, &ci->row));
    return err;
}

enum pm_err store_customer_insert(struct store *st, struct customer *c)
{
    struct customer_insert ci = {.in = c};
    enum pm_err err = sql_atomic(st, customer_insert_run, &ci);

    if (!err)
        *c = ci.row;
    return err;
}

enum pm_err store_customer_get(struct store *st, int64_t company_id, int64_t id,
                               struct customer *out)
{
    static const char sql[] =
        "SELECT " CUSTOMER_COLS " FROM customers WHERE company_id = $1 AND id = $2";

    return sql_getf(st, "customer_id", "no such customer", &customer_reader, out, sql, "ii",
                    company_id, id);
}

/* The customer, then its name on the rows of its invoices that have
 * another (store_schema.h: an invoice row keeps its customer's name). */
static enum pm_err customer_update_run(struct store *st, void *ctx)
{
    static const char sql[] =
        "UPDATE customers SET number = $3, name = $4, is_company = $5, id_number = $6,"
        " address_line_1 = $7, address_line_2 = $8, zip_code = $9, city = $10, country = $11,"
        " email = $12, mobile_number = $13, language = $14 WHERE company_id = $1 AND id = $2";
    static const char sql_invoices[] =
        "UPDATE invoices SET customer_name = $3"
        " WHERE company_id = $1 AND customer_id = $2 AND customer_name <> $3";
    const struct customer *c = ctx;
    /* All columns but the last, created_at. */
    enum pm_err err = sql_changef(st, "customer_id", "no such customer", sql, "c", customer_cols,
                                  SQL_NCOLS(customer_cols) - 1, (const void *)c);

    if (!err)
        err = sql_runf(st, sql_invoices, "iit", c->company_id, c->id, SQL_ARR(c->name));
    return err;
}

enum pm_err store_customer_update(struct store *st, const struct customer *c)
{
    return sql_atomic(st, customer_update_run, (void *)c);
}

/* $1 company, $2 the search text, $3 its LIKE pattern, then $4 the limit
 * (first page) or $4 the last row's id and $5 the limit. */
#define MATCH_SQLITE " AND ($2 = '' OR name LIKE $3 ESCAPE '\\' OR number = $2)"
#define MATCH_PG                                                                              \
    " AND ($2 = '' OR lower(name COLLATE \"C\") LIKE (CAST($3 AS TEXT) COLLATE \"C\") ESCAPE" \
    " '\\' OR number = $2)"
#define NAME_PG "lower(name COLLATE \"C\")"

static const struct sql_variant list_first = {{
    [STORE_DIALECT_SQLITE] =
        "SELECT " CUSTOMER_COLS " FROM customers WHERE company_id = $1" MATCH_SQLITE
        " ORDER BY name, id LIMIT $4",
    [STORE_DIALECT_PG] = "SELECT " CUSTOMER_COLS " FROM customers WHERE company_id = $1" MATCH_PG
                         " ORDER BY " NAME_PG ", id LIMIT $4",
}};

static const struct sql_variant list_after = {{
    [STORE_DIALECT_SQLITE] =
        "SELECT " CUSTOMER_COLS " FROM customers WHERE company_id = $1" MATCH_SQLITE
        " AND (name, id) > (SELECT name, id FROM customers WHERE company_id = $1 AND id = $4)"
        " ORDER BY name, id LIMIT $5",
    [STORE_DIALECT_PG] = "SELECT " CUSTOMER_COLS " FROM customers WHERE company_id = $1" MATCH_PG
                         " AND (" NAME_PG ", id) > (SELECT " NAME_PG ", id FROM customers"
                         " WHERE company_id = $1 AND id = $4)"
                         " ORDER BY " NAME_PG ", id LIMIT $5",
}};

enum pm_err store_customer_list(struct store *st, int64_t company_id, const char *q,
                                int64_t after_id, struct customer *out, size_t cap, size_t *n)
{
    char like[STORE_LIKE_MAX(STORE_NAME_MAX)];
    size_t qlen = q ? strnlen(q, STORE_NAME_MAX - 1) : 0;

    *n = 0;
    if (cap > STORE_LIST_MAX)
        cap = STORE_LIST_MAX;
    store_like_pattern(q, qlen, like);
    if (after_id > 0)
        return sql_listf(st, &customer_reader, out, cap, n, sql_text(st, &list_after), "ittii",
                         company_id, SQL_CAP(q, qlen), SQL_ARR(like), after_id, (int64_t)cap);
    return sql_listf(st, &customer_reader, out, cap, n, sql_text(st, &list_first), "itti",
                     company_id, SQL_CAP(q, qlen), SQL_ARR(like), (int64_t)cap);
}
