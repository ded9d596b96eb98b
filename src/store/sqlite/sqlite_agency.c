/*
 * sqlite_agency.c — the Amili hand-over's operations in the SQLite engine
 * (struct store_agency_ops of store/store_agency.h).
 *
 * Tables of migrations 1 and 2: amili_activations, handover_batches,
 * agency_claims, outbox (delivery side), agency_cases, sync_cursors,
 * agency_seen, agency_tokens, agency_payout_lines; and invoices'
 * agency_state / agency_status.
 *
 * A hand-over batch is written by one call, inside the caller's transaction
 * (the API request's), with ids for its outbox rows and history events
 * reserved in one step each, so 10 000 invoices cost a few statements per
 * invoice and no more.  The dispatcher's work queue is read across
 * companies through the partial index outbox_due, leased with one UPDATE
 * ... RETURNING; every later write to a leased row names its owner, so a
 * process whose lease was taken over changes nothing.
 */
#include <string.h>

#include "store/sqlite/sqlite_store.h"
#include "store/store_agency.h"

#define BIND_ARR(st, name, arr) sqlite_store_bind_text(st, name, arr, sizeof(arr))
#define COL_ARR(st, col, arr)   sqlite_store_column_text(st, col, arr, sizeof(arr))

static struct sqlite_store *engine(struct store *st)
{
    return (struct sqlite_store *)st;
}

/* Step a bound statement that returns no rows; PM_ERR_NOT_FOUND (field)
 * when must_change and no row changed. */
static enum pm_err step_done(struct sqlite_store *s, sqlite3_stmt *st, const char *what,
                             bool must_change, const char *field)
{
    enum pm_err err = PM_OK;
    int rc = sqlite3_step(st);

    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, what);
    else if (must_change && sqlite3_changes(s->db) == 0)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, field, "%s: no such row", what);
    sqlite_store_done(st);
    return err;
}

/* ---- activation ---- */

static void activation_read(sqlite3_stmt *st, struct amili_activation *a)
{
    memset(a, 0, sizeof(*a));
    a->company_id = sqlite3_column_int64(st, 0);
    COL_ARR(st, 1, a->terms_version);
    a->accepted_by_user = sqlite3_column_int64(st, 2);
    COL_ARR(st, 3, a->accepted_by);
    a->accepted_at = sqlite3_column_int64(st, 4);
    COL_ARR(st, 5, a->account_id);
    COL_ARR(st, 6, a->creditor_id);
    COL_ARR(st, 7, a->state);
    COL_ARR(st, 8, a->failure);
    a->updated_at = sqlite3_column_int64(st, 9);
}

#define ACTIVATION_SELECT                                                              \
    "SELECT a.company_id, a.terms_version, a.accepted_by_user, coalesce(u.email, '')," \
    " a.accepted_at, a.account_id, a.creditor_id, a.state, a.failure, a.updated_at"    \
    " FROM amili_activations AS a LEFT JOIN users AS u ON u.id = a.accepted_by_user"

static enum pm_err op_activation_get(struct store *stp, int64_t company_id,
                                     struct amili_activation *out)
{
    static const char sql[] = ACTIVATION_SELECT " WHERE a.company_id = :cid";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        activation_read(st, out);
    else if (rc == SQLITE_DONE)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "company", "not activated");
    else
        err = sqlite_store_fail(s, rc, "reading the activation");
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_activation_put(struct store *stp, const struct amili_activation *a)
{
    static const char sql[] =
        "INSERT INTO amili_activations (company_id, terms_version, accepted_by_user, accepted_at,"
        " account_id, creditor_id, state, failure, updated_at)"
        " VALUES (:cid, :version, :user, :accepted_at, :account, :creditor, :state, :failure,"
        " :updated_at)"
        " ON CONFLICT (company_id) DO UPDATE SET terms_version = :version,"
        " accepted_by_user = :user, accepted_at = :accepted_at, account_id = :account,"
        " creditor_id = :creditor, state = :state, failure = :failure, updated_at = :updated_at";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", a->company_id);
    BIND_ARR(st, ":version", a->terms_version);
    sqlite_store_bind_int(st, ":user", a->accepted_by_user);
    sqlite_store_bind_int(st, ":accepted_at", a->accepted_at);
    BIND_ARR(st, ":account", a->account_id);
    BIND_ARR(st, ":creditor", a->creditor_id);
    BIND_ARR(st, ":state", a->state);
    BIND_ARR(st, ":failure", a->failure);
    sqlite_store_bind_int(st, ":updated_at", a->updated_at);
    return step_done(s, st, "storing the activation", false, NULL);
}

