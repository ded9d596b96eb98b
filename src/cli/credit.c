/*
 * credit.c — `paminn credit-note`: a credit note (kreditfaktura) against
 * an invoice from the command line, through the same operation as the
 * HTTP API (app/app_credit_notes.h), in one transaction; optionally its
 * PDF written to a file.
 *
 *   paminn [--db DSN] [--now TIME] credit-note --company ID --invoice INVOICE_ID
 *          --reason TEXT [--amount KRONOR] [--date YYYY-MM-DD] [--pdf FILE]
 *
 * Without --amount all that is left on the invoice is credited.  Exit
 * status 0 on success, 1 when the operation refused (the reason on
 * stderr; nothing changed), 2 on bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_credit_notes.h"
#include "cli/cli.h"
#include "core/date.h"
#include "core/money.h"
#include "util/buf.h"

static int usage(FILE *f, int status)
{
    fprintf(f,
            "usage: paminn [--db DSN] [--now TIME] credit-note --company ID --invoice INVOICE_ID\n"
            "              --reason TEXT [--amount KRONOR] [--date YYYY-MM-DD] [--pdf FILE]\n\n"
            "Credits the invoice: all that is left, or --amount of the customer's part\n"
            "(\"250,00\"), split over its VAT rates and ROT/RUT part as its voucher was.\n"
            "Books the reversing voucher and, for an invoice with Visma Amili, queues the\n"
            "crediting report.  --pdf writes the credit note as PDF.\n");
    return status;
}

struct create_args {
    struct app_credit_note_input in;
    int64_t id; /* the credit note made */
};

static enum pm_err create_op(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct create_args *ca = arg;
    struct app_credit_note_result res;
    enum pm_err rc = app_credit_notes_create(ax, &ca->in, &res, e);

    if (!rc) {
        char amount[MONEY_FORMAT_MAX];

        money_format(res.note.customer_part_minor, amount, sizeof(amount));
        printf("credit note %lld (id %lld): %s credited, voucher %d-%lld, %lld öre left on the "
               "invoice%s\n",
               (long long)res.note.number, (long long)res.note.id, amount, res.note.voucher_year,
               (long long)res.note.voucher_number, (long long)res.remaining_minor,
               res.reported_to_agency ? ", reported to Visma Amili" : "");
        ca->id = res.note.id;
    }
    return rc;
}

static int write_pdf(const struct app_ctx *ax, int64_t id, const char *path)
{
    struct buf pdf = BUF_INIT;
    struct app_error e;
    FILE *f;
    int status = CLI_EXIT_OK;

    app_error_clear(&e);
    if (app_credit_notes_pdf(ax, id, &pdf, &e)) {
        cli_report("credit-note", &e);
        return CLI_EXIT_FAILED;
    }
    f = fopen(path, "wb");
    if (!f || fwrite(pdf.data, 1, pdf.len, f) != pdf.len) {
        cli_errorf("credit-note", "cannot write %s", path);
        status = CLI_EXIT_FAILED;
    }
    if (f && fclose(f) && !status) {
        cli_errorf("credit-note", "cannot write %s", path);
        status = CLI_EXIT_FAILED;
    }
    buf_release(&pdf);
    return status;
}

static int parse(int argc, char **argv, int64_t *company_id, struct app_credit_note_input *in,
                 const char **pdf)
{
    static const struct option opts[] = {
        {"company", required_argument, NULL, 'c'}, {"invoice", required_argument, NULL, 'i'},
        {"reason", required_argument, NULL, 'r'},  {"amount", required_argument, NULL, 'a'},
        {"date", required_argument, NULL, 'd'},    {"pdf", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    int opt;

    optind = 1;
    in->full = true;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'c' && cli_parse_int(optarg, 1, INT64_MAX, company_id))
            continue;
        if (opt == 'i' && cli_parse_int(optarg, 1, INT64_MAX, &in->invoice_id))
            continue;
        if (opt == 'r' && strlen(optarg) < sizeof(in->reason)) {
            snprintf(in->reason, sizeof(in->reason), "%s", optarg);
            continue;
        }
        if (opt == 'a' && !money_parse(optarg, &in->req.customer_minor) &&
            in->req.customer_minor > 0) {
            in->full = false;
            continue;
        }
        if (opt == 'd' && !date_parse_iso(optarg, &in->date))
            continue;
        if (opt == 'p') {
            *pdf = optarg;
            continue;
        }
        if (opt == 'h')
            return usage(stdout, CLI_EXIT_OK) - 1; /* -1: done */
        if (opt != '?')
            cli_errorf("credit-note", "'%s' is not a valid %s", optarg,
                       opt == 'a'   ? "amount (kronor, e.g. 250,00)"
                       : opt == 'd' ? "date (YYYY-MM-DD)"
                       : opt == 'r' ? "reason (too long)"
                                    : "id");
        return usage(stderr, CLI_EXIT_USAGE);
    }
    if (!*company_id || !in->invoice_id || !in->reason[0] || optind != argc)
        return usage(stderr, CLI_EXIT_USAGE);
    return CLI_EXIT_OK;
}

int cli_credit_note(struct cli *c, int argc, char **argv)
{
    struct create_args ca;
    const char *pdf = NULL;
    int64_t company_id = 0;
    struct app_ctx ax;
    struct app_error e;
    struct company co;
    int rc;

    memset(&ca, 0, sizeof(ca));
    rc = parse(argc, argv, &company_id, &ca.in, &pdf);
    if (rc)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (cli_books_ctx(c, "credit-note", company_id, &co, &ax))
        return CLI_EXIT_FAILED;
    app_error_clear(&e);
    if (app_atomic(&ax, create_op, &ca, &e)) {
        cli_report("credit-note", &e);
        return CLI_EXIT_FAILED;
    }
    return pdf ? write_pdf(&ax, ca.id, pdf) : CLI_EXIT_OK;
}
