/*
 * jsonw_test.c — the streaming JSON writer produces what jansson reads back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "util/jsonw.h"

static void writes_nested_documents(void **state)
{
    struct buf b = BUF_INIT;
    struct jsonw w;

    (void)state;
    jsonw_init(&w, &b);
    jsonw_object_begin(&w);
    jsonw_key(&w, "items");
    jsonw_array_begin(&w);
    for (int i = 0; i < 2; i++) {
        jsonw_object_begin(&w);
        JSONW_KEY(&w, "id"); /* a first member: no comma */
        jsonw_int(&w, i + 1);
        jsonw_key(&w, "name");
        jsonw_string(&w, "Åsa \"Öberg\" \\ AB\n");
        JSONW_KEY(&w, "amili");
        jsonw_null(&w);
        jsonw_key(&w, "tags");
        jsonw_array_begin(&w);
        jsonw_array_end(&w);
        jsonw_object_end(&w);
    }
    jsonw_array_end(&w);
    jsonw_key(&w, "min");
    jsonw_int(&w, INT64_MIN);
    JSONW_KEY(&w, "max");
    jsonw_int(&w, INT64_MAX);
    jsonw_key(&w, "ok");
    jsonw_bool(&w, true);
    jsonw_key(&w, "next_cursor");
    jsonw_string_or_null(&w, "");
    jsonw_key(&w, "data");
    jsonw_raw(&w, "{\"a\":1}", 7);
    jsonw_object_end(&w);
    assert_int_equal(jsonw_error(&w), PM_OK);
    assert_string_equal(
        b.data,
        "{\"items\":[{\"id\":1,\"name\":\"Åsa \\\"Öberg\\\" \\\\ AB\\u000a\",\"amili\":null,"
        "\"tags\":[]},{\"id\":2,\"name\":\"Åsa \\\"Öberg\\\" \\\\ AB\\u000a\",\"amili\":null,"
        "\"tags\":[]}],\"min\":-9223372036854775808,\"max\":9223372036854775807,"
        "\"ok\":true,\"next_cursor\":null,\"data\":{\"a\":1}}");

    /* jansson reads the same values back. */
    {
        json_error_t err;
        json_t *doc = json_loads(b.data, 0, &err);
        json_t *first;

        assert_non_null(doc);
        first = json_array_get(json_object_get(doc, "items"), 0);
        assert_string_equal(json_string_value(json_object_get(first, "name")),
                            "Åsa \"Öberg\" \\ AB\n");
        assert_true(json_integer_value(json_object_get(doc, "min")) == INT64_MIN);
        json_decref(doc);
    }
    buf_release(&b);
}

static void arrays_of_scalars_get_commas(void **state)
{
    struct buf b = BUF_INIT;
    struct jsonw w;

    (void)state;
    jsonw_init(&w, &b);
    jsonw_array_begin(&w);
    jsonw_int(&w, 0);
    jsonw_int(&w, -5);
    jsonw_string(&w, "x");
    jsonw_bool(&w, false);
    jsonw_array_end(&w);
    assert_int_equal(jsonw_error(&w), PM_OK);
    assert_string_equal(b.data, "[0,-5,\"x\",false]");
    buf_release(&b);
}

static void too_deep_is_an_error(void **state)
{
    struct buf b = BUF_INIT;
    struct jsonw w;

    (void)state;
    jsonw_init(&w, &b);
    for (int i = 0; i < JSONW_MAX_DEPTH + 2; i++)
        jsonw_array_begin(&w);
    assert_int_equal(jsonw_error(&w), PM_ERR_RANGE);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_nested_documents),
        cmocka_unit_test(arrays_of_scalars_get_commas),
        cmocka_unit_test(too_deep_is_an_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
