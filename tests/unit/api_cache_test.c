/*
 * api_cache_test.c — the list cache (src/api/api_cache.c): an
 * answer comes back only at the data version it was made at, the cache
 * stays within its entries and bytes by dropping the least recently used,
 * and every value is released exactly once (on replacement, eviction, a new
 * version, refusal or freeing the cache).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_cache.h"

/* Values are ints counted by the release function. */
static int released;

static void release(void *value)
{
    released++;
    free(value);
}

static int *value_of(int v)
{
    int *p = malloc(sizeof(*p));

    assert_non_null(p);
    *p = v;
    return p;
}

static void put(struct api_cache *c, const char *key, int v, size_t bytes)
{
    assert_int_equal(api_cache_put(c, key, strlen(key), value_of(v), bytes), PM_OK);
}

static int get(struct api_cache *c, const char *key)
{
    int *p = api_cache_get(c, key, strlen(key));

    return p ? *p : -1;
}

static void answers_only_at_their_version(void **state)
{
    struct api_cache *c = api_cache_new(8, 1 << 20, release);

    (void)state;
    released = 0;
    assert_int_equal(get(c, "a"), -1); /* never synced: nothing, and no put */
    assert_int_equal(api_cache_put(c, "a", 1, value_of(1), 10), PM_ERR_RANGE);
    assert_int_equal(released, 1);
    api_cache_sync(c, 41);
    put(c, "list 1 overdue", 1, 100);
    put(c, "list 2 overdue", 2, 100); /* another company: another key */
    api_cache_sync(c, 41);
    assert_int_equal(get(c, "list 1 overdue"), 1);
    assert_int_equal(get(c, "list 2 overdue"), 2);
    assert_int_equal(get(c, "list 1 overdu"), -1);
    assert_int_equal(api_cache_count(c), 2);
    api_cache_sync(c, 42); /* something was written */
    assert_int_equal(get(c, "list 1 overdue"), -1);
    assert_int_equal(api_cache_count(c), 0);
    assert_int_equal(api_cache_bytes(c), 0);
    assert_int_equal(released, 3);
    api_cache_sync(c, 41); /* versions are opaque: back to an older number is a change too */
    assert_int_equal(get(c, "list 2 overdue"), -1);
    put(c, "k", 7, 1);
    api_cache_free(&c);
    assert_null(c);
    assert_int_equal(released, 4);
    api_cache_free(&c);
}

static void replacing_a_key_releases_the_old_value(void **state)
{
    struct api_cache *c = api_cache_new(4, 1000, release);

    (void)state;
    released = 0;
    api_cache_sync(c, 1);
    put(c, "k", 1, 10);
    put(c, "k", 2, 20);
    assert_int_equal(get(c, "k"), 2);
    assert_int_equal(api_cache_count(c), 1);
    assert_int_equal(api_cache_bytes(c), 20 + 1);
    assert_int_equal(released, 1);
    /* Too large for the whole cache: refused, released, nothing else lost. */
    assert_int_equal(api_cache_put(c, "big", 3, value_of(3), 2000), PM_ERR_RANGE);
    assert_int_equal(released, 2);
    assert_int_equal(get(c, "k"), 2);
    api_cache_free(&c);
    assert_int_equal(released, 3);
}

static void evicts_the_least_recently_used_by_count(void **state)
{
    struct api_cache *c = api_cache_new(3, 1000, release);

    (void)state;
    released = 0;
    api_cache_sync(c, 1);
    put(c, "a", 1, 1);
    put(c, "b", 2, 1);
    put(c, "c", 3, 1);
    assert_int_equal(get(c, "a"), 1); /* a is now the most recent */
    put(c, "d", 4, 1);                /* evicts b */
    assert_int_equal(get(c, "b"), -1);
    assert_int_equal(get(c, "a"), 1);
    assert_int_equal(get(c, "c"), 3);
    assert_int_equal(get(c, "d"), 4);
    assert_int_equal(api_cache_count(c), 3);
    assert_int_equal(released, 1);
    api_cache_free(&c);
    assert_int_equal(released, 4);
}

static void stays_within_its_bytes(void **state)
{
    struct api_cache *c = api_cache_new(16, 100, release);
    char key[8];
    int i;

    (void)state;
    released = 0;
    api_cache_sync(c, 9);
    for (i = 0; i < 10; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        put(c, key, i, 30); /* 32 bytes with the key: three fit */
        assert_true(api_cache_bytes(c) <= 100);
    }
    assert_int_equal(api_cache_count(c), 3);
    assert_int_equal(get(c, "k9"), 9);
    assert_int_equal(get(c, "k7"), 7);
    assert_int_equal(get(c, "k6"), -1);
    assert_int_equal(released, 7);
    api_cache_free(&c);
    assert_int_equal(released, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answers_only_at_their_version),
        cmocka_unit_test(replacing_a_key_releases_the_old_value),
        cmocka_unit_test(evicts_the_least_recently_used_by_count),
        cmocka_unit_test(stays_within_its_bytes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
