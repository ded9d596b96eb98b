/*
 * sqlite_books.c — the books' operations in the SQLite engine
 * (struct store_books_ops of store/store_books.h): manual reminders and
 * their batches, per-invoice charges and losses, vouchers, imported BgMax
 * files and the aging sums.
 *
 * Vouchers rely on migration 1's triggers: the rows go in first, the head
 * last, and the head's insert trigger refuses it unless its rows balance;
 * rows and heads can be neither changed nor deleted.  Voucher numbers come
 * from the company's sequence "voucher-YYYY" in the same transaction, so a
 * year's numbers have no gaps among committed vouchers.
 */
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_books.h"

#define BIND_ARR(st, name, arr) sqlite_store_bind_text(st, name, arr, sizeof(arr))
#define COL_ARR(st, col, arr)   sqlite_store_column_text(st, col, arr, sizeof(arr))

static struct sqlite_store *engine(struct store *st)
{
    return (struct sqlite_store *)st;
}

/* Bind a blob by parameter name (NULL binds SQL NULL). */
static int bind_blob(sqlite3_stmt *st, const char *name, const void *p, size_t len)
{
    int i = sqlite3_bind_parameter_index(st, name);

    if (!i)
        return SQLITE_OK;
    if (!p)
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_blob64(st, i, p, (sqlite3_uint64)len, SQLITE_TRANSIENT);
}

/* A malloc'ed copy of blob column col (NULL when the column is NULL). */
static enum pm_err column_blob(struct sqlite_store *s, sqlite3_stmt *st, int col, void **out,
                               size_t *len)
{
    const void *p = sqlite3_column_blob(st, col);
    int n = sqlite3_column_bytes(st, col);

    *out = NULL;
    *len = 0;
    if (!p || n <= 0)
        return PM_OK;
    *out = malloc((size_t)n);
    if (!*out)
        return pm_error_set(&s->base.error, PM_ERR_NOMEM, "", "out of memory for a PDF");
    memcpy(*out, p, (size_t)n);
    *len = (size_t)n;
    return PM_OK;
}

/* ---- reminders ---- */

#define REMINDER_COLS                                                                   \
    "company_id, id, invoice_id, batch_id, date, fee_minor, late_compensation_minor,"   \
    " interest_minor, interest_rate_bp, period_from, period_to, earlier_charges_minor," \
    " total_due_minor, new_due_date, ocr, letter, created_at"

static void reminder_read(sqlite3_stmt *st, struct reminder *r)
{
    memset(r, 0, sizeof(*r));
    r->company_id = sqlite3_column_int64(st, 0);
    r->id = sqlite3_column_int64(st, 1);
    r->invoice_id = sqlite3_column_int64(st, 2);
    r->batch_id = sqlite3_column_int64(st, 3);
    r->date = sqlite3_column_int(st, 4);
    r->fee_minor = sqlite3_column_int64(st, 5);
    r->late_compensation_minor = sqlite3_column_int64(st, 6);
    r->interest_minor = sqlite3_column_int64(st, 7);
    r->interest_rate_bp = sqlite3_column_int(st, 8);
    r->period_from = sqlite3_column_int(st, 9);
    r->period_to = sqlite3_column_int(st, 10);
    r->earlier_charges_minor = sqlite3_column_int64(st, 11);
    r->total_due_minor = sqlite3_column_int64(st, 12);
    r->new_due_date = sqlite3_column_int(st, 13);
    COL_ARR(st, 14, r->ocr);
    COL_ARR(st, 15, r->letter);
    r->created_at = sqlite3_column_int64(st, 16);
}

