/*
 * sync_apply.c — the status sync applying N changed agency cases, side by
 * side with a raw upsert of the same rows (issue 15, table row 7).
 *
 *   sync-apply-bench DSN [N] [RUNS]     (N = 100000, RUNS = 3)
 *
 * DSN: a SQLite path (created afresh per run: DSN.1, DSN.2 ...) or a
 * PostgreSQL DSN of an empty database (emptied between runs: its public
 * schema dropped and made again).  Per run: one company, N invoices
 * handed over (each registered, with its agency case in state
 * "initializing" and that state's history event recorded, as a
 * registration leaves it); then
 *
 *  1. the product: each case as the agency reports it after a change (a
 *     second state, "reminder", and a first status, "reminder_sent": two
 *     history events, the case row and the invoice's agency status) applied
 *     by agency_record_cases(), a page of 100 a transaction — what the sync
 *     does with a page of GET /cases;
 *  2. the baseline: the same N case rows (every column, and the agency's
 *     JSON) written by one INSERT ... ON CONFLICT DO UPDATE each, prepared
 *     once, 100 a transaction;
 *  3. every row the product writes, raw: per case the same upsert, the two
 *     history events (one prepared INSERT each, the texts as the product
 *     writes them) and the invoice's agency status (one prepared UPDATE),
 *     100 cases a transaction — the writing alone, without the rules, the
 *     reading of the cases or the making of the texts: what the product
 *     could at best come down to while it writes these rows.
 *
 * The agency's JSON items are built before each page's clock starts: the
 * sync parses them from the agency's answer, which is not what is
 * measured.  Prints one line per run and a Markdown row with min / median
 * of each, the ratio baseline / product (the product's share of the
 * upsert's speed; the goal is ≥ 0.5) and the ratio of 3 to the product.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agency/agency_record.h"
#include "bench_util.h"
#include "store/sql.h"
#include "store/store.h"
#include "store/store_agency.h"

#define PAGE  100
#define BATCH 2000
/* A C string as sql_runf()'s text argument. */
#define TEXT(s) SQL_CAP(s, SIZE_MAX)

static void die(const char *what, struct store *st)
{
    fprintf(stderr, "sync-apply-bench: %s: %s\n", what, st ? store_error(st)->message : "");
    exit(1);
}

static int64_t company_and_invoices(struct store *st, long n, int64_t *first_invoice)
{
    struct company co;
    struct customer cu;
    struct invoice_line_row line;
    struct store_invoice_new *items = calloc(BATCH, sizeof(*items));
    long done = 0;

    memset(&co, 0, sizeof(co));
    snprintf(co.name, sizeof(co.name), "Snickeri Ström AB");
    snprintf(co.country, sizeof(co.country), "SE");
    snprintf(co.language, sizeof(co.language), "sv");
    snprintf(co.timezone, sizeof(co.timezone), "Europe/Stockholm");
    co.payment_terms_days = 30;
    if (!items || store_company_insert(st, &co))
        die("company", st);
    memset(&cu, 0, sizeof(cu));
    cu.company_id = co.id;
    snprintf(cu.name, sizeof(cu.name), "Anna Andersson");
    snprintf(cu.country, sizeof(cu.country), "SE");
    snprintf(cu.zip_code, sizeof(cu.zip_code), "72215");
    snprintf(cu.address_line_1, sizeof(cu.address_line_1), "Storgatan 1");
    snprintf(cu.city, sizeof(cu.city), "Västerås");
    if (store_customer_insert(st, &cu))
        die("customer", st);
    memset(&line, 0, sizeof(line));
    snprintf(line.description, sizeof(line.description), "Snickeriarbete");
    line.line.quantity_milli = 1000;
    line.line.unit_price_minor = 100000;
    line.line.vat_rate_bp = 2500;
    line.net_minor = 100000;
    *first_invoice = 0;
    while (done < n) {
        size_t k = (size_t)(n - done < BATCH ? n - done : BATCH), i;

        memset(items, 0, BATCH * sizeof(*items));
        for (i = 0; i < k; i++) {
            struct invoice *inv = &items[i].inv;

            inv->company_id = co.id;
            inv->customer_id = cu.id;
            inv->kind = INVOICE_STANDARD;
            snprintf(inv->currency, sizeof(inv->currency), "SEK");
            inv->invoice_date = 20179; /* 2025-04-01 */
            inv->due_date = 20209;
            inv->net_minor = 100000;
            inv->vat_minor = 25000;
            inv->total_minor = 125000;
            inv->customer_part_minor = 125000;
            items[i].lines = &line;
            items[i].n_lines = 1;
        }
        if (store_invoice_insert_batch(st, items, k, NULL, NULL))
            die("invoices", st);
        if (!*first_invoice)
            *first_invoice = items[0].inv.id;
        done += (long)k;
    }
    free(items);
    return co.id;
}

