/*
 * date_test.c — day-number calendar (src/core/date.c) and the company's
 * local "today" in Europe/Stockholm (with util/tz.c): due dates, month
 * arithmetic for payment terms, and which day it is at midnight and across
 * the DST switches.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/date.h"
#include "util/tz.h"

static int32_t ymd(int y, int m, int d)
{
    int32_t day = 0;

    assert_int_equal(date_from_ymd(y, m, d, &day), PM_OK);
    return day;
}

/* A UTC instant from its calendar parts. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    return (int64_t)ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

static void expect_iso(int32_t day, const char *want)
{
    char buf[DATE_ISO_LEN + 1];

    date_format_iso(day, buf);
    assert_string_equal(buf, want);
}

static void leap_years_and_month_lengths(void **state)
{
    (void)state;
    assert_true(date_is_leap(2024));
    assert_true(date_is_leap(2000));
    assert_false(date_is_leap(1900));
    assert_false(date_is_leap(2100));
    assert_false(date_is_leap(2025));
    assert_int_equal(date_days_in_month(2024, 2), 29);
    assert_int_equal(date_days_in_month(2025, 2), 28);
    assert_int_equal(date_days_in_month(2100, 2), 28);
    assert_int_equal(date_days_in_month(2000, 2), 29);
    assert_int_equal(date_days_in_month(2025, 4), 30);
    assert_int_equal(date_days_in_month(2025, 12), 31);
    assert_int_equal(date_days_in_month(2025, 13), 0);
    assert_false(date_valid(2025, 2, 29));
    assert_false(date_valid(2100, 2, 29));
    assert_true(date_valid(2000, 2, 29));
    assert_false(date_valid(1899, 12, 31));
    assert_false(date_valid(2200, 1, 1));
}

static void day_numbers_at_known_edges(void **state)
{
    int y, m, d;

    (void)state;
    assert_int_equal(ymd(1970, 1, 1), 0);
    assert_int_equal(ymd(2000, 1, 1), 10957);
    assert_int_equal(ymd(2100, 1, 1), 47482);
    assert_int_equal(ymd(2100, 3, 1), ymd(2100, 2, 28) + 1);
    assert_int_equal(ymd(2024, 3, 1), ymd(2024, 2, 28) + 2);
    assert_int_equal(ymd(1900, 1, 1), -25567);
    assert_int_equal(ymd(2199, 12, 31), 84005);
    assert_int_equal(ymd(1969, 12, 31) + 1, 0);
    date_to_ymd(-1, &y, &m, &d);
    assert_int_equal(y, 1969);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
    expect_iso(19782, "2024-02-29");
    expect_iso(0, "1970-01-01");
    expect_iso(47541, "2100-03-01");
}

static void iso_parse_is_strict(void **state)
{
    static const char *bad[] = {
        "",           "2025-1-01",        "2025-01-1",  "2025/01/01", "2025-01-01 ", " 2025-01-01",
        "2025-13-01", "2025-00-10",       "2025-02-29", "2100-02-29", "1899-12-31",  "2200-01-01",
        "20250101",   "2025-01-01T00:00", "+025-01-01", "2025-0a-01", "2025-01-32",  "2025-04-31",
        "2025-01-00", "-025-01-01",
    };
    int32_t day = 4242;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (date_parse_iso(bad[i], &day) != PM_ERR_INVALID)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(day, 4242);
    }
    assert_int_equal(date_parse_iso(NULL, &day), PM_ERR_INVALID);
    assert_int_equal(date_parse_iso("2024-02-29", &day), PM_OK);
    assert_int_equal(day, 19782);
    assert_int_equal(date_parse_iso("1900-01-01", &day), PM_OK);
    assert_int_equal(day, -25567);
    assert_int_equal(date_parse_iso("2199-12-31", &day), PM_OK);
    assert_int_equal(day, 84005);
}

static void add_months_clamps_to_month_end(void **state)
{
    int32_t out = 0;

    (void)state;
    assert_int_equal(date_add_months(ymd(2025, 1, 31), 1, &out), PM_OK);
    expect_iso(out, "2025-02-28");
    assert_int_equal(date_add_months(ymd(2024, 1, 31), 1, &out), PM_OK);
    expect_iso(out, "2024-02-29");
    assert_int_equal(date_add_months(ymd(2025, 3, 31), -1, &out), PM_OK);
    expect_iso(out, "2025-02-28");
    assert_int_equal(date_add_months(ymd(2025, 12, 15), 1, &out), PM_OK);
    expect_iso(out, "2026-01-15");
    assert_int_equal(date_add_months(ymd(2025, 1, 15), -1, &out), PM_OK);
    expect_iso(out, "2024-12-15");
    assert_int_equal(date_add_months(ymd(2025, 8, 31), 18, &out), PM_OK);
    expect_iso(out, "2027-02-28");
    out = 7;
    assert_int_equal(date_add_months(ymd(2199, 12, 1), 1, &out), PM_ERR_RANGE);
    assert_int_equal(date_add_months(ymd(1900, 1, 1), -1, &out), PM_ERR_RANGE);
    assert_int_equal(date_add_months(ymd(2025, 1, 1), 12 * 401, &out), PM_ERR_RANGE);
    assert_int_equal(out, 7);
}

static void weekday_and_half_year(void **state)
{
    (void)state;
    assert_int_equal(date_weekday(0), 3);                /* 1970-01-01 Thursday */
    assert_int_equal(date_weekday(ymd(2024, 2, 29)), 3); /* Thursday */
    assert_int_equal(date_weekday(ymd(2025, 3, 30)), 6); /* Sunday */
    assert_int_equal(date_weekday(ymd(2000, 1, 1)), 5);  /* Saturday */
    assert_int_equal(date_weekday(ymd(1900, 1, 1)), 0);  /* Monday */
    assert_int_equal(date_weekday(-1), 2);               /* 1969-12-31 Wednesday */
    assert_int_equal(date_half_year_start(ymd(2025, 6, 30)), ymd(2025, 1, 1));
    assert_int_equal(date_half_year_start(ymd(2025, 7, 1)), ymd(2025, 7, 1));
    assert_int_equal(date_half_year_start(ymd(2025, 12, 31)), ymd(2025, 7, 1));
    assert_int_equal(date_half_year_start(ymd(2025, 1, 1)), ymd(2025, 1, 1));
}

