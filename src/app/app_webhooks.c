/*
 * app_webhooks.c — webhook endpoints and the delivery of their events
 * (see app_webhooks.h).
 */
#include "app/app_webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/webhook.h"
#include "util/clock.h"
#include "util/secret.h"
#include "webhook/webhook.h"

#define MAX_BACKOFF_S 3600

static int64_t real_now(void)
{
    return (int64_t)time(NULL);
}

/* The types as one space-separated list; errors name event_types[i]. */
static enum pm_err types_of(const char *const *types, size_t n, char *dst, size_t cap,
                            struct app_error *e)
{
    char field[32];
    size_t i, j, len = 0;

    if (n == 0)
        return app_error_set(e, PM_ERR_INVALID, "required", "event_types");
    dst[0] = '\0';
    for (i = 0; i < n; i++) {
        snprintf(field, sizeof(field), "event_types[%zu]", i);
        if (!webhook_type_known(types[i]))
            return app_error_set(e, PM_ERR_INVALID, "unknown_event_type", field);
        for (j = 0; j < i; j++)
            if (!strcmp(types[i], types[j]))
                return app_error_set(e, PM_ERR_INVALID, "duplicate_value", field);
        len += (size_t)snprintf(dst + len, cap - len, "%s%s", i ? " " : "", types[i]);
        if (len >= cap)
            return app_error_set(e, PM_ERR_INVALID, "too_long", "event_types");
    }
    return PM_OK;
}

enum pm_err app_webhooks_create(const struct app_ctx *ax, const char *url, const char *const *types,
                                size_t n, bool allow_loopback_http, struct webhook_endpoint *out,
                                struct app_error *e)
{
    char token[SECRET_TOKEN_HEX];
    const char *why;
    enum pm_err rc;

    memset(out, 0, sizeof(*out));
    if (!url || !url[0])
        return app_error_set(e, PM_ERR_INVALID, "required", "url");
    if (strlen(url) >= sizeof(out->url))
        return app_error_set(e, PM_ERR_INVALID, "too_long", "url");
    why = webhook_url_problem(url, allow_loopback_http);
    if (why) {
        app_error_set(e, PM_ERR_INVALID, "webhook_url_invalid", "url");
        return app_error_detail(e, "url %s", why);
    }
    rc = types_of(types, n, out->event_types, sizeof(out->event_types), e);
    if (rc)
        return rc;
    out->company_id = ax->company_id;
    snprintf(out->url, sizeof(out->url), "%s", url);
    secret_random_token(token);
    snprintf(out->secret, sizeof(out->secret), "whsec_%s", token);
    out->created_at = clock_now_s(ax->clock);
    rc = store_webhook_endpoint_insert(ax->store, out);
    if (rc == PM_ERR_CONFLICT)
        return app_error_set(e, rc, "too_many_webhooks", "url");
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_webhooks_list(const struct app_ctx *ax, struct webhook_endpoint *out, size_t cap,
                              size_t *n, struct app_error *e)
{
    enum pm_err rc = store_webhook_endpoint_list(ax->store, ax->company_id, out, cap, n);

    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_webhooks_remove(const struct app_ctx *ax, int64_t id, struct app_error *e)
{
    enum pm_err rc =
        store_webhook_endpoint_remove(ax->store, ax->company_id, id, clock_now_s(ax->clock));

    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "webhook_not_found", "id");
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_webhooks_deliveries(const struct app_ctx *ax, int64_t before_id,
                                    struct webhook_delivery *out, size_t cap, size_t *n,
                                    struct app_error *e)
{
    enum pm_err rc = store_webhook_delivery_list(ax->store, ax->company_id, before_id, out, cap, n);

    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

enum pm_err app_webhooks_resend(const struct app_ctx *ax, int64_t id, struct app_error *e)
{
    enum pm_err rc = store_webhook_resend(ax->store, ax->company_id, id, clock_now_s(ax->clock));

    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "delivery_not_found", "id");
    if (rc == PM_ERR_CONFLICT) {
        const char *msg = store_error(ax->store)->message;

        return app_error_set(
            e, rc, strstr(msg, "removed") ? "endpoint_removed" : "delivery_in_flight", "id");
    }
    return rc ? app_store_failed(ax, rc, e) : PM_OK;
}

/* ---- delivery ---- */

static int64_t backoff(const struct app_webhook_sender *s, int64_t attempts)
{
    int64_t d = s->retry_s > 0 ? s->retry_s : APP_WEBHOOK_DEFAULT_RETRY_S;

    while (--attempts > 0 && d < MAX_BACKOFF_S)
        d *= 2;
    return d < MAX_BACKOFF_S ? d : MAX_BACKOFF_S;
}

static void deliver_one(const struct app_webhook_sender *s, const struct webhook_delivery *d)
{
    struct webhook_endpoint *ep = calloc(1, sizeof(*ep));
    struct webhook_request rq;
    char answer[WEBHOOK_ANSWER_MAX] = "";
    int max = s->max_attempts > 0 ? s->max_attempts : APP_WEBHOOK_DEFAULT_MAX_ATTEMPTS;
    int64_t now = real_now();
    long status = 0;
    enum pm_err rc;
    const char *state;

    rc =
        ep ? store_webhook_endpoint_get(s->store, d->company_id, d->endpoint_id, ep) : PM_ERR_NOMEM;
    if (!rc) {
        rq = (struct webhook_request){ep->url,    d->event_id,        ep->secret,
                                      d->payload, strlen(d->payload), now};
        rc = webhook_post(s->client, &rq, &status, answer);
    }
    if (rc)
        snprintf(answer, sizeof(answer), "the delivery could not be made (%s)", pm_err_name(rc));
    if (status >= 200 && status < 300)
        state = "delivered";
    else if (d->attempts < max)
        state = "retry";
    else
        state = "failed";
    rc = store_webhook_finish(s->store, d->company_id, d->id, s->owner, state,
                              !strcmp(state, "retry") ? real_now() + backoff(s, d->attempts) : 0,
                              status, answer, real_now());
    if (rc && rc != PM_ERR_NOT_FOUND)
        fprintf(stderr, "paminn: webhook delivery %lld of company %lld: %s\n", (long long)d->id,
                (long long)d->company_id, store_error(s->store)->message);
    free(ep);
}

enum pm_err app_webhooks_deliver(const struct app_webhook_sender *s, size_t *n, struct pm_error *e)
{
    struct webhook_delivery *rows = calloc(APP_WEBHOOK_BATCH, sizeof(*rows));
    int64_t now = real_now();
    int lease = s->lease_s > 0 ? s->lease_s : APP_WEBHOOK_DEFAULT_LEASE_S;
    size_t i;
    enum pm_err rc;

    *n = 0;
    if (!rows)
        return pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
    rc = store_webhook_lease(s->store, s->owner, now, now + lease, rows, APP_WEBHOOK_BATCH, n);
    if (rc)
        pm_error_set(e, rc, "", "leasing webhook deliveries: %s", store_error(s->store)->message);
    for (i = 0; !rc && i < *n; i++) {
        if (s->stop && atomic_load(s->stop))
            store_webhook_release(s->store, rows[i].company_id, rows[i].id, s->owner);
        else
            deliver_one(s, &rows[i]);
    }
    free(rows);
    return rc;
}
