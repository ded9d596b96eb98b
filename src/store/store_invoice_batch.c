/*
 * store_invoice_batch.c — many invoices, with their lines, buyers,
 * payments and history events, and many history events, in one atomic
 * unit whose round trips grow with the batch, not with its rows (issue
 * 15): the ids of each series are reserved with one sql_reserve_ids() a
 * batch, the invoice numbers with one (and one more a run of numbers
 * given by hand that lie ahead in the series), and every table's rows go
 * with one sql_bulk_insert() (a COPY on PostgreSQL, multi-row INSERTs on
 * SQLite).
 *
 * A batch writes exactly what the one-row calls in the same order would
 * (store_invoice_insert, then store_payment_insert and
 * store_history_insert per invoice): the same numbers of the series, the
 * same derived columns (remaining, state and paid after the payments, from
 * core/invoice.h), the same order of ids, the same webhook deliveries.
 * Only created_at (the clock) may differ.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/invoice.h"
#include "core/webhook.h"
#include "store/sql.h"
#include "store/store.h"
#include "store/store_invoices.h"
#include "store/store_webhooks.h"
#include "util/buf.h"

#define NUMBER_FIRST 1001
/* Rounds of stepping over numbers given by hand before giving up. */
#define NUMBER_ROUNDS 64

/* ---- rows as written ---- */

struct invoice_row {
    int64_t company_id, id, number, customer_id;
    char kind[16];
    char currency[4];
    int invoice_date, due_date;
    int64_t net_minor, vat_minor, total_minor, tax_reduction_minor, customer_part_minor, paid_minor,
        credited_minor, remaining_minor;
    char state[16];
    int manual_reminders;
    char agency_state[32];
    char agency_status[64];
    int64_t created_at, reminder_fee_minor;
    char zero_vat[16];
    char customer_name[STORE_NAME_MAX];
};

static const struct sql_col invoice_row_cols[] =
    SQL_COLS(struct invoice_row, company_id, id, number, customer_id, kind, currency, invoice_date,
             due_date, net_minor, vat_minor, total_minor, tax_reduction_minor, customer_part_minor,
             paid_minor, credited_minor, remaining_minor, state, manual_reminders, agency_state,
             agency_status, created_at, reminder_fee_minor, zero_vat, customer_name);

static const struct sql_bulk invoice_bulk =
    SQL_BULK("invoices",
             "company_id, id, number, customer_id, kind, currency, invoice_date, due_date,"
             " net_minor, vat_minor, total_minor, tax_reduction_minor, customer_part_minor,"
             " paid_minor, credited_minor, remaining_minor, state, manual_reminders,"
             " agency_state, agency_status, created_at, reminder_fee_minor, zero_vat,"
             " customer_name",
             invoice_row_cols);

struct line_row {
    int64_t company_id, invoice_id, line_no;
    char description[STORE_TEXT_MAX];
    int64_t quantity_milli, unit_price_minor;
    int vat_rate_bp;
    bool labour;
    int64_t net_minor;
};

static const struct sql_col line_row_cols[] =
    SQL_COLS(struct line_row, company_id, invoice_id, line_no, description, quantity_milli,
             unit_price_minor, vat_rate_bp, labour, net_minor);

static const struct sql_bulk line_bulk =
    SQL_BULK("invoice_lines",
             "company_id, invoice_id, line_no, description, quantity_milli, unit_price_minor,"
             " vat_rate_bp, labour, net_minor",
             line_row_cols);

struct buyer_row {
    int64_t company_id, invoice_id, buyer_no;
    char id_number[STORE_SHORT_MAX];
    char name[STORE_NAME_MAX];
};

static const struct sql_col buyer_row_cols[] =
    SQL_COLS(struct buyer_row, company_id, invoice_id, buyer_no, id_number, name);

static const struct sql_bulk buyer_bulk =
    SQL_BULK("invoice_buyers", "company_id, invoice_id, buyer_no, id_number, name", buyer_row_cols);

struct payment_row {
    int64_t company_id, id, invoice_id;
    int date;
    int64_t amount_minor;
    char reference[STORE_SHORT_MAX * 2];
    char source[16];
    int64_t created_at;
};

static const struct sql_col payment_row_cols[] =
    SQL_COLS(struct payment_row, company_id, id, invoice_id, date, amount_minor, reference, source,
             created_at);

