/*
 * pg_store.c — the PostgreSQL engine: its handle, ops table and the
 * operations on companies, users, memberships, sessions, API tokens and
 * idempotency records (invoices and their kin: pg_invoices.c; the shared
 * machinery of statements and transactions: pg_conn.c).
 *
 * A handle is one libpq connection whose session runs SERIALIZABLE by
 * default, in UTF-8 and UTC; it is used by one thread at a time (store.h).
 * Behaviour is the SQLite engine's (sqlite_store.c), operation for
 * operation: the same return codes, error fields and ordering.  Text is
 * ordered and compared as SQLite does — bytes (COLLATE "C"), and for
 * e-mail addresses ignoring ASCII case (lower(x COLLATE "C")).
 *
 * created_at columns are set from time(NULL) here when the caller leaves
 * them 0, as in the SQLite engine.
 */
#include "store/pg/pg_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_agency.h"
#include "store/store_books.h"

static struct pg_store *engine(struct store *st)
{
    return (struct pg_store *)st;
}

/* Run sql and read exactly one row; none is PM_ERR_NOT_FOUND with `field`
 * and `missing` as the handle's error. */
static enum pm_err one_row(struct pg_store *s, const char *sql, const struct pg_params *p,
                           PGresult **out, const char *what, const char *field, const char *missing)
{
    enum pm_err err = pg_store_exec_row(s, sql, p, out, what);

    if (err == PM_ERR_NOT_FOUND && !*out)
        pm_error_set(&s->base.error, err, field, "%s", missing);
    return err;
}

/* Run an UPDATE/DELETE; PM_ERR_NOT_FOUND (field) when it touched no row. */
static enum pm_err exec_change(struct pg_store *s, const char *sql, const struct pg_params *p,
                               const char *what, const char *field)
{
    PGresult *res = NULL;
    enum pm_err err = pg_store_exec(s, sql, p, &res, what);
    const char *tuples;

    if (err)
        return err;
    tuples = PQcmdTuples(res);
    if (!tuples[0] || !strcmp(tuples, "0"))
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, field, "%s: no such row", what);
    PQclear(res);
    return err;
}

/* ---- transactions ---- */

static const char SQL_BEGIN[] = "BEGIN";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_LOCK[] = "SELECT pg_advisory_lock($1::bigint)";
static const char SQL_UNLOCK[] = "SELECT pg_advisory_unlock($1::bigint)";

/* A company's write lock: an advisory lock key of its own class. */
#define WRITE_LOCK_CLASS (INT64_C(0x504d) << 48)

/* SERIALIZABLE, the session's default: the same guarantees as SQLite's
 * single writer, with a serialisation failure (PM_ERR_BUSY, retryable)
 * where SQLite would have waited for the lock. */
static enum pm_err op_begin(struct store *st)
{
    pg_store_ids_forget(engine(st));
    return pg_store_exec(engine(st), SQL_BEGIN, NULL, NULL, "BEGIN");
}

/* Release the company write lock taken by op_begin_for, if any, keeping
 * the handle's error as it is. */
static void write_unlock(struct pg_store *s)
{
    struct pm_error saved = s->base.error;
    bool retryable = s->retryable;
    struct pg_params p;

    if (!s->write_lock)
        return;
    pg_params_init(&p);
    pg_param_int(&p, WRITE_LOCK_CLASS | s->write_lock);
    (void)pg_store_exec(s, SQL_UNLOCK, &p, NULL, "releasing the write lock");
    s->write_lock = 0;
    s->base.error = saved;
    s->retryable = retryable;
}

/*
 * Writers of one company queue for a session-level advisory lock taken
 * before BEGIN, and so before the transaction's snapshot: a writer that
 * waited then sees everything its predecessor committed, and the two never
 * fail each other with a serialisation error (on the sequences rows, say).
 * Work outside such transactions (background jobs) can still collide and
 * is retried as usual.
 */
static enum pm_err op_begin_for(struct store *st, int64_t company_id)
{
    struct pg_store *s = engine(st);
    struct pg_params p;
    enum pm_err err;

    if (pg_store_in_transaction(s))
        return pm_error_set(&s->base.error, PM_ERR_INTERNAL, "", "BEGIN: a transaction is open");
    write_unlock(s);
    pg_params_init(&p);
    pg_param_int(&p, WRITE_LOCK_CLASS | company_id);
    err = pg_store_exec(s, SQL_LOCK, &p, NULL, "taking the company's write lock");
    if (err)
        return err;
    s->write_lock = company_id;
    err = op_begin(st);
    if (err)
        write_unlock(s);
    return err;
}

