/*
 * fiscal.c — the company's fiscal year (see fiscal.h).
 *
 * Part of core/.
 */
#include "core/fiscal.h"

#include <stdio.h>

#include "core/date.h"

bool fiscal_start_month_valid(int m)
{
    return m >= 1 && m <= 12;
}

int fiscal_label_of(int32_t date, int start_month)
{
    int year, month, day;

    if (!fiscal_start_month_valid(start_month))
        start_month = FISCAL_START_MONTH_DEFAULT;
    date_to_ymd(date, &year, &month, &day);
    return month >= start_month ? year : year - 1;
}

enum pm_err fiscal_year_get(int label, int start_month, struct fiscal_year *out)
{
    int32_t next = 0;

    if (!fiscal_start_month_valid(start_month))
        return PM_ERR_RANGE;
    out->label = label;
    if (date_from_ymd(label, start_month, 1, &out->first))
        return PM_ERR_RANGE;
    if (start_month == 1)
        return date_from_ymd(label, 12, 31, &out->last) ? PM_ERR_RANGE : PM_OK;
    /* the day before the same month's first, a year on */
    if (date_from_ymd(label + 1, start_month, 1, &next))
        return PM_ERR_RANGE;
    out->last = next - 1;
    return PM_OK;
}

enum pm_err fiscal_year_of(int32_t date, int start_month, struct fiscal_year *out)
{
    if (!fiscal_start_month_valid(start_month))
        return PM_ERR_RANGE;
    return fiscal_year_get(fiscal_label_of(date, start_month), start_month, out);
}

void fiscal_year_name(const struct fiscal_year *fy, char *dst)
{
    int y, m, d;

    date_to_ymd(fy->last, &y, &m, &d);
    if (y == fy->label)
        snprintf(dst, FISCAL_NAME_MAX, "%04d", fy->label % 10000);
    else
        snprintf(dst, FISCAL_NAME_MAX, "%04d/%02d", fy->label % 10000, y % 100);
}
