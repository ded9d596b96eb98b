/*
 * store_reminder_stops.h — stops of reminders on invoices and customer
 * cards, as stored.
 *
 * Written once in SQL over the storage driver (store_reminder_stops.c).
 * The rules of store.h hold: every call takes the company id, errors are
 * detailed on the handle, a call is atomic on its own or joins the
 * caller's transaction.  What a stop means is core/reminder_stop.h's.
 */
#ifndef PM_STORE_REMINDER_STOPS_H
#define PM_STORE_REMINDER_STOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/reminder_stop.h"
#include "store/store.h"

/* One stop: of an invoice (target "invoice") or a customer ("customer"). */
struct reminder_stop_row {
    int64_t company_id;
    char target[12];
    int64_t target_id;
    char kind[16]; /* reminder_stop_kind_name() */
    char text[REMINDER_STOP_TEXT_MAX + 1];
    int since; /* day numbers; until 0 = until lifted */
    int until;
    bool no_interest;
    char set_by[STORE_EMAIL_MAX];
    int64_t set_at; /* unix seconds */
};

/* The stop of target target_id; *found false (and *out untouched) when
 * none is stored. */
enum pm_err store_reminder_stop_get(struct store *st, int64_t company_id, const char *target,
                                    int64_t target_id, struct reminder_stop_row *out, bool *found);
/* Store s, replacing the target's stop if it has one. */
enum pm_err store_reminder_stop_put(struct store *st, const struct reminder_stop_row *s);
/* Remove the target's stop (nothing when it has none). */
enum pm_err store_reminder_stop_delete(struct store *st, int64_t company_id, const char *target,
                                       int64_t target_id);

#endif
