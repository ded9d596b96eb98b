/*
 * dunning_test.c — unit tests for src/core/dunning.c: the Swedish default
 * policy (one reminder 10 days after the due date, hand-over 14 days
 * after it), the checks of a policy (each naming its field), and the run's
 * decision for one invoice, day by day around each boundary, hand-checked:
 * an invoice due 2026-03-02 under the default is reminded from 2026-03-12
 * (due + 10), and after a reminder on 2026-03-12 handed over from
 * 2026-03-26 (+ 14).  The reminder fee is core/fees.h's rule (lag
 * 1981:739: only where agreed, at most 60 kr, once per invoice).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/date.h"
#include "core/dunning.h"

static int32_t ymd(int y, int m, int d)
{
    int32_t out = 0;

    assert_int_equal(date_from_ymd(y, m, d, &out), PM_OK);
    return out;
}

/* An open, overdue SEK invoice of 1 250 kr due 2026-03-02 whose customer
 * has an e-mail address, nothing reminded yet, a 60 kr fee agreed. */
static struct dunning_facts open_invoice(void)
{
    struct dunning_facts f;

    memset(&f, 0, sizeof(f));
    f.state = DUNNING_INV_OPEN;
    f.due_date = ymd(2026, 3, 2);
    f.remaining_minor = 125000;
    f.sek = true;
    f.has_email = true;
    f.fee_agreed_minor = 6000;
    return f;
}

static void test_default_policy(void **state)
{
    struct dunning_policy p;
    struct pm_error e = {0};

    (void)state;
    dunning_policy_default(&p);
    assert_int_equal(p.n_levels, 1);
    assert_int_equal(p.levels[0].days, 10);
    assert_int_equal(p.levels[0].anchor, DUNNING_ANCHOR_DUE);
    assert_true(p.levels[0].fee);
    assert_int_equal(p.final_step, DUNNING_FINAL_HANDOVER);
    assert_int_equal(p.handover_days, 14);
    assert_int_equal(p.approval, DUNNING_APPROVAL_MANUAL);
    assert_false(p.enabled);
    assert_int_equal(dunning_policy_check(&p, &e), PM_OK);
}

