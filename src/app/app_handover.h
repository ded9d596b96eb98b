/*
 * app_handover.h — handing invoices over to Visma Amili, and what the
 * invoice page shows of it.
 *
 * Part of src/app.  Sending never waits on the agency: every invoice is
 * checked with handover_check() (core/handover.h), the valid ones are
 * claimed in one store call inside the caller's transaction — claim,
 * "register" outbox row, history event — and the dispatcher is woken.
 * Each invoice gets its own outcome.
 */
#ifndef PM_APP_HANDOVER_H
#define PM_APP_HANDOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/handover.h"
#include "store/store_agency.h"

#define APP_HANDOVER_IDS_MAX 10000

/* What became of one invoice of a hand-over. */
struct app_handover_outcome {
    int64_t invoice_id;
    bool queued;
    bool not_found; /* no such invoice of the company */
    size_t n_reasons;
    struct handover_reason reasons[HANDOVER_MAX_REASONS]; /* why it cannot go */
};

struct app_handover_result {
    int64_t batch_id; /* 0 when nothing was queued */
    size_t queued;
    /* When nothing could be queued: the first refusal's field, and whether
     * an invoice was already with the agency (already_handed_over rather
     * than not_eligible). */
    bool none_eligible;
    const char *first_field;
    bool any_handed;
    struct app_handover_outcome *outcomes; /* n of them, in request order */
    size_t n;
};

void app_handover_result_release(struct app_handover_result *res);

/* Hand ids[0..n) (distinct, 1..APP_HANDOVER_IDS_MAX of them) over.  With
 * none eligible: already_handed_over (409) or not_eligible, field
 * first_field, and *out holds every outcome; an invoice claimed meanwhile
 * by another request: already_handed_over on "invoice_ids".  Without an
 * agency: agency_not_configured.  Release *out in every case. */
enum pm_err app_handover_send(const struct app_ctx *ax, const int64_t *ids, size_t n,
                              struct app_handover_result *out, struct app_error *e);

/* A batch and its invoices (*items malloc'ed, *n of them; free() it). */
enum pm_err app_handover_batch(const struct app_ctx *ax, int64_t batch_id,
                               struct handover_batch *batch, struct handover_item **items,
                               size_t *n, struct app_error *e);

/* May inv go to the agency now, why not, and its case as last seen. */
struct app_handover_status {
    size_t n_reasons; /* 0 = eligible */
    struct handover_reason reasons[HANDOVER_MAX_REASONS];
    bool have_case; /* the case is known and the agency configured */
    struct agency_case kase;
    char case_url[512]; /* the case in the agency's web application */
};

/* The company counts as activated only with an agency configured. */
enum pm_err app_handover_status(const struct app_ctx *ax, const struct invoice *inv,
                                struct app_handover_status *out, struct app_error *e);

/* When the invoice has a case and the agency is configured: look the case
 * up (at most ~2 s) and record what changed; failures are ignored (the
 * stored state is shown).  Call it outside a transaction. */
void app_handover_refresh(const struct app_ctx *ax, int64_t invoice_id);

#endif
