/*
 * store_search.h — what a search text means to the store's lists, shared
 * by the customer and invoice lists (store_customers.c,
 * store_invoice_list.c).
 *
 * A search of digits only is an invoice number; anything else matches
 * names containing it, ignoring ASCII case (å/ä/ö match only as written)
 * on both engines: SQLite's LIKE folds ASCII case, PostgreSQL compares
 * lower(name COLLATE "C") with the pattern, which is lowered here.
 */
#ifndef PM_STORE_SEARCH_H
#define PM_STORE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum store_search {
    STORE_SEARCH_NONE,
    STORE_SEARCH_NUMBER, /* digits only: an invoice number */
    STORE_SEARCH_NAME,   /* anything else: a name */
    STORE_SEARCH_MODES,
};

/* Longest search text looked at; a number is at most 18 digits. */
#define STORE_SEARCH_MAX (STORE_NAME_MAX - 1)

/* Bytes of the LIKE pattern of a text of up to len bytes. */
#define STORE_LIKE_MAX(len) (2 * (len) + 3)

/* How q (may be NULL) searches; for a number, *number is its value. */
enum store_search store_search_mode(const char *q, int64_t *number);

/* The LIKE pattern "%q%" of q[0..len) (q may be NULL when len is 0):
 * LIKE's wildcards escaped by '\', ASCII letters lowered.  dst holds
 * STORE_LIKE_MAX(len) bytes. */
void store_like_pattern(const char *q, size_t len, char *dst);

#endif
