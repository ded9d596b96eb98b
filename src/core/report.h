/*
 * report.h — the dunning report per day and the receivables key figures
 * per month (DSO, collection rate).
 *
 * Part of core/: pure.  The store sums by day (store_reports.c); this
 * module lays out the days and months, puts the sums where they belong
 * and computes the ratios.  The definitions (docs/reports.md):
 *
 * Per day d of a period (at most REPORT_DAYS_MAX days):
 * - reminders: the reminders dated d (manual ones and those of any run);
 * - fees_minor: the reminder fees and förseningsersättning they charged;
 * - handed_over / handed_over_minor: the invoices handed over to the
 *   agency on d (local date in Europe/Stockholm of the hand-over) and the
 *   capital left on them then;
 * - paid / paid_minor: of the reminders dated d, those whose invoice is
 *   paid in full and received its last payment within 14 days after the
 *   reminder (d .. d + 14), and what was paid on the invoice in those
 *   days (capital, fees and interest).
 *
 * Per calendar month M (the current month counts up to today, its "end"):
 * - invoiced_minor: SEK invoices dated in M (customer's part − credited);
 * - receivables_minor: what was unpaid at M's end on SEK invoices dated
 *   up to then: today's remaining on open invoices plus the capital paid
 *   after M's end;
 * - DSO = receivables_minor ÷ invoiced_minor × days of M (to its end),
 *   unknown when nothing was invoiced in M; in tenths of a day, rounded
 *   half away from zero;
 * - due_minor: SEK invoices that fell due in M (customer's part −
 *   credited); collected_minor: the capital paid on them up to M's end;
 *   collection rate = collected ÷ due in basis points (10000 = 100 %),
 *   unknown when nothing fell due.
 */
#ifndef PM_REPORT_H
#define PM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct tz;

#define REPORT_DAYS_MAX       366
#define REPORT_PAID_WITHIN    14 /* days after a reminder */
#define REPORT_MONTHS_MAX     24
#define REPORT_MONTHS_DEFAULT 12

struct report_day {
    int32_t date;
    int64_t reminders;
    int64_t fees_minor;
    int64_t handed_over;
    int64_t handed_over_minor;
    int64_t paid;
    int64_t paid_minor;
};

struct report_dunning {
    int32_t from, to;
    size_t n_days;
    struct report_day days[REPORT_DAYS_MAX];
    struct report_day total; /* date = 0 */
};

/* Lay out the days from..to (inclusive), all figures 0.  PM_ERR_RANGE on
 * "to" when to < from, on "to" when the period is longer than
 * REPORT_DAYS_MAX days. */
enum pm_err report_dunning_init(int32_t from, int32_t to, struct report_dunning *out,
                                struct pm_error *e);

/* Add the sums of one day (a day outside the period is ignored). */
void report_dunning_add_reminders(struct report_dunning *r, int32_t date, int64_t count,
                                  int64_t fees_minor);
void report_dunning_add_paid(struct report_dunning *r, int32_t date, int64_t count,
                             int64_t paid_minor);
/* Hand-overs summed per UTC hour (hour = unix seconds / 3600): each goes
 * to the local date (tz) of the hour's start — Stockholm changes its
 * offset on whole hours, so an hour never straddles two local days. */
void report_dunning_add_handovers(struct report_dunning *r, const struct tz *tz, int64_t hour,
                                  int64_t count, int64_t capital_minor);
/* The totals over the period. */
void report_dunning_sum(struct report_dunning *r);

struct report_month {
    int year, month;
    int32_t first, end; /* end: the last day, or today in the current month */
    int days;           /* first .. end */
    int64_t invoiced_minor;
    int64_t receivables_minor;
    int64_t due_minor;
    int64_t collected_minor;
    bool dso_known;
    int64_t dso_tenths; /* days × 10 */
    bool rate_known;
    int64_t collection_rate_bp;
};

/* Lay out the n months (1..REPORT_MONTHS_MAX) ending with today's month,
 * oldest first, all figures 0.  PM_ERR_RANGE on "months" otherwise. */
enum pm_err report_months_init(int32_t today, int n, struct report_month *m, struct pm_error *e);

/* The month of m[0..n) that holds date, or -1. */
int report_month_of(const struct report_month *m, int n, int32_t date);

/* An invoice dated invoice_date: amount invoiced. */
void report_months_add_invoiced(struct report_month *m, int n, int32_t invoice_date,
                                int64_t amount_minor);
/* Open today with remaining_minor left: unpaid at every month end on or
 * after invoice_date. */
void report_months_add_open(struct report_month *m, int n, int32_t invoice_date,
                            int64_t remaining_minor);
/* Capital paid on paid_date for an invoice dated invoice_date: unpaid at
 * the month ends from invoice_date up to the day before paid_date. */
void report_months_add_paid_later(struct report_month *m, int n, int32_t invoice_date,
                                  int32_t paid_date, int64_t amount_minor);
/* DSO and collection rate of every month from its sums.  PM_ERR_OVERFLOW
 * when a product does not fit (never with amounts within MONEY_MAX). */
enum pm_err report_months_finish(struct report_month *m, int n);

#endif
