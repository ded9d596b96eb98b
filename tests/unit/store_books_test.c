/*
 * store_books_test.c — the books sub-table of the storage interface
 * (store/store_books.h) on either engine: a fresh SQLite file under /tmp,
 * or the PostgreSQL server named by PAMINN_TEST_DSN (postgresql://...)
 * when it is set.  Each test makes its own companies, so a shared server
 * database needs no cleaning between runs.
 *
 * What a caller relies on: reminders and batches come back as written with
 * their PDFs, and ids follow each company's series; a reminder counts on
 * its invoice; per-invoice books read as zero until written; vouchers are
 * numbered per company and fiscal year without gaps (a broken year from
 * May too), an unbalanced one
 * is refused and leaves nothing, and lists and balances see them in order;
 * a BgMax file is remembered once (also inside a transaction that goes on
 * afterwards); the aging sums count open SEK invoices by due date;
 * credit notes are numbered 1, 2, 3 ... per company, reduce their
 * invoice's remaining amount (credited when nothing is left), and one
 * beyond what is left is refused and leaves nothing; the customer ledger
 * counts each invoice, payment, credit note, payout and confirmed loss
 * from its own date, pages by name without regard to case, and finds the
 * next and previous customer with a balance; a customer
 * statement reads the invoices open on a date and the moves up to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/date.h"
#include "core/voucher.h"
#include "store/store.h"
#include "store/store_books.h"
#include "store/store_agency.h"
#include "store/store_credit_notes.h"
#include "store/store_ledger.h"
#include "store/store_statements.h"
#include "pg_testdb.h"

struct fixture {
    char path[64]; /* the SQLite file; "" on PostgreSQL */
    char dsn[512]; /* what store_open() was given */
    char name[64]; /* PostgreSQL: this test's database */
    struct store *st;
    int64_t company_a, company_b;
    int64_t customer_a, customer_b;
};

static int32_t day(int y, int m, int d)
{
    int32_t out = 0;

    assert_int_equal(date_from_ymd(y, m, d, &out), PM_OK);
    return out;
}

static int64_t add_company(struct store *st, const char *name)
{
    struct company c;

    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "%s", name);
    snprintf(c.country, sizeof(c.country), "SE");
    snprintf(c.language, sizeof(c.language), "sv");
    snprintf(c.timezone, sizeof(c.timezone), "Europe/Stockholm");
    c.payment_terms_days = 30;
    assert_int_equal(store_company_insert(st, &c), PM_OK);
    return c.id;
}

static int64_t add_customer(struct store *st, int64_t company_id, const char *name)
{
    struct customer c;

    memset(&c, 0, sizeof(c));
    c.company_id = company_id;
    snprintf(c.name, sizeof(c.name), "%s", name);
    snprintf(c.country, sizeof(c.country), "SE");
    assert_int_equal(store_customer_insert(st, &c), PM_OK);
    return c.id;
}

/* An invoice of one line in currency; customer part = amount. */
static struct invoice add_invoice(struct store *st, int64_t company_id, int64_t customer_id,
                                  int64_t number, int32_t due, int64_t amount, const char *currency)
{
    struct invoice inv;
    struct invoice_line_row line;

    memset(&inv, 0, sizeof(inv));
    memset(&line, 0, sizeof(line));
    inv.company_id = company_id;
    inv.customer_id = customer_id;
    inv.number = number;
    inv.kind = INVOICE_STANDARD;
    snprintf(inv.currency, sizeof(inv.currency), "%s", currency);
    inv.invoice_date = due - 30;
    inv.due_date = due;
    inv.net_minor = amount;
    inv.total_minor = amount;
    inv.customer_part_minor = amount;
    snprintf(line.description, sizeof(line.description), "Konsulttimmar");
    line.line.quantity_milli = 1000;
    line.line.unit_price_minor = amount;
    line.net_minor = amount;
    assert_int_equal(store_invoice_insert(st, &inv, &line, 1, NULL, 0), PM_OK);
    return inv;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct pm_error e;
    int fd;

    assert_non_null(f);
    pm_error_clear(&e);
    if (on_pg()) {
        pg_create_db(f->name, f->dsn, sizeof(f->dsn));
    } else {
        snprintf(f->path, sizeof(f->path), "/tmp/paminn-books-XXXXXX");
        fd = mkstemp(f->path);
        assert_true(fd >= 0);
        close(fd);
        snprintf(f->dsn, sizeof(f->dsn), "%s", f->path);
    }
    assert_int_equal(store_open(f->dsn, &f->st, &e), PM_OK);
    f->company_a = add_company(f->st, "Bygg & Måleri AB");
    f->company_b = add_company(f->st, "Annan Firma AB");
    f->customer_a = add_customer(f->st, f->company_a, "Kund A");
    f->customer_b = add_customer(f->st, f->company_b, "Kund B");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char side[80];

    store_close(&f->st);
    if (on_pg())
        pg_drop_db(f->name);
    if (f->path[0]) {
        unlink(f->path);
        snprintf(side, sizeof(side), "%s-wal", f->path);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", f->path);
        unlink(side);
    }
    free(f);
    return 0;
}

/* ---- reminders ---- */

static struct reminder make_reminder(int64_t company_id, int64_t invoice_id, int64_t batch_id)
{
    struct reminder r;

    memset(&r, 0, sizeof(r));
    r.company_id = company_id;
    r.invoice_id = invoice_id;
    r.batch_id = batch_id;
    r.date = day(2024, 10, 4);
    r.fee_minor = 6000;
    r.late_compensation_minor = 45000;
    r.interest_minor = 1234;
    r.interest_rate_bp = 1275;
    r.period_from = day(2024, 9, 4);
    r.period_to = day(2024, 10, 4);
    r.earlier_charges_minor = 0;
    r.total_due_minor = 152234;
    r.new_due_date = day(2024, 10, 14);
    snprintf(r.ocr, sizeof(r.ocr), "100175");
    return r;
}

