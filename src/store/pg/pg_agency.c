/*
 * pg_agency.c — the Amili hand-over's operations in the PostgreSQL engine
 * (struct store_agency_ops of store/store_agency.h), behaving as the SQLite
 * engine's sqlite_agency.c does: the same return codes, error fields,
 * ordering, history events and invoice agency states.
 *
 * Tables of migrations 1 and 2: amili_activations, handover_batches,
 * agency_claims, outbox (delivery side), agency_cases, sync_cursors,
 * agency_seen, agency_tokens, agency_payout_lines; and invoices'
 * agency_state / agency_status.
 *
 * Several `paminn serve` processes share the database, so:
 *   - a hand-over batch is one atomic unit (its own transaction, or the
 *     caller's) whose writes are a few statements whatever its size: the
 *     claims, outbox rows and history events go in as multi-row INSERTs over
 *     arrays bound in PostgreSQL's binary array format (no SQL text is
 *     built), with ids reserved in one step per series;
 *   - the dispatcher's work queue is claimed with FOR UPDATE SKIP LOCKED in
 *     a READ COMMITTED transaction, so two processes leasing at once never
 *     get the same row, and a dead process's lease simply expires;
 *   - every later write to a leased row names its owner, so a process whose
 *     lease was taken over changes nothing (PM_ERR_NOT_FOUND, field lease);
 *   - a write inside the caller's transaction (the dispatcher's round, an
 *     API request) runs under a savepoint, so a failed one (a conflict the
 *     caller handles) leaves that transaction usable, as in SQLite.
 *
 * Text the caller passes by pointer is bound as SQLite binds it: up to its
 * NUL or the column's bound, whichever comes first (see bounded()).
 */
#include "store/pg/pg_store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_agency.h"

/* Element types of the binary arrays (pg_type.oid, fixed for built-ins). */
#define OID_INT8 20
#define OID_TEXT 25

static struct pg_store *engine(struct store *st)
{
    return (struct pg_store *)st;
}

/* s as the SQLite engine binds it: up to its NUL or cap bytes.  A longer
 * value is copied, cut at cap bytes, into buf (cap + 1 bytes). */
static const char *bounded(const char *s, size_t cap, char *buf)
{
    if (!s || strnlen(s, cap) < cap)
        return s;
    memcpy(buf, s, cap);
    buf[cap] = '\0';
    return buf;
}

/* One statement as an atomic unit of its own.  Outside a transaction it
 * simply runs (and is retried on a serialisation failure); inside the
 * caller's it runs under a savepoint, so that a failed statement (a
 * conflict the caller handles, say) leaves that transaction usable, as a
 * failed SQLite statement does.  *out (may be NULL) as for pg_store_exec. */
static enum pm_err exec_unit(struct pg_store *s, const char *sql, const struct pg_params *p,
                             PGresult **out, const char *what)
{
    enum pm_err err;
    bool own = false;

    if (!pg_store_in_transaction(s))
        return pg_store_exec(s, sql, p, out, what);
    if (out)
        *out = NULL;
    err = pg_store_tx_begin(s, &own);
    if (err)
        return err;
    err = pg_store_tx_end(s, own, pg_store_exec(s, sql, p, out, what));
    if (err && out && *out) {
        PQclear(*out);
        *out = NULL;
    }
    return err;
}

/* Run sql for its effect; PM_ERR_NOT_FOUND (field) when no row changed. */
static enum pm_err exec_change(struct pg_store *s, const char *sql, const struct pg_params *p,
                               const char *what, const char *field)
{
    PGresult *res = NULL;
    enum pm_err err = exec_unit(s, sql, p, &res, what);

    if (err)
        return err;
    if (!strcmp(PQcmdTuples(res), "0"))
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, field, "%s: no such row", what);
    PQclear(res);
    return err;
}

/* Run sql, which yields one row of one integer, into *out. */
static enum pm_err exec_int(struct pg_store *s, const char *sql, const struct pg_params *p,
                            const char *what, int64_t *out)
{
    PGresult *res = NULL;
    enum pm_err err = pg_store_exec_row(s, sql, p, &res, what);

    if (err)
        return err;
    *out = pg_get_int(res, 0, 0);
    PQclear(res);
    return PM_OK;
}

/* ---- arrays in binary format ---- */

/* A one-dimensional array without NULLs as array_recv() reads it: ndim,
 * has-nulls flag, element type, length, lower bound, then per element its
 * length and bytes (all integers in network order). */
struct bin_array {
    unsigned char *data;
    size_t len, cap;
};

static void put32(struct bin_array *a, uint32_t v)
{
    unsigned char *d = a->data + a->len;

    d[0] = (unsigned char)(v >> 24);
    d[1] = (unsigned char)(v >> 16);
    d[2] = (unsigned char)(v >> 8);
    d[3] = (unsigned char)v;
    a->len += 4;
}

/* Allocate room for n elements of `bytes` element bytes in all and write
 * the header. */
static enum pm_err array_begin(struct pg_store *s, struct bin_array *a, uint32_t oid, size_t n,
                               size_t bytes)
{
    a->len = 0;
    a->cap = 20 + 4 * n + bytes;
    a->data = malloc(a->cap);
    if (!a->data)
        return pm_error_set(&s->base.error, PM_ERR_NOMEM, "", "building a batch");
    put32(a, 1);
    put32(a, 0);
    put32(a, oid);
    put32(a, (uint32_t)n);
    put32(a, 1);
    return PM_OK;
}

static void array_int(struct bin_array *a, int64_t v)
{
    uint64_t u = (uint64_t)v;

    put32(a, 8);
    put32(a, (uint32_t)(u >> 32));
    put32(a, (uint32_t)u);
}

static void array_text(struct bin_array *a, const char *v, size_t len)
{
    put32(a, (uint32_t)len);
    memcpy(a->data + a->len, v, len);
    a->len += len;
}