/* Case i (invoice first + i) as a registration leaves it. */
static void registered(int64_t company, int64_t invoice, long i, struct agency_case *c)
{
    memset(c, 0, sizeof(*c));
    c->company_id = company;
    c->invoice_id = invoice;
    snprintf(c->case_id, sizeof(c->case_id), "case-%ld", i);
    snprintf(c->ocr, sizeof(c->ocr), "7%09ld", i);
    snprintf(c->state, sizeof(c->state), "initializing");
    c->capital_minor = 125000;
    c->remaining_minor = 125000;
    c->registered_at = 1750000000;
    c->state_events = 1; /* "initializing", recorded at the registration */
}

static void cases(struct store *st, int64_t company, int64_t first, long n)
{
    struct agency_case c;
    long i;

    for (i = 0; i < n; i++) {
        if (i % BATCH == 0 && store_begin(st))
            die("begin", st);
        registered(company, first + i, i, &c);
        if (store_agency_case_insert(st, &c))
            die("case", st);
        if ((i % BATCH == BATCH - 1 || i == n - 1) && store_commit(st))
            die("commit", st);
    }
    if (sql_exec(st, "UPDATE invoices SET agency_state = 'registered'"))
        die("registering", st);
}

/* Case i as the agency reports it after the change. */
static json_t *changed(long i)
{
    char id[32], ocr[16];

    snprintf(id, sizeof(id), "case-%ld", i);
    snprintf(ocr, sizeof(ocr), "7%09ld", i);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:f, s:f, s:f, s:s,"
                     " s:[{s:s, s:s}, {s:s, s:s}], s:[{s:s, s:s}]}",
                     "_id", id, "_etag", "e2", "_updated", "Mon, 16 Jun 2025 08:00:00 GMT", "state",
                     "reminder", "status", "reminder_sent", "closed", 0, "ocr", ocr,
                     "local_added_capital_amount", 1250.0, "local_remaining_capital_amount", 1250.0,
                     "local_remaining_transaction_amount", 1250.0, "original_invoice",
                     "https://agency.example/inv/1.pdf", "state_history", "state", "initializing",
                     "state_date", "2025-06-09T08:00:00Z", "state", "reminder", "state_date",
                     "2025-06-10T08:00:00Z", "status_history", "status", "reminder_sent",
                     "status_date", "2025-06-11T08:00:00Z");
}

static double product(struct store *st, const struct clock *clock, int64_t company, long n)
{
    double spent = 0;
    long i, k, j;

    for (i = 0; i < n; i += PAGE) {
        json_t *page = json_array();
        double t0;

        k = n - i < PAGE ? n - i : PAGE;
        for (j = 0; j < k; j++)
            json_array_append_new(page, changed(i + j));
        t0 = bench_seconds(CLOCK_MONOTONIC);
        if (store_begin(st))
            die("begin", st);
        if (agency_record_cases(st, clock, company, page))
            die("agency_record_cases", st);
        if (store_commit(st))
            die("commit", st);
        spent += bench_seconds(CLOCK_MONOTONIC) - t0;
        json_decref(page);
    }
    return spent;
}

