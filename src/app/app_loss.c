/*
 * app_loss.c — a customer loss: its refusals, its vouchers, the invoice
 * written off, the case at the agency kept or withdrawn, its history event
 * (see app_loss.h).
 *
 * Part of src/app.
 */
#include "app/app_loss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_rules.h"
#include "core/date.h"

#include "store/store_agency.h"
#include "store/store_books.h"

static const char *const kind_names[] = {"expected", "confirmed"};
static const char *const choice_names[] = {"keep", "withdraw", ""};
static const char *const ground_names[] = {"", "bankruptcy", "composition", "fruitless_collection",
                                           "other"};

const char *app_loss_kind_name(enum app_loss_kind kind)
{
    return kind_names[kind];
}

const char *app_loss_case_choice_name(enum app_case_choice choice)
{
    return choice_names[choice];
}

const char *app_loss_ground_name(enum app_loss_ground ground)
{
    return ground_names[ground];
}

/* Is the invoice's case at the agency open, and is it disputed? */
/* A confirmed loss writes off what is left today, so it may not be dated
 * before the invoice, nor before a payment or credit note that already
 * reduced what is left: its voucher would take from 1510 on days that
 * amount was not yet, or no longer, owed (docs/books.md, "The customer
 * ledger").  loss_date_too_early on date, the earliest day in the extra. */
static enum pm_err loss_date_check(const struct app_ctx *ax, const struct invoice *inv,
                                   int32_t date, struct app_error *e)
{
    int32_t earliest = inv->invoice_date, last = 0;
    char day[DATE_ISO_LEN + 1], extra[64];
    enum pm_err rc;

    rc = store_books_invoice_last_movement(ax->store, ax->company_id, inv->id, &last);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (last > earliest)
        earliest = last;
    if (date >= earliest)
        return PM_OK;
    app_error_set(e, PM_ERR_RANGE, "loss_date_too_early", "date");
    date_format_iso(earliest, day);
    snprintf(extra, sizeof(extra), "{\"earliest\": \"%s\"}", day);
    app_error_extra(e, extra);
    return e->rc;
}

static enum pm_err agency_case(const struct app_ctx *ax, const struct invoice *inv, bool *open,
                               bool *disputed, struct app_error *e)
{
    struct agency_case c;
    enum pm_err rc;

    *open = false;
    *disputed = !strcmp(inv->agency_status, "disputed");
    if (!amili_state_with_agency(inv->agency_state))
        return PM_OK;
    rc = store_agency_case_get(ax->store, ax->company_id, inv->id, &c);
    if (rc == PM_ERR_NOT_FOUND) {
        /* queued, not yet registered: the case is about to open */
        *open = inv->agency_state == AMILI_STATE_QUEUED;
        return PM_OK;
    }
    if (rc)
        return app_store_failed(ax, rc, e);
    *disputed = *disputed || c.disputed;
    *open = !c.closed && amili_state_with_agency(inv->agency_state);
    return PM_OK;
}

static enum pm_err withdraw_case(const struct app_ctx *ax, const struct invoice *inv,
                                 struct app_error *e)
{
    struct outbox_message m;
    enum pm_err rc;

    memset(&m, 0, sizeof(m));
    m.company_id = ax->company_id;
    m.invoice_id = inv->id;
    m.kind = AMILI_JOB_CANCEL;
    snprintf(m.payload, sizeof(m.payload), "{\"reason\":\"customer_loss\"}");
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "loss-%lld", (long long)inv->id);
    rc = store_outbox_enqueue(ax->store, &m);
    if (rc == PM_ERR_CONFLICT) /* withdrawn with an earlier loss already */
        rc = PM_OK;
    if (rc)
        return app_store_failed(ax, rc, e);
    return PM_OK;
}

/* Book v for the invoice and note it in out. */
static enum pm_err book(const struct app_ctx *ax, struct voucher *v, int64_t invoice_id,
                        struct app_loss_result *out, struct app_error *e)
{
    enum pm_err rc = app_book(ax, v, invoice_id, e);

    if (rc)
        return rc;
    if (out->n_vouchers == APP_LOSS_VOUCHERS_MAX)
        return app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
    out->vouchers[out->n_vouchers].year = v->year;
    out->vouchers[out->n_vouchers].number = v->number;
    snprintf(out->vouchers[out->n_vouchers].source, sizeof(out->vouchers[0].source), "%s",
             v->source);
    out->n_vouchers++;
    return PM_OK;
}

static enum pm_err built(enum pm_err rc, struct app_error *e)
{
    if (rc) {
        app_error_set(e, PM_ERR_INTERNAL, "internal_error", NULL);
        app_error_detail(e, "building a loss voucher: %s", pm_err_name(rc));
    }
    return rc;
}