static void array_release(struct bin_array *a)
{
    free(a->data);
    a->data = NULL;
    a->len = a->cap = 0;
}

/* ---- activation ---- */

static void activation_read(const PGresult *r, int i, struct amili_activation *a)
{
    memset(a, 0, sizeof(*a));
    a->company_id = pg_get_int(r, i, 0);
    pg_get_arr(r, i, 1, a->terms_version);
    a->accepted_by_user = pg_get_int(r, i, 2);
    pg_get_arr(r, i, 3, a->accepted_by);
    a->accepted_at = pg_get_int(r, i, 4);
    pg_get_arr(r, i, 5, a->account_id);
    pg_get_arr(r, i, 6, a->creditor_id);
    pg_get_arr(r, i, 7, a->state);
    pg_get_arr(r, i, 8, a->failure);
    a->updated_at = pg_get_int(r, i, 9);
}

#define ACTIVATION_SELECT                                                              \
    "SELECT a.company_id, a.terms_version, a.accepted_by_user, coalesce(u.email, '')," \
    " a.accepted_at, a.account_id, a.creditor_id, a.state, a.failure, a.updated_at"    \
    " FROM amili_activations AS a LEFT JOIN users AS u ON u.id = a.accepted_by_user"

static enum pm_err op_activation_get(struct store *stp, int64_t company_id,
                                     struct amili_activation *out)
{
    static const char sql[] = ACTIVATION_SELECT " WHERE a.company_id = $1";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    err = pg_store_exec(s, sql, &p, &res, "reading the activation");
    if (err)
        return err;
    if (PQntuples(res) > 0)
        activation_read(res, 0, out);
    else
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "company", "not activated");
    PQclear(res);
    return err;
}

static enum pm_err op_activation_put(struct store *stp, const struct amili_activation *a)
{
    static const char sql[] =
        "INSERT INTO amili_activations (company_id, terms_version, accepted_by_user, accepted_at,"
        " account_id, creditor_id, state, failure, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT (company_id) DO UPDATE SET terms_version = EXCLUDED.terms_version,"
        " accepted_by_user = EXCLUDED.accepted_by_user, accepted_at = EXCLUDED.accepted_at,"
        " account_id = EXCLUDED.account_id, creditor_id = EXCLUDED.creditor_id,"
        " state = EXCLUDED.state, failure = EXCLUDED.failure, updated_at = EXCLUDED.updated_at";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, a->company_id);
    pg_param_arr(&p, a->terms_version);
    pg_param_int(&p, a->accepted_by_user);
    pg_param_int(&p, a->accepted_at);
    pg_param_arr(&p, a->account_id);
    pg_param_arr(&p, a->creditor_id);
    pg_param_arr(&p, a->state);
    pg_param_arr(&p, a->failure);
    pg_param_int(&p, a->updated_at);
    return exec_unit(engine(stp), sql, &p, NULL, "storing the activation");
}

static enum pm_err op_activation_list_active(struct store *stp, int64_t after_company,
                                             struct amili_activation *out, size_t cap, size_t *n)
{
    static const char sql[] = ACTIVATION_SELECT
        " WHERE a.state = 'active' AND a.company_id > $1 ORDER BY a.company_id LIMIT $2";
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;
    int i, rows;

    *n = 0;
    pg_params_init(&p);
    pg_param_int(&p, after_company);
    pg_param_int(&p, (int64_t)cap);
    err = pg_store_exec(engine(stp), sql, &p, &res, "listing activations");
    if (err)
        return err;
    rows = PQntuples(res);
    for (i = 0; i < rows && (size_t)i < cap; i++)
        activation_read(res, i, &out[(*n)++]);
    PQclear(res);
    return PM_OK;
}

/* ---- hand-over ---- */

static void facts_read(const PGresult *r, int64_t company_id, struct handover_row *out)
{
    struct invoice *inv = &out->inv;
    struct customer *cu = &out->cu;

    inv->company_id = cu->company_id = company_id;
    inv->id = pg_get_int(r, 0, 0);
    inv->number = pg_get_int(r, 0, 1);
    inv->customer_id = cu->id = pg_get_int(r, 0, 2);
    if (invoice_kind_parse(PQgetvalue(r, 0, 3), &inv->kind))
        inv->kind = INVOICE_STANDARD;
    pg_get_arr(r, 0, 4, inv->currency);
    inv->invoice_date = (int32_t)pg_get_int(r, 0, 5);
    inv->due_date = (int32_t)pg_get_int(r, 0, 6);
    inv->total_minor = pg_get_int(r, 0, 7);
    inv->tax_reduction_minor = pg_get_int(r, 0, 8);
    inv->customer_part_minor = pg_get_int(r, 0, 9);
    inv->paid_minor = pg_get_int(r, 0, 10);
    inv->credited_minor = pg_get_int(r, 0, 11);
    inv->remaining_minor = pg_get_int(r, 0, 12);
    if (store_invoice_state_parse(PQgetvalue(r, 0, 13), &inv->state))
        inv->state = INVOICE_STATE_OPEN;
    pg_get_arr(r, 0, 14, inv->agency_state);
    pg_get_arr(r, 0, 15, inv->agency_status);
    pg_get_arr(r, 0, 16, cu->name);
    snprintf(inv->customer_name, sizeof(inv->customer_name), "%s", cu->name);
    cu->is_company = pg_get_bool(r, 0, 17);
    pg_get_arr(r, 0, 18, cu->id_number);
    pg_get_arr(r, 0, 19, cu->address_line_1);
    pg_get_arr(r, 0, 20, cu->address_line_2);
    pg_get_arr(r, 0, 21, cu->zip_code);
    pg_get_arr(r, 0, 22, cu->city);
    pg_get_arr(r, 0, 23, cu->country);
    pg_get_arr(r, 0, 24, cu->email);
    pg_get_arr(r, 0, 25, cu->mobile_number);
    pg_get_arr(r, 0, 26, cu->language);
    out->claimed = pg_get_bool(r, 0, 27);
    out->has_case = pg_get_bool(r, 0, 28);
    out->reminder_fees_minor = pg_get_int(r, 0, 29);
    out->last_reminder_date = (int32_t)pg_get_int(r, 0, 30);
}

