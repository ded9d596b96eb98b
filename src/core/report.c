/*
 * report.c — the dunning report and the receivables key figures (see
 * report.h for the definitions).
 *
 * Part of core/: pure.  Ratios are rounded once, half away from zero,
 * with money_mul_div().
 */
#include "core/report.h"

#include <string.h>

#include "core/date.h"
#include "core/money.h"

enum pm_err report_dunning_init(int32_t from, int32_t to, struct report_dunning *out,
                                struct pm_error *e)
{
    size_t i;

    if (to < from)
        return pm_error_set(e, PM_ERR_RANGE, "to", "the period ends before it begins");
    if ((int64_t)to - from + 1 > REPORT_DAYS_MAX)
        return pm_error_set(e, PM_ERR_RANGE, "to", "a period is at most %d days", REPORT_DAYS_MAX);
    memset(out, 0, sizeof(*out));
    out->from = from;
    out->to = to;
    out->n_days = (size_t)(to - from + 1);
    for (i = 0; i < out->n_days; i++)
        out->days[i].date = from + (int32_t)i;
    return PM_OK;
}

static struct report_day *day_of(struct report_dunning *r, int32_t date)
{
    if (date < r->from || date > r->to)
        return NULL;
    return &r->days[date - r->from];
}

void report_dunning_add_reminders(struct report_dunning *r, int32_t date, int64_t count,
                                  int64_t fees_minor)
{
    struct report_day *d = day_of(r, date);

    if (d) {
        d->reminders += count;
        d->fees_minor += fees_minor;
    }
}

void report_dunning_add_paid(struct report_dunning *r, int32_t date, int64_t count,
                             int64_t paid_minor)
{
    struct report_day *d = day_of(r, date);

    if (d) {
        d->paid += count;
        d->paid_minor += paid_minor;
    }
}

void report_dunning_add_handovers(struct report_dunning *r, const struct tz *tz, int64_t hour,
                                  int64_t count, int64_t capital_minor)
{
    struct report_day *d = day_of(r, date_local_from_utc(tz, hour * 3600));

    if (d) {
        d->handed_over += count;
        d->handed_over_minor += capital_minor;
    }
}

void report_dunning_sum(struct report_dunning *r)
{
    struct report_day *t = &r->total;
    size_t i;

    memset(t, 0, sizeof(*t));
    for (i = 0; i < r->n_days; i++) {
        t->reminders += r->days[i].reminders;
        t->fees_minor += r->days[i].fees_minor;
        t->handed_over += r->days[i].handed_over;
        t->handed_over_minor += r->days[i].handed_over_minor;
        t->paid += r->days[i].paid;
        t->paid_minor += r->days[i].paid_minor;
    }
}

enum pm_err report_months_init(int32_t today, int n, struct report_month *m, struct pm_error *e)
{
    int y, mo, d, i;

    if (n < 1 || n > REPORT_MONTHS_MAX)
        return pm_error_set(e, PM_ERR_RANGE, "months", "1 to %d months", REPORT_MONTHS_MAX);
    date_to_ymd(today, &y, &mo, &d);
    memset(m, 0, sizeof(*m) * (size_t)n);
    for (i = n - 1; i >= 0; i--) {
        m[i].year = y;
        m[i].month = mo;
        if (date_from_ymd(y, mo, 1, &m[i].first))
            return pm_error_set(e, PM_ERR_RANGE, "months", "too far back");
        m[i].end = m[i].first + date_days_in_month(y, mo) - 1;
        if (m[i].end > today)
            m[i].end = today;
        m[i].days = m[i].end - m[i].first + 1;
        if (--mo == 0) {
            mo = 12;
            y--;
        }
    }
    return PM_OK;
}

int report_month_of(const struct report_month *m, int n, int32_t date)
{
    int i;

    for (i = 0; i < n; i++) {
        if (date >= m[i].first && date <= m[i].end)
            return i;
    }
    return -1;
}

void report_months_add_invoiced(struct report_month *m, int n, int32_t invoice_date,
                                int64_t amount_minor)
{
    int i = report_month_of(m, n, invoice_date);

    if (i >= 0)
        m[i].invoiced_minor += amount_minor;
}

void report_months_add_open(struct report_month *m, int n, int32_t invoice_date,
                            int64_t remaining_minor)
{
    int i;

    for (i = 0; i < n; i++) {
        if (m[i].end >= invoice_date)
            m[i].receivables_minor += remaining_minor;
    }
}

void report_months_add_paid_later(struct report_month *m, int n, int32_t invoice_date,
                                  int32_t paid_date, int64_t amount_minor)
{
    int i;

    for (i = 0; i < n; i++) {
        if (m[i].end >= invoice_date && m[i].end < paid_date)
            m[i].receivables_minor += amount_minor;
    }
}

enum pm_err report_months_finish(struct report_month *m, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        m[i].dso_known = m[i].invoiced_minor > 0;
        m[i].dso_tenths = 0;
        if (m[i].dso_known && money_mul_div(m[i].receivables_minor, (int64_t)m[i].days * 10,
                                            m[i].invoiced_minor, &m[i].dso_tenths))
            return PM_ERR_OVERFLOW;
        m[i].rate_known = m[i].due_minor > 0;
        m[i].collection_rate_bp = 0;
        if (m[i].rate_known &&
            money_mul_div(m[i].collected_minor, 10000, m[i].due_minor, &m[i].collection_rate_bp))
            return PM_ERR_OVERFLOW;
    }
    return PM_OK;
}
