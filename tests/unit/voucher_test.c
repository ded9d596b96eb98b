/*
 * voucher_test.c — unit tests for src/core/voucher.c: the BAS vouchers of
 * the domain notes with hand-checked figures (swedish-rules.md §5).
 *
 * Every expected row below was worked out by hand:
 * - confirmed loss of 12 500 kr gross (10 000 + 2 500 VAT):
 *   D 6351 10 000, D 2611 2 500, C 1510 12 500;
 * - a ROT invoice (labour 40 000 + material 10 000 net, 25 % VAT, dated
 *   2026-03-01 so ROT is 30 %): labour incl. VAT 50 000, reduction 15 000,
 *   total 62 500, customer part 47 500:
 *   D 1510 47 500, D 1513 15 000, C 3001 50 000, C 2611 12 500;
 * - an agency payout of the sandbox's shape (capital 10 000, interest 150,
 *   creditor outlay 60, commission −1 000 with VAT −250): the bank gets
 *   8 960: D 1930 8 960, D 6062 1 000, D 2641 250, C 1510 10 000,
 *   C 8313 150, C 3930 60;
 * - what may be booked: 12 500,00 gross against 10 000,00 + 2 500,00
 *   balances, one öre more on the debit side does not; accounts have four
 *   digits (1000 .. 9999); a year's numbers run 1, 2, 3 ...
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/date.h"
#include "core/voucher.h"

static int32_t day(const char *iso)
{
    int32_t d = 0;

    assert_int_equal(date_parse_iso(iso, &d), PM_OK);
    return d;
}

/* The row of account on the debit (side 'D') or credit ('C') side, or fail. */
static int64_t row(const struct voucher *v, int account, char side)
{
    size_t i;

    for (i = 0; i < v->n_rows; i++) {
        if (v->rows[i].account != account)
            continue;
        if (side == 'D' && v->rows[i].debit_minor)
            return v->rows[i].debit_minor;
        if (side == 'C' && v->rows[i].credit_minor)
            return v->rows[i].credit_minor;
    }
    fail_msg("no %c row on %d", side, account);
    return -1;
}

/* An invoice of one line per (net, rate). */
static void invoice_of(enum invoice_kind kind, const char *date, const int64_t *nets,
                       const int *rates, const bool *labour, size_t n, struct voucher_invoice *vi)
{
    struct invoice_line lines[8];
    struct pm_error e = {0};
    size_t i;

    memset(vi, 0, sizeof(*vi));
    for (i = 0; i < n; i++) {
        lines[i].quantity_milli = 1000;
        lines[i].unit_price_minor = nets[i];
        lines[i].vat_rate_bp = rates[i];
        lines[i].labour = labour ? labour[i] : false;
    }
    assert_int_equal(invoice_compute(kind, day(date), lines, n, &vi->totals, &e), PM_OK);
    vi->number = 1001;
    vi->customer_name = "Kund AB";
}

static void test_confirmed_loss_12500(void **state)
{
    const int64_t nets[] = {1000000};
    const int rates[] = {2500};
    struct voucher_invoice vi;
    struct voucher_loss loss;
    struct voucher v;

    (void)state;
    invoice_of(INVOICE_STANDARD, "2025-01-15", nets, rates, NULL, 1, &vi);
    assert_int_equal(vi.totals.total_minor, 1250000);
    assert_int_equal(voucher_loss_split(&vi, 1250000, &loss), PM_OK);
    assert_int_equal(loss.net_minor, 1000000);
    assert_int_equal(loss.vat_by_rate[VAT_25], 250000);
    assert_int_equal(voucher_confirmed_loss(&vi, &loss, day("2025-12-31"), &v), PM_OK);
    assert_int_equal(v.n_rows, 3);
    assert_int_equal(row(&v, 6351, 'D'), 1000000);
    assert_int_equal(row(&v, 2611, 'D'), 250000);
    assert_int_equal(row(&v, 1510, 'C'), 1250000);
    assert_true(voucher_balanced(&v));
    assert_string_equal(v.source, "confirmed_loss");

    /* The expected loss of the same claim is net of VAT: 10 000. */
    assert_int_equal(voucher_expected_loss(&vi, loss.net_minor, day("2025-10-01"), &v), PM_OK);
    assert_int_equal(v.n_rows, 2);
    assert_int_equal(row(&v, 6352, 'D'), 1000000);
    assert_int_equal(row(&v, 1519, 'C'), 1000000);
    assert_int_equal(voucher_expected_loss_reversal(&vi, 1000000, day("2025-12-31"), &v), PM_OK);
    assert_int_equal(row(&v, 1519, 'D'), 1000000);
    assert_int_equal(row(&v, 6352, 'C'), 1000000);

    /* The customer pays 5 000 after the loss: 1 000 of it is VAT back on
     * 2611 (5 000 × 2 500 / 12 500), 4 000 reduces the loss. */
    assert_int_equal(voucher_recovery(&vi, &loss, 500000, day("2026-02-01"), &v), PM_OK);
    assert_int_equal(row(&v, 1510, 'D'), 500000);
    assert_int_equal(row(&v, 2611, 'C'), 100000);
    assert_int_equal(row(&v, 6351, 'C'), 400000);
    /* More than was lost cannot be recovered. */
    assert_int_equal(voucher_recovery(&vi, &loss, 1250001, day("2026-02-01"), &v), PM_ERR_RANGE);
}

