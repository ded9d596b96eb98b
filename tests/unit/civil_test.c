/*
 * civil_test.c — day numbers and the clock's RFC 3339 text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/civil.h"
#include "util/clock.h"

static void known_days(void **state)
{
    int64_t y;
    int m, d;

    (void)state;
    assert_int_equal(civil_to_days(1970, 1, 1), 0);
    assert_int_equal(civil_to_days(1969, 12, 31), -1);
    assert_int_equal(civil_to_days(2000, 3, 1), 11017);
    assert_int_equal(civil_to_days(2025, 9, 30), 20361);
    civil_from_days(11016, &y, &m, &d); /* the leap day of 2000 */
    assert_int_equal(y, 2000);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    /* Round trip over five centuries. */
    for (int64_t day = -25567; day < 157000; day += 37) {
        civil_from_days(day, &y, &m, &d);
        assert_int_equal(civil_to_days(y, m, d), day);
    }
}

static void rfc3339_text(void **state)
{
    char text[21];
    struct clock c = {0};

    (void)state;
    clock_format_rfc3339(0, text);
    assert_string_equal(text, "1970-01-01T00:00:00Z");
    clock_format_rfc3339(-1, text); /* one microsecond before the epoch */
    assert_string_equal(text, "1969-12-31T23:59:59Z");
    assert_int_equal(clock_parse_fixed("2026-11-22T15:04:05Z", &c), PM_OK);
    clock_format_rfc3339(clock_now_us(&c), text);
    assert_string_equal(text, "2026-11-22T15:04:05Z");
    assert_int_equal(clock_parse_fixed("2024-02-29", &c), PM_OK); /* noon UTC */
    clock_format_rfc3339(c.fixed_us, text);
    assert_string_equal(text, "2024-02-29T12:00:00Z");
    assert_int_equal(clock_parse_fixed("2025-02-29", &c), PM_ERR_INVALID);
    assert_int_equal(clock_parse_fixed("2025-01-01T24:00:00Z", &c), PM_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_days),
        cmocka_unit_test(rfc3339_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
