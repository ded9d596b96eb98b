/*
 * reminder.c — the amounts of a manual payment reminder (see reminder.h).
 *
 * Part of core/: pure.  Fees come from core/fees.h, interest from
 * core/interest.h; this file only decides which apply and adds them up,
 * so that one reminder and a batch of a thousand follow the same rules.
 */
#include "core/reminder.h"

#include <string.h>

#include "core/date.h"
#include "core/fees.h"
#include "core/money.h"

/* The half-year stretches of [from, to] with their interest rates, as far
 * as the table knows them. */
static void rate_periods(const struct rate_table *rates, int32_t from, int32_t to,
                         const struct reminder_facts *f, struct reminder_amounts *out)
{
    int32_t day = from, known = rate_table_known_until(rates), end, ref;
    bool paused;
    int y, m, d;

    if (to > known)
        to = known;
    while (day <= to && out->n_periods < REMINDER_RATE_PERIODS_MAX) {
        /* A paused day has no rate on the letter: skip the pause. */
        paused = false;
        for (size_t i = 0; i < f->n_pauses; i++)
            if (f->pauses[i].from <= day && day <= f->pauses[i].to) {
                day = f->pauses[i].to + 1;
                paused = true;
            }
        if (paused)
            continue;
        date_to_ymd(date_half_year_start(day), &y, &m, &d);
        if (date_from_ymd(m == 1 ? y : y + 1, m == 1 ? 7 : 1, 1, &end))
            break;
        end--; /* last day of the half-year */
        if (end > to)
            end = to;
        for (size_t i = 0; i < f->n_pauses; i++)
            if (f->pauses[i].from > day && f->pauses[i].from <= end)
                end = f->pauses[i].from - 1;
        if (rate_table_reference_bp(rates, day, &ref) == PM_OK) {
            struct reminder_rate_period *p = &out->periods[out->n_periods];

            if (out->n_periods > 0 && p[-1].rate_bp == ref + INTEREST_MARGIN_BP &&
                p[-1].to + 1 == day) {
                p[-1].to = end;
            } else {
                p->from = day;
                p->to = end;
                p->rate_bp = ref + INTEREST_MARGIN_BP;
                out->n_periods++;
            }
        }
        day = end + 1;
    }
}

enum pm_err reminder_compute(const struct rate_table *rates, const struct reminder_facts *f,
                             struct reminder_amounts *out, struct pm_error *e)
{
    struct reminder_amounts a;
    enum pm_err rc;
    int64_t fee;
    int32_t made;

    memset(&a, 0, sizeof(a));
    if (f->due_days < 1 || f->due_days > 60)
        return pm_error_set(e, PM_ERR_RANGE, "reminder_due_days",
                            "the new payment date must be 1..60 days after the reminder");
    if (f->remaining_minor <= 0)
        return pm_error_set(e, PM_ERR_RANGE, "remaining_minor",
                            "nothing is left to pay on the invoice");
    if (f->date <= f->due_date)
        return pm_error_set(e, PM_ERR_RANGE, "date",
                            "the invoice is not overdue on the reminder date");
    a.capital_minor = f->remaining_minor;
    a.interest_capital_minor = f->capital_minor;
    a.late_compensation_minor =
        fees_late_compensation(true, f->debtor_is_business, f->compensation_claimed);
    fee = fees_reminder_fee(f->fee_agreed, f->fee_agreed_minor, f->fees_charged_before);
    a.fee_minor = fees_reminder_with_compensation(fee, a.late_compensation_minor);
    if (f->compensation_claimed)
        a.fee_minor = 0; /* the compensation already covers the fees */

    rc = interest_compute_paused(rates, f->capital_minor, f->due_date, f->date, f->changes,
                                 f->n_changes, f->pauses, f->n_pauses, &a.interest);
    if (rc == PM_ERR_UNKNOWN_RATE) {
        /* No day of the period has a known rate: no interest is claimed. */
        memset(&a.interest, 0, sizeof(a.interest));
        a.interest.rate_unknown = true;
        a.interest.unknown_from = f->due_date + 1;
        rc = PM_OK;
    }
    if (rc)
        return pm_error_set(e, rc, "date", "late-payment interest cannot be computed");
    if (a.interest.days > 0)
        rate_periods(rates, a.interest.first_day, a.interest.last_day, f, &a);
    a.interest_minor = a.interest.amount_minor - f->interest_paid_minor;
    if (a.interest_minor < 0)
        a.interest_minor = 0;
    a.earlier_charges_minor = f->charges_unpaid_minor > 0 ? f->charges_unpaid_minor : 0;
    rc = money_add(a.capital_minor, a.fee_minor, &a.total_due_minor);
    if (!rc)
        rc = money_add(a.total_due_minor, a.late_compensation_minor, &a.total_due_minor);
    if (!rc)
        rc = money_add(a.total_due_minor, a.interest_minor, &a.total_due_minor);
    if (!rc)
        rc = money_add(a.total_due_minor, a.earlier_charges_minor, &a.total_due_minor);
    if (rc)
        return pm_error_set(e, rc, "remaining_minor", "amounts overflow");
    a.new_due_date = f->date + f->due_days;
    made = f->made > f->date ? f->made : f->date;
    if (a.new_due_date < made + REMINDER_MIN_DAYS_TO_PAY) {
        a.new_due_date = made + REMINDER_MIN_DAYS_TO_PAY;
        a.new_due_date_moved = true;
    }
    *out = a;
    return PM_OK;
}
