/*
 * pg_books.c — the books' operations in the PostgreSQL engine
 * (struct store_books_ops of store/store_books.h): manual reminders and
 * their batches, per-invoice charges and losses, vouchers, imported BgMax
 * files and the aging sums.  Behaviour is sqlite_books.c's, call for call.
 *
 * Vouchers rely on migration 1's trigger functions (pg_migrations.c): the
 * rows go in first, the head last, and the head's insert trigger refuses
 * it unless its rows balance; rows and heads can be neither changed nor
 * deleted, and rows whose head never comes fail the deferred foreign key
 * at COMMIT.  Voucher numbers follow the company's committed vouchers of
 * the year under a lock on its series row "voucher-YYYY" (voucher_number),
 * so a year's numbers have no gaps among committed vouchers.
 *
 * An expected refusal (a BgMax file seen before) is found without a failing
 * statement, so that it does not abort a caller's transaction; operations
 * of several statements run through pg_store_atomic (a savepoint inside a
 * caller's transaction).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "store/pg/pg_store.h"
#include "store/store_books.h"

static struct pg_store *engine(struct store *st)
{
    return (struct pg_store *)st;
}

/* How many rows a command (INSERT, UPDATE) touched. */
static int64_t changed_rows(PGresult *res)
{
    return (int64_t)strtoll(PQcmdTuples(res), NULL, 10);
}

/* The PDF in column col as a malloc'ed copy, NULL when absent or empty
 * (as the SQLite engine reads a zero-length blob). */
static enum pm_err read_pdf(struct pg_store *s, const PGresult *res, int col, void **out,
                            size_t *len)
{
    unsigned char *data = NULL;
    size_t n = 0;
    enum pm_err err = pg_get_bytes_alloc(s, res, 0, col, &data, &n);

    *out = NULL;
    *len = 0;
    if (err)
        return err;
    if (!n) {
        free(data);
        return PM_OK;
    }
    *out = data;
    *len = n;
    return PM_OK;
}

/* ---- reminders ---- */

#define REMINDER_COLS                                                                   \
    "company_id, id, invoice_id, batch_id, date, fee_minor, late_compensation_minor,"   \
    " interest_minor, interest_rate_bp, period_from, period_to, earlier_charges_minor," \
    " total_due_minor, new_due_date, ocr, letter, created_at"

static void reminder_read(const PGresult *res, int i, struct reminder *r)
{
    memset(r, 0, sizeof(*r));
    r->company_id = pg_get_int(res, i, 0);
    r->id = pg_get_int(res, i, 1);
    r->invoice_id = pg_get_int(res, i, 2);
    r->batch_id = pg_get_int(res, i, 3);
    r->date = (int32_t)pg_get_int(res, i, 4);
    r->fee_minor = pg_get_int(res, i, 5);
    r->late_compensation_minor = pg_get_int(res, i, 6);
    r->interest_minor = pg_get_int(res, i, 7);
    r->interest_rate_bp = (int)pg_get_int(res, i, 8);
    r->period_from = (int32_t)pg_get_int(res, i, 9);
    r->period_to = (int32_t)pg_get_int(res, i, 10);
    r->earlier_charges_minor = pg_get_int(res, i, 11);
    r->total_due_minor = pg_get_int(res, i, 12);
    r->new_due_date = (int32_t)pg_get_int(res, i, 13);
    pg_get_arr(res, i, 14, r->ocr);
    pg_get_arr(res, i, 15, r->letter);
    r->created_at = pg_get_int(res, i, 16);
}

struct reminder_insert_ctx {
    const struct reminder *r;
    const void *pdf;
    size_t pdf_len;
    int64_t id; /* out */
};

