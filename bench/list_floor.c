/*
 * list_floor.c — the store's own cost of one page of the overdue list, the
 * part of a cache miss no HTTP server, JSON writer or thread pool can take
 * away (issue 15, table row 3: the miss beside nginx).
 *
 *   list-floor-bench DSN [PAGES] [RUNS]
 *
 * DSN: the database of `paminn demo-data` (SQLite file or PostgreSQL DSN),
 * company 1, today 2026-11-02 as bench/api-list.sh serves it.  Per run,
 * PAGES times (default 20 000), one thread: the page of 51 rows (the API's
 * 50 and one to know whether there is a next page) after the first page's
 * last due date and a random id — what bench/list-miss.lua asks the server
 * for — read by store_invoice_list(), the statement and every row's
 * columns into their structs.  Prints per run the pages a second and the
 * CPU time of this process a page (on PostgreSQL the server's time is not
 * in it), then min / median of the runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_util.h"
#include "store/store.h"

#define ROWS 51

int main(int argc, char **argv)
{
    static struct invoice page[ROWS];
    long pages = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
    long runs = argc > 3 ? strtol(argv[3], NULL, 10) : 3, r, i;
    struct invoice_query q = {.filter = FILTER_OVERDUE, .sort = SORT_DUE_ASC, .limit = ROWS};
    double rate[16], cpu[16];
    struct pm_error e = {0};
    struct store *st = NULL;
    size_t n = 0;

    if (argc < 2 || pages <= 0 || runs <= 0 || runs > 16) {
        fprintf(stderr, "usage: list-floor-bench DSN [PAGES] [RUNS<=16]\n");
        return 2;
    }
    if (store_open(argv[1], &st, &e)) {
        fprintf(stderr, "list-floor-bench: %s\n", e.message);
        return 1;
    }
    q.today = 20759; /* 2026-11-02, days since 1970-01-01 */
    if (store_invoice_list(st, 1, &q, page, ROWS, &n) || n < 50) {
        fprintf(stderr, "list-floor-bench: no overdue list of 50 in company 1 (%s)\n",
                store_error(st)->message);
        return 1;
    }
    q.after = (struct invoice_cursor){true, page[49].due_date, 0};
    srandom(1);
    for (r = 0; r < runs; r++) {
        double w0 = bench_seconds(CLOCK_MONOTONIC), c0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID), w,
               c;

        for (i = 0; i < pages; i++) {
            q.after.id = 1 + random() % 1000000000;
            if (store_invoice_list(st, 1, &q, page, ROWS, &n)) {
                fprintf(stderr, "list-floor-bench: %s\n", store_error(st)->message);
                return 1;
            }
        }
        w = bench_seconds(CLOCK_MONOTONIC) - w0;
        c = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
        rate[r] = (double)pages / w;
        cpu[r] = c / (double)pages * 1e6;
        printf("run %ld: %.0f pages/s, %.1f us of CPU a page (%zu rows on the last)\n", r + 1,
               rate[r], cpu[r], n);
        fflush(stdout);
    }
    qsort(rate, (size_t)runs, sizeof(rate[0]), bench_by_value);
    qsort(cpu, (size_t)runs, sizeof(cpu[0]), bench_by_value);
    printf("| %ld pages | best / median %.0f / %.0f pages/s | min / median %.1f / %.1f us of CPU "
           "a page |\n",
           pages, rate[runs - 1], rate[(runs - 1) / 2], cpu[0], cpu[(runs - 1) / 2]);
    store_close(&st);
    return 0;
}
