/*
 * app_invoices.h — issuing an invoice.
 *
 * Part of src/app.  The invoice arrives validated and with its totals
 * computed (the edges decode it with core/invoice.h); this is what the
 * company's books and history make of it.
 */
#ifndef PM_APP_INVOICES_H
#define PM_APP_INVOICES_H

#include <stddef.h>

#include "app/app.h"

/* Store a new invoice of the company with its lines and buyers: the
 * customer must exist (invalid_value, field customer_id), a number in use
 * is duplicate_number (field number).  Sets inv->id, company_id,
 * customer_name (and number when 0), adds the "created" history event and
 * books the invoice's voucher (app_invoices_issued).  Runs in the
 * caller's transaction. */
enum pm_err app_invoices_create(const struct app_ctx *ax, struct invoice *inv,
                                const struct invoice_line_row *lines, size_t n_lines,
                                const struct invoice_buyer *buyers, size_t n_buyers,
                                struct app_error *e);

/* The voucher of a new invoice (accrual-method companies; nothing for the
 * cash method, whose sales are booked when paid). */
enum pm_err app_invoices_issued(const struct app_ctx *ax, const struct invoice *inv,
                                struct app_error *e);

#endif
