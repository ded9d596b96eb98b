/*
 * invoice_test.c — unit tests for src/core/invoice.c: totals per VAT rate,
 * the ROT/RUT customer part with hand-checked Swedish figures, validation
 * with the offending field named, balance/status as the list shows it, the
 * remaining amount and state the store keeps on insert and after a payment,
 * and what the list's filters select.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/date.h"
#include "core/invoice.h"
#include "core/money.h"

static int32_t ymd(int y, int m, int d)
{
    int32_t out = 0;

    assert_int_equal(date_from_ymd(y, m, d, &out), PM_OK);
    return out;
}

static void test_kind_and_rates(void **state)
{
    enum invoice_kind k = INVOICE_STANDARD;

    (void)state;
    assert_int_equal(invoice_kind_parse("rot", &k), PM_OK);
    assert_int_equal(k, INVOICE_ROT);
    assert_int_equal(invoice_kind_parse("rut", &k), PM_OK);
    assert_int_equal(k, INVOICE_RUT);
    assert_int_equal(invoice_kind_parse("standard", &k), PM_OK);
    assert_int_equal(k, INVOICE_STANDARD);
    assert_int_equal(invoice_kind_parse("ROT", &k), PM_ERR_INVALID);
    assert_int_equal(invoice_kind_parse("green", &k), PM_ERR_INVALID);
    assert_int_equal(invoice_kind_parse("", &k), PM_ERR_INVALID);
    assert_string_equal(invoice_kind_name(INVOICE_RUT), "rut");
    assert_string_equal(invoice_kind_name(INVOICE_STANDARD), "standard");

    assert_int_equal(vat_index(2500), VAT_25);
    assert_int_equal(vat_index(1200), VAT_12);
    assert_int_equal(vat_index(600), VAT_6);
    assert_int_equal(vat_index(0), VAT_0);
    assert_int_equal(vat_index(2000), -1);
    assert_int_equal(vat_rates[VAT_12].bp, 1200);
}

static void test_reduction_share_by_date(void **state)
{
    (void)state;
    assert_int_equal(invoice_reduction_bp(INVOICE_STANDARD, ymd(2025, 6, 1)), 0);
    assert_int_equal(invoice_reduction_bp(INVOICE_RUT, ymd(2025, 6, 1)), 5000);
    assert_int_equal(invoice_reduction_bp(INVOICE_RUT, ymd(2026, 3, 1)), 5000);
    assert_int_equal(invoice_reduction_bp(INVOICE_ROT, ymd(2025, 5, 11)), 3000);
    assert_int_equal(invoice_reduction_bp(INVOICE_ROT, ymd(2025, 5, 12)), 5000);
    assert_int_equal(invoice_reduction_bp(INVOICE_ROT, ymd(2025, 12, 31)), 5000);
    assert_int_equal(invoice_reduction_bp(INVOICE_ROT, ymd(2026, 1, 1)), 3000);
}

/* 2 h à 1 250,00 + 1,5 h à 399,90 at 25 %, 3 st à 89,50 at 12 %. */
static void test_standard_two_rates(void **state)
{
    const struct invoice_line lines[] = {
        {2000, 125000, 2500, false},
        {1500, 39990, 2500, false},
        {3000, 8950, 1200, false},
    };
    struct invoice_totals t;
    struct pm_error e;

    (void)state;
    assert_int_equal(invoice_compute(INVOICE_STANDARD, ymd(2026, 3, 1), lines, 3, &t, &e), PM_OK);
    assert_int_equal(t.net_by_rate[VAT_25], 309985); /* 2 500,00 + 599,85 */
    assert_int_equal(t.vat_by_rate[VAT_25], 77496);  /* 774,9625 -> 774,96 */
    assert_int_equal(t.net_by_rate[VAT_12], 26850);
    assert_int_equal(t.vat_by_rate[VAT_12], 3222);
    assert_int_equal(t.net_by_rate[VAT_6], 0);
    assert_int_equal(t.net_minor, 336835);
    assert_int_equal(t.vat_minor, 80718);
    assert_int_equal(t.total_minor, 417553); /* 4 175,53 kr */
    assert_int_equal(t.labour_minor, 0);
    assert_int_equal(t.tax_reduction_minor, 0);
    assert_int_equal(t.customer_part_minor, 417553);
}

