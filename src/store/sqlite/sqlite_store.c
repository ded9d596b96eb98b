/*
 * sqlite_store.c — the SQLite engine: its handle, ops table and the
 * operations on companies, users, memberships, sessions, API tokens and
 * idempotency records (invoices and their kin: sqlite_invoices.c).
 *
 * A handle is one sqlite3 connection in WAL mode with foreign keys on,
 * synchronous=NORMAL and a 5 s busy timeout; it is used by one thread at a
 * time (store.h).  Static SQL is prepared on first use and cached on the
 * handle by the address of its text.  Writers take the write lock up front
 * (BEGIN IMMEDIATE), so allocating ids from the sequences table is race-free
 * across processes: SQLite has one writer at a time.
 *
 * created_at columns are set from time(NULL) here when the caller leaves
 * them 0 (the product's clock lives in the context; nothing in the store's
 * behaviour depends on these stamps).
 */
#include "store/sqlite/sqlite_store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BIND_ARR(st, name, arr) sqlite_store_bind_text(st, name, arr, sizeof(arr))
#define COL_ARR(st, col, arr)   sqlite_store_column_text(st, col, arr, sizeof(arr))

static struct sqlite_store *engine(struct store *st)
{
    return (struct sqlite_store *)st;
}

int64_t sqlite_store_now(void)
{
    return (int64_t)time(NULL);
}

/* ---- errors ---- */

/* The column named in "UNIQUE constraint failed: t.a, t.b" (the last one). */
static void constraint_field(const char *msg, char *field, size_t cap)
{
    const char *dot = strrchr(msg, '.');
    const char *colon = strstr(msg, "constraint failed: ");

    field[0] = '\0';
    if (colon && dot && dot > colon)
        snprintf(field, cap, "%s", dot + 1);
}

enum pm_err sqlite_store_fail(struct sqlite_store *s, int rc, const char *what)
{
    const char *msg = sqlite3_errmsg(s->db);
    enum pm_err err;
    char field[64] = "";

    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
            err = PM_ERR_CONFLICT;
            constraint_field(msg, field, sizeof(field));
        } else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
            err = PM_ERR_NOT_FOUND;
        } else {
            err = PM_ERR_INVALID;
        }
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        err = PM_ERR_BUSY;
        break;
    case SQLITE_NOMEM:
        err = PM_ERR_NOMEM;
        break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
        err = PM_ERR_IO;
        break;
    default:
        err = PM_ERR_DB;
        break;
    }
    return pm_error_set(&s->base.error, err, field, "%s: %s", what, msg);
}

/* ---- statements ---- */

enum pm_err sqlite_store_stmt(struct sqlite_store *s, const char *sql, sqlite3_stmt **out)
{
    struct sqlite_store_stmt *grown;
    sqlite3_stmt *st = NULL;
    size_t i, cap;
    int rc;

    for (i = 0; i < s->n_stmts; i++) {
        if (s->stmts[i].sql == sql) {
            *out = s->stmts[i].stmt;
            return PM_OK;
        }
    }
    if (s->n_stmts == s->cap_stmts) {
        cap = s->cap_stmts ? s->cap_stmts * 2 : 64;
        grown = realloc(s->stmts, cap * sizeof(*grown));
        if (!grown)
            return pm_error_set(&s->base.error, PM_ERR_NOMEM, "", "statement cache");
        s->stmts = grown;
        s->cap_stmts = cap;
    }
    rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
        return sqlite_store_fail(s, rc, "preparing a statement");
    s->stmts[s->n_stmts].sql = sql;
    s->stmts[s->n_stmts].stmt = st;
    s->n_stmts++;
    *out = st;
    return PM_OK;
}

void sqlite_store_done(sqlite3_stmt *stmt)
{
    if (!stmt)
        return;
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
}

int sqlite_store_bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(st, name);

    return i ? sqlite3_bind_int64(st, i, (sqlite3_int64)v) : SQLITE_OK;
}

