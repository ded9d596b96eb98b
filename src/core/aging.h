/*
 * aging.h — receivables aging (åldersanalys): which bucket of days past due
 * an open invoice falls in on a date.
 *
 * Part of core/: pure.  The buckets are those of the UI's chart: not yet
 * due, 1–30, 31–60, 61–90 and more than 90 days past the due date.  The
 * store sums invoices per bucket with the due-date ranges of
 * aging_bucket_range(), so the boundaries live only here.
 */
#ifndef PM_AGING_H
#define PM_AGING_H

#include <stdint.h>

enum aging_bucket {
    AGING_NOT_DUE,
    AGING_1_30,
    AGING_31_60,
    AGING_61_90,
    AGING_OVER_90,
    AGING_BUCKETS,
};

/* "not_due", "1_30", "31_60", "61_90", "over_90". */
const char *aging_bucket_key(enum aging_bucket b);
/* The bucket of an invoice due on due_date, seen on as_of. */
enum aging_bucket aging_bucket_of(int32_t due_date, int32_t as_of);
/* The due dates [*from, *to] (inclusive) of bucket b on as_of. */
void aging_bucket_range(enum aging_bucket b, int32_t as_of, int32_t *from, int32_t *to);

#endif
