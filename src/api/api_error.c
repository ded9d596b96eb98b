/*
 * api_error.c — mapping of every failure to an HTTP status and JSON body.
 *
 * The table below is the whole vocabulary of error codes the API speaks:
 * each code has one status and one message per language.  Results without
 * an explicit code (a store call failing with PM_ERR_NOT_FOUND, say) are
 * given the code of their enum pm_err.
 */
#include "api/api_error.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct code_info {
    const char *code;
    int status;
    const char *sv;
    const char *en;
};

static const struct code_info codes[] = {
    {"malformed_json", 400, "Begäran är inte giltig JSON.", "The request body is not valid JSON."},
    {"invalid_query", 400, "Ogiltig parameter i adressen.", "Invalid query parameter."},
    {"not_authenticated", 401, "Du är inte inloggad.", "You are not logged in."},
    {"invalid_credentials", 401, "Fel e-postadress eller lösenord.",
     "Wrong e-mail address or password."},
    {"csrf_token_invalid", 403, "Ogiltig eller saknad CSRF-token.",
     "Missing or invalid CSRF token."},
    {"forbidden_role", 403, "Din roll tillåter inte den här åtgärden.",
     "Your role does not allow this action."},
    {"not_found", 404, "Hittades inte.", "Not found."},
    {"method_not_allowed", 405, "Metoden stöds inte för den här adressen.",
     "Method not allowed for this path."},
    {"conflict", 409, "Åtgärden krockar med nuvarande läge.",
     "The action conflicts with the current state."},
    {"duplicate_number", 409, "Numret används redan.", "The number is already in use."},
    {"body_too_large", 413, "Begäran är för stor.", "The request body is too large."},
    {"unsupported_media_type", 415, "Innehållet måste vara application/json.",
     "The request body must be application/json."},
    {"headers_too_large", 431, "Begärans huvuden är för stora.", "Request headers too large."},
    {"required", 422, "Fältet måste fyllas i.", "This field is required."},
    {"invalid_value", 422, "Ogiltigt värde.", "Invalid value."},
    {"unknown_field", 422, "Okänt fält.", "Unknown field."},
    {"too_long", 422, "Värdet är för långt.", "The value is too long."},
    {"out_of_range", 422, "Värdet är utanför tillåtet intervall.",
     "The value is out of the allowed range."},
    {"idempotency_key_reused", 422, "Idempotency-Key har redan använts för en annan begäran.",
     "The Idempotency-Key was already used for a different request."},
    {"too_many_attempts", 429, "För många misslyckade försök. Försök igen senare.",
     "Too many failed attempts. Try again later."},
    {"busy", 503, "Tjänsten är upptagen. Försök igen.", "The service is busy. Try again."},
    {"internal_error", 500, "Ett internt fel inträffade.", "An internal error occurred."},
    /* ---- books (issue 6) ---- */
    {"handed_over", 409,
     "Fakturan är överlämnad till Visma Amili, som sköter påminnelserna. Ingen egen påminnelse "
     "skickas.",
     "The invoice is with Visma Amili, which sends its reminders. No reminder of our own is "
     "sent."},
    {"not_overdue", 422, "Fakturan är inte förfallen på påminnelsedagen.",
     "The invoice is not overdue on the reminder date."},
    {"nothing_left", 422, "Det finns inget kvar att betala på fakturan.",
     "Nothing is left to pay on the invoice."},
    {"agency_case_open", 409,
     "Fakturan har ett öppet ärende hos Visma Amili. Välj om ärendet ska ligga kvar eller "
     "återkallas (case_choice: keep eller withdraw).",
     "The invoice has an open case at Visma Amili. Choose whether the case stays open or is "
     "withdrawn (case_choice: keep or withdraw)."},
    {"disputed", 409, "Kunden har bestridit fakturan. En tvistig fordran är ingen kundförlust.",
     "The customer has disputed the invoice. A disputed claim is not a customer loss."},
    {"nothing_to_write_off", 409, "Fakturan är betald; det finns ingen fordran att skriva av.",
     "The invoice is paid; there is no receivable to write off."},
    {"already_written_off", 409, "Fakturan är redan bortskriven som konstaterad kundförlust.",
     "The invoice is already written off as a confirmed loss."},
    {"already_expected", 409, "En befarad kundförlust är redan registrerad för fakturan.",
     "An expected loss is already registered for the invoice."},
    {"cash_method_not_supported", 422,
     "Företaget bokför enligt kontantmetoden. Kundförluster registreras då inte i Påminn; "
     "bokför dem i ert bokföringsprogram.",
     "The company uses the cash method. Customer losses are then not registered in Påminn; "
     "book them in your accounting program."},
    {"already_imported", 409, "Filen, eller en insättning i den, är redan inläst.",
     "The file, or a deposit in it, has already been imported."},
    {"bgmax_invalid", 422, "BgMax-filen är felaktig och har inte lästs in.",
     "The BgMax file is malformed and was not imported."},
    {"bgmax_test_file", 422, "Filen är en testfil från Bankgirot (märkt T) och bokförs inte.",
     "The file is a Bankgirot test file (marked T) and is not booked."},
    {"bankgiro_mismatch", 422, "Filen gäller ett annat bankgironummer än företagets.",
     "The file is for another bankgiro number than the company's."},
    {"reminder_not_found", 404, "Påminnelsen finns inte på den här fakturan.",
     "No such reminder on this invoice."},
    {"batch_not_found", 404, "Det finns inga utskrivna påminnelser för den här omgången.",
     "No printed reminders exist for this batch."},
    {"bgmax_media_type", 415, "BgMax-filen skickas som text/plain eller application/octet-stream.",
     "Send the BgMax file as text/plain or application/octet-stream."},
    /* ---- end books ---- */
    /* ---- Amili hand-over (issue 4) ---- */
    {"agency_not_configured", 503,
     "Visma Amili är inte konfigurerat på den här servern (--amili-url saknas).",
     "Visma Amili is not configured on this server (--amili-url is missing)."},
    {"agency_unavailable", 502, "Visma Amili svarar inte just nu. Försök igen om en stund.",
     "Visma Amili is not answering right now. Try again in a while."},
    {"agency_refused", 502, "Visma Amili tog inte emot uppgifterna.",
     "Visma Amili did not accept the data."},
    {"terms_not_accepted", 422, "Villkoren måste godkännas för att aktivera tjänsten.",
     "The terms must be accepted to activate the service."},
    {"terms_version_outdated", 409,
     "Villkoren har ändrats sedan de visades. Läs den nya versionen och godkänn den.",
     "The terms have changed since they were shown. Read the new version and accept it."},
    {"company_incomplete", 422,
     "Företagets inställningar saknar uppgifter som Visma Amili behöver.",
     "The company settings lack details Visma Amili needs."},
    {"already_handed_over", 409, "Fakturan är redan lämnad till Visma Amili.",
     "The invoice has already been handed to Visma Amili."},
    {"not_eligible", 422, "Ingen av fakturorna kan lämnas till Visma Amili.",
     "None of the invoices can be handed to Visma Amili."},
    {"duplicate_value", 422, "Värdet förekommer mer än en gång.",
     "The value occurs more than once."},
    /* ---- end Amili hand-over ---- */
};

