/*
 * store_agency_outbox.c — the delivery side of the agency outbox
 * (store_agency.h), written once in SQL over the storage driver (sql.h):
 * leases, renewals, the end of an attempt, and the sums and counts the
 * dispatcher and the status sync read.  Messages are written by
 * store_outbox_enqueue() and by a hand-over (store_agency.c).
 *
 * The work queue is read through the partial indexes outbox_due_first
 * (what a person waits for: registrations, reports, withdrawals) and
 * outbox_due (everything, in the order it fell due).  A lease goes company
 * by company: one read without locks names the companies with due rows, in
 * the order of their first due row, then each company's rows are leased by
 * a statement that names the company — so that on a database sharded by
 * company (Citus, docs/operations.md) every locking statement stays on one
 * node.  Several `paminn serve` processes may share a PostgreSQL database,
 * so there a company's lease claims its rows with FOR UPDATE SKIP LOCKED in
 * a READ COMMITTED transaction: rows another process is leasing right now
 * are passed over, and one leased and committed meanwhile fails the
 * re-check of the WHERE clause, so no row is ever leased twice and a dead
 * process's lease simply expires.  SQLite has one writer at a time and no
 * SKIP LOCKED: one UPDATE ... RETURNING is a company's lease.  Every later
 * write to a leased row names its owner, so a process whose lease was taken
 * over changes nothing (PM_ERR_NOT_FOUND, field "lease").
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_agency.h"
#include "store/store_agency_sql.h"

/* The text of a lease statement over the rows of company $5 that the
 * condition `which` picks.  $1 owner, $2 lease_until, $3 now, $4 how many;
 * the rows in the order of the queue on PostgreSQL, in the order SQLite
 * updated them on SQLite. */
#define LEASE_SQLITE(which)                                                                    \
    "UPDATE outbox SET state = 'in_flight', lease_owner = $1, lease_until = $2,"               \
    " attempts = attempts + 1, updated_at = $3"                                                \
    " WHERE rowid IN (SELECT rowid FROM outbox"                                                \
    "   WHERE company_id = $5 AND state IN ('pending', 'in_flight') AND next_attempt_at <= $3" \
    "     AND lease_until <= $3" which "   ORDER BY next_attempt_at, company_id, id LIMIT $4)" \
    " RETURNING company_id, id, invoice_id, coalesce(batch_id, 0), kind, payload,"             \
    " idempotency_key, attempts"
#define LEASE_PG(which)                                                                       \
    "WITH due AS ("                                                                           \
    "  SELECT company_id, id FROM outbox"                                                     \
    "  WHERE company_id = $5 AND state IN ('pending', 'in_flight') AND next_attempt_at <= $3" \
    "    AND lease_until <= $3" which "  ORDER BY next_attempt_at, company_id, id LIMIT $4"   \
    "  FOR UPDATE SKIP LOCKED),"                                                              \
    " leased AS ("                                                                            \
    "  UPDATE outbox AS o SET state = 'in_flight', lease_owner = $1, lease_until = $2,"       \
    "    attempts = o.attempts + 1, updated_at = $3"                                          \
    "  FROM due WHERE o.company_id = due.company_id AND o.id = due.id"                        \
    "  RETURNING o.company_id, o.id, o.invoice_id, coalesce(o.batch_id, 0) AS batch_id,"      \
    "    o.kind, o.payload, o.idempotency_key, o.attempts, o.next_attempt_at)"                \
    " SELECT company_id, id, invoice_id, batch_id, kind, payload, idempotency_key, attempts"  \
    " FROM leased ORDER BY next_attempt_at, company_id, id"

/* What a person waits for first: registrations, reports and withdrawals,
 * through the partial index outbox_due_first.  The uploads of original
 * invoices (a PDF each) come after them, so a hand-over is not queued
 * behind the uploads of an earlier large one. */
#define FIRST " AND kind <> 'upload_invoice'"

static const struct sql_variant LEASE_FIRST = {{
    [STORE_DIALECT_SQLITE] = LEASE_SQLITE(FIRST),
    [STORE_DIALECT_PG] = LEASE_PG(FIRST),
}};
/* Then whatever is due, in the queue's order (outbox_due). */
static const struct sql_variant LEASE_ANY = {{
    [STORE_DIALECT_SQLITE] = LEASE_SQLITE(""),
    [STORE_DIALECT_PG] = LEASE_PG(""),
}};

