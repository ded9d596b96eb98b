/*
 * reminder.h — what a manual payment reminder (betalningspåminnelse) claims.
 *
 * Part of core/: one pure function decides the amounts of every manual
 * reminder, whether it is made alone or in a batch, so the same rules hold
 * everywhere:
 *
 * - only for an overdue invoice with something left to pay;
 * - a reminder fee (påminnelseavgift, max 60 kr, lag 1981:739) only when
 *   the company agreed it with its customers and none was charged on the
 *   invoice before;
 * - förseningsersättning (450 kr) when the customer is a business and none
 *   was claimed on the invoice before; it replaces the reminder fee up to
 *   450 kr;
 * - late-payment interest (räntelagen) from the day after the due date up
 *   to and including the reminder date, on the capital left after each
 *   payment (core/interest.h); days past the known reference rates are
 *   left out and flagged, never guessed; so are the days of a stop of
 *   reminders set "no interest" (core/reminder_stop.h);
 * - a new payment date `due_days` after the reminder date, and never less
 *   than 8 days after the day the letter is made: a backdated letter's
 *   deadline is moved to that day, and the amounts say it was moved (the
 *   debtor must get a reasonable time to pay or object; inkassolagen
 *   1974:182, 5 §, takes 8 days as that time, and a reminder gives no
 *   less);
 * - the total to pay: what is left of the invoice, fees charged now or
 *   before and not yet paid, and interest to date less interest paid.
 */
#ifndef PM_REMINDER_H
#define PM_REMINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/interest.h"
#include "util/err.h"

struct reminder_facts {
    int32_t date;          /* the reminder's date */
    int32_t due_date;      /* the invoice's due date */
    int64_t capital_minor; /* the customer's part of the invoice */
    int64_t remaining_minor;
    const struct capital_change *changes; /* payments (negative), any order */
    size_t n_changes;
    bool fee_agreed;
    int64_t fee_agreed_minor;
    int fees_charged_before;      /* reminders on this invoice that carried a fee */
    bool debtor_is_business;      /* the customer is a company */
    bool compensation_claimed;    /* förseningsersättning claimed before */
    int64_t charges_unpaid_minor; /* fees of earlier reminders not yet paid */
    int64_t interest_paid_minor;  /* interest already received */
    int due_days;                 /* 1..60 */
    int32_t made;                 /* the day the letter is made (today); 0 = date */
    /* days without interest (stops of reminders set "no interest") */
    const struct interest_pause *pauses;
    size_t n_pauses;
};

/* The fewest days a debtor has to pay after the letter is made. */
#define REMINDER_MIN_DAYS_TO_PAY 8

#define REMINDER_RATE_PERIODS_MAX 8

/* The interest rate of one stretch of the interest period. */
struct reminder_rate_period {
    int32_t from, to; /* inclusive */
    int32_t rate_bp;  /* reference rate + 8 pp */
};

struct reminder_amounts {
    int64_t fee_minor;               /* reminder fee charged now */
    int64_t late_compensation_minor; /* förseningsersättning charged now */
    int64_t interest_minor;          /* interest due to the reminder date (after paid) */
    struct interest_result interest;
    struct reminder_rate_period periods[REMINDER_RATE_PERIODS_MAX];
    size_t n_periods;
    int64_t capital_minor;          /* what is left of the invoice */
    int64_t interest_capital_minor; /* the capital interest ran on (before payments) */
    int64_t earlier_charges_minor;
    int64_t total_due_minor;
    int32_t new_due_date;
    bool new_due_date_moved; /* later than date + due_days: made + 8 days */
};

/* Compute a reminder.  PM_ERR_RANGE with e->field "date" when the invoice is
 * not overdue on the date, "remaining_minor" when nothing is left to pay,
 * "reminder_due_days" for a bad due_days; PM_ERR_OVERFLOW on overflow. */
enum pm_err reminder_compute(const struct rate_table *rates, const struct reminder_facts *f,
                             struct reminder_amounts *out, struct pm_error *e);

#endif