static const struct sql_bulk payment_bulk = SQL_BULK(
    "payments", "company_id, id, invoice_id, date, amount_minor, reference, source, created_at",
    payment_row_cols);

/* A history event is its own row. */
static const struct sql_col history_cols[] =
    SQL_COLS(struct history_event, company_id, id, invoice_id, at_us, kind, actor, message, data);

static const struct sql_bulk history_bulk =
    SQL_BULK("history_events", "company_id, id, invoice_id, at_us, kind, actor, message, data",
             history_cols);

/* ---- history events ---- */

static int64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Whether the company has a webhook endpoint at all: without one, no
 * history event queues a delivery (store_webhook_emit finds no one to
 * send it to), and the batch skips asking per event. */
static enum pm_err has_endpoints(struct store *st, int64_t company_id, bool *any)
{
    static const char sql[] = "SELECT 1 FROM webhook_endpoints WHERE company_id = $1";

    return sql_findf(st, any, NULL, NULL, sql, "i", company_id);
}

/* Write evs[0..n) (ids set, at_us and data as stored) and queue their
 * webhook deliveries, in the caller's unit. */
static enum pm_err history_write(struct store *st, struct history_event *evs, size_t n)
{
    const char *type;
    enum pm_err err = PM_OK;
    bool any = false, webhooks = false;
    size_t i;

    for (i = 0; i < n && !webhooks; i++)
        webhooks = webhook_type_of_history(evs[i].kind) != NULL;
    if (webhooks)
        err = has_endpoints(st, evs[0].company_id, &any);
    if (!err)
        err = sql_bulk_insert(st, &history_bulk, evs, sizeof(evs[0]), n);
    for (i = 0; !err && any && i < n; i++) {
        type = webhook_type_of_history(evs[i].kind);
        if (type)
            err = store_webhook_emit(st, evs[i].company_id, evs[i].invoice_id, type, evs[i].data,
                                     evs[i].at_us / 1000000, NULL);
    }
    return err;
}

/* Ids, the clock and the default data of evs[0..n), all of one company. */
static enum pm_err history_prepare(struct store *st, struct history_event *evs, size_t n,
                                   const char *field)
{
    int64_t first = 0, now = now_us();
    enum pm_err err;
    size_t i;

    for (i = 0; i < n; i++)
        if (evs[i].company_id != evs[0].company_id)
            return pm_error_set(&st->error, PM_ERR_INVALID, field,
                                "the events of a batch are of one company");
    err = sql_reserve_ids(st, evs[0].company_id, "history_events", 1, (int64_t)n, &first);
    for (i = 0; !err && i < n; i++) {
        evs[i].id = first + (int64_t)i;
        if (!evs[i].at_us)
            evs[i].at_us = now;
        if (!evs[i].data[0])
            snprintf(evs[i].data, sizeof(evs[i].data), "{}");
    }
    return err;
}

struct history_batch {
    struct history_event *in, *evs;
    size_t n;
};

static enum pm_err history_batch_run(struct store *st, void *ctx)
{
    struct history_batch *hb = ctx;
    enum pm_err err;

    memcpy(hb->evs, hb->in, hb->n * sizeof(hb->evs[0])); /* afresh on a retry */
    err = history_prepare(st, hb->evs, hb->n, "company_id");
    if (!err)
        err = history_write(st, hb->evs, hb->n);
    return err;
}

enum pm_err store_history_insert_batch(struct store *st, struct history_event *evs, size_t n)
{
    struct history_batch hb = {evs, NULL, n};
    enum pm_err err;

    if (n == 0)
        return PM_OK;
    hb.evs = malloc(n * sizeof(*hb.evs));
    if (!hb.evs)
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "inserting history events");
    err = sql_atomic(st, history_batch_run, &hb);
    if (!err)
        memcpy(evs, hb.evs, n * sizeof(*evs));
    free(hb.evs);
    return err;
}

/* ---- invoices ---- */

struct invoice_batch {
    struct store_invoice_new *items;
    size_t n;
    store_invoice_numbered_fn *numbered;
    void *arg;
    /* what is written, made afresh on every run of the unit */
    struct invoice *rows;
    int64_t *numbers; /* free numbers of the series, in order */
    struct invoice_row *inv_rows;
    struct line_row *lines;
    struct buyer_row *buyers;
    struct payment_row *pays;
    struct history_event *evs; /* when the items' are not one array */
    size_t n_lines, n_buyers, n_pays, n_evs;
};

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* A customer of the batch: its id and name. */
struct customer_of {
    int64_t id;
    char name[STORE_NAME_MAX];
};

