/*
 * agency_amili_test.c — unit tests for src/agency/agency_amili.c beyond the
 * happy paths of agency_edge_test.c: how answers the product cannot use are
 * read (no body, a body that is not JSON, malformed _issues, unknown
 * statuses, a junk Retry-After), how incomplete cases, registrations and
 * lists are parsed, which request bodies are refused before anything is
 * sent, and which customer contact details reach a registration.  Every
 * figure is written out by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency/agency.h"
#include "agency/agency_amili.h"
#include "core/date.h"

/* ---- answers ---- */

static void answer_of(int status, const char *body, const char *retry_after,
                      struct agency_amili_answer *out)
{
    struct agency_call call;

    memset(&call, 0, sizeof(call));
    call.outcome = AGENCY_T_ANSWERED;
    call.status = status;
    if (body)
        buf_adds(&call.response, body);
    if (retry_after)
        snprintf(call.retry_after, sizeof(call.retry_after), "%s", retry_after);
    agency_amili_answer_read(&call, 0, out);
    agency_call_release(&call);
}

static void test_answer_without_usable_body(void **state)
{
    struct agency_amili_answer a;
    struct agency_call lost;

    (void)state;
    /* No body at all: the status alone is the reason. */
    answer_of(404, NULL, NULL, &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_REFUSED);
    assert_int_equal(a.status, 404);
    assert_null(a.body);
    assert_string_equal(a.reason, "HTTP 404");
    assert_int_equal(a.retry_after_s, -1);
    agency_amili_answer_release(&a);
    /* A proxy's HTML page is no JSON. */
    answer_of(400, "<html><body>Bad Request</body></html>", NULL, &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_REFUSED);
    assert_null(a.body);
    assert_null(a.issues);
    assert_string_equal(a.reason, "HTTP 400");
    agency_amili_answer_release(&a);
    /* A JSON array is a body, but has no _issues or _error. */
    answer_of(403, "[1,2]", NULL, &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_REFUSED);
    assert_null(a.issues);
    assert_string_equal(a.reason, "HTTP 403");
    agency_amili_answer_release(&a);
    /* A success has no reason, even without a body. */
    answer_of(200, NULL, NULL, &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_OK);
    assert_string_equal(a.reason, "");
    agency_amili_answer_release(&a);
    /* No answer, and no transport message either. */
    memset(&lost, 0, sizeof(lost));
    lost.outcome = AGENCY_T_TIMEOUT;
    agency_amili_answer_read(&lost, 0, &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_RETRY);
    assert_string_equal(a.reason, "no answer");
    agency_amili_answer_release(&a);
}

static void test_answer_malformed_issues(void **state)
{
    struct agency_amili_answer a;

    (void)state;
    /* _issues that is not an object is ignored; _error.message is used. */
    answer_of(422, "{\"_issues\":\"everything\",\"_error\":{\"message\":\"validation failed\"}}",
              NULL, &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_REFUSED);
    assert_null(a.issues);
    assert_string_equal(a.reason, "validation failed");
    agency_amili_answer_release(&a);
    /* Empty _issues and a message that is not text: the status. */
    answer_of(422, "{\"_issues\":{},\"_error\":{\"message\":42}}", NULL, &a);
    assert_non_null(a.issues);
    assert_string_equal(a.reason, "HTTP 422");
    agency_amili_answer_release(&a);
    /* An issue whose message is not text is named as invalid. */
    answer_of(422,
              "{\"_issues\":{\"debts[0].invoice_date\":{\"x\":1},\"customer.name\":\"required\"}}",
              NULL, &a);
    assert_string_equal(a.reason, "debts[0].invoice_date: invalid; customer.name: required");
    agency_amili_answer_release(&a);
}

static void test_answer_long_issues_end_whole(void **state)
{
    struct agency_amili_answer a;
    char body[8192], msg[101];
    size_t n = 0, entry = strlen("f00: ") + 100, kept;
    int i;

    (void)state;
    memset(msg, 'x', 100);
    msg[100] = '\0';
    n += (size_t)snprintf(body + n, sizeof(body) - n, "{\"_issues\":{");
    for (i = 0; i < 20; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, "%s\"f%02d\":\"%s\"", i ? "," : "", i,
                              msg);
    snprintf(body + n, sizeof(body) - n, "}}");
    answer_of(422, body, NULL, &a);
    /* 20 entries of 105 characters and "; " between them do not fit in
     * 1000: the text stops after the last whole one (9 entries: 9 * 105 +
     * 8 * 2 = 961; a tenth would need 1068). */
    kept = strlen(a.reason);
    assert_int_equal(kept, 9 * entry + 8 * 2);
    assert_memory_equal(a.reason + kept - 105, "f08: ", 5);
    assert_int_equal(a.reason[kept - 1], 'x');
    agency_amili_answer_release(&a);
}

