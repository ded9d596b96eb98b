/*
 * interest_test.c — unit tests for src/core/interest.c: the reference-rate
 * CSV (the shipped data/reference-rates.csv and strict rejections naming the
 * line), and late-payment interest with hand-computed öre figures: the check
 * value of interest.h, part payments, leap years, and days whose rate the
 * table does not know.
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
#include "core/interest.h"
#include "util/buf.h"

/* The shipped table without its comments (2020-01-01 .. 2026-01-01). */
static const char shipped[] = "from,reference_rate_percent,source\n"
                              "2020-01-01,0.00,Sveriges riksbank\n"
                              "2020-07-01,0.00,Sveriges riksbank\n"
                              "2021-01-01,0.00,Sveriges riksbank\n"
                              "2021-07-01,0.00,Sveriges riksbank\n"
                              "2022-01-01,0.00,Sveriges riksbank\n"
                              "2022-07-01,0.50,Sveriges riksbank\n"
                              "2023-01-01,2.50,Sveriges riksbank\n"
                              "2023-07-01,3.50,Sveriges riksbank\n"
                              "2024-01-01,4.00,Sveriges riksbank\n"
                              "2024-07-01,4.00,secondary\n"
                              "2025-01-01,3.00,secondary\n"
                              "2025-07-01,2.00,secondary\n"
                              "2026-01-01,2.00,secondary\n";

static int32_t ymd(int y, int m, int d)
{
    int32_t out = 0;

    assert_int_equal(date_from_ymd(y, m, d, &out), PM_OK);
    return out;
}

