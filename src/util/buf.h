/*
 * buf.h — a growable byte buffer, always NUL-terminated (after git's strbuf).
 *
 * struct buf owns its data.  buf_init() gives an empty buffer that allocates
 * nothing; buf_release() frees the data and leaves an empty buffer again.
 * Every append returns PM_ERR_NOMEM (and leaves the buffer as it was) when
 * memory runs out, or PM_ERR_RANGE when the buffer's max would be exceeded.
 */
#ifndef PM_BUF_H
#define PM_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util/err.h"

struct buf {
    char *data; /* NUL-terminated; "" (static) while nothing is allocated */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* refuse to grow past this many bytes; 0 = SIZE_MAX / 2 */
};

#define BUF_INIT            \
    {                       \
        (char *)"", 0, 0, 0 \
    }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Empty the buffer but keep its memory. */
void buf_reset(struct buf *b);
enum pm_err buf_grow(struct buf *b, size_t extra);
enum pm_err buf_add(struct buf *b, const void *data, size_t len);
enum pm_err buf_adds(struct buf *b, const char *s);
enum pm_err buf_addch(struct buf *b, char c);
enum pm_err buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
enum pm_err buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* Hand the data to the caller (who frees it with free()); the buffer is left empty. */
char *buf_detach(struct buf *b, size_t *len);

/* Read a whole file into *b (appending), at most max_bytes. */
enum pm_err buf_read_file(struct buf *b, const char *path, size_t max_bytes);

#endif
