/*
 * statement_test.c — unit tests for src/core/statement.c: a customer
 * statement's open items as of a date, with hand-checked interest per
 * räntelagen 6 § (reference rate + 8 percentage points, actual/365, from
 * the day after the due date, rounded once to the öre), across the
 * reference-rate change of 1 July 2025 (3,00 % → 2,00 %: 11 % → 10 %),
 * part payments, credit notes, moves after the date, and the period.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/idnum.h"
#include "core/statement.h"

static const char rates_csv[] = "from,reference_rate_percent,source\n"
                                "2024-07-01,4.00,x\n"
                                "2025-01-01,3.00,x\n"
                                "2025-07-01,2.00,x\n"
                                "2026-01-01,2.00,x\n";

static struct rate_table rates;

static int32_t ymd(int y, int m, int d)
{
    int32_t out = 0;

    assert_int_equal(date_from_ymd(y, m, d, &out), PM_OK);
    return out;
}

static int setup(void **state)
{
    (void)state;
    return rate_table_parse(rates_csv, strlen(rates_csv), &rates, NULL) == PM_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    rate_table_release(&rates);
    return 0;
}

static struct statement_invoice invoice(int64_t number, int32_t due, int64_t amount,
                                        const struct statement_move *moves, size_t n)
{
    struct statement_invoice inv;

    memset(&inv, 0, sizeof(inv));
    inv.invoice_id = number * 10;
    inv.number = number;
    inv.invoice_date = due - 30;
    inv.due_date = due;
    inv.amount_minor = amount;
    inv.moves = moves;
    inv.n_moves = n;
    return inv;
}

/* 8 000,00 kr due 2025-05-15, as of 2025-08-14: 2025-05-16..06-30 is 46
 * days at 11 %, 07-01..08-14 45 days at 10 %:
 * 800 000 × (1 100 × 46 + 1 000 × 45) / (10 000 × 365)
 * = 76 480 000 000 / 3 650 000 = 20 953,42 öre → 209,53 kr. */
static void test_across_rate_change(void **state)
{
    struct statement_invoice inv = invoice(1001, ymd(2025, 5, 15), 800000, NULL, 0);
    struct statement_item it;
    bool open = false;

    (void)state;
    assert_int_equal(statement_item_compute(&rates, &inv, ymd(2025, 8, 14), &it, &open), PM_OK);
    assert_true(open);
    assert_int_equal(it.remaining_minor, 800000);
    assert_int_equal(it.interest_minor, 20953);
    assert_int_equal(it.interest_days, 91);
    assert_int_equal(it.rate_bp, 1000);
    assert_int_equal(it.days_overdue, 91);
    assert_false(it.rate_unknown);
    assert_string_equal(it.ocr, "100164"); /* 1001, length digit 6, Luhn 4 */
    assert_true(ocr_valid(it.ocr, true));
}

/* 5 000,00 kr due 2025-07-31, 2 000,00 kr paid 2025-07-20 (before the
 * due date), a further 1 000,00 kr paid after the statement's date: as of
 * 2025-08-14 3 000,00 kr left, 14 days at 10 %:
 * 300 000 × 1 000 × 14 / 3 650 000 = 1 150,68 öre → 11,51 kr. */
static void test_part_paid(void **state)
{
    const struct statement_move moves[] = {
        {STATEMENT_PAYMENT, ymd(2025, 8, 20), 100000, 0},
        {STATEMENT_PAYMENT, ymd(2025, 7, 20), 200000, 0},
    };
    struct statement_invoice inv = invoice(1002, ymd(2025, 7, 31), 500000, moves, 2);
    struct statement_item it;
    bool open = false;

    (void)state;
    assert_int_equal(statement_item_compute(&rates, &inv, ymd(2025, 8, 14), &it, &open), PM_OK);
    assert_true(open);
    assert_int_equal(it.paid_minor, 200000);
    assert_int_equal(it.remaining_minor, 300000);
    assert_int_equal(it.interest_minor, 1151);
    assert_int_equal(it.days_overdue, 14);
}

/* 10 000,00 kr due 2025-03-31, 4 000,00 kr paid 2025-04-30, as of
 * 2025-05-31: 30 days at 11 % on 10 000 kr, then 31 days at 11 % on
 * 6 000 kr (the capital falls the day after the payment):
 * (1 000 000 × 30 + 600 000 × 31) × 1 100 / 3 650 000
 * = 53 460 000 000 / 3 650 000 = 14 646,58 öre → 146,47 kr; 50,00 kr of
 * interest paid already leaves 96,47 kr. */
static void test_paid_after_due(void **state)
{
    const struct statement_move moves[] = {
        {STATEMENT_PAYMENT, ymd(2025, 4, 30), 400000, 0},
        {STATEMENT_PAYMENT, ymd(2025, 5, 10), 0, 5000},
    };
    struct statement_invoice inv = invoice(1003, ymd(2025, 3, 31), 1000000, moves, 2);
    struct statement_item it;
    bool open = false;

    (void)state;
    assert_int_equal(statement_item_compute(&rates, &inv, ymd(2025, 5, 31), &it, &open), PM_OK);
    assert_int_equal(it.remaining_minor, 600000);
    assert_int_equal(it.interest_minor, 14647 - 5000);
}

