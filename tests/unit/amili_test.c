/*
 * amili_test.c — unit tests for src/core/amili.c and the hand-over item
 * status of src/core/handover.c: every value's name parses back to the
 * value, the names are the ones the database and the API hold, and an
 * unknown (or differently cased) string is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/amili.h"
#include "core/handover.h"

static void test_invoice_state(void **state)
{
    static const struct {
        enum amili_state value;
        const char *name;
    } cases[] = {
        {AMILI_STATE_NONE, ""},
        {AMILI_STATE_QUEUED, "queued"},
        {AMILI_STATE_REGISTERED, "registered"},
        {AMILI_STATE_FAILED, "failed"},
    };
    enum amili_state s = AMILI_STATE_FAILED;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_string_equal(amili_state_name(cases[i].value), cases[i].name);
        assert_int_equal(amili_state_parse(cases[i].name, &s), PM_OK);
        assert_int_equal(s, cases[i].value);
    }
    s = AMILI_STATE_QUEUED;
    assert_int_equal(amili_state_parse("lost", &s), PM_ERR_INVALID);
    assert_int_equal(amili_state_parse("Queued", &s), PM_ERR_INVALID);
    assert_int_equal(amili_state_parse(NULL, &s), PM_ERR_INVALID);
    assert_int_equal(s, AMILI_STATE_QUEUED); /* untouched on refusal */
    assert_null(amili_state_name((enum amili_state)42));

    assert_false(amili_state_with_agency(AMILI_STATE_NONE));
    assert_true(amili_state_with_agency(AMILI_STATE_QUEUED));
    assert_true(amili_state_with_agency(AMILI_STATE_REGISTERED));
    assert_false(amili_state_with_agency(AMILI_STATE_FAILED));
}

static void test_activation_state(void **state)
{
    static const struct {
        enum amili_activation_state value;
        const char *name;
    } cases[] = {
        {AMILI_ACTIVATION_PENDING, "pending"},
        {AMILI_ACTIVATION_ACTIVE, "active"},
        {AMILI_ACTIVATION_FAILED, "failed"},
    };
    enum amili_activation_state s = AMILI_ACTIVATION_FAILED;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_string_equal(amili_activation_state_name(cases[i].value), cases[i].name);
        assert_int_equal(amili_activation_state_parse(cases[i].name, &s), PM_OK);
        assert_int_equal(s, cases[i].value);
    }
    assert_int_equal(amili_activation_state_parse("not_activated", &s), PM_ERR_INVALID);
    assert_int_equal(amili_activation_state_parse("", &s), PM_ERR_INVALID);
    assert_int_equal(amili_activation_state_parse(NULL, &s), PM_ERR_INVALID);
    assert_null(amili_activation_state_name((enum amili_activation_state)42));
}

static void test_job(void **state)
{
    static const struct {
        enum amili_job value;
        const char *name;
    } cases[] = {
        {AMILI_JOB_REGISTER, "register"},
        {AMILI_JOB_UPLOAD_INVOICE, "upload_invoice"},
        {AMILI_JOB_REPORT_PAYMENT, "report_payment"},
        {AMILI_JOB_REPORT_CREDITING, "report_crediting"},
        {AMILI_JOB_CANCEL, "cancel"},
    };
    enum amili_job j = AMILI_JOB_CANCEL;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_string_equal(amili_job_name(cases[i].value), cases[i].name);
        assert_int_equal(amili_job_parse(cases[i].name, &j), PM_OK);
        assert_int_equal(j, cases[i].value);
    }
    assert_int_equal(amili_job_parse("teleport", &j), PM_ERR_INVALID);
    assert_int_equal(amili_job_parse("", &j), PM_ERR_INVALID);
    assert_int_equal(amili_job_parse(NULL, &j), PM_ERR_INVALID);
    assert_null(amili_job_name((enum amili_job)42));
}

static void test_handover_item_status(void **state)
{
    static const struct {
        enum handover_item_status value;
        const char *name;
    } cases[] = {
        {HANDOVER_QUEUED, "queued"},
        {HANDOVER_REGISTERED, "registered"},
        {HANDOVER_FAILED, "failed"},
    };
    enum handover_item_status s = HANDOVER_FAILED;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_string_equal(handover_item_status_name(cases[i].value), cases[i].name);
        assert_int_equal(handover_item_status_parse(cases[i].name, &s), PM_OK);
        assert_int_equal(s, cases[i].value);
    }
    assert_int_equal(handover_item_status_parse("done", &s), PM_ERR_INVALID);
    assert_int_equal(handover_item_status_parse("", &s), PM_ERR_INVALID);
    assert_int_equal(handover_item_status_parse(NULL, &s), PM_ERR_INVALID);
    assert_null(handover_item_status_name((enum handover_item_status)42));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invoice_state),
        cmocka_unit_test(test_activation_state),
        cmocka_unit_test(test_job),
        cmocka_unit_test(test_handover_item_status),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
