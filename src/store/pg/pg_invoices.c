/*
 * pg_invoices.c — customers, invoices, payments, history and the outbox's
 * enqueue side in the PostgreSQL engine (the handle: pg_store.c; statements
 * and transactions: pg_conn.c).
 *
 * Behaviour is sqlite_invoices.c's, operation for operation; read that
 * file's header for the why.  Differences of means, not of result:
 *
 * - Writes of several statements run through pg_store_atomic (their own
 *   transaction, retried on a serialisation failure, or a savepoint inside
 *   the caller's), so a refused insert never aborts the caller's
 *   transaction — callers go on after PM_ERR_CONFLICT as they do on SQLite.
 * - An invoice's lines and buyers are one INSERT each, from arrays.
 * - The invoice list: each query shape (filter x sort x cursor x search x
 *   customer, as in SQLite) has its SQL text built once per process from a
 *   fixed set of fragments — values are always parameters — and prepared
 *   once per connection.  Every shape without a name search is answered
 *   from an index of migration 1 in the order of the sort; keyset paging is
 *   the row comparison (key, id) > ($k, $i), which PostgreSQL uses as an
 *   index range.
 * - Names compare as SQLite's NOCASE and LIKE do: ASCII case folded,
 *   bytes otherwise (lower(x COLLATE "C")).
 */
#include "store/pg/pg_store.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/money.h"
#include "store/store_list.h"
#include "store/store_number.h"
#include "util/buf.h"

static struct pg_store *engine(struct store *st)
{
    return (struct pg_store *)st;
}

/* SQLite's LIKE pattern "%q%", wildcards escaped by '\', ASCII lowered (the
 * column side is lower(x COLLATE "C")); dst holds 2 * len + 3. */
static void like_pattern(const char *q, size_t len, char *dst)
{
    size_t i, j = 0;
    char c;

    dst[j++] = '%';
    for (i = 0; i < len; i++) {
        c = q[i];
        if (c == '%' || c == '_' || c == '\\')
            dst[j++] = '\\';
        dst[j++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    dst[j++] = '%';
    dst[j] = '\0';
}

/* Does sql (bound to p) return a row? */
static enum pm_err exists(struct pg_store *s, const char *sql, const struct pg_params *p,
                          const char *what, bool *out)
{
    PGresult *res = NULL;
    enum pm_err err = pg_store_exec(s, sql, p, &res, what);

    if (err)
        return err;
    *out = PQntuples(res) > 0;
    PQclear(res);
    return PM_OK;
}

static enum pm_err exists2(struct pg_store *s, const char *sql, int64_t a, int64_t b,
                           const char *what, bool *out)
{
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, a);
    pg_param_int(&p, b);
    return exists(s, sql, &p, what, out);
}

/* ---- customers ---- */

#define CUSTOMER_COLS                                                                      \
    "company_id, id, number, name, is_company, id_number, address_line_1, address_line_2," \
    " zip_code, city, country, email, mobile_number, language, created_at"

/* $1 company, $2 id, then the columns of CUSTOMER_COLS up to language. */
static void customer_params(struct pg_params *p, const struct customer *c)
{
    pg_param_int(p, c->company_id);
    pg_param_int(p, c->id);
    pg_param_arr(p, c->number);
    pg_param_arr(p, c->name);
    pg_param_bool(p, c->is_company);
    pg_param_arr(p, c->id_number);
    pg_param_arr(p, c->address_line_1);
    pg_param_arr(p, c->address_line_2);
    pg_param_arr(p, c->zip_code);
    pg_param_arr(p, c->city);
    pg_param_arr(p, c->country);
    pg_param_arr(p, c->email);
    pg_param_arr(p, c->mobile_number);
    pg_param_arr(p, c->language);
}

static void customer_read(const PGresult *r, int i, struct customer *c)
{
    memset(c, 0, sizeof(*c));
    c->company_id = pg_get_int(r, i, 0);
    c->id = pg_get_int(r, i, 1);
    pg_get_arr(r, i, 2, c->number);
    pg_get_arr(r, i, 3, c->name);
    c->is_company = pg_get_bool(r, i, 4);
    pg_get_arr(r, i, 5, c->id_number);
    pg_get_arr(r, i, 6, c->address_line_1);
    pg_get_arr(r, i, 7, c->address_line_2);
    pg_get_arr(r, i, 8, c->zip_code);
    pg_get_arr(r, i, 9, c->city);
    pg_get_arr(r, i, 10, c->country);
    pg_get_arr(r, i, 11, c->email);
    pg_get_arr(r, i, 12, c->mobile_number);
    pg_get_arr(r, i, 13, c->language);
    c->created_at = pg_get_int(r, i, 14);
}

struct customer_insert {
    const struct customer *in;
    struct customer row;
};

static enum pm_err customer_insert_run(struct pg_store *s, void *ctx)
{
    static const char sql[] = "INSERT INTO customers (" CUSTOMER_COLS ")"
                              " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
                              " $14, $15)";
    struct customer_insert *c = ctx;
    struct pg_params p;
    enum pm_err err;

    c->row = *c->in;
    if (!c->row.created_at)
        c->row.created_at = pg_store_now();
    err = pg_store_next_id(s, c->row.company_id, "customers", 1, &c->row.id);
    if (err)
        return err;
    pg_params_init(&p);
    customer_params(&p, &c->row);
    pg_param_int(&p, c->row.created_at);
    return pg_store_exec(s, sql, &p, NULL, "inserting a customer");
}

enum pm_err pg_invoices_customer_insert(struct store *st, struct customer *c)
{
    struct customer_insert ci = {.in = c};
    enum pm_err err = pg_store_atomic(engine(st), customer_insert_run, &ci);

    if (!err)
        *c = ci.row;
    return err;
}

enum pm_err pg_invoices_customer_get(struct store *st, int64_t company_id, int64_t id,
                                     struct customer *out)
{
    static const char sql[] =
        "SELECT " CUSTOMER_COLS " FROM customers WHERE company_id = $1 AND id = $2";
    struct pg_store *s = engine(st);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, id);
    err = pg_store_exec(s, sql, &p, &res, "reading a customer");
    if (err)
        return err;
    if (PQntuples(res) == 1)
        customer_read(res, 0, out);
    else
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "customer_id", "no such customer");
    PQclear(res);
    return err;
}