static void test_reminder_round_trip(void **state)
{
    struct fixture *f = *state;
    struct invoice inv =
        add_invoice(f->st, f->company_a, f->customer_a, 1001, day(2024, 9, 4), 100000, "SEK");
    static const unsigned char pdf[] = {'%', 'P', 'D', 'F', 0, 1, 2, 0xff, '\\', 'x'};
    struct reminder r = make_reminder(f->company_a, inv.id, 0), out, second;
    struct invoice got;
    void *blob = NULL;
    size_t len = 0;

    snprintf(r.letter, sizeof(r.letter), "{\"lines\": [1, 2], \"to\": \"Kund A\"}");
    assert_int_equal(store_books_reminder_insert(f->st, &r, pdf, sizeof(pdf)), PM_OK);
    assert_int_equal(r.id, 1);
    assert_true(r.created_at > 0);
    assert_int_equal(store_books_reminder_get(f->st, f->company_a, inv.id, r.id, &out, &blob, &len),
                     PM_OK);
    assert_int_equal(out.id, r.id);
    assert_int_equal(out.invoice_id, inv.id);
    assert_int_equal(out.date, r.date);
    assert_int_equal(out.fee_minor, 6000);
    assert_int_equal(out.late_compensation_minor, 45000);
    assert_int_equal(out.interest_minor, 1234);
    assert_int_equal(out.interest_rate_bp, 1275);
    assert_int_equal(out.period_from, r.period_from);
    assert_int_equal(out.period_to, r.period_to);
    assert_int_equal(out.total_due_minor, 152234);
    assert_int_equal(out.new_due_date, r.new_due_date);
    assert_string_equal(out.ocr, "100175");
    /* The letter exactly as written, spacing included. */
    assert_string_equal(out.letter, r.letter);
    assert_int_equal(out.created_at, r.created_at);
    assert_int_equal(len, sizeof(pdf));
    assert_memory_equal(blob, pdf, sizeof(pdf));
    free(blob);

    /* Without a PDF and without a letter: "{}" and no bytes. */
    second = make_reminder(f->company_a, inv.id, 0);
    assert_int_equal(store_books_reminder_insert(f->st, &second, NULL, 0), PM_OK);
    assert_int_equal(second.id, 2);
    blob = (void *)1;
    assert_int_equal(
        store_books_reminder_get(f->st, f->company_a, inv.id, second.id, &out, &blob, &len), PM_OK);
    assert_null(blob);
    assert_int_equal(len, 0);
    assert_string_equal(out.letter, "{}");
    assert_int_equal(
        store_books_reminder_get(f->st, f->company_a, inv.id, second.id, &out, NULL, NULL), PM_OK);

    /* Each reminder counts on its invoice. */
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &got), PM_OK);
    assert_int_equal(got.manual_reminders, 2);

    /* Another invoice's id, another company, an unknown id: not found. */
    assert_int_equal(
        store_books_reminder_get(f->st, f->company_a, inv.id + 1, r.id, &out, NULL, NULL),
        PM_ERR_NOT_FOUND);
    assert_string_equal(store_error(f->st)->field, "reminder_id");
    assert_int_equal(store_books_reminder_get(f->st, f->company_b, inv.id, r.id, &out, NULL, NULL),
                     PM_ERR_NOT_FOUND);
    assert_int_equal(store_books_reminder_get(f->st, f->company_a, inv.id, 99, &out, NULL, NULL),
                     PM_ERR_NOT_FOUND);
}

static void test_reminder_unknown_invoice_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    struct invoice inv =
        add_invoice(f->st, f->company_a, f->customer_a, 1001, day(2024, 9, 4), 100000, "SEK");
    struct reminder r = make_reminder(f->company_a, inv.id + 1000, 0);
    struct reminder ok = make_reminder(f->company_a, inv.id, 0);
    struct invoice other;

    /* Ids are per company: company b's second invoice has an id that company a
     * does not. */
    add_invoice(f->st, f->company_b, f->customer_b, 1, day(2024, 9, 4), 100000, "SEK");
    other = add_invoice(f->st, f->company_b, f->customer_b, 2, day(2024, 9, 4), 100000, "SEK");
    assert_int_not_equal(other.id, inv.id);

    assert_int_equal(store_books_reminder_insert(f->st, &r, NULL, 0), PM_ERR_NOT_FOUND);
    assert_int_equal(r.id, 0);
    /* Another company's invoice is no invoice of this one. */
    r.invoice_id = other.id;
    assert_int_equal(store_books_reminder_insert(f->st, &r, NULL, 0), PM_ERR_NOT_FOUND);
    /* The failed calls took no id. */
    assert_int_equal(store_books_reminder_insert(f->st, &ok, NULL, 0), PM_OK);
    assert_int_equal(ok.id, 1);
}

static void test_reminder_batches(void **state)
{
    struct fixture *f = *state;
    struct reminder_batch b, other, got;
    struct reminder out[8];
    static const char pdf[] = "%PDF-1.7 merged";
    void *blob = NULL;
    size_t n = 0, len = 0, i;
    int64_t ids[5];

    memset(&b, 0, sizeof(b));
    b.company_id = f->company_a;
    b.total = 5;
    assert_int_equal(store_books_reminder_batch_insert(f->st, &b), PM_OK);
    assert_int_equal(b.id, 1);
    other = b;
    other.id = 0;
    other.company_id = f->company_b;
    other.created_at = 0;
    assert_int_equal(store_books_reminder_batch_insert(f->st, &other), PM_OK);
    assert_int_equal(other.id, 1);

    for (i = 0; i < 5; i++) {
        struct invoice inv = add_invoice(f->st, f->company_a, f->customer_a, 2000 + (int64_t)i,
                                         day(2024, 9, 1), 5000, "SEK");
        struct reminder r = make_reminder(f->company_a, inv.id, b.id);

        assert_int_equal(store_books_reminder_insert(f->st, &r, NULL, 0), PM_OK);
        ids[i] = r.id;
    }
    {
        /* One made alone is no batch's. */
        struct invoice inv =
            add_invoice(f->st, f->company_a, f->customer_a, 3000, day(2024, 9, 1), 5000, "SEK");
        struct reminder r = make_reminder(f->company_a, inv.id, 0);

        assert_int_equal(store_books_reminder_insert(f->st, &r, NULL, 0), PM_OK);
    }

    /* Paged by id. */
    assert_int_equal(store_books_reminder_list_batch(f->st, f->company_a, b.id, 0, out, 3, &n),
                     PM_OK);
    assert_int_equal(n, 3);
    for (i = 0; i < 3; i++)
        assert_int_equal(out[i].id, ids[i]);
    assert_int_equal(
        store_books_reminder_list_batch(f->st, f->company_a, b.id, out[2].id, out, 3, &n), PM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].id, ids[3]);
    assert_int_equal(out[1].id, ids[4]);
    assert_int_equal(out[1].batch_id, b.id);
    assert_int_equal(store_books_reminder_list_batch(f->st, f->company_b, b.id, 0, out, 8, &n),
                     PM_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_books_reminder_list_batch(f->st, f->company_a, 0, 0, out, 8, &n), PM_OK);
    assert_int_equal(n, 0);

    /* The merged letters: none yet, then stored. */
    blob = (void *)1;
    assert_int_equal(store_books_reminder_batch_get(f->st, f->company_a, b.id, &got, &blob, &len),
                     PM_OK);
    assert_null(blob);
    assert_int_equal(got.total, 5);
    assert_int_equal(got.created_at, b.created_at);
    assert_int_equal(
        store_books_reminder_batch_put_pdf(f->st, f->company_a, b.id, pdf, sizeof(pdf) - 1), PM_OK);
    assert_int_equal(store_books_reminder_batch_get(f->st, f->company_a, b.id, &got, &blob, &len),
                     PM_OK);
    assert_int_equal(len, sizeof(pdf) - 1);
    assert_memory_equal(blob, pdf, len);
    free(blob);
    assert_int_equal(store_books_reminder_batch_get(f->st, f->company_a, b.id, &got, NULL, NULL),
                     PM_OK);

    assert_int_equal(store_books_reminder_batch_put_pdf(f->st, f->company_a, 99, pdf, 3),
                     PM_ERR_NOT_FOUND);
    assert_string_equal(store_error(f->st)->field, "batch_id");
    assert_int_equal(store_books_reminder_batch_get(f->st, f->company_a, 99, &got, NULL, NULL),
                     PM_ERR_NOT_FOUND);
    assert_string_equal(store_error(f->st)->field, "batch_id");
}

