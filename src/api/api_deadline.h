/*
 * api_deadline.h — a deadline for a request's head that a trickle cannot
 * extend.
 *
 * Part of src/api (api_server.c wires it into libmicrohttpd).
 * libmicrohttpd 0.9.75's connection timeout is one of inactivity: a client
 * that sends one header byte every few seconds keeps its connection for
 * ever, and a thousand such clients hold the server's connections.  Here
 * every connection is watched from the moment it is accepted (and again
 * from the end of each answer, while it waits for the next request on a
 * kept-alive connection) until the server has read the whole request head;
 * a sweeper thread shuts down the socket of any connection still waiting
 * after the deadline, whatever it trickled meanwhile.  libmicrohttpd then
 * sees the connection end and closes it as usual.  A request whose head is
 * complete is not watched: its body and its answer have their own limits.
 */
#ifndef PM_API_DEADLINE_H
#define PM_API_DEADLINE_H

#include <microhttpd.h>

#include "util/err.h"

struct api_deadline;

/* Start watching with a deadline of `seconds` (>= 1): the sweeper thread
 * runs until api_deadline_stop(). */
enum pm_err api_deadline_start(unsigned seconds, struct api_deadline **out);

/* After MHD_stop_daemon(): stop the sweeper and free what is left; sets *d
 * to NULL.  NULL is a no-op. */
void api_deadline_stop(struct api_deadline **d);

/* MHD_OPTION_NOTIFY_CONNECTION's callback (cls = the deadline): a new
 * connection is watched, a closed one forgotten. */
void api_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode code);

/* The request head on conn is complete (the access handler's first call). */
void api_deadline_head_read(struct api_deadline *d, struct MHD_Connection *conn);

/* The request on conn is over: the next head is awaited from now. */
void api_deadline_await_head(struct api_deadline *d, struct MHD_Connection *conn);

#endif
