/*
 * api_decode.c — validation of the request bodies of each resource.
 *
 * The domain's rules come from core/ (identity numbers, VAT, ROT/RUT
 * totals); this file only decides which JSON keys exist, which are required
 * and how a failure is named.  Field names are the API's: the JSON path of
 * the offending value ("lines[2].vat_rate_bp", "buyers[0].id_number").
 */
#include "api/api_decode.h"

#include <stdio.h>
#include <string.h>

#include "api/api_json.h"
#include "core/date.h"
#include "core/fiscal.h"
#include "core/idnum.h"
#include "core/invoice.h"
#include "core/money.h"
#include "core/reminder.h"
#include "core/swish.h"
#include "core/vat.h"

/* ISO 3166-1 alpha-2, officially assigned codes. */
static const char countries[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW";

static const char *const languages[] = {"sv", "en", NULL};
static const char *const accounting_methods[] = {
    [ACCOUNTING_ACCRUAL] = "accrual", [ACCOUNTING_CASH] = "cash", NULL};
static const char *const kinds[] = {
    [INVOICE_STANDARD] = "standard", [INVOICE_ROT] = "rot", [INVOICE_RUT] = "rut", NULL};

bool api_decode_country_ok(const char *s)
{
    size_t i;

    if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
        return false;
    for (i = 0; countries[i]; i += 3) {
        if (countries[i] == s[0] && countries[i + 1] == s[1])
            return true;
        if (!countries[i + 2])
            break;
    }
    return false;
}

bool api_decode_email_ok(const char *s)
{
    const char *at = strchr(s, '@'), *dot;

    if (!at || at == s || strchr(at + 1, '@') || !at[1] || strchr(s, ' '))
        return false;
    dot = strrchr(at + 1, '.');
    /* A dot in the domain with text on both sides. */
    return dot && dot > at + 1 && dot[1] != '\0';
}

/* A text field that, when present, may not be empty (names). */
static enum pm_err nonempty_text(const json_t *obj, const char *prefix, const char *key,
                                 bool required, char *dst, size_t cap, struct api_error *e)
{
    json_t *v = json_object_get(obj, key);

    if (v && (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)))
        return api_error_at(e, PM_ERR_INVALID, "required", prefix, key);
    return api_json_string(obj, prefix, key, required, dst, cap, NULL, e);
}

/* A text field whose value is checked by ok() after reading.  Short codes
 * (country, currency, language) that are too long are simply invalid. */
static enum pm_err checked_text(const json_t *obj, const char *key, bool (*ok)(const char *),
                                bool allow_empty, char *dst, size_t cap, struct api_error *e)
{
    char tmp[STORE_EMAIL_MAX];
    bool present = false;
    enum pm_err rc;

    rc = api_json_string(obj, "", key, false, tmp, cap < sizeof(tmp) ? cap : sizeof(tmp), &present,
                         e);
    if (rc == PM_ERR_RANGE && cap < 8)
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", key);
    if (rc || !present)
        return rc;
    if (tmp[0] == '\0' ? !allow_empty : !ok(tmp))
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", key);
    snprintf(dst, cap, "%s", tmp);
    return PM_OK;
}

static bool bankgiro_ok(const char *s)
{
    size_t digits = 0, dashes = 0, i;

    for (i = 0; s[i]; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (s[i] == '-' && i > 0 && s[i + 1])
            dashes++;
        else
            return false;
    }
    return (digits == 7 || digits == 8) && dashes <= 1;
}

static bool language_ok(const char *s)
{
    return !strcmp(s, "sv") || !strcmp(s, "en");
}

static bool currency_ok(const char *s)
{
    return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
           s[2] >= 'A' && s[2] <= 'Z';
}

/* The company's Swish number: optional, "" removes it; anything else must
 * be a Swish för företag number (core/swish.h), stored as its 10 digits. */
static enum pm_err swish_setting(const json_t *obj, char *dst, size_t cap, struct api_error *e)
{
    char text[64], number[SWISH_NUMBER_MAX];
    struct pm_error pe = {0};
    bool present = false;
    enum pm_err rc;

