/*
 * api_decode_test.c — unit tests for src/api/api_decode.c, the strict
 * decoding of request bodies: for each refused body, the error a caller
 * gets (pm_err, the error code and the JSON path of the field named) and
 * that the record being edited is left as it was; for accepted bodies, the
 * values decoded (amounts in öre, day numbers, normalised numbers).  The
 * HTTP suites (tests/api/validation.test.mjs and others) send such bodies
 * over real HTTP; here every branch of the decoder is reached directly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_decode.h"
#include "core/date.h"
#include "core/money.h"

#define LINE                                                                          \
    "{\"description\":\"Arbete\",\"quantity_milli\":1000,\"unit_price_minor\":10000," \
    "\"vat_rate_bp\":2500}"
#define PERSON "19811218-9876"
/* 40 x 8 characters: longer than any e-mail address or number stored. */
#define LONG8 "abcdefgh"
#define LONG_EMAIL                                                                                \
    LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8     \
        LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 \
            LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 LONG8 "@x.se"

static int32_t today;

static int setup(void **state)
{
    (void)state;
    return date_from_ymd(2025, 6, 16, &today) == PM_OK ? 0 : -1;
}

static json_t *doc_of(const char *text)
{
    json_t *doc = json_loads(text, 0, NULL);

    if (!doc)
        fail_msg("not JSON: %s", text);
    return doc;
}

struct refusal {
    const char *body;
    enum pm_err rc;
    const char *code;
    const char *field;
};

static void check(const struct refusal *r, enum pm_err rc, const struct api_error *e)
{
    if (rc != r->rc || strcmp(api_error_code(e), r->code) || strcmp(e->field, r->field))
        fail_msg("%s: got %s %s \"%s\", want %s %s \"%s\"", r->body, pm_err_name(rc),
                 api_error_code(e), e->field, pm_err_name(r->rc), r->code, r->field);
}

