/*
 * fiscal.h — the company's fiscal year (räkenskapsår): which year a date
 * belongs to, its first and last day, and its name.
 *
 * Part of core/: pure.  A fiscal year is twelve whole months; a broken one
 * (brutet räkenskapsår) starts on the first of another month than January
 * and ends on the last day of the month before it (bokföringslagen
 * 1999:1078, 3 kap. 1 §).  A company says which month its years start in
 * (1..12, 1 = the calendar year).  A year is known by the calendar year it
 * starts in, as Swedish practice names 2026/27 after 2026: with start month
 * 5, fiscal year 2025 runs 2025-05-01 .. 2026-04-30 and is named
 * "2025/26".  The irregular first or changed year of 6 to 18 months the
 * law also allows (3 kap. 3 §) is not modelled: every year here is twelve
 * months.
 *
 * The voucher series (core/voucher.h: voucher_year) and the SIE export
 * (core/sie.h: #RAR) use these years.
 */
#ifndef PM_FISCAL_H
#define PM_FISCAL_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

#define FISCAL_START_MONTH_DEFAULT 1
/* "2025/26" or "2026" and a NUL, with room to spare */
#define FISCAL_NAME_MAX 16

struct fiscal_year {
    int label;     /* the calendar year it starts in */
    int32_t first; /* its first day */
    int32_t last;  /* its last day */
};

/* Is m a month a fiscal year can start in (1..12)? */
bool fiscal_start_month_valid(int m);

/* The label of the fiscal year containing date, for years starting in
 * start_month (1..12; anything else is read as 1). */
int fiscal_label_of(int32_t date, int start_month);

/* Fiscal year `label` (it starts on the first of start_month of that
 * calendar year).  PM_ERR_RANGE when start_month is not 1..12 or a day of
 * the year lies outside the calendar's range (core/date.h). */
enum pm_err fiscal_year_get(int label, int start_month, struct fiscal_year *out);

/* The fiscal year containing date; PM_ERR_RANGE as fiscal_year_get(). */
enum pm_err fiscal_year_of(int32_t date, int start_month, struct fiscal_year *out);

/* The year's name into dst[FISCAL_NAME_MAX]: "2026" for a calendar year,
 * "2025/26" for a broken one (the start year, a slash and the last two
 * digits of the end year). */
void fiscal_year_name(const struct fiscal_year *fy, char *dst);

#endif
