/*
 * agency_payout_test.c — the books of a payout from Visma Amili
 * (src/agency/agency_payout.c) against the SQLite engine, each test on a
 * fresh database file under /tmp: which vouchers a payout makes, with which
 * rows, linked to which invoice, and what a customer loss turns into.
 *
 * Every figure was worked out by hand (öre).  The invoices are 10 000 kr
 * net + 25 % VAT = 12 500 kr (1 250 000 öre) unless said otherwise.
 *
 * - The sandbox's shape, one invoice: capital 1 250.00, interest 17.33,
 *   creditor outlay (late_payment_fee) 210.00, commission −125.00 with VAT
 *   −31.25.  Bank: 125 000 + 1 733 + 21 000 − 12 500 − 3 125 = 132 108.
 *   D 1930 132 108, D 6062 12 500, D 2641 3 125 (debits 147 733);
 *   C 1510 125 000, C 8313 1 733, C 3930 21 000 (credits 147 733).
 * - Two invoices and a line of no invoice of ours in one payout: A capital
 *   50 000, commission −5 000, VAT −1 250 → D 1930 43 750; B capital
 *   20 000, commission −2 000, VAT −500 → D 1930 17 500; the stray interest
 *   300 → D 1930 300 / C 8313 300.  43 750 + 17 500 + 300 = 61 550 = the
 *   payout (70 000 + 300 − 7 000 − 1 750).
 * - A confirmed loss of 1 250 000 (net 1 000 000, VAT 250 000), then a
 *   payout of capital 500 000, commission −50 000, VAT −12 500: recovery
 *   D 1510 500 000 / C 2611 100 000 (500 000 · 250 000 / 1 250 000) /
 *   C 6351 400 000; payout D 1930 437 500, D 6062 50 000, D 2641 12 500,
 *   C 1510 500 000; recovered 500 000.  A second payout of capital
 *   750 000 recovers the rest: C 2611 150 000, C 6351 600 000; recovered
 *   1 250 000.
 * - An expected loss of net 1 000 000 (the whole 12 500 kr open), then
 *   capital 250 000 paid out: its VAT 250 000 · 250 000 / 1 250 000 =
 *   50 000, net 200 000 → D 1519 200 000 / C 6352 200 000, 800 000 still
 *   expected; once the invoice is paid, a payout reverses all 800 000.
 * - Cash method: capital 125 000 is a payment, D 1930 125 000 / C 3001
 *   100 000 / C 2611 25 000; the commission −12 500 with VAT −3 125 is
 *   the payout voucher, which nets below zero: D 6062 12 500, D 2641 3 125,
 *   C 1930 15 625.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agency/agency_payout.h"
#include "core/date.h"
#include "store/store.h"
#include "store/store_books.h"
#include "store/store_driver.h"

#define GROSS 1250000 /* 10 000 kr + 25 % VAT */

struct fixture {
    char path[64];
    struct store *st;
    int64_t company, customer;
    int64_t next_number;
};

static int32_t day(const char *iso)
{
    int32_t d = 0;

    assert_int_equal(date_parse_iso(iso, &d), PM_OK);
    return d;
}

static int64_t add_company(struct store *st, enum accounting_method method)
{
    struct company c;

    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "Snickeri Ström AB");
    snprintf(c.country, sizeof(c.country), "SE");
    snprintf(c.language, sizeof(c.language), "sv");
    snprintf(c.timezone, sizeof(c.timezone), "Europe/Stockholm");
    c.payment_terms_days = 30;
    c.accounting_method = method;
    assert_int_equal(store_company_insert(st, &c), PM_OK);
    return c.id;
}

static int64_t add_customer(struct store *st, int64_t company_id)
{
    struct customer c;

    memset(&c, 0, sizeof(c));
    c.company_id = company_id;
    snprintf(c.name, sizeof(c.name), "Anna Andersson");
    snprintf(c.country, sizeof(c.country), "SE");
    snprintf(c.zip_code, sizeof(c.zip_code), "72215");
    assert_int_equal(store_customer_insert(st, &c), PM_OK);
    return c.id;
}

