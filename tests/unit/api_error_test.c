/*
 * api_error_test.c — the one mapping from failures to HTTP answers
 * (src/api/api_error.c): the status a client gets and the JSON error body
 * it reads, in Swedish or English.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_error.h"

static int status_of(enum pm_err rc, const char *code)
{
    struct api_error e;

    api_error_clear(&e);
    api_error_set(&e, rc, code, NULL);
    return api_error_status(&e);
}

static void codes_have_their_status(void **state)
{
    (void)state;
    assert_int_equal(status_of(PM_ERR_INVALID, "malformed_json"), 400);
    assert_int_equal(status_of(PM_ERR_INVALID, "invalid_query"), 400);
    assert_int_equal(status_of(PM_ERR_INVALID, "not_authenticated"), 401);
    assert_int_equal(status_of(PM_ERR_INVALID, "invalid_credentials"), 401);
    assert_int_equal(status_of(PM_ERR_INVALID, "csrf_token_invalid"), 403);
    assert_int_equal(status_of(PM_ERR_INVALID, "forbidden_role"), 403);
    assert_int_equal(status_of(PM_ERR_NOT_FOUND, "not_found"), 404);
    assert_int_equal(status_of(PM_ERR_INVALID, "method_not_allowed"), 405);
    assert_int_equal(status_of(PM_ERR_CONFLICT, "duplicate_number"), 409);
    assert_int_equal(status_of(PM_ERR_RANGE, "body_too_large"), 413);
    assert_int_equal(status_of(PM_ERR_INVALID, "unsupported_media_type"), 415);
    assert_int_equal(status_of(PM_ERR_INVALID, "unknown_field"), 422);
    assert_int_equal(status_of(PM_ERR_RANGE, "too_long"), 422);
    assert_int_equal(status_of(PM_ERR_CONFLICT, "idempotency_key_reused"), 422);
    assert_int_equal(status_of(PM_ERR_BUSY, "too_many_attempts"), 429);
}

static void results_without_a_code_map_by_result(void **state)
{
    (void)state;
    assert_int_equal(status_of(PM_ERR_NOT_FOUND, NULL), 404);
    assert_int_equal(status_of(PM_ERR_CONFLICT, NULL), 409);
    assert_int_equal(status_of(PM_ERR_INVALID, NULL), 422);
    assert_int_equal(status_of(PM_ERR_RANGE, NULL), 422);
    assert_int_equal(status_of(PM_ERR_DB, NULL), 500);
    assert_int_equal(status_of(PM_ERR_NOMEM, NULL), 500);
    assert_int_equal(status_of(PM_ERR_INTERNAL, "no_such_code"), 500);
}

static json_t *render(const struct api_error *e, bool english, int *status)
{
    char *body = NULL;
    size_t len = 0;
    json_t *root;

    assert_int_equal(api_error_render(e, english, status, &body, &len), PM_OK);
    assert_int_equal(strlen(body), len);
    root = json_loads(body, 0, NULL);
    free(body);
    assert_non_null(root);
    return root;
}

static void body_names_code_message_and_field(void **state)
{
    struct api_error e;
    json_t *root, *err;
    char *text;
    int status = 0;

    (void)state;
    api_error_clear(&e);
    api_error_at(&e, PM_ERR_INVALID, "invalid_value", "lines[0].", "vat_rate_bp");
    api_error_detail(&e, "secret detail for the log");
    root = render(&e, false, &status);
    assert_int_equal(status, 422);
    err = json_object_get(root, "error");
    assert_string_equal(json_string_value(json_object_get(err, "code")), "invalid_value");
    assert_string_equal(json_string_value(json_object_get(err, "field")), "lines[0].vat_rate_bp");
    assert_string_equal(json_string_value(json_object_get(err, "message")), "Ogiltigt värde.");
    assert_int_equal(json_object_size(err), 3);
    text = json_dumps(root, 0);
    assert_null(strstr(text, "secret")); /* the detail is for the log only */
    free(text);
    json_decref(root);
}

static void field_is_omitted_when_none_and_english_on_request(void **state)
{
    struct api_error e;
    json_t *root, *err;
    int status = 0;

    (void)state;
    api_error_clear(&e);
    api_error_set(&e, PM_ERR_NOT_FOUND, NULL, NULL);
    root = render(&e, true, &status);
    assert_int_equal(status, 404);
    err = json_object_get(root, "error");
    assert_null(json_object_get(err, "field"));
    assert_string_equal(json_string_value(json_object_get(err, "code")), "not_found");
    assert_string_equal(json_string_value(json_object_get(err, "message")), "Not found.");
    json_decref(root);
}

static void a_cut_field_name_stays_valid_utf8(void **state)
{
    struct api_error e;
    char key[200];
    json_t *root;
    int status;

    (void)state;
    memset(key, 'a', sizeof(key));
    memcpy(key + 94, "\xc3\xa5\xc3\xa5", 4); /* "åå" across the 96-byte limit */
    key[sizeof(key) - 1] = '\0';
    api_error_clear(&e);
    api_error_set(&e, PM_ERR_INVALID, "unknown_field", key);
    root = render(&e, false, &status);
    assert_int_equal(status, 422);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_have_their_status),
        cmocka_unit_test(results_without_a_code_map_by_result),
        cmocka_unit_test(body_names_code_message_and_field),
        cmocka_unit_test(field_is_omitted_when_none_and_english_on_request),
        cmocka_unit_test(a_cut_field_name_stays_valid_utf8),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
