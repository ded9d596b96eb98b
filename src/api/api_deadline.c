/*
 * api_deadline.c — the request head's deadline (see api_deadline.h).
 *
 * The watched connections are a list under one mutex.  libmicrohttpd
 * reports a connection closed (api_deadline_notify) before it closes the
 * socket, and that report waits for the mutex: so while an entry is in the
 * list its descriptor is still the connection's, and the sweeper may shut
 * it down without racing a reuse of the number.  shutdown() rather than
 * close(): the descriptor stays libmicrohttpd's, which reads the end of
 * the stream and cleans up in its own thread.
 */
#include "api/api_deadline.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define SWEEP_EVERY_MS 250

/* One connection (its socket_context). */
struct watch {
    struct watch *prev, *next;
    MHD_socket fd;
    int64_t since_ms; /* monotonic: when the awaited head began to be awaited */
    bool awaiting;    /* a request head is awaited */
    bool cut;         /* shut down already */
};

struct api_deadline {
    int64_t limit_ms;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* on CLOCK_MONOTONIC */
    struct watch *list;
    bool stopping;
    pthread_t sweeper;
};

static int64_t monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Shut down every connection past the deadline (under d->lock). */
static void sweep_once(struct api_deadline *d)
{
    int64_t now = monotonic_ms();

    for (struct watch *w = d->list; w; w = w->next) {
        if (w->awaiting && !w->cut && now - w->since_ms >= d->limit_ms) {
            (void)shutdown(w->fd, SHUT_RDWR);
            w->cut = true;
        }
    }
}

static void *sweeper_run(void *cls)
{
    struct api_deadline *d = cls;
    struct timespec until;

    pthread_mutex_lock(&d->lock);
    while (!d->stopping) {
        sweep_once(d);
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += SWEEP_EVERY_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        while (!d->stopping && pthread_cond_timedwait(&d->wake, &d->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

enum pm_err api_deadline_start(unsigned seconds, struct api_deadline **out)
{
    struct api_deadline *d = calloc(1, sizeof(*d));
    pthread_condattr_t attr;
    enum pm_err rc = PM_ERR_NOMEM;

    *out = NULL;
    if (!d)
        return PM_ERR_NOMEM;
    d->limit_ms = (int64_t)(seconds ? seconds : 1) * 1000;
    if (pthread_condattr_init(&attr))
        goto out_free;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (pthread_cond_init(&d->wake, &attr)) {
        pthread_condattr_destroy(&attr);
        goto out_free;
    }
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&d->lock, NULL);
    if (pthread_create(&d->sweeper, NULL, sweeper_run, d)) {
        rc = PM_ERR_IO;
        goto out_destroy;
    }
    *out = d;
    return PM_OK;
out_destroy:
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->wake);
out_free:
    free(d);
    return rc;
}

void api_deadline_stop(struct api_deadline **dp)
{
    struct api_deadline *d = dp ? *dp : NULL;
    struct watch *w, *next;

    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->stopping = true;
    pthread_cond_broadcast(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->sweeper, NULL);
    for (w = d->list; w; w = next) {
        next = w->next;
        free(w);
    }
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->wake);
    free(d);
    *dp = NULL;
}

void api_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode code)
{
    struct api_deadline *d = cls;
    const union MHD_ConnectionInfo *ci;
    struct watch *w;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        /* without memory the connection goes unwatched: the inactivity
         * timeout still holds */
        w = ci ? calloc(1, sizeof(*w)) : NULL;
        *socket_context = w;
        if (!w)
            return;
        w->fd = ci->connect_fd;
        w->since_ms = monotonic_ms();
        w->awaiting = true;
        pthread_mutex_lock(&d->lock);
        w->next = d->list;
        if (d->list)
            d->list->prev = w;
        d->list = w;
        pthread_mutex_unlock(&d->lock);
        return;
    }
    w = *socket_context;
    if (!w)
        return;
    pthread_mutex_lock(&d->lock);
    if (w->prev)
        w->prev->next = w->next;
    else
        d->list = w->next;
    if (w->next)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&d->lock);
    free(w);
    *socket_context = NULL;
}

/* Mark conn's watch awaiting a head (since now) or not. */
static void set_awaiting(struct api_deadline *d, struct MHD_Connection *conn, bool awaiting)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct watch *w = ci ? ci->socket_context : NULL;

    if (!d || !w)
        return;
    pthread_mutex_lock(&d->lock);
    w->awaiting = awaiting;
    w->since_ms = monotonic_ms();
    pthread_mutex_unlock(&d->lock);
}

void api_deadline_head_read(struct api_deadline *d, struct MHD_Connection *conn)
{
    set_awaiting(d, conn, false);
}

void api_deadline_await_head(struct api_deadline *d, struct MHD_Connection *conn)
{
    set_awaiting(d, conn, true);
}
