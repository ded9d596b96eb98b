/*
 * app_handover.c — the hand-over to Visma Amili: checking and claiming
 * invoices, a batch's progress, and an invoice's standing with the agency
 * (see app_handover.h).
 *
 * Part of src/app.  The rule of who may go is core/handover.h's; the
 * registration payload is built at claim time by agency/agency_amili.h so
 * that the dispatcher sends exactly what was checked.
 */
#include "app/app_handover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency/agency.h"
#include "agency/agency_amili.h"
#include "agency/agency_record.h"
#include "util/clock.h"

#define LIVE_TIMEOUT_MS 2000
#define CHUNK           256 /* invoices whose facts are read at once */

void app_handover_result_release(struct app_handover_result *res)
{
    free(res->outcomes);
    memset(res, 0, sizeof(*res));
}

/* The facts core/handover.h checks, from the store's row (the stops
 * recorded on the invoice and its customer decide whether it is stopped
 * today). */
static void facts_of(const struct app_ctx *ax, const struct handover_row *row, bool activated,
                     struct handover_facts *f)
{
    struct reminder_stop_state stop;

    (void)reminder_stop_on(&row->inv_stop, &row->cust_stop, ax->today, &stop);
    memset(f, 0, sizeof(*f));
    f->company_activated = activated;
    f->due_date = row->inv.due_date;
    f->remaining_minor = row->inv.remaining_minor;
    f->currency = row->inv.currency;
    f->already_handed_over = row->claimed || row->has_case;
    f->written_off = row->inv.state == INVOICE_STATE_WRITTEN_OFF;
    f->credited = row->inv.state == INVOICE_STATE_CREDITED;
    f->reminders_stopped = stop.stopped;
    f->stop_kind = stop.stop.kind;
    f->customer_name = row->cu.name;
    f->address_line_1 = row->cu.address_line_1;
    f->zip_code = row->cu.zip_code;
    f->city = row->cu.city;
    f->country = row->cu.country;
    f->id_number = row->cu.id_number;
    f->customer_is_company = row->cu.is_company;
}

enum pm_err app_handover_send(const struct app_ctx *ax, const int64_t *ids, size_t n,
                              struct app_handover_result *out, struct app_error *e)
{
    struct handover_claim *claims = NULL;
    struct handover_row *rows = NULL;
    bool *found = NULL;
    struct handover_facts f;
    struct handover_batch batch;
    struct amili_activation act;
    struct agency_amili_payload_cache cache = {0};
    char queued_msg[STORE_TEXT_MAX];
    size_t n_claims = 0, i;
    bool activated = false;
    enum pm_err rc;

    memset(out, 0, sizeof(*out));
    if (!ax->agency)
        return app_error_set(e, PM_ERR_BUSY, "agency_not_configured", NULL);
    rc = store_agency_activation_get(ax->store, ax->company_id, &act);
    if (!rc)
        activated = act.state == AMILI_ACTIVATION_ACTIVE;
    else if (rc != PM_ERR_NOT_FOUND)
        return app_store_failed(ax, rc, e);
    claims = calloc(n, sizeof(*claims));
    rows = calloc(n < CHUNK ? n : CHUNK, sizeof(*rows));
    found = calloc(n < CHUNK ? n : CHUNK, sizeof(*found));
    out->outcomes = calloc(n, sizeof(*out->outcomes));
    if (!claims || !rows || !found || !out->outcomes) {
        rc = app_error_set(e, PM_ERR_NOMEM, NULL, NULL);
        goto out_free;
    }
    out->n = n;
    snprintf(queued_msg, sizeof(queued_msg), "Lämnad till Visma Amili (köad för registrering)");
    for (i = 0; i < n; i++) {
        struct app_handover_outcome *o = &out->outcomes[i];
        const struct handover_row *row = &rows[i % CHUNK];

        o->invoice_id = ids[i];
        if (i % CHUNK == 0) {
            rc = store_agency_handover_facts_many(ax->store, ax->company_id, ids + i,
                                                  n - i < CHUNK ? n - i : CHUNK, rows, found);
            if (rc) {
                app_store_failed(ax, rc, e);
                goto out_free;
            }
        }
        if (!found[i % CHUNK]) {
            o->not_found = true;
            if (!out->first_field)
                out->first_field = "invoice_ids";
            continue;
        }
        facts_of(ax, row, activated, &f);
        o->n_reasons = handover_check(&f, ax->today, o->reasons);
        if (o->n_reasons) {
            out->any_handed = out->any_handed || f.already_handed_over;
            if (!out->first_field)
                out->first_field = o->reasons[0].field;
            continue;
        }
        claims[n_claims].invoice_id = ids[i];
        claims[n_claims].message = queued_msg;
        if (agency_amili_registration_payload(&act, row, &cache,
                                              (char **)&claims[n_claims].payload)) {
            rc = app_error_set(e, PM_ERR_NOMEM, NULL, NULL);
            goto out_free;
        }
        n_claims++;
        o->queued = true;
    }
    rc = PM_OK;
    if (n_claims == 0) {
        out->none_eligible = true;
        rc = out->any_handed
                 ? app_error_set(e, PM_ERR_CONFLICT, "already_handed_over", out->first_field)
                 : app_error_set(e, PM_ERR_INVALID, "not_eligible", out->first_field);
        goto out_free;
    }
    memset(&batch, 0, sizeof(batch));
    batch.company_id = ax->company_id;
    batch.created_by = ax->actor_user_id;
    batch.created_at = clock_now_s(ax->clock);
    rc = store_agency_handover_claim(ax->store, &batch, claims, n_claims, ax->actor,
                                     clock_now_us(ax->clock));
    if (rc == PM_ERR_CONFLICT) {
        /* claimed by another request meanwhile */
        app_store_failed(ax, rc, e);
        app_error_set(e, PM_ERR_CONFLICT, "already_handed_over", "invoice_ids");
        out->any_handed = false;
        out->first_field = NULL;
        goto out_free;
    }
    if (rc) {
        app_store_failed(ax, rc, e);
        goto out_free;
    }
    agency_wake(ax->agency);
    out->batch_id = batch.id;
    out->queued = n_claims;
out_free:
    for (i = 0; claims && i < n_claims; i++)
        free((char *)claims[i].payload);
    agency_amili_payload_cache_release(&cache);
    free(claims);
    free(rows);
    free(found);
    return rc;
}

