/*
 * store_search.c — what a search text means to the store's lists
 * (store_search.h).
 */
#include "store/store_search.h"

#include <string.h>

enum store_search store_search_mode(const char *q, int64_t *number)
{
    size_t i, len = q ? strnlen(q, STORE_SEARCH_MAX) : 0;
    int64_t v = 0;

    if (len == 0)
        return STORE_SEARCH_NONE;
    if (len > 18)
        return STORE_SEARCH_NAME;
    for (i = 0; i < len; i++) {
        if (q[i] < '0' || q[i] > '9')
            return STORE_SEARCH_NAME;
        v = v * 10 + (q[i] - '0');
    }
    *number = v;
    return STORE_SEARCH_NUMBER;
}

void store_like_pattern(const char *q, size_t len, char *dst)
{
    size_t i, j = 0;
    char c;

    dst[j++] = '%';
    for (i = 0; i < len; i++) {
        c = q[i];
        if (c == '%' || c == '_' || c == '\\')
            dst[j++] = '\\';
        dst[j++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    dst[j++] = '%';
    dst[j] = '\0';
}
