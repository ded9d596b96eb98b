/*
 * agency.h — the Visma Amili client: configuration, the transport (a table
 * of operations), the access token, and the dispatcher and status sync that
 * run inside `paminn serve`.
 *
 * Layer agency/ sits beside store/ and letter/: it uses util, core and the
 * store, and the API and the command line use it.  Pieces:
 *
 *   agency.h          this file: struct agency (the shared, thread-safe
 *                     client), struct agency_ops (the transport) and
 *                     struct agency_call (one HTTP exchange);
 *   agency_curl.c     the real transport: libcurl multi, keep-alive;
 *   agency_client.c   struct agency; the JWT (libjwt, ES256) and the access
 *                     token, cached in memory and sealed in the store;
 *   agency_vault.c    the secret key and libsodium secretbox sealing;
 *   agency_amili.h/c  the protocol: request bodies, answers, and every
 *                     choice the public documentation leaves open ([ours]);
 *   agency_edge.h/c   pure helpers at the edge: öre <-> SEK decimals,
 *                     RFC 1123 dates, backoff with jitter, Retry-After;
 *   agency_dispatch.c the outbox dispatcher (leases, retries, uploads);
 *   agency_sync.c     the status sync (cases, payments, payouts);
 *   agency_record.c   what the agency says, recorded once (history,
 *                     cases, agency payments), also for the live look-up;
 *   agency_service.c  the dispatcher's and the sync's threads;
 *   agency_keys.c     a partner key pair (OpenSSL), for `paminn demo`;
 *   agency_pdf.c      the invoice PDF uploaded as the original invoice.
 *
 * Threads: struct agency is shared by every thread (the token cache and the
 * wake-up signal lock themselves); a struct agency_conn (one curl multi) and
 * a struct store belong to one thread.
 */
#ifndef PM_AGENCY_H
#define PM_AGENCY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"

struct store;
struct tz;

#define AGENCY_SECRET_KEY_BYTES    32
#define AGENCY_DEFAULT_CONCURRENCY 8
#define AGENCY_DEFAULT_SYNC_S      30
#define AGENCY_DEFAULT_LEASE_S     30
#define AGENCY_TOKEN_MAX           256
#define AGENCY_RESPONSE_MAX        (8 * 1024 * 1024) /* bytes of an answer we read */

/* What `paminn serve` configures (flags, then environment). */
struct agency_config {
    const char *url;                                   /* base URL without a trailing slash */
    const char *api_code;                              /* the partner's API code */
    const char *key_pem;                               /* the partner's EC private key (PEM text) */
    unsigned char secret_key[AGENCY_SECRET_KEY_BYTES]; /* seals secrets at rest */
    int concurrency;                                   /* dispatcher calls in flight, 1..64 */
    int sync_interval_s;                               /* status sync period */
    int lease_s;                                       /* outbox lease */
    long request_timeout_ms; /* one HTTP exchange; 0 = 2/3 of lease_s, at most 10 s */
};

/* ---- one HTTP exchange ---- */

enum agency_transport {
    AGENCY_T_NONE,     /* not finished */
    AGENCY_T_ANSWERED, /* an HTTP status came back: see status */
    AGENCY_T_TIMEOUT,  /* no answer in time (it may have been processed) */
    AGENCY_T_CONNECT,  /* could not connect (nothing was sent) */
    AGENCY_T_LOST,     /* the connection closed without an answer */
    AGENCY_T_FAILED,   /* anything else the transport could not do */
};

struct agency_form_field {
    const char *name;
    const char *value;
};

struct agency_call {
    /* The request, set by the caller; pointers are borrowed until done. */
    const char *method; /* "GET" | "POST" */
    char path[2048];    /* absolute path with query, already escaped */
    const char *body;   /* JSON text, or NULL */
    size_t body_len;
    /* A multipart upload instead of a JSON body (file != NULL). */
    const unsigned char *file;
    size_t file_len;
    const char *file_name;
    const char *file_type;
    const struct agency_form_field *form; /* extra fields, NULL-terminated by name */
    char api_key[AGENCY_TOKEN_MAX + 8];   /* X-API-Key value, "" = none */
    long timeout_ms;
    void *user; /* the caller's, untouched */

    /* The answer, set by the transport. */
    enum agency_transport outcome;
    int status;
    struct buf response;  /* body, at most AGENCY_RESPONSE_MAX */
    char retry_after[64]; /* the Retry-After header, or "" */
    char error[256];      /* transport detail for logs */
    void *impl;           /* the transport's */
};

/* Reset a call for reuse (keeps its response buffer's memory). */
void agency_call_reset(struct agency_call *c);
/* Free what the call owns. */
void agency_call_release(struct agency_call *c);

struct agency_conn;

/* The transport: tests may swap it for a fake. */
struct agency_ops {
    const char *name;
    /* A connection pool for one thread, at most max_parallel calls at once. */
    struct agency_conn *(*conn_new)(const char *base_url, int max_parallel);
    void (*conn_free)(struct agency_conn **c);
    /* Start a call (its request fields set); finished calls come from next(). */
    enum pm_err (*start)(struct agency_conn *c, struct agency_call *call);
    /* Wait up to timeout_ms for a started call to finish: *done is one
     * finished call, or NULL when none finished in time. */
    enum pm_err (*next)(struct agency_conn *c, int timeout_ms, struct agency_call **done);
    /* Started calls not yet returned by next(). */
    int (*in_flight)(const struct agency_conn *c);
};