static void test_answer_statuses(void **state)
{
    static const struct {
        int status;
        enum agency_amili_verdict verdict;
    } cases[] = {
        {100, AGENCY_AMILI_RETRY},   {204, AGENCY_AMILI_OK},           {302, AGENCY_AMILI_REFUSED},
        {400, AGENCY_AMILI_REFUSED}, {401, AGENCY_AMILI_UNAUTHORIZED}, {404, AGENCY_AMILI_REFUSED},
        {408, AGENCY_AMILI_RETRY},   {409, AGENCY_AMILI_CONFLICT},     {412, AGENCY_AMILI_REFUSED},
        {429, AGENCY_AMILI_RETRY},   {500, AGENCY_AMILI_RETRY},        {502, AGENCY_AMILI_RETRY},
        {599, AGENCY_AMILI_RETRY},
    };
    struct agency_amili_answer a;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        answer_of(cases[i].status, NULL, NULL, &a);
        assert_int_equal(a.verdict, cases[i].verdict);
        agency_amili_answer_release(&a);
    }
    /* A Retry-After the client cannot read is no instruction. */
    answer_of(503, NULL, "soon", &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_RETRY);
    assert_int_equal(a.retry_after_s, -1);
    agency_amili_answer_release(&a);
}

/* ---- answers parsed ---- */

static json_t *parsed(const char *text)
{
    json_t *doc = json_loads(text, 0, NULL);

    assert_non_null(doc);
    return doc;
}

static void test_case_parse(void **state)
{
    struct agency_amili_case_view v;
    json_t *doc;

    (void)state;
    doc = parsed("[\"not a case\"]");
    assert_int_equal(agency_amili_case_parse(doc, &v), PM_ERR_INVALID);
    assert_int_equal(agency_amili_case_parse(json_array_get(doc, 0), &v), PM_ERR_INVALID);
    json_decref(doc);
    doc = parsed("{\"_id\":7}");
    assert_int_equal(agency_amili_case_parse(doc, &v), PM_ERR_INVALID);
    json_decref(doc);

    /* A complete case. */
    doc = parsed("{\"_id\":\"6650aa000000000000000001\",\"_etag\":\"e1\","
                 "\"_updated\":\"Mon, 16 Jun 2025 10:00:00 GMT\",\"ocr\":\"20250000000123\","
                 "\"debt\":{\"invoice_number\":\"1042\",\"debt_reference\":\"99\"},"
                 "\"state\":\"collection\",\"status\":\"reminder_sent\",\"closed\":true,"
                 "\"original_invoice\":\"http://a/media/1\","
                 "\"local_added_capital_amount\":1250.0,\"local_added_costs_amount\":60,"
                 "\"local_added_interest_amount\":3.17,\"local_added_transaction_amount\":100.5,"
                 "\"local_remaining_capital_amount\":1149.5,"
                 "\"local_remaining_transaction_amount\":1212.67,"
                 "\"state_history\":[{\"state\":\"collection\"}],\"status_history\":[]}");
    assert_int_equal(agency_amili_case_parse(doc, &v), PM_OK);
    assert_string_equal(v.case_id, "6650aa000000000000000001");
    assert_string_equal(v.ocr, "20250000000123");
    assert_string_equal(v.etag, "e1");
    assert_string_equal(v.invoice_number, "1042");
    assert_string_equal(v.state, "collection");
    assert_string_equal(v.status, "reminder_sent");
    assert_string_equal(v.original_invoice_url, "http://a/media/1");
    assert_true(v.closed);
    assert_int_equal(v.updated_s, 1750068000); /* 2025-06-16 10:00 UTC */
    assert_int_equal(v.capital_minor, 125000);
    assert_int_equal(v.costs_minor, 6000);
    assert_int_equal(v.interest_minor, 317);
    assert_int_equal(v.received_minor, 10050);
    assert_int_equal(v.remaining_capital_minor, 114950);
    assert_int_equal(v.remaining_minor, 121267);
    assert_non_null(v.state_history);
    assert_non_null(v.status_history);
    json_decref(doc);

    /* Without `ocr` the debt reference is the OCR; what cannot be read is
     * zero or absent rather than a guess. */
    doc = parsed("{\"_id\":\"c2\",\"_updated\":\"yesterday\",\"debt\":{\"debt_reference\":\"77\"},"
                 "\"closed\":\"yes\",\"local_added_capital_amount\":\"1250\","
                 "\"local_remaining_transaction_amount\":null,"
                 "\"state_history\":{},\"status_history\":\"none\"}");
    assert_int_equal(agency_amili_case_parse(doc, &v), PM_OK);
    assert_string_equal(v.ocr, "77");
    assert_string_equal(v.etag, "");
    assert_string_equal(v.invoice_number, "");
    assert_false(v.closed);
    assert_int_equal(v.updated_s, 0);
    assert_int_equal(v.capital_minor, 0);
    assert_int_equal(v.remaining_minor, 0);
    assert_null(v.state_history);
    assert_null(v.status_history);
    json_decref(doc);
}

