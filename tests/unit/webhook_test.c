/*
 * webhook_test.c — unit tests for src/core/webhook.c (which history event
 * is which webhook event, the event type lists, the endpoint addresses
 * allowed) and the signature of src/webhook/webhook.c: v1= and the hex
 * HMAC-SHA256 of "<timestamp>.<body>" (checked against Python's hmac).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/webhook.h"
#include "webhook/webhook.h"

static void test_history_kinds(void **state)
{
    (void)state;
    assert_string_equal(webhook_type_of_history("overdue"), "invoice.overdue");
    assert_string_equal(webhook_type_of_history("reminder"), "reminder.sent");
    assert_string_equal(webhook_type_of_history("payment"), "payment.received");
    assert_string_equal(webhook_type_of_history("amili_payment"), "payment.received");
    assert_string_equal(webhook_type_of_history("amili_registered"), "invoice.handed_over");
    assert_string_equal(webhook_type_of_history("amili_state"), "case.state_changed");
    assert_string_equal(webhook_type_of_history("amili_closed"), "case.state_changed");
    assert_string_equal(webhook_type_of_history("amili_payout"), "payout.received");
    assert_string_equal(webhook_type_of_history("customer_loss"), "customer.loss");
    assert_null(webhook_type_of_history("created"));
    assert_null(webhook_type_of_history("mail_queued"));
    assert_null(webhook_type_of_history(NULL));
}

static void test_type_lists(void **state)
{
    (void)state;
    assert_true(webhook_type_known("payout.received"));
    assert_true(webhook_type_known("invoice.overdue"));
    assert_false(webhook_type_known("invoice.paid"));
    assert_false(webhook_type_known("payment"));
    assert_true(webhook_types_include("reminder.sent payment.received", "payment.received"));
    assert_true(webhook_types_include("reminder.sent payment.received", "reminder.sent"));
    assert_false(webhook_types_include("reminder.sent payment.received", "payment"));
    assert_false(webhook_types_include("payment.received.x", "payment.received"));
    assert_false(webhook_types_include("", "payment.received"));
}

static void test_urls(void **state)
{
    (void)state;
    assert_null(webhook_url_problem("https://hooks.example.se/paminn", false));
    assert_null(webhook_url_problem("https://hooks.example.se:8443", false));
    assert_non_null(webhook_url_problem("http://hooks.example.se/paminn", false));
    assert_non_null(webhook_url_problem("http://127.0.0.1:8080/hook", false));
    assert_null(webhook_url_problem("http://127.0.0.1:8080/hook", true));
    assert_null(webhook_url_problem("http://localhost/hook", true));
    assert_non_null(webhook_url_problem("http://127.0.0.1.evil.se/hook", true));
    assert_non_null(webhook_url_problem("http://localhost@evil.se/", true));
    assert_non_null(webhook_url_problem("https://", false));
    assert_non_null(webhook_url_problem("https://user@hooks.example.se/", false));
    assert_non_null(webhook_url_problem("https://hooks.example.se/a b", false));
    assert_non_null(webhook_url_problem("ftp://hooks.example.se/", false));
}

static void test_signature(void **state)
{
    char sig[WEBHOOK_SIGNATURE_MAX];
    const char body[] = "{\"a\":1}";

    (void)state;
    webhook_sign("whsec_test", 1759219200, body, strlen(body), sig);
    assert_string_equal(sig, "v1=7dcad8e5b636c9071930885853778f7db6d73e73711caede9e89756788cba9d8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_kinds),
        cmocka_unit_test(test_type_lists),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
