/*
 * app_overdue.h — noting, once a day, the invoices that fell due.
 *
 * Part of src/app.  An invoice is overdue from the day after its due date
 * while something is left to pay (core/invoice.h).  The sweep gives each
 * open invoice whose due date passed since the company's last sweep one
 * history event "overdue" — and so one webhook event invoice.overdue
 * (core/webhook.h) — in the same transaction that moves the company's mark
 * past it (store/store_overdue.h): an invoice is noted once, whichever
 * process (a server's scheduler, `paminn dunning run`) sweeps.
 *
 * A company's first sweep only sets its mark at the day before: invoices
 * overdue already then are not noted (no flood of old invoices when this
 * starts), nor are invoices created with a due date already passed.  A
 * sweep after days without one notes every day's invoices, oldest first,
 * in units of APP_OVERDUE_CHUNK invoices.
 */
#ifndef PM_APP_OVERDUE_H
#define PM_APP_OVERDUE_H

#include <stddef.h>

#include "app/app.h"
#include "app/app_error.h"

#define APP_OVERDUE_CHUNK 500

/* Sweep ax->company_id as of ax->today; *noted = invoices noted now. */
enum pm_err app_overdue_note(const struct app_ctx *ax, size_t *noted, struct app_error *e);

#endif