int sqlite_store_bind_text(sqlite3_stmt *st, const char *name, const char *v, size_t cap)
{
    int i = sqlite3_bind_parameter_index(st, name);

    if (!i)
        return SQLITE_OK;
    return sqlite3_bind_text(st, i, v ? v : "", v ? (int)strnlen(v, cap) : 0, SQLITE_TRANSIENT);
}

void sqlite_store_column_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* Run a cached statement that returns no rows. */
static enum pm_err exec_cached(struct sqlite_store *s, const char *sql, const char *what)
{
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = sqlite_store_fail(s, rc, what);
    sqlite_store_done(st);
    return err;
}

/* Run sql for its effect only, keeping the handle's error as it was: used
 * to undo after a failure that is already recorded. */
static void exec_quiet(struct sqlite_store *s, const char *sql)
{
    struct pm_error saved = s->base.error;

    (void)exec_cached(s, sql, "undo");
    s->base.error = saved;
}

/* ---- transactions ---- */

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_SAVEPOINT[] = "SAVEPOINT store_call";
static const char SQL_RELEASE[] = "RELEASE store_call";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO store_call";

static bool in_transaction(struct sqlite_store *s)
{
    return sqlite3_get_autocommit(s->db) == 0;
}

enum pm_err sqlite_store_tx_begin(struct sqlite_store *s, bool *own)
{
    *own = !in_transaction(s);
    return exec_cached(s, *own ? SQL_BEGIN : SQL_SAVEPOINT, "starting a transaction");
}

enum pm_err sqlite_store_tx_end(struct sqlite_store *s, bool own, enum pm_err rc)
{
    if (rc == PM_OK) {
        rc = exec_cached(s, own ? SQL_COMMIT : SQL_RELEASE, "committing");
        if (rc == PM_OK)
            return PM_OK;
    }
    /* Errors are ignored here: SQLite may have rolled back already. */
    if (own) {
        if (in_transaction(s))
            exec_quiet(s, SQL_ROLLBACK);
    } else if (in_transaction(s)) {
        exec_quiet(s, SQL_ROLLBACK_TO);
        exec_quiet(s, SQL_RELEASE);
    }
    return rc;
}

enum pm_err sqlite_store_reserve_ids(struct sqlite_store *s, int64_t company_id, const char *name,
                                     int64_t first, int64_t n, int64_t *out)
{
    static const char sql[] =
        "INSERT INTO sequences (company_id, name, next_value) VALUES (:cid, :name, :first + :n)"
        " ON CONFLICT (company_id, name) DO UPDATE SET next_value = next_value + :n"
        " RETURNING next_value - :n";
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_text(st, ":name", name, 64);
    sqlite_store_bind_int(st, ":first", first);
    sqlite_store_bind_int(st, ":n", n);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "allocating ids");
    sqlite_store_done(st);
    return err;
}

enum pm_err sqlite_store_next_id(struct sqlite_store *s, int64_t company_id, const char *name,
                                 int64_t first, int64_t *out)
{
    return sqlite_store_reserve_ids(s, company_id, name, first, 1, out);
}

static enum pm_err op_begin(struct store *st)
{
    return exec_cached(engine(st), SQL_BEGIN, "BEGIN");
}

/* A failed COMMIT (a deferred constraint) rolls back, so that nothing is
 * left half done; store_rollback() afterwards is harmless. */
static enum pm_err op_commit(struct store *st)
{
    struct sqlite_store *s = engine(st);
    enum pm_err err = exec_cached(s, SQL_COMMIT, "COMMIT");

    if (err && in_transaction(s))
        exec_quiet(s, SQL_ROLLBACK);
    return err;
}

/* Rolling back when no transaction is open is a no-op. */
static enum pm_err op_rollback(struct store *st)
{
    struct sqlite_store *s = engine(st);

    if (!in_transaction(s))
        return PM_OK;
    return exec_cached(s, SQL_ROLLBACK, "ROLLBACK");
}

/* ---- companies ---- */

#define COMPANY_COLS                                                                             \
    "id, name, organization_no, address_line_1, address_line_2, zip_code, city, country, email," \
    " phone, bankgiro, payment_terms_days, reminder_fee_agreed, reminder_fee_minor,"             \
    " accounting_method, language, timezone, created_at,"                                        \
    " reminder_due_days" /* books (issue 6) */

