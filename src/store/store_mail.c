/*
 * store_mail.c — the e-mail outbox of reminders and statements (see
 * store_mail.h),
 * written once in SQL over the storage driver (sql.h).
 *
 * The companies with due mails are read across companies through the
 * partial index mail_outbox_due; each company's mails are then leased by a
 * statement of its own.  As in store_agency_outbox.c, PostgreSQL claims its rows
 * with FOR UPDATE SKIP LOCKED in a READ COMMITTED transaction (several
 * `paminn serve` may share the database) and SQLite with one UPDATE ...
 * RETURNING; later writes name the lease's owner.
 */
#include "store/store_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_agency_sql.h"

/* A statement's invoice_id and reminder_id are NULL: read as 0. */
#define MAIL_COLS                                                                         \
    "company_id, id, kind, coalesce(invoice_id, 0), coalesce(reminder_id, 0),"            \
    " coalesce(customer_id, 0), recipient, subject, message_id, state, attempts,"         \
    " next_attempt_at, last_answer, sent_at, created_at, updated_at, as_of, period_from," \
    " period_to"
#define MAIL_COLS_M                                                                           \
    "m.company_id, m.id, m.kind, coalesce(m.invoice_id, 0), coalesce(m.reminder_id, 0),"      \
    " coalesce(m.customer_id, 0), m.recipient, m.subject, m.message_id, m.state, m.attempts," \
    " m.next_attempt_at, m.last_answer, m.sent_at, m.created_at, m.updated_at, m.as_of,"      \
    " m.period_from, m.period_to"
/* The lease's RETURNING names the columns of the updated row bare. */
#define MAIL_COLS_RETURNING                                                              \
    "company_id, id, kind, coalesce(invoice_id, 0) AS invoice_id,"                       \
    " coalesce(reminder_id, 0) AS reminder_id, coalesce(customer_id, 0) AS customer_id," \
    " recipient, subject, message_id, state, attempts, next_attempt_at, last_answer,"    \
    " sent_at, created_at, updated_at, as_of, period_from, period_to"

static const struct sql_col mail_cols[] =
    SQL_COLS(struct mail_row, company_id, id, kind, invoice_id, reminder_id, customer_id, recipient,
             subject, message_id, state, attempts, next_attempt_at, last_answer, sent_at,
             created_at, updated_at, as_of, period_from, period_to);
static const struct sql_reader mail_reader = SQL_READER(struct mail_row, mail_cols, NULL);

static const struct sql_col list_cols[] =
    SQL_COLS(struct mail_row, company_id, id, kind, invoice_id, reminder_id, customer_id, recipient,
             subject, message_id, state, attempts, next_attempt_at, last_answer, sent_at,
             created_at, updated_at, as_of, period_from, period_to, invoice_number, customer_name);
static const struct sql_reader list_reader = SQL_READER(struct mail_row, list_cols, NULL);

struct insert_unit {
    struct mail_row *m;
    bool queued;
};

static enum pm_err insert_run(struct store *st, void *ctx)
{
    static const char sql[] =
        "INSERT INTO mail_outbox (company_id, id, kind, invoice_id, reminder_id, customer_id,"
        " recipient, subject, message_id, created_at, updated_at)"
        " SELECT $1, $2, 'reminder', $3, $4, i.customer_id, $5, $6, $7, $8, $8"
        " FROM invoices AS i WHERE i.company_id = $1 AND i.id = $3"
        " ON CONFLICT (company_id, reminder_id) DO NOTHING";
    struct insert_unit *u = ctx;
    struct mail_row *m = u->m;
    struct store_stmt *q = NULL;
    enum pm_err err;

    u->queued = false;
    err = sql_next_id(st, m->company_id, "mail_outbox", 1, &m->id);
    if (!err)
        err = sql_query(st, &q, sql, "iiiittti", m->company_id, m->id, m->invoice_id,
                        m->reminder_id, SQL_ARR(m->recipient), SQL_ARR(m->subject),
                        SQL_ARR(m->message_id), m->created_at);
    if (!err)
        err = sql_run(st, q);
    if (!err)
        u->queued = sql_changes(st, q) > 0;
    sql_done(st, q);
    return err;
}

enum pm_err store_mail_insert(struct store *st, struct mail_row *m, bool *queued)
{
    struct insert_unit u = {m, false};
    enum pm_err err;