/* A failed COMMIT (a deferred constraint, a serialisation failure) leaves
 * nothing behind: PostgreSQL has rolled back already, and any transaction
 * still open is rolled back here, so store_rollback() afterwards is
 * harmless. */
static enum pm_err op_commit(struct store *st)
{
    struct pg_store *s = engine(st);
    enum pm_err err = pg_store_commit_checked(s);
    PGresult *res;

    if (err && pg_store_in_transaction(s)) {
        res = PQexec(s->conn, SQL_ROLLBACK);
        PQclear(res);
    }
    write_unlock(s);
    return err;
}

/* Rolling back when no transaction is open is a no-op. */
static enum pm_err op_rollback(struct store *st)
{
    struct pg_store *s = engine(st);
    enum pm_err err = PM_OK;

    pg_store_ids_forget(s);
    if (pg_store_in_transaction(s))
        err = pg_store_exec(s, SQL_ROLLBACK, NULL, NULL, "ROLLBACK");
    write_unlock(s);
    return err;
}

/* ---- companies ---- */

#define COMPANY_COLS                                                                             \
    "id, name, organization_no, address_line_1, address_line_2, zip_code, city, country, email," \
    " phone, bankgiro, payment_terms_days, reminder_fee_agreed, reminder_fee_minor,"             \
    " accounting_method, language, timezone, created_at,"                                        \
    " reminder_due_days" /* books (issue 6) */

/* $1..$17: the columns both insert and update write, in the order of
 * COMPANY_COLS without id and created_at. */
static void company_params(struct pg_params *p, const struct company *c)
{
    pg_param_arr(p, c->name);
    pg_param_arr(p, c->organization_no);
    pg_param_arr(p, c->address_line_1);
    pg_param_arr(p, c->address_line_2);
    pg_param_arr(p, c->zip_code);
    pg_param_arr(p, c->city);
    pg_param_arr(p, c->country);
    pg_param_arr(p, c->email);
    pg_param_arr(p, c->phone);
    pg_param_arr(p, c->bankgiro);
    pg_param_int(p, c->payment_terms_days);
    pg_param_bool(p, c->reminder_fee_agreed);
    pg_param_int(p, c->reminder_fee_minor);
    pg_param_text(p, c->accounting_method == ACCOUNTING_CASH ? "cash" : "accrual", 16);
    pg_param_arr(p, c->language);
    pg_param_arr(p, c->timezone);
    /* books (issue 6): 0 (a row built without it) means the default, 10 days */
    pg_param_int(p, c->reminder_due_days > 0 ? c->reminder_due_days : 10);
}

static void company_read(const PGresult *r, int i, struct company *c)
{
    memset(c, 0, sizeof(*c));
    c->id = pg_get_int(r, i, 0);
    pg_get_arr(r, i, 1, c->name);
    pg_get_arr(r, i, 2, c->organization_no);
    pg_get_arr(r, i, 3, c->address_line_1);
    pg_get_arr(r, i, 4, c->address_line_2);
    pg_get_arr(r, i, 5, c->zip_code);
    pg_get_arr(r, i, 6, c->city);
    pg_get_arr(r, i, 7, c->country);
    pg_get_arr(r, i, 8, c->email);
    pg_get_arr(r, i, 9, c->phone);
    pg_get_arr(r, i, 10, c->bankgiro);
    c->payment_terms_days = (int)pg_get_int(r, i, 11);
    c->reminder_fee_agreed = pg_get_bool(r, i, 12);
    c->reminder_fee_minor = pg_get_int(r, i, 13);
    c->accounting_method =
        !strcmp(PQgetvalue(r, i, 14), "cash") ? ACCOUNTING_CASH : ACCOUNTING_ACCRUAL;
    pg_get_arr(r, i, 15, c->language);
    pg_get_arr(r, i, 16, c->timezone);
    c->created_at = pg_get_int(r, i, 17);
    c->reminder_due_days = (int)pg_get_int(r, i, 18); /* books (issue 6) */
}