static void company_bind(sqlite3_stmt *st, const struct company *c)
{
    sqlite_store_bind_int(st, ":id", c->id);
    BIND_ARR(st, ":name", c->name);
    BIND_ARR(st, ":organization_no", c->organization_no);
    BIND_ARR(st, ":address_line_1", c->address_line_1);
    BIND_ARR(st, ":address_line_2", c->address_line_2);
    BIND_ARR(st, ":zip_code", c->zip_code);
    BIND_ARR(st, ":city", c->city);
    BIND_ARR(st, ":country", c->country);
    BIND_ARR(st, ":email", c->email);
    BIND_ARR(st, ":phone", c->phone);
    BIND_ARR(st, ":bankgiro", c->bankgiro);
    sqlite_store_bind_int(st, ":payment_terms_days", c->payment_terms_days);
    sqlite_store_bind_int(st, ":reminder_fee_agreed", c->reminder_fee_agreed ? 1 : 0);
    sqlite_store_bind_int(st, ":reminder_fee_minor", c->reminder_fee_minor);
    /* books (issue 6): 0 (a row built without it) means the default, 10 days */
    sqlite_store_bind_int(st, ":reminder_due_days",
                          c->reminder_due_days > 0 ? c->reminder_due_days : 10);
    sqlite_store_bind_text(st, ":accounting_method",
                           c->accounting_method == ACCOUNTING_CASH ? "cash" : "accrual", 16);
    BIND_ARR(st, ":language", c->language);
    BIND_ARR(st, ":timezone", c->timezone);
    sqlite_store_bind_int(st, ":created_at", c->created_at);
}

static void company_read(sqlite3_stmt *st, struct company *c)
{
    const unsigned char *method;

    memset(c, 0, sizeof(*c));
    c->id = sqlite3_column_int64(st, 0);
    COL_ARR(st, 1, c->name);
    COL_ARR(st, 2, c->organization_no);
    COL_ARR(st, 3, c->address_line_1);
    COL_ARR(st, 4, c->address_line_2);
    COL_ARR(st, 5, c->zip_code);
    COL_ARR(st, 6, c->city);
    COL_ARR(st, 7, c->country);
    COL_ARR(st, 8, c->email);
    COL_ARR(st, 9, c->phone);
    COL_ARR(st, 10, c->bankgiro);
    c->payment_terms_days = sqlite3_column_int(st, 11);
    c->reminder_fee_agreed = sqlite3_column_int(st, 12) != 0;
    c->reminder_fee_minor = sqlite3_column_int64(st, 13);
    method = sqlite3_column_text(st, 14);
    c->accounting_method =
        method && strcmp((const char *)method, "cash") == 0 ? ACCOUNTING_CASH : ACCOUNTING_ACCRUAL;
    COL_ARR(st, 15, c->language);
    COL_ARR(st, 16, c->timezone);
    c->created_at = sqlite3_column_int64(st, 17);
    c->reminder_due_days = sqlite3_column_int(st, 18); /* books (issue 6) */
}

static enum pm_err op_company_insert(struct store *stp, struct company *c)
{
    static const char sql[] =
        "INSERT INTO companies (name, organization_no, address_line_1, address_line_2, zip_code,"
        " city, country, email, phone, bankgiro, payment_terms_days, reminder_fee_agreed,"
        " reminder_fee_minor, accounting_method, language, timezone, created_at,"
        " reminder_due_days)"
        " VALUES (:name, :organization_no, :address_line_1, :address_line_2, :zip_code, :city,"
        " :country, :email, :phone, :bankgiro, :payment_terms_days, :reminder_fee_agreed,"
        " :reminder_fee_minor, :accounting_method, :language, :timezone, :created_at,"
        " :reminder_due_days)"
        " RETURNING id";
    struct sqlite_store *s = engine(stp);
    struct company row = *c;
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    if (!row.created_at)
        row.created_at = sqlite_store_now();
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    company_bind(st, &row);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row.id = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "inserting a company");
    sqlite_store_done(st);
    if (!err)
        *c = row;
    return err;
}

