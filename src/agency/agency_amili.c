/*
 * agency_amili.c — requests and answers of Visma Amili's API (see
 * agency_amili.h), and every choice the public documentation leaves open.
 *
 * Our choices [ours], all here (also listed in docs/agency.md):
 *  - The agreement text and version come from GET /_sandbox/agreement
 *    (AGENCY_AMILI_AGREEMENT_PATH); for the real service this is configuration.
 *  - Token answer {"token","expires"} (RFC 1123); the token is refreshed a
 *    minute before `expires` and once after any 401 (agency_auth.c).
 *  - Error bodies {"_status":"ERR","_error":{code,message},"_issues":{path:msg}};
 *    the reason shown to users is "path: message; ..." from _issues, else
 *    _error.message.
 *  - 408 and 429 and every 5xx are transient; 409 is a conflict; any other
 *    4xx is a refusal.
 *  - A second registration of creditor + invoice number answers 409 with
 *    _existing_cases {invoice_number: case id}; the client takes that case.
 *    Before re-sending a registration whose first attempt may have reached
 *    the agency it looks the case up with where={"creditor","debt.invoice_number"}.
 *  - Polling for changes: where={"creditor":C,"_updated":{"$gte":<RFC 1123>}}
 *    sorted -_updated, pages of 100 (newest first, so a case changed while
 *    paging only moves to a page already read: the next round, from the
 *    newest _updated seen, catches it; duplicates are dropped by _etag).
 *  - Cases carry `ocr` (else debt.debt_reference is the OCR), amounts
 *    local_added_transaction_amount = money received and
 *    local_remaining_transaction_amount = all still owed.
 *  - Registration: one invoice per registration (one debt), first_action
 *    "reminder", the invoice number as text, invoice_due_days from the
 *    invoice's own dates, a manual reminder fee already charged as
 *    fees_already_claimed.reminder; mobile number only when E.164, e-mail
 *    only when it has an '@' (both optional at the agency).
 *  - Onboarding: one account and one active creditor per company, both
 *    named after the company, standard_debt_description "Fakturor",
 *    sender and invoice address = the company's address, bankgiro payout.
 *    Before creating an account the client looks one up by organization_no,
 *    so an activation retried after a lost answer creates nothing twice.
 *  - The case link for users is the API base URL + /cases/{id}.
 *  - States and statuses are shown as they come; unknown ones as their text.
 */
#include "agency/agency_amili.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency/agency_edge.h"
#include "util/buf.h"
#include "core/date.h"
#include "core/money.h"

#define AGENCY_AMILI_AGREEMENT_PATH "/_sandbox/agreement"
#define AGENCY_AMILI_TOKEN_PATH     "/authenticates/api-code"
#define AGENCY_AMILI_ORIGIN         "creditor_system"
#define AGENCY_AMILI_DEBT_TEXT      "Fakturor"
#define AGENCY_AMILI_FIRST_ACTION   "reminder"

/* ---- answers ---- */

static void issues_text(const json_t *issues, char *dst, size_t cap)
{
    const char *k;
    json_t *v;
    size_t n = 0;

    dst[0] = '\0';
    json_object_foreach((json_t *)issues, k, v)
    {
        const char *msg = json_is_string(v) ? json_string_value(v) : "invalid";
        int w = snprintf(dst + n, cap - n, "%s%s: %s", n ? "; " : "", k, msg);

        if (w < 0 || (size_t)w >= cap - n) {
            dst[n] = '\0'; /* whole entries only: never a field name cut short */
            break;
        }
        n += (size_t)w;
    }
}

void agency_amili_answer_read(const struct agency_call *call, int64_t now_s,
                              struct agency_amili_answer *out)
{
    const json_t *err;
    int64_t ra;