/* One statement: the invoice, its customer card and the hand-over facts
 * (10 000 of these make one hand-over request, so no second query). */
static enum pm_err op_handover_facts(struct store *stp, int64_t company_id, int64_t invoice_id,
                                     struct handover_row *out)
{
    static const char sql[] =
        "SELECT i.id, i.number, i.customer_id, i.kind, i.currency, i.invoice_date, i.due_date,"
        " i.total_minor, i.tax_reduction_minor, i.customer_part_minor, i.paid_minor,"
        " i.credited_minor, i.remaining_minor, i.state, i.agency_state, i.agency_status,"
        " c.name, c.is_company, c.id_number, c.address_line_1, c.address_line_2, c.zip_code,"
        " c.city, c.country, c.email, c.mobile_number, c.language,"
        " EXISTS (SELECT 1 FROM agency_claims AS k"
        "         WHERE k.company_id = i.company_id AND k.invoice_id = i.id),"
        " EXISTS (SELECT 1 FROM agency_cases AS a"
        "         WHERE a.company_id = i.company_id AND a.invoice_id = i.id),"
        " coalesce((SELECT sum(r.fee_minor) FROM reminders AS r"
        "           WHERE r.company_id = i.company_id AND r.invoice_id = i.id), 0)::bigint,"
        " coalesce((SELECT max(r.date) FROM reminders AS r"
        "           WHERE r.company_id = i.company_id AND r.invoice_id = i.id"
        "             AND r.fee_minor > 0), 0)"
        " FROM invoices AS i JOIN customers AS c"
        "   ON c.company_id = i.company_id AND c.id = i.customer_id"
        " WHERE i.company_id = $1 AND i.id = $2";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    memset(out, 0, sizeof(*out));
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, invoice_id);
    err = pg_store_exec(s, sql, &p, &res, "reading hand-over facts");
    if (err)
        return err;
    if (PQntuples(res) > 0)
        facts_read(res, company_id, out);
    else
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    PQclear(res);
    return err;
}

/* A hand-over batch as one atomic unit; the arrays are built once and the
 * unit may run more than once (pg_store_atomic). */
struct claim_unit {
    struct handover_batch b; /* id filled by each run */
    size_t n;
    struct bin_array invoice_ids; /* bigint[] in claim order */
    struct bin_array payloads;    /* text[] in claim order */
    const char *actor, *message;
    int64_t at_us;
};

static enum pm_err insert_batch(struct pg_store *s, const struct handover_batch *b)
{
    static const char sql[] =
        "INSERT INTO handover_batches (company_id, id, created_by, created_at, total)"
        " VALUES ($1, $2, $3, $4, $5)";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, b->company_id);
    pg_param_int(&p, b->id);
    pg_param_int(&p, b->created_by);
    pg_param_int(&p, b->created_at);
    pg_param_int(&p, b->total);
    return pg_store_exec(s, sql, &p, NULL, "inserting a hand-over batch");
}

/* The claims, in claim order: the first already claimed invoice (or the
 * second of a repeated one) fails the batch with PM_ERR_CONFLICT. */
static enum pm_err insert_claims(struct pg_store *s, const struct claim_unit *u)
{
    static const char sql[] =
        "INSERT INTO agency_claims (company_id, invoice_id, claimed_at, batch_id)"
        " SELECT $1, t.iid, $2, $3 FROM unnest($4::bigint[]) WITH ORDINALITY AS t(iid, ord)"
        " ORDER BY t.ord";
    struct pg_params p;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, u->b.company_id);
    pg_param_int(&p, u->b.created_at);
    pg_param_int(&p, u->b.id);
    pg_param_bytes(&p, u->invoice_ids.data, u->invoice_ids.len);
    err = pg_store_exec(s, sql, &p, NULL, "claiming an invoice");
    if (err == PM_ERR_CONFLICT)
        snprintf(s->base.error.field, sizeof(s->base.error.field), "invoice_id");
    return err;
}

/* A "register" outbox row per claim, ids from first in claim order. */
static enum pm_err insert_outbox(struct pg_store *s, const struct claim_unit *u, int64_t first)
{
    static const char sql[] =
        "INSERT INTO outbox (company_id, id, invoice_id, batch_id, kind, payload, state,"
        " idempotency_key, created_at, updated_at)"
        " SELECT $1, $2::bigint + t.ord - 1, t.iid, $3, 'register', t.payload, 'pending',"
        "   'register-' || t.iid || '-' || $3::bigint, $4, $4"
        " FROM unnest($5::bigint[], $6::text[]) WITH ORDINALITY AS t(iid, payload, ord)"
        " ORDER BY t.ord";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, u->b.company_id);
    pg_param_int(&p, first);
    pg_param_int(&p, u->b.id);
    pg_param_int(&p, u->b.created_at);
    pg_param_bytes(&p, u->invoice_ids.data, u->invoice_ids.len);
    pg_param_bytes(&p, u->payloads.data, u->payloads.len);
    return pg_store_exec(s, sql, &p, NULL, "queueing a registration");
}

/* For the whole batch at once: the amili_queued events (ids from
 * first_event, in claim order, data {"batch_id":N} as SQLite's
 * json_object writes it) and agency_state "queued". */