/* The companies with rows the condition `which` picks, the one whose row
 * fell due first first: $1 now, $2 how many.  A read without locks across
 * companies (on Citus, a multi-shard read). */
#define DUE_COMPANIES(which)                                             \
    "SELECT company_id FROM outbox"                                      \
    " WHERE state IN ('pending', 'in_flight') AND next_attempt_at <= $1" \
    "   AND lease_until <= $1" which " GROUP BY company_id"              \
    " ORDER BY min(next_attempt_at), company_id LIMIT $2"

static const char DUE_COMPANIES_FIRST[] = DUE_COMPANIES(FIRST);
static const char DUE_COMPANIES_ANY[] = DUE_COMPANIES("");

static const struct sql_col lease_cols[] =
    SQL_COLS(struct outbox_lease_row, company_id, id, invoice_id, batch_id, kind, payload,
             idempotency_key, attempts);

static enum pm_err lease_kind(struct store *st, struct store_stmt *q, void *out)
{
    struct outbox_lease_row *r = out;

    /* A kind this build does not know is leased like any other and then
     * refused by the dispatcher on its own, so that one bad row never stops
     * the deliveries of every company. */
    if (amili_job_parse(sql_text_ref(st, q, 4, NULL), &r->kind))
        r->kind = AMILI_JOB_UNKNOWN;
    return PM_OK;
}

static const struct sql_reader lease_reader =
    SQL_READER(struct outbox_lease_row, lease_cols, lease_kind);

/* A lease as one unit, which may run more than once (sql_atomic): every
 * run fills out[0..n) afresh. */
struct lease_unit {
    const struct store_lease *l;
    const char *owner;
    int64_t now, lease_until;
    char *out;
    size_t size, cap, n;
    int64_t *companies; /* cap of them: the companies with due rows */
};

/* Lease up to cap - u->n rows of company_id with the statement v,
 * appending to u->out. */
static enum pm_err lease_some(struct store *st, struct lease_unit *u, const struct sql_variant *v,
                              int64_t company_id)
{
    struct store_stmt *q = NULL;
    bool row = true;
    enum pm_err err =
        sql_query(st, &q, sql_text(st, v), "tiiii", SQL_CAP(u->owner, u->l->owner_max),
                  u->lease_until, u->now, (int64_t)(u->cap - u->n), company_id);

    if (err)
        return err;
    /* To the statement's end (at most the rows asked for): the update is
     * done then. */
    while (!err && row) {
        err = sql_step(st, q, &row);
        if (!err && row && u->n < u->cap) {
            err = sql_read(st, q, u->l->reader, u->out + u->n * u->size);
            u->n += !err;
        }
    }
    sql_done(st, q);
    return err;
}

static enum pm_err lease_run(struct store *st, void *ctx)
{
    struct lease_unit *u = ctx;
    size_t n_companies, i, p;
    enum pm_err err = PM_OK;

    u->n = 0;
    for (p = 0; !err && p < u->l->n_passes && u->n < u->cap; p++) {
        const struct store_lease_pass *pass = &u->l->passes[p];

        n_companies = 0;
        err = sql_listf(st, &sql_int_reader, u->companies, u->cap - u->n, &n_companies,
                        pass->due_companies, "ii", u->now, (int64_t)(u->cap - u->n));
        for (i = 0; !err && i < n_companies && u->n < u->cap; i++)
            err = lease_some(st, u, pass->lease, u->companies[i]);
    }
    if (err)
        u->n = 0;
    return err;
}

enum pm_err store_lease_by_company(struct store *st, const struct store_lease *l, const char *owner,
                                   int64_t now, int64_t lease_until, void *out, size_t size,
                                   size_t cap, size_t *n)
{
    struct lease_unit u = {l, owner, now, lease_until, out, size, cap, 0, NULL};
    enum pm_err err;

    *n = 0;
    if (cap == 0)
        return PM_OK;
    u.companies = calloc(cap, sizeof(*u.companies));
    if (!u.companies)
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "leasing: out of memory");
    err = sql_atomic_read_committed(st, lease_run, &u);
    if (!err)
        *n = u.n;
    free(u.companies);
    return err;
}