enum pm_err pg_invoices_customer_update(struct store *st, const struct customer *c)
{
    static const char sql[] =
        "UPDATE customers SET number = $3, name = $4, is_company = $5, id_number = $6,"
        " address_line_1 = $7, address_line_2 = $8, zip_code = $9, city = $10, country = $11,"
        " email = $12, mobile_number = $13, language = $14 WHERE company_id = $1 AND id = $2";
    struct pg_store *s = engine(st);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    customer_params(&p, c);
    err = pg_store_exec(s, sql, &p, &res, "updating a customer");
    if (err)
        return err;
    if (!strcmp(PQcmdTuples(res), "0"))
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "customer_id", "no such customer");
    PQclear(res);
    return err;
}

/* Customers by name (ASCII case-insensitive), then id; q matches a part of
 * the name or the whole customer number. */
enum pm_err pg_invoices_customer_list(struct store *st, int64_t company_id, const char *q,
                                      int64_t after_id, struct customer *out, size_t cap, size_t *n)
{
#define CUSTOMER_MATCH                                                                     \
    " AND ($2 = '' OR lower(name COLLATE \"C\") LIKE ($3::text COLLATE \"C\") ESCAPE '\\'" \
    " OR number = $2)"
    static const char sql_first[] =
        "SELECT " CUSTOMER_COLS " FROM customers WHERE company_id = $1" CUSTOMER_MATCH
        " ORDER BY lower(name COLLATE \"C\"), id LIMIT $4";
    static const char sql_after[] =
        "SELECT " CUSTOMER_COLS " FROM customers WHERE company_id = $1" CUSTOMER_MATCH
        " AND (lower(name COLLATE \"C\"), id) >"
        " (SELECT lower(name COLLATE \"C\"), id FROM customers WHERE company_id = $1 AND id = $4)"
        " ORDER BY lower(name COLLATE \"C\"), id LIMIT $5";
#undef CUSTOMER_MATCH
    struct pg_store *s = engine(st);
    char text[STORE_NAME_MAX], like[2 * STORE_NAME_MAX + 3];
    size_t qlen = q ? strnlen(q, STORE_NAME_MAX) : 0;
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;
    int i;

    *n = 0;
    if (cap > STORE_LIST_MAX)
        cap = STORE_LIST_MAX;
    if (qlen >= sizeof(text))
        qlen = sizeof(text) - 1;
    memcpy(text, q ? q : "", qlen);
    text[qlen] = '\0';
    like_pattern(text, qlen, like);
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_arr(&p, text);
    pg_param_arr(&p, like);
    if (after_id > 0)
        pg_param_int(&p, after_id);
    pg_param_int(&p, (int64_t)cap);
    err = pg_store_exec(s, after_id > 0 ? sql_after : sql_first, &p, &res, "listing customers");
    if (err)
        return err;
    for (i = 0; i < PQntuples(res) && *n < cap; i++)
        customer_read(res, i, &out[(*n)++]);
    PQclear(res);
    return PM_OK;
}

/* ---- invoices ---- */

#define INVOICE_COLS                                                                      \
    "i.company_id, i.id, i.number, i.customer_id, i.kind, i.currency, i.invoice_date,"    \
    " i.due_date, i.net_minor, i.vat_minor, i.total_minor, i.tax_reduction_minor,"        \
    " i.customer_part_minor, i.paid_minor, i.credited_minor, i.remaining_minor, i.state," \
    " i.manual_reminders, i.agency_state, i.agency_status, i.created_at, c.name"

static void invoice_read(const PGresult *r, int i, struct invoice *inv)
{
    memset(inv, 0, sizeof(*inv));
    inv->company_id = pg_get_int(r, i, 0);
    inv->id = pg_get_int(r, i, 1);
    inv->number = pg_get_int(r, i, 2);
    inv->customer_id = pg_get_int(r, i, 3);
    if (invoice_kind_parse(PQgetvalue(r, i, 4), &inv->kind))
        inv->kind = INVOICE_STANDARD;
    pg_get_arr(r, i, 5, inv->currency);
    inv->invoice_date = (int32_t)pg_get_int(r, i, 6);
    inv->due_date = (int32_t)pg_get_int(r, i, 7);
    inv->net_minor = pg_get_int(r, i, 8);
    inv->vat_minor = pg_get_int(r, i, 9);
    inv->total_minor = pg_get_int(r, i, 10);
    inv->tax_reduction_minor = pg_get_int(r, i, 11);
    inv->customer_part_minor = pg_get_int(r, i, 12);
    inv->paid_minor = pg_get_int(r, i, 13);
    inv->credited_minor = pg_get_int(r, i, 14);
    inv->remaining_minor = pg_get_int(r, i, 15);
    if (store_invoice_state_parse(PQgetvalue(r, i, 16), &inv->state))
        inv->state = INVOICE_STATE_OPEN;
    inv->manual_reminders = (int)pg_get_int(r, i, 17);
    pg_get_arr(r, i, 18, inv->agency_state);
    pg_get_arr(r, i, 19, inv->agency_status);
    inv->created_at = pg_get_int(r, i, 20);
    pg_get_arr(r, i, 21, inv->customer_name);
}

/* The state that follows from the amounts (sqlite_invoices.c's rule): a
 * written-off invoice stays written off; otherwise open while something is
 * left, credited when credit notes (and no payment) cleared it, else paid. */
static enum invoice_state derive_state(enum invoice_state current, int64_t remaining, int64_t paid,
                                       int64_t credited)
{
    if (current == INVOICE_STATE_WRITTEN_OFF)
        return current;
    if (remaining > 0)
        return INVOICE_STATE_OPEN;
    if (credited > 0 && paid == 0)
        return INVOICE_STATE_CREDITED;
    return INVOICE_STATE_PAID;
}