/* ---- per-invoice books ---- */

static void test_invoice_books(void **state)
{
    struct fixture *f = *state;
    struct invoice inv =
        add_invoice(f->st, f->company_a, f->customer_a, 1001, day(2024, 9, 4), 125000, "SEK");
    struct invoice_books b, got;
    struct invoice after;

    assert_int_equal(store_books_invoice_get(f->st, f->company_a, inv.id, &got), PM_OK);
    assert_int_equal(got.company_id, f->company_a);
    assert_int_equal(got.invoice_id, inv.id);
    assert_int_equal(got.fee_charged_minor, 0);
    assert_int_equal(got.loss.gross_minor, 0);

    memset(&b, 0, sizeof(b));
    b.company_id = f->company_a;
    b.invoice_id = inv.id;
    b.fee_charged_minor = 6000;
    b.compensation_charged_minor = 45000;
    b.fees_paid_minor = 6000;
    b.interest_charged_minor = 800;
    b.interest_paid_minor = 0;
    b.expected_loss_minor = 100000;
    assert_int_equal(store_books_invoice_put(f->st, &b), PM_OK);
    b.expected_loss_minor = 0;
    b.loss.gross_minor = 125000;
    b.loss.net_minor = 100000;
    b.loss.vat_by_rate[VAT_25] = 25000;
    b.recovered_minor = 1000;
    assert_int_equal(store_books_invoice_put(f->st, &b), PM_OK);
    assert_int_equal(store_books_invoice_get(f->st, f->company_a, inv.id, &got), PM_OK);
    assert_int_equal(got.fee_charged_minor, 6000);
    assert_int_equal(got.compensation_charged_minor, 45000);
    assert_int_equal(got.fees_paid_minor, 6000);
    assert_int_equal(got.interest_charged_minor, 800);
    assert_int_equal(got.expected_loss_minor, 0);
    assert_int_equal(got.loss.gross_minor, 125000);
    assert_int_equal(got.loss.net_minor, 100000);
    assert_int_equal(got.loss.vat_by_rate[VAT_25], 25000);
    assert_int_equal(got.loss.vat_by_rate[VAT_12], 0);
    assert_int_equal(got.recovered_minor, 1000);

    /* Not another company's. */
    assert_int_equal(store_books_invoice_get(f->st, f->company_b, inv.id, &got), PM_OK);
    assert_int_equal(got.fee_charged_minor, 0);

    /* Refused: VAT at 0 %, a loss whose parts do not add up, no such invoice. */
    b.loss.vat_by_rate[VAT_0] = 1;
    assert_int_equal(store_books_invoice_put(f->st, &b), PM_ERR_INVALID);
    assert_string_equal(store_error(f->st)->field, "loss");
    b.loss.vat_by_rate[VAT_0] = 0;
    b.loss.net_minor = 1;
    assert_int_equal(store_books_invoice_put(f->st, &b), PM_ERR_INVALID);
    b.loss.net_minor = 100000;
    b.invoice_id = inv.id + 1000;
    assert_int_equal(store_books_invoice_put(f->st, &b), PM_ERR_NOT_FOUND);

    /* Written off. */
    assert_int_equal(store_books_invoice_write_off(f->st, f->company_a, inv.id), PM_OK);
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &after), PM_OK);
    assert_int_equal(after.state, INVOICE_STATE_WRITTEN_OFF);
    assert_int_equal(store_books_invoice_write_off(f->st, f->company_b, inv.id), PM_ERR_NOT_FOUND);
    assert_string_equal(store_error(f->st)->field, "invoice_id");
}

/* ---- vouchers ---- */

static struct voucher make_voucher(int64_t company_id, int32_t date, int64_t amount)
{
    struct voucher v;

    voucher_init(&v, date, "invoice", "Faktura");
    v.company_id = company_id;
    assert_int_equal(voucher_debit(&v, ACC_RECEIVABLES, amount), PM_OK);
    assert_int_equal(voucher_credit(&v, ACC_SALES_25, amount * 4 / 5), PM_OK);
    assert_int_equal(voucher_credit(&v, ACC_OUTPUT_VAT_25, amount - amount * 4 / 5), PM_OK);
    return v;
}

static void test_voucher_numbers(void **state)
{
    struct fixture *f = *state;
    struct voucher a1 = make_voucher(f->company_a, day(2024, 3, 1), 12500);
    struct voucher a2 = make_voucher(f->company_a, day(2024, 12, 31), 1000);
    struct voucher a3 = make_voucher(f->company_a, day(2025, 1, 1), 2000);
    struct voucher b1 = make_voucher(f->company_b, day(2024, 6, 1), 3000);
    struct voucher bad = make_voucher(f->company_a, day(2024, 5, 1), 3000);
    struct voucher one = make_voucher(f->company_a, day(2024, 5, 1), 3000);
    struct voucher a4;

    assert_int_equal(store_books_voucher_insert(f->st, &a1), PM_OK);
    assert_int_equal(a1.year, 2024);
    assert_int_equal(a1.number, 1);
    assert_true(a1.created_at > 0);
    assert_int_equal(store_books_voucher_insert(f->st, &a2), PM_OK);
    assert_int_equal(a2.number, 2);
    assert_int_equal(store_books_voucher_insert(f->st, &a3), PM_OK);
    assert_int_equal(a3.year, 2025);
    assert_int_equal(a3.number, 1);
    assert_int_equal(store_books_voucher_insert(f->st, &b1), PM_OK);
    assert_int_equal(b1.number, 1);

    /* Unbalanced, or a single row: refused, no number taken. */
    bad.rows[0].debit_minor += 1;
    assert_int_equal(store_books_voucher_insert(f->st, &bad), PM_ERR_INVALID);
    assert_string_equal(store_error(f->st)->field, "rows");
    one.n_rows = 1;
    assert_int_equal(store_books_voucher_insert(f->st, &one), PM_ERR_INVALID);

    /* A voucher for an invoice of another company: refused, nothing left,
     * its number free again. */
    a4 = make_voucher(f->company_a, day(2024, 7, 1), 500);
    a4.invoice_id =
        add_invoice(f->st, f->company_b, f->customer_b, 7, day(2024, 7, 1), 500, "SEK").id;
    assert_int_equal(store_books_voucher_insert(f->st, &a4), PM_ERR_NOT_FOUND);
    a4.invoice_id = 0;
    assert_int_equal(store_books_voucher_insert(f->st, &a4), PM_OK);
    assert_int_equal(a4.number, 3);
}

/* Vouchers booked one by one and the same booked as one batch on another
 * company: the same numbers per fiscal year (going on from one booked
 * before), heads, rows and invoice links; a batch with a voucher that
 * cannot be booked books nothing. */
