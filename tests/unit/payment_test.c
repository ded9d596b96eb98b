/*
 * payment_test.c — unit tests for src/core/payment.c: a payment received
 * by the company pays capital first, then reminder fees, then interest,
 * and the rest is an over-payment; a payment of capital takes back its
 * share of an expected loss.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/payment.h"

static struct payment_split split(int64_t capital, int64_t fees, int64_t interest, int64_t amount)
{
    struct payment_claim c = {capital, fees, interest};
    struct payment_split s = {-1, -1, -1, -1};

    assert_int_equal(payment_allocate(&c, amount, &s), PM_OK);
    assert_int_equal(s.capital_minor + s.fees_minor + s.interest_minor + s.overpaid_minor, amount);
    return s;
}

static void capital_then_fees_then_interest(void **state)
{
    struct payment_split s;

    (void)state;
    /* 1 000 kr capital, 60 kr fee, 12,34 kr interest. */
    s = split(100000, 6000, 1234, 50000); /* part of the capital */
    assert_int_equal(s.capital_minor, 50000);
    assert_int_equal(s.fees_minor, 0);
    assert_int_equal(s.interest_minor, 0);
    assert_int_equal(s.overpaid_minor, 0);
    s = split(100000, 6000, 1234, 103000); /* capital and half the fee */
    assert_int_equal(s.capital_minor, 100000);
    assert_int_equal(s.fees_minor, 3000);
    assert_int_equal(s.interest_minor, 0);
    s = split(100000, 6000, 1234, 107000); /* all but some interest */
    assert_int_equal(s.fees_minor, 6000);
    assert_int_equal(s.interest_minor, 1000);
    assert_int_equal(s.overpaid_minor, 0);
    s = split(100000, 6000, 1234, 110000); /* everything, and 27,66 kr too much */
    assert_int_equal(s.interest_minor, 1234);
    assert_int_equal(s.overpaid_minor, 2766);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(capital_then_fees_then_interest),
        cmocka_unit_test(nothing_open),
        cmocka_unit_test(expected_loss_reversal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