/* An invoice of one line: 10 000 kr net, 25 % VAT. */
static struct invoice add_invoice(struct fixture *f, int64_t company_id, int64_t customer_id)
{
    struct invoice inv;
    struct invoice_line_row line;

    memset(&inv, 0, sizeof(inv));
    memset(&line, 0, sizeof(line));
    inv.company_id = company_id;
    inv.customer_id = customer_id;
    inv.number = ++f->next_number;
    inv.kind = INVOICE_STANDARD;
    snprintf(inv.currency, sizeof(inv.currency), "SEK");
    inv.invoice_date = day("2025-04-01");
    inv.due_date = day("2025-05-01");
    inv.net_minor = 1000000;
    inv.vat_minor = 250000;
    inv.total_minor = GROSS;
    inv.customer_part_minor = GROSS;
    snprintf(line.description, sizeof(line.description), "Snickeriarbete");
    line.line.quantity_milli = 1000;
    line.line.unit_price_minor = 1000000;
    line.line.vat_rate_bp = 2500;
    line.net_minor = 1000000;
    assert_int_equal(store_invoice_insert(f->st, &inv, &line, 1, NULL, 0), PM_OK);
    return inv;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct pm_error e;
    int fd;

    assert_non_null(f);
    snprintf(f->path, sizeof(f->path), "/tmp/paminn-payout-XXXXXX");
    fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    pm_error_clear(&e);
    assert_int_equal(store_open(f->path, &f->st, &e), PM_OK);
    f->company = add_company(f->st, ACCOUNTING_ACCRUAL);
    f->customer = add_customer(f->st, f->company);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char side[80];

    store_close(&f->st);
    unlink(f->path);
    snprintf(side, sizeof(side), "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", f->path);
    unlink(side);
    free(f);
    return 0;
}

/* A specification line of payout p1 for invoice_id (0 = not ours). */
static struct agency_payout_line line(int64_t invoice_id, const char *category, int64_t amount,
                                      int64_t vat)
{
    struct agency_payout_line l;

    memset(&l, 0, sizeof(l));
    l.invoice_id = invoice_id;
    snprintf(l.finance_category, sizeof(l.finance_category), "%s", category);
    l.amount_minor = amount;
    l.vat_minor = vat;
    l.total_minor = amount + vat;
    return l;
}

/* Book lines as payout id in one transaction (rolled back on failure). */
static enum pm_err book(struct fixture *f, int64_t company_id, const char *id,
                        struct agency_payout_line *lines, size_t n, size_t *booked)
{
    struct pm_error e = {0};
    enum pm_err rc;
    size_t i;

    for (i = 0; i < n; i++) {
        lines[i].company_id = company_id;
        lines[i].line_no = (int)i + 1;
    }
    assert_int_equal(store_begin(f->st), PM_OK);
    rc = agency_payout_book(f->st, company_id, id, lines, n, day("2025-06-29"), 1751155200, booked,
                            &e);
    if (rc)
        assert_int_equal(store_rollback(f->st), PM_OK);
    else
        assert_int_equal(store_commit(f->st), PM_OK);
    return rc;
}

/* The company's vouchers, oldest first. */
static size_t vouchers(struct fixture *f, int64_t company_id, struct voucher *out, size_t cap)
{
    size_t n = 0;

    assert_int_equal(store_books_voucher_list(f->st, company_id, day("2000-01-01"),
                                              day("2099-12-31"), 0, 0, out, cap, &n),
                     PM_OK);
    return n;
}

/* The amount on account's side 'D' or 'C' of v (0 when there is none). */
static int64_t row(const struct voucher *v, int account, char side)
{
    size_t i;

    for (i = 0; i < v->n_rows; i++) {
        if (v->rows[i].account != account)
            continue;
        if (side == 'D' && v->rows[i].debit_minor)
            return v->rows[i].debit_minor;
        if (side == 'C' && v->rows[i].credit_minor)
            return v->rows[i].credit_minor;
    }
    return 0;
}