static void test_registered_and_existing(void **state)
{
    struct agency_amili_registered r;
    char id[STORE_AGENCY_ID_MAX + 1], text[256], case_id[16];
    json_t *doc;

    (void)state;
    doc = parsed("{\"_cases\":[\"c1\"],\"_ocr_numbers_ocr\":[\"555\"],"
                 "\"_updated\":\"Mon, 16 Jun 2025 00:00:00 GMT\"}");
    assert_int_equal(agency_amili_parse_registered(doc, &r), PM_OK);
    assert_string_equal(r.case_id, "c1");
    assert_string_equal(r.ocr, "555");
    assert_int_equal(r.updated_s, 1750032000);
    json_decref(doc);
    /* No OCR and an unreadable time: the case is still taken. */
    doc = parsed("{\"_cases\":[\"c1\"],\"_updated\":12}");
    assert_int_equal(agency_amili_parse_registered(doc, &r), PM_OK);
    assert_string_equal(r.ocr, "");
    assert_int_equal(r.updated_s, 0);
    json_decref(doc);
    /* No case id, or one longer than any id of the agency (40 characters
     * do not fit in STORE_AGENCY_ID_MAX = 40 with the NUL). */
    doc = parsed("{\"_cases\":[]}");
    assert_int_equal(agency_amili_parse_registered(doc, &r), PM_ERR_INVALID);
    json_decref(doc);
    memset(id, 'a', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    snprintf(text, sizeof(text), "{\"_cases\":[\"%s\"]}", id);
    doc = parsed(text);
    assert_int_equal(agency_amili_parse_registered(doc, &r), PM_ERR_INVALID);
    json_decref(doc);

    doc = parsed("{\"_existing_cases\":{\"1042\":\"c9\",\"1043\":\"0123456789abcdef0123\"}}");
    assert_int_equal(agency_amili_parse_existing(doc, "1042", case_id, sizeof(case_id)), PM_OK);
    assert_string_equal(case_id, "c9");
    assert_int_equal(agency_amili_parse_existing(doc, "1044", case_id, sizeof(case_id)),
                     PM_ERR_NOT_FOUND);
    /* 20 characters do not fit in 16. */
    assert_int_equal(agency_amili_parse_existing(doc, "1043", case_id, sizeof(case_id)),
                     PM_ERR_NOT_FOUND);
    json_decref(doc);
}

static void test_list_pages(void **state)
{
    char text[4096];
    size_t n = 0;
    bool more = true;
    json_t *doc;
    int i;

    (void)state;
    doc = parsed("{\"_items\":{},\"_meta\":{\"total\":5}}");
    assert_null(agency_amili_items(doc, 1, &more));
    assert_false(more);
    assert_null(agency_amili_first_item(doc));
    json_decref(doc);

    n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"_items\":[");
    for (i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s{\"n\":%d}", i ? "," : "", i);
    snprintf(text + n, sizeof(text) - n, "],\"_meta\":{\"total\":250}}");
    doc = parsed(text);
    /* A full page 1 or 2 of 250: more follow; page 3 of 250 is the last. */
    assert_int_equal(json_array_size(agency_amili_items(doc, 1, &more)), 100);
    assert_true(more);
    agency_amili_items(doc, 2, &more);
    assert_true(more);
    agency_amili_items(doc, 3, &more);
    assert_false(more);
    assert_int_equal(json_integer_value(json_object_get(agency_amili_first_item(doc), "n")), 0);
    json_decref(doc);
    /* A short page is the last, whatever the total says. */
    doc = parsed("{\"_items\":[{\"n\":1}],\"_meta\":{\"total\":900}}");
    agency_amili_items(doc, 1, &more);
    assert_false(more);
    json_decref(doc);
}

/* ---- requests ---- */

static void test_action_refusals(void **state)
{
    struct agency_call c;
    char *body = (char *)"untouched";

    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(
        agency_amili_req_action(&c, AMILI_JOB_REPORT_PAYMENT, "cred", "case1", "not json", &body),
        PM_ERR_INVALID);
    assert_null(body);
    assert_int_equal(agency_amili_req_action(&c, AMILI_JOB_REPORT_PAYMENT, "cred", "case1",
                                             "{\"amount_minor\":100}", &body),
                     PM_ERR_INVALID);
    assert_int_equal(agency_amili_req_action(&c, AMILI_JOB_REPORT_PAYMENT, "cred", "case1",
                                             "{\"amount_minor\":100,\"date\":\"2025-02-30\"}",
                                             &body),
                     PM_ERR_INVALID);
    assert_int_equal(agency_amili_req_action(&c, AMILI_JOB_REPORT_CREDITING, "cred", "case1",
                                             "{\"amount_minor\":-500}", &body),
                     PM_ERR_INVALID);
    assert_null(body);
    /* Nothing was addressed by the refusals. */
    assert_string_equal(c.path, "");
    assert_null(c.method);

    assert_int_equal(agency_amili_req_action(&c, AMILI_JOB_REPORT_CREDITING, "cred", "case1",
                                             "{\"amount_minor\":25000}", &body),
                     PM_OK);
    assert_string_equal(c.method, "POST");
    assert_string_equal(c.path, "/creditor--creditings");
    assert_non_null(strstr(body, "\"amount\":250.0"));
    assert_non_null(strstr(body, "\"creditor_reference\":\"\""));
    assert_int_equal(c.body_len, strlen(body));
    free(body);
}

static void test_request_paths(void **state)
{
    struct agency_call c;
    struct company co;
    char *body = NULL, creditor[1200];
    json_t *doc;
    unsigned char pdf[4] = {'%', 'P', 'D', 'F'};

    (void)state;
    memset(&c, 0, sizeof(c));
    agency_amili_req_token(&c, "header.payload.sig");
    assert_string_equal(c.method, "GET");
    assert_string_equal(c.path, "/authenticates/api-code");
    assert_string_equal(c.api_key, "header.payload.sig");
    /* The agreement is public: no key is sent. */
    agency_amili_req_agreement(&c);
    assert_string_equal(c.path, "/_sandbox/agreement");
    assert_string_equal(c.api_key, "");

    assert_int_equal(agency_amili_req_find_account(&c, "5560360793"), PM_OK);
    assert_string_equal(c.path, "/accounts?where=%7B%22organization_no%22%3A%225560360793%22%7D"
                                "&max_results=100&page=1");
    assert_int_equal(agency_amili_req_creditors_of(&c, "acc1"), PM_OK);
    assert_string_equal(c.path, "/creditors?where=%7B%22account%22%3A%22acc1%22%7D"
                                "&max_results=100&page=1");
    assert_int_equal(agency_amili_req_find_case(&c, "cred", "1042"), PM_OK);
    assert_string_equal(c.path, "/cases?where=%7B%22creditor%22%3A%22cred%22%2C%22debt."
                                "invoice_number%22%3A%221042%22%7D&max_results=100&page=1");
    /* Pages start at 1. */
    assert_int_equal(agency_amili_req_list_payouts(&c, "cred", 0), PM_OK);
    assert_string_equal(c.path, "/finance--payouts?where=%7B%22creditor%22%3A%22cred%22%7D"
                                "&sort=_created&max_results=100&page=1");
    assert_int_equal(agency_amili_req_payout_lines(&c, "p1", 3), PM_OK);
    assert_string_equal(c.path, "/finance--payout-specifications?where=%7B%22payout%22%3A%22p1%22"
                                "%7D&max_results=100&page=3");
    agency_amili_req_get_case(&c, "c7");
    assert_string_equal(c.path, "/cases/c7");
    agency_amili_req_upload(&c, "c7", pdf, sizeof(pdf));
    assert_string_equal(c.method, "POST");
    assert_string_equal(c.path, "/media--upload/c7");
    assert_int_equal(c.file_len, 4);
    assert_string_equal(c.file_type, "application/pdf");
    assert_string_equal(c.form[0].name, "domain");
    assert_string_equal(c.form[1].value, "original_invoice");
    assert_null(c.form[2].name);
    /* A query that does not fit is refused, not cut. */
    memset(creditor, 'c', sizeof(creditor) - 1);
    creditor[sizeof(creditor) - 1] = '\0';
    assert_int_equal(agency_amili_req_find_case(&c, creditor, "1042"), PM_ERR_RANGE);

    /* Onboarding: an English company without a country. */
    memset(&co, 0, sizeof(co));
    snprintf(co.name, sizeof(co.name), "Ström Ltd");
    snprintf(co.organization_no, sizeof(co.organization_no), "5560360793");
    snprintf(co.address_line_1, sizeof(co.address_line_1), "Verkstadsgatan 3");
    snprintf(co.zip_code, sizeof(co.zip_code), "722 13");
    snprintf(co.city, sizeof(co.city), "Västerås");
    snprintf(co.bankgiro, sizeof(co.bankgiro), "5050-1055");
    snprintf(co.language, sizeof(co.language), "en");
    assert_int_equal(agency_amili_req_onboard(&c, &co, &body), PM_OK);
    assert_string_equal(c.path, "/accounts");
    doc = parsed(body);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(doc, "initial_creditor_data"),
                                          "default_letter_locale")),
        "en");
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(doc, "initial_creditor_data"), "sender_address"),
            "country")),
        "SE");
    json_decref(doc);
    free(body);
}