extern const struct agency_ops agency_curl_ops;

/* ---- the shared client ---- */

struct agency;

/* A client for cfg (copied).  The caller frees it with agency_free().
 * NULL with e filled when the key cannot be read or libcurl not started. */
struct agency *agency_new(const struct agency_config *cfg, const struct agency_ops *ops,
                          struct pm_error *e);
void agency_free(struct agency **a);

const struct agency_config *agency_config_of(const struct agency *a);
const struct agency_ops *agency_ops_of(const struct agency *a);
/* A connection pool for the calling thread (conn_free it). */
struct agency_conn *agency_conn_new(const struct agency *a, int max_parallel);

/* Run one call to its end on conn (no other call may be in flight there). */
enum pm_err agency_call_run(const struct agency *a, struct agency_conn *conn,
                            struct agency_call *call);

/* A valid access token in dst (AGENCY_TOKEN_MAX): the cached one, the one
 * sealed in the store (st may be NULL), or a new one from the agency.
 * PM_ERR_IO when the agency could not be reached, PM_ERR_INVALID when it
 * refused (e detailed). */
enum pm_err agency_token(struct agency *a, struct store *st, char *dst, struct pm_error *e);
/* Forget token (after a 401), unless a newer one is cached already. */
void agency_token_forget(struct agency *a, const char *token);

/* Wake the dispatcher (new work in the outbox); wait for a wake-up. */
void agency_wake(struct agency *a);
void agency_wait(struct agency *a, int timeout_ms);

/* Completed rounds of the background loops since the client was made: a
 * dispatcher round looks at the outbox (leases what is due, commits the
 * results of finished calls); a sync round goes over every active company.
 * Published by /healthz, so that a caller can wait for "two more rounds"
 * before concluding that something happened once. */
enum agency_loop {
    AGENCY_LOOP_DISPATCH,
    AGENCY_LOOP_SYNC,
};
void agency_round_done(struct agency *a, enum agency_loop loop);
uint64_t agency_rounds(const struct agency *a, enum agency_loop loop);

/* ---- secrets at rest (agency_vault.c) ---- */

/* Read a 32-byte key from path (raw 32 bytes or 64 hex digits); when the
 * file is missing and create is true, write a new random key there with
 * mode 0600 (creating its directory). */
enum pm_err agency_vault_key(const char *path, bool create,
                             unsigned char key[AGENCY_SECRET_KEY_BYTES], struct pm_error *e);
/* Seal len bytes: out gets nonce + MAC + ciphertext (len + AGENCY_SEAL_OVERHEAD). */
#define AGENCY_SEAL_OVERHEAD 40
enum pm_err agency_vault_seal(const unsigned char key[AGENCY_SECRET_KEY_BYTES], const void *data,
                              size_t len, unsigned char *out, size_t cap, size_t *out_len);
/* Open a sealed blob; PM_ERR_INVALID when it was not sealed with key. */
enum pm_err agency_vault_open(const unsigned char key[AGENCY_SECRET_KEY_BYTES],
                              const unsigned char *sealed, size_t len, void *out, size_t cap,
                              size_t *out_len);

/* ---- partner keys (agency_keys.c, OpenSSL) ---- */

/* A new EC P-256 key pair as PEM texts (malloc'ed; the caller frees). */
enum pm_err agency_keys_generate(char **private_pem, char **public_pem, struct pm_error *e);
/* The public key (PEM) of a PEM private key. */
enum pm_err agency_keys_public_of(const char *private_pem, char **public_pem, struct pm_error *e);

/* ---- the background work of `paminn serve` ---- */

struct agency_service_config {
    const char *db;            /* store DSN; the threads open their own handles */
    const struct clock *clock; /* business time, for history stamps */
    const struct tz *tz;       /* Europe/Stockholm */
};

struct agency_service;

/* Start the dispatcher and the status sync threads. */
enum pm_err agency_service_start(struct agency *a, const struct agency_service_config *cfg,
                                 struct agency_service **out, struct pm_error *e);
/* Stop both threads (calls in flight are abandoned: their leases expire and
 * the rows are taken over, after a look-up, by the next run). */
void agency_service_stop(struct agency_service **s);

/* The dispatcher's and the sync's thread bodies, for the service. */
struct agency_dispatcher;
struct agency_dispatcher *agency_dispatcher_new(struct agency *a, const char *db,
                                                const struct clock *clock, struct pm_error *e);
/* Run until *stop becomes true. */
void agency_dispatcher_run(struct agency_dispatcher *d, const atomic_int *stop);
void agency_dispatcher_free(struct agency_dispatcher **d);

struct agency_syncer;
struct agency_syncer *agency_syncer_new(struct agency *a, const char *db, const struct clock *clock,
                                        struct pm_error *e);
void agency_syncer_run(struct agency_syncer *s, const atomic_int *stop);
void agency_syncer_free(struct agency_syncer **s);

#endif
