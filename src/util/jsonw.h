/*
 * jsonw.h — a streaming JSON writer into a struct buf.
 *
 * For the hot answers (the invoice list: 50 rows of 20 fields, many times
 * a second) building a jansson tree and dumping it costs more than the
 * database query; writing the text straight into a buffer costs a small
 * fraction.  jansson stays the parser and the builder everywhere else.
 *
 * The writer tracks commas itself: call jsonw_key() before each member of
 * an object and nothing before array elements.  Strings must be valid UTF-8
 * (everything stored was checked at the API's edge); control characters,
 * quotes and backslashes are escaped.  Errors (out of memory) are sticky:
 * check jsonw_error() once at the end.
 */
#ifndef PM_JSONW_H
#define PM_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

#define JSONW_MAX_DEPTH 32

struct jsonw {
    struct buf *out;   /* appended to; owned by the caller */
    enum pm_err error; /* first failure, PM_OK while all went well */
    int depth;
    bool first[JSONW_MAX_DEPTH]; /* no member written yet at this depth */
    bool after_key;
};

void jsonw_init(struct jsonw *w, struct buf *out);
void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
/* The next member's name (a literal without characters to escape, or any
 * UTF-8 text: it is escaped like a string). */
void jsonw_key(struct jsonw *w, const char *key);
/* The same for a string literal without characters to escape, quoted at
 * compile time: one copy, no scan (the list writes 25 names a row). */
#define JSONW_KEY(w, lit) jsonw_key_quoted((w), "\"" lit "\":", sizeof("\"" lit "\":") - 1)
/* The next member's name already quoted and followed by its colon. */
void jsonw_key_quoted(struct jsonw *w, const char *quoted, size_t len);
void jsonw_string(struct jsonw *w, const char *s);
/* A string, or null when s is NULL or empty. */
void jsonw_string_or_null(struct jsonw *w, const char *s);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* Already-serialised JSON text (e.g. a stored JSON object), inserted as is. */
void jsonw_raw(struct jsonw *w, const char *json, size_t len);
enum pm_err jsonw_error(const struct jsonw *w);

#endif