static void test_company_missing_bankgiro(void **state)
{
    struct company co;
    struct agency_amili_missing m[6];

    (void)state;
    memset(&co, 0, sizeof(co));
    snprintf(co.organization_no, sizeof(co.organization_no), "5560360793");
    snprintf(co.address_line_1, sizeof(co.address_line_1), "Storgatan 1");
    snprintf(co.zip_code, sizeof(co.zip_code), "722 13");
    snprintf(co.city, sizeof(co.city), "Västerås");
    snprintf(co.bankgiro, sizeof(co.bankgiro), "505-1055"); /* 7 digits */
    assert_int_equal(agency_amili_company_missing(&co, m, 6), 0);
    snprintf(co.bankgiro, sizeof(co.bankgiro), "5050 1055"); /* a space */
    assert_int_equal(agency_amili_company_missing(&co, m, 6), 1);
    assert_string_equal(m[0].code, "invalid_bankgiro");
    snprintf(co.bankgiro, sizeof(co.bankgiro), "5050-10555"); /* 9 digits */
    assert_int_equal(agency_amili_company_missing(&co, m, 6), 1);
    /* Everything missing, but room for two: the first two. */
    memset(&co, 0, sizeof(co));
    assert_int_equal(agency_amili_company_missing(&co, m, 2), 2);
    assert_string_equal(m[0].code, "missing_organization_no");
    assert_string_equal(m[1].code, "missing_address_line_1");
    assert_int_equal(agency_amili_company_missing(&co, m, 6), 5);
    assert_string_equal(m[4].code, "missing_bankgiro");
}

