/*
 * reminder_test.c — unit tests for src/core/reminder.c: what a manual
 * reminder claims, with the shipped reference rates (data/).
 *
 * Hand-checked figures:
 * - the interest check value: 10 000,00 kr due 2025-03-31, reminder dated
 *   2025-09-30: 91 days at 11 % + 92 days at 10 % = 526,30 kr; with the
 *   agreed 60 kr fee the total is 10 586,30 kr, to pay by 2025-10-10;
 * - 4 000 kr paid on 2025-06-30: (1 000 000 × 1100 × 91 + 600 000 × 1000 ×
 *   92) / 3 650 000 = 42 547,9 öre → 425,48 kr on 6 000 kr left.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/reminder.h"
#include "util/buf.h"

static int32_t day(const char *iso)
{
    int32_t d = 0;

    assert_int_equal(date_parse_iso(iso, &d), PM_OK);
    return d;
}

static int setup(void **state)
{
    const char *dir = getenv("PAMINN_SOURCE_DIR");
    struct buf path = BUF_INIT, text = BUF_INIT;
    struct rate_table *t = calloc(1, sizeof(*t));
    int rc = -1;

    if (t && !buf_addf(&path, "%s/data/reference-rates.csv", dir ? dir : ".") &&
        !buf_read_file(&text, path.data, 1 << 20) &&
        !rate_table_parse(text.data, text.len, t, NULL))
        rc = 0;
    buf_release(&path);
    buf_release(&text);
    *state = t;
    return rc;
}

static int teardown(void **state)
{
    rate_table_release(*state);
    free(*state);
    return 0;
}

/* A private customer's invoice of 10 000 kr due 2025-03-31, fee agreed 60 kr. */
static struct reminder_facts check_value_facts(void)
{
    struct reminder_facts f;

    memset(&f, 0, sizeof(f));
    f.date = day("2025-09-30");
    f.due_date = day("2025-03-31");
    f.capital_minor = 1000000;
    f.remaining_minor = 1000000;
    f.fee_agreed = true;
    f.fee_agreed_minor = 6000;
    f.due_days = 10;
    return f;
}

static void test_check_value(void **state)
{
    struct reminder_facts f = check_value_facts();
    struct reminder_amounts a;
    struct pm_error e = {0};

    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.fee_minor, 6000);
    assert_int_equal(a.late_compensation_minor, 0);
    assert_int_equal(a.interest_minor, 52630);
    assert_int_equal(a.interest.days, 183);
    assert_false(a.interest.rate_unknown);
    assert_int_equal(a.n_periods, 2);
    assert_int_equal(a.periods[0].from, day("2025-04-01"));
    assert_int_equal(a.periods[0].to, day("2025-06-30"));
    assert_int_equal(a.periods[0].rate_bp, 1100);
    assert_int_equal(a.periods[1].from, day("2025-07-01"));
    assert_int_equal(a.periods[1].to, day("2025-09-30"));
    assert_int_equal(a.periods[1].rate_bp, 1000);
    assert_int_equal(a.capital_minor, 1000000);
    assert_int_equal(a.total_due_minor, 1058630);
    assert_int_equal(a.new_due_date, day("2025-10-10"));
}

static void test_fee_rules(void **state)
{
    struct reminder_facts f = check_value_facts();
    struct reminder_amounts a;
    struct pm_error e = {0};

    /* Not agreed: no fee, interest all the same. */
    f.fee_agreed = false;
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.fee_minor, 0);
    assert_int_equal(a.total_due_minor, 1052630);
    /* Agreed 75 kr: the law's 60 kr. */
    f.fee_agreed = true;
    f.fee_agreed_minor = 7500;
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.fee_minor, 6000);
    /* A second reminder: no new fee, the first one's unpaid fee is owed. */
    f.fees_charged_before = 1;
    f.charges_unpaid_minor = 6000;
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.fee_minor, 0);
    assert_int_equal(a.earlier_charges_minor, 6000);
    assert_int_equal(a.total_due_minor, 1058630);
    /* A business customer: förseningsersättning 450 kr replaces the fee. */
    f = check_value_facts();
    f.debtor_is_business = true;
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.late_compensation_minor, 45000);
    assert_int_equal(a.fee_minor, 0);
    assert_int_equal(a.total_due_minor, 1000000 + 45000 + 52630);
    /* ... once per debt. */
    f.compensation_claimed = true;
    f.charges_unpaid_minor = 45000;
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.late_compensation_minor, 0);
    assert_int_equal(a.fee_minor, 0);
    assert_int_equal(a.total_due_minor, 1000000 + 45000 + 52630);
    /* Interest already paid is not claimed again. */
    f.interest_paid_minor = 2630;
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.interest_minor, 50000);
}

