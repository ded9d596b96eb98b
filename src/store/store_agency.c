/*
 * store_agency.c — the store_agency_*() wrappers: one line each over the
 * engine's struct store_agency_ops (store_agency.h), which the engine's
 * struct store_ops points at.  Like store.c, nothing here knows SQL.
 */
#include "store/store_agency.h"
#include "store/store_driver.h"

#define AG(st) ((st)->ops->agency)

enum pm_err store_agency_activation_get(struct store *st, int64_t company_id,
                                        struct amili_activation *out)
{
    return AG(st)->activation_get(st, company_id, out);
}

enum pm_err store_agency_activation_put(struct store *st, const struct amili_activation *a)
{
    return AG(st)->activation_put(st, a);
}

enum pm_err store_agency_activation_list_active(struct store *st, int64_t after_company,
                                                struct amili_activation *out, size_t cap, size_t *n)
{
    return AG(st)->activation_list_active(st, after_company, out, cap, n);
}

enum pm_err store_agency_handover_facts(struct store *st, int64_t company_id, int64_t invoice_id,
                                        struct handover_row *out)
{
    return AG(st)->handover_facts(st, company_id, invoice_id, out);
}

enum pm_err store_agency_handover_claim(struct store *st, struct handover_batch *batch,
                                        const struct handover_claim *claims, size_t n,
                                        const char *actor, int64_t at_us)
{
    return AG(st)->handover_claim(st, batch, claims, n, actor, at_us);
}

enum pm_err store_agency_handover_batch_get(struct store *st, int64_t company_id, int64_t batch_id,
                                            struct handover_batch *out, struct handover_item *items,
                                            size_t cap, size_t *n)
{
    return AG(st)->handover_batch_get(st, company_id, batch_id, out, items, cap, n);
}

enum pm_err store_agency_outbox_lease(struct store *st, const char *owner, int64_t now,
                                      int64_t lease_until, struct outbox_lease_row *out, size_t cap,
                                      size_t *n)
{
    return AG(st)->outbox_lease(st, owner, now, lease_until, out, cap, n);
}

enum pm_err store_agency_outbox_renew(struct store *st, int64_t company_id, int64_t id,
                                      const char *owner, int64_t lease_until)
{
    return AG(st)->outbox_renew(st, company_id, id, owner, lease_until);
}

enum pm_err store_agency_outbox_finish(struct store *st, int64_t company_id, int64_t id,
                                       const char *owner, enum outbox_outcome outcome,
                                       int64_t next_attempt_at, const char *last_error)
{
    return AG(st)->outbox_finish(st, company_id, id, owner, outcome, next_attempt_at, last_error);
}

enum pm_err store_agency_outbox_reported(struct store *st, int64_t company_id, int64_t invoice_id,
                                         int64_t *out)
{
    return AG(st)->outbox_reported(st, company_id, invoice_id, out);
}

enum pm_err store_agency_outbox_pending(struct store *st, const char *kind, int64_t *out)
{
    return AG(st)->outbox_pending(st, kind, out);
}

enum pm_err store_agency_case_insert(struct store *st, const struct agency_case *c)
{
    return AG(st)->case_insert(st, c);
}

enum pm_err store_agency_case_get(struct store *st, int64_t company_id, int64_t invoice_id,
                                  struct agency_case *out)
{
    return AG(st)->case_get(st, company_id, invoice_id, out);
}

enum pm_err store_agency_case_find(struct store *st, int64_t company_id, const char *case_id,
                                   struct agency_case *out)
{
    return AG(st)->case_find(st, company_id, case_id, out);
}

enum pm_err store_agency_case_update(struct store *st, const struct agency_case *c, const char *raw)
{
    return AG(st)->case_update(st, c, raw);
}

enum pm_err store_agency_case_unsynced_since(struct store *st, int64_t company_id, bool all,
                                             int64_t *out)
{
    return AG(st)->case_unsynced_since(st, company_id, all, out);
}

enum pm_err store_agency_invoice_agency(struct store *st, int64_t company_id, int64_t invoice_id,
                                        const char *state, const char *status)
{
    return AG(st)->invoice_agency(st, company_id, invoice_id, state, status);
}

enum pm_err store_agency_claim_release(struct store *st, int64_t company_id, int64_t invoice_id)
{
    return AG(st)->claim_release(st, company_id, invoice_id);
}

enum pm_err store_agency_invoice_by_number(struct store *st, int64_t company_id, int64_t number,
                                           int64_t *invoice_id)
{
    return AG(st)->invoice_by_number(st, company_id, number, invoice_id);
}

enum pm_err store_agency_seen(struct store *st, int64_t company_id, const char *key, bool *inserted)
{
    return AG(st)->seen(st, company_id, key, inserted);
}

enum pm_err store_agency_cursor_get(struct store *st, int64_t company_id, char *out, size_t cap)
{
    return AG(st)->cursor_get(st, company_id, out, cap);
}

enum pm_err store_agency_cursor_put(struct store *st, int64_t company_id, const char *value,
                                    int64_t synced_at)
{
    return AG(st)->cursor_put(st, company_id, value, synced_at);
}

enum pm_err store_agency_token_get(struct store *st, const char *api_code, unsigned char *sealed,
                                   size_t cap, size_t *len, int64_t *expires_at)
{
    return AG(st)->token_get(st, api_code, sealed, cap, len, expires_at);
}

enum pm_err store_agency_token_put(struct store *st, const char *api_code,
                                   const unsigned char *sealed, size_t len, int64_t expires_at)
{
    return AG(st)->token_put(st, api_code, sealed, len, expires_at);
}

enum pm_err store_agency_payout_line_insert(struct store *st, const struct agency_payout_line *l)
{
    return AG(st)->payout_line_insert(st, l);
}