static enum pm_err invoice_exists(struct pg_store *s, int64_t company_id, int64_t id, bool *out)
{
    static const char sql[] = "SELECT 1 FROM invoices WHERE company_id = $1 AND id = $2";

    return exists2(s, sql, company_id, id, "looking up an invoice", out);
}

static enum pm_err number_taken(struct pg_store *s, int64_t company_id, int64_t number, bool *out)
{
    static const char sql[] = "SELECT 1 FROM invoices WHERE company_id = $1 AND number = $2";

    return exists2(s, sql, company_id, number, "looking up an invoice number", out);
}

static enum pm_err series_taken(struct store *st, int64_t company_id, int64_t number, bool *taken)
{
    return number_taken((struct pg_store *)st, company_id, number, taken);
}

static enum pm_err series_next(struct store *st, int64_t company_id, int64_t *number)
{
    return pg_store_next_id((struct pg_store *)st, company_id, "invoice_number", STORE_NUMBER_FIRST,
                            number);
}

static const struct store_number_series number_series = {series_taken, series_next};

/* Append s (up to cap bytes) to b as an element of an array literal. */
static enum pm_err array_text(struct buf *b, const char *s, size_t cap)
{
    size_t i, len = strnlen(s, cap);
    enum pm_err err = buf_addch(b, '"');

    for (i = 0; i < len && !err; i++) {
        if (s[i] == '"' || s[i] == '\\')
            err = buf_addch(b, '\\');
        if (!err)
            err = buf_addch(b, s[i]);
    }
    return err ? err : buf_addch(b, '"');
}

/* Array literals for $3.. of insert_lines / insert_buyers: one buf per
 * column, "{a,b,...}". */
#define LINE_COLS  6
#define BUYER_COLS 2

static enum pm_err close_arrays(struct buf *cols, size_t n)
{
    enum pm_err err = PM_OK;
    size_t c;

    for (c = 0; c < n && !err; c++)
        err = buf_addch(&cols[c], '}');
    return err;
}

/* The CHECKs of invoice_lines, tested here so that the offending line can
 * be named ("lines[i]") as the SQLite engine does. */
static enum pm_err check_lines(struct pg_store *s, const struct invoice_line_row *lines, size_t n)
{
    const char *failed = NULL;
    char field[32];
    size_t i;
    int vat;

    for (i = 0; i < n && !failed; i++) {
        vat = lines[i].line.vat_rate_bp;
        if (lines[i].line.quantity_milli <= 0)
            failed = "quantity_milli > 0";
        else if (vat != 2500 && vat != 1200 && vat != 600 && vat != 0)
            failed = "vat_rate_bp IN (2500, 1200, 600, 0)";
    }
    if (!failed)
        return PM_OK;
    snprintf(field, sizeof(field), "lines[%zu]", i - 1);
    return pm_error_set(&s->base.error, PM_ERR_INVALID, field,
                        "inserting an invoice line: CHECK constraint failed: %s", failed);
}

static enum pm_err insert_lines(struct pg_store *s, const struct invoice *inv,
                                const struct invoice_line_row *lines, size_t n_lines)
{
    static const char sql[] =
        "INSERT INTO invoice_lines (company_id, invoice_id, line_no, description, quantity_milli,"
        " unit_price_minor, vat_rate_bp, labour, net_minor)"
        " SELECT $1, $2, t.n, t.d, t.q, t.p, t.v, t.l, t.net"
        " FROM unnest($3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],"
        " $8::bigint[]) WITH ORDINALITY AS t(d, q, p, v, l, net, n)";
    struct buf cols[LINE_COLS];
    struct pg_params p;
    enum pm_err err = PM_OK;
    size_t i, c;

    if (n_lines == 0)
        return PM_OK;
    err = check_lines(s, lines, n_lines);
    if (err)
        return err;
    for (c = 0; c < LINE_COLS; c++)
        buf_init(&cols[c]);
    for (c = 0; c < LINE_COLS && !err; c++)
        err = buf_addch(&cols[c], '{');
    for (i = 0; i < n_lines && !err; i++) {
        const char *sep = i ? "," : "";
        const struct invoice_line_row *l = &lines[i];

        err = buf_adds(&cols[0], sep);
        if (!err)
            err = array_text(&cols[0], l->description, sizeof(l->description));
        if (!err)
            err = buf_addf(&cols[1], "%s%lld", sep, (long long)l->line.quantity_milli);
        if (!err)
            err = buf_addf(&cols[2], "%s%lld", sep, (long long)l->line.unit_price_minor);
        if (!err)
            err = buf_addf(&cols[3], "%s%d", sep, l->line.vat_rate_bp);
        if (!err)
            err = buf_addf(&cols[4], "%s%d", sep, l->line.labour ? 1 : 0);
        if (!err)
            err = buf_addf(&cols[5], "%s%lld", sep, (long long)l->net_minor);
    }
    if (!err)
        err = close_arrays(cols, LINE_COLS);
    if (err) {
        pm_error_set(&s->base.error, err, "lines", "building invoice lines");
        goto out_release;
    }
    pg_params_init(&p);
    pg_param_int(&p, inv->company_id);
    pg_param_int(&p, inv->id);
    for (c = 0; c < LINE_COLS; c++)
        pg_param_text(&p, cols[c].data, cols[c].len + 1);
    err = pg_store_exec(s, sql, &p, NULL, "inserting invoice lines");
    if (err && !s->retryable)
        snprintf(s->base.error.field, sizeof(s->base.error.field), "lines");
out_release:
    for (c = 0; c < LINE_COLS; c++)
        buf_release(&cols[c]);
    return err;
}

