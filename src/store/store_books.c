/*
 * store_books.c — the money side's records, written once in SQL over the
 * storage driver (sql.h): manual reminders and their batches with the
 * letters as printed, the fees, interest and losses of each invoice, the
 * write-off, imported BgMax files and the sums behind the receivables
 * aging.  Vouchers are store_vouchers.c's.
 *
 * A BgMax file seen before is found by an insert that does nothing rather
 * than by a unique violation, which would abort a caller's transaction on
 * PostgreSQL; operations of several statements run as one atomic unit
 * (sql_atomic: a savepoint inside a caller's transaction).
 */
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"
#include "store/store_books.h"

/* A malloc'ed copy of the bytes in column col into *out (NULL, length 0,
 * when the column is NULL or empty: a PDF of no bytes is no PDF). */
static enum pm_err blob_copy(struct store *st, struct store_stmt *q, int col, void **out,
                             size_t *len)
{
    const void *data = NULL;
    size_t n = 0;
    enum pm_err err = sql_blob(st, q, col, &data, &n);

    *out = NULL;
    *len = 0;
    if (err || !data || !n)
        return err;
    *out = malloc(n);
    if (!*out)
        return pm_error_set(&st->error, PM_ERR_NOMEM, "", "out of memory for a PDF");
    memcpy(*out, data, n);
    *len = n;
    return PM_OK;
}

/* A row read with reader into row, then (pdf not NULL) a malloc'ed copy of
 * the PDF in the column after the reader's columns. */
struct row_pdf {
    void *row;
    const struct sql_reader *reader;
    void **pdf;
    size_t *len;
};

static enum pm_err row_pdf_read(struct store *st, struct store_stmt *q, void *out)
{
    const struct row_pdf *w = out;
    size_t dummy;
    enum pm_err err = sql_read(st, q, w->reader, w->row);

    if (!err && w->pdf)
        err = blob_copy(st, q, (int)w->reader->n_cols, w->pdf, w->len ? w->len : &dummy);
    return err;
}

/* Size 0: what it reads into is the request, not zeroed. */
static const struct sql_reader row_pdf_reader = {NULL, 0, 0, row_pdf_read};

/* ---- reminders ---- */

/* A reminder's columns but created_at, then all of them. */
#define REMINDER_DATA_COLS                                                              \
    "company_id, id, invoice_id, batch_id, date, fee_minor, late_compensation_minor,"   \
    " interest_minor, interest_rate_bp, period_from, period_to, earlier_charges_minor," \
    " total_due_minor, new_due_date, ocr, letter"
#define REMINDER_COLS REMINDER_DATA_COLS ", created_at"

/* REMINDER_COLS, which are also $1..$16 of an insert (letter "" as "{}"). */
static const struct sql_col reminder_cols[] =
    SQL_COLS(struct reminder, company_id, id, invoice_id, batch_id, date, fee_minor,
             late_compensation_minor, interest_minor, interest_rate_bp, period_from, period_to,
             earlier_charges_minor, total_due_minor, new_due_date, ocr, letter, created_at);

static const struct sql_reader reminder_reader = SQL_READER(struct reminder, reminder_cols, NULL);

struct reminder_insert {
    const struct reminder *r;
    const void *pdf;
    size_t pdf_len;
    int64_t id; /* out */
};

static enum pm_err reminder_insert(struct store *st, void *ctx)
{
    static const char sql[] =
        "INSERT INTO reminders (" REMINDER_DATA_COLS ", pdf, created_at, level)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
        " $18, $19)";
    /* a run's reminder: the invoice's highest level and that day */
    static const char level_sql[] = "UPDATE invoices SET dunning_level = $3, dunning_date = $4"
                                    " WHERE company_id = $1 AND id = $2 AND dunning_level < $3";
    static const char count_sql[] = "UPDATE invoices SET manual_reminders = manual_reminders + 1"
                                    " WHERE company_id = $1 AND id = $2";
    struct reminder_insert *c = ctx;
    const struct reminder *r = c->r;
    enum pm_err err;

