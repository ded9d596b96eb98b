/*
 * store_reports.h — the sums behind the reports (core/report.h), as
 * stored.
 *
 * Written once in SQL over the storage driver (store_reports.c).  Every
 * statement filters on company_id first and aggregates in SQL, by day (or
 * by hour, for hand-overs, whose time is an instant), so an answer is a
 * few hundred rows whatever the size of the company; each runs on an
 * index that starts with company_id (migration "reports").  Each call
 * gives its rows to fn(ctx, key, count, sum) in key order.
 */
#ifndef PM_STORE_REPORTS_H
#define PM_STORE_REPORTS_H

#include <stdint.h>

#include "store/store.h"

typedef void (*store_report_fn)(void *ctx, int64_t key, int64_t count, int64_t sum);

/* Reminders dated from..to per date: count, fees + förseningsersättning. */
enum pm_err store_report_reminders(struct store *st, int64_t company_id, int32_t from, int32_t to,
                                   store_report_fn fn, void *ctx);

/* Reminders dated from..to whose invoice is paid and got its last payment
 * within `within` days after the reminder, per reminder date: count, and
 * what was paid on the invoice in those days (capital, fees, interest). */
enum pm_err store_report_paid_after(struct store *st, int64_t company_id, int32_t from, int32_t to,
                                    int within, store_report_fn fn, void *ctx);

/* Hand-overs claimed at from_s <= claimed_at < to_s (unix seconds), per
 * UTC hour (claimed_at / 3600): count, capital left on the invoices then
 * (customer's part − credited − the capital of payments recorded
 * before). */
enum pm_err store_report_handovers(struct store *st, int64_t company_id, int64_t from_s,
                                   int64_t to_s, store_report_fn fn, void *ctx);

/* SEK invoices dated from..to per invoice date: count, customer's part −
 * credited. */
enum pm_err store_report_invoiced(struct store *st, int64_t company_id, int32_t from, int32_t to,
                                  store_report_fn fn, void *ctx);

/* Open SEK invoices dated up to `to` per invoice date, dates before
 * `before` given as before - 1: count, remaining. */
enum pm_err store_report_open(struct store *st, int64_t company_id, int32_t before, int32_t to,
                              store_report_fn fn, void *ctx);

/* Capital paid from paid_from..paid_to on SEK invoices dated up to
 * issued_to, per invoice date (dates before `before` as before - 1):
 * count of payments, capital. */
enum pm_err store_report_paid_in(struct store *st, int64_t company_id, int32_t paid_from,
                                 int32_t paid_to, int32_t issued_to, int32_t before,
                                 store_report_fn fn, void *ctx);

/* SEK invoices due due_from..due_to: *due = customer's part − credited,
 * *collected = the capital paid on them up to paid_to. */
enum pm_err store_report_due(struct store *st, int64_t company_id, int32_t due_from, int32_t due_to,
                             int32_t paid_to, int64_t *due, int64_t *collected);

#endif
