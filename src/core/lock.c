/*
 * lock.c — the locked period of the books (see lock.h).
 *
 * Part of core/.
 */
#include "core/lock.h"

#include "core/date.h"

enum pm_err lock_check(int32_t date, int32_t locked_through, const char *field, struct pm_error *e)
{
    char day[DATE_ISO_LEN + 1], lock[DATE_ISO_LEN + 1];

    if (locked_through <= 0 || date > locked_through)
        return PM_OK;
    date_format_iso(date, day);
    date_format_iso(locked_through, lock);
    return pm_error_set(e, PM_ERR_RANGE, field,
                        "%s lies in the locked period: the books are locked up to %s", day, lock);
}

enum pm_err lock_date_check(int32_t through, int32_t today, struct pm_error *e)
{
    char day[DATE_ISO_LEN + 1];

    if (through < 0)
        return pm_error_set(e, PM_ERR_RANGE, "books_locked_through", "not a date");
    if (through > today) {
        date_format_iso(today, day);
        return pm_error_set(e, PM_ERR_RANGE, "books_locked_through",
                            "the books can be locked up to today (%s) at the latest", day);
    }
    return PM_OK;
}
