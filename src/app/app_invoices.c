/*
 * app_invoices.c — a new invoice: its row, its history and its voucher.
 *
 * Part of src/app (see app_invoices.h).
 */
#include "app/app_invoices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_reminder_stops.h"
#include "app/app_rules.h"

#define HISTORY_PAGE 100

enum pm_err app_invoices_get(const struct app_ctx *ax, int64_t invoice_id, struct invoice *inv,
                             struct app_error *e)
{
    enum pm_err rc = store_invoice_get(ax->store, ax->company_id, invoice_id, inv);

    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_invoices_id_by_number(const struct app_ctx *ax, int64_t number, int64_t *invoice_id,
                                      struct app_error *e)
{
    enum pm_err rc = store_agency_invoice_by_number(ax->store, ax->company_id, number, invoice_id);

    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_invoices_list(const struct app_ctx *ax, const struct invoice_query *q,
                              struct invoice *out, size_t cap, size_t *n, struct app_error *e)
{
    enum pm_err rc = store_invoice_list(ax->store, ax->company_id, q, out, cap, n);

    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_invoices_counts(const struct app_ctx *ax, int64_t counts[FILTER_COUNT],
                                struct app_error *e)
{
    enum pm_err rc = store_invoice_counts(ax->store, ax->company_id, ax->today, counts);

    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

enum pm_err app_invoices_history(const struct app_ctx *ax, int64_t invoice_id,
                                 app_history_each each, void *arg, struct app_error *e)
{
    struct history_event *page = NULL;
    struct invoice inv;
    int64_t after = 0;
    size_t n = 0, i, total = 0;
    enum pm_err rc;

    rc = app_invoices_get(ax, invoice_id, &inv, e);
    if (rc)
        return rc;
    page = calloc(HISTORY_PAGE, sizeof(*page));
    if (!page)
        return app_error_set(e, PM_ERR_NOMEM, NULL, NULL);
    do {
        rc = store_history_list(ax->store, ax->company_id, invoice_id, after, page, HISTORY_PAGE,
                                &n);
        if (rc) {
            app_store_failed(ax, rc, e);
            goto out_free;
        }
        for (i = 0; i < n; i++) {
            rc = each(arg, &page[i]);
            if (rc) {
                app_error_set(e, rc, NULL, NULL);
                goto out_free;
            }
            after = page[i].id;
        }
        total += n;
    } while (n == HISTORY_PAGE && total < APP_HISTORY_MAX);
out_free:
    free(page);
    return rc;
}

enum pm_err app_invoices_capital_changes(const struct app_ctx *ax, const struct invoice *inv,
                                         struct capital_change **ch, size_t *n, struct app_error *e)
{
    struct payment *pays = calloc(APP_PAYMENTS_MAX, sizeof(*pays));
    size_t n_pays = 0, i;
    enum pm_err rc;

