/*
 * letter_swish_test.c — unit tests for src/letter/letter_swish.c: when a
 * reminder has a Swish payment (a Swish number and something to pay), the
 * facts the letter and the e-mail print ("Swish 123 456 78 90, meddelande
 * <OCR>") and the QR code's text, and the QR code's modules from
 * libqrencode (a version-2 symbol of 25 × 25 modules, its three finder
 * patterns dark at the corners).  And the letter itself: the longest
 * specification there can be (every row, eight interest periods, the
 * unknown-rate line) moves the code beside the address window, where a
 * phone still reads it (pdftoppm -r 200, zbarimg --raw).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <stdlib.h>
#include <unistd.h>

#include "letter/letter_swish.h"

static void reminder(struct letter_reminder *l, const char *swish, int64_t total)
{
    memset(l, 0, sizeof(*l));
    snprintf(l->company_swish, sizeof(l->company_swish), "%s", swish);
    snprintf(l->ocr, sizeof(l->ocr), "%s", "100560");
    l->total_minor = total;
}

static void test_of(void **state)
{
    struct letter_reminder l;
    struct letter_swish sw;

    (void)state;
    reminder(&l, "1234567890", 1058630);
    assert_true(letter_swish_of(&l, &sw));
    assert_string_equal(sw.number, "123 456 78 90");
    assert_string_equal(sw.message, "100560");
    assert_string_equal(sw.payload, "C1234567890;10586,30;100560;0");
    reminder(&l, "", 1058630); /* no Swish number (or an old snapshot) */
    assert_false(letter_swish_of(&l, &sw));
    assert_string_equal(sw.payload, "");
    reminder(&l, "1234567890", 0); /* nothing to pay */
    assert_false(letter_swish_of(&l, &sw));
}

static void test_qr(void **state)
{
    struct letter_qr qr;
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(letter_qr_encode("C1234567890;10586,30;100560;0", &qr, &e), PM_OK);
    /* libqrencode packs the digit runs in numeric mode: version 2 (25 × 25) */
    assert_int_equal(qr.width, 25);
    assert_int_equal(qr.dark[0], 1);
    assert_int_equal(qr.dark[24], 1);
    assert_int_equal(qr.dark[24 * 25], 1);
    assert_int_equal(qr.dark[7], 0); /* the separator beside a finder */
    letter_qr_release(&qr);
    assert_null(qr.dark);
}

/* The QR codes zbarimg finds on the PDF's page, one a line. */
static void qr_of_pdf(const struct buf *pdf, char *out, size_t cap)
{
    char dir[] = "/tmp/letter-swish-XXXXXX", cmd[512];
    FILE *f, *p;
    size_t n;

    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof(cmd), "%s/l.pdf", dir);
    f = fopen(cmd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(pdf->data, 1, pdf->len, f), pdf->len);
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "cd %s && pdftoppm -r 200 -png -singlefile l.pdf l && zbarimg --raw -q l.png"
             " 2>/dev/null; rm -rf %s",
             dir, dir);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    pclose(p);
}

static void test_long_letter(void **state)
{
    struct letter_reminder l;
    struct buf pdf = BUF_INIT;
    struct pm_error e = {0};
    char codes[256];
    size_t i;

    (void)state;
    reminder(&l, "1234567890", 1398644);
    snprintf(l.company_name, sizeof(l.company_name), "Åkerö Bygg & Måleri AB");
    snprintf(l.customer_name, sizeof(l.customer_name), "Bygg & Fönster i Umeå AB");
    l.invoice_number = 1004;
    l.capital_minor = 1000000;
    l.fee_minor = 6000;
    l.late_compensation_minor = 45000;
    l.earlier_charges_minor = 6000;
    l.interest_minor = 341644;
    l.n_periods = REMINDER_RATE_PERIODS_MAX;
    for (i = 0; i < l.n_periods; i++) {
        l.periods[i].from = 19000 + (int32_t)i * 182;
        l.periods[i].to = l.periods[i].from + 181;
        l.periods[i].rate_bp = 1000 + (int32_t)i * 50;
    }
    l.rate_unknown = true;
    l.rate_unknown_from = 20500;
    l.date = 20510;
    l.new_due_date = 20520;
    assert_int_equal(letter_reminders_pdf(&l, 1, NULL, &pdf, &e), PM_OK);
    qr_of_pdf(&pdf, codes, sizeof(codes));
    assert_string_equal(codes, "C1234567890;13986,44;100560;0\n");
    buf_release(&pdf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_of), cmocka_unit_test(test_qr),
                                       cmocka_unit_test(test_long_letter)};

    return cmocka_run_group_tests(tests, NULL, NULL);
}
