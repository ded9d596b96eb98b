/*
 * api_render.c — JSON of companies, customers and invoices.
 */
#include "api/api_render.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/fiscal.h"
#include "core/idnum.h"
#include "core/invoice.h"
#include "core/swish.h"
#include "util/buf.h"
#include "util/clock.h"

json_t *api_render_date(int32_t date)
{
    char text[DATE_ISO_LEN + 1];

    date_format_iso(date, text);
    return json_string(text);
}

json_t *api_render_instant(int64_t unix_s)
{
    char text[32];

    if (!unix_s)
        return json_null();
    clock_format_rfc3339(unix_s * 1000000, text);
    return json_string(text);
}

json_t *api_render_idnum(const char *normalized, int32_t today)
{
    struct idnum id;

    if (normalized[0] && !idnum_parse(normalized, today, &id))
        return json_string(id.display);
    return json_string(normalized);
}

static json_t *org_display(const char *normalized)
{
    struct idnum id;

    if (normalized[0] && !idnum_parse_org(normalized, &id))
        return json_string(id.display);
    return json_string(normalized);
}

/* The Swish number as Swish prints it ("123 456 78 90"), "" for none. */
static json_t *swish_display(const char *number)
{
    char d[SWISH_DISPLAY_MAX];

    swish_number_display(number, d);
    return json_string(d);
}

json_t *api_render_company(const struct company *co)
{
    json_t *obj = json_pack(
        "{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:I, "
        "s:s, s:s}",
        "id", (json_int_t)co->id, "name", co->name, "organization_no",
        org_display(co->organization_no), "address_line_1", co->address_line_1, "address_line_2",
        co->address_line_2, "zip_code", co->zip_code, "city", co->city, "country", co->country,
        "email", co->email, "phone", co->phone, "bankgiro", co->bankgiro, "payment_terms_days",
        co->payment_terms_days, "reminder_fee_agreed", co->reminder_fee_agreed,
        "reminder_fee_minor", (json_int_t)co->reminder_fee_minor, "accounting_method",
        co->accounting_method == ACCOUNTING_CASH ? "cash" : "accrual", "language", co->language);

    /* days to pay after a manual reminder; the month the fiscal years
     * start in */
    if (obj &&
        (json_object_set_new(
             obj, "reminder_due_days",
             json_integer(co->reminder_due_days > 0 ? co->reminder_due_days : 10)) ||
         json_object_set_new(obj, "fiscal_year_start_month",
                             json_integer(fiscal_start_month_valid(co->fiscal_year_start_month)
                                              ? co->fiscal_year_start_month
                                              : FISCAL_START_MONTH_DEFAULT)) ||
         json_object_set_new(obj, "swish_number", swish_display(co->swish_number)))) {
        json_decref(obj);
        obj = NULL;
    }
    return obj;
}

json_t *api_render_customer(const struct customer *c, int32_t today)
{
    json_t *id_number =
        c->is_company ? org_display(c->id_number) : api_render_idnum(c->id_number, today);

    return json_pack("{s:I, s:s, s:s, s:b, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                     (json_int_t)c->id, "number", c->number, "name", c->name, "is_company",
                     c->is_company, "id_number", id_number, "address_line_1", c->address_line_1,
                     "address_line_2", c->address_line_2, "zip_code", c->zip_code, "city", c->city,
                     "country", c->country, "email", c->email, "mobile_number", c->mobile_number,
                     "language", c->language);
}

json_t *api_render_reminder_stop(const struct reminder_stop_row *row, const char *source)
{
    if (!row)
        return json_null();
    return json_pack("{s:s, s:s, s:o, s:o, s:b, s:s, s:s, s:o}", "kind", row->kind, "text",
                     row->text, "since", api_render_date(row->since), "until",
                     row->until ? api_render_date(row->until) : json_null(), "no_interest",
                     row->no_interest, "source", source, "by", row->set_by, "set_at",
                     api_render_instant(row->set_at));
}

enum invoice_status api_render_invoice_status(const struct invoice *inv, int32_t today)
{
    struct invoice_balance b = {
        .customer_part_minor = inv->customer_part_minor,
        .paid_minor = inv->paid_minor,
        .credited_minor = inv->credited_minor,
        .written_off = inv->state == INVOICE_STATE_WRITTEN_OFF,
        .due_date = inv->due_date,
    };

    if (inv->state == INVOICE_STATE_CREDITED)
        return INVOICE_CREDITED;
    return invoice_status_of(&b, today);
}

