/*
 * remind.c — `paminn remind`: manual reminders of invoices from the command
 * line, as a batch (app_reminders_bulk), optionally e-mailed
 * (app_mail_queue_reminder: queued, sent by a `paminn serve` with
 * --smtp-url).
 *
 *   paminn remind --company ID [--date YYYY-MM-DD] [--email] INVOICE_ID...
 *
 * Prints one line per invoice (reminder id, or why not) and a summary;
 * exit 0 when the batch was made, 1 when it failed as a whole, 2 on usage.
 * Ids are reminded in batches of 1000, each in one transaction.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_mail.h"
#include "app/app_reminders.h"
#include "cli/cli.h"
#include "core/date.h"
#include "core/interest.h"

#define REMIND_BATCH 1000

static int usage(FILE *f, int status)
{
    fprintf(f, "usage: paminn remind --company ID [--date YYYY-MM-DD] [--email] INVOICE_ID...\n\n"
               "Make a manual reminder (PDF letter) of each invoice, as one batch per 1000.\n"
               "  --date DATE   the reminders' date (default today)\n"
               "  --email       also queue each reminder's e-mail to the customer (sent by\n"
               "                `paminn serve --smtp-url ...`)\n");
    return status;
}

struct remind_run {
    const int64_t *ids;
    size_t n;
    int32_t date;
    bool email;
    size_t made, mailed, refused;
};

static enum pm_err each(void *arg, int64_t invoice_id, const struct reminder *rm,
                        const struct reminder_amounts *a, const struct app_error *err)
{
    struct remind_run *run = arg;

    (void)a;
    if (!rm) {
        run->refused++;
        printf("invoice %lld: not reminded (%s%s%s)\n", (long long)invoice_id, app_error_code(err),
               err->field[0] ? " " : "", err->field);
        return PM_OK;
    }
    run->made++;
    printf("invoice %lld: reminder %lld\n", (long long)invoice_id, (long long)rm->id);
    return PM_OK;
}

/* A batch and, with --email, the e-mail of each reminder made. */
static enum pm_err remind_op(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct remind_run *run = arg;
    struct app_reminder_batch batch;
    struct reminder *rm = NULL;
    struct app_error one;
    int64_t after = 0;
    size_t n = 0, i;
    enum pm_err rc;

    run->made = run->refused = run->mailed = 0;
    rc = app_reminders_bulk(ax, run->ids, run->n, run->date, each, run, &batch, e);
    if (rc || !run->email || !batch.created)
        return rc;
    rm = calloc(64, sizeof(*rm));
    if (!rm)
        return app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
    do {
        rc = store_books_reminder_list_batch(ax->store, ax->company_id, batch.batch_id, after, rm,
                                             64, &n);
        if (rc) {
            app_store_failed(ax, rc, e);
            break;
        }
        for (i = 0; !rc && i < n; i++) {
            app_error_clear(&one);
            rc = app_mail_queue_reminder(ax, rm[i].invoice_id, rm[i].id, &one);
            if (rc == PM_ERR_INVALID) { /* no address: the letter stands */
                printf("invoice %lld: no e-mail (%s)\n", (long long)rm[i].invoice_id,
                       app_error_code(&one));
                rc = PM_OK;
            } else if (rc) {
                *e = one;
            } else {
                run->mailed++;
            }
            after = rm[i].id;
        }
    } while (!rc && n == 64);
    free(rm);
    return rc;
}

int cli_remind(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"company", required_argument, NULL, 'c'},
        {"date", required_argument, NULL, 'd'},
        {"email", no_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct remind_run run = {0};
    struct rate_table rates = {0};
    struct company co;
    struct app_ctx ax;
    struct app_error e;
    int64_t company_id = 0, *ids = NULL;
    size_t total = 0, made = 0, mailed = 0, refused = 0, k;
    int opt, status = CLI_EXIT_FAILED;
    int32_t date = 0;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            if (!cli_parse_int(optarg, 1, INT64_MAX, &company_id)) {
                cli_errorf("remind", "--company: '%s' is not a company id", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'd':
            if (date_parse_iso(optarg, &date)) {
                cli_errorf("remind", "--date: '%s' is not a date YYYY-MM-DD", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'e':
            run.email = true;
            break;
        case 'h':
            return usage(stdout, CLI_EXIT_OK);
        default:
            return usage(stderr, CLI_EXIT_USAGE);
        }
    }
    if (!company_id || optind >= argc) {
        cli_errorf("remind", "--company ID and at least one INVOICE_ID are required");
        return CLI_EXIT_USAGE;
    }
    total = (size_t)(argc - optind);
    ids = calloc(total, sizeof(*ids));
    if (!ids)
        return CLI_EXIT_FAILED;
    for (k = 0; k < total; k++) {
        if (!cli_parse_int(argv[optind + (int)k], 1, INT64_MAX, &ids[k])) {
            cli_errorf("remind", "'%s' is not an invoice id", argv[optind + (int)k]);
            free(ids);
            return CLI_EXIT_USAGE;
        }
    }
    if (cli_load_rates("remind", c->data_dir, &rates) ||
        cli_books_ctx(c, "remind", company_id, &co, &ax))
        goto out_free;
    ax.rates = &rates;
    run.date = date ? date : ax.today;
    for (k = 0; k < total; k += REMIND_BATCH) {
        run.ids = ids + k;
        run.n = total - k < REMIND_BATCH ? total - k : REMIND_BATCH;
        app_error_clear(&e);
        if (app_atomic(&ax, remind_op, &run, &e)) {
            cli_report("remind", &e);
            goto out_free;
        }
        made += run.made;
        mailed += run.mailed;
        refused += run.refused;
    }
    printf("reminders: %zu made, %zu refused, %zu e-mails queued\n", made, refused, mailed);
    status = CLI_EXIT_OK;
out_free:
    rate_table_release(&rates);
    free(ids);
    return status;
}