static int setup_stockholm(void **state)
{
    struct tz *tz = NULL;

    if (tz_load("Europe/Stockholm", &tz) != PM_OK)
        return -1;
    *state = tz;
    return 0;
}

static int teardown_stockholm(void **state)
{
    struct tz *tz = *state;

    tz_free(&tz);
    return 0;
}

static void expect_local(const struct tz *tz, int64_t t, const char *want)
{
    expect_iso(date_local_from_utc(tz, t), want);
}

static void stockholm_offsets_switch_at_one_utc(void **state)
{
    const struct tz *tz = *state;

    /* Hand-checked: 2025-03-30T01:00:00Z is 1743296400. */
    assert_int_equal(utc(2025, 3, 30, 1, 0, 0), 1743296400);
    assert_int_equal(tz_offset(tz, utc(2025, 3, 30, 0, 59, 59)), 3600);
    assert_int_equal(tz_offset(tz, utc(2025, 3, 30, 1, 0, 0)), 7200);
    assert_int_equal(tz_offset(tz, utc(2025, 10, 26, 0, 59, 59)), 7200);
    assert_int_equal(tz_offset(tz, utc(2025, 10, 26, 1, 0, 0)), 3600);
    /* Sweden had no DST in 1970. */
    assert_int_equal(tz_offset(tz, utc(1970, 7, 1, 12, 0, 0)), 3600);
}

static void stockholm_today_across_dst_and_midnight(void **state)
{
    const struct tz *tz = *state;

    /* Spring: midnight is 23:00Z before the switch, 22:00Z after it. */
    expect_local(tz, utc(2025, 3, 29, 22, 59, 59), "2025-03-29");
    expect_local(tz, utc(2025, 3, 29, 23, 0, 0), "2025-03-30");
    expect_local(tz, utc(2025, 3, 30, 21, 59, 59), "2025-03-30");
    expect_local(tz, utc(2025, 3, 30, 22, 0, 0), "2025-03-31");
    /* Autumn: midnight is 22:00Z before the switch, 23:00Z after it. */
    expect_local(tz, utc(2025, 10, 25, 21, 59, 59), "2025-10-25");
    expect_local(tz, utc(2025, 10, 25, 22, 0, 0), "2025-10-26");
    expect_local(tz, utc(2025, 10, 26, 22, 59, 59), "2025-10-26");
    expect_local(tz, utc(2025, 10, 26, 23, 0, 0), "2025-10-27");
    /* Month, quarter and year ends: the UTC date would be one day behind. */
    expect_local(tz, utc(2025, 6, 30, 22, 30, 0), "2025-07-01");
    expect_local(tz, utc(2025, 6, 30, 21, 59, 59), "2025-06-30");
    expect_local(tz, utc(2025, 12, 31, 22, 59, 59), "2025-12-31");
    expect_local(tz, utc(2025, 12, 31, 23, 0, 0), "2026-01-01");
}