static enum pm_err op_reminder_insert(struct store *stp, struct reminder *r, const void *pdf,
                                      size_t pdf_len)
{
    static const char sql[] =
        "INSERT INTO reminders (company_id, id, invoice_id, batch_id, date, fee_minor,"
        " late_compensation_minor, interest_minor, interest_rate_bp, period_from, period_to,"
        " earlier_charges_minor, total_due_minor, new_due_date, ocr, letter, pdf, created_at)"
        " VALUES (:cid, :id, :iid, :batch, :date, :fee, :comp, :interest, :rate, :from, :to,"
        " :earlier, :total, :new_due, :ocr, :letter, :pdf, :created_at)";
    static const char count_sql[] = "UPDATE invoices SET manual_reminders = manual_reminders + 1"
                                    " WHERE company_id = :cid AND id = :iid";
    struct sqlite_store *s = engine(stp);
    struct reminder *row = r;
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int64_t id = 0;
    bool own;
    int rc;

    if (!row->created_at)
        row->created_at = sqlite_store_now();
    err = sqlite_store_tx_begin(s, &own);
    if (err)
        return err;
    err = sqlite_store_next_id(s, row->company_id, "reminders", 1, &id);
    if (!err)
        err = sqlite_store_stmt(s, sql, &st);
    if (err)
        goto out_tx;
    sqlite_store_bind_int(st, ":cid", row->company_id);
    sqlite_store_bind_int(st, ":id", id);
    sqlite_store_bind_int(st, ":iid", row->invoice_id);
    sqlite_store_bind_int(st, ":batch", row->batch_id);
    sqlite_store_bind_int(st, ":date", row->date);
    sqlite_store_bind_int(st, ":fee", row->fee_minor);
    sqlite_store_bind_int(st, ":comp", row->late_compensation_minor);
    sqlite_store_bind_int(st, ":interest", row->interest_minor);
    sqlite_store_bind_int(st, ":rate", row->interest_rate_bp);
    sqlite_store_bind_int(st, ":from", row->period_from);
    sqlite_store_bind_int(st, ":to", row->period_to);
    sqlite_store_bind_int(st, ":earlier", row->earlier_charges_minor);
    sqlite_store_bind_int(st, ":total", row->total_due_minor);
    sqlite_store_bind_int(st, ":new_due", row->new_due_date);
    BIND_ARR(st, ":ocr", row->ocr);
    sqlite_store_bind_text(st, ":letter", row->letter[0] ? row->letter : "{}", sizeof(row->letter));
    bind_blob(st, ":pdf", pdf, pdf_len);
    sqlite_store_bind_int(st, ":created_at", row->created_at);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "inserting a reminder");
    sqlite_store_done(st);
    if (err)
        goto out_tx;
    err = sqlite_store_stmt(s, count_sql, &st);
    if (err)
        goto out_tx;
    sqlite_store_bind_int(st, ":cid", row->company_id);
    sqlite_store_bind_int(st, ":iid", row->invoice_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "counting a reminder");
    else if (sqlite3_changes(s->db) != 1)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    sqlite_store_done(st);
out_tx:
    err = sqlite_store_tx_end(s, own, err);
    if (!err)
        r->id = id;
    return err;
}

