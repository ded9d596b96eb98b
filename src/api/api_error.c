/*
 * api_error.c — mapping of every failure to an HTTP status and JSON body.
 *
 * The table below is the whole vocabulary of error codes the API speaks:
 * each code has one status; the protocol's own codes have their messages
 * here, the application's codes take theirs from app/app_error.c, so that
 * the command line and the API word a failure alike.  Results without an
 * explicit code (a store call failing with PM_ERR_NOT_FOUND, say) are given
 * the code of their enum pm_err.
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
    /* the protocol's own */
    {"malformed_request", 400, "Begäran är felaktigt formad.", "The request is malformed."},
    {"malformed_json", 400, "Begäran är inte giltig JSON.", "The request body is not valid JSON."},
    {"invalid_query", 400, "Ogiltig parameter i adressen.", "Invalid query parameter."},
    {"invalid_period", 400, "Perioden slutar före den börjar.",
     "The period ends before it starts."},
    {"not_authenticated", 401, "Du är inte inloggad.", "You are not logged in."},
    {"csrf_token_invalid", 403, "Ogiltig eller saknad CSRF-token.",
     "Missing or invalid CSRF token."},
    {"forbidden_role", 403, "Din roll tillåter inte den här åtgärden.",
     "Your role does not allow this action."},
    {"method_not_allowed", 405, "Metoden stöds inte för den här adressen.",
     "Method not allowed for this path."},
    {"body_too_large", 413, "Begäran är för stor.", "The request body is too large."},
    {"unsupported_media_type", 415, "Innehållet måste vara application/json.",
     "The request body must be application/json."},
    {"bgmax_media_type", 415, "BgMax-filen skickas som text/plain eller application/octet-stream.",
     "Send the BgMax file as text/plain or application/octet-stream."},
    {"camt054_media_type", 415,
     "camt.054-filen skickas som application/xml, text/xml eller application/octet-stream.",
     "Send the camt.054 file as application/xml, text/xml or application/octet-stream."},
    {"headers_too_large", 431, "Begärans huvuden är för stora.", "Request headers too large."},
    {"unknown_field", 422, "Okänt fält.", "Unknown field."},
    {"too_long", 422, "Värdet är för långt.", "The value is too long."},
    {"idempotency_key_reused", 422, "Idempotency-Key har redan använts för en annan begäran.",
     "The Idempotency-Key was already used for a different request."},
    {"server_busy", 503, "Servern är upptagen just nu. Försök igen om en stund.",
     "The server is busy right now. Try again in a moment."},
    {"too_many_attempts", 429, "För många misslyckade försök. Försök igen senare.",
     "Too many failed attempts. Try again later."},
    /* the application's (app/app_error.c holds their messages) */
    {"invalid_credentials", 401, NULL, NULL},
    {"not_found", 404, NULL, NULL},
    {"conflict", 409, NULL, NULL},
    {"duplicate_number", 409, NULL, NULL},
    {"required", 422, NULL, NULL},
    {"invalid_value", 422, NULL, NULL},
    {"out_of_range", 422, NULL, NULL},
    {"duplicate_value", 422, NULL, NULL},
    {"busy", 503, NULL, NULL},
    {"internal_error", 500, NULL, NULL},
    {"handed_over", 409, NULL, NULL},
    {"webhook_url_invalid", 422, NULL, NULL},
    {"unknown_event_type", 422, NULL, NULL},
    {"webhook_not_found", 404, NULL, NULL},
    {"delivery_not_found", 404, NULL, NULL},
    {"too_many_webhooks", 409, NULL, NULL},
    {"delivery_in_flight", 409, NULL, NULL},
    {"endpoint_removed", 409, NULL, NULL},
    {"not_overdue", 422, NULL, NULL},
    {"nothing_left", 422, NULL, NULL},
    {"reminders_stopped", 409, NULL, NULL},
    {"agency_case_open", 409, NULL, NULL},
    {"disputed", 409, NULL, NULL},
    {"nothing_to_write_off", 409, NULL, NULL},
    {"already_written_off", 409, NULL, NULL},
    {"already_expected", 409, NULL, NULL},
    {"cash_method_not_supported", 422, NULL, NULL},
    {"already_imported", 409, NULL, NULL},
    {"already_confirmed", 409, NULL, NULL},
    {"bgmax_invalid", 422, NULL, NULL},
    {"bgmax_test_file", 422, NULL, NULL},
    {"camt054_invalid", 422, NULL, NULL},
    {"bankgiro_mismatch", 422, NULL, NULL},
    {"reminder_not_found", 404, NULL, NULL},
    {"batch_not_found", 404, NULL, NULL},
    {"already_approved", 409, NULL, NULL},
    {"run_not_found", 404, NULL, NULL},
    {"credit_note_not_found", 404, NULL, NULL},
    {"policy_not_found", 404, NULL, NULL},
    {"no_letters", 404, NULL, NULL},
    {"books_locked", 422, NULL, NULL},
    {"fiscal_year_in_use", 409, NULL, NULL},
    {"date_after_today", 422, NULL, NULL},
    {"credit_exceeds_remaining", 422, NULL, NULL},
    {"expiry_in_past", 422, NULL, NULL},
    {"date_before_invoice", 422, NULL, NULL},
    {"loss_date_too_early", 422, NULL, NULL},
    {"rot_rut_company_customer", 422, NULL, NULL},
    {"missing_email", 422, NULL, NULL},
    {"mail_not_configured", 503, NULL, NULL},
    {"agency_not_configured", 503, NULL, NULL},
    {"agency_unavailable", 502, NULL, NULL},
    {"agency_refused", 502, NULL, NULL},
    {"terms_not_accepted", 422, NULL, NULL},
    {"terms_version_outdated", 409, NULL, NULL},
    {"company_incomplete", 422, NULL, NULL},
    {"already_handed_over", 409, NULL, NULL},
    {"not_eligible", 422, NULL, NULL},
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

/* ---- extra members of the error object ---- */

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
    app_error_field(e->field, sizeof(e->field), prefix, key);
    return rc;
}

enum pm_err api_error_from_app(struct api_error *e, const struct app_error *ae)
{
    e->rc = ae->rc;
    e->code = ae->code;
    memcpy(e->field, ae->field, sizeof(e->field));
    memcpy(e->detail, ae->detail, sizeof(e->detail));
    memcpy(e->extra, ae->extra, sizeof(e->extra));
    return e->rc;
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
    return app_error_code_of(e->rc);
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
    if (!ci->sv)
        return app_error_message(ci->code, english);
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
    if (e->extra[0] && add_extra(inner, e->extra))
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
