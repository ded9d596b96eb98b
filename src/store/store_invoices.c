/*
 * store_invoices.c — invoices with their lines and buyers, payments, the
 * history of events and the agency outbox's enqueue side, written once in
 * SQL over the storage driver (sql.h).  The list and its counts:
 * store_invoice_list.c; many invoices (with their payments and events) or
 * many events in one unit, with the same results: store_invoice_batch.c.
 *
 * The store keeps what core computed: an invoice's remaining amount and
 * state on insert and after each payment come from core/invoice.h
 * (invoice_standing_new, invoice_standing_paid), and are written in the
 * same atomic unit as the change (sql_atomic), so nothing is half written.
 * The row also keeps its customer's name, read from the customer when the
 * invoice is written (a new name reaches the rows with the change of the
 * customer, store_customers.c), so that reading an invoice or a page of
 * the list needs no customer.
 *
 * Invoice numbers: an invoice keeps the number it was given if that number
 * is free (else PM_ERR_CONFLICT on "number"), or takes the next free one of
 * the company's series, which starts at 1001.  Numbers given by hand do not
 * move the series; it steps over them.
 *
 * An invoice's lines and buyers are written with one statement each, from
 * a JSON array of rows (json_each on SQLite, jsonb_array_elements on
 * PostgreSQL): one round trip per invoice, not per line.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/invoice.h"
#include "core/webhook.h"
#include "store/sql.h"
#include "store/store.h"
#include "store/store_invoices.h"
#include "store/store_webhooks.h"
#include "util/buf.h"

/* The columns of an invoice's child tables and its history as they are
 * both written and read. */
#define LINE_COLS    "description, quantity_milli, unit_price_minor, vat_rate_bp, labour, net_minor"
#define BUYER_COLS   "id_number, name"
#define PAYMENT_COLS "company_id, id, invoice_id, date, amount_minor, reference, source, created_at"
#define HISTORY_COLS "company_id, id, invoice_id, at_us, kind, actor, message, data"

#define NUMBER_FIRST 1001
/* Numbers of the series tried before giving up (all taken by hand). */
#define NUMBER_TRIES 100000

/* ---- reading ---- */

/* STORE_INVOICE_COLS; the enums (kind, state, agency_state, zero_vat) are
 * parsed below. */
static const struct sql_col invoice_cols[] = SQL_COLS(
    struct invoice, company_id, id, number, customer_id, kind, currency, invoice_date, due_date,
    net_minor, vat_minor, total_minor, tax_reduction_minor, customer_part_minor, paid_minor,
    credited_minor, remaining_minor, state, manual_reminders, agency_state, agency_status,
    created_at, customer_name, reminder_fee_agreed_minor, zero_vat, expected_loss_minor);

static enum pm_err invoice_enums(struct store *st, struct store_stmt *q, void *out)
{
    struct invoice *inv = out;

    if (invoice_kind_parse(sql_text_ref(st, q, 4, NULL), &inv->kind))
        inv->kind = INVOICE_STANDARD;
    if (store_invoice_state_parse(sql_text_ref(st, q, 16, NULL), &inv->state))
        inv->state = INVOICE_STATE_OPEN;
    if (amili_state_parse(sql_text_ref(st, q, 18, NULL), &inv->agency_state))
        return sql_bad_value(st, q, 18, "agency_state");
    if (invoice_zero_vat_parse(sql_text_ref(st, q, 23, NULL), &inv->zero_vat))
        return sql_bad_value(st, q, 23, "zero_vat");
    return PM_OK;
}

const struct sql_reader store_invoice_reader =
    SQL_READER(struct invoice, invoice_cols, invoice_enums);

/* STORE_INVOICE_COLS, whether a stop of reminders holds today, and a
 * handed-over invoice's case id and OCR. */
