/*
 * api_loss.c — registering a customer loss (kundförlust) on an invoice:
 * expected (befarad) or confirmed (konstaterad).
 *
 * Part of src/api.  The vouchers follow the domain notes (core/voucher.h):
 * an expected loss writes the net down (6352 / 1519); a confirmed loss
 * first reverses an expected one, then books the net on 6351, takes the
 * output VAT of the lost part back (26xx) and clears the receivable (1510),
 * and marks the invoice written off.  Refused, with a clear code, for
 * companies on the cash method, for disputed invoices (a disputed claim is
 * no loss) and for invoices with nothing left.  An invoice whose case is
 * open at Visma Amili needs an explicit choice: keep the case (later money
 * from the agency is booked as a recovered loss) or withdraw it (a
 * "cancel" message goes to the agency in the same transaction).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_books.h"
#include "api/api_handlers.h"
#include "api/api_json.h"
#include "api/api_render.h"
#include "api/api_request.h"
#include "core/voucher.h"
#include "store/store_agency.h"
#include "store/store_books.h"
#include "util/clock.h"

enum loss_kind { LOSS_EXPECTED, LOSS_CONFIRMED };
enum case_choice { CHOICE_KEEP, CHOICE_WITHDRAW, CHOICE_NONE };

static const char *const kind_names[] = {"expected", "confirmed", NULL};
static const char *const choice_names[] = {"keep", "withdraw", NULL};

/* Is the invoice's case at the agency open, and is it disputed? */
static enum pm_err agency_case(struct api_request *r, const struct invoice *inv, bool *open,
                               bool *disputed)
{
    struct agency_case c;
    enum pm_err rc;

    *open = false;
    *disputed = !strcmp(inv->agency_status, "disputed");
    if (!inv->agency_state[0] || !strcmp(inv->agency_state, "failed"))
        return PM_OK;
    rc = store_agency_case_get(r->store, r->company_id, inv->id, &c);
    if (rc == PM_ERR_NOT_FOUND) {
        /* queued, not yet registered: the case is about to open */
        *open = !strcmp(inv->agency_state, "queued");
        return PM_OK;
    }
    if (rc)
        return api_request_store_failed(r, rc);
    *disputed = *disputed || c.disputed;
    *open = !c.closed &&
            (!strcmp(inv->agency_state, "queued") || !strcmp(inv->agency_state, "registered"));
    return PM_OK;
}

static enum pm_err impact(struct api_request *r)
{
    json_t *extra = json_pack(
        "{s:{s:s, s:s}}", "impact", "keep",
        r->english ? "The case stays open at Visma Amili. Money the agency collects later is "
                     "booked as a recovered customer loss."
                   : "Ärendet ligger kvar hos Visma Amili. Pengar som Amili driver in senare "
                     "bokförs som återvunnen kundförlust.",
        "withdraw",
        r->english ? "The case is withdrawn at Visma Amili (a cancellation); the agency stops "
                     "collecting."
                   : "Ärendet återkallas hos Visma Amili (makulering) och Amili slutar driva in "
                     "fordran.");
    char *text = extra ? json_dumps(extra, JSON_COMPACT) : NULL;

    api_error_set(&r->err, PM_ERR_CONFLICT, "agency_case_open", "case_choice");
    if (text)
        api_error_extra(&r->err, text);
    free(text);
    json_decref(extra);
    return PM_ERR_CONFLICT;
}

static enum pm_err withdraw_case(struct api_request *r, const struct invoice *inv)
{
    struct outbox_message m;
    enum pm_err rc;

    memset(&m, 0, sizeof(m));
    m.company_id = r->company_id;
    m.invoice_id = inv->id;
    snprintf(m.kind, sizeof(m.kind), "cancel");
    snprintf(m.payload, sizeof(m.payload), "{\"reason\":\"customer_loss\"}");
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "loss-%lld", (long long)inv->id);
    rc = store_outbox_enqueue(r->store, &m);
    if (rc == PM_ERR_CONFLICT) /* withdrawn with an earlier loss already */
        rc = PM_OK;
    if (rc)
        return api_request_store_failed(r, rc);
    return PM_OK;
}