    memset(out, 0, sizeof(*out));
    out->retry_after_s = -1;
    out->status = call->outcome == AGENCY_T_ANSWERED ? call->status : 0;
    if (call->outcome != AGENCY_T_ANSWERED) {
        out->verdict = AGENCY_AMILI_RETRY;
        snprintf(out->reason, sizeof(out->reason), "%s",
                 call->error[0] ? call->error : "no answer");
        return;
    }
    if (call->response.len)
        out->body = json_loadb(call->response.data, call->response.len, 0, NULL);
    if (call->retry_after[0] && !agency_retry_after_s(call->retry_after, now_s, &ra))
        out->retry_after_s = ra;
    if (json_is_object(out->body)) {
        out->issues = json_object_get(out->body, "_issues");
        if (!json_is_object(out->issues))
            out->issues = NULL;
    }
    if (out->issues && json_object_size(out->issues))
        issues_text(out->issues, out->reason, sizeof(out->reason));
    if (!out->reason[0]) {
        err = json_object_get(json_object_get(out->body, "_error"), "message");
        if (json_is_string(err))
            snprintf(out->reason, sizeof(out->reason), "%s", json_string_value(err));
    }
    if (call->status >= 200 && call->status < 300)
        out->verdict = AGENCY_AMILI_OK;
    else if (call->status == 401)
        out->verdict = AGENCY_AMILI_UNAUTHORIZED;
    else if (call->status == 409)
        out->verdict = AGENCY_AMILI_CONFLICT;
    else if (call->status == 408 || call->status == 429 || call->status >= 500 ||
             call->status < 200)
        out->verdict = AGENCY_AMILI_RETRY;
    else
        out->verdict = AGENCY_AMILI_REFUSED;
    if (!out->reason[0] && out->verdict != AGENCY_AMILI_OK)
        snprintf(out->reason, sizeof(out->reason), "HTTP %d", call->status);
}

void agency_amili_answer_release(struct agency_amili_answer *a)
{
    json_decref(a->body);
    a->body = NULL;
    a->issues = NULL;
}

/* ---- requests ---- */

static enum pm_err dump(json_t *doc, char **body)
{
    *body = doc ? json_dumps(doc, AGENCY_JSON_FLAGS) : NULL;
    json_decref(doc);
    return *body ? PM_OK : PM_ERR_NOMEM;
}

static void set_post(struct agency_call *c, const char *path, const char *body)
{
    c->method = "POST";
    snprintf(c->path, sizeof(c->path), "%s", path);
    c->body = body;
    c->body_len = body ? strlen(body) : 0;
}

static void set_get(struct agency_call *c, const char *path)
{
    c->method = "GET";
    snprintf(c->path, sizeof(c->path), "%s", path);
}

/* GET resource?where=<json>[&sort=...]&max_results=..&page=.. */
static enum pm_err set_list(struct agency_call *c, const char *resource, json_t *where,
                            const char *sort, int page)
{
    char *text = where ? json_dumps(where, JSON_COMPACT) : NULL;
    char escaped[1024];
    enum pm_err rc = PM_ERR_NOMEM;
    int n;

    json_decref(where);
    if (!text)
        return rc;
    rc = agency_url_escape(text, escaped, sizeof(escaped));
    free(text);
    if (rc)
        return rc;
    c->method = "GET";
    n = snprintf(c->path, sizeof(c->path), "%s?where=%s%s%s&max_results=%d&page=%d", resource,
                 escaped, sort ? "&sort=" : "", sort ? sort : "", AGENCY_AMILI_PAGE_SIZE,
                 page < 1 ? 1 : page);
    return n > 0 && (size_t)n < sizeof(c->path) ? PM_OK : PM_ERR_RANGE;
}

void agency_amili_req_token(struct agency_call *c, const char *jwt)
{
    set_get(c, AGENCY_AMILI_TOKEN_PATH);
    snprintf(c->api_key, sizeof(c->api_key), "%s", jwt);
}

void agency_amili_req_agreement(struct agency_call *c)
{
    set_get(c, AGENCY_AMILI_AGREEMENT_PATH);
    c->api_key[0] = '\0';
}

static json_t *address_json(const char *line1, const char *zip, const char *city,
                            const char *country)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "address_line_1", line1, "zip_code", zip, "city", city,
                     "country", country[0] ? country : "SE");
}