static int setup_table(void **state)
{
    struct rate_table *t = calloc(1, sizeof(*t));

    if (!t || rate_table_parse(shipped, strlen(shipped), t, NULL) != PM_OK) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int teardown_table(void **state)
{
    struct rate_table *t = *state;

    rate_table_release(t);
    free(t);
    return 0;
}

static void test_table_lookup(void **state)
{
    const struct rate_table *t = *state;
    int32_t bp = -1;

    assert_int_equal(t->n, 13);
    assert_int_equal(rate_table_known_until(t), ymd(2026, 6, 30));
    assert_int_equal(rate_table_reference_bp(t, ymd(2023, 8, 15), &bp), PM_OK);
    assert_int_equal(bp, 350);
    assert_int_equal(rate_table_reference_bp(t, ymd(2025, 6, 30), &bp), PM_OK);
    assert_int_equal(bp, 300);
    assert_int_equal(rate_table_reference_bp(t, ymd(2025, 7, 1), &bp), PM_OK);
    assert_int_equal(bp, 200);
    assert_int_equal(rate_table_reference_bp(t, ymd(2020, 1, 1), &bp), PM_OK);
    assert_int_equal(bp, 0);
    assert_int_equal(rate_table_reference_bp(t, ymd(2026, 7, 1), &bp), PM_ERR_UNKNOWN_RATE);
    assert_int_equal(rate_table_reference_bp(t, ymd(2019, 12, 31), &bp), PM_ERR_UNKNOWN_RATE);
}

/* interest.h's check value: 91 days at 11 % + 92 days at 10 % on 10 000 kr. */
static void test_check_value(void **state)
{
    const struct rate_table *t = *state;
    struct interest_result r;

    assert_int_equal(interest_compute(t, 1000000, ymd(2025, 3, 31), ymd(2025, 9, 30), NULL, 0, &r),
                     PM_OK);
    assert_int_equal(r.amount_minor, 52630); /* 526,30 kr */
    assert_int_equal(r.days, 183);
    assert_int_equal(r.first_day, ymd(2025, 4, 1));
    assert_int_equal(r.last_day, ymd(2025, 9, 30));
    assert_false(r.rate_unknown);
    assert_int_equal(r.estimate_minor, 52630);
    assert_int_equal(r.last_rate_bp, 1000);
}

/* 5 000 kr paid on 2025-06-30: 10 000 kr for 91 days at 11 %, then 5 000 kr
 * for 92 days at 10 %: (10^6*1100*91 + 5*10^5*1000*92) / 3 650 000
 * = 146 100 000 000 / 3 650 000 = 40 027,397 -> 400,27 kr. */
static void test_part_payment(void **state)
{
    const struct rate_table *t = *state;
    const struct capital_change pay = {ymd(2025, 6, 30), -500000};
    struct capital_change pay2 = {0, -500000};
    struct interest_result r;

    assert_int_equal(interest_compute(t, 1000000, ymd(2025, 3, 31), ymd(2025, 9, 30), &pay, 1, &r),
                     PM_OK);
    assert_int_equal(r.amount_minor, 40027);
    assert_int_equal(r.days, 183);

    /* Paid on 2025-07-01, the first day of a half-year: that day still runs
     * on 10 000 kr.  10^6*1100*91 + 10^6*1000*1 + 5*10^5*1000*91 =
     * 146 600 000 000 / 3 650 000 = 40 164,38 -> 401,64 kr. */
    pay2.date = ymd(2025, 7, 1);
    assert_int_equal(interest_compute(t, 1000000, ymd(2025, 3, 31), ymd(2025, 9, 30), &pay2, 1, &r),
                     PM_OK);
    assert_int_equal(r.amount_minor, 40164);
}

/* Changes in any order: 2 500 kr paid 2025-06-30 and 2025-04-30 (given in
 * reverse).  30 d x 10 000 kr x 11 % + 61 d x 7 500 kr x 11 % + 92 d x
 * 5 000 kr x 10 % = 129 325 000 000 / 3 650 000 = 35 431,507 -> 354,32 kr. */
static void test_changes_any_order(void **state)
{
    const struct rate_table *t = *state;
    const struct capital_change pays[] = {
        {ymd(2025, 6, 30), -250000},
        {ymd(2025, 4, 30), -250000},
    };
    struct interest_result r;

    assert_int_equal(interest_compute(t, 1000000, ymd(2025, 3, 31), ymd(2025, 9, 30), pays, 2, &r),
                     PM_OK);
    assert_int_equal(r.amount_minor, 35432);
}

static void test_payment_before_due_and_overpayment(void **state)
{
    const struct rate_table *t = *state;
    const struct capital_change early = {ymd(2025, 3, 1), -500000};
    const struct capital_change over = {ymd(2025, 4, 30), -1200000};
    struct interest_result r;

    /* 5 000 kr from the start: (5*10^5*(1100*91 + 1000*92)) / 3 650 000 = 26 315,07. */
    assert_int_equal(
        interest_compute(t, 1000000, ymd(2025, 3, 31), ymd(2025, 9, 30), &early, 1, &r), PM_OK);
    assert_int_equal(r.amount_minor, 26315);

    /* Over-paid on 2025-04-30: only April's 30 days count, 10^6*1100*30 / 3 650 000
     * = 9 041,10; the capital does not go negative afterwards. */
    assert_int_equal(interest_compute(t, 1000000, ymd(2025, 3, 31), ymd(2025, 9, 30), &over, 1, &r),
                     PM_OK);
    assert_int_equal(r.amount_minor, 9041);
}

/* 2024 has 366 days; actual/365 makes a whole leap year cost 366/365 of the
 * rate: 10^6 * 1200 * 366 / 3 650 000 = 120 328,77 -> 1 203,29 kr. */
static void test_leap_year_actual_365(void **state)
{
    const struct rate_table *t = *state;
    struct interest_result r;

    assert_int_equal(
        interest_compute(t, 1000000, ymd(2023, 12, 31), ymd(2024, 12, 31), NULL, 0, &r), PM_OK);
    assert_int_equal(r.days, 366);
    assert_int_equal(r.amount_minor, 120329);
    assert_int_equal(r.last_rate_bp, 1200);
}

/* Three half-years: 15 d at 8 %, 184 d at 8,5 %, 10 d at 10,5 %:
 * 10^6 * (800*15 + 850*184 + 1050*10) / 3 650 000 = 49 013,70 -> 490,14 kr. */
static void test_three_half_years(void **state)
{
    const struct rate_table *t = *state;
    struct interest_result r;

    assert_int_equal(interest_compute(t, 1000000, ymd(2022, 6, 15), ymd(2023, 1, 10), NULL, 0, &r),
                     PM_OK);
    assert_int_equal(r.days, 209);
    assert_int_equal(r.amount_minor, 49014);
    assert_int_equal(r.last_rate_bp, 1050);
}

static void test_not_yet_due(void **state)
{
    const struct rate_table *t = *state;
    struct interest_result r;

    memset(&r, 0x5a, sizeof(r));
    assert_int_equal(interest_compute(t, 1000000, ymd(2025, 3, 31), ymd(2025, 3, 31), NULL, 0, &r),
                     PM_OK);
    assert_int_equal(r.amount_minor, 0);
    assert_int_equal(r.estimate_minor, 0);
    assert_int_equal(r.days, 0);
    assert_int_equal(r.first_day, 0);
    assert_false(r.rate_unknown);
    assert_int_equal(interest_compute(t, 1000000, ymd(2025, 3, 31), ymd(2025, 1, 1), NULL, 0, &r),
                     PM_OK);
    assert_int_equal(r.amount_minor, 0);
}

/* Past the table (last half-year 2026-01-01): due 2025-12-31, to 2026-11-22.
 * Known: 181 days of 2026's first half at 10 %: 10^6*1000*181 / 3 650 000 =
 * 49 589,04.  With 10 % carried forward over all 326 days: 89 315,07. */
static void test_rate_unknown_after_table(void **state)
{
    const struct rate_table *t = *state;
    struct interest_result r;

    assert_int_equal(
        interest_compute(t, 1000000, ymd(2025, 12, 31), ymd(2026, 11, 22), NULL, 0, &r), PM_OK);
    assert_true(r.rate_unknown);
    assert_int_equal(r.unknown_from, ymd(2026, 7, 1));
    assert_int_equal(r.days, 181);
    assert_int_equal(r.amount_minor, 49589);
    assert_int_equal(r.estimate_minor, 89315);
    assert_int_equal(r.last_rate_bp, 1000);
    assert_int_equal(r.first_day, ymd(2026, 1, 1));
    assert_int_equal(r.last_day, ymd(2026, 11, 22));
}

static void test_rate_unknown_whole_span(void **state)
{
    const struct rate_table *t = *state;
    struct rate_table empty = {NULL, 0};
    struct interest_result r, before;

    memset(&r, 0x5a, sizeof(r));
    before = r;
    assert_int_equal(interest_compute(t, 1000000, ymd(2026, 6, 30), ymd(2026, 8, 1), NULL, 0, &r),
                     PM_ERR_UNKNOWN_RATE);
    assert_memory_equal(&r, &before, sizeof(r));
    assert_int_equal(
        interest_compute(&empty, 1000000, ymd(2025, 3, 31), ymd(2025, 9, 30), NULL, 0, &r),
        PM_ERR_UNKNOWN_RATE);
}

/* Before the table (first half-year 2020-01-01): due 2019-12-15, to
 * 2020-01-31.  The 16 December days are unknown and reported from
 * unknown_from = 2019-12-16; 31 known days at 8 %: 10^6*800*31 / 3 650 000 =
 * 6 794,52; the estimate values all 47 days at the first known 8 %:
 * 10 301,37. */
static void test_rate_unknown_before_table(void **state)
{
    const struct rate_table *t = *state;
    struct interest_result r;

    assert_int_equal(interest_compute(t, 1000000, ymd(2019, 12, 15), ymd(2020, 1, 31), NULL, 0, &r),
                     PM_OK);
    assert_true(r.rate_unknown);
    assert_int_equal(r.unknown_from, ymd(2019, 12, 16));
    assert_int_equal(r.days, 31);
    assert_int_equal(r.amount_minor, 6795);
    assert_int_equal(r.estimate_minor, 10301);
    assert_int_equal(r.last_rate_bp, 800);
}

static void test_out_of_range_inputs(void **state)
{
    const struct rate_table *t = *state;
    const struct capital_change huge = {ymd(2025, 4, 30), INT64_MAX};
    struct interest_result r;

    assert_int_equal(
        interest_compute(t, INT64_MAX, ymd(2025, 3, 31), ymd(2025, 9, 30), NULL, 0, &r),
        PM_ERR_RANGE);
    assert_int_equal(interest_compute(t, 1000000, ymd(2025, 3, 31), ymd(2025, 9, 30), &huge, 1, &r),
                     PM_ERR_RANGE);
    assert_int_equal(interest_compute(t, 1000000, INT32_MIN, INT32_MAX, NULL, 0, &r), PM_ERR_RANGE);
    /* The largest capital over the longest span still fits. */
    assert_int_equal(interest_compute(t, INT64_C(1000000000000000), ymd(2019, 12, 31),
                                      ymd(2026, 6, 30), NULL, 0, &r),
                     PM_OK);
    assert_true(r.amount_minor > INT64_C(400000000000000));
}

static void expect_rejected(const char *text, const char *line)
{
    struct rate_table t = {(struct rate_period *)1, 77};
    struct pm_error e;

    pm_error_clear(&e);
    assert_int_equal(rate_table_parse(text, strlen(text), &t, &e), PM_ERR_INVALID);
    if (!strstr(e.message, line))
        fail_msg("expected \"%s\" in \"%s\" for input:\n%s", line, e.message, text);
    /* Untouched on error. */
    assert_ptr_equal(t.periods, (struct rate_period *)1);
    assert_int_equal(t.n, 77);
}

#define H "from,reference_rate_percent\n"

static void test_parse_rejections(void **state)
{
    (void)state;
    expect_rejected(H "2020-01-01,0.00\n2021-01-01,0.00\n", "line 3"); /* gap */
    expect_rejected(H "2020-02-01,0.00\n", "line 2");                  /* not 1 Jan / 1 Jul */
    expect_rejected(H "2020-01-15,0.00\n", "line 2");
    expect_rejected(H "2020-07-01,0.00\n2020-01-01,0.00\n", "line 3"); /* descending */
    expect_rejected(H "2020-01-01,0.00\n2020-01-01,0.00\n", "line 3"); /* repeated */
    expect_rejected(H "2020-01-01,2.000\n", "line 2");                 /* three decimals */
    expect_rejected(H "2020-01-01,2.00x\n", "line 2");
    expect_rejected(H "2020-01-01,abc\n", "line 2");
    expect_rejected(H "2020-01-01, 2.00\n", "line 2");
    expect_rejected(H "2020-01-01,+2.00\n", "line 2");
    expect_rejected(H "2020-01-01,2\n", "line 2"); /* decimals required */
    expect_rejected(H "2020-01-01,2.\n", "line 2");
    expect_rejected(H "2020-01-01,.5\n", "line 2");
    expect_rejected(H "2020-01-01,50.01\n", "line 2");  /* above 50 */
    expect_rejected(H "2020-01-01,-10.50\n", "line 2"); /* below -10 */
    expect_rejected(H "2020-01-01,100.00\n", "line 2");
    expect_rejected(H "2020-01-01\n", "line 2");        /* missing rate */
    expect_rejected(H "2020-01-01,2.00,x\n", "line 2"); /* more fields than the header */
    expect_rejected(H "2020-01-01,3,5\n", "line 2");    /* unquoted decimal comma */
    expect_rejected(H "20200101,0.00\n", "line 2");
    expect_rejected(H "2020-13-01,0.00\n", "line 2");
    expect_rejected(H "\"2020-01-01\",0.00\n", "line 2");
    expect_rejected(H "2020-01-01,\"2.00\n", "line 2"); /* unterminated quote */
    expect_rejected("# only a comment\n" H "2020-01-01,0.00\n2020-07-01,0.005\n", "line 4");
    expect_rejected("2020-01-01,0.00\n", "line 1"); /* no header */
    expect_rejected("from,rate\n2020-01-01,0.00\n", "line 1");
    expect_rejected("junk\x01\xff\n", "line 1");
    expect_rejected("", "line 1");
    expect_rejected(H, "line 2"); /* no rates */
    expect_rejected(H "2020-01-01,0.00\r\r\n", "line 2");
}

static void test_parse_accepts(void **state)
{
    const char text[] = "\xEF\xBB\xBF# comment\r\n"
                        "\r\n"
                        "from,reference_rate_percent,note\r\n"
                        "2023-01-01,\"2,5\",\"Riksbank, 9 \"\"§\"\"\"\r\n"
                        "2023-07-01,3.5,\r\n"
                        "2024-01-01,-0.50,x";
    struct rate_table t = {NULL, 0};
    struct pm_error e;

    (void)state;
    assert_int_equal(rate_table_parse(text, strlen(text), &t, &e), PM_OK);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.periods[0].from, ymd(2023, 1, 1));
    assert_int_equal(t.periods[0].reference_bp, 250);
    assert_int_equal(t.periods[1].reference_bp, 350);
    assert_int_equal(t.periods[2].reference_bp, -50);
    assert_int_equal(rate_table_known_until(&t), ymd(2024, 6, 30));
    rate_table_release(&t);
    assert_null(t.periods);
    assert_int_equal(t.n, 0);
    assert_int_equal(rate_table_known_until(&t), -1);
    rate_table_release(&t); /* twice is harmless */
}