/* 40 h labour à 250 kr = 10 000 kr + material 4 000 kr, all at 25 %. */
static const struct invoice_line rot_lines[] = {
    {40000, 25000, 2500, true},
    {1000, 400000, 2500, false},
};

static void test_rot_2026(void **state)
{
    struct invoice_totals t;

    (void)state;
    assert_int_equal(invoice_compute(INVOICE_ROT, ymd(2026, 3, 1), rot_lines, 2, &t, NULL), PM_OK);
    assert_int_equal(t.net_minor, 1400000);
    assert_int_equal(t.vat_minor, 350000);
    assert_int_equal(t.total_minor, 1750000);         /* 17 500 kr */
    assert_int_equal(t.labour_minor, 1250000);        /* 12 500 kr incl. VAT */
    assert_int_equal(t.tax_reduction_minor, 375000);  /* 30 % = 3 750 kr */
    assert_int_equal(t.customer_part_minor, 1375000); /* 13 750 kr */
}

static void test_rot_temporary_50_percent(void **state)
{
    struct invoice_totals t;

    (void)state;
    assert_int_equal(invoice_compute(INVOICE_ROT, ymd(2025, 6, 1), rot_lines, 2, &t, NULL), PM_OK);
    assert_int_equal(t.total_minor, 1750000);
    assert_int_equal(t.tax_reduction_minor, 625000);  /* 50 % of 12 500 = 6 250 kr */
    assert_int_equal(t.customer_part_minor, 1125000); /* 11 250 kr */
}

/* 8 h cleaning à 500 kr + travel 200 kr (no reduction on travel). */
static void test_rut(void **state)
{
    const struct invoice_line lines[] = {
        {8000, 50000, 2500, true},
        {1000, 20000, 2500, false},
    };
    struct invoice_totals t;

    (void)state;
    assert_int_equal(invoice_compute(INVOICE_RUT, ymd(2026, 3, 1), lines, 2, &t, NULL), PM_OK);
    assert_int_equal(t.total_minor, 525000);         /* 4 200 + 1 050 VAT */
    assert_int_equal(t.labour_minor, 500000);        /* 4 000 + 1 000 VAT */
    assert_int_equal(t.tax_reduction_minor, 250000); /* 2 500 kr */
    assert_int_equal(t.customer_part_minor, 275000); /* 2 750 kr */
}

static void test_line_rounding(void **state)
{
    const struct invoice_line exact[] = {{333, 1000, 2500, false}};
    const struct invoice_line halves[] = {
        {1500, 333, 2500, false}, /* 4,995 kr -> 5,00 kr */
        {333, 1001, 2500, false}, /* 3,33333 kr -> 3,33 kr */
    };
    const struct invoice_line discount[] = {
        {1000, 1000, 2500, false},
        {1500, -1, 2500, false}, /* 1,5 x -1 öre = -1,5 öre -> -2 öre (away from zero) */
    };
    struct invoice_totals t;

    (void)state;
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, exact, 1, &t, NULL), PM_OK);
    assert_int_equal(t.net_minor, 333);
    assert_int_equal(t.vat_minor, 83); /* 83,25 */
    assert_int_equal(t.total_minor, 416);

    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, halves, 2, &t, NULL), PM_OK);
    assert_int_equal(t.net_minor, 833);
    assert_int_equal(t.vat_minor, 208); /* 208,25 */
    assert_int_equal(t.total_minor, 1041);

    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, discount, 2, &t, NULL), PM_OK);
    assert_int_equal(t.net_minor, 998);
    assert_int_equal(t.vat_minor, 250); /* 249,5 -> 250 */
}

/* VAT is taken on each rate's sum, not per line: two lines of 0,10 kr at
 * 25 % give 0,05 kr VAT, not 2 x 0,03. */
static void test_vat_on_rate_sum(void **state)
{
    const struct invoice_line lines[] = {
        {1000, 10, 2500, false},
        {1000, 10, 2500, false},
    };
    struct invoice_totals t;

    (void)state;
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, lines, 2, &t, NULL), PM_OK);
    assert_int_equal(t.vat_minor, 5);
    assert_int_equal(t.total_minor, 25);
}