enum pm_err agency_amili_req_onboard(struct agency_call *c, const struct company *co, char **body)
{
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:{s:b, s:s, s:s, s:o, s:o, s:{s:{s:s}}}}", "name", co->name,
        "organization_no", co->organization_no, "standard_debt_description", AGENCY_AMILI_DEBT_TEXT,
        "initial_creditor_data", "is_active", 1, "standard_debt_description",
        AGENCY_AMILI_DEBT_TEXT, "default_letter_locale",
        strcmp(co->language, "en") == 0 ? "en" : "sv", "sender_address",
        address_json(co->address_line_1, co->zip_code, co->city, co->country), "invoice_address",
        address_json(co->address_line_1, co->zip_code, co->city, co->country), "payout_details",
        "sek", "bankgiro", co->bankgiro);
    enum pm_err rc = dump(doc, body);

    if (!rc)
        set_post(c, "/accounts", *body);
    return rc;
}

enum pm_err agency_amili_req_find_account(struct agency_call *c, const char *organization_no)
{
    return set_list(c, "/accounts", json_pack("{s:s}", "organization_no", organization_no), NULL,
                    1);
}

enum pm_err agency_amili_req_creditors_of(struct agency_call *c, const char *account_id)
{
    return set_list(c, "/creditors", json_pack("{s:s}", "account", account_id), NULL, 1);
}

void agency_amili_req_register(struct agency_call *c, const char *payload)
{
    set_post(c, "/case--registrations", payload);
}

enum pm_err agency_amili_req_find_case(struct agency_call *c, const char *creditor,
                                       const char *invoice_number)
{
    return set_list(
        c, "/cases",
        json_pack("{s:s, s:s}", "creditor", creditor, "debt.invoice_number", invoice_number), NULL,
        1);
}

void agency_amili_req_get_case(struct agency_call *c, const char *case_id)
{
    char path[128];

    snprintf(path, sizeof(path), "/cases/%s", case_id);
    set_get(c, path);
}

void agency_amili_req_upload(struct agency_call *c, const char *case_id, const unsigned char *pdf,
                             size_t len)
{
    static const struct agency_form_field form[] = {
        {"domain", "cases"},
        {"dotted_path", "original_invoice"},
        {NULL, NULL},
    };

    c->method = "POST";
    snprintf(c->path, sizeof(c->path), "/media--upload/%s", case_id);
    c->file = pdf;
    c->file_len = len;
    c->file_name = "faktura.pdf";
    c->file_type = "application/pdf";
    c->form = form;
}

enum pm_err agency_amili_req_action(struct agency_call *c, enum amili_job kind,
                                    const char *creditor, const char *case_id, const char *payload,
                                    char **body)
{
    json_t *in = json_loads(payload, 0, NULL), *doc = NULL;
    const char *path, *reference;
    json_int_t amount = 0;
    char date_text[AGENCY_RFC1123_LEN];
    int32_t date = 0;
    enum pm_err rc = PM_ERR_INVALID;

    *body = NULL;
    if (!json_is_object(in))
        goto out_free;
    amount = json_integer_value(json_object_get(in, "amount_minor"));
    reference = json_string_value(json_object_get(in, "reference"));
    switch (kind) {
    case AMILI_JOB_REPORT_PAYMENT: {
        const char *d = json_string_value(json_object_get(in, "date"));

        if (amount <= 0 || !d || date_parse_iso(d, &date))
            goto out_free;
        agency_day_rfc1123(date, date_text);
        path = "/creditor--payments";
        doc = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "creditor", creditor, "case",
                        case_id, "currency", "SEK", "amount", agency_money_json(amount),
                        "bank_transaction_date", date_text, "creditor_payment_reference",
                        reference ? reference : "", "origin", AGENCY_AMILI_ORIGIN);
        break;
    }
    case AMILI_JOB_REPORT_CREDITING:
        if (amount <= 0)
            goto out_free;
        path = "/creditor--creditings";
        doc =
            json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "creditor", creditor, "case", case_id,
                      "currency", "SEK", "amount", agency_money_json(amount), "creditor_reference",
                      reference ? reference : "", "origin", AGENCY_AMILI_ORIGIN);
        break;
    case AMILI_JOB_CANCEL:
        path = "/creditor--cancellations";
        doc = json_pack("{s:s, s:s, s:s}", "creditor", creditor, "case", case_id, "origin",
                        AGENCY_AMILI_ORIGIN);
        break;
    default: /* registration and upload have requests of their own */
        goto out_free;
    }
    rc = dump(doc, body);
    if (!rc)
        set_post(c, path, *body);