static enum pm_err insert_buyers(struct pg_store *s, const struct invoice *inv,
                                 const struct invoice_buyer *buyers, size_t n_buyers)
{
    static const char sql[] =
        "INSERT INTO invoice_buyers (company_id, invoice_id, buyer_no, id_number, name)"
        " SELECT $1, $2, t.n, t.id_number, t.name"
        " FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS t(id_number, name, n)";
    struct buf cols[BUYER_COLS];
    struct pg_params p;
    enum pm_err err = PM_OK;
    size_t i, c;

    if (n_buyers == 0)
        return PM_OK;
    for (c = 0; c < BUYER_COLS; c++)
        buf_init(&cols[c]);
    for (c = 0; c < BUYER_COLS && !err; c++)
        err = buf_addch(&cols[c], '{');
    for (i = 0; i < n_buyers && !err; i++) {
        const char *sep = i ? "," : "";

        err = buf_adds(&cols[0], sep);
        if (!err)
            err = array_text(&cols[0], buyers[i].id_number, sizeof(buyers[i].id_number));
        if (!err)
            err = buf_adds(&cols[1], sep);
        if (!err)
            err = array_text(&cols[1], buyers[i].name, sizeof(buyers[i].name));
    }
    if (!err)
        err = close_arrays(cols, BUYER_COLS);
    if (err) {
        pm_error_set(&s->base.error, err, "buyers", "building invoice buyers");
        goto out_release;
    }
    pg_params_init(&p);
    pg_param_int(&p, inv->company_id);
    pg_param_int(&p, inv->id);
    for (c = 0; c < BUYER_COLS; c++)
        pg_param_text(&p, cols[c].data, cols[c].len + 1);
    err = pg_store_exec(s, sql, &p, NULL, "inserting invoice buyers");
out_release:
    for (c = 0; c < BUYER_COLS; c++)
        buf_release(&cols[c]);
    return err;
}

static enum pm_err insert_invoice_row(struct pg_store *s, const struct invoice *inv)
{
    static const char sql[] =
        "INSERT INTO invoices (company_id, id, number, customer_id, kind, currency,"
        " invoice_date, due_date, net_minor, vat_minor, total_minor, tax_reduction_minor,"
        " customer_part_minor, paid_minor, credited_minor, remaining_minor, state,"
        " manual_reminders, agency_state, agency_status, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
        " $18, $19, $20, $21)";
    struct pg_params p;

    pg_params_init(&p);
    pg_param_int(&p, inv->company_id);
    pg_param_int(&p, inv->id);
    pg_param_int(&p, inv->number);
    pg_param_int(&p, inv->customer_id);
    pg_param_text(&p, invoice_kind_name(inv->kind), 16);
    pg_param_arr(&p, inv->currency);
    pg_param_int(&p, inv->invoice_date);
    pg_param_int(&p, inv->due_date);
    pg_param_int(&p, inv->net_minor);
    pg_param_int(&p, inv->vat_minor);
    pg_param_int(&p, inv->total_minor);
    pg_param_int(&p, inv->tax_reduction_minor);
    pg_param_int(&p, inv->customer_part_minor);
    pg_param_int(&p, inv->paid_minor);
    pg_param_int(&p, inv->credited_minor);
    pg_param_int(&p, inv->remaining_minor);
    pg_param_text(&p, store_invoice_state_name(inv->state), 16);
    pg_param_int(&p, inv->manual_reminders);
    pg_param_arr(&p, inv->agency_state);
    pg_param_arr(&p, inv->agency_status);
    pg_param_int(&p, inv->created_at);
    return pg_store_exec(s, sql, &p, NULL, "inserting an invoice");
}

struct invoice_insert {
    const struct invoice *in; /* with remaining, state and created_at set */
    const struct invoice_line_row *lines;
    size_t n_lines;
    const struct invoice_buyer *buyers;
    size_t n_buyers;
    struct invoice row;
};

static enum pm_err invoice_insert_run(struct pg_store *s, void *ctx)
{
    static const char sql_customer[] = "SELECT 1 FROM customers WHERE company_id = $1 AND id = $2";
    struct invoice_insert *ii = ctx;
    struct invoice *row = &ii->row;
    enum pm_err err;
    bool found = false;

    *row = *ii->in;
    err = exists2(s, sql_customer, row->company_id, row->customer_id, "looking up a customer",
                  &found);
    if (!err && !found)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "customer_id", "no such customer");
    if (!err)
        err = store_number_choose(&s->base, &number_series, row->company_id, &row->number);
    if (!err)
        err = pg_store_next_id(s, row->company_id, "invoices", 1, &row->id);
    if (!err)
        err = insert_invoice_row(s, row);
    if (!err)
        err = insert_lines(s, row, ii->lines, ii->n_lines);
    if (!err)
        err = insert_buyers(s, row, ii->buyers, ii->n_buyers);
    return err;
}

enum pm_err pg_invoices_insert(struct store *st, struct invoice *inv,
                               const struct invoice_line_row *lines, size_t n_lines,
                               const struct invoice_buyer *buyers, size_t n_buyers)
{
    struct pg_store *s = engine(st);
    struct invoice in = *inv;
    struct invoice_insert ii = {&in, lines, n_lines, buyers, n_buyers, {0}};
    int64_t remaining;
    enum pm_err err;

    if (n_lines > STORE_LINES_MAX || (n_lines && !lines))
        return pm_error_set(&s->base.error, PM_ERR_RANGE, "lines", "at most %d lines",
                            STORE_LINES_MAX);
    if (n_buyers > STORE_BUYERS_MAX || (n_buyers && !buyers))
        return pm_error_set(&s->base.error, PM_ERR_RANGE, "buyers", "at most %d buyers",
                            STORE_BUYERS_MAX);
    if (in.number < 0)
        return pm_error_set(&s->base.error, PM_ERR_RANGE, "number", "negative invoice number");
    err = money_sub(in.customer_part_minor, in.paid_minor, &remaining);
    if (!err)
        err = money_sub(remaining, in.credited_minor, &remaining);
    if (err)
        return pm_error_set(&s->base.error, err, "customer_part_minor", "amounts overflow");
    in.remaining_minor = remaining;
    in.state = derive_state(in.state == INVOICE_STATE_WRITTEN_OFF ? in.state : INVOICE_STATE_OPEN,
                            remaining, in.paid_minor, in.credited_minor);
    if (!in.created_at)
        in.created_at = pg_store_now();
    err = pg_store_atomic(s, invoice_insert_run, &ii);
    if (!err)
        *inv = ii.row;
    return err;
}

