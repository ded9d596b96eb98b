/*
 * api_amili.h — the Amili hand-over in the API: helpers other handlers call.
 *
 * The routes themselves (GET/POST .../amili, .../amili/activation,
 * .../amili/handovers, .../amili/handovers/{batch_id}) are in
 * api_handlers.h; this header gives the invoice handlers and the
 * bookkeeping code what they need of the hand-over:
 *
 *   api_amili_after_payment()  report a payment the customer made to the
 *                              company directly on a handed-over invoice;
 *   api_amili_invoice_part()   the invoice page's "amili" object;
 *   api_amili_live_lookup()    refresh the invoice's case from the agency.
 */
#ifndef PM_API_AMILI_H
#define PM_API_AMILI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api_error.h"
#include "store/store.h"

struct api_request;

/* A payment of amount_minor on date reached the company directly for inv
 * (as it was before the payment).  When the invoice is with the agency
 * (agency_state "queued" or "registered") and the payment did not come
 * from the agency, a "report_payment" outbox message
 * {"amount_minor","date","reference"} is queued in the caller's
 * transaction under idempotency_key (e.g. "payment-<payment id>"), so it is
 * reported exactly once, and *reported (may be NULL) is set.  The
 * dispatcher delivers it once the case exists.  On failure e is filled. */
enum pm_err api_amili_after_payment(struct store *st, int64_t company_id, const struct invoice *inv,
                                    int64_t amount_minor, int32_t date, const char *reference,
                                    enum payment_source source, const char *idempotency_key,
                                    bool *reported, struct api_error *e);

/* The "amili" object of the invoice page: {eligible, reasons, state,
 * status, case} (a new reference, or NULL when memory ran out). */
json_t *api_amili_invoice_part(struct api_request *r, const struct invoice *inv);

/* When the invoice has a case and the agency is configured: look the case
 * up (at most ~2 s) and record what changed; failures are ignored (the
 * stored state is shown).  Must be called outside a transaction. */
void api_amili_live_lookup(struct api_request *r, int64_t invoice_id);

#endif
