/*
 * books.c — `paminn export-sie` and `paminn import-bgmax`: the books from
 * the command line, through the same functions as the HTTP API
 * (api/api_books.h), so a file imported here is matched and booked exactly
 * as one posted to /payments/bgmax.
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
#include <unistd.h>

#include "api/api_books.h"
#include "cli/cli.h"
#include "core/bgmax.h"
#include "core/money.h"
#include "core/voucher.h"
#include "store/store.h"
#include "store/store_books.h"
#include "util/buf.h"

/* Report an API error as a command-line error. */
static void report(const char *cmd, const struct api_error *e)
{
    const char *code = api_error_code(e);
    json_t *extra = e->extra[0] ? json_loads(e->extra, 0, NULL) : NULL;
    const char *reason = json_string_value(json_object_get(extra, "reason"));

    cli_errorf(cmd, "%s%s%s%s%s%s%s", api_error_message(code, false), e->field[0] ? " (" : "",
               e->field, e->field[0] ? ")" : "", reason ? ": " : "", reason ? reason : "",
               e->detail[0] && !reason ? "" : "");
    if (e->detail[0])
        fprintf(stderr, "paminn %s: detail: %s\n", cmd, e->detail);
    json_decref(extra);
}

/* The context for company_id (its row read into *co). */
static int books_ctx(struct cli *c, const char *cmd, int64_t company_id, struct company *co,
                     struct api_books_ctx *bx)
{
    enum pm_err rc = store_company_get(c->store, company_id, co);

    if (rc) {
        cli_errorf(cmd, "no company %lld (%s)", (long long)company_id, pm_err_name(rc));
        return CLI_EXIT_FAILED;
    }
    memset(bx, 0, sizeof(*bx));
    bx->store = c->store;
    bx->clock = &c->clock;
    bx->company = co;
    bx->today = cli_today(c);
    bx->actor = "cli";
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
    struct api_books_ctx bx;
    struct api_error e;
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
    if (books_ctx(c, "export-sie", company_id, &co, &bx))
        return CLI_EXIT_FAILED;
    api_error_clear(&e);
    if (api_books_sie_export(&bx, (int)year, &out, &e)) {
        report("export-sie", &e);
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

static void print_summary(json_t *rep)
{
    json_t *t = json_object_get(rep, "totals");
    char matched[MONEY_FORMAT_MAX], unmatched[MONEY_FORMAT_MAX], deposits[MONEY_FORMAT_MAX];

    money_format(json_integer_value(json_object_get(t, "matched_minor")), matched, sizeof(matched));
    money_format(json_integer_value(json_object_get(t, "unmatched_minor")), unmatched,
                 sizeof(unmatched));
    money_format(json_integer_value(json_object_get(t, "deposits_minor")), deposits,
                 sizeof(deposits));
    printf("imported %s: %lld deposits, %s\n",
           json_string_value(json_object_get(rep, "file_identity")),
           (long long)json_integer_value(json_object_get(t, "deposits")), deposits);
    printf("matched:   %lld payments, %s\n",
           (long long)json_integer_value(json_object_get(t, "matched_count")), matched);
    printf("unmatched: %lld payments, %s\n",
           (long long)json_integer_value(json_object_get(t, "unmatched_count")), unmatched);
    printf("over-payments: %zu, under-payments: %zu, deductions: %zu\n",
           json_array_size(json_object_get(rep, "overpayments")),
           json_array_size(json_object_get(rep, "underpayments")),
           json_array_size(json_object_get(rep, "deductions")));
}

#define IMPORT_TRIES 5

/* One attempt at the import in a transaction of its own.  A failure of the
 * import itself is in *e (rolled back); a failed COMMIT is rc with e clear. */
static enum pm_err import_once(struct cli *c, int64_t company_id, struct api_books_ctx *bx,
                               const struct buf *file, bool allow_test, json_t **rep,
                               struct api_error *e)
{
    enum pm_err rc;

    api_error_clear(e);
    rc = store_begin_for(c->store, company_id);
    if (!rc)
        rc = api_books_bgmax_import(bx, file->data, file->len, allow_test, rep, e);
    if (rc) {
        store_rollback(c->store);
        if (!e->rc)
            api_error_set(e, rc, NULL, NULL);
        return rc;
    }
    return store_commit(c->store);
}

int cli_import_bgmax(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"company", required_argument, NULL, 'c'},
        {"allow-test-file", no_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int64_t company_id = 0;
    bool allow_test = false, as_json = false;
    struct api_books_ctx bx;
    struct api_error e;
    struct company co;
    struct buf file = BUF_INIT;
    json_t *rep = NULL;
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
        case 'j':
            as_json = true;
            break;
        case 'h':
            printf("usage: paminn [--db DSN] import-bgmax --company ID [--allow-test-file] "
                   "[--json] FILE\n\n"
                   "Import a Bankgirot BgMax file: match each payment to an invoice by its OCR\n"
                   "reference or invoice number, book it, and report what matched, what did\n"
                   "not, and over- and under-payments.  A malformed file, a test file (unless\n"
                   "--allow-test-file) or a file imported before changes nothing.\n");
            return CLI_EXIT_OK;
        default:
            return CLI_EXIT_USAGE;
        }
    }
    if (!company_id || optind != argc - 1) {
        cli_errorf("import-bgmax", "--company ID and one FILE are required");
        return CLI_EXIT_USAGE;
    }
    rc = buf_read_file(&file, argv[optind], BGMAX_MAX_BYTES);
    if (rc) {
        cli_errorf("import-bgmax", "cannot read %s (%s)", argv[optind], pm_err_name(rc));
        goto out_release;
    }
    if (books_ctx(c, "import-bgmax", company_id, &co, &bx))
        goto out_release;
    rc = import_once(c, company_id, &bx, &file, allow_test, &rep, &e);
    for (int attempt = 1; rc && store_retryable(c->store) && attempt < IMPORT_TRIES; attempt++) {
        json_decref(rep);
        rep = NULL;
        usleep(50000 * (useconds_t)attempt); /* another writer of the company */
        rc = import_once(c, company_id, &bx, &file, allow_test, &rep, &e);
    }
    if (rc && e.rc) {
        report("import-bgmax", &e);
        goto out_release;
    }
    if (rc) {
        cli_errorf("import-bgmax", "%s", store_error(c->store)->message);
        goto out_release;
    }
    if (as_json)
        json_dumpf(rep, stdout, JSON_INDENT(2));
    else
        print_summary(rep);
    status = CLI_EXIT_OK;
out_release:
    json_decref(rep);
    buf_release(&file);
    return status;
}

