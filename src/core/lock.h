/*
 * lock.h — the locked period of a company's books: "the books are locked
 * up to DATE".
 *
 * Part of core/: pure.  Once a period is closed (a VAT return filed, the
 * accounts handed to the accountant) nothing may be booked into it: no
 * payment, voucher or reminder dated on or before the lock date
 * (bokföringslagen 1999:1078, 5 kap. 5 §: an entry is never changed or
 * undone afterwards; a correction is a new entry dated in an open period).
 */
#ifndef PM_LOCK_H
#define PM_LOCK_H

#include <stdint.h>

#include "util/err.h"

/* PM_OK when `date` lies after the locked period ending on locked_through
 * (0: nothing locked); PM_ERR_RANGE naming `field` otherwise, the message
 * giving both dates. */
enum pm_err lock_check(int32_t date, int32_t locked_through, const char *field, struct pm_error *e);

/* The lock date itself: a day, not after today (the future cannot be
 * closed), and never before 1970 (0 clears the lock).  PM_ERR_RANGE on
 * field "books_locked_through" otherwise. */
enum pm_err lock_date_check(int32_t through, int32_t today, struct pm_error *e);

#endif
