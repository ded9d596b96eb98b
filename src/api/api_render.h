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

/* "YYYY-MM-DD" as a JSON string. */
json_t *api_render_date(int32_t date);
/* A stored (normalised) identity number in display form ("556036-0793",
 * "19811218-9876"); "" stays "", anything unparsable is returned as is. */
json_t *api_render_idnum(const char *normalized, int32_t today);

json_t *api_render_company(const struct company *co);
json_t *api_render_customer(const struct customer *c, int32_t today);

/* The invoice as lists show it: status and days_overdue on `today`. */
json_t *api_render_invoice(const struct invoice *inv, int32_t today);
/* The status of an invoice on `today`. */
enum invoice_status api_render_invoice_status(const struct invoice *inv, int32_t today);

#endif
