/*
 * report_test.c — unit tests for src/core/report.c with hand-checked
 * figures: the days of a dunning report (its limits, hand-overs on their
 * Stockholm date around the change to summer time), and per month the
 * receivables at each month end, DSO and the collection rate.
 *
 * The months example (today 2026-03-15, three months):
 *   A 2026-01-10, 10 000 kr, paid in full 2026-02-20;
 *   B 2025-12-20, 5 000 kr, open (dated before the months shown);
 *   C 2026-02-05, 3 000 kr, 1 000 kr paid 2026-03-01, 2 000 kr open.
 * Unpaid at the month ends: 31 Jan B + A = 15 000 kr; 28 Feb B + C's
 * 2 000 + C's 1 000 paid in March = 8 000 kr; 15 Mar B + C = 7 000 kr.
 * Invoiced: Jan 10 000, Feb 3 000, Mar 0.
 * DSO Jan = 15 000 / 10 000 × 31 = 46,5 days; Feb = 8 000 / 3 000 × 28 =
 * 74,67 → 74,7 days; Mar: unknown (nothing invoiced).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/date.h"
#include "core/report.h"
#include "util/tz.h"

static int32_t ymd(int y, int m, int d)
{
    int32_t out = 0;

    assert_int_equal(date_from_ymd(y, m, d, &out), PM_OK);
    return out;
}

static struct report_dunning rep;

static void test_dunning_limits(void **state)
{
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(report_dunning_init(ymd(2026, 3, 2), ymd(2026, 3, 1), &rep, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "to");
    /* 2025-01-01 .. 2026-01-01 is 366 days: the most */
    assert_int_equal(report_dunning_init(ymd(2025, 1, 1), ymd(2026, 1, 1), &rep, &e), PM_OK);
    assert_int_equal(rep.n_days, 366);
    assert_int_equal(report_dunning_init(ymd(2025, 1, 1), ymd(2026, 1, 2), &rep, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "to");
    assert_int_equal(report_dunning_init(ymd(2026, 3, 1), ymd(2026, 3, 1), &rep, &e), PM_OK);
    assert_int_equal(rep.n_days, 1);
    assert_int_equal(rep.days[0].date, ymd(2026, 3, 1));
}

static void test_dunning_days_and_total(void **state)
{
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(report_dunning_init(ymd(2026, 3, 1), ymd(2026, 3, 31), &rep, &e), PM_OK);
    report_dunning_add_reminders(&rep, ymd(2026, 3, 2), 3, 12000); /* 2 × 60 kr + one without */
    report_dunning_add_reminders(&rep, ymd(2026, 3, 31), 1, 45000);
    report_dunning_add_reminders(&rep, ymd(2026, 4, 1), 9, 99900); /* outside: ignored */
    report_dunning_add_paid(&rep, ymd(2026, 3, 2), 1, 1058630);
    report_dunning_sum(&rep);
    assert_int_equal(rep.days[1].reminders, 3);
    assert_int_equal(rep.days[1].fees_minor, 12000);
    assert_int_equal(rep.days[1].paid, 1);
    assert_int_equal(rep.days[1].paid_minor, 1058630);
    assert_int_equal(rep.days[30].fees_minor, 45000);
    assert_int_equal(rep.total.reminders, 4);
    assert_int_equal(rep.total.fees_minor, 57000);
    assert_int_equal(rep.total.paid_minor, 1058630);
    assert_int_equal(rep.total.handed_over, 0);
}

