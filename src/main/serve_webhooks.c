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
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app_webhooks.h"
#include "cli/cli.h"
#include "main/serve.h"
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
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_int stop;
};

static bool number(const char *name, const char *arg, int64_t min, int64_t max, int *out,
                   int *status)
{
    int64_t v = 0;

    if (!cli_parse_int(arg, min, max, &v)) {
        cli_errorf("serve", "--%s: '%s' is not a number %lld..%lld", name, arg, (long long)min,
                   (long long)max);
        *status = CLI_EXIT_USAGE;
    }
    *out = (int)v;
    return true;
}

bool serve_webhooks_option(struct serve_webhooks *w, int opt, const char *arg, int *status)
{
    *status = CLI_EXIT_OK;
    switch (opt) {
    case SERVE_WEBHOOK_OPT_WORKERS:
        w->workers_set = true;
        return number("webhook-workers", arg, 0, 16, &w->workers, status);
    case SERVE_WEBHOOK_OPT_RETRY:
        return number("webhook-retry-seconds", arg, 1, 86400, &w->retry_s, status);
    case SERVE_WEBHOOK_OPT_ATTEMPTS:
        return number("webhook-max-attempts", arg, 1, 100, &w->max_attempts, status);
    case SERVE_WEBHOOK_OPT_LEASE:
        return number("webhook-lease-seconds", arg, 2, 3600, &w->lease_s, status);
    case SERVE_WEBHOOK_OPT_TIMEOUT:
        return number("webhook-timeout", arg, 1, 600, &w->timeout_s, status);
    case SERVE_WEBHOOK_OPT_LOOPBACK:
        w->allow_http_loopback = true;
        return true;
    default:
        return false;
    }
}

static void *worker_main(void *arg)
{
    struct serve_webhooks_worker *w = arg;
    struct pm_error e = {0};
    struct timespec until;
    size_t n;

    while (!atomic_load(&w->stop)) {
        n = 0;
        if (app_webhooks_deliver(&w->sender, &n, &e))
            fprintf(stderr, "paminn: webhook dispatcher: %s\n", e.message);
        if (n > 0 || atomic_load(&w->stop))
            continue;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += IDLE_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&w->lock);
        if (!atomic_load(&w->stop))
            pthread_cond_timedwait(&w->wake, &w->lock, &until);
        pthread_mutex_unlock(&w->lock);
    }
    return NULL;
}

static void worker_free(struct serve_webhooks_worker *w)
{
    webhook_client_free(&w->client);
    store_close(&w->st);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w);
}

static int worker_start(struct serve_webhooks *wh, const char *db, int index)
{
    struct serve_webhooks_worker *w = calloc(1, sizeof(*w));
    struct pm_error e = {0};
    char token[SECRET_TOKEN_HEX];

    if (!w)
        return CLI_EXIT_FAILED;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    atomic_init(&w->stop, 0);
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
        .stop = &w->stop,
    };
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
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
    struct serve_webhooks_worker *w;
    int i;

    for (i = 0; i < wh->n_workers; i++) {
        w = wh->worker[i];
        pthread_mutex_lock(&w->lock);
        atomic_store(&w->stop, 1);
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&w->lock);
    }
    for (i = 0; i < wh->n_workers; i++) {
        pthread_join(wh->worker[i]->thread, NULL);
        worker_free(wh->worker[i]);
        wh->worker[i] = NULL;
    }
    wh->n_workers = 0;
}