/* Book v for the invoice and add {year, number} to list. */
static enum pm_err book(struct api_request *r, const struct api_books_ctx *bx, struct voucher *v,
                        int64_t invoice_id, json_t *list)
{
    enum pm_err rc;

    v->company_id = bx->company->id;
    v->invoice_id = invoice_id;
    v->created_at = clock_now_s(bx->clock);
    rc = store_books_voucher_insert(r->store, v);
    if (rc)
        return api_request_store_failed(r, rc);
    if (json_array_append_new(list, json_pack("{s:i, s:I, s:s}", "year", v->year, "number",
                                              (json_int_t)v->number, "source", v->source)))
        return api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
    return PM_OK;
}

static enum pm_err built(struct api_request *r, enum pm_err rc)
{
    if (rc) {
        api_error_set(&r->err, PM_ERR_INTERNAL, "internal_error", NULL);
        api_error_detail(&r->err, "building a loss voucher: %s", pm_err_name(rc));
    }
    return rc;
}

/* The invoice's totals per VAT rate (for the VAT of the lost part). */
static enum pm_err facts(struct api_request *r, const struct invoice *inv,
                         struct voucher_invoice *vi)
{
    struct invoice_line_row *rows = calloc(STORE_LINES_MAX, sizeof(*rows));
    struct invoice_line *lines = calloc(STORE_LINES_MAX, sizeof(*lines));
    struct pm_error pe = {0};
    size_t n = 0, i;
    enum pm_err rc;

    memset(vi, 0, sizeof(*vi));
    if (!rows || !lines) {
        rc = api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
        goto out_free;
    }
    rc = store_invoice_lines(r->store, r->company_id, inv->id, rows, STORE_LINES_MAX, &n);
    if (rc) {
        api_request_store_failed(r, rc);
        goto out_free;
    }
    for (i = 0; i < n; i++)
        lines[i] = rows[i].line;
    rc = invoice_compute(inv->kind, inv->invoice_date, lines, n, &vi->totals, &pe);
    if (rc) {
        api_error_set(&r->err, PM_ERR_INTERNAL, "internal_error", NULL);
        goto out_free;
    }
    vi->number = inv->number;
    vi->customer_name = inv->customer_name;
out_free:
    free(lines);
    free(rows);
    return rc;
}

enum pm_err api_loss_create(struct api_request *r)
{
    static const char *const keys[] = {"kind", "date", "case_choice", NULL};
    int64_t id = api_router_param(&r->match, "id");
    struct api_books_ctx bx;
    struct company co;
    struct invoice inv;
    struct invoice_books ib;
    struct voucher_invoice vi;
    struct voucher_loss loss;
    struct voucher v;
    char actor[STORE_EMAIL_MAX];
    int kind = 0, choice = CHOICE_NONE;
    int32_t date = r->today;
    bool open = false, disputed = false;
    json_t *vouchers = NULL;
    int64_t vat = 0;
    enum pm_err rc;
    int i;

    rc = api_json_check_keys(r->json, "", keys, &r->err);
    if (!rc)
        rc = api_json_enum(r->json, "", "kind", true, kind_names, &kind, NULL, &r->err);
    if (!rc)
        rc = api_json_date(r->json, "", "date", false, &date, NULL, &r->err);
    if (!rc && date > r->today)
        rc = api_error_set(&r->err, PM_ERR_RANGE, "out_of_range", "date");
    if (!rc)
        rc = api_json_enum(r->json, "", "case_choice", false, choice_names, &choice, NULL, &r->err);
    if (!rc)
        rc = api_books_ctx_of_request(r, &co, actor, sizeof(actor), &bx);
    if (rc)
        return rc;
    rc = store_invoice_get(r->store, r->company_id, id, &inv);
    if (!rc)
        rc = store_books_invoice_get(r->store, r->company_id, id, &ib);
    if (rc)
        return api_request_store_failed(r, rc);

