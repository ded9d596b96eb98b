/*
 * payment.c — the split of a payment over capital, fees and interest, and
 * the expected loss it takes back (see payment.h).
 *
 * Part of core/.
 */
#include "core/payment.h"

#include "core/date.h"
#include "core/money.h"

static int64_t take(int64_t *rest, int64_t open)
{
    int64_t part = open > 0 ? open : 0;

    if (part > *rest)
        part = *rest;
    *rest -= part;
    return part;
}

enum pm_err payment_allocate(const struct payment_claim *claim, int64_t amount_minor,
                             struct payment_split *out)
{
    int64_t rest = amount_minor;

    if (amount_minor <= 0)
        return PM_ERR_RANGE;
    out->fees_minor = take(&rest, claim->fees_minor);
    out->interest_minor = take(&rest, claim->interest_minor);
    out->capital_minor = take(&rest, claim->capital_minor);
    out->overpaid_minor = rest;
    return PM_OK;
}

enum pm_err payment_expected_loss_reversal(int64_t expected_minor, int64_t capital_minor,
                                           int64_t remaining_minor, int64_t *out)
{
    *out = 0;
    if (expected_minor <= 0 || capital_minor <= 0)
        return PM_OK;
    if (capital_minor >= remaining_minor) {
        *out = expected_minor;
        return PM_OK;
    }
    return money_mul_div(expected_minor, capital_minor, remaining_minor, out);
}

enum pm_err payment_date_check(int32_t date, int32_t invoice_date, int32_t today,
                               struct pm_error *e)
{
    char day[DATE_ISO_LEN + 1];

    if (date > today) {
        date_format_iso(today, day);
        return pm_error_set(e, PM_ERR_RANGE, "date", "a payment cannot be dated after today (%s)",
                            day);
    }
    if (date < invoice_date) {
        date_format_iso(invoice_date, day);
        return pm_error_set(e, PM_ERR_RANGE, "date",
                            "a payment cannot be dated before the invoice date (%s)", day);
    }
    return PM_OK;
}