static const struct sql_col customer_of_cols[] = SQL_COLS(struct customer_of, id, name);

static const struct sql_reader customer_of_reader =
    SQL_READER(struct customer_of, customer_of_cols, NULL);

static int cmp_customer(const void *a, const void *b)
{
    return cmp_i64(&((const struct customer_of *)a)->id, &((const struct customer_of *)b)->id);
}

/* Every customer of the batch is one of the company's, and each row takes
 * its customer's name (as store_invoice_insert does): one query reads the
 * distinct customers in order of id, then each row finds its own by a
 * binary search (a row whose customer is not found is refused). */
static enum pm_err customer_names(struct store *st, struct invoice_batch *b)
{
    static const struct sql_variant sql = {{
        [STORE_DIALECT_SQLITE] = "SELECT id, name FROM customers WHERE company_id = $1"
                                 " AND id IN (SELECT value FROM json_each($2)) ORDER BY id",
        [STORE_DIALECT_PG] = "SELECT id, name FROM customers WHERE company_id = $1"
                             " AND id IN (SELECT CAST(value AS BIGINT)"
                             " FROM jsonb_array_elements_text(CAST($2 AS JSONB))) ORDER BY id",
    }};
    struct buf ids = BUF_INIT;
    int64_t *sorted = malloc(b->n * sizeof(*sorted));
    struct customer_of *found = NULL, key;
    const struct customer_of *hit;
    size_t i, distinct = 0, n_found = 0;
    enum pm_err err = sorted ? buf_addch(&ids, '[') : PM_ERR_NOMEM;

    for (i = 0; !err && i < b->n; i++)
        sorted[i] = b->items[i].inv.customer_id;
    if (!err)
        qsort(sorted, b->n, sizeof(*sorted), cmp_i64);
    for (i = 0; !err && i < b->n; i++) {
        if (i && sorted[i] == sorted[i - 1])
            continue;
        err = buf_addf(&ids, "%s%lld", distinct ? "," : "", (long long)sorted[i]);
        distinct++;
    }
    if (!err)
        err = buf_addch(&ids, ']');
    if (!err) {
        found = malloc(distinct * sizeof(*found));
        if (!found)
            err = PM_ERR_NOMEM;
    }
    if (err)
        err = pm_error_set(&st->error, err, "", "checking the customers of invoices");
    else
        err = sql_listf(st, &customer_of_reader, found, distinct, &n_found, sql_text(st, &sql),
                        "it", b->items[0].inv.company_id, SQL_CAP(ids.data, ids.len));
    for (i = 0; !err && i < b->n; i++) {
        key.id = b->rows[i].customer_id;
        hit = bsearch(&key, found, n_found, sizeof(*found), cmp_customer);
        if (hit)
            memcpy(b->rows[i].customer_name, hit->name, sizeof(b->rows[i].customer_name));
        else
            err = pm_error_set(&st->error, PM_ERR_NOT_FOUND, "customer_id", "no such customer");
    }
    buf_release(&ids);
    free(found);
    free(sorted);
    return err;
}

/* b->numbers[0..n): the next n free numbers of the company's series, as n
 * calls of number_choose() in store_invoices.c would give them: the series
 * steps over numbers given by hand. */
static enum pm_err choose_numbers(struct store *st, struct invoice_batch *b)
{
    static const char sql_taken[] = "SELECT number FROM invoices"
                                    " WHERE company_id = $1 AND number >= $2 AND number < $3"
                                    " ORDER BY number";
    int64_t company_id = b->items[0].inv.company_id, first = 0, *taken;
    size_t got = 0, want, n_taken, i, t;
    enum pm_err err = PM_OK;
    int round;

    taken = malloc(b->n * sizeof(*taken));
    if (!taken)
        return pm_error_set(&st->error, PM_ERR_NOMEM, "number", "choosing invoice numbers");
    for (round = 0; !err && got < b->n && round < NUMBER_ROUNDS; round++) {
        want = b->n - got;
        err =
            sql_reserve_ids(st, company_id, "invoice_number", NUMBER_FIRST, (int64_t)want, &first);
        if (!err)
            err = sql_listf(st, &sql_int_reader, taken, want, &n_taken, sql_taken, "iii",
                            company_id, first, first + (int64_t)want);
        for (i = 0, t = 0; !err && i < want; i++) {
            if (t < n_taken && taken[t] == first + (int64_t)i)
                t++;
            else
                b->numbers[got++] = first + (int64_t)i;
        }
    }
    free(taken);
    if (!err && got < b->n)
        err = pm_error_set(&st->error, PM_ERR_CONFLICT, "number", "no free invoice number found");
    return err;
}