static enum pm_err mark_batch(struct pg_store *s, const struct claim_unit *u, int64_t first_event)
{
    static const char sql_events[] =
        "INSERT INTO history_events (company_id, id, invoice_id, at_us, kind, actor, message,"
        " data)"
        " SELECT $1, $2::bigint + t.ord - 1, t.iid, $3, 'amili_queued', $4, $5,"
        "   '{\"batch_id\":' || $6::bigint || '}'"
        " FROM unnest($7::bigint[]) WITH ORDINALITY AS t(iid, ord) ORDER BY t.ord";
    static const char sql_invoices[] =
        "UPDATE invoices SET agency_state = 'queued', agency_status = ''"
        " WHERE company_id = $1 AND id = ANY ($2::bigint[])";
    char actor[STORE_EMAIL_MAX + 1], message[STORE_TEXT_MAX + 1];
    struct pg_params p;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, u->b.company_id);
    pg_param_int(&p, first_event);
    pg_param_int(&p, u->at_us);
    pg_param_text(&p, bounded(u->actor, STORE_EMAIL_MAX, actor), sizeof(actor));
    pg_param_text(&p, bounded(u->message, STORE_TEXT_MAX, message), sizeof(message));
    pg_param_int(&p, u->b.id);
    pg_param_bytes(&p, u->invoice_ids.data, u->invoice_ids.len);
    err = pg_store_exec(s, sql_events, &p, NULL, "recording the hand-over");
    if (err)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, u->b.company_id);
    pg_param_bytes(&p, u->invoice_ids.data, u->invoice_ids.len);
    return pg_store_exec(s, sql_invoices, &p, NULL, "marking the invoices");
}

static enum pm_err claim_run(struct pg_store *s, void *ctx)
{
    struct claim_unit *u = ctx;
    int64_t first_outbox = 0, first_event = 0;
    enum pm_err err;

    err = pg_store_next_id(s, u->b.company_id, "handover_batches", 1, &u->b.id);
    if (!err)
        err = insert_batch(s, &u->b);
    if (!err)
        err = pg_store_reserve_ids(s, u->b.company_id, "outbox", 1, (int64_t)u->n, &first_outbox);
    if (!err)
        err = pg_store_reserve_ids(s, u->b.company_id, "history_events", 1, (int64_t)u->n,
                                   &first_event);
    if (!err)
        err = insert_claims(s, u);
    if (!err)
        err = insert_outbox(s, u, first_outbox);
    if (!err)
        err = mark_batch(s, u, first_event);
    return err;
}

/* The batch's invoice ids and payloads as binary arrays (a payload bound
 * up to STORE_AGENCY_PAYLOAD_MAX bytes, as the SQLite engine binds it). */
static enum pm_err claim_arrays(struct pg_store *s, struct claim_unit *u,
                                const struct handover_claim *claims)
{
    size_t i, bytes = 0;
    enum pm_err err;

    for (i = 0; i < u->n; i++)
        bytes += claims[i].payload ? strnlen(claims[i].payload, STORE_AGENCY_PAYLOAD_MAX) : 0;
    err = array_begin(s, &u->invoice_ids, OID_INT8, u->n, 8 * u->n);
    if (!err)
        err = array_begin(s, &u->payloads, OID_TEXT, u->n, bytes);
    for (i = 0; !err && i < u->n; i++) {
        const char *payload = claims[i].payload ? claims[i].payload : "";

        array_int(&u->invoice_ids, claims[i].invoice_id);
        array_text(&u->payloads, payload, strnlen(payload, STORE_AGENCY_PAYLOAD_MAX));
    }
    return err;
}

static enum pm_err op_handover_claim(struct store *stp, struct handover_batch *batch,
                                     const struct handover_claim *claims, size_t n,
                                     const char *actor, int64_t at_us)
{
    struct pg_store *s = engine(stp);
    struct claim_unit u;
    enum pm_err err;

    if (n == 0)
        return pm_error_set(&s->base.error, PM_ERR_INVALID, "invoice_ids", "nothing to claim");
    if (n > INT32_MAX / 16)
        return pm_error_set(&s->base.error, PM_ERR_RANGE, "invoice_ids", "too many claims");
    memset(&u, 0, sizeof(u));
    u.b = *batch;
    if (!u.b.created_at)
        u.b.created_at = pg_store_now();
    u.b.total = (int64_t)n;
    u.n = n;
    u.actor = actor;
    u.message = claims[0].message;
    u.at_us = at_us;
    err = claim_arrays(s, &u, claims);
    if (!err)
        err = pg_store_atomic(s, claim_run, &u);
    if (!err)
        *batch = u.b;
    array_release(&u.invoice_ids);
    array_release(&u.payloads);
    return err;
}

static void item_read(const PGresult *r, int i, struct handover_item *it)
{
    const char *state = PQgetvalue(r, i, 1);

    memset(it, 0, sizeof(*it));
    it->invoice_id = pg_get_int(r, i, 0);
    if (!strcmp(state, "done"))
        it->status = HANDOVER_REGISTERED;
    else if (!strcmp(state, "failed"))
        it->status = HANDOVER_FAILED;
    else
        it->status = HANDOVER_QUEUED;
    if (it->status == HANDOVER_REGISTERED) {
        pg_get_arr(r, i, 2, it->case_id);
        pg_get_arr(r, i, 3, it->ocr);
    }
    if (it->status == HANDOVER_FAILED)
        pg_get_arr(r, i, 4, it->last_error);
}

