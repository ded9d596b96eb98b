/*
 * api_limiter_test.c — failed-login rate limiting (src/api/api_limiter.c)
 * and the static file path rules (src/api/api_static.c): what a person
 * guessing passwords, or a path full of "..", runs into.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api/api_limiter.h"
#include "api/api_static.h"
#include "util/secret.h"

static void five_failures_block_until_the_window_passes(void **state)
{
    struct api_limiter *l = api_limiter_new(8);
    int64_t retry = 0, t0 = 1000000;
    int i;

    (void)state;
    assert_int_equal(secret_init(), PM_OK);
    for (i = 0; i < API_LIMITER_ATTEMPTS - 1; i++)
        api_limiter_fail(l, "anna@example.se", t0 + i);
    assert_false(api_limiter_blocked(l, "anna@example.se", t0 + 10, &retry));
    api_limiter_fail(l, "Anna@Example.SE", t0 + 10); /* same address, other case */
    assert_true(api_limiter_blocked(l, "anna@example.se", t0 + 10, &retry));
    assert_int_equal(retry, API_LIMITER_WINDOW_S - 10);
    assert_false(api_limiter_blocked(l, "bo@example.se", t0 + 10, &retry));
    assert_true(api_limiter_blocked(l, "anna@example.se", t0 + API_LIMITER_WINDOW_S - 1, &retry));
    assert_int_equal(retry, 1);
    assert_false(api_limiter_blocked(l, "anna@example.se", t0 + API_LIMITER_WINDOW_S, &retry));
    api_limiter_free(&l);
    assert_null(l);
    api_limiter_free(&l);
}

static void success_forgets_and_the_table_stays_bounded(void **state)
{
    struct api_limiter *l = api_limiter_new(2);
    int64_t retry;
    int i;

    (void)state;
    assert_int_equal(secret_init(), PM_OK);
    for (i = 0; i < 3; i++)
        api_limiter_fail(l, "a@x.se", 100);
    api_limiter_success(l, "a@x.se");
    for (i = 0; i < 2; i++)
        api_limiter_fail(l, "a@x.se", 100);
    assert_false(api_limiter_blocked(l, "a@x.se", 101, &retry));
    for (i = 0; i < 5; i++) {
        api_limiter_fail(l, "b@x.se", 100);
        api_limiter_fail(l, "c@x.se", 100); /* evicts the least recently used */
    }
    assert_true(api_limiter_blocked(l, "c@x.se", 101, &retry));
    api_limiter_free(&l);
}

static void static_paths(void **state)
{
    char path[64];

    (void)state;
    assert_true(api_static_path("web", "/", path, sizeof(path)));
    assert_string_equal(path, "web/index.html");
    assert_true(api_static_path("web", "/js/app.js", path, sizeof(path)));
    assert_string_equal(path, "web/js/app.js");
    assert_false(api_static_path("web", "/../etc/passwd", path, sizeof(path)));
    assert_false(api_static_path("web", "/a/../b", path, sizeof(path)));
    assert_false(api_static_path("web", "/a/./b", path, sizeof(path)));
    assert_false(api_static_path("web", "/a//b", path, sizeof(path)));
    assert_false(api_static_path("web", "/a/", path, sizeof(path)));
    assert_false(api_static_path("web", "/a\\..\\b", path, sizeof(path)));
    assert_false(api_static_path("web", "relative", path, sizeof(path)));
    assert_true(api_static_path("web", "/..x", path, sizeof(path)));
    assert_false(
        api_static_path("web", "/very/long/path/that/does/not/fit/in/the/buffer/x.html", path, 32));
    assert_string_equal(api_static_content_type("web/index.html"), "text/html; charset=utf-8");
    assert_string_equal(api_static_content_type("a.js"), "text/javascript; charset=utf-8");
    assert_string_equal(api_static_content_type("a.css"), "text/css; charset=utf-8");
    assert_string_equal(api_static_content_type("a.svg"), "image/svg+xml");
    assert_string_equal(api_static_content_type("a.png"), "image/png");
    assert_string_equal(api_static_content_type("a.json"), "application/json; charset=utf-8");
    assert_string_equal(api_static_content_type("dir.d/README"), "application/octet-stream");
}

/* A browser's copy is current when its If-None-Match names the file's ETag. */
static void static_validators(void **state)
{
    char etag[API_STATIC_ETAG_MAX], other[API_STATIC_ETAG_MAX];
    char header[128];

    (void)state;
    api_static_etag(1234, INT64_C(1700000000123456789), etag);
    api_static_etag(1235, INT64_C(1700000000123456789), other);
    assert_true(etag[0] == '"' && etag[strlen(etag) - 1] == '"');
    assert_string_not_equal(etag, other);
    assert_true(api_static_etag_matches(etag, etag));
    snprintf(header, sizeof(header), "%s, W/%s", other, etag);
    assert_true(api_static_etag_matches(header, etag));
    assert_true(api_static_etag_matches("*", etag));
    assert_false(api_static_etag_matches(other, etag));
    assert_false(api_static_etag_matches(NULL, etag));
    assert_false(api_static_etag_matches("", etag));
    assert_string_equal(api_static_cache_control(true), "public, max-age=31536000, immutable");
    assert_string_equal(api_static_cache_control(false), "no-cache");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(five_failures_block_until_the_window_passes),
        cmocka_unit_test(success_forgets_and_the_table_stays_bounded),
        cmocka_unit_test(static_paths),
        cmocka_unit_test(static_validators),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