/* ---- registrations ---- */

static struct handover_row *row_new(void)
{
    struct handover_row *row = calloc(1, sizeof(*row));

    assert_non_null(row);
    row->inv.number = 2001;
    assert_int_equal(date_from_ymd(2025, 4, 1, &row->inv.invoice_date), PM_OK);
    assert_int_equal(date_from_ymd(2025, 4, 11, &row->inv.due_date), PM_OK);
    row->inv.remaining_minor = 50000;
    row->cu.id = 31;
    snprintf(row->cu.name, sizeof(row->cu.name), "Bo Berg");
    snprintf(row->cu.address_line_1, sizeof(row->cu.address_line_1), "Ekbacken 3");
    snprintf(row->cu.zip_code, sizeof(row->cu.zip_code), "722 15");
    snprintf(row->cu.city, sizeof(row->cu.city), "Västerås");
    return row;
}

/* The customer object of payload text (a new reference). */
static json_t *customer_of(const char *payload)
{
    json_t *doc = parsed(payload), *cu = json_incref(json_object_get(doc, "customer"));

    json_decref(doc);
    return cu;
}

static void test_registration_contacts(void **state)
{
    static const struct {
        const char *mobile;
        bool kept;
    } mobiles[] = {
        {"+46701234567", true},       /* 11 digits */
        {"+4670123", true},           /* 7 digits, the least */
        {"+467012", false},           /* 6 */
        {"+4670123456789012", false}, /* 16 */
        {"+46 70 123 45 67", false},  {"0701234567", false}, {"", false},
    };
    struct amili_activation act;
    struct handover_row *row = row_new();
    char *payload = NULL;
    json_t *cu;
    size_t i;

    (void)state;
    memset(&act, 0, sizeof(act));
    snprintf(act.account_id, sizeof(act.account_id), "acc");
    snprintf(act.creditor_id, sizeof(act.creditor_id), "cred");
    snprintf(row->cu.email, sizeof(row->cu.email), "bo.example.se"); /* no '@' */
    for (i = 0; i < sizeof(mobiles) / sizeof(mobiles[0]); i++) {
        snprintf(row->cu.mobile_number, sizeof(row->cu.mobile_number), "%s", mobiles[i].mobile);
        assert_int_equal(agency_amili_registration_payload(&act, row, NULL, &payload), PM_OK);
        cu = customer_of(payload);
        if (mobiles[i].kept)
            assert_string_equal(json_string_value(json_object_get(cu, "mobile_number")),
                                mobiles[i].mobile);
        else
            assert_null(json_object_get(cu, "mobile_number"));
        /* No id number, no e-mail, no country: left out, or Sweden. */
        assert_null(json_object_get(cu, "id_number"));
        assert_null(json_object_get(cu, "email"));
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(cu, "address"), "country")), "SE");
        assert_false(json_is_true(json_object_get(cu, "is_company")));
        json_decref(cu);
        free(payload);
    }
    free(row);
}