static void stockholm_beyond_table_follows_footer_rule(void **state)
{
    const struct tz *tz = *state;

    /* 2045 is past the last listed transition (2037): the footer rule
     * "CET-1CEST,M3.5.0,M10.5.0/3" decides.  Last Sundays: 26 March and
     * 29 October 2045. */
    assert_int_equal(date_weekday(ymd(2045, 3, 26)), 6);
    assert_int_equal(date_weekday(ymd(2045, 10, 29)), 6);
    assert_int_equal(tz_offset(tz, utc(2045, 3, 26, 0, 59, 59)), 3600);
    assert_int_equal(tz_offset(tz, utc(2045, 3, 26, 1, 0, 0)), 7200);
    assert_int_equal(tz_offset(tz, utc(2045, 10, 29, 0, 59, 59)), 7200);
    assert_int_equal(tz_offset(tz, utc(2045, 10, 29, 1, 0, 0)), 3600);
    expect_local(tz, utc(2045, 6, 30, 22, 0, 0), "2045-07-01");
    expect_local(tz, utc(2045, 12, 31, 22, 59, 59), "2045-12-31");
    expect_local(tz, utc(2045, 12, 31, 23, 0, 0), "2046-01-01");
    /* And far beyond: 2199-07-01 12:00Z is summer time. */
    assert_int_equal(tz_offset(tz, utc(2199, 7, 1, 12, 0, 0)), 7200);
    assert_int_equal(tz_offset(tz, utc(2199, 1, 1, 12, 0, 0)), 3600);
}

static void local_start_is_local_midnight(void **state)
{
    const struct tz *tz = *state;

    /* Winter (+01:00), summer (+02:00), and the nights the clocks change. */
    assert_int_equal(date_local_start(tz, ymd(2027, 1, 1)), utc(2026, 12, 31, 23, 0, 0));
    assert_int_equal(date_local_start(tz, ymd(2025, 7, 1)), utc(2025, 6, 30, 22, 0, 0));
    assert_int_equal(date_local_start(tz, ymd(2025, 3, 30)), utc(2025, 3, 29, 23, 0, 0));
    assert_int_equal(date_local_start(tz, ymd(2025, 3, 31)), utc(2025, 3, 30, 22, 0, 0));
    assert_int_equal(date_local_start(tz, ymd(2025, 10, 26)), utc(2025, 10, 25, 22, 0, 0));
    assert_int_equal(date_local_start(tz, ymd(2025, 10, 27)), utc(2025, 10, 26, 23, 0, 0));
}

static void instants_parse_rfc3339(void **state)
{
    static const char *const bad[] = {"",
                                      "2025-06-16T10:00:00",
                                      "2025-06-16T10:00Z",
                                      "2025-06-16T24:00:00Z",
                                      "2025-06-16T10:00:00+2:00",
                                      "2025-06-16T10:00:00.Z",
                                      "2025-02-29T10:00:00Z",
                                      "2025-06-16T10:00:00Zjunk",
                                      "2025-06-16x",
                                      "16/06/2025",
                                      "2300-01-01T00:00:00Z"};
    int64_t t = 0;

    (void)state;
    assert_int_equal(date_parse_instant("2025-06-16T10:00:00Z", &t), PM_OK);
    assert_int_equal(t, utc(2025, 6, 16, 10, 0, 0));
    assert_int_equal(date_parse_instant("2025-06-16t12:00:00.250+02:00", &t), PM_OK);
    assert_int_equal(t, utc(2025, 6, 16, 10, 0, 0));
    assert_int_equal(date_parse_instant("2025-06-16 05:30:00-04:30", &t), PM_OK);
    assert_int_equal(t, utc(2025, 6, 16, 10, 0, 0));
    assert_int_equal(date_parse_instant("2016-12-31T23:59:60Z", &t), PM_OK);
    assert_int_equal(t, utc(2016, 12, 31, 23, 59, 59));
    assert_int_equal(date_parse_instant("2025-06-16", &t), PM_OK);
    assert_int_equal(t, utc(2025, 6, 16, 0, 0, 0));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(date_parse_instant(bad[i], &t), PM_ERR_INVALID);
    assert_int_equal(date_parse_instant(NULL, &t), PM_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(leap_years_and_month_lengths),
        cmocka_unit_test(day_numbers_at_known_edges),
        cmocka_unit_test(iso_parse_is_strict),
        cmocka_unit_test(add_months_clamps_to_month_end),
        cmocka_unit_test(weekday_and_half_year),
        cmocka_unit_test(instants_parse_rfc3339),
        cmocka_unit_test_setup_teardown(local_start_is_local_midnight, setup_stockholm,
                                        teardown_stockholm),
        cmocka_unit_test_setup_teardown(stockholm_offsets_switch_at_one_utc, setup_stockholm,
                                        teardown_stockholm),
        cmocka_unit_test_setup_teardown(stockholm_today_across_dst_and_midnight, setup_stockholm,
                                        teardown_stockholm),
        cmocka_unit_test_setup_teardown(stockholm_beyond_table_follows_footer_rule, setup_stockholm,
                                        teardown_stockholm),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