static void test_check_names_fields(void **state)
{
    struct dunning_policy p;
    struct pm_error e = {0};

    (void)state;
    dunning_policy_default(&p);
    p.levels[0].days = 0;
    assert_int_equal(dunning_policy_check(&p, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "levels[0].days");

    dunning_policy_default(&p);
    p.n_levels = 2;
    p.levels[1] = p.levels[0]; /* due + 10 again: not after level 1 */
    assert_int_equal(dunning_policy_check(&p, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "levels[1].days");
    p.levels[1].anchor = DUNNING_ANCHOR_PREVIOUS; /* 10 days after level 1: fine */
    assert_int_equal(dunning_policy_check(&p, &e), PM_OK);
    p.levels[1].days = 366;
    assert_int_equal(dunning_policy_check(&p, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "levels[1].days");

    dunning_policy_default(&p);
    memset(p.levels[0].text_en, 'x', DUNNING_TEXT_MAX);
    assert_int_equal(dunning_policy_check(&p, &e), PM_OK); /* exactly the limit */

    dunning_policy_default(&p);
    p.n_levels = 0;
    p.final_step = DUNNING_FINAL_NONE;
    assert_int_equal(dunning_policy_check(&p, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "levels");
    p.n_levels = DUNNING_LEVELS_MAX + 1;
    assert_int_equal(dunning_policy_check(&p, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "levels");

    dunning_policy_default(&p);
    p.minimum_minor = -1;
    assert_int_equal(dunning_policy_check(&p, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "minimum_minor");

    dunning_policy_default(&p);
    p.handover_days = 0;
    assert_int_equal(dunning_policy_check(&p, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "handover_days");
    p.final_step = DUNNING_FINAL_NONE; /* not asked without a hand-over */
    assert_int_equal(dunning_policy_check(&p, &e), PM_OK);
}

static void test_names_round_trip(void **state)
{
    enum dunning_reason r;
    enum dunning_channel c;
    int i;

    (void)state;
    for (i = 1; i < DUNNING_REASON_COUNT; i++) {
        assert_int_equal(dunning_reason_parse(dunning_reason_name((enum dunning_reason)i), &r),
                         PM_OK);
        assert_int_equal(r, i);
        assert_true(dunning_reason_label((enum dunning_reason)i, false)[0] != '\0');
    }
    assert_int_equal(dunning_reason_parse("", &r), PM_ERR_INVALID);
    assert_int_equal(dunning_channel_parse("both", &c), PM_OK);
    assert_int_equal(c, DUNNING_CHANNEL_BOTH);
    assert_int_equal(dunning_channel_parse("sms", &c), PM_ERR_INVALID);
    assert_string_equal(dunning_reason_label(DUNNING_REASON_DISPUTED, false), "Bestridd");
    assert_string_equal(dunning_reason_label(DUNNING_REASON_DISPUTED, true), "Disputed");
}

static void test_first_level_day_by_day(void **state)
{
    struct dunning_policy p;
    struct dunning_facts f = open_invoice();
    struct dunning_decision d;

    (void)state;
    dunning_policy_default(&p);
    dunning_decide(&p, &f, ymd(2026, 3, 2), &d); /* the due date itself */
    assert_int_equal(d.action, DUNNING_ACTION_NONE);
    assert_int_equal(d.reason, DUNNING_REASON_NOT_YET_DUE);
    dunning_decide(&p, &f, ymd(2026, 3, 11), &d); /* due + 9 */
    assert_int_equal(d.reason, DUNNING_REASON_NOT_YET_DUE);
    assert_int_equal(d.next_day, ymd(2026, 3, 12));
    dunning_decide(&p, &f, ymd(2026, 3, 12), &d); /* due + 10 */
    assert_int_equal(d.action, DUNNING_ACTION_REMIND);
    assert_int_equal(d.level, 1);
    assert_int_equal(d.channel, DUNNING_CHANNEL_BOTH);
    assert_true(d.fee);
    assert_int_equal(d.fee_minor, 6000);
    /* a missed day is caught up the next run */
    dunning_decide(&p, &f, ymd(2026, 3, 20), &d);
    assert_int_equal(d.action, DUNNING_ACTION_REMIND);
}

static void test_handover_after_last_level(void **state)
{
    struct dunning_policy p;
    struct dunning_facts f = open_invoice();
    struct dunning_decision d;

    (void)state;
    dunning_policy_default(&p);
    f.last_level = 1;
    f.last_level_date = ymd(2026, 3, 12);
    f.fee_charged_before = true;
    dunning_decide(&p, &f, ymd(2026, 3, 25), &d); /* reminder + 13 */
    assert_int_equal(d.action, DUNNING_ACTION_NONE);
    assert_int_equal(d.reason, DUNNING_REASON_WAITING_FOR_HANDOVER);
    assert_int_equal(d.next_day, ymd(2026, 3, 26));
    dunning_decide(&p, &f, ymd(2026, 3, 26), &d); /* reminder + 14 */
    assert_int_equal(d.action, DUNNING_ACTION_HANDOVER);
    /* not eligible: core/handover's reason is passed on */
    f.n_handover_reasons = 2;
    f.handover_reason_code = "missing_zip_code";
    dunning_decide(&p, &f, ymd(2026, 3, 26), &d);
    assert_int_equal(d.reason, DUNNING_REASON_NOT_ELIGIBLE_FOR_HANDOVER);
    assert_string_equal(d.handover_reason, "missing_zip_code");
    /* without a final step the invoice rests */
    p.final_step = DUNNING_FINAL_NONE;
    dunning_decide(&p, &f, ymd(2026, 4, 30), &d);
    assert_int_equal(d.reason, DUNNING_REASON_LAST_LEVEL_DONE);
}

static void test_second_level_anchors(void **state)
{
    struct dunning_policy p;
    struct dunning_facts f = open_invoice();
    struct dunning_decision d;

    (void)state;
    dunning_policy_default(&p);
    p.n_levels = 2;
    p.levels[1] = p.levels[0];
    p.levels[1].days = 7;
    p.levels[1].anchor = DUNNING_ANCHOR_PREVIOUS;
    p.levels[1].channel = DUNNING_CHANNEL_LETTER;
    f.last_level = 1;
    f.last_level_date = ymd(2026, 3, 14); /* reminded two days late */
    f.fee_charged_before = true;
    dunning_decide(&p, &f, ymd(2026, 3, 20), &d);
    assert_int_equal(d.reason, DUNNING_REASON_NOT_YET_DUE);
    assert_int_equal(d.next_day, ymd(2026, 3, 21)); /* 14 + 7 */
    dunning_decide(&p, &f, ymd(2026, 3, 21), &d);
    assert_int_equal(d.action, DUNNING_ACTION_REMIND);
    assert_int_equal(d.level, 2);
    assert_true(d.fee);
    assert_int_equal(d.fee_minor, 0); /* one fee per invoice */
    /* anchored on the due date instead: due + 25 */
    p.levels[1].anchor = DUNNING_ANCHOR_DUE;
    p.levels[1].days = 25;
    assert_int_equal(dunning_level_day(&p, 2, f.due_date, f.last_level_date), ymd(2026, 3, 27));
    /* a letter needs no e-mail address */
    f.has_email = false;
    dunning_decide(&p, &f, ymd(2026, 3, 27), &d);
    assert_int_equal(d.action, DUNNING_ACTION_REMIND);
    /* the handover after level 2 is reckoned from level 2's reminder */
    f.last_level = 2;
    f.last_level_date = ymd(2026, 3, 27);
    dunning_decide(&p, &f, ymd(2026, 4, 9), &d);
    assert_int_equal(d.reason, DUNNING_REASON_WAITING_FOR_HANDOVER);
    dunning_decide(&p, &f, ymd(2026, 4, 10), &d);
    assert_int_equal(d.action, DUNNING_ACTION_HANDOVER);
}

static void test_fee_only_where_agreed(void **state)
{
    struct dunning_policy p;
    struct dunning_facts f = open_invoice();
    struct dunning_decision d;

    (void)state;
    dunning_policy_default(&p);
    f.fee_agreed_minor = 0;
    dunning_decide(&p, &f, ymd(2026, 3, 12), &d);
    assert_int_equal(d.action, DUNNING_ACTION_REMIND);
    assert_int_equal(d.fee_minor, 0);
    f.fee_agreed_minor = 9000; /* capped at 60 kr */
    dunning_decide(&p, &f, ymd(2026, 3, 12), &d);
    assert_int_equal(d.fee_minor, 6000);
    p.levels[0].fee = false;
    dunning_decide(&p, &f, ymd(2026, 3, 12), &d);
    assert_false(d.fee);
    assert_int_equal(d.fee_minor, 0);
}

static void test_reasons_in_order(void **state)
{
    struct dunning_policy p;
    struct dunning_facts f;
    struct dunning_decision d;
    int32_t day = ymd(2026, 3, 12);

    (void)state;
    dunning_policy_default(&p);
    p.minimum_minor = 10000; /* 100 kr */

    f = open_invoice();
    f.state = DUNNING_INV_PAID;
    f.remaining_minor = 0;
    f.stopped = true;
    dunning_decide(&p, &f, day, &d);
    assert_int_equal(d.reason, DUNNING_REASON_PAID);

    f = open_invoice();
    f.state = DUNNING_INV_CREDITED;
    dunning_decide(&p, &f, day, &d);
    assert_int_equal(d.reason, DUNNING_REASON_CREDITED);

    f = open_invoice();
    f.with_agency = true;
    f.stopped = true;
    dunning_decide(&p, &f, day, &d);
    assert_int_equal(d.reason, DUNNING_REASON_WITH_AGENCY);

    f = open_invoice();
    f.stopped = true;
    f.disputed = true;
    dunning_decide(&p, &f, day, &d);
    assert_int_equal(d.reason, DUNNING_REASON_DISPUTED);
    f.disputed = false;
    dunning_decide(&p, &f, day, &d);
    assert_int_equal(d.reason, DUNNING_REASON_STOPPED);

    f = open_invoice();
    f.remaining_minor = 9999; /* 99,99 kr < 100 kr */
    dunning_decide(&p, &f, day, &d);
    assert_int_equal(d.reason, DUNNING_REASON_UNDER_MINIMUM);
    f.remaining_minor = 10000; /* exactly the minimum: reminded */
    dunning_decide(&p, &f, day, &d);
    assert_int_equal(d.action, DUNNING_ACTION_REMIND);

    f = open_invoice();
    f.has_email = false;
    dunning_decide(&p, &f, day, &d);
    assert_int_equal(d.reason, DUNNING_REASON_MISSING_EMAIL);
    /* not yet due wins over the missing address */
    dunning_decide(&p, &f, day - 1, &d);
    assert_int_equal(d.reason, DUNNING_REASON_NOT_YET_DUE);

    f = open_invoice();
    f.sek = false;
    dunning_decide(&p, &f, day, &d);
    assert_int_equal(d.reason, DUNNING_REASON_NOT_SEK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_policy),
        cmocka_unit_test(test_check_names_fields),
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_first_level_day_by_day),
        cmocka_unit_test(test_handover_after_last_level),
        cmocka_unit_test(test_second_level_anchors),
        cmocka_unit_test(test_fee_only_where_agreed),
        cmocka_unit_test(test_reasons_in_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