static void test_sandbox_shape(void **state)
{
    struct fixture *f = *state;
    struct invoice inv = add_invoice(f, f->company, f->customer);
    struct agency_payout_line ls[] = {
        line(inv.id, "capital", 125000, 0),
        line(inv.id, "interest", 1733, 0),
        line(inv.id, "creditor_outlay", 21000, 0),
        line(inv.id, "creditor_commission", -12500, -3125),
    };
    struct voucher v[4];
    size_t booked = 0;

    assert_int_equal(book(f, f->company, "p1", ls, 4, &booked), PM_OK);
    assert_int_equal(booked, 1);
    assert_int_equal(vouchers(f, f->company, v, 4), 1);
    assert_int_equal(v[0].n_rows, 6);
    assert_int_equal(row(&v[0], 1930, 'D'), 132108);
    assert_int_equal(row(&v[0], 6062, 'D'), 12500);
    assert_int_equal(row(&v[0], 2641, 'D'), 3125);
    assert_int_equal(row(&v[0], 1510, 'C'), 125000);
    assert_int_equal(row(&v[0], 8313, 'C'), 1733);
    assert_int_equal(row(&v[0], 3930, 'C'), 21000);
    assert_int_equal(v[0].invoice_id, inv.id);
    assert_int_equal(v[0].date, day("2025-06-29"));
    assert_string_equal(v[0].source, "agency_payout");
    assert_string_equal(v[0].text, "Utbetalning Visma Amili p1 faktura 1");
}

static void test_several_invoices(void **state)
{
    struct fixture *f = *state;
    struct invoice a = add_invoice(f, f->company, f->customer);
    struct invoice b = add_invoice(f, f->company, f->customer);
    /* Interleaved, as a payout of several debtor payments lists them. */
    struct agency_payout_line ls[] = {
        line(a.id, "capital", 30000, 0),
        line(b.id, "capital", 20000, 0),
        line(0, "interest", 300, 0),
        line(a.id, "creditor_commission", -3000, -750),
        line(b.id, "creditor_commission", -2000, -500),
        line(a.id, "capital", 20000, 0),
        line(a.id, "creditor_commission", -2000, -500),
    };
    struct voucher v[4];
    size_t booked = 0;

    assert_int_equal(book(f, f->company, "p2", ls, 7, &booked), PM_OK);
    assert_int_equal(booked, 3);
    assert_int_equal(vouchers(f, f->company, v, 4), 3);
    assert_int_equal(v[0].invoice_id, a.id);
    assert_int_equal(row(&v[0], 1930, 'D'), 43750);
    assert_int_equal(row(&v[0], 1510, 'C'), 50000);
    assert_int_equal(row(&v[0], 6062, 'D'), 5000);
    assert_int_equal(row(&v[0], 2641, 'D'), 1250);
    assert_int_equal(v[0].n_rows, 4);
    assert_int_equal(v[1].invoice_id, b.id);
    assert_int_equal(row(&v[1], 1930, 'D'), 17500);
    assert_int_equal(row(&v[1], 1510, 'C'), 20000);
    assert_int_equal(row(&v[1], 6062, 'D'), 2000);
    assert_int_equal(row(&v[1], 2641, 'D'), 500);
    assert_int_equal(v[2].invoice_id, 0);
    assert_int_equal(row(&v[2], 1930, 'D'), 300);
    assert_int_equal(row(&v[2], 8313, 'C'), 300);
    assert_int_equal(row(&v[0], 1930, 'D') + row(&v[1], 1930, 'D') + row(&v[2], 1930, 'D'), 61550);
}

/* Write inv off as a confirmed loss of all of it, as the loss route does. */
static void confirmed_loss(struct fixture *f, const struct invoice *inv)
{
    struct invoice_books ib;

    assert_int_equal(store_books_invoice_get(f->st, f->company, inv->id, &ib), PM_OK);
    ib.loss.gross_minor = GROSS;
    ib.loss.net_minor = 1000000;
    ib.loss.vat_by_rate[VAT_25] = 250000;
    assert_int_equal(store_books_invoice_put(f->st, &ib), PM_OK);
    assert_int_equal(store_books_invoice_write_off(f->st, f->company, inv->id), PM_OK);
}