/* The labour cost's VAT is computed from the labour lines alone (documented
 * choice): 10 öre labour carries 2,5 -> 3 öre VAT although the invoice's
 * VAT on 20 öre is 5 öre. */
static void test_labour_vat_from_labour_lines(void **state)
{
    const struct invoice_line lines[] = {
        {1000, 10, 2500, true},
        {1000, 10, 2500, false},
    };
    struct invoice_totals t;

    (void)state;
    assert_int_equal(invoice_compute(INVOICE_RUT, ymd(2026, 3, 1), lines, 2, &t, NULL), PM_OK);
    assert_int_equal(t.total_minor, 25);
    assert_int_equal(t.labour_minor, 13);
    assert_int_equal(t.tax_reduction_minor, 7); /* 6,5 -> 7 */
    assert_int_equal(t.customer_part_minor, 18);
}

static void test_rejections_name_the_field(void **state)
{
    struct invoice_line lines[3] = {
        {1000, 10000, 2500, false},
        {1000, 10000, 2500, false},
        {1000, 10000, 2500, false},
    };
    struct invoice_line many[1001];
    struct invoice_totals t, before;
    struct pm_error e;

    (void)state;
    memset(&t, 0x5a, sizeof(t));
    before = t;

    lines[1].labour = true;
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, lines, 3, &t, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "lines[1].labour");
    assert_memory_equal(&t, &before, sizeof(t));
    lines[1].labour = false;

    lines[2].vat_rate_bp = 2000;
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, lines, 3, &t, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "lines[2].vat_rate_bp");
    lines[2].vat_rate_bp = 2500;

    lines[0].quantity_milli = 0;
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, lines, 3, &t, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "lines[0].quantity_milli");
    lines[0].quantity_milli = 1000000001;
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, lines, 3, &t, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "lines[0].quantity_milli");
    lines[0].quantity_milli = 1000;

    lines[0].unit_price_minor = INT64_C(1000000000000001);
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, lines, 3, &t, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "lines[0].unit_price_minor");
    /* 10^6 units at the highest price cannot be represented. */
    lines[0].unit_price_minor = INT64_C(1000000000000000);
    lines[0].quantity_milli = 1000000000;
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, lines, 3, &t, &e), PM_ERR_OVERFLOW);
    assert_string_equal(e.field, "lines[0]");
    lines[0].unit_price_minor = 10000;
    lines[0].quantity_milli = 1000;

    /* A discount larger than the rest: the total would be negative. */
    lines[2].unit_price_minor = -30000;
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, lines, 3, &t, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "lines");
    lines[2].unit_price_minor = -20000; /* exactly zero */
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, lines, 3, &t, &e), PM_ERR_RANGE);
    assert_memory_equal(&t, &before, sizeof(t));
    lines[2].unit_price_minor = 10000;

    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, lines, 0, &t, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "lines");
    for (size_t i = 0; i < 1001; i++)
        many[i] = lines[0];
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, many, 1001, &t, &e), PM_ERR_RANGE);
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 0, many, 1000, &t, &e), PM_OK);
    assert_int_equal(t.total_minor, 1000 * 12500);
}