static enum pm_err reminder_insert_tx(struct pg_store *s, void *ctxp)
{
    static const char sql[] =
        "INSERT INTO reminders (company_id, id, invoice_id, batch_id, date, fee_minor,"
        " late_compensation_minor, interest_minor, interest_rate_bp, period_from, period_to,"
        " earlier_charges_minor, total_due_minor, new_due_date, ocr, letter, pdf, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
        " $18)";
    static const char count_sql[] = "UPDATE invoices SET manual_reminders = manual_reminders + 1"
                                    " WHERE company_id = $1 AND id = $2";
    struct reminder_insert_ctx *ctx = ctxp;
    const struct reminder *r = ctx->r;
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    ctx->id = 0;
    err = pg_store_next_id(s, r->company_id, "reminders", 1, &ctx->id);
    if (err)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, r->company_id);
    pg_param_int(&p, ctx->id);
    pg_param_int(&p, r->invoice_id);
    pg_param_int(&p, r->batch_id);
    pg_param_int(&p, r->date);
    pg_param_int(&p, r->fee_minor);
    pg_param_int(&p, r->late_compensation_minor);
    pg_param_int(&p, r->interest_minor);
    pg_param_int(&p, r->interest_rate_bp);
    pg_param_int(&p, r->period_from);
    pg_param_int(&p, r->period_to);
    pg_param_int(&p, r->earlier_charges_minor);
    pg_param_int(&p, r->total_due_minor);
    pg_param_int(&p, r->new_due_date);
    pg_param_arr(&p, r->ocr);
    pg_param_text(&p, r->letter[0] ? r->letter : "{}", sizeof(r->letter));
    pg_param_bytes(&p, ctx->pdf, ctx->pdf_len);
    pg_param_int(&p, r->created_at);
    err = pg_store_exec(s, sql, &p, NULL, "inserting a reminder");
    if (err)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, r->company_id);
    pg_param_int(&p, r->invoice_id);
    err = pg_store_exec(s, count_sql, &p, &res, "counting a reminder");
    if (err)
        return err;
    if (changed_rows(res) != 1)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    PQclear(res);
    return err;
}

static enum pm_err op_reminder_insert(struct store *stp, struct reminder *r, const void *pdf,
                                      size_t pdf_len)
{
    struct reminder_insert_ctx ctx = {.r = r, .pdf = pdf, .pdf_len = pdf_len};
    enum pm_err err;

    if (!r->created_at)
        r->created_at = pg_store_now();
    err = pg_store_atomic(engine(stp), reminder_insert_tx, &ctx);
    if (!err)
        r->id = ctx.id;
    return err;
}

static enum pm_err op_reminder_get(struct store *stp, int64_t company_id, int64_t invoice_id,
                                   int64_t id, struct reminder *out, void **pdf, size_t *pdf_len)
{
    static const char sql[] = "SELECT " REMINDER_COLS ", pdf FROM reminders"
                              " WHERE company_id = $1 AND id = $2 AND invoice_id = $3";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;
    size_t dummy;

    if (pdf)
        *pdf = NULL;
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, id);
    pg_param_int(&p, invoice_id);
    err = pg_store_exec(s, sql, &p, &res, "reading a reminder");
    if (err)
        return err;
    if (PQntuples(res) == 0) {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "reminder_id", "no such reminder");
    } else {
        reminder_read(res, 0, out);
        if (pdf)
            err = read_pdf(s, res, 17, pdf, pdf_len ? pdf_len : &dummy);
    }
    PQclear(res);
    return err;
}

static enum pm_err op_reminder_list_batch(struct store *stp, int64_t company_id, int64_t batch_id,
                                          int64_t after_id, struct reminder *out, size_t cap,
                                          size_t *n)
{
    static const char sql[] = "SELECT " REMINDER_COLS " FROM reminders"
                              " WHERE company_id = $1 AND batch_id = $2 AND batch_id <> 0"
                              " AND id > $3 ORDER BY id LIMIT $4";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;
    int i, rows;

    *n = 0;
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, batch_id);
    pg_param_int(&p, after_id);
    pg_param_int(&p, (int64_t)cap);
    err = pg_store_exec(s, sql, &p, &res, "listing a batch's reminders");
    if (err)
        return err;
    rows = PQntuples(res);
    for (i = 0; i < rows && *n < cap; i++)
        reminder_read(res, i, &out[(*n)++]);
    PQclear(res);
    return PM_OK;
}

struct batch_insert_ctx {
    const struct reminder_batch *b;
    int64_t id; /* out */
};

