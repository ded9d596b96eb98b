/*
 * lock_test.c — unit tests for src/core/lock.c: nothing is booked on or
 * before the day the books are locked up to (bokföringslagen 1999:1078,
 * 5 kap. 5 §: an entry is not changed afterwards; a correction is a new
 * entry in an open period), and the lock date itself lies no later than
 * today.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/date.h"
#include "core/lock.h"

static int32_t day(const char *iso)
{
    int32_t d = 0;

    assert_int_equal(date_parse_iso(iso, &d), PM_OK);
    return d;
}

static void dates_in_and_after_the_locked_period(void **state)
{
    struct pm_error e = {0};

    (void)state;
    /* Books locked up to 2025-12-31: the last day is locked, 1 January is open. */
    assert_int_equal(lock_check(day("2026-01-01"), day("2025-12-31"), "date", &e), PM_OK);
    assert_int_equal(lock_check(day("2025-12-31"), day("2025-12-31"), "date", &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "date");
    assert_non_null(strstr(e.message, "2025-12-31"));
    assert_int_equal(lock_check(day("2020-06-01"), day("2025-12-31"), "invoice_date", &e),
                     PM_ERR_RANGE);
    assert_string_equal(e.field, "invoice_date");
    assert_non_null(strstr(e.message, "2020-06-01"));
    /* Nothing locked. */
    assert_int_equal(lock_check(day("1999-01-01"), 0, "date", &e), PM_OK);
}

static void the_lock_date(void **state)
{
    struct pm_error e = {0};
    int32_t today = day("2026-03-15");

    (void)state;
    assert_int_equal(lock_date_check(day("2026-02-28"), today, &e), PM_OK);
    assert_int_equal(lock_date_check(today, today, &e), PM_OK);
    assert_int_equal(lock_date_check(0, today, &e), PM_OK); /* unlocks */
    assert_int_equal(lock_date_check(today + 1, today, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "books_locked_through");
    assert_int_equal(lock_date_check(-5, today, &e), PM_ERR_RANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates_in_and_after_the_locked_period),
        cmocka_unit_test(the_lock_date),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
