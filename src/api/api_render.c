/*
 * api_render.c — JSON of companies, customers and invoices.
 */
#include "api/api_render.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/idnum.h"
#include "core/invoice.h"

json_t *api_render_date(int32_t date)
{
    char text[DATE_ISO_LEN + 1];

    date_format_iso(date, text);
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

    /* books (issue 6): days to pay after a manual reminder */
    if (obj &&
        json_object_set_new(obj, "reminder_due_days",
                            json_integer(co->reminder_due_days > 0 ? co->reminder_due_days : 10))) {
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

json_t *api_render_invoice(const struct invoice *inv, int32_t today)
{
    enum invoice_status st = api_render_invoice_status(inv, today);
    int32_t days = st == INVOICE_OVERDUE ? invoice_days_overdue(inv->due_date, today) : 0;
    json_t *amili = json_null();

    if (inv->agency_state[0])
        amili = json_pack("{s:s, s:s?}", "state", inv->agency_state, "status",
                          inv->agency_status[0] ? inv->agency_status : NULL);
    return json_pack(
        "{s:I, s:I, s:{s:I, s:s}, s:s, s:o, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, "
        "s:I, s:s, s:i, s:i, s:o}",
        "id", (json_int_t)inv->id, "number", (json_int_t)inv->number, "customer", "id",
        (json_int_t)inv->customer_id, "name", inv->customer_name, "kind",
        invoice_kind_name(inv->kind), "invoice_date", api_render_date(inv->invoice_date),
        "due_date", api_render_date(inv->due_date), "currency", inv->currency, "net_minor",
        (json_int_t)inv->net_minor, "vat_minor", (json_int_t)inv->vat_minor, "total_minor",
        (json_int_t)inv->total_minor, "tax_reduction_minor", (json_int_t)inv->tax_reduction_minor,
        "customer_part_minor", (json_int_t)inv->customer_part_minor, "paid_minor",
        (json_int_t)inv->paid_minor, "remaining_minor", (json_int_t)inv->remaining_minor, "status",
        invoice_status_name(st), "days_overdue", (int)days, "manual_reminders",
        inv->manual_reminders, "amili", amili);
}
