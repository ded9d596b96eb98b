/*
 * rules.c — `paminn books-lock` and `paminn rates`: the rules of the books
 * an administrator sets from the command line, through the same
 * operations as the HTTP API (app/app_rules.h).
 *
 *   paminn [--now TIME] books-lock --company ID (--through DATE | --unlock | --show)
 *   paminn [--data-dir DIR] rates list
 *   paminn [--data-dir DIR] rates add [--source TEXT] YYYY-MM-DD PERCENT
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
#include "core/interest.h"
#include "util/buf.h"
#include "util/clock.h"

#define RATES_FILE_MAX (1024 * 1024)

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
    if (show ? app_books_locked(&ax, &la.through, &e) : app_atomic(&ax, lock_op, &la, &e)) {
        cli_report("books-lock", &e);
        return CLI_EXIT_FAILED;
    }
    print_lock(la.through);
    return CLI_EXIT_OK;
}

/* ---- rates ---- */

enum pm_err cli_load_rates(const char *cmd, const char *data_dir, struct rate_table *rates)
{
    struct buf text = BUF_INIT, path = BUF_INIT;
    struct pm_error err = {0};
    enum pm_err rc;

    rc = buf_addf(&path, "%s/reference-rates.csv", data_dir);
    if (rc)
        goto out_release;
    rc = buf_read_file(&text, path.data, RATES_FILE_MAX);
    if (rc) {
        cli_errorf(cmd, "cannot read %s (%s)", path.data, pm_err_name(rc));
        goto out_release;
    }
    rc = rate_table_parse(text.data, text.len, rates, &err);
    if (rc)
        cli_errorf(cmd, "%s: %s", path.data, err.message);
out_release:
    buf_release(&text);
    buf_release(&path);
    return rc;
}

struct rate_args {
    int32_t from, bp;
    const char *source;
};

static void print_rates(const struct rate_table *t, int32_t today)
{
    char from[DATE_ISO_LEN + 1], added[DATE_ISO_LEN + 1];
    size_t i;

    for (i = 0; i < t->n; i++) {
        const struct rate_period *p = &t->periods[i];

        date_format_iso(p->from, from);
        if (p->added > 0)
            date_format_iso(p->added, added);
        printf("%s  %d.%02d %%  %s%s%s%s\n", from, p->reference_bp / 100,
               abs(p->reference_bp % 100), p->source, p->added > 0 ? " (added " : "",
               p->added > 0 ? added : "", p->added > 0 ? ")" : "");
    }
    if (!rate_table_period(t, today)) {
        date_format_iso(today, from);
        printf("warning: no reference rate for the half-year of %s: interest to date is partial\n",
               from);
    }
}

static int rates_usage(FILE *f, int status)
{
    fprintf(f, "usage: paminn [--db DSN] [--data-dir DIR] rates list\n"
               "       paminn [--db DSN] [--data-dir DIR] rates add [--source TEXT] "
               "YYYY-MM-DD PERCENT\n\n"
               "The Riksbank reference rates of late-payment interest: those shipped in\n"
               "DATA_DIR/reference-rates.csv, continued by the half-years added here (kept in\n"
               "the database; in force at once, no rebuild or restart).  A rate is added for\n"
               "the half-year right after the last known one (1 January or 1 July), as a\n"
               "multiple of 0.50 (räntelagen 9 §).\n");
    return status;
}

int cli_rates(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"source", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct rate_args ra = {0, 0, "Sveriges riksbank"};
    struct rate_table shipped = {0}, t = {0};
    struct app_ctx ax;
    struct app_error e;
    int opt, status = CLI_EXIT_FAILED;
    bool add, help;

    /* rates SUBCOMMAND [--source TEXT] ARGS: the options follow the subcommand */
    help = argc == 2 && !strcmp(argv[1], "--help");
    if (argc < 2 || (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "list") != 0))
        return rates_usage(help ? stdout : stderr, help ? CLI_EXIT_OK : CLI_EXIT_USAGE);
    add = !strcmp(argv[1], "add");
    argc--;
    argv++;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 's':
            if (!cli_text_ok("rates", "--source", optarg, 0))
                return CLI_EXIT_USAGE;
            ra.source = optarg;
            break;
        case 'h':
            return rates_usage(stdout, CLI_EXIT_OK);
        default:
            return CLI_EXIT_USAGE;
        }
    }
    if (optind + (add ? 2 : 0) != argc)
        return rates_usage(stderr, CLI_EXIT_USAGE);
    if (add && date_parse_iso(argv[optind], &ra.from)) {
        cli_errorf("rates", "'%s' is not a date (YYYY-MM-DD)", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (add && rate_parse_percent(argv[optind + 1], &ra.bp)) {
        cli_errorf("rates", "'%s' is not a rate in percent like 2.00", argv[optind + 1]);
        return CLI_EXIT_USAGE;
    }
    if (cli_load_rates("rates", c->data_dir, &shipped))
        return CLI_EXIT_FAILED;
    memset(&ax, 0, sizeof(ax));
    ax.store = c->store;
    ax.clock = &c->clock;
    ax.rates = &shipped;
    ax.today = cli_today(c);
    ax.actor = "cli";
    app_error_clear(&e);
    if (add && app_rules_rate_add(&ax, ra.from, ra.bp, ra.source, &e)) {
        cli_report("rates", &e);
        goto out_release;
    }
    if (app_rules_rates(&ax, &t, &e)) {
        cli_report("rates", &e);
        goto out_release;
    }
    print_rates(&t, ax.today);
    status = CLI_EXIT_OK;
out_release:
    rate_table_release(&t);
    rate_table_release(&shipped);
    return status;
}