static enum pm_err batch_insert_tx(struct pg_store *s, void *ctxp)
{
    static const char sql[] = "INSERT INTO reminder_batches (company_id, id, total, created_at)"
                              " VALUES ($1, $2, $3, $4)";
    struct batch_insert_ctx *ctx = ctxp;
    struct pg_params p;
    enum pm_err err;

    ctx->id = 0;
    err = pg_store_next_id(s, ctx->b->company_id, "reminder_batches", 1, &ctx->id);
    if (err)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, ctx->b->company_id);
    pg_param_int(&p, ctx->id);
    pg_param_int(&p, ctx->b->total);
    pg_param_int(&p, ctx->b->created_at);
    return pg_store_exec(s, sql, &p, NULL, "inserting a reminder batch");
}

static enum pm_err op_reminder_batch_insert(struct store *stp, struct reminder_batch *b)
{
    struct batch_insert_ctx ctx = {.b = b};
    enum pm_err err;

    if (!b->created_at)
        b->created_at = pg_store_now();
    err = pg_store_atomic(engine(stp), batch_insert_tx, &ctx);
    if (!err)
        b->id = ctx.id;
    return err;
}

static enum pm_err op_reminder_batch_put_pdf(struct store *stp, int64_t company_id,
                                             int64_t batch_id, const void *pdf, size_t len)
{
    static const char sql[] =
        "UPDATE reminder_batches SET pdf = $3 WHERE company_id = $1 AND id = $2";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, batch_id);
    pg_param_bytes(&p, pdf, len);
    err = pg_store_exec(s, sql, &p, &res, "storing a batch's letters");
    if (err)
        return err;
    if (changed_rows(res) != 1)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "batch_id", "no such batch");
    PQclear(res);
    return err;
}

static enum pm_err op_reminder_batch_get(struct store *stp, int64_t company_id, int64_t batch_id,
                                         struct reminder_batch *out, void **pdf, size_t *len)
{
    static const char sql[] = "SELECT company_id, id, total, created_at, pdf"
                              " FROM reminder_batches WHERE company_id = $1 AND id = $2";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;
    size_t dummy;

    if (pdf)
        *pdf = NULL;
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, batch_id);
    err = pg_store_exec(s, sql, &p, &res, "reading a reminder batch");
    if (err)
        return err;
    if (PQntuples(res) == 0) {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "batch_id", "no such batch");
    } else {
        memset(out, 0, sizeof(*out));
        out->company_id = pg_get_int(res, 0, 0);
        out->id = pg_get_int(res, 0, 1);
        out->total = pg_get_int(res, 0, 2);
        out->created_at = pg_get_int(res, 0, 3);
        if (pdf)
            err = read_pdf(s, res, 4, pdf, len ? len : &dummy);
    }
    PQclear(res);
    return err;
}

/* ---- per-invoice books ---- */

static enum pm_err op_invoice_books_get(struct store *stp, int64_t company_id, int64_t invoice_id,
                                        struct invoice_books *out)
{
    static const char sql[] =
        "SELECT fee_charged_minor, compensation_charged_minor, fees_paid_minor,"
        " interest_charged_minor, interest_paid_minor, expected_loss_minor, loss_gross_minor,"
        " loss_net_minor, loss_vat_25_minor, loss_vat_12_minor, loss_vat_6_minor,"
        " recovered_minor FROM invoice_books WHERE company_id = $1 AND invoice_id = $2";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    memset(out, 0, sizeof(*out));
    out->company_id = company_id;
    out->invoice_id = invoice_id;
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, invoice_id);
    err = pg_store_exec(s, sql, &p, &res, "reading an invoice's books");
    if (err)
        return err;
    if (PQntuples(res) > 0) {
        out->fee_charged_minor = pg_get_int(res, 0, 0);
        out->compensation_charged_minor = pg_get_int(res, 0, 1);
        out->fees_paid_minor = pg_get_int(res, 0, 2);
        out->interest_charged_minor = pg_get_int(res, 0, 3);
        out->interest_paid_minor = pg_get_int(res, 0, 4);
        out->expected_loss_minor = pg_get_int(res, 0, 5);
        out->loss.gross_minor = pg_get_int(res, 0, 6);
        out->loss.net_minor = pg_get_int(res, 0, 7);
        out->loss.vat_by_rate[VAT_25] = pg_get_int(res, 0, 8);
        out->loss.vat_by_rate[VAT_12] = pg_get_int(res, 0, 9);
        out->loss.vat_by_rate[VAT_6] = pg_get_int(res, 0, 10);
        out->recovered_minor = pg_get_int(res, 0, 11);
    }
    PQclear(res);
    return PM_OK;
}

