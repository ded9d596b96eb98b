/*
 * payment_test.c — unit tests for src/core/payment.c: a payment received
 * by the company pays reminder fees first, then interest, then capital,
 * and the rest is an over-payment; a payment of capital takes back its
 * share of an expected loss.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/date.h"
#include "core/payment.h"

static struct payment_split split(int64_t capital, int64_t fees, int64_t interest, int64_t amount)
{
    struct payment_claim c = {capital, fees, interest};
    struct payment_split s = {-1, -1, -1, -1};

    assert_int_equal(payment_allocate(&c, amount, &s), PM_OK);
    assert_int_equal(s.capital_minor + s.fees_minor + s.interest_minor + s.overpaid_minor, amount);
    return s;
}

/* The order a debt collector applies money in (costs, interest, capital:
 * the creditor's choice when the debtor names none, the practice behind
 * räntelagen 1975:635 and inkassolagen 1974:182). */
static void costs_then_interest_then_capital(void **state)
{
    struct payment_split s;

    (void)state;
    /* 1 000 kr capital, 60 kr fee, 12,34 kr interest. */
    s = split(100000, 6000, 1234, 4000); /* part of the fee */
    assert_int_equal(s.fees_minor, 4000);
    assert_int_equal(s.interest_minor, 0);
    assert_int_equal(s.capital_minor, 0);
    assert_int_equal(s.overpaid_minor, 0);
    s = split(100000, 6000, 1234, 7000); /* the fee and 10 kr of the interest */
    assert_int_equal(s.fees_minor, 6000);
    assert_int_equal(s.interest_minor, 1000);
    assert_int_equal(s.capital_minor, 0);
    s = split(100000, 6000, 1234, 50000); /* costs, interest, 492,34 kr of capital */
    assert_int_equal(s.fees_minor, 6000);
    assert_int_equal(s.interest_minor, 1234);
    assert_int_equal(s.capital_minor, 42766);
    assert_int_equal(s.overpaid_minor, 0);
    s = split(100000, 6000, 1234, 110000); /* everything, and 27,66 kr too much */
    assert_int_equal(s.capital_minor, 100000);
    assert_int_equal(s.interest_minor, 1234);
    assert_int_equal(s.overpaid_minor, 2766);
}

/* The reminder letter's total of the check value (10 000 kr due
 * 2025-03-31, reminded 2025-09-30: 60 kr fee, 526,30 kr interest, total
 * 10 586,30 kr) pays exactly what the letter lists, at once or in two
 * parts. */
static void the_letters_total(void **state)
{
    struct payment_split s;

    (void)state;
    s = split(1000000, 6000, 52630, 1058630);
    assert_int_equal(s.fees_minor, 6000);
    assert_int_equal(s.interest_minor, 52630);
    assert_int_equal(s.capital_minor, 1000000);
    assert_int_equal(s.overpaid_minor, 0);
    /* 5 000 kr first: the fee, the interest and 4 413,70 kr capital ... */
    s = split(1000000, 6000, 52630, 500000);
    assert_int_equal(s.fees_minor, 6000);
    assert_int_equal(s.interest_minor, 52630);
    assert_int_equal(s.capital_minor, 441370);
    /* ... then the rest, 5 586,30 kr: capital only, nothing over. */
    s = split(1000000 - 441370, 0, 0, 558630);
    assert_int_equal(s.capital_minor, 558630);
    assert_int_equal(s.overpaid_minor, 0);
}

static void nothing_open(void **state)
{
    struct payment_split s;
    struct payment_claim c = {0};

    (void)state;
    s = split(0, 0, 0, 500); /* a paid invoice: all of it over-paid */
    assert_int_equal(s.capital_minor, 0);
    assert_int_equal(s.overpaid_minor, 500);
    s = split(-100, -5, -7, 500); /* negative parts are nothing open */
    assert_int_equal(s.capital_minor, 0);
    assert_int_equal(s.fees_minor, 0);
    assert_int_equal(s.interest_minor, 0);
    assert_int_equal(s.overpaid_minor, 500);
    s = split(0, 6000, 0, 6000); /* capital paid before: the fee */
    assert_int_equal(s.fees_minor, 6000);
    assert_int_equal(payment_allocate(&c, 0, &s), PM_ERR_RANGE);
    assert_int_equal(payment_allocate(&c, -1, &s), PM_ERR_RANGE);
}

static void expected_loss_reversal(void **state)
{
    int64_t out = -1;

    (void)state;
    /* 800 kr expected (net), 1 000 kr left: 250 kr paid takes back 200 kr. */
    assert_int_equal(payment_expected_loss_reversal(80000, 25000, 100000, &out), PM_OK);
    assert_int_equal(out, 20000);
    /* Rounded half away from zero: 1/3 of 1,00 kr. */
    assert_int_equal(payment_expected_loss_reversal(100, 1, 3, &out), PM_OK);
    assert_int_equal(out, 33);
    /* Paying the rest takes back all of it. */
    assert_int_equal(payment_expected_loss_reversal(80000, 100000, 100000, &out), PM_OK);
    assert_int_equal(out, 80000);
    assert_int_equal(payment_expected_loss_reversal(0, 100000, 100000, &out), PM_OK);
    assert_int_equal(out, 0);
    assert_int_equal(payment_expected_loss_reversal(80000, 0, 100000, &out), PM_OK);
    assert_int_equal(out, 0);
}

static int32_t day(const char *iso)
{
    int32_t d = 0;

    assert_int_equal(date_parse_iso(iso, &d), PM_OK);
    return d;
}

/* A payment registered by hand: from the invoice date through today. */
static void payment_dates(void **state)
{
    struct pm_error e = {0};
    int32_t invoice = day("2026-01-10"), today = day("2026-03-15");

    (void)state;
    assert_int_equal(payment_date_check(invoice, invoice, today, &e), PM_OK);
    assert_int_equal(payment_date_check(today, invoice, today, &e), PM_OK);
    assert_int_equal(payment_date_check(today + 1, invoice, today, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "date");
    assert_non_null(strstr(e.message, "2026-03-15"));
    /* A voucher in 2020 for a 2026 invoice: refused. */
    assert_int_equal(payment_date_check(day("2020-01-10"), invoice, today, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "date");
    assert_non_null(strstr(e.message, "2026-01-10"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(costs_then_interest_then_capital),
        cmocka_unit_test(the_letters_total),
        cmocka_unit_test(nothing_open),
        cmocka_unit_test(expected_loss_reversal),
        cmocka_unit_test(payment_dates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