/* 4 000,00 kr due 2025-06-30, credited 1 000,00 kr on 2025-08-01: the
 * credit corrects the invoice, so interest runs on 3 000 kr from the first
 * day, 2025-07-01..08-14 = 45 days at 10 %:
 * 300 000 × 1 000 × 45 / 3 650 000 = 3 698,63 öre → 36,99 kr.  A credit
 * note dated after the statement's date is not on it. */
static void test_part_credited(void **state)
{
    const struct statement_move moves[] = {
        {STATEMENT_CREDIT, ymd(2025, 8, 1), 100000, 0},
        {STATEMENT_CREDIT, ymd(2025, 9, 1), 50000, 0},
    };
    struct statement_invoice inv = invoice(1004, ymd(2025, 6, 30), 400000, moves, 2);
    struct statement_item it;
    struct statement_totals t;
    bool open = false;

    (void)state;
    assert_int_equal(statement_item_compute(&rates, &inv, ymd(2025, 8, 14), &it, &open), PM_OK);
    assert_int_equal(it.credited_minor, 100000);
    assert_int_equal(it.remaining_minor, 300000);
    assert_int_equal(it.interest_minor, 3699);
    assert_int_equal(it.days_overdue, 45);

    /* the three items of the statement of 2025-08-14 together */
    memset(&t, 0, sizeof(t));
    assert_int_equal(statement_totals_add(&t, &it), PM_OK);
    it.remaining_minor = 800000, it.interest_minor = 20953;
    assert_int_equal(statement_totals_add(&t, &it), PM_OK);
    it.remaining_minor = 300000, it.interest_minor = 1151;
    assert_int_equal(statement_totals_add(&t, &it), PM_OK);
    assert_int_equal(t.items, 3);
    assert_int_equal(t.remaining_minor, 1400000);
    assert_int_equal(t.interest_minor, 25803);
    assert_int_equal(t.total_minor, 1425803); /* 14 258,03 kr */
}

static void test_closed_not_due_and_future(void **state)
{
    const struct statement_move paid[] = {{STATEMENT_PAYMENT, ymd(2025, 8, 1), 100000, 0}};
    struct statement_invoice inv = invoice(1005, ymd(2025, 9, 30), 100000, paid, 1);
    struct statement_item it;
    bool open = true;

    (void)state;
    inv.invoice_date = ymd(2025, 7, 1);
    /* paid in full on 2025-08-01: open before, closed after */
    assert_int_equal(statement_item_compute(&rates, &inv, ymd(2025, 8, 1), &it, &open), PM_OK);
    assert_false(open);
    assert_int_equal(statement_item_compute(&rates, &inv, ymd(2025, 7, 31), &it, &open), PM_OK);
    assert_true(open);
    assert_int_equal(it.days_overdue, 0); /* not due yet: no interest */
    assert_int_equal(it.interest_minor, 0);
    /* issued after the date: not on the statement */
    assert_int_equal(statement_item_compute(&rates, &inv, ymd(2025, 6, 30), &it, &open), PM_OK);
    assert_false(open);
}

/* Past the known rates (the table ends 2026-06-30): the known days only,
 * flagged, with an estimate carrying 10 % forward. */
static void test_rate_unknown(void **state)
{
    struct statement_invoice inv = invoice(1006, ymd(2026, 6, 20), 365000, NULL, 0);
    struct statement_item it;
    bool open = false;

    (void)state;
    assert_int_equal(statement_item_compute(&rates, &inv, ymd(2026, 7, 10), &it, &open), PM_OK);
    assert_true(it.rate_unknown);
    assert_int_equal(it.unknown_from, ymd(2026, 7, 1));
    assert_int_equal(it.interest_minor, 1000); /* 10 days × 365 000 × 10 % / 365 */
    assert_int_equal(it.estimate_minor, 2000);
}

static void test_period(void **state)
{
    struct pm_error e = {0};
    int32_t from = 0, to = 0;

    (void)state;
    statement_default_period(ymd(2025, 8, 14), &from, &to);
    assert_int_equal(from, ymd(2025, 5, 15));
    assert_int_equal(to, ymd(2025, 8, 14));
    statement_default_period(ymd(2025, 5, 31), &from, &to); /* 28 Feb + 1 */
    assert_int_equal(from, ymd(2025, 3, 1));
    assert_int_equal(statement_period_check(from, to, &e), PM_OK);
    assert_int_equal(statement_period_check(to + 1, to, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "from");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_across_rate_change),
        cmocka_unit_test(test_part_paid),
        cmocka_unit_test(test_paid_after_due),
        cmocka_unit_test(test_part_credited),
        cmocka_unit_test(test_closed_not_due_and_future),
        cmocka_unit_test(test_rate_unknown),
        cmocka_unit_test(test_period),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