static const struct sql_col invoice_listed_cols[] =
    SQL_COLS(struct invoice, company_id, id, number, customer_id, kind, currency, invoice_date,
             due_date, net_minor, vat_minor, total_minor, tax_reduction_minor, customer_part_minor,
             paid_minor, credited_minor, remaining_minor, state, manual_reminders, agency_state,
             agency_status, created_at, customer_name, reminder_fee_agreed_minor, zero_vat,
             expected_loss_minor, reminder_stopped, agency_case_id, agency_ocr);

const struct sql_reader store_invoice_listed_reader =
    SQL_READER(struct invoice, invoice_listed_cols, invoice_enums);

/* ---- invoice numbers ---- */

static enum pm_err number_taken(struct store *st, int64_t company_id, int64_t number, bool *taken)
{
    static const char sql[] = "SELECT 1 FROM invoices WHERE company_id = $1 AND number = $2";

    return sql_findf(st, taken, NULL, NULL, sql, "ii", company_id, number);
}

/* Choose *number (0: the next free one) inside the caller's transaction. */
static enum pm_err number_choose(struct store *st, int64_t company_id, int64_t *number)
{
    enum pm_err err;
    bool taken = true;
    int tries;

    if (*number > 0) {
        err = number_taken(st, company_id, *number, &taken);
        if (!err && taken)
            err = pm_error_set(&st->error, PM_ERR_CONFLICT, "number",
                               "invoice number %lld exists already", (long long)*number);
        return err;
    }
    for (tries = 0; tries < NUMBER_TRIES && taken; tries++) {
        err = sql_next_id(st, company_id, "invoice_number", NUMBER_FIRST, number);
        if (!err)
            err = number_taken(st, company_id, *number, &taken);
        if (err)
            return err;
    }
    if (taken)
        return pm_error_set(&st->error, PM_ERR_CONFLICT, "number", "no free invoice number found");
    return PM_OK;
}

/* ---- lines and buyers: rows as a JSON array ---- */

/* Append s (up to cap bytes) to b as a JSON string. */
static enum pm_err json_text(struct buf *b, const char *s, size_t cap)
{
    size_t i, len = strnlen(s, cap);
    enum pm_err err = buf_addch(b, '"');
    unsigned char c;

    for (i = 0; i < len && !err; i++) {
        c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            err = buf_addf(b, "\\%c", c);
        else if (c < 0x20)
            err = buf_addf(b, "\\u%04x", c);
        else
            err = buf_addch(b, (char)c);
    }
    return err ? err : buf_addch(b, '"');
}

const char *store_invoice_lines_fault(const struct invoice_line_row *lines, size_t n, size_t *at)
{
    size_t i;

    for (i = 0; i < n; i++) {
        *at = i;
        if (lines[i].line.quantity_milli <= 0)
            return "quantity_milli > 0";
        if (vat_index(lines[i].line.vat_rate_bp) < 0)
            return "vat_rate_bp IN (2500, 1200, 600, 0)";
    }
    return NULL;
}

/* The table's CHECKs, tested here so that the offending line is named. */
static enum pm_err check_lines(struct store *st, const struct invoice_line_row *lines, size_t n)
{
    char field[32];
    size_t at = 0;
    const char *failed = store_invoice_lines_fault(lines, n, &at);

    if (!failed)
        return PM_OK;
    snprintf(field, sizeof(field), "lines[%zu]", at);
    return pm_error_set(&st->error, PM_ERR_INVALID, field,
                        "inserting an invoice line: CHECK constraint failed: %s", failed);
}

/* Appends row i of rows to b: its values, comma-separated. */
typedef enum pm_err row_json_fn(struct buf *b, const void *rows, size_t i);

/* One of an invoice's child tables, written with one statement from a JSON
 * array of arrays: sql's $1 is the company, $2 the invoice and $3 the
 * rows; field names the rows in an error. */
struct child_table {
    struct sql_variant sql;
    row_json_fn *row;
    const char *field, *building;
};

static enum pm_err line_json(struct buf *b, const void *rows, size_t i)
{
    const struct invoice_line_row *l = (const struct invoice_line_row *)rows + i;
    enum pm_err err = json_text(b, l->description, sizeof(l->description));