static void test_voucher_batch_same_as_single(void **state)
{
    struct fixture *f = *state;
    int64_t companies[2] = {f->company_a, f->company_b};
    int64_t customers[2] = {f->customer_a, f->customer_b};
    int32_t dates[6] = {day(2024, 3, 1), day(2025, 1, 2), day(2024, 12, 31),
                        day(2025, 2, 1), day(2024, 5, 5), day(2026, 1, 1)};
    struct voucher v[2][6], first, out[2][8], bad[2];
    int64_t inv[2];
    size_t c, i, n[2] = {0, 0};

    for (c = 0; c < 2; c++) {
        inv[c] =
            add_invoice(f->st, companies[c], customers[c], 1001, day(2024, 3, 1), 12500, "SEK").id;
        first = make_voucher(companies[c], day(2024, 1, 2), 100);
        assert_int_equal(store_books_voucher_insert(f->st, &first), PM_OK);
        for (i = 0; i < 6; i++) {
            v[c][i] = make_voucher(companies[c], dates[i], 1000 * ((int64_t)i + 1));
            v[c][i].created_at = 1700000000;
            if (i % 2)
                v[c][i].invoice_id = inv[c];
        }
    }
    assert_int_equal(inv[0], inv[1]);
    for (i = 0; i < 6; i++)
        assert_int_equal(store_books_voucher_insert(f->st, &v[0][i]), PM_OK);
    assert_int_equal(store_books_voucher_insert_batch(f->st, v[1], 6), PM_OK);
    for (i = 0; i < 6; i++) {
        assert_int_equal(v[1][i].year, v[0][i].year);
        assert_int_equal(v[1][i].number, v[0][i].number);
    }
    assert_int_equal(v[1][0].number, 2); /* after the one booked before */
    assert_int_equal(v[1][4].number, 4); /* 2024: 2, 3, 4 */
    assert_int_equal(v[1][3].number, 2); /* 2025: 1, 2 */
    for (c = 0; c < 2; c++)
        assert_int_equal(store_books_voucher_list(f->st, companies[c], day(2024, 1, 1),
                                                  day(2026, 12, 31), 0, 0, out[c], 8, &n[c]),
                         PM_OK);
    assert_int_equal(n[0], 7);
    assert_int_equal(n[1], 7);
    for (i = 1; i < 7; i++) { /* the first was booked before, at another time */
        out[0][i].company_id = out[1][i].company_id;
        assert_memory_equal(&out[0][i], &out[1][i], sizeof(out[0][i]));
    }

    /* refused: nothing of the batch is booked, no number taken */
    bad[0] = make_voucher(f->company_b, day(2024, 8, 1), 500);
    bad[1] = make_voucher(f->company_b, day(2024, 8, 2), 500);
    bad[1].rows[0].debit_minor += 1;
    assert_int_equal(store_books_voucher_insert_batch(f->st, bad, 2), PM_ERR_INVALID);
    bad[1] = make_voucher(f->company_b, day(2024, 8, 2), 500);
    bad[1].invoice_id = inv[1] + 100; /* no such invoice */
    assert_int_not_equal(store_books_voucher_insert_batch(f->st, bad, 2), PM_OK);
    bad[1] = make_voucher(f->company_a, day(2024, 8, 2), 500);
    assert_int_equal(store_books_voucher_insert_batch(f->st, bad, 2), PM_ERR_INVALID);
    assert_string_equal(store_error(f->st)->field, "company_id");
    assert_int_equal(store_books_voucher_list(f->st, f->company_b, day(2024, 1, 1),
                                              day(2026, 12, 31), 0, 0, out[1], 8, &n[1]),
                     PM_OK);
    assert_int_equal(n[1], 7);
    bad[1] = make_voucher(f->company_b, day(2024, 8, 2), 500);
    assert_int_equal(store_books_voucher_insert_batch(f->st, bad, 2), PM_OK);
    assert_int_equal(bad[0].number, 5);
    assert_int_equal(bad[1].number, 6);
}

/* A company whose fiscal year runs 1 May - 30 April numbers its vouchers
 * per such year: the series is named by the year it starts in, and 1 May
 * starts again at 1 while New Year's Day goes on in the old series. */
static void test_voucher_numbers_broken_year(void **state)
{
    struct fixture *f = *state;
    int64_t may = add_company(f->st, "Majbolaget AB");
    struct voucher last_day = make_voucher(may, day(2026, 4, 30), 12500);
    struct voucher first_day = make_voucher(may, day(2026, 5, 1), 1000);
    struct voucher new_year = make_voucher(may, day(2026, 1, 1), 2000);
    struct voucher next = make_voucher(may, day(2027, 4, 30), 3000);
    struct company c;
    bool booked = true;

    assert_int_equal(store_company_get(f->st, may, &c), PM_OK);
    assert_int_equal(c.fiscal_year_start_month, 1); /* the default */
    c.fiscal_year_start_month = 5;
    assert_int_equal(store_company_update(f->st, &c), PM_OK);
    memset(&c, 0, sizeof(c));
    assert_int_equal(store_company_get(f->st, may, &c), PM_OK);
    assert_int_equal(c.fiscal_year_start_month, 5);
    assert_int_equal(store_books_voucher_exists(f->st, may, &booked), PM_OK);
    assert_false(booked);

    assert_int_equal(store_books_voucher_insert(f->st, &last_day), PM_OK);
    assert_int_equal(last_day.year, 2025); /* 2025/26 */
    assert_int_equal(last_day.number, 1);
    assert_int_equal(store_books_voucher_insert(f->st, &first_day), PM_OK);
    assert_int_equal(first_day.year, 2026); /* 2026/27 */
    assert_int_equal(first_day.number, 1);
    assert_int_equal(store_books_voucher_insert(f->st, &new_year), PM_OK);
    assert_int_equal(new_year.year, 2025);
    assert_int_equal(new_year.number, 2);
    assert_int_equal(store_books_voucher_insert(f->st, &next), PM_OK);
    assert_int_equal(next.year, 2026);
    assert_int_equal(next.number, 2);
    assert_int_equal(store_books_voucher_exists(f->st, may, &booked), PM_OK);
    assert_true(booked);
    /* the database refuses a month outside 1..12 as well */
    c.fiscal_year_start_month = 13;
    assert_int_not_equal(store_company_update(f->st, &c), PM_OK);
}

static void test_voucher_in_transaction(void **state)
{
    struct fixture *f = *state;
    struct voucher v = make_voucher(f->company_a, day(2024, 3, 1), 12500);
    struct voucher w = make_voucher(f->company_a, day(2024, 3, 2), 100);
    struct voucher list[4];
    size_t n = 0;

    /* Rolled back with the caller's transaction: gone, number reused. */
    assert_int_equal(store_begin(f->st), PM_OK);
    assert_int_equal(store_books_voucher_insert(f->st, &v), PM_OK);
    assert_int_equal(v.number, 1);
    assert_int_equal(store_rollback(f->st), PM_OK);
    assert_int_equal(store_books_voucher_list(f->st, f->company_a, day(2024, 1, 1),
                                              day(2024, 12, 31), 0, 0, list, 4, &n),
                     PM_OK);
    assert_int_equal(n, 0);

    /* A refused voucher inside a transaction leaves the rest of it. */
    assert_int_equal(store_begin(f->st), PM_OK);
    assert_int_equal(store_books_voucher_insert(f->st, &v), PM_OK);
    assert_int_equal(v.number, 1);
    w.invoice_id = 999999;
    assert_int_equal(store_books_voucher_insert(f->st, &w), PM_ERR_NOT_FOUND);
    w.invoice_id = 0;
    assert_int_equal(store_books_voucher_insert(f->st, &w), PM_OK);
    assert_int_equal(w.number, 2);
    assert_int_equal(store_commit(f->st), PM_OK);
    assert_int_equal(store_books_voucher_list(f->st, f->company_a, day(2024, 1, 1),
                                              day(2024, 12, 31), 0, 0, list, 4, &n),
                     PM_OK);
    assert_int_equal(n, 2);
}

