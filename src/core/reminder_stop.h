/*
 * reminder_stop.h — a stop of reminders on an invoice or on a customer.
 *
 * Part of core/: a bookkeeper pauses reminders for one invoice (a dispute,
 * a payment plan) or for every invoice of one customer.  A stop has a
 * reason kind, a first day (the day it was set), an optional last day
 * (inclusive; after it the stop lapses by itself, so "stopped on day D"
 * is computed from the stored days and no job is needed) and the choice
 * "no interest from the stop date": late-payment interest does not run on
 * the days the stop covers.
 *
 * reminder_stop_on() decides whether an invoice is stopped on a day, and
 * by which stop: the invoice's own when it covers the day, else the
 * customer's.  A stopped invoice gets no reminder and is not handed over
 * (core/handover.h).  Pure: the caller reads the stops.
 */
#ifndef PM_REMINDER_STOP_H
#define PM_REMINDER_STOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/interest.h"
#include "util/err.h"

enum reminder_stop_kind { STOP_DISPUTE, STOP_PAYMENT_PLAN, STOP_OTHER };

enum reminder_stop_source { STOP_SOURCE_INVOICE, STOP_SOURCE_CUSTOMER };

/* Longest free text of a stop, in bytes. */
#define REMINDER_STOP_TEXT_MAX 500

struct reminder_stop {
    bool set; /* false: none recorded */
    enum reminder_stop_kind kind;
    int32_t since; /* first stopped day */
    int32_t until; /* last stopped day, inclusive; 0 = until lifted */
    bool no_interest;
};

/* Which stop holds an invoice on a day. */
struct reminder_stop_state {
    bool stopped;
    enum reminder_stop_source source;
    struct reminder_stop stop; /* a copy of the stop that holds */
};

/* "dispute" | "payment_plan" | "other"; parse refuses others with
 * PM_ERR_INVALID. */
const char *reminder_stop_kind_name(enum reminder_stop_kind kind);
enum pm_err reminder_stop_kind_parse(const char *s, enum reminder_stop_kind *out);
/* The reason as a bookkeeper reads it: "Bestridd" / "Disputed", ... */
const char *reminder_stop_kind_label(enum reminder_stop_kind kind, bool english);
const char *reminder_stop_source_name(enum reminder_stop_source source);

/* Does s stop reminders on date?  From since to until inclusive (no end
 * when until is 0). */
bool reminder_stop_covers(const struct reminder_stop *s, int32_t date);

/* Is an invoice stopped on date by its own stop (inv) or its customer's
 * (cust)?  Either may be NULL or not set.  The invoice's own stop wins
 * when both cover the day.  Returns out->stopped. */
bool reminder_stop_on(const struct reminder_stop *inv, const struct reminder_stop *cust,
                      int32_t date, struct reminder_stop_state *out);

/* May a stop of this kind, text and last day be set on today?  "other"
 * needs a text (field "text"); a text is at most REMINDER_STOP_TEXT_MAX
 * bytes; until, when set (not 0), is today or later (field "until").
 * PM_ERR_INVALID / PM_ERR_RANGE with e's field. */
enum pm_err reminder_stop_check(enum reminder_stop_kind kind, const char *text, int32_t until,
                                int32_t today, struct pm_error *e);

/* The days without interest of the no-interest stops among inv and cust
 * (either NULL or not set), up to and including `to`, into out[0..2) in
 * ascending order, overlaps merged; returns how many. */
size_t reminder_stop_pauses(const struct reminder_stop *inv, const struct reminder_stop *cust,
                            int32_t to, struct interest_pause out[2]);

#endif
