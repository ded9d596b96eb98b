/*
 * store_companies.c — companies, users and memberships, written once in
 * SQL over the storage driver (sql.h).
 *
 * E-mail addresses are unique and looked up ignoring ASCII case: SQLite's
 * column is COLLATE NOCASE, PostgreSQL's index is on lower(email COLLATE
 * "C"), so the look-up is a statement variant.
 */
#include <string.h>

#include "store/sql.h"
#include "store/store.h"

/* ---- companies ---- */

#define COMPANY_COLS                                                                             \
    "id, name, organization_no, address_line_1, address_line_2, zip_code, city, country, email," \
    " phone, bankgiro, payment_terms_days, reminder_fee_agreed, reminder_fee_minor,"             \
    " accounting_method, language, timezone, created_at, reminder_due_days"

/* $1..$17: the columns insert and update both write, in COMPANY_COLS order
 * without id and created_at; $18 created_at or id. */
static void company_bind(struct store *st, struct store_stmt *q, const struct company *c)
{
    sql_bind_arr(st, q, 1, c->name);
    sql_bind_arr(st, q, 2, c->organization_no);
    sql_bind_arr(st, q, 3, c->address_line_1);
    sql_bind_arr(st, q, 4, c->address_line_2);
    sql_bind_arr(st, q, 5, c->zip_code);
    sql_bind_arr(st, q, 6, c->city);
    sql_bind_arr(st, q, 7, c->country);
    sql_bind_arr(st, q, 8, c->email);
    sql_bind_arr(st, q, 9, c->phone);
    sql_bind_arr(st, q, 10, c->bankgiro);
    sql_bind_int(st, q, 11, c->payment_terms_days);
    sql_bind_bool(st, q, 12, c->reminder_fee_agreed);
    sql_bind_int(st, q, 13, c->reminder_fee_minor);
    sql_bind_text(st, q, 14, c->accounting_method == ACCOUNTING_CASH ? "cash" : "accrual", 16);
    sql_bind_arr(st, q, 15, c->language);
    sql_bind_arr(st, q, 16, c->timezone);
    /* 0 (a row built without it) means the default, 10 days */
    sql_bind_int(st, q, 17, c->reminder_due_days > 0 ? c->reminder_due_days : 10);
}

static void company_read(struct store *st, struct store_stmt *q, void *out)
{
    struct company *c = out;
    char method[16];

    memset(c, 0, sizeof(*c));
    c->id = sql_int(st, q, 0);
    sql_col_arr(st, q, 1, c->name);
    sql_col_arr(st, q, 2, c->organization_no);
    sql_col_arr(st, q, 3, c->address_line_1);
    sql_col_arr(st, q, 4, c->address_line_2);
    sql_col_arr(st, q, 5, c->zip_code);
    sql_col_arr(st, q, 6, c->city);
    sql_col_arr(st, q, 7, c->country);
    sql_col_arr(st, q, 8, c->email);
    sql_col_arr(st, q, 9, c->phone);
    sql_col_arr(st, q, 10, c->bankgiro);
    c->payment_terms_days = (int)sql_int(st, q, 11);
    c->reminder_fee_agreed = sql_bool(st, q, 12);
    c->reminder_fee_minor = sql_int(st, q, 13);
    sql_col_arr(st, q, 14, method);
    c->accounting_method = strcmp(method, "cash") == 0 ? ACCOUNTING_CASH : ACCOUNTING_ACCRUAL;
    sql_col_arr(st, q, 15, c->language);
    sql_col_arr(st, q, 16, c->timezone);
    c->created_at = sql_int(st, q, 17);
    c->reminder_due_days = (int)sql_int(st, q, 18);
}

enum pm_err store_company_insert(struct store *st, struct company *c)
{
    static const char sql[] =
        "INSERT INTO companies (name, organization_no, address_line_1, address_line_2, zip_code,"
        " city, country, email, phone, bankgiro, payment_terms_days, reminder_fee_agreed,"
        " reminder_fee_minor, accounting_method, language, timezone, reminder_due_days,"
        " created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        " RETURNING id";
    struct company row = *c;
    struct store_stmt *q = NULL;
    enum pm_err err;

    if (!row.created_at)
        row.created_at = sql_now();
    err = sql_prepare(st, sql, &q);
    if (err)
        return err;
    company_bind(st, q, &row);
    sql_bind_int(st, q, 18, row.created_at);
    err = sql_row(st, q, "", "inserting a company: no id");
    if (!err) {
        row.id = sql_int(st, q, 0);
        err = sql_run(st, q);
    }
    sql_done(st, q);
    if (!err)
        *c = row;
    return err;
}

enum pm_err store_company_get(struct store *st, int64_t company_id, struct company *out)
{
    static const char sql[] = "SELECT " COMPANY_COLS " FROM companies WHERE id = $1";

    return sql_get_keys(st, sql, SQL_KEYS(company_id), "company_id", "no such company",
                        company_read, out);
}