static void test_voucher_list_and_balances(void **state)
{
    struct fixture *f = *state;
    struct invoice inv =
        add_invoice(f->st, f->company_a, f->customer_a, 1001, day(2024, 9, 4), 12500, "SEK");
    struct voucher v[5], out[8];
    struct account_balance bal[8];
    int32_t dates[5] = {day(2024, 1, 5), day(2024, 1, 3), day(2024, 2, 1), day(2025, 1, 2),
                        day(2024, 12, 30)};
    size_t n = 0, i;

    for (i = 0; i < 5; i++) {
        v[i] = make_voucher(f->company_a, dates[i], 1000 * ((int64_t)i + 1));
        if (i == 2)
            v[i].invoice_id = inv.id;
        assert_int_equal(store_books_voucher_insert(f->st, &v[i]), PM_OK);
    }
    {
        struct voucher b = make_voucher(f->company_b, day(2024, 1, 4), 77);

        assert_int_equal(store_books_voucher_insert(f->st, &b), PM_OK);
    }

    /* By year and number, not by date; paged with the cursor. */
    assert_int_equal(store_books_voucher_list(f->st, f->company_a, day(2024, 1, 1),
                                              day(2025, 12, 31), 0, 0, out, 3, &n),
                     PM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(out[0].year, 2024);
    assert_int_equal(out[0].number, 1);
    assert_int_equal(out[0].date, dates[0]);
    assert_int_equal(out[1].number, 2);
    assert_int_equal(out[2].number, 3);
    assert_int_equal(out[2].invoice_id, inv.id);
    assert_int_equal(out[0].invoice_id, 0);
    assert_string_equal(out[0].text, "Faktura");
    assert_string_equal(out[0].source, "invoice");
    assert_int_equal(out[0].created_at, v[0].created_at);
    assert_int_equal(out[0].company_id, f->company_a);
    /* Rows in their order, as written. */
    assert_int_equal(out[1].n_rows, v[1].n_rows);
    for (i = 0; i < v[1].n_rows; i++) {
        assert_int_equal(out[1].rows[i].account, v[1].rows[i].account);
        assert_int_equal(out[1].rows[i].debit_minor, v[1].rows[i].debit_minor);
        assert_int_equal(out[1].rows[i].credit_minor, v[1].rows[i].credit_minor);
    }
    assert_int_equal(store_books_voucher_list(f->st, f->company_a, day(2024, 1, 1),
                                              day(2025, 12, 31), 2024, 3, out, 3, &n),
                     PM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].year, 2024);
    assert_int_equal(out[0].number, 4);
    assert_int_equal(out[1].year, 2025);
    assert_int_equal(out[1].number, 1);

    /* The date range is inclusive. */
    assert_int_equal(store_books_voucher_list(f->st, f->company_a, day(2024, 1, 3), day(2024, 1, 5),
                                              0, 0, out, 8, &n),
                     PM_OK);
    assert_int_equal(n, 2);

    /* Balances of everything dated before 2024-02-01: 1000 + 2000. */
    assert_int_equal(store_books_voucher_balances(f->st, f->company_a, day(2024, 2, 1), bal, 8, &n),
                     PM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(bal[0].account, ACC_RECEIVABLES);
    assert_int_equal(bal[0].balance_minor, 3000);
    assert_int_equal(bal[1].account, ACC_OUTPUT_VAT_25);
    assert_int_equal(bal[1].balance_minor, -600);
    assert_int_equal(bal[2].account, ACC_SALES_25);
    assert_int_equal(bal[2].balance_minor, -2400);
    assert_int_equal(store_books_voucher_balances(f->st, f->company_a, day(2024, 2, 1), bal, 2, &n),
                     PM_ERR_RANGE);
    assert_int_equal(store_books_voucher_balances(f->st, f->company_a, day(2024, 1, 1), bal, 8, &n),
                     PM_OK);
    assert_int_equal(n, 0);
}

#define WRITERS    4
#define PER_WRITER 25

/* A process of its own inserting PER_WRITER vouchers; 0 when all went in.
 * A transient conflict (PM_ERR_BUSY) is retried as the API retries it. */
static int voucher_writer(const char *dsn, int64_t company_id)
{
    struct store *st = NULL;
    struct pm_error e;
    enum pm_err rc = PM_OK;
    int i, attempt;

    pm_error_clear(&e);
    if (store_open(dsn, &st, &e))
        return 2;
    for (i = 0; !rc && i < PER_WRITER; i++) {
        struct voucher v = make_voucher(company_id, day(2024, 5, 1), 100 + i);

        for (attempt = 0; attempt < 100; attempt++) {
            rc = store_books_voucher_insert(st, &v);
            if (rc != PM_ERR_BUSY)
                break;
            usleep(1000);
        }
        if (rc)
            fprintf(stderr, "voucher_writer: %s\n", store_error(st)->message);
    }
    store_close(&st);
    return rc ? 1 : 0;
}

static void test_voucher_concurrent_writers(void **state)
{
    struct fixture *f = *state;
    struct voucher *list;
    pid_t pids[WRITERS];
    int status[WRITERS];
    size_t n = 0, i;

    for (i = 0; i < WRITERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0)
            _exit(voucher_writer(f->dsn, f->company_a));
    }
    /* Every writer reaped before anything is asserted. */
    for (i = 0; i < WRITERS; i++)
        assert_int_equal(waitpid(pids[i], &status[i], 0), pids[i]);
    for (i = 0; i < WRITERS; i++) {
        assert_true(WIFEXITED(status[i]));
        assert_int_equal(WEXITSTATUS(status[i]), 0);
    }
    /* Every voucher once, numbered 1..N without gaps. */
    list = calloc(WRITERS * PER_WRITER + 1, sizeof(*list));
    assert_non_null(list);
    assert_int_equal(store_books_voucher_list(f->st, f->company_a, day(2024, 1, 1),
                                              day(2024, 12, 31), 0, 0, list,
                                              WRITERS * PER_WRITER + 1, &n),
                     PM_OK);
    assert_int_equal(n, WRITERS * PER_WRITER);
    for (i = 0; i < n; i++)
        assert_int_equal(list[i].number, (int64_t)i + 1);
    free(list);
}

/* ---- BgMax ---- */

