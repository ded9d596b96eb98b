/*
 * serve.h — the composition of the running product: `paminn serve` wires
 * the HTTP server (src/api), the Visma Amili client with its dispatcher and
 * status sync (src/agency) and the store; `paminn demo` runs the same with
 * a local amili-sandbox.
 *
 * Part of src/main, the composition root: the binary's main() (main.c),
 * serve.c, serve_amili.c (the Amili options of serve: serve.c passes the
 * options it does not know to serve_amili_option(), then starts what they
 * configure before the server and stops it after) and demo_run.c.  The
 * layers below know nothing of this folder.
 */
#ifndef PM_MAIN_SERVE_H
#define PM_MAIN_SERVE_H

#include <getopt.h>
#include <stdbool.h>

#include "cli/cli.h"

/* `paminn serve` and `paminn demo`: argv[0] is the command's name. */
int serve_command(struct cli *c, int argc, char **argv);
int demo_run_command(struct cli *c, int argc, char **argv);

enum {
    SERVE_AMILI_OPT_URL = 1000,
    SERVE_AMILI_OPT_CODE,
    SERVE_AMILI_OPT_KEY,
    SERVE_AMILI_OPT_SECRET,
    SERVE_AMILI_OPT_CONCURRENCY,
    SERVE_AMILI_OPT_SYNC,
    SERVE_AMILI_OPT_LEASE,
};

#define SERVE_AMILI_LONG_OPTIONS                                                        \
    {"amili-url", required_argument, NULL, SERVE_AMILI_OPT_URL},                        \
        {"amili-api-code", required_argument, NULL, SERVE_AMILI_OPT_CODE},              \
        {"amili-key", required_argument, NULL, SERVE_AMILI_OPT_KEY},                    \
        {"secret-key", required_argument, NULL, SERVE_AMILI_OPT_SECRET},                \
        {"dispatch-concurrency", required_argument, NULL, SERVE_AMILI_OPT_CONCURRENCY}, \
        {"sync-interval", required_argument, NULL, SERVE_AMILI_OPT_SYNC},               \
    {                                                                                   \
        "lease-seconds", required_argument, NULL, SERVE_AMILI_OPT_LEASE                 \
    }

struct agency;
struct agency_service;

struct serve_amili {
    const char *url, *api_code, *key_file, *secret_key_file;
    int concurrency, sync_interval, lease_seconds; /* 0 = default */
    struct agency *agency;          /* started by serve_amili_start, NULL when not configured */
    struct agency_service *service; /* the dispatcher and sync threads */
};

extern const char *const serve_amili_usage;

/* ---- the daily dunning run: dunning.c ---- */

struct tz;
struct rate_table;
struct dunning_scheduler;

struct dunning_scheduler_config {
    const char *db; /* the scheduler's own store handle */
    const struct clock *clock;
    const struct tz *tz;
    const struct rate_table *rates;
    struct agency *agency; /* NULL: hand-overs fail agency_not_configured */
    int every_s;           /* seconds between ticks; 0 = no scheduler */
    int hour;              /* a tick before this local hour does nothing */
};

#define DUNNING_DEFAULT_EVERY_S 300
#define DUNNING_DEFAULT_HOUR    6

/* Start the thread (nothing when cfg->every_s is 0; *out stays NULL);
 * -1 when it cannot start. */
int dunning_scheduler_start(const struct dunning_scheduler_config *cfg,
                            struct dunning_scheduler **out);
void dunning_scheduler_stop(struct dunning_scheduler **s);

/* `paminn dunning run`. */
int dunning_command(struct cli *c, int argc, char **argv);
/* Take option opt (its argument arg) when it is an Amili option: true, and
 * *status CLI_EXIT_USAGE when the value is bad. */
bool serve_amili_option(struct serve_amili *am, int opt, const char *arg, int *status);
/* Start the agency client and its threads when configured (flags, then
 * environment); CLI_EXIT_OK also when not configured (am->agency NULL). */
int serve_amili_start(struct serve_amili *am, struct cli *c, const char *db);
void serve_amili_stop(struct serve_amili *am);

/* ---- e-mail of reminders (serve_mail.c) ---- */

enum {
    SERVE_MAIL_OPT_URL = 1100,
    SERVE_MAIL_OPT_USER,
    SERVE_MAIL_OPT_PASSWORD_FILE,
    SERVE_MAIL_OPT_FROM,
    SERVE_MAIL_OPT_TLS,
    SERVE_MAIL_OPT_INSECURE,
    SERVE_MAIL_OPT_RETRY,
    SERVE_MAIL_OPT_ATTEMPTS,
    SERVE_MAIL_OPT_LEASE,
    SERVE_MAIL_OPT_TIMEOUT,
    SERVE_MAIL_OPT_CONNECTIONS,
};