static enum pm_err op_handover_batch_get(struct store *stp, int64_t company_id, int64_t batch_id,
                                         struct handover_batch *out, struct handover_item *items,
                                         size_t cap, size_t *n)
{
    static const char sql_batch[] =
        "SELECT company_id, id, created_by, created_at, total FROM handover_batches"
        " WHERE company_id = $1 AND id = $2";
    static const char sql_items[] =
        "SELECT o.invoice_id, o.state, coalesce(c.case_id, ''), coalesce(c.ocr, ''), o.last_error"
        " FROM outbox AS o LEFT JOIN agency_cases AS c"
        "   ON c.company_id = o.company_id AND c.invoice_id = o.invoice_id"
        " WHERE o.company_id = $1 AND o.batch_id = $2 AND o.kind = 'register'"
        " ORDER BY o.id LIMIT $3";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;
    int i, rows;

    if (n)
        *n = 0;
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, batch_id);
    err = pg_store_exec(s, sql_batch, &p, &res, "reading a batch");
    if (err)
        return err;
    if (PQntuples(res) > 0) {
        memset(out, 0, sizeof(*out));
        out->company_id = pg_get_int(res, 0, 0);
        out->id = pg_get_int(res, 0, 1);
        out->created_by = pg_get_int(res, 0, 2);
        out->created_at = pg_get_int(res, 0, 3);
        out->total = pg_get_int(res, 0, 4);
    } else {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "batch_id", "no such batch");
    }
    PQclear(res);
    if (err || !items)
        return err;
    pg_param_int(&p, (int64_t)cap);
    err = pg_store_exec(s, sql_items, &p, &res, "listing a batch");
    if (err)
        return err;
    rows = PQntuples(res);
    for (i = 0; i < rows && (size_t)i < cap; i++)
        item_read(res, i, &items[(*n)++]);
    PQclear(res);
    return PM_OK;
}

/* ---- the outbox, delivery side ---- */

struct lease_unit {
    const char *owner;
    int64_t now, lease_until;
    struct outbox_lease_row *out;
    size_t cap, n;
};

/* The SQLite engine's selection (unfinished, due, lease expired), claimed
 * with SKIP LOCKED: rows another process is leasing right now are passed
 * over, and one leased and committed meanwhile fails the re-check of the
 * WHERE clause (READ COMMITTED), so no row is ever leased twice. */
static enum pm_err lease_run(struct pg_store *s, void *ctx)
{
    static const char sql[] =
        "WITH due AS ("
        "  SELECT company_id, id FROM outbox"
        "  WHERE state IN ('pending', 'in_flight') AND next_attempt_at <= $3"
        "    AND lease_until <= $3"
        "  ORDER BY next_attempt_at, company_id, id LIMIT $4"
        "  FOR UPDATE SKIP LOCKED),"
        " leased AS ("
        "  UPDATE outbox AS o SET state = 'in_flight', lease_owner = $1, lease_until = $2,"
        "    attempts = o.attempts + 1, updated_at = $3"
        "  FROM due WHERE o.company_id = due.company_id AND o.id = due.id"
        "  RETURNING o.company_id, o.id, o.invoice_id, coalesce(o.batch_id, 0) AS batch_id,"
        "    o.kind, o.payload, o.idempotency_key, o.attempts, o.next_attempt_at)"
        " SELECT company_id, id, invoice_id, batch_id, kind, payload, idempotency_key, attempts"
        " FROM leased ORDER BY next_attempt_at, company_id, id";
    struct lease_unit *u = ctx;
    char owner[STORE_AGENCY_OWNER_MAX + 1];
    struct outbox_lease_row *r;
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;
    int i, rows;

    u->n = 0;
    pg_params_init(&p);
    pg_param_text(&p, bounded(u->owner, STORE_AGENCY_OWNER_MAX, owner), sizeof(owner));
    pg_param_int(&p, u->lease_until);
    pg_param_int(&p, u->now);
    pg_param_int(&p, (int64_t)u->cap);
    err = pg_store_exec(s, sql, &p, &res, "leasing outbox rows");
    if (err)
        return err;
    rows = PQntuples(res);
    for (i = 0; i < rows && u->n < u->cap; i++) {
        r = &u->out[u->n++];
        memset(r, 0, sizeof(*r));
        r->company_id = pg_get_int(res, i, 0);
        r->id = pg_get_int(res, i, 1);
        r->invoice_id = pg_get_int(res, i, 2);
        r->batch_id = pg_get_int(res, i, 3);
        pg_get_arr(res, i, 4, r->kind);
        pg_get_arr(res, i, 5, r->payload);
        pg_get_arr(res, i, 6, r->idempotency_key);
        r->attempts = (int)pg_get_int(res, i, 7);
    }
    PQclear(res);
    return PM_OK;
}

static enum pm_err op_outbox_lease(struct store *stp, const char *owner, int64_t now,
                                   int64_t lease_until, struct outbox_lease_row *out, size_t cap,
                                   size_t *n)
{
    struct lease_unit u = {owner, now, lease_until, out, cap, 0};
    enum pm_err err;

    *n = 0;
    if (cap == 0)
        return PM_OK;
    err = pg_store_atomic_read_committed(engine(stp), lease_run, &u);
    if (!err)
        *n = u.n;
    return err;
}

static enum pm_err op_outbox_renew(struct store *stp, int64_t company_id, int64_t id,
                                   const char *owner, int64_t lease_until)
{
    static const char sql[] = "UPDATE outbox SET lease_until = $4 WHERE company_id = $1 AND id = $2"
                              " AND lease_owner = $3 AND state = 'in_flight'";
    char owner_buf[STORE_AGENCY_OWNER_MAX + 1];
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, id);
    pg_param_text(&p, bounded(owner, STORE_AGENCY_OWNER_MAX, owner_buf), sizeof(owner_buf));
    pg_param_int(&p, lease_until);
    return exec_change(engine(stp), sql, &p, "renewing a lease", "lease");
}