    if (!err)
        err = buf_addf(b, ",%lld,%lld,%d,%d,%lld", (long long)l->line.quantity_milli,
                       (long long)l->line.unit_price_minor, l->line.vat_rate_bp,
                       l->line.labour ? 1 : 0, (long long)l->net_minor);
    return err;
}

static const struct child_table LINES = {
    {{
        [STORE_DIALECT_SQLITE] =
            "INSERT INTO invoice_lines (company_id, invoice_id, line_no, " LINE_COLS ")"
            " SELECT $1, $2, t.key + 1, json_extract(t.value, '$[0]'),"
            " json_extract(t.value, '$[1]'), json_extract(t.value, '$[2]'),"
            " json_extract(t.value, '$[3]'), json_extract(t.value, '$[4]'),"
            " json_extract(t.value, '$[5]') FROM json_each($3) AS t",
        [STORE_DIALECT_PG] =
            "INSERT INTO invoice_lines (company_id, invoice_id, line_no, " LINE_COLS ")"
            " SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT), t.n, t.e ->> 0,"
            " CAST(t.e ->> 1 AS BIGINT), CAST(t.e ->> 2 AS BIGINT), CAST(t.e ->> 3 AS BIGINT),"
            " CAST(t.e ->> 4 AS BIGINT), CAST(t.e ->> 5 AS BIGINT)"
            " FROM jsonb_array_elements(CAST($3 AS JSONB)) WITH ORDINALITY AS t(e, n)",
    }},
    line_json,
    "lines",
    "building invoice lines",
};

static enum pm_err buyer_json(struct buf *b, const void *rows, size_t i)
{
    const struct invoice_buyer *buyer = (const struct invoice_buyer *)rows + i;
    enum pm_err err = json_text(b, buyer->id_number, sizeof(buyer->id_number));

    if (!err)
        err = buf_addch(b, ',');
    if (!err)
        err = json_text(b, buyer->name, sizeof(buyer->name));
    return err;
}

static const struct child_table BUYERS = {
    {{
        [STORE_DIALECT_SQLITE] =
            "INSERT INTO invoice_buyers (company_id, invoice_id, buyer_no, " BUYER_COLS ")"
            " SELECT $1, $2, t.key + 1, json_extract(t.value, '$[0]'),"
            " json_extract(t.value, '$[1]') FROM json_each($3) AS t",
        [STORE_DIALECT_PG] =
            "INSERT INTO invoice_buyers (company_id, invoice_id, buyer_no, " BUYER_COLS ")"
            " SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT), t.n, t.e ->> 0, t.e ->> 1"
            " FROM jsonb_array_elements(CAST($3 AS JSONB)) WITH ORDINALITY AS t(e, n)",
    }},
    buyer_json,
    "buyers",
    "building invoice buyers",
};

/* Insert rows[0..n) of the child table t of inv. */
static enum pm_err insert_children(struct store *st, const struct child_table *t,
                                   const struct invoice *inv, const void *rows, size_t n)
{
    struct buf b = BUF_INIT;
    enum pm_err err;
    size_t i;

    if (n == 0)
        return PM_OK;
    err = buf_addch(&b, '[');
    for (i = 0; i < n && !err; i++) {
        err = buf_adds(&b, i ? ",[" : "[");
        if (!err)
            err = t->row(&b, rows, i);
        if (!err)
            err = buf_addch(&b, ']');
    }
    if (!err)
        err = buf_addch(&b, ']');
    if (err) {
        pm_error_set(&st->error, err, t->field, "%s", t->building);
    } else {
        err = sql_runf(st, sql_text(st, &t->sql), "iit", inv->company_id, inv->id,
                       SQL_CAP(b.data, b.len));
        if (err && err != PM_ERR_BUSY)
            snprintf(st->error.field, sizeof(st->error.field), "%s", t->field);
    }
    buf_release(&b);
    return err;
}

/* ---- invoices ---- */