    rc = api_json_string(obj, "", "swish_number", false, text, sizeof(text), &present, e);
    if (rc == PM_ERR_RANGE)
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", "swish_number");
    if (rc || !present)
        return rc;
    if (text[0] == '\0') {
        dst[0] = '\0';
        return PM_OK;
    }
    if (swish_number_parse(text, number, &pe)) {
        /* why (too few digits, not 123...) goes to the log; the settings
         * page's hint says what a Swish för företag number looks like */
        api_error_set(e, PM_ERR_INVALID, "invalid_value", "swish_number");
        return api_error_detail(e, "%s", pe.message);
    }
    snprintf(dst, cap, "%s", number);
    return PM_OK;
}

enum pm_err api_decode_session(const json_t *obj, struct api_session_input *out,
                               struct api_error *e)
{
    static const char *const keys[] = {"email", "password", NULL};
    enum pm_err rc;

    memset(out, 0, sizeof(*out));
    rc = api_json_check_keys(obj, "", keys, e);
    if (!rc)
        rc = api_json_string(obj, "", "email", true, out->email, sizeof(out->email), NULL, e);
    if (!rc)
        rc = api_json_string(obj, "", "password", true, out->password, sizeof(out->password), NULL,
                             e);
    return rc;
}

void api_decode_company_defaults(struct company *co)
{
    memset(co, 0, sizeof(*co));
    co->payment_terms_days = 30;
    co->reminder_due_days = 10;
    co->fiscal_year_start_month = FISCAL_START_MONTH_DEFAULT;
    co->accounting_method = ACCOUNTING_ACCRUAL;
    snprintf(co->country, sizeof(co->country), "SE");
    snprintf(co->language, sizeof(co->language), "sv");
    snprintf(co->timezone, sizeof(co->timezone), "Europe/Stockholm");
}

enum pm_err api_decode_company(const json_t *obj, bool create, struct company *co,
                               struct api_error *e)
{
    static const char *const keys[] = {"name",
                                       "organization_no",
                                       "address_line_1",
                                       "address_line_2",
                                       "zip_code",
                                       "city",
                                       "country",
                                       "email",
                                       "phone",
                                       "bankgiro",
                                       "payment_terms_days",
                                       "reminder_fee_agreed",
                                       "reminder_fee_minor",
                                       "accounting_method",
                                       "language",
                                       "reminder_due_days",
                                       "fiscal_year_start_month",
                                       "swish_number",
                                       NULL};
    struct company c = *co;
    struct idnum org;
    char org_text[32];
    bool present = false;
    int64_t v;
    int idx;
    enum pm_err rc;

