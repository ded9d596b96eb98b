/*
 * api_cursor.h — the opaque next_cursor of paged lists.
 *
 * A cursor carries the keyset position of the last row of a page (its sort
 * key and id) plus what list and sort order it belongs to, so that a cursor
 * of one list or order is refused by another.  The text is URL-safe
 * ("i1.20512.17"); clients must treat it as opaque.  A list with filters
 * also binds its cursors to them (a hash of the filter, "i1.20512.17.9c3e0a51"),
 * so a cursor reused with another filter is refused rather than skipping
 * rows.
 */
#ifndef PM_API_CURSOR_H
#define PM_API_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define API_CURSOR_MAX 64 /* bytes a cursor needs, with the NUL */

/* Write the cursor of list `kind` ('i' invoices, 'c' customers), sort order
 * `sort` (0..9), sort key and row id into dst[API_CURSOR_MAX]. */
void api_cursor_encode(char kind, int sort, int64_t key, int64_t id, char *dst);

/* Parse a cursor written by api_cursor_encode() for the same kind and sort.
 * PM_ERR_INVALID for anything else; *key and *id are untouched then. */
enum pm_err api_cursor_decode(const char *s, char kind, int sort, int64_t *key, int64_t *id);

/* The hash (FNV-1a, 32 bits) of a list's normalised filter text. */
uint32_t api_cursor_filter(const char *text);
/* As api_cursor_encode(), bound to the filter's hash. */
void api_cursor_encode_in(char kind, int sort, uint32_t filter, int64_t key, int64_t id, char *dst);
/* As api_cursor_decode() for a cursor written by api_cursor_encode_in():
 * PM_ERR_INVALID for one that is not ours, PM_ERR_CONFLICT for one of
 * another filter; *key and *id are untouched then. */
enum pm_err api_cursor_decode_in(const char *s, char kind, int sort, uint32_t filter, int64_t *key,
                                 int64_t *id);

#endif