out_free:
    json_decref(in);
    return rc;
}

enum pm_err agency_amili_req_list_cases(struct agency_call *c, const char *creditor,
                                        int64_t since_s, int page)
{
    char since[AGENCY_RFC1123_LEN];

    agency_date_rfc1123(since_s, since);
    return set_list(c, "/cases",
                    json_pack("{s:s, s:{s:s}}", "creditor", creditor, "_updated", "$gte", since),
                    "-_updated", page);
}

enum pm_err agency_amili_req_list_payouts(struct agency_call *c, const char *creditor, int page)
{
    return set_list(c, "/finance--payouts", json_pack("{s:s}", "creditor", creditor), "_created",
                    page);
}

enum pm_err agency_amili_req_payout_lines(struct agency_call *c, const char *payout_id, int page)
{
    return set_list(c, "/finance--payout-specifications", json_pack("{s:s}", "payout", payout_id),
                    NULL, page);
}

/* ---- bodies built ahead ---- */

static bool blank(const char *s)
{
    while (s && isspace((unsigned char)*s))
        s++;
    return !s || !*s;
}

static bool bankgiro_ok(const char *s)
{
    size_t digits = 0;

    for (; *s; s++) {
        if (isdigit((unsigned char)*s))
            digits++;
        else if (*s != '-')
            return false;
    }
    return digits >= 7 && digits <= 8;
}

size_t agency_amili_company_missing(const struct company *co, struct agency_amili_missing *out,
                                    size_t cap)
{
    static const struct agency_amili_missing all[] = {
        {"missing_organization_no", "company.organization_no",
         "Företaget saknar organisationsnummer i inställningarna.",
         "The company settings have no organisation number."},
        {"missing_address_line_1", "company.address_line_1",
         "Företaget saknar adress i inställningarna.", "The company settings have no address."},
        {"missing_zip_code", "company.zip_code", "Företaget saknar postnummer i inställningarna.",
         "The company settings have no postal code."},
        {"missing_city", "company.city", "Företaget saknar ort i inställningarna.",
         "The company settings have no city."},
        {"missing_bankgiro", "company.bankgiro",
         "Företaget saknar bankgironummer i inställningarna (utbetalningar från Visma Amili "
         "görs till bankgiro).",
         "The company settings have no bankgiro number (Visma Amili pays out to a bankgiro)."},
        {"invalid_bankgiro", "company.bankgiro",
         "Bankgironumret i inställningarna ska ha 7 eller 8 siffror.",
         "The bankgiro number in the settings must have 7 or 8 digits."},
    };
    bool lacks[6] = {
        blank(co->organization_no), blank(co->address_line_1),
        blank(co->zip_code),        blank(co->city),
        blank(co->bankgiro),        !blank(co->bankgiro) && !bankgiro_ok(co->bankgiro),
    };
    size_t n = 0, i;

    for (i = 0; i < 6; i++)
        if (lacks[i] && n < cap)
            out[n++] = all[i];
    return n;
}

static bool e164(const char *s)
{
    size_t n = 0;

    if (!s || *s != '+')
        return false;
    for (s++; *s; s++, n++)
        if (!isdigit((unsigned char)*s))
            return false;
    return n >= 7 && n <= 15;
}

void agency_amili_payload_cache_release(struct agency_amili_payload_cache *c)
{
    free(c->customer);
    c->customer = NULL;
    c->customer_id = 0;
}