static enum pm_err op_company_get(struct store *stp, int64_t company_id, struct company *out)
{
    static const char sql[] = "SELECT " COMPANY_COLS " FROM companies WHERE id = :id";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":id", company_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        company_read(st, out);
    else if (rc == SQLITE_DONE)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "company_id", "no such company");
    else
        err = sqlite_store_fail(s, rc, "reading a company");
    sqlite_store_done(st);
    return err;
}

/* Run an UPDATE/DELETE statement already bound; PM_ERR_NOT_FOUND when it
 * touched no row. */
static enum pm_err step_change(struct sqlite_store *s, sqlite3_stmt *st, const char *what,
                               const char *field)
{
    enum pm_err err = PM_OK;
    int rc = sqlite3_step(st);

    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, what);
    else if (sqlite3_changes(s->db) == 0)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, field, "%s: no such row", what);
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_company_update(struct store *stp, const struct company *c)
{
    static const char sql[] =
        "UPDATE companies SET name = :name, organization_no = :organization_no,"
        " address_line_1 = :address_line_1, address_line_2 = :address_line_2,"
        " zip_code = :zip_code, city = :city, country = :country, email = :email,"
        " phone = :phone, bankgiro = :bankgiro, payment_terms_days = :payment_terms_days,"
        " reminder_fee_agreed = :reminder_fee_agreed, reminder_fee_minor = :reminder_fee_minor,"
        " accounting_method = :accounting_method, language = :language, timezone = :timezone,"
        " reminder_due_days = :reminder_due_days"
        " WHERE id = :id";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    company_bind(st, c);
    return step_change(s, st, "updating a company", "company_id");
}

/* ---- users and memberships ---- */

#define USER_COLS "id, email, name, password_hash, created_at"

static void user_read(sqlite3_stmt *st, struct user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = sqlite3_column_int64(st, 0);
    COL_ARR(st, 1, u->email);
    COL_ARR(st, 2, u->name);
    COL_ARR(st, 3, u->password_hash);
    u->created_at = sqlite3_column_int64(st, 4);
}

static enum pm_err op_user_insert(struct store *stp, struct user *u)
{
    static const char sql[] = "INSERT INTO users (email, name, password_hash, created_at)"
                              " VALUES (:email, :name, :password_hash, :created_at) RETURNING id";
    struct sqlite_store *s = engine(stp);
    struct user row = *u;
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    if (!row.created_at)
        row.created_at = sqlite_store_now();
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    BIND_ARR(st, ":email", row.email);
    BIND_ARR(st, ":name", row.name);
    BIND_ARR(st, ":password_hash", row.password_hash);
    sqlite_store_bind_int(st, ":created_at", row.created_at);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row.id = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "inserting a user");
    sqlite_store_done(st);
    if (!err)
        *u = row;
    return err;
}

/* Read one user with a prepared, bound statement. */
static enum pm_err user_one(struct sqlite_store *s, sqlite3_stmt *st, struct user *out)
{
    enum pm_err err = PM_OK;
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        user_read(st, out);
    else if (rc == SQLITE_DONE)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "user", "no such user");
    else
        err = sqlite_store_fail(s, rc, "reading a user");
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_user_get_by_email(struct store *stp, const char *email, struct user *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE email = :email";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_text(st, ":email", email, STORE_EMAIL_MAX);
    return user_one(s, st, out);
}

static enum pm_err op_user_get(struct store *stp, int64_t user_id, struct user *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE id = :id";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":id", user_id);
    return user_one(s, st, out);
}