/* A very negative reference rate never turns into negative interest. */
static void test_negative_rate_floor(void **state)
{
    const char text[] = H "2020-01-01,-10.00\n";
    struct rate_table t = {NULL, 0};
    struct interest_result r;

    (void)state;
    assert_int_equal(rate_table_parse(text, strlen(text), &t, NULL), PM_OK);
    assert_int_equal(interest_compute(&t, 1000000, ymd(2020, 1, 1), ymd(2020, 6, 30), NULL, 0, &r),
                     PM_OK);
    assert_int_equal(r.amount_minor, 0);
    assert_int_equal(r.last_rate_bp, 0);
    rate_table_release(&t);
}

/* The file the product ships, read as the product reads it. */
static void test_shipped_file(void **state)
{
    const char *dir = getenv("PAMINN_SOURCE_DIR");
    struct buf b = BUF_INIT;
    struct rate_table t = {NULL, 0};
    struct interest_result r;
    struct pm_error e;
    char path[4096];
    int32_t bp = -1;

    (void)state;
    assert_non_null(dir);
    snprintf(path, sizeof(path), "%s/data/reference-rates.csv", dir);
    assert_int_equal(buf_read_file(&b, path, 1 << 20), PM_OK);
    pm_error_clear(&e);
    if (rate_table_parse(b.data, b.len, &t, &e) != PM_OK)
        fail_msg("%s: %s", path, e.message);
    assert_int_equal(t.n, 13);
    assert_int_equal(t.periods[0].from, ymd(2020, 1, 1));
    assert_int_equal(rate_table_known_until(&t), ymd(2026, 6, 30));
    assert_int_equal(rate_table_reference_bp(&t, ymd(2023, 3, 1), &bp), PM_OK);
    assert_int_equal(bp, 250);
    assert_int_equal(interest_compute(&t, 1000000, ymd(2025, 3, 31), ymd(2025, 9, 30), NULL, 0, &r),
                     PM_OK);
    assert_int_equal(r.amount_minor, 52630);
    rate_table_release(&t);
    buf_release(&b);
}