static enum pm_err op_activation_list_active(struct store *stp, int64_t after_company,
                                             struct amili_activation *out, size_t cap, size_t *n)
{
    static const char sql[] = ACTIVATION_SELECT
        " WHERE a.state = 'active' AND a.company_id > :after ORDER BY a.company_id LIMIT :limit";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    *n = 0;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":after", after_company);
    sqlite_store_bind_int(st, ":limit", (int64_t)cap);
    for (;;) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
            break;
        activation_read(st, &out[(*n)++]);
    }
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "listing activations");
    sqlite_store_done(st);
    return err;
}

/* ---- hand-over ---- */

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
        "           WHERE r.company_id = i.company_id AND r.invoice_id = i.id), 0),"
        " coalesce((SELECT max(r.date) FROM reminders AS r"
        "           WHERE r.company_id = i.company_id AND r.invoice_id = i.id"
        "             AND r.fee_minor > 0), 0)"
        " FROM invoices AS i JOIN customers AS c"
        "   ON c.company_id = i.company_id AND c.id = i.customer_id"
        " WHERE i.company_id = :cid AND i.id = :iid";
    struct sqlite_store *s = engine(stp);
    struct invoice *inv = &out->inv;
    struct customer *cu = &out->cu;
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    memset(out, 0, sizeof(*out));
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":iid", invoice_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        inv->company_id = cu->company_id = company_id;
        inv->id = sqlite3_column_int64(st, 0);
        inv->number = sqlite3_column_int64(st, 1);
        inv->customer_id = cu->id = sqlite3_column_int64(st, 2);
        if (invoice_kind_parse((const char *)sqlite3_column_text(st, 3), &inv->kind))
            inv->kind = INVOICE_STANDARD;
        COL_ARR(st, 4, inv->currency);
        inv->invoice_date = sqlite3_column_int(st, 5);
        inv->due_date = sqlite3_column_int(st, 6);
        inv->total_minor = sqlite3_column_int64(st, 7);
        inv->tax_reduction_minor = sqlite3_column_int64(st, 8);
        inv->customer_part_minor = sqlite3_column_int64(st, 9);
        inv->paid_minor = sqlite3_column_int64(st, 10);
        inv->credited_minor = sqlite3_column_int64(st, 11);
        inv->remaining_minor = sqlite3_column_int64(st, 12);
        if (store_invoice_state_parse((const char *)sqlite3_column_text(st, 13), &inv->state))
            inv->state = INVOICE_STATE_OPEN;
        COL_ARR(st, 14, inv->agency_state);
        COL_ARR(st, 15, inv->agency_status);
        COL_ARR(st, 16, cu->name);
        snprintf(inv->customer_name, sizeof(inv->customer_name), "%s", cu->name);
        cu->is_company = sqlite3_column_int(st, 17) != 0;
        COL_ARR(st, 18, cu->id_number);
        COL_ARR(st, 19, cu->address_line_1);
        COL_ARR(st, 20, cu->address_line_2);
        COL_ARR(st, 21, cu->zip_code);
        COL_ARR(st, 22, cu->city);
        COL_ARR(st, 23, cu->country);
        COL_ARR(st, 24, cu->email);
        COL_ARR(st, 25, cu->mobile_number);
        COL_ARR(st, 26, cu->language);
        out->claimed = sqlite3_column_int(st, 27) != 0;
        out->has_case = sqlite3_column_int(st, 28) != 0;
        out->reminder_fees_minor = sqlite3_column_int64(st, 29);
        out->last_reminder_date = sqlite3_column_int(st, 30);
    } else if (rc == SQLITE_DONE) {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    } else {
        err = sqlite_store_fail(s, rc, "reading hand-over facts");
    }
    sqlite_store_done(st);
    return err;
}