static enum pm_err op_membership_set(struct store *stp, int64_t company_id, int64_t user_id,
                                     enum member_role role)
{
    static const char sql[] = "INSERT INTO memberships (company_id, user_id, role)"
                              " VALUES (:cid, :uid, :role)"
                              " ON CONFLICT (company_id, user_id) DO UPDATE SET role = :role";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":uid", user_id);
    sqlite_store_bind_text(st, ":role", store_role_name(role), 32);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "setting a membership");
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_membership_list(struct store *stp, int64_t user_id, struct membership *out,
                                      size_t cap, size_t *n)
{
    static const char sql[] = "SELECT m.company_id, c.name, m.role FROM memberships AS m"
                              " JOIN companies AS c ON c.id = m.company_id"
                              " WHERE m.user_id = :uid ORDER BY c.name, m.company_id LIMIT :limit";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    *n = 0;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":uid", user_id);
    sqlite_store_bind_int(st, ":limit", (int64_t)cap);
    for (;;) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
            break;
        memset(&out[*n], 0, sizeof(out[*n]));
        out[*n].company_id = sqlite3_column_int64(st, 0);
        COL_ARR(st, 1, out[*n].company_name);
        if (store_role_parse((const char *)sqlite3_column_text(st, 2), &out[*n].role))
            out[*n].role = ROLE_READ_ONLY;
        (*n)++;
    }
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "listing memberships");
    sqlite_store_done(st);
    return err;
}

/* ---- sessions ---- */

static enum pm_err op_session_insert(struct store *stp, const struct session *sess)
{
    static const char sql[] =
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)"
        " VALUES (:token_hash, :uid, :csrf, :created_at, :expires_at)";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    BIND_ARR(st, ":token_hash", sess->token_hash);
    sqlite_store_bind_int(st, ":uid", sess->user_id);
    BIND_ARR(st, ":csrf", sess->csrf_token);
    sqlite_store_bind_int(st, ":created_at",
                          sess->created_at ? sess->created_at : sqlite_store_now());
    sqlite_store_bind_int(st, ":expires_at", sess->expires_at);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "inserting a session");
    sqlite_store_done(st);
    return err;
}

/* Expired sessions are returned too: the caller compares expires_at with
 * its own clock. */
static enum pm_err op_session_get(struct store *stp, const char *token_hash, struct session *out)
{
    static const char sql[] = "SELECT token_hash, user_id, csrf_token, created_at, expires_at"
                              " FROM sessions WHERE token_hash = :token_hash";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_text(st, ":token_hash", token_hash, sizeof(out->token_hash));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        COL_ARR(st, 0, out->token_hash);
        out->user_id = sqlite3_column_int64(st, 1);
        COL_ARR(st, 2, out->csrf_token);
        out->created_at = sqlite3_column_int64(st, 3);
        out->expires_at = sqlite3_column_int64(st, 4);
    } else if (rc == SQLITE_DONE) {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "session", "no such session");
    } else {
        err = sqlite_store_fail(s, rc, "reading a session");
    }
    sqlite_store_done(st);
    return err;
}

/* PM_ERR_NOT_FOUND when there was no such session. */
static enum pm_err op_session_delete(struct store *stp, const char *token_hash)
{
    static const char sql[] = "DELETE FROM sessions WHERE token_hash = :token_hash";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_text(st, ":token_hash", token_hash, 65);
    return step_change(s, st, "deleting a session", "session");
}

/* ---- API tokens ---- */

static enum pm_err op_api_token_insert(struct store *stp, struct api_token *t)
{
    static const char sql[] =
        "INSERT INTO api_tokens (company_id, id, name, token_hash, created_by, created_at)"
        " VALUES (:cid, :id, :name, :token_hash, :created_by, :created_at)";
    struct sqlite_store *s = engine(stp);
    struct api_token row = *t;
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    bool own;
    int rc;

    if (!row.created_at)
        row.created_at = sqlite_store_now();
    err = sqlite_store_tx_begin(s, &own);
    if (err)
        return err;
    err = sqlite_store_next_id(s, row.company_id, "api_tokens", 1, &row.id);
    if (err)
        goto out_tx;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        goto out_tx;
    sqlite_store_bind_int(st, ":cid", row.company_id);
    sqlite_store_bind_int(st, ":id", row.id);
    BIND_ARR(st, ":name", row.name);
    BIND_ARR(st, ":token_hash", row.token_hash);
    sqlite_store_bind_int(st, ":created_by", row.created_by);
    sqlite_store_bind_int(st, ":created_at", row.created_at);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "inserting an API token");
    sqlite_store_done(st);
