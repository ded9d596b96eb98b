/*
 * store_companies.c — companies, users and memberships, written once in
 * SQL over the storage driver (sql.h).
 *
 * E-mail addresses are unique and looked up ignoring ASCII case: SQLite's
 * column is COLLATE NOCASE, PostgreSQL's index is on lower(email COLLATE
 * "C"), so the look-up is a statement variant.
 */
#include <string.h>

#include "core/fiscal.h"
#include "store/sql.h"
#include "store/store.h"

/* ---- companies ---- */

/* The columns a company's insert and update both write ($1..$16), then
 * all its columns. */
#define COMPANY_DATA_COLS                                                                    \
    "name, organization_no, address_line_1, address_line_2, zip_code, city, country, email," \
    " phone, bankgiro, payment_terms_days, reminder_fee_agreed, reminder_fee_minor,"         \
    " accounting_method, language, timezone"
#define COMPANY_COLS                                                                     \
    "id, " COMPANY_DATA_COLS ", created_at, reminder_due_days, fiscal_year_start_month," \
    " swish_number"

/* Prepare sql and bind COMPANY_DATA_COLS as $1..$16, reminder_due_days as
 * $17, fiscal_year_start_month as $18, swish_number as $19 and last
 * (created_at or id) as $20. */
static enum pm_err company_query(struct store *st, struct store_stmt **q, const char *sql,
                                 const struct company *c, int64_t last)
{
    return sql_query(
        st, q, sql, "ttttttttttdbitttddti", SQL_ARR(c->name), SQL_ARR(c->organization_no),
        SQL_ARR(c->address_line_1), SQL_ARR(c->address_line_2), SQL_ARR(c->zip_code),
        SQL_ARR(c->city), SQL_ARR(c->country), SQL_ARR(c->email), SQL_ARR(c->phone),
        SQL_ARR(c->bankgiro), c->payment_terms_days, c->reminder_fee_agreed, c->reminder_fee_minor,
        SQL_CAP(c->accounting_method == ACCOUNTING_CASH ? "cash" : "accrual", 16),
        SQL_ARR(c->language), SQL_ARR(c->timezone),
        /* 0 (a row built without it) means the default, 10 days */
        c->reminder_due_days > 0 ? c->reminder_due_days : 10,
        /* 0 (a row built without it) means the calendar year; the CHECK
         * refuses a month outside 1..12 */
        c->fiscal_year_start_month > 0 ? c->fiscal_year_start_month : FISCAL_START_MONTH_DEFAULT,
        SQL_ARR(c->swish_number), last);
}

/* COMPANY_COLS; accounting_method is read below. */
static const struct sql_col company_cols[] =
    SQL_COLS(struct company, id, name, organization_no, address_line_1, address_line_2, zip_code,
             city, country, email, phone, bankgiro, payment_terms_days, reminder_fee_agreed,
             reminder_fee_minor, accounting_method, language, timezone, created_at,
             reminder_due_days, fiscal_year_start_month, swish_number);

static enum pm_err company_method(struct store *st, struct store_stmt *q, void *out)
{
    struct company *c = out;
    char method[16];

    sql_col_arr(st, q, 14, method);
    c->accounting_method = strcmp(method, "cash") == 0 ? ACCOUNTING_CASH : ACCOUNTING_ACCRUAL;
    return PM_OK;
}

static const struct sql_reader company_reader =
    SQL_READER(struct company, company_cols, company_method);

enum pm_err store_company_insert(struct store *st, struct company *c)
{
    static const char sql[] =
        "INSERT INTO companies (" COMPANY_DATA_COLS ", reminder_due_days, fiscal_year_start_month,"
        " swish_number, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
        " $13, $14, $15, $16, $17, $18, $19, $20)"
        " RETURNING id";
    struct company row = *c;
    struct store_stmt *q = NULL;
    enum pm_err err;

    if (!row.created_at)
        row.created_at = sql_now();
    err = company_query(st, &q, sql, &row, row.created_at);
    if (!err)
        err = sql_insert_id(st, q, "inserting a company: no id", &row.id);
    if (!err)
        *c = row;
    return err;
}

enum pm_err store_company_get(struct store *st, int64_t company_id, struct company *out)
{
    static const char sql[] = "SELECT " COMPANY_COLS " FROM companies WHERE id = $1";

    return sql_getf(st, "company_id", "no such company", &company_reader, out, sql, "i",
                    company_id);
}