static enum pm_err op_reminder_get(struct store *stp, int64_t company_id, int64_t invoice_id,
                                   int64_t id, struct reminder *out, void **pdf, size_t *pdf_len)
{
    static const char sql[] = "SELECT " REMINDER_COLS ", pdf FROM reminders"
                              " WHERE company_id = :cid AND id = :id AND invoice_id = :iid";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    size_t dummy;
    int rc;

    if (pdf)
        *pdf = NULL;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", id);
    sqlite_store_bind_int(st, ":iid", invoice_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        reminder_read(st, out);
        if (pdf)
            err = column_blob(s, st, 17, pdf, pdf_len ? pdf_len : &dummy);
    } else if (rc == SQLITE_DONE) {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "reminder_id", "no such reminder");
    } else {
        err = sqlite_store_fail(s, rc, "reading a reminder");
    }
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_reminder_list_batch(struct store *stp, int64_t company_id, int64_t batch_id,
                                          int64_t after_id, struct reminder *out, size_t cap,
                                          size_t *n)
{
    static const char sql[] = "SELECT " REMINDER_COLS " FROM reminders"
                              " WHERE company_id = :cid AND batch_id = :batch AND batch_id <> 0"
                              " AND id > :after ORDER BY id LIMIT :limit";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc = SQLITE_DONE;

    *n = 0;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":batch", batch_id);
    sqlite_store_bind_int(st, ":after", after_id);
    sqlite_store_bind_int(st, ":limit", (int64_t)cap);
    while (*n < cap) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
            break;
        reminder_read(st, &out[(*n)++]);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = sqlite_store_fail(s, rc, "listing a batch's reminders");
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_reminder_batch_insert(struct store *stp, struct reminder_batch *b)
{
    static const char sql[] = "INSERT INTO reminder_batches (company_id, id, total, created_at)"
                              " VALUES (:cid, :id, :total, :created_at)";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int64_t id = 0;
    bool own;
    int rc;

    if (!b->created_at)
        b->created_at = sqlite_store_now();
    err = sqlite_store_tx_begin(s, &own);
    if (err)
        return err;
    err = sqlite_store_next_id(s, b->company_id, "reminder_batches", 1, &id);
    if (!err)
        err = sqlite_store_stmt(s, sql, &st);
    if (err)
        goto out_tx;
    sqlite_store_bind_int(st, ":cid", b->company_id);
    sqlite_store_bind_int(st, ":id", id);
    sqlite_store_bind_int(st, ":total", b->total);
    sqlite_store_bind_int(st, ":created_at", b->created_at);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "inserting a reminder batch");
    sqlite_store_done(st);
out_tx:
    err = sqlite_store_tx_end(s, own, err);
    if (!err)
        b->id = id;
    return err;
}

static enum pm_err op_reminder_batch_put_pdf(struct store *stp, int64_t company_id,
                                             int64_t batch_id, const void *pdf, size_t len)
{
    static const char sql[] =
        "UPDATE reminder_batches SET pdf = :pdf WHERE company_id = :cid AND id = :id";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", batch_id);
    bind_blob(st, ":pdf", pdf, len);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "storing a batch's letters");
    else if (sqlite3_changes(s->db) != 1)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "batch_id", "no such batch");
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_reminder_batch_get(struct store *stp, int64_t company_id, int64_t batch_id,
                                         struct reminder_batch *out, void **pdf, size_t *len)
{
    static const char sql[] = "SELECT company_id, id, total, created_at, pdf"
                              " FROM reminder_batches WHERE company_id = :cid AND id = :id";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    size_t dummy;
    int rc;