static void test_bgmax_remembered_once(void **state)
{
    struct fixture *f = *state;
    struct voucher v = make_voucher(f->company_a, day(2024, 3, 1), 12500);
    struct voucher list[2];
    size_t n = 0;

    assert_int_equal(store_books_bgmax_remember(f->st, f->company_a, "BGMAX-20241004-1234", 0),
                     PM_OK);
    assert_int_equal(store_books_bgmax_remember(f->st, f->company_a, "BGMAX-20241004-1234", 5),
                     PM_ERR_CONFLICT);
    assert_string_equal(store_error(f->st)->field, "file_identity");
    assert_int_equal(store_books_bgmax_remember(f->st, f->company_b, "BGMAX-20241004-1234", 5),
                     PM_OK);

    /* Inside a transaction the refusal leaves the transaction usable. */
    assert_int_equal(store_begin(f->st), PM_OK);
    assert_int_equal(store_books_bgmax_remember(f->st, f->company_a, "BGMAX-DEPOSIT-1", 5), PM_OK);
    assert_int_equal(store_books_bgmax_remember(f->st, f->company_a, "BGMAX-20241004-1234", 5),
                     PM_ERR_CONFLICT);
    assert_int_equal(store_books_voucher_insert(f->st, &v), PM_OK);
    assert_int_equal(store_commit(f->st), PM_OK);
    assert_int_equal(store_books_bgmax_remember(f->st, f->company_a, "BGMAX-DEPOSIT-1", 5),
                     PM_ERR_CONFLICT);
    assert_int_equal(store_books_voucher_list(f->st, f->company_a, day(2024, 1, 1),
                                              day(2024, 12, 31), 0, 0, list, 2, &n),
                     PM_OK);
    assert_int_equal(n, 1);
}

/* ---- aging ---- */

static void test_receivables_sum(void **state)
{
    struct fixture *f = *state;
    struct invoice paid, off;
    struct payment p;
    int64_t count = -1, remaining = -1;

    add_invoice(f->st, f->company_a, f->customer_a, 1, day(2024, 9, 1), 1000, "SEK");
    add_invoice(f->st, f->company_a, f->customer_a, 2, day(2024, 9, 30), 2000, "SEK");
    add_invoice(f->st, f->company_a, f->customer_a, 3, day(2024, 10, 1), 4000, "SEK");
    add_invoice(f->st, f->company_a, f->customer_a, 4, day(2024, 9, 15), 8000, "EUR");
    add_invoice(f->st, f->company_b, f->customer_b, 5, day(2024, 9, 15), 16000, "SEK");
    paid = add_invoice(f->st, f->company_a, f->customer_a, 6, day(2024, 9, 15), 32000, "SEK");
    off = add_invoice(f->st, f->company_a, f->customer_a, 7, day(2024, 9, 15), 64000, "SEK");
    memset(&p, 0, sizeof(p));
    p.company_id = f->company_a;
    p.invoice_id = paid.id;
    p.date = day(2024, 9, 20);
    p.amount_minor = 32000;
    p.source = PAYMENT_MANUAL;
    assert_int_equal(store_payment_insert(f->st, &p), PM_OK);
    assert_int_equal(store_books_invoice_write_off(f->st, f->company_a, off.id), PM_OK);
    /* Half paid: what remains counts. */
    {
        struct invoice half =
            add_invoice(f->st, f->company_a, f->customer_a, 8, day(2024, 9, 10), 500, "SEK");

        p.invoice_id = half.id;
        p.amount_minor = 200;
        p.id = 0;
        assert_int_equal(store_payment_insert(f->st, &p), PM_OK);
    }

    assert_int_equal(store_books_receivables_sum(f->st, f->company_a, day(2024, 9, 1),
                                                 day(2024, 9, 30), &count, &remaining),
                     PM_OK);
    assert_int_equal(count, 3);
    assert_int_equal(remaining, 1000 + 2000 + 300);
    assert_int_equal(store_books_receivables_sum(f->st, f->company_a, day(2023, 1, 1),
                                                 day(2023, 12, 31), &count, &remaining),
                     PM_OK);
    assert_int_equal(count, 0);
    assert_int_equal(remaining, 0);
}

/* ---- credit notes ---- */

static struct credit_note_row credit(int64_t company_id, int64_t invoice_id, int64_t customer_id,
                                     int64_t gross)
{
    struct credit_note_row c;

    memset(&c, 0, sizeof(c));
    c.company_id = company_id;
    c.invoice_id = invoice_id;
    c.customer_id = customer_id;
    c.date = day(2024, 10, 1);
    snprintf(c.reason, sizeof(c.reason), "Fel pris");
    c.net_0_minor = gross;
    c.total_minor = gross;
    c.customer_part_minor = gross;
    return c;
}

static void test_credit_notes(void **state)
{
    struct fixture *f = *state;
    struct invoice inv =
        add_invoice(f->st, f->company_a, f->customer_a, 1, day(2024, 9, 1), 10000, "SEK");
    struct invoice other =
        add_invoice(f->st, f->company_b, f->customer_b, 1, day(2024, 9, 1), 10000, "SEK");
    struct credit_note_row a = credit(f->company_a, inv.id, f->customer_a, 2500), got, list[4];
    struct credit_note_amounts sum;
    struct invoice now;
    size_t n = 0;

    assert_int_equal(store_credit_note_insert(f->st, &a), PM_OK);
    assert_int_equal(a.number, 1);
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &now), PM_OK);
    assert_int_equal(now.credited_minor, 2500);
    assert_int_equal(now.remaining_minor, 7500);
    assert_int_equal(now.state, INVOICE_STATE_OPEN);

    /* Beyond what is left: refused, nothing written. */
    {
        struct credit_note_row too_much = credit(f->company_a, inv.id, f->customer_a, 7501);

        assert_int_equal(store_credit_note_insert(f->st, &too_much), PM_ERR_RANGE);
        assert_string_equal(store_error(f->st)->field, "amount_minor");
    }
    assert_int_equal(store_credit_note_list(f->st, f->company_a, inv.id, list, 4, &n), PM_OK);
    assert_int_equal(n, 1);

    /* The rest: the invoice is credited. */
    {
        struct credit_note_row rest = credit(f->company_a, inv.id, f->customer_a, 7500);

        assert_int_equal(store_credit_note_insert(f->st, &rest), PM_OK);
        assert_int_equal(rest.number, 2);
        assert_int_equal(store_credit_note_voucher(f->st, f->company_a, rest.id, 2024, 7), PM_OK);
        assert_int_equal(store_credit_note_get(f->st, f->company_a, rest.id, &got), PM_OK);
        assert_int_equal(got.voucher_number, 7);
        assert_string_equal(got.reason, "Fel pris");
    }
    assert_int_equal(store_invoice_get(f->st, f->company_a, inv.id, &now), PM_OK);
    assert_int_equal(now.remaining_minor, 0);
    assert_int_equal(now.state, INVOICE_STATE_CREDITED);
    assert_int_equal(store_credit_note_sum(f->st, f->company_a, inv.id, &sum), PM_OK);
    assert_int_equal(sum.customer_part_minor, 10000);
    assert_int_equal(sum.net_by_rate[VAT_0], 10000);

    /* A free-standing one takes the next number; another company has its
     * own series and does not see company A's. */
    {
        struct credit_note_row free_a = credit(f->company_a, 0, f->customer_a, 100);
        struct credit_note_row b = credit(f->company_b, other.id, f->customer_b, 100);

        assert_int_equal(store_credit_note_insert(f->st, &free_a), PM_OK);
        assert_int_equal(free_a.number, 3);
        assert_int_equal(store_credit_note_insert(f->st, &b), PM_OK);
        assert_int_equal(b.number, 1);
        assert_true(free_a.id != b.id);
        assert_int_equal(store_credit_note_get(f->st, f->company_b, free_a.id, &got),
                         PM_ERR_NOT_FOUND);
        assert_int_equal(store_credit_note_list(f->st, f->company_b, other.id, list, 4, &n), PM_OK);
        assert_int_equal(n, 1);
        assert_int_equal(list[0].id, b.id);
        assert_int_equal(list[0].company_id, f->company_b);
    }
}