static void test_loss_split_two_rates(void **state)
{
    /* 1 000 at 25 % (VAT 250) + 1 000 at 6 % (VAT 60) = 2 310; half of it
     * lost: VAT 125 and 30, net 1 000. */
    const int64_t nets[] = {100000, 100000};
    const int rates[] = {2500, 600};
    struct voucher_invoice vi;
    struct voucher_loss loss;
    struct voucher v;

    (void)state;
    invoice_of(INVOICE_STANDARD, "2025-01-15", nets, rates, NULL, 2, &vi);
    assert_int_equal(voucher_loss_split(&vi, 115500, &loss), PM_OK);
    assert_int_equal(loss.vat_by_rate[VAT_25], 12500);
    assert_int_equal(loss.vat_by_rate[VAT_6], 3000);
    assert_int_equal(loss.net_minor, 100000);
    assert_int_equal(voucher_confirmed_loss(&vi, &loss, day("2025-06-01"), &v), PM_OK);
    assert_int_equal(row(&v, 2611, 'D'), 12500);
    assert_int_equal(row(&v, 2631, 'D'), 3000);
    assert_int_equal(row(&v, 6351, 'D'), 100000);
    assert_int_equal(row(&v, 1510, 'C'), 115500);
}

static void test_rot_invoice_and_payment(void **state)
{
    const int64_t nets[] = {4000000, 1000000};
    const int rates[] = {2500, 2500};
    const bool labour[] = {true, false};
    struct voucher_invoice vi;
    struct voucher_payment p = {0};
    struct voucher v;

    (void)state;
    invoice_of(INVOICE_ROT, "2026-03-01", nets, rates, labour, 2, &vi);
    assert_int_equal(vi.totals.total_minor, 6250000);
    assert_int_equal(vi.totals.tax_reduction_minor, 1500000);
    assert_int_equal(vi.totals.customer_part_minor, 4750000);
    assert_int_equal(voucher_invoice_issued(&vi, day("2026-03-01"), &v), PM_OK);
    assert_int_equal(v.n_rows, 4);
    assert_int_equal(row(&v, 1510, 'D'), 4750000);
    assert_int_equal(row(&v, 1513, 'D'), 1500000);
    assert_int_equal(row(&v, 3001, 'C'), 5000000);
    assert_int_equal(row(&v, 2611, 'C'), 1250000);
    assert_string_equal(v.text, "Faktura 1001 Kund AB");

    /* The customer pays its part: only 1510 is cleared; 1513 waits for
     * Skatteverket. */
    p.amount_minor = p.capital_minor = 4750000;
    p.via = "Bankgiro";
    p.reference = "100164";
    assert_int_equal(voucher_payment(&vi, &p, day("2026-04-01"), &v), PM_OK);
    assert_int_equal(v.n_rows, 2);
    assert_int_equal(row(&v, 1930, 'D'), 4750000);
    assert_int_equal(row(&v, 1510, 'C'), 4750000);
    assert_string_equal(v.text, "Bankgiro faktura 1001, ref 100164");
}