static enum pm_err op_invoice_books_put(struct store *stp, const struct invoice_books *b)
{
    static const char sql[] =
        "INSERT INTO invoice_books (company_id, invoice_id, fee_charged_minor,"
        " compensation_charged_minor, fees_paid_minor, interest_charged_minor,"
        " interest_paid_minor, expected_loss_minor, loss_gross_minor, loss_net_minor,"
        " loss_vat_25_minor, loss_vat_12_minor, loss_vat_6_minor, recovered_minor)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        " ON CONFLICT (company_id, invoice_id) DO UPDATE SET"
        " fee_charged_minor = EXCLUDED.fee_charged_minor,"
        " compensation_charged_minor = EXCLUDED.compensation_charged_minor,"
        " fees_paid_minor = EXCLUDED.fees_paid_minor,"
        " interest_charged_minor = EXCLUDED.interest_charged_minor,"
        " interest_paid_minor = EXCLUDED.interest_paid_minor,"
        " expected_loss_minor = EXCLUDED.expected_loss_minor,"
        " loss_gross_minor = EXCLUDED.loss_gross_minor, loss_net_minor = EXCLUDED.loss_net_minor,"
        " loss_vat_25_minor = EXCLUDED.loss_vat_25_minor,"
        " loss_vat_12_minor = EXCLUDED.loss_vat_12_minor,"
        " loss_vat_6_minor = EXCLUDED.loss_vat_6_minor, recovered_minor = EXCLUDED.recovered_minor";
    struct pg_store *s = engine(stp);
    struct pg_params p;

    if (b->loss.vat_by_rate[VAT_0] != 0)
        return pm_error_set(&s->base.error, PM_ERR_INVALID, "loss", "VAT at 0 %% is not VAT");
    pg_params_init(&p);
    pg_param_int(&p, b->company_id);
    pg_param_int(&p, b->invoice_id);
    pg_param_int(&p, b->fee_charged_minor);
    pg_param_int(&p, b->compensation_charged_minor);
    pg_param_int(&p, b->fees_paid_minor);
    pg_param_int(&p, b->interest_charged_minor);
    pg_param_int(&p, b->interest_paid_minor);
    pg_param_int(&p, b->expected_loss_minor);
    pg_param_int(&p, b->loss.gross_minor);
    pg_param_int(&p, b->loss.net_minor);
    pg_param_int(&p, b->loss.vat_by_rate[VAT_25]);
    pg_param_int(&p, b->loss.vat_by_rate[VAT_12]);
    pg_param_int(&p, b->loss.vat_by_rate[VAT_6]);
    pg_param_int(&p, b->recovered_minor);
    return pg_store_exec(s, sql, &p, NULL, "writing an invoice's books");
}

static enum pm_err op_invoice_write_off(struct store *stp, int64_t company_id, int64_t invoice_id)
{
    static const char sql[] = "UPDATE invoices SET state = 'written_off'"
                              " WHERE company_id = $1 AND id = $2";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, invoice_id);
    err = pg_store_exec(s, sql, &p, &res, "writing an invoice off");
    if (err)
        return err;
    if (changed_rows(res) != 1)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    PQclear(res);
    return err;
}

/* ---- vouchers ---- */

/* PostgreSQL array literals ("{1510,3001}") of a voucher's rows, so that
 * the rows go in as one bound statement. */
#define ROW_ARRAY_MAX (VOUCHER_ROWS_MAX * 22 + 4)

struct row_arrays {
    char accounts[ROW_ARRAY_MAX];
    char debits[ROW_ARRAY_MAX];
    char credits[ROW_ARRAY_MAX];
};

static void array_add(char *arr, size_t *len, size_t i, int64_t v)
{
    int w = snprintf(arr + *len, ROW_ARRAY_MAX - *len, "%s%" PRId64, i ? "," : "{", v);

    if (w > 0)
        *len += (size_t)w;
}

