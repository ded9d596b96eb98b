/*
 * store_agency_handover.c — hand-overs to Visma Amili (store_agency.h),
 * written once in SQL over the storage driver (sql.h): the facts an
 * invoice's eligibility needs, the batch with its claims, and the batch's
 * progress as the API shows it.
 *
 * A batch is one atomic unit (its own transaction, or a savepoint of the
 * API request's) with ids reserved in one step per series.
 * agency_claims' primary key (company, invoice) is what makes a second
 * hand-over impossible: a claimed invoice fails the whole batch.  Its
 * claims, outbox rows, history events and invoice states go in as a few
 * statements whatever its size where a statement is a round trip to a
 * server: on PostgreSQL, four statements over arrays bound in PostgreSQL's
 * binary array format (no SQL text is built).  On SQLite, in-process, a
 * prepared statement per claim costs less than building arrays.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_agency.h"
#include "store/sql.h"

/* ---- hand-over facts ---- */

/* A stop of reminders from columns col.. (kind, since, until,
 * no_interest; kind NULL: none).  A kind this code does not know still
 * stops ("other"), as app_reminder_stop_read() reads it. */
static void stop_read(struct store *st, struct store_stmt *q, int col, struct reminder_stop *out)
{
    memset(out, 0, sizeof(*out));
    if (sql_is_null(st, q, col))
        return;
    out->set = true;
    if (reminder_stop_kind_parse(sql_text_ref(st, q, col, NULL), &out->kind))
        out->kind = STOP_OTHER;
    out->since = (int32_t)sql_int(st, q, col + 1);
    out->until = (int32_t)sql_int(st, q, col + 2);
    out->no_interest = sql_bool(st, q, col + 3);
}

static enum pm_err facts_read(struct store *st, struct store_stmt *q, int64_t company_id,
                              struct handover_row *out)
{
    struct invoice *inv = &out->inv;
    struct customer *cu = &out->cu;
    char word[32];

    inv->company_id = cu->company_id = company_id;
    inv->id = sql_int(st, q, 0);
    inv->number = sql_int(st, q, 1);
    inv->customer_id = cu->id = sql_int(st, q, 2);
    sql_col_arr(st, q, 3, word);
    if (invoice_kind_parse(word, &inv->kind))
        inv->kind = INVOICE_STANDARD;
    sql_col_arr(st, q, 4, inv->currency);
    inv->invoice_date = (int32_t)sql_int(st, q, 5);
    inv->due_date = (int32_t)sql_int(st, q, 6);
    inv->total_minor = sql_int(st, q, 7);
    inv->tax_reduction_minor = sql_int(st, q, 8);
    inv->customer_part_minor = sql_int(st, q, 9);
    inv->paid_minor = sql_int(st, q, 10);
    inv->credited_minor = sql_int(st, q, 11);
    inv->remaining_minor = sql_int(st, q, 12);
    sql_col_arr(st, q, 13, word);
    if (store_invoice_state_parse(word, &inv->state))
        inv->state = INVOICE_STATE_OPEN;
    if (amili_state_parse(sql_text_ref(st, q, 14, NULL), &inv->agency_state))
        return sql_bad_value(st, q, 14, "agency_state");
    sql_col_arr(st, q, 15, inv->agency_status);
    sql_col_arr(st, q, 16, cu->name);
    snprintf(inv->customer_name, sizeof(inv->customer_name), "%s", cu->name);
    cu->is_company = sql_bool(st, q, 17);
    sql_col_arr(st, q, 18, cu->id_number);
    sql_col_arr(st, q, 19, cu->address_line_1);
    sql_col_arr(st, q, 20, cu->address_line_2);
    sql_col_arr(st, q, 21, cu->zip_code);
    sql_col_arr(st, q, 22, cu->city);
    sql_col_arr(st, q, 23, cu->country);
    sql_col_arr(st, q, 24, cu->email);
    sql_col_arr(st, q, 25, cu->mobile_number);
    sql_col_arr(st, q, 26, cu->language);
    out->claimed = sql_bool(st, q, 27);
    out->has_case = sql_bool(st, q, 28);
    out->reminder_fees_minor = sql_int(st, q, 29);
    out->last_reminder_date = (int32_t)sql_int(st, q, 30);
    stop_read(st, q, 31, &out->inv_stop);
    stop_read(st, q, 35, &out->cust_stop);
    return PM_OK;
}

/* clang-format off */
/* The invoice, its customer card and the hand-over facts, in one
 * statement (10 000 of these make one hand-over request). */
