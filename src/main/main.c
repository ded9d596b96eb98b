/*
 * main.c — entry point of `paminn`: global options and the command table.
 *
 * Part of src/main, the composition root: the commands are src/cli's
 * (argv into application calls) and serve / demo (main/serve.h).
 *
 *   paminn [--db DSN] [--now TIME] [--data-dir DIR] COMMAND [ARGS...]
 *
 * The command table is data: name, handler, whether it needs the store,
 * and its one-line help.  Every command answers --help.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "main/serve.h"
#include "core/date.h"
#include "store/store.h"
#include "util/tz.h"

struct command {
    const char *name;
    int (*run)(struct cli *c, int argc, char **argv);
    enum { NO_STORE, OPEN_STORE, MIGRATED_STORE } store;
    const char *summary;
};

static const struct command commands[] = {
    {"migrate", cli_migrate, OPEN_STORE, "create or upgrade the database schema"},
    {"demo-data", cli_demo_data, MIGRATED_STORE,
     "fill the database with a deterministic demo company"},
    {"company", cli_company, MIGRATED_STORE, "company administration: company add, company list"},
    {"user", cli_user, MIGRATED_STORE, "user administration: user add"},
    {"serve", serve_command, NO_STORE,
     "run the HTTP server: JSON API under /api/v1 and the web UI"},
    {"export-sie", cli_export_sie, MIGRATED_STORE, "write a year's vouchers as a SIE 4 file"},
    {"import-bgmax", cli_import_bgmax, MIGRATED_STORE,
     "import a Bankgirot BgMax file of incoming payments"},
    {"import-camt054", cli_import_camt054, MIGRATED_STORE,
     "import an ISO 20022 camt.054 file of incoming payments"},
    {"unmatched", cli_unmatched, MIGRATED_STORE,
     "bank payments that matched no invoice: unmatched list, unmatched confirm ID"},
    {"credit-note", cli_credit_note, MIGRATED_STORE,
     "credit an invoice (kreditfaktura): all that is left or --amount, with --reason"},
    {"statement", cli_statement, MIGRATED_STORE,
     "a customer's statement (kontoutdrag) as of a date: printed, --pdf FILE, --email"},
    {"remind", cli_remind, MIGRATED_STORE,
     "make manual reminders of invoices (a batch), optionally e-mailed (--email)"},
    {"books-lock", cli_books_lock, MIGRATED_STORE, "lock the books up to a date"},
    {"rates", cli_rates, MIGRATED_STORE,
     "reference rates of late-payment interest: rates list, rates add FROM PERCENT"},
    {"demo", demo_run_command, NO_STORE, "serve with a local amili-sandbox as Visma Amili (demo)"},
    {"dunning", dunning_command, MIGRATED_STORE,
     "the daily reminder run: dunning run [--company ID] [--approve]"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: paminn [--db DSN] [--now TIME] [--data-dir DIR] COMMAND [ARGS...]\n\n"
               "Påminn — receivables follow-up: overdue invoices, reminders and hand-over\n"
               "to Visma Amili.\n\n"
               "Global options:\n"
               "  --db DSN        database: sqlite:PATH or a file path (default: $PAMINN_DB or\n"
               "                  paminn.db)\n"
               "  --now TIME      pretend it is TIME (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)\n"
               "  --data-dir DIR  where reference-rates.csv and camt054.xsd live (default:\n"
               "                  $PAMINN_DATA_DIR or ./data)\n\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'paminn COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},       {"now", required_argument, NULL, 'n'},
        {"data-dir", required_argument, NULL, 'r'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},        {NULL, 0, NULL, 0},
    };
    struct cli c = {0};
    const struct command *cmd = NULL;
    struct pm_error err = {0};
    const char *now;
    int opt, status = CLI_EXIT_USAGE;
    enum pm_err rc;

    /* Everything paminn creates — the database and its journals, keys,
     * exported books — is its owner's alone (0600, directories 0700). */
    umask(S_IRWXG | S_IRWXO);
    c.program = argv[0];
    c.db = getenv("PAMINN_DB") ? getenv("PAMINN_DB") : "paminn.db";
    c.data_dir = getenv("PAMINN_DATA_DIR") ? getenv("PAMINN_DATA_DIR") : "data";
    now = getenv("PAMINN_NOW");
    /* '+' stops at the first non-option: the subcommand's options are its own. */
    while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            c.db = optarg;
            break;
        case 'n':
            now = optarg;
            break;
        case 'r':
            c.data_dir = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        case 'V':
            printf("paminn 0.1.0\n");
            return CLI_EXIT_OK;
        default:
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[optind], commands[i].name))
            cmd = &commands[i];
    if (!cmd) {
        fprintf(stderr, "paminn: unknown command '%s'\n\n", argv[optind]);
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (now && *now && clock_parse_fixed(now, &c.clock)) {
        cli_errorf(cmd->name, "--now: '%s' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", now);
        return CLI_EXIT_USAGE;
    }
    rc = tz_load("Europe/Stockholm", &c.tz);
    if (rc) {
        cli_errorf(cmd->name, "cannot load time zone Europe/Stockholm (%s): is tzdata installed?",
                   pm_err_name(rc));
        return CLI_EXIT_FAILED;
    }
    /* A command's own --help needs no database. */
    for (int i = optind + 1; i < argc; i++)
        if (!strcmp(argv[i], "--help"))
            goto run;
    if (cmd->store != NO_STORE) {
        rc = store_open(c.db, &c.store, &err);
        if (!rc && cmd->store == MIGRATED_STORE)
            rc = store_migrate(c.store, NULL);
        if (rc) {
            char shown[512];

            store_dsn_redacted(c.db, shown, sizeof(shown));
            cli_errorf(cmd->name, "cannot open database '%s': %s", shown,
                       err.message[0] ? err.message
                       : c.store      ? store_error(c.store)->message
                                      : pm_err_name(rc));
            status = CLI_EXIT_FAILED;
            goto out;
        }
    }
run:
    optind++;
    status = cmd->run(&c, argc - optind + 1, argv + optind - 1);
out:
    store_close(&c.store);
    tz_free(&c.tz);
    return status;
}
