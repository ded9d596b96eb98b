/*
 * app_error.c — the failures of the application's operations and the
 * product's words for them.
 *
 * Part of src/app.  The table below is the vocabulary of codes an
 * operation may answer, each with its message in Swedish and English; the
 * HTTP API adds the codes of the protocol itself (malformed JSON, login,
 * CSRF, ...) and the status of every code in api/api_error.c.
 */
#include "app/app_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct code_info {
    const char *code;
    const char *sv;
    const char *en;
};

static const struct code_info codes[] = {
    {"invalid_credentials", "Fel e-postadress eller lösenord.",
     "Wrong e-mail address or password."},
    {"not_found", "Hittades inte.", "Not found."},
    {"conflict", "Åtgärden krockar med nuvarande läge.",
     "The action conflicts with the current state."},
    {"duplicate_number", "Numret används redan.", "The number is already in use."},
    {"required", "Fältet måste fyllas i.", "This field is required."},
    {"invalid_value", "Ogiltigt värde.", "Invalid value."},
    {"out_of_range", "Värdet är utanför tillåtet intervall.",
     "The value is out of the allowed range."},
    {"duplicate_value", "Värdet förekommer mer än en gång.", "The value occurs more than once."},
    {"busy", "Tjänsten är upptagen. Försök igen.", "The service is busy. Try again."},
    {"internal_error", "Ett internt fel inträffade.", "An internal error occurred."},
    /* reminders, losses and the books */
    {"handed_over",
     "Fakturan är överlämnad till Visma Amili, som sköter påminnelserna. Ingen egen påminnelse "
     "skickas.",
     "The invoice is with Visma Amili, which sends its reminders. No reminder of our own is "
     "sent."},
    {"not_overdue", "Fakturan är inte förfallen på påminnelsedagen.",
     "The invoice is not overdue on the reminder date."},
    {"reminders_stopped",
     "Påminnelser är stoppade för fakturan eller kunden. Återuppta påminnelserna först.",
     "Reminders are stopped for the invoice or the customer. Resume reminders first."},
    {"nothing_left", "Det finns inget kvar att betala på fakturan.",
     "Nothing is left to pay on the invoice."},
    {"agency_case_open",
     "Fakturan har ett öppet ärende hos Visma Amili. Välj om ärendet ska ligga kvar eller "
     "återkallas (case_choice: keep eller withdraw).",
     "The invoice has an open case at Visma Amili. Choose whether the case stays open or is "
     "withdrawn (case_choice: keep or withdraw)."},
    {"disputed", "Kunden har bestridit fakturan. En tvistig fordran är ingen kundförlust.",
     "The customer has disputed the invoice. A disputed claim is not a customer loss."},
    {"nothing_to_write_off", "Fakturan är betald; det finns ingen fordran att skriva av.",
     "The invoice is paid; there is no receivable to write off."},
    {"already_written_off", "Fakturan är redan bortskriven som konstaterad kundförlust.",
     "The invoice is already written off as a confirmed loss."},
    {"already_expected", "En befarad kundförlust är redan registrerad för fakturan.",
     "An expected loss is already registered for the invoice."},
    {"cash_method_not_supported",
     "Företaget bokför enligt kontantmetoden. Kundförluster registreras då inte i Påminn; "
     "bokför dem i ert bokföringsprogram.",
     "The company uses the cash method. Customer losses are then not registered in Påminn; "
     "book them in your accounting program."},
    {"already_imported", "Filen, eller en insättning i den, är redan inläst.",
     "The file, or a deposit in it, has already been imported."},
    {"already_confirmed", "Inbetalningen är redan placerad på en faktura.",
     "The payment has already been placed on an invoice."},
    {"bgmax_invalid", "BgMax-filen är felaktig och har inte lästs in.",
     "The BgMax file is malformed and was not imported."},
    {"camt054_invalid", "camt.054-filen är felaktig och har inte lästs in.",
     "The camt.054 file is malformed and was not imported."},
    {"bgmax_test_file", "Filen är en testfil från Bankgirot (märkt T) och bokförs inte.",
     "The file is a Bankgirot test file (marked T) and is not booked."},
    {"bankgiro_mismatch", "Filen gäller ett annat bankgironummer än företagets.",
     "The file is for another bankgiro number than the company's."},
    {"reminder_not_found", "Påminnelsen finns inte på den här fakturan.",
     "No such reminder on this invoice."},
    {"batch_not_found", "Det finns inga utskrivna påminnelser för den här omgången.",
     "No printed reminders exist for this batch."},
    {"already_approved", "Körningen är redan godkänd.", "The run has already been approved."},
    {"credit_note_not_found", "Kreditfakturan finns inte.", "No such credit note."},
    {"run_not_found", "Körningen finns inte.", "No such run."},
    {"policy_not_found", "Kunden har ingen egen påminnelseregel.",
     "The customer has no reminder policy of its own."},
    {"no_letters", "Körningen har inga brev att skriva ut.", "The run has no letters to print."},
    {"fiscal_year_in_use",
     "Räkenskapsåret kan inte ändras när företaget har verifikationer i Påminn: de är numrerade "
     "per räkenskapsår. En omläggning av räkenskapsåret kräver i regel Skatteverkets tillstånd "
     "och görs i bokföringsprogrammet.",
     "The fiscal year cannot be changed once the company has vouchers in Påminn: they are "
     "numbered per fiscal year. Changing the fiscal year generally needs the Tax Agency's "
     "permission and is done in the accounting program."},
    /* dates and the locked period */
    {"books_locked",
     "Datumet ligger i en låst period: bokföringen är låst till och med datumet i företagets "
     "inställningar.",
     "The date lies in a locked period: the books are locked up to the date in the company "
     "settings."},
    {"credit_exceeds_remaining", "Krediteringen är större än det som återstår på fakturan.",
     "The credit note credits more than is left on the invoice."},
    {"date_after_today", "En betalning kan inte dateras efter i dag.",
     "A payment cannot be dated after today."},
    {"date_before_invoice", "En betalning kan inte dateras före fakturadatum.",
     "A payment cannot be dated before the invoice date."},
    {"loss_date_too_early",
     "En kundförlust kan inte dateras före fakturadatumet eller före en betalning eller "
     "kreditering på fakturan.",
     "A customer loss cannot be dated before the invoice date or before a payment or credit "
     "note on the invoice."},
    {"expiry_in_past", "Giltighetstiden har redan gått ut. Ange en senare tidpunkt.",
     "The expiry has already passed. Give a later time."},
    {"rot_rut_company_customer",
     "ROT- och RUT-avdrag gäller bara privatpersoner, inte en kund som är ett företag.",
     "ROT and RUT deductions are for private persons only, not for a customer that is a "
     "company."},
    /* e-mail of reminders */
    {"missing_email", "Kunden har ingen e-postadress. Lägg till en på kundkortet.",
     "The customer has no e-mail address. Add one on the customer card."},
    {"mail_not_configured", "E-post är inte konfigurerat på den här servern (--smtp-url saknas).",
     "E-mail is not configured on this server (--smtp-url is missing)."},
    /* webhooks */
    {"webhook_url_invalid", "Adressen måste vara en fullständig https://-adress.",
     "The address must be a full https:// address."},
    {"unknown_event_type", "Okänd händelsetyp.", "Unknown event type."},
    {"webhook_not_found", "Webhook-mottagaren finns inte.", "No such webhook endpoint."},
    {"delivery_not_found", "Leveransen finns inte.", "No such webhook delivery."},
    {"too_many_webhooks", "Företaget har redan så många webhook-mottagare som tillåts.",
     "The company already has as many webhook endpoints as allowed."},
    {"delivery_in_flight", "Leveransen skickas just nu. Försök igen om en stund.",
     "The delivery is being sent right now. Try again in a moment."},
    {"endpoint_removed", "Mottagaren är borttagen; leveransen kan inte skickas igen.",
     "The endpoint was removed; the delivery cannot be sent again."},
    /* the hand-over to Visma Amili */
    {"agency_not_configured",
     "Visma Amili är inte konfigurerat på den här servern (--amili-url saknas).",
     "Visma Amili is not configured on this server (--amili-url is missing)."},
    {"agency_unavailable", "Visma Amili svarar inte just nu. Försök igen om en stund.",
     "Visma Amili is not answering right now. Try again in a while."},
    {"agency_refused", "Visma Amili tog inte emot uppgifterna.",
     "Visma Amili did not accept the data."},
    {"terms_not_accepted", "Villkoren måste godkännas för att aktivera tjänsten.",
     "The terms must be accepted to activate the service."},
    {"terms_version_outdated",
     "Villkoren har ändrats sedan de visades. Läs den nya versionen och godkänn den.",
     "The terms have changed since they were shown. Read the new version and accept it."},
    {"company_incomplete", "Företagets inställningar saknar uppgifter som Visma Amili behöver.",
     "The company settings lack details Visma Amili needs."},
    {"already_handed_over", "Fakturan är redan lämnad till Visma Amili.",
     "The invoice has already been handed to Visma Amili."},
    {"not_eligible", "Ingen av fakturorna kan lämnas till Visma Amili.",
     "None of the invoices can be handed to Visma Amili."},
};

