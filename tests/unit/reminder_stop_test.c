/*
 * reminder_stop_test.c — unit tests for src/core/reminder_stop.c: which
 * days a stop of reminders covers (around its last day, an open end), the
 * invoice's stop against its customer's, the checks of a new stop, the
 * interest days a "no interest" stop leaves out (räntelagen 1975:635:
 * interest runs per day; the stopped days carry none), and the hand-over
 * refusal of a stopped invoice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/date.h"
#include "core/handover.h"
#include "core/interest.h"
#include "core/reminder_stop.h"

/* Reference rates of 2025: 3,00 % (first half, interest 11 %) and 2,00 %
 * (second half, interest 10 %). */
static const char rates_csv[] = "from,reference_rate_percent,note\n"
                                "2025-01-01,3.00,test\n"
                                "2025-07-01,2.00,test\n";

static int32_t ymd(int y, int m, int d)
{
    int32_t out = 0;

    assert_int_equal(date_from_ymd(y, m, d, &out), PM_OK);
    return out;
}

static struct reminder_stop stop(enum reminder_stop_kind kind, int32_t since, int32_t until,
                                 bool no_interest)
{
    struct reminder_stop s = {true, kind, since, until, no_interest};

    return s;
}

static void test_covers_around_end(void **state)
{
    struct reminder_stop s = stop(STOP_DISPUTE, ymd(2026, 3, 10), ymd(2026, 3, 20), false);
    struct reminder_stop open = stop(STOP_OTHER, ymd(2026, 3, 10), 0, false);
    struct reminder_stop none = {0};

    (void)state;
    assert_false(reminder_stop_covers(&s, ymd(2026, 3, 9)));
    assert_true(reminder_stop_covers(&s, ymd(2026, 3, 10)));
    assert_true(reminder_stop_covers(&s, ymd(2026, 3, 20)));  /* inclusive */
    assert_false(reminder_stop_covers(&s, ymd(2026, 3, 21))); /* lapsed by itself */
    assert_true(reminder_stop_covers(&open, ymd(2030, 1, 1)));
    assert_false(reminder_stop_covers(&none, ymd(2026, 3, 15)));
    assert_false(reminder_stop_covers(NULL, ymd(2026, 3, 15)));
}

static void test_invoice_against_customer(void **state)
{
    struct reminder_stop inv = stop(STOP_DISPUTE, ymd(2026, 3, 10), ymd(2026, 3, 20), false);
    struct reminder_stop cust = stop(STOP_PAYMENT_PLAN, ymd(2026, 3, 1), 0, true);
    struct reminder_stop_state st;

    (void)state;
    /* Both hold: the invoice's own stop is the one named. */
    assert_true(reminder_stop_on(&inv, &cust, ymd(2026, 3, 15), &st));
    assert_int_equal(st.source, STOP_SOURCE_INVOICE);
    assert_int_equal(st.stop.kind, STOP_DISPUTE);
    assert_int_equal(st.stop.until, ymd(2026, 3, 20));
    /* The invoice's has lapsed: the customer's still holds. */
    assert_true(reminder_stop_on(&inv, &cust, ymd(2026, 3, 21), &st));
    assert_int_equal(st.source, STOP_SOURCE_CUSTOMER);
    assert_int_equal(st.stop.since, ymd(2026, 3, 1));
    /* Only the customer's, before the invoice's began. */
    assert_true(reminder_stop_on(&inv, &cust, ymd(2026, 3, 5), &st));
    assert_int_equal(st.source, STOP_SOURCE_CUSTOMER);
    /* Before either. */
    assert_false(reminder_stop_on(&inv, &cust, ymd(2026, 2, 28), &st));
    assert_false(reminder_stop_on(NULL, NULL, ymd(2026, 3, 5), &st));
}