    rc = api_json_check_keys(obj, "", keys, e);
    if (rc)
        return rc;
    rc = nonempty_text(obj, "", "name", create, c.name, sizeof(c.name), e);
    if (rc)
        return rc;
    rc = api_json_string(obj, "", "organization_no", create, org_text, sizeof(org_text), &present,
                         e);
    if (rc == PM_ERR_RANGE)
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", "organization_no");
    if (rc)
        return rc;
    if (present) {
        if (idnum_parse_org(org_text, &org))
            return api_error_set(e, PM_ERR_INVALID, "invalid_value", "organization_no");
        snprintf(c.organization_no, sizeof(c.organization_no), "%s", org.normalized);
    }
    rc = api_json_string(obj, "", "address_line_1", false, c.address_line_1,
                         sizeof(c.address_line_1), NULL, e);
    if (!rc)
        rc = api_json_string(obj, "", "address_line_2", false, c.address_line_2,
                             sizeof(c.address_line_2), NULL, e);
    if (!rc)
        rc = api_json_string(obj, "", "zip_code", false, c.zip_code, sizeof(c.zip_code), NULL, e);
    if (!rc)
        rc = api_json_string(obj, "", "city", false, c.city, sizeof(c.city), NULL, e);
    if (!rc)
        rc = checked_text(obj, "country", api_decode_country_ok, false, c.country,
                          sizeof(c.country), e);
    if (!rc)
        rc = checked_text(obj, "email", api_decode_email_ok, true, c.email, sizeof(c.email), e);
    if (!rc)
        rc = api_json_string(obj, "", "phone", false, c.phone, sizeof(c.phone), NULL, e);
    if (!rc)
        rc = checked_text(obj, "bankgiro", bankgiro_ok, true, c.bankgiro, sizeof(c.bankgiro), e);
    if (rc)
        return rc;
    rc = api_json_int(obj, "", "payment_terms_days", false, 0, 365, &v, &present, e);
    if (rc)
        return rc;
    if (present)
        c.payment_terms_days = (int)v;
    rc = api_json_bool(obj, "", "reminder_fee_agreed", false, &c.reminder_fee_agreed, NULL, e);
    if (!rc)
        rc = api_json_int(obj, "", "reminder_fee_minor", false, 0, 6000, &c.reminder_fee_minor,
                          NULL, e);
    if (rc)
        return rc;
    rc = api_json_enum(obj, "", "accounting_method", false, accounting_methods, &idx, &present, e);
    if (rc)
        return rc;
    if (present)
        c.accounting_method = (enum accounting_method)idx;
    rc = api_json_enum(obj, "", "language", false, languages, &idx, &present, e);
    if (rc)
        return rc;
    if (present)
        snprintf(c.language, sizeof(c.language), "%s", languages[idx]);
    /* days to pay after a manual reminder */
    /* at least 8 days to pay (core/reminder.h) */
    rc = api_json_int(obj, "", "reminder_due_days", false, REMINDER_MIN_DAYS_TO_PAY, 60, &v,
                      &present, e);
    if (rc)
        return rc;
    if (present)
        c.reminder_due_days = (int)v;
    /* the month the fiscal years start in (1 = the calendar year) */
    rc = api_json_int(obj, "", "fiscal_year_start_month", false, 1, 12, &v, &present, e);
    if (rc)
        return rc;
    if (present)
        c.fiscal_year_start_month = (int)v;
    rc = swish_setting(obj, c.swish_number, sizeof(c.swish_number), e);
    if (rc)
        return rc;
    *co = c;
    return PM_OK;
}

void api_decode_customer_defaults(struct customer *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->country, sizeof(c->country), "SE");
    snprintf(c->language, sizeof(c->language), "sv");
}

/* Normalise an identity number of the kind the customer is. */
static enum pm_err customer_idnum(const char *text, bool is_company, int32_t today, char *dst,
                                  size_t cap)
{
    struct idnum id;
    enum pm_err rc;

    rc = is_company ? idnum_parse_org(text, &id) : idnum_parse_person(text, today, &id);
    if (!rc)
        snprintf(dst, cap, "%s", id.normalized);
    return rc;
}

/* True when text has the digits of an identity number (10 or 12) but the
 * last, the check digit, is wrong. */
static bool check_digit_wrong(const char *text)
{
    char digits[16];
    size_t n = 0;
    const char *p;

    for (p = text; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n == sizeof(digits) - 1)
                return false;
            digits[n++] = *p;
        }
    }
    return (n == 10 || n == 12) && !luhn_valid(digits + n - 10, 10);
}

/* Refuse an identity number (422 invalid_value on "id_number"), saying why
 * in "reason" when only the check digit is wrong. */
static enum pm_err idnum_refused(const char *text, struct api_error *e)
{
    api_error_set(e, PM_ERR_INVALID, "invalid_value", "id_number");
    if (check_digit_wrong(text))
        return api_error_extra(e, "{\"reason\":\"check_digit\"}");
    return e->rc;
}

/* A Swedish postal code: five digits, written "NNNNN" or "NNN NN". */
static bool swedish_zip_ok(const char *s)
{
    size_t len = strlen(s), i, digits = 0;

    if (len != 5 && len != 6)
        return false;
    for (i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (!(len == 6 && i == 3 && s[i] == ' '))
            return false;
    }
    return digits == 5;
}