#define N_CODES (sizeof(codes) / sizeof(codes[0]))

static const struct code_info *find_code(const char *code)
{
    size_t i;

    for (i = 0; code && i < N_CODES; i++) {
        if (!strcmp(codes[i].code, code))
            return &codes[i];
    }
    return NULL;
}

/* A field name cut by snprintf may end inside a UTF-8 sequence: drop it. */
static void trim_partial_utf8(char *s)
{
    size_t len = strlen(s), start = len, need;
    unsigned char c;

    while (start > 0 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return;
    c = (unsigned char)s[start - 1];
    if (c < 0x80)
        return;
    need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (len - (start - 1) < need)
        s[start - 1] = '\0';
}

void app_error_field(char *dst, size_t cap, const char *prefix, const char *key)
{
    snprintf(dst, cap, "%s%s", prefix ? prefix : "", key ? key : "");
    trim_partial_utf8(dst);
}

void app_error_clear(struct app_error *e)
{
    memset(e, 0, sizeof(*e));
}

enum pm_err app_error_set(struct app_error *e, enum pm_err rc, const char *code, const char *field)
{
    return app_error_at(e, rc, code, "", field);
}

enum pm_err app_error_at(struct app_error *e, enum pm_err rc, const char *code, const char *prefix,
                         const char *key)
{
    if (!e)
        return rc;
    e->rc = rc;
    e->code = code;
    app_error_field(e->field, sizeof(e->field), prefix, key);
    return rc;
}

enum pm_err app_error_detail(struct app_error *e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
    va_end(ap);
    return e->rc;
}

enum pm_err app_error_extra(struct app_error *e, const char *json_object_text)
{
    size_t n = strlen(json_object_text);

    e->extra[0] = '\0';
    if (n < sizeof(e->extra))
        memcpy(e->extra, json_object_text, n + 1);
    return e->rc;
}

const char *app_error_code_of(enum pm_err rc)
{
    switch (rc) {
    case PM_ERR_NOT_FOUND:
        return "not_found";
    case PM_ERR_CONFLICT:
        return "conflict";
    case PM_ERR_INVALID:
        return "invalid_value";
    case PM_ERR_RANGE:
    case PM_ERR_OVERFLOW:
        return "out_of_range";
    case PM_ERR_BUSY:
        return "busy";
    default:
        return "internal_error";
    }
}

const char *app_error_code(const struct app_error *e)
{
    if (e->code && find_code(e->code))
        return e->code;
    return app_error_code_of(e->rc);
}

bool app_error_known(const char *code)
{
    return find_code(code) != NULL;
}

const char *app_error_message(const char *code, bool english)
{
    const struct code_info *ci = find_code(code);

    if (!ci)
        return NULL;
    return english ? ci->en : ci->sv;
}
