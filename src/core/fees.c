/*
 * fees.c — the statutory fee caps of lag (1981:739) om ersättning för
 * inkassokostnader (see fees.h).
 *
 * Part of core/: pure functions the reminder letter and the history use to
 * decide which fee a reminder may carry.  Amounts are öre; the caps are the
 * law's and cannot be raised by contract.
 */
#include "core/fees.h"

int64_t fees_reminder_fee(bool agreed, int64_t agreed_minor, int fees_already_charged)
{
    if (!agreed || agreed_minor <= 0 || fees_already_charged > 0)
        return 0;
    return agreed_minor < FEES_REMINDER_MAX_MINOR ? agreed_minor : FEES_REMINDER_MAX_MINOR;
}

int64_t fees_late_compensation(bool creditor_is_business, bool debtor_is_business,
                               bool already_claimed)
{
    if (!creditor_is_business || !debtor_is_business || already_claimed)
        return 0;
    return FEES_LATE_COMPENSATION_MINOR;
}

/*
 * 4 a § third paragraph: with förseningsersättning claimed, other
 * collection costs are owed only for the part exceeding the compensation.
 */
int64_t fees_reminder_with_compensation(int64_t reminder_fee_minor, int64_t compensation_minor)
{
    int64_t fee = reminder_fee_minor > 0 ? reminder_fee_minor : 0;

    if (compensation_minor <= 0)
        return fee;
    if (fee <= compensation_minor)
        return 0;
    return fee - compensation_minor;
}