    c->id = 0;
    err = sql_next_id(st, r->company_id, "reminders", 1, &c->id);
    if (!err)
        err = sql_runf(st, sql, "iiiidiiidddiidttxid", r->company_id, c->id, r->invoice_id,
                       r->batch_id, r->date, r->fee_minor, r->late_compensation_minor,
                       r->interest_minor, r->interest_rate_bp, r->period_from, r->period_to,
                       r->earlier_charges_minor, r->total_due_minor, r->new_due_date,
                       SQL_ARR(r->ocr), SQL_CAP(r->letter[0] ? r->letter : "{}", sizeof(r->letter)),
                       c->pdf, c->pdf_len, r->created_at, r->level);
    if (!err)
        err = sql_changef(st, "invoice_id", "no such invoice", count_sql, "ii", r->company_id,
                          r->invoice_id);
    if (!err && r->level > 0)
        err = sql_runf(st, level_sql, "iidd", r->company_id, r->invoice_id, r->level, r->date);
    return err;
}

enum pm_err store_books_reminder_insert(struct store *st, struct reminder *r, const void *pdf,
                                        size_t pdf_len)
{
    struct reminder_insert c = {.r = r, .pdf = pdf, .pdf_len = pdf_len};
    enum pm_err err;

    if (!r->created_at)
        r->created_at = sql_now();
    err = sql_atomic(st, reminder_insert, &c);
    if (!err)
        r->id = c.id;
    return err;
}

enum pm_err store_books_reminder_get(struct store *st, int64_t company_id, int64_t invoice_id,
                                     int64_t id, struct reminder *out, void **pdf, size_t *pdf_len)
{
    static const char sql[] = "SELECT " REMINDER_COLS ", pdf FROM reminders"
                              " WHERE company_id = $1 AND id = $2 AND invoice_id = $3";
    struct row_pdf w = {out, &reminder_reader, pdf, pdf_len};

    if (pdf)
        *pdf = NULL;
    return sql_getf(st, "reminder_id", "no such reminder", &row_pdf_reader, &w, sql, "iii",
                    company_id, id, invoice_id);
}

enum pm_err store_books_reminder_list_batch(struct store *st, int64_t company_id, int64_t batch_id,
                                            int64_t after_id, struct reminder *out, size_t cap,
                                            size_t *n)
{
    static const char sql[] = "SELECT " REMINDER_COLS " FROM reminders"
                              " WHERE company_id = $1 AND batch_id = $2 AND batch_id <> 0"
                              " AND id > $3 ORDER BY id LIMIT $4";

    return sql_listf(st, &reminder_reader, out, cap, n, sql, "iiii", company_id, batch_id, after_id,
                     (int64_t)cap);
}

/* ---- reminder batches ---- */

static const struct sql_col batch_cols[] =
    SQL_COLS(struct reminder_batch, company_id, id, total, created_at);
static const struct sql_reader batch_reader = SQL_READER(struct reminder_batch, batch_cols, NULL);

/* The batch ctx, a copy of the caller's, with its id set afresh on every
 * run. */
static enum pm_err batch_insert(struct store *st, void *ctx)
{
    static const char sql[] = "INSERT INTO reminder_batches (company_id, id, total, created_at)"
                              " VALUES ($1, $2, $3, $4)";
    struct reminder_batch *b = ctx;
    enum pm_err err;

    b->id = 0;
    err = sql_next_id(st, b->company_id, "reminder_batches", 1, &b->id);
    if (!err)
        err = sql_runf(st, sql, "c", SQL_ROW(batch_cols, b));
    return err;
}

enum pm_err store_books_reminder_batch_insert(struct store *st, struct reminder_batch *b)
{
    struct reminder_batch row;
    enum pm_err err;

    if (!b->created_at)
        b->created_at = sql_now();
    row = *b;
    err = sql_atomic(st, batch_insert, &row);
    if (!err)
        b->id = row.id;
    return err;
}

enum pm_err store_books_reminder_batch_put_pdf(struct store *st, int64_t company_id,
                                               int64_t batch_id, const void *pdf, size_t len)
{
    static const char sql[] =
        "UPDATE reminder_batches SET pdf = $3 WHERE company_id = $1 AND id = $2";

    return sql_changef(st, "batch_id", "no such batch", sql, "iix", company_id, batch_id, pdf, len);
}