/* The customer part of a registration, as JSON text (malloc'ed). */
static char *customer_json(const struct customer *cu)
{
    json_t *customer =
        json_pack("{s:s, s:b, s:o}", "name", cu->name, "is_company", cu->is_company, "address",
                  address_json(cu->address_line_1, cu->zip_code, cu->city, cu->country));
    char *text;

    if (customer && cu->id_number[0])
        json_object_set_new(customer, "id_number", json_string(cu->id_number));
    if (customer && e164(cu->mobile_number))
        json_object_set_new(customer, "mobile_number", json_string(cu->mobile_number));
    if (customer && strchr(cu->email, '@'))
        json_object_set_new(customer, "email", json_string(cu->email));
    text = customer ? json_dumps(customer, JSON_COMPACT) : NULL;
    json_decref(customer);
    return text;
}

/* Written as text (numbers, dates and the agency's hex ids need no
 * escaping; the customer part comes from jansson): a hand-over of 10 000
 * invoices builds 10 000 of these inside one request. */
enum pm_err agency_amili_registration_payload(const struct amili_activation *act,
                                              const struct handover_row *row,
                                              struct agency_amili_payload_cache *cache, char **out)
{
    const struct invoice *inv = &row->inv;
    struct agency_amili_payload_cache local = {0};
    struct agency_amili_payload_cache *c = cache ? cache : &local;
    char date_text[AGENCY_RFC1123_LEN], fee_date[AGENCY_RFC1123_LEN];
    char amount[AGENCY_MONEY_TEXT_MAX], fee_text[AGENCY_MONEY_TEXT_MAX];
    struct buf b = BUF_INIT;
    int64_t fee = row->reminder_fees_minor;
    enum pm_err rc;

    *out = NULL;
    if (!c->customer || c->customer_id != row->cu.id) {
        agency_amili_payload_cache_release(c);
        c->customer = customer_json(&row->cu);
        c->customer_id = row->cu.id;
        if (!c->customer)
            return PM_ERR_NOMEM;
    }
    agency_day_rfc1123(inv->invoice_date, date_text);
    agency_money_text(inv->remaining_minor, amount, sizeof(amount));
    rc = buf_addf(&b,
                  "{\"account\":\"%s\",\"creditor\":\"%s\",\"first_action\":\"%s\","
                  "\"currency\":\"SEK\",\"customer\":%s,\"debts\":[{\"invoice_number\":\"%lld\","
                  "\"debt_description\":\"Faktura %lld\",\"invoice_date\":\"%s\","
                  "\"capital_to_claim\":%s,\"invoice_due_days_after_invoice_date\":%d",
                  act->account_id, act->creditor_id, AGENCY_AMILI_FIRST_ACTION, c->customer,
                  (long long)inv->number, (long long)inv->number, date_text, amount,
                  (int)(inv->due_date - inv->invoice_date));
    if (!rc && fee > 0 && row->last_reminder_date > 0) {
        if (fee > 6000)
            fee = 6000; /* one statutory reminder fee per debt (lag 1981:739) */
        agency_day_rfc1123(row->last_reminder_date, fee_date);
        agency_money_text(fee, fee_text, sizeof(fee_text));
        rc = buf_addf(&b,
                      ",\"fees_already_claimed\":{\"reminder\":{\"amount\":%s,"
                      "\"fee_registration_date\":\"%s\"}}",
                      fee_text, fee_date);
    }
    if (!rc)
        rc = buf_adds(&b, "}]}");
    if (!rc)
        *out = buf_detach(&b, NULL);
    buf_release(&b);
    agency_amili_payload_cache_release(&local);
    return rc;
}

void agency_amili_payload_invoice_number(const char *payload, char *dst, size_t cap)
{
    json_t *doc = json_loads(payload, 0, NULL);
    const char *n = json_string_value(
        json_object_get(json_array_get(json_object_get(doc, "debts"), 0), "invoice_number"));

    snprintf(dst, cap, "%s", n ? n : "");
    json_decref(doc);
}

/* ---- answers ---- */

static const char *str_at(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? s : "";
}

