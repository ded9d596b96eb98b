/*
 * app_webhooks.h — webhooks: a company's endpoints, their deliveries as
 * the UI shows them, re-sending one by hand, and the delivery the webhook
 * dispatcher runs.
 *
 * Part of src/app.  Events are queued in the transaction of the history
 * event they report (store_history_insert → store_webhook_emit; the types
 * are core/webhook.h's).  An endpoint's secret is made here (whsec_ and 64
 * hex digits) and shown once, in the answer that creates the endpoint.
 * Delivery (webhook/webhook.h signs and posts): a 2xx is delivered;
 * anything else is tried again after retry_s, doubled each time up to an
 * hour, and given up (failed) after max_attempts.  The delivery is marked
 * delivered after the 2xx, so a crash between the answer and that commit
 * sends the event again with the same Paminn-Webhook-Id: receivers dedupe
 * by it (docs/webhooks.md).
 */
#ifndef PM_APP_WEBHOOKS_H
#define PM_APP_WEBHOOKS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "store/store_webhooks.h"

struct webhook_client;

/* Add an endpoint: url (https://; http:// to 127.0.0.1 or localhost only
 * when allow_loopback_http), the event types (n of them, each one of
 * core/webhook.h's, at least one).  out gets the endpoint with its new
 * secret.  Errors name the field: "url" (webhook_url_invalid),
 * "event_types" / "event_types[i]" (required, unknown_event_type,
 * duplicate_value), too_many_webhooks. */
enum pm_err app_webhooks_create(const struct app_ctx *ax, const char *url, const char *const *types,
                                size_t n, bool allow_loopback_http, struct webhook_endpoint *out,
                                struct app_error *e);

enum pm_err app_webhooks_list(const struct app_ctx *ax, struct webhook_endpoint *out, size_t cap,
                              size_t *n, struct app_error *e);

/* Remove an endpoint (its unfinished deliveries fail). */
enum pm_err app_webhooks_remove(const struct app_ctx *ax, int64_t id, struct app_error *e);

/* The company's deliveries newest first, ids below before_id (0: from the
 * newest). */
enum pm_err app_webhooks_deliveries(const struct app_ctx *ax, int64_t before_id,
                                    struct webhook_delivery *out, size_t cap, size_t *n,
                                    struct app_error *e);

/* Send a delivery again now (from a first try). */
enum pm_err app_webhooks_resend(const struct app_ctx *ax, int64_t id, struct app_error *e);

/* ---- delivery ---- */

#define APP_WEBHOOK_DEFAULT_RETRY_S      30
#define APP_WEBHOOK_DEFAULT_MAX_ATTEMPTS 10
#define APP_WEBHOOK_DEFAULT_LEASE_S      120
#define APP_WEBHOOK_BATCH                16

struct app_webhook_sender {
    struct store *store;           /* the dispatcher's own handle */
    struct webhook_client *client; /* webhook/webhook.h */
    const char *owner;             /* the lease owner: unique per process and thread */
    int retry_s;                   /* the first retry's delay; doubled each time (max 1 h) */
    int max_attempts;              /* given up (failed) after this many */
    int lease_s;                   /* a batch's lease */
    const atomic_int *stop;        /* when set, the rest of a batch is given back untried */
};

/* Lease up to APP_WEBHOOK_BATCH due deliveries and send them; *n how many
 * were leased (0: nothing due). */
enum pm_err app_webhooks_deliver(const struct app_webhook_sender *s, size_t *n, struct pm_error *e);

#endif