/* The lines' CHECKs, tested here so that the offending line is named. */
static enum pm_err check_lines(struct store *st, size_t item, const struct invoice_line_row *lines,
                               size_t n)
{
    size_t at = 0;
    const char *failed = store_invoice_lines_fault(lines, n, &at);

    if (!failed)
        return PM_OK;
    return pm_error_set(&st->error, PM_ERR_INVALID, "lines",
                        "invoice %zu of the batch, line %zu: CHECK constraint failed: %s", item, at,
                        failed);
}

/* Item k's invoice as written: the standing after its payments, as
 * store_invoice_insert then store_payment_insert per payment leave it. */
static enum pm_err standing_of(struct store *st, size_t k, const struct store_invoice_new *it,
                               struct invoice *row)
{
    struct invoice_balance bal = {0};
    struct invoice_standing s;
    enum pm_err err;
    size_t p;

    if (it->n_lines > STORE_LINES_MAX || (it->n_lines && !it->lines))
        return pm_error_set(&st->error, PM_ERR_RANGE, "lines", "at most %d lines", STORE_LINES_MAX);
    if (it->n_buyers > STORE_BUYERS_MAX || (it->n_buyers && !it->buyers))
        return pm_error_set(&st->error, PM_ERR_RANGE, "buyers", "at most %d buyers",
                            STORE_BUYERS_MAX);
    if (it->n_payments && !it->payments)
        return pm_error_set(&st->error, PM_ERR_INVALID, "payments", "no payments given");
    if (it->n_events && !it->events)
        return pm_error_set(&st->error, PM_ERR_INVALID, "events", "no events given");
    if (it->inv.number != 0)
        return pm_error_set(&st->error, PM_ERR_INVALID, "number",
                            "invoice %zu of the batch: a batch takes its numbers from the series",
                            k);
    *row = it->inv;
    bal.customer_part_minor = row->customer_part_minor;
    bal.paid_minor = row->paid_minor;
    bal.credited_minor = row->credited_minor;
    bal.written_off = row->state == INVOICE_STATE_WRITTEN_OFF;
    bal.due_date = row->due_date;
    err = invoice_standing_new(&bal, &s, &st->error);
    if (!err) {
        row->remaining_minor = s.remaining_minor;
        row->state = s.state;
    }
    /* each payment as store_payment_insert reads the row and updates it */
    for (p = 0; !err && p < it->n_payments; p++) {
        bal.paid_minor = row->paid_minor;
        bal.written_off = row->state == INVOICE_STATE_WRITTEN_OFF;
        err = invoice_payment_check(it->payments[p].amount_minor, &st->error);
        if (!err)
            err = invoice_standing_paid(&bal, it->payments[p].amount_minor, &s, &st->error);
        if (!err) {
            row->paid_minor = s.paid_minor;
            row->remaining_minor = s.remaining_minor;
            row->state = s.state;
        }
    }
    if (err)
        return err;
    return check_lines(st, k, it->lines, it->n_lines);
}

static void invoice_row_of(const struct invoice *v, int64_t created_at, struct invoice_row *r)
{
    memset(r, 0, sizeof(*r));
    r->company_id = v->company_id;
    r->id = v->id;
    r->number = v->number;
    r->customer_id = v->customer_id;
    snprintf(r->kind, sizeof(r->kind), "%s", invoice_kind_name(v->kind));
    memcpy(r->currency, v->currency, sizeof(r->currency));
    r->invoice_date = v->invoice_date;
    r->due_date = v->due_date;
    r->net_minor = v->net_minor;
    r->vat_minor = v->vat_minor;
    r->total_minor = v->total_minor;
    r->tax_reduction_minor = v->tax_reduction_minor;
    r->customer_part_minor = v->customer_part_minor;
    r->paid_minor = v->paid_minor;
    r->credited_minor = v->credited_minor;
    r->remaining_minor = v->remaining_minor;
    snprintf(r->state, sizeof(r->state), "%s", store_invoice_state_name(v->state));
    r->manual_reminders = v->manual_reminders;
    snprintf(r->agency_state, sizeof(r->agency_state), "%s", amili_state_name(v->agency_state));
    memcpy(r->agency_status, v->agency_status, sizeof(r->agency_status));
    r->created_at = created_at;
    r->reminder_fee_minor = v->reminder_fee_agreed_minor;
    snprintf(r->zero_vat, sizeof(r->zero_vat), "%s", invoice_zero_vat_name(v->zero_vat));
    memcpy(r->customer_name, v->customer_name, sizeof(r->customer_name));
}