static void test_recovery_after_confirmed_loss(void **state)
{
    struct fixture *f = *state;
    struct invoice inv = add_invoice(f, f->company, f->customer);
    struct agency_payout_line first[] = {
        line(inv.id, "capital", 500000, 0),
        line(inv.id, "creditor_commission", -50000, -12500),
    };
    struct agency_payout_line rest[] = {line(inv.id, "capital", 750000, 0)};
    struct invoice_books ib;
    struct voucher v[6];
    size_t booked = 0;

    confirmed_loss(f, &inv);
    assert_int_equal(book(f, f->company, "p3", first, 2, &booked), PM_OK);
    assert_int_equal(booked, 2);
    assert_int_equal(vouchers(f, f->company, v, 6), 2);
    assert_string_equal(v[0].source, "recovery");
    assert_int_equal(v[0].invoice_id, inv.id);
    assert_int_equal(row(&v[0], 1510, 'D'), 500000);
    assert_int_equal(row(&v[0], 2611, 'C'), 100000);
    assert_int_equal(row(&v[0], 6351, 'C'), 400000);
    assert_string_equal(v[1].source, "agency_payout");
    assert_int_equal(row(&v[1], 1930, 'D'), 437500);
    assert_int_equal(row(&v[1], 6062, 'D'), 50000);
    assert_int_equal(row(&v[1], 2641, 'D'), 12500);
    assert_int_equal(row(&v[1], 1510, 'C'), 500000);
    assert_int_equal(store_books_invoice_get(f->st, f->company, inv.id, &ib), PM_OK);
    assert_int_equal(ib.recovered_minor, 500000);

    assert_int_equal(book(f, f->company, "p4", rest, 1, &booked), PM_OK);
    assert_int_equal(vouchers(f, f->company, v, 6), 4);
    assert_int_equal(row(&v[2], 1510, 'D'), 750000);
    assert_int_equal(row(&v[2], 2611, 'C'), 150000);
    assert_int_equal(row(&v[2], 6351, 'C'), 600000);
    assert_int_equal(row(&v[3], 1930, 'D'), 750000);
    assert_int_equal(store_books_invoice_get(f->st, f->company, inv.id, &ib), PM_OK);
    assert_int_equal(ib.recovered_minor, GROSS);
}

static void test_expected_loss_reversed(void **state)
{
    struct fixture *f = *state;
    struct invoice inv = add_invoice(f, f->company, f->customer);
    struct agency_payout_line part[] = {line(inv.id, "capital", 250000, 0)};
    struct agency_payout_line rest[] = {line(inv.id, "capital", 1000000, 0)};
    struct invoice_books ib;
    struct payment p;
    struct voucher v[6];
    size_t booked = 0;

    assert_int_equal(store_books_invoice_get(f->st, f->company, inv.id, &ib), PM_OK);
    ib.expected_loss_minor = 1000000;
    assert_int_equal(store_books_invoice_put(f->st, &ib), PM_OK);

    assert_int_equal(book(f, f->company, "p5", part, 1, &booked), PM_OK);
    assert_int_equal(vouchers(f, f->company, v, 6), 2);
    assert_string_equal(v[0].source, "expected_loss_reversal");
    assert_int_equal(row(&v[0], 1519, 'D'), 200000);
    assert_int_equal(row(&v[0], 6352, 'C'), 200000);
    assert_int_equal(row(&v[1], 1510, 'C'), 250000);
    assert_int_equal(store_books_invoice_get(f->st, f->company, inv.id, &ib), PM_OK);
    assert_int_equal(ib.expected_loss_minor, 800000);

    /* The agency's payments recorded on the invoice: nothing is left. */
    memset(&p, 0, sizeof(p));
    p.company_id = f->company;
    p.invoice_id = inv.id;
    p.date = day("2025-06-20");
    p.amount_minor = GROSS;
    p.source = PAYMENT_AGENCY;
    assert_int_equal(store_payment_insert(f->st, &p), PM_OK);
    assert_int_equal(book(f, f->company, "p6", rest, 1, &booked), PM_OK);
    assert_int_equal(vouchers(f, f->company, v, 6), 4);
    assert_int_equal(row(&v[2], 1519, 'D'), 800000);
    assert_int_equal(row(&v[2], 6352, 'C'), 800000);
    assert_int_equal(store_books_invoice_get(f->st, f->company, inv.id, &ib), PM_OK);
    assert_int_equal(ib.expected_loss_minor, 0);
}