#define FACTS_SELECT                                                                           \
    "SELECT i.id, i.number, i.customer_id, i.kind, i.currency, i.invoice_date, i.due_date,"    \
    " i.total_minor, i.tax_reduction_minor, i.customer_part_minor, i.paid_minor,"              \
    " i.credited_minor, i.remaining_minor, i.state, i.agency_state, i.agency_status,"          \
    " c.name, c.is_company, c.id_number, c.address_line_1, c.address_line_2, c.zip_code,"      \
    " c.city, c.country, c.email, c.mobile_number, c.language,"                                \
    " EXISTS (SELECT 1 FROM agency_claims AS k"                                                \
    "         WHERE k.company_id = i.company_id AND k.invoice_id = i.id),"                     \
    " EXISTS (SELECT 1 FROM agency_cases AS a"                                                 \
    "         WHERE a.company_id = i.company_id AND a.invoice_id = i.id),"                     \
    " CAST(coalesce((SELECT sum(r.fee_minor) FROM reminders AS r"                              \
    "                WHERE r.company_id = i.company_id AND r.invoice_id = i.id), 0)"           \
    "      AS BIGINT),"                                                                        \
    " coalesce((SELECT max(r.date) FROM reminders AS r"                                        \
    "           WHERE r.company_id = i.company_id AND r.invoice_id = i.id"                     \
    "             AND r.fee_minor > 0), 0),"                                                   \
    " si.kind, si.since_day, si.until_day, si.no_interest,"                                    \
    " sc.kind, sc.since_day, sc.until_day, sc.no_interest"                                     \
    " FROM invoices AS i JOIN customers AS c"                                                  \
    "   ON c.company_id = i.company_id AND c.id = i.customer_id"                               \
    " LEFT JOIN reminder_stops AS si ON si.company_id = i.company_id"                          \
    "   AND si.target = 'invoice' AND si.target_id = i.id"                                     \
    " LEFT JOIN reminder_stops AS sc ON sc.company_id = i.company_id"                          \
    "   AND sc.target = 'customer' AND sc.target_id = i.customer_id"
/* clang-format on */

enum pm_err store_agency_handover_facts(struct store *st, int64_t company_id, int64_t invoice_id,
                                        struct handover_row *out)
{
    static const char sql[] = FACTS_SELECT " WHERE i.company_id = $1 AND i.id = $2";
    struct store_stmt *q = NULL;
    enum pm_err err;

    memset(out, 0, sizeof(*out));
    err = sql_query(st, &q, sql, "ii", company_id, invoice_id);
    if (err)
        return err;
    err = sql_row(st, q, "invoice_id", "no such invoice");
    if (!err)
        err = facts_read(st, q, company_id, out);
    sql_done(st, q);
    return err;
}

/* ---- arrays in PostgreSQL's binary format ---- */

/* Element types of the arrays (pg_type.oid, fixed for built-ins). */
#define OID_INT8 20
#define OID_TEXT 25

/* A one-dimensional array without NULLs as array_recv() reads it: ndim,
 * has-nulls flag, element type, length, lower bound, then per element its
 * length and bytes (all integers in network order).  Bound with
 * sql_bind_blob(), which sends bytes in binary format. */
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

/* Room for n elements of `bytes` element bytes in all, and the header. */
static enum pm_err array_begin(struct store *st, struct bin_array *a, uint32_t oid, size_t n,
                               size_t bytes)
{
    a->len = 0;
    a->cap = 20 + 4 * n + bytes;
    a->data = malloc(a->cap);
    if (!a->data)
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "building a batch");
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

/* ---- the facts of many invoices ---- */

/* An id's place in the caller's array, to find a row's places by id. */
struct id_place {
    int64_t id;
    size_t at;
};

static int by_id(const void *a, const void *b)
{
    const struct id_place *x = a, *y = b;

    return (x->id > y->id) - (x->id < y->id);
}

/* PostgreSQL: one statement over the ids as a bigint[]; each row read
 * once and copied to every place its id has. */