static void test_registration_fees_and_cache(void **state)
{
    struct amili_activation act;
    struct agency_amili_payload_cache cache = {0};
    struct handover_row *row = row_new();
    char *payload = NULL, number[16];
    json_t *doc, *debt, *cu;
    const char *first;

    (void)state;
    memset(&act, 0, sizeof(act));
    snprintf(act.account_id, sizeof(act.account_id), "acc");
    snprintf(act.creditor_id, sizeof(act.creditor_id), "cred");
    /* Two reminders of 60 kr and one of 30 kr charged: one statutory fee,
     * 60 kr, goes to the agency. */
    row->reminder_fees_minor = 15000;
    assert_int_equal(date_from_ymd(2025, 5, 2, &row->last_reminder_date), PM_OK);
    assert_int_equal(agency_amili_registration_payload(&act, row, &cache, &payload), PM_OK);
    doc = parsed(payload);
    debt = json_array_get(json_object_get(doc, "debts"), 0);
    assert_non_null(strstr(payload, "\"fees_already_claimed\":{\"reminder\":{\"amount\":60.00,"));
    assert_int_equal(
        json_integer_value(json_object_get(debt, "invoice_due_days_after_invoice_date")), 10);
    assert_non_null(strstr(payload, "\"capital_to_claim\":500.00,"));
    json_decref(doc);
    free(payload);
    first = cache.customer;
    assert_non_null(first);
    assert_int_equal(cache.customer_id, 31);

    /* Fees without a reminder date are not claimed; the same customer's
     * part is reused from the cache. */
    row->last_reminder_date = 0;
    row->inv.number = 2002;
    assert_int_equal(agency_amili_registration_payload(&act, row, &cache, &payload), PM_OK);
    assert_null(strstr(payload, "fees_already_claimed"));
    assert_ptr_equal(cache.customer, first);
    agency_amili_payload_invoice_number(payload, number, sizeof(number));
    assert_string_equal(number, "2002");
    free(payload);

    /* Another customer: the cache follows it. */
    row->cu.id = 32;
    row->cu.is_company = true;
    snprintf(row->cu.name, sizeof(row->cu.name), "Berg Bygg AB");
    snprintf(row->cu.id_number, sizeof(row->cu.id_number), "5560360793");
    snprintf(row->cu.email, sizeof(row->cu.email), "info@bergbygg.se");
    assert_int_equal(agency_amili_registration_payload(&act, row, &cache, &payload), PM_OK);
    assert_int_equal(cache.customer_id, 32);
    cu = customer_of(payload);
    assert_string_equal(json_string_value(json_object_get(cu, "name")), "Berg Bygg AB");
    assert_true(json_is_true(json_object_get(cu, "is_company")));
    assert_string_equal(json_string_value(json_object_get(cu, "id_number")), "5560360793");
    assert_string_equal(json_string_value(json_object_get(cu, "email")), "info@bergbygg.se");
    json_decref(cu);
    free(payload);
    agency_amili_payload_cache_release(&cache);
    assert_null(cache.customer);
    assert_int_equal(cache.customer_id, 0);

    /* A payload without an invoice number names none. */
    agency_amili_payload_invoice_number("{\"debts\":[]}", number, sizeof(number));
    assert_string_equal(number, "");
    agency_amili_payload_invoice_number("garbage", number, sizeof(number));
    assert_string_equal(number, "");
    free(row);
}