static enum pm_err insert_batch(struct sqlite_store *s, const struct handover_batch *b)
{
    static const char sql[] =
        "INSERT INTO handover_batches (company_id, id, created_by, created_at, total)"
        " VALUES (:cid, :id, :by, :at, :total)";
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", b->company_id);
    sqlite_store_bind_int(st, ":id", b->id);
    sqlite_store_bind_int(st, ":by", b->created_by);
    sqlite_store_bind_int(st, ":at", b->created_at);
    sqlite_store_bind_int(st, ":total", b->total);
    return step_done(s, st, "inserting a hand-over batch", false, NULL);
}

/* The claim and its outbox row. */
static enum pm_err claim_one(struct sqlite_store *s, const struct handover_batch *b,
                             const struct handover_claim *c, int64_t outbox_id)
{
    static const char sql_claim[] =
        "INSERT INTO agency_claims (company_id, invoice_id, claimed_at, batch_id)"
        " VALUES (:cid, :iid, :at, :batch)";
    static const char sql_outbox[] =
        "INSERT INTO outbox (company_id, id, invoice_id, batch_id, kind, payload, state,"
        " idempotency_key, created_at, updated_at)"
        " VALUES (:cid, :id, :iid, :batch, 'register', :payload, 'pending',"
        " 'register-' || :iid || '-' || :batch, :at, :at)";
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql_claim, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", b->company_id);
    sqlite_store_bind_int(st, ":iid", c->invoice_id);
    sqlite_store_bind_int(st, ":at", b->created_at);
    sqlite_store_bind_int(st, ":batch", b->id);
    err = step_done(s, st, "claiming an invoice", false, NULL);
    if (err == PM_ERR_CONFLICT)
        snprintf(s->base.error.field, sizeof(s->base.error.field), "invoice_id");
    if (err)
        return err;
    err = sqlite_store_stmt(s, sql_outbox, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", b->company_id);
    sqlite_store_bind_int(st, ":id", outbox_id);
    sqlite_store_bind_int(st, ":iid", c->invoice_id);
    sqlite_store_bind_int(st, ":batch", b->id);
    sqlite_store_bind_text(st, ":payload", c->payload, STORE_AGENCY_PAYLOAD_MAX);
    sqlite_store_bind_int(st, ":at", b->created_at);
    return step_done(s, st, "queueing a registration", false, NULL);
}

/* For the whole batch at once: the amili_queued events (ids from
 * first_event, in claim order) and agency_state "queued". */
static enum pm_err mark_batch(struct sqlite_store *s, const struct handover_batch *b,
                              int64_t first_event, const char *actor, const char *message,
                              int64_t at_us)
{
    static const char sql_events[] =
        "INSERT INTO history_events (company_id, id, invoice_id, at_us, kind, actor, message,"
        " data)"
        " SELECT company_id, :first + row_number() OVER (ORDER BY rowid) - 1, invoice_id, :at_us,"
        "   'amili_queued', :actor, :message, json_object('batch_id', batch_id)"
        " FROM agency_claims WHERE company_id = :cid AND batch_id = :batch";
    static const char sql_invoices[] =
        "UPDATE invoices SET agency_state = 'queued', agency_status = ''"
        " WHERE company_id = :cid AND id IN (SELECT invoice_id FROM agency_claims"
        "   WHERE company_id = :cid AND batch_id = :batch)";
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql_events, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", b->company_id);
    sqlite_store_bind_int(st, ":batch", b->id);
    sqlite_store_bind_int(st, ":first", first_event);
    sqlite_store_bind_int(st, ":at_us", at_us);
    sqlite_store_bind_text(st, ":actor", actor, STORE_EMAIL_MAX);
    sqlite_store_bind_text(st, ":message", message, STORE_TEXT_MAX);
    err = step_done(s, st, "recording the hand-over", false, NULL);
    if (err)
        return err;
    err = sqlite_store_stmt(s, sql_invoices, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", b->company_id);
    sqlite_store_bind_int(st, ":batch", b->id);
    return step_done(s, st, "marking the invoices", false, NULL);
}

static enum pm_err op_handover_claim(struct store *stp, struct handover_batch *batch,
                                     const struct handover_claim *claims, size_t n,
                                     const char *actor, int64_t at_us)
{
    struct sqlite_store *s = engine(stp);
    struct handover_batch b = *batch;
    int64_t first_outbox = 0, first_event = 0;
    enum pm_err err;
    bool own = false;
    size_t i;

    if (n == 0)
        return pm_error_set(&s->base.error, PM_ERR_INVALID, "invoice_ids", "nothing to claim");
    if (!b.created_at)
        b.created_at = sqlite_store_now();
    b.total = (int64_t)n;
    err = sqlite_store_tx_begin(s, &own);
    if (err)
        return err;
    err = sqlite_store_next_id(s, b.company_id, "handover_batches", 1, &b.id);
    if (!err)
        err = insert_batch(s, &b);
    if (!err)
        err = sqlite_store_reserve_ids(s, b.company_id, "outbox", 1, (int64_t)n, &first_outbox);
    if (!err)
        err = sqlite_store_reserve_ids(s, b.company_id, "history_events", 1, (int64_t)n,
                                       &first_event);
    for (i = 0; !err && i < n; i++)
        err = claim_one(s, &b, &claims[i], first_outbox + (int64_t)i);
    if (!err)
        err = mark_batch(s, &b, first_event, actor, claims[0].message, at_us);
    err = sqlite_store_tx_end(s, own, err);
    if (!err)
        *batch = b;
    return err;
}

static void item_read(sqlite3_stmt *st, struct handover_item *it)
{
    const unsigned char *state = sqlite3_column_text(st, 1);

    memset(it, 0, sizeof(*it));
    it->invoice_id = sqlite3_column_int64(st, 0);
    if (state && !strcmp((const char *)state, "done"))
        it->status = HANDOVER_REGISTERED;
    else if (state && !strcmp((const char *)state, "failed"))
        it->status = HANDOVER_FAILED;
    else
        it->status = HANDOVER_QUEUED;
    if (it->status == HANDOVER_REGISTERED) {
        COL_ARR(st, 2, it->case_id);
        COL_ARR(st, 3, it->ocr);
    }
    if (it->status == HANDOVER_FAILED)
        COL_ARR(st, 4, it->last_error);
}

static enum pm_err op_handover_batch_get(struct store *stp, int64_t company_id, int64_t batch_id,
                                         struct handover_batch *out, struct handover_item *items,
                                         size_t cap, size_t *n)
{
    static const char sql_batch[] =
        "SELECT company_id, id, created_by, created_at, total FROM handover_batches"
        " WHERE company_id = :cid AND id = :id";
    static const char sql_items[] =
        "SELECT o.invoice_id, o.state, coalesce(c.case_id, ''), coalesce(c.ocr, ''), o.last_error"
        " FROM outbox AS o LEFT JOIN agency_cases AS c"
        "   ON c.company_id = o.company_id AND c.invoice_id = o.invoice_id"
        " WHERE o.company_id = :cid AND o.batch_id = :id AND o.kind = 'register'"
        " ORDER BY o.id LIMIT :limit";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    if (n)
        *n = 0;
    err = sqlite_store_stmt(s, sql_batch, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", batch_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->company_id = sqlite3_column_int64(st, 0);
        out->id = sqlite3_column_int64(st, 1);
        out->created_by = sqlite3_column_int64(st, 2);
        out->created_at = sqlite3_column_int64(st, 3);
        out->total = sqlite3_column_int64(st, 4);
    } else if (rc == SQLITE_DONE) {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "batch_id", "no such batch");
    } else {
        err = sqlite_store_fail(s, rc, "reading a batch");
    }
    sqlite_store_done(st);
    if (err || !items)
        return err;
    err = sqlite_store_stmt(s, sql_items, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", batch_id);
    sqlite_store_bind_int(st, ":limit", (int64_t)cap);
    for (;;) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
            break;
        item_read(st, &items[(*n)++]);
    }
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "listing a batch");
    sqlite_store_done(st);
    return err;
}

