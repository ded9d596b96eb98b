/*
 * dunning.c — the daily dunning run, composed: the scheduler thread of
 * `paminn serve` and the command `paminn dunning run` for cron.  Both do a
 * company's day through app_dunning_daily() (app/app_dunning.h): finish
 * what a crash left, propose today's run, approve it when the company's
 * policy is automatic (or, for the command, with --approve).  A run is
 * one per company and day in the store, so two servers, or a server and
 * cron, never run a day twice.
 *
 * Before the runs, both note the invoices that fell due, for every
 * company (app/app_overdue.h): the scheduler on every round, whatever the
 * hour, so that an invoice is noted early the day after its due date.
 *
 *   paminn [--db DSN] [--now TIME] [--data-dir DIR] dunning run
 *          [--company ID] [--approve] [Amili options of serve]
 *
 * Part of src/main (it wires the agency client the hand-overs need).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_companies.h"
#include "app/app_dunning.h"
#include "app/app_overdue.h"
#include "cli/cli.h"
#include "core/date.h"
#include "core/interest.h"
#include "main/serve.h"
#include "store/store.h"
#include "store/store_overdue.h"
#include "util/clock.h"
#include "util/tz.h"

#define COMPANIES_MAX 10000

/* One company's day; the summary line on stdout (out) or stderr. */
static enum pm_err company_day(struct store *st, const struct clock *clock, const struct tz *tz,
                               const struct rate_table *rates, struct agency *agency,
                               int64_t company_id, bool approve, FILE *log)
{
    struct app_ctx ax;
    struct company co;
    struct dunning_policy_row pol;
    struct app_dunning_day day;
    struct app_error e;
    char date[16];
    bool stored = false;
    enum pm_err rc;

    memset(&ax, 0, sizeof(ax));
    ax.store = st;
    ax.clock = clock;
    ax.rates = rates;
    ax.agency = agency;
    app_error_clear(&e);
    rc = app_companies_get(&ax, company_id, &co, &e);
    if (rc) {
        fprintf(stderr, "paminn dunning: company %lld: %s\n", (long long)company_id,
                pm_err_name(rc));
        return rc;
    }
    ax.company_id = company_id;
    ax.company = &co;
    ax.today = date_local_from_utc(tz, clock_now_s(clock));
    ax.actor = "dunning";
    /* hand-overs are made in the name of whoever last saved the policy */
    if (!app_dunning_policy_get(&ax, 0, &pol, &stored, &e))
        ax.actor_user_id = pol.updated_by_user;
    rc = app_dunning_daily(&ax, approve, &day, &e);
    date_format_iso(ax.today, date);
    if (rc) {
        fprintf(stderr, "paminn dunning: company %lld %s: %s%s%s%s%s\n", (long long)company_id,
                date, e.code ? e.code : pm_err_name(rc), e.field[0] ? " (" : "", e.field,
                e.field[0] ? ")" : "", e.detail[0] ? e.detail : "");
        return rc;
    }
    fprintf(log,
            "company %lld %s: run %lld %s (%s), %lld items; reminded %zu, handed over %zu,"
            " failed %zu\n",
            (long long)company_id, date, (long long)day.run.id,
            dunning_run_state_name(day.run.state), day.created ? "proposed now" : "existing",
            (long long)day.run.items, day.outcome.reminded, day.outcome.handed_over,
            day.outcome.failed);
    fflush(log);
    return PM_OK;
}

/* ---- the scheduler of serve ---- */

struct dunning_scheduler {
    struct dunning_scheduler_config cfg;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
};