static void test_company_refusals(void **state)
{
    static const struct refusal cases[] = {
        {"{\"name\":\"\"}", PM_ERR_INVALID, "required", "name"},
        {"{\"name\":null}", PM_ERR_INVALID, "required", "name"},
        {"{\"organization_no\":\"556036-0794\"}", PM_ERR_INVALID, "invalid_value",
         "organization_no"},
        {"{\"organization_no\":\"5560360793556036079355603607935560360793\"}", PM_ERR_INVALID,
         "invalid_value", "organization_no"},
        {"{\"organization_no\":5560360793}", PM_ERR_INVALID, "invalid_value", "organization_no"},
        {"{\"country\":\"se\"}", PM_ERR_INVALID, "invalid_value", "country"},
        {"{\"country\":\"XX\"}", PM_ERR_INVALID, "invalid_value", "country"},
        {"{\"country\":\"SWE\"}", PM_ERR_INVALID, "invalid_value", "country"},
        {"{\"country\":\"\"}", PM_ERR_INVALID, "invalid_value", "country"},
        {"{\"email\":\"info@\"}", PM_ERR_INVALID, "invalid_value", "email"},
        {"{\"email\":\"a@b@c.se\"}", PM_ERR_INVALID, "invalid_value", "email"},
        {"{\"email\":\"@strom.se\"}", PM_ERR_INVALID, "invalid_value", "email"},
        {"{\"email\":\"info@strom\"}", PM_ERR_INVALID, "invalid_value", "email"},
        {"{\"email\":\"info@strom.\"}", PM_ERR_INVALID, "invalid_value", "email"},
        {"{\"email\":\"info@.se\"}", PM_ERR_INVALID, "invalid_value", "email"},
        {"{\"email\":\"in fo@strom.se\"}", PM_ERR_INVALID, "invalid_value", "email"},
        {"{\"bankgiro\":\"-5050105\"}", PM_ERR_INVALID, "invalid_value", "bankgiro"},
        {"{\"bankgiro\":\"5050105-\"}", PM_ERR_INVALID, "invalid_value", "bankgiro"},
        {"{\"bankgiro\":\"50-50-1055\"}", PM_ERR_INVALID, "invalid_value", "bankgiro"},
        {"{\"bankgiro\":\"505-105\"}", PM_ERR_INVALID, "invalid_value", "bankgiro"},
        {"{\"bankgiro\":\"5050 1055\"}", PM_ERR_INVALID, "invalid_value", "bankgiro"},
        {"{\"payment_terms_days\":366}", PM_ERR_RANGE, "out_of_range", "payment_terms_days"},
        {"{\"payment_terms_days\":\"30\"}", PM_ERR_INVALID, "invalid_value", "payment_terms_days"},
        {"{\"reminder_fee_agreed\":1}", PM_ERR_INVALID, "invalid_value", "reminder_fee_agreed"},
        {"{\"reminder_fee_minor\":6001}", PM_ERR_RANGE, "out_of_range", "reminder_fee_minor"},
        {"{\"accounting_method\":\"cashflow\"}", PM_ERR_INVALID, "invalid_value",
         "accounting_method"},
        {"{\"language\":\"de\"}", PM_ERR_INVALID, "invalid_value", "language"},
        {"{\"reminder_due_days\":7}", PM_ERR_RANGE, "out_of_range", "reminder_due_days"},
        {"{\"reminder_due_days\":61}", PM_ERR_RANGE, "out_of_range", "reminder_due_days"},
        {"{\"phone\":12}", PM_ERR_INVALID, "invalid_value", "phone"},
        {"{\"swish_number\":\"0701234567\"}", PM_ERR_INVALID, "invalid_value", "swish_number"},
        {"{\"swish_number\":\"123456789\"}", PM_ERR_INVALID, "invalid_value", "swish_number"},
        {"{\"swish_number\":1234567890}", PM_ERR_INVALID, "invalid_value", "swish_number"},
        {"{\"vat_no\":\"SE556036079301\"}", PM_ERR_INVALID, "unknown_field", "vat_no"},
        {"{\"name\":7}", PM_ERR_INVALID, "invalid_value", "name"},
        {"{\"country\":\"1E\"}", PM_ERR_INVALID, "invalid_value", "country"},
        {"{\"country\":\"[E\"}", PM_ERR_INVALID, "invalid_value", "country"},
        {"{\"country\":\"S1\"}", PM_ERR_INVALID, "invalid_value", "country"},
        {"{\"country\":\"S[\"}", PM_ERR_INVALID, "invalid_value", "country"},
        {"{\"country\":\"Se\"}", PM_ERR_INVALID, "invalid_value", "country"},
        {"{\"email\":\"" LONG_EMAIL "\"}", PM_ERR_RANGE, "too_long", "email"},
        {"{\"bankgiro\":\"5050A105\"}", PM_ERR_INVALID, "invalid_value", "bankgiro"},
        {"{\"address_line_2\":5}", PM_ERR_INVALID, "invalid_value", "address_line_2"},
        {"{\"zip_code\":5}", PM_ERR_INVALID, "invalid_value", "zip_code"},
        {"{\"city\":5}", PM_ERR_INVALID, "invalid_value", "city"},
        {"{\"swish_number\":\"" LONG_EMAIL "\"}", PM_ERR_INVALID, "invalid_value", "swish_number"},
    };
    struct company co, before;
    struct api_error e;
    size_t i;

    (void)state;
    api_decode_company_defaults(&co);
    snprintf(co.name, sizeof(co.name), "Snickeri Ström AB");
    before = co;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *doc = doc_of(cases[i].body);

        memset(&e, 0, sizeof(e));
        check(&cases[i], api_decode_company(doc, false, &co, &e), &e);
        assert_memory_equal(&co, &before, sizeof(co));
        json_decref(doc);
    }
    /* Creating needs a name and an organisation number. */
    memset(&e, 0, sizeof(e));
    {
        json_t *doc = doc_of("{\"name\":\"Ström AB\"}");
        struct refusal r = {"create without organization_no", PM_ERR_INVALID, "required",
                            "organization_no"};

        check(&r, api_decode_company(doc, true, &co, &e), &e);
        json_decref(doc);
    }
}

