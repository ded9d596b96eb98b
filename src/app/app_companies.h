/*
 * app_companies.h — companies, their settings and their users.
 *
 * Part of src/app.  A company is created with its owner in the caller's
 * transaction; a user is added with a password hashed here (argon2id) and
 * a role in one company.
 */
#ifndef PM_APP_COMPANIES_H
#define PM_APP_COMPANIES_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"

#define APP_PASSWORD_MIN 8 /* characters of a user's password, at least */

/* The company company_id into *co (not_found when there is none). */
enum pm_err app_companies_get(const struct app_ctx *ax, int64_t company_id, struct company *co,
                              struct app_error *e);

/* The companies user_id is a member of, with the role: up to cap into
 * out, *n of them. */
enum pm_err app_companies_of_user(const struct app_ctx *ax, int64_t user_id, struct membership *out,
                                  size_t cap, size_t *n, struct app_error *e);

/* Store a new company (sets co->id); owner_user_id, when not 0, becomes
 * its owner.  ax->company is not used. */
enum pm_err app_companies_create(const struct app_ctx *ax, struct company *co,
                                 int64_t owner_user_id, struct app_error *e);

/* Store the company's changed settings (co->id names it).  A changed
 * fiscal_year_start_month is refused once the company has vouchers
 * (conflict "fiscal_year_in_use" on "fiscal_year_start_month"): the
 * vouchers are numbered per fiscal year. */
enum pm_err app_companies_update(const struct app_ctx *ax, const struct company *co,
                                 struct app_error *e);

/* A new user u (email, name; sets u->id) with `password` (at least
 * APP_PASSWORD_MIN characters: out_of_range on "password") and `role` in ax->company. */
enum pm_err app_companies_add_user(const struct app_ctx *ax, struct user *u, const char *password,
                                   enum member_role role, struct app_error *e);

#endif