/* A confirmed loss on the ROT invoice above (total 62 500, reduction
 * 15 000, customer part 47 500).  Skatteverket pays the reduction only for
 * work the buyer paid for (lag 2009:194, 8 §), so the unpaid part's share
 * of 1513 is lost too, with the whole VAT of that share:
 * - nothing paid: D 6351 50 000, D 2611 12 500, C 1510 47 500, C 1513 15 000;
 * - half paid (23 750 left): reduction 23 750 × 15 000 / 47 500 = 7 500,
 *   lost 31 250: VAT 31 250 × 12 500 / 62 500 = 6 250, net 25 000;
 * - recovered 9 500 after the first: 9 500 × 62 500 / 47 500 = 12 500
 *   restored, of it 3 000 on 1513, VAT 2 500, loss 10 000. */
static void test_confirmed_loss_rot(void **state)
{
    const int64_t nets[] = {4000000, 1000000};
    const int rates[] = {2500, 2500};
    const bool labour[] = {true, false};
    struct voucher_invoice vi;
    struct voucher_loss loss;
    struct voucher v;

    (void)state;
    invoice_of(INVOICE_ROT, "2026-03-01", nets, rates, labour, 2, &vi);
    assert_int_equal(voucher_loss_split(&vi, 4750000, &loss), PM_OK);
    assert_int_equal(loss.gross_minor, 6250000);
    assert_int_equal(loss.tax_reduction_minor, 1500000);
    assert_int_equal(voucher_loss_customer_part(&loss), 4750000);
    assert_int_equal(voucher_confirmed_loss(&vi, &loss, day("2026-09-01"), &v), PM_OK);
    assert_int_equal(v.n_rows, 4);
    assert_int_equal(row(&v, 6351, 'D'), 5000000);
    assert_int_equal(row(&v, 2611, 'D'), 1250000);
    assert_int_equal(row(&v, 1510, 'C'), 4750000);
    assert_int_equal(row(&v, 1513, 'C'), 1500000);
    assert_true(voucher_balanced(&v));

    assert_int_equal(voucher_recovery(&vi, &loss, 950000, day("2026-10-01"), &v), PM_OK);
    assert_int_equal(row(&v, 1510, 'D'), 950000);
    assert_int_equal(row(&v, 1513, 'D'), 300000);
    assert_int_equal(row(&v, 2611, 'C'), 250000);
    assert_int_equal(row(&v, 6351, 'C'), 1000000);
    assert_true(voucher_balanced(&v));
    /* The customer's part is what can come back from the customer. */
    assert_int_equal(voucher_recovery(&vi, &loss, 4750001, day("2026-10-01"), &v), PM_ERR_RANGE);

    assert_int_equal(voucher_loss_split(&vi, 2375000, &loss), PM_OK);
    assert_int_equal(loss.tax_reduction_minor, 750000);
    assert_int_equal(loss.gross_minor, 3125000);
    assert_int_equal(loss.vat_by_rate[VAT_25], 625000);
    assert_int_equal(loss.net_minor, 2500000);
    /* More than the customer's part is no loss of this invoice. */
    assert_int_equal(voucher_loss_split(&vi, 4750001, &loss), PM_ERR_RANGE);
}

/* Sales without VAT: the account follows why (ML 2023:200): building
 * services with reverse charge to a Swedish company 3231, goods to another
 * EU country 3108 and out of the EU 3105, services abroad 3308 / 3305,
 * Swedish exempt sales 3004.  10 000 kr net, no VAT: D 1510, C that account. */