    if (!m->created_at)
        m->created_at = sql_now();
    err = sql_atomic(st, insert_run, &u);
    *queued = !err && u.queued;
    return err;
}

struct statement_insert {
    struct mail_row *m;
    const char *body, *name;
    const void *pdf;
    size_t pdf_len;
};

static enum pm_err insert_statement_run(struct store *st, void *ctx)
{
    static const char sql[] =
        "INSERT INTO mail_outbox (company_id, id, kind, customer_id, recipient, subject,"
        " message_id, created_at, updated_at, as_of, period_from, period_to, body, attachment,"
        " attachment_name)"
        " VALUES ($1, $2, 'statement', $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12, $13)";
    struct statement_insert *u = ctx;
    struct mail_row *m = u->m;
    enum pm_err err;

    snprintf(m->kind, sizeof(m->kind), "statement");
    err = sql_next_id(st, m->company_id, "mail_outbox", 1, &m->id);
    if (!err)
        err = sql_runf(st, sql, "iiitttidddtxt", m->company_id, m->id, m->customer_id,
                       SQL_ARR(m->recipient), SQL_ARR(m->subject), SQL_ARR(m->message_id),
                       m->created_at, m->as_of, m->period_from, m->period_to,
                       SQL_CAP(u->body, (size_t)-1), u->pdf, u->pdf_len, SQL_CAP(u->name, 200));
    return err;
}

enum pm_err store_mail_insert_statement(struct store *st, struct mail_row *m, const char *body,
                                        const void *pdf, size_t pdf_len, const char *name)
{
    struct statement_insert u = {m, body, name, pdf, pdf_len};

    if (!m->created_at)
        m->created_at = sql_now();
    return sql_atomic(st, insert_statement_run, &u);
}

enum pm_err store_mail_statement_content(struct store *st, int64_t company_id, int64_t id,
                                         char **body, void **pdf, size_t *pdf_len, char *name,
                                         size_t cap)
{
    static const char sql[] = "SELECT body, attachment, attachment_name FROM mail_outbox"
                              " WHERE company_id = $1 AND id = $2 AND kind = 'statement'";
    struct store_stmt *q = NULL;
    const char *text;
    const void *data = NULL;
    size_t len = 0;
    enum pm_err err;

    *body = NULL;
    *pdf = NULL;
    *pdf_len = 0;
    err = sql_query(st, &q, sql, "ii", company_id, id);
    if (!err)
        err = sql_row(st, q, "mail_id", "no such statement mail");
    if (!err) {
        text = sql_text_ref(st, q, 0, &len);
        *body = malloc(len + 1);
        if (*body) {
            memcpy(*body, text ? text : "", len);
            (*body)[len] = '\0';
        }
        err = *body ? sql_blob(st, q, 1, &data, &len) : PM_ERR_NOMEM;
    }
    if (!err) {
        *pdf = malloc(len ? len : 1);
        if (*pdf) {
            memcpy(*pdf, data, len);
            *pdf_len = len;
        } else {
            err = PM_ERR_NOMEM;
        }
        sql_text_col(st, q, 2, name, cap);
    }
    sql_done(st, q);
    if (err) {
        free(*body);
        free(*pdf);
        *body = NULL;
        *pdf = NULL;
    }
    return err;
}

enum pm_err store_mail_of_reminder(struct store *st, int64_t company_id, int64_t reminder_id,
                                   struct mail_row *out, bool *found)
{
    static const char sql[] = "SELECT " MAIL_COLS " FROM mail_outbox"
                              " WHERE company_id = $1 AND reminder_id = $2";

    return sql_findf(st, found, &mail_reader, out, sql, "ii", company_id, reminder_id);
}

enum pm_err store_mail_list(struct store *st, int64_t company_id, int64_t invoice_id,
                            int64_t before_id, struct mail_row *out, size_t cap, size_t *n)
{
    static const char all[] =
        "SELECT " MAIL_COLS_M ", coalesce(i.number, 0), coalesce(c.name, '')"
        " FROM mail_outbox AS m"
        " LEFT JOIN invoices AS i ON i.company_id = m.company_id AND i.id = m.invoice_id"
        " LEFT JOIN customers AS c ON c.company_id = m.company_id AND c.id = m.customer_id"
        " WHERE m.company_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3";
    static const char one[] =
        "SELECT " MAIL_COLS_M ", i.number, coalesce(c.name, '') FROM mail_outbox AS m"
        " JOIN invoices AS i ON i.company_id = m.company_id AND i.id = m.invoice_id"
        " LEFT JOIN customers AS c ON c.company_id = m.company_id AND c.id = m.customer_id"
        " WHERE m.company_id = $1 AND m.invoice_id = $4 AND m.id < $2"
        " ORDER BY m.id DESC LIMIT $3";

    if (before_id <= 0)
        before_id = INT64_MAX;
    if (invoice_id)
        return sql_listf(st, &list_reader, out, cap, n, one, "iiii", company_id, before_id,
                         (int64_t)cap, invoice_id);
    return sql_listf(st, &list_reader, out, cap, n, all, "iii", company_id, before_id,
                     (int64_t)cap);
}

