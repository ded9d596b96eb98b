/*
 * api_json_test.c — strict reading of request bodies (src/api/api_json.c)
 * and the resource decoders built on it (src/api/api_decode.c): what a
 * client sends, and the 4xx code and JSON path it gets back when it is wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_decode.h"
#include "api/api_json.h"
#include "core/date.h"
#include "util/tz.h"

static int32_t day(const char *iso)
{
    int32_t d = 0;

    assert_int_equal(date_parse_iso(iso, &d), PM_OK);
    return d;
}

static json_t *obj(const char *text)
{
    json_t *o = NULL;
    struct api_error e;

    api_error_clear(&e);
    assert_int_equal(api_json_parse_object(text, strlen(text), &o, &e), PM_OK);
    return o;
}

/* Expect the failure code and field of a decoder on text. */
#define EXPECT_FAIL(call, want_code, want_field)               \
    do {                                                       \
        struct api_error e_;                                   \
        api_error_clear(&e_);                                  \
        assert_int_not_equal((call), PM_OK);                   \
        assert_string_equal(api_error_code(&e_), (want_code)); \
        assert_string_equal(e_.field, (want_field));           \
    } while (0)

static void bodies_must_be_one_json_object(void **state)
{
    static const char *const bad[] = {
        "", "[]", "\"x\"", "1", "{", "{\"a\":1,\"a\":2}", "{} {}", "\xff", "{\"a\":1\xff}"};
    json_t *o;
    struct api_error e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        api_error_clear(&e);
        assert_int_equal(api_json_parse_object(bad[i], strlen(bad[i]), &o, &e), PM_ERR_INVALID);
        assert_string_equal(api_error_code(&e), "malformed_json");
        assert_int_equal(api_error_status(&e), 400);
        assert_null(o);
    }
}

/* What is wrong inside one value is that field's problem, not the body's:
 * the body parses and the field reader names the field. */
static void bad_values_still_parse(void **state)
{
    static const char nul[] = "{\"name\":\"Kund\\u0000AB\"}";
    static const char utf8[] = "{\"name\":\"K\xc3\x28nd\"}";
    static const char huge[] = "{\"n\":99999999999999999999,\"m\":-9223372036854775809,"
                               "\"s\":\"99999999999999999999\",\"k\":9223372036854775807}";
    json_t *o;
    struct api_error e;

    (void)state;
    api_error_clear(&e);
    assert_int_equal(api_json_parse_object(nul, strlen(nul), &o, &e), PM_OK);
    assert_false(api_json_text_ok(json_string_value(json_object_get(o, "name")),
                                  json_string_length(json_object_get(o, "name"))));
    json_decref(o);
    assert_int_equal(api_json_parse_object(utf8, strlen(utf8), &o, &e), PM_OK);
    assert_false(api_json_text_ok(json_string_value(json_object_get(o, "name")),
                                  json_string_length(json_object_get(o, "name"))));
    json_decref(o);
    assert_int_equal(api_json_parse_object(huge, strlen(huge), &o, &e), PM_OK);
    assert_false(json_is_integer(json_object_get(o, "n")));
    assert_false(json_is_integer(json_object_get(o, "m")));
    /* Digits inside a string and the largest int64 are left alone. */
    assert_string_equal(json_string_value(json_object_get(o, "s")), "99999999999999999999");
    assert_true(json_integer_value(json_object_get(o, "k")) == INT64_MAX);
    json_decref(o);
}