static void test_zero_vat_accounts(void **state)
{
    static const struct {
        enum voucher_market market;
        enum invoice_zero_vat zero_vat;
        int account;
    } cases[] = {
        {MARKET_SWEDEN, ZERO_VAT_CONSTRUCTION, 3231}, {MARKET_EU, ZERO_VAT_GOODS, 3108},
        {MARKET_OUTSIDE_EU, ZERO_VAT_GOODS, 3105},    {MARKET_EU, ZERO_VAT_NONE, 3308},
        {MARKET_OUTSIDE_EU, ZERO_VAT_NONE, 3305},     {MARKET_SWEDEN, ZERO_VAT_NONE, 3004},
    };
    const int64_t nets[] = {1000000};
    const int rates[] = {0};
    struct voucher_invoice vi;
    struct voucher v;
    struct pm_error e = {0};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        invoice_of(INVOICE_STANDARD, "2026-03-01", nets, rates, NULL, 1, &vi);
        vi.market = cases[i].market;
        vi.zero_vat = cases[i].zero_vat;
        assert_int_equal(voucher_invoice_issued(&vi, day("2026-03-01"), &v), PM_OK);
        assert_int_equal(v.n_rows, 2);
        assert_int_equal(row(&v, 1510, 'D'), 1000000);
        assert_int_equal(row(&v, cases[i].account, 'C'), 1000000);
    }
    /* Who may be invoiced so: reverse charge only to a Swedish company,
     * goods only abroad, neither with VAT on a line. */
    assert_int_equal(voucher_zero_vat_check(ZERO_VAT_CONSTRUCTION, MARKET_SWEDEN, true, 0, &e),
                     PM_OK);
    assert_int_equal(voucher_zero_vat_check(ZERO_VAT_CONSTRUCTION, MARKET_SWEDEN, false, 0, &e),
                     PM_ERR_INVALID);
    assert_string_equal(e.field, "zero_vat");
    assert_int_equal(voucher_zero_vat_check(ZERO_VAT_CONSTRUCTION, MARKET_EU, true, 0, &e),
                     PM_ERR_INVALID);
    assert_int_equal(voucher_zero_vat_check(ZERO_VAT_GOODS, MARKET_SWEDEN, true, 0, &e),
                     PM_ERR_INVALID);
    assert_int_equal(voucher_zero_vat_check(ZERO_VAT_GOODS, MARKET_EU, true, 250000, &e),
                     PM_ERR_INVALID);
    assert_int_equal(voucher_zero_vat_check(ZERO_VAT_GOODS, MARKET_OUTSIDE_EU, false, 0, &e),
                     PM_OK);
    assert_int_equal(voucher_zero_vat_check(ZERO_VAT_NONE, MARKET_SWEDEN, false, 250000, &e),
                     PM_OK);
}

static void test_payment_with_reminder_charges(void **state)
{
    /* 10 586,30 kr = capital 10 000 + reminder fee 60 + interest 526,30. */
    const int64_t nets[] = {800000};
    const int rates[] = {2500};
    struct voucher_invoice vi;
    struct voucher_payment p = {0};
    struct voucher v;

    (void)state;
    invoice_of(INVOICE_STANDARD, "2025-03-01", nets, rates, NULL, 1, &vi);
    p.amount_minor = 1058630;
    p.capital_minor = 1000000;
    p.fees_minor = 6000;
    p.interest_minor = 52630;
    assert_int_equal(voucher_payment(&vi, &p, day("2025-10-05"), &v), PM_OK);
    assert_int_equal(row(&v, 1930, 'D'), 1058630);
    assert_int_equal(row(&v, 1510, 'C'), 1000000);
    assert_int_equal(row(&v, 3930, 'C'), 6000);
    assert_int_equal(row(&v, 8313, 'C'), 52630);
    /* Over-payment waits on 2420. */
    p.amount_minor = 1060000;
    p.overpaid_minor = 1370;
    assert_int_equal(voucher_payment(&vi, &p, day("2025-10-05"), &v), PM_OK);
    assert_int_equal(row(&v, 2420, 'C'), 1370);
    /* Parts that do not add up are refused, never booked. */
    p.overpaid_minor = 0;
    assert_int_equal(voucher_payment(&vi, &p, day("2025-10-05"), &v), PM_ERR_INVALID);
}

static void test_cash_method_payment(void **state)
{
    /* Kontantmetoden: 6 250 paid on a 12 500 invoice (10 000 + 2 500) is
     * sales 5 000 and VAT 1 250 now. */
    const int64_t nets[] = {1000000};
    const int rates[] = {2500};
    struct voucher_invoice vi;
    struct voucher_payment p = {0};
    struct voucher v;

    (void)state;
    invoice_of(INVOICE_STANDARD, "2025-03-01", nets, rates, NULL, 1, &vi);
    p.amount_minor = p.capital_minor = 625000;
    p.cash_method = true;
    assert_int_equal(voucher_payment(&vi, &p, day("2025-04-01"), &v), PM_OK);
    assert_int_equal(row(&v, 1930, 'D'), 625000);
    assert_int_equal(row(&v, 3001, 'C'), 500000);
    assert_int_equal(row(&v, 2611, 'C'), 125000);
    assert_int_equal(v.n_rows, 3);
}

