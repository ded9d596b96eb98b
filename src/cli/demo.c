/*
 * demo.c — `paminn demo-data`: a deterministic, realistic demo company
 * (app/app_demo.h builds it).
 *
 *   paminn [--db DSN] [--now TIME] demo-data [--invoices N] [--password PW]
 *          [--vouchers | --no-vouchers]
 *
 * The same --now gives the same database.  --invoices N scales the
 * company up (a million for the benchmarks).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_companies.h"
#include "app/app_demo.h"
#include "cli/cli.h"
#include "core/date.h"

struct progress {
    const char *db;
    int32_t today;
};

static void progress(void *arg, int64_t written)
{
    const struct progress *p = arg;
    char today_iso[DATE_ISO_LEN + 1];

    if (written == 0) {
        date_format_iso(p->today, today_iso);
        printf("demo-data: building the demo company as of %s in %s\n", today_iso, p->db);
    } else if (written % 100000 == 0) {
        printf("demo-data: %lld invoices\n", (long long)written);
    }
}

static int usage(FILE *f, int status)
{
    fprintf(f, "usage: paminn [--db DSN] [--now TIME] demo-data [--invoices N] [--password PW]\n"
               "              [--vouchers | --no-vouchers]\n\n"
               "Create the demo company Snickarglädje i Västerås AB with customers and\n"
               "invoices (default 400; up to 1000000), and the user " APP_DEMO_EMAIL ".\n"
               "The same --now gives the same data.  The database must not hold the demo\n"
               "user already.  The invoices' and payments' vouchers are booked too (for the\n"
               "SIE export) unless --no-vouchers; above 50 000 invoices only with --vouchers.\n");
    return status;
}

int cli_demo_data(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"invoices", required_argument, NULL, 'i'}, {"password", required_argument, NULL, 'p'},
        {"vouchers", no_argument, NULL, 'v'},       {"no-vouchers", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    struct progress pr = {c->db, cli_today(c)};
    struct app_demo_options o = {
        .today = pr.today, .invoices = 400, .vouchers = -1, .progress = progress, .arg = &pr};
    struct app_demo_summary *s = NULL;
    struct app_error e;
    char today_iso[DATE_ISO_LEN + 1];
    struct timespec t0, t1;
    const struct company *co;
    int opt, status = CLI_EXIT_FAILED;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'i':
            if (!cli_parse_int(optarg, 1, 1000000, &o.invoices)) {
                cli_errorf("demo-data", "--invoices: '%s' is not a number from 1 to 1000000",
                           optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'p':
            o.password = optarg;
            break;
        case 'v':
        case 'V':
            o.vouchers = opt == 'v';
            break;
        case 'h':
            return usage(stdout, CLI_EXIT_OK);
        default:
            return usage(stderr, CLI_EXIT_USAGE);
        }
    }
    if (optind < argc)
        return usage(stderr, CLI_EXIT_USAGE);
    if (o.password && strlen(o.password) < APP_PASSWORD_MIN) {
        cli_errorf("demo-data", "--password: at least %d characters are required",
                   APP_PASSWORD_MIN);
        return CLI_EXIT_USAGE;
    }
    s = malloc(sizeof(*s));
    if (!s) {
        cli_errorf("demo-data", "out of memory");
        return CLI_EXIT_FAILED;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    app_error_clear(&e);
    if (app_demo_build(c->store, &o, s, &e)) {
        if (e.rc == PM_ERR_CONFLICT && !strcmp(e.field, "email"))
            cli_errorf("demo-data",
                       "the database %s already holds the demo company; use a new --db", c->db);
        else
            cli_errorf("demo-data", "%s: %s", pm_err_name(e.rc), e.detail[0] ? e.detail : "failed");
        goto out_free;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    co = &s->company;
    date_format_iso(o.today, today_iso);
    printf("\nCompany %lld: %s, org. nr %.6s-%s, bankgiro %s\n", (long long)co->id, co->name,
           co->organization_no, co->organization_no + 6, co->bankgiro);
    printf("  customers: %zu (%zu persons, %zu companies, %zu abroad; %zu cards lack an "
           "address or postal code)\n",
           s->customers, s->persons, s->businesses, s->foreign, s->incomplete);
    printf("  invoices:  %zu (%zu ROT, %zu RUT, %zu in EUR), %zu payments\n", s->invoices, s->rot,
           s->rut, s->eur, s->payments);
    printf("  as of %s: %lld unpaid, of which %lld overdue; %lld paid\n", today_iso,
           (long long)s->counts[FILTER_UNPAID], (long long)s->counts[FILTER_OVERDUE],
           (long long)s->counts[FILTER_PAID]);
    printf("  vouchers:  %lld%s\n", (long long)s->vouchers,
           s->vouchers ? "" : " (--vouchers makes them; on by default up to 50 000 invoices)");
    printf("  log in as %s with password %s\n", APP_DEMO_EMAIL, s->password);
    printf("  built in %.1f s\n",
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    status = CLI_EXIT_OK;
out_free:
    free(s);
    return status;
}