enum pm_err pg_invoices_get(struct store *st, int64_t company_id, int64_t id, struct invoice *out)
{
    static const char sql[] = "SELECT " INVOICE_COLS " FROM invoices AS i JOIN customers AS c"
                              " ON c.company_id = i.company_id AND c.id = i.customer_id"
                              " WHERE i.company_id = $1 AND i.id = $2";
    struct pg_store *s = engine(st);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, id);
    err = pg_store_exec(s, sql, &p, &res, "reading an invoice");
    if (err)
        return err;
    if (PQntuples(res) == 1)
        invoice_read(res, 0, out);
    else
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    PQclear(res);
    return err;
}

/* After listing the rows of an invoice's child table: none found may mean
 * no such invoice (PM_ERR_NOT_FOUND) rather than an empty list. */
static enum pm_err check_parent(struct pg_store *s, int64_t company_id, int64_t id, size_t n)
{
    enum pm_err err;
    bool found = false;

    if (n > 0)
        return PM_OK;
    err = invoice_exists(s, company_id, id, &found);
    if (!err && !found)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    return err;
}

/* Run sql ($1 company, $2 invoice) and read up to cap rows with read(). */
#define READ_ROWS(s, sql, company_id, invoice_id, what, out, cap, n, read) \
    do {                                                                   \
        struct pg_params p_;                                               \
        PGresult *res_ = NULL;                                             \
        int i_;                                                            \
                                                                           \
        *(n) = 0;                                                          \
        pg_params_init(&p_);                                               \
        pg_param_int(&p_, company_id);                                     \
        pg_param_int(&p_, invoice_id);                                     \
        err = pg_store_exec(s, sql, &p_, &res_, what);                     \
        if (err)                                                           \
            break;                                                         \
        for (i_ = 0; i_ < PQntuples(res_) && *(n) < (cap); i_++)           \
            read(res_, i_, &(out)[(*(n))++]);                              \
        PQclear(res_);                                                     \
    } while (0)

static void line_read(const PGresult *r, int i, struct invoice_line_row *l)
{
    memset(l, 0, sizeof(*l));
    pg_get_arr(r, i, 0, l->description);
    l->line.quantity_milli = pg_get_int(r, i, 1);
    l->line.unit_price_minor = pg_get_int(r, i, 2);
    l->line.vat_rate_bp = (int)pg_get_int(r, i, 3);
    l->line.labour = pg_get_bool(r, i, 4);
    l->net_minor = pg_get_int(r, i, 5);
}

enum pm_err pg_invoices_lines(struct store *st, int64_t company_id, int64_t id,
                              struct invoice_line_row *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT description, quantity_milli, unit_price_minor, vat_rate_bp, labour, net_minor"
        " FROM invoice_lines WHERE company_id = $1 AND invoice_id = $2 ORDER BY line_no";
    struct pg_store *s = engine(st);
    enum pm_err err;

    READ_ROWS(s, sql, company_id, id, "listing invoice lines", out, cap, n, line_read);
    if (!err)
        err = check_parent(s, company_id, id, *n);
    return err;
}

static void buyer_read(const PGresult *r, int i, struct invoice_buyer *b)
{
    memset(b, 0, sizeof(*b));
    pg_get_arr(r, i, 0, b->id_number);
    pg_get_arr(r, i, 1, b->name);
}

enum pm_err pg_invoices_buyers(struct store *st, int64_t company_id, int64_t id,
                               struct invoice_buyer *out, size_t cap, size_t *n)
{
    static const char sql[] = "SELECT id_number, name FROM invoice_buyers"
                              " WHERE company_id = $1 AND invoice_id = $2 ORDER BY buyer_no";
    struct pg_store *s = engine(st);
    enum pm_err err;

    READ_ROWS(s, sql, company_id, id, "listing invoice buyers", out, cap, n, buyer_read);
    if (!err)
        err = check_parent(s, company_id, id, *n);
    return err;
}

/* ---- the invoice list ---- */

/* The values a list query may bind, in no particular order: each shape
 * numbers the ones it uses in the order its SQL text names them. */
enum list_value { V_COMPANY, V_TODAY, V_CUSTOMER, V_NUMBER, V_LIKE, V_KEY, V_ID, V_LIMIT, V_COUNT };

/* One shape's statement: SQL text (its address keys the prepared statement
 * on each connection) and which value each $n is. */
struct list_shape {
    char *sql;
    int n_values;
    enum list_value values[V_COUNT];
};

/* Built on first use and kept for the life of the process; written once
 * per slot with compare-and-swap, so worker threads may race to build. */
static _Atomic(struct list_shape *) list_shapes[STORE_LIST_SHAPES];

/* "$n" for value v in shape sh, numbering it on first use. */
static const char *placeholder(struct list_shape *sh, enum list_value v, char buf[12])
{
    int i;

    for (i = 0; i < sh->n_values && sh->values[i] != v; i++)
        ;
    if (i == sh->n_values)
        sh->values[sh->n_values++] = v;
    snprintf(buf, 12, "$%d", i + 1);
    return buf;
}

static enum pm_err filter_sql(const struct invoice_query *q, struct list_shape *sh, struct buf *out)
{
    char ph[12];

    switch (q->filter) {
    case FILTER_ALL:
        return PM_OK;
    case FILTER_UNPAID:
        return buf_adds(out, " AND i.state = 'open'");
    case FILTER_OVERDUE:
        if (store_list_overdue_in_cursor(q))
            return buf_adds(out, " AND i.state = 'open'");
        return buf_addf(out, " AND i.state = 'open' AND i.due_date < %s::bigint",
                        placeholder(sh, V_TODAY, ph));
    case FILTER_AGENCY:
        return buf_adds(out, " AND i.agency_state <> ''");
    case FILTER_PAID:
        return buf_adds(out, " AND i.state = 'paid'");
    case FILTER_WRITTEN_OFF:
        return buf_adds(out, " AND i.state = 'written_off'");
    case FILTER_COUNT:
        break;
    }
    return PM_ERR_INVALID;
}