void api_render_invoice_write(struct jsonw *w, const struct invoice *inv, int32_t today)
{
    enum invoice_status st = api_render_invoice_status(inv, today);
    int32_t days = st == INVOICE_OVERDUE ? invoice_days_overdue(inv->due_date, today) : 0;
    char date[DATE_ISO_LEN + 1];

    jsonw_object_begin(w);
    JSONW_KEY(w, "id");
    jsonw_int(w, inv->id);
    JSONW_KEY(w, "number");
    jsonw_int(w, inv->number);
    JSONW_KEY(w, "customer");
    jsonw_object_begin(w);
    JSONW_KEY(w, "id");
    jsonw_int(w, inv->customer_id);
    JSONW_KEY(w, "name");
    jsonw_string(w, inv->customer_name);
    jsonw_object_end(w);
    JSONW_KEY(w, "kind");
    jsonw_string(w, invoice_kind_name(inv->kind));
    date_format_iso(inv->invoice_date, date);
    JSONW_KEY(w, "invoice_date");
    jsonw_string(w, date);
    date_format_iso(inv->due_date, date);
    JSONW_KEY(w, "due_date");
    jsonw_string(w, date);
    JSONW_KEY(w, "currency");
    jsonw_string(w, inv->currency);
    JSONW_KEY(w, "net_minor");
    jsonw_int(w, inv->net_minor);
    JSONW_KEY(w, "vat_minor");
    jsonw_int(w, inv->vat_minor);
    JSONW_KEY(w, "total_minor");
    jsonw_int(w, inv->total_minor);
    JSONW_KEY(w, "tax_reduction_minor");
    jsonw_int(w, inv->tax_reduction_minor);
    JSONW_KEY(w, "customer_part_minor");
    jsonw_int(w, inv->customer_part_minor);
    JSONW_KEY(w, "paid_minor");
    jsonw_int(w, inv->paid_minor);
    JSONW_KEY(w, "remaining_minor");
    jsonw_int(w, inv->remaining_minor);
    JSONW_KEY(w, "status");
    jsonw_string(w, invoice_status_name(st));
    JSONW_KEY(w, "days_overdue");
    jsonw_int(w, days);
    JSONW_KEY(w, "manual_reminders");
    jsonw_int(w, inv->manual_reminders);
    JSONW_KEY(w, "reminder_fee_agreed_minor");
    jsonw_int(w, inv->reminder_fee_agreed_minor);
    JSONW_KEY(w, "zero_vat");
    if (inv->zero_vat == ZERO_VAT_NONE)
        jsonw_null(w);
    else
        jsonw_string(w, invoice_zero_vat_name(inv->zero_vat));
    /* The invoice page has the whole loss (api_invoices.c); a list row
     * says that a loss is feared and how much is written down. */
    if (inv->expected_loss_minor > 0 && inv->state != INVOICE_STATE_WRITTEN_OFF) {
        JSONW_KEY(w, "loss");
        jsonw_object_begin(w);
        JSONW_KEY(w, "kind");
        jsonw_string(w, "expected");
        JSONW_KEY(w, "amount_minor");
        jsonw_int(w, inv->expected_loss_minor);
        jsonw_object_end(w);
    }
    /* A list row says whether reminders are stopped today; the invoice
     * page replaces it with the stop itself (api_invoices.c). */
    JSONW_KEY(w, "reminder_stop");
    jsonw_bool(w, inv->reminder_stopped);
    JSONW_KEY(w, "amili");
    if (inv->agency_state == AMILI_STATE_NONE) {
        jsonw_null(w);
    } else {
        jsonw_object_begin(w);
        JSONW_KEY(w, "state");
        jsonw_string(w, amili_state_name(inv->agency_state));
        JSONW_KEY(w, "status");
        jsonw_string_or_null(w, inv->agency_status);
        JSONW_KEY(w, "case_id");
        jsonw_string_or_null(w, inv->agency_case_id);
        JSONW_KEY(w, "ocr");
        jsonw_string_or_null(w, inv->agency_ocr);
        jsonw_object_end(w);
    }
    jsonw_object_end(w);
}

json_t *api_render_invoice(const struct invoice *inv, int32_t today)
{
    struct buf text = BUF_INIT;
    struct jsonw w;
    json_t *obj = NULL;

    jsonw_init(&w, &text);
    api_render_invoice_write(&w, inv, today);
    if (!jsonw_error(&w))
        obj = json_loadb(text.data, text.len, 0, NULL);
    buf_release(&text);
    return obj;
}
