/*
 * store_list.h — the shape of an invoice-list query, shared by the SQL
 * engines (store/sqlite, store/pg).
 *
 * Both engines answer store_invoice_list() with one statement per query
 * shape — filter, sort, first or later page, kind of search, one customer
 * or all — prepared once and reused.  What decides the shape, and the
 * sort key a shape orders and pages by, lives here so that the engines
 * agree on it by construction.
 */
#ifndef PM_STORE_LIST_H
#define PM_STORE_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum store_list_search {
    STORE_LIST_SEARCH_NONE,
    STORE_LIST_SEARCH_NUMBER, /* digits only: an invoice number */
    STORE_LIST_SEARCH_NAME,   /* anything else: a customer name */
    STORE_LIST_SEARCH_MODES,
};

#define STORE_LIST_SORTS  5 /* enum invoice_sort's values */
#define STORE_LIST_SHAPES (FILTER_COUNT * STORE_LIST_SORTS * 2 * STORE_LIST_SEARCH_MODES * 2)

/* Longest search text looked at; a number is at most 18 digits. */
#define STORE_LIST_SEARCH_MAX (STORE_NAME_MAX - 1)

/* How q (may be NULL) searches; for a number, *number is its value. */
enum store_list_search store_list_search_mode(const char *q, int64_t *number);

/* The shape of query q: 0 .. STORE_LIST_SHAPES - 1 for a valid query. */
size_t store_list_shape(const struct invoice_query *q);

/* The column a sort orders by ("i.due_date", "i.number",
 * "i.remaining_minor"; the invoices table is aliased i), and its direction. */
const char *store_list_sort_column(enum invoice_sort sort);
bool store_list_sort_descending(enum invoice_sort sort);

/* Overdue, newest first, on a later page: `due_date < today` and the
 * cursor are both upper bounds and an engine would range on only one,
 * walking every earlier page again.  So this shape has the cursor alone,
 * and the bound cursor is clamped to (today, 0), which means the same:
 * ids are positive, so (due_date, id) < (today, 0) is due_date < today. */
bool store_list_overdue_in_cursor(const struct invoice_query *q);

#endif
