/*
 * aging_test.c — unit tests for src/core/aging.c: the buckets of the
 * receivables aging at their edges (due today is not yet due; 30 days
 * past due is still 1–30, 31 is 31–60, 91 is over 90).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/aging.h"

static void test_edges(void **state)
{
    const int32_t today = 20000;
    struct {
        int32_t days_past_due;
        enum aging_bucket bucket;
    } cases[] = {
        {-5, AGING_NOT_DUE}, {0, AGING_NOT_DUE},    {1, AGING_1_30},   {30, AGING_1_30},
        {31, AGING_31_60},   {60, AGING_31_60},     {61, AGING_61_90}, {90, AGING_61_90},
        {91, AGING_OVER_90}, {5000, AGING_OVER_90},
    };
    int32_t from, to;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int32_t due = today - cases[i].days_past_due;
        enum aging_bucket b = aging_bucket_of(due, today);

        assert_int_equal(b, cases[i].bucket);
        /* The store's due-date range of the bucket holds the invoice. */
        aging_bucket_range(b, today, &from, &to);
        assert_true(due >= from && due <= to);
    }
    /* The ranges tile the whole line without overlap. */
    aging_bucket_range(AGING_OVER_90, today, &from, &to);
    assert_int_equal(to, today - 91);
    aging_bucket_range(AGING_61_90, today, &from, &to);
    assert_int_equal(from, today - 90);
    assert_int_equal(to, today - 61);
    aging_bucket_range(AGING_NOT_DUE, today, &from, &to);
    assert_int_equal(from, today);
    assert_string_equal(aging_bucket_key(AGING_31_60), "31_60");
    assert_string_equal(aging_bucket_key(AGING_OVER_90), "over_90");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_edges)};

    return cmocka_run_group_tests(tests, NULL, NULL);
}
