/*
 * fees_test.c — unit tests for src/core/fees.c: the statutory caps of lag
 * (1981:739) as a reminder letter applies them (60 kr reminder fee only when
 * agreed and once, 450 kr förseningsersättning only between businesses and
 * once, and replacing the reminder fee).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/fees.h"

static void test_reminder_fee(void **state)
{
    (void)state;
    /* Not agreed when the debt arose: no fee, whatever the settings say. */
    assert_int_equal(fees_reminder_fee(false, 6000, 0), 0);
    assert_int_equal(fees_reminder_fee(false, 0, 0), 0);
    /* Agreed 75 kr: the law caps it at 60 kr. */
    assert_int_equal(fees_reminder_fee(true, 7500, 0), 6000);
    /* Agreed 45 kr: 45 kr. */
    assert_int_equal(fees_reminder_fee(true, 4500, 0), 4500);
    assert_int_equal(fees_reminder_fee(true, 6000, 0), 6000);
    /* Second reminder on the same invoice: no new fee. */
    assert_int_equal(fees_reminder_fee(true, 6000, 1), 0);
    assert_int_equal(fees_reminder_fee(true, 7500, 2), 0);
    /* A zero or negative agreed amount is no fee. */
    assert_int_equal(fees_reminder_fee(true, 0, 0), 0);
    assert_int_equal(fees_reminder_fee(true, -100, 0), 0);
}

static void test_late_compensation(void **state)
{
    (void)state;
    assert_int_equal(fees_late_compensation(true, true, false), 45000);
    /* Never to a private person. */
    assert_int_equal(fees_late_compensation(true, false, false), 0);
    assert_int_equal(fees_late_compensation(false, true, false), 0);
    /* Once per debt. */
    assert_int_equal(fees_late_compensation(true, true, true), 0);
}

static void test_reminder_beside_compensation(void **state)
{
    (void)state;
    /* 60 kr < 450 kr: the compensation covers it, nothing more to charge. */
    assert_int_equal(fees_reminder_with_compensation(6000, 45000), 0);
    assert_int_equal(fees_reminder_with_compensation(45000, 45000), 0);
    /* Only the part beyond 450 kr in total. */
    assert_int_equal(fees_reminder_with_compensation(47000, 45000), 2000);
    /* No compensation claimed (a consumer): the reminder fee stands. */
    assert_int_equal(fees_reminder_with_compensation(6000, 0), 6000);
    assert_int_equal(fees_reminder_with_compensation(-5, 0), 0);
    /* The whole chain for a B2B debt with an agreed 60 kr fee. */
    assert_int_equal(fees_reminder_with_compensation(fees_reminder_fee(true, 6000, 0),
                                                     fees_late_compensation(true, true, false)),
                     0);
    assert_int_equal(fees_reminder_with_compensation(fees_reminder_fee(true, 6000, 0),
                                                     fees_late_compensation(true, false, false)),
                     6000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reminder_fee),
        cmocka_unit_test(test_late_compensation),
        cmocka_unit_test(test_reminder_beside_compensation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