out_tx:
    err = sqlite_store_tx_end(s, own, err);
    if (!err)
        *t = row;
    return err;
}

static enum pm_err op_api_token_get(struct store *stp, const char *token_hash,
                                    struct api_token *out)
{
    static const char sql[] = "SELECT company_id, id, name, token_hash, created_by, created_at"
                              " FROM api_tokens WHERE token_hash = :token_hash";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_text(st, ":token_hash", token_hash, sizeof(out->token_hash));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->company_id = sqlite3_column_int64(st, 0);
        out->id = sqlite3_column_int64(st, 1);
        COL_ARR(st, 2, out->name);
        COL_ARR(st, 3, out->token_hash);
        out->created_by = sqlite3_column_int64(st, 4);
        out->created_at = sqlite3_column_int64(st, 5);
    } else if (rc == SQLITE_DONE) {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "token", "no such API token");
    } else {
        err = sqlite_store_fail(s, rc, "reading an API token");
    }
    sqlite_store_done(st);
    return err;
}

/* ---- idempotency records ---- */

static enum pm_err op_idempotency_get(struct store *stp, int64_t company_id, const char *key,
                                      struct idempotency_record *out)
{
    static const char sql[] = "SELECT key, request_hash, status, body, created_at"
                              " FROM idempotency_keys WHERE company_id = :cid AND key = :key";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    const unsigned char *body;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_text(st, ":key", key, sizeof(out->key));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->company_id = company_id;
        COL_ARR(st, 0, out->key);
        COL_ARR(st, 1, out->request_hash);
        out->status = sqlite3_column_int(st, 2);
        body = sqlite3_column_text(st, 3);
        out->body = strdup(body ? (const char *)body : "");
        out->created_at = sqlite3_column_int64(st, 4);
        if (!out->body)
            err = pm_error_set(&s->base.error, PM_ERR_NOMEM, "", "idempotency body");
    } else if (rc == SQLITE_DONE) {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "idempotency_key", "new key");
    } else {
        err = sqlite_store_fail(s, rc, "reading an idempotency key");
    }
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_idempotency_put(struct store *stp, const struct idempotency_record *r)
{
    static const char sql[] =
        "INSERT INTO idempotency_keys (company_id, key, request_hash, status, body, created_at)"
        " VALUES (:cid, :key, :request_hash, :status, :body, :created_at)";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", r->company_id);
    BIND_ARR(st, ":key", r->key);
    BIND_ARR(st, ":request_hash", r->request_hash);
    sqlite_store_bind_int(st, ":status", r->status);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":body"), r->body ? r->body : "", -1,
                      SQLITE_TRANSIENT);
    sqlite_store_bind_int(st, ":created_at", r->created_at ? r->created_at : sqlite_store_now());
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        err = sqlite_store_fail(s, rc, "storing an idempotency key");
        if (err == PM_ERR_CONFLICT)
            snprintf(s->base.error.field, sizeof(s->base.error.field), "idempotency_key");
    }
    sqlite_store_done(st);
    return err;
}

/* ---- the list cache's data version (issue 3) ---- */

/* PRAGMA data_version changes when another connection (or process) commits;
 * total_changes counts this connection's own row changes.  Both only grow,
 * so their sum changes exactly when one of them does. */
static enum pm_err op_data_version(struct store *stp, uint64_t *out)
{
    static const char sql[] = "PRAGMA data_version";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    *out = 0;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = (uint64_t)sqlite3_column_int64(st, 0) + (uint64_t)sqlite3_total_changes64(s->db);
    else
        err = sqlite_store_fail(s, rc, "reading the data version");
    sqlite_store_done(st);
    return err;
}

/* ---- the handle ---- */

static enum pm_err op_migrate(struct store *stp, int *applied)
{
    return sqlite_migrations_apply(engine(stp)->db, applied, &engine(stp)->base.error);
}