static void test_cash_method(void **state)
{
    struct fixture *f = *state;
    int64_t company = add_company(f->st, ACCOUNTING_CASH);
    struct invoice inv = add_invoice(f, company, add_customer(f->st, company));
    struct agency_payout_line ls[] = {
        line(inv.id, "capital", 125000, 0),
        line(inv.id, "creditor_commission", -12500, -3125),
    };
    struct voucher v[4];
    size_t booked = 0;

    assert_int_equal(book(f, company, "p7", ls, 2, &booked), PM_OK);
    assert_int_equal(vouchers(f, company, v, 4), 2);
    assert_string_equal(v[0].source, "payment");
    assert_int_equal(v[0].invoice_id, inv.id);
    assert_int_equal(row(&v[0], 1930, 'D'), 125000);
    assert_int_equal(row(&v[0], 3001, 'C'), 100000);
    assert_int_equal(row(&v[0], 2611, 'C'), 25000);
    assert_int_equal(row(&v[1], 6062, 'D'), 12500);
    assert_int_equal(row(&v[1], 2641, 'D'), 3125);
    assert_int_equal(row(&v[1], 1930, 'C'), 15625);
    assert_int_equal(row(&v[1], 1510, 'C'), 0);
}

static void test_refused_lines_book_nothing(void **state)
{
    struct fixture *f = *state;
    struct invoice inv = add_invoice(f, f->company, f->customer);
    struct agency_payout_line unknown[] = {
        line(inv.id, "capital", 1000, 0),
        line(inv.id, "agency_fee", -100, 0),
    };
    struct agency_payout_line vat_on_capital[] = {line(inv.id, "capital", 1000, 250)};
    struct agency_payout_line nothing[] = {line(inv.id, "creditor_commission", -100, -25)};
    /* The agency's commission is money out (negative), capital money in. */
    struct agency_payout_line commission_in[] = {line(inv.id, "capital", 1000, 0),
                                                 line(inv.id, "creditor_commission", 100, 0)};
    struct agency_payout_line commission_vat_in[] = {line(inv.id, "capital", 1000, 0),
                                                     line(inv.id, "creditor_commission", -100, 25)};
    struct agency_payout_line capital_out[] = {line(inv.id, "capital", -1000, 0)};
    struct voucher v[2];
    size_t booked = 0;

    assert_int_equal(book(f, f->company, "x1", unknown, 2, &booked), PM_ERR_INVALID);
    assert_int_equal(book(f, f->company, "x2", vat_on_capital, 1, &booked), PM_ERR_INVALID);
    assert_int_equal(book(f, f->company, "x3", nothing, 1, &booked), PM_ERR_RANGE);
    assert_int_equal(book(f, f->company, "x4", commission_in, 2, &booked), PM_ERR_INVALID);
    assert_int_equal(book(f, f->company, "x5", commission_vat_in, 2, &booked), PM_ERR_INVALID);
    assert_int_equal(book(f, f->company, "x6", capital_out, 1, &booked), PM_ERR_INVALID);
    assert_int_equal(vouchers(f, f->company, v, 2), 0);
}

/* ---- the store failing under a booking ---- */

/* The handle's driver table with its step wrapped: the step numbered
 * fail_at (from 1) fails as the database would, without reaching it. */
