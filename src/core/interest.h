/*
 * interest.h — late-payment interest (dröjsmålsränta) per räntelagen.
 *
 * Rate = the Riksbank reference rate of the calendar half-year + 8
 * percentage points.  Interest runs from the day after the due date up to
 * and including the end date, on the capital outstanding at the start of
 * each day (a payment on day P reduces the capital from day P + 1), each
 * half-year's rate for its own days, actual/365, summed exactly and rounded
 * once at the end, half away from zero.
 *
 * Check value: 10 000,00 kr due 2025-03-31 to 2025-09-30 = 91 days at 11 %
 * + 92 days at 10 % = 526,30 kr.
 *
 * The reference rates are data (data/reference-rates.csv), parsed here from
 * text; a date in a half-year the table does not know is reported, never
 * guessed.
 */
#ifndef PM_INTEREST_H
#define PM_INTEREST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define INTEREST_MARGIN_BP 800 /* 8 percentage points over the reference rate */

#define RATE_SOURCE_MAX 64

struct rate_period {
    int32_t from;                 /* 1 January or 1 July */
    int32_t reference_bp;         /* reference rate in basis points (200 = 2,00 %) */
    char source[RATE_SOURCE_MAX]; /* where it comes from (the CSV's note) */
    int32_t added;                /* the day an administrator added it; 0 = shipped */
};

/* Half-years in ascending order without gaps; the last one is known for its
 * own half-year only. */
struct rate_table {
    struct rate_period *periods;
    size_t n;
};

/* Parse the CSV text "from,reference_rate_percent[,note]" with a header
 * line and '#' comment lines: dates must be 1 Jan / 1 Jul, ascending,
 * consecutive half-years; rates like "2.00" or "3,5" with at most two
 * decimals in -10..50 ("2.00"; a decimal comma only inside quotes,
 * "\"3,50\"", so that it cannot be mistaken for the next column).  On error e names the line ("line
 * 7: ...") and *out is untouched.  The table owns its memory: rate_table_release() frees it. */
enum pm_err rate_table_parse(const char *text, size_t len, struct rate_table *out,
                             struct pm_error *e);
void rate_table_release(struct rate_table *t);
/* Last day covered by the table (30 June or 31 December), or -1 if empty. */
int32_t rate_table_known_until(const struct rate_table *t);
/* Reference rate for date; PM_ERR_UNKNOWN_RATE outside the table. */
enum pm_err rate_table_reference_bp(const struct rate_table *t, int32_t date, int32_t *out);
/* The half-year of the table holding date, or NULL. */
const struct rate_period *rate_table_period(const struct rate_table *t, int32_t date);

/* A rate as an administrator types it: percent like "2.00", "2,5" or
 * "-0.50" (one or two decimals).  PM_ERR_INVALID otherwise. */
enum pm_err rate_parse_percent(const char *text, int32_t *bp);
/* May the rate of the half-year starting `from` be added to t?  It must
 * start a half-year (1 January or 1 July) and be the one right after the
 * table's last (PM_ERR_CONFLICT when the table has it, PM_ERR_RANGE for a
 * gap; field valid_from), and be a whole multiple of 0.50 % in -10..50
 * (räntelagen 9 §: the policy rate rounded up to the nearest half
 * percentage point; PM_ERR_RANGE on field rate). */
enum pm_err rate_check_new(const struct rate_table *t, int32_t from, int32_t bp,
                           struct pm_error *e);
/* base followed by the periods of add[0..n) (ascending) that continue it
 * without a gap; those base already covers are skipped (the shipped table
 * wins), the first after a gap ends the extension.  *out owns its memory
 * (rate_table_release()). */
enum pm_err rate_table_extend(const struct rate_table *base, const struct rate_period *add,
                              size_t n, struct rate_table *out);

/* A change of the capital on a date (a payment is negative). */
struct capital_change {
    int32_t date;
    int64_t amount_minor;
};

struct interest_result {
    int64_t amount_minor;   /* interest over the days whose rate is known */
    int32_t days;           /* days with interest (within the known rates) */
    int32_t first_day;      /* first interest day (due + 1), or 0 when none */
    int32_t last_day;       /* last day included */
    bool rate_unknown;      /* some days lie past the table */
    int32_t unknown_from;   /* first such day */
    int64_t estimate_minor; /* amount with the last known rate carried forward */
    int32_t last_rate_bp;   /* the interest rate (reference + 8) of the last day counted */
    int32_t paused_days;    /* days left out by pauses (between first_day and last_day) */
};

/* Days on which no interest runs (a stop of reminders set "no interest"),
 * inclusive. */
struct interest_pause {
    int32_t from, to;
};

/* Interest on `capital_minor` due on `due_date`, up to and including `to`,
 * with `changes` (any order, e.g. part payments as negative amounts) applied
 * from the day after their date.  Capital never goes below zero.  With
 * rate_unknown set, amount_minor covers only the known days and
 * estimate_minor carries the last known rate forward; the caller must show
 * that as an estimate.  PM_ERR_UNKNOWN_RATE only when no day is known. */
enum pm_err interest_compute(const struct rate_table *rates, int64_t capital_minor,
                             int32_t due_date, int32_t to, const struct capital_change *changes,
                             size_t n_changes, struct interest_result *out);

/* As interest_compute(), leaving out the days of pauses[0..n_pauses) (any
 * order, may overlap): no interest runs on them, whatever their rate.  A
 * period that is all paused has no interest and no error. */
enum pm_err interest_compute_paused(const struct rate_table *rates, int64_t capital_minor,
                                    int32_t due_date, int32_t to,
                                    const struct capital_change *changes, size_t n_changes,
                                    const struct interest_pause *pauses, size_t n_pauses,
                                    struct interest_result *out);

#endif
