/*
 * serve_loop.c — a dispatcher thread of `paminn serve` (serve_loop.h).
 */
#include "main/serve_loop.h"

#include <stdio.h>
#include <time.h>

#include "cli/cli.h"

void serve_loop_init(struct serve_loop *l, const char *name, int idle_ms,
                     enum pm_err (*round)(void *arg, size_t *n, struct pm_error *e), void *arg)
{
    l->name = name;
    l->idle_ms = idle_ms;
    l->round = round;
    l->arg = arg;
    l->running = false;
    atomic_init(&l->stop, 0);
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->wake, NULL);
}

static void *loop_main(void *arg)
{
    struct serve_loop *l = arg;
    struct pm_error e = {0};
    struct timespec until;
    size_t n;

    while (!atomic_load(&l->stop)) {
        n = 0;
        if (l->round(l->arg, &n, &e))
            fprintf(stderr, "paminn: %s: %s\n", l->name, e.message);
        if (n > 0 || atomic_load(&l->stop))
            continue;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += l->idle_ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&l->lock);
        if (!atomic_load(&l->stop))
            pthread_cond_timedwait(&l->wake, &l->lock, &until);
        pthread_mutex_unlock(&l->lock);
    }
    return NULL;
}

bool serve_loop_start(struct serve_loop *l)
{
    l->running = pthread_create(&l->thread, NULL, loop_main, l) == 0;
    return l->running;
}

void serve_loop_request_stop(struct serve_loop *l)
{
    pthread_mutex_lock(&l->lock);
    atomic_store(&l->stop, 1);
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->lock);
}

void serve_loop_join(struct serve_loop *l)
{
    if (l->running)
        pthread_join(l->thread, NULL);
    l->running = false;
    pthread_mutex_destroy(&l->lock);
    pthread_cond_destroy(&l->wake);
}

bool serve_int_option(const char *name, const char *arg, int64_t min, int64_t max, int *out,
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
