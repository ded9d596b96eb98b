/*
 * app_reports.h — the dunning report and the receivables key figures of
 * a company (core/report.h has the definitions, docs/reports.md explains
 * them).
 *
 * Part of src/app: reads only, no transaction of its own.  The store sums
 * by day (store_reports.h); core lays the sums out and computes DSO and
 * the collection rate.
 */
#ifndef PM_APP_REPORTS_H
#define PM_APP_REPORTS_H

#include "app/app.h"
#include "core/report.h"

struct tz;

/* The days from..to (at most REPORT_DAYS_MAX): out_of_range on "to" for a
 * period that ends before it begins or is too long.  tz gives hand-overs
 * their local date. */
enum pm_err app_reports_dunning(const struct app_ctx *ax, const struct tz *tz, int32_t from,
                                int32_t to, struct report_dunning *out, struct app_error *e);

/* The n months ending with today's (1..REPORT_MONTHS_MAX, out_of_range on
 * "months" otherwise), oldest first, into m[0..n). */
enum pm_err app_reports_receivables(const struct app_ctx *ax, int n, struct report_month *m,
                                    struct app_error *e);

#endif
