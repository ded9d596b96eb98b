/*
 * handover.h — may this invoice go to the agency?
 *
 * handover_check() lists every reason an invoice cannot be handed to Visma
 * Amili, each as {code, field, message in Swedish and English}, so a user can
 * fix them all at once.  Pure: the caller gathers the facts.
 */
#ifndef PM_HANDOVER_H
#define PM_HANDOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/reminder_stop.h"
#include "util/err.h"

struct handover_facts {
    bool company_activated;
    /* invoice */
    int32_t due_date;
    int64_t remaining_minor;  /* customer's unpaid part */
    const char *currency;     /* ISO 4217 */
    bool already_handed_over; /* claimed / has a case */
    bool written_off;
    bool credited;
    bool reminders_stopped; /* a stop of reminders holds today (core/reminder_stop.h) */
    enum reminder_stop_kind stop_kind;
    /* customer card */
    const char *customer_name;
    const char *address_line_1;
    const char *zip_code;
    const char *city;
    const char *country;   /* ISO 3166-1 alpha-2 */
    const char *id_number; /* may be empty for foreign customers */
    bool customer_is_company;
};

struct handover_reason {
    const char *code;  /* "not_overdue", "missing_zip_code", ... */
    const char *field; /* "invoice.due_date", "customer.zip_code", ... */
    const char *message_sv;
    const char *message_en;
};

#define HANDOVER_MAX_REASONS 16

/* Fill out[] (room for HANDOVER_MAX_REASONS) with every reason the invoice
 * cannot be handed over on `today`; returns how many (0 = eligible). */
size_t handover_check(const struct handover_facts *f, int32_t today, struct handover_reason *out);

/* Where one invoice of a hand-over batch stands, as GET .../batches/{id}
 * reports it: "queued" | "registered" | "failed".  name is NULL for a value
 * outside the enum; parse refuses others with PM_ERR_INVALID. */
enum handover_item_status { HANDOVER_QUEUED, HANDOVER_REGISTERED, HANDOVER_FAILED };

const char *handover_item_status_name(enum handover_item_status s);
enum pm_err handover_item_status_parse(const char *s, enum handover_item_status *out);

#endif
