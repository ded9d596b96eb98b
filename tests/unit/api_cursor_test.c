/*
 * api_cursor_test.c — the opaque next_cursor of paged lists
 * (src/api/api_cursor.c): a cursor leads back to the same place, and a
 * tampered or foreign one is refused instead of paging somewhere odd.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "api/api_cursor.h"

static void round_trip(char kind, int sort, int64_t key, int64_t id)
{
    char text[API_CURSOR_MAX];
    int64_t k = 0, i = 0;

    api_cursor_encode(kind, sort, key, id, text);
    assert_int_equal(api_cursor_decode(text, kind, sort, &k, &i), PM_OK);
    assert_int_equal(k, key);
    assert_int_equal(i, id);
}

static void cursors_round_trip(void **state)
{
    (void)state;
    round_trip('i', 0, 20512, 17);
    round_trip('i', 4, -125000, 9); /* over-paid invoices sort below zero */
    round_trip('i', 3, INT64_MAX, INT64_MAX);
    round_trip('i', 4, INT64_MIN, 1);
    round_trip('c', 0, 0, 42);
}

static void foreign_cursors_are_refused(void **state)
{
    char text[API_CURSOR_MAX];
    int64_t k = 5, i = 6;

    (void)state;
    api_cursor_encode('i', 1, 100, 7, text);
    assert_int_equal(api_cursor_decode(text, 'i', 2, &k, &i), PM_ERR_INVALID); /* other sort */
    assert_int_equal(api_cursor_decode(text, 'c', 1, &k, &i), PM_ERR_INVALID); /* other list */
    assert_int_equal(k, 5);
    assert_int_equal(i, 6);
}

static void malformed_cursors_are_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "i",
        "i0",
        "i0.",
        "i0.1",
        "i0.1.",
        "i0.1.0",
        "i0.1.-3",
        "i0.01.3",
        "i0.-0.3",
        "i0.1.3x",
        "i0.1.3.4",
        "i0. 1.3",
        "i0.1.03",
        "i0.+1.3",
        "x0.1.3",
        "i0.99999999999999999999.3",
        "i0.1.9223372036854775808",
    };
    int64_t k, i;
    size_t n;

    (void)state;
    for (n = 0; n < sizeof(bad) / sizeof(bad[0]); n++)
        assert_int_equal(api_cursor_decode(bad[n], 'i', 0, &k, &i), PM_ERR_INVALID);
    assert_int_equal(api_cursor_decode(NULL, 'i', 0, &k, &i), PM_ERR_INVALID);
}

/* A cursor bound to its filter: accepted with the same filter, refused
 * (PM_ERR_CONFLICT) with another, and a cursor of the plain kind or with a
 * broken hash is not ours (PM_ERR_INVALID); nothing is written then. */
static void cursors_bound_to_their_filter(void **state)
{
    char text[API_CURSOR_MAX];
    uint32_t mine = api_cursor_filter("2|0|"), other = api_cursor_filter("2|7|");
    int64_t key = -1, id = -1;

    (void)state;
    assert_int_not_equal(mine, other);
    /* FNV-1a of "" and of "a" (the published check values). */
    assert_int_equal(api_cursor_filter(""), 0x811c9dc5u);
    assert_int_equal(api_cursor_filter("a"), 0xe40c292cu);
    api_cursor_encode_in('i', 1, mine, 20512, 17, text);
    assert_int_equal(api_cursor_decode_in(text, 'i', 1, mine, &key, &id), PM_OK);
    assert_int_equal(key, 20512);
    assert_int_equal(id, 17);
    key = id = -1;
    assert_int_equal(api_cursor_decode_in(text, 'i', 1, other, &key, &id), PM_ERR_CONFLICT);
    assert_int_equal(key, -1);
    assert_int_equal(id, -1);
    assert_int_equal(api_cursor_decode_in(text, 'i', 2, mine, &key, &id), PM_ERR_INVALID);
    assert_int_equal(api_cursor_decode_in(text, 'c', 1, mine, &key, &id), PM_ERR_INVALID);
    assert_int_equal(api_cursor_decode_in("i1.20512.17", 'i', 1, mine, &key, &id), PM_ERR_INVALID);
    assert_int_equal(api_cursor_decode_in("i1.20512.17.12345", 'i', 1, mine, &key, &id),
                     PM_ERR_INVALID);
    assert_int_equal(api_cursor_decode_in("i1.20512.17.ABCDEF01", 'i', 1, mine, &key, &id),
                     PM_ERR_INVALID);
    assert_int_equal(api_cursor_decode_in(NULL, 'i', 1, mine, &key, &id), PM_ERR_INVALID);
    assert_int_equal(key, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cursors_round_trip),
        cmocka_unit_test(foreign_cursors_are_refused),
        cmocka_unit_test(malformed_cursors_are_refused),
        cmocka_unit_test(cursors_bound_to_their_filter),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