    if (pdf)
        *pdf = NULL;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":id", batch_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->company_id = sqlite3_column_int64(st, 0);
        out->id = sqlite3_column_int64(st, 1);
        out->total = sqlite3_column_int64(st, 2);
        out->created_at = sqlite3_column_int64(st, 3);
        if (pdf)
            err = column_blob(s, st, 4, pdf, len ? len : &dummy);
    } else if (rc == SQLITE_DONE) {
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "batch_id", "no such batch");
    } else {
        err = sqlite_store_fail(s, rc, "reading a reminder batch");
    }
    sqlite_store_done(st);
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
        " recovered_minor FROM invoice_books WHERE company_id = :cid AND invoice_id = :iid";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    memset(out, 0, sizeof(*out));
    out->company_id = company_id;
    out->invoice_id = invoice_id;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":iid", invoice_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->fee_charged_minor = sqlite3_column_int64(st, 0);
        out->compensation_charged_minor = sqlite3_column_int64(st, 1);
        out->fees_paid_minor = sqlite3_column_int64(st, 2);
        out->interest_charged_minor = sqlite3_column_int64(st, 3);
        out->interest_paid_minor = sqlite3_column_int64(st, 4);
        out->expected_loss_minor = sqlite3_column_int64(st, 5);
        out->loss.gross_minor = sqlite3_column_int64(st, 6);
        out->loss.net_minor = sqlite3_column_int64(st, 7);
        out->loss.vat_by_rate[VAT_25] = sqlite3_column_int64(st, 8);
        out->loss.vat_by_rate[VAT_12] = sqlite3_column_int64(st, 9);
        out->loss.vat_by_rate[VAT_6] = sqlite3_column_int64(st, 10);
        out->recovered_minor = sqlite3_column_int64(st, 11);
    } else if (rc != SQLITE_DONE) {
        err = sqlite_store_fail(s, rc, "reading an invoice's books");
    }
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_invoice_books_put(struct store *stp, const struct invoice_books *b)
{
    static const char sql[] =
        "INSERT INTO invoice_books (company_id, invoice_id, fee_charged_minor,"
        " compensation_charged_minor, fees_paid_minor, interest_charged_minor,"
        " interest_paid_minor, expected_loss_minor, loss_gross_minor, loss_net_minor,"
        " loss_vat_25_minor, loss_vat_12_minor, loss_vat_6_minor, recovered_minor)"
        " VALUES (:cid, :iid, :fee, :comp, :fees_paid, :int_charged, :int_paid, :expected,"
        " :gross, :net, :vat25, :vat12, :vat6, :recovered)"
        " ON CONFLICT (company_id, invoice_id) DO UPDATE SET fee_charged_minor = :fee,"
        " compensation_charged_minor = :comp, fees_paid_minor = :fees_paid,"
        " interest_charged_minor = :int_charged, interest_paid_minor = :int_paid,"
        " expected_loss_minor = :expected, loss_gross_minor = :gross, loss_net_minor = :net,"
        " loss_vat_25_minor = :vat25, loss_vat_12_minor = :vat12, loss_vat_6_minor = :vat6,"
        " recovered_minor = :recovered";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    if (b->loss.vat_by_rate[VAT_0] != 0)
        return pm_error_set(&s->base.error, PM_ERR_INVALID, "loss", "VAT at 0 %% is not VAT");
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", b->company_id);
    sqlite_store_bind_int(st, ":iid", b->invoice_id);
    sqlite_store_bind_int(st, ":fee", b->fee_charged_minor);
    sqlite_store_bind_int(st, ":comp", b->compensation_charged_minor);
    sqlite_store_bind_int(st, ":fees_paid", b->fees_paid_minor);
    sqlite_store_bind_int(st, ":int_charged", b->interest_charged_minor);
    sqlite_store_bind_int(st, ":int_paid", b->interest_paid_minor);
    sqlite_store_bind_int(st, ":expected", b->expected_loss_minor);
    sqlite_store_bind_int(st, ":gross", b->loss.gross_minor);
    sqlite_store_bind_int(st, ":net", b->loss.net_minor);
    sqlite_store_bind_int(st, ":vat25", b->loss.vat_by_rate[VAT_25]);
    sqlite_store_bind_int(st, ":vat12", b->loss.vat_by_rate[VAT_12]);
    sqlite_store_bind_int(st, ":vat6", b->loss.vat_by_rate[VAT_6]);
    sqlite_store_bind_int(st, ":recovered", b->recovered_minor);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "writing an invoice's books");
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_invoice_write_off(struct store *stp, int64_t company_id, int64_t invoice_id)
{
    static const char sql[] = "UPDATE invoices SET state = 'written_off'"
                              " WHERE company_id = :cid AND id = :iid";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":iid", invoice_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "writing an invoice off");
    else if (sqlite3_changes(s->db) != 1)
        err = pm_error_set(&s->base.error, PM_ERR_NOT_FOUND, "invoice_id", "no such invoice");
    sqlite_store_done(st);
    return err;
}

/* ---- vouchers ---- */

static enum pm_err op_voucher_insert(struct store *stp, struct voucher *v)
{
    static const char row_sql[] =
        "INSERT INTO voucher_rows (company_id, year, number, row_no, account, debit_minor,"
        " credit_minor) VALUES (:cid, :year, :number, :row, :account, :debit, :credit)";
    static const char head_sql[] =
        "INSERT INTO vouchers (company_id, year, number, date, text, source, created_at)"
        " VALUES (:cid, :year, :number, :date, :text, :source, :created_at)";
    static const char link_sql[] =
        "INSERT INTO voucher_invoices (company_id, year, number, invoice_id)"
        " VALUES (:cid, :year, :number, :iid)";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    char series[32];
    int64_t number = 0;
    int year, m, d;
    enum pm_err err;
    size_t i;
    bool own;
    int rc;

