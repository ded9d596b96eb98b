/*
 * app_rules.h — the rules of the books that span operations: the locked
 * period of a company's books and the reference rates an administrator
 * adds without a rebuild.
 *
 * Part of src/app.  The rules themselves are core/lock.h's and
 * core/interest.h's; this file reads and writes what they need through
 * store/store_rules.h, for the HTTP API and the command line alike.
 */
#ifndef PM_APP_RULES_H
#define PM_APP_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/interest.h"
#include "store/store_rules.h"

/* Lock the company's books up to `through` (0 unlocks); out_of_range on
 * books_locked_through for a date after today.  Adds no voucher. */
enum pm_err app_rules_lock_books(const struct app_ctx *ax, int32_t through, struct app_error *e);

/* A ROT or RUT invoice for customer cu with buyers[0..n): refused for a
 * company customer (rot_rut_company_customer on kind: the reduction is a
 * private person's); otherwise its tax reduction is capped by each
 * buyer's yearly caps over the company's invoices of the invoice's year
 * (core/rotrut.h), moving the rest to the customer's part (and what is
 * left to pay).  *capped_from is the reduction before the caps when they
 * cut it, else 0.  Nothing for a standard invoice. */
enum pm_err app_rules_rotrut(const struct app_ctx *ax, const struct customer *cu,
                             struct invoice *inv, const struct invoice_buyer *buyers, size_t n,
                             int64_t *capped_from, struct app_error *e);

/* The reference rates in force: the shipped table (ax->rates, from
 * data/reference-rates.csv) continued by the half-years an administrator
 * added (core/interest.h's rate_table_extend).  *out owns its memory
 * (rate_table_release()). */
enum pm_err app_rules_rates(const struct app_ctx *ax, struct rate_table *out, struct app_error *e);

/* Add the reference rate of the half-year starting `from` (bp basis
 * points; source, 1..63 bytes, says where it comes from), effective at
 * once for every company on this database.  Refused by core's
 * rate_check_new() (conflict or out_of_range on valid_from or rate);
 * source empty or too long is out_of_range on source. */
enum pm_err app_rules_rate_add(const struct app_ctx *ax, int32_t from, int32_t bp,
                               const char *source, struct app_error *e);

#endif