static void row_arrays_fill(struct row_arrays *a, const struct voucher *v)
{
    size_t la = 0, ld = 0, lc = 0, i;

    for (i = 0; i < v->n_rows; i++) {
        array_add(a->accounts, &la, i, v->rows[i].account);
        array_add(a->debits, &ld, i, v->rows[i].debit_minor);
        array_add(a->credits, &lc, i, v->rows[i].credit_minor);
    }
    snprintf(a->accounts + la, ROW_ARRAY_MAX - la, "}");
    snprintf(a->debits + ld, ROW_ARRAY_MAX - ld, "}");
    snprintf(a->credits + lc, ROW_ARRAY_MAX - lc, "}");
}

struct voucher_insert_ctx {
    const struct voucher *v;
    const struct row_arrays *rows;
    const char *series;
    int year;
    int64_t number; /* out */
};

/* The next number of the company's year: one above the highest voucher's.
 * The series row "voucher-YYYY" in sequences is locked first (created when
 * missing, never updated), so writers of one company and year take numbers
 * in turn, as SQLite's single writer does.  Not pg_store_next_id(): updating
 * one row again and again inside a long transaction, each time in a new
 * savepoint, costs time that grows with every update (a BgMax import of
 * 10 000 payments books 10 000 vouchers in one request), while locking a
 * row already locked by the transaction costs nothing.  The numbers are the
 * same as SQLite's: vouchers are never deleted, and a failed insert takes
 * its savepoint's rows with it. */
static enum pm_err voucher_number(struct pg_store *s, struct voucher_insert_ctx *ctx)
{
    static const char lock_sql[] =
        "INSERT INTO sequences (company_id, name, next_value) VALUES ($1, $2, 1)"
        " ON CONFLICT (company_id, name) DO UPDATE SET next_value = sequences.next_value"
        " WHERE false";
    static const char max_sql[] = "SELECT coalesce(max(number), 0) + 1 FROM vouchers"
                                  " WHERE company_id = $1 AND year = $2";
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, ctx->v->company_id);
    pg_param_text(&p, ctx->series, 32);
    err = pg_store_exec(s, lock_sql, &p, NULL, "allocating a voucher number");
    if (err)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, ctx->v->company_id);
    pg_param_int(&p, ctx->year);
    err = pg_store_exec_row(s, max_sql, &p, &res, "allocating a voucher number");
    if (err)
        return err;
    ctx->number = pg_get_int(res, 0, 0);
    PQclear(res);
    return PM_OK;
}

static enum pm_err voucher_insert_tx(struct pg_store *s, void *ctxp)
{
    static const char row_sql[] =
        "INSERT INTO voucher_rows (company_id, year, number, row_no, account, debit_minor,"
        " credit_minor)"
        " SELECT $1::bigint, $2::bigint, $3::bigint, r.row_no, r.account, r.debit, r.credit"
        " FROM unnest($4::bigint[], $5::bigint[], $6::bigint[]) WITH ORDINALITY"
        "  AS r (account, debit, credit, row_no)";
    static const char head_sql[] =
        "INSERT INTO vouchers (company_id, year, number, date, text, source, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)";
    static const char link_sql[] =
        "INSERT INTO voucher_invoices (company_id, year, number, invoice_id)"
        " VALUES ($1, $2, $3, $4)";
    struct voucher_insert_ctx *ctx = ctxp;
    const struct voucher *v = ctx->v;
    struct pg_params p;
    enum pm_err err;

    ctx->number = 0;
    err = voucher_number(s, ctx);
    if (err)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, v->company_id);
    pg_param_int(&p, ctx->year);
    pg_param_int(&p, ctx->number);
    pg_param_arr(&p, ctx->rows->accounts);
    pg_param_arr(&p, ctx->rows->debits);
    pg_param_arr(&p, ctx->rows->credits);
    err = pg_store_exec(s, row_sql, &p, NULL, "inserting a voucher row");
    if (err)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, v->company_id);
    pg_param_int(&p, ctx->year);
    pg_param_int(&p, ctx->number);
    pg_param_int(&p, v->date);
    pg_param_arr(&p, v->text);
    pg_param_arr(&p, v->source);
    pg_param_int(&p, v->created_at);
    err = pg_store_exec(s, head_sql, &p, NULL, "inserting a voucher");
    if (err || !v->invoice_id)
        return err;
    pg_params_init(&p);
    pg_param_int(&p, v->company_id);
    pg_param_int(&p, ctx->year);
    pg_param_int(&p, ctx->number);
    pg_param_int(&p, v->invoice_id);
    return pg_store_exec(s, link_sql, &p, NULL, "linking a voucher to its invoice");
}