static enum pm_err op_company_insert(struct store *st, struct company *c)
{
    static const char sql[] =
        "INSERT INTO companies (name, organization_no, address_line_1, address_line_2, zip_code,"
        " city, country, email, phone, bankgiro, payment_terms_days, reminder_fee_agreed,"
        " reminder_fee_minor, accounting_method, language, timezone, reminder_due_days,"
        " created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        " RETURNING id";
    struct pg_store *s = engine(st);
    struct company row = *c;
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    if (!row.created_at)
        row.created_at = pg_store_now();
    pg_params_init(&p);
    company_params(&p, &row);
    pg_param_int(&p, row.created_at);
    err = pg_store_exec_row(s, sql, &p, &res, "inserting a company");
    if (err)
        return err;
    row.id = pg_get_int(res, 0, 0);
    PQclear(res);
    *c = row;
    return PM_OK;
}

static enum pm_err op_company_get(struct store *st, int64_t company_id, struct company *out)
{
    static const char sql[] = "SELECT " COMPANY_COLS " FROM companies WHERE id = $1";
    struct pg_store *s = engine(st);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    err = one_row(s, sql, &p, &res, "reading a company", "company_id", "no such company");
    if (err)
        return err;
    company_read(res, 0, out);
    PQclear(res);
    return PM_OK;
}

static enum pm_err op_company_update(struct store *st, const struct company *c)
{
    static const char sql[] =
        "UPDATE companies SET name = $1, organization_no = $2, address_line_1 = $3,"
        " address_line_2 = $4, zip_code = $5, city = $6, country = $7, email = $8, phone = $9,"
        " bankgiro = $10, payment_terms_days = $11, reminder_fee_agreed = $12,"
        " reminder_fee_minor = $13, accounting_method = $14, language = $15, timezone = $16,"
        " reminder_due_days = $17"
        " WHERE id = $18";
    struct pg_params p;

    pg_params_init(&p);
    company_params(&p, c);
    pg_param_int(&p, c->id);
    return exec_change(engine(st), sql, &p, "updating a company", "company_id");
}

/* ---- users and memberships ---- */

#define USER_COLS "id, email, name, password_hash, created_at"

static void user_read(const PGresult *r, int i, struct user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = pg_get_int(r, i, 0);
    pg_get_arr(r, i, 1, u->email);
    pg_get_arr(r, i, 2, u->name);
    pg_get_arr(r, i, 3, u->password_hash);
    u->created_at = pg_get_int(r, i, 4);
}

static enum pm_err op_user_insert(struct store *st, struct user *u)
{
    static const char sql[] = "INSERT INTO users (email, name, password_hash, created_at)"
                              " VALUES ($1, $2, $3, $4) RETURNING id";
    struct pg_store *s = engine(st);
    struct user row = *u;
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    if (!row.created_at)
        row.created_at = pg_store_now();
    pg_params_init(&p);
    pg_param_arr(&p, row.email);
    pg_param_arr(&p, row.name);
    pg_param_arr(&p, row.password_hash);
    pg_param_int(&p, row.created_at);
    err = pg_store_exec_row(s, sql, &p, &res, "inserting a user");
    if (err) {
        /* The unique key is an expression index: name the column. */
        if (err == PM_ERR_CONFLICT)
            snprintf(s->base.error.field, sizeof(s->base.error.field), "email");
        return err;
    }
    row.id = pg_get_int(res, 0, 0);
    PQclear(res);
    *u = row;
    return PM_OK;
}

static enum pm_err user_one(struct pg_store *s, const char *sql, const struct pg_params *p,
                            struct user *out)
{
    PGresult *res = NULL;
    enum pm_err err = one_row(s, sql, p, &res, "reading a user", "user", "no such user");

    if (err)
        return err;
    user_read(res, 0, out);
    PQclear(res);
    return PM_OK;
}

static enum pm_err op_user_get_by_email(struct store *st, const char *email, struct user *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users"
                              " WHERE lower(email COLLATE \"C\") = lower($1::text COLLATE \"C\")";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_text(&p, email, STORE_EMAIL_MAX);
    return user_one(engine(st), sql, &p, out);
}

static enum pm_err op_user_get(struct store *st, int64_t user_id, struct user *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE id = $1";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, user_id);
    return user_one(engine(st), sql, &p, out);
}

static enum pm_err op_membership_set(struct store *st, int64_t company_id, int64_t user_id,
                                     enum member_role role)
{
    static const char sql[] = "INSERT INTO memberships (company_id, user_id, role)"
                              " VALUES ($1, $2, $3)"
                              " ON CONFLICT (company_id, user_id) DO UPDATE SET role = $3";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, user_id);
    pg_param_text(&p, store_role_name(role), 32);
    return pg_store_exec(engine(st), sql, &p, NULL, "setting a membership");
}