enum pm_err agency_amili_parse_registered(const json_t *body, struct agency_amili_registered *out)
{
    const char *id = json_string_value(json_array_get(json_object_get(body, "_cases"), 0));
    const char *ocr =
        json_string_value(json_array_get(json_object_get(body, "_ocr_numbers_ocr"), 0));

    memset(out, 0, sizeof(*out));
    if (!id || strlen(id) >= sizeof(out->case_id))
        return PM_ERR_INVALID;
    snprintf(out->case_id, sizeof(out->case_id), "%s", id);
    snprintf(out->ocr, sizeof(out->ocr), "%s", ocr ? ocr : "");
    if (agency_date_parse(str_at(body, "_updated"), &out->updated_s))
        out->updated_s = 0;
    return PM_OK;
}

enum pm_err agency_amili_parse_existing(const json_t *body, const char *invoice_number,
                                        char *case_id, size_t cap)
{
    const char *id = json_string_value(
        json_object_get(json_object_get(body, "_existing_cases"), invoice_number));

    if (!id || strlen(id) >= cap)
        return PM_ERR_NOT_FOUND;
    snprintf(case_id, cap, "%s", id);
    return PM_OK;
}

const json_t *agency_amili_first_item(const json_t *body)
{
    return json_array_get(json_object_get(body, "_items"), 0);
}

const json_t *agency_amili_items(const json_t *body, int page, bool *more)
{
    const json_t *items = json_object_get(body, "_items");
    json_int_t total = json_integer_value(json_object_get(json_object_get(body, "_meta"), "total"));

    *more = json_array_size(items) == AGENCY_AMILI_PAGE_SIZE &&
            (json_int_t)page * AGENCY_AMILI_PAGE_SIZE < total;
    return json_is_array(items) ? items : NULL;
}

static int64_t money_at(const json_t *o, const char *k)
{
    int64_t v = 0;

    if (agency_money_parse(json_object_get(o, k), &v))
        return 0;
    return v;
}

enum pm_err agency_amili_case_parse(const json_t *item, struct agency_amili_case_view *out)
{
    const json_t *debt = json_object_get(item, "debt");
    const char *ocr = str_at(item, "ocr");

    memset(out, 0, sizeof(*out));
    if (!json_is_object(item) || !json_is_string(json_object_get(item, "_id")))
        return PM_ERR_INVALID;
    snprintf(out->case_id, sizeof(out->case_id), "%s", str_at(item, "_id"));
    if (!*ocr)
        ocr = str_at(debt, "debt_reference");
    snprintf(out->ocr, sizeof(out->ocr), "%s", ocr);
    snprintf(out->etag, sizeof(out->etag), "%s", str_at(item, "_etag"));
    snprintf(out->invoice_number, sizeof(out->invoice_number), "%s",
             str_at(debt, "invoice_number"));
    snprintf(out->state, sizeof(out->state), "%s", str_at(item, "state"));
    snprintf(out->status, sizeof(out->status), "%s", str_at(item, "status"));
    snprintf(out->original_invoice_url, sizeof(out->original_invoice_url), "%s",
             str_at(item, "original_invoice"));
    out->closed = json_is_true(json_object_get(item, "closed"));
    if (agency_date_parse(str_at(item, "_updated"), &out->updated_s))
        out->updated_s = 0;
    out->capital_minor = money_at(item, "local_added_capital_amount");
    out->costs_minor = money_at(item, "local_added_costs_amount");
    out->interest_minor = money_at(item, "local_added_interest_amount");
    out->received_minor = money_at(item, "local_added_transaction_amount");
    out->remaining_capital_minor = money_at(item, "local_remaining_capital_amount");
    out->remaining_minor = money_at(item, "local_remaining_transaction_amount");
    out->state_history = json_object_get(item, "state_history");
    out->status_history = json_object_get(item, "status_history");
    if (!json_is_array(out->state_history))
        out->state_history = NULL;
    if (!json_is_array(out->status_history))
        out->status_history = NULL;
    return PM_OK;
}

void agency_amili_case_url(const char *base_url, const char *case_id, char *dst, size_t cap)
{
    snprintf(dst, cap, "%s/cases/%s", base_url, case_id);
}