/* The SQL text and value order of q's shape. */
static enum pm_err list_build(const struct invoice_query *q, struct list_shape *sh, struct buf *out)
{
    const char *key = store_list_sort_column(q->sort);
    const char *dir = store_list_sort_descending(q->sort) ? "DESC" : "ASC";
    char ph[2][12];
    enum pm_err err;
    int64_t number;

    err = buf_addf(out,
                   "SELECT " INVOICE_COLS " FROM invoices AS i JOIN customers AS c"
                   " ON c.company_id = i.company_id AND c.id = i.customer_id"
                   " WHERE i.company_id = %s",
                   placeholder(sh, V_COMPANY, ph[0]));
    if (!err)
        err = filter_sql(q, sh, out);
    if (!err && q->customer_id > 0)
        err = buf_addf(out, " AND i.customer_id = %s", placeholder(sh, V_CUSTOMER, ph[0]));
    switch (store_list_search_mode(q->q, &number)) {
    case STORE_LIST_SEARCH_NUMBER:
        if (!err)
            err = buf_addf(out, " AND i.number = %s", placeholder(sh, V_NUMBER, ph[0]));
        break;
    case STORE_LIST_SEARCH_NAME:
        if (!err)
            err = buf_addf(out,
                           " AND i.customer_id IN (SELECT m.id FROM customers AS m"
                           " WHERE m.company_id = %s AND lower(m.name COLLATE \"C\")"
                           " LIKE (%s::text COLLATE \"C\") ESCAPE '\\')",
                           placeholder(sh, V_COMPANY, ph[0]), placeholder(sh, V_LIKE, ph[1]));
        break;
    case STORE_LIST_SEARCH_NONE:
    case STORE_LIST_SEARCH_MODES:
        break;
    }
    if (!err && q->after.set)
        err = buf_addf(out, " AND (%s, i.id) %s (%s::bigint, %s::bigint)", key,
                       store_list_sort_descending(q->sort) ? "<" : ">",
                       placeholder(sh, V_KEY, ph[0]), placeholder(sh, V_ID, ph[1]));
    if (!err)
        err = buf_addf(out, " ORDER BY %s %s, i.id %s LIMIT %s", key, dir, dir,
                       placeholder(sh, V_LIMIT, ph[0]));
    return err;
}

/* q's shape, built on first use. */
static enum pm_err list_shape(struct pg_store *s, const struct invoice_query *q,
                              const struct list_shape **out)
{
    size_t i = store_list_shape(q);
    struct list_shape *sh = atomic_load(&list_shapes[i]), *expected = NULL;
    struct buf sql = BUF_INIT;
    enum pm_err err;

    if (sh) {
        *out = sh;
        return PM_OK;
    }
    sh = calloc(1, sizeof(*sh));
    if (!sh)
        return pm_error_set(&s->base.error, PM_ERR_NOMEM, "", "building the list query");
    err = list_build(q, sh, &sql);
    if (!err)
        sh->sql = buf_detach(&sql, NULL);
    buf_release(&sql);
    if (err || !sh->sql) {
        free(sh);
        return pm_error_set(&s->base.error, err ? err : PM_ERR_NOMEM, "",
                            "building the list query");
    }
    if (!atomic_compare_exchange_strong(&list_shapes[i], &expected, sh)) {
        free(sh->sql);
        free(sh);
        sh = expected;
    }
    *out = sh;
    return PM_OK;
}

enum pm_err pg_invoices_list(struct store *st, int64_t company_id, const struct invoice_query *q,
                             struct invoice *out, size_t cap, size_t *n)
{
    struct pg_store *s = engine(st);
    char like[2 * STORE_LIST_SEARCH_MAX + 3];
    size_t qlen = q->q ? strnlen(q->q, STORE_LIST_SEARCH_MAX) : 0;
    const struct list_shape *sh = NULL;
    int64_t number = 0, key, id, value = 0;
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;
    int i;

    *n = 0;
    if ((unsigned)q->filter >= FILTER_COUNT)
        return pm_error_set(&s->base.error, PM_ERR_INVALID, "status", "unknown filter");
    if ((unsigned)q->sort >= STORE_LIST_SORTS)
        return pm_error_set(&s->base.error, PM_ERR_INVALID, "sort", "unknown sort");
    if (q->limit < 1 || q->limit > STORE_LIST_MAX || q->limit > cap)
        return pm_error_set(&s->base.error, PM_ERR_RANGE, "limit", "limit must be 1..%d",
                            STORE_LIST_MAX);
    err = list_shape(s, q, &sh);
    if (err)
        return err;
    (void)store_list_search_mode(q->q, &number);
    like_pattern(q->q ? q->q : "", qlen, like);
    key = q->after.key;
    id = q->after.id;
    if (store_list_overdue_in_cursor(q) && (key > q->today || (key == q->today && id > 0))) {
        key = q->today;
        id = 0;
    }
    pg_params_init(&p);
    for (i = 0; i < sh->n_values; i++) {
        switch (sh->values[i]) {
        case V_LIKE:
            pg_param_arr(&p, like);
            continue;
        case V_COMPANY:
            value = company_id;
            break;
        case V_TODAY:
            value = q->today;
            break;
        case V_CUSTOMER:
            value = q->customer_id;
            break;
        case V_NUMBER:
            value = number;
            break;
        case V_KEY:
            value = key;
            break;
        case V_ID:
            value = id;
            break;
        case V_LIMIT:
        case V_COUNT:
            value = (int64_t)q->limit;
            break;
        }
        pg_param_int(&p, value);
    }
    err = pg_store_exec(s, sh->sql, &p, &res, "listing invoices");
    if (err)
        return err;
    for (i = 0; i < PQntuples(res) && *n < q->limit; i++)
        invoice_read(res, i, &out[(*n)++]);
    PQclear(res);
    return PM_OK;
}