enum pm_err store_mail_counts(struct store *st, int64_t company_id, int64_t *queued, int64_t *sent,
                              int64_t *failed)
{
    static const char sql[] =
        "SELECT coalesce(sum(CASE WHEN state IN ('queued', 'sending', 'retry') THEN 1 ELSE 0"
        " END), 0), coalesce(sum(CASE WHEN state = 'sent' THEN 1 ELSE 0 END), 0),"
        " coalesce(sum(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0)"
        " FROM mail_outbox WHERE company_id = $1";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "i", company_id);

    if (!err)
        err = sql_row(st, q, "", "counting mails: no row");
    if (!err) {
        *queued = sql_int(st, q, 0);
        *sent = sql_int(st, q, 1);
        *failed = sql_int(st, q, 2);
    }
    sql_done(st, q);
    return err;
}

/* ---- delivery ---- */

/* The companies with mails due now, the longest waiting first, at most
 * $2: the one read that spans companies; each is then leased on its own
 * (a sharded database runs each lease on the company's shard). */
static const char DUE_COMPANIES[] =
    "SELECT company_id FROM mail_outbox"
    " WHERE state IN ('queued', 'sending', 'retry') AND next_attempt_at <= $1"
    "   AND lease_until <= $1 GROUP BY company_id"
    " ORDER BY min(next_attempt_at), company_id LIMIT $2";

/* $1 owner, $2 lease_until, $3 now, $4 how many, $5 the company. */
static const struct sql_variant LEASE = {{
    [STORE_DIALECT_SQLITE] =
        "UPDATE mail_outbox SET state = 'sending', lease_owner = $1, lease_until = $2,"
        " attempts = attempts + 1, updated_at = $3"
        " WHERE rowid IN (SELECT rowid FROM mail_outbox"
        "   WHERE company_id = $5 AND state IN ('queued', 'sending', 'retry')"
        "     AND next_attempt_at <= $3 AND lease_until <= $3"
        "   ORDER BY next_attempt_at, id LIMIT $4)"
        " RETURNING " MAIL_COLS_RETURNING,
    [STORE_DIALECT_PG] =
        "WITH due AS ("
        "  SELECT company_id, id FROM mail_outbox"
        "  WHERE company_id = $5 AND state IN ('queued', 'sending', 'retry')"
        "    AND next_attempt_at <= $3 AND lease_until <= $3"
        "  ORDER BY next_attempt_at, id LIMIT $4"
        "  FOR UPDATE SKIP LOCKED),"
        " leased AS ("
        "  UPDATE mail_outbox AS m SET state = 'sending', lease_owner = $1, lease_until = $2,"
        "    attempts = m.attempts + 1, updated_at = $3"
        "  FROM due WHERE m.company_id = $5 AND m.company_id = due.company_id AND m.id = due.id"
        "  RETURNING m.company_id, m.id, m.kind, m.invoice_id, m.reminder_id, m.customer_id,"
        "   m.recipient, m.subject, m.message_id, m.state, m.attempts, m.next_attempt_at,"
        "   m.last_answer, m.sent_at, m.created_at, m.updated_at, m.as_of, m.period_from,"
        "   m.period_to)"
        " SELECT " MAIL_COLS " FROM leased ORDER BY next_attempt_at, id",
}};

static const struct store_lease_pass mail_pass = {DUE_COMPANIES, &LEASE};
static const struct store_lease mail_lease = {&mail_pass, 1, &mail_reader, STORE_MAIL_OWNER_MAX};

enum pm_err store_mail_lease(struct store *st, const char *owner, int64_t now, int64_t lease_until,
                             struct mail_row *out, size_t cap, size_t *n)
{
    return store_lease_by_company(st, &mail_lease, owner, now, lease_until, out, sizeof(*out), cap,
                                  n);
}

