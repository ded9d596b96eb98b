/*
 * handover.c — the eligibility rules for handing an invoice to Visma Amili
 * (see handover.h).
 *
 * Part of core/: the API's bulk send and the invoice's Actions menu ask
 * handover_check() with facts the store gathered, and show every reason at
 * once.  The reasons are a constant table, data rather than code: a stable
 * code for programs, the field to fix, and a message for the bookkeeper in
 * Swedish and English.
 *
 * A customer with no country is treated as Swedish (the product's default),
 * so its identity number is required too: the user then learns everything
 * that is missing in one go.  A foreign customer may leave the identity
 * number empty; one that is given must be a valid Swedish number, since the
 * agency reads it as one.
 */
#include "core/handover.h"

#include <ctype.h>
#include <string.h>

#include "core/idnum.h"

enum reason_id {
    R_COMPANY_NOT_ACTIVATED,
    R_NOT_OVERDUE,
    R_NOTHING_TO_PAY,
    R_CURRENCY_NOT_SEK,
    R_ALREADY_HANDED_OVER,
    R_WRITTEN_OFF,
    R_CREDITED,
    R_STOPPED_DISPUTE,
    R_STOPPED_PAYMENT_PLAN,
    R_STOPPED_OTHER,
    R_MISSING_CUSTOMER_NAME,
    R_MISSING_ADDRESS_LINE_1,
    R_MISSING_ZIP_CODE,
    R_MISSING_CITY,
    R_MISSING_COUNTRY,
    R_MISSING_ID_NUMBER,
    R_INVALID_PERSONAL_NUMBER,
    R_INVALID_ORG_NUMBER,
    R_COUNT
};

static const struct handover_reason reasons[R_COUNT] = {
    [R_COMPANY_NOT_ACTIVATED] = {"company_not_activated", "company",
                                 "Företaget har inte aktiverat påminnelsehanteringen hos Visma "
                                 "Amili. Aktivera tjänsten först.",
                                 "The company has not activated reminder handling with Visma "
                                 "Amili. Activate the service first."},
    [R_NOT_OVERDUE] = {"not_overdue", "invoice.due_date",
                       "Fakturan har inte passerat förfallodagen än.",
                       "The invoice is not past its due date yet."},
    [R_NOTHING_TO_PAY] = {"nothing_to_pay", "invoice.remaining_minor",
                          "Fakturan har inget obetalt belopp kvar.",
                          "The invoice has no unpaid amount left."},
    [R_CURRENCY_NOT_SEK] = {"currency_not_sek", "invoice.currency",
                            "Endast fakturor i svenska kronor (SEK) kan lämnas till Visma Amili.",
                            "Only invoices in Swedish kronor (SEK) can be handed to Visma Amili."},
    [R_ALREADY_HANDED_OVER] = {"already_handed_over", "invoice",
                               "Fakturan är redan lämnad till Visma Amili.",
                               "The invoice has already been handed to Visma Amili."},
    [R_WRITTEN_OFF] = {"written_off", "invoice", "Fakturan är bokförd som konstaterad kundförlust.",
                       "The invoice is booked as a confirmed customer loss."},
    [R_CREDITED] = {"credited", "invoice", "Fakturan är krediterad.",
                    "The invoice has been credited."},
    [R_STOPPED_DISPUTE] = {"reminders_stopped", "invoice.reminder_stop",
                           "Påminnelser är stoppade: fakturan är bestridd. Återuppta "
                           "påminnelserna först.",
                           "Reminders are stopped: the invoice is disputed. Resume reminders "
                           "first."},
    [R_STOPPED_PAYMENT_PLAN] = {"reminders_stopped", "invoice.reminder_stop",
                                "Påminnelser är stoppade: kunden har en avbetalningsplan. "
                                "Återuppta påminnelserna först.",
                                "Reminders are stopped: the customer has a payment plan. Resume "
                                "reminders first."},
    [R_STOPPED_OTHER] = {"reminders_stopped", "invoice.reminder_stop",
                         "Påminnelser är stoppade för fakturan. Återuppta påminnelserna först.",
                         "Reminders are stopped for the invoice. Resume reminders first."},
    [R_MISSING_CUSTOMER_NAME] = {"missing_customer_name", "customer.name",
                                 "Kunden saknar namn på kundkortet.",
                                 "The customer card has no name."},
    [R_MISSING_ADDRESS_LINE_1] = {"missing_address_line_1", "customer.address_line_1",
                                  "Kunden saknar adress på kundkortet.",
                                  "The customer card has no address."},
    [R_MISSING_ZIP_CODE] = {"missing_zip_code", "customer.zip_code",
                            "Kunden saknar postnummer på kundkortet.",
                            "The customer card has no postal code."},
    [R_MISSING_CITY] = {"missing_city", "customer.city", "Kunden saknar ort på kundkortet.",
                        "The customer card has no city."},
    [R_MISSING_COUNTRY] = {"missing_country", "customer.country",
                           "Kunden saknar land på kundkortet.",
                           "The customer card has no country."},
    [R_MISSING_ID_NUMBER] = {"missing_id_number", "customer.id_number",
                             "Kunden saknar person- eller organisationsnummer på kundkortet. "
                             "Det krävs för svenska kunder.",
                             "The customer card has no personal or organisation number. It is "
                             "required for Swedish customers."},
    [R_INVALID_PERSONAL_NUMBER] = {"invalid_id_number", "customer.id_number",
                                   "Personnumret på kundkortet är ogiltigt. Rätta det, eller "
                                   "lämna fältet tomt om kunden är utländsk.",
                                   "The personal identity number on the customer card is not "
                                   "valid. Correct it, or leave it empty for a foreign "
                                   "customer."},
    [R_INVALID_ORG_NUMBER] = {"invalid_id_number", "customer.id_number",
                              "Organisationsnumret på kundkortet är ogiltigt. Rätta det, eller "
                              "lämna fältet tomt om kunden är utländsk.",
                              "The organisation number on the customer card is not valid. "
                              "Correct it, or leave it empty for a foreign customer."},
};

