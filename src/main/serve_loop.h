/*
 * serve_loop.h — a dispatcher thread of `paminn serve` (the e-mail and the
 * webhook dispatchers), and the parsing of their numeric options.
 *
 * A loop runs round() until it is stopped; a round that found nothing to
 * do (*n == 0) is followed by a wait of idle_ms, cut short by stopping.
 * Stopping sets the flag the round's sender reads between deliveries
 * (&loop->stop): the delivery in flight is finished, the rest of its batch
 * given back.  A failing round is reported on stderr under the loop's name
 * and the loop goes on.
 */
#ifndef PM_SERVE_LOOP_H
#define PM_SERVE_LOOP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct serve_loop {
    const char *name; /* "mail dispatcher": in its error lines */
    int idle_ms;
    enum pm_err (*round)(void *arg, size_t *n, struct pm_error *e);
    void *arg;
    atomic_int stop; /* read by the round's sender */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool running;
};

void serve_loop_init(struct serve_loop *l, const char *name, int idle_ms,
                     enum pm_err (*round)(void *arg, size_t *n, struct pm_error *e), void *arg);
/* Start the thread: false when it cannot be made. */
bool serve_loop_start(struct serve_loop *l);
/* Ask the loop to stop (and wake it from its wait); returns at once, so
 * that several loops stop side by side before they are joined. */
void serve_loop_request_stop(struct serve_loop *l);
/* Wait for a loop asked to stop (nothing when it never ran), and free its
 * lock and condition. */
void serve_loop_join(struct serve_loop *l);

/* Take option --name's value arg as a number min..max into *out: true (the
 * option was taken); *status CLI_EXIT_USAGE with a message naming the
 * option when it is not such a number. */
bool serve_int_option(const char *name, const char *arg, int64_t min, int64_t max, int *out,
                      int *status);

#endif