static struct {
    const struct store_driver *inner;
    struct store_driver table;
    int fail_at, steps;
} inj;

static enum pm_err inj_step(struct store *st, struct store_stmt *q, bool *row)
{
    if (inj.fail_at && ++inj.steps == inj.fail_at)
        return pm_error_set(&st->error, PM_ERR_DB, "", "injected failure of step %d", inj.steps);
    return inj.inner->step(st, q, row);
}

static enum pm_err inj_begin(struct store *st, enum store_tx kind)
{
    int at = inj.fail_at;
    enum pm_err rc;

    inj.fail_at = 0; /* the test's own BEGIN, COMMIT and ROLLBACK never fail */
    rc = inj.inner->begin(st, kind);
    inj.fail_at = at;
    return rc;
}

static enum pm_err inj_rollback(struct store *st)
{
    int at = inj.fail_at;
    enum pm_err rc;

    inj.fail_at = 0;
    rc = inj.inner->rollback(st);
    inj.fail_at = at;
    return rc;
}

static enum pm_err inj_commit(struct store *st)
{
    int at = inj.fail_at;
    enum pm_err rc;

    inj.fail_at = 0;
    rc = inj.inner->commit(st);
    inj.fail_at = at;
    return rc;
}

static int64_t paid_total(struct fixture *f, int64_t company_id, int64_t invoice_id)
{
    struct invoice got;

    assert_int_equal(store_invoice_get(f->st, company_id, invoice_id, &got), PM_OK);
    return got.paid_minor;
}

/* Each statement of a payout's booking failing in turn (accrual and cash
 * method, a line of an invoice not ours): the booking is refused and
 * nothing is booked; without a failure it books once. */
static void test_failing_statement_books_nothing(void **state)
{
    struct fixture *f = *state;
    int64_t cash = add_company(f->st, ACCOUNTING_CASH);
    int64_t cash_customer = add_customer(f->st, cash);
    struct invoice a = add_invoice(f, f->company, f->customer);
    struct invoice b = add_invoice(f, f->company, f->customer);
    struct invoice c = add_invoice(f, cash, cash_customer);
    struct voucher v[8];
    size_t booked = 0, k;
    int n;
    struct {
        int64_t company;
        int64_t invoice, other;
    } runs[] = {{f->company, a.id, b.id}, {cash, c.id, 0}};

    inj.inner = f->st->drv;
    inj.table = *f->st->drv;
    inj.table.step = inj_step;
    inj.table.begin = inj_begin;
    inj.table.rollback = inj_rollback;
    inj.table.commit = inj_commit;
    f->st->drv = &inj.table;
    for (k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
        struct agency_payout_line ls[] = {
            line(runs[k].invoice, "capital", 125000, 0),
            line(runs[k].invoice, "interest", 1733, 0),
            line(runs[k].invoice, "creditor_commission", -12500, -3125),
            line(runs[k].other, "capital", 5000, 0),
        };
        size_t n_lines = runs[k].other ? 4 : 3;
        size_t before = vouchers(f, runs[k].company, v, 8);
        int64_t paid = paid_total(f, runs[k].company, runs[k].invoice);

        for (n = 1;; n++) {
            enum pm_err rc;

            inj.fail_at = n;
            inj.steps = 0;
            rc = book(f, runs[k].company, "pf", ls, n_lines, &booked);
            if (inj.steps < n) {
                assert_int_equal(rc, PM_OK);
                break;
            }
            if (rc == PM_OK)
                fail_msg("step %d failed and the payout was booked", n);
            assert_int_equal(vouchers(f, runs[k].company, v, 8), before);
            assert_int_equal(paid_total(f, runs[k].company, runs[k].invoice), paid);
        }
        inj.fail_at = 0;
        assert_true(n > 2);
        assert_true(vouchers(f, runs[k].company, v, 8) > before);
    }
    f->st->drv = inj.inner;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sandbox_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_several_invoices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recovery_after_confirmed_loss, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expected_loss_reversed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cash_method, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_lines_book_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_statement_books_nothing, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