enum pm_err api_decode_customer(const json_t *obj, bool create, int32_t today, struct customer *c,
                                struct api_error *e)
{
    static const char *const keys[] = {
        "number",         "name",     "is_company", "id_number", "address_line_1",
        "address_line_2", "zip_code", "city",       "country",   "email",
        "mobile_number",  "language", NULL};
    struct customer n = *c;
    char id_text[STORE_SHORT_MAX];
    bool id_present = false, kind_present = false;
    enum pm_err rc;

    rc = api_json_check_keys(obj, "", keys, e);
    if (!rc)
        rc = api_json_string(obj, "", "number", false, n.number, sizeof(n.number), NULL, e);
    if (!rc)
        rc = nonempty_text(obj, "", "name", create, n.name, sizeof(n.name), e);
    if (!rc)
        rc = api_json_bool(obj, "", "is_company", false, &n.is_company, &kind_present, e);
    if (rc)
        return rc;
    rc = api_json_string(obj, "", "id_number", false, id_text, sizeof(id_text), &id_present, e);
    if (rc == PM_ERR_RANGE)
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", "id_number");
    if (rc)
        return rc;
    if (id_present && id_text[0] == '\0') {
        n.id_number[0] = '\0';
    } else if (id_present) {
        if (customer_idnum(id_text, n.is_company, today, n.id_number, sizeof(n.id_number)))
            return idnum_refused(id_text, e);
    } else if (kind_present && n.id_number[0]) {
        /* The kind changed under a stored number: it must still fit. */
        snprintf(id_text, sizeof(id_text), "%s", n.id_number);
        if (customer_idnum(id_text, n.is_company, today, n.id_number, sizeof(n.id_number)))
            return api_error_set(e, PM_ERR_INVALID, "invalid_value", "id_number");
    }
    rc = api_json_string(obj, "", "address_line_1", false, n.address_line_1,
                         sizeof(n.address_line_1), NULL, e);
    if (!rc)
        rc = api_json_string(obj, "", "address_line_2", false, n.address_line_2,
                             sizeof(n.address_line_2), NULL, e);
    if (!rc)
        rc = api_json_string(obj, "", "zip_code", false, n.zip_code, sizeof(n.zip_code), NULL, e);
    if (!rc)
        rc = api_json_string(obj, "", "city", false, n.city, sizeof(n.city), NULL, e);
    if (!rc)
        rc = checked_text(obj, "country", api_decode_country_ok, false, n.country,
                          sizeof(n.country), e);
    if (!rc)
        rc = checked_text(obj, "email", api_decode_email_ok, true, n.email, sizeof(n.email), e);
    if (!rc)
        rc = api_json_string(obj, "", "mobile_number", false, n.mobile_number,
                             sizeof(n.mobile_number), NULL, e);
    if (!rc)
        rc = checked_text(obj, "language", language_ok, false, n.language, sizeof(n.language), e);
    if (rc)
        return rc;
    /* A customer in Sweden gets letters: the postal code must be one. */
    if ((!n.country[0] || !strcmp(n.country, "SE")) && n.zip_code[0] &&
        !swedish_zip_ok(n.zip_code)) {
        api_error_set(e, PM_ERR_INVALID, "invalid_value", "zip_code");
        return api_error_extra(e, "{\"reason\":\"swedish_zip_code\"}");
    }
    *c = n;
    return PM_OK;
}

static enum pm_err decode_line(const json_t *obj, const char *prefix, struct invoice_line_row *l,
                               struct api_error *e)
{
    static const char *const keys[] = {"description", "quantity_milli", "unit_price_minor",
                                       "vat_rate_bp", "labour",         NULL};
    int64_t v = 0;
    enum pm_err rc;