static enum pm_err op_outbox_finish(struct store *stp, int64_t company_id, int64_t id,
                                    const char *owner, enum outbox_outcome outcome,
                                    int64_t next_attempt_at, const char *last_error)
{
    static const char sql[] =
        "UPDATE outbox SET state = $4, next_attempt_at = $5, lease_owner = '',"
        " lease_until = 0, last_error = $6, updated_at = $7"
        " WHERE company_id = $1 AND id = $2 AND lease_owner = $3 AND state = 'in_flight'";
    static const char *const states[] = {
        [OUTBOX_DONE] = "done", [OUTBOX_FAILED] = "failed", [OUTBOX_RETRY] = "pending"};
    char owner_buf[STORE_AGENCY_OWNER_MAX + 1], error_buf[STORE_TEXT_MAX + 1];
    struct pg_store *s = engine(stp);
    struct pg_params p;

    if ((unsigned)outcome > OUTBOX_RETRY)
        return pm_error_set(&s->base.error, PM_ERR_INVALID, "outcome", "no such outcome");
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, id);
    pg_param_text(&p, bounded(owner, STORE_AGENCY_OWNER_MAX, owner_buf), sizeof(owner_buf));
    pg_param_text(&p, states[outcome], 16);
    pg_param_int(&p, next_attempt_at);
    pg_param_text(&p, bounded(last_error, STORE_TEXT_MAX, error_buf), sizeof(error_buf));
    pg_param_int(&p, pg_store_now());
    return exec_change(s, sql, &p, "finishing an outbox row", "lease");
}

/* SQLite's sum(json_extract(...)) read as an integer: numbers summed,
 * truncated towards zero. */
static enum pm_err op_outbox_reported(struct store *stp, int64_t company_id, int64_t invoice_id,
                                      int64_t *out)
{
    static const char sql[] =
        "SELECT trunc(coalesce(sum((payload::jsonb ->> 'amount_minor')::numeric), 0))::bigint"
        " FROM outbox WHERE company_id = $1 AND invoice_id = $2"
        " AND kind IN ('report_payment', 'report_crediting') AND state <> 'failed'";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, invoice_id);
    return exec_int(engine(stp), sql, &p, "summing reported amounts", out);
}

static enum pm_err op_outbox_pending(struct store *stp, const char *kind, int64_t *out)
{
    static const char sql[] = "SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')"
                              " AND ($1::text IS NULL OR kind = $1::text)";
    char kind_buf[32 + 1];
    struct pg_params p;

    pg_params_init(&p);
    if (kind)
        pg_param_text(&p, bounded(kind, 32, kind_buf), sizeof(kind_buf));
    else
        pg_param_null(&p);
    return exec_int(engine(stp), sql, &p, "counting the outbox", out);
}

/* ---- cases ---- */

#define CASE_COLS                                                                             \
    "company_id, invoice_id, case_id, ocr, state, status, closed, capital_minor, fees_minor," \
    " interest_minor, paid_minor, remaining_minor, disputed, instalment_plan, etag,"          \
    " registered_at, synced_at, state_events, status_events, agency_paid_minor,"              \
    " payout_minor, original_invoice_url"

/* $1..$22 in CASE_COLS order. */
static void case_params(struct pg_params *p, const struct agency_case *c)
{
    pg_param_int(p, c->company_id);
    pg_param_int(p, c->invoice_id);
    pg_param_arr(p, c->case_id);
    pg_param_arr(p, c->ocr);
    pg_param_arr(p, c->state);
    pg_param_arr(p, c->status);
    pg_param_bool(p, c->closed);
    pg_param_int(p, c->capital_minor);
    pg_param_int(p, c->fees_minor);
    pg_param_int(p, c->interest_minor);
    pg_param_int(p, c->paid_minor);
    pg_param_int(p, c->remaining_minor);
    pg_param_bool(p, c->disputed);
    pg_param_bool(p, c->instalment_plan);
    pg_param_arr(p, c->etag);
    pg_param_int(p, c->registered_at);
    pg_param_int(p, c->synced_at);
    pg_param_int(p, c->state_events);
    pg_param_int(p, c->status_events);
    pg_param_int(p, c->agency_paid_minor);
    pg_param_int(p, c->payout_minor);
    pg_param_arr(p, c->original_invoice_url);
}

static void case_read(const PGresult *r, struct agency_case *c)
{
    memset(c, 0, sizeof(*c));
    c->company_id = pg_get_int(r, 0, 0);
    c->invoice_id = pg_get_int(r, 0, 1);
    pg_get_arr(r, 0, 2, c->case_id);
    pg_get_arr(r, 0, 3, c->ocr);
    pg_get_arr(r, 0, 4, c->state);
    pg_get_arr(r, 0, 5, c->status);
    c->closed = pg_get_bool(r, 0, 6);
    c->capital_minor = pg_get_int(r, 0, 7);
    c->fees_minor = pg_get_int(r, 0, 8);
    c->interest_minor = pg_get_int(r, 0, 9);
    c->paid_minor = pg_get_int(r, 0, 10);
    c->remaining_minor = pg_get_int(r, 0, 11);
    c->disputed = pg_get_bool(r, 0, 12);
    c->instalment_plan = pg_get_bool(r, 0, 13);
    pg_get_arr(r, 0, 14, c->etag);
    c->registered_at = pg_get_int(r, 0, 15);
    c->synced_at = pg_get_int(r, 0, 16);
    c->state_events = (int)pg_get_int(r, 0, 17);
    c->status_events = (int)pg_get_int(r, 0, 18);
    c->agency_paid_minor = pg_get_int(r, 0, 19);
    c->payout_minor = pg_get_int(r, 0, 20);
    pg_get_arr(r, 0, 21, c->original_invoice_url);
}

/* When a new case repeats both the invoice and the case id of existing
 * ones, SQLite names case_id (the unique key it checks first) where
 * PostgreSQL names the primary key's invoice_id: name it as SQLite does. */
static void conflict_field(struct pg_store *s, const struct agency_case *c)
{
    static const char sql[] = "SELECT 1 FROM agency_cases WHERE company_id = $1 AND case_id = $2";
    struct pm_error saved = s->base.error;
    struct pg_params p;
    PGresult *res = NULL;

    if (strcmp(saved.field, "invoice_id") != 0 || PQtransactionStatus(s->conn) == PQTRANS_INERROR)
        return;
    pg_params_init(&p);
    pg_param_int(&p, c->company_id);
    pg_param_arr(&p, c->case_id);
    if (!pg_store_exec(s, sql, &p, &res, "checking a case id") && PQntuples(res) > 0)
        snprintf(saved.field, sizeof(saved.field), "case_id");
    PQclear(res);
    s->base.error = saved;
}

