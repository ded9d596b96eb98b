/*
 * rules.c — `paminn books-lock` and `paminn rates`: the rules of the books
 * an administrator sets from the command line, through the same
 * operations as the HTTP API (app/app_rules.h).
 *
 *   paminn [--db DSN] [--now TIME] books-lock --company ID (--through YYYY-MM-DD | --unlock |
 * --show) paminn [--db DSN] rates list paminn [--db DSN] rates add YYYY-MM-DD PERCENT [--source
 * TEXT]
 *
 * Exit status 0 on success, 1 when the operation failed (the reason on
 * stderr), 2 on bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_companies.h"
#include "app/app_rules.h"
#include "cli/cli.h"
#include "core/date.h"

/* ---- books-lock ---- */

struct lock_args {
    int32_t through;
};

static enum pm_err lock_op(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    const struct lock_args *la = arg;

    return app_rules_lock_books(ax, la->through, e);
}

static void print_lock(int32_t through)
{
    char day[DATE_ISO_LEN + 1];

    if (through <= 0) {
        printf("the books are not locked\n");
        return;
    }
    date_format_iso(through, day);
    printf("the books are locked up to %s\n", day);
}

static int lock_usage(FILE *f, int status)
{
    fprintf(f, "usage: paminn [--db DSN] [--now TIME] books-lock --company ID\n"
               "         (--through YYYY-MM-DD | --unlock | --show)\n\n"
               "Lock the company's books up to a date (at most today): no payment, reminder,\n"
               "invoice or customer loss dated on or before it is booked afterwards.\n");
    return status;
}

int cli_books_lock(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"company", required_argument, NULL, 'c'}, {"through", required_argument, NULL, 't'},
        {"unlock", no_argument, NULL, 'u'},        {"show", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    struct lock_args la = {0};
    struct app_ctx ax;
    struct app_error e;
    struct company co;
    int64_t company_id = 0;
    int opt, actions = 0;
    bool show = false;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            if (!cli_parse_int(optarg, 1, INT64_MAX, &company_id)) {
                cli_errorf("books-lock", "--company: '%s' is not a company id", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 't':
            if (date_parse_iso(optarg, &la.through)) {
                cli_errorf("books-lock", "--through: '%s' is not a date (YYYY-MM-DD)", optarg);
                return CLI_EXIT_USAGE;
            }
            actions++;
            break;
        case 'u':
            la.through = 0;
            actions++;
            break;
        case 's':
            show = true;
            actions++;
            break;
        case 'h':
            return lock_usage(stdout, CLI_EXIT_OK);
        default:
            return CLI_EXIT_USAGE;
        }
    }
    if (!company_id || actions != 1 || optind != argc) {
        cli_errorf("books-lock",
                   "--company ID and one of --through, --unlock, --show are required");
        return CLI_EXIT_USAGE;
    }
    if (cli_books_ctx(c, "books-lock", company_id, &co, &ax))
        return CLI_EXIT_FAILED;
    app_error_clear(&e);
    if (show ? app_rules_books_locked(&ax, &la.through, &e) : app_atomic(&ax, lock_op, &la, &e)) {
        cli_report("books-lock", &e);
        return CLI_EXIT_FAILED;
    }
    print_lock(la.through);
    return CLI_EXIT_OK;
}