    memset(l, 0, sizeof(*l));
    if (!json_is_object(obj)) {
        char path[32];

        snprintf(path, sizeof(path), "%.*s", (int)strlen(prefix) - 1, prefix);
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", path);
    }
    rc = api_json_check_keys(obj, prefix, keys, e);
    if (!rc)
        rc = api_json_string(obj, prefix, "description", true, l->description,
                             sizeof(l->description), NULL, e);
    if (!rc)
        rc = api_json_int(obj, prefix, "quantity_milli", true, 1, INT64_C(1000000000),
                          &l->line.quantity_milli, NULL, e);
    if (!rc)
        rc = api_json_int(obj, prefix, "unit_price_minor", true, -MONEY_MAX, MONEY_MAX,
                          &l->line.unit_price_minor, NULL, e);
    if (!rc)
        rc = api_json_int(obj, prefix, "vat_rate_bp", true, 0, 10000, &v, NULL, e);
    if (rc)
        return rc;
    if (!vat_rate_valid((int)v))
        return api_error_at(e, PM_ERR_INVALID, "invalid_value", prefix, "vat_rate_bp");
    l->line.vat_rate_bp = (int)v;
    rc = api_json_bool(obj, prefix, "labour", false, &l->line.labour, NULL, e);
    if (rc)
        return rc;
    if (money_mul_div(l->line.quantity_milli, l->line.unit_price_minor, 1000, &l->net_minor) ||
        l->net_minor > MONEY_MAX || l->net_minor < -MONEY_MAX)
        return api_error_at(e, PM_ERR_RANGE, "out_of_range", prefix, "unit_price_minor");
    return PM_OK;
}

static enum pm_err decode_buyer(const json_t *obj, const char *prefix, int32_t today,
                                struct invoice_buyer *b, struct api_error *e)
{
    static const char *const keys[] = {"id_number", "name", NULL};
    char id_text[32];
    struct idnum id;
    enum pm_err rc;

    memset(b, 0, sizeof(*b));
    if (!json_is_object(obj)) {
        char path[32];

        snprintf(path, sizeof(path), "%.*s", (int)strlen(prefix) - 1, prefix);
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", path);
    }
    rc = api_json_check_keys(obj, prefix, keys, e);
    if (!rc)
        rc = api_json_string(obj, prefix, "id_number", true, id_text, sizeof(id_text), NULL, e);
    if (rc == PM_ERR_RANGE)
        return api_error_at(e, PM_ERR_INVALID, "invalid_value", prefix, "id_number");
    if (rc)
        return rc;
    if (idnum_parse_person(id_text, today, &id))
        return api_error_at(e, PM_ERR_INVALID, "invalid_value", prefix, "id_number");
    snprintf(b->id_number, sizeof(b->id_number), "%s", id.normalized);
    return nonempty_text(obj, prefix, "name", true, b->name, sizeof(b->name), e);
}

/* Map a failure of invoice_compute() (its field names are ours already). */
static enum pm_err compute_failed(enum pm_err rc, const struct pm_error *perr, struct api_error *e)
{
    const char *code = rc == PM_ERR_INVALID ? "invalid_value" : "out_of_range";

    return api_error_set(e, rc == PM_ERR_INVALID ? rc : PM_ERR_RANGE, code,
                         perr->field[0] ? perr->field : "lines");
}

enum pm_err api_decode_invoice(const json_t *obj, int32_t today, int payment_terms_days,
                               struct api_invoice_input *out, struct api_error *e)
{
    static const char *const keys[] = {"customer_id", "number", "invoice_date", "due_date",
                                       "currency",    "kind",   "zero_vat",     "lines",
                                       "buyers",      NULL};
    static const char *const zero_vats[] = {"construction", "goods", NULL};
    struct invoice *inv = &out->inv;
    struct invoice_line plain[STORE_LINES_MAX];
    struct invoice_totals t;
    struct pm_error perr = {0};
    const json_t *lines, *buyers;
    char prefix[32];
    bool due_present = false;
    int kind = INVOICE_STANDARD, zero_vat = -1;
    size_t i;
    enum pm_err rc;

