/*
 * store_webhooks.h — a company's webhook endpoints and the outbox of their
 * deliveries (tables webhook_endpoints, webhook_deliveries), as stored.
 *
 * Written once in SQL over the storage driver (store_webhooks.c).  Every
 * call about a company's endpoints or deliveries takes the company id; the
 * dispatcher's lease reads the companies with due deliveries across
 * companies, then leases each company's by a statement that names it (as
 * store_mail.c).  A delivery is leased only when it is the oldest
 * unfinished one of its (endpoint, invoice), so an invoice's events reach
 * an endpoint in the order they happened.  Later writes name the lease's
 * owner: a process whose lease was taken over changes nothing
 * (PM_ERR_NOT_FOUND, field "lease").
 *
 * Events are queued by store_webhook_emit(), which store_history_insert()
 * calls in the same transaction as the history event (core/webhook.h says
 * which history events are webhook events).
 */
#ifndef PM_STORE_WEBHOOKS_H
#define PM_STORE_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_WEBHOOK_URL_MAX     512
#define STORE_WEBHOOK_TYPES_MAX   256
#define STORE_WEBHOOK_SECRET_MAX  80
#define STORE_WEBHOOK_EVENT_MAX   48
#define STORE_WEBHOOK_PAYLOAD_MAX (STORE_DATA_MAX + 512)
#define STORE_WEBHOOK_ANSWER_MAX  256
#define STORE_WEBHOOK_OWNER_MAX   64
#define STORE_WEBHOOK_ENDPOINTS   20 /* endpoints a company may have */

struct webhook_endpoint {
    int64_t company_id;
    int64_t id;
    char url[STORE_WEBHOOK_URL_MAX];
    char event_types[STORE_WEBHOOK_TYPES_MAX]; /* space-separated */
    char secret[STORE_WEBHOOK_SECRET_MAX];
    bool enabled;
    int64_t created_at;
};

/* One delivery: queued, sending (leased), retry, delivered or failed. */
struct webhook_delivery {
    int64_t company_id;
    int64_t id;
    int64_t endpoint_id;
    int64_t invoice_id;
    char event_id[STORE_WEBHOOK_EVENT_MAX];
    char event_type[32];
    char payload[STORE_WEBHOOK_PAYLOAD_MAX];
    char state[12];
    int64_t attempts;
    int64_t next_attempt_at; /* unix seconds (real time) */
    int64_t last_status;     /* HTTP status of the last try, 0 = none */
    char last_answer[STORE_WEBHOOK_ANSWER_MAX];
    int64_t delivered_at; /* 0 = not delivered */
    int64_t created_at;
    int64_t updated_at;
    char url[STORE_WEBHOOK_URL_MAX]; /* the endpoint's (read by the list) */
};

/* Add ep (company_id, url, event_types, secret, created_at set); its id is
 * given here.  PM_ERR_CONFLICT (field "url") when the company has
 * STORE_WEBHOOK_ENDPOINTS endpoints already. */
enum pm_err store_webhook_endpoint_insert(struct store *st, struct webhook_endpoint *ep);

/* The company's endpoints (not removed), oldest first. */
enum pm_err store_webhook_endpoint_list(struct store *st, int64_t company_id,
                                        struct webhook_endpoint *out, size_t cap, size_t *n);

/* One endpoint (removed ones too: deliveries name them). */
enum pm_err store_webhook_endpoint_get(struct store *st, int64_t company_id, int64_t id,
                                       struct webhook_endpoint *out);

/* Remove an endpoint: nothing more is queued for it and its unfinished
 * deliveries fail ("endpoint removed").  PM_ERR_NOT_FOUND when none. */
enum pm_err store_webhook_endpoint_remove(struct store *st, int64_t company_id, int64_t id,
                                          int64_t now);

/* Queue event `type` of invoice_id with data (a JSON object's text) for
 * every enabled endpoint of the company that asked for it: one delivery
 * each, all with one new event id.  *queued how many (may be NULL). */
enum pm_err store_webhook_emit(struct store *st, int64_t company_id, int64_t invoice_id,
                               const char *type, const char *data, int64_t at_s, int *queued);

/* The company's deliveries, newest first, ids below before_id (0: from the
 * newest); up to cap. */
enum pm_err store_webhook_delivery_list(struct store *st, int64_t company_id, int64_t before_id,
                                        struct webhook_delivery *out, size_t cap, size_t *n);

/* Send a delivery again now, from a first try (delivered, failed or
 * waiting for a retry).  PM_ERR_NOT_FOUND when none; PM_ERR_CONFLICT
 * (field "state") while it is being sent or its endpoint was removed. */
enum pm_err store_webhook_resend(struct store *st, int64_t company_id, int64_t id, int64_t now);

/* ---- delivery ---- */

/* Lease up to cap due deliveries (next_attempt_at <= now, no live lease,
 * the oldest unfinished of their endpoint and invoice) for owner until
 * lease_until: state sending, attempts + 1. */
enum pm_err store_webhook_lease(struct store *st, const char *owner, int64_t now,
                                int64_t lease_until, struct webhook_delivery *out, size_t cap,
                                size_t *n);

/* End owner's attempt: state "delivered", "retry" (due at
 * next_attempt_at) or "failed", with the answer's status and excerpt. */
enum pm_err store_webhook_finish(struct store *st, int64_t company_id, int64_t id,
                                 const char *owner, const char *state, int64_t next_attempt_at,
                                 int64_t status, const char *answer, int64_t now);

/* Give back owner's lease of a delivery not tried: due again now. */
enum pm_err store_webhook_release(struct store *st, int64_t company_id, int64_t id,
                                  const char *owner);

/* Deliveries not yet delivered or failed, of every company. */
enum pm_err store_webhook_pending(struct store *st, int64_t *out);

#endif