static enum pm_err op_voucher_insert(struct store *stp, struct voucher *v)
{
    struct pg_store *s = engine(stp);
    struct voucher_insert_ctx ctx = {.v = v};
    struct row_arrays rows;
    char series[32];
    enum pm_err err;
    int m, d;

    if (!voucher_balanced(v))
        return pm_error_set(&s->base.error, PM_ERR_INVALID, "rows", "the voucher does not balance");
    date_to_ymd(v->date, &ctx.year, &m, &d);
    snprintf(series, sizeof(series), "voucher-%04d", ctx.year);
    ctx.series = series;
    row_arrays_fill(&rows, v);
    ctx.rows = &rows;
    if (!v->created_at)
        v->created_at = pg_store_now();
    err = pg_store_atomic(s, voucher_insert_tx, &ctx);
    if (!err) {
        v->year = ctx.year;
        v->number = ctx.number;
    }
    return err;
}

/* One voucher's head from row i of the voucher_list result. */
static void voucher_head_read(const PGresult *res, int i, int64_t company_id, struct voucher *v)
{
    memset(v, 0, sizeof(*v));
    v->company_id = company_id;
    v->year = (int)pg_get_int(res, i, 0);
    v->number = pg_get_int(res, i, 1);
    v->date = (int32_t)pg_get_int(res, i, 2);
    pg_get_arr(res, i, 3, v->text);
    pg_get_arr(res, i, 4, v->source);
    v->invoice_id = pg_get_int(res, i, 5);
    v->created_at = pg_get_int(res, i, 6);
}

static enum pm_err op_voucher_list(struct store *stp, int64_t company_id, int32_t from, int32_t to,
                                   int after_year, int64_t after_number, struct voucher *out,
                                   size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT v.year, v.number, v.date, v.text, v.source, coalesce(l.invoice_id, 0),"
        " v.created_at, r.account, r.debit_minor, r.credit_minor"
        " FROM (SELECT * FROM vouchers WHERE company_id = $1 AND date BETWEEN $2 AND $3"
        "       AND (year, number) > ($4::bigint, $5::bigint) ORDER BY year, number"
        "       LIMIT $6) AS v"
        " JOIN voucher_rows AS r ON r.company_id = v.company_id AND r.year = v.year"
        "  AND r.number = v.number"
        " LEFT JOIN voucher_invoices AS l ON l.company_id = v.company_id AND l.year = v.year"
        "  AND l.number = v.number"
        " ORDER BY v.year, v.number, r.row_no";
    struct pg_store *s = engine(stp);
    struct voucher *v = NULL;
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;
    int i, rows;

    *n = 0;
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, from);
    pg_param_int(&p, to);
    pg_param_int(&p, after_year);
    pg_param_int(&p, after_number);
    pg_param_int(&p, (int64_t)cap);
    err = pg_store_exec(s, sql, &p, &res, "listing vouchers");
    if (err)
        return err;
    rows = PQntuples(res);
    for (i = 0; i < rows; i++) {
        int year = (int)pg_get_int(res, i, 0);
        int64_t number = pg_get_int(res, i, 1);

        if (!v || v->year != year || v->number != number) {
            if (*n == cap)
                break; /* cannot happen: the subquery has the limit */
            v = &out[(*n)++];
            voucher_head_read(res, i, company_id, v);
        }
        if (v->n_rows == VOUCHER_ROWS_MAX) {
            err = pm_error_set(&s->base.error, PM_ERR_RANGE, "rows",
                               "voucher %d-%lld has too many rows", year, (long long)number);
            break;
        }
        v->rows[v->n_rows].account = (int)pg_get_int(res, i, 7);
        v->rows[v->n_rows].debit_minor = pg_get_int(res, i, 8);
        v->rows[v->n_rows].credit_minor = pg_get_int(res, i, 9);
        v->n_rows++;
    }
    PQclear(res);
    return err;
}