/* The baseline (every_row false), or every row the product writes. */
static double upsert(struct store *st, int64_t company, int64_t first, long n, bool every_row)
{
    static const char sql_event[] =
        "INSERT INTO history_events (company_id, id, invoice_id, at_us, kind, actor, message, data)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    static const char sql_invoice[] =
        "UPDATE invoices SET agency_status = $3 WHERE company_id = $1 AND id = $2";
    static const char state_message[] = "Visma Amili: ärendet är nu i läget påminnelse (reminder)",
                      status_message[] = "Visma Amili: status påminnelse skickad (reminder_sent)";
    static int64_t event_id = 1000000000;
    static const char sql[] =
        "INSERT INTO agency_cases (company_id, invoice_id, case_id, ocr, state, status, closed,"
        " capital_minor, fees_minor, interest_minor, paid_minor, remaining_minor, disputed,"
        " instalment_plan, etag, registered_at, synced_at, state_events, status_events,"
        " agency_paid_minor, payout_minor, original_invoice_url, raw)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
        " $18, $19, $20, $21, $22, $23)"
        " ON CONFLICT (company_id, invoice_id) DO UPDATE SET case_id = excluded.case_id,"
        " ocr = excluded.ocr, state = excluded.state, status = excluded.status,"
        " closed = excluded.closed, capital_minor = excluded.capital_minor,"
        " fees_minor = excluded.fees_minor, interest_minor = excluded.interest_minor,"
        " paid_minor = excluded.paid_minor, remaining_minor = excluded.remaining_minor,"
        " disputed = excluded.disputed, instalment_plan = excluded.instalment_plan,"
        " etag = excluded.etag, registered_at = excluded.registered_at,"
        " synced_at = excluded.synced_at, state_events = excluded.state_events,"
        " status_events = excluded.status_events,"
        " agency_paid_minor = excluded.agency_paid_minor, payout_minor = excluded.payout_minor,"
        " original_invoice_url = excluded.original_invoice_url, raw = excluded.raw";
    struct agency_case c[PAGE];
    char *raw[PAGE], event_data[PAGE][2][128];
    double spent = 0;
    long i, k, j;

    for (i = 0; i < n; i += PAGE) {
        double t0;

        k = n - i < PAGE ? n - i : PAGE;
        for (j = 0; j < k; j++) {
            json_t *it = changed(i + j);

            registered(company, first + i + j, i + j, &c[j]);
            snprintf(c[j].state, sizeof(c[j].state), "reminder");
            snprintf(c[j].status, sizeof(c[j].status), "reminder_sent");
            snprintf(c[j].etag, sizeof(c[j].etag), "e3");
            c[j].synced_at = 1750032000;
            c[j].state_events = 2;
            c[j].status_events = 1;
            raw[j] = json_dumps(it, JSON_COMPACT);
            snprintf(event_data[j][0], sizeof(event_data[j][0]),
                     "{\"state\":\"reminder\",\"date\":\"2025-06-10T08:00:00Z\","
                     "\"case_id\":\"case-%ld\",\"index\":1}",
                     i + j);
            snprintf(event_data[j][1], sizeof(event_data[j][1]),
                     "{\"status\":\"reminder_sent\",\"date\":\"2025-06-11T08:00:00Z\","
                     "\"case_id\":\"case-%ld\",\"index\":0}",
                     i + j);
            json_decref(it);
        }
        t0 = bench_seconds(CLOCK_MONOTONIC);
        if (store_begin(st))
            die("begin", st);
        for (j = 0; j < k; j++) {
            const struct agency_case *x = &c[j];

            if (sql_runf(st, sql, "iittttbiiiiibbtiiiiiitt", x->company_id, x->invoice_id,
                         SQL_ARR(x->case_id), SQL_ARR(x->ocr), SQL_ARR(x->state),
                         SQL_ARR(x->status), x->closed, x->capital_minor, x->fees_minor,
                         x->interest_minor, x->paid_minor, x->remaining_minor, x->disputed,
                         x->instalment_plan, SQL_ARR(x->etag), x->registered_at, x->synced_at,
                         (int64_t)x->state_events, (int64_t)x->status_events, x->agency_paid_minor,
                         x->payout_minor, SQL_ARR(x->original_invoice_url),
                         SQL_CAP(raw[j], SIZE_MAX)))
                die("upsert", st);
            if (every_row &&
                (sql_runf(st, sql_event, "iiiitttt", x->company_id, event_id++, x->invoice_id,
                          (int64_t)1750032000000000, TEXT("amili_state"), TEXT("amili"),
                          TEXT(state_message), SQL_ARR(event_data[j][0])) ||
                 sql_runf(st, sql_event, "iiiitttt", x->company_id, event_id++, x->invoice_id,
                          (int64_t)1750032000000000, TEXT("amili_status"), TEXT("amili"),
                          TEXT(status_message), SQL_ARR(event_data[j][1])) ||
                 sql_runf(st, sql_invoice, "iit", x->company_id, x->invoice_id,
                          SQL_ARR(x->status))))
                die("every row", st);
        }
        if (store_commit(st))
            die("commit", st);
        spent += bench_seconds(CLOCK_MONOTONIC) - t0;
        for (j = 0; j < k; j++)
            free(raw[j]);
    }
    return spent;
}

