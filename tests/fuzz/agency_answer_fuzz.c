/*
 * agency_answer_fuzz.c — libFuzzer target for what the agency answers
 * (src/agency/agency_amili.c and agency_edge.c): the body, status and
 * Retry-After of a finished call, read as the dispatcher and the sync read
 * them.
 *
 * Input: bytes 0-1 the HTTP status (100 + the big-endian word mod 512, so
 * 100..611; 0 0 = no answer at all), byte 2 the length of a Retry-After
 * value that follows, the rest the body.  Properties:
 *  - the verdict follows the status: 2xx OK, 401 unauthorized, 409
 *    conflict, 408 / 429 / 5xx / no answer retry, any other 4xx refused;
 *    anything but OK carries a reason; Retry-After is -1 or >= 0;
 *  - every list item that reads as a case has its amounts round-trip
 *    through the agency's JSON number (öre -> kronor -> öre) and the exact
 *    text ("1250.00"), and its _updated instant through RFC 1123;
 *  - the body as text, when it reads as an amount or a date, round-trips
 *    the same ways (decode -> render -> decode).
 * Seeds: tests/fuzz/seeds/agency_answer_fuzz/ (answers of amili-sandbox).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agency/agency_amili.h"
#include "agency/agency_edge.h"
#include "core/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW_S      1750032000            /* 2025-06-16 00:00:00 UTC */
#define UNIX_MAX_S INT64_C(253402300799) /* 9999-12-31 23:59:59 */
#define TEXT_MAX   256

static void money_round_trip(int64_t ore)
{
    char text[AGENCY_MONEY_TEXT_MAX];
    json_t *j;
    int64_t back = 0;

    if (ore > MONEY_MAX || ore < -MONEY_MAX)
        return;
    agency_money_text(ore, text, sizeof(text));
    if (agency_money_parse_text(text, &back) != PM_OK || back != ore)
        abort();
    j = agency_money_json(ore);
    if (!j)
        return;
    if (agency_money_parse(j, &back) != PM_OK || back != ore)
        abort();
    json_decref(j);
}

static void date_round_trip(int64_t unix_s)
{
    char text[AGENCY_RFC1123_LEN];
    int64_t back = 0;

    if (unix_s < 0 || unix_s > UNIX_MAX_S)
        return;
    agency_date_rfc1123(unix_s, text);
    if (agency_date_parse(text, &back) != PM_OK || back != unix_s)
        abort();
}

static void check_verdict(int status, bool answered, const struct agency_amili_answer *a)
{
    enum agency_amili_verdict want;

    if (!answered || status == 408 || status == 429 || status >= 500 || status < 200)
        want = AGENCY_AMILI_RETRY;
    else if (status < 300)
        want = AGENCY_AMILI_OK;
    else if (status == 401)
        want = AGENCY_AMILI_UNAUTHORIZED;
    else if (status == 409)
        want = AGENCY_AMILI_CONFLICT;
    else
        want = AGENCY_AMILI_REFUSED;
    if (a->verdict != want)
        abort();
    if (want != AGENCY_AMILI_OK && !a->reason[0])
        abort();
    if (strnlen(a->reason, sizeof(a->reason)) == sizeof(a->reason) || a->retry_after_s < -1)
        abort();
}

static void read_cases(const json_t *body)
{
    struct agency_amili_case_view v;
    const json_t *items;
    bool more = false;
    size_t i;

    items = agency_amili_items(body, 1, &more);
    for (i = 0; i < json_array_size(items); i++) {
        if (agency_amili_case_parse(json_array_get(items, i), &v) != PM_OK)
            continue;
        money_round_trip(v.capital_minor);
        money_round_trip(v.costs_minor);
        money_round_trip(v.interest_minor);
        money_round_trip(v.received_minor);
        money_round_trip(v.remaining_capital_minor);
        money_round_trip(v.remaining_minor);
        date_round_trip(v.updated_s);
    }
    if (agency_amili_case_parse(body, &v) == PM_OK)
        money_round_trip(v.capital_minor);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct agency_call call;
    struct agency_amili_answer a;
    struct agency_amili_registered reg;
    char case_id[STORE_AGENCY_ID_MAX], text[TEXT_MAX];
    size_t ra, n, head = 3;
    unsigned word;
    int64_t v;

    if (size < head)
        return 0;
    memset(&call, 0, sizeof(call));
    word = (unsigned)data[0] << 8 | data[1];
    call.outcome = word ? AGENCY_T_ANSWERED : AGENCY_T_TIMEOUT;
    call.status = word ? 100 + (int)(word % 512) : 0;
    ra = data[2] % sizeof(call.retry_after);
    if (ra > size - head)
        ra = size - head;
    memcpy(call.retry_after, data + head, ra);
    call.retry_after[ra] = '\0';
    head += ra;
    if (buf_add(&call.response, data + head, size - head))
        abort();

    agency_amili_answer_read(&call, NOW_S, &a);
    check_verdict(call.status, call.outcome == AGENCY_T_ANSWERED, &a);
    if (a.body) {
        (void)agency_amili_parse_registered(a.body, &reg);
        (void)agency_amili_parse_existing(a.body, "1001", case_id, sizeof(case_id));
        (void)agency_amili_first_item(a.body);
        read_cases(a.body);
    }
    agency_amili_answer_release(&a);

    /* The body as text: an amount or a date, decoded, rendered, decoded. */
    n = size - head < TEXT_MAX - 1 ? size - head : TEXT_MAX - 1;
    memcpy(text, data + head, n);
    text[n] = '\0';
    if (agency_money_parse_text(text, &v) == PM_OK)
        money_round_trip(v);
    if (agency_date_parse(text, &v) == PM_OK)
        date_round_trip(v);
    if (agency_retry_after_s(text, NOW_S, &v) == PM_OK && v < 0)
        abort();
    agency_call_release(&call);
    return 0;
}
