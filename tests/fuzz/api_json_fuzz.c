/*
 * api_json_fuzz.c — libFuzzer target for request bodies (src/api/api_json.c,
 * src/api/api_decode.c).
 *
 * Arbitrary bytes are parsed as a request body exactly as the server does,
 * then given to the decoder of every resource (session, company create and
 * patch, customer create and patch, invoice, payment, token).  Nothing may
 * crash, leak or trip a sanitizer, and every refusal must name a code the
 * error mapper knows.  Seeds: tests/fuzz/seeds/api_json_fuzz/.
 */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_decode.h"
#include "api/api_json.h"
#include "util/tz.h"

#define TODAY 20514 /* 2026-03-02 */

static void check(enum pm_err rc, const struct api_error *e)
{
    int status;

    if (!rc)
        return;
    status = api_error_status(e);
    if (status < 400 || status >= 500)
        abort(); /* a body can only ever be the client's fault */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct api_invoice_input *inv = NULL;
    struct api_session_input session;
    struct company co;
    struct customer cu;
    struct payment pay;
    struct api_error e;
    struct api_token token;
    static struct tz *zone;
    json_t *obj = NULL;

    if (!zone && tz_load("Europe/Stockholm", &zone))
        abort(); /* the machine lacks tzdata: nothing to fuzz against */
    api_error_clear(&e);
    if (api_json_parse_object((const char *)data, size, &obj, &e)) {
        check(e.rc, &e);
        return 0;
    }
    inv = malloc(sizeof(*inv));
    if (!inv)
        goto out_free;

    api_error_clear(&e);
    check(api_decode_session(obj, &session, &e), &e);

    api_decode_company_defaults(&co);
    api_error_clear(&e);
    check(api_decode_company(obj, true, &co, &e), &e);
    api_error_clear(&e);
    check(api_decode_company(obj, false, &co, &e), &e);

    api_decode_customer_defaults(&cu);
    api_error_clear(&e);
    check(api_decode_customer(obj, true, TODAY, &cu, &e), &e);
    snprintf(cu.id_number, sizeof(cu.id_number), "198112189876");
    api_error_clear(&e);
    check(api_decode_customer(obj, false, TODAY, &cu, &e), &e);

    api_error_clear(&e);
    check(api_decode_invoice(obj, TODAY, 30, inv, &e), &e);

    api_error_clear(&e);
    check(api_decode_payment(obj, TODAY, &pay, &e), &e);

    api_error_clear(&e);
    memset(&token, 0, sizeof(token));
    check(api_decode_token(obj, zone, &token, &e), &e);
out_free:
    free(inv);
    json_decref(obj);
    return 0;
}