static enum pm_err facts_by_array(struct store *st, int64_t company_id, const int64_t *ids,
                                  size_t n, struct handover_row *out, bool *found)
{
    static const char sql[] = FACTS_SELECT " WHERE i.company_id = $1 AND i.id = ANY ($2::bigint[])";
    struct id_place *places = malloc(n * sizeof(*places));
    struct bin_array arr = {0};
    struct store_stmt *q = NULL;
    bool row = false;
    size_t i;
    enum pm_err err = places ? array_begin(st, &arr, OID_INT8, n, 8 * n)
                             : pm_error_set(&st->error, PM_ERR_NOMEM, "", "reading a hand-over");

    for (i = 0; !err && i < n; i++) {
        places[i] = (struct id_place){ids[i], i};
        array_int(&arr, ids[i]);
    }
    if (!err) {
        qsort(places, n, sizeof(*places), by_id);
        err = sql_query(st, &q, sql, "ix", company_id, arr.data, arr.len);
    }
    while (!err && !(err = sql_step(st, q, &row)) && row) {
        struct id_place key = {sql_int(st, q, 0), 0},
                        *p = bsearch(&key, places, n, sizeof(*places), by_id);

        if (!p)
            continue;
        while (p > places && p[-1].id == key.id)
            p--;
        memset(&out[p->at], 0, sizeof(out[p->at]));
        err = facts_read(st, q, company_id, &out[p->at]);
        found[p->at] = !err;
        for (i = 1; !err && p + i < places + n && p[i].id == key.id; i++) {
            out[p[i].at] = out[p->at];
            found[p[i].at] = true;
        }
    }
    sql_done(st, q);
    array_release(&arr);
    free(places);
    return err;
}

enum pm_err store_agency_handover_facts_many(struct store *st, int64_t company_id,
                                             const int64_t *ids, size_t n, struct handover_row *out,
                                             bool *found)
{
    enum pm_err err = PM_OK;
    size_t i;

    for (i = 0; i < n; i++)
        found[i] = false;
    if (n == 0)
        return PM_OK;
    /* Arrays are PostgreSQL's: a round trip per statement, not per id. */
    if (sql_dialect(st) == STORE_DIALECT_PG)
        return facts_by_array(st, company_id, ids, n, out, found);
    for (i = 0; !err && i < n; i++) {
        err = store_agency_handover_facts(st, company_id, ids[i], &out[i]);
        found[i] = !err;
        if (err == PM_ERR_NOT_FOUND)
            err = PM_OK;
    }
    return err;
}

/* ---- hand-over batches ---- */

/* A hand-over batch as one atomic unit, which may run more than once
 * (sql_atomic): every run fills b.id afresh; the arrays are built once. */
struct claim_unit {
    struct handover_batch b;
    const struct handover_claim *claims;
    size_t n;
    const char *actor, *message;
    int64_t at_us;
    /* PostgreSQL only (NULL data otherwise), in claim order: */
    struct bin_array invoice_ids; /* bigint[] */
    struct bin_array payloads;    /* text[], each bound up to STORE_AGENCY_PAYLOAD_MAX bytes */
};

static enum pm_err claim_arrays_build(struct store *st, struct claim_unit *u)
{
    size_t i, bytes = 0;
    enum pm_err err;

    for (i = 0; i < u->n; i++) {
        if (u->claims[i].payload)
            bytes += strnlen(u->claims[i].payload, STORE_AGENCY_PAYLOAD_MAX);
    }
    err = array_begin(st, &u->invoice_ids, OID_INT8, u->n, 8 * u->n);
    if (!err)
        err = array_begin(st, &u->payloads, OID_TEXT, u->n, bytes);
    for (i = 0; !err && i < u->n; i++) {
        const char *payload = u->claims[i].payload ? u->claims[i].payload : "";

        array_int(&u->invoice_ids, u->claims[i].invoice_id);
        array_text(&u->payloads, payload, strnlen(payload, STORE_AGENCY_PAYLOAD_MAX));
    }
    return err;
}

/* A claim that fails on the primary key names the invoice. */
static enum pm_err claimed(struct store *st, enum pm_err err)
{
    if (err == PM_ERR_CONFLICT)
        snprintf(st->error.field, sizeof(st->error.field), "invoice_id");
    return err;
}

static enum pm_err insert_batch(struct store *st, const struct handover_batch *b)
{
    static const char sql[] =
        "INSERT INTO handover_batches (company_id, id, created_by, created_at, total)"
        " VALUES ($1, $2, $3, $4, $5)";

    return sql_runf(st, sql, "iiiii", b->company_id, b->id, b->created_by, b->created_at, b->total);
}

/* PostgreSQL: the batch's claims (in claim order: the first invoice
 * already claimed, or the second of a repeated one, fails it), outbox rows
 * (ids from first_outbox), amili_queued events (ids from first_event) and
 * agency_state "queued", one statement each over the arrays. */
