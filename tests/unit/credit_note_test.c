/*
 * credit_note_test.c — unit tests for src/core/credit_note.c: the amounts
 * and the voucher of a credit note, with hand-checked figures.
 *
 * The invoice: a ROT invoice dated 2026-03-02 (ROT 30 %) of two lines,
 *   labour   40 000,00 kr net at 25 %  -> VAT 10 000,00
 *   material  5 000,00 kr net at 12 %  -> VAT    600,00
 * total 55 600,00; labour incl. VAT 50 000,00, reduction 30 % = 15 000,00;
 * customer part 40 600,00.  Its voucher (accrual): D 1510 40 600,00,
 * D 1513 15 000,00, C 3001 40 000,00, C 3002 5 000,00, C 2611 10 000,00,
 * C 2621 600,00.
 *
 * A partial credit note by VAT rate: net 1 234,57 at 25 % and 999,99 at
 * 12 %.  VAT per rate with the invoice's rule (half away from zero):
 *   123 457 × 25 % = 30 864,25 öre -> 30 864
 *    99 999 × 12 % = 11 999,88 öre -> 12 000
 * gross = 123 457 + 30 864 + 99 999 + 12 000 = 266 320 öre.
 * ROT part in proportion, as the invoice's voucher put it on 1513:
 *   266 320 × 1 500 000 / 5 560 000 = 71 848,92 öre -> 71 849
 * customer part = 266 320 − 71 849 = 194 471 öre.
 * So the voucher is the reverse of the invoice's for that part:
 *   D 3001 1 234,57   D 2611 308,64   D 3002 999,99   D 2621 120,00
 *   C 1510 1 944,71   C 1513 718,49   (debits = credits = 2 663,20)
 *
 * The rest of the invoice, credited after it, takes exactly what is left:
 *   nets 40 000,00 − 1 234,57 = 38 765,43 and 5 000,00 − 999,99 = 4 000,01,
 *   VAT 10 000,00 − 308,64 = 9 691,36 and 600,00 − 120,00 = 480,00,
 *   ROT 15 000,00 − 718,49 = 14 281,51, customer 40 600,00 − 1 944,71 =
 *   38 655,29 — the two notes together reverse the invoice to the öre.
 *
 * A credit of 10 000,00 kr of the customer's part, split in proportion:
 *   ROT part 1 000 000 × 1 500 000 / 4 060 000 = 369 458,13 -> 369 458;
 *   gross 1 369 458; VAT 25 % 1 369 458 × 1 000 000 / 5 560 000 = 246 305,4
 *   -> 246 305; net 25 % × 4 000 000 / 5 560 000 = 985 221,6 -> 985 222;
 *   VAT 12 % × 60 000 / 5 560 000 = 14 778,3 -> 14 778; net 12 % × 500 000
 *   / 5 560 000 = 123 152,7 -> 123 153; the four sum to 1 369 458 (no
 *   rounding rest).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/credit_note.h"
#include "core/date.h"

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

static int32_t april_first(void)
{
    int32_t d = 0;

    assert_int_equal(date_from_ymd(2026, 4, 1, &d), PM_OK);
    return d;
}

static void rot_invoice(struct voucher_invoice *vi)
{
    struct invoice_line lines[2] = {
        {.quantity_milli = 40000, .unit_price_minor = 100000, .vat_rate_bp = 2500, .labour = true},
        {.quantity_milli = 1000, .unit_price_minor = 500000, .vat_rate_bp = 1200},
    };
    struct pm_error e = {0};
    int32_t d = 0;

    assert_int_equal(date_parse_iso("2026-03-02", &d), PM_OK);
    memset(vi, 0, sizeof(*vi));
    vi->number = 1043;
    vi->customer_name = "Anna Andersson";
    vi->market = MARKET_SWEDEN;
    assert_int_equal(invoice_compute(INVOICE_ROT, d, lines, 2, &vi->totals, &e), PM_OK);
    assert_int_equal(vi->totals.total_minor, 5560000);
    assert_int_equal(vi->totals.tax_reduction_minor, 1500000);
    assert_int_equal(vi->totals.customer_part_minor, 4060000);
}

static void partial_by_rates_on_rot_two_rates(void **state)
{
    struct credit_note_request req = {.by_rates = true};
    struct credit_note_amounts a;
    struct voucher_invoice vi;
    struct pm_error e = {0};
    struct voucher v;

    (void)state;
    rot_invoice(&vi);
    req.net_by_rate[VAT_25] = 123457;
    req.net_by_rate[VAT_12] = 99999;
    assert_int_equal(credit_note_compute(&vi.totals, NULL, &req, 4060000, &a, &e), PM_OK);
    assert_int_equal(a.vat_by_rate[VAT_25], 30864);
    assert_int_equal(a.vat_by_rate[VAT_12], 12000);
    assert_int_equal(a.total_minor, 266320);
    assert_int_equal(a.tax_reduction_minor, 71849);
    assert_int_equal(a.customer_part_minor, 194471);

    assert_int_equal(voucher_credit_note(&vi, &a, 7, april_first(), &v), PM_OK);
    assert_int_equal(v.n_rows, 6);
    assert_int_equal(row(&v, 3001, 'D'), 123457);
    assert_int_equal(row(&v, 2611, 'D'), 30864);
    assert_int_equal(row(&v, 3002, 'D'), 99999);
    assert_int_equal(row(&v, 2621, 'D'), 12000);
    assert_int_equal(row(&v, 1510, 'C'), 194471);
    assert_int_equal(row(&v, 1513, 'C'), 71849);
    assert_string_equal(v.source, "credit_note");
    assert_string_equal(v.text, "Kreditfaktura 7 avser faktura 1043 Anna Andersson");
    assert_int_equal(voucher_check(&v, &e), PM_OK);
}

static void the_rest_completes_to_the_ore(void **state)
{
    struct credit_note_request req = {.by_rates = true};
    struct credit_note_amounts first, rest;
    struct voucher_invoice vi;
    struct pm_error e = {0};

    (void)state;
    rot_invoice(&vi);
    req.net_by_rate[VAT_25] = 123457;
    req.net_by_rate[VAT_12] = 99999;
    assert_int_equal(credit_note_compute(&vi.totals, NULL, &req, 4060000, &first, &e), PM_OK);
    req.net_by_rate[VAT_25] = 3876543;
    req.net_by_rate[VAT_12] = 400001;
    assert_int_equal(credit_note_compute(&vi.totals, &first, &req, 4060000 - 194471, &rest, &e),
                     PM_OK);
    assert_int_equal(rest.vat_by_rate[VAT_25], 969136);
    assert_int_equal(rest.vat_by_rate[VAT_12], 48000);
    assert_int_equal(rest.tax_reduction_minor, 1428151);
    assert_int_equal(rest.customer_part_minor, 3865529);
    assert_int_equal(credit_note_add(&first, &rest), PM_OK);
    assert_int_equal(first.total_minor, vi.totals.total_minor);
    assert_int_equal(first.customer_part_minor, vi.totals.customer_part_minor);
}

static void by_amount_in_proportion(void **state)
{
    struct credit_note_request req = {.customer_minor = 1000000};
    struct credit_note_amounts a;
    struct voucher_invoice vi;
    struct pm_error e = {0};
    struct voucher v;

    (void)state;
    rot_invoice(&vi);
    assert_int_equal(credit_note_compute(&vi.totals, NULL, &req, 4060000, &a, &e), PM_OK);
    assert_int_equal(a.tax_reduction_minor, 369458);
    assert_int_equal(a.total_minor, 1369458);
    assert_int_equal(a.customer_part_minor, 1000000);
    assert_int_equal(a.vat_by_rate[VAT_25], 246305);
    assert_int_equal(a.net_by_rate[VAT_25], 985222);
    assert_int_equal(a.vat_by_rate[VAT_12], 14778);
    assert_int_equal(a.net_by_rate[VAT_12], 123153);
    assert_int_equal(voucher_credit_note(&vi, &a, 8, april_first(), &v), PM_OK);
    assert_int_equal(row(&v, 1510, 'C'), 1000000);
    assert_int_equal(row(&v, 1513, 'C'), 369458);

    /* The whole customer part is the exact reverse of the invoice. */
    req.customer_minor = 4060000;
    assert_int_equal(credit_note_compute(&vi.totals, NULL, &req, 4060000, &a, &e), PM_OK);
    assert_int_equal(a.net_by_rate[VAT_25], 4000000);
    assert_int_equal(a.vat_by_rate[VAT_12], 60000);
    assert_int_equal(a.tax_reduction_minor, 1500000);
}