/* ---- demo-data: the vouchers of what the demo generator wrote ---- */

#define DEMO_PAGE 500

/* The invoice voucher and a voucher per payment of one invoice. */
static enum pm_err demo_invoice_vouchers(struct store *st, const struct invoice *inv, bool cash,
                                         struct invoice_line_row *rows, struct invoice_line *lines,
                                         struct payment *pays, int64_t *made)
{
    struct voucher_invoice vi;
    struct voucher_payment vp;
    struct voucher v;
    struct customer cu;
    struct pm_error pe = {0};
    size_t n = 0, i, n_pays = 0;
    enum pm_err rc;

    rc = store_invoice_lines(st, inv->company_id, inv->id, rows, STORE_LINES_MAX, &n);
    if (!rc)
        rc = store_customer_get(st, inv->company_id, inv->customer_id, &cu);
    if (!rc)
        rc = store_payment_list(st, inv->company_id, inv->id, pays, DEMO_PAGE, &n_pays);
    if (rc)
        return rc;
    memset(&vi, 0, sizeof(vi));
    for (i = 0; i < n; i++)
        lines[i] = rows[i].line;
    rc = invoice_compute(inv->kind, inv->invoice_date, lines, n, &vi.totals, &pe);
    if (rc)
        return rc;
    vi.number = inv->number;
    vi.customer_name = inv->customer_name;
    vi.market = voucher_market_of(cu.country);
    if (!cash) {
        rc = voucher_invoice_issued(&vi, inv->invoice_date, &v);
        v.company_id = inv->company_id;
        v.invoice_id = inv->id;
        if (!rc)
            rc = store_books_voucher_insert(st, &v);
        if (!rc)
            (*made)++;
    }
    for (i = 0; !rc && i < n_pays; i++) {
        memset(&vp, 0, sizeof(vp));
        vp.amount_minor = vp.capital_minor = pays[i].amount_minor;
        vp.cash_method = cash;
        vp.via = pays[i].source == PAYMENT_BGMAX ? "Bankgiro" : "Inbetalning";
        vp.reference = pays[i].reference;
        rc = voucher_payment(&vi, &vp, pays[i].date, &v);
        v.company_id = inv->company_id;
        v.invoice_id = inv->id;
        if (!rc)
            rc = store_books_voucher_insert(st, &v);
        if (!rc)
            (*made)++;
    }
    return rc;
}

enum pm_err cli_books_demo_vouchers(struct cli *c, int64_t company_id, int64_t *made)
{
    struct invoice_query q;
    struct invoice *page = calloc(DEMO_PAGE, sizeof(*page));
    struct invoice_line_row *rows = calloc(STORE_LINES_MAX, sizeof(*rows));
    struct invoice_line *lines = calloc(STORE_LINES_MAX, sizeof(*lines));
    struct payment *pays = calloc(DEMO_PAGE, sizeof(*pays));
    struct company co;
    size_t n = 0, i, done = 0;
    enum pm_err rc;

    *made = 0;
    rc = !page || !rows || !lines || !pays ? PM_ERR_NOMEM
                                           : store_company_get(c->store, company_id, &co);
    if (!rc)
        rc = store_begin_for(c->store, company_id);
    memset(&q, 0, sizeof(q));
    q.filter = FILTER_ALL;
    q.sort = SORT_NUMBER_ASC;
    q.today = cli_today(c);
    q.limit = DEMO_PAGE;
    while (!rc) {
        rc = store_invoice_list(c->store, company_id, &q, page, DEMO_PAGE, &n);
        for (i = 0; !rc && i < n; i++) {
            if (!strcmp(page[i].currency, "SEK")) /* the books are in SEK */
                rc = demo_invoice_vouchers(c->store, &page[i],
                                           co.accounting_method == ACCOUNTING_CASH, rows, lines,
                                           pays, made);
            if (!rc && ++done % 2000 == 0) {
                rc = store_commit(c->store);
                if (!rc)
                    rc = store_begin_for(c->store, company_id);
            }
        }
        if (rc || n < DEMO_PAGE)
            break;
        q.after.set = true;
        q.after.key = page[n - 1].number;
        q.after.id = page[n - 1].id;
    }
    if (!rc)
        rc = store_commit(c->store);
    else
        store_rollback(c->store);
    free(pays);
    free(lines);
    free(rows);
    free(page);
    return rc;
}