/* ---- the customer ledger ---- */

static void pay(struct store *st, int64_t company_id, int64_t invoice_id, int32_t date,
                int64_t amount, enum payment_source source)
{
    struct payment p;

    memset(&p, 0, sizeof(p));
    p.company_id = company_id;
    p.invoice_id = invoice_id;
    p.date = date;
    p.amount_minor = amount;
    p.source = source;
    assert_int_equal(store_payment_insert(st, &p), PM_OK);
}

/* A confirmed loss of what is left of inv, booked on date. */
static void lose(struct store *st, const struct invoice *inv, int32_t date)
{
    struct invoice_books b;
    struct voucher v;

    assert_int_equal(store_books_invoice_get(st, inv->company_id, inv->id, &b), PM_OK);
    b.loss.gross_minor = inv->remaining_minor;
    b.loss.net_minor = inv->remaining_minor;
    assert_int_equal(store_books_invoice_put(st, &b), PM_OK);
    voucher_init(&v, date, "confirmed_loss", "Konstaterad kundförlust");
    v.company_id = inv->company_id;
    v.invoice_id = inv->id;
    assert_int_equal(voucher_debit(&v, ACC_CONFIRMED_LOSS, inv->remaining_minor), PM_OK);
    assert_int_equal(voucher_credit(&v, ACC_RECEIVABLES, inv->remaining_minor), PM_OK);
    assert_int_equal(store_books_voucher_insert(st, &v), PM_OK);
    assert_int_equal(store_books_invoice_write_off(st, inv->company_id, inv->id), PM_OK);
}

static void test_ledger(void **state)
{
    struct fixture *f = *state;
    int64_t bertil = add_customer(f->st, f->company_a, "bertil AB");
    int64_t ceasar = add_customer(f->st, f->company_a, "Ceasar");
    struct invoice a1, c1, lost;
    struct credit_note_row free_a = credit(f->company_a, 0, f->customer_a, 100);
    struct agency_payout_line l;
    struct ledger_row rows[4];
    struct ledger_totals t;
    struct ledger_item items[4];
    size_t n = 0;

    /* Kund A: 1 000 issued 2024-08-02, 400 paid 2024-08-20, a
     * free-standing credit note of 100 on 2024-10-01; 700 written off on
     * 2024-10-01; an invoice in EUR, not on 1510. */
    a1 = add_invoice(f->st, f->company_a, f->customer_a, 1, day(2024, 9, 1), 1000, "SEK");
    pay(f->st, f->company_a, a1.id, day(2024, 8, 20), 400, PAYMENT_MANUAL);
    assert_int_equal(store_credit_note_insert(f->st, &free_a), PM_OK);
    lost = add_invoice(f->st, f->company_a, f->customer_a, 2, day(2024, 9, 20), 700, "SEK");
    lose(f->st, &lost, day(2024, 10, 1));
    add_invoice(f->st, f->company_a, f->customer_a, 3, day(2024, 9, 1), 9000, "EUR");
    /* bertil AB: 5 000, paid in full 2024-09-10 */
    pay(f->st, f->company_a,
        add_invoice(f->st, f->company_a, bertil, 4, day(2024, 9, 15), 5000, "SEK").id,
        day(2024, 9, 10), 5000, PAYMENT_MANUAL);
    /* Ceasar: 3 000 with the agency, which collected 1 000 on 2024-10-01
     * and paid it out on 2024-10-05 */
    c1 = add_invoice(f->st, f->company_a, ceasar, 5, day(2024, 9, 30), 3000, "SEK");
    {
        enum amili_state registered = AMILI_STATE_REGISTERED;

        assert_int_equal(store_agency_invoice_agency(f->st, f->company_a, c1.id, &registered, NULL),
                         PM_OK);
    }
    pay(f->st, f->company_a, c1.id, day(2024, 10, 1), 1000, PAYMENT_AGENCY);
    memset(&l, 0, sizeof(l));
    l.company_id = f->company_a;
    snprintf(l.payout_id, sizeof(l.payout_id), "P-1");
    l.line_no = 1;
    l.invoice_id = c1.id;
    snprintf(l.finance_category, sizeof(l.finance_category), "capital");
    l.amount_minor = l.total_minor = 1000;
    l.booking_date = l.payout_date = day(2024, 10, 5);
    assert_int_equal(store_agency_payout_line_insert(f->st, &l), PM_OK);
    /* another company's customer is never in company A's ledger */
    add_invoice(f->st, f->company_b, f->customer_b, 1, day(2024, 9, 1), 16000, "SEK");

    /* 2024-09-05: 600 + 700 (A, 600 overdue) + 5 000 + 3 000 */
    assert_int_equal(store_ledger_totals(f->st, f->company_a, day(2024, 9, 5), &t), PM_OK);
    assert_int_equal(t.balance_minor, 9300);
    assert_int_equal(t.customers, 3);
    assert_int_equal(t.open_items, 4);
    assert_int_equal(t.overdue_minor, 600);
    /* by name without regard to case: bertil AB, Ceasar, Kund A */
    assert_int_equal(store_ledger_page(f->st, f->company_a, day(2024, 9, 5), false, 0, rows, 2, &n),
                     PM_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].name, "bertil AB");
    assert_int_equal(rows[0].balance_minor, 5000);
    assert_int_equal(rows[1].customer_id, ceasar);
    assert_int_equal(
        store_ledger_page(f->st, f->company_a, day(2024, 9, 5), false, ceasar, rows, 2, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].customer_id, f->customer_a);
    assert_int_equal(rows[0].balance_minor, 1300);
    assert_int_equal(rows[0].open_items, 2);

    /* 2024-10-03: A 600 - 100 (the loss took 700 off); bertil paid;
     * Ceasar's agency payment does not count until paid out */
    assert_int_equal(store_ledger_totals(f->st, f->company_a, day(2024, 10, 3), &t), PM_OK);
    assert_int_equal(t.balance_minor, 500 + 3000);
    assert_int_equal(t.customers, 2);
    /* 2024-10-05: the payout */
    assert_int_equal(store_ledger_totals(f->st, f->company_a, day(2024, 10, 5), &t), PM_OK);
    assert_int_equal(t.balance_minor, 500 + 2000);
    assert_int_equal(store_ledger_page(f->st, f->company_a, day(2024, 10, 5), true, 0, rows, 4, &n),
                     PM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].customer_id, ceasar);
    assert_int_equal(rows[1].customer_id, f->customer_a);
    assert_int_equal(rows[1].balance_minor, 500);
    assert_int_equal(rows[1].open_items, 1);
    assert_int_equal(store_ledger_items(f->st, f->company_a, day(2024, 10, 5), day(2024, 10, 5),
                                        ceasar, items, 4, &n),
                     PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(items[0].remaining_minor, 2000);
    assert_int_equal(items[0].number, 5);

    /* next and previous with a balance, bertil AB having none */
    {
        int64_t next = -1, prev = -1;

        assert_int_equal(
            store_ledger_neighbours(f->st, f->company_a, day(2024, 10, 5), bertil, &next, &prev),
            PM_OK);
        assert_int_equal(next, ceasar);
        assert_int_equal(prev, 0);
        assert_int_equal(
            store_ledger_neighbours(f->st, f->company_a, day(2024, 10, 5), ceasar, &next, &prev),
            PM_OK);
        assert_int_equal(next, f->customer_a);
        assert_int_equal(prev, 0);
        assert_int_equal(store_ledger_neighbours(f->st, f->company_a, day(2024, 10, 5),
                                                 f->customer_a, &next, &prev),
                         PM_OK);
        assert_int_equal(next, 0);
        assert_int_equal(prev, ceasar);
        /* on 2024-09-05 bertil AB owed too */
        assert_int_equal(
            store_ledger_neighbours(f->st, f->company_a, day(2024, 9, 5), ceasar, &next, &prev),
            PM_OK);
        assert_int_equal(next, f->customer_a);
        assert_int_equal(prev, bertil);
    }

    /* one customer's line; company B has no customer Ceasar */
    {
        struct ledger_row one;

        assert_int_equal(
            store_ledger_customer(f->st, f->company_a, day(2024, 10, 5), f->customer_a, &one),
            PM_OK);
        assert_int_equal(one.balance_minor, 500);
        /* overdue counts the invoices; the free-standing credit is apart */
        assert_int_equal(one.overdue_minor, 600);
        assert_int_equal(store_ledger_customer(f->st, f->company_b, day(2024, 10, 5), ceasar, &one),
                         PM_ERR_NOT_FOUND);
    }
}

