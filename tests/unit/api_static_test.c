/*
 * api_static_test.c — unit tests for src/api/api_static.c, the web UI's
 * files: which URL paths map to a file under the web directory (never one
 * outside it: no "..", ".", empty segments, control characters or
 * backslashes), the Content-Type by extension, ETags and If-None-Match
 * (lists, weak validators, "*"), the version segment /v/<version>/ of
 * long-cached URLs, the index page's version slots, and the version of a
 * directory (it changes when a file does).  tests/api/server.test.mjs
 * serves them over real HTTP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api_static.h"

static void test_paths(void **state)
{
    static const char *const refused[] = {
        "",
        "index.html",
        "/../etc/passwd",
        "/js/../../etc/passwd",
        "/js/..",
        "/./index.html",
        "/js//app.js",
        "/js/",
        "/js/app.js\r",
        "/js/\x7f.js",
        "/js\\app.js",
        "/js/%2e%2e\x01",
    };
    char dst[64];
    size_t i;

    (void)state;
    assert_true(api_static_path("/srv/web", "/", dst, sizeof(dst)));
    assert_string_equal(dst, "/srv/web/index.html");
    assert_true(api_static_path("/srv/web", "/js/app.js", dst, sizeof(dst)));
    assert_string_equal(dst, "/srv/web/js/app.js");
    /* A name that only starts with dots is a name. */
    assert_true(api_static_path("/srv/web", "/js/..app.js", dst, sizeof(dst)));
    assert_string_equal(dst, "/srv/web/js/..app.js");
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (api_static_path("/srv/web", refused[i], dst, sizeof(dst)))
            fail_msg("\"%s\" was mapped to %s", refused[i], dst);
    /* Too long for the buffer: refused, not cut short. */
    assert_false(
        api_static_path("/srv/web", "/js/a-very-long-name-indeed-of-a-script-file.js", dst, 40));
}

static void test_content_types(void **state)
{
    (void)state;
    assert_string_equal(api_static_content_type("/w/index.html"), "text/html; charset=utf-8");
    assert_string_equal(api_static_content_type("/w/app.mjs"), "text/javascript; charset=utf-8");
    assert_string_equal(api_static_content_type("/w/a.css"), "text/css; charset=utf-8");
    assert_string_equal(api_static_content_type("/w/logo.svg"), "image/svg+xml");
    assert_string_equal(api_static_content_type("/w/f.woff2"), "font/woff2");
    assert_string_equal(api_static_content_type("/w/robots.txt"), "text/plain; charset=utf-8");
    /* Unknown, none, or a dot only in a directory name. */
    assert_string_equal(api_static_content_type("/w/a.exe"), "application/octet-stream");
    assert_string_equal(api_static_content_type("/w/LICENSE"), "application/octet-stream");
    assert_string_equal(api_static_content_type("/w.d/LICENSE"), "application/octet-stream");
}

static void test_etags(void **state)
{
    char etag[API_STATIC_ETAG_MAX], list[160];

    (void)state;
    api_static_etag(4096, 0x1234, etag);
    assert_string_equal(etag, "\"1000-1234\"");
    assert_false(api_static_etag_matches(NULL, etag));
    assert_false(api_static_etag_matches("", etag));
    assert_true(api_static_etag_matches(etag, etag));
    assert_true(api_static_etag_matches("*", etag));
    assert_true(api_static_etag_matches(" * ", etag));
    snprintf(list, sizeof(list), "\"0-1\", W/%s", etag);
    assert_true(api_static_etag_matches(list, etag));
    snprintf(list, sizeof(list), "\"0-1\",\t%s\t, \"2-3\"", etag);
    assert_true(api_static_etag_matches(list, etag));
    assert_false(api_static_etag_matches("\"0-1\", \"1000-1235\"", etag));
    assert_false(api_static_etag_matches("\"1000-123\"", etag));
    assert_false(api_static_etag_matches(", ,", etag));
    assert_false(api_static_etag_matches("W/", etag));
    assert_string_equal(api_static_cache_control(true), "public, max-age=31536000, immutable");
    assert_string_equal(api_static_cache_control(false), "no-cache");
}

static void test_versions(void **state)
{
    const char *text = "<script src=\"v/dev/app.js\"></script><link href=\"v/dev/a.css\">v/de";
    bool current = true;
    size_t len = 0;
    char *out;

    (void)state;
    assert_string_equal(api_static_unversion("/v/0a1b2c3d4e5f/js/app.js", "0a1b2c3d4e5f", &current),
                        "/js/app.js");
    assert_true(current);
    /* An older version: the file without it, not current (no long cache). */
    assert_string_equal(api_static_unversion("/v/000000000000/js/app.js", "0a1b2c3d4e5f", &current),
                        "/js/app.js");
    assert_false(current);
    assert_string_equal(api_static_unversion("/v/0a1b2c3d4e5f", "0a1b2c3d4e5f", &current),
                        "/v/0a1b2c3d4e5f");
    assert_false(current);
    assert_string_equal(api_static_unversion("/js/app.js", "0a1b2c3d4e5f", &current), "/js/app.js");
    assert_false(current);

    out = api_static_index(text, strlen(text), "0a1b2c3d4e5f", &len);
    assert_non_null(out);
    assert_string_equal(out, "<script src=\"v/0a1b2c3d4e5f/app.js\"></script>"
                             "<link href=\"v/0a1b2c3d4e5f/a.css\">v/de");
    assert_int_equal(len, strlen(out));
    free(out);
}

static void test_version_of_directory(void **state)
{
    char dir[] = "/tmp/paminn-web-XXXXXX", path[96], v1[API_STATIC_VERSION_MAX],
         v2[API_STATIC_VERSION_MAX], v3[API_STATIC_VERSION_MAX];
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/js", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/js/app.js", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("console.log(1);\n", f);
    fclose(f);
    assert_true(api_static_version_of(dir, v1));
    assert_int_equal(strlen(v1), 12);
    assert_true(api_static_version_of(dir, v2));
    assert_string_equal(v1, v2);
    /* One more byte in a file: another version. */
    f = fopen(path, "a");
    assert_non_null(f);
    fputs(" ", f);
    fclose(f);
    assert_true(api_static_version_of(dir, v3));
    assert_string_not_equal(v1, v3);
    /* A directory that is not there has no version. */
    unlink(path);
    snprintf(path, sizeof(path), "%s/js", dir);
    rmdir(path);
    rmdir(dir);
    assert_false(api_static_version_of(dir, v3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_content_types),
        cmocka_unit_test(test_etags),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_version_of_directory),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