#define N_CODES (sizeof(codes) / sizeof(codes[0]))

static const struct code_info *find_code(const char *code)
{
    size_t i;

    for (i = 0; i < N_CODES; i++) {
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

/* ---- books (issue 6): extra members of the error object ---- */

enum pm_err api_error_extra(struct api_error *e, const char *json_object_text)
{
    size_t n = strlen(json_object_text);

    e->extra[0] = '\0';
    if (n < sizeof(e->extra))
        memcpy(e->extra, json_object_text, n + 1);
    return e->rc;
}

/* Merge the members of the JSON object text into inner; -1 on failure. */
static int add_extra(json_t *inner, const char *text)
{
    json_t *extra = json_loads(text, 0, NULL);
    int rc = json_is_object(extra) ? json_object_update_missing(inner, extra) : -1;

    json_decref(extra);
    return rc;
}
/* ---- end books ---- */

void api_error_clear(struct api_error *e)
{
    memset(e, 0, sizeof(*e));
}

enum pm_err api_error_set(struct api_error *e, enum pm_err rc, const char *code, const char *field)
{
    return api_error_at(e, rc, code, "", field);
}

enum pm_err api_error_at(struct api_error *e, enum pm_err rc, const char *code, const char *prefix,
                         const char *key)
{
    if (!e)
        return rc;
    e->rc = rc;
    e->code = code;
    snprintf(e->field, sizeof(e->field), "%s%s", prefix ? prefix : "", key ? key : "");
    trim_partial_utf8(e->field);
    return rc;
}

enum pm_err api_error_detail(struct api_error *e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
    va_end(ap);
    return e->rc;
}

const char *api_error_code(const struct api_error *e)
{
    if (e->code && find_code(e->code))
        return e->code;
    switch (e->rc) {
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

int api_error_status(const struct api_error *e)
{
    return find_code(api_error_code(e))->status;
}

const char *api_error_message(const char *code, bool english)
{
    const struct code_info *ci = find_code(code);

    if (!ci)
        ci = find_code("internal_error");
    return english ? ci->en : ci->sv;
}

enum pm_err api_error_render(const struct api_error *e, bool english, int *status, char **body,
                             size_t *len)
{
    const char *code = api_error_code(e);
    enum pm_err rc = PM_ERR_NOMEM;
    json_t *root, *inner;

    root = json_object();
    inner = json_object();
    if (!root || !inner)
        goto out_free;
    if (json_object_set_new(inner, "code", json_string(code)) ||
        json_object_set_new(inner, "message", json_string(api_error_message(code, english))))
        goto out_free;
    if (e->field[0] && json_object_set_new(inner, "field", json_string(e->field)))
        goto out_free;
    if (e->extra[0] && add_extra(inner, e->extra)) /* books (issue 6) */
        goto out_free;
    if (json_object_set(root, "error", inner))
        goto out_free;
    *body = json_dumps(root, JSON_COMPACT);
    if (!*body)
        goto out_free;
    *len = strlen(*body);
    *status = find_code(code)->status;
    rc = PM_OK;
out_free:
    json_decref(inner);
    json_decref(root);
    return rc;
}
