/*
 * statement.c — `paminn statement`: a customer's statement (kontoutdrag)
 * from the command line, through the same operation as the HTTP API
 * (app/app_statements.h): the totals and the open invoices printed,
 * optionally the PDF written to a file or the e-mail queued.
 *
 *   paminn [--db DSN] [--now TIME] statement --company ID --customer ID
 *          [--as-of YYYY-MM-DD] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
 *          [--pdf FILE] [--email]
 *
 * Exit status 0 on success, 1 when the operation refused (the reason on
 * stderr; nothing changed), 2 on bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_statements.h"
#include "cli/cli.h"
#include "core/date.h"
#include "core/money.h"
#include "util/buf.h"

static int usage(FILE *f, int status)
{
    fprintf(f, "usage: paminn [--db DSN] [--now TIME] statement --company ID --customer ID\n"
               "              [--as-of YYYY-MM-DD] [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
               "              [--pdf FILE] [--email]\n\n"
               "The customer's statement (kontoutdrag): open invoices as of --as-of (default\n"
               "today) with late-payment interest to that date, and the payments and credit\n"
               "notes of --from..--to (default the three months up to --as-of).  --pdf writes\n"
               "it as PDF; --email queues it as an e-mail to the customer (sent by a\n"
               "`paminn serve` with SMTP).\n");
    return status;
}

struct args {
    int64_t company_id, customer_id;
    int32_t as_of, from, to;
    const char *pdf;
    bool email;
};

static int parse(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        {"company", required_argument, NULL, 'c'},
        {"customer", required_argument, NULL, 'k'},
        {"as-of", required_argument, NULL, 'a'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"pdf", required_argument, NULL, 'p'},
        {"email", no_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'c' && cli_parse_int(optarg, 1, INT64_MAX, &a->company_id))
            continue;
        if (opt == 'k' && cli_parse_int(optarg, 1, INT64_MAX, &a->customer_id))
            continue;
        if ((opt == 'a' && !date_parse_iso(optarg, &a->as_of)) ||
            (opt == 'f' && !date_parse_iso(optarg, &a->from)) ||
            (opt == 't' && !date_parse_iso(optarg, &a->to)))
            continue;
        if (opt == 'p') {
            a->pdf = optarg;
            continue;
        }
        if (opt == 'e') {
            a->email = true;
            continue;
        }
        if (opt == 'h')
            return usage(stdout, CLI_EXIT_OK) - 1; /* -1: done */
        if (opt != '?')
            cli_errorf("statement", "'%s' is not a valid %s", optarg,
                       opt == 'a' || opt == 'f' || opt == 't' ? "date (YYYY-MM-DD)" : "id");
        return usage(stderr, CLI_EXIT_USAGE);
    }
    if (!a->company_id || !a->customer_id || optind != argc)
        return usage(stderr, CLI_EXIT_USAGE);
    return CLI_EXIT_OK;
}

static void print(const struct app_statement *s)
{
    char date[16], from[16], to[16], left[MONEY_FORMAT_MAX], interest[MONEY_FORMAT_MAX];
    size_t i;

    date_format_iso(s->as_of, date);
    date_format_iso(s->from, from);
    date_format_iso(s->to, to);
    printf("statement of customer %lld (%s) as of %s, period %s..%s\n", (long long)s->customer.id,
           s->customer.name, date, from, to);
    for (i = 0; i < s->n_items; i++) {
        const struct statement_item *it = &s->items[i].item;

        money_format(it->remaining_minor, left, sizeof(left));
        money_format(it->interest_minor, interest, sizeof(interest));
        printf("invoice %lld: %s left, interest %s, %d days overdue, OCR %s\n",
               (long long)it->number, left, interest, (int)it->days_overdue, it->ocr);
    }
    money_format(s->totals.remaining_minor, left, sizeof(left));
    money_format(s->totals.interest_minor, interest, sizeof(interest));
    printf("total: %lld open, %s left, interest %s, %lld öre to pay\n", (long long)s->totals.items,
           left, interest, (long long)s->totals.total_minor);
}

static int write_pdf(const struct app_statement *s, const char *path)
{
    struct buf pdf = BUF_INIT;
    struct app_error e;
    char name[96];
    FILE *f;
    int status = CLI_EXIT_OK;

    app_error_clear(&e);
    if (app_statement_pdf(s, &pdf, name, sizeof(name), &e)) {
        cli_report("statement", &e);
        return CLI_EXIT_FAILED;
    }
    f = fopen(path, "wb");
    if (!f || fwrite(pdf.data, 1, pdf.len, f) != pdf.len) {
        cli_errorf("statement", "cannot write %s", path);
        status = CLI_EXIT_FAILED;
    }
    if (f && fclose(f) && !status) {
        cli_errorf("statement", "cannot write %s", path);
        status = CLI_EXIT_FAILED;
    }
    buf_release(&pdf);
    return status;
}

static enum pm_err email_op(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct mail_row *m = calloc(1, sizeof(*m));
    enum pm_err rc;

    if (!m)
        return app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
    rc = app_statement_email(ax, arg, m, e);
    if (!rc)
        printf("e-mail %lld queued to %s\n", (long long)m->id, m->recipient);
    free(m);
    return rc;
}

int cli_statement(struct cli *c, int argc, char **argv)
{
    struct args a;
    struct app_statement s;
    struct app_ctx ax;
    struct app_error e;
    struct company co;
    int rc;

    memset(&a, 0, sizeof(a));
    rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (cli_books_ctx(c, "statement", a.company_id, &co, &ax))
        return CLI_EXIT_FAILED;
    app_error_clear(&e);
    if (app_statement_dates(&ax, &a.as_of, &a.from, &a.to, &e) ||
        app_statement_build(&ax, a.customer_id, a.as_of, a.from, a.to, &s, &e)) {
        cli_report("statement", &e);
        return CLI_EXIT_FAILED;
    }
    print(&s);
    rc = a.pdf ? write_pdf(&s, a.pdf) : CLI_EXIT_OK;
    if (!rc && a.email && app_atomic(&ax, email_op, &s, &e)) {
        cli_report("statement", &e);
        rc = CLI_EXIT_FAILED;
    }
    app_statement_release(&s);
    return rc;
}