static void op_close(struct store *stp)
{
    struct sqlite_store *s = engine(stp);
    size_t i;

    for (i = 0; i < s->n_stmts; i++)
        sqlite3_finalize(s->stmts[i].stmt);
    for (i = 0; i < SQLITE_STORE_LIST_SHAPES; i++)
        sqlite3_finalize(s->list_stmts[i]);
    free(s->stmts);
    sqlite3_close(s->db);
    free(s);
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = op_close,
    .migrate = op_migrate,
    .begin = op_begin,
    .commit = op_commit,
    .rollback = op_rollback,
    .company_insert = op_company_insert,
    .company_get = op_company_get,
    .company_update = op_company_update,
    .user_insert = op_user_insert,
    .user_get_by_email = op_user_get_by_email,
    .user_get = op_user_get,
    .membership_set = op_membership_set,
    .membership_list = op_membership_list,
    .customer_insert = sqlite_invoices_customer_insert,
    .customer_get = sqlite_invoices_customer_get,
    .customer_update = sqlite_invoices_customer_update,
    .customer_list = sqlite_invoices_customer_list,
    .invoice_insert = sqlite_invoices_insert,
    .invoice_get = sqlite_invoices_get,
    .invoice_lines = sqlite_invoices_lines,
    .invoice_buyers = sqlite_invoices_buyers,
    .invoice_list = sqlite_invoices_list,
    .invoice_counts = sqlite_invoices_counts,
    .payment_insert = sqlite_invoices_payment_insert,
    .outbox_enqueue = sqlite_outbox_enqueue,
    .payment_list = sqlite_invoices_payment_list,
    .session_insert = op_session_insert,
    .session_get = op_session_get,
    .session_delete = op_session_delete,
    .api_token_insert = op_api_token_insert,
    .api_token_get = op_api_token_get,
    .idempotency_get = op_idempotency_get,
    .idempotency_put = op_idempotency_put,
    .history_insert = sqlite_invoices_history_insert,
    .history_list = sqlite_invoices_history_list,
    .data_version = op_data_version, /* the list cache (issue 3) */
    .agency = &sqlite_agency_ops,    /* Amili hand-over: sqlite_agency.c */
    .books = &sqlite_books_ops,      /* books (issue 6): sqlite_books.c */
};

static enum pm_err pragma(sqlite3 *db, const char *sql, struct pm_error *e)
{
    char *msg = NULL;
    enum pm_err err = PM_OK;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

    if (rc != SQLITE_OK)
        err = pm_error_set(e, (rc & 0xff) == SQLITE_BUSY ? PM_ERR_BUSY : PM_ERR_DB, "", "%s: %s",
                           sql, msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return err;
}

enum pm_err sqlite_store_open(const char *path, struct store **out, struct pm_error *e)
{
    struct sqlite_store *s;
    enum pm_err err;
    int rc;

    *out = NULL;
    if (sqlite3_libversion_number() < 3037000)
        return pm_error_set(e, PM_ERR_DB, "dsn", "SQLite %s is too old (3.37 or newer needed)",
                            sqlite3_libversion());
    s = calloc(1, sizeof(*s));
    if (!s)
        return pm_error_set(e, PM_ERR_NOMEM, "", "allocating the store");
    s->base.ops = &sqlite_ops;
    rc = sqlite3_open_v2(path, &s->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        err = pm_error_set(e, rc == SQLITE_NOMEM ? PM_ERR_NOMEM : PM_ERR_IO, "dsn",
                           "opening %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "");
        goto out_close;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 5000);
    err = pragma(s->db, "PRAGMA journal_mode = WAL", e);
    if (!err)
        err = pragma(s->db, "PRAGMA foreign_keys = ON", e);
    if (!err)
        err = pragma(s->db, "PRAGMA synchronous = NORMAL", e);
    if (!err)
        err = sqlite_migrations_apply(s->db, NULL, e);
    if (err)
        goto out_close;
    *out = &s->base;
    return PM_OK;

out_close:
    op_close(&s->base);
    return err;
}