static enum pm_err insert_invoice_row(struct store *st, const struct invoice *inv)
{
    static const char sql[] =
        "INSERT INTO invoices (company_id, id, number, customer_id, kind, currency,"
        " invoice_date, due_date, net_minor, vat_minor, total_minor, tax_reduction_minor,"
        " customer_part_minor, paid_minor, credited_minor, remaining_minor, state,"
        " manual_reminders, agency_state, agency_status, created_at, reminder_fee_minor,"
        " zero_vat, customer_name)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
        " $18, $19, $20, $21, $22, $23, $24)";

    return sql_runf(st, sql, "iiiittddiiiiiiiitdttiitt", inv->company_id, inv->id, inv->number,
                    inv->customer_id, SQL_CAP(invoice_kind_name(inv->kind), 16),
                    SQL_ARR(inv->currency), inv->invoice_date, inv->due_date, inv->net_minor,
                    inv->vat_minor, inv->total_minor, inv->tax_reduction_minor,
                    inv->customer_part_minor, inv->paid_minor, inv->credited_minor,
                    inv->remaining_minor, SQL_CAP(store_invoice_state_name(inv->state), 16),
                    inv->manual_reminders, SQL_CAP(amili_state_name(inv->agency_state), 32),
                    SQL_ARR(inv->agency_status), inv->created_at, inv->reminder_fee_agreed_minor,
                    SQL_CAP(invoice_zero_vat_name(inv->zero_vat), 16), SQL_ARR(inv->customer_name));
}

struct invoice_insert {
    const struct invoice *in; /* with remaining, state and created_at set */
    const struct invoice_line_row *lines;
    size_t n_lines;
    const struct invoice_buyer *buyers;
    size_t n_buyers;
    struct invoice row;
};

static enum pm_err invoice_insert_run(struct store *st, void *ctx)
{
    struct invoice_insert *ii = ctx;
    struct invoice *row = &ii->row;
    struct customer customer;
    enum pm_err err;

    *row = *ii->in;
    /* The customer exists, and the row keeps its name as it is now. */
    err = store_customer_get(st, row->company_id, row->customer_id, &customer);
    if (!err)
        memcpy(row->customer_name, customer.name, sizeof(row->customer_name));
    if (!err)
        err = number_choose(st, row->company_id, &row->number);
    if (!err)
        err = sql_next_id(st, row->company_id, "invoices", 1, &row->id);
    if (!err)
        err = insert_invoice_row(st, row);
    if (!err)
        err = check_lines(st, ii->lines, ii->n_lines);
    if (!err)
        err = insert_children(st, &LINES, row, ii->lines, ii->n_lines);
    if (!err)
        err = insert_children(st, &BUYERS, row, ii->buyers, ii->n_buyers);
    return err;
}

enum pm_err store_invoice_insert(struct store *st, struct invoice *inv,
                                 const struct invoice_line_row *lines, size_t n_lines,
                                 const struct invoice_buyer *buyers, size_t n_buyers)
{
    struct invoice in = *inv;
    struct invoice_insert ii = {&in, lines, n_lines, buyers, n_buyers, {0}};
    struct invoice_balance balance = {0};
    struct invoice_standing standing;
    enum pm_err err;

    if (n_lines > STORE_LINES_MAX || (n_lines && !lines))
        return pm_error_set(&st->error, PM_ERR_RANGE, "lines", "at most %d lines", STORE_LINES_MAX);
    if (n_buyers > STORE_BUYERS_MAX || (n_buyers && !buyers))
        return pm_error_set(&st->error, PM_ERR_RANGE, "buyers", "at most %d buyers",
                            STORE_BUYERS_MAX);
    if (in.number < 0)
        return pm_error_set(&st->error, PM_ERR_RANGE, "number", "negative invoice number");
    balance.customer_part_minor = in.customer_part_minor;
    balance.paid_minor = in.paid_minor;
    balance.credited_minor = in.credited_minor;
    balance.written_off = in.state == INVOICE_STATE_WRITTEN_OFF;
    balance.due_date = in.due_date;
    err = invoice_standing_new(&balance, &standing, &st->error);
    if (err)
        return err;
    in.remaining_minor = standing.remaining_minor;
    in.state = standing.state;
    if (!in.created_at)
        in.created_at = sql_now();
    err = sql_atomic(st, invoice_insert_run, &ii);
    if (!err)
        *inv = ii.row;
    return err;
}

