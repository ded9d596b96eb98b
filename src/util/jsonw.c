/*
 * jsonw.c — streaming JSON writer (see jsonw.h).
 */
#include "util/jsonw.h"

#include <string.h>

void jsonw_init(struct jsonw *w, struct buf *out)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->first[0] = true;
    /* Most answers fit in the first allocation. */
    w->error = buf_grow(out, 16384);
}

static void put(struct jsonw *w, const char *s, size_t n)
{
    struct buf *b = w->out;

    if (w->error)
        return;
    /* The common case: room already there (buf_add would check the same). */
    if (b->cap && b->len + n < b->cap) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
        return;
    }
    w->error = buf_add(b, s, n);
}

/* Before a value: the comma between array elements (members get theirs in
 * jsonw_key). */
static void value_start(struct jsonw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth])
        put(w, ",", 1);
    w->first[w->depth] = false;
}

static void open_nested(struct jsonw *w, char c)
{
    value_start(w);
    put(w, &c, 1);
    if (w->depth + 1 >= JSONW_MAX_DEPTH) {
        w->error = PM_ERR_RANGE;
        return;
    }
    w->depth++;
    w->first[w->depth] = true;
}

static void close_nested(struct jsonw *w, char c)
{
    put(w, &c, 1);
    if (w->depth > 0)
        w->depth--;
}

void jsonw_object_begin(struct jsonw *w)
{
    open_nested(w, '{');
}

void jsonw_object_end(struct jsonw *w)
{
    close_nested(w, '}');
}

void jsonw_array_begin(struct jsonw *w)
{
    open_nested(w, '[');
}

void jsonw_array_end(struct jsonw *w)
{
    close_nested(w, ']');
}

static void quoted(struct jsonw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *run = s;
    char esc[6] = {'\\', 'u', '0', '0', 0, 0};

    put(w, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, run, (size_t)(s - run));
        run = s + 1;
        if (c == '"' || c == '\\') {
            char pair[2] = {'\\', (char)c};

            put(w, pair, 2);
        } else {
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            put(w, esc, 6);
        }
    }
    put(w, run, (size_t)(s - run));
    put(w, "\"", 1);
}

void jsonw_key(struct jsonw *w, const char *key)
{
    if (!w->first[w->depth])
        put(w, ",", 1);
    w->first[w->depth] = false;
    quoted(w, key);
    put(w, ":", 1);
    w->after_key = true;
}

void jsonw_key_quoted(struct jsonw *w, const char *quoted, size_t len)
{
    if (!w->first[w->depth])
        put(w, ",", 1);
    w->first[w->depth] = false;
    put(w, quoted, len);
    w->after_key = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
    value_start(w);
    quoted(w, s);
}

void jsonw_string_or_null(struct jsonw *w, const char *s)
{
    if (s && *s)
        jsonw_string(w, s);
    else
        jsonw_null(w);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
    char digits[24];
    size_t i = sizeof(digits);
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    value_start(w);
    do {
        digits[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        digits[--i] = '-';
    put(w, digits + i, sizeof(digits) - i);
}

void jsonw_bool(struct jsonw *w, bool v)
{
    value_start(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void jsonw_null(struct jsonw *w)
{
    value_start(w);
    put(w, "null", 4);
}

void jsonw_raw(struct jsonw *w, const char *json, size_t len)
{
    value_start(w);
    put(w, json, len);
}

enum pm_err jsonw_error(const struct jsonw *w)
{
    return w->error;
}