static void test_cash_method_rest_on_largest_net(void **state)
{
    /* Kontantmetoden on a mixed invoice whose largest net is not the first
     * rate: 200 kr at 25 % (VAT 50) and 1 000 kr at 12 % (VAT 120), total
     * 1 370 kr.  A payment of 200 kr, each part of 20 000 öre × x / 137 000
     * rounded: VAT 25 % 729.93 → 730, net 25 % 2 919.71 → 2 920, VAT 12 %
     * 1 751.82 → 1 752, net 12 % 14 598.54 → 14 599; together 20 001, so
     * the rest −1 goes to the largest net, 12 % (3002), not to 3001. */
    const int64_t nets[] = {20000, 100000};
    const int rates[] = {2500, 1200};
    struct voucher_invoice vi;
    struct voucher_payment p = {0};
    struct voucher v;

    (void)state;
    invoice_of(INVOICE_STANDARD, "2025-03-01", nets, rates, NULL, 2, &vi);
    assert_int_equal(vi.totals.total_minor, 137000);
    p.amount_minor = p.capital_minor = 20000;
    p.cash_method = true;
    assert_int_equal(voucher_payment(&vi, &p, day("2025-04-01"), &v), PM_OK);
    assert_int_equal(row(&v, 1930, 'D'), 20000);
    assert_int_equal(row(&v, 3001, 'C'), 2920);
    assert_int_equal(row(&v, 2611, 'C'), 730);
    assert_int_equal(row(&v, 3002, 'C'), 14598);
    assert_int_equal(row(&v, 2621, 'C'), 1752);
    assert_int_equal(v.n_rows, 5);
}

static void test_foreign_customers(void **state)
{
    const int64_t nets[] = {1000000};
    const int rates[] = {0};
    struct voucher_invoice vi;
    struct voucher v;

    (void)state;
    assert_int_equal(voucher_market_of("NO"), MARKET_OUTSIDE_EU);
    assert_int_equal(voucher_market_of("DE"), MARKET_EU);
    assert_int_equal(voucher_market_of("SE"), MARKET_SWEDEN);
    invoice_of(INVOICE_STANDARD, "2025-03-01", nets, rates, NULL, 1, &vi);
    vi.market = MARKET_OUTSIDE_EU;
    assert_int_equal(voucher_invoice_issued(&vi, day("2025-03-01"), &v), PM_OK);
    assert_int_equal(row(&v, 1510, 'D'), 1000000);
    assert_int_equal(row(&v, 3305, 'C'), 1000000);
    vi.market = MARKET_EU;
    assert_int_equal(voucher_invoice_issued(&vi, day("2025-03-01"), &v), PM_OK);
    assert_int_equal(row(&v, 3308, 'C'), 1000000);
    vi.market = MARKET_SWEDEN;
    assert_int_equal(voucher_invoice_issued(&vi, day("2025-03-01"), &v), PM_OK);
    assert_int_equal(row(&v, 3004, 'C'), 1000000);
}

static void test_agency_payout(void **state)
{
    struct payout_line lines[] = {
        {PAYOUT_CAPITAL, 1000000, 0, NULL},
        {PAYOUT_INTEREST, 15000, 0, NULL},
        {PAYOUT_OUTLAY, 6000, 0, NULL},
        {PAYOUT_COMMISSION, -100000, -25000, NULL},
    };
    enum payout_category cat;
    struct voucher v;

    (void)state;
    assert_int_equal(voucher_payout_category_parse("creditor_commission", &cat), PM_OK);
    assert_int_equal(cat, PAYOUT_COMMISSION);
    assert_int_equal(voucher_payout_category_parse("agency_fee", &cat), PM_ERR_INVALID);
    assert_int_equal(voucher_agency_payout(lines, 4, "p1", day("2026-05-04"), &v), PM_OK);
    assert_int_equal(row(&v, 1930, 'D'), 896000);
    assert_int_equal(row(&v, 6062, 'D'), 100000);
    assert_int_equal(row(&v, 2641, 'D'), 25000);
    assert_int_equal(row(&v, 1510, 'C'), 1000000);
    assert_int_equal(row(&v, 8313, 'C'), 15000);
    assert_int_equal(row(&v, 3930, 'C'), 6000);
    assert_true(voucher_balanced(&v));
    assert_string_equal(v.source, "agency_payout");
}

