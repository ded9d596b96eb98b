/*
 * agency_edge_test.c — unit tests for the agency client's pure pieces:
 * src/agency/agency_edge.c (öre <-> SEK decimals, RFC 1123 dates, URL
 * escaping, backoff with jitter, Retry-After), the answer classification
 * and the bodies of src/agency/agency_amili.c, and sealing secrets
 * (src/agency/agency_vault.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "agency/agency.h"
#include "agency/agency_amili.h"
#include "agency/agency_edge.h"
#include "core/date.h"
#include "core/money.h"
#include "util/secret.h"

/* ---- money ---- */

static char *dump_amount(int64_t ore)
{
    json_t *doc = json_pack("{s:o}", "a", agency_money_json(ore));
    char *text = json_dumps(doc, AGENCY_JSON_FLAGS);

    json_decref(doc);
    return text;
}

static void test_money_out_is_exact_decimal(void **state)
{
    static const struct {
        int64_t ore;
        const char *json;
    } cases[] = {
        {25000, "{\"a\":250.0}"},
        {123456, "{\"a\":1234.56}"},
        {10, "{\"a\":0.1}"},
        {1, "{\"a\":0.01}"},
        {-5050, "{\"a\":-50.5}"},
        {99999999999999, "{\"a\":999999999999.99}"},
        {MONEY_MAX - 1, "{\"a\":9999999999999.99}"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = dump_amount(cases[i].ore);

        assert_string_equal(text, cases[i].json);
        free(text);
    }
}

static void test_money_text(void **state)
{
    char t[AGENCY_MONEY_TEXT_MAX];

    (void)state;
    agency_money_text(125000, t, sizeof(t));
    assert_string_equal(t, "1250.00");
    agency_money_text(5, t, sizeof(t));
    assert_string_equal(t, "0.05");
    agency_money_text(-5050, t, sizeof(t));
    assert_string_equal(t, "-50.50");
    agency_money_text(MONEY_MAX, t, sizeof(t));
    assert_string_equal(t, "10000000000000.00");
}

static void test_money_round_trip(void **state)
{
    int64_t ore, back;

    (void)state;
    /* Every amount survives öre -> JSON text -> jansson -> öre. */
    for (ore = -100000; ore <= 100000; ore += 7) {
        char *text = dump_amount(ore);
        json_t *doc = json_loads(text, 0, NULL);

        assert_int_equal(agency_money_parse(json_object_get(doc, "a"), &back), PM_OK);
        assert_int_equal(back, ore);
        json_decref(doc);
        free(text);
    }
}

static void test_money_in_rounds_half_away_from_zero(void **state)
{
    int64_t ore = 0;

    (void)state;
    assert_int_equal(agency_money_parse_text("1234.56", &ore), PM_OK);
    assert_int_equal(ore, 123456);
    assert_int_equal(agency_money_parse_text("250", &ore), PM_OK);
    assert_int_equal(ore, 25000);
    assert_int_equal(agency_money_parse_text("1.005", &ore), PM_OK);
    assert_int_equal(ore, 101);
    assert_int_equal(agency_money_parse_text("1.00499", &ore), PM_OK);
    assert_int_equal(ore, 100);
    assert_int_equal(agency_money_parse_text("-1.005", &ore), PM_OK);
    assert_int_equal(ore, -101);
    assert_int_equal(agency_money_parse_text("1e3", &ore), PM_OK);
    assert_int_equal(ore, 100000);
    assert_int_equal(agency_money_parse_text("5e-3", &ore), PM_OK);
    assert_int_equal(ore, 1);
    assert_int_equal(agency_money_parse_text("1e-05", &ore), PM_OK);
    assert_int_equal(ore, 0);
    assert_int_equal(agency_money_parse_text("0.1", &ore), PM_OK);
    assert_int_equal(ore, 10);
    /* 1.005 as a double is 1.00499999...: parsed through its 15-digit text
     * it is still the agency's 1.005. */
    {
        json_t *v = json_real(1.005);

        assert_int_equal(agency_money_parse(v, &ore), PM_OK);
        assert_int_equal(ore, 101);
        json_decref(v);
    }
}

static void test_money_in_refuses_junk(void **state)
{
    int64_t ore = 42;
    json_t *s = json_string("12.50");

    (void)state;
    assert_int_equal(agency_money_parse_text("", &ore), PM_ERR_INVALID);
    assert_int_equal(agency_money_parse_text("12,50", &ore), PM_ERR_INVALID);
    assert_int_equal(agency_money_parse_text("1.2.3", &ore), PM_ERR_INVALID);
    assert_int_equal(agency_money_parse_text("abc", &ore), PM_ERR_INVALID);
    assert_int_equal(agency_money_parse_text("1e", &ore), PM_ERR_INVALID);
    assert_int_equal(agency_money_parse_text("1e300", &ore), PM_ERR_RANGE);
    assert_int_equal(agency_money_parse_text("100000000000000", &ore), PM_ERR_RANGE);
    assert_int_equal(agency_money_parse(s, &ore), PM_ERR_INVALID);
    assert_int_equal(ore, 42);
    json_decref(s);
}

/* ---- dates ---- */

static void test_rfc1123_format(void **state)
{
    char text[AGENCY_RFC1123_LEN];
    int32_t day = 0;

    (void)state;
    assert_int_equal(date_from_ymd(2025, 6, 16, &day), PM_OK);
    agency_day_rfc1123(day, text);
    assert_string_equal(text, "Mon, 16 Jun 2025 00:00:00 GMT");
    agency_date_rfc1123((int64_t)day * 86400 + 13 * 3600 + 5 * 60 + 9, text);
    assert_string_equal(text, "Mon, 16 Jun 2025 13:05:09 GMT");
    agency_date_rfc1123(0, text);
    assert_string_equal(text, "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_int_equal(date_from_ymd(2024, 2, 29, &day), PM_OK);
    agency_day_rfc1123(day, text);
    assert_string_equal(text, "Thu, 29 Feb 2024 00:00:00 GMT");
}

static void test_dates_parse(void **state)
{
    int64_t t = 0, want;
    int32_t day = 0;

    (void)state;
    assert_int_equal(date_from_ymd(2025, 6, 16, &day), PM_OK);
    want = (int64_t)day * 86400;
    assert_int_equal(agency_date_parse("Mon, 16 Jun 2025 00:00:00 GMT", &t), PM_OK);
    assert_int_equal(t, want);
    assert_int_equal(agency_date_parse("2025-06-16", &t), PM_OK);
    assert_int_equal(t, want);
    assert_int_equal(agency_date_parse("2025-06-16T10:00:00Z", &t), PM_OK);
    assert_int_equal(t, want + 36000);
    assert_int_equal(agency_date_parse("2025-06-16T12:00:00+02:00", &t), PM_OK);
    assert_int_equal(t, want + 36000);
    assert_int_equal(agency_date_parse("2025-06-16T10:00:00.123456Z", &t), PM_OK);
    assert_int_equal(t, want + 36000);
    /* round trip */
    {
        char text[AGENCY_RFC1123_LEN];

        agency_date_rfc1123(want + 86399, text);
        assert_int_equal(agency_date_parse(text, &t), PM_OK);
        assert_int_equal(t, want + 86399);
    }
}

static void test_dates_refuse_junk(void **state)
{
    int64_t t = 7;

    (void)state;
    assert_int_equal(agency_date_parse("", &t), PM_ERR_INVALID);
    assert_int_equal(agency_date_parse("Mon, 31 Jun 2025 00:00:00 GMT", &t), PM_ERR_INVALID);
    assert_int_equal(agency_date_parse("Mon, 16 Jun 2025 00:00:00 UTC", &t), PM_ERR_INVALID);
    assert_int_equal(agency_date_parse("Mon, 16 Foo 2025 00:00:00 GMT", &t), PM_ERR_INVALID);
    assert_int_equal(agency_date_parse("2025-06-16T25:00:00Z", &t), PM_ERR_INVALID);
    assert_int_equal(agency_date_parse("2025-06-16T10:00:00", &t), PM_ERR_INVALID);
    assert_int_equal(agency_date_parse("2025-06-16 junk", &t), PM_ERR_INVALID);
    assert_int_equal(t, 7);
}

/* ---- retries ---- */

static void test_backoff_bounds(void **state)
{
    uint64_t rng = 12345;
    int attempt, i;

    (void)state;
    for (attempt = 1; attempt <= 12; attempt++) {
        int64_t d = 500;
        int k;

        for (k = 1; k < attempt && d < 30000; k++)
            d *= 2;
        if (d > 30000)
            d = 30000;
        for (i = 0; i < 1000; i++) {
            int64_t v = agency_backoff_ms(attempt, 500, 30000, agency_random_next(&rng));

            assert_true(v >= d / 2);
            assert_true(v <= d);
        }
    }
    /* The extremes of the jitter. */
    assert_int_equal(agency_backoff_ms(1, 500, 30000, 0), 250);
    assert_int_equal(agency_backoff_ms(1, 500, 30000, 250), 500);
    assert_int_equal(agency_backoff_ms(3, 500, 30000, 0), 1000);
    assert_int_equal(agency_backoff_ms(30, 500, 30000, 0), 15000);
    assert_int_equal(agency_backoff_ms(0, 500, 30000, 0), 250);
}

static void test_backoff_jitter_spreads(void **state)
{
    uint64_t rng = 99;
    int64_t lo = INT64_MAX, hi = 0;
    int i;

    (void)state;
    for (i = 0; i < 2000; i++) {
        int64_t v = agency_backoff_ms(4, 500, 30000, agency_random_next(&rng));

        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    /* [2000, 4000]: the spread covers most of the interval. */
    assert_true(lo < 2200);
    assert_true(hi > 3800);
}

static void test_retry_after(void **state)
{
    int64_t s = -1, now = 0;
    int32_t day = 0;

    (void)state;
    assert_int_equal(agency_retry_after_s("120", 0, &s), PM_OK);
    assert_int_equal(s, 120);
    assert_int_equal(agency_retry_after_s(" 1 ", 0, &s), PM_OK);
    assert_int_equal(s, 1);
    assert_int_equal(date_from_ymd(2025, 6, 16, &day), PM_OK);
    now = (int64_t)day * 86400;
    assert_int_equal(agency_retry_after_s("Mon, 16 Jun 2025 00:01:30 GMT", now, &s), PM_OK);
    assert_int_equal(s, 90);
    assert_int_equal(agency_retry_after_s("Sun, 15 Jun 2025 00:00:00 GMT", now, &s), PM_OK);
    assert_int_equal(s, 0);
    s = -1;
    assert_int_equal(agency_retry_after_s("soon", now, &s), PM_ERR_INVALID);
    assert_int_equal(agency_retry_after_s("-5", now, &s), PM_ERR_INVALID);
    assert_int_equal(agency_retry_after_s("1.5", now, &s), PM_ERR_INVALID);
    assert_int_equal(agency_retry_after_s("", now, &s), PM_ERR_INVALID);
    assert_int_equal(s, -1);
}

static void test_url_escape(void **state)
{
    char out[64];

    (void)state;
    assert_int_equal(agency_url_escape("{\"a\":\"b c\"}", out, sizeof(out)), PM_OK);
    assert_string_equal(out, "%7B%22a%22%3A%22b%20c%22%7D");
    assert_int_equal(agency_url_escape("Az09-._~", out, sizeof(out)), PM_OK);
    assert_string_equal(out, "Az09-._~");
    assert_int_equal(agency_url_escape("åäö", out, 4), PM_ERR_RANGE);
}

/* What the agency may send that the sandbox never does: a sign, an
 * exponent with its own sign, too many digits, a bare sign. */
static void test_money_in_edges(void **state)
{
    char many[80];
    int64_t ore = 42;
    json_t *big = json_integer((json_int_t)MONEY_MAX), *neg = json_integer(-(json_int_t)MONEY_MAX);
    json_t *whole = json_integer(-12);

    (void)state;
    assert_int_equal(agency_money_parse_text(NULL, &ore), PM_ERR_INVALID);
    assert_int_equal(agency_money_parse_text("-", &ore), PM_ERR_INVALID);
    assert_int_equal(agency_money_parse_text("1e+", &ore), PM_ERR_INVALID);
    assert_int_equal(agency_money_parse_text("1e401", &ore), PM_ERR_RANGE);
    memset(many, '1', 70);
    many[70] = '\0';
    assert_int_equal(agency_money_parse_text(many, &ore), PM_ERR_RANGE);
    assert_int_equal(ore, 42);
    assert_int_equal(agency_money_parse_text("+12.50", &ore), PM_OK);
    assert_int_equal(ore, 1250);
    assert_int_equal(agency_money_parse_text("1E+2", &ore), PM_OK);
    assert_int_equal(ore, 10000);
    assert_int_equal(agency_money_parse_text("-2.5E-1", &ore), PM_OK);
    assert_int_equal(ore, -25);
    assert_int_equal(agency_money_parse_text(".5", &ore), PM_OK);
    assert_int_equal(ore, 50);
    /* whole kronor as a JSON integer, within the amounts the books hold */
    assert_int_equal(agency_money_parse(whole, &ore), PM_OK);
    assert_int_equal(ore, -1200);
    ore = 42;
    assert_int_equal(agency_money_parse(big, &ore), PM_ERR_RANGE);
    assert_int_equal(agency_money_parse(neg, &ore), PM_ERR_RANGE);
    assert_int_equal(ore, 42);
    json_decref(big);
    json_decref(neg);
    json_decref(whole);
}

/* Before 1970 the day still starts at midnight (floor, not truncation). */
static void test_rfc1123_before_1970(void **state)
{
    char text[AGENCY_RFC1123_LEN];
    int64_t t = 0;

    (void)state;
    agency_date_rfc1123(-1, text);
    assert_string_equal(text, "Wed, 31 Dec 1969 23:59:59 GMT");
    assert_int_equal(agency_date_parse(text, &t), PM_OK);
    assert_int_equal(t, -1);
    agency_date_rfc1123(-86400, text);
    assert_string_equal(text, "Wed, 31 Dec 1969 00:00:00 GMT");
}

/* Every part of an HTTP date missing or out of range is refused; a leap
 * second is read as the second before it. */
static void test_rfc1123_refuses_each_part(void **state)
{
    static const char *const bad[] = {
        "Mon 16 Jun 2025 00:00:00 GMT",   "Mon, 6 Jun 2025 00:00:00 GMT",
        "Mon, 16Jun 2025 00:00:00 GMT",   "Mon, 16 Jun 25 00:00:00 GMT",
        "Mon, 16 Jun 2025T00:00:00 GMT",  "Mon, 16 Jun 2025 0:00:00 GMT",
        "Mon, 16 Jun 2025 00.00:00 GMT",  "Mon, 16 Jun 2025 00:0:00 GMT",
        "Mon, 16 Jun 2025 00:00-00 GMT",  "Mon, 16 Jun 2025 00:00:0 GMT",
        "Mon, 16 Jun 2025 00:00:00",      "Mon, 16 Jun 2025 00:00:00 GMT ",
        "Mon, 16 Jun 2025 24:00:00 GMT",  "Mon, 16 Jun 2025 00:60:00 GMT",
        "Mon, 16 Jun 2025 00:00:61 GMT",  "Xyz, 16 Jun 2025 00:00:00 GMT",
        "Mon, 16 Jun 2025 00:00:00 GMTX",
    };
    int64_t t = 7, want;
    int32_t day = 0;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (agency_date_parse(bad[i], &t) != PM_ERR_INVALID)
            fail_msg("accepted: %s", bad[i]);
    }
    assert_int_equal(agency_date_parse(NULL, &t), PM_ERR_INVALID);
    assert_int_equal(t, 7);
    assert_int_equal(date_from_ymd(2016, 12, 31, &day), PM_OK);
    want = (int64_t)day * 86400 + 86399;
    assert_int_equal(agency_date_parse("Sat, 31 Dec 2016 23:59:60 GMT", &t), PM_OK);
    assert_int_equal(t, want);
}

static void test_retry_after_edges(void **state)
{
    int64_t s = -1;

    (void)state;
    assert_int_equal(agency_retry_after_s(NULL, 0, &s), PM_ERR_INVALID);
    assert_int_equal(agency_retry_after_s("31536001", 0, &s), PM_ERR_RANGE);
    assert_int_equal(agency_retry_after_s("99999999999999999999", 0, &s), PM_ERR_RANGE);
    assert_int_equal(agency_retry_after_s("12 s", 0, &s), PM_ERR_INVALID);
    assert_int_equal(agency_retry_after_s("Mon, 16 Jun 2025 00:01:30 GMT x", 0, &s),
                     PM_ERR_INVALID);
    assert_int_equal(s, -1);
    assert_int_equal(agency_retry_after_s("31536000", 0, &s), PM_OK);
    assert_int_equal(s, 31536000);
}

static void test_url_escape_fits_exactly(void **state)
{
    char out[8];

    (void)state;
    /* seven characters and the terminator */
    assert_int_equal(agency_url_escape("abcdefg", out, sizeof(out)), PM_OK);
    assert_string_equal(out, "abcdefg");
    assert_int_equal(agency_url_escape("abcdefgh", out, sizeof(out)), PM_ERR_RANGE);
    assert_int_equal(agency_url_escape("abcde ", out, sizeof(out)), PM_ERR_RANGE);
    assert_int_equal(agency_url_escape("abcd ", out, sizeof(out)), PM_OK);
    assert_string_equal(out, "abcd%20");
}

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

static void test_answer_classification(void **state)
{
    struct agency_amili_answer a;
    struct agency_call lost;

    (void)state;
    answer_of(201, "{\"_status\":\"OK\"}", NULL, &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_OK);
    agency_amili_answer_release(&a);
    answer_of(503, "{\"_status\":\"ERR\",\"_error\":{\"code\":503,\"message\":\"down\"}}", "2", &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_RETRY);
    assert_int_equal(a.retry_after_s, 2);
    assert_string_equal(a.reason, "down");
    agency_amili_answer_release(&a);
    answer_of(429, NULL, "1", &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_RETRY);
    assert_int_equal(a.retry_after_s, 1);
    agency_amili_answer_release(&a);
    answer_of(401, NULL, NULL, &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_UNAUTHORIZED);
    agency_amili_answer_release(&a);
    answer_of(409, "{\"_existing_cases\":{\"1001\":\"abc\"}}", NULL, &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_CONFLICT);
    agency_amili_answer_release(&a);
    answer_of(
        422,
        "{\"_status\":\"ERR\",\"_error\":{\"code\":422,\"message\":\"validation failed\"},"
        "\"_issues\":{\"customer.address.zip_code\":\"required\",\"debts[0].capital_to_claim\":"
        "\"must be positive\"}}",
        NULL, &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_REFUSED);
    assert_string_equal(a.reason, "customer.address.zip_code: required; debts[0].capital_to_claim: "
                                  "must be positive");
    assert_non_null(a.issues);
    agency_amili_answer_release(&a);

    memset(&lost, 0, sizeof(lost));
    lost.outcome = AGENCY_T_LOST;
    snprintf(lost.error, sizeof(lost.error), "Empty reply from server");
    agency_amili_answer_read(&lost, 0, &a);
    assert_int_equal(a.verdict, AGENCY_AMILI_RETRY);
    assert_int_equal(a.status, 0);
    agency_amili_answer_release(&a);
}

/* ---- bodies ---- */

static void test_registration_payload(void **state)
{
    struct amili_activation act;
    struct handover_row *row = calloc(1, sizeof(*row));
    char *payload = NULL, number[32];
    json_t *doc, *debt, *cu;

    (void)state;
    assert_non_null(row);
    memset(&act, 0, sizeof(act));
    snprintf(act.account_id, sizeof(act.account_id), "aaaaaaaaaaaaaaaaaaaaaaaa");
    snprintf(act.creditor_id, sizeof(act.creditor_id), "cccccccccccccccccccccccc");
    row->inv.number = 1042;
    assert_int_equal(date_from_ymd(2025, 4, 1, &row->inv.invoice_date), PM_OK);
    assert_int_equal(date_from_ymd(2025, 5, 1, &row->inv.due_date), PM_OK);
    row->inv.remaining_minor = 875050; /* ROT: the customer's unpaid part */
    snprintf(row->cu.name, sizeof(row->cu.name), "Åsa Öberg");
    snprintf(row->cu.id_number, sizeof(row->cu.id_number), "198112189876");
    snprintf(row->cu.address_line_1, sizeof(row->cu.address_line_1), "Ekbacken 3");
    snprintf(row->cu.zip_code, sizeof(row->cu.zip_code), "722 15");
    snprintf(row->cu.city, sizeof(row->cu.city), "Västerås");
    snprintf(row->cu.country, sizeof(row->cu.country), "SE");
    snprintf(row->cu.mobile_number, sizeof(row->cu.mobile_number), "070-123 45 67");
    snprintf(row->cu.email, sizeof(row->cu.email), "asa@example.se");
    row->reminder_fees_minor = 6000;
    assert_int_equal(date_from_ymd(2025, 5, 10, &row->last_reminder_date), PM_OK);

    assert_int_equal(agency_amili_registration_payload(&act, row, NULL, &payload), PM_OK);
    assert_non_null(strstr(payload, "\"capital_to_claim\":8750.50,"));
    assert_non_null(strstr(payload, "\"amount\":60.00,"));
    doc = json_loads(payload, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "currency")), "SEK");
    assert_string_equal(json_string_value(json_object_get(doc, "first_action")), "reminder");
    debt = json_array_get(json_object_get(doc, "debts"), 0);
    assert_string_equal(json_string_value(json_object_get(debt, "invoice_number")), "1042");
    assert_string_equal(json_string_value(json_object_get(debt, "invoice_date")),
                        "Tue, 01 Apr 2025 00:00:00 GMT");
    assert_int_equal(
        json_integer_value(json_object_get(debt, "invoice_due_days_after_invoice_date")), 30);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(debt, "fees_already_claimed"), "reminder"),
            "fee_registration_date")),
        "Sat, 10 May 2025 00:00:00 GMT");
    cu = json_object_get(doc, "customer");
    assert_string_equal(json_string_value(json_object_get(cu, "name")), "Åsa Öberg");
    assert_string_equal(json_string_value(json_object_get(cu, "id_number")), "198112189876");
    /* Not E.164: left out rather than refused by the agency. */
    assert_null(json_object_get(cu, "mobile_number"));
    assert_string_equal(json_string_value(json_object_get(cu, "email")), "asa@example.se");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(cu, "address"), "zip_code")), "722 15");
    agency_amili_payload_invoice_number(payload, number, sizeof(number));
    assert_string_equal(number, "1042");
    json_decref(doc);
    free(payload);
    free(row);
}