static enum pm_err op_membership_list(struct store *st, int64_t user_id, struct membership *out,
                                      size_t cap, size_t *n)
{
    static const char sql[] = "SELECT m.company_id, c.name, m.role FROM memberships AS m"
                              " JOIN companies AS c ON c.id = m.company_id"
                              " WHERE m.user_id = $1"
                              " ORDER BY c.name COLLATE \"C\", m.company_id LIMIT $2";
    struct pg_store *s = engine(st);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;
    int i;

    *n = 0;
    pg_params_init(&p);
    pg_param_int(&p, user_id);
    pg_param_int(&p, (int64_t)cap);
    err = pg_store_exec(s, sql, &p, &res, "listing memberships");
    if (err)
        return err;
    for (i = 0; i < PQntuples(res) && *n < cap; i++) {
        memset(&out[*n], 0, sizeof(out[*n]));
        out[*n].company_id = pg_get_int(res, i, 0);
        pg_get_arr(res, i, 1, out[*n].company_name);
        if (store_role_parse(PQgetvalue(res, i, 2), &out[*n].role))
            out[*n].role = ROLE_READ_ONLY;
        (*n)++;
    }
    PQclear(res);
    return PM_OK;
}

/* ---- sessions ---- */

static enum pm_err op_session_insert(struct store *st, const struct session *sess)
{
    static const char sql[] =
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)"
        " VALUES ($1, $2, $3, $4, $5)";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_arr(&p, sess->token_hash);
    pg_param_int(&p, sess->user_id);
    pg_param_arr(&p, sess->csrf_token);
    pg_param_int(&p, sess->created_at ? sess->created_at : pg_store_now());
    pg_param_int(&p, sess->expires_at);
    return pg_store_exec(engine(st), sql, &p, NULL, "inserting a session");
}

/* Expired sessions are returned too: the caller compares expires_at with
 * its own clock. */
static enum pm_err op_session_get(struct store *st, const char *token_hash, struct session *out)
{
    static const char sql[] = "SELECT token_hash, user_id, csrf_token, created_at, expires_at"
                              " FROM sessions WHERE token_hash = $1";
    struct pg_store *s = engine(st);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_text(&p, token_hash, sizeof(out->token_hash));
    err = one_row(s, sql, &p, &res, "reading a session", "session", "no such session");
    if (err)
        return err;
    memset(out, 0, sizeof(*out));
    pg_get_arr(res, 0, 0, out->token_hash);
    out->user_id = pg_get_int(res, 0, 1);
    pg_get_arr(res, 0, 2, out->csrf_token);
    out->created_at = pg_get_int(res, 0, 3);
    out->expires_at = pg_get_int(res, 0, 4);
    PQclear(res);
    return PM_OK;
}

/* PM_ERR_NOT_FOUND when there was no such session. */
static enum pm_err op_session_delete(struct store *st, const char *token_hash)
{
    static const char sql[] = "DELETE FROM sessions WHERE token_hash = $1";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_text(&p, token_hash, 65);
    return exec_change(engine(st), sql, &p, "deleting a session", "session");
}

/* ---- API tokens ---- */

struct token_insert {
    const struct api_token *in;
    struct api_token row; /* filled afresh on every run */
};

static enum pm_err token_insert_run(struct pg_store *s, void *ctx)
{
    static const char sql[] =
        "INSERT INTO api_tokens (company_id, id, name, token_hash, created_by, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)";
    struct token_insert *t = ctx;
    struct pg_params p;
    enum pm_err err;

    t->row = *t->in;
    if (!t->row.created_at)
        t->row.created_at = pg_store_now();
    err = pg_store_next_id(s, t->row.company_id, "api_tokens", 1, &t->row.id);
    if (err)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, t->row.company_id);
    pg_param_int(&p, t->row.id);
    pg_param_arr(&p, t->row.name);
    pg_param_arr(&p, t->row.token_hash);
    pg_param_int(&p, t->row.created_by);
    pg_param_int(&p, t->row.created_at);
    return pg_store_exec(s, sql, &p, NULL, "inserting an API token");
}

static enum pm_err op_api_token_insert(struct store *st, struct api_token *tok)
{
    struct token_insert t = {.in = tok};
    enum pm_err err = pg_store_atomic(engine(st), token_insert_run, &t);

