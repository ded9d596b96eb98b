/*
 * money_test.c — öre arithmetic, amount parsing and Swedish formatting
 * (src/core/money.c): what a bookkeeper types into an amount field and what
 * she sees in the invoice list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/money.h"

#define NBSP "\xc2\xa0"

static void expect_parse(const char *s, int64_t want)
{
    int64_t v = -777;

    assert_int_equal(money_parse(s, &v), PM_OK);
    assert_int_equal(v, want);
}

static void expect_refused(const char *s, enum pm_err want)
{
    int64_t v = -777;

    assert_int_equal(money_parse(s, &v), want);
    assert_int_equal(v, -777); /* untouched */
}

static void parse_accepts_swedish_and_plain_forms(void **state)
{
    (void)state;
    expect_parse("1 234,50", 123450);
    expect_parse("1234.50", 123450);
    expect_parse("1" NBSP "234,50", 123450);
    expect_parse("1 234 567,5", 123456750);
    expect_parse("1" NBSP "234 567", 123456700);
    expect_parse("12", 1200);
    expect_parse("-0,5", -50);
    expect_parse("0,05", 5);
    expect_parse("0", 0);
    expect_parse("-12,00", -1200);
    expect_parse("999", 99900);
    expect_parse("100 000", 10000000);
}

static void parse_refuses_malformed_amounts(void **state)
{
    static const char *bad[] = {
        "",
        "-",
        "1,234",
        "1.2.3",
        "12,345",
        "1 23,00",
        " 12",
        "12 ",
        "1e3",
        "+5",
        "--5",
        "12,",
        ",5",
        "1.234,50",
        "12 34",
        "1234 567",
        "007",
        "0 123",
        "12kr",
        "1 234,50 kr",
        "1" NBSP,
        "1\xc2"
        "234",
        "١٢",
        "12,5-",
        "1  234",
        "1 234 56",
        "- 5",
        "0x10",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t v = -777;

        if (money_parse(bad[i], &v) != PM_ERR_INVALID)
            fail_msg("accepted \"%s\" as %lld", bad[i], (long long)v);
        assert_int_equal(v, -777);
    }
    expect_refused(NULL, PM_ERR_INVALID);
}

static void parse_enforces_money_max(void **state)
{
    (void)state;
    /* MONEY_MAX is 10^15 öre = 10 000 000 000 000 kr. */
    expect_parse("10 000 000 000 000", MONEY_MAX);
    expect_parse("-10000000000000,00", -MONEY_MAX);
    expect_refused("10000000000000,01", PM_ERR_RANGE);
    expect_refused("-10 000 000 000 000,01", PM_ERR_RANGE);
    expect_refused("99999999999999999999999999999", PM_ERR_RANGE);
    /* Syntax errors win over size. */
    expect_refused("99999999999999999999999999999x", PM_ERR_INVALID);
}

static void format_uses_nbsp_groups_and_kr(void **state)
{
    char buf[MONEY_FORMAT_MAX];

    (void)state;
    assert_int_equal(money_format(123450, buf, sizeof(buf)), strlen("1" NBSP "234,50" NBSP "kr"));
    assert_string_equal(buf, "1" NBSP "234,50" NBSP "kr");
    money_format(-5, buf, sizeof(buf));
    assert_string_equal(buf, "-0,05" NBSP "kr");
    money_format(0, buf, sizeof(buf));
    assert_string_equal(buf, "0,00" NBSP "kr");
    money_format(-1200, buf, sizeof(buf));
    assert_string_equal(buf, "-12,00" NBSP "kr");
    money_format(99999, buf, sizeof(buf));
    assert_string_equal(buf, "999,99" NBSP "kr");
    money_format(100000, buf, sizeof(buf));
    assert_string_equal(buf, "1" NBSP "000,00" NBSP "kr");
    money_format_plain(123456750, buf, sizeof(buf));
    assert_string_equal(buf, "1" NBSP "234" NBSP "567,50");
    money_format_plain(-MONEY_MAX, buf, sizeof(buf));
    assert_string_equal(buf, "-10" NBSP "000" NBSP "000" NBSP "000" NBSP "000,00");
}