static enum pm_err op_case_insert(struct store *stp, const struct agency_case *c)
{
    static const char sql[] =
        "INSERT INTO agency_cases (" CASE_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
        " $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)";

    struct pg_store *s = engine(stp);
    struct pg_params p;
    enum pm_err err;

    pg_params_init(&p);
    case_params(&p, c);
    err = exec_unit(s, sql, &p, NULL, "recording a case");
    if (err == PM_ERR_CONFLICT)
        conflict_field(s, c);
    return err;
}

/* Run a SELECT of CASE_COLS bound by p and read its row into *out. */
static enum pm_err case_one(struct pg_store *s, const char *sql, const struct pg_params *p,
                            struct agency_case *out)
{
    PGresult *res = NULL;
    enum pm_err err = pg_store_exec(s, sql, p, &res, "reading a case");

    if (err)
        return err;
    if (PQntuples(res) > 0)
        case_read(res, out);
    else
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "case", "no such case");
    PQclear(res);
    return err;
}

static enum pm_err op_case_get(struct store *stp, int64_t company_id, int64_t invoice_id,
                               struct agency_case *out)
{
    static const char sql[] =
        "SELECT " CASE_COLS " FROM agency_cases WHERE company_id = $1 AND invoice_id = $2";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, invoice_id);
    return case_one(engine(stp), sql, &p, out);
}

static enum pm_err op_case_find(struct store *stp, int64_t company_id, const char *case_id,
                                struct agency_case *out)
{
    static const char sql[] =
        "SELECT " CASE_COLS " FROM agency_cases WHERE company_id = $1 AND case_id = $2";
    char case_buf[STORE_AGENCY_ID_MAX + 1];
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_text(&p, bounded(case_id, STORE_AGENCY_ID_MAX, case_buf), sizeof(case_buf));
    return case_one(engine(stp), sql, &p, out);
}

static enum pm_err op_case_update(struct store *stp, const struct agency_case *c, const char *raw)
{
    static const char sql[] =
        "UPDATE agency_cases SET case_id = $3, ocr = $4, state = $5, status = $6, closed = $7,"
        " capital_minor = $8, fees_minor = $9, interest_minor = $10, paid_minor = $11,"
        " remaining_minor = $12, disputed = $13, instalment_plan = $14, etag = $15,"
        " registered_at = $16, synced_at = $17, state_events = $18, status_events = $19,"
        " agency_paid_minor = $20, payout_minor = $21, original_invoice_url = $22,"
        " raw = coalesce($23::text, raw)"
        " WHERE company_id = $1 AND invoice_id = $2";
    struct pg_params p;

    pg_params_init(&p);
    case_params(&p, c);
    if (raw)
        pg_param_text(&p, raw, SIZE_MAX);
    else
        pg_param_null(&p);
    return exec_change(engine(stp), sql, &p, "updating a case", "case");
}

static enum pm_err op_case_unsynced_since(struct store *stp, int64_t company_id, bool all,
                                          int64_t *out)
{
    static const char sql[] = "SELECT coalesce(min(registered_at), 0) FROM agency_cases"
                              " WHERE company_id = $1 AND (synced_at = 0 OR $2::bigint <> 0)";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_bool(&p, all);
    return exec_int(engine(stp), sql, &p, "reading unsynced cases", out);
}

/* ---- invoices and claims ---- */

static enum pm_err op_invoice_agency(struct store *stp, int64_t company_id, int64_t invoice_id,
                                     const char *state, const char *status)
{
    static const char sql[] = "UPDATE invoices SET agency_state = coalesce($3::text, agency_state),"
                              " agency_status = coalesce($4::text, agency_status)"
                              " WHERE company_id = $1 AND id = $2";
    char state_buf[32 + 1], status_buf[64 + 1];
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, invoice_id);
    if (state)
        pg_param_text(&p, bounded(state, 32, state_buf), sizeof(state_buf));
    else
        pg_param_null(&p);
    if (status)
        pg_param_text(&p, bounded(status, 64, status_buf), sizeof(status_buf));
    else
        pg_param_null(&p);
    return exec_change(engine(stp), sql, &p, "updating the invoice's agency state", "invoice_id");
}

static enum pm_err op_claim_release(struct store *stp, int64_t company_id, int64_t invoice_id)
{
    static const char sql[] = "DELETE FROM agency_claims WHERE company_id = $1 AND invoice_id = $2";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, invoice_id);
    return exec_unit(engine(stp), sql, &p, NULL, "releasing a claim");
}

static enum pm_err op_invoice_by_number(struct store *stp, int64_t company_id, int64_t number,
                                        int64_t *invoice_id)
{
    static const char sql[] = "SELECT id FROM invoices WHERE company_id = $1 AND number = $2";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, number);
    err = pg_store_exec(s, sql, &p, &res, "finding an invoice by number");
    if (err)
        return err;
    if (PQntuples(res) > 0)
        *invoice_id = pg_get_int(res, 0, 0);
    else
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "number", "no such invoice");
    PQclear(res);
    return err;
}

/* ---- seen keys, cursors, tokens, payouts ---- */

static enum pm_err op_seen(struct store *stp, int64_t company_id, const char *key, bool *inserted)
{
    static const char sql[] =
        "INSERT INTO agency_seen (company_id, key, seen_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (company_id, key) DO NOTHING RETURNING 1";
    char key_buf[256 + 1];
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    *inserted = false;
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_text(&p, bounded(key, 256, key_buf), sizeof(key_buf));
    pg_param_int(&p, pg_store_now());
    err = exec_unit(engine(stp), sql, &p, &res, "recording a seen key");
    if (err)
        return err;
    *inserted = PQntuples(res) > 0;
    PQclear(res);
    return PM_OK;
}