static void test_company_accepted(void **state)
{
    struct company co;
    struct api_error e = {0};
    json_t *doc =
        doc_of("{\"name\":\"Ström AB\",\"organization_no\":\"556036-0793\",\"country\":\"NO\","
               "\"email\":\"\",\"bankgiro\":\"5050-1055\",\"payment_terms_days\":0,"
               "\"reminder_fee_agreed\":true,\"reminder_fee_minor\":6000,"
               "\"accounting_method\":\"cash\",\"language\":\"en\",\"reminder_due_days\":8,"
               "\"swish_number\":\"123 456 78 90\"}");

    (void)state;
    api_decode_company_defaults(&co);
    snprintf(co.email, sizeof(co.email), "old@strom.se");
    assert_int_equal(api_decode_company(doc, true, &co, &e), PM_OK);
    assert_string_equal(co.name, "Ström AB");
    assert_string_equal(co.organization_no, "5560360793");
    assert_string_equal(co.country, "NO");
    assert_string_equal(co.email, ""); /* an empty e-mail clears it */
    assert_string_equal(co.bankgiro, "5050-1055");
    assert_int_equal(co.payment_terms_days, 0);
    assert_true(co.reminder_fee_agreed);
    assert_int_equal(co.reminder_fee_minor, 6000);
    assert_int_equal(co.accounting_method, ACCOUNTING_CASH);
    assert_string_equal(co.language, "en");
    assert_int_equal(co.reminder_due_days, 8);
    assert_string_equal(co.swish_number, "1234567890"); /* stored as its digits */
    json_decref(doc);
}

static void test_customer_refusals(void **state)
{
    static const struct refusal cases[] = {
        {"{\"name\":\"\"}", PM_ERR_INVALID, "required", "name"},
        {"{\"is_company\":\"no\"}", PM_ERR_INVALID, "invalid_value", "is_company"},
        {"{\"id_number\":\"19811218-9877\"}", PM_ERR_INVALID, "invalid_value", "id_number"},
        {"{\"id_number\":\"1981121898761981121898761981121898761981121898761981121898761981\"}",
         PM_ERR_INVALID, "invalid_value", "id_number"},
        {"{\"id_number\":\"hemligt\"}", PM_ERR_INVALID, "invalid_value", "id_number"},
        /* A company number for a person. */
        {"{\"id_number\":\"556036-0793\",\"is_company\":false}", PM_ERR_INVALID, "invalid_value",
         "id_number"},
        {"{\"zip_code\":\"7221\"}", PM_ERR_INVALID, "invalid_value", "zip_code"},
        {"{\"zip_code\":\"72 215\"}", PM_ERR_INVALID, "invalid_value", "zip_code"},
        {"{\"zip_code\":\"722-15\"}", PM_ERR_INVALID, "invalid_value", "zip_code"},
        {"{\"zip_code\":\"SE-72215\"}", PM_ERR_INVALID, "invalid_value", "zip_code"},
        {"{\"country\":\"ZZ\"}", PM_ERR_INVALID, "invalid_value", "country"},
        {"{\"email\":\"anna.example.se\"}", PM_ERR_INVALID, "invalid_value", "email"},
        {"{\"language\":\"fi\"}", PM_ERR_INVALID, "invalid_value", "language"},
        {"{\"language\":\"svenska\"}", PM_ERR_INVALID, "invalid_value", "language"},
        {"{\"mobile_number\":46701234567}", PM_ERR_INVALID, "invalid_value", "mobile_number"},
        {"{\"number\":7}", PM_ERR_INVALID, "invalid_value", "number"},
        {"{\"ssn\":\"x\"}", PM_ERR_INVALID, "unknown_field", "ssn"},
        /* A company now, under the stored personal number. */
        {"{\"is_company\":true}", PM_ERR_INVALID, "invalid_value", "id_number"},
        {"{\"name\":[\"Anna\"]}", PM_ERR_INVALID, "invalid_value", "name"},
        {"{\"address_line_2\":5}", PM_ERR_INVALID, "invalid_value", "address_line_2"},
        {"{\"zip_code\":5}", PM_ERR_INVALID, "invalid_value", "zip_code"},
        {"{\"city\":5}", PM_ERR_INVALID, "invalid_value", "city"},
        {"{\"id_number\":\"19811218987619811218\"}", PM_ERR_INVALID, "invalid_value", "id_number"},
    };
    struct customer c, before;
    struct api_error e;
    size_t i;

    (void)state;
    api_decode_customer_defaults(&c);
    snprintf(c.name, sizeof(c.name), "Anna Andersson");
    snprintf(c.id_number, sizeof(c.id_number), "198112189876");
    before = c;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *doc = doc_of(cases[i].body);

        memset(&e, 0, sizeof(e));
        check(&cases[i], api_decode_customer(doc, false, today, &c, &e), &e);
        assert_memory_equal(&c, &before, sizeof(c));
        json_decref(doc);
    }
    /* Abroad, a postal code is the other country's: not checked as a
     * Swedish one; English letters. */
    {
        json_t *doc = doc_of("{\"country\":\"NO\",\"zip_code\":\"0150\",\"language\":\"en\"}");

        memset(&e, 0, sizeof(e));
        assert_int_equal(api_decode_customer(doc, false, today, &c, &e), PM_OK);
        assert_string_equal(c.country, "NO");
        assert_string_equal(c.zip_code, "0150");
        assert_string_equal(c.language, "en");
        json_decref(doc);
    }
}

