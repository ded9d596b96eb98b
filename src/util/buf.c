/*
 * buf.c — growable NUL-terminated byte buffer (see buf.h).
 */
#include "util/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char empty_data[1];

void buf_init(struct buf *b)
{
    b->data = empty_data;
    b->len = 0;
    b->cap = 0;
    b->max = 0;
}

void buf_release(struct buf *b)
{
    if (b->cap)
        free(b->data);
    buf_init(b);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->cap)
        b->data[0] = '\0';
}

enum pm_err buf_grow(struct buf *b, size_t extra)
{
    size_t max = b->max ? b->max : SIZE_MAX / 2;
    size_t need, cap;
    char *p;

    if (extra > max || b->len > max - extra)
        return PM_ERR_RANGE;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return PM_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap < SIZE_MAX / 4 ? cap * 2 : need;
    p = b->cap ? realloc(b->data, cap) : malloc(cap);
    if (!p)
        return PM_ERR_NOMEM;
    if (!b->cap)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return PM_OK;
}

enum pm_err buf_add(struct buf *b, const void *data, size_t len)
{
    enum pm_err rc = buf_grow(b, len);

    if (rc)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return PM_OK;
}

enum pm_err buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

enum pm_err buf_addch(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

enum pm_err buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    enum pm_err rc;
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return PM_ERR_INVALID;
    rc = buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return PM_OK;
}

enum pm_err buf_addf(struct buf *b, const char *fmt, ...)
{
    enum pm_err rc;
    va_list ap;

    va_start(ap, fmt);
    rc = buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *p;

    if (!b->cap && buf_grow(b, 0))
        return NULL;
    p = b->data;
    if (len)
        *len = b->len;
    buf_init(b);
    return p;
}

enum pm_err buf_read_file(struct buf *b, const char *path, size_t max_bytes)
{
    enum pm_err rc = PM_OK;
    char chunk[8192];
    size_t n, total = 0;
    FILE *f = fopen(path, "rb");

    if (!f)
        return PM_ERR_IO;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        total += n;
        if (total > max_bytes) {
            rc = PM_ERR_RANGE;
            goto out;
        }
        rc = buf_add(b, chunk, n);
        if (rc)
            goto out;
    }
    if (ferror(f))
        rc = PM_ERR_IO;
out:
    fclose(f);
    return rc;
}
