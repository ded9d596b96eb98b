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

#endif
