/*
 * app_customers.h — a company's customer cards.
 *
 * Part of src/app.  The card arrives validated (identity numbers,
 * country, language: the edges decode it); a customer number in use is
 * duplicate_number on "number".
 */
#ifndef PM_APP_CUSTOMERS_H
#define PM_APP_CUSTOMERS_H

#include <stddef.h>

#include "app/app.h"

/* The customer id of ax->company_id into *c. */
enum pm_err app_customers_get(const struct app_ctx *ax, int64_t id, struct customer *c,
                              struct app_error *e);

/* Customers by name (q: a search text or NULL), after the one with id
 * after_id: up to cap into out, *n of them. */
enum pm_err app_customers_list(const struct app_ctx *ax, const char *q, int64_t after_id,
                               struct customer *out, size_t cap, size_t *n, struct app_error *e);

/* Store a new customer of ax->company (sets c->company_id and c->id). */
enum pm_err app_customers_create(const struct app_ctx *ax, struct customer *c, struct app_error *e);

/* Store the customer's changed card (c->id names it). */
enum pm_err app_customers_update(const struct app_ctx *ax, const struct customer *c,
                                 struct app_error *e);

#endif