    *n = 0;
    *ch = calloc(APP_PAYMENTS_MAX + 1, sizeof(**ch));
    if (!pays || !*ch) {
        rc = app_error_set(e, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    rc = store_payment_list(ax->store, ax->company_id, inv->id, pays, APP_PAYMENTS_MAX, &n_pays);
    if (rc) {
        app_store_failed(ax, rc, e);
        goto out_free;
    }
    for (i = 0; i < n_pays; i++) {
        if (pays[i].amount_minor == 0)
            continue; /* paid fees and interest only */
        (*ch)[*n].date = pays[i].date;
        (*ch)[(*n)++].amount_minor = -pays[i].amount_minor;
    }
    if (inv->credited_minor > 0) {
        (*ch)[*n].date = inv->due_date;
        (*ch)[(*n)++].amount_minor = -inv->credited_minor;
    }
out_free:
    if (rc) {
        free(*ch);
        *ch = NULL;
    }
    free(pays);
    return rc;
}

void app_invoices_view_release(struct app_invoice_view *v)
{
    free(v->lines);
    memset(v, 0, sizeof(*v));
}

enum pm_err app_invoices_view(const struct app_ctx *ax, int64_t invoice_id, int32_t as_of,
                              struct app_invoice_view *v, struct app_error *e)
{
    struct capital_change *ch = NULL;
    const struct rate_period *period;
    struct rate_table rates;
    struct customer cu;
    struct interest_pause pauses[2];
    size_t n = 0, n_pauses;
    enum pm_err rc;

    memset(v, 0, sizeof(*v));
    rc = store_invoice_get(ax->store, ax->company_id, invoice_id, &v->inv);
    if (!rc)
        rc = store_customer_get(ax->store, ax->company_id, v->inv.customer_id, &cu);
    if (rc)
        return app_store_failed(ax, rc, e);
    v->lines = calloc(STORE_LINES_MAX, sizeof(*v->lines));
    if (!v->lines)
        return app_error_set(e, PM_ERR_NOMEM, NULL, NULL);
    rc = store_invoice_lines(ax->store, ax->company_id, invoice_id, v->lines, STORE_LINES_MAX,
                             &v->n_lines);
    if (!rc)
        rc = store_invoice_buyers(ax->store, ax->company_id, invoice_id, v->buyers,
                                  STORE_BUYERS_MAX, &v->n_buyers);
    if (!rc)
        rc = store_books_invoice_get(ax->store, ax->company_id, invoice_id, &v->books);
    if (rc)
        return app_store_failed(ax, rc, e);
    rc = app_reminder_stops_of(ax, &v->inv, &v->stops, e);
    if (rc)
        return rc;
    n_pauses = reminder_stop_pauses(&v->stops.inv, &v->stops.cust, as_of, pauses);
    rc = app_invoices_capital_changes(ax, &v->inv, &ch, &n, e);
    if (rc)
        return rc;
    if (as_of > v->inv.due_date && v->inv.customer_part_minor > 0 &&
        v->inv.state == INVOICE_STATE_OPEN && v->books.expected_loss_minor == 0 &&
        v->books.loss.gross_minor == 0) {
        rc = app_rules_rates(ax, &rates, e);
        if (rc)
            goto out_free;
        rc = interest_compute_paused(&rates, v->inv.customer_part_minor, v->inv.due_date, as_of, ch,
                                     n, pauses, n_pauses, &v->interest);
        if (rc == PM_ERR_UNKNOWN_RATE) {
            memset(&v->interest, 0, sizeof(v->interest));
            v->interest.rate_unknown = true;
            v->interest.unknown_from = v->inv.due_date + 1;
            rc = PM_OK;
        }
        if (rc) {
            app_error_set(e, rc, "internal_error", NULL);
            app_error_detail(e, "interest_compute failed for invoice %lld", (long long)v->inv.id);
        }
        period = v->interest.days > 0 ? rate_table_period(&rates, v->interest.last_day) : NULL;
        if (period) {
            v->rate = *period;
            v->have_rate = true;
        }
        rate_table_release(&rates);
    }
out_free:
    free(ch);
    return rc;
}

enum pm_err app_invoices_issued(const struct app_ctx *ax, const struct invoice *inv,
                                struct app_error *e)
{
    struct voucher_invoice vi;
    struct voucher v;
    enum pm_err rc;

    if (ax->company->accounting_method == ACCOUNTING_CASH || inv->total_minor <= 0)
        return PM_OK;
    rc = app_invoice_facts(ax, inv, true, &vi, e);
    if (rc)
        return rc;
    rc = app_voucher_built(voucher_invoice_issued(&vi, inv->invoice_date, &v), e, "invoice");
    if (!rc)
        rc = app_book(ax, &v, inv->id, e);
    return rc;
}

enum pm_err app_invoices_create(const struct app_ctx *ax, struct invoice *inv,
                                const struct invoice_line_row *lines, size_t n_lines,
                                const struct invoice_buyer *buyers, size_t n_buyers,
                                struct app_error *e)
{
    struct customer cu;
    struct pm_error pe = {0};
    int64_t capped_from = 0;
    enum pm_err rc;

    rc = app_books_open(ax, inv->invoice_date, "invoice_date", e);
    if (rc)
        return rc;
    rc = store_customer_get(ax->store, ax->company_id, inv->customer_id, &cu);
    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "invalid_value", "customer_id");
    if (rc)
        return app_store_failed(ax, rc, e);
    inv->company_id = ax->company_id;
    rc = voucher_zero_vat_check(inv->zero_vat, voucher_market_of(cu.country), cu.is_company,
                                inv->vat_minor, &pe);
    if (rc) {
        app_error_set(e, rc, "invalid_value", "zero_vat");
        return app_error_detail(e, "%s", pe.message);
    }
    inv->reminder_fee_agreed_minor =
        ax->company->reminder_fee_agreed ? ax->company->reminder_fee_minor : 0;
    rc = app_rules_rotrut(ax, &cu, inv, buyers, n_buyers, &capped_from, e);
    if (rc)
        return rc;
    snprintf(inv->customer_name, sizeof(inv->customer_name), "%s", cu.name);
    rc = store_invoice_insert(ax->store, inv, lines, n_lines, buyers, n_buyers);
    if (rc == PM_ERR_CONFLICT) {
        app_store_failed(ax, rc, e);
        return app_error_set(e, rc, "duplicate_number", "number");
    }
    if (rc)
        return app_store_failed(ax, rc, e);
    rc = app_history(ax, inv->id, "created",
                     capped_from ? "Faktura skapad; skattereduktionen begränsad av årstaket"
                                 : "Faktura skapad",
                     json_pack("{s:I, s:I, s:o}", "number", (json_int_t)inv->number, "total_minor",
                               (json_int_t)inv->total_minor, "tax_reduction_capped_from",
                               capped_from ? json_integer(capped_from) : json_null()),
                     e);
    if (!rc)
        rc = app_invoices_issued(ax, inv, e);
    return rc;
}
