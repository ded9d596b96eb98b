/*
 * webhook.h — sending one webhook: its signature and the HTTP POST.
 *
 * Sits beside mail and agency (app uses it; it uses util and libcurl and
 * knows nothing of the store).  A request carries the event's JSON as its
 * body and three headers:
 *
 *   Paminn-Webhook-Id: <event id>          the same on every try
 *   Paminn-Webhook-Timestamp: <unix seconds of this try>
 *   Paminn-Webhook-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>"
 *                             keyed with the endpoint's secret>
 *
 * The HMAC is libsodium's crypto_auth_hmacsha256 (any key length).  A
 * client is one curl easy handle, so one thread keeps its connections
 * alive between deliveries.  See docs/webhooks.md.
 */
#ifndef PM_WEBHOOK_WEBHOOK_H
#define PM_WEBHOOK_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define WEBHOOK_SIGNATURE_MAX 68 /* "v1=" + 64 hex digits + NUL */
#define WEBHOOK_ANSWER_MAX    201

/* "v1=<hex>" of "<timestamp>.<body>" with secret into dst. */
void webhook_sign(const char *secret, int64_t timestamp, const char *body, size_t len,
                  char dst[WEBHOOK_SIGNATURE_MAX]);

struct webhook_client;

/* timeout_ms: connecting and the whole request (0 = 10 s). */
struct webhook_client *webhook_client_new(long timeout_ms);
void webhook_client_free(struct webhook_client **c);

struct webhook_request {
    const char *url, *event_id, *secret;
    const char *body;
    size_t len;
    int64_t timestamp; /* unix seconds */
};

/* POST the request.  *status is the HTTP status (0: no answer: connection
 * refused, timeout ...); answer the start of the answer's body, or the
 * transport's error, printable ASCII, at most WEBHOOK_ANSWER_MAX - 1
 * bytes.  PM_ERR_NOMEM only when the request cannot be built. */
enum pm_err webhook_post(struct webhook_client *c, const struct webhook_request *r, long *status,
                         char answer[WEBHOOK_ANSWER_MAX]);

#endif
