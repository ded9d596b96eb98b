/*
 * app_export.h — the books as they leave the product: the vouchers of a
 * period, the SIE 4 file of a year, and the receivables aging.
 *
 * Part of src/app.  Read-only operations: they need no transaction.
 */
#ifndef PM_APP_EXPORT_H
#define PM_APP_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/sie.h"
#include "core/aging.h"
#include "util/buf.h"

#define APP_VOUCHERS_LIST_MAX 1000

/* Called with each voucher of a listing in order; its result stops the
 * listing when not PM_OK. */
typedef enum pm_err (*app_voucher_each)(void *arg, const struct voucher *v);

/* The company's vouchers dated from..to (inclusive) by year and number,
 * at most APP_VOUCHERS_LIST_MAX of them; *truncated when there were more. */
enum pm_err app_export_vouchers(const struct app_ctx *ax, int32_t from, int32_t to,
                                app_voucher_each each, void *arg, bool *truncated,
                                struct app_error *e);

/* The SIE 4 file of fiscal year `year` (CP437) of `type` (4I: vouchers
 * only, for the main bookkeeping program to import; 4E: with balances),
 * appended to *out.  `year` names the company's fiscal year by the
 * calendar year it starts in (with fiscal_year_start_month 5, 2025 is
 * 2025-05-01 .. 2026-04-30); out_of_range on "year" outside the calendar. */
enum pm_err app_export_sie(const struct app_ctx *ax, int year, enum sie_type type, struct buf *out,
                           struct app_error *e);

/* The open receivables by days past due on as_of (core/aging.h's buckets). */
struct app_aging {
    int32_t as_of;
    int64_t count[AGING_BUCKETS];
    int64_t remaining_minor[AGING_BUCKETS];
    int64_t total_count;
    int64_t total_minor;
};

enum pm_err app_export_aging(const struct app_ctx *ax, int32_t as_of, struct app_aging *out,
                             struct app_error *e);

#endif