enum pm_err store_company_update(struct store *st, const struct company *c)
{
    static const char sql[] =
        "UPDATE companies SET name = $1, organization_no = $2, address_line_1 = $3,"
        " address_line_2 = $4, zip_code = $5, city = $6, country = $7, email = $8, phone = $9,"
        " bankgiro = $10, payment_terms_days = $11, reminder_fee_agreed = $12,"
        " reminder_fee_minor = $13, accounting_method = $14, language = $15, timezone = $16,"
        " reminder_due_days = $17 WHERE id = $18";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    company_bind(st, q, c);
    sql_bind_int(st, q, 18, c->id);
    err = sql_change(st, q, "company_id", "updating a company: no such row");
    sql_done(st, q);
    return err;
}

/* ---- users ---- */

#define USER_COLS "id, email, name, password_hash, created_at"

static void user_read(struct store *st, struct store_stmt *q, struct user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = sql_int(st, q, 0);
    sql_col_arr(st, q, 1, u->email);
    sql_col_arr(st, q, 2, u->name);
    sql_col_arr(st, q, 3, u->password_hash);
    u->created_at = sql_int(st, q, 4);
}

enum pm_err store_user_insert(struct store *st, struct user *u)
{
    static const char sql[] = "INSERT INTO users (email, name, password_hash, created_at)"
                              " VALUES ($1, $2, $3, $4) RETURNING id";
    struct user row = *u;
    struct store_stmt *q = NULL;
    enum pm_err err;

    if (!row.created_at)
        row.created_at = sql_now();
    err = sql_prepare(st, sql, &q);
    if (err)
        return err;
    sql_bind_arr(st, q, 1, row.email);
    sql_bind_arr(st, q, 2, row.name);
    sql_bind_arr(st, q, 3, row.password_hash);
    sql_bind_int(st, q, 4, row.created_at);
    err = sql_row(st, q, "", "inserting a user: no id");
    if (!err) {
        row.id = sql_int(st, q, 0);
        err = sql_run(st, q);
    }
    sql_done(st, q);
    /* The unique key is on the e-mail address (an expression index on
     * PostgreSQL, which names no column). */
    if (err == PM_ERR_CONFLICT)
        snprintf(st->error.field, sizeof(st->error.field), "email");
    if (!err)
        *u = row;
    return err;
}

static enum pm_err user_one(struct store *st, const char *sql, int64_t id, const char *email,
                            struct user *out)
{
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare(st, sql, &q);

    if (err)
        return err;
    if (email)
        sql_bind_text(st, q, 1, email, STORE_EMAIL_MAX);
    else
        sql_bind_int(st, q, 1, id);
    err = sql_row(st, q, "user", "no such user");
    if (!err)
        user_read(st, q, out);
    sql_done(st, q);
    return err;
}

enum pm_err store_user_get_by_email(struct store *st, const char *email, struct user *out)
{
    static const struct sql_variant sql = {{
        [STORE_DIALECT_SQLITE] = "SELECT " USER_COLS " FROM users WHERE email = $1",
        [STORE_DIALECT_PG] = "SELECT " USER_COLS " FROM users"
                             " WHERE lower(email COLLATE \"C\") = lower($1::text COLLATE \"C\")",
    }};

    return user_one(st, sql_text(st, &sql), 0, email, out);
}

enum pm_err store_user_get(struct store *st, int64_t user_id, struct user *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE id = $1";

    return user_one(st, sql, user_id, NULL, out);
}

/* ---- memberships ---- */

enum pm_err store_membership_set(struct store *st, int64_t company_id, int64_t user_id,
                                 enum member_role role)
{
    static const char sql[] = "INSERT INTO memberships (company_id, user_id, role)"
                              " VALUES ($1, $2, $3)"
                              " ON CONFLICT (company_id, user_id) DO UPDATE SET role = $3";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_prepare_keys(st, sql, &q, SQL_KEYS(company_id, user_id));

    if (err)
        return err;
    sql_bind_text(st, q, 3, store_role_name(role), 32);
    err = sql_run(st, q);
    sql_done(st, q);
    return err;
}

static void membership_read(struct store *st, struct store_stmt *q, struct membership *m)
{
    char role[16];

    memset(m, 0, sizeof(*m));
    m->company_id = sql_int(st, q, 0);
    sql_col_arr(st, q, 1, m->company_name);
    sql_col_arr(st, q, 2, role);
    if (store_role_parse(role, &m->role))
        m->role = ROLE_READ_ONLY;
}

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
    struct store_stmt *q = NULL;
    enum pm_err err;

    *n = 0;
    err = sql_prepare_keys(st, sql_text(st, &sql), &q, SQL_KEYS(user_id, (int64_t)cap));
    if (err)
        return err;
    SQL_ROWS(st, q, out, cap, n, membership_read, err);
    sql_done(st, q);
    return err;
}
