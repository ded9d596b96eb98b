/*
 * cli.h — the `paminn` command line: shared context of the subcommands.
 *
 * main.c parses the global options into a struct cli, opens what a
 * subcommand asks for, and dispatches through a table of commands; each
 * subcommand lives in its own file and reports errors on stderr with a
 * non-zero exit code (1 = the operation failed, 2 = bad usage).
 */
#ifndef PM_CLI_H
#define PM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "util/clock.h"
#include "util/err.h"

struct store;
struct tz;

#define CLI_EXIT_OK     0
#define CLI_EXIT_FAILED 1
#define CLI_EXIT_USAGE  2

struct cli {
    const char *program;  /* argv[0] */
    const char *db;       /* --db DSN */
    const char *data_dir; /* --data-dir: where reference-rates.csv is */
    struct clock clock;   /* --now fixes it */
    struct store *store;  /* opened and migrated for commands that need it */
    struct tz *tz;        /* Europe/Stockholm */
};

/* The company's local date now. */
int32_t cli_today(const struct cli *c);

/* Subcommands: argv[0] is the subcommand's name. */
int cli_migrate(struct cli *c, int argc, char **argv);
int cli_demo_data(struct cli *c, int argc, char **argv);
int cli_company(struct cli *c, int argc, char **argv);
int cli_user(struct cli *c, int argc, char **argv);
int cli_serve(struct cli *c, int argc, char **argv);
/* books (issue 6): books.c */
int cli_export_sie(struct cli *c, int argc, char **argv);
int cli_import_bgmax(struct cli *c, int argc, char **argv);
/* The vouchers of a company's invoices and payments as demo-data wrote them
 * (SEK invoices; invoice vouchers for the accrual method); *made = how many. */
enum pm_err cli_books_demo_vouchers(struct cli *c, int64_t company_id, int64_t *made);

/* ---- Amili hand-over (issue 4) ----
 * `paminn demo` (demo_run.c): the product with a local amili-sandbox.
 * The Amili options of `paminn serve` (serve_amili.c): serve.c passes the
 * options it does not know to cli_amili_option(), then starts what they
 * configure before the server and stops it after. */
int cli_demo(struct cli *c, int argc, char **argv);

enum {
    CLI_AMILI_OPT_URL = 1000,
    CLI_AMILI_OPT_CODE,
    CLI_AMILI_OPT_KEY,
    CLI_AMILI_OPT_SECRET,
    CLI_AMILI_OPT_CONCURRENCY,
    CLI_AMILI_OPT_SYNC,
    CLI_AMILI_OPT_LEASE,
};

#define CLI_AMILI_LONG_OPTIONS                                                        \
    {"amili-url", required_argument, NULL, CLI_AMILI_OPT_URL},                        \
        {"amili-api-code", required_argument, NULL, CLI_AMILI_OPT_CODE},              \
        {"amili-key", required_argument, NULL, CLI_AMILI_OPT_KEY},                    \
        {"secret-key", required_argument, NULL, CLI_AMILI_OPT_SECRET},                \
        {"dispatch-concurrency", required_argument, NULL, CLI_AMILI_OPT_CONCURRENCY}, \
        {"sync-interval", required_argument, NULL, CLI_AMILI_OPT_SYNC},               \
    {                                                                                 \
        "lease-seconds", required_argument, NULL, CLI_AMILI_OPT_LEASE                 \
    }

struct agency;
struct agency_service;

struct cli_amili {
    const char *url, *api_code, *key_file, *secret_key_file;
    int concurrency, sync_interval, lease_seconds; /* 0 = default */
    struct agency *agency;          /* started by cli_amili_start, NULL when not configured */
    struct agency_service *service; /* the dispatcher and sync threads */
};

extern const char *const cli_amili_usage;
/* Take option opt (its argument arg) when it is an Amili option: true, and
 * *status CLI_EXIT_USAGE when the value is bad. */
bool cli_amili_option(struct cli_amili *am, int opt, const char *arg, int *status);
/* Start the agency client and its threads when configured (flags, then
 * environment); CLI_EXIT_OK also when not configured (am->agency NULL). */
int cli_amili_start(struct cli_amili *am, struct cli *c, const char *db);
void cli_amili_stop(struct cli_amili *am);
/* ---- end Amili hand-over ---- */

/* Print "paminn SUBCOMMAND: message" to stderr. */
void cli_errorf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Strict integer option parsing: the whole text, within [min, max]. */
bool cli_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
