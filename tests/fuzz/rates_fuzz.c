/*
 * rates_fuzz.c — libFuzzer target for the reference-rate CSV parser of
 * src/core/interest.c, the one parser of the product that reads a file a
 * user edits by hand.
 *
 * Any bytes go to rate_table_parse(); when they parse, the table must hold
 * its invariants (1 Jan / 1 Jul, consecutive half-years, rates in range),
 * and interest over a span taken from the input must be >= 0 with the
 * estimate never below the known amount.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/interest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t mix(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

static void check_table(const struct rate_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (date_half_year_start(t->periods[i].from) != t->periods[i].from)
            abort();
        if (t->periods[i].reference_bp < -1000 || t->periods[i].reference_bp > 5000)
            abort();
        if (i > 0 && t->periods[i].from <= t->periods[i - 1].from)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rate_table t = {NULL, 0};
    struct interest_result r;
    struct capital_change pay;
    struct pm_error e;
    int32_t first, until, due, to;
    uint32_t h;
    enum pm_err rc;

    if (rate_table_parse((const char *)data, size, &t, &e) != PM_OK)
        return 0;
    if (t.n == 0)
        abort();
    check_table(&t);

    h = mix(data, size);
    first = t.periods[0].from;
    until = rate_table_known_until(&t);
    /* A span that may start before the table and end after it. */
    due = first - 200 + (int32_t)(h % (uint32_t)(until - first + 400));
    to = due + (int32_t)((h >> 8) % 4000);
    pay.date = due + (int32_t)((h >> 4) % 400);
    pay.amount_minor = -(int64_t)((h >> 12) % 2000000);

    rc = interest_compute(&t, 1000000, due, to, &pay, 1, &r);
    if (rc == PM_OK) {
        if (r.amount_minor < 0 || r.estimate_minor < r.amount_minor || r.days < 0)
            abort();
        if (!r.rate_unknown && r.estimate_minor != r.amount_minor)
            abort();
    } else if (rc != PM_ERR_UNKNOWN_RATE && rc != PM_ERR_RANGE) {
        abort();
    }
    rate_table_release(&t);
    return 0;
}