static void test_remaining_and_status(void **state)
{
    struct invoice_balance b = {1375000, 0, 0, false, 0};
    int32_t due = ymd(2025, 3, 31);
    int64_t rem = 0;

    (void)state;
    b.due_date = due;
    assert_int_equal(invoice_remaining(&b, &rem), PM_OK);
    assert_int_equal(rem, 1375000);
    assert_int_equal(invoice_status_of(&b, due), INVOICE_UNPAID);
    assert_int_equal(invoice_days_overdue(due, due), 0);
    assert_int_equal(invoice_status_of(&b, ymd(2025, 4, 1)), INVOICE_OVERDUE);
    assert_int_equal(invoice_days_overdue(due, ymd(2025, 4, 1)), 1);
    assert_int_equal(invoice_days_overdue(due, ymd(2025, 9, 30)), 183);
    assert_int_equal(invoice_days_overdue(due, ymd(2025, 1, 1)), 0);

    /* Part payment: still overdue with the rest remaining. */
    b.paid_minor = 375000;
    assert_int_equal(invoice_remaining(&b, &rem), PM_OK);
    assert_int_equal(rem, 1000000);
    assert_int_equal(invoice_status_of(&b, ymd(2025, 4, 1)), INVOICE_OVERDUE);

    /* Rest credited: settled. */
    b.credited_minor = 1000000;
    assert_int_equal(invoice_remaining(&b, &rem), PM_OK);
    assert_int_equal(rem, 0);
    assert_int_equal(invoice_status_of(&b, ymd(2025, 4, 1)), INVOICE_PAID);

    /* Over-payment shows as a negative remaining. */
    b.credited_minor = 0;
    b.paid_minor = 1400000;
    assert_int_equal(invoice_remaining(&b, &rem), PM_OK);
    assert_int_equal(rem, -25000);
    assert_int_equal(invoice_status_of(&b, ymd(2025, 4, 1)), INVOICE_PAID);

    /* Fully credited, nothing paid. */
    b.paid_minor = 0;
    b.credited_minor = 1375000;
    assert_int_equal(invoice_status_of(&b, ymd(2025, 4, 1)), INVOICE_CREDITED);

    /* A confirmed loss wins over everything. */
    b.credited_minor = 0;
    b.written_off = true;
    assert_int_equal(invoice_status_of(&b, ymd(2025, 4, 1)), INVOICE_WRITTEN_OFF);

    assert_string_equal(invoice_status_name(INVOICE_UNPAID), "unpaid");
    assert_string_equal(invoice_status_name(INVOICE_OVERDUE), "overdue");
    assert_string_equal(invoice_status_name(INVOICE_PAID), "paid");
    assert_string_equal(invoice_status_name(INVOICE_WRITTEN_OFF), "written_off");
    assert_string_equal(invoice_status_name(INVOICE_CREDITED), "credited");
}

static void test_state_derivation(void **state)
{
    (void)state;
    /* Something left: open; cleared by credit notes alone: credited; by a
     * payment (over-payment too): paid; a loss stays a loss. */
    assert_int_equal(invoice_state_derive(INVOICE_STATE_OPEN, 1, 0, 0), INVOICE_STATE_OPEN);
    assert_int_equal(invoice_state_derive(INVOICE_STATE_PAID, 1, 5, 0), INVOICE_STATE_OPEN);
    assert_int_equal(invoice_state_derive(INVOICE_STATE_OPEN, 0, 100, 0), INVOICE_STATE_PAID);
    assert_int_equal(invoice_state_derive(INVOICE_STATE_OPEN, -1, 101, 0), INVOICE_STATE_PAID);
    assert_int_equal(invoice_state_derive(INVOICE_STATE_OPEN, 0, 0, 100), INVOICE_STATE_CREDITED);
    assert_int_equal(invoice_state_derive(INVOICE_STATE_OPEN, 0, 40, 60), INVOICE_STATE_PAID);
    assert_int_equal(invoice_state_derive(INVOICE_STATE_CREDITED, 0, 0, 100),
                     INVOICE_STATE_CREDITED);
    assert_int_equal(invoice_state_derive(INVOICE_STATE_WRITTEN_OFF, 500, 0, 0),
                     INVOICE_STATE_WRITTEN_OFF);
    assert_int_equal(invoice_state_derive(INVOICE_STATE_WRITTEN_OFF, 0, 500, 0),
                     INVOICE_STATE_WRITTEN_OFF);
    /* A zero invoice is settled at once. */
    assert_int_equal(invoice_state_derive(INVOICE_STATE_OPEN, 0, 0, 0), INVOICE_STATE_PAID);
}

