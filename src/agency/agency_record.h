/*
 * agency_record.h — turning what the agency says into the product's
 * records: history events, the case as last seen, agency payments.
 *
 * Shared by the dispatcher (a registration), the status sync (changed
 * cases, payouts) and the API (the live look-up when a user opens a
 * handed-over invoice).  Every function runs inside the caller's store
 * transaction, and writes each event exactly once: state and status
 * history entries are counted on the case row, payments are the growth of
 * the capital the agency collected, payouts are keyed in agency_seen.
 */
#ifndef PM_AGENCY_RECORD_H
#define PM_AGENCY_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "agency/agency.h"
#include "util/clock.h"

struct store;
struct tz;

/* A history event by the agency ("amili"); data is a JSON object (stolen,
 * NULL = {}). */
enum pm_err agency_record_event(struct store *st, int64_t company_id, int64_t invoice_id,
                                int64_t at_us, const char *kind, const char *message, json_t *data);

/* Apply one case of the agency (a JSON item of GET /cases): events for new
 * state and status history entries, closing, agency payments (recorded as
 * PAYMENT_AGENCY payments), and the stored case and invoice status.
 * PM_ERR_NOT_FOUND when the case is not one of ours (yet).  *changed tells
 * whether anything new was recorded (may be NULL).  force: apply the
 * amounts even when the etag is unchanged (interest grows without one). */
enum pm_err agency_record_case(struct store *st, const struct clock *clock, int64_t company_id,
                               const json_t *item, bool force, bool *changed);

/* A page of GET /cases (the JSON array items) applied as agency_record_case
 * (force false) on each item in order would, with the same result, in a
 * few statements whatever the page's size: the cases read in one, the
 * history events written in one batch, the case rows and the invoices'
 * agency statuses in one each.  Items that are not cases or not ours (yet)
 * are skipped. */
enum pm_err agency_record_cases(struct store *st, const struct clock *clock, int64_t company_id,
                                const json_t *items);

/* The live look-up: GET /cases/{id} of the invoice's case within
 * timeout_ms and apply it in a transaction of its own on st (which must not
 * be in one).  Any failure leaves the stored state as it was; the result
 * says what happened (PM_OK when applied). */
enum pm_err agency_record_live(struct agency *a, struct store *st, const struct clock *clock,
                               int64_t company_id, int64_t invoice_id, long timeout_ms);

#endif
