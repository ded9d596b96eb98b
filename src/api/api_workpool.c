/*
 * api_workpool.c — the work pool (see api_workpool.h): a ring of jobs under
 * a mutex, threads waiting on a condition variable.
 */
#include "api/api_workpool.h"

#include <pthread.h>
#include <stdlib.h>

struct job {
    void (*fn)(void *);
    void *arg;
};

struct api_workpool {
    pthread_mutex_t lock;
    pthread_cond_t work;
    pthread_t *threads;
    unsigned n_threads;
    struct job *ring;
    unsigned cap, head, len;
    bool stopping;
};

static void *worker(void *cls)
{
    struct api_workpool *p = cls;
    struct job j;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->len && !p->stopping)
            pthread_cond_wait(&p->work, &p->lock);
        if (!p->len)
            break; /* stopping, and nothing left */
        j = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->len--;
        pthread_mutex_unlock(&p->lock);
        j.fn(j.arg);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

struct api_workpool *api_workpool_new(unsigned threads, unsigned queue)
{
    struct api_workpool *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->cap = queue ? queue : 1;
    p->ring = calloc(p->cap, sizeof(*p->ring));
    p->threads = calloc(threads ? threads : 1, sizeof(*p->threads));
    if (!p->ring || !p->threads) {
        free(p->ring);
        free(p->threads);
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    for (; p->n_threads < (threads ? threads : 1); p->n_threads++) {
        if (pthread_create(&p->threads[p->n_threads], NULL, worker, p)) {
            api_workpool_free(&p);
            return NULL;
        }
    }
    return p;
}

void api_workpool_free(struct api_workpool **pp)
{
    struct api_workpool *p;
    unsigned i;

    if (!pp || !*pp)
        return;
    p = *pp;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p->ring);
    free(p);
    *pp = NULL;
}

bool api_workpool_submit(struct api_workpool *p, void (*fn)(void *), void *arg)
{
    bool ok = false;

    pthread_mutex_lock(&p->lock);
    if (p->len < p->cap && !p->stopping) {
        p->ring[(p->head + p->len) % p->cap] = (struct job){fn, arg};
        p->len++;
        ok = true;
        pthread_cond_signal(&p->work);
    }
    pthread_mutex_unlock(&p->lock);
    return ok;
}