/* ---- the outbox, delivery side ---- */

static enum pm_err op_outbox_lease(struct store *stp, const char *owner, int64_t now,
                                   int64_t lease_until, struct outbox_lease_row *out, size_t cap,
                                   size_t *n)
{
    static const char sql[] =
        "UPDATE outbox SET state = 'in_flight', lease_owner = :owner, lease_until = :until,"
        " attempts = attempts + 1, updated_at = :now"
        " WHERE rowid IN (SELECT rowid FROM outbox"
        "   WHERE state IN ('pending', 'in_flight') AND next_attempt_at <= :now"
        "     AND lease_until <= :now"
        "   ORDER BY next_attempt_at, company_id, id LIMIT :limit)"
        " RETURNING company_id, id, invoice_id, coalesce(batch_id, 0), kind, payload,"
        " idempotency_key, attempts";
    struct sqlite_store *s = engine(stp);
    struct outbox_lease_row *r;
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    *n = 0;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_text(st, ":owner", owner, STORE_AGENCY_OWNER_MAX);
    sqlite_store_bind_int(st, ":until", lease_until);
    sqlite_store_bind_int(st, ":now", now);
    sqlite_store_bind_int(st, ":limit", (int64_t)cap);
    for (;;) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
            break;
        if (*n >= cap)
            continue;
        r = &out[(*n)++];
        memset(r, 0, sizeof(*r));
        r->company_id = sqlite3_column_int64(st, 0);
        r->id = sqlite3_column_int64(st, 1);
        r->invoice_id = sqlite3_column_int64(st, 2);
        r->batch_id = sqlite3_column_int64(st, 3);
        COL_ARR(st, 4, r->kind);
        COL_ARR(st, 5, r->payload);
        COL_ARR(st, 6, r->idempotency_key);
        r->attempts = sqlite3_column_int(st, 7);
    }
    if (rc != SQLITE_DONE) {
        err = sqlite_store_fail(s, rc, "leasing outbox rows");
        *n = 0;
    }
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_outbox_renew(struct store *stp, int64_t company_id, int64_t id,
                                   const char *owner, int64_t lease_until)
{
    static const char sql[] =
        "UPDATE outbox SET lease_until = :until WHERE company_id = :cid AND id = :id"
        " AND lease_owner = :owner AND state = 'in_flight'";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", id);
    sqlite_store_bind_text(st, ":owner", owner, STORE_AGENCY_OWNER_MAX);
    sqlite_store_bind_int(st, ":until", lease_until);
    return step_done(s, st, "renewing a lease", true, "lease");
}

