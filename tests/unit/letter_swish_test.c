/*
 * letter_swish_test.c — unit tests for src/letter/letter_swish.c: when a
 * reminder has a Swish payment (a Swish number and something to pay), the
 * facts the letter and the e-mail print ("Swish 123 456 78 90, meddelande
 * <OCR>") and the QR code's text, and the QR code's modules from
 * libqrencode (a version-2 symbol of 25 × 25 modules, its three finder
 * patterns dark at the corners).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_of), cmocka_unit_test(test_qr)};

    return cmocka_run_group_tests(tests, NULL, NULL);
}
