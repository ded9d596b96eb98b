/*
 * store_list.c — the shape of an invoice-list query (store_list.h).
 */
#include "store/store_list.h"

#include <string.h>

enum store_list_search store_list_search_mode(const char *q, int64_t *number)
{
    size_t i, len = q ? strnlen(q, STORE_LIST_SEARCH_MAX) : 0;
    int64_t v = 0;

    if (len == 0)
        return STORE_LIST_SEARCH_NONE;
    if (len > 18)
        return STORE_LIST_SEARCH_NAME;
    for (i = 0; i < len; i++) {
        if (q[i] < '0' || q[i] > '9')
            return STORE_LIST_SEARCH_NAME;
        v = v * 10 + (q[i] - '0');
    }
    *number = v;
    return STORE_LIST_SEARCH_NUMBER;
}

size_t store_list_shape(const struct invoice_query *q)
{
    int64_t number;
    size_t shape = (size_t)q->filter;

    shape = shape * STORE_LIST_SORTS + (size_t)q->sort;
    shape = shape * 2 + (q->after.set ? 1 : 0);
    shape = shape * STORE_LIST_SEARCH_MODES + (size_t)store_list_search_mode(q->q, &number);
    shape = shape * 2 + (q->customer_id > 0 ? 1 : 0);
    return shape;
}

const char *store_list_sort_column(enum invoice_sort sort)
{
    switch (sort) {
    case SORT_NUMBER_ASC:
    case SORT_NUMBER_DESC:
        return "i.number";
    case SORT_REMAINING_DESC:
        return "i.remaining_minor";
    case SORT_DUE_ASC:
    case SORT_DUE_DESC:
        break;
    }
    return "i.due_date";
}

bool store_list_sort_descending(enum invoice_sort sort)
{
    return sort == SORT_DUE_DESC || sort == SORT_NUMBER_DESC || sort == SORT_REMAINING_DESC;
}

bool store_list_overdue_in_cursor(const struct invoice_query *q)
{
    return q->filter == FILTER_OVERDUE && q->sort == SORT_DUE_DESC && q->after.set;
}