/* The rows of the children of item k (its id and payments' ids set). */
static void children_of(struct invoice_batch *b, size_t k, int64_t *pay_id, int64_t now)
{
    const struct store_invoice_new *it = &b->items[k];
    const struct invoice *v = &b->rows[k];
    size_t i;

    for (i = 0; i < it->n_lines; i++) {
        struct line_row *l = &b->lines[b->n_lines++];

        l->company_id = v->company_id;
        l->invoice_id = v->id;
        l->line_no = (int64_t)i + 1;
        memcpy(l->description, it->lines[i].description, sizeof(l->description));
        l->quantity_milli = it->lines[i].line.quantity_milli;
        l->unit_price_minor = it->lines[i].line.unit_price_minor;
        l->vat_rate_bp = it->lines[i].line.vat_rate_bp;
        l->labour = it->lines[i].line.labour;
        l->net_minor = it->lines[i].net_minor;
    }
    for (i = 0; i < it->n_buyers; i++) {
        struct buyer_row *r = &b->buyers[b->n_buyers++];

        r->company_id = v->company_id;
        r->invoice_id = v->id;
        r->buyer_no = (int64_t)i + 1;
        memcpy(r->id_number, it->buyers[i].id_number, sizeof(r->id_number));
        memcpy(r->name, it->buyers[i].name, sizeof(r->name));
    }
    for (i = 0; i < it->n_payments; i++) {
        struct payment *p = &it->payments[i];
        struct payment_row *r = &b->pays[b->n_pays++];

        p->company_id = v->company_id;
        p->invoice_id = v->id;
        p->id = (*pay_id)++;
        if (!p->created_at)
            p->created_at = now;
        r->company_id = p->company_id;
        r->id = p->id;
        r->invoice_id = p->invoice_id;
        r->date = p->date;
        r->amount_minor = p->amount_minor;
        memcpy(r->reference, p->reference, sizeof(r->reference));
        snprintf(r->source, sizeof(r->source), "%s", store_payment_source_name(p->source));
        r->created_at = p->created_at;
    }
    for (i = 0; i < it->n_events; i++) {
        it->events[i].company_id = v->company_id;
        it->events[i].invoice_id = v->id;
    }
    b->n_evs += it->n_events;
}

/* The events of the batch as one array: the callers' own when the items'
 * events follow each other in one array (no copy of rows of some
 * kilobytes each), else copied into b->evs. */
static struct history_event *events_of(struct invoice_batch *b)
{
    struct history_event *base = NULL, *next = NULL;
    size_t k, e = 0;

    for (k = 0; k < b->n; k++) {
        if (!b->items[k].n_events)
            continue;
        if (!base)
            base = next = b->items[k].events;
        if (b->items[k].events != next)
            break;
        next += b->items[k].n_events;
    }
    if (k == b->n)
        return base;
    if (!b->evs)
        b->evs = malloc(b->n_evs * sizeof(*b->evs));
    for (k = 0; b->evs && k < b->n; k++) {
        memcpy(b->evs + e, b->items[k].events, b->items[k].n_events * sizeof(*b->evs));
        e += b->items[k].n_events;
    }
    return b->evs;
}

/* Copied events back to the items' (their ids and stored values). */
static void events_back(struct invoice_batch *b, const struct history_event *evs)
{
    size_t k, e = 0;

    for (k = 0; evs == b->evs && k < b->n; k++) {
        memcpy(b->items[k].events, evs + e, b->items[k].n_events * sizeof(*evs));
        e += b->items[k].n_events;
    }
}