static enum pm_err op_voucher_balances(struct store *stp, int64_t company_id, int32_t before,
                                       struct account_balance *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT r.account, (sum(r.debit_minor) - sum(r.credit_minor))::bigint"
        " FROM voucher_rows AS r"
        " JOIN vouchers AS v ON v.company_id = r.company_id AND v.year = r.year"
        "  AND v.number = r.number"
        " WHERE r.company_id = $1 AND v.date < $2 GROUP BY r.account ORDER BY r.account";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;
    int i, rows;

    *n = 0;
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, before);
    err = pg_store_exec(s, sql, &p, &res, "summing vouchers");
    if (err)
        return err;
    rows = PQntuples(res);
    for (i = 0; i < rows; i++) {
        if (*n == cap) {
            err = pm_error_set(&s->base.error, PM_ERR_RANGE, "accounts", "too many accounts");
            break;
        }
        out[*n].account = (int)pg_get_int(res, i, 0);
        out[*n].balance_minor = pg_get_int(res, i, 1);
        (*n)++;
    }
    PQclear(res);
    return err;
}

/* ---- BgMax ---- */

/* A file seen before is PM_ERR_CONFLICT on file_identity, found by the
 * insert doing nothing rather than by a unique violation, which would
 * abort a caller's transaction. */
static enum pm_err op_bgmax_remember(struct store *stp, int64_t company_id, const char *identity,
                                     int64_t at)
{
    static const char sql[] = "INSERT INTO bgmax_imports (company_id, file_identity, imported_at)"
                              " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    char key[257];
    enum pm_err err;

    /* At most 256 bytes of the identity, as the SQLite engine binds it. */
    snprintf(key, sizeof(key), "%s", identity ? identity : "");
    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_arr(&p, key);
    pg_param_int(&p, at ? at : pg_store_now());
    err = pg_store_exec(s, sql, &p, &res, "remembering a BgMax file");
    if (err)
        return err;
    if (changed_rows(res) != 1)
        err = pm_error_set(&s->base.error, PM_ERR_CONFLICT, "file_identity",
                           "remembering a BgMax file: %s was imported before", key);
    PQclear(res);
    return err;
}

/* ---- aging ---- */

static enum pm_err op_receivables_sum(struct store *stp, int64_t company_id, int32_t due_from,
                                      int32_t due_to, int64_t *count, int64_t *remaining)
{
    static const char sql[] =
        "SELECT count(*), coalesce(sum(remaining_minor), 0)::bigint FROM invoices"
        " WHERE company_id = $1 AND state = 'open' AND currency = 'SEK'"
        " AND due_date BETWEEN $2 AND $3";
    struct pg_store *s = engine(stp);
    struct pg_params p;
    PGresult *res = NULL;
    enum pm_err err;

    pg_params_init(&p);
    pg_param_int(&p, company_id);
    pg_param_int(&p, due_from);
    pg_param_int(&p, due_to);
    err = pg_store_exec_row(s, sql, &p, &res, "summing receivables");
    if (err)
        return err;
    *count = pg_get_int(res, 0, 0);
    *remaining = pg_get_int(res, 0, 1);
    PQclear(res);
    return PM_OK;
}

const struct store_books_ops pg_books_ops = {
    .reminder_insert = op_reminder_insert,
    .reminder_get = op_reminder_get,
    .reminder_list_batch = op_reminder_list_batch,
    .reminder_batch_insert = op_reminder_batch_insert,
    .reminder_batch_put_pdf = op_reminder_batch_put_pdf,
    .reminder_batch_get = op_reminder_batch_get,
    .invoice_books_get = op_invoice_books_get,
    .invoice_books_put = op_invoice_books_put,
    .invoice_write_off = op_invoice_write_off,
    .voucher_insert = op_voucher_insert,
    .voucher_list = op_voucher_list,
    .voucher_balances = op_voucher_balances,
    .bgmax_remember = op_bgmax_remember,
    .receivables_sum = op_receivables_sum,
};
