/*
 * books.c — `paminn export-sie`, `paminn import-bgmax`, `paminn
 * import-camt054` and `paminn unmatched`: the books from the command line,
 * through the same operations as the HTTP API (app/app_export.h,
 * app/app_bankfile.h), so a file imported here is matched and booked
 * exactly as one posted to /payments/bgmax or /payments/camt054.
 *
 *   paminn [--db DSN] [--now TIME] export-sie --company ID --year YYYY [--output FILE]
 *   paminn [--db DSN] [--now TIME] import-bgmax --company ID [--dry-run] [--allow-test-file]
 *          [--json] FILE
 *   paminn [--db DSN] [--now TIME] [--data-dir DIR] import-camt054 --company ID [--dry-run]
 *          [--json] FILE
 *   paminn [--db DSN] unmatched --company ID list
 *   paminn [--db DSN] unmatched --company ID --invoice INVOICE_ID confirm PAYMENT_ID
 *
 * The imports and unmatched confirm run in one transaction each: a refused
 * file or placement changes nothing.
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
#include "bank/camt054.h"
#include "cli/cli.h"
#include "core/date.h"
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
        {"company", required_argument, NULL, 'c'}, {"year", required_argument, NULL, 'y'},
        {"output", required_argument, NULL, 'o'},  {"type", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    const char *output = NULL;
    enum sie_type type = SIE_TYPE_4I;
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
        case 't':
            if (strcmp(optarg, "4I") != 0 && strcmp(optarg, "4E") != 0) {
                cli_errorf("export-sie", "--type: '%s' is not 4I or 4E", optarg);
                return CLI_EXIT_USAGE;
            }
            type = optarg[1] == 'E' ? SIE_TYPE_4E : SIE_TYPE_4I;
            break;
        case 'h':
            printf("usage: paminn [--db DSN] export-sie --company ID --year YYYY [--type 4I|4E]\n"
                   "                                    [--output FILE]\n\n"
                   "Write the company's vouchers of fiscal year YEAR (the one starting in that\n"
                   "calendar year: 2025 is 2025-05-01..2026-04-30 for a year from May) as a\n"
                   "SIE 4 file (#FORMAT PC8, code page 437) to FILE or standard output: type 4I\n"
                   "(the default, `.si`) has the vouchers for the main bookkeeping program to\n"
                   "import; 4E (`.se`) adds the opening and closing balances and the results,\n"
                   "of the previous year too.\n");
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
    if (app_export_sie(&ax, (int)year, type, &out, &e)) {
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
    bool camt054;
    struct app_bgmax_options opt;
    struct app_bgmax_report *rep;
};

static enum pm_err import_op(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct import_args *ia = arg;

    app_bgmax_report_release(ia->rep); /* of an attempt run again */
    if (ia->camt054)
        return app_bankfile_import_camt054(ax, ia->file->data, ia->file->len, &ia->opt, ia->rep, e);
    return app_bankfile_import_bgmax(ax, ia->file->data, ia->file->len, &ia->opt, ia->rep, e);
}

enum pm_err cli_load_camt054_schema(const char *cmd, const char *data_dir,
                                    struct camt054_schema **out)
{
    struct buf path = BUF_INIT;
    struct pm_error err = {0};
    enum pm_err rc;

    rc = buf_addf(&path, "%s/camt054.xsd", data_dir);
    if (!rc) {
        rc = camt054_schema_load(path.data, out, &err);
        if (rc)
            cli_errorf(cmd, "%s", err.message);
    }
    buf_release(&path);
    return rc;
}

