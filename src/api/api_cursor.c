/*
 * api_cursor.c — encoding and strict decoding of list cursors, and their
 * binding to the filter they were made for.
 */
#include "api/api_cursor.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_cursor_encode(char kind, int sort, int64_t key, int64_t id, char *dst)
{
    snprintf(dst, API_CURSOR_MAX, "%c%d.%lld.%lld", kind, sort, (long long)key, (long long)id);
}

/* Parse [-]digits (no leading zeros, no "-0") from *p up to stop; advances *p. */
static bool parse_int(const char **p, char stop, int64_t *out)
{
    const char *s = *p;
    bool neg = false;
    uint64_t v = 0, limit;
    size_t n = 0;

    if (*s == '-') {
        neg = true;
        s++;
    }
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    while (*s >= '0' && *s <= '9') {
        if (n > 0 && v == 0)
            return false; /* leading zero */
        if (v > (limit - (uint64_t)(*s - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        s++;
        n++;
    }
    if (n == 0 || *s != stop || (neg && v == 0))
        return false;
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    *p = s;
    return true;
}

enum pm_err api_cursor_decode(const char *s, char kind, int sort, int64_t *key, int64_t *id)
{
    int64_t k, i;

    if (!s || strlen(s) >= API_CURSOR_MAX || s[0] != kind || s[1] != '0' + sort || s[2] != '.')
        return PM_ERR_INVALID;
    s += 3;
    if (!parse_int(&s, '.', &k))
        return PM_ERR_INVALID;
    s++;
    if (!parse_int(&s, '\0', &i) || i <= 0)
        return PM_ERR_INVALID;
    *key = k;
    *id = i;
    return PM_OK;
}

uint32_t api_cursor_filter(const char *text)
{
    uint32_t h = 2166136261u;

    for (; text && *text; text++) {
        h ^= (unsigned char)*text;
        h *= 16777619u;
    }
    return h;
}

#define FILTER_HEX 8

void api_cursor_encode_in(char kind, int sort, uint32_t filter, int64_t key, int64_t id, char *dst)
{
    snprintf(dst, API_CURSOR_MAX, "%c%d.%lld.%lld.%08x", kind, sort, (long long)key, (long long)id,
             (unsigned)filter);
}

enum pm_err api_cursor_decode_in(const char *s, char kind, int sort, uint32_t filter, int64_t *key,
                                 int64_t *id)
{
    char plain[API_CURSOR_MAX], hex[FILTER_HEX + 1];
    const char *dot;
    int64_t k, n;
    size_t len, i;
    unsigned long got;
    enum pm_err rc;

    len = s ? strlen(s) : 0;
    dot = s ? strrchr(s, '.') : NULL;
    if (!dot || len >= API_CURSOR_MAX || strlen(dot + 1) != FILTER_HEX)
        return PM_ERR_INVALID;
    for (i = 0; i < FILTER_HEX; i++) {
        char c = dot[1 + i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return PM_ERR_INVALID;
        hex[i] = c;
    }
    hex[FILTER_HEX] = '\0';
    memcpy(plain, s, (size_t)(dot - s));
    plain[dot - s] = '\0';
    rc = api_cursor_decode(plain, kind, sort, &k, &n);
    if (rc)
        return rc;
    got = strtoul(hex, NULL, 16);
    if ((uint32_t)got != filter)
        return PM_ERR_CONFLICT;
    *key = k;
    *id = n;
    return PM_OK;
}
