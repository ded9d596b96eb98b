/*
 * vat_test.c — unit tests for src/core/vat.c: the one table of Swedish VAT
 * rates, its look-up, and that the other views of the same list (the
 * invoice totals' rates, the voucher accounts) agree with it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>

#include "core/invoice.h"
#include "core/vat.h"
#include "core/voucher.h"

static void rates_and_indexes(void **state)
{
    (void)state;
    assert_int_equal(vat_rates[VAT_25].bp, 2500);
    assert_int_equal(vat_rates[VAT_12].bp, 1200);
    assert_int_equal(vat_rates[VAT_6].bp, 600);
    assert_int_equal(vat_rates[VAT_0].bp, 0);
    assert_int_equal(vat_index(2500), VAT_25);
    assert_int_equal(vat_index(1200), VAT_12);
    assert_int_equal(vat_index(600), VAT_6);
    assert_int_equal(vat_index(0), VAT_0);
    assert_int_equal(vat_index(2000), -1);
    assert_int_equal(vat_index(-2500), -1);
    assert_true(vat_rate_valid(600));
    assert_false(vat_rate_valid(1));
}

static void accounts(void **state)
{
    (void)state;
    assert_int_equal(vat_rates[VAT_25].sales_account, ACC_SALES_25);
    assert_int_equal(vat_rates[VAT_25].output_vat_account, ACC_OUTPUT_VAT_25);
    assert_int_equal(vat_rates[VAT_12].output_vat_account, ACC_OUTPUT_VAT_12);
    assert_int_equal(vat_rates[VAT_6].output_vat_account, ACC_OUTPUT_VAT_6);
    assert_int_equal(vat_rates[VAT_0].sales_account, ACC_SALES_EXEMPT);
    assert_int_equal(vat_rates[VAT_0].output_vat_account, 0);
}

/* An invoice with one line per rate books each rate's sales and VAT on the
 * table's accounts. */
static void voucher_agrees(void **state)
{
    struct invoice_line lines[VAT_RATES];
    struct voucher_invoice vi = {0};
    struct pm_error pe = {0};
    struct voucher v;
    size_t k;

    (void)state;
    for (int i = 0; i < VAT_RATES; i++) {
        lines[i].quantity_milli = 1000;
        lines[i].unit_price_minor = 10000 * (i + 1);
        lines[i].vat_rate_bp = vat_rates[i].bp;
        lines[i].labour = false;
    }
    vi.number = 1001;
    vi.customer_name = "Kund AB";
    vi.market = MARKET_SWEDEN;
    assert_int_equal(invoice_compute(INVOICE_STANDARD, 20000, lines, VAT_RATES, &vi.totals, &pe),
                     PM_OK);
    assert_int_equal(voucher_invoice_issued(&vi, 20000, &v), PM_OK);
    for (int i = 0; i < VAT_RATES; i++) {
        bool sales = false, vat = vat_rates[i].output_vat_account == 0;

        for (k = 0; k < v.n_rows; k++) {
            if (v.rows[k].account == vat_rates[i].sales_account)
                sales = v.rows[k].credit_minor == vi.totals.net_by_rate[i];
            if (vat_rates[i].output_vat_account &&
                v.rows[k].account == vat_rates[i].output_vat_account)
                vat = v.rows[k].credit_minor == vi.totals.vat_by_rate[i];
        }
        assert_true(sales);
        assert_true(vat);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rates_and_indexes),
        cmocka_unit_test(accounts),
        cmocka_unit_test(voucher_agrees),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
