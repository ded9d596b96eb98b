/*
 * books.c — `paminn export-sie` and `paminn import-bgmax`: the books from
 * the command line, through the same operations as the HTTP API
 * (app/app_export.h, app/app_bankfile.h), so a file imported here is
 * matched and booked exactly as one posted to /payments/bgmax.
 *
 *   paminn [--db DSN] [--now TIME] export-sie --company ID --year YYYY [--output FILE]
 *   paminn [--db DSN] [--now TIME] import-bgmax --company ID [--allow-test-file] [--json] FILE
 *
 * import-bgmax runs in one transaction: a refused file changes nothing.
 * Exit status 0 on success, 1 when the operation failed (the reason on
 * stderr), 2 on bad usage.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_bankfile.h"
#include "app/app_companies.h"
#include "app/app_export.h"
#include "cli/cli.h"
#include "core/money.h"
#include "store/store.h"
#include "util/buf.h"

/* Report an operation's failure as a command-line error. */
void cli_report(const char *cmd, const struct app_error *e)
{
    const char *code = app_error_code(e);
    json_t *extra = e->extra[0] ? json_loads(e->extra, 0, NULL) : NULL;
    const char *reason = json_string_value(json_object_get(extra, "reason"));

    cli_errorf(cmd, "%s%s%s%s%s%s", app_error_message(code, false), e->field[0] ? " (" : "",
               e->field, e->field[0] ? ")" : "", reason ? ": " : "", reason ? reason : "");
    if (e->detail[0])
        fprintf(stderr, "paminn %s: detail: %s\n", cmd, e->detail);
    json_decref(extra);
}

/* The context for company_id (its row read into *co). */
int cli_books_ctx(struct cli *c, const char *cmd, int64_t company_id, struct company *co,
                  struct app_ctx *ax)
{
    struct app_error e;

    memset(ax, 0, sizeof(*ax));
    ax->store = c->store;
    ax->clock = &c->clock;
    app_error_clear(&e);
    if (app_companies_get(ax, company_id, co, &e)) {
        cli_errorf(cmd, "no company %lld (%s)", (long long)company_id, pm_err_name(e.rc));
        return CLI_EXIT_FAILED;
    }
    ax->company_id = company_id;
    ax->company = co;
    ax->today = cli_today(c);
    ax->actor = "cli";
    return CLI_EXIT_OK;
}