static enum pm_err op_outbox_finish(struct store *stp, int64_t company_id, int64_t id,
                                    const char *owner, enum outbox_outcome outcome,
                                    int64_t next_attempt_at, const char *last_error)
{
    static const char sql[] =
        "UPDATE outbox SET state = :state, next_attempt_at = :next, lease_owner = '',"
        " lease_until = 0, last_error = :error, updated_at = :now"
        " WHERE company_id = :cid AND id = :id AND lease_owner = :owner AND state = 'in_flight'";
    static const char *const states[] = {
        [OUTBOX_DONE] = "done", [OUTBOX_FAILED] = "failed", [OUTBOX_RETRY] = "pending"};
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", id);
    sqlite_store_bind_text(st, ":owner", owner, STORE_AGENCY_OWNER_MAX);
    sqlite_store_bind_text(st, ":state", states[outcome], 16);
    sqlite_store_bind_int(st, ":next", next_attempt_at);
    sqlite_store_bind_text(st, ":error", last_error, STORE_TEXT_MAX);
    sqlite_store_bind_int(st, ":now", sqlite_store_now());
    return step_done(s, st, "finishing an outbox row", true, "lease");
}

static enum pm_err single_int(struct sqlite_store *s, sqlite3_stmt *st, const char *what,
                              int64_t *out)
{
    enum pm_err err = PM_OK;
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        err = sqlite_store_fail(s, rc, what);
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_outbox_reported(struct store *stp, int64_t company_id, int64_t invoice_id,
                                      int64_t *out)
{
    static const char sql[] =
        "SELECT coalesce(sum(json_extract(payload, '$.amount_minor')), 0) FROM outbox"
        " WHERE company_id = :cid AND invoice_id = :iid"
        " AND kind IN ('report_payment', 'report_crediting') AND state <> 'failed'";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":iid", invoice_id);
    return single_int(s, st, "summing reported amounts", out);
}

static enum pm_err op_outbox_pending(struct store *stp, const char *kind, int64_t *out)
{
    static const char sql[] = "SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')"
                              " AND (:kind IS NULL OR kind = :kind)";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    if (kind)
        sqlite_store_bind_text(st, ":kind", kind, 32);
    return single_int(s, st, "counting the outbox", out);
}