    if (!voucher_balanced(v))
        return pm_error_set(&s->base.error, PM_ERR_INVALID, "rows", "the voucher does not balance");
    date_to_ymd(v->date, &year, &m, &d);
    snprintf(series, sizeof(series), "voucher-%04d", year);
    if (!v->created_at)
        v->created_at = sqlite_store_now();
    err = sqlite_store_tx_begin(s, &own);
    if (err)
        return err;
    err = sqlite_store_next_id(s, v->company_id, series, 1, &number);
    if (!err)
        err = sqlite_store_stmt(s, row_sql, &st);
    for (i = 0; !err && i < v->n_rows; i++) {
        sqlite_store_bind_int(st, ":cid", v->company_id);
        sqlite_store_bind_int(st, ":year", year);
        sqlite_store_bind_int(st, ":number", number);
        sqlite_store_bind_int(st, ":row", (int64_t)i + 1);
        sqlite_store_bind_int(st, ":account", v->rows[i].account);
        sqlite_store_bind_int(st, ":debit", v->rows[i].debit_minor);
        sqlite_store_bind_int(st, ":credit", v->rows[i].credit_minor);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            err = sqlite_store_fail(s, rc, "inserting a voucher row");
        sqlite_store_done(st);
    }
    if (!err)
        err = sqlite_store_stmt(s, head_sql, &st);
    if (err)
        goto out_tx;
    sqlite_store_bind_int(st, ":cid", v->company_id);
    sqlite_store_bind_int(st, ":year", year);
    sqlite_store_bind_int(st, ":number", number);
    sqlite_store_bind_int(st, ":date", v->date);
    BIND_ARR(st, ":text", v->text);
    BIND_ARR(st, ":source", v->source);
    sqlite_store_bind_int(st, ":created_at", v->created_at);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "inserting a voucher");
    sqlite_store_done(st);
    if (err || !v->invoice_id)
        goto out_tx;
    err = sqlite_store_stmt(s, link_sql, &st);
    if (err)
        goto out_tx;
    sqlite_store_bind_int(st, ":cid", v->company_id);
    sqlite_store_bind_int(st, ":year", year);
    sqlite_store_bind_int(st, ":number", number);
    sqlite_store_bind_int(st, ":iid", v->invoice_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "linking a voucher to its invoice");
    sqlite_store_done(st);
out_tx:
    err = sqlite_store_tx_end(s, own, err);
    if (!err) {
        v->year = year;
        v->number = number;
    }
    return err;
}

static enum pm_err op_voucher_list(struct store *stp, int64_t company_id, int32_t from, int32_t to,
                                   int after_year, int64_t after_number, struct voucher *out,
                                   size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT v.year, v.number, v.date, v.text, v.source, coalesce(l.invoice_id, 0),"
        " v.created_at, r.account, r.debit_minor, r.credit_minor"
        " FROM (SELECT * FROM vouchers WHERE company_id = :cid AND date BETWEEN :from AND :to"
        "       AND (year, number) > (:ay, :an) ORDER BY year, number LIMIT :limit) AS v"
        " JOIN voucher_rows AS r ON r.company_id = v.company_id AND r.year = v.year"
        "  AND r.number = v.number"
        " LEFT JOIN voucher_invoices AS l ON l.company_id = v.company_id AND l.year = v.year"
        "  AND l.number = v.number"
        " ORDER BY v.year, v.number, r.row_no";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    struct voucher *v = NULL;
    enum pm_err err;
    int rc;

    *n = 0;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":from", from);
    sqlite_store_bind_int(st, ":to", to);
    sqlite_store_bind_int(st, ":ay", after_year);
    sqlite_store_bind_int(st, ":an", after_number);
    sqlite_store_bind_int(st, ":limit", (int64_t)cap);
    for (;;) {
        int year;
        int64_t number;

        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
            break;
        year = sqlite3_column_int(st, 0);
        number = sqlite3_column_int64(st, 1);
        if (!v || v->year != year || v->number != number) {
            if (*n == cap)
                break; /* cannot happen: the subquery has the limit */
            v = &out[(*n)++];
            memset(v, 0, sizeof(*v));
            v->company_id = company_id;
            v->year = year;
            v->number = number;
            v->date = sqlite3_column_int(st, 2);
            COL_ARR(st, 3, v->text);
            COL_ARR(st, 4, v->source);
            v->invoice_id = sqlite3_column_int64(st, 5);
            v->created_at = sqlite3_column_int64(st, 6);
        }
        if (v->n_rows == VOUCHER_ROWS_MAX) {
            err = pm_error_set(&s->base.error, PM_ERR_RANGE, "rows",
                               "voucher %d-%lld has too many rows", year, (long long)number);
            break;
        }
        v->rows[v->n_rows].account = sqlite3_column_int(st, 7);
        v->rows[v->n_rows].debit_minor = sqlite3_column_int64(st, 8);
        v->rows[v->n_rows].credit_minor = sqlite3_column_int64(st, 9);
        v->n_rows++;
    }
    if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = sqlite_store_fail(s, rc, "listing vouchers");
    sqlite_store_done(st);
    return err;
}