static void test_standing_on_insert(void **state)
{
    struct invoice_balance b = {95000, 0, 0, false, 0};
    struct invoice_standing s;
    struct pm_error e;

    (void)state;
    assert_int_equal(invoice_standing_new(&b, &s, &e), PM_OK);
    assert_int_equal(s.remaining_minor, 95000);
    assert_int_equal(s.paid_minor, 0);
    assert_int_equal(s.state, INVOICE_STATE_OPEN);

    /* Written with amounts already settled, or as a loss. */
    b.paid_minor = 95000;
    assert_int_equal(invoice_standing_new(&b, &s, &e), PM_OK);
    assert_int_equal(s.remaining_minor, 0);
    assert_int_equal(s.state, INVOICE_STATE_PAID);
    b.paid_minor = 0;
    b.credited_minor = 95000;
    assert_int_equal(invoice_standing_new(&b, &s, &e), PM_OK);
    assert_int_equal(s.state, INVOICE_STATE_CREDITED);
    b.credited_minor = 0;
    b.written_off = true;
    assert_int_equal(invoice_standing_new(&b, &s, &e), PM_OK);
    assert_int_equal(s.remaining_minor, 95000);
    assert_int_equal(s.state, INVOICE_STATE_WRITTEN_OFF);

    /* Amounts that overflow name the customer's part. */
    b.written_off = false;
    b.customer_part_minor = INT64_MAX;
    b.paid_minor = -INT64_MAX;
    assert_int_equal(invoice_standing_new(&b, &s, &e), PM_ERR_OVERFLOW);
    assert_string_equal(e.field, "customer_part_minor");
}