/* A fresh database for run r: a new SQLite file, or PostgreSQL's public
 * schema emptied. */
static struct store *fresh(const char *dsn, long r)
{
    struct pm_error e = {0};
    struct store *st = NULL;
    char path[1024];
    bool pg = !strncmp(dsn, "postgres", 8) || strstr(dsn, "dbname=") != NULL;

    if (pg) {
        if (store_open(dsn, &st, &e))
            die(e.message, NULL);
        if (sql_exec(st, "DROP SCHEMA public CASCADE") || sql_exec(st, "CREATE SCHEMA public"))
            die("emptying the database", st);
    } else {
        snprintf(path, sizeof(path), "%s.%ld", dsn, r);
        unlink(path);
        if (store_open(path, &st, &e))
            die(e.message, NULL);
    }
    if (store_migrate(st, NULL))
        die("migrate", st);
    return st;
}

int main(int argc, char **argv)
{
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;
    long runs = argc > 3 ? strtol(argv[3], NULL, 10) : 3, r;
    struct clock clock = {.fixed_us = (int64_t)1750032000 * 1000000}; /* 2025-06-16 */
    double p[16], u[16], a[16];

    if (argc < 2 || n <= 0 || runs <= 0 || runs > 16) {
        fprintf(stderr, "usage: sync-apply-bench DSN [N] [RUNS<=16]\n");
        return 2;
    }
    for (r = 0; r < runs; r++) {
        struct store *st = fresh(argv[1], r + 1);
        int64_t first = 0, company = company_and_invoices(st, n, &first);

        cases(st, company, first, n);
        p[r] = product(st, &clock, company, n);
        u[r] = upsert(st, company, first, n, false);
        a[r] = upsert(st, company, first, n, true);
        printf("run %ld: product %.2f s (%.0f cases/s), raw upsert %.2f s (%.0f rows/s), ratio "
               "%.2f; every row raw %.2f s, its ratio %.2f\n",
               r + 1, p[r], (double)n / p[r], u[r], (double)n / u[r], u[r] / p[r], a[r],
               a[r] / p[r]);
        fflush(stdout);
        store_close(&st);
    }
    qsort(p, (size_t)runs, sizeof(p[0]), bench_by_value);
    qsort(u, (size_t)runs, sizeof(u[0]), bench_by_value);
    qsort(a, (size_t)runs, sizeof(a[0]), bench_by_value);
    printf("| %ld | %.2f / %.2f s | %.2f / %.2f s | **%.2f** | %.2f / %.2f s | %.2f |\n", n, p[0],
           p[(runs - 1) / 2], u[0], u[(runs - 1) / 2], u[(runs - 1) / 2] / p[(runs - 1) / 2], a[0],
           a[(runs - 1) / 2], a[(runs - 1) / 2] / p[(runs - 1) / 2]);
    return 0;
}