/* Registrations first (a large hand-over's uploads do not hold them up),
 * then whatever is due. */
static const struct store_lease_pass outbox_passes[] = {
    {DUE_COMPANIES_FIRST, &LEASE_FIRST},
    {DUE_COMPANIES_ANY, &LEASE_ANY},
};
static const struct store_lease outbox_lease = {outbox_passes, 2, &lease_reader,
                                                STORE_AGENCY_OWNER_MAX};

enum pm_err store_agency_outbox_lease(struct store *st, const char *owner, int64_t now,
                                      int64_t lease_until, struct outbox_lease_row *out, size_t cap,
                                      size_t *n)
{
    return store_lease_by_company(st, &outbox_lease, owner, now, lease_until, out, sizeof(*out),
                                  cap, n);
}

enum pm_err store_agency_outbox_renew(struct store *st, int64_t company_id, int64_t id,
                                      const char *owner, int64_t lease_until)
{
    static const char sql[] = "UPDATE outbox SET lease_until = $4 WHERE company_id = $1 AND id = $2"
                              " AND lease_owner = $3 AND state = 'in_flight'";

    return store_agency_writef(st, "lease", "renewing a lease: no such row", sql, "iiti",
                               company_id, id, SQL_CAP(owner, STORE_AGENCY_OWNER_MAX), lease_until);
}

enum pm_err store_agency_outbox_finish(struct store *st, int64_t company_id, int64_t id,
                                       const char *owner, enum outbox_outcome outcome,
                                       int64_t next_attempt_at, const char *last_error)
{
    static const char sql[] =
        "UPDATE outbox SET state = $4, next_attempt_at = $5, lease_owner = '',"
        " lease_until = 0, last_error = $6, updated_at = $7"
        " WHERE company_id = $1 AND id = $2 AND lease_owner = $3 AND state = 'in_flight'";
    static const char *const states[] = {
        [OUTBOX_DONE] = "done", [OUTBOX_FAILED] = "failed", [OUTBOX_RETRY] = "pending"};

    if ((unsigned)outcome > OUTBOX_RETRY)
        return pm_error_set(&st->error, PM_ERR_INVALID, "outcome", "no such outcome");
    return store_agency_writef(st, "lease", "finishing an outbox row: no such row", sql, "iittiti",
                               company_id, id, SQL_CAP(owner, STORE_AGENCY_OWNER_MAX),
                               SQL_CAP(states[outcome], 16), next_attempt_at,
                               SQL_CAP(last_error, STORE_TEXT_MAX), sql_now());
}

/* The amounts summed as numbers and read as an integer (truncated towards
 * zero): SQLite's json_extract, PostgreSQL's jsonb. */
static const struct sql_variant REPORTED = {{
    [STORE_DIALECT_SQLITE] =
        "SELECT coalesce(sum(json_extract(payload, '$.amount_minor')), 0) FROM outbox"
        " WHERE company_id = $1 AND invoice_id = $2"
        " AND kind IN ('report_payment', 'report_crediting') AND state <> 'failed'",
    [STORE_DIALECT_PG] =
        "SELECT trunc(coalesce(sum((payload::jsonb ->> 'amount_minor')::numeric), 0))::bigint"
        " FROM outbox WHERE company_id = $1 AND invoice_id = $2"
        " AND kind IN ('report_payment', 'report_crediting') AND state <> 'failed'",
}};

enum pm_err store_agency_outbox_reported(struct store *st, int64_t company_id, int64_t invoice_id,
                                         int64_t *out)
{
    return sql_getf(st, "", "summing reported amounts: no row", &sql_int_reader, out,
                    sql_text(st, &REPORTED), "ii", company_id, invoice_id);
}

enum pm_err store_agency_outbox_pending(struct store *st, const enum amili_job *kind, int64_t *out)
{
    static const char sql[] = "SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')"
                              " AND (CAST($1 AS TEXT) IS NULL OR kind = CAST($1 AS TEXT))";

    /* No kind: $1 is NULL, all kinds. */
    return sql_getf(st, "", "counting the outbox: no row", &sql_int_reader, out, sql,
                    kind ? "t" : "n", SQL_CAP(kind ? amili_job_name(*kind) : NULL, 32));
}