static void test_standing_after_payment(void **state)
{
    struct invoice_balance b = {50000, 0, 0, false, 0};
    struct invoice_standing s;
    struct pm_error e;

    (void)state;
    /* Zero, negative and absurd amounts: out of range on amount_minor. */
    assert_int_equal(invoice_payment_check(0, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "amount_minor");
    assert_int_equal(invoice_payment_check(-5, &e), PM_ERR_RANGE);
    assert_int_equal(invoice_payment_check(MONEY_MAX + 1, &e), PM_ERR_RANGE);
    assert_int_equal(invoice_payment_check(MONEY_MAX, &e), PM_OK);
    assert_int_equal(invoice_payment_check(1, &e), PM_OK);
    assert_int_equal(invoice_standing_paid(&b, 0, &s, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "amount_minor");

    /* A part payment leaves it open, the rest pays it. */
    assert_int_equal(invoice_standing_paid(&b, 20000, &s, &e), PM_OK);
    assert_int_equal(s.paid_minor, 20000);
    assert_int_equal(s.remaining_minor, 30000);
    assert_int_equal(s.state, INVOICE_STATE_OPEN);
    b.paid_minor = s.paid_minor;
    assert_int_equal(invoice_standing_paid(&b, 30000, &s, &e), PM_OK);
    assert_int_equal(s.remaining_minor, 0);
    assert_int_equal(s.state, INVOICE_STATE_PAID);

    /* An over-payment is recorded: a negative remainder, paid. */
    b.paid_minor = s.paid_minor;
    assert_int_equal(invoice_standing_paid(&b, 1, &s, &e), PM_OK);
    assert_int_equal(s.paid_minor, 50001);
    assert_int_equal(s.remaining_minor, -1);
    assert_int_equal(s.state, INVOICE_STATE_PAID);

    /* After credit notes, paying the rest makes it paid, not credited. */
    b.paid_minor = 0;
    b.credited_minor = 40000;
    assert_int_equal(invoice_standing_paid(&b, 10000, &s, &e), PM_OK);
    assert_int_equal(s.remaining_minor, 0);
    assert_int_equal(s.state, INVOICE_STATE_PAID);

    /* A payment on a written-off invoice (a recovery) keeps it written off. */
    b.credited_minor = 0;
    b.written_off = true;
    assert_int_equal(invoice_standing_paid(&b, 50000, &s, &e), PM_OK);
    assert_int_equal(s.remaining_minor, 0);
    assert_int_equal(s.state, INVOICE_STATE_WRITTEN_OFF);

    /* Amounts that overflow name the payment's amount. */
    b.written_off = false;
    b.paid_minor = INT64_MAX - 10;
    assert_int_equal(invoice_standing_paid(&b, 100, &s, &e), PM_ERR_OVERFLOW);
    assert_string_equal(e.field, "amount_minor");
}

static void test_filters(void **state)
{
    static const enum invoice_state states[] = {INVOICE_STATE_OPEN, INVOICE_STATE_PAID,
                                                INVOICE_STATE_WRITTEN_OFF, INVOICE_STATE_CREDITED};
    int32_t today = ymd(2026, 11, 2);
    struct invoice_selection sel;
    size_t i;
    int f, day, agency;

    (void)state;
    /* Unpaid is open; overdue is open and due before today (not on it). */
    assert_true(invoice_is_unpaid(INVOICE_STATE_OPEN));
    assert_false(invoice_is_unpaid(INVOICE_STATE_PAID));
    assert_false(invoice_is_unpaid(INVOICE_STATE_WRITTEN_OFF));
    assert_false(invoice_is_unpaid(INVOICE_STATE_CREDITED));
    assert_true(invoice_is_overdue(INVOICE_STATE_OPEN, today - 1, today));
    assert_false(invoice_is_overdue(INVOICE_STATE_OPEN, today, today));
    assert_false(invoice_is_overdue(INVOICE_STATE_WRITTEN_OFF, today - 30, today));

    /* What the store's predicates select. */
    assert_int_equal(invoice_filter_selection(FILTER_OVERDUE, &sel), PM_OK);
    assert_true(sel.by_state && sel.past_due && !sel.handed_over);
    assert_int_equal(sel.state, INVOICE_STATE_OPEN);
    assert_int_equal(invoice_filter_selection(FILTER_UNPAID, &sel), PM_OK);
    assert_true(sel.by_state && !sel.past_due);
    assert_int_equal(sel.state, INVOICE_STATE_OPEN);
    assert_int_equal(invoice_filter_selection(FILTER_AGENCY, &sel), PM_OK);
    assert_true(!sel.by_state && !sel.past_due && sel.handed_over);
    assert_int_equal(invoice_filter_selection(FILTER_ALL, &sel), PM_OK);
    assert_true(!sel.by_state && !sel.past_due && !sel.handed_over);
    assert_int_equal(invoice_filter_selection(FILTER_COUNT, &sel), PM_ERR_INVALID);
    assert_int_equal(invoice_filter_selection((enum invoice_filter) - 1, &sel), PM_ERR_INVALID);

    /* Each filter against the definitions, for every state, around today. */
    for (f = 0; f < FILTER_COUNT; f++) {
        for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
            for (day = -1; day <= 1; day++) {
                for (agency = 0; agency < 4; agency++) {
                    enum invoice_state st = states[i];
                    bool expected = agency & 2, want = false;
                    bool got = invoice_filter_matches((enum invoice_filter)f, st, today + day,
                                                      agency & 1, expected, today);

                    switch ((enum invoice_filter)f) {
                    case FILTER_ALL:
                        want = true;
                        break;
                    case FILTER_UNPAID:
                        want = invoice_is_unpaid(st);
                        break;
                    case FILTER_OVERDUE:
                        want = invoice_is_overdue(st, today + day, today);
                        break;
                    case FILTER_AGENCY:
                        want = agency & 1;
                        break;
                    case FILTER_PAID:
                        want = st == INVOICE_STATE_PAID;
                        break;
                    case FILTER_WRITTEN_OFF: /* a loss confirmed or feared */
                        want = st == INVOICE_STATE_WRITTEN_OFF || expected;
                        break;
                    case FILTER_COUNT:
                        break;
                    }
                    assert_int_equal(got, want);
                }
            }
        }
    }
    assert_false(
        invoice_filter_matches(FILTER_COUNT, INVOICE_STATE_OPEN, today, false, false, today));
    assert_int_equal(invoice_filter_selection(FILTER_WRITTEN_OFF, &sel), PM_OK);
    assert_true(sel.by_state && sel.or_expected_loss);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_and_rates),
        cmocka_unit_test(test_reduction_share_by_date),
        cmocka_unit_test(test_standard_two_rates),
        cmocka_unit_test(test_rot_2026),
        cmocka_unit_test(test_rot_temporary_50_percent),
        cmocka_unit_test(test_rut),
        cmocka_unit_test(test_line_rounding),
        cmocka_unit_test(test_vat_on_rate_sum),
        cmocka_unit_test(test_labour_vat_from_labour_lines),
        cmocka_unit_test(test_rejections_name_the_field),
        cmocka_unit_test(test_remaining_and_status),
        cmocka_unit_test(test_state_derivation),
        cmocka_unit_test(test_standing_on_insert),
        cmocka_unit_test(test_standing_after_payment),
        cmocka_unit_test(test_filters),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