/*
 * The dispatcher's writes to the rows it leased run at READ COMMITTED, as
 * the lease itself: each changes one row guarded by the lease's owner and
 * state, and needs no serializable snapshot.  As serializable writes (the
 * PostgreSQL session's default) they would take part in its conflict
 * detection with the transactions that queue mails — a daily run's chunk
 * reads mail_outbox before it inserts — and a steady stream of "sent"
 * marks aborted such a chunk on every attempt (the approval answered
 * busy).  Inside a caller's transaction the write runs under a savepoint.
 */
struct lease_write {
    int64_t company_id, id;
    const char *owner, *state, *answer;
    int64_t at, next_attempt_at;
};

static enum pm_err mark_sent_run(struct store *st, void *ctx)
{
    static const char sql[] =
        "UPDATE mail_outbox SET state = 'sent', sent_at = $4, lease_until = 0, updated_at = $4,"
        " last_answer = ''"
        " WHERE company_id = $1 AND id = $2 AND lease_owner = $3 AND state = 'sending'";
    const struct lease_write *w = ctx;

    return sql_changef(st, "lease", "marking a mail sent: no such lease", sql, "iiti",
                       w->company_id, w->id, SQL_CAP(w->owner, STORE_MAIL_OWNER_MAX), w->at);
}

enum pm_err store_mail_mark_sent(struct store *st, int64_t company_id, int64_t id,
                                 const char *owner, int64_t sent_at)
{
    struct lease_write w = {.company_id = company_id, .id = id, .owner = owner, .at = sent_at};

    return sql_atomic_commit_sent(st, mark_sent_run, &w);
}

static enum pm_err finish_run(struct store *st, void *ctx)
{
    static const char sql[] =
        "UPDATE mail_outbox SET state = $4, next_attempt_at = $5, last_answer = $6,"
        " lease_owner = '', lease_until = 0, updated_at = $7,"
        " sent_at = CASE WHEN $4 <> 'sent' THEN 0 WHEN sent_at = 0 THEN $7 ELSE sent_at END"
        " WHERE company_id = $1 AND id = $2 AND lease_owner = $3"
        " AND state IN ('sending', 'sent')";
    const struct lease_write *w = ctx;

    return sql_changef(st, "lease", "finishing a mail: no such lease", sql, "iittiti",
                       w->company_id, w->id, SQL_CAP(w->owner, STORE_MAIL_OWNER_MAX),
                       SQL_CAP(w->state, 12), w->next_attempt_at,
                       SQL_CAP(w->answer, STORE_MAIL_ANSWER_MAX), w->at);
}

enum pm_err store_mail_finish(struct store *st, int64_t company_id, int64_t id, const char *owner,
                              const char *state, int64_t next_attempt_at, const char *answer,
                              int64_t now)
{
    struct lease_write w = {company_id, id, owner, state, answer, now, next_attempt_at};

    if (strcmp(state, "retry") && strcmp(state, "failed") && strcmp(state, "sent"))
        return pm_error_set(&st->error, PM_ERR_INVALID, "state", "no such state of a mail");
    return sql_atomic_read_committed(st, finish_run, &w);
}

static enum pm_err release_run(struct store *st, void *ctx)
{
    static const char sql[] =
        "UPDATE mail_outbox SET state = CASE WHEN attempts <= 1 THEN 'queued' ELSE 'retry' END,"
        " attempts = attempts - 1, lease_owner = '', lease_until = 0, next_attempt_at = 0"
        " WHERE company_id = $1 AND id = $2 AND lease_owner = $3 AND state = 'sending'";
    const struct lease_write *w = ctx;

    return sql_changef(st, "lease", "releasing a mail: no such lease", sql, "iit", w->company_id,
                       w->id, SQL_CAP(w->owner, STORE_MAIL_OWNER_MAX));
}

enum pm_err store_mail_release(struct store *st, int64_t company_id, int64_t id, const char *owner)
{
    struct lease_write w = {.company_id = company_id, .id = id, .owner = owner};

    return sql_atomic_read_committed(st, release_run, &w);
}

enum pm_err store_mail_pending(struct store *st, int64_t *out)
{
    static const char sql[] = "SELECT count(*) FROM mail_outbox"
                              " WHERE state IN ('queued', 'sending', 'retry')";

    return sql_getf(st, "", "counting mails: no row", &sql_int_reader, out, sql, "");
}
