/*
 * app_export.c — the vouchers of a period, the SIE 4 export and the
 * receivables aging (see app_export.h).
 *
 * Part of src/app.  The file format is core/sie.h's and the aging's
 * buckets core/aging.h's; the store pages the vouchers.
 */
#include "app/app_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/fiscal.h"
#include "core/idnum.h"
#include "core/sie.h"
#include "store/store_books.h"

#define VOUCHER_PAGE 200
#define ACCOUNTS_MAX 512

static enum pm_err nomem(struct app_error *e)
{
    return app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
}

enum pm_err app_export_vouchers(const struct app_ctx *ax, int32_t from, int32_t to,
                                app_voucher_each each, void *arg, bool *truncated,
                                struct app_error *e)
{
    struct voucher *page = calloc(VOUCHER_PAGE, sizeof(*page));
    size_t n = 0, i, total = 0;
    int after_year = 0;
    int64_t after_number = 0;
    enum pm_err rc = PM_OK;

    *truncated = false;
    if (!page)
        return nomem(e);
    do {
        rc = store_books_voucher_list(ax->store, ax->company_id, from, to, after_year, after_number,
                                      page, VOUCHER_PAGE, &n);
        if (rc) {
            app_store_failed(ax, rc, e);
            goto out_free;
        }
        for (i = 0; i < n && total < APP_VOUCHERS_LIST_MAX; i++, total++) {
            rc = each(arg, &page[i]);
            if (rc) {
                nomem(e);
                goto out_free;
            }
            after_year = page[i].year;
            after_number = page[i].number;
        }
    } while (n == VOUCHER_PAGE && total < APP_VOUCHERS_LIST_MAX);
    *truncated = total >= APP_VOUCHERS_LIST_MAX;
out_free:
    free(page);
    return rc;
}

/* ---- SIE ---- */

/* Streams a year's vouchers from the store, a page at a time. */
struct voucher_stream {
    struct store *store;
    int64_t company_id;
    int32_t from, to;
    struct voucher *page;
    size_t n, next;
    bool done;
};

static enum pm_err stream_next(void *ctx, const struct voucher **v)
{
    struct voucher_stream *vs = ctx;
    int after_year = 0;
    int64_t after_number = 0;
    enum pm_err rc;

    *v = NULL;
    if (vs->next == vs->n) {
        if (vs->done)
            return PM_OK;
        if (vs->n > 0) {
            after_year = vs->page[vs->n - 1].year;
            after_number = vs->page[vs->n - 1].number;
        }
        rc = store_books_voucher_list(vs->store, vs->company_id, vs->from, vs->to, after_year,
                                      after_number, vs->page, VOUCHER_PAGE, &vs->n);
        if (rc)
            return rc;
        vs->next = 0;
        vs->done = vs->n < VOUCHER_PAGE;
        if (vs->n == 0)
            return PM_OK;
    }
    *v = &vs->page[vs->next++];
    return PM_OK;
}

/* The balances of all vouchers before `before`, as SIE balances. */
static enum pm_err balances(const struct app_ctx *ax, int32_t before, struct sie_balance *out,
                            size_t *n, struct app_error *e)
{
    struct account_balance *rows = calloc(ACCOUNTS_MAX, sizeof(*rows));
    enum pm_err rc;
    size_t i;

    if (!rows)
        return nomem(e);
    rc = store_books_voucher_balances(ax->store, ax->company_id, before, rows, ACCOUNTS_MAX, n);
    if (rc)
        app_store_failed(ax, rc, e);
    for (i = 0; !rc && i < *n; i++) {
        out[i].account = rows[i].account;
        out[i].amount_minor = rows[i].balance_minor;
    }
    free(rows);
    return rc;
}

enum pm_err app_export_sie(const struct app_ctx *ax, int year, enum sie_type type, struct buf *out,
                           struct app_error *e)
{
    const struct company *co = ax->company;
    struct sie_balance *opening = NULL, *closing = NULL, *earlier = NULL;
    struct voucher_stream vs;
    struct sie_company sc;
    struct sie_export x;
    struct pm_error pe = {0};
    struct idnum org;
    char postal[STORE_NAME_MAX + STORE_SHORT_MAX + 2];
    struct fiscal_year fy;
    int32_t start = 0, next_start = 0, previous_start = 0;
    int start_month = co->fiscal_year_start_month;
    size_t n_opening = 0, n_closing = 0, n_earlier = 0;
    enum pm_err rc;