/* What a statement reads as of a date: the customer's SEK invoices with
 * something left then (payments and credit notes after the date not yet
 * counted, invoices issued later not there), one invoice's moves up to
 * the date, and the period's payments and credit notes (a free-standing
 * one too); another company's are never seen. */
static void test_statement_reads(void **state)
{
    struct fixture *f = *state;
    struct invoice one =
        add_invoice(f->st, f->company_a, f->customer_a, 1, day(2024, 9, 1), 1000, "SEK");
    struct invoice two =
        add_invoice(f->st, f->company_a, f->customer_a, 2, day(2024, 9, 1), 2000, "SEK");
    struct credit_note_row c = credit(f->company_a, one.id, f->customer_a, 250);
    struct credit_note_row free_a = credit(f->company_a, 0, f->customer_a, 100);
    struct statement_invoice_row rows[8];
    struct statement_move_row moves[8];
    size_t n = 0;

    add_invoice(f->st, f->company_a, f->customer_a, 3, day(2024, 9, 1), 4000, "EUR");
    add_invoice(f->st, f->company_a, f->customer_a, 4, day(2025, 1, 1), 8000, "SEK");
    add_invoice(f->st, f->company_b, f->customer_b, 1, day(2024, 9, 1), 16000, "SEK");
    pay(f->st, f->company_a, one.id, day(2024, 9, 20), 300, PAYMENT_MANUAL);
    pay(f->st, f->company_a, one.id, day(2024, 11, 1), 100, PAYMENT_MANUAL);
    pay(f->st, f->company_a, two.id, day(2024, 9, 20), 2000, PAYMENT_MANUAL);
    assert_int_equal(store_credit_note_insert(f->st, &c), PM_OK); /* 2024-10-01 */
    free_a.date = day(2024, 10, 5);
    assert_int_equal(store_credit_note_insert(f->st, &free_a), PM_OK);

    assert_int_equal(
        store_statement_invoices(f->st, f->company_a, f->customer_a, day(2024, 9, 15), rows, 8, &n),
        PM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].number, 1);
    assert_int_equal(rows[1].number, 2);
    assert_int_equal(store_statement_invoices(f->st, f->company_a, f->customer_a, day(2024, 10, 15),
                                              rows, 8, &n),
                     PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, one.id);
    assert_int_equal(rows[0].customer_part_minor, 1000);
    assert_int_equal(rows[0].credited_minor, 250);
    assert_int_equal(rows[0].credit_notes_minor, 250);
    assert_int_equal(rows[0].invoice_date, day(2024, 8, 2));
    /* company B's customer (its ids are its own series) sees only its invoice */
    assert_int_equal(store_statement_invoices(f->st, f->company_b, f->customer_b, day(2024, 10, 15),
                                              rows, 8, &n),
                     PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].customer_part_minor, 16000);

    assert_int_equal(
        store_statement_invoice_moves(f->st, f->company_a, one.id, day(2024, 10, 15), moves, 8, &n),
        PM_OK);
    assert_int_equal(n, 2);
    assert_string_equal(moves[0].kind, "payment");
    assert_int_equal(moves[0].amount_minor, 300);
    assert_int_equal(moves[0].date, day(2024, 9, 20));
    assert_string_equal(moves[1].kind, "credit");
    assert_int_equal(moves[1].amount_minor, 250);
    assert_int_equal(moves[1].number, c.number);
    assert_int_equal(moves[1].invoice_number, 1);

    assert_int_equal(store_statement_period(f->st, f->company_a, f->customer_a, day(2024, 9, 1),
                                            day(2024, 10, 31), moves, 8, &n),
                     PM_OK);
    assert_int_equal(n, 4);
    assert_int_equal(moves[0].date, day(2024, 9, 20));
    assert_int_equal(moves[1].date, day(2024, 9, 20));
    assert_string_equal(moves[2].kind, "credit");
    assert_string_equal(moves[3].kind, "credit");
    assert_int_equal(moves[3].invoice_id, 0);
    assert_int_equal(moves[3].invoice_number, 0);
    assert_int_equal(moves[3].amount_minor, 100);
    assert_int_equal(store_statement_period(f->st, f->company_b, f->customer_b, day(2024, 9, 1),
                                            day(2024, 10, 31), moves, 8, &n),
                     PM_OK);
    assert_int_equal(n, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    pg_base_from_env();
    const struct CMUnitTest tests[] = {
        T(test_reminder_round_trip),
        T(test_reminder_unknown_invoice_leaves_nothing),
        T(test_reminder_batches),
        T(test_invoice_books),
        T(test_voucher_numbers),
        T(test_voucher_batch_same_as_single),
        T(test_voucher_numbers_broken_year),
        T(test_voucher_in_transaction),
        T(test_voucher_list_and_balances),
        T(test_voucher_concurrent_writers),
        T(test_bgmax_remembered_once),
        T(test_receivables_sum),
        T(test_credit_notes),
        T(test_ledger),
        T(test_statement_reads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