static void test_company_missing(void **state)
{
    struct company co;
    struct agency_amili_missing m[8];
    size_t n;

    (void)state;
    memset(&co, 0, sizeof(co));
    snprintf(co.organization_no, sizeof(co.organization_no), "5560360793");
    snprintf(co.address_line_1, sizeof(co.address_line_1), "Storgatan 1");
    snprintf(co.zip_code, sizeof(co.zip_code), "722 13");
    snprintf(co.city, sizeof(co.city), "Västerås");
    snprintf(co.bankgiro, sizeof(co.bankgiro), "5050-1055");
    assert_int_equal(agency_amili_company_missing(&co, m, 8), 0);
    co.city[0] = '\0';
    snprintf(co.bankgiro, sizeof(co.bankgiro), "123");
    n = agency_amili_company_missing(&co, m, 8);
    assert_int_equal(n, 2);
    assert_string_equal(m[0].field, "company.city");
    assert_string_equal(m[1].code, "invalid_bankgiro");
    co.bankgiro[0] = '\0';
    snprintf(co.address_line_1, sizeof(co.address_line_1), "  ");
    n = agency_amili_company_missing(&co, m, 8);
    assert_int_equal(n, 3);
    assert_string_equal(m[0].code, "missing_address_line_1");
    assert_string_equal(m[2].code, "missing_bankgiro");
}