static enum pm_err claim_by_arrays(struct store *st, const struct claim_unit *u,
                                   int64_t first_outbox, int64_t first_event)
{
    static const char sql_claims[] =
        "INSERT INTO agency_claims (company_id, invoice_id, claimed_at, batch_id)"
        " SELECT $1, t.iid, $2, $3 FROM unnest($4::bigint[]) WITH ORDINALITY AS t(iid, ord)"
        " ORDER BY t.ord";
    static const char sql_outbox[] =
        "INSERT INTO outbox (company_id, id, invoice_id, batch_id, kind, payload, state,"
        " idempotency_key, created_at, updated_at)"
        " SELECT $1, $2::bigint + t.ord - 1, t.iid, $3, 'register', t.payload, 'pending',"
        "   'register-' || t.iid || '-' || $3::bigint, $4, $4"
        " FROM unnest($5::bigint[], $6::text[]) WITH ORDINALITY AS t(iid, payload, ord)"
        " ORDER BY t.ord";
    static const char sql_events[] =
        "INSERT INTO history_events (company_id, id, invoice_id, at_us, kind, actor, message,"
        " data)"
        " SELECT $1, $2::bigint + t.ord - 1, t.iid, $3, 'amili_queued', $4, $5,"
        "   '{\"batch_id\":' || $6::bigint || '}'"
        " FROM unnest($7::bigint[]) WITH ORDINALITY AS t(iid, ord) ORDER BY t.ord";
    static const char sql_invoices[] =
        "UPDATE invoices SET agency_state = 'queued', agency_status = ''"
        " WHERE company_id = $1 AND id = ANY ($2::bigint[])";
    const struct bin_array *ids = &u->invoice_ids;
    enum pm_err err = claimed(st, sql_runf(st, sql_claims, "iiix", u->b.company_id, u->b.created_at,
                                           u->b.id, ids->data, ids->len));

    if (!err)
        err = sql_runf(st, sql_outbox, "iiiixx", u->b.company_id, first_outbox, u->b.id,
                       u->b.created_at, ids->data, ids->len, u->payloads.data, u->payloads.len);
    if (!err)
        err = sql_runf(st, sql_events, "iiittix", u->b.company_id, first_event, u->at_us,
                       SQL_CAP(u->actor, STORE_EMAIL_MAX), SQL_CAP(u->message, STORE_TEXT_MAX),
                       u->b.id, ids->data, ids->len);
    if (!err)
        err = sql_runf(st, sql_invoices, "ix", u->b.company_id, ids->data, ids->len);
    return err;
}

/* Any engine: per claim, in claim order, the claim and its outbox row;
 * then the batch's events (ids from first_event, in the outbox rows'
 * order, which is claim order) and agency_state "queued" in one statement
 * each. */
static enum pm_err claim_by_rows(struct store *st, const struct claim_unit *u, int64_t first_outbox,
                                 int64_t first_event)
{
    static const char sql_claim[] =
        "INSERT INTO agency_claims (company_id, invoice_id, claimed_at, batch_id)"
        " VALUES ($1, $2, $3, $4)";
    static const char sql_outbox[] =
        "INSERT INTO outbox (company_id, id, invoice_id, batch_id, kind, payload, state,"
        " idempotency_key, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, 'register', $5, 'pending',"
        " 'register-' || CAST($3 AS BIGINT) || '-' || CAST($4 AS BIGINT), $6, $6)";
    static const char sql_events[] =
        "INSERT INTO history_events (company_id, id, invoice_id, at_us, kind, actor, message,"
        " data)"
        " SELECT company_id, CAST($3 AS BIGINT) + id - CAST($4 AS BIGINT), invoice_id, $5,"
        "   'amili_queued', $6, $7, '{\"batch_id\":' || batch_id || '}'"
        " FROM outbox WHERE company_id = $1 AND batch_id = $2 AND kind = 'register'";
    static const char sql_invoices[] =
        "UPDATE invoices SET agency_state = 'queued', agency_status = ''"
        " WHERE company_id = $1 AND id IN (SELECT invoice_id FROM agency_claims"
        "   WHERE company_id = $1 AND batch_id = $2)";
    enum pm_err err = PM_OK;
    size_t i;

    for (i = 0; !err && i < u->n; i++) {
        const struct handover_claim *c = &u->claims[i];

        err = claimed(st, sql_runf(st, sql_claim, "iiii", u->b.company_id, c->invoice_id,
                                   u->b.created_at, u->b.id));
        if (!err)
            err = sql_runf(st, sql_outbox, "iiiiti", u->b.company_id, first_outbox + (int64_t)i,
                           c->invoice_id, u->b.id, SQL_CAP(c->payload, STORE_AGENCY_PAYLOAD_MAX),
                           u->b.created_at);
    }
    if (!err)
        err = sql_runf(st, sql_events, "iiiiitt", u->b.company_id, u->b.id, first_event,
                       first_outbox, u->at_us, SQL_CAP(u->actor, STORE_EMAIL_MAX),
                       SQL_CAP(u->message, STORE_TEXT_MAX));
    if (!err)
        err = sql_runf(st, sql_invoices, "ii", u->b.company_id, u->b.id);
    return err;
}