/* Each count is an index range (migration 1's state and agency indexes). */
enum pm_err pg_invoices_counts(struct store *st, int64_t company_id, int32_t today,
                               int64_t counts[FILTER_COUNT])
{
    static const char sql_all[] = "SELECT count(*) FROM invoices WHERE company_id = $1";
    static const char sql_state[] =
        "SELECT count(*) FROM invoices WHERE company_id = $1 AND state = $2";
    static const char sql_overdue[] = "SELECT count(*) FROM invoices WHERE company_id = $1"
                                      " AND state = 'open' AND due_date < $2";
    static const char sql_agency[] =
        "SELECT count(*) FROM invoices WHERE company_id = $1 AND agency_state <> ''";
    static const struct {
        enum invoice_filter filter;
        const char *sql;
        const char *state; /* $2 when not NULL */
    } plan[] = {
        {FILTER_ALL, sql_all, NULL},         {FILTER_UNPAID, sql_state, "open"},
        {FILTER_OVERDUE, sql_overdue, NULL}, {FILTER_AGENCY, sql_agency, NULL},
        {FILTER_PAID, sql_state, "paid"},    {FILTER_WRITTEN_OFF, sql_state, "written_off"},
    };
    struct pg_store *s = engine(st);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err = PM_OK;
    size_t i;

    for (i = 0; i < sizeof(plan) / sizeof(plan[0]) && !err; i++) {
        pg_params_init(&p);
        pg_param_int(&p, company_id);
        if (plan[i].state)
            pg_param_text(&p, plan[i].state, 16);
        else if (plan[i].sql == sql_overdue)
            pg_param_int(&p, today);
        err = pg_store_exec_row(s, plan[i].sql, &p, &res, "counting invoices");
        if (err)
            break;
        counts[plan[i].filter] = pg_get_int(res, 0, 0);
        PQclear(res);
    }
    return err;
}

/* ---- payments ---- */

struct payment_insert {
    const struct payment *in;
    struct payment row;
};

/* The invoice's balance after adding the payment: paid, remaining, state. */
static enum pm_err new_balance(struct pg_store *s, const PGresult *r, int64_t amount, int64_t *paid,
                               int64_t *remaining, enum invoice_state *state)
{
    int64_t customer_part = pg_get_int(r, 0, 0), credited = pg_get_int(r, 0, 2);
    enum invoice_state current;
    enum pm_err err;

    *paid = pg_get_int(r, 0, 1);
    if (store_invoice_state_parse(PQgetvalue(r, 0, 3), &current))
        current = INVOICE_STATE_OPEN;
    err = money_add(*paid, amount, paid);
    if (!err)
        err = money_sub(customer_part, *paid, remaining);
    if (!err)
        err = money_sub(*remaining, credited, remaining);
    if (err)
        return pm_error_set(&s->base.error, err, "amount_minor", "amounts overflow");
    *state = derive_state(current, *remaining, *paid, credited);
    return PM_OK;
}

static enum pm_err payment_insert_run(struct pg_store *s, void *ctx)
{
    static const char sql_balance[] =
        "SELECT customer_part_minor, paid_minor, credited_minor, state FROM invoices"
        " WHERE company_id = $1 AND id = $2 FOR UPDATE";
    static const char sql_insert[] =
        "INSERT INTO payments (company_id, id, invoice_id, date, amount_minor, reference, source,"
        " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    static const char sql_update[] =
        "UPDATE invoices SET paid_minor = $3, remaining_minor = $4, state = $5"
        " WHERE company_id = $1 AND id = $2";
    struct payment_insert *pi = ctx;
    struct payment *row = &pi->row;
    int64_t paid = 0, remaining = 0;
    enum invoice_state state = INVOICE_STATE_OPEN;
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    *row = *pi->in;
    if (!row->created_at)
        row->created_at = pg_store_now();
    pg_params_init(&p);
    pg_param_int(&p, row->company_id);
    pg_param_int(&p, row->invoice_id);
    err = pg_store_exec(s, sql_balance, &p, &res, "reading an invoice balance");
    if (err)
        return err;
    if (PQntuples(res) != 1)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    else
        err = new_balance(s, res, row->amount_minor, &paid, &remaining, &state);
    PQclear(res);
    if (!err)
        err = pg_store_next_id(s, row->company_id, "payments", 1, &row->id);
    if (err)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, row->company_id);
    pg_param_int(&p, row->id);
    pg_param_int(&p, row->invoice_id);
    pg_param_int(&p, row->date);
    pg_param_int(&p, row->amount_minor);
    pg_param_arr(&p, row->reference);
    pg_param_text(&p, store_payment_source_name(row->source), 16);
    pg_param_int(&p, row->created_at);
    err = pg_store_exec(s, sql_insert, &p, NULL, "inserting a payment");
    if (err)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, row->company_id);
    pg_param_int(&p, row->invoice_id);
    pg_param_int(&p, paid);
    pg_param_int(&p, remaining);
    pg_param_text(&p, store_invoice_state_name(state), 16);
    return pg_store_exec(s, sql_update, &p, NULL, "updating an invoice balance");
}

enum pm_err pg_invoices_payment_insert(struct store *st, struct payment *pay)
{
    struct pg_store *s = engine(st);
    struct payment_insert pi = {.in = pay};
    enum pm_err err;

    if (pay->amount_minor <= 0 || pay->amount_minor > MONEY_MAX)
        return pm_error_set(&s->base.error, PM_ERR_RANGE, "amount_minor",
                            "a payment is a positive amount");
    err = pg_store_atomic(s, payment_insert_run, &pi);
    if (!err)
        *pay = pi.row;
    return err;
}

