/*
 * api_router_test.c — route matching of the HTTP API (src/api/api_router.c):
 * which handler a request reaches, what ids it carries, and when a client
 * gets 404 or 405 instead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "api/api_router.h"

static const struct api_route routes[] = {
    {"GET", "/api/v1/companies", API_AUTH_ANY, API_NEED_READ, NULL},
    {"GET", "/api/v1/companies/{cid}", API_AUTH_ANY, API_NEED_READ, NULL},
    {"PATCH", "/api/v1/companies/{cid}", API_AUTH_ANY, API_NEED_OWNER, NULL},
    {"GET", "/api/v1/companies/{cid}/invoices/{id}", API_AUTH_ANY, API_NEED_READ, NULL},
    {"GET", "/api/v1/companies/{cid}/invoices/counts", API_AUTH_ANY, API_NEED_READ, NULL},
    {"POST", "/api/v1/companies/{cid}/invoices/{id}/payments", API_AUTH_ANY, API_NEED_WRITE, NULL},
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static const struct api_route *match(const char *method, const char *path, struct api_match *m)
{
    return api_router_match(routes, N_ROUTES, method, path, m) == PM_OK ? m->route : NULL;
}

static void parameters_are_parsed_as_ids(void **state)
{
    struct api_match m;

    (void)state;
    assert_ptr_equal(match("POST", "/api/v1/companies/12/invoices/345/payments", &m), &routes[5]);
    assert_int_equal(api_router_param(&m, "cid"), 12);
    assert_int_equal(api_router_param(&m, "id"), 345);
    assert_int_equal(api_router_param(&m, "nope"), 0);
    assert_ptr_equal(match("GET", "/api/v1/companies/9223372036854775807", &m), &routes[1]);
    assert_int_equal(api_router_param(&m, "cid"), INT64_MAX);
}

static void literal_segments_win_over_parameters(void **state)
{
    struct api_match m;

    (void)state;
    assert_ptr_equal(match("GET", "/api/v1/companies/1/invoices/counts", &m), &routes[4]);
    assert_int_equal(m.n_params, 1);
    assert_ptr_equal(match("GET", "/api/v1/companies/1/invoices/7", &m), &routes[3]);
}

static void malformed_ids_are_not_found(void **state)
{
    static const char *const bad[] = {
        "/api/v1/companies/0",
        "/api/v1/companies/012",
        "/api/v1/companies/-1",
        "/api/v1/companies/+1",
        "/api/v1/companies/1e3",
        "/api/v1/companies/abc",
        "/api/v1/companies/ 1",
        "/api/v1/companies/9223372036854775808",
        "/api/v1/companies/1/",
        "/api/v1/companies//1",
        "/api/v1/companies/1/invoices/x",
    };
    struct api_match m;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_null(match("GET", bad[i], &m));
        assert_string_equal(m.allow, "");
    }
}

static void unknown_paths_are_not_found(void **state)
{
    struct api_match m;

    (void)state;
    assert_null(match("GET", "/api/v1", &m));
    assert_null(match("GET", "/api/v1/companies/1/customers", &m));
    assert_null(match("GET", "/api/v1/companiesX", &m));
    assert_null(match("GET", "", &m));
    assert_null(match("GET", "api/v1/companies", &m));
    assert_string_equal(m.allow, "");
}

static void wrong_method_lists_the_allowed_ones(void **state)
{
    struct api_match m;

    (void)state;
    assert_null(match("DELETE", "/api/v1/companies/3", &m));
    assert_string_equal(m.allow, "GET, PATCH");
    assert_null(match("GET", "/api/v1/companies/3/invoices/4/payments", &m));
    assert_string_equal(m.allow, "POST");
}

static void head_is_answered_like_get(void **state)
{
    struct api_match m;

    (void)state;
    assert_ptr_equal(match("HEAD", "/api/v1/companies", &m), &routes[0]);
}

static void parse_id_is_strict(void **state)
{
    int64_t v = -1;

    (void)state;
    assert_true(api_router_parse_id("1", 1, &v));
    assert_int_equal(v, 1);
    assert_true(api_router_parse_id("123x", 3, &v)); /* only len bytes count */
    assert_int_equal(v, 123);
    assert_false(api_router_parse_id("", 0, &v));
    assert_false(api_router_parse_id("0", 1, &v));
    assert_false(api_router_parse_id("00", 2, &v));
    assert_false(api_router_parse_id("12345678901234567890", 20, &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parameters_are_parsed_as_ids),
        cmocka_unit_test(literal_segments_win_over_parameters),
        cmocka_unit_test(malformed_ids_are_not_found),
        cmocka_unit_test(unknown_paths_are_not_found),
        cmocka_unit_test(wrong_method_lists_the_allowed_ones),
        cmocka_unit_test(head_is_answered_like_get),
        cmocka_unit_test(parse_id_is_strict),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
