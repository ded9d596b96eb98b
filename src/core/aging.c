/*
 * aging.c — the buckets of the receivables aging (see aging.h).
 *
 * Part of core/: pure.  Days past due = as_of - due_date; an invoice due
 * today is not yet due.
 */
#include "core/aging.h"

static const char *const keys[AGING_BUCKETS] = {"not_due", "1_30", "31_60", "61_90", "over_90"};

/* Lowest days past due of each bucket; the last is open-ended. */
static const int32_t lowest[AGING_BUCKETS] = {INT32_MIN, 1, 31, 61, 91};

const char *aging_bucket_key(enum aging_bucket b)
{
    return b >= 0 && b < AGING_BUCKETS ? keys[b] : "";
}

enum aging_bucket aging_bucket_of(int32_t due_date, int32_t as_of)
{
    int64_t days = (int64_t)as_of - due_date;
    int b;

    for (b = AGING_BUCKETS - 1; b > 0; b--) {
        if (days >= lowest[b])
            return (enum aging_bucket)b;
    }
    return AGING_NOT_DUE;
}

void aging_bucket_range(enum aging_bucket b, int32_t as_of, int32_t *from, int32_t *to)
{
    /* days in [lo, hi]  <=>  due_date in [as_of - hi, as_of - lo] */
    *to = b == AGING_NOT_DUE ? INT32_MAX : as_of - lowest[b];
    *from = b == AGING_OVER_90 ? INT32_MIN : as_of - (lowest[b + 1] - 1);
}