/* ---- cases ---- */

#define CASE_COLS                                                                             \
    "company_id, invoice_id, case_id, ocr, state, status, closed, capital_minor, fees_minor," \
    " interest_minor, paid_minor, remaining_minor, disputed, instalment_plan, etag,"          \
    " registered_at, synced_at, state_events, status_events, agency_paid_minor,"              \
    " payout_minor, original_invoice_url"

static void case_bind(sqlite3_stmt *st, const struct agency_case *c)
{
    sqlite_store_bind_int(st, ":cid", c->company_id);
    sqlite_store_bind_int(st, ":iid", c->invoice_id);
    BIND_ARR(st, ":case_id", c->case_id);
    BIND_ARR(st, ":ocr", c->ocr);
    BIND_ARR(st, ":state", c->state);
    BIND_ARR(st, ":status", c->status);
    sqlite_store_bind_int(st, ":closed", c->closed ? 1 : 0);
    sqlite_store_bind_int(st, ":capital", c->capital_minor);
    sqlite_store_bind_int(st, ":fees", c->fees_minor);
    sqlite_store_bind_int(st, ":interest", c->interest_minor);
    sqlite_store_bind_int(st, ":paid", c->paid_minor);
    sqlite_store_bind_int(st, ":remaining", c->remaining_minor);
    sqlite_store_bind_int(st, ":disputed", c->disputed ? 1 : 0);
    sqlite_store_bind_int(st, ":plan", c->instalment_plan ? 1 : 0);
    BIND_ARR(st, ":etag", c->etag);
    sqlite_store_bind_int(st, ":registered_at", c->registered_at);
    sqlite_store_bind_int(st, ":synced_at", c->synced_at);
    sqlite_store_bind_int(st, ":state_events", c->state_events);
    sqlite_store_bind_int(st, ":status_events", c->status_events);
    sqlite_store_bind_int(st, ":agency_paid", c->agency_paid_minor);
    sqlite_store_bind_int(st, ":payout", c->payout_minor);
    BIND_ARR(st, ":url", c->original_invoice_url);
}

static void case_read(sqlite3_stmt *st, struct agency_case *c)
{
    memset(c, 0, sizeof(*c));
    c->company_id = sqlite3_column_int64(st, 0);
    c->invoice_id = sqlite3_column_int64(st, 1);
    COL_ARR(st, 2, c->case_id);
    COL_ARR(st, 3, c->ocr);
    COL_ARR(st, 4, c->state);
    COL_ARR(st, 5, c->status);
    c->closed = sqlite3_column_int(st, 6) != 0;
    c->capital_minor = sqlite3_column_int64(st, 7);
    c->fees_minor = sqlite3_column_int64(st, 8);
    c->interest_minor = sqlite3_column_int64(st, 9);
    c->paid_minor = sqlite3_column_int64(st, 10);
    c->remaining_minor = sqlite3_column_int64(st, 11);
    c->disputed = sqlite3_column_int(st, 12) != 0;
    c->instalment_plan = sqlite3_column_int(st, 13) != 0;
    COL_ARR(st, 14, c->etag);
    c->registered_at = sqlite3_column_int64(st, 15);
    c->synced_at = sqlite3_column_int64(st, 16);
    c->state_events = sqlite3_column_int(st, 17);
    c->status_events = sqlite3_column_int(st, 18);
    c->agency_paid_minor = sqlite3_column_int64(st, 19);
    c->payout_minor = sqlite3_column_int64(st, 20);
    COL_ARR(st, 21, c->original_invoice_url);
}

static enum pm_err op_case_insert(struct store *stp, const struct agency_case *c)
{
    static const char sql[] =
        "INSERT INTO agency_cases (" CASE_COLS ") VALUES (:cid, :iid, :case_id, :ocr, :state,"
        " :status, :closed, :capital, :fees, :interest, :paid, :remaining, :disputed, :plan,"
        " :etag, :registered_at, :synced_at, :state_events, :status_events, :agency_paid,"
        " :payout, :url)";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    case_bind(st, c);
    return step_done(s, st, "recording a case", false, NULL);
}

