/*
 * fiscal_test.c — the fiscal year (src/core/fiscal.c): which year a date
 * belongs to, its first and last day and its name, for the calendar year
 * (start month 1), a broken year from May and one from December
 * (bokföringslagen 1999:1078, 3 kap. 1 §: twelve months, ending at a
 * month's end).  Every date below is checked by hand against a calendar.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/date.h"
#include "core/fiscal.h"

static int32_t day(const char *iso)
{
    int32_t d = 0;

    assert_int_equal(date_parse_iso(iso, &d), PM_OK);
    return d;
}

static void expect_iso(int32_t date, const char *want)
{
    char buf[DATE_ISO_LEN + 1];

    date_format_iso(date, buf);
    assert_string_equal(buf, want);
}

/* The year containing `date` with start month m: label, first, last, name. */
static void expect_year(const char *date, int m, int label, const char *first, const char *last,
                        const char *name)
{
    struct fiscal_year fy;
    char buf[FISCAL_NAME_MAX];

    assert_int_equal(fiscal_year_of(day(date), m, &fy), PM_OK);
    assert_int_equal(fy.label, label);
    assert_int_equal(fiscal_label_of(day(date), m), label);
    expect_iso(fy.first, first);
    expect_iso(fy.last, last);
    fiscal_year_name(&fy, buf);
    assert_string_equal(buf, name);
}

static void calendar_year(void **state)
{
    (void)state;
    /* start month 1: the calendar year, named by its one year */
    expect_year("2024-12-31", 1, 2024, "2024-01-01", "2024-12-31", "2024");
    expect_year("2025-01-01", 1, 2025, "2025-01-01", "2025-12-31", "2025");
    expect_year("2024-02-29", 1, 2024, "2024-01-01", "2024-12-31", "2024");
    expect_year("2026-06-15", 1, 2026, "2026-01-01", "2026-12-31", "2026");
}

static void broken_year_from_may(void **state)
{
    (void)state;
    /* 1 May - 30 April, named by the year it starts in */
    expect_year("2026-04-30", 5, 2025, "2025-05-01", "2026-04-30", "2025/26");
    expect_year("2026-05-01", 5, 2026, "2026-05-01", "2027-04-30", "2026/27");
    /* New Year inside the fiscal year */
    expect_year("2025-12-31", 5, 2025, "2025-05-01", "2026-04-30", "2025/26");
    expect_year("2026-01-01", 5, 2025, "2025-05-01", "2026-04-30", "2025/26");
    /* the leap day falls in the year that started the May before */
    expect_year("2024-02-29", 5, 2023, "2023-05-01", "2024-04-30", "2023/24");
    expect_year("2024-03-01", 5, 2023, "2023-05-01", "2024-04-30", "2023/24");
    /* a year ending at the end of a century: 1999/00 */
    expect_year("2000-04-30", 5, 1999, "1999-05-01", "2000-04-30", "1999/00");
}

static void broken_year_from_july_and_march(void **state)
{
    (void)state;
    /* 1 July - 30 June */
    expect_year("2026-06-30", 7, 2025, "2025-07-01", "2026-06-30", "2025/26");
    expect_year("2026-07-01", 7, 2026, "2026-07-01", "2027-06-30", "2026/27");
    /* 1 March - the end of February: 29 days in a leap year */
    expect_year("2024-02-29", 3, 2023, "2023-03-01", "2024-02-29", "2023/24");
    expect_year("2025-02-28", 3, 2024, "2024-03-01", "2025-02-28", "2024/25");
    expect_year("2025-03-01", 3, 2025, "2025-03-01", "2026-02-28", "2025/26");
}

static void broken_year_from_december(void **state)
{
    (void)state;
    /* 1 December - 30 November: the year is almost all in the next one */
    expect_year("2025-11-30", 12, 2024, "2024-12-01", "2025-11-30", "2024/25");
    expect_year("2025-12-01", 12, 2025, "2025-12-01", "2026-11-30", "2025/26");
    expect_year("2025-12-31", 12, 2025, "2025-12-01", "2026-11-30", "2025/26");
    expect_year("2026-01-01", 12, 2025, "2025-12-01", "2026-11-30", "2025/26");
}

static void every_year_has_twelve_months(void **state)
{
    struct fiscal_year fy, next;
    int m, label;

    (void)state;
    /* each year ends the day before the next one starts, 365 or 366 days */
    for (m = 1; m <= 12; m++) {
        for (label = 2020; label <= 2030; label++) {
            assert_int_equal(fiscal_year_get(label, m, &fy), PM_OK);
            assert_int_equal(fiscal_year_get(label + 1, m, &next), PM_OK);
            assert_int_equal(fy.last + 1, next.first);
            assert_true(fy.last - fy.first + 1 == 365 || fy.last - fy.first + 1 == 366);
            assert_int_equal(fiscal_label_of(fy.first, m), label);
            assert_int_equal(fiscal_label_of(fy.last, m), label);
        }
    }
}

static void refusals(void **state)
{
    struct fiscal_year fy;

    (void)state;
    assert_false(fiscal_start_month_valid(0));
    assert_false(fiscal_start_month_valid(13));
    assert_true(fiscal_start_month_valid(1));
    assert_true(fiscal_start_month_valid(12));
    assert_int_equal(fiscal_year_get(2025, 0, &fy), PM_ERR_RANGE);
    assert_int_equal(fiscal_year_get(2025, 13, &fy), PM_ERR_RANGE);
    assert_int_equal(fiscal_year_of(day("2025-01-01"), 13, &fy), PM_ERR_RANGE);
    /* the calendar's last year cannot hold a year that ends after it */
    assert_int_equal(fiscal_year_get(2199, 1, &fy), PM_OK);
    assert_int_equal(fiscal_year_get(2199, 5, &fy), PM_ERR_RANGE);
    assert_int_equal(fiscal_year_get(1899, 1, &fy), PM_ERR_RANGE);
    /* a month outside 1..12 is read as the calendar year by the label */
    assert_int_equal(fiscal_label_of(day("2026-04-30"), 0), 2026);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calendar_year),
        cmocka_unit_test(broken_year_from_may),
        cmocka_unit_test(broken_year_from_july_and_march),
        cmocka_unit_test(broken_year_from_december),
        cmocka_unit_test(every_year_has_twelve_months),
        cmocka_unit_test(refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