static void test_action_bodies(void **state)
{
    struct agency_call c;
    char *body = NULL;

    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(agency_amili_req_action(&c, AMILI_JOB_REPORT_PAYMENT, "cred", "case1",
                                             "{\"amount_minor\":10050,\"date\":\"2025-06-20\","
                                             "\"reference\":\"Swish\"}",
                                             &body),
                     PM_OK);
    assert_string_equal(c.path, "/creditor--payments");
    assert_non_null(strstr(body, "\"amount\":100.5"));
    assert_non_null(strstr(body, "\"bank_transaction_date\":\"Fri, 20 Jun 2025 00:00:00 GMT\""));
    assert_non_null(strstr(body, "\"origin\":\"creditor_system\""));
    free(body);
    assert_int_equal(agency_amili_req_action(&c, AMILI_JOB_REPORT_PAYMENT, "cred", "case1",
                                             "{\"amount_minor\":0,\"date\":\"2025-06-20\"}", &body),
                     PM_ERR_INVALID);
    assert_int_equal(agency_amili_req_action(&c, AMILI_JOB_CANCEL, "cred", "case1", "{}", &body),
                     PM_OK);
    assert_string_equal(c.path, "/creditor--cancellations");
    free(body);
    /* Kinds that are not creditor actions have no action request. */
    assert_int_equal(agency_amili_req_action(&c, AMILI_JOB_REGISTER, "cred", "case1", "{}", &body),
                     PM_ERR_INVALID);
    assert_int_equal(
        agency_amili_req_action(&c, AMILI_JOB_UPLOAD_INVOICE, "cred", "case1", "{}", &body),
        PM_ERR_INVALID);
    assert_int_equal(agency_amili_req_action(&c, (enum amili_job)99, "cred", "case1", "{}", &body),
                     PM_ERR_INVALID);
}