    /* The refusals, each before anything is written. */
    if (co.accounting_method == ACCOUNTING_CASH)
        return api_error_set(&r->err, PM_ERR_INVALID, "cash_method_not_supported",
                             "accounting_method");
    if (inv.state == INVOICE_STATE_WRITTEN_OFF)
        return api_error_set(&r->err, PM_ERR_CONFLICT, "already_written_off", "invoice_id");
    if (inv.state != INVOICE_STATE_OPEN || inv.remaining_minor <= 0)
        return api_error_set(&r->err, PM_ERR_CONFLICT, "nothing_to_write_off", "invoice_id");
    rc = agency_case(r, &inv, &open, &disputed);
    if (rc)
        return rc;
    if (disputed)
        return api_error_set(&r->err, PM_ERR_CONFLICT, "disputed", "invoice_id");
    if (kind == LOSS_EXPECTED && ib.expected_loss_minor > 0)
        return api_error_set(&r->err, PM_ERR_CONFLICT, "already_expected", "kind");
    if (open && choice == CHOICE_NONE)
        return impact(r);

    rc = facts(r, &inv, &vi);
    if (rc)
        return rc;
    if (built(r, voucher_loss_split(&vi, inv.remaining_minor, &loss)))
        return PM_ERR_INTERNAL;
    vouchers = json_array();
    if (!vouchers)
        return api_error_set(&r->err, PM_ERR_NOMEM, "internal_error", NULL);
    if (kind == LOSS_EXPECTED) {
        rc = built(r, voucher_expected_loss(&vi, loss.net_minor, date, &v));
        if (!rc)
            rc = book(r, &bx, &v, id, vouchers);
        ib.expected_loss_minor = loss.net_minor;
    } else {
        if (ib.expected_loss_minor > 0) {
            rc = built(r, voucher_expected_loss_reversal(&vi, ib.expected_loss_minor, date, &v));
            if (!rc)
                rc = book(r, &bx, &v, id, vouchers);
            ib.expected_loss_minor = 0;
        }
        if (!rc)
            rc = built(r, voucher_confirmed_loss(&vi, &loss, date, &v));
        if (!rc)
            rc = book(r, &bx, &v, id, vouchers);
        ib.loss = loss;
        if (!rc) {
            rc = store_books_invoice_write_off(r->store, r->company_id, id);
            if (rc)
                api_request_store_failed(r, rc);
        }
    }
    if (rc)
        goto out_free;
    rc = store_books_invoice_put(r->store, &ib);
    if (rc) {
        api_request_store_failed(r, rc);
        goto out_free;
    }
    if (open && choice == CHOICE_WITHDRAW) {
        rc = withdraw_case(r, &inv);
        if (rc)
            goto out_free;
    }
    for (i = 0; i < VAT_RATES; i++)
        vat += loss.vat_by_rate[i];
    rc = api_books_history(
        &bx, id, "customer_loss",
        kind == LOSS_EXPECTED
            ? (open && choice == CHOICE_WITHDRAW
                   ? "Befarad kundförlust registrerad, ärendet hos Amili återkallas"
                   : "Befarad kundförlust registrerad")
            : (open && choice == CHOICE_WITHDRAW
                   ? "Konstaterad kundförlust registrerad, ärendet hos Amili "
                     "återkallas"
                   : "Konstaterad kundförlust registrerad"),
        json_pack("{s:s, s:o, s:I, s:I, s:I, s:O, s:s?}", "kind", kind_names[kind], "date",
                  api_render_date(date), "gross_minor", (json_int_t)loss.gross_minor, "net_minor",
                  (json_int_t)loss.net_minor, "vat_minor", (json_int_t)vat, "vouchers", vouchers,
                  "case_choice", open ? choice_names[choice] : NULL),
        &r->err);
    if (rc)
        goto out_free;
    rc = store_invoice_get(r->store, r->company_id, id, &inv);
    if (rc) {
        api_request_store_failed(r, rc);
        goto out_free;
    }
    rc = api_request_reply(
        r, 201,
        json_pack("{s:s, s:o, s:I, s:I, s:I, s:O, s:s?, s:b, s:o}", "kind", kind_names[kind],
                  "date", api_render_date(date), "gross_minor", (json_int_t)loss.gross_minor,
                  "net_minor", (json_int_t)loss.net_minor, "vat_minor", (json_int_t)vat, "vouchers",
                  vouchers, "case_choice", open ? choice_names[choice] : NULL, "case_withdrawn",
                  open && choice == CHOICE_WITHDRAW, "invoice",
                  api_render_invoice(&inv, r->today, NULL)));
out_free:
    json_decref(vouchers);
    return rc;
}