#define SERVE_MAIL_LONG_OPTIONS                                                        \
    {"smtp-url", required_argument, NULL, SERVE_MAIL_OPT_URL},                         \
        {"smtp-user", required_argument, NULL, SERVE_MAIL_OPT_USER},                   \
        {"smtp-password-file", required_argument, NULL, SERVE_MAIL_OPT_PASSWORD_FILE}, \
        {"smtp-from", required_argument, NULL, SERVE_MAIL_OPT_FROM},                   \
        {"smtp-tls", required_argument, NULL, SERVE_MAIL_OPT_TLS},                     \
        {"smtp-insecure", no_argument, NULL, SERVE_MAIL_OPT_INSECURE},                 \
        {"smtp-retry-seconds", required_argument, NULL, SERVE_MAIL_OPT_RETRY},         \
        {"smtp-max-attempts", required_argument, NULL, SERVE_MAIL_OPT_ATTEMPTS},       \
        {"smtp-lease-seconds", required_argument, NULL, SERVE_MAIL_OPT_LEASE},         \
        {"smtp-connections", required_argument, NULL, SERVE_MAIL_OPT_CONNECTIONS},     \
    {                                                                                  \
        "smtp-timeout", required_argument, NULL, SERVE_MAIL_OPT_TIMEOUT                \
    }

struct serve_mail_worker;

struct serve_mail {
    const char *url, *user, *password_file, *from, *tls;
    bool insecure;
    int retry_s, max_attempts, lease_s, timeout_s; /* 0 = default */
    int connections;                               /* dispatcher threads, 0 = default (2) */
    struct serve_mail_worker *worker[16];          /* the dispatcher threads, when started */
    int n_workers;
};

struct api_ini;

extern const char *const serve_mail_usage;
/* Take option opt (argument arg) when it is a mail option: true, and
 * *status CLI_EXIT_USAGE when the value is bad. */
bool serve_mail_option(struct serve_mail *m, int opt, const char *arg, int *status);
/* Fill what flags left unset from the INI file's smtp_* keys. */
void serve_mail_from_ini(struct serve_mail *m, const struct api_ini *ini);
/* Start the mail dispatcher when --smtp-url is given (CLI_EXIT_OK also when
 * it is not: m->worker NULL). */
int serve_mail_start(struct serve_mail *m, struct cli *c, const char *db);
/* Stop the dispatcher: the mail in flight is finished first. */
void serve_mail_stop(struct serve_mail *m);

/* ---- webhooks (serve_webhooks.c) ---- */

enum {
    SERVE_WEBHOOK_OPT_WORKERS = 1200,
    SERVE_WEBHOOK_OPT_RETRY,
    SERVE_WEBHOOK_OPT_ATTEMPTS,
    SERVE_WEBHOOK_OPT_LEASE,
    SERVE_WEBHOOK_OPT_TIMEOUT,
    SERVE_WEBHOOK_OPT_LOOPBACK,
};

#define SERVE_WEBHOOK_LONG_OPTIONS                                                     \
    {"webhook-workers", required_argument, NULL, SERVE_WEBHOOK_OPT_WORKERS},           \
        {"webhook-retry-seconds", required_argument, NULL, SERVE_WEBHOOK_OPT_RETRY},   \
        {"webhook-max-attempts", required_argument, NULL, SERVE_WEBHOOK_OPT_ATTEMPTS}, \
        {"webhook-lease-seconds", required_argument, NULL, SERVE_WEBHOOK_OPT_LEASE},   \
        {"webhook-timeout", required_argument, NULL, SERVE_WEBHOOK_OPT_TIMEOUT},       \
    {                                                                                  \
        "webhook-allow-http-loopback", no_argument, NULL, SERVE_WEBHOOK_OPT_LOOPBACK   \
    }

struct serve_webhooks_worker;

struct serve_webhooks {
    int workers; /* dispatcher threads (workers_set: given; else 2) */
    bool workers_set;
    int retry_s, max_attempts, lease_s, timeout_s; /* 0 = default */
    bool allow_http_loopback;                      /* http://127.0.0.1 endpoints (tests) */
    struct serve_webhooks_worker *worker[16];
    int n_workers;
};

extern const char *const serve_webhooks_usage;
/* Take option opt (argument arg) when it is a webhook option: true, and
 * *status CLI_EXIT_USAGE when the value is bad. */
bool serve_webhooks_option(struct serve_webhooks *w, int opt, const char *arg, int *status);
/* Start the dispatcher threads. */
int serve_webhooks_start(struct serve_webhooks *w, const char *db);
/* Stop them: the delivery in flight is finished first. */
void serve_webhooks_stop(struct serve_webhooks *w);

#endif
