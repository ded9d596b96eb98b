/*
 * agency_service.c — the background work of `paminn serve`: one thread for
 * the outbox dispatcher and one for the status sync, each with its own
 * store handle (agency_dispatch.c, agency_sync.c).
 *
 * Stopping sets a flag both loops read between steps and wakes the
 * dispatcher; calls still in flight are abandoned, which is safe: their
 * rows' leases expire and the next run looks the cases up before sending
 * anything again.
 */
#include <pthread.h>
#include <stdlib.h>

#include "agency/agency.h"

struct agency_service {
    struct agency *a;
    struct agency_dispatcher *dispatcher;
    struct agency_syncer *syncer;
    pthread_t dispatch_thread, sync_thread;
    bool dispatch_started, sync_started;
    atomic_int stop;
};

static void *dispatch_main(void *arg)
{
    struct agency_service *s = arg;

    agency_dispatcher_run(s->dispatcher, &s->stop);
    return NULL;
}

static void *sync_main(void *arg)
{
    struct agency_service *s = arg;

    agency_syncer_run(s->syncer, &s->stop);
    return NULL;
}

enum pm_err agency_service_start(struct agency *a, const struct agency_service_config *cfg,
                                 struct agency_service **out, struct pm_error *e)
{
    struct agency_service *s = calloc(1, sizeof(*s));
    enum pm_err rc = PM_OK;

    *out = NULL;
    if (!s)
        return pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
    s->a = a;
    atomic_init(&s->stop, 0);
    s->dispatcher = agency_dispatcher_new(a, cfg->db, cfg->clock, e);
    s->syncer = s->dispatcher ? agency_syncer_new(a, cfg->db, cfg->clock, e) : NULL;
    if (!s->dispatcher || !s->syncer) {
        rc = e && e->code ? e->code : PM_ERR_INTERNAL;
        goto out_stop;
    }
    if (pthread_create(&s->dispatch_thread, NULL, dispatch_main, s) != 0) {
        rc = pm_error_set(e, PM_ERR_INTERNAL, "", "cannot start the dispatcher thread");
        goto out_stop;
    }
    s->dispatch_started = true;
    if (pthread_create(&s->sync_thread, NULL, sync_main, s) != 0) {
        rc = pm_error_set(e, PM_ERR_INTERNAL, "", "cannot start the sync thread");
        goto out_stop;
    }
    s->sync_started = true;
    *out = s;
    return PM_OK;
out_stop:
    agency_service_stop(&s);
    return rc;
}

void agency_service_stop(struct agency_service **sp)
{
    struct agency_service *s;

    if (!sp || !*sp)
        return;
    s = *sp;
    atomic_store(&s->stop, 1);
    agency_wake(s->a);
    if (s->dispatch_started)
        pthread_join(s->dispatch_thread, NULL);
    if (s->sync_started)
        pthread_join(s->sync_thread, NULL);
    agency_dispatcher_free(&s->dispatcher);
    agency_syncer_free(&s->syncer);
    free(s);
    *sp = NULL;
}
