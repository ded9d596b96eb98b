/*
 * api_limiter.h — in-memory limits of failed logins: per e-mail, per client
 * address and in all.
 *
 * After API_LIMITER_ATTEMPTS failed logins for one e-mail address within
 * API_LIMITER_WINDOW_S seconds, further logins for it are refused (even with
 * the right password) until the oldest of those failures leaves the window.
 * The table lives in the server (one per process, behind its own mutex), is
 * bounded and keys addresses by the SHA-256 of their lower-cased text; when
 * it is full, the least recently used address that is not locked is
 * forgotten — a locked address never is, so junk failures cannot unlock it.
 * Besides, one client address (IP) may fail API_LIMITER_CLIENT_ATTEMPTS
 * times and all clients together API_LIMITER_GLOBAL_ATTEMPTS times per
 * window (a fixed window each); past that, logins from that client (or from
 * anyone) are refused until the window ends.  Time is passed in, so the
 * limiter is tested without waiting.
 */
#ifndef PM_API_LIMITER_H
#define PM_API_LIMITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define API_LIMITER_ATTEMPTS        5
#define API_LIMITER_WINDOW_S        900
#define API_LIMITER_CLIENT_ATTEMPTS 50
#define API_LIMITER_GLOBAL_ATTEMPTS 5000

struct api_limiter;

/* A limiter remembering up to `slots` e-mail addresses and as many client
 * addresses; NULL when out of memory.  The caller frees it with
 * api_limiter_free(), which sets *l to NULL. */
struct api_limiter *api_limiter_new(size_t slots);
void api_limiter_free(struct api_limiter **l);

/* Is the address blocked at `now` (unix seconds)?  If so *retry_after is the
 * number of seconds (>= 1) until it is not. */
bool api_limiter_blocked(struct api_limiter *l, const char *email, int64_t now,
                         int64_t *retry_after);
/* Record a failed login at `now`. */
void api_limiter_fail(struct api_limiter *l, const char *email, int64_t now);
/* Forget the failures of an address after a successful login. */
void api_limiter_success(struct api_limiter *l, const char *email);

/* Are logins from client (its IP address as text) refused at `now`, because
 * of its own failures or everyone's?  *retry_after as above. */
bool api_limiter_client_blocked(struct api_limiter *l, const char *client, int64_t now,
                                int64_t *retry_after);
/* Count a failed login from client at `now` (for the client and in all). */
void api_limiter_client_fail(struct api_limiter *l, const char *client, int64_t now);

#endif
