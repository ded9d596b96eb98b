/*
 * swish_test.c — unit tests for src/core/swish.c: Swish för företag
 * numbers as people write them, their printed form, and the QR code's text
 * of a payment (Swish QR-code API manual, section 6.1 "Swish C2B": the
 * manual's example C1237856901;100,00;12229445;0 comes out as written).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/swish.h"

static void test_parse_forms(void **state)
{
    char n[SWISH_NUMBER_MAX];
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(swish_number_parse("1234567890", n, &e), PM_OK);
    assert_string_equal(n, "1234567890");
    assert_int_equal(swish_number_parse("123 456 78 90", n, &e), PM_OK);
    assert_string_equal(n, "1234567890");
    assert_int_equal(swish_number_parse("123-3456789", n, &e), PM_OK);
    assert_string_equal(n, "1233456789");
}

static void test_parse_refusals(void **state)
{
    static const char *const bad[] = {"",           "123456789",    "12345678901", "0701234567",
                                      "1244567890", "123 45678 9x", " 1234567890", "1234567890-",
                                      "123_4567890"};
    char n[SWISH_NUMBER_MAX] = "untouched";
    struct pm_error e = {0};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&e, 0, sizeof(e));
        assert_int_equal(swish_number_parse(bad[i], n, &e), PM_ERR_INVALID);
        assert_string_equal(e.field, "swish_number");
        assert_true(e.message[0] != '\0');
        assert_string_equal(n, "untouched");
    }
    swish_number_parse("0701234567", n, &e);
    assert_non_null(strstr(e.message, "123"));
    swish_number_parse("123456789", n, &e);
    assert_non_null(strstr(e.message, "9"));
}

static void test_display(void **state)
{
    char d[SWISH_DISPLAY_MAX];

    (void)state;
    swish_number_display("1234567890", d);
    assert_string_equal(d, "123 456 78 90");
    swish_number_display("", d);
    assert_string_equal(d, "");
    swish_number_display("12345", d);
    assert_string_equal(d, "12345");
}

static void test_payload(void **state)
{
    char p[SWISH_PAYLOAD_MAX];
    struct pm_error e = {0};

    (void)state;
    /* the manual's example: an invoice of 100 kr with OCR 12229445 */
    assert_int_equal(swish_payload("1237856901", 10000, "12229445", p, &e), PM_OK);
    assert_string_equal(p, "C1237856901;100,00;12229445;0");
    /* öre with two decimals, no thousands separator */
    assert_int_equal(swish_payload("1234567890", 123456705, "4567", p, &e), PM_OK);
    assert_string_equal(p, "C1234567890;1234567,05;4567;0");
    assert_int_equal(swish_payload("1234567890", 1, "1", p, &e), PM_OK);
    assert_string_equal(p, "C1234567890;0,01;1;0");
    /* a message that is not digits is URL-encoded */
    assert_int_equal(swish_payload("1234567890", 5000, "Faktura 12;ä", p, &e), PM_OK);
    assert_string_equal(p, "C1234567890;50,00;Faktura%2012%3B%C3%A4;0");
}

static void test_payload_refusals(void **state)
{
    char p[SWISH_PAYLOAD_MAX];
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(swish_payload("0701234567", 100, "1", p, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "swish_number");
    assert_int_equal(swish_payload("1234567890", 0, "1", p, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "amount_minor");
    assert_int_equal(swish_payload("1234567890", -5, "1", p, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "amount_minor");
    assert_int_equal(swish_payload("1234567890", 100, "", p, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "message");
    assert_int_equal(swish_payload("1234567890", 100,
                                   "123456789012345678901234567890123456789012345678901", p, &e),
                     PM_ERR_INVALID);
    assert_string_equal(e.field, "message");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms),      cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_display),          cmocka_unit_test(test_payload),
        cmocka_unit_test(test_payload_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