static void refusals_name_the_field(void **state)
{
    struct credit_note_request req = {.customer_minor = 1000001};
    struct credit_note_amounts a;
    struct voucher_invoice vi;
    struct pm_error e = {0};

    (void)state;
    rot_invoice(&vi);
    /* more than is left (10 000,00 after a payment) */
    assert_int_equal(credit_note_compute(&vi.totals, NULL, &req, 1000000, &a, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "amount_minor");
    req.customer_minor = 0;
    assert_int_equal(credit_note_compute(&vi.totals, NULL, &req, 1000000, &a, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "amount_minor");
    /* a rate's net beyond the invoice's */
    req.by_rates = true;
    req.net_by_rate[VAT_12] = 500001;
    assert_int_equal(credit_note_compute(&vi.totals, NULL, &req, 4060000, &a, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "rates[1200]");
    /* a rate the invoice does not have */
    req.net_by_rate[VAT_12] = 0;
    req.net_by_rate[VAT_6] = 100;
    assert_int_equal(credit_note_compute(&vi.totals, NULL, &req, 4060000, &a, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "rates[600]");
    /* nothing */
    req.net_by_rate[VAT_6] = 0;
    assert_int_equal(credit_note_compute(&vi.totals, NULL, &req, 4060000, &a, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "rates");
    /* a customer part beyond what is left */
    req.net_by_rate[VAT_25] = 1000000; /* 12 500,00 gross, ROT 3 372,30, customer 9 127,70 */
    assert_int_equal(credit_note_compute(&vi.totals, NULL, &req, 900000, &a, &e), PM_ERR_RANGE);
    assert_string_equal(e.field, "rates");
}

static void free_standing_by_rate(void **state)
{
    struct credit_note_request req = {.by_rates = true};
    struct voucher_invoice vi = {.customer_name = "Kund AB"};
    struct credit_note_amounts a;
    struct pm_error e = {0};
    struct voucher v;

    (void)state;
    req.net_by_rate[VAT_25] = 80000; /* 800,00 + 200,00 VAT */
    assert_int_equal(credit_note_compute(NULL, NULL, &req, 0, &a, &e), PM_OK);
    assert_int_equal(a.customer_part_minor, 100000);
    assert_int_equal(voucher_credit_note(&vi, &a, 3, april_first(), &v), PM_OK);
    assert_int_equal(row(&v, 3001, 'D'), 80000);
    assert_int_equal(row(&v, 2611, 'D'), 20000);
    assert_int_equal(row(&v, 1510, 'C'), 100000);
    assert_string_equal(v.text, "Kreditfaktura 3 Kund AB");
    req.by_rates = false;
    req.customer_minor = 100;
    assert_int_equal(credit_note_compute(NULL, NULL, &req, 0, &a, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "rates");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(partial_by_rates_on_rot_two_rates),
        cmocka_unit_test(the_rest_completes_to_the_ore),
        cmocka_unit_test(by_amount_in_proportion),
        cmocka_unit_test(refusals_name_the_field),
        cmocka_unit_test(free_standing_by_rate),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