enum pm_err store_invoice_get(struct store *st, int64_t company_id, int64_t id, struct invoice *out)
{
    static const char sql[] = "SELECT " STORE_INVOICE_COLS " FROM invoices AS i"
                              " WHERE i.company_id = $1 AND i.id = $2";

    return sql_getf(st, "invoice_id", "no such invoice", &store_invoice_reader, out, sql, "ii",
                    company_id, id);
}

/* After listing the rows of an invoice's child table: none found may mean
 * no such invoice (PM_ERR_NOT_FOUND) rather than an empty list. */
static enum pm_err check_parent(struct store *st, int64_t company_id, int64_t id, size_t n)
{
    static const char sql[] = "SELECT 1 FROM invoices WHERE company_id = $1 AND id = $2";
    enum pm_err err;
    bool found = false;

    if (n > 0)
        return PM_OK;
    err = sql_findf(st, &found, NULL, NULL, sql, "ii", company_id, id);
    if (!err && !found)
        err = pm_error_set(&st->error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    return err;
}

/* Run sql ($1 company, $2 invoice) and read up to cap rows with reader,
 * then tell an empty list from no such invoice. */
static enum pm_err child_rows(struct store *st, const char *sql, int64_t company_id,
                              int64_t invoice_id, const struct sql_reader *reader, void *out,
                              size_t cap, size_t *n)
{
    enum pm_err err = sql_listf(st, reader, out, cap, n, sql, "ii", company_id, invoice_id);

    if (!err)
        err = check_parent(st, company_id, invoice_id, *n);
    return err;
}

static const struct sql_col line_cols[] =
    SQL_COLS(struct invoice_line_row, description, line.quantity_milli, line.unit_price_minor,
             line.vat_rate_bp, line.labour, net_minor);

static const struct sql_reader line_reader = SQL_READER(struct invoice_line_row, line_cols, NULL);

enum pm_err store_invoice_lines(struct store *st, int64_t company_id, int64_t id,
                                struct invoice_line_row *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT " LINE_COLS " FROM invoice_lines WHERE company_id = $1 AND invoice_id = $2"
        " ORDER BY line_no";

    return child_rows(st, sql, company_id, id, &line_reader, out, cap, n);
}

static const struct sql_col buyer_cols[] = SQL_COLS(struct invoice_buyer, id_number, name);

static const struct sql_reader buyer_reader = SQL_READER(struct invoice_buyer, buyer_cols, NULL);

enum pm_err store_invoice_buyers(struct store *st, int64_t company_id, int64_t id,
                                 struct invoice_buyer *out, size_t cap, size_t *n)
{
    static const char sql[] = "SELECT " BUYER_COLS " FROM invoice_buyers"
                              " WHERE company_id = $1 AND invoice_id = $2 ORDER BY buyer_no";

    return child_rows(st, sql, company_id, id, &buyer_reader, out, cap, n);
}

/* ---- payments ---- */

struct payment_insert {
    const struct payment *in;
    struct payment row;
};

/* customer_part_minor, paid_minor, credited_minor, state, due_date */
static const struct sql_col balance_cols[] = {
    SQL_COL(struct invoice_balance, customer_part_minor),
    SQL_COL(struct invoice_balance, paid_minor), SQL_COL(struct invoice_balance, credited_minor),
    SQL_COL_SKIP, SQL_COL(struct invoice_balance, due_date)};

static enum pm_err balance_state(struct store *st, struct store_stmt *q, void *out)
{
    struct invoice_balance *b = out;
    enum invoice_state state;