static enum pm_err claim_run(struct store *st, void *ctx)
{
    struct claim_unit *u = ctx;
    int64_t first_outbox = 0, first_event = 0;
    enum pm_err err = sql_next_id(st, u->b.company_id, "handover_batches", 1, &u->b.id);

    if (!err)
        err = insert_batch(st, &u->b);
    if (!err)
        err = sql_reserve_ids(st, u->b.company_id, "outbox", 1, (int64_t)u->n, &first_outbox);
    if (!err)
        err =
            sql_reserve_ids(st, u->b.company_id, "history_events", 1, (int64_t)u->n, &first_event);
    if (err)
        return err;
    if (u->invoice_ids.data)
        return claim_by_arrays(st, u, first_outbox, first_event);
    return claim_by_rows(st, u, first_outbox, first_event);
}

enum pm_err store_agency_handover_claim(struct store *st, struct handover_batch *batch,
                                        const struct handover_claim *claims, size_t n,
                                        const char *actor, int64_t at_us)
{
    struct claim_unit u;
    enum pm_err err = PM_OK;

    if (n == 0)
        return pm_error_set(&st->error, PM_ERR_INVALID, "invoice_ids", "nothing to claim");
    if (n > INT32_MAX / 16)
        return pm_error_set(&st->error, PM_ERR_RANGE, "invoice_ids", "too many claims");
    memset(&u, 0, sizeof(u));
    u.b = *batch;
    if (!u.b.created_at)
        u.b.created_at = sql_now();
    u.b.total = (int64_t)n;
    u.claims = claims;
    u.n = n;
    u.actor = actor;
    u.message = claims[0].message;
    u.at_us = at_us;
    /* Arrays are PostgreSQL's: a round trip per statement, not per claim. */
    if (sql_dialect(st) == STORE_DIALECT_PG)
        err = claim_arrays_build(st, &u);
    if (!err)
        err = sql_atomic(st, claim_run, &u);
    if (!err)
        *batch = u.b;
    array_release(&u.invoice_ids);
    array_release(&u.payloads);
    return err;
}

static enum pm_err item_read(struct store *st, struct store_stmt *q, void *out)
{
    struct handover_item *it = out;

    it->invoice_id = sql_int(st, q, 0);
    if (handover_item_status_parse(sql_text_ref(st, q, 1, NULL), &it->status))
        return sql_bad_value(st, q, 1, "state");
    if (it->status == HANDOVER_REGISTERED) {
        sql_col_arr(st, q, 2, it->case_id);
        sql_col_arr(st, q, 3, it->ocr);
    }
    if (it->status == HANDOVER_FAILED)
        sql_col_arr(st, q, 4, it->last_error);
    return PM_OK;
}

static const struct sql_reader item_reader = SQL_READER_FN(struct handover_item, item_read);

static const struct sql_col batch_cols[] =
    SQL_COLS(struct handover_batch, company_id, id, created_by, created_at, total);

static const struct sql_reader batch_reader = SQL_READER(struct handover_batch, batch_cols, NULL);

enum pm_err store_agency_handover_batch_get(struct store *st, int64_t company_id, int64_t batch_id,
                                            struct handover_batch *out, struct handover_item *items,
                                            size_t cap, size_t *n)
{
    static const char sql_batch[] =
        "SELECT company_id, id, created_by, created_at, total FROM handover_batches"
        " WHERE company_id = $1 AND id = $2";
    static const char sql_items[] =
        "SELECT o.invoice_id,"
        " CASE o.state WHEN 'done' THEN 'registered' WHEN 'failed' THEN 'failed' ELSE 'queued' END,"
        " coalesce(c.case_id, ''), coalesce(c.ocr, ''), o.last_error"
        " FROM outbox AS o LEFT JOIN agency_cases AS c"
        "   ON c.company_id = o.company_id AND c.invoice_id = o.invoice_id"
        " WHERE o.company_id = $1 AND o.batch_id = $2 AND o.kind = 'register'"
        " ORDER BY o.id LIMIT $3";
    enum pm_err err;

    if (n)
        *n = 0;
    err = sql_getf(st, "batch_id", "no such batch", &batch_reader, out, sql_batch, "ii", company_id,
                   batch_id);
    if (err || !items)
        return err;
    return sql_listf(st, &item_reader, items, cap, n, sql_items, "iii", company_id, batch_id,
                     (int64_t)cap);
}