/* The half-year an administrator adds after the shipped table: the next
 * one only, a multiple of 0.50 % (räntelagen 9 §: the policy rate rounded
 * up to the nearest half percentage point); the shipped table wins where
 * both have a half-year, and the interest of 2026-07-01..09-30 on
 * 10 000 kr at 1,50 + 8 = 9,50 % is 1 000 000 × 950 × 92 / 3 650 000 =
 * 23 945,2 öre → 239,45 kr. */
static void test_added_rates(void **state)
{
    const struct rate_table *t = *state;
    const struct rate_period *p;
    struct rate_period add[3];
    struct rate_table ext = {0};
    struct interest_result r;
    struct pm_error e = {0};
    int32_t bp = 0;

    p = rate_table_period(t, ymd(2026, 3, 15));
    assert_non_null(p);
    assert_int_equal(p->from, ymd(2026, 1, 1));
    assert_string_equal(p->source, "secondary");
    assert_int_equal(p->added, 0);
    assert_null(rate_table_period(t, ymd(2026, 7, 1)));

    assert_int_equal(rate_parse_percent("1.50", &bp), PM_OK);
    assert_int_equal(bp, 150);
    assert_int_equal(rate_parse_percent("2,5", &bp), PM_OK);
    assert_int_equal(bp, 250);
    assert_int_equal(rate_parse_percent("2", &bp), PM_ERR_INVALID);
    assert_int_equal(rate_parse_percent("två", &bp), PM_ERR_INVALID);

    assert_int_equal(rate_check_new(t, ymd(2026, 7, 1), 150, &e), PM_OK);
    assert_int_equal(rate_check_new(t, ymd(2026, 7, 1), 175, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "rate");
    assert_int_equal(rate_check_new(t, ymd(2026, 7, 1), 5050, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "rate");
    assert_int_equal(rate_check_new(t, ymd(2027, 1, 1), 150, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "valid_from");
    assert_non_null(strstr(e.message, "2026-07-01"));
    assert_int_equal(rate_check_new(t, ymd(2026, 1, 1), 200, &e), PM_ERR_CONFLICT);
    assert_string_equal(e.field, "valid_from");
    assert_int_equal(rate_check_new(t, ymd(2026, 7, 2), 150, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "valid_from");

    memset(add, 0, sizeof(add));
    add[0].from = ymd(2025, 7, 1); /* the shipped table has it: skipped */
    add[0].reference_bp = 900;
    add[1].from = ymd(2026, 7, 1);
    add[1].reference_bp = 150;
    snprintf(add[1].source, sizeof(add[1].source), "Riksbanken");
    add[1].added = ymd(2026, 6, 30);
    add[2].from = ymd(2027, 7, 1); /* after a gap: not taken */
    add[2].reference_bp = 100;
    assert_int_equal(rate_table_extend(t, add, 3, &ext), PM_OK);
    assert_int_equal(ext.n, t->n + 1);
    assert_int_equal(rate_table_known_until(&ext), ymd(2026, 12, 31));
    p = rate_table_period(&ext, ymd(2025, 9, 1));
    assert_int_equal(p->reference_bp, 200);
    p = rate_table_period(&ext, ymd(2026, 9, 30));
    assert_int_equal(p->reference_bp, 150);
    assert_string_equal(p->source, "Riksbanken");
    assert_int_equal(p->added, ymd(2026, 6, 30));

    assert_int_equal(interest_compute(t, 1000000, ymd(2026, 6, 30), ymd(2026, 9, 30), NULL, 0, &r),
                     PM_ERR_UNKNOWN_RATE);
    assert_int_equal(
        interest_compute(&ext, 1000000, ymd(2026, 6, 30), ymd(2026, 9, 30), NULL, 0, &r), PM_OK);
    assert_false(r.rate_unknown);
    assert_int_equal(r.days, 92);
    assert_int_equal(r.amount_minor, 23945);
    rate_table_release(&ext);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_table_lookup, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_check_value, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_part_payment, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_changes_any_order, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_payment_before_due_and_overpayment, setup_table,
                                        teardown_table),
        cmocka_unit_test_setup_teardown(test_leap_year_actual_365, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_three_half_years, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_not_yet_due, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_rate_unknown_after_table, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_rate_unknown_whole_span, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_rate_unknown_before_table, setup_table,
                                        teardown_table),
        cmocka_unit_test_setup_teardown(test_out_of_range_inputs, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_added_rates, setup_table, teardown_table),
        cmocka_unit_test(test_parse_rejections),
        cmocka_unit_test(test_parse_accepts),
        cmocka_unit_test(test_negative_rate_floor),
        cmocka_unit_test(test_shipped_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