    memset(out, 0, sizeof(*out));
    snprintf(inv->currency, sizeof(inv->currency), "SEK");
    rc = api_json_check_keys(obj, "", keys, e);
    if (!rc)
        rc = api_json_int(obj, "", "customer_id", true, 1, INT64_MAX, &inv->customer_id, NULL, e);
    if (!rc)
        rc = api_json_int(obj, "", "number", false, 1, MONEY_MAX - 1, &inv->number, NULL, e);
    if (!rc)
        rc = api_json_date(obj, "", "invoice_date", true, &inv->invoice_date, NULL, e);
    if (!rc)
        rc = api_json_date(obj, "", "due_date", false, &inv->due_date, &due_present, e);
    if (!rc)
        rc = checked_text(obj, "currency", currency_ok, false, inv->currency, sizeof(inv->currency),
                          e);
    if (!rc)
        rc = api_json_enum(obj, "", "kind", false, kinds, &kind, NULL, e);
    if (!rc && !json_is_null(json_object_get(obj, "zero_vat"))) /* null: none */
        rc = api_json_enum(obj, "", "zero_vat", false, zero_vats, &zero_vat, NULL, e);
    if (rc)
        return rc;
    inv->kind = (enum invoice_kind)kind;
    /* enum invoice_zero_vat from ZERO_VAT_CONSTRUCTION on; absent: none */
    inv->zero_vat = zero_vat < 0 ? ZERO_VAT_NONE : (enum invoice_zero_vat)(zero_vat + 1);
    if (!due_present)
        inv->due_date = inv->invoice_date + payment_terms_days;
    if (inv->due_date < inv->invoice_date)
        return api_error_set(e, PM_ERR_RANGE, "out_of_range", "due_date");

    lines = json_object_get(obj, "lines");
    if (!lines || json_is_null(lines))
        return api_error_set(e, PM_ERR_INVALID, "required", "lines");
    if (!json_is_array(lines))
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", "lines");
    if (json_array_size(lines) == 0)
        return api_error_set(e, PM_ERR_INVALID, "required", "lines");
    if (json_array_size(lines) > STORE_LINES_MAX)
        return api_error_set(e, PM_ERR_RANGE, "too_long", "lines");
    for (i = 0; i < json_array_size(lines); i++) {
        snprintf(prefix, sizeof(prefix), "lines[%zu].", i);
        rc = decode_line(json_array_get(lines, i), prefix, &out->lines[i], e);
        if (rc)
            return rc;
        plain[i] = out->lines[i].line;
    }
    out->n_lines = i;

    buyers = json_object_get(obj, "buyers");
    if (buyers && !json_is_null(buyers)) {
        if (!json_is_array(buyers))
            return api_error_set(e, PM_ERR_INVALID, "invalid_value", "buyers");
        if (json_array_size(buyers) > STORE_BUYERS_MAX)
            return api_error_set(e, PM_ERR_RANGE, "too_long", "buyers");
        for (i = 0; i < json_array_size(buyers); i++) {
            snprintf(prefix, sizeof(prefix), "buyers[%zu].", i);
            rc = decode_buyer(json_array_get(buyers, i), prefix, today, &out->buyers[i], e);
            if (rc)
                return rc;
        }
        out->n_buyers = i;
    }
    if (inv->kind != INVOICE_STANDARD && out->n_buyers == 0)
        return api_error_set(e, PM_ERR_INVALID, "required", "buyers");
    if (inv->kind == INVOICE_STANDARD && out->n_buyers > 0)
        return api_error_set(e, PM_ERR_INVALID, "invalid_value", "buyers");

    rc = invoice_compute(inv->kind, inv->invoice_date, plain, out->n_lines, &t, &perr);
    if (rc)
        return compute_failed(rc, &perr, e);
    if (t.total_minor > MONEY_MAX || t.total_minor < -MONEY_MAX)
        return api_error_set(e, PM_ERR_RANGE, "out_of_range", "lines");
    inv->net_minor = t.net_minor;
    inv->vat_minor = t.vat_minor;
    inv->total_minor = t.total_minor;
    inv->tax_reduction_minor = t.tax_reduction_minor;
    inv->customer_part_minor = t.customer_part_minor;
    inv->remaining_minor = t.customer_part_minor;
    inv->state = INVOICE_STATE_OPEN;
    return PM_OK;
}