    if (store_invoice_state_parse(sql_text_ref(st, q, 3, NULL), &state))
        state = INVOICE_STATE_OPEN;
    b->written_off = state == INVOICE_STATE_WRITTEN_OFF;
    return PM_OK;
}

static const struct sql_reader balance_reader =
    SQL_READER(struct invoice_balance, balance_cols, balance_state);

/* The invoice's balance, locked until the transaction ends where the
 * engine locks rows (SQLite's writer holds the whole database). */
static enum pm_err read_balance(struct store *st, int64_t company_id, int64_t id,
                                struct invoice_balance *out)
{
    static const struct sql_variant sql = {{
        [STORE_DIALECT_SQLITE] =
            "SELECT customer_part_minor, paid_minor, credited_minor, state, due_date"
            " FROM invoices WHERE company_id = $1 AND id = $2",
        [STORE_DIALECT_PG] = "SELECT customer_part_minor, paid_minor, credited_minor, state,"
                             " due_date FROM invoices WHERE company_id = $1 AND id = $2"
                             " FOR UPDATE",
    }};

    return sql_getf(st, "invoice_id", "no such invoice", &balance_reader, out, sql_text(st, &sql),
                    "ii", company_id, id);
}

static enum pm_err payment_insert_run(struct store *st, void *ctx)
{
    static const char sql_insert[] =
        "INSERT INTO payments (" PAYMENT_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    static const char sql_update[] =
        "UPDATE invoices SET paid_minor = $3, remaining_minor = $4, state = $5"
        " WHERE company_id = $1 AND id = $2";
    struct payment_insert *pi = ctx;
    struct payment *row = &pi->row;
    struct invoice_balance balance;
    struct invoice_standing standing;
    enum pm_err err;

    *row = *pi->in;
    if (!row->created_at)
        row->created_at = sql_now();
    err = read_balance(st, row->company_id, row->invoice_id, &balance);
    if (!err)
        err = invoice_standing_paid(&balance, row->amount_minor, &standing, &st->error);
    if (!err)
        err = sql_next_id(st, row->company_id, "payments", 1, &row->id);
    if (!err)
        err = sql_runf(st, sql_insert, "iiiditti", row->company_id, row->id, row->invoice_id,
                       row->date, row->amount_minor, SQL_ARR(row->reference),
                       SQL_CAP(store_payment_source_name(row->source), 16), row->created_at);
    if (!err)
        err = sql_runf(st, sql_update, "iiiit", row->company_id, row->invoice_id,
                       standing.paid_minor, standing.remaining_minor,
                       SQL_CAP(store_invoice_state_name(standing.state), 16));
    return err;
}

enum pm_err store_payment_insert(struct store *st, struct payment *p)
{
    struct payment_insert pi = {.in = p};
    enum pm_err err = invoice_payment_check(p->amount_minor, &st->error);

    if (!err)
        err = sql_atomic(st, payment_insert_run, &pi);
    if (!err)
        *p = pi.row;
    return err;
}

static const struct sql_col payment_cols[] = SQL_COLS(
    struct payment, company_id, id, invoice_id, date, amount_minor, reference, source, created_at);

static enum pm_err payment_source(struct store *st, struct store_stmt *q, void *out)
{
    struct payment *p = out;

    if (store_payment_source_parse(sql_text_ref(st, q, 6, NULL), &p->source))
        p->source = PAYMENT_MANUAL;
    return PM_OK;
}

static const struct sql_reader payment_reader =
    SQL_READER(struct payment, payment_cols, payment_source);

enum pm_err store_payment_list(struct store *st, int64_t company_id, int64_t invoice_id,
                               struct payment *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT " PAYMENT_COLS " FROM payments WHERE company_id = $1 AND invoice_id = $2"
        " ORDER BY id";

    return child_rows(st, sql, company_id, invoice_id, &payment_reader, out, cap, n);
}

/* ---- history ---- */

static int64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct history_insert {
    const struct history_event *ev;
    int64_t at_us;
    int64_t id;
};

static enum pm_err history_insert_run(struct store *st, void *ctx)
{
    static const char sql[] =
        "INSERT INTO history_events (" HISTORY_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    struct history_insert *hi = ctx;
    const struct history_event *ev = hi->ev;
    const char *type;
    enum pm_err err = sql_next_id(st, ev->company_id, "history_events", 1, &hi->id);

