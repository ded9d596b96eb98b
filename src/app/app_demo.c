/*
 * app_demo.c — the vouchers of the invoices and payments the demo data
 * generator wrote (see app_demo.h).
 *
 * Part of src/app.  The generator writes invoices and payments straight
 * into the store (fast, deterministic); this books what the product would
 * have booked for them, in transactions of a few thousand invoices.
 */
#include "app/app_demo.h"

#include <stdlib.h>
#include <string.h>

#include "core/voucher.h"
#include "store/store_books.h"

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

enum pm_err app_demo_vouchers(struct store *st, int64_t company_id, int32_t today, int64_t *made)
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
    rc = !page || !rows || !lines || !pays ? PM_ERR_NOMEM : store_company_get(st, company_id, &co);
    if (!rc)
        rc = store_begin_for(st, company_id);
    memset(&q, 0, sizeof(q));
    q.filter = FILTER_ALL;
    q.sort = SORT_NUMBER_ASC;
    q.today = today;
    q.limit = DEMO_PAGE;
    while (!rc) {
        rc = store_invoice_list(st, company_id, &q, page, DEMO_PAGE, &n);
        for (i = 0; !rc && i < n; i++) {
            if (!strcmp(page[i].currency, "SEK")) /* the books are in SEK */
                rc = demo_invoice_vouchers(st, &page[i], co.accounting_method == ACCOUNTING_CASH,
                                           rows, lines, pays, made);
            if (!rc && ++done % 2000 == 0) {
                rc = store_commit(st);
                if (!rc)
                    rc = store_begin_for(st, company_id);
            }
        }
        if (rc || n < DEMO_PAGE)
            break;
        q.after.set = true;
        q.after.key = page[n - 1].number;
        q.after.id = page[n - 1].id;
    }
    if (!rc)
        rc = store_commit(st);
    else
        store_rollback(st);
    free(pays);
    free(lines);
    free(rows);
    free(page);
    return rc;
}