static void test_handovers_local_date(void **state)
{
    struct tz *tz = NULL;
    struct pm_error e = {0};
    /* 2026-03-28T22:00Z is 23:00 CET on the 28th; 23:00Z is 00:00 CET on
     * the 29th; 2026-06-10T22:00Z is 00:00 CEST on 11 June. */
    int64_t h28 = ((int64_t)ymd(2026, 3, 28) * 86400 + 22 * 3600) / 3600;
    int64_t h29 = h28 + 1;
    int64_t june = ((int64_t)ymd(2026, 6, 10) * 86400 + 22 * 3600) / 3600;

    (void)state;
    assert_int_equal(tz_load("Europe/Stockholm", &tz), PM_OK);
    assert_int_equal(report_dunning_init(ymd(2026, 3, 1), ymd(2026, 6, 30), &rep, &e), PM_OK);
    report_dunning_add_handovers(&rep, tz, h28, 2, 300000);
    report_dunning_add_handovers(&rep, tz, h29, 1, 50000);
    report_dunning_add_handovers(&rep, tz, june, 4, 10000);
    report_dunning_add_handovers(&rep, tz, june - 1, 1, 1);
    tz_free(&tz);
    assert_int_equal(rep.days[ymd(2026, 3, 28) - rep.from].handed_over, 2);
    assert_int_equal(rep.days[ymd(2026, 3, 28) - rep.from].handed_over_minor, 300000);
    assert_int_equal(rep.days[ymd(2026, 3, 29) - rep.from].handed_over, 1);
    assert_int_equal(rep.days[ymd(2026, 6, 11) - rep.from].handed_over, 4);
    assert_int_equal(rep.days[ymd(2026, 6, 10) - rep.from].handed_over_minor, 1);
}

static void test_months_layout(void **state)
{
    struct report_month m[REPORT_MONTHS_MAX];
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(report_months_init(ymd(2026, 3, 15), 0, m, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "months");
    assert_int_equal(report_months_init(ymd(2026, 3, 15), REPORT_MONTHS_MAX + 1, m, &e),
                     PM_ERR_RANGE);
    assert_int_equal(report_months_init(ymd(2026, 3, 15), 14, m, &e), PM_OK);
    assert_int_equal(m[0].year, 2025);
    assert_int_equal(m[0].month, 2);
    assert_int_equal(m[0].days, 28);
    assert_int_equal(m[11].month, 1);
    assert_int_equal(m[11].year, 2026);
    assert_int_equal(m[11].end, ymd(2026, 1, 31));
    assert_int_equal(m[13].first, ymd(2026, 3, 1));
    assert_int_equal(m[13].end, ymd(2026, 3, 15));
    assert_int_equal(m[13].days, 15);
    assert_int_equal(report_month_of(m, 14, ymd(2025, 12, 31)), 10);
    assert_int_equal(report_month_of(m, 14, ymd(2026, 3, 16)), -1);
    assert_int_equal(report_month_of(m, 14, ymd(2025, 1, 31)), -1);
}

static void test_months_dso_and_rate(void **state)
{
    struct report_month m[3];
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(report_months_init(ymd(2026, 3, 15), 3, m, &e), PM_OK);
    report_months_add_invoiced(m, 3, ymd(2026, 1, 10), 1000000); /* A */
    report_months_add_invoiced(m, 3, ymd(2025, 12, 20), 500000); /* B: before, ignored */
    report_months_add_invoiced(m, 3, ymd(2026, 2, 5), 300000);   /* C */
    report_months_add_open(m, 3, ymd(2025, 12, 31), 500000);     /* B, as the store clamps it */
    report_months_add_open(m, 3, ymd(2026, 2, 5), 200000);       /* C */
    report_months_add_paid_later(m, 3, ymd(2026, 1, 10), ymd(2026, 2, 1), 1000000); /* A */
    report_months_add_paid_later(m, 3, ymd(2026, 2, 5), ymd(2026, 3, 1), 100000);   /* C */
    /* fell due: Jan 10 000 kr of which 2/3 paid by the month end, Feb nothing */
    m[0].due_minor = 1500000;
    m[0].collected_minor = 1000000;
    m[2].due_minor = 300000;
    m[2].collected_minor = 300000;
    assert_int_equal(report_months_finish(m, 3), PM_OK);
    assert_int_equal(m[0].receivables_minor, 1500000);
    assert_int_equal(m[1].receivables_minor, 800000);
    assert_int_equal(m[2].receivables_minor, 700000);
    assert_true(m[0].dso_known);
    assert_int_equal(m[0].dso_tenths, 465);
    assert_true(m[1].dso_known);
    assert_int_equal(m[1].dso_tenths, 747);
    assert_false(m[2].dso_known);
    assert_true(m[0].rate_known);
    assert_int_equal(m[0].collection_rate_bp, 6667);
    assert_false(m[1].rate_known);
    assert_int_equal(m[2].collection_rate_bp, 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dunning_limits),       cmocka_unit_test(test_dunning_days_and_total),
        cmocka_unit_test(test_handovers_local_date), cmocka_unit_test(test_months_layout),
        cmocka_unit_test(test_months_dso_and_rate),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