static void test_customer_id_numbers(void **state)
{
    struct customer c;
    struct api_error e;
    json_t *doc;

    (void)state;
    /* Only the check digit wrong: said so. */
    api_decode_customer_defaults(&c);
    memset(&e, 0, sizeof(e));
    doc = doc_of("{\"name\":\"Anna\",\"id_number\":\"811218-9877\"}");
    assert_int_equal(api_decode_customer(doc, true, today, &c, &e), PM_ERR_INVALID);
    assert_string_equal(e.extra, "{\"reason\":\"check_digit\"}");
    json_decref(doc);
    /* Not the digits of one at all: no reason. */
    memset(&e, 0, sizeof(e));
    doc = doc_of("{\"name\":\"Anna\",\"id_number\":\"12345\"}");
    assert_int_equal(api_decode_customer(doc, true, today, &c, &e), PM_ERR_INVALID);
    assert_string_equal(e.extra, "");
    json_decref(doc);
    /* A zip code outside Sweden is the foreign post's business. */
    memset(&e, 0, sizeof(e));
    doc = doc_of("{\"name\":\"Ola\",\"country\":\"NO\",\"zip_code\":\"0150\"}");
    assert_int_equal(api_decode_customer(doc, true, today, &c, &e), PM_OK);
    assert_string_equal(c.zip_code, "0150");
    json_decref(doc);
    /* A Swedish one in either form; the reason when refused. */
    memset(&e, 0, sizeof(e));
    doc = doc_of("{\"name\":\"Anna\",\"country\":\"SE\",\"zip_code\":\"722 15\","
                 "\"id_number\":\"" PERSON "\",\"email\":\"anna@example.se\"}");
    assert_int_equal(api_decode_customer(doc, true, today, &c, &e), PM_OK);
    assert_string_equal(c.id_number, "198112189876");
    json_decref(doc);
    memset(&e, 0, sizeof(e));
    doc = doc_of("{\"zip_code\":\"7221A\"}");
    assert_int_equal(api_decode_customer(doc, false, today, &c, &e), PM_ERR_INVALID);
    assert_string_equal(e.extra, "{\"reason\":\"swedish_zip_code\"}");
    json_decref(doc);
    /* A company: its organisation number; the kind changed to person
     * under it is refused, and an empty number clears it. */
    memset(&e, 0, sizeof(e));
    doc = doc_of("{\"is_company\":true,\"id_number\":\"556036-0793\"}");
    assert_int_equal(api_decode_customer(doc, false, today, &c, &e), PM_OK);
    assert_string_equal(c.id_number, "5560360793");
    json_decref(doc);
    memset(&e, 0, sizeof(e));
    doc = doc_of("{\"is_company\":false}");
    assert_int_equal(api_decode_customer(doc, false, today, &c, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "id_number");
    assert_string_equal(c.id_number, "5560360793");
    json_decref(doc);
    memset(&e, 0, sizeof(e));
    doc = doc_of("{\"is_company\":false,\"id_number\":\"\"}");
    assert_int_equal(api_decode_customer(doc, false, today, &c, &e), PM_OK);
    assert_string_equal(c.id_number, "");
    assert_false(c.is_company);
    json_decref(doc);
}

static void test_invoice_refusals(void **state)
{
    static const struct refusal cases[] = {
        {"{\"invoice_date\":\"2025-06-01\",\"lines\":[" LINE "]}", PM_ERR_INVALID, "required",
         "customer_id"},
        {"{\"customer_id\":0,\"invoice_date\":\"2025-06-01\",\"lines\":[" LINE "]}", PM_ERR_RANGE,
         "out_of_range", "customer_id"},
        {"{\"customer_id\":1,\"number\":0,\"invoice_date\":\"2025-06-01\",\"lines\":[" LINE "]}",
         PM_ERR_RANGE, "out_of_range", "number"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-02-30\",\"lines\":[" LINE "]}", PM_ERR_INVALID,
         "invalid_value", "invoice_date"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-10\",\"due_date\":\"2025-06-09\","
         "\"lines\":[" LINE "]}",
         PM_ERR_RANGE, "out_of_range", "due_date"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"currency\":\"sek\",\"lines\":[" LINE
         "]}",
         PM_ERR_INVALID, "invalid_value", "currency"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"currency\":\"SEKR\",\"lines\":[" LINE
         "]}",
         PM_ERR_INVALID, "invalid_value", "currency"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"kind\":\"gift\",\"lines\":[" LINE
         "]}",
         PM_ERR_INVALID, "invalid_value", "kind"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"zero_vat\":\"food\",\"lines\":[" LINE
         "]}",
         PM_ERR_INVALID, "invalid_value", "zero_vat"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\"}", PM_ERR_INVALID, "required",
         "lines"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":null}", PM_ERR_INVALID,
         "required", "lines"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[]}", PM_ERR_INVALID,
         "required", "lines"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":{}}", PM_ERR_INVALID,
         "invalid_value", "lines"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[" LINE ",7]}",
         PM_ERR_INVALID, "invalid_value", "lines[1]"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[{\"description\":\"A\","
         "\"quantity_milli\":1000,\"unit_price_minor\":100,\"vat_rate_bp\":1000}]}",
         PM_ERR_INVALID, "invalid_value", "lines[0].vat_rate_bp"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[{\"description\":\"A\","
         "\"quantity_milli\":0,\"unit_price_minor\":100,\"vat_rate_bp\":2500}]}",
         PM_ERR_RANGE, "out_of_range", "lines[0].quantity_milli"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[{\"description\":\"A\","
         "\"quantity_milli\":1000000000,\"unit_price_minor\":900000000000000,"
         "\"vat_rate_bp\":2500}]}",
         PM_ERR_RANGE, "out_of_range", "lines[0].unit_price_minor"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[{\"description\":\"A\","
         "\"quantity_milli\":1000,\"unit_price_minor\":100,\"vat_rate_bp\":2500,"
         "\"labour\":\"yes\"}]}",
         PM_ERR_INVALID, "invalid_value", "lines[0].labour"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[{\"description\":\"A\","
         "\"quantity_milli\":1000,\"unit_price_minor\":100,\"vat_rate_bp\":2500,\"sku\":1}]}",
         PM_ERR_INVALID, "unknown_field", "lines[0].sku"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"kind\":\"rot\",\"lines\":[" LINE
         "]}",
         PM_ERR_INVALID, "required", "buyers"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[" LINE "],"
         "\"buyers\":[{\"id_number\":\"" PERSON "\",\"name\":\"Anna\"}]}",
         PM_ERR_INVALID, "invalid_value", "buyers"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"kind\":\"rut\",\"lines\":[" LINE
         "],\"buyers\":\"Anna\"}",
         PM_ERR_INVALID, "invalid_value", "buyers"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"kind\":\"rut\",\"lines\":[" LINE
         "],\"buyers\":[\"Anna\"]}",
         PM_ERR_INVALID, "invalid_value", "buyers[0]"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"kind\":\"rut\",\"lines\":[" LINE
         "],\"buyers\":[{},{},{},{},{}]}",
         PM_ERR_RANGE, "too_long", "buyers"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"kind\":\"rut\",\"lines\":[" LINE
         "],\"buyers\":[{\"id_number\":\"556036-0793\",\"name\":\"AB\"}]}",
         PM_ERR_INVALID, "invalid_value", "buyers[0].id_number"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"kind\":\"rut\",\"lines\":[" LINE
         "],\"buyers\":[{\"id_number\":\"19811218987619811218987619811218\",\"name\":\"A\"}]}",
         PM_ERR_INVALID, "invalid_value", "buyers[0].id_number"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"kind\":\"rut\",\"lines\":[" LINE
         "],\"buyers\":[{\"id_number\":\"" PERSON "\",\"name\":\"\"}]}",
         PM_ERR_INVALID, "required", "buyers[0].name"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"kind\":\"rut\",\"lines\":[" LINE
         "],\"buyers\":[{\"id_number\":\"" PERSON "\"}]}",
         PM_ERR_INVALID, "required", "buyers[0].name"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"kind\":\"rut\",\"lines\":[" LINE
         "],\"buyers\":[{\"id_number\":\"" PERSON "\",\"name\":\"A\",\"share\":1}]}",
         PM_ERR_INVALID, "unknown_field", "buyers[0].share"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"kind\":\"rut\",\"lines\":[" LINE
         "],\"buyers\":[{\"id_number\":198112189876,\"name\":\"A\"}]}",
         PM_ERR_INVALID, "invalid_value", "buyers[0].id_number"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"currency\":\"S1K\",\"lines\":[" LINE
         "]}",
         PM_ERR_INVALID, "invalid_value", "currency"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"currency\":\"SE1\",\"lines\":[" LINE
         "]}",
         PM_ERR_INVALID, "invalid_value", "currency"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"currency\":\"1EK\",\"lines\":[" LINE
         "]}",
         PM_ERR_INVALID, "invalid_value", "currency"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"currency\":\"S[K\",\"lines\":[" LINE
         "]}",
         PM_ERR_INVALID, "invalid_value", "currency"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"currency\":\"SE[\",\"lines\":[" LINE
         "]}",
         PM_ERR_INVALID, "invalid_value", "currency"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"currency\":\"[EK\",\"lines\":[" LINE
         "]}",
         PM_ERR_INVALID, "invalid_value", "currency"},
        /* 1 000 units of 10^13 kr: 10^18 öre, over MONEY_MAX either way. */
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[{\"description\":\"A\","
         "\"quantity_milli\":1000000,\"unit_price_minor\":1000000000000000,\"vat_rate_bp\":2500}]}",
         PM_ERR_RANGE, "out_of_range", "lines[0].unit_price_minor"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[{\"description\":\"A\","
         "\"quantity_milli\":1000000,\"unit_price_minor\":-1000000000000000,\"vat_rate_bp\":2500}]"
         "}",
         PM_ERR_RANGE, "out_of_range", "lines[0].unit_price_minor"},
        /* Each line within MONEY_MAX, the total with VAT (10^15 + 2.5 * 10^14) not. */
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[{\"description\":\"A\","
         "\"quantity_milli\":1000,\"unit_price_minor\":500000000000000,\"vat_rate_bp\":2500},"
         "{\"description\":\"B\",\"quantity_milli\":1000,\"unit_price_minor\":500000000000000,"
         "\"vat_rate_bp\":2500}]}",
         PM_ERR_RANGE, "out_of_range", "lines"},
        /* What invoice_compute() refuses: labour on a standard invoice, a
         * total not above zero. */
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[{\"description\":\"A\","
         "\"quantity_milli\":1000,\"unit_price_minor\":100,\"vat_rate_bp\":2500,\"labour\":true}]}",
         PM_ERR_INVALID, "invalid_value", "lines[0].labour"},
        {"{\"customer_id\":1,\"invoice_date\":\"2025-06-01\",\"lines\":[{\"description\":\"A\","
         "\"quantity_milli\":1000,\"unit_price_minor\":-100,\"vat_rate_bp\":2500}]}",
         PM_ERR_RANGE, "out_of_range", "lines"},
    };
    struct api_invoice_input *in = calloc(1, sizeof(*in));
    struct api_error e;
    size_t i;

    (void)state;
    assert_non_null(in);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *doc = doc_of(cases[i].body);

        memset(&e, 0, sizeof(e));
        check(&cases[i], api_decode_invoice(doc, today, 30, in, &e), &e);
        json_decref(doc);
    }
    free(in);
}

static void test_invoice_accepted(void **state)
{
    struct api_invoice_input *in = calloc(1, sizeof(*in));
    struct api_error e = {0};
    int32_t day;
    json_t *doc;

    (void)state;
    assert_non_null(in);
    /* No due date: the company's payment terms; zero_vat null: none. */
    doc = doc_of("{\"customer_id\":4,\"invoice_date\":\"2025-06-01\",\"zero_vat\":null,"
                 "\"lines\":[" LINE ",{\"description\":\"Spik\",\"quantity_milli\":2500,"
                 "\"unit_price_minor\":1999,\"vat_rate_bp\":1200}]}");
    assert_int_equal(api_decode_invoice(doc, today, 20, in, &e), PM_OK);
    assert_int_equal(date_from_ymd(2025, 6, 21, &day), PM_OK);
    assert_int_equal(in->inv.due_date, day);
    assert_int_equal(in->inv.zero_vat, ZERO_VAT_NONE);
    assert_string_equal(in->inv.currency, "SEK");
    assert_int_equal(in->n_lines, 2);
    /* 100.00 + 25 % and 2.5 x 19.99 = 49.975 -> 49.98 (half away from
     * zero) + 12 %: 10 000 + 4 998 net, 2 500 + 600 VAT. */
    assert_int_equal(in->lines[1].net_minor, 4998);
    assert_int_equal(in->inv.net_minor, 14998);
    assert_int_equal(in->inv.vat_minor, 3100);
    assert_int_equal(in->inv.total_minor, 18098);
    assert_int_equal(in->inv.remaining_minor, 18098);
    json_decref(doc);
    free(in);
}

static void test_payment(void **state)
{
    static const struct refusal cases[] = {
        {"{}", PM_ERR_INVALID, "required", "amount_minor"},
        {"{\"amount_minor\":0}", PM_ERR_RANGE, "out_of_range", "amount_minor"},
        {"{\"amount_minor\":-100}", PM_ERR_RANGE, "out_of_range", "amount_minor"},
        {"{\"amount_minor\":100,\"date\":\"16/6\"}", PM_ERR_INVALID, "invalid_value", "date"},
        {"{\"amount_minor\":100,\"reference\":42}", PM_ERR_INVALID, "invalid_value", "reference"},
        {"{\"amount_minor\":100,\"currency\":\"SEK\"}", PM_ERR_INVALID, "unknown_field",
         "currency"},
        {"{\"amount_minor\":1000000000000001}", PM_ERR_RANGE, "out_of_range", "amount_minor"},
    };
    struct payment p;
    struct api_error e;
    size_t i;
    json_t *doc;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        doc = doc_of(cases[i].body);
        memset(&e, 0, sizeof(e));
        check(&cases[i], api_decode_payment(doc, today, &p, &e), &e);
        json_decref(doc);
    }
    /* No date: today. */
    doc = doc_of("{\"amount_minor\":12550,\"reference\":\"OCR 123\"}");
    memset(&e, 0, sizeof(e));
    assert_int_equal(api_decode_payment(doc, today, &p, &e), PM_OK);
    assert_int_equal(p.date, today);
    assert_int_equal(p.amount_minor, 12550);
    assert_int_equal(p.source, PAYMENT_MANUAL);
    assert_string_equal(p.reference, "OCR 123");
    json_decref(doc);
}

static void test_session_and_token(void **state)
{
    static const struct refusal sessions[] = {
        {"{\"password\":\"x\"}", PM_ERR_INVALID, "required", "email"},
        {"{\"email\":\"a@b.se\"}", PM_ERR_INVALID, "required", "password"},
        {"{\"email\":\"a@b.se\",\"password\":\"x\",\"remember\":true}", PM_ERR_INVALID,
         "unknown_field", "remember"},
    };
    static const struct refusal tokens[] = {
        {"{}", PM_ERR_INVALID, "required", "name"},
        {"{\"name\":\"\"}", PM_ERR_INVALID, "required", "name"},
        {"{\"name\":\"CI\",\"expires_at\":\"2025-13-01\"}", PM_ERR_INVALID, "invalid_value",
         "expires_at"},
        {"{\"name\":\"CI\",\"expires_at\":\"soon\"}", PM_ERR_INVALID, "invalid_value",
         "expires_at"},
        {"{\"name\":\"CI\",\"expires_at\":\"2025-07-01 12:00\"}", PM_ERR_INVALID, "invalid_value",
         "expires_at"},
        {"{\"name\":\"CI\",\"expires_at\":3600}", PM_ERR_INVALID, "invalid_value", "expires_at"},
        {"{\"name\":\"CI\",\"scope\":\"all\"}", PM_ERR_INVALID, "unknown_field", "scope"},
    };
    struct api_session_input s;
    struct api_token t;
    struct api_error e;
    size_t i;
    json_t *doc;

    (void)state;
    for (i = 0; i < sizeof(sessions) / sizeof(sessions[0]); i++) {
        doc = doc_of(sessions[i].body);
        memset(&e, 0, sizeof(e));
        check(&sessions[i], api_decode_session(doc, &s, &e), &e);
        json_decref(doc);
    }
    for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
        doc = doc_of(tokens[i].body);
        memset(&e, 0, sizeof(e));
        memset(&t, 0, sizeof(t));
        check(&tokens[i], api_decode_token(doc, NULL, &t, &e), &e);
        json_decref(doc);
    }
    /* An instant is taken as it is; none is no end. */
    doc = doc_of("{\"name\":\"CI\",\"expires_at\":\"2025-07-01T10:00:00Z\"}");
    memset(&e, 0, sizeof(e));
    memset(&t, 0, sizeof(t));
    assert_int_equal(api_decode_token(doc, NULL, &t, &e), PM_OK);
    assert_string_equal(t.name, "CI");
    assert_int_equal(t.expires_at, INT64_C(1751364000)); /* unix seconds */
    json_decref(doc);
    doc = doc_of("{\"name\":\"CI\",\"expires_at\":null}");
    assert_int_equal(api_decode_token(doc, NULL, &t, &e), PM_OK);
    assert_int_equal(t.expires_at, 0);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_company_refusals),  cmocka_unit_test(test_company_accepted),
        cmocka_unit_test(test_customer_refusals), cmocka_unit_test(test_customer_id_numbers),
        cmocka_unit_test(test_invoice_refusals),  cmocka_unit_test(test_invoice_accepted),
        cmocka_unit_test(test_payment),           cmocka_unit_test(test_session_and_token),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