int cli_export_sie(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"company", required_argument, NULL, 'c'},
        {"year", required_argument, NULL, 'y'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL;
    int64_t company_id = 0, year = 0;
    struct app_ctx ax;
    struct app_error e;
    struct company co;
    struct buf out = BUF_INIT;
    FILE *f = NULL;
    int opt, status = CLI_EXIT_FAILED;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            if (!cli_parse_int(optarg, 1, INT64_MAX, &company_id)) {
                cli_errorf("export-sie", "--company: '%s' is not a company id", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'y':
            if (!cli_parse_int(optarg, 1900, 2198, &year)) {
                cli_errorf("export-sie", "--year: '%s' is not a year 1900..2198", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            printf(
                "usage: paminn [--db DSN] export-sie --company ID --year YYYY [--output FILE]\n\n"
                "Write the company's vouchers of YEAR as a SIE 4 file (#FORMAT PC8, code page\n"
                "437) to FILE or standard output.\n");
            return CLI_EXIT_OK;
        default:
            return CLI_EXIT_USAGE;
        }
    }
    if (!company_id || !year || optind < argc) {
        cli_errorf("export-sie", "--company ID and --year YYYY are required");
        return CLI_EXIT_USAGE;
    }
    if (cli_books_ctx(c, "export-sie", company_id, &co, &ax))
        return CLI_EXIT_FAILED;
    app_error_clear(&e);
    if (app_export_sie(&ax, (int)year, &out, &e)) {
        cli_report("export-sie", &e);
        goto out_release;
    }
    f = output ? fopen(output, "wb") : stdout;
    if (!f || fwrite(out.data, 1, out.len, f) != out.len || fflush(f) != 0) {
        cli_errorf("export-sie", "cannot write %s", output ? output : "standard output");
        goto out_close;
    }
    status = CLI_EXIT_OK;
out_close:
    if (f && f != stdout)
        fclose(f);
out_release:
    buf_release(&out);
    return status;
}

static void print_summary(const struct app_bgmax_report *rep)
{
    char matched[MONEY_FORMAT_MAX], unmatched[MONEY_FORMAT_MAX], deposits[MONEY_FORMAT_MAX];
    size_t i, over = 0, under = 0;

    for (i = 0; i < rep->n_matched; i++) {
        over += rep->matched[i].overpaid_minor > 0;
        under += rep->matched[i].overpaid_minor <= 0 && rep->matched[i].remaining_minor > 0;
    }
    money_format(rep->matched_minor, matched, sizeof(matched));
    money_format(rep->unmatched_minor, unmatched, sizeof(unmatched));
    money_format(rep->deposits_minor, deposits, sizeof(deposits));
    printf("%s %s: %lld deposits, %s\n", rep->dry_run ? "dry run, nothing booked:" : "imported",
           rep->file_identity, (long long)rep->file.n_deposits, deposits);
    printf("matched:   %lld payments, %s\n", (long long)rep->n_matched, matched);
    printf("unmatched: %lld payments, %s\n", (long long)rep->n_unmatched, unmatched);
    printf("over-payments: %zu, under-payments: %zu, deductions: %zu\n", over, under,
           rep->n_deductions);
}

/* The import as one atomic operation (app_atomic). */
struct import_args {
    const struct buf *file;
    struct app_bgmax_options opt;
    struct app_bgmax_report *rep;
};

static enum pm_err import_op(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct import_args *ia = arg;

    app_bgmax_report_release(ia->rep); /* of an attempt run again */
    return app_bankfile_import_bgmax(ax, ia->file->data, ia->file->len, &ia->opt, ia->rep, e);
}

int cli_import_bgmax(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"company", required_argument, NULL, 'c'}, {"allow-test-file", no_argument, NULL, 't'},
        {"dry-run", no_argument, NULL, 'n'},       {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    int64_t company_id = 0;
    bool allow_test = false, dry_run = false, as_json = false;
    struct app_ctx ax;
    struct app_error e;
    struct app_bgmax_report rep;
    struct import_args ia = {NULL, {false, false}, &rep};
    struct company co;
    struct buf file = BUF_INIT;
    json_t *doc;
    enum pm_err rc;
    int opt, status = CLI_EXIT_FAILED;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            if (!cli_parse_int(optarg, 1, INT64_MAX, &company_id)) {
                cli_errorf("import-bgmax", "--company: '%s' is not a company id", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 't':
            allow_test = true;
            break;
        case 'n':
            dry_run = true;
            break;
        case 'j':
            as_json = true;
            break;
        case 'h':
            printf("usage: paminn [--db DSN] import-bgmax --company ID [--dry-run] "
                   "[--allow-test-file] [--json] FILE\n\n"
                   "Import a Bankgirot BgMax file: match each payment to an invoice by its OCR\n"
                   "reference or invoice number, book it, and report what matched, what did\n"
                   "not, and over- and under-payments.  A malformed file, a test file (unless\n"
                   "--dry-run or --allow-test-file) or a file imported before changes nothing.\n"
                   "--dry-run books nothing and reports what would be booked; a test file\n"
                   "(marked T) is only ever read so.\n");
            return CLI_EXIT_OK;
        default:
            return CLI_EXIT_USAGE;
        }
    }
    if (!company_id || optind != argc - 1) {
        cli_errorf("import-bgmax", "--company ID and one FILE are required");
        return CLI_EXIT_USAGE;
    }
    memset(&rep, 0, sizeof(rep));
    rc = buf_read_file(&file, argv[optind], BGMAX_MAX_BYTES);
    if (rc) {
        cli_errorf("import-bgmax", "cannot read %s (%s)", argv[optind], pm_err_name(rc));
        goto out_release;
    }
    if (cli_books_ctx(c, "import-bgmax", company_id, &co, &ax))
        goto out_release;
    ia.file = &file;
    ia.opt.allow_test_file = allow_test;
    ia.opt.dry_run = dry_run;
    rc = app_atomic(&ax, import_op, &ia, &e);
    if (rc) {
        cli_report("import-bgmax", &e);
        goto out_release;
    }
    if (as_json) {
        doc = app_bgmax_report_json(&rep);
        if (!doc) {
            cli_errorf("import-bgmax", "out of memory");
            goto out_release;
        }
        json_dumpf(doc, stdout, JSON_INDENT(2));
        json_decref(doc);
    } else {
        print_summary(&rep);
    }
    status = CLI_EXIT_OK;
out_release:
    app_bgmax_report_release(&rep);
    buf_release(&file);
    return status;
}