static void test_agency_payout_after_confirmed_loss(void **state)
{
    /* 5 000 collected on an invoice written off at 12 500 (10 000 + 2 500):
     * VAT 1 000 back on 2611, 4 000 off the loss; 1510 untouched. */
    struct voucher_loss loss = {1250000, 1000000, {250000, 0, 0, 0}, 0};
    struct payout_line lines[] = {
        {PAYOUT_CAPITAL, 500000, 0, &loss},
        {PAYOUT_COMMISSION, -50000, -12500, NULL},
    };
    struct voucher v;
    size_t i;

    (void)state;
    assert_int_equal(voucher_agency_payout(lines, 2, "p2", day("2026-05-04"), &v), PM_OK);
    assert_int_equal(row(&v, 1930, 'D'), 437500);
    assert_int_equal(row(&v, 2611, 'C'), 100000);
    assert_int_equal(row(&v, 6351, 'C'), 400000);
    assert_int_equal(row(&v, 6062, 'D'), 50000);
    assert_int_equal(row(&v, 2641, 'D'), 12500);
    for (i = 0; i < v.n_rows; i++)
        assert_int_not_equal(v.rows[i].account, 1510);
}

static void test_agency_payout_part_below_zero(void **state)
{
    /* One invoice's part of a payout with only commission (1.00 kr, VAT
     * 0.25 kr): the agency kept 1.25 kr of the payout's other money, so
     * the bank is credited: D 6062 100, D 2641 25, C 1930 125. */
    struct payout_line lines[] = {{PAYOUT_COMMISSION, -100, -25, NULL}};
    struct voucher v;

    (void)state;
    assert_int_equal(voucher_agency_payout(lines, 1, "p3", day("2026-05-04"), &v), PM_OK);
    assert_int_equal(v.n_rows, 3);
    assert_int_equal(row(&v, 6062, 'D'), 100);
    assert_int_equal(row(&v, 2641, 'D'), 25);
    assert_int_equal(row(&v, 1930, 'C'), 125);
}

static void test_agency_payout_lines_merge(void **state)
{
    /* Two debtor payments in one payout (the sandbox's shape): capital
     * 300.00 + 200.00, interest 17.33, late-payment outlay 210.00,
     * commission −30.00 − 20.00 with VAT −7.50 − 5.00.  Bank: 50 000 +
     * 1 733 + 21 000 − 5 000 − 1 250 = 66 483; one row per account. */
    struct payout_line lines[] = {
        {PAYOUT_CAPITAL, 30000, 0, NULL}, {PAYOUT_COMMISSION, -3000, -750, NULL},
        {PAYOUT_INTEREST, 1733, 0, NULL}, {PAYOUT_OUTLAY, 21000, 0, NULL},
        {PAYOUT_CAPITAL, 20000, 0, NULL}, {PAYOUT_COMMISSION, -2000, -500, NULL},
    };
    struct voucher v;

    (void)state;
    assert_int_equal(voucher_agency_payout(lines, 6, "p4", day("2026-05-04"), &v), PM_OK);
    assert_int_equal(v.n_rows, 6);
    assert_int_equal(row(&v, 1930, 'D'), 66483);
    assert_int_equal(row(&v, 6062, 'D'), 5000);
    assert_int_equal(row(&v, 2641, 'D'), 1250);
    assert_int_equal(row(&v, 1510, 'C'), 50000);
    assert_int_equal(row(&v, 8313, 'C'), 1733);
    assert_int_equal(row(&v, 3930, 'C'), 21000);
}

static void test_refusals(void **state)
{
    struct payout_line positive_commission[] = {{PAYOUT_COMMISSION, 100, 0, NULL}};
    struct payout_line zeros[] = {{PAYOUT_CAPITAL, 0, 0, NULL}, {PAYOUT_INTEREST, 0, 0, NULL}};
    struct voucher v;
    int i;

    (void)state;
    assert_int_equal(voucher_agency_payout(positive_commission, 1, "x", 0, &v), PM_ERR_RANGE);
    /* Nothing to book balances nothing. */
    assert_int_equal(voucher_agency_payout(zeros, 2, "x", 0, &v), PM_ERR_INTERNAL);
    /* A full voucher refuses more rows. */
    voucher_init(&v, 0, "test", "");
    for (i = 0; i < VOUCHER_ROWS_MAX; i++)
        assert_int_equal(voucher_debit(&v, 1000 + i, 1), PM_OK);
    assert_int_equal(voucher_debit(&v, 2000, 1), PM_ERR_RANGE);
    /* Rows on one account and side merge. */
    voucher_init(&v, 0, "test", "");
    assert_int_equal(voucher_debit(&v, 1930, 100), PM_OK);
    assert_int_equal(voucher_debit(&v, 1930, 50), PM_OK);
    assert_int_equal(voucher_credit(&v, 1510, -150), PM_OK); /* negative: other side */
    assert_int_equal(v.n_rows, 2);
    assert_int_equal(row(&v, 1930, 'D'), 150);
    assert_int_equal(row(&v, 1510, 'D'), 150);
    assert_false(voucher_balanced(&v));
}