static enum pm_err invoice_batch_run(struct store *st, void *ctx)
{
    struct invoice_batch *b = ctx;
    int64_t company_id = b->items[0].inv.company_id, first_id = 0, pay_id = 0, now = sql_now();
    struct history_event *evs;
    size_t k, n_pays = 0;
    enum pm_err err = PM_OK;

    b->n_lines = b->n_buyers = b->n_pays = b->n_evs = 0;
    for (k = 0; !err && k < b->n; k++) {
        if (b->items[k].inv.company_id != company_id)
            err = pm_error_set(&st->error, PM_ERR_INVALID, "company_id",
                               "the invoices of a batch are of one company");
        if (!err)
            err = standing_of(st, k, &b->items[k], &b->rows[k]);
        n_pays += b->items[k].n_payments;
    }
    if (!err)
        err = customer_names(st, b);
    if (!err)
        err = choose_numbers(st, b);
    if (!err)
        err = sql_reserve_ids(st, company_id, "invoices", 1, (int64_t)b->n, &first_id);
    if (!err && n_pays)
        err = sql_reserve_ids(st, company_id, "payments", 1, (int64_t)n_pays, &pay_id);
    for (k = 0; !err && k < b->n; k++) {
        b->rows[k].id = first_id + (int64_t)k;
        b->rows[k].number = b->numbers[k];
        if (!b->rows[k].created_at)
            b->rows[k].created_at = now;
        invoice_row_of(&b->rows[k], b->rows[k].created_at, &b->inv_rows[k]);
        if (b->numbered) {
            /* the caller may now name the number in payments and events */
            b->items[k].inv.id = b->rows[k].id;
            b->items[k].inv.number = b->rows[k].number;
            b->numbered(b->arg, &b->items[k]);
            b->items[k].inv.id = 0;
            b->items[k].inv.number = 0;
        }
        children_of(b, k, &pay_id, now);
    }
    if (!err)
        err = sql_bulk_insert(st, &invoice_bulk, b->inv_rows, sizeof(b->inv_rows[0]), b->n);
    if (!err)
        err = sql_bulk_insert(st, &line_bulk, b->lines, sizeof(b->lines[0]), b->n_lines);
    if (!err)
        err = sql_bulk_insert(st, &buyer_bulk, b->buyers, sizeof(b->buyers[0]), b->n_buyers);
    if (!err)
        err = sql_bulk_insert(st, &payment_bulk, b->pays, sizeof(b->pays[0]), b->n_pays);
    if (!err && b->n_evs) {
        evs = events_of(b);
        if (!evs)
            err = pm_error_set(&st->error, PM_ERR_NOMEM, "events", "inserting history events");
        if (!err)
            err = history_prepare(st, evs, b->n_evs, "events");
        if (!err)
            err = history_write(st, evs, b->n_evs);
        if (!err)
            events_back(b, evs);
    }
    return err;
}

enum pm_err store_invoice_insert_batch(struct store *st, struct store_invoice_new *items, size_t n,
                                       store_invoice_numbered_fn *numbered, void *arg)
{
    struct invoice_batch b = {.items = items, .n = n, .numbered = numbered, .arg = arg};
    size_t k, n_lines = 0, n_buyers = 0, n_pays = 0;
    enum pm_err err;

    if (n == 0)
        return PM_OK;
    for (k = 0; k < n; k++) {
        n_lines += items[k].n_lines;
        n_buyers += items[k].n_buyers;
        n_pays += items[k].n_payments;
    }
    b.rows = calloc(n, sizeof(*b.rows));
    b.numbers = calloc(n, sizeof(*b.numbers));
    b.inv_rows = calloc(n, sizeof(*b.inv_rows));
    b.lines = calloc(n_lines ? n_lines : 1, sizeof(*b.lines));
    b.buyers = calloc(n_buyers ? n_buyers : 1, sizeof(*b.buyers));
    b.pays = calloc(n_pays ? n_pays : 1, sizeof(*b.pays));
    if (!b.rows || !b.numbers || !b.inv_rows || !b.lines || !b.buyers || !b.pays)
        err = pm_error_set(&st->error, PM_ERR_NOMEM, "", "inserting invoices");
    else
        err = sql_atomic(st, invoice_batch_run, &b);
    for (k = 0; !err && k < n; k++)
        items[k].inv = b.rows[k];
    free(b.evs);
    free(b.pays);
    free(b.buyers);
    free(b.lines);
    free(b.inv_rows);
    free(b.numbers);
    free(b.rows);
    return err;
}