    if (!err)
        *tok = t.row;
    return err;
}

static enum pm_err op_api_token_get(struct store *st, const char *token_hash, struct api_token *out)
{
    static const char sql[] = "SELECT company_id, id, name, token_hash, created_by, created_at"
                              " FROM api_tokens WHERE token_hash = $1";
    struct pg_store *s = engine(st);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_text(&p, token_hash, sizeof(out->token_hash));
    err = one_row(s, sql, &p, &res, "reading an API token", "token", "no such API token");
    if (err)
        return err;
    memset(out, 0, sizeof(*out));
    out->company_id = pg_get_int(res, 0, 0);
    out->id = pg_get_int(res, 0, 1);
    pg_get_arr(res, 0, 2, out->name);
    pg_get_arr(res, 0, 3, out->token_hash);
    out->created_by = pg_get_int(res, 0, 4);
    out->created_at = pg_get_int(res, 0, 5);
    PQclear(res);
    return PM_OK;
}

/* ---- idempotency records ---- */

static enum pm_err op_idempotency_get(struct store *st, int64_t company_id, const char *key,
                                      struct idempotency_record *out)
{
    static const char sql[] = "SELECT key, request_hash, status, body, created_at"
                              " FROM idempotency_keys WHERE company_id = $1 AND key = $2";
    struct pg_store *s = engine(st);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_text(&p, key, sizeof(out->key));
    err = one_row(s, sql, &p, &res, "reading an idempotency key", "idempotency_key", "new key");
    if (err)
        return err;
    memset(out, 0, sizeof(*out));
    out->company_id = company_id;
    pg_get_arr(res, 0, 0, out->key);
    pg_get_arr(res, 0, 1, out->request_hash);
    out->status = (int)pg_get_int(res, 0, 2);
    out->body = strdup(PQgetvalue(res, 0, 3));
    out->created_at = pg_get_int(res, 0, 4);
    PQclear(res);
    if (!out->body)
        return pm_error_set(&s->base.error, PM_ERR_NOMEM, "", "idempotency body");
    return PM_OK;
}

static enum pm_err op_idempotency_put(struct store *st, const struct idempotency_record *r)
{
    static const char sql[] =
        "INSERT INTO idempotency_keys (company_id, key, request_hash, status, body, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6)";
    struct pg_store *s = engine(st);
    struct pg_params p;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, r->company_id);
    pg_param_arr(&p, r->key);
    pg_param_arr(&p, r->request_hash);
    pg_param_int(&p, r->status);
    pg_param_text(&p, r->body ? r->body : "", SIZE_MAX);
    pg_param_int(&p, r->created_at ? r->created_at : pg_store_now());
    err = pg_store_exec(s, sql, &p, NULL, "storing an idempotency key");
    if (err == PM_ERR_CONFLICT)
        snprintf(s->base.error.field, sizeof(s->base.error.field), "idempotency_key");
    return err;
}

/* ---- the list cache's data version (issue 3) ---- */

/*
 * A hash (FNV-1a, 64 bits) of the server's current snapshot, "xmin:xmax:
 * xip,...": the snapshot says exactly which transactions' writes a query
 * would see, so it changes when, and only when, a write transaction of
 * any connection ends, and never repeats (xmax only grows).  Not the WAL
 * position: a commit's record is written before the commit becomes
 * visible, so a version read in between would already count a change
 * that the query run next does not yet see, and the cache would keep that
 * stale answer under the new number.
 */
static enum pm_err op_data_version(struct store *st, uint64_t *out)
{
    static const char sql[] = "SELECT pg_current_snapshot()::text";
    struct pg_store *s = engine(st);
    PGresult *res = NULL;
    const unsigned char *c;
    uint64_t h = UINT64_C(14695981039346656037);
    enum pm_err err;

    *out = 0;
    err = pg_store_exec_row(s, sql, NULL, &res, "reading the data version");
    if (err)
        return err;
    for (c = (const unsigned char *)PQgetvalue(res, 0, 0); *c; c++)
        h = (h ^ *c) * UINT64_C(1099511628211);
    PQclear(res);
    *out = h;
    return PM_OK;
}

/* ---- the handle ---- */

static enum pm_err op_migrate(struct store *st, int *applied)
{
    struct pg_store *s = engine(st);

    return pg_migrations_apply(s->conn, applied, &s->base.error);
}