    if (!err)
        err = sql_runf(st, sql, "iiiitttt", ev->company_id, hi->id, ev->invoice_id, hi->at_us,
                       SQL_ARR(ev->kind), SQL_ARR(ev->actor), SQL_ARR(ev->message),
                       SQL_CAP(ev->data[0] ? ev->data : "{}", sizeof(ev->data)));
    /* A webhook event for the history events that are one, in the same
     * transaction (core/webhook.h, store_webhooks.h). */
    type = webhook_type_of_history(ev->kind);
    if (!err && type)
        err = store_webhook_emit(st, ev->company_id, ev->invoice_id, type,
                                 ev->data[0] ? ev->data : "{}", hi->at_us / 1000000, NULL);
    return err;
}

/* at_us is kept as given (0 = now); data "" is stored as "{}". */
enum pm_err store_history_insert(struct store *st, struct history_event *ev)
{
    struct history_insert hi = {ev, ev->at_us ? ev->at_us : now_us(), 0};
    enum pm_err err = sql_atomic(st, history_insert_run, &hi);

    if (!err) {
        ev->id = hi.id;
        ev->at_us = hi.at_us;
        if (!ev->data[0])
            snprintf(ev->data, sizeof(ev->data), "{}");
    }
    return err;
}

static const struct sql_col history_cols[] =
    SQL_COLS(struct history_event, company_id, id, invoice_id, at_us, kind, actor, message, data);

static const struct sql_reader history_reader =
    SQL_READER(struct history_event, history_cols, NULL);

/* In the order written (event id), which is the order of events. */
enum pm_err store_history_list(struct store *st, int64_t company_id, int64_t invoice_id,
                               int64_t after_id, struct history_event *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT " HISTORY_COLS " FROM history_events"
        " WHERE company_id = $1 AND invoice_id = $2 AND id > $3 ORDER BY id LIMIT $4";

    return sql_listf(st, &history_reader, out, cap, n, sql, "iiii", company_id, invoice_id,
                     after_id, (int64_t)cap);
}

/* ---- the agency outbox: enqueue ---- */

struct outbox_insert {
    const struct outbox_message *in;
    struct outbox_message row;
};

static enum pm_err outbox_insert_run(struct store *st, void *ctx)
{
    static const char sql[] =
        "INSERT INTO outbox (company_id, id, invoice_id, batch_id, kind, payload, state,"
        " idempotency_key, created_at, updated_at)"
        " VALUES ($1, $2, $3, nullif(CAST($4 AS BIGINT), 0), $5, $6, 'pending', $7, $8, $8)";
    struct outbox_insert *oi = ctx;
    struct outbox_message *row = &oi->row;
    enum pm_err err;

    *row = *oi->in;
    if (!row->payload[0])
        memcpy(row->payload, "{}", 3);
    err = sql_next_id(st, row->company_id, "outbox", 1, &row->id);
    if (!err)
        err = sql_runf(st, sql, "iiiittti", row->company_id, row->id, row->invoice_id,
                       row->batch_id, SQL_CAP(amili_job_name(row->kind), 32), SQL_ARR(row->payload),
                       SQL_ARR(row->idempotency_key), sql_now());
    return err;
}

/* Written in the caller's transaction (or its own), so the message exists
 * exactly when the change that calls for it does; a second enqueue of the
 * same (company, idempotency_key) is PM_ERR_CONFLICT. */
enum pm_err store_outbox_enqueue(struct store *st, struct outbox_message *m)
{
    struct outbox_insert oi = {.in = m};
    enum pm_err err;

    if (!amili_job_name(m->kind) || !m->idempotency_key[0])
        return pm_error_set(&st->error, PM_ERR_INVALID,
                            amili_job_name(m->kind) ? "idempotency_key" : "kind",
                            "an outbox message needs a kind and an idempotency key");
    err = sql_atomic(st, outbox_insert_run, &oi);
    if (!err)
        *m = oi.row;
    return err;
}