enum pm_err store_books_reminder_batch_get(struct store *st, int64_t company_id, int64_t batch_id,
                                           struct reminder_batch *out, void **pdf, size_t *len)
{
    static const char sql[] = "SELECT company_id, id, total, created_at, pdf"
                              " FROM reminder_batches WHERE company_id = $1 AND id = $2";
    struct row_pdf w = {out, &batch_reader, pdf, len};

    if (pdf)
        *pdf = NULL;
    return sql_getf(st, "batch_id", "no such batch", &row_pdf_reader, &w, sql, "ii", company_id,
                    batch_id);
}

/* ---- per-invoice books ---- */

/* The money side's columns of invoice_books, after its key (company_id,
 * invoice_id). */
#define BOOKS_COLS                                                                         \
    "fee_charged_minor, compensation_charged_minor, fees_paid_minor,"                      \
    " interest_charged_minor, interest_paid_minor, expected_loss_minor, loss_gross_minor," \
    " loss_net_minor, loss_vat_25_minor, loss_vat_12_minor, loss_vat_6_minor,"             \
    " recovered_minor, loss_tax_reduction_minor"

/* The key, then BOOKS_COLS. */
static const struct sql_col books_cols[] = SQL_COLS(
    struct invoice_books, company_id, invoice_id, fee_charged_minor, compensation_charged_minor,
    fees_paid_minor, interest_charged_minor, interest_paid_minor, expected_loss_minor,
    loss.gross_minor, loss.net_minor, loss.vat_by_rate[VAT_25], loss.vat_by_rate[VAT_12],
    loss.vat_by_rate[VAT_6], recovered_minor, loss.tax_reduction_minor);
/* BOOKS_COLS into a row whose key is set (size 0: not zeroed). */
static const struct sql_reader books_reader = {books_cols + 2, SQL_NCOLS(books_cols) - 2, 0, NULL};

enum pm_err store_books_invoice_get(struct store *st, int64_t company_id, int64_t invoice_id,
                                    struct invoice_books *out)
{
    static const char sql[] =
        "SELECT " BOOKS_COLS " FROM invoice_books WHERE company_id = $1 AND invoice_id = $2";
    bool found = false;

    memset(out, 0, sizeof(*out));
    out->company_id = company_id;
    out->invoice_id = invoice_id;
    /* No row yet: everything is zero. */
    return sql_findf(st, &found, &books_reader, out, sql, "ii", company_id, invoice_id);
}

enum pm_err store_books_invoice_put(struct store *st, const struct invoice_books *b)
{
    static const char sql[] =
        "INSERT INTO invoice_books (company_id, invoice_id, " BOOKS_COLS ")"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        " ON CONFLICT (company_id, invoice_id) DO UPDATE SET"
        " fee_charged_minor = excluded.fee_charged_minor,"
        " compensation_charged_minor = excluded.compensation_charged_minor,"
        " fees_paid_minor = excluded.fees_paid_minor,"
        " interest_charged_minor = excluded.interest_charged_minor,"
        " interest_paid_minor = excluded.interest_paid_minor,"
        " expected_loss_minor = excluded.expected_loss_minor,"
        " loss_gross_minor = excluded.loss_gross_minor, loss_net_minor = excluded.loss_net_minor,"
        " loss_vat_25_minor = excluded.loss_vat_25_minor,"
        " loss_vat_12_minor = excluded.loss_vat_12_minor,"
        " loss_vat_6_minor = excluded.loss_vat_6_minor, recovered_minor = excluded.recovered_minor,"
        " loss_tax_reduction_minor = excluded.loss_tax_reduction_minor";

    /* The table keeps the VAT of the rates that have some; VAT at 0 % has
     * no column, so it is refused rather than lost. */
    if (b->loss.vat_by_rate[VAT_0] != 0)
        return pm_error_set(&st->error, PM_ERR_INVALID, "loss", "VAT at 0 %% is not VAT");
    return sql_runf(st, sql, "c", SQL_ROW(books_cols, b));
}

