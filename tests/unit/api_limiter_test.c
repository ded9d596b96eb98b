/*
 * api_limiter_test.c — failed-login rate limiting (src/api/api_limiter.c),
 * the work pool logins hash passwords in (src/api/api_workpool.c)
 * and the static file path rules (src/api/api_static.c): what a person
 * guessing passwords, or a path full of "..", runs into.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_limiter.h"
#include "api/api_workpool.h"
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

static void junk_failures_never_unlock_a_locked_address(void **state)
{
    struct api_limiter *l = api_limiter_new(64);
    char junk[64];
    int64_t retry = 0, t0 = 5000;
    int i;

    (void)state;
    assert_int_equal(secret_init(), PM_OK);
    for (i = 0; i < API_LIMITER_ATTEMPTS; i++)
        api_limiter_fail(l, "victim@example.se", t0);
    assert_true(api_limiter_blocked(l, "victim@example.se", t0, &retry));
    /* far more junk addresses than the table holds, each failing once */
    for (i = 0; i < 4096; i++) {
        snprintf(junk, sizeof(junk), "junk%d@example.se", i);
        api_limiter_fail(l, junk, t0 + 1);
    }
    assert_true(api_limiter_blocked(l, "victim@example.se", t0 + 2, &retry));
    assert_int_equal(retry, API_LIMITER_WINDOW_S - 2);
    /* a table full of locked addresses keeps them all */
    for (i = 0; i < 64 * API_LIMITER_ATTEMPTS; i++) {
        snprintf(junk, sizeof(junk), "lock%d@example.se", i / API_LIMITER_ATTEMPTS);
        api_limiter_fail(l, junk, t0 + 3);
    }
    assert_true(api_limiter_blocked(l, "victim@example.se", t0 + 4, &retry));
    assert_false(api_limiter_blocked(l, "victim@example.se", t0 + API_LIMITER_WINDOW_S, &retry));
    api_limiter_free(&l);
}

static void one_client_and_everyone_have_limits_too(void **state)
{
    struct api_limiter *l = api_limiter_new(16);
    char client[32];
    int64_t retry = 0, t0 = 9000;
    int i;

    (void)state;
    assert_int_equal(secret_init(), PM_OK);
    for (i = 0; i < API_LIMITER_CLIENT_ATTEMPTS - 1; i++)
        api_limiter_client_fail(l, "203.0.113.7", t0);
    assert_false(api_limiter_client_blocked(l, "203.0.113.7", t0, &retry));
    api_limiter_client_fail(l, "203.0.113.7", t0 + 1);
    assert_true(api_limiter_client_blocked(l, "203.0.113.7", t0 + 1, &retry));
    assert_int_equal(retry, API_LIMITER_WINDOW_S - 1);
    assert_false(api_limiter_client_blocked(l, "198.51.100.1", t0 + 1, &retry));
    /* junk clients do not free the locked one's slot */
    for (i = 0; i < 1000; i++) {
        snprintf(client, sizeof(client), "10.0.%d.%d", i / 256, i % 256);
        api_limiter_client_fail(l, client, t0 + 2);
    }
    assert_true(api_limiter_client_blocked(l, "203.0.113.7", t0 + 3, &retry));
    /* in all: past the global count nobody logs in until the window ends */
    for (i = 0; i < API_LIMITER_GLOBAL_ATTEMPTS; i++) {
        snprintf(client, sizeof(client), "10.1.%d.%d", i / 256, i % 256);
        api_limiter_client_fail(l, client, t0 + 4);
    }
    assert_true(api_limiter_client_blocked(l, "192.0.2.1", t0 + 5, &retry));
    assert_true(retry >= 1 && retry <= API_LIMITER_WINDOW_S);
    assert_false(api_limiter_client_blocked(l, "192.0.2.1", t0 + 4 + API_LIMITER_WINDOW_S, &retry));
    api_limiter_free(&l);
}

/* A job that waits until the test lets it finish. */
struct hold {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool go;
    int done;
};

