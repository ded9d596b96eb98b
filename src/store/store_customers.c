/*
 * store_customers.c — customers, written once in SQL over the storage
 * driver (sql.h).
 *
 * Customers are listed by name ignoring ASCII case, then id, and searched
 * by a part of the name (ASCII case-insensitive, å/ä/ö only as written) or
 * the whole customer number.  SQLite's name column is COLLATE NOCASE and
 * its LIKE folds ASCII case; PostgreSQL's index is on lower(name COLLATE
 * "C"), so the list is a statement variant.  The pattern is lowered here
 * (ASCII only) for both.
 */
#include <string.h>

#include "store/sql.h"
#include "store/store.h"
#include "store/store_search.h"

#define CUSTOMER_COLS                                                                      \
    "company_id, id, number, name, is_company, id_number, address_line_1, address_line_2," \
    " zip_code, city, country, email, mobile_number, language, created_at"

/* $1 company, $2 id, then $3..$14 the columns of CUSTOMER_COLS up to
 * language. */
static void customer_bind(struct store *st, struct store_stmt *q, const struct customer *c)
{
    sql_bind_int(st, q, 1, c->company_id);
    sql_bind_int(st, q, 2, c->id);
    sql_bind_arr(st, q, 3, c->number);
    sql_bind_arr(st, q, 4, c->name);
    sql_bind_bool(st, q, 5, c->is_company);
    sql_bind_arr(st, q, 6, c->id_number);
    sql_bind_arr(st, q, 7, c->address_line_1);
    sql_bind_arr(st, q, 8, c->address_line_2);
    sql_bind_arr(st, q, 9, c->zip_code);
    sql_bind_arr(st, q, 10, c->city);
    sql_bind_arr(st, q, 11, c->country);
    sql_bind_arr(st, q, 12, c->email);
    sql_bind_arr(st, q, 13, c->mobile_number);
    sql_bind_arr(st, q, 14, c->language);
}

static void customer_read(struct store *st, struct store_stmt *q, void *out)
{
    struct customer *c = out;

    memset(c, 0, sizeof(*c));
    c->company_id = sql_int(st, q, 0);
    c->id = sql_int(st, q, 1);
    sql_col_arr(st, q, 2, c->number);
    sql_col_arr(st, q, 3, c->name);
    c->is_company = sql_bool(st, q, 4);
    sql_col_arr(st, q, 5, c->id_number);
    sql_col_arr(st, q, 6, c->address_line_1);
    sql_col_arr(st, q, 7, c->address_line_2);
    sql_col_arr(st, q, 8, c->zip_code);
    sql_col_arr(st, q, 9, c->city);
    sql_col_arr(st, q, 10, c->country);
    sql_col_arr(st, q, 11, c->email);
    sql_col_arr(st, q, 12, c->mobile_number);
    sql_col_arr(st, q, 13, c->language);
    c->created_at = sql_int(st, q, 14);
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
    struct store_stmt *q = NULL;
    enum pm_err err;

    ci->row = *ci->in;
    if (!ci->row.created_at)
        ci->row.created_at = sql_now();
    err = sql_next_id(st, ci->row.company_id, "customers", 1, &ci->row.id);
    if (!err)
        err = sql_prepare(st, sql, &q);
    if (err)
        return err;
    customer_bind(st, q, &ci->row);
    sql_bind_int(st, q, 15, ci->row.created_at);
    err = sql_run(st, q);
    sql_done(st, q);
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

    return sql_get_keys(st, sql, SQL_KEYS(company_id, id), "customer_id", "no such customer",
                        customer_read, out);
}

enum pm_err store_customer_update(struct store *st, const struct customer *c)
{
    static const char sql[] =
        "UPDATE customers SET number = $3, name = $4, is_company = $5, id_number = $6,"
        " address_line_1 = $7, address_line_2 = $8, zip_code = $9, city = $10, country = $11,"
        " email = $12, mobile_number = $13, language = $14 WHERE company_id = $1 AND id = $2";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    customer_bind(st, q, c);
    err = sql_change(st, q, "customer_id", "no such customer");
    sql_done(st, q);
    return err;
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
    struct store_stmt *s = NULL;
    enum pm_err err;
    int p = 4;

    *n = 0;
    if (cap > STORE_LIST_MAX)
        cap = STORE_LIST_MAX;
    err = sql_prepare(st, sql_text(st, after_id > 0 ? &list_after : &list_first), &s);
    if (err)
        return err;
    store_like_pattern(q, qlen, like);
    sql_bind_int(st, s, 1, company_id);
    sql_bind_text(st, s, 2, q, qlen);
    sql_bind_arr(st, s, 3, like);
    if (after_id > 0)
        sql_bind_int(st, s, p++, after_id);
    sql_bind_int(st, s, p, (int64_t)cap);
    SQL_ROWS(st, s, out, cap, n, customer_read, err);
    sql_done(st, s);
    return err;
}