static enum pm_err case_one(struct sqlite_store *s, sqlite3_stmt *st, struct agency_case *out)
{
    enum pm_err err = PM_OK;
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        case_read(st, out);
    else if (rc == SQLITE_DONE)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "case", "no such case");
    else
        err = sqlite_store_fail(s, rc, "reading a case");
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_case_get(struct store *stp, int64_t company_id, int64_t invoice_id,
                               struct agency_case *out)
{
    static const char sql[] =
        "SELECT " CASE_COLS " FROM agency_cases WHERE company_id = :cid AND invoice_id = :iid";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":iid", invoice_id);
    return case_one(s, st, out);
}

static enum pm_err op_case_find(struct store *stp, int64_t company_id, const char *case_id,
                                struct agency_case *out)
{
    static const char sql[] =
        "SELECT " CASE_COLS " FROM agency_cases WHERE company_id = :cid AND case_id = :case_id";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_text(st, ":case_id", case_id, STORE_AGENCY_ID_MAX);
    return case_one(s, st, out);
}

static enum pm_err op_case_update(struct store *stp, const struct agency_case *c, const char *raw)
{
    static const char sql[] =
        "UPDATE agency_cases SET case_id = :case_id, ocr = :ocr, state = :state,"
        " status = :status, closed = :closed, capital_minor = :capital, fees_minor = :fees,"
        " interest_minor = :interest, paid_minor = :paid, remaining_minor = :remaining,"
        " disputed = :disputed, instalment_plan = :plan, etag = :etag,"
        " registered_at = :registered_at, synced_at = :synced_at,"
        " state_events = :state_events, status_events = :status_events,"
        " agency_paid_minor = :agency_paid, payout_minor = :payout,"
        " original_invoice_url = :url, raw = coalesce(:raw, raw)"
        " WHERE company_id = :cid AND invoice_id = :iid";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    case_bind(st, c);
    if (raw)
        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":raw"), raw, -1, SQLITE_TRANSIENT);
    return step_done(s, st, "updating a case", true, "case");
}

static enum pm_err op_case_unsynced_since(struct store *stp, int64_t company_id, bool all,
                                          int64_t *out)
{
    static const char sql[] = "SELECT coalesce(min(registered_at), 0) FROM agency_cases"
                              " WHERE company_id = :cid AND (synced_at = 0 OR :all)";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":all", all ? 1 : 0);
    return single_int(s, st, "reading unsynced cases", out);
}

/* ---- invoices and claims ---- */

static enum pm_err op_invoice_agency(struct store *stp, int64_t company_id, int64_t invoice_id,
                                     const char *state, const char *status)
{
    static const char sql[] = "UPDATE invoices SET agency_state = coalesce(:state, agency_state),"
                              " agency_status = coalesce(:status, agency_status)"
                              " WHERE company_id = :cid AND id = :iid";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":iid", invoice_id);
    if (state)
        sqlite_store_bind_text(st, ":state", state, 32);
    if (status)
        sqlite_store_bind_text(st, ":status", status, 64);
    return step_done(s, st, "updating the invoice's agency state", true, "invoice_id");
}

static enum pm_err op_claim_release(struct store *stp, int64_t company_id, int64_t invoice_id)
{
    static const char sql[] =
        "DELETE FROM agency_claims WHERE company_id = :cid AND invoice_id = :iid";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":iid", invoice_id);
    return step_done(s, st, "releasing a claim", false, NULL);
}

static enum pm_err op_invoice_by_number(struct store *stp, int64_t company_id, int64_t number,
                                        int64_t *invoice_id)
{
    static const char sql[] = "SELECT id FROM invoices WHERE company_id = :cid AND number = :n";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":n", number);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *invoice_id = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "number", "no such invoice");
    else
        err = sqlite_store_fail(s, rc, "finding an invoice by number");
    sqlite_store_done(st);
    return err;
}

/* ---- seen keys, cursors, tokens, payouts ---- */

static enum pm_err op_seen(struct store *stp, int64_t company_id, const char *key, bool *inserted)
{
    static const char sql[] =
        "INSERT INTO agency_seen (company_id, key, seen_at) VALUES (:cid, :key, :now)"
        " ON CONFLICT (company_id, key) DO NOTHING";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_text(st, ":key", key, 256);
    sqlite_store_bind_int(st, ":now", sqlite_store_now());
    err = step_done(s, st, "recording a seen key", false, NULL);
    *inserted = !err && sqlite3_changes(s->db) > 0;
    return err;
}