/* At most one of the two invalid_id_number variants and one of the three
 * reminders_stopped variants applies, so every other reason can be
 * reported at once. */
_Static_assert(R_COUNT - 3 <= HANDOVER_MAX_REASONS, "HANDOVER_MAX_REASONS too small");

/* Longest identity number worth trying to parse ("YYYYMMDD-NNNC" is 13). */
#define ID_TEXT_MAX 32

/* The text of s without leading and trailing white space, as [*start, *start + *len). */
static void trim(const char *s, const char **start, size_t *len)
{
    size_t n;

    if (!s) {
        *start = "";
        *len = 0;
        return;
    }
    while (*s && isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    *start = s;
    *len = n;
}

static bool blank(const char *s)
{
    const char *p;
    size_t n;

    trim(s, &p, &n);
    return n == 0;
}

static bool is_sweden(const char *country)
{
    const char *p;
    size_t n;

    trim(country, &p, &n);
    return n == 2 && toupper((unsigned char)p[0]) == 'S' && toupper((unsigned char)p[1]) == 'E';
}

static bool id_number_valid(const char *id, bool is_company, int32_t today)
{
    char text[ID_TEXT_MAX + 1];
    struct idnum parsed;
    const char *p;
    size_t n;

    trim(id, &p, &n);
    if (n == 0 || n > ID_TEXT_MAX)
        return false;
    memcpy(text, p, n);
    text[n] = '\0';
    if (is_company)
        return idnum_parse_org(text, &parsed) == PM_OK;
    return idnum_parse_person(text, today, &parsed) == PM_OK;
}

size_t handover_check(const struct handover_facts *f, int32_t today, struct handover_reason *out)
{
    size_t n = 0;

    if (!f->company_activated)
        out[n++] = reasons[R_COMPANY_NOT_ACTIVATED];

    if (f->already_handed_over)
        out[n++] = reasons[R_ALREADY_HANDED_OVER];
    if (f->written_off)
        out[n++] = reasons[R_WRITTEN_OFF];
    if (f->credited)
        out[n++] = reasons[R_CREDITED];
    if (f->reminders_stopped)
        out[n++] = reasons[f->stop_kind == STOP_DISPUTE        ? R_STOPPED_DISPUTE
                           : f->stop_kind == STOP_PAYMENT_PLAN ? R_STOPPED_PAYMENT_PLAN
                                                               : R_STOPPED_OTHER];
    if (today <= f->due_date)
        out[n++] = reasons[R_NOT_OVERDUE];
    if (f->remaining_minor <= 0)
        out[n++] = reasons[R_NOTHING_TO_PAY];
    if (!f->currency || strcmp(f->currency, "SEK") != 0)
        out[n++] = reasons[R_CURRENCY_NOT_SEK];

    if (blank(f->customer_name))
        out[n++] = reasons[R_MISSING_CUSTOMER_NAME];
    if (blank(f->address_line_1))
        out[n++] = reasons[R_MISSING_ADDRESS_LINE_1];
    if (blank(f->zip_code))
        out[n++] = reasons[R_MISSING_ZIP_CODE];
    if (blank(f->city))
        out[n++] = reasons[R_MISSING_CITY];
    if (blank(f->country))
        out[n++] = reasons[R_MISSING_COUNTRY];

    if (blank(f->id_number)) {
        if (blank(f->country) || is_sweden(f->country))
            out[n++] = reasons[R_MISSING_ID_NUMBER];
    } else if (!id_number_valid(f->id_number, f->customer_is_company, today)) {
        out[n++] =
            reasons[f->customer_is_company ? R_INVALID_ORG_NUMBER : R_INVALID_PERSONAL_NUMBER];
    }
    return n;
}

const char *handover_item_status_name(enum handover_item_status s)
{
    switch (s) {
    case HANDOVER_QUEUED:
        return "queued";
    case HANDOVER_REGISTERED:
        return "registered";
    case HANDOVER_FAILED:
        return "failed";
    }
    return NULL;
}

enum pm_err handover_item_status_parse(const char *s, enum handover_item_status *out)
{
    /* Parsed through the names, so the two cannot disagree. */
    for (int v = HANDOVER_QUEUED; s && v <= HANDOVER_FAILED; v++)
        if (!strcmp(handover_item_status_name((enum handover_item_status)v), s)) {
            *out = (enum handover_item_status)v;
            return PM_OK;
        }
    return PM_ERR_INVALID;
}