static void test_part_payment(void **state)
{
    struct capital_change paid = {0, -400000};
    struct reminder_facts f = check_value_facts();
    struct reminder_amounts a;
    struct pm_error e = {0};

    paid.date = day("2025-06-30");
    f.changes = &paid;
    f.n_changes = 1;
    f.remaining_minor = 600000;
    f.fee_agreed = false;
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.interest_minor, 42548);
    assert_int_equal(a.capital_minor, 600000);
    assert_int_equal(a.total_due_minor, 642548);
}

static void test_refusals(void **state)
{
    struct reminder_facts f = check_value_facts();
    struct reminder_amounts a;
    struct pm_error e = {0};

    f.date = f.due_date; /* due today: not overdue */
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "date");
    f = check_value_facts();
    f.remaining_minor = 0;
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "remaining_minor");
    f = check_value_facts();
    f.due_days = 0;
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "reminder_due_days");
}

static void test_rate_unknown(void **state)
{
    /* Past the table: only the known days, flagged.  The dates come from the
     * table, so a new half-year in data/ moves them along: due 30 days before
     * the last known day, reminder a month after it.  With the table as
     * shipped (known until 2026-06-30, reference 2,00 %): due 2026-05-31,
     * reminder 2026-08-01, 10 000 × 10 % × 30 / 365 = 82,19 kr. */
    const struct rate_table *rates = *state;
    struct reminder_facts f = check_value_facts();
    struct reminder_amounts a;
    struct pm_error e = {0};
    int32_t known_until = rate_table_known_until(rates), reference_bp = 0;
    int64_t rate_bp, num, den;

    assert_true(known_until > 0);
    assert_int_equal(rate_table_reference_bp(rates, known_until, &reference_bp), PM_OK);
    rate_bp = reference_bp + INTEREST_MARGIN_BP;
    f.due_date = known_until - 30;
    f.date = known_until + 32;
    assert_int_equal(reminder_compute(rates, &f, &a, &e), PM_OK);
    assert_true(a.interest.rate_unknown);
    assert_int_equal(a.interest.unknown_from, known_until + 1);
    assert_int_equal(a.interest.days, 30);
    /* capital × rate × 30 / 365, rounded half up (positive) */
    num = f.remaining_minor * rate_bp * 30;
    den = 10000 * 365;
    assert_int_equal(a.interest_minor, (num + den / 2) / den);
    assert_int_equal(a.n_periods, 1);
    assert_int_equal(a.periods[0].to, known_until);
    assert_int_equal(a.periods[0].rate_bp, rate_bp);
}

/* A letter made on 2026-03-15 but dated 2026-03-01 with 10 days to pay
 * would say "Betala senast 2026-03-11", already passed: the deadline is
 * moved to 8 days after the letter is made, 2026-03-23, and flagged
 * (inkassolagen 1974:182, 5 §: a reasonable time, 8 days, to pay or
 * object).  Interest still runs to the letter's own date. */
static void test_backdated_deadline(void **state)
{
    struct reminder_facts f = check_value_facts();
    struct reminder_amounts a;
    struct pm_error e = {0};

    f.date = day("2025-09-30");
    f.made = day("2025-09-30");
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.new_due_date, day("2025-10-10"));
    assert_false(a.new_due_date_moved);
    f.date = day("2026-03-01");
    f.made = day("2026-03-15");
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.new_due_date, day("2026-03-23"));
    assert_true(a.new_due_date_moved);
    /* Dated 2026-03-07 with 10 days: 2026-03-17 is less than 8 days away. */
    f.date = day("2026-03-07");
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.new_due_date, day("2026-03-23"));
    assert_true(a.new_due_date_moved);
    /* Dated 2026-03-13: 2026-03-23 is exactly 8 days after it is made. */
    f.date = day("2026-03-13");
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.new_due_date, day("2026-03-23"));
    assert_false(a.new_due_date_moved);
    /* Made the same day with 5 days to pay: 8 days. */
    f.date = f.made = day("2025-09-30");
    f.due_days = 5;
    assert_int_equal(reminder_compute(*state, &f, &a, &e), PM_OK);
    assert_int_equal(a.new_due_date, day("2025-10-08"));
    assert_true(a.new_due_date_moved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),  cmocka_unit_test(test_fee_rules),
        cmocka_unit_test(test_part_payment), cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_rate_unknown), cmocka_unit_test(test_backdated_deadline),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