static void format_handles_int64_extremes(void **state)
{
    char buf[MONEY_FORMAT_MAX];
    size_t n;

    (void)state;
    n = money_format(INT64_MAX, buf, sizeof(buf));
    assert_true(n < MONEY_FORMAT_MAX);
    assert_string_equal(buf,
                        "92" NBSP "233" NBSP "720" NBSP "368" NBSP "547" NBSP "758,07" NBSP "kr");
    n = money_format(INT64_MIN, buf, sizeof(buf));
    assert_true(n < MONEY_FORMAT_MAX);
    assert_string_equal(buf,
                        "-92" NBSP "233" NBSP "720" NBSP "368" NBSP "547" NBSP "758,08" NBSP "kr");
}

static void format_truncates_like_snprintf(void **state)
{
    char small[6];
    char one[1] = {'x'};

    (void)state;
    /* "1 234,50 kr" needs 13 bytes + NUL; with 6 bytes we get "1 234" minus
     * nothing broken: "1\xc2\xa0" "23" is 5 bytes. */
    assert_int_equal(money_format(123450, small, sizeof(small)), 13);
    assert_string_equal(small, "1" NBSP "23");
    /* A cut inside the no-break space drops the whole character. */
    assert_int_equal(money_format(123450, small, 3), 13);
    assert_string_equal(small, "1");
    assert_int_equal(money_format(123450, one, 1), 13);
    assert_int_equal(one[0], '\0');
    assert_int_equal(money_format(123450, NULL, 0), 13);
}

static void format_then_parse_round_trips(void **state)
{
    static const int64_t values[] = {0,      1,          -1,        99,        100,
                                     123450, -123456750, 100000000, MONEY_MAX, -MONEY_MAX};
    char buf[MONEY_FORMAT_MAX];

    (void)state;
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        money_format_plain(values[i], buf, sizeof(buf));
        expect_parse(buf, values[i]);
    }
}

static void arithmetic_checks_overflow_and_rounds_half_away(void **state)
{
    int64_t v = 42;

    (void)state;
    assert_int_equal(money_add(123450, 50, &v), PM_OK);
    assert_int_equal(v, 123500);
    assert_int_equal(money_sub(100, 250, &v), PM_OK);
    assert_int_equal(v, -150);
    v = 42;
    assert_int_equal(money_add(INT64_MAX, 1, &v), PM_ERR_OVERFLOW);
    assert_int_equal(v, 42);
    assert_int_equal(money_mul(INT64_MAX, 2, &v), PM_ERR_OVERFLOW);
    assert_int_equal(v, 42);
    /* 25 % moms on 99,99 kr = 24,9975 kr -> 25,00 kr. */
    assert_int_equal(money_percent_bp(9999, 2500, &v), PM_OK);
    assert_int_equal(v, 2500);
    /* 0,02 kr / 4 = 0,005 -> 0,01; -0,005 -> -0,01 (half away from zero). */
    assert_int_equal(money_mul_div(2, 1, 4, &v), PM_OK);
    assert_int_equal(v, 1);
    assert_int_equal(money_mul_div(-2, 1, 4, &v), PM_OK);
    assert_int_equal(v, -1);
    assert_int_equal(money_mul_div(-1, 1, 3, &v), PM_OK);
    assert_int_equal(v, 0);
    assert_int_equal(money_mul_div(100, 1, 0, &v), PM_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_accepts_swedish_and_plain_forms),
        cmocka_unit_test(parse_refuses_malformed_amounts),
        cmocka_unit_test(parse_enforces_money_max),
        cmocka_unit_test(format_uses_nbsp_groups_and_kr),
        cmocka_unit_test(format_handles_int64_extremes),
        cmocka_unit_test(format_truncates_like_snprintf),
        cmocka_unit_test(format_then_parse_round_trips),
        cmocka_unit_test(arithmetic_checks_overflow_and_rounds_half_away),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
