/*
 * api_amili.h — the Amili hand-over in the API: what the invoice handlers
 * show of it.
 *
 * The routes themselves (GET/POST .../amili, .../amili/activation,
 * .../amili/handovers, .../amili/handovers/{batch_id}) are in
 * api_handlers.h.
 */
#ifndef PM_API_AMILI_H
#define PM_API_AMILI_H

#include <jansson.h>

#include "store/store.h"

struct api_request;
struct app_ctx;

/* The "amili" object of the invoice page: {eligible, reasons, state,
 * status, case} (a new reference, or NULL when it could not be built). */
json_t *api_amili_invoice_part(struct api_request *r, const struct app_ctx *ax,
                               const struct invoice *inv);

#endif
