/*
 * api_render.h — store rows as the API's JSON objects.
 *
 * Pure builders (jansson): each returns a new reference, or NULL when memory
 * ran out or a stored text was not valid UTF-8 (the caller answers 500).
 * Dates go out as "YYYY-MM-DD", identity numbers in display form, amounts as
 * integers in minor units.
 */
#ifndef PM_API_RENDER_H
#define PM_API_RENDER_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_reminder_stops.h"
#include "store/store_agency.h"
#include "util/jsonw.h"

/* "YYYY-MM-DD" as a JSON string. */
json_t *api_render_date(int32_t date);
/* An instant (unix seconds) as RFC 3339 UTC text; 0 (none) as null. */
json_t *api_render_instant(int64_t unix_s);
/* A stored (normalised) identity number in display form ("556036-0793",
 * "19811218-9876"); "" stays "", anything unparsable is returned as is. */
json_t *api_render_idnum(const char *normalized, int32_t today);

json_t *api_render_company(const struct company *co);
json_t *api_render_customer(const struct customer *c, int32_t today);
/* A stop of reminders: {kind, text, since, until, no_interest, source,
 * by, set_at}; source "invoice" or "customer".  NULL row: JSON null. */
json_t *api_render_reminder_stop(const struct reminder_stop_row *row, const char *source);

/* An invoice as the list and the API show it: status and days_overdue on
 * `today`; the `amili` part carries the case id and OCR the list read with
 * the row (null when not read: the invoice page sets them itself).
 * The one rendering: api_render_invoice() reads the written text back into
 * a jansson object for answers that add more fields.  Returns a new
 * reference, or NULL when out of memory. */
void api_render_invoice_write(struct jsonw *w, const struct invoice *inv, int32_t today);
json_t *api_render_invoice(const struct invoice *inv, int32_t today);
/* The status of an invoice on `today`. */
enum invoice_status api_render_invoice_status(const struct invoice *inv, int32_t today);

#endif
