/*
 * api_cursor_fuzz.c — libFuzzer target for the list cursor
 * (src/api/api_cursor.c), which a client sends back as it likes.
 *
 * The first byte picks the list ('c' customers, anything else invoices);
 * the rest, up to a NUL, is the cursor text, whose second character (when a
 * digit) is also taken as the sort order asked for.  Properties:
 *  - decode never crashes and leaves key and id untouched on refusal;
 *  - decode -> encode gives back exactly the text (a cursor has one
 *    spelling), which decodes to the same key and id, and is refused by the
 *    other list and by another sort order;
 *  - encode -> decode of a key and id taken from the input (any key, id > 0)
 *    gives them back.
 * Seeds: tests/fuzz/seeds/api_cursor_fuzz/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TEXT_MAX 128

static int64_t int64_of(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[TEXT_MAX], again[API_CURSOR_MAX];
    char kind, other;
    int sort;
    int64_t key = 7, id = 7, key2, id2;
    size_t n;

    if (size < 1)
        return 0;
    kind = data[0] == 'c' ? 'c' : 'i';
    other = kind == 'i' ? 'c' : 'i';
    n = size - 1 < TEXT_MAX - 1 ? size - 1 : TEXT_MAX - 1;
    memcpy(text, data + 1, n);
    text[n] = '\0';
    sort = n > 1 && text[1] >= '0' && text[1] <= '9' ? text[1] - '0' : 0;

    if (api_cursor_decode(text, kind, sort, &key, &id) != PM_OK) {
        if (key != 7 || id != 7)
            abort(); /* touched on refusal */
    } else {
        if (id <= 0)
            abort();
        api_cursor_encode(kind, sort, key, id, again);
        if (strcmp(again, text) != 0)
            abort(); /* a second spelling of one position */
        if (api_cursor_decode(again, kind, sort, &key2, &id2) != PM_OK || key2 != key || id2 != id)
            abort();
        if (api_cursor_decode(again, other, sort, &key2, &id2) == PM_OK ||
            api_cursor_decode(again, kind, (sort + 1) % 10, &key2, &id2) == PM_OK)
            abort(); /* another list's or order's cursor taken */
    }

    /* encode -> decode of values from the input */
    if (size >= 17) {
        key = int64_of(data + 1);
        id = int64_of(data + 9);
        if (id == INT64_MIN)
            id = INT64_MAX;
        if (id < 0)
            id = -id;
        if (id == 0)
            id = 1;
        api_cursor_encode(kind, sort, key, id, again);
        if (api_cursor_decode(again, kind, sort, &key2, &id2) != PM_OK || key2 != key || id2 != id)
            abort();
    }
    return 0;
}
