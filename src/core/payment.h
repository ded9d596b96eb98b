/*
 * payment.h — how money received on an invoice is split over what the
 * customer owes.
 *
 * Part of core/: pure arithmetic, no I/O.  A payment the company receives
 * itself (the payments route, a BgMax file) pays the invoice's capital
 * first, then the reminder fees and förseningsersättning its reminders
 * charged, then the interest they claimed; whatever is left is an
 * over-payment owed back to the customer.  (A debt collector applies money
 * the other way round — costs, then interest, then capital, as räntelagen
 * allows; the agency does that on its own side, and its payouts arrive
 * already split.)
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

/* Split amount_minor (> 0) over the claim: capital, then fees, then
 * interest, the rest over-paid.  PM_ERR_RANGE when amount_minor <= 0. */
enum pm_err payment_allocate(const struct payment_claim *claim, int64_t amount_minor,
                             struct payment_split *out);

/* The part of an expected loss (net, expected_minor) that a payment of
 * capital_minor towards remaining_minor (the capital left before it)
 * takes back: all of it when the payment clears the capital, else the
 * same proportion (rounded as money_mul_div).  0 when nothing is
 * expected or no capital was paid. */
enum pm_err payment_expected_loss_reversal(int64_t expected_minor, int64_t capital_minor,
                                           int64_t remaining_minor, int64_t *out);

#endif