static void held_job(void *arg)
{
    struct hold *h = arg;

    pthread_mutex_lock(&h->lock);
    while (!h->go)
        pthread_cond_wait(&h->cond, &h->lock);
    h->done++;
    pthread_mutex_unlock(&h->lock);
}

static void the_work_pool_refuses_past_its_queue(void **state)
{
    struct hold h = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    struct api_workpool *p = api_workpool_new(1, 2);
    int submitted = 0;

    (void)state;
    assert_non_null(p);
    /* one job runs (and waits), two wait in the queue: the rest is refused */
    while (submitted < 10 && api_workpool_submit(p, held_job, &h))
        submitted++;
    assert_true(submitted >= 2 && submitted <= 3);
    assert_false(api_workpool_submit(p, held_job, &h));
    pthread_mutex_lock(&h.lock);
    h.go = true;
    pthread_cond_broadcast(&h.cond);
    pthread_mutex_unlock(&h.lock);
    api_workpool_free(&p); /* runs what is queued, then stops */
    assert_null(p);
    assert_int_equal(h.done, submitted);
    api_workpool_free(&p);
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

/* index.html names the current version; a URL of it may be kept a year,
 * a URL of another version (a page from before an upgrade) is served too. */
static void static_versions(void **state)
{
    static const char index[] = "<link href=\"v/dev/css/app.css\"><script src=\"v/dev/js/app.js\">";
    char version[API_STATIC_VERSION_MAX], again[API_STATIC_VERSION_MAX];
    const char *rest;
    size_t len = 0;
    bool current = true;
    char *text;

    char dir[] = "/tmp/paminn-web-XXXXXX", file[64];
    FILE *f;

    (void)state;
    /* The same files give the same version; a changed file a new one. */
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof(file), "%s/app.js", dir);
    f = fopen(file, "w");
    assert_non_null(f);
    fputs("export {};\n", f);
    fclose(f);
    assert_true(api_static_version_of(dir, version));
    assert_int_equal(strlen(version), 12);
    assert_true(api_static_version_of(dir, again));
    assert_string_equal(version, again);
    f = fopen(file, "a");
    assert_non_null(f);
    fputs("export const changed = true;\n", f);
    fclose(f);
    assert_true(api_static_version_of(dir, again));
    assert_string_not_equal(version, again);
    unlink(file);
    rmdir(dir);
    assert_false(api_static_version_of("/no/such/dir", again));
    rest = api_static_unversion("/v/0123456789ab/js/app.js", "0123456789ab", &current);
    assert_string_equal(rest, "/js/app.js");
    assert_true(current);
    rest = api_static_unversion("/v/000000000000/js/app.js", "0123456789ab", &current);
    assert_string_equal(rest, "/js/app.js");
    assert_false(current);
    rest = api_static_unversion("/v/0123456789a/js/app.js", "0123456789ab", &current);
    assert_false(current);
    rest = api_static_unversion("/js/app.js", "0123456789ab", &current);
    assert_string_equal(rest, "/js/app.js");
    assert_false(current);
    rest = api_static_unversion("/v/x", "x", &current);
    assert_string_equal(rest, "/v/x");
    assert_false(current);
    text = api_static_index(index, strlen(index), "0123456789ab", &len);
    assert_non_null(text);
    assert_string_equal(text, "<link href=\"v/0123456789ab/css/app.css\">"
                              "<script src=\"v/0123456789ab/js/app.js\">");
    assert_int_equal(len, strlen(text));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(five_failures_block_until_the_window_passes),
        cmocka_unit_test(success_forgets_and_the_table_stays_bounded),
        cmocka_unit_test(junk_failures_never_unlock_a_locked_address),
        cmocka_unit_test(one_client_and_everyone_have_limits_too),
        cmocka_unit_test(the_work_pool_refuses_past_its_queue),
        cmocka_unit_test(static_paths),
        cmocka_unit_test(static_validators),
        cmocka_unit_test(static_versions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