/* A voucher of the given rows (account, debit, credit), dated 2024-03-01. */
static struct voucher voucher_of(const struct voucher_row *rows, size_t n)
{
    struct voucher v;
    size_t i;

    voucher_init(&v, day("2024-03-01"), "test", "");
    for (i = 0; i < n; i++)
        v.rows[i] = rows[i];
    v.n_rows = n;
    return v;
}

static void test_check_balanced(void **state)
{
    /* 12 500 kr gross: D 1510 12 500,00 = C 3001 10 000,00 + C 2611 2 500,00. */
    const struct voucher_row ok[] = {{1510, 1250000, 0}, {3001, 0, 1000000}, {2611, 0, 250000}};
    const struct voucher_row off_by_one[] = {
        {1510, 1250001, 0}, {3001, 0, 1000000}, {2611, 0, 250000}};
    struct pm_error e;
    struct voucher v;

    (void)state;
    v = voucher_of(ok, 3);
    pm_error_clear(&e);
    assert_int_equal(voucher_check(&v, &e), PM_OK);
    /* One öre more on the debit side: 12 500,01 against 12 500,00. */
    v = voucher_of(off_by_one, 3);
    assert_int_equal(voucher_check(&v, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "rows");
    assert_non_null(strstr(e.message, "does not balance"));
    /* A single row balances nothing, even at zero difference. */
    v = voucher_of(ok, 1);
    assert_int_equal(voucher_check(&v, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "rows");
    v.n_rows = 0;
    assert_int_equal(voucher_check(&v, NULL), PM_ERR_INVALID);
}

static void test_check_rows(void **state)
{
    const struct voucher_row both_sides[] = {{1930, 100, 100}, {1510, 0, 0}};
    const struct voucher_row negative[] = {{1930, -100, 0}, {1510, 0, -100}};
    const struct voucher_row empty_row[] = {{1930, 100, 0}, {1510, 0, 100}, {3930, 0, 0}};
    const struct voucher_row edges[] = {{1000, 100, 0}, {9999, 0, 100}};
    const struct voucher_row low[] = {{999, 100, 0}, {1510, 0, 100}};
    const struct voucher_row high[] = {{1930, 100, 0}, {10000, 0, 100}};
    const struct voucher_row huge[] = {{1930, INT64_MAX, 0}, {1931, 1, 0}, {1510, 0, 1}};
    struct pm_error e;
    struct voucher v;
    int i;

    (void)state;
    pm_error_clear(&e);
    v = voucher_of(both_sides, 2);
    assert_int_equal(voucher_check(&v, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "rows");
    assert_non_null(strstr(e.message, "row 1"));
    v = voucher_of(negative, 2);
    assert_int_equal(voucher_check(&v, &e), PM_ERR_INVALID);
    /* A row of nothing is no row, even where the rest balances. */
    v = voucher_of(empty_row, 3);
    assert_int_equal(voucher_check(&v, &e), PM_ERR_INVALID);
    assert_non_null(strstr(e.message, "row 3"));
    /* Four-digit accounts: 1000 and 9999 are, 999 and 10000 are not. */
    v = voucher_of(edges, 2);
    assert_int_equal(voucher_check(&v, &e), PM_OK);
    v = voucher_of(low, 2);
    assert_int_equal(voucher_check(&v, &e), PM_ERR_INVALID);
    v = voucher_of(high, 2);
    assert_int_equal(voucher_check(&v, &e), PM_ERR_INVALID);
    /* Debits beyond int64: refused, not wrapped. */
    v = voucher_of(huge, 3);
    assert_int_equal(voucher_check(&v, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "rows");

    /* The most rows a voucher has: 23 debits of 1,00 on 1000..1022 and a
     * credit of 23,00 on 3001. */
    voucher_init(&v, day("2024-03-01"), "test", "");
    for (i = 0; i < VOUCHER_ROWS_MAX - 1; i++)
        assert_int_equal(voucher_debit(&v, 1000 + i, 100), PM_OK);
    assert_int_equal(voucher_credit(&v, 3001, 2300), PM_OK);
    assert_int_equal(v.n_rows, VOUCHER_ROWS_MAX);
    assert_int_equal(voucher_check(&v, &e), PM_OK);
    v.n_rows = VOUCHER_ROWS_MAX + 1;
    assert_int_equal(voucher_check(&v, &e), PM_ERR_INVALID);
}

static void test_check_date(void **state)
{
    const struct voucher_row ok[] = {{1930, 100, 0}, {1510, 0, 100}};
    struct pm_error e;
    struct voucher v = voucher_of(ok, 2);

    (void)state;
    pm_error_clear(&e);
    v.date = day("1900-01-01");
    assert_int_equal(voucher_check(&v, &e), PM_OK);
    v.date = day("1900-01-01") - 1; /* 1899-12-31 */
    assert_int_equal(voucher_check(&v, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "date");
    v.date = day("2199-12-31");
    assert_int_equal(voucher_check(&v, &e), PM_OK);
    v.date = day("2199-12-31") + 1; /* 2200-01-01 */
    assert_int_equal(voucher_check(&v, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "date");
}

static void test_series_and_numbers(void **state)
{
    int64_t n = -1;

    (void)state;
    /* Fiscal years from January: the calendar year of the date, New
     * Year's Eve against New Year's Day. */
    assert_int_equal(voucher_year(day("2024-12-31"), 1), 2024);
    assert_int_equal(voucher_year(day("2025-01-01"), 1), 2025);
    assert_int_equal(voucher_year(day("2024-02-29"), 1), 2024);
    assert_int_equal(voucher_year(0, 1), 1970);  /* day 0 is 1970-01-01 */
    assert_int_equal(voucher_year(-1, 1), 1969); /* and the day before it */
    /* A broken fiscal year from May (1 May - 30 April): the series is
     * named by the year it starts in, and a new one starts on 1 May. */
    assert_int_equal(voucher_year(day("2026-04-30"), 5), 2025); /* 2025/26 */
    assert_int_equal(voucher_year(day("2026-05-01"), 5), 2026); /* 2026/27 */
    assert_int_equal(voucher_year(day("2025-12-31"), 5), 2025);
    assert_int_equal(voucher_year(day("2026-01-01"), 5), 2025); /* New Year inside the year */
    /* A year starts at 1 and goes on one by one. */
    assert_int_equal(voucher_next_number(0, &n), PM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(voucher_next_number(41, &n), PM_OK);
    assert_int_equal(n, 42);
    assert_int_equal(voucher_next_number(INT64_MAX - 1, &n), PM_OK);
    assert_int_equal(n, INT64_MAX);
    n = 7;
    assert_int_equal(voucher_next_number(INT64_MAX, &n), PM_ERR_OVERFLOW);
    assert_int_equal(voucher_next_number(-1, &n), PM_ERR_RANGE);
    assert_int_equal(n, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_confirmed_loss_12500),
        cmocka_unit_test(test_cash_method_rest_on_largest_net),
        cmocka_unit_test(test_loss_split_two_rates),
        cmocka_unit_test(test_rot_invoice_and_payment),
        cmocka_unit_test(test_confirmed_loss_rot),
        cmocka_unit_test(test_zero_vat_accounts),
        cmocka_unit_test(test_payment_with_reminder_charges),
        cmocka_unit_test(test_cash_method_payment),
        cmocka_unit_test(test_foreign_customers),
        cmocka_unit_test(test_agency_payout),
        cmocka_unit_test(test_agency_payout_after_confirmed_loss),
        cmocka_unit_test(test_agency_payout_part_below_zero),
        cmocka_unit_test(test_agency_payout_lines_merge),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_check_balanced),
        cmocka_unit_test(test_check_rows),
        cmocka_unit_test(test_check_date),
        cmocka_unit_test(test_series_and_numbers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
