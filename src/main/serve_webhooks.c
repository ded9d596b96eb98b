/*
 * serve_webhooks.c — the webhook part of `paminn serve`: its options and
 * the webhook dispatcher threads.
 *
 *   --webhook-workers N            dispatcher threads, each with its own
 *                                  store handle and HTTP connection
 *                                  (default 2; 0 = none: events are still
 *                                  queued)
 *   --webhook-retry-seconds N      first retry after a failed try (default
 *                                  30, doubled each time up to an hour)
 *   --webhook-max-attempts N       failed after this many tries (default 10)
 *   --webhook-lease-seconds N      a batch's lease (default 120)
 *   --webhook-timeout SECONDS      one request (default 10)
 *   --webhook-allow-http-loopback  endpoints may be http://127.0.0.1 or
 *                                  http://localhost (tests only)
 *
 * Each thread delivers what is due in batches (app_webhooks_deliver) and,
 * when nothing is, looks again four times a second.  Stopping sets a flag
 * read between deliveries: the one in flight is finished, the rest of its
 * batch given back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_webhooks.h"
#include "cli/cli.h"
#include "main/serve.h"
#include "main/serve_loop.h"
#include "util/secret.h"
#include "webhook/webhook.h"

#define IDLE_MS 250

const char *const serve_webhooks_usage =
    "  --webhook-workers N      webhook deliveries sent at once (default 2; 0 = none)\n"
    "  --webhook-retry-seconds N  first retry of a failed delivery (30, then doubled)\n"
    "  --webhook-max-attempts N give up (failed, shown in the list) after N tries (10)\n"
    "  --webhook-lease-seconds N  a batch of deliveries' lease (120)\n"
    "  --webhook-timeout SECONDS  one request (10)\n"
    "  --webhook-allow-http-loopback  allow http://127.0.0.1 and http://localhost\n"
    "                      endpoints (tests only; else https:// only)\n";

struct serve_webhooks_worker {
    struct store *st;
    struct webhook_client *client;
    struct app_webhook_sender sender;
    char owner[STORE_WEBHOOK_OWNER_MAX];
    struct serve_loop loop;
};

bool serve_webhooks_option(struct serve_webhooks *w, int opt, const char *arg, int *status)
{
    *status = CLI_EXIT_OK;
    switch (opt) {
    case SERVE_WEBHOOK_OPT_WORKERS:
        w->workers_set = true;
        return serve_int_option("webhook-workers", arg, 0, 16, &w->workers, status);
    case SERVE_WEBHOOK_OPT_RETRY:
        return serve_int_option("webhook-retry-seconds", arg, 1, 86400, &w->retry_s, status);
    case SERVE_WEBHOOK_OPT_ATTEMPTS:
        return serve_int_option("webhook-max-attempts", arg, 1, 100, &w->max_attempts, status);
    case SERVE_WEBHOOK_OPT_LEASE:
        return serve_int_option("webhook-lease-seconds", arg, 2, 3600, &w->lease_s, status);
    case SERVE_WEBHOOK_OPT_TIMEOUT:
        return serve_int_option("webhook-timeout", arg, 1, 600, &w->timeout_s, status);
    case SERVE_WEBHOOK_OPT_LOOPBACK:
        w->allow_http_loopback = true;
        return true;
    default:
        return false;
    }
}

static enum pm_err worker_round(void *arg, size_t *n, struct pm_error *e)
{
    struct serve_webhooks_worker *w = arg;

    return app_webhooks_deliver(&w->sender, n, e);
}

static void worker_free(struct serve_webhooks_worker *w)
{
    serve_loop_join(&w->loop); /* first: the thread uses the rest */
    webhook_client_free(&w->client);
    store_close(&w->st);
    free(w);
}

static int worker_start(struct serve_webhooks *wh, const char *db, int index)
{
    struct serve_webhooks_worker *w = calloc(1, sizeof(*w));
    struct pm_error e = {0};
    char token[SECRET_TOKEN_HEX];

    if (!w)
        return CLI_EXIT_FAILED;
    serve_loop_init(&w->loop, "webhook dispatcher", IDLE_MS, worker_round, w);
    w->client = webhook_client_new(wh->timeout_s ? wh->timeout_s * 1000L : 0);
    if (!w->client || store_open(db, &w->st, &e)) {
        cli_errorf("serve", "webhooks: %s", w->client ? e.message : "cannot make an HTTP client");
        worker_free(w);
        return CLI_EXIT_FAILED;
    }
    secret_random_token(token);
    snprintf(w->owner, sizeof(w->owner), "webhook:%ld:%d:%.16s", (long)getpid(), index, token);
    w->sender = (struct app_webhook_sender){
        .store = w->st,
        .client = w->client,
        .owner = w->owner,
        .retry_s = wh->retry_s,
        .max_attempts = wh->max_attempts,
        .lease_s = wh->lease_s,
        .stop = &w->loop.stop,
    };
    if (!serve_loop_start(&w->loop)) {
        cli_errorf("serve", "webhooks: cannot start the dispatcher thread");
        worker_free(w);
        return CLI_EXIT_FAILED;
    }
    wh->worker[wh->n_workers++] = w;
    return CLI_EXIT_OK;
}

int serve_webhooks_start(struct serve_webhooks *wh, const char *db)
{
    int status = CLI_EXIT_OK, i, n = wh->workers_set ? wh->workers : 2;

    wh->n_workers = 0;
    for (i = 0; !status && i < n; i++)
        status = worker_start(wh, db, i);
    if (status)
        serve_webhooks_stop(wh);
    return status;
}

void serve_webhooks_stop(struct serve_webhooks *wh)
{
    int i;

    for (i = 0; i < wh->n_workers; i++)
        serve_loop_request_stop(&wh->worker[i]->loop);
    for (i = 0; i < wh->n_workers; i++) {
        worker_free(wh->worker[i]);
        wh->worker[i] = NULL;
    }
    wh->n_workers = 0;
}
