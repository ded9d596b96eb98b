/*
 * api_workpool.h — a few threads of their own for work that would hold an
 * HTTP worker thread too long (a password's argon2id hash: tens of MB and
 * tens of milliseconds), with a bounded queue.
 *
 * The server suspends the request's connection, submits the work and
 * resumes the connection when the work is done, so its worker threads go
 * on serving other requests meanwhile.  A submission past the queue's limit
 * is refused at once (the caller answers 503).
 */
#ifndef PM_API_WORKPOOL_H
#define PM_API_WORKPOOL_H

#include <stdbool.h>

struct api_workpool;

/* `threads` threads (at least one) and a queue of up to `queue` jobs that
 * wait for one; NULL when out of memory or when a thread cannot start. */
struct api_workpool *api_workpool_new(unsigned threads, unsigned queue);
/* Run the jobs still queued, stop the threads and free; sets *p to NULL. */
void api_workpool_free(struct api_workpool **p);
/* Queue fn(arg); false (fn is not called) when the queue is full. */
bool api_workpool_submit(struct api_workpool *p, void (*fn)(void *), void *arg);

#endif