static void op_close(struct store *st)
{
    struct pg_store *s = engine(st);

    free(s->stmts);
    PQfinish(s->conn);
    free(s);
}

static const struct store_ops pg_store_ops = {
    .name = "postgresql",
    .close = op_close,
    .migrate = op_migrate,
    .begin = op_begin,
    .commit = op_commit,
    .rollback = op_rollback,
    .begin_for = op_begin_for,
    .company_insert = op_company_insert,
    .company_get = op_company_get,
    .company_update = op_company_update,
    .user_insert = op_user_insert,
    .user_get_by_email = op_user_get_by_email,
    .user_get = op_user_get,
    .membership_set = op_membership_set,
    .membership_list = op_membership_list,
    .customer_insert = pg_invoices_customer_insert,
    .customer_get = pg_invoices_customer_get,
    .customer_update = pg_invoices_customer_update,
    .customer_list = pg_invoices_customer_list,
    .invoice_insert = pg_invoices_insert,
    .invoice_get = pg_invoices_get,
    .invoice_lines = pg_invoices_lines,
    .invoice_buyers = pg_invoices_buyers,
    .invoice_list = pg_invoices_list,
    .invoice_counts = pg_invoices_counts,
    .payment_insert = pg_invoices_payment_insert,
    .payment_list = pg_invoices_payment_list,
    .session_insert = op_session_insert,
    .session_get = op_session_get,
    .session_delete = op_session_delete,
    .api_token_insert = op_api_token_insert,
    .api_token_get = op_api_token_get,
    .idempotency_get = op_idempotency_get,
    .idempotency_put = op_idempotency_put,
    .outbox_enqueue = pg_invoices_outbox_enqueue,
    .history_insert = pg_invoices_history_insert,
    .history_list = pg_invoices_history_list,
    .data_version = op_data_version, /* the list cache (issue 3) */
    .agency = &pg_agency_ops,        /* Amili hand-over: pg_agency.c */
    .books = &pg_books_ops,          /* books (issue 6): pg_books.c */
};

/* The session settings every handle runs with. */
static const char SQL_SESSION[] = "SET default_transaction_isolation = 'serializable';"
                                  "SET client_encoding = 'UTF8';"
                                  "SET TIME ZONE 'UTC';"
                                  "SET client_min_messages = 'warning'";

/* Which server a message is about: host, port and database, never the
 * user's password (libpq's own messages do not carry it either). */
static void server_name(PGconn *conn, char *dst, size_t cap)
{
    const char *host = conn ? PQhost(conn) : NULL;
    const char *port = conn ? PQport(conn) : NULL;
    const char *db = conn ? PQdb(conn) : NULL;

    snprintf(dst, cap, "%s:%s/%s", host && *host ? host : "(default host)",
             port && *port ? port : "5432", db ? db : "");
}

/* libpq's message without its trailing newline. */
static void conn_message(PGconn *conn, char *dst, size_t cap)
{
    const char *msg = conn ? PQerrorMessage(conn) : "out of memory";
    size_t len = strlen(msg);

    while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    snprintf(dst, cap, "%.*s", (int)len, msg);
}

enum pm_err pg_store_open(const char *dsn, struct store **out, struct pm_error *e)
{
    struct pg_store *s;
    char server[160], msg[200];
    enum pm_err err;
    PGresult *res;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (!s)
        return pm_error_set(e, PM_ERR_NOMEM, "", "allocating the store");
    s->base.ops = &pg_store_ops;
    s->conn = PQconnectdb(dsn);
    if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
        server_name(s->conn, server, sizeof(server));
        conn_message(s->conn, msg, sizeof(msg));
        err = pm_error_set(e, s->conn ? PM_ERR_IO : PM_ERR_NOMEM, "dsn",
                           "connecting to PostgreSQL at %s: %s", server, msg);
        goto out_close;
    }
    res = PQexec(s->conn, SQL_SESSION);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        server_name(s->conn, server, sizeof(server));
        conn_message(s->conn, msg, sizeof(msg));
        err = pm_error_set(e, PM_ERR_DB, "dsn", "setting up the session on %s: %s", server, msg);
        PQclear(res);
        goto out_close;
    }
    PQclear(res);
    err = pg_migrations_apply(s->conn, NULL, e);
    if (err)
        goto out_close;
    *out = &s->base;
    return PM_OK;

out_close:
    op_close(&s->base);
    return err;
}