static void text_must_be_clean_utf8(void **state)
{
    (void)state;
    assert_true(api_json_text_ok("Västerås 1 234", strlen("Västerås 1 234")));
    assert_true(api_json_text_ok("\xf0\x9f\x98\x80", 4)); /* an emoji */
    assert_false(api_json_text_ok("a\tb", 3));
    assert_false(api_json_text_ok("a\nb", 3));
    assert_false(api_json_text_ok("\x7f", 1));
    assert_false(api_json_text_ok("\xc2\x85", 2));         /* C1 control NEL */
    assert_false(api_json_text_ok("\xc0\xaf", 2));         /* overlong */
    assert_false(api_json_text_ok("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(api_json_text_ok("\xe5", 1));             /* truncated */
    assert_false(api_json_text_ok("\xf4\x90\x80\x80", 4)); /* beyond U+10FFFF */
    assert_false(api_json_text_ok("a\xe2\x80\xae"
                                  "b",
                                  5)); /* U+202E right-to-left override */
    assert_false(api_json_text_ok("a\xe2\x80\xaa"
                                  "b",
                                  5)); /* U+202A left-to-right embedding */
    assert_false(api_json_text_ok("a\xe2\x81\xa6"
                                  "b",
                                  5)); /* U+2066 left-to-right isolate */
    assert_false(api_json_text_ok("a\xe2\x81\xa9"
                                  "b",
                                  5)); /* U+2069 pop directional isolate */
    assert_true(api_json_text_ok("a\xe2\x80\x8f"
                                 "b",
                                 5)); /* U+200F right-to-left mark */
    assert_true(api_json_text_ok("a\xe2\x80\xaf"
                                 "b",
                                 5)); /* U+202F narrow no-break space */
}

static void field_readers_are_strict(void **state)
{
    json_t *o = obj("{\"s\":\"abc\",\"i\":5,\"f\":5.0,\"b\":true,\"n\":null,\"d\":\"2026-02-30\","
                    "\"e\":\"\",\"big\":9223372036854775807}");
    char text[4];
    int64_t v = 0;
    bool b = false, present = true;
    int32_t d;

    (void)state;
    EXPECT_FAIL(api_json_string(o, "", "i", false, text, sizeof(text), NULL, &e_), "invalid_value",
                "i");
    EXPECT_FAIL(api_json_string(o, "x.", "missing", true, text, sizeof(text), NULL, &e_),
                "required", "x.missing");
    EXPECT_FAIL(api_json_string(o, "", "e", true, text, sizeof(text), NULL, &e_), "required", "e");
    EXPECT_FAIL(api_json_string(o, "", "s", false, text, 3, NULL, &e_), "too_long", "s");
    EXPECT_FAIL(api_json_int(o, "", "f", false, 0, 10, &v, NULL, &e_), "invalid_value", "f");
    EXPECT_FAIL(api_json_int(o, "", "s", false, 0, 10, &v, NULL, &e_), "invalid_value", "s");
    EXPECT_FAIL(api_json_int(o, "", "i", false, 6, 10, &v, NULL, &e_), "out_of_range", "i");
    EXPECT_FAIL(api_json_int(o, "", "big", false, 0, INT64_MAX - 1, &v, NULL, &e_), "out_of_range",
                "big");
    EXPECT_FAIL(api_json_bool(o, "", "i", false, &b, NULL, &e_), "invalid_value", "i");
    EXPECT_FAIL(api_json_date(o, "", "d", false, &d, NULL, &e_), "invalid_value", "d");
    {
        struct api_error e;

        api_error_clear(&e);
        assert_int_equal(api_json_string(o, "", "s", true, text, sizeof(text), NULL, &e), PM_OK);
        assert_string_equal(text, "abc");
        assert_int_equal(api_json_int(o, "", "n", false, 0, 1, &v, &present, &e), PM_OK);
        assert_false(present); /* null is absent */
        assert_int_equal(api_json_bool(o, "", "b", true, &b, &present, &e), PM_OK);
        assert_true(b && present);
    }
    json_decref(o);
}

static void unknown_keys_are_named(void **state)
{
    static const char *const allowed[] = {"a", "b", NULL};
    json_t *o = obj("{\"a\":1,\"zip\":2}");

    (void)state;
    EXPECT_FAIL(api_json_check_keys(o, "lines[3].", allowed, &e_), "unknown_field", "lines[3].zip");
    json_decref(o);
}

static void company_decoding(void **state)
{
    struct company co;
    json_t *o;
    struct api_error e;

    (void)state;
    api_decode_company_defaults(&co);
    o = obj("{\"name\":\"Bygg AB\",\"organization_no\":\"5560360793\",\"payment_terms_days\":10,"
            "\"reminder_fee_agreed\":true,\"reminder_fee_minor\":6000,\"country\":\"NO\","
            "\"accounting_method\":\"cash\",\"language\":\"en\",\"bankgiro\":\"5050-1055\"}");
    api_error_clear(&e);
    assert_int_equal(api_decode_company(o, true, &co, &e), PM_OK);
    assert_string_equal(co.organization_no, "5560360793");
    assert_int_equal(co.payment_terms_days, 10);
    assert_int_equal(co.accounting_method, ACCOUNTING_CASH);
    assert_string_equal(co.language, "en");
    json_decref(o);

#define COMPANY_FAILS(text, code, field)                                  \
    do {                                                                  \
        struct company c_;                                                \
        json_t *o_ = obj(text);                                           \
        api_decode_company_defaults(&c_);                                 \
        EXPECT_FAIL(api_decode_company(o_, true, &c_, &e_), code, field); \
        json_decref(o_);                                                  \
    } while (0)
    COMPANY_FAILS("{\"organization_no\":\"556036-0793\"}", "required", "name");
    COMPANY_FAILS("{\"name\":\"A\"}", "required", "organization_no");
    COMPANY_FAILS("{\"name\":\"A\",\"organization_no\":\"556036-0794\"}", "invalid_value",
                  "organization_no");
    COMPANY_FAILS(
        "{\"name\":\"A\",\"organization_no\":\"556036-0793\",\"reminder_fee_minor\":6001}",
        "out_of_range", "reminder_fee_minor");
    COMPANY_FAILS("{\"name\":\"A\",\"organization_no\":\"556036-0793\",\"payment_terms_days\":-1}",
                  "out_of_range", "payment_terms_days");
    COMPANY_FAILS("{\"name\":\"A\",\"organization_no\":\"556036-0793\",\"language\":\"de\"}",
                  "invalid_value", "language");
    COMPANY_FAILS("{\"name\":\"A\",\"organization_no\":\"556036-0793\",\"id\":1}", "unknown_field",
                  "id");
}

static void customer_decoding(void **state)
{
    int32_t today = day("2026-03-02");
    struct customer c;
    json_t *o;
    struct api_error e;

    (void)state;
    api_decode_customer_defaults(&c);
    o = obj("{\"name\":\"Anna\",\"id_number\":\"811218-9876\",\"email\":\"anna@example.se\"}");
    api_error_clear(&e);
    assert_int_equal(api_decode_customer(o, true, today, &c, &e), PM_OK);
    assert_string_equal(c.id_number, "198112189876");
    assert_string_equal(c.country, "SE");
    json_decref(o);

    /* Turning the card into a company re-checks the stored number. */
    o = obj("{\"is_company\":true}");
    EXPECT_FAIL(api_decode_customer(o, false, today, &c, &e_), "invalid_value", "id_number");
    json_decref(o);
    assert_false(c.is_company); /* untouched on failure */

#define CUSTOMER_FAILS(text, code, field)                                         \
    do {                                                                          \
        struct customer c_;                                                       \
        json_t *o_ = obj(text);                                                   \
        api_decode_customer_defaults(&c_);                                        \
        EXPECT_FAIL(api_decode_customer(o_, true, today, &c_, &e_), code, field); \
        json_decref(o_);                                                          \
    } while (0)
    CUSTOMER_FAILS("{}", "required", "name");
    CUSTOMER_FAILS("{\"name\":\"\"}", "required", "name");
    CUSTOMER_FAILS("{\"name\":\"A\",\"is_company\":true,\"id_number\":\"811218-9876\"}",
                   "invalid_value", "id_number");
    CUSTOMER_FAILS("{\"name\":\"A\",\"country\":\"se\"}", "invalid_value", "country");
    CUSTOMER_FAILS("{\"name\":\"A\",\"country\":\"XX\"}", "invalid_value", "country");
    CUSTOMER_FAILS("{\"name\":\"A\",\"email\":\"a@b\"}", "invalid_value", "email");
    CUSTOMER_FAILS("{\"name\":\"A\",\"email\":\"a@@b.se\"}", "invalid_value", "email");
    CUSTOMER_FAILS("{\"name\":\"A\",\"email\":\"@b.se\"}", "invalid_value", "email");
    CUSTOMER_FAILS("{\"name\":\"A\\u0007\"}", "invalid_value", "name");
    CUSTOMER_FAILS("{\"name\":\"A\",\"zip\":\"1\"}", "unknown_field", "zip");
}

static const char *const invoice_ok =
    "{\"customer_id\":3,\"invoice_date\":\"2025-06-01\",\"kind\":\"rot\","
    "\"lines\":[{\"description\":\"Arbete\",\"quantity_milli\":10000,\"unit_price_minor\":50000,"
    "\"vat_rate_bp\":2500,\"labour\":true}],"
    "\"buyers\":[{\"id_number\":\"811218-9876\",\"name\":\"Anna\"}]}";

static void invoice_decoding(void **state)
{
    struct api_invoice_input *in = malloc(sizeof(*in));
    json_t *o = obj(invoice_ok);
    struct api_error e;

    (void)state;
    api_error_clear(&e);
    assert_int_equal(api_decode_invoice(o, day("2026-03-02"), 30, in, &e), PM_OK);
    assert_int_equal(in->inv.due_date, day("2025-07-01")); /* invoice date + terms */
    assert_string_equal(in->inv.currency, "SEK");
    assert_int_equal(in->inv.total_minor, 625000);
    assert_int_equal(in->inv.tax_reduction_minor, 312500); /* 50 % ROT in 2025-05-12..12-31 */
    assert_int_equal(in->inv.customer_part_minor, 312500);
    assert_int_equal(in->n_lines, 1);
    assert_int_equal(in->lines[0].net_minor, 500000);
    assert_int_equal(in->n_buyers, 1);
    json_decref(o);
    free(in);
}

static void invoice_errors_name_the_path(void **state)
{
    int32_t today = day("2026-03-02");
    struct api_invoice_input *in = malloc(sizeof(*in));

    (void)state;
#define INVOICE_FAILS(text, code, field)                                      \
    do {                                                                      \
        json_t *o_ = obj(text);                                               \
        EXPECT_FAIL(api_decode_invoice(o_, today, 30, in, &e_), code, field); \
        json_decref(o_);                                                      \
    } while (0)
#define L "\"lines\":[{\"description\":\"A\",\"quantity_milli\":1000,\"unit_price_minor\":100,"
    INVOICE_FAILS("{\"invoice_date\":\"2026-01-01\"," L "\"vat_rate_bp\":2500}]}", "required",
                  "customer_id");
    INVOICE_FAILS("{\"customer_id\":1," L "\"vat_rate_bp\":2500}]}", "required", "invoice_date");
    INVOICE_FAILS("{\"customer_id\":1,\"invoice_date\":\"2026-01-01\"," L "\"vat_rate_bp\":2400}]}",
                  "invalid_value", "lines[0].vat_rate_bp");
    INVOICE_FAILS("{\"customer_id\":1,\"invoice_date\":\"2026-01-01\"," L "\"vat_rate_bp\":2500,"
                  "\"x\":1}]}",
                  "unknown_field", "lines[0].x");
    INVOICE_FAILS("{\"customer_id\":1,\"invoice_date\":\"2026-01-01\",\"lines\":[]}", "required",
                  "lines");
    INVOICE_FAILS("{\"customer_id\":1,\"invoice_date\":\"2026-01-01\",\"lines\":[1]}",
                  "invalid_value", "lines[0]");
    INVOICE_FAILS("{\"customer_id\":1,\"invoice_date\":\"2026-01-01\",\"kind\":\"rut\"," L
                  "\"vat_rate_bp\":2500}]}",
                  "required", "buyers");
    INVOICE_FAILS("{\"customer_id\":1,\"invoice_date\":\"2026-01-01\",\"currency\":\"sek\"," L
                  "\"vat_rate_bp\":2500}]}",
                  "invalid_value", "currency");
    INVOICE_FAILS(
        "{\"customer_id\":1,\"invoice_date\":\"2026-01-01\",\"due_date\":\"2025-12-31\"," L
        "\"vat_rate_bp\":2500}]}",
        "out_of_range", "due_date");
    INVOICE_FAILS("{\"customer_id\":1,\"invoice_date\":\"2026-01-01\",\"kind\":\"rot\"," L
                  "\"vat_rate_bp\":2500}],\"buyers\":[{\"id_number\":\"811218-9875\","
                  "\"name\":\"A\"}]}",
                  "invalid_value", "buyers[0].id_number");
    free(in);
}

static void payment_decoding(void **state)
{
    int32_t today = day("2026-03-02");
    struct payment p;
    json_t *o = obj("{\"amount_minor\":100,\"reference\":\"OCR 123\"}");
    struct api_error e;

    (void)state;
    api_error_clear(&e);
    assert_int_equal(api_decode_payment(o, today, &p, &e), PM_OK);
    assert_int_equal(p.date, today);
    assert_int_equal(p.amount_minor, 100);
    json_decref(o);
    o = obj("{\"amount_minor\":0}");
    EXPECT_FAIL(api_decode_payment(o, today, &p, &e_), "out_of_range", "amount_minor");
    json_decref(o);
    o = obj("{\"amount_minor\":\"100\"}");
    EXPECT_FAIL(api_decode_payment(o, today, &p, &e_), "invalid_value", "amount_minor");
    json_decref(o);
    o = obj("{\"date\":\"2026-3-1\",\"amount_minor\":1}");
    EXPECT_FAIL(api_decode_payment(o, today, &p, &e_), "invalid_value", "date");
    json_decref(o);
}

static void session_and_token_decoding(void **state)
{
    static const char *const bad_expiry[] = {"\"2026-02-30\"", "\"tomorrow\"", "5",
                                             "\"2026-06-01T10:00:00\"", "\"2026-06-01x\""};
    struct api_session_input in;
    struct api_token t;
    struct api_error e0;
    struct tz *tz = NULL;
    char text[128];
    json_t *o = obj("{\"email\":\"a@b.se\"}");

    (void)state;
    assert_int_equal(tz_load("Europe/Stockholm", &tz), PM_OK);
    EXPECT_FAIL(api_decode_session(o, &in, &e_), "required", "password");
    json_decref(o);
    o = obj("{\"name\":\"\"}");
    EXPECT_FAIL(api_decode_token(o, tz, &t, &e_), "required", "name");
    json_decref(o);
    /* no expiry, a date (through that day in Stockholm), an instant */
    o = obj("{\"name\":\"CI\"}");
    assert_int_equal(api_decode_token(o, tz, &t, &e0), PM_OK);
    assert_int_equal(t.expires_at, 0);
    json_decref(o);
    o = obj("{\"name\":\"CI\",\"expires_at\":null}");
    assert_int_equal(api_decode_token(o, tz, &t, &e0), PM_OK);
    assert_int_equal(t.expires_at, 0);
    json_decref(o);
    o = obj("{\"name\":\"CI\",\"expires_at\":\"2026-12-31\"}");
    assert_int_equal(api_decode_token(o, tz, &t, &e0), PM_OK);
    assert_int_equal(t.expires_at, 1798758000); /* 2026-12-31T23:00:00Z */
    json_decref(o);
    o = obj("{\"name\":\"CI\",\"expires_at\":\"2026-06-01T12:00:00+02:00\"}");
    assert_int_equal(api_decode_token(o, tz, &t, &e0), PM_OK);
    assert_int_equal(t.expires_at, 1780308000); /* 2026-06-01T10:00:00Z */
    json_decref(o);
    for (size_t i = 0; i < sizeof(bad_expiry) / sizeof(bad_expiry[0]); i++) {
        snprintf(text, sizeof(text), "{\"name\":\"CI\",\"expires_at\":%s}", bad_expiry[i]);
        o = obj(text);
        EXPECT_FAIL(api_decode_token(o, tz, &t, &e_), "invalid_value", "expires_at");
        json_decref(o);
    }
    tz_free(&tz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bodies_must_be_one_json_object),
        cmocka_unit_test(bad_values_still_parse),
        cmocka_unit_test(text_must_be_clean_utf8),
        cmocka_unit_test(field_readers_are_strict),
        cmocka_unit_test(unknown_keys_are_named),
        cmocka_unit_test(company_decoding),
        cmocka_unit_test(customer_decoding),
        cmocka_unit_test(invoice_decoding),
        cmocka_unit_test(invoice_errors_name_the_path),
        cmocka_unit_test(payment_decoding),
        cmocka_unit_test(session_and_token_decoding),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