static int import_usage(const char *cmd)
{
    if (!strcmp(cmd, "import-camt054"))
        printf("usage: paminn [--db DSN] [--data-dir DIR] import-camt054 --company ID [--dry-run] "
               "[--json] FILE\n\n"
               "Import an ISO 20022 camt.054 file (BankToCustomerDebitCreditNotification,\n"
               "versions 001.02 to 001.08) of incoming payments: validated against\n"
               "DATA_DIR/camt054.xsd, each booked SEK credit entry's transactions are matched\n"
               "to invoices by their OCR reference (or, for a payer known as the customer,\n"
               "an invoice number in the message), booked, and reported as import-bgmax\n"
               "does.  Debit, pending and non-SEK entries are listed and skipped.  A\n"
               "malformed file or one imported before (its GrpHdr/MsgId) changes nothing.\n"
               "--dry-run books nothing and reports what would be booked.\n");
    else
        printf("usage: paminn [--db DSN] import-bgmax --company ID [--dry-run] "
               "[--allow-test-file] [--json] FILE\n\n"
               "Import a Bankgirot BgMax file: match each payment to an invoice by its OCR\n"
               "reference or invoice number, book it, and report what matched, what did\n"
               "not, and over- and under-payments.  A malformed file, a test file (unless\n"
               "--dry-run or --allow-test-file) or a file imported before changes nothing.\n"
               "--dry-run books nothing and reports what would be booked; a test file\n"
               "(marked T) is only ever read so.\n");
    return CLI_EXIT_OK;
}

/* import-bgmax and import-camt054: the same options (camt.054 has no test
 * files), the same operation, the same summary. */