static void test_case_url(void **state)
{
    char url[64];

    (void)state;
    agency_amili_case_url("https://api.amili.se", "c7", url, sizeof(url));
    assert_string_equal(url, "https://api.amili.se/cases/c7");
}

/* What the agency may list that is not a case: refused; a case whose
 * histories are not lists reads without them; a page without _items is
 * no page; an action's payload that is not an object is refused. */
static void test_not_cases(void **state)
{
    static const char *const bad[] = {"\"case-1\"", "{}", "{\"_id\":5}", "[{\"_id\":\"c\"}]"};
    struct agency_amili_case_view v;
    struct agency_call c;
    json_t *item, *body;
    char *out = (char *)"untouched";
    bool more = true;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        item = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        assert_non_null(item);
        assert_int_equal(agency_amili_case_parse(item, &v), PM_ERR_INVALID);
        json_decref(item);
    }
    item = json_loads("{\"_id\":\"c-1\",\"closed\":true,\"state_history\":\"none\","
                      "\"status_history\":{},\"_updated\":\"yesterday\"}",
                      0, NULL);
    assert_int_equal(agency_amili_case_parse(item, &v), PM_OK);
    assert_string_equal(v.case_id, "c-1");
    assert_true(v.closed);
    assert_null(v.state_history);
    assert_null(v.status_history);
    assert_int_equal(v.updated_s, 0);
    json_decref(item);

    body = json_loads("{\"_meta\":{\"total\":3}}", 0, NULL);
    assert_null(agency_amili_items(body, 1, &more));
    assert_false(more);
    json_decref(body);
    body = json_loads("{\"_items\":{\"a\":1}}", 0, NULL);
    assert_null(agency_amili_items(body, 1, &more));
    json_decref(body);

    memset(&c, 0, sizeof(c));
    assert_int_equal(agency_amili_req_action(&c, AMILI_JOB_CANCEL, "cred", "case1", "[1]", &out),
                     PM_ERR_INVALID);
    assert_null(out);
    assert_string_equal(c.path, "");
    assert_int_equal(
        agency_amili_req_action(&c, AMILI_JOB_UPLOAD_INVOICE, "cred", "case1", "{}", &out),
        PM_ERR_INVALID);
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_without_usable_body),
        cmocka_unit_test(test_answer_malformed_issues),
        cmocka_unit_test(test_answer_long_issues_end_whole),
        cmocka_unit_test(test_answer_statuses),
        cmocka_unit_test(test_case_parse),
        cmocka_unit_test(test_registered_and_existing),
        cmocka_unit_test(test_list_pages),
        cmocka_unit_test(test_action_refusals),
        cmocka_unit_test(test_request_paths),
        cmocka_unit_test(test_company_missing_bankgiro),
        cmocka_unit_test(test_registration_contacts),
        cmocka_unit_test(test_registration_fees_and_cache),
        cmocka_unit_test(test_case_url),
        cmocka_unit_test(test_not_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
