/*
 * app_error_test.c — the failures of the application layer
 * (src/app/app_error.c): codes derived from results, the product's words
 * for each code in Swedish and English, and that the HTTP API gives every
 * one of them its status and the same words (src/api/api_error.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "api/api_error.h"
#include "app/app_error.h"

/* The application's vocabulary with the status the API answers. */
static const struct {
    const char *code;
    int status;
} vocabulary[] = {
    {"invalid_credentials", 401},
    {"not_found", 404},
    {"conflict", 409},
    {"duplicate_number", 409},
    {"required", 422},
    {"invalid_value", 422},
    {"out_of_range", 422},
    {"duplicate_value", 422},
    {"busy", 503},
    {"internal_error", 500},
    {"handed_over", 409},
    {"not_overdue", 422},
    {"nothing_left", 422},
    {"agency_case_open", 409},
    {"disputed", 409},
    {"nothing_to_write_off", 409},
    {"already_written_off", 409},
    {"already_expected", 409},
    {"cash_method_not_supported", 422},
    {"already_imported", 409},
    {"already_confirmed", 409},
    {"bgmax_invalid", 422},
    {"bgmax_test_file", 422},
    {"bankgiro_mismatch", 422},
    {"books_locked", 422},
    {"date_after_today", 422},
    {"date_before_invoice", 422},
    {"rot_rut_company_customer", 422},
    {"reminder_not_found", 404},
    {"batch_not_found", 404},
    {"already_approved", 409},
    {"run_not_found", 404},
    {"policy_not_found", 404},
    {"no_letters", 404},
    {"agency_not_configured", 503},
    {"agency_unavailable", 502},
    {"agency_refused", 502},
    {"terms_not_accepted", 422},
    {"terms_version_outdated", 409},
    {"company_incomplete", 422},
    {"already_handed_over", 409},
    {"not_eligible", 422},
};

#define N_VOCABULARY (sizeof(vocabulary) / sizeof(vocabulary[0]))

static void every_code_has_words_and_a_status(void **state)
{
    struct app_error ae;
    struct api_error e;
    size_t i;

    (void)state;
    for (i = 0; i < N_VOCABULARY; i++) {
        const char *code = vocabulary[i].code;

        assert_true(app_error_known(code));
        assert_non_null(app_error_message(code, false));
        assert_non_null(app_error_message(code, true));
        assert_string_not_equal(app_error_message(code, false), app_error_message(code, true));
        app_error_clear(&ae);
        app_error_set(&ae, PM_ERR_CONFLICT, code, "invoice_id");
        api_error_clear(&e);
        api_error_from_app(&e, &ae);
        assert_string_equal(api_error_code(&e), code);
        assert_int_equal(api_error_status(&e), vocabulary[i].status);
        assert_string_equal(api_error_message(code, false), app_error_message(code, false));
        assert_string_equal(api_error_message(code, true), app_error_message(code, true));
        assert_string_equal(e.field, "invoice_id");
    }
    /* The protocol's own codes are not the application's. */
    assert_false(app_error_known("malformed_json"));
    assert_null(app_error_message("csrf_token_invalid", false));
}

static void codes_follow_results(void **state)
{
    struct app_error e;

    (void)state;
    app_error_clear(&e);
    assert_int_equal(app_error_set(&e, PM_ERR_NOT_FOUND, NULL, NULL), PM_ERR_NOT_FOUND);
    assert_string_equal(app_error_code(&e), "not_found");
    app_error_set(&e, PM_ERR_OVERFLOW, NULL, NULL);
    assert_string_equal(app_error_code(&e), "out_of_range");
    app_error_set(&e, PM_ERR_DB, "no_such_code", NULL);
    assert_string_equal(app_error_code(&e), "internal_error");
    app_error_set(&e, PM_ERR_RANGE, "nothing_left", "invoice_id");
    assert_string_equal(app_error_code(&e), "nothing_left");
}

static void detail_extra_and_fields(void **state)
{
    struct app_error e;
    char big[2000];

    (void)state;
    app_error_clear(&e);
    app_error_set(&e, PM_ERR_INVALID, "bgmax_invalid", "line 7");
    assert_int_equal(app_error_detail(&e, "line %d", 7), PM_ERR_INVALID);
    assert_string_equal(e.detail, "line 7");
    app_error_extra(&e, "{\"reason\":\"truncated\"}");
    assert_string_equal(e.extra, "{\"reason\":\"truncated\"}");
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    app_error_extra(&e, big); /* never kept half */
    assert_string_equal(e.extra, "");
    app_error_at(&e, PM_ERR_INVALID, "invalid_value", "lines[2].", "vat_rate_bp");
    assert_string_equal(e.field, "lines[2].vat_rate_bp");
    /* a field cut inside a UTF-8 character drops the character */
    memset(big, 'a', sizeof(e.field) - 2);
    memcpy(big + sizeof(e.field) - 2, "ö", sizeof("ö"));
    app_error_set(&e, PM_ERR_INVALID, NULL, big);
    assert_int_equal(strlen(e.field), sizeof(e.field) - 2);
    assert_int_equal(app_error_set(NULL, PM_ERR_INVALID, NULL, NULL), PM_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_words_and_a_status),
        cmocka_unit_test(codes_follow_results),
        cmocka_unit_test(detail_extra_and_fields),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