/* One cursor per company: the status sync of any process reads and moves
 * the same row. */
static enum pm_err op_cursor_get(struct store *stp, int64_t company_id, char *out, size_t cap)
{
    static const char sql[] = "SELECT last_updated FROM sync_cursors WHERE company_id = $1";
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    out[0] = '\0';
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    err = pg_store_exec(engine(stp), sql, &p, &res, "reading a sync cursor");
    if (err)
        return err;
    if (PQntuples(res) > 0)
        pg_get_text(res, 0, 0, out, cap);
    PQclear(res);
    return PM_OK;
}

static enum pm_err op_cursor_put(struct store *stp, int64_t company_id, const char *value,
                                 int64_t synced_at)
{
    static const char sql[] =
        "INSERT INTO sync_cursors (company_id, last_updated, synced_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (company_id) DO UPDATE SET last_updated = EXCLUDED.last_updated,"
        " synced_at = EXCLUDED.synced_at";
    char value_buf[128 + 1];
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_text(&p, bounded(value, 128, value_buf), sizeof(value_buf));
    pg_param_int(&p, synced_at);
    return exec_unit(engine(stp), sql, &p, NULL, "storing a sync cursor");
}

static enum pm_err op_token_get(struct store *stp, const char *api_code, unsigned char *sealed,
                                size_t cap, size_t *len, int64_t *expires_at)
{
    static const char sql[] = "SELECT sealed, expires_at FROM agency_tokens WHERE api_code = $1";
    struct pg_store *s = engine(stp);
    char code_buf[128 + 1];
    unsigned char *data = NULL;
    struct pg_params p;
    PGresult *res = NULL;
    size_t bytes = 0;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_text(&p, bounded(api_code, 128, code_buf), sizeof(code_buf));
    err = pg_store_exec(s, sql, &p, &res, "reading a cached token");
    if (err)
        return err;
    if (PQntuples(res) == 0) {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "token", "no cached token");
        goto out_clear;
    }
    err = pg_get_bytes_alloc(s, res, 0, 0, &data, &bytes);
    if (err)
        goto out_clear;
    if (bytes > cap) {
        err = pm_error_set(&s->base.error, PM_ERR_RANGE, "token", "sealed token too long");
        goto out_free;
    }
    if (bytes)
        memcpy(sealed, data, bytes);
    *len = bytes;
    *expires_at = pg_get_int(res, 0, 1);
out_free:
    free(data);
out_clear:
    PQclear(res);
    return err;
}

static enum pm_err op_token_put(struct store *stp, const char *api_code,
                                const unsigned char *sealed, size_t len, int64_t expires_at)
{
    static const char sql[] = "INSERT INTO agency_tokens (api_code, sealed, expires_at, updated_at)"
                              " VALUES ($1, $2, $3, $4)"
                              " ON CONFLICT (api_code) DO UPDATE SET sealed = EXCLUDED.sealed,"
                              " expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at";
    char code_buf[128 + 1];
    struct pg_params p;

    pg_params_init(&p);
    pg_param_text(&p, bounded(api_code, 128, code_buf), sizeof(code_buf));
    pg_param_bytes(&p, sealed, len);
    pg_param_int(&p, expires_at);
    pg_param_int(&p, pg_store_now());
    return exec_unit(engine(stp), sql, &p, NULL, "caching a token");
}

static enum pm_err op_payout_line_insert(struct store *stp, const struct agency_payout_line *l)
{
    static const char sql[] =
        "INSERT INTO agency_payout_lines (company_id, payout_id, line_no, invoice_id,"
        " invoice_number, finance_category, article, amount_minor, vat_minor, total_minor,"
        " booking_date, payout_date) VALUES ($1, $2, $3, nullif($4::bigint, 0), $5, $6, $7, $8,"
        " $9, $10, $11, $12)"
        " ON CONFLICT (company_id, payout_id, line_no) DO NOTHING";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, l->company_id);
    pg_param_arr(&p, l->payout_id);
    pg_param_int(&p, l->line_no);
    pg_param_int(&p, l->invoice_id);
    pg_param_arr(&p, l->invoice_number);
    pg_param_arr(&p, l->finance_category);
    pg_param_arr(&p, l->article);
    pg_param_int(&p, l->amount_minor);
    pg_param_int(&p, l->vat_minor);
    pg_param_int(&p, l->total_minor);
    pg_param_int(&p, l->booking_date);
    pg_param_int(&p, l->payout_date);
    return exec_unit(engine(stp), sql, &p, NULL, "storing a payout line");
}

const struct store_agency_ops pg_agency_ops = {
    .activation_get = op_activation_get,
    .activation_put = op_activation_put,
    .activation_list_active = op_activation_list_active,
    .handover_facts = op_handover_facts,
    .handover_claim = op_handover_claim,
    .handover_batch_get = op_handover_batch_get,
    .outbox_lease = op_outbox_lease,
    .outbox_renew = op_outbox_renew,
    .outbox_finish = op_outbox_finish,
    .outbox_reported = op_outbox_reported,
    .outbox_pending = op_outbox_pending,
    .case_insert = op_case_insert,
    .case_get = op_case_get,
    .case_find = op_case_find,
    .case_update = op_case_update,
    .case_unsynced_since = op_case_unsynced_since,
    .invoice_agency = op_invoice_agency,
    .claim_release = op_claim_release,
    .invoice_by_number = op_invoice_by_number,
    .seen = op_seen,
    .cursor_get = op_cursor_get,
    .cursor_put = op_cursor_put,
    .token_get = op_token_get,
    .token_put = op_token_put,
    .payout_line_insert = op_payout_line_insert,
};
