/*
 * credit_note.h — credit notes (kreditfakturor): what a credit note
 * credits, per VAT rate and of the ROT/RUT part, and its voucher.
 *
 * Part of core/: pure.  A credit note is the exact reverse of (part of) an
 * invoice, so its amounts follow the invoice's own rules:
 *
 *  - By VAT rate: the caller names the net credited per rate; the VAT of
 *    each rate is computed on that net with the invoice's rule
 *    (money_percent_bp(), half away from zero).
 *  - By amount: the caller names what the customer is credited (a part of
 *    what the customer owes); it is split over the invoice in proportion,
 *    as a customer loss is (voucher_loss_split): the tax reduction's share
 *    first, then VAT per rate of the gross, the net the rest.
 *  - The ROT/RUT part (Skatteverket's share, BAS 1513) of a credit note
 *    against a ROT/RUT invoice is the invoice's reduction in proportion to
 *    the gross credited (reduction × gross / invoice total), as the
 *    invoice's voucher put it on 1513; the rest of the gross is the
 *    customer's part (1510), which reduces what is left on the invoice.
 *  - The credit note that completes the invoice (the nets of every rate
 *    credited in full) takes exactly what earlier credit notes left of
 *    VAT and reduction, so all of an invoice's credit notes together
 *    reverse its voucher to the öre.
 *
 * A free-standing credit note (no invoice) is given by VAT rate, has no
 * ROT/RUT part, and is all the customer's.
 */
#ifndef PM_CREDIT_NOTE_H
#define PM_CREDIT_NOTE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/invoice.h"
#include "core/voucher.h"
#include "util/err.h"

#define CREDIT_NOTE_REASON_MAX 500 /* bytes of the reason text */

/* What one credit note credits (or the sum of several). */
struct credit_note_amounts {
    int64_t net_by_rate[VAT_RATES];
    int64_t vat_by_rate[VAT_RATES];
    int64_t total_minor;         /* gross: nets + VAT */
    int64_t tax_reduction_minor; /* of the total, the ROT/RUT part (1513) */
    int64_t customer_part_minor; /* total - tax reduction (1510) */
};

/* What is asked for: nets per rate (by_rates), or an amount of the
 * customer's part. */
struct credit_note_request {
    bool by_rates;
    int64_t net_by_rate[VAT_RATES];
    int64_t customer_minor;
};

/* The amounts of a credit note against an invoice of totals inv (NULL: a
 * free-standing one, by_rates only), after earlier credit notes `before`
 * (NULL: none), crediting at most left_minor of the customer's part (what
 * is left to pay on the invoice; ignored when inv is NULL).  Refusals,
 * with the field in e: PM_ERR_RANGE on "amount_minor" for an amount <= 0
 * or beyond left_minor; on "rates[VAT]" (e.g. "rates[2500]") for a net < 0
 * or beyond what the invoice has left of that rate's net; on "rates" for
 * nothing to credit or a customer part beyond left_minor;
 * PM_ERR_OVERFLOW where sums overflow. */
enum pm_err credit_note_compute(const struct invoice_totals *inv,
                                const struct credit_note_amounts *before,
                                const struct credit_note_request *req, int64_t left_minor,
                                struct credit_note_amounts *out, struct pm_error *e);

/* Add a to *sum (for the credit notes of an invoice so far). */
enum pm_err credit_note_add(struct credit_note_amounts *sum, const struct credit_note_amounts *a);

/* The voucher of credit note `number` dated date for inv (its number,
 * customer, market and zero-VAT reason choose the sales accounts as the
 * invoice's voucher did; for a free-standing note, number 0): the reverse
 * of the invoice's booking for the credited part — D sales per rate
 * (net), D output VAT per rate, C 1510 the customer's part, C 1513 the
 * ROT/RUT part.  Source "credit_note". */
enum pm_err voucher_credit_note(const struct voucher_invoice *inv,
                                const struct credit_note_amounts *a, int64_t number, int32_t date,
                                struct voucher *out);

#endif
