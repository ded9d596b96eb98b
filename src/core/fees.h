/*
 * fees.h — statutory reminder fees (lag 1981:739).
 *
 * A reminder fee (max 60 kr) only if agreed when the debt arose, once per
 * invoice; förseningsersättning (450 kr) only business to business, and it
 * replaces the other fees up to 450 kr.
 */
#ifndef PM_FEES_H
#define PM_FEES_H

#include <stdbool.h>
#include <stdint.h>

#define FEES_REMINDER_MAX_MINOR      6000  /* 60 kr */
#define FEES_COLLECTION_MAX_MINOR    18000 /* 180 kr */
#define FEES_INSTALMENT_MAX_MINOR    17000 /* 170 kr */
#define FEES_LATE_COMPENSATION_MINOR 45000 /* 450 kr, B2B only */

/* The reminder fee for the next reminder: the agreed amount capped at 60 kr
 * when the fee was agreed and none has been charged yet, else 0. */
int64_t fees_reminder_fee(bool agreed, int64_t agreed_minor, int fees_already_charged);

/* Förseningsersättning for a debt: 450 kr when both creditor and debtor are
 * businesses and none was claimed before, else 0. */
int64_t fees_late_compensation(bool creditor_is_business, bool debtor_is_business,
                               bool already_claimed);

/* The reminder fee still chargeable beside a late-payment compensation:
 * fees only count beyond 450 kr in total, so with the compensation claimed
 * a 60 kr reminder fee gives 0. */
int64_t fees_reminder_with_compensation(int64_t reminder_fee_minor, int64_t compensation_minor);

#endif
