/*
 * app_rules.c — the locked period of the books and the reference rates
 * added by an administrator (see app_rules.h).
 *
 * Part of src/app.
 */
#include "app/app_rules.h"

#include <stdio.h>

#include "core/date.h"
#include "core/lock.h"

enum pm_err app_rules_books_locked(const struct app_ctx *ax, int32_t *through, struct app_error *e)
{
    enum pm_err rc = store_rules_books_locked_get(ax->store, ax->company_id, through);

    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_rules_books_open(const struct app_ctx *ax, int32_t date, const char *field,
                                 struct app_error *e)
{
    struct pm_error pe = {0};
    char extra[64], day[DATE_ISO_LEN + 1];
    int32_t through = 0;
    enum pm_err rc = app_rules_books_locked(ax, &through, e);

    if (rc)
        return rc;
    rc = lock_check(date, through, field, &pe);
    if (!rc)
        return PM_OK;
    date_format_iso(through, day);
    snprintf(extra, sizeof(extra), "{\"locked_through\": \"%s\"}", day);
    app_error_set(e, rc, "books_locked", field);
    app_error_extra(e, extra);
    return app_error_detail(e, "%s", pe.message);
}

enum pm_err app_rules_lock_books(const struct app_ctx *ax, int32_t through, struct app_error *e)
{
    struct pm_error pe = {0};
    enum pm_err rc = lock_date_check(through, ax->today, &pe);

    if (rc) {
        app_error_set(e, rc, "out_of_range", pe.field);
        return app_error_detail(e, "%s", pe.message);
    }
    rc = store_rules_books_locked_put(ax->store, ax->company_id, through);
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}