static enum pm_err op_voucher_balances(struct store *stp, int64_t company_id, int32_t before,
                                       struct account_balance *out, size_t cap, size_t *n)
{
    static const char sql[] =
        "SELECT r.account, sum(r.debit_minor) - sum(r.credit_minor) FROM voucher_rows AS r"
        " JOIN vouchers AS v ON v.company_id = r.company_id AND v.year = r.year"
        "  AND v.number = r.number"
        " WHERE r.company_id = :cid AND v.date < :before GROUP BY r.account ORDER BY r.account";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc = SQLITE_DONE;

    *n = 0;
    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":before", before);
    for (;;) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
            break;
        if (*n == cap) {
            err = pm_error_set(&s->base.error, PM_ERR_RANGE, "accounts", "too many accounts");
            break;
        }
        out[*n].account = sqlite3_column_int(st, 0);
        out[*n].balance_minor = sqlite3_column_int64(st, 1);
        (*n)++;
    }
    if (!err && rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "summing vouchers");
    sqlite_store_done(st);
    return err;
}

/* ---- BgMax ---- */

static enum pm_err op_bgmax_remember(struct store *stp, int64_t company_id, const char *identity,
                                     int64_t at)
{
    static const char sql[] = "INSERT INTO bgmax_imports (company_id, file_identity, imported_at)"
                              " VALUES (:cid, :identity, :at)";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_text(st, ":identity", identity, 256);
    sqlite_store_bind_int(st, ":at", at ? at : sqlite_store_now());
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        err = sqlite_store_fail(s, rc, "remembering a BgMax file");
    sqlite_store_done(st);
    return err;
}

/* ---- aging ---- */

static enum pm_err op_receivables_sum(struct store *stp, int64_t company_id, int32_t due_from,
                                      int32_t due_to, int64_t *count, int64_t *remaining)
{
    static const char sql[] = "SELECT count(*), coalesce(sum(remaining_minor), 0) FROM invoices"
                              " WHERE company_id = :cid AND state = 'open' AND currency = 'SEK'"
                              " AND due_date BETWEEN :from AND :to";
    struct sqlite_store *s = engine(stp);
    sqlite3_stmt *st = NULL;
    enum pm_err err;
    int rc;

    err = sqlite_store_stmt(s, sql, &st);
    if (err)
        return err;
    sqlite_store_bind_int(st, ":cid", company_id);
    sqlite_store_bind_int(st, ":from", due_from);
    sqlite_store_bind_int(st, ":to", due_to);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *count = sqlite3_column_int64(st, 0);
        *remaining = sqlite3_column_int64(st, 1);
    } else {
        err = sqlite_store_fail(s, rc, "summing receivables");
    }
    sqlite_store_done(st);
    return err;
}

const struct store_books_ops sqlite_books_ops = {
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
