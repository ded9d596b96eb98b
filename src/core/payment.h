/*
 * payment.h — how money received on an invoice is split over what the
 * customer owes.
 *
 * Part of core/: pure arithmetic, no I/O.  A payment the company receives
 * itself (the payments route, a BgMax file) pays, as a debt collector
 * applies money, first the costs (the reminder fees and
 * förseningsersättning its reminders charged), then the interest they
 * claimed, then the capital; whatever is left is an over-payment owed back
 * to the customer.  Costs and interest first keep the capital, on which
 * interest runs, open longest: the order the creditor may choose when the
 * debtor names none (the accepted practice behind räntelagen 1975:635 and
 * inkassolagen 1974:182, the same the agency applies on its side, whose
 * payouts arrive already split).  A payment of a reminder letter's total
 * thus pays exactly what the letter lists.
 */
#ifndef PM_PAYMENT_H
#define PM_PAYMENT_H

#include <stdint.h>

#include "util/err.h"

/* What is open on the invoice when the money arrives.  Negative parts
 * count as nothing open. */
struct payment_claim {
    int64_t capital_minor;  /* capital left (after a confirmed loss: not yet recovered) */
    int64_t fees_minor;     /* reminder fees and förseningsersättning charged, unpaid */
    int64_t interest_minor; /* interest claimed by reminders, unpaid */
};

/* The parts of one payment; they add up to the amount received. */
struct payment_split {
    int64_t capital_minor;
    int64_t fees_minor;
    int64_t interest_minor;
    int64_t overpaid_minor; /* beyond everything owed */
};

/* Split amount_minor (> 0) over the claim: fees, then interest, then
 * capital, the rest over-paid.  PM_ERR_RANGE when amount_minor <= 0. */
enum pm_err payment_allocate(const struct payment_claim *claim, int64_t amount_minor,
                             struct payment_split *out);

/* The date of a payment registered by hand: not after today (money not
 * yet received is no payment) and not before the invoice date (nothing
 * was owed then).  PM_ERR_RANGE on field "date", the message naming the
 * limit. */
enum pm_err payment_date_check(int32_t date, int32_t invoice_date, int32_t today,
                               struct pm_error *e);

/* The part of an expected loss (net, expected_minor) that a payment of
 * capital_minor towards remaining_minor (the capital left before it)
 * takes back: all of it when the payment clears the capital, else the
 * same proportion (rounded as money_mul_div).  0 when nothing is
 * expected or no capital was paid. */
enum pm_err payment_expected_loss_reversal(int64_t expected_minor, int64_t capital_minor,
                                           int64_t remaining_minor, int64_t *out);

#endif