static int import_command(struct cli *c, int argc, char **argv, bool camt054)
{
    static const struct option opts[] = {
        {"company", required_argument, NULL, 'c'}, {"allow-test-file", no_argument, NULL, 't'},
        {"dry-run", no_argument, NULL, 'n'},       {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    const char *cmd = camt054 ? "import-camt054" : "import-bgmax";
    int64_t company_id = 0;
    bool allow_test = false, dry_run = false, as_json = false;
    struct camt054_schema *schema = NULL;
    struct app_ctx ax;
    struct app_error e;
    struct app_bgmax_report rep;
    struct import_args ia = {NULL, camt054, {false, false}, &rep};
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
                cli_errorf(cmd, "--company: '%s' is not a company id", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 't':
            if (camt054) {
                cli_errorf(cmd, "--allow-test-file is for BgMax files only");
                return CLI_EXIT_USAGE;
            }
            allow_test = true;
            break;
        case 'n':
            dry_run = true;
            break;
        case 'j':
            as_json = true;
            break;
        case 'h':
            return import_usage(cmd);
        default:
            return CLI_EXIT_USAGE;
        }
    }
    if (!company_id || optind != argc - 1) {
        cli_errorf(cmd, "--company ID and one FILE are required");
        return CLI_EXIT_USAGE;
    }
    memset(&rep, 0, sizeof(rep));
    rc = buf_read_file(&file, argv[optind], camt054 ? CAMT054_MAX_BYTES : BGMAX_MAX_BYTES);
    if (rc) {
        cli_errorf(cmd, "cannot read %s (%s)", argv[optind], pm_err_name(rc));
        goto out_release;
    }
    if (camt054 && cli_load_camt054_schema(cmd, c->data_dir, &schema))
        goto out_release;
    if (cli_books_ctx(c, cmd, company_id, &co, &ax))
        goto out_release;
    ax.camt054_schema = schema;
    ia.file = &file;
    ia.opt.allow_test_file = allow_test;
    ia.opt.dry_run = dry_run;
    rc = app_atomic(&ax, import_op, &ia, &e);
    if (rc) {
        cli_report(cmd, &e);
        goto out_release;
    }
    if (as_json) {
        doc = app_bgmax_report_json(&rep);
        if (!doc) {
            cli_errorf(cmd, "out of memory");
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
    camt054_schema_free(&schema);
    buf_release(&file);
    return status;
}

int cli_import_bgmax(struct cli *c, int argc, char **argv)
{
    return import_command(c, argc, argv, false);
}

int cli_import_camt054(struct cli *c, int argc, char **argv)
{
    return import_command(c, argc, argv, true);
}

/* ---- bank payments held unmatched ---- */

#define UNMATCHED_PRINT_MAX 500

static int unmatched_usage(FILE *f, int status)
{
    fprintf(f, "usage: paminn [--db DSN] unmatched --company ID list\n"
               "       paminn [--db DSN] unmatched --company ID --invoice INVOICE_ID confirm "
               "PAYMENT_ID\n\n"
               "Bank payments that matched no invoice wait on 2420.  list shows them with the\n"
               "invoice the payer's message suggests; confirm places one on an invoice (booked\n"
               "from 2420 on the payment's own date).\n");
    return status;
}

static int unmatched_list(const struct app_ctx *ax)
{
    struct unmatched_payment *rows = calloc(UNMATCHED_PRINT_MAX, sizeof(*rows));
    char amount[MONEY_FORMAT_MAX], day[DATE_ISO_LEN + 1];
    struct app_error e;
    size_t n = 0, i;

    app_error_clear(&e);
    if (!rows) {
        cli_errorf("unmatched", "out of memory");
        return CLI_EXIT_FAILED;
    }
    if (app_bankfile_unmatched_list(ax, rows, UNMATCHED_PRINT_MAX, &n, &e)) {
        cli_report("unmatched", &e);
        free(rows);
        return CLI_EXIT_FAILED;
    }
    for (i = 0; i < n; i++) {
        money_format(rows[i].amount_minor, amount, sizeof(amount));
        date_format_iso(rows[i].date, day);
        printf("%lld\t%s\t%s\t%s\t%s\tsuggested: %s%lld\t%s\n", (long long)rows[i].id, day, amount,
               rows[i].payer_bankgiro, rows[i].payer_name,
               rows[i].suggested_invoice_id ? "invoice id " : "none ",
               (long long)rows[i].suggested_invoice_id, rows[i].reason);
    }
    free(rows);
    return CLI_EXIT_OK;
}

/* Placing one payment as one atomic operation (app_atomic). */
struct confirm_args {
    int64_t id, invoice_id;
    struct unmatched_payment u;
    struct app_payment_result res;
};

static enum pm_err confirm_op(const struct app_ctx *ax, void *arg, struct app_error *e)
{
    struct confirm_args *ca = arg;

    return app_bankfile_unmatched_confirm(ax, ca->id, ca->invoice_id, &ca->u, &ca->res, e);
}

int cli_unmatched(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"company", required_argument, NULL, 'c'},
        {"invoice", required_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct confirm_args ca = {0};
    int64_t company_id = 0;
    char amount[MONEY_FORMAT_MAX];
    struct app_ctx ax;
    struct app_error e;
    struct company co;
    bool confirm;
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            if (!cli_parse_int(optarg, 1, INT64_MAX, &company_id)) {
                cli_errorf("unmatched", "--company: '%s' is not a company id", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'i':
            if (!cli_parse_int(optarg, 1, INT64_MAX, &ca.invoice_id)) {
                cli_errorf("unmatched", "--invoice: '%s' is not an invoice id", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'h':
            return unmatched_usage(stdout, CLI_EXIT_OK);
        default:
            return CLI_EXIT_USAGE;
        }
    }
    confirm = optind < argc && !strcmp(argv[optind], "confirm");
    if (!company_id || optind >= argc || (!confirm && strcmp(argv[optind], "list") != 0) ||
        argc - optind != (confirm ? 2 : 1) || (confirm && !ca.invoice_id) ||
        (confirm && !cli_parse_int(argv[optind + 1], 1, INT64_MAX, &ca.id)))
        return unmatched_usage(stderr, CLI_EXIT_USAGE);
    if (cli_books_ctx(c, "unmatched", company_id, &co, &ax))
        return CLI_EXIT_FAILED;
    if (!confirm)
        return unmatched_list(&ax);
    if (app_atomic(&ax, confirm_op, &ca, &e)) {
        cli_report("unmatched", &e);
        return CLI_EXIT_FAILED;
    }
    money_format(ca.res.amount_minor, amount, sizeof(amount));
    printf("placed payment %lld (%s) on invoice id %lld: voucher %d-%lld, %lld öre left on the "
           "invoice\n",
           (long long)ca.id, amount, (long long)ca.invoice_id, ca.res.voucher_year,
           (long long)ca.res.voucher_number, (long long)ca.res.remaining_minor);
    return CLI_EXIT_OK;
}