json_t *app_loss_vouchers_json(const struct app_loss_result *res)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr && i < res->n_vouchers; i++) {
        if (json_array_append_new(arr, json_pack("{s:i, s:I, s:s}", "year", res->vouchers[i].year,
                                                 "number", (json_int_t)res->vouchers[i].number,
                                                 "source", res->vouchers[i].source))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static const char *history_message(enum app_loss_kind kind, bool withdrawn)
{
    if (kind == APP_LOSS_EXPECTED)
        return withdrawn ? "Befarad kundförlust registrerad, ärendet hos Amili återkallas"
                         : "Befarad kundförlust registrerad";
    return withdrawn ? "Konstaterad kundförlust registrerad, ärendet hos Amili återkallas"
                     : "Konstaterad kundförlust registrerad";
}

enum pm_err app_loss_register(const struct app_ctx *ax, int64_t invoice_id, enum app_loss_kind kind,
                              int32_t date, enum app_case_choice choice,
                              const struct app_loss_ground_of *ground, struct app_loss_result *out,
                              struct app_error *e)
{
    struct invoice inv;
    struct invoice_books ib;
    struct voucher_invoice vi;
    struct voucher_loss loss;
    struct voucher v;
    bool open = false, disputed = false;
    enum pm_err rc;
    int i;

    memset(out, 0, sizeof(*out));
    if (kind == APP_LOSS_CONFIRMED && ground->ground == APP_GROUND_NONE)
        return app_error_set(e, PM_ERR_INVALID, "required", "ground");
    if (ground->ground == APP_GROUND_OTHER && !ground->text[0])
        return app_error_set(e, PM_ERR_INVALID, "required", "ground_text");
    if (date > ax->today)
        return app_error_set(e, PM_ERR_RANGE, "out_of_range", "date");
    rc = app_books_open(ax, date, "date", e);
    if (rc)
        return rc;
    rc = store_invoice_get(ax->store, ax->company_id, invoice_id, &inv);
    if (!rc)
        rc = store_books_invoice_get(ax->store, ax->company_id, invoice_id, &ib);
    if (rc)
        return app_store_failed(ax, rc, e);

    /* The refusals, each before anything is written. */
    if (ax->company->accounting_method == ACCOUNTING_CASH)
        return app_error_set(e, PM_ERR_INVALID, "cash_method_not_supported", "accounting_method");
    if (inv.state == INVOICE_STATE_WRITTEN_OFF)
        return app_error_set(e, PM_ERR_CONFLICT, "already_written_off", "invoice_id");
    if (inv.state != INVOICE_STATE_OPEN || inv.remaining_minor <= 0)
        return app_error_set(e, PM_ERR_CONFLICT, "nothing_to_write_off", "invoice_id");
    rc = kind == APP_LOSS_CONFIRMED ? loss_date_check(ax, &inv, date, e) : PM_OK;
    if (rc)
        return rc;
    rc = agency_case(ax, &inv, &open, &disputed, e);
    if (rc)
        return rc;
    if (disputed)
        return app_error_set(e, PM_ERR_CONFLICT, "disputed", "invoice_id");
    if (kind == APP_LOSS_EXPECTED && ib.expected_loss_minor > 0)
        return app_error_set(e, PM_ERR_CONFLICT, "already_expected", "kind");
    if (open && choice == APP_CASE_NONE)
        return app_error_set(e, PM_ERR_CONFLICT, "agency_case_open", "case_choice");
    out->case_open = open;
    out->case_withdrawn = open && choice == APP_CASE_WITHDRAW;

    rc = app_invoice_facts(ax, &inv, true, &vi, e);
    if (rc)
        return rc;
    if (built(voucher_loss_split(&vi, inv.remaining_minor, &loss), e))
        return PM_ERR_INTERNAL;
    if (kind == APP_LOSS_EXPECTED) {
        rc = built(voucher_expected_loss(&vi, loss.net_minor, date, &v), e);
        if (!rc)
            rc = book(ax, &v, invoice_id, out, e);
        ib.expected_loss_minor = loss.net_minor;
    } else {
        if (ib.expected_loss_minor > 0) {
            rc = built(voucher_expected_loss_reversal(&vi, ib.expected_loss_minor, date, &v), e);
            if (!rc)
                rc = book(ax, &v, invoice_id, out, e);
            ib.expected_loss_minor = 0;
        }
        if (!rc)
            rc = built(voucher_confirmed_loss(&vi, &loss, date, &v), e);
        if (!rc)
            rc = book(ax, &v, invoice_id, out, e);
        ib.loss = loss;
        if (!rc) {
            rc = store_books_invoice_write_off(ax->store, ax->company_id, invoice_id);
            if (rc)
                app_store_failed(ax, rc, e);
        }
    }
    if (rc)
        return rc;
    rc = store_books_invoice_put(ax->store, &ib);
    if (rc)
        return app_store_failed(ax, rc, e);
    if (out->case_withdrawn) {
        rc = withdraw_case(ax, &inv, e);
        if (rc)
            return rc;
    }
    out->gross_minor = loss.gross_minor;
    out->tax_reduction_minor = loss.tax_reduction_minor;
    out->net_minor = loss.net_minor;
    for (i = 0; i < VAT_RATES; i++)
        out->vat_minor += loss.vat_by_rate[i];
    return app_history(
        ax, invoice_id, "customer_loss", history_message(kind, out->case_withdrawn),
        json_pack("{s:s, s:o, s:I, s:I, s:I, s:I, s:o, s:s?, s:s?, s:s?}", "kind", kind_names[kind],
                  "date", app_json_date(date), "gross_minor", (json_int_t)loss.gross_minor,
                  "tax_reduction_minor", (json_int_t)loss.tax_reduction_minor, "net_minor",
                  (json_int_t)loss.net_minor, "vat_minor", (json_int_t)out->vat_minor, "vouchers",
                  app_loss_vouchers_json(out), "case_choice", open ? choice_names[choice] : NULL,
                  "ground", ground->ground ? ground_names[ground->ground] : NULL, "ground_text",
                  ground->text[0] ? ground->text : NULL),
        e);
}