enum pm_err api_decode_payment(const json_t *obj, int32_t today, struct payment *p,
                               struct api_error *e)
{
    static const char *const keys[] = {"date", "amount_minor", "reference", NULL};
    enum pm_err rc;

    memset(p, 0, sizeof(*p));
    p->date = today;
    p->source = PAYMENT_MANUAL;
    rc = api_json_check_keys(obj, "", keys, e);
    if (!rc)
        rc = api_json_date(obj, "", "date", false, &p->date, NULL, e);
    if (!rc)
        rc = api_json_int(obj, "", "amount_minor", true, INT64_MIN, INT64_MAX, &p->amount_minor,
                          NULL, e);
    if (!rc && (p->amount_minor < 1 || p->amount_minor > MONEY_MAX))
        rc = api_error_set(e, PM_ERR_RANGE, "out_of_range", "amount_minor");
    if (!rc)
        rc = api_json_string(obj, "", "reference", false, p->reference, sizeof(p->reference), NULL,
                             e);
    return rc;
}

/* expires_at of a new token: a date (the token works through that day,
 * Europe/Stockholm) or an RFC 3339 instant; absent or null = no end. */
static enum pm_err token_expiry(const json_t *obj, const struct tz *tz, int64_t *out,
                                struct api_error *e)
{
    char text[40];
    bool present = false;
    int32_t day;
    enum pm_err rc;

    *out = 0;
    rc = api_json_string(obj, "", "expires_at", false, text, sizeof(text), &present, e);
    if (rc || !present)
        return rc;
    if (strlen(text) == DATE_ISO_LEN && !date_parse_iso(text, &day)) {
        *out = date_local_start(tz, day + 1);
        return PM_OK;
    }
    if (strlen(text) > DATE_ISO_LEN && !date_parse_instant(text, out))
        return PM_OK;
    return api_error_set(e, PM_ERR_INVALID, "invalid_value", "expires_at");
}

enum pm_err api_decode_token(const json_t *obj, const struct tz *tz, struct api_token *t,
                             struct api_error *e)
{
    static const char *const keys[] = {"name", "expires_at", NULL};
    enum pm_err rc;

    rc = api_json_check_keys(obj, "", keys, e);
    if (!rc)
        rc = nonempty_text(obj, "", "name", true, t->name, sizeof(t->name), e);
    if (!rc)
        rc = token_expiry(obj, tz, &t->expires_at, e);
    return rc;
}

enum pm_err api_decode_reminder_stop(const json_t *obj, char *kind, size_t kind_cap, char *text,
                                     size_t text_cap, struct app_reminder_stop_input *in,
                                     struct api_error *e)
{
    static const char *const keys[] = {"kind", "text", "until", "no_interest", NULL};
    enum pm_err rc;

    memset(in, 0, sizeof(*in));
    kind[0] = '\0';
    text[0] = '\0';
    rc = api_json_check_keys(obj, "", keys, e);
    if (!rc) {
        rc = api_json_string(obj, "", "kind", true, kind, kind_cap, NULL, e);
        /* No kind is that long: an unknown kind, as any other. */
        if (rc == PM_ERR_RANGE)
            rc = api_error_set(e, PM_ERR_INVALID, "invalid_value", "kind");
    }
    if (!rc)
        rc = api_json_string(obj, "", "text", false, text, text_cap, NULL, e);
    if (!rc)
        rc = api_json_date(obj, "", "until", false, &in->until, NULL, e);
    if (!rc)
        rc = api_json_bool(obj, "", "no_interest", false, &in->no_interest, NULL, e);
    in->kind = kind;
    in->text = text;
    return rc;
}