static void payment_read(const PGresult *r, int i, struct payment *p)
{
    memset(p, 0, sizeof(*p));
    p->company_id = pg_get_int(r, i, 0);
    p->id = pg_get_int(r, i, 1);
    p->invoice_id = pg_get_int(r, i, 2);
    p->date = (int32_t)pg_get_int(r, i, 3);
    p->amount_minor = pg_get_int(r, i, 4);
    pg_get_arr(r, i, 5, p->reference);
    if (store_payment_source_parse(PQgetvalue(r, i, 6), &p->source))
        p->source = PAYMENT_MANUAL;
    p->created_at = pg_get_int(r, i, 7);
}

enum pm_err pg_invoices_payment_list(struct store *st, int64_t company_id, int64_t invoice_id,
                                     struct payment *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT company_id, id, invoice_id, date, amount_minor, reference, source, created_at"
        " FROM payments WHERE company_id = $1 AND invoice_id = $2 ORDER BY id";
    struct pg_store *s = engine(st);
    enum pm_err err;

    READ_ROWS(s, sql, company_id, invoice_id, "listing payments", out, cap, n, payment_read);
    if (!err)
        err = check_parent(s, company_id, invoice_id, *n);
    return err;
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

static enum pm_err history_insert_run(struct pg_store *s, void *ctx)
{
    static const char sql[] =
        "INSERT INTO history_events (company_id, id, invoice_id, at_us, kind, actor, message,"
        " data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    struct history_insert *hi = ctx;
    const struct history_event *ev = hi->ev;
    struct pg_params p;
    enum pm_err err;

    err = pg_store_next_id(s, ev->company_id, "history_events", 1, &hi->id);
    if (err)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, ev->company_id);
    pg_param_int(&p, hi->id);
    pg_param_int(&p, ev->invoice_id);
    pg_param_int(&p, hi->at_us);
    pg_param_arr(&p, ev->kind);
    pg_param_arr(&p, ev->actor);
    pg_param_arr(&p, ev->message);
    pg_param_text(&p, ev->data[0] ? ev->data : "{}", sizeof(ev->data));
    return pg_store_exec(s, sql, &p, NULL, "inserting a history event");
}

/* at_us is kept as given (0 = now); data "" is stored as "{}". */
enum pm_err pg_invoices_history_insert(struct store *st, struct history_event *ev)
{
    struct history_insert hi = {ev, ev->at_us ? ev->at_us : now_us(), 0};
    enum pm_err err = pg_store_atomic(engine(st), history_insert_run, &hi);

    if (!err) {
        ev->id = hi.id;
        ev->at_us = hi.at_us;
        if (!ev->data[0])
            snprintf(ev->data, sizeof(ev->data), "{}");
    }
    return err;
}

static void history_read(const PGresult *r, int i, struct history_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->company_id = pg_get_int(r, i, 0);
    ev->id = pg_get_int(r, i, 1);
    ev->invoice_id = pg_get_int(r, i, 2);
    ev->at_us = pg_get_int(r, i, 3);
    pg_get_arr(r, i, 4, ev->kind);
    pg_get_arr(r, i, 5, ev->actor);
    pg_get_arr(r, i, 6, ev->message);
    pg_get_arr(r, i, 7, ev->data);
}

/* In the order written (event id), which is the order of events. */
enum pm_err pg_invoices_history_list(struct store *st, int64_t company_id, int64_t invoice_id,
                                     int64_t after_id, struct history_event *out, size_t cap,
                                     size_t *n)
{
    static const char sql[] =
        "SELECT company_id, id, invoice_id, at_us, kind, actor, message, data FROM history_events"
        " WHERE company_id = $1 AND invoice_id = $2 AND id > $3 ORDER BY id LIMIT $4";
    struct pg_store *s = engine(st);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;
    int i;

    *n = 0;
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, invoice_id);
    pg_param_int(&p, after_id);
    pg_param_int(&p, (int64_t)cap);
    err = pg_store_exec(s, sql, &p, &res, "listing history");
    if (err)
        return err;
    for (i = 0; i < PQntuples(res) && *n < cap; i++)
        history_read(res, i, &out[(*n)++]);
    PQclear(res);
    return PM_OK;
}

/* ---- the agency outbox: enqueue ---- */

struct outbox_insert {
    const struct outbox_message *in;
    struct outbox_message row;
};

static enum pm_err outbox_insert_run(struct pg_store *s, void *ctx)
{
    static const char sql[] =
        "INSERT INTO outbox (company_id, id, invoice_id, batch_id, kind, payload, state,"
        " idempotency_key, created_at, updated_at)"
        " VALUES ($1, $2, $3, nullif($4::bigint, 0), $5, $6, 'pending', $7, $8, $8)";
    struct outbox_insert *oi = ctx;
    struct outbox_message *row = &oi->row;
    struct pg_params p;
    enum pm_err err;

    *row = *oi->in;
    if (!row->payload[0])
        memcpy(row->payload, "{}", 3);
    err = pg_store_next_id(s, row->company_id, "outbox", 1, &row->id);
    if (err)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, row->company_id);
    pg_param_int(&p, row->id);
    pg_param_int(&p, row->invoice_id);
    pg_param_int(&p, row->batch_id);
    pg_param_arr(&p, row->kind);
    pg_param_arr(&p, row->payload);
    pg_param_arr(&p, row->idempotency_key);
    pg_param_int(&p, pg_store_now());
    return pg_store_exec(s, sql, &p, NULL, "queueing a message for the agency");
}

/* Written in the caller's transaction (or its own), so the message exists
 * exactly when the change that calls for it does; a second enqueue of the
 * same (company, idempotency_key) is PM_ERR_CONFLICT. */
enum pm_err pg_invoices_outbox_enqueue(struct store *st, struct outbox_message *m)
{
    struct pg_store *s = engine(st);
    struct outbox_insert oi = {.in = m};
    enum pm_err err;

    if (!m->kind[0] || !m->idempotency_key[0])
        return pm_error_set(&s->base.error, PM_ERR_INVALID, m->kind[0] ? "idempotency_key" : "kind",
                            "an outbox message needs a kind and an idempotency key");
    err = pg_store_atomic(s, outbox_insert_run, &oi);
    if (!err)
        *m = oi.row;
    return err;
}
