/*
 * app_invoices.c — a new invoice: its row, its history and its voucher.
 *
 * Part of src/app (see app_invoices.h).
 */
#include "app/app_invoices.h"

#include <stdio.h>

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
    enum pm_err rc;

    rc = store_customer_get(ax->store, ax->company->id, inv->customer_id, &cu);
    if (rc == PM_ERR_NOT_FOUND)
        return app_error_set(e, rc, "invalid_value", "customer_id");
    if (rc)
        return app_store_failed(ax, rc, e);
    inv->company_id = ax->company->id;
    snprintf(inv->customer_name, sizeof(inv->customer_name), "%s", cu.name);
    rc = store_invoice_insert(ax->store, inv, lines, n_lines, buyers, n_buyers);
    if (rc == PM_ERR_CONFLICT) {
        app_store_failed(ax, rc, e);
        return app_error_set(e, rc, "duplicate_number", "number");
    }
    if (rc)
        return app_store_failed(ax, rc, e);
    rc = app_history(ax, inv->id, "created", "Faktura skapad",
                     json_pack("{s:I, s:I}", "number", (json_int_t)inv->number, "total_minor",
                               (json_int_t)inv->total_minor),
                     e);
    if (!rc)
        rc = app_invoices_issued(ax, inv, e);
    return rc;
}