enum pm_err app_handover_batch(const struct app_ctx *ax, int64_t batch_id,
                               struct handover_batch *batch, struct handover_item **items,
                               size_t *n, struct app_error *e)
{
    size_t cap;
    enum pm_err rc;

    *items = NULL;
    *n = 0;
    if (!ax->agency)
        return app_error_set(e, PM_ERR_BUSY, "agency_not_configured", NULL);
    rc = store_agency_handover_batch_get(ax->store, ax->company_id, batch_id, batch, NULL, 0, NULL);
    if (rc)
        return app_store_failed(ax, rc, e);
    cap = (size_t)(batch->total > 0 ? batch->total : 1);
    *items = calloc(cap, sizeof(**items));
    if (!*items)
        return app_error_set(e, PM_ERR_NOMEM, NULL, NULL);
    rc =
        store_agency_handover_batch_get(ax->store, ax->company_id, batch_id, batch, *items, cap, n);
    if (rc) {
        free(*items);
        *items = NULL;
        return app_store_failed(ax, rc, e);
    }
    return PM_OK;
}

enum pm_err app_handover_status(const struct app_ctx *ax, const struct invoice *inv,
                                struct app_handover_status *out, struct app_error *e)
{
    struct handover_row *row = malloc(sizeof(*row));
    struct amili_activation act;
    struct handover_facts f;
    bool activated = false;
    enum pm_err rc;

    memset(out, 0, sizeof(*out));
    if (!row)
        return app_error_set(e, PM_ERR_NOMEM, NULL, NULL);
    if (!store_agency_activation_get(ax->store, ax->company_id, &act))
        activated = act.state == AMILI_ACTIVATION_ACTIVE && ax->agency;
    rc = store_agency_handover_facts(ax->store, ax->company_id, inv->id, row);
    if (rc) {
        app_store_failed(ax, rc, e);
        goto out_free;
    }
    facts_of(ax, row, activated, &f);
    out->n_reasons = handover_check(&f, ax->today, out->reasons);
    if (ax->agency && !store_agency_case_get(ax->store, ax->company_id, inv->id, &out->kase)) {
        out->have_case = true;
        agency_amili_case_url(agency_config_of(ax->agency)->url, out->kase.case_id, out->case_url,
                              sizeof(out->case_url));
    }
out_free:
    free(row);
    return rc;
}

void app_handover_refresh(const struct app_ctx *ax, int64_t invoice_id)
{
    if (!ax->agency)
        return;
    (void)agency_record_live(ax->agency, ax->store, ax->clock, ax->company_id, invoice_id,
                             LIVE_TIMEOUT_MS);
}