static bool stopping(struct dunning_scheduler *s)
{
    bool stop;

    if (!s)
        return false;
    pthread_mutex_lock(&s->lock);
    stop = s->stop;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

/* Note the invoices that fell due: of company `only`, or of every company
 * (0).  A line on log for each company that had any; how many companies
 * failed.  s (NULL for the command) ends the round early when stopping. */
static int note_overdue(struct store *st, const struct clock *clock, const struct tz *tz,
                        int64_t only, FILE *log, struct dunning_scheduler *s)
{
    int64_t ids[256], after = 0;
    size_t n = 0, i, noted;
    struct app_ctx ax;
    struct app_error e;
    char date[16];
    int failed = 0;

    memset(&ax, 0, sizeof(ax));
    ax.store = st;
    ax.clock = clock;
    ax.actor = "system";
    ax.today = date_local_from_utc(tz, clock_now_s(clock));
    date_format_iso(ax.today, date);
    do {
        if (only) {
            ids[0] = only;
            n = 1;
        } else if (store_overdue_companies(st, after, ids, sizeof(ids) / sizeof(ids[0]), &n)) {
            fprintf(stderr, "paminn dunning: overdue: %s\n", store_error(st)->message);
            return failed + 1;
        }
        for (i = 0; i < n && !stopping(s); i++) {
            ax.company_id = ids[i];
            app_error_clear(&e);
            if (app_overdue_note(&ax, &noted, &e)) {
                fprintf(stderr, "paminn dunning: company %lld %s: overdue: %s %s\n",
                        (long long)ids[i], date, e.code ? e.code : pm_err_name(e.rc), e.detail);
                failed++;
            } else if (noted) {
                fprintf(log, "company %lld %s: %zu invoice%s fell due\n", (long long)ids[i], date,
                        noted, noted == 1 ? "" : "s");
                fflush(log);
            }
        }
        after = n ? ids[n - 1] : after;
    } while (!only && n == sizeof(ids) / sizeof(ids[0]) && !stopping(s));
    return failed;
}

static int local_hour(const struct dunning_scheduler_config *cfg)
{
    int64_t now = clock_now_s(cfg->clock);
    int64_t local = now + tz_offset(cfg->tz, now);
    int64_t in_day = local % 86400;

    return (int)((in_day < 0 ? in_day + 86400 : in_day) / 3600);
}

static void tick(struct dunning_scheduler *s, struct store *st)
{
    int64_t ids[256];
    size_t n = 0, i;

    (void)note_overdue(st, s->cfg.clock, s->cfg.tz, 0, stderr, s);
    if (local_hour(&s->cfg) < s->cfg.hour)
        return;
    if (store_dunning_companies(st, ids, sizeof(ids) / sizeof(ids[0]), &n)) {
        fprintf(stderr, "paminn serve: dunning: %s\n", store_error(st)->message);
        return;
    }
    for (i = 0; i < n && !stopping(s); i++) {
        (void)company_day(st, s->cfg.clock, s->cfg.tz, s->cfg.rates, s->cfg.agency, ids[i], false,
                          stderr);
    }
}

static void *scheduler_main(void *arg)
{
    struct dunning_scheduler *s = arg;
    struct store *st = NULL;
    struct pm_error err = {0};
    struct timespec until;
    bool stop = false;

    if (store_open(s->cfg.db, &st, &err)) {
        fprintf(stderr, "paminn serve: dunning: cannot open the store: %s\n", err.message);
        return NULL;
    }
    while (!stop) {
        tick(s, st);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += s->cfg.every_s;
        pthread_mutex_lock(&s->lock);
        while (!s->stop && pthread_cond_timedwait(&s->wake, &s->lock, &until) != ETIMEDOUT)
            ;
        stop = s->stop;
        pthread_mutex_unlock(&s->lock);
    }
    store_close(&st);
    return NULL;
}

int dunning_scheduler_start(const struct dunning_scheduler_config *cfg,
                            struct dunning_scheduler **out)
{
    struct dunning_scheduler *s;

    *out = NULL;
    if (cfg->every_s <= 0)
        return 0;
    s = calloc(1, sizeof(*s));
    if (!s)
        return -1;
    s->cfg = *cfg;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (pthread_create(&s->thread, NULL, scheduler_main, s)) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void dunning_scheduler_stop(struct dunning_scheduler **sp)
{
    struct dunning_scheduler *s = *sp;

    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
    *sp = NULL;
}

/* ---- paminn dunning run ---- */

static int usage(FILE *f, int status)
{
    fprintf(f,
            "usage: paminn [--db DSN] [--now TIME] [--data-dir DIR] dunning run [--company ID]\n"
            "              [--approve] [--amili-url URL --amili-api-code CODE --amili-key FILE]\n\n"
            "First note the invoices that fell due since the last run, for every\n"
            "company (or only --company ID): each gets the history event \"overdue\" and\n"
            "the webhook event invoice.overdue, once.  Then, for every company with the\n"
            "daily run switched on (or only --company ID): finish a run a crash left,\n"
            "propose today's run, and approve it when the company's policy is\n"
            "automatic or with --approve.  Idempotent per company\n"
            "and day.  One summary line per company on stdout.  Hand-overs to Visma\n"
            "Amili need the Amili options (as for serve); without them they fail with\n"
            "agency_not_configured and are proposed again the next day.\n%s",
            serve_amili_usage);
    return status;
}

int dunning_command(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"company", required_argument, NULL, 'c'},
        {"approve", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        SERVE_AMILI_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct serve_amili amili = {0};
    struct rate_table rates = {0};
    int64_t company_id = 0, *ids = NULL;
    size_t n = 0, i;
    bool approve = false;
    int opt, status = CLI_EXIT_USAGE, failed = 0;

    optind = 0; /* start afresh: options may follow "run" */
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            if (!cli_parse_int(optarg, 1, INT64_MAX, &company_id)) {
                cli_errorf("dunning", "--company: '%s' is not a company id", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'a':
            approve = true;
            break;
        case 'h':
            return usage(stdout, CLI_EXIT_OK);
        default:
            if (serve_amili_option(&amili, opt, optarg, &status)) {
                if (status)
                    return status;
                break;
            }
            return usage(stderr, CLI_EXIT_USAGE);
        }
    }
    if (optind + 1 != argc || strcmp(argv[optind], "run") != 0)
        return usage(stderr, CLI_EXIT_USAGE);
    if (cli_load_rates("dunning", c->data_dir, &rates))
        return CLI_EXIT_FAILED;
    status = serve_amili_start(&amili, c, c->db);
    if (status)
        goto out_release;
    status = CLI_EXIT_FAILED;
    ids = malloc(COMPANIES_MAX * sizeof(*ids));
    if (!ids)
        goto out_release;
    if (company_id) {
        ids[0] = company_id;
        n = 1;
    } else if (store_dunning_companies(c->store, ids, COMPANIES_MAX, &n)) {
        cli_errorf("dunning", "%s", store_error(c->store)->message);
        goto out_release;
    }
    failed = note_overdue(c->store, &c->clock, c->tz, company_id, stdout, NULL);
    for (i = 0; i < n; i++) {
        if (company_day(c->store, &c->clock, c->tz, &rates, amili.agency, ids[i], approve, stdout))
            failed++;
    }
    if (n == 0)
        printf("no company has the daily run switched on\n");
    status = failed ? CLI_EXIT_FAILED : CLI_EXIT_OK;
out_release:
    free(ids);
    serve_amili_stop(&amili);
    rate_table_release(&rates);
    return status;
}