    memset(&vs, 0, sizeof(vs));
    if (!fiscal_start_month_valid(start_month))
        start_month = FISCAL_START_MONTH_DEFAULT;
    /* year names the fiscal year by the calendar year it starts in; the
     * one before it is declared in 4E as #RAR -1 */
    if (year < DATE_MIN_YEAR || year >= DATE_MAX_YEAR || fiscal_year_get(year, start_month, &fy))
        return app_error_set(e, PM_ERR_RANGE, "out_of_range", "year");
    start = fy.first;
    next_start = fy.last + 1;
    if (fiscal_year_get(year - 1, start_month, &fy))
        date_from_ymd(DATE_MIN_YEAR, 1, 1, &previous_start);
    else
        previous_start = fy.first;
    opening = calloc(ACCOUNTS_MAX, sizeof(*opening));
    closing = calloc(ACCOUNTS_MAX, sizeof(*closing));
    earlier = calloc(ACCOUNTS_MAX, sizeof(*earlier));
    vs.page = calloc(VOUCHER_PAGE, sizeof(*vs.page));
    if (!opening || !closing || !earlier || !vs.page) {
        rc = nomem(e);
        goto out_free;
    }
    rc = balances(ax, start, opening, &n_opening, e);
    if (!rc)
        rc = balances(ax, next_start, closing, &n_closing, e);
    if (!rc && type == SIE_TYPE_4E && n_opening > 0)
        rc = balances(ax, previous_start, earlier, &n_earlier, e);
    if (rc)
        goto out_free;
    memset(&sc, 0, sizeof(sc));
    sc.name = co->name;
    sc.organization_no = !idnum_parse_org(co->organization_no, &org) ? org.display : "";
    sc.contact = "";
    sc.street = co->address_line_1;
    snprintf(postal, sizeof(postal), "%s%s%s", co->zip_code, co->zip_code[0] ? " " : "", co->city);
    sc.postal = postal;
    sc.phone = co->phone;
    vs.store = ax->store;
    vs.company_id = co->id;
    vs.from = start;
    vs.to = next_start - 1;
    memset(&x, 0, sizeof(x));
    x.company = &sc;
    x.type = type;
    x.year = year;
    x.start_month = start_month;
    x.previous_year = n_opening > 0;
    x.generated = ax->today;
    x.program = "Påminn";
    x.version = "0.1.0";
    x.opening = opening;
    x.n_opening = n_opening;
    x.closing = closing;
    x.n_closing = n_closing;
    x.earlier = earlier;
    x.n_earlier = n_earlier;
    x.next_voucher = stream_next;
    x.ctx = &vs;
    rc = sie_export(&x, out, &pe);
    if (rc) {
        app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
        app_error_detail(e, "SIE export: %s", pe.message);
    }
out_free:
    free(vs.page);
    free(earlier);
    free(closing);
    free(opening);
    return rc;
}

/* ---- receivables aging ---- */

static void aging_add(void *ctx, int32_t due_date, int64_t count, int64_t remaining_minor)
{
    struct app_aging *out = ctx;
    enum aging_bucket b = aging_bucket_of(due_date, out->as_of);

    out->count[b] += count;
    out->remaining_minor[b] += remaining_minor;
    out->total_count += count;
    out->total_minor += remaining_minor;
}

enum pm_err app_export_aging(const struct app_ctx *ax, int32_t as_of, struct app_aging *out,
                             struct app_error *e)
{
    int32_t from, to;
    enum pm_err rc;
    int i;

    memset(out, 0, sizeof(*out));
    out->as_of = as_of;
    /* A past date: the invoices as they stood then, not today's. */
    if (as_of < ax->today) {
        rc = store_books_receivables_on(ax->store, ax->company_id, as_of, aging_add, out);
        return rc ? app_store_failed(ax, rc, e) : PM_OK;
    }
    for (i = 0; i < AGING_BUCKETS; i++) {
        aging_bucket_range((enum aging_bucket)i, as_of, &from, &to);
        rc = store_books_receivables_sum(ax->store, ax->company_id, from, to, &out->count[i],
                                         &out->remaining_minor[i]);
        if (rc)
            return app_store_failed(ax, rc, e);
        out->total_minor += out->remaining_minor[i];
        out->total_count += out->count[i];
    }
    return PM_OK;
}
