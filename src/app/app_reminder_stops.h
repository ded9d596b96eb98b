/*
 * app_reminder_stops.h — stopping reminders on an invoice or a customer
 * card, lifting the stop, and what stops hold on an invoice.
 *
 * Part of src/app.  The rule (is an invoice stopped, by which stop, which
 * days carry no interest) is core/reminder_stop.h's; here the stops are
 * read, checked, stored and written into the invoices' history.  A
 * customer's stop is written into the history of each of the customer's
 * open invoices.
 */
#ifndef PM_APP_REMINDER_STOPS_H
#define PM_APP_REMINDER_STOPS_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"
#include "core/reminder_stop.h"
#include "store/store_reminder_stops.h"

/* A stop as asked for: kind by name ("dispute" ...), text ("" = none),
 * until (0 = until lifted). */
struct app_reminder_stop_input {
    const char *kind;
    const char *text;
    int32_t until;
    bool no_interest;
};

/* The stops of one invoice: its own and its customer's, as stored (have_*
 * false when none is) and as core reads them, and which holds on today. */
struct app_invoice_stops {
    struct reminder_stop_row inv_row, cust_row;
    bool have_inv, have_cust;
    struct reminder_stop inv, cust;
    struct reminder_stop_state today;
};

/* Set or replace the stop of an invoice (source STOP_SOURCE_INVOICE) or a
 * customer (STOP_SOURCE_CUSTOMER) with id `id`.  A stop holding today keeps
 * its first day; a new one starts today.  not_found (field "id") for no
 * such invoice or customer; invalid_value on "kind", required on "text",
 * out_of_range on "until" or "text", changing nothing.  *out (may be NULL)
 * gets the stored stop.  Call inside app_atomic(). */
enum pm_err app_reminder_stop_set(const struct app_ctx *ax, enum reminder_stop_source source,
                                  int64_t id, const struct app_reminder_stop_input *in,
                                  struct reminder_stop_row *out, struct app_error *e);

/* Lift the stop of an invoice or customer: one that began before today
 * ends yesterday (its days stay known for the interest), one set today is
 * removed.  Nothing happens when none holds today.  Call inside
 * app_atomic(). */
enum pm_err app_reminder_stop_lift(const struct app_ctx *ax, enum reminder_stop_source source,
                                   int64_t id, struct app_error *e);

/* The stop of an invoice or customer that holds on today (*found false
 * when none does). */
enum pm_err app_reminder_stop_current(const struct app_ctx *ax, enum reminder_stop_source source,
                                      int64_t id, struct reminder_stop_row *out, bool *found,
                                      struct app_error *e);

/* The stops of inv and its customer, and which holds today. */
enum pm_err app_reminder_stops_of(const struct app_ctx *ax, const struct invoice *inv,
                                  struct app_invoice_stops *out, struct app_error *e);

/* A refusal of a stopped invoice: reminders_stopped (409) on field
 * "invoice.reminder_stop", with the reason in the error's extra
 * {"reminder_stop": {kind, source, since, until}, "reason_sv", "reason_en"}.
 * Returns e->rc. */
enum pm_err app_reminder_stop_refuse(const struct reminder_stop_state *s, struct app_error *e);

/* The core reading of a stored stop. */
void app_reminder_stop_read(const struct reminder_stop_row *row, struct reminder_stop *out);

#endif
