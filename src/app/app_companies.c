/*
 * app_companies.c — creating and changing companies, adding their users
 * (see app_companies.h).
 *
 * Part of src/app.
 */
#include "app/app_companies.h"

#include <string.h>

#include "core/fiscal.h"
#include "store/store_books.h"
#include "util/secret.h"

enum pm_err app_companies_get(const struct app_ctx *ax, int64_t company_id, struct company *co,
                              struct app_error *e)
{
    enum pm_err rc = store_company_get(ax->store, company_id, co);

    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_companies_of_user(const struct app_ctx *ax, int64_t user_id, struct membership *out,
                                  size_t cap, size_t *n, struct app_error *e)
{
    enum pm_err rc = store_membership_list(ax->store, user_id, out, cap, n);

    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_companies_create(const struct app_ctx *ax, struct company *co,
                                 int64_t owner_user_id, struct app_error *e)
{
    enum pm_err rc = store_company_insert(ax->store, co);

    if (!rc && owner_user_id)
        rc = store_membership_set(ax->store, co->id, owner_user_id, ROLE_OWNER);
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

/* The fiscal year's start month may change only while the company has no
 * vouchers: they are numbered per fiscal year, and moving its boundary
 * would move booked vouchers into other years' series and SIE files.  A
 * real change of fiscal year (omläggning, bokföringslagen 3 kap. 3 §:
 * Skatteverket's permission unless the new year is the calendar year, and
 * a changed year of 6 to 18 months) is not modelled. */
static enum pm_err fiscal_change_check(const struct app_ctx *ax, const struct company *co,
                                       struct app_error *e)
{
    struct company old;
    bool booked = false;
    enum pm_err rc;

    if (!fiscal_start_month_valid(co->fiscal_year_start_month))
        return app_error_set(e, PM_ERR_RANGE, "out_of_range", "fiscal_year_start_month");
    rc = store_company_get(ax->store, co->id, &old);
    if (!rc && old.fiscal_year_start_month != co->fiscal_year_start_month)
        rc = store_books_voucher_exists(ax->store, co->id, &booked);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (booked) {
        app_error_set(e, PM_ERR_CONFLICT, "fiscal_year_in_use", "fiscal_year_start_month");
        return app_error_detail(e, "company %lld has vouchers: its fiscal year stays from month %d",
                                (long long)co->id, old.fiscal_year_start_month);
    }
    return PM_OK;
}

enum pm_err app_companies_update(const struct app_ctx *ax, const struct company *co,
                                 struct app_error *e)
{
    enum pm_err rc = fiscal_change_check(ax, co, e);

    if (rc)
        return rc;
    rc = store_company_update(ax->store, co);
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_companies_add_user(const struct app_ctx *ax, struct user *u, const char *password,
                                   enum member_role role, struct app_error *e)
{
    enum pm_err rc;

    if (!password || strlen(password) < APP_PASSWORD_MIN)
        return app_error_set(e, PM_ERR_RANGE, "out_of_range", "password");
    if (secret_init() || secret_password_hash(password, u->password_hash, sizeof(u->password_hash)))
        return app_error_set(e, PM_ERR_INTERNAL, "internal_error", "password");
    rc = store_user_insert(ax->store, u);
    if (!rc)
        rc = store_membership_set(ax->store, ax->company_id, u->id, role);
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}