static void test_list_cases_query(void **state)
{
    struct agency_call c;
    int32_t day = 0;

    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(date_from_ymd(2025, 6, 16, &day), PM_OK);
    assert_int_equal(agency_amili_req_list_cases(&c, "cred", (int64_t)day * 86400, 2), PM_OK);
    assert_string_equal(c.path, "/cases?where=%7B%22creditor%22%3A%22cred%22%2C%22_updated%22%3A%7B"
                                "%22%24gte%22%3A%22Mon%2C%2016%20Jun%202025%2000%3A00%3A00%20GMT%22"
                                "%7D%7D&sort=-_updated&max_results=100&page=2");
}

/* ---- secrets ---- */

static void test_vault_seal_open(void **state)
{
    unsigned char key[AGENCY_SECRET_KEY_BYTES], other[AGENCY_SECRET_KEY_BYTES];
    unsigned char sealed[128];
    char opened[64];
    size_t len = 0, olen = 0;
    const char *secret = "token-0123456789";

    (void)state;
    memset(key, 7, sizeof(key));
    memset(other, 8, sizeof(other));
    assert_int_equal(agency_vault_seal(key, secret, strlen(secret), sealed, sizeof(sealed), &len),
                     PM_OK);
    assert_int_equal(len, strlen(secret) + AGENCY_SEAL_OVERHEAD);
    for (size_t i = 0; i + strlen(secret) <= len; i++)
        assert_true(memcmp(sealed + i, secret, strlen(secret)) != 0);
    assert_int_equal(agency_vault_open(key, sealed, len, opened, sizeof(opened), &olen), PM_OK);
    assert_int_equal(olen, strlen(secret));
    assert_memory_equal(opened, secret, olen);
    assert_int_equal(agency_vault_open(other, sealed, len, opened, sizeof(opened), &olen),
                     PM_ERR_INVALID);
    sealed[len - 1] ^= 1;
    assert_int_equal(agency_vault_open(key, sealed, len, opened, sizeof(opened), &olen),
                     PM_ERR_INVALID);
    assert_int_equal(agency_vault_seal(key, secret, strlen(secret), sealed, 10, &len),
                     PM_ERR_RANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_out_is_exact_decimal),
        cmocka_unit_test(test_money_text),
        cmocka_unit_test(test_money_round_trip),
        cmocka_unit_test(test_money_in_rounds_half_away_from_zero),
        cmocka_unit_test(test_money_in_refuses_junk),
        cmocka_unit_test(test_rfc1123_format),
        cmocka_unit_test(test_dates_parse),
        cmocka_unit_test(test_dates_refuse_junk),
        cmocka_unit_test(test_backoff_bounds),
        cmocka_unit_test(test_backoff_jitter_spreads),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_url_escape),
        cmocka_unit_test(test_money_in_edges),
        cmocka_unit_test(test_rfc1123_before_1970),
        cmocka_unit_test(test_rfc1123_refuses_each_part),
        cmocka_unit_test(test_retry_after_edges),
        cmocka_unit_test(test_url_escape_fits_exactly),
        cmocka_unit_test(test_answer_classification),
        cmocka_unit_test(test_registration_payload),
        cmocka_unit_test(test_company_missing),
        cmocka_unit_test(test_action_bodies),
        cmocka_unit_test(test_list_cases_query),
        cmocka_unit_test(test_vault_seal_open),
    };

    if (secret_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
