/*
 * webhook.h — the event types a company's webhook endpoints can ask for,
 * and which history event of an invoice is which webhook event.
 *
 * Part of src/core (pure).  An invoice's history is the one record of what
 * happened to it; a webhook event is sent for the history events named
 * here, in the same transaction as the history event (store_webhooks.c).
 *
 *   invoice.overdue        "overdue"           the due date passed with
 *                                              something left to pay
 *   reminder.sent          "reminder"          a reminder was made (letter
 *                                              and/or e-mail)
 *   invoice.handed_over    "amili_registered"  the agency registered the case
 *   case.state_changed     "amili_state", "amili_status", "amili_closed"
 *   payment.received       "payment", "amili_payment"
 *   payout.received        "amili_payout"      the agency paid out
 *   customer.loss          "customer_loss"     written off as a loss
 *
 * "overdue" is noted once per invoice by the daily sweep (app_overdue.h),
 * the first day after the due date on which the invoice is still open.
 */
#ifndef PM_CORE_WEBHOOK_H
#define PM_CORE_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

#define WEBHOOK_TYPE_MAX 32

/* The event types, NULL-terminated. */
extern const char *const webhook_types[];

/* The webhook event type of a history event's kind, NULL when none. */
const char *webhook_type_of_history(const char *kind);

/* True when name is one of webhook_types. */
bool webhook_type_known(const char *name);

/* True when the space-separated list `types` names `type`. */
bool webhook_types_include(const char *types, const char *type);

/* The URL an endpoint may have: https://HOST..., or — only when
 * allow_loopback_http — http://127.0.0.1 or http://localhost (tests).
 * NULL when good, else why not. */
const char *webhook_url_problem(const char *url, bool allow_loopback_http);

#endif