enum pm_err store_books_invoice_last_movement(struct store *st, int64_t company_id,
                                              int64_t invoice_id, int32_t *out)
{
    static const char sql[] = "SELECT CAST(coalesce(max(d), 0) AS BIGINT) FROM ("
                              " SELECT max(p.date) AS d FROM payments AS p"
                              "  WHERE p.company_id = $1 AND p.invoice_id = $2"
                              " UNION ALL SELECT max(c.date) FROM credit_notes AS c"
                              "  WHERE c.company_id = $1 AND c.invoice_id = $2) AS t";
    int64_t last = 0;
    enum pm_err err = sql_getf(st, "", "last movement: no row", &sql_int_reader, &last, sql, "ii",
                               company_id, invoice_id);

    *out = (int32_t)last;
    return err;
}

enum pm_err store_books_invoice_write_off(struct store *st, int64_t company_id, int64_t invoice_id)
{
    static const char sql[] = "UPDATE invoices SET state = 'written_off'"
                              " WHERE company_id = $1 AND id = $2";

    return sql_changef(st, "invoice_id", "no such invoice", sql, "ii", company_id, invoice_id);
}

/* ---- BgMax ---- */

#define BGMAX_IDENTITY_MAX 256 /* bytes of a file's identity that are kept */

enum pm_err store_books_bgmax_remember(struct store *st, int64_t company_id, const char *identity,
                                       int64_t at)
{
    static const char sql[] = "INSERT INTO bgmax_imports (company_id, file_identity, imported_at)"
                              " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "iti", company_id,
                                SQL_CAP(identity, BGMAX_IDENTITY_MAX), at ? at : sql_now());

    if (err)
        return err;
    err = sql_run(st, q);
    if (!err && sql_changes(st, q) != 1)
        err = pm_error_set(&st->error, PM_ERR_CONFLICT, "file_identity",
                           "remembering a BgMax file: %.*s was imported before", BGMAX_IDENTITY_MAX,
                           identity ? identity : "");
    sql_done(st, q);
    return err;
}

/* ---- aging ---- */

enum pm_err store_books_receivables_on(struct store *st, int64_t company_id, int32_t as_of,
                                       void (*fn)(void *ctx, int32_t due_date, int64_t count,
                                                  int64_t remaining_minor),
                                       void *ctx)
{
    static const char sql[] =
        "SELECT due_date, count(*), CAST(coalesce(sum(rem), 0) AS BIGINT) FROM ("
        " SELECT i.due_date AS due_date, i.customer_part_minor - i.credited_minor"
        "  - coalesce((SELECT sum(p.amount_minor) FROM payments AS p"
        "    WHERE p.company_id = i.company_id AND p.invoice_id = i.id AND p.date <= $2), 0)"
        "  AS rem"
        " FROM invoices AS i WHERE i.company_id = $1 AND i.currency = 'SEK'"
        " AND i.state <> 'credited' AND i.invoice_date <= $2"
        " AND NOT EXISTS (SELECT 1 FROM voucher_invoices AS vi JOIN vouchers AS v"
        "  ON v.company_id = vi.company_id AND v.year = vi.year AND v.number = vi.number"
        "  WHERE vi.company_id = i.company_id AND vi.invoice_id = i.id"
        "  AND v.source = 'confirmed_loss' AND v.date <= $2)"
        ") AS t WHERE rem > 0 GROUP BY due_date ORDER BY due_date";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "id", company_id, as_of);
    bool row = false;

    while (!err) {
        err = sql_step(st, q, &row);
        if (err || !row)
            break;
        fn(ctx, (int32_t)sql_int(st, q, 0), sql_int(st, q, 1), sql_int(st, q, 2));
    }
    sql_done(st, q);
    return err;
}

enum pm_err store_books_receivables_sum(struct store *st, int64_t company_id, int32_t due_from,
                                        int32_t due_to, int64_t *count, int64_t *remaining)
{
    static const char sql[] =
        "SELECT count(*), CAST(coalesce(sum(remaining_minor), 0) AS BIGINT) FROM invoices"
        " WHERE company_id = $1 AND state = 'open' AND currency = 'SEK'"
        " AND due_date BETWEEN $2 AND $3";
    struct store_stmt *q = NULL;
    enum pm_err err = sql_query(st, &q, sql, "idd", company_id, due_from, due_to);

    if (err)
        return err;
    err = sql_row(st, q, "", "summing receivables: no row");
    if (!err) {
        *count = sql_int(st, q, 0);
        *remaining = sql_int(st, q, 1);
    }
    sql_done(st, q);
    return err;
}
