/*
 * app_companies.c — creating and changing companies, adding their users
 * (see app_companies.h).
 *
 * Part of src/app.
 */
#include "app/app_companies.h"

#include <string.h>

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

enum pm_err app_companies_update(const struct app_ctx *ax, const struct company *co,
                                 struct app_error *e)
{
    enum pm_err rc = store_company_update(ax->store, co);

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