static void test_check(void **state)
{
    struct pm_error e = {0};
    int32_t today = ymd(2026, 3, 10);
    char long_text[REMINDER_STOP_TEXT_MAX + 2];

    (void)state;
    assert_int_equal(reminder_stop_check(STOP_DISPUTE, "", 0, today, &e), PM_OK);
    assert_int_equal(reminder_stop_check(STOP_PAYMENT_PLAN, NULL, today, today, &e), PM_OK);
    assert_int_equal(reminder_stop_check(STOP_OTHER, "  ", 0, today, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "text");
    assert_int_equal(reminder_stop_check(STOP_OTHER, "Reklamation", 0, today, &e), PM_OK);
    assert_int_equal(reminder_stop_check(STOP_DISPUTE, "", today - 1, today, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "until");
    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    assert_int_equal(reminder_stop_check(STOP_OTHER, long_text, 0, today, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "text");
}

static void test_kind_names(void **state)
{
    enum reminder_stop_kind k;

    (void)state;
    assert_int_equal(reminder_stop_kind_parse("payment_plan", &k), PM_OK);
    assert_int_equal(k, STOP_PAYMENT_PLAN);
    assert_int_equal(reminder_stop_kind_parse("Dispute", &k), PM_ERR_INVALID);
    assert_int_equal(reminder_stop_kind_parse(NULL, &k), PM_ERR_INVALID);
    assert_string_equal(reminder_stop_kind_label(STOP_DISPUTE, false), "Bestridd");
    assert_string_equal(reminder_stop_kind_label(STOP_PAYMENT_PLAN, true), "Payment plan");
    assert_string_equal(reminder_stop_kind_name(STOP_OTHER), "other");
}

static void test_pauses(void **state)
{
    struct reminder_stop inv = stop(STOP_DISPUTE, ymd(2025, 5, 1), ymd(2025, 5, 31), true);
    struct reminder_stop cust = stop(STOP_PAYMENT_PLAN, ymd(2025, 5, 20), ymd(2025, 6, 10), true);
    struct reminder_stop plain = stop(STOP_OTHER, ymd(2025, 4, 1), 0, false);
    struct interest_pause p[2];

    (void)state;
    /* Overlapping stops are one pause. */
    assert_int_equal(reminder_stop_pauses(&inv, &cust, ymd(2025, 9, 30), p), 1);
    assert_int_equal(p[0].from, ymd(2025, 5, 1));
    assert_int_equal(p[0].to, ymd(2025, 6, 10));
    /* Cut at the end of the period. */
    assert_int_equal(reminder_stop_pauses(&inv, NULL, ymd(2025, 5, 15), p), 1);
    assert_int_equal(p[0].to, ymd(2025, 5, 15));
    /* Not begun by the end of the period; a stop without the option. */
    assert_int_equal(reminder_stop_pauses(&inv, &plain, ymd(2025, 4, 30), p), 0);
    /* Two apart, in order. */
    cust = stop(STOP_PAYMENT_PLAN, ymd(2025, 3, 1), ymd(2025, 3, 10), true);
    assert_int_equal(reminder_stop_pauses(&inv, &cust, ymd(2025, 9, 30), p), 2);
    assert_int_equal(p[0].from, ymd(2025, 3, 1));
    assert_int_equal(p[1].from, ymd(2025, 5, 1));
}

/* Räntelagen (1975:635) 6 §: 10 000,00 kr due 2025-03-31, interest to
 * 2025-09-30, a dispute stop set "no interest" from 2025-05-01 through
 * 2025-05-31 (31 days, lapsed by itself).  Interest days: April (30) and
 * June (30) at 11 %, July-September (92) at 10 %:
 *   1 000 000 öre x (1100 bp x 60 + 1000 bp x 92) / (10 000 x 365)
 *   = 1 000 000 x 158 000 / 3 650 000 = 43 287,67 -> 432,88 kr
 * (without the stop: 526,30 kr, the check value of interest.h). */
static void test_interest_days_left_out(void **state)
{
    struct rate_table t;
    struct reminder_stop inv = stop(STOP_DISPUTE, ymd(2025, 5, 1), ymd(2025, 5, 31), true);
    struct interest_pause p[2];
    struct interest_result r;
    size_t n;

    (void)state;
    assert_int_equal(rate_table_parse(rates_csv, strlen(rates_csv), &t, NULL), PM_OK);
    n = reminder_stop_pauses(&inv, NULL, ymd(2025, 9, 30), p);
    assert_int_equal(
        interest_compute_paused(&t, 1000000, ymd(2025, 3, 31), ymd(2025, 9, 30), NULL, 0, p, n, &r),
        PM_OK);
    assert_int_equal(r.amount_minor, 43288);
    assert_int_equal(r.days, 152);
    assert_int_equal(r.paused_days, 31);
    assert_int_equal(r.last_rate_bp, 1000);

    /* Still stopped on 2025-05-15: April only, 30 days at 11 %:
     * 1 000 000 x 33 000 / 3 650 000 = 9 041,10 -> 90,41 kr. */
    n = reminder_stop_pauses(&inv, NULL, ymd(2025, 5, 15), p);
    assert_int_equal(
        interest_compute_paused(&t, 1000000, ymd(2025, 3, 31), ymd(2025, 5, 15), NULL, 0, p, n, &r),
        PM_OK);
    assert_int_equal(r.amount_minor, 9041);
    assert_int_equal(r.days, 30);
    assert_int_equal(r.paused_days, 15);

    /* Stopped from the first interest day on: no interest, and no error. */
    inv = stop(STOP_PAYMENT_PLAN, ymd(2025, 4, 1), 0, true);
    n = reminder_stop_pauses(&inv, NULL, ymd(2025, 4, 10), p);
    assert_int_equal(
        interest_compute_paused(&t, 1000000, ymd(2025, 3, 31), ymd(2025, 4, 10), NULL, 0, p, n, &r),
        PM_OK);
    assert_int_equal(r.amount_minor, 0);
    assert_int_equal(r.days, 0);
    assert_int_equal(r.paused_days, 10);

    /* A part payment inside the pause: 5 000 kr paid 2025-05-10.  April
     * 30 days on 10 000 kr at 11 %, June 30 days on 5 000 kr at 11 %,
     * July-September 92 days on 5 000 kr at 10 %:
     *   (1 000 000 x 1100 x 30 + 500 000 x 1100 x 30 + 500 000 x 1000 x 92)
     *   / 3 650 000 = (33 000 + 16 500 + 46 000) x 10^6 / 3 650 000
     *   = 26 164,38 -> 261,64 kr. */
    {
        const struct capital_change pay = {ymd(2025, 5, 10), -500000};

        inv = stop(STOP_DISPUTE, ymd(2025, 5, 1), ymd(2025, 5, 31), true);
        n = reminder_stop_pauses(&inv, NULL, ymd(2025, 9, 30), p);
        assert_int_equal(interest_compute_paused(&t, 1000000, ymd(2025, 3, 31), ymd(2025, 9, 30),
                                                 &pay, 1, p, n, &r),
                         PM_OK);
        assert_int_equal(r.amount_minor, 26164);
    }
    rate_table_release(&t);
}

static void test_handover_refused(void **state)
{
    struct handover_facts f = {
        .company_activated = true,
        .due_date = ymd(2026, 2, 28),
        .remaining_minor = 100000,
        .currency = "SEK",
        .customer_name = "Anna Andersson",
        .address_line_1 = "Storgatan 1",
        .zip_code = "123 45",
        .city = "Småstad",
        .country = "SE",
        .id_number = "19121212-1212",
        .reminders_stopped = true,
        .stop_kind = STOP_PAYMENT_PLAN,
    };
    struct handover_reason r[HANDOVER_MAX_REASONS];

    (void)state;
    assert_int_equal(handover_check(&f, ymd(2026, 3, 20), r), 1);
    assert_string_equal(r[0].code, "reminders_stopped");
    assert_string_equal(r[0].field, "invoice.reminder_stop");
    assert_non_null(strstr(r[0].message_sv, "avbetalningsplan"));
    assert_non_null(strstr(r[0].message_en, "payment plan"));
    f.reminders_stopped = false;
    assert_int_equal(handover_check(&f, ymd(2026, 3, 20), r), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_covers_around_end),
        cmocka_unit_test(test_invoice_against_customer),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_pauses),
        cmocka_unit_test(test_interest_days_left_out),
        cmocka_unit_test(test_handover_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