static enum pm_err op_cursor_get(struct store *stp, int64_t company_id, char *out, size_t cap)
{
    static const char sql[] = "SELECT last_updated FROM sync_cursors WHERE company_id = :cid";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    out[0] = '\0';
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        sqlite_store_column_text(st, 0, out, cap);
    else if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "reading a sync cursor");
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_cursor_put(struct store *stp, int64_t company_id, const char *value,
                                 int64_t synced_at)
{
    static const char sql[] =
        "INSERT INTO sync_cursors (company_id, last_updated, synced_at) VALUES (:cid, :v, :at)"
        " ON CONFLICT (company_id) DO UPDATE SET last_updated = :v, synced_at = :at";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_text(st, ":v", value, 128);
    sqlite_store_bind_int(st, ":at", synced_at);
    return step_done(s, st, "storing a sync cursor", false, NULL);
}

static enum pm_err op_token_get(struct store *stp, const char *api_code, unsigned char *sealed,
                                size_t cap, size_t *len, int64_t *expires_at)
{
    static const char sql[] = "SELECT sealed, expires_at FROM agency_tokens WHERE api_code = :c";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc, bytes;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_text(st, ":c", api_code, 128);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        bytes = sqlite3_column_bytes(st, 0);
        if (bytes < 0 || (size_t)bytes > cap) {
            err = pm_error_set(&s->base.error, PM_ERR_RANGE, "token", "sealed token too long");
        } else {
            if (bytes)
                memcpy(sealed, sqlite3_column_blob(st, 0), (size_t)bytes);
            *len = (size_t)bytes;
            *expires_at = sqlite3_column_int64(st, 1);
        }
    } else if (rc == SQLITE_DONE) {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "token", "no cached token");
    } else {
        err = sqlite_store_fail(s, rc, "reading a cached token");
    }
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_token_put(struct store *stp, const char *api_code,
                                const unsigned char *sealed, size_t len, int64_t expires_at)
{
    static const char sql[] =
        "INSERT INTO agency_tokens (api_code, sealed, expires_at, updated_at)"
        " VALUES (:c, :sealed, :exp, :now)"
        " ON CONFLICT (api_code) DO UPDATE SET sealed = :sealed, expires_at = :exp,"
        " updated_at = :now";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_text(st, ":c", api_code, 128);
    sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":sealed"), sealed, (int)len,
                      SQLITE_TRANSIENT);
    sqlite_store_bind_int(st, ":exp", expires_at);
    sqlite_store_bind_int(st, ":now", sqlite_store_now());
    return step_done(s, st, "caching a token", false, NULL);
}

static enum pm_err op_payout_line_insert(struct store *stp, const struct agency_payout_line *l)
{
    static const char sql[] =
        "INSERT INTO agency_payout_lines (company_id, payout_id, line_no, invoice_id,"
        " invoice_number, finance_category, article, amount_minor, vat_minor, total_minor,"
        " booking_date, payout_date) VALUES (:cid, :payout, :line, nullif(:iid, 0), :number,"
        " :category, :article, :amount, :vat, :total, :booking, :paid_out)"
        " ON CONFLICT (company_id, payout_id, line_no) DO NOTHING";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", l->company_id);
    BIND_ARR(st, ":payout", l->payout_id);
    sqlite_store_bind_int(st, ":line", l->line_no);
    sqlite_store_bind_int(st, ":iid", l->invoice_id);
    BIND_ARR(st, ":number", l->invoice_number);
    BIND_ARR(st, ":category", l->finance_category);
    BIND_ARR(st, ":article", l->article);
    sqlite_store_bind_int(st, ":amount", l->amount_minor);
    sqlite_store_bind_int(st, ":vat", l->vat_minor);
    sqlite_store_bind_int(st, ":total", l->total_minor);
    sqlite_store_bind_int(st, ":booking", l->booking_date);
    sqlite_store_bind_int(st, ":paid_out", l->payout_date);
    return step_done(s, st, "storing a payout line", false, NULL);
}

const struct store_agency_ops sqlite_agency_ops = {
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
