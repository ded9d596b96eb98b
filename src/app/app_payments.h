/*
 * app_payments.h — money received on an invoice.
 *
 * Part of src/app.  The payments route, the BgMax import and the command
 * line all register a payment through app_payments_register(), so that a
 * payment is split, booked, recorded and reported to the agency alike
 * whichever way it arrived.
 */
#ifndef PM_APP_PAYMENTS_H
#define PM_APP_PAYMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"

/* How a payment was split and booked. */
struct app_payment_result {
    int64_t payment_id; /* the payment row, 0 only when all of it was over-paid */
    int64_t amount_minor;
    int64_t capital_minor;   /* to the invoice (or recovered after a loss) */
    int64_t fees_minor;      /* reminder fee and förseningsersättning */
    int64_t interest_minor;  /* interest claimed by a reminder */
    int64_t overpaid_minor;  /* beyond everything owed */
    int64_t recovered_minor; /* part of capital that recovers a confirmed loss */
    int64_t remaining_minor; /* left on the invoice afterwards */
    int voucher_year;
    int64_t voucher_number; /* the payment voucher */
    bool reported_to_agency;
};

/* Register amount_minor received on date for invoice_id, split by
 * payment_allocate() (core/payment.h): the fees and interest of its
 * reminders, then capital; the rest is an over-payment, refused (out_of_range,
 * field amount_minor) unless allow_overpayment.  A credited invoice is a
 * conflict (field invoice_id).  Books the payment voucher (and, after a
 * confirmed loss, the recovery voucher; with an expected loss, its
 * reversal for the part paid), adds the "payment" history event, and for
 * an invoice with the agency queues a report_payment message.  Runs in
 * the caller's transaction. */
enum pm_err app_payments_register(const struct app_ctx *ax, int64_t invoice_id, int32_t date,
                                  int64_t amount_minor, const char *reference,
                                  enum payment_source source, bool allow_overpayment,
                                  struct app_payment_result *out, struct app_error *e);

/* A bank payment that matched no invoice when it was imported, held on
 * 2420 since, placed on invoice_id now: registered as
 * app_payments_register() does (an excess stays on 2420 as an
 * over-payment), its voucher taking the money from 2420 instead of the
 * bank account.  source: the kind of file it came in. */
enum pm_err app_payments_register_held(const struct app_ctx *ax, int64_t invoice_id, int32_t date,
                                       int64_t amount_minor, const char *reference,
                                       enum payment_source source, struct app_payment_result *out,
                                       struct app_error *e);

/* What invoice_id still claims in *owed: capital, fees and interest, as
 * app_payments_register() allocates a payment (0 for a credited one). */
enum pm_err app_payments_owed(const struct app_ctx *ax, int64_t invoice_id, int64_t *owed,
                              struct app_error *e);

#endif