enum pm_err store_company_update(struct store *st, const struct company *c)
{
    static const char sql[] =
        "UPDATE companies SET name = $1, organization_no = $2, address_line_1 = $3,"
        " address_line_2 = $4, zip_code = $5, city = $6, country = $7, email = $8, phone = $9,"
        " bankgiro = $10, payment_terms_days = $11, reminder_fee_agreed = $12,"
        " reminder_fee_minor = $13, accounting_method = $14, language = $15, timezone = $16,"
        " reminder_due_days = $17, fiscal_year_start_month = $18, swish_number = $19"
        " WHERE id = $20";
    struct store_stmt *q = NULL;
    enum pm_err err = company_query(st, &q, sql, c, c->id);

    if (err)
        return err;
    err = sql_change(st, q, "company_id", "updating a company: no such row");
    sql_done(st, q);
    return err;
}

/* ---- users ---- */

#define USER_COLS "id, email, name, password_hash, created_at"

static const struct sql_col user_cols[] =
    SQL_COLS(struct user, id, email, name, password_hash, created_at);

static const struct sql_reader user_reader = SQL_READER(struct user, user_cols, NULL);

enum pm_err store_user_insert(struct store *st, struct user *u)
{
    static const char sql[] = "INSERT INTO users (email, name, password_hash, created_at)"
                              " VALUES ($1, $2, $3, $4) RETURNING id";
    struct user row = *u;
    enum pm_err err;

    if (!row.created_at)
        row.created_at = sql_now();
    err = sql_insert_idf(st, "inserting a user: no id", &row.id, sql, "ttti", SQL_ARR(row.email),
                         SQL_ARR(row.name), SQL_ARR(row.password_hash), row.created_at);
    /* The unique key is on the e-mail address (an expression index on
     * PostgreSQL, which names no column). */
    if (err == PM_ERR_CONFLICT)
        snprintf(st->error.field, sizeof(st->error.field), "email");
    if (!err)
        *u = row;
    return err;
}

enum pm_err store_user_get_by_email(struct store *st, const char *email, struct user *out)
{
    static const struct sql_variant sql = {{
        [STORE_DIALECT_SQLITE] = "SELECT " USER_COLS " FROM users WHERE email = $1",
        [STORE_DIALECT_PG] = "SELECT " USER_COLS " FROM users"
                             " WHERE lower(email COLLATE \"C\") = lower($1::text COLLATE \"C\")",
    }};

    return sql_getf(st, "user", "no such user", &user_reader, out, sql_text(st, &sql), "t",
                    SQL_CAP(email, STORE_EMAIL_MAX));
}

enum pm_err store_user_get(struct store *st, int64_t user_id, struct user *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE id = $1";

    return sql_getf(st, "user", "no such user", &user_reader, out, sql, "i", user_id);
}

enum pm_err store_user_set_password_hash(struct store *st, int64_t user_id, const char *hash)
{
    static const char sql[] = "UPDATE users SET password_hash = $2 WHERE id = $1";

    return sql_changef(st, "user", "no such user", sql, "it", user_id,
                       SQL_CAP(hash, sizeof(((struct user *)0)->password_hash)));
}

/* ---- memberships ---- */

enum pm_err store_membership_set(struct store *st, int64_t company_id, int64_t user_id,
                                 enum member_role role)
{
    static const char sql[] = "INSERT INTO memberships (company_id, user_id, role)"
                              " VALUES ($1, $2, $3)"
                              " ON CONFLICT (company_id, user_id) DO UPDATE SET role = $3";

    return sql_runf(st, sql, "iit", company_id, user_id, SQL_CAP(store_role_name(role), 32));
}

static const struct sql_col membership_cols[] =
    SQL_COLS(struct membership, company_id, company_name, role);

static enum pm_err membership_role(struct store *st, struct store_stmt *q, void *out)
{
    struct membership *m = out;
    char role[16];

    sql_col_arr(st, q, 2, role);
    if (store_role_parse(role, &m->role))
        m->role = ROLE_READ_ONLY;
    return PM_OK;
}

static const struct sql_reader membership_reader =
    SQL_READER(struct membership, membership_cols, membership_role);

enum pm_err store_membership_list(struct store *st, int64_t user_id, struct membership *out,
                                  size_t cap, size_t *n)
{
    /* Names in byte order on both engines. */
    static const struct sql_variant sql = {{
        [STORE_DIALECT_SQLITE] = "SELECT m.company_id, c.name, m.role FROM memberships AS m"
                                 " JOIN companies AS c ON c.id = m.company_id"
                                 " WHERE m.user_id = $1 ORDER BY c.name, m.company_id LIMIT $2",
        [STORE_DIALECT_PG] = "SELECT m.company_id, c.name, m.role FROM memberships AS m"
                             " JOIN companies AS c ON c.id = m.company_id"
                             " WHERE m.user_id = $1"
                             " ORDER BY c.name COLLATE \"C\", m.company_id LIMIT $2",
    }};

    return sql_listf(st, &membership_reader, out, cap, n, sql_text(st, &sql), "ii", user_id,
                     (int64_t)cap);
}
