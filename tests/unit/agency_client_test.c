/*
 * agency_client_test.c — unit tests for src/agency/agency_client.c: the
 * settings agency_new() refuses or completes, and the access token
 * (agency_token) when the agency's token answer is one the sandbox never
 * gives: no token, a token too long to keep, an expiry in the past or
 * none, a refusal, an outage, a lost connection.  The transport is a fake
 * agency_ops table that answers each call from a script and counts the
 * calls: the real transport cannot be made to answer this way on demand
 * (the HTTP suites cover the real one against amili-sandbox).  The agency
 * service refuses to start on a database it cannot open.  No store:
 * the sealed copy of the token is tested over HTTP (sync_faults).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agency/agency.h"
#include "agency/agency_edge.h"

/* ---- the scripted transport ---- */

struct agency_conn {
    int unused;
};

static struct {
    struct agency_conn conn;
    int starts;
    enum pm_err start_rc; /* what start() returns */
    bool vanish;          /* next() finds nothing and nothing in flight */
    enum agency_transport outcome;
    int status;
    char body[1024];
    struct agency_call *current;
    char path[64], api_key[AGENCY_TOKEN_MAX + 8];
} fake;

static struct agency_conn *fake_conn_new(const char *base_url, int max_parallel)
{
    (void)base_url;
    (void)max_parallel;
    return &fake.conn;
}

static void fake_conn_free(struct agency_conn **c)
{
    *c = NULL;
}

static enum pm_err fake_start(struct agency_conn *c, struct agency_call *call)
{
    (void)c;
    fake.starts++;
    snprintf(fake.path, sizeof(fake.path), "%s", call->path);
    snprintf(fake.api_key, sizeof(fake.api_key), "%s", call->api_key);
    if (fake.start_rc)
        return fake.start_rc;
    call->outcome = fake.outcome;
    call->status = fake.status;
    if (fake.body[0])
        buf_adds(&call->response, fake.body);
    if (fake.outcome == AGENCY_T_LOST)
        snprintf(call->error, sizeof(call->error), "Empty reply from server");
    fake.current = call;
    return PM_OK;
}

static enum pm_err fake_next(struct agency_conn *c, int timeout_ms, struct agency_call **done)
{
    (void)c;
    (void)timeout_ms;
    *done = fake.vanish ? NULL : fake.current;
    fake.current = NULL;
    return PM_OK;
}

static int fake_in_flight(const struct agency_conn *c)
{
    (void)c;
    return fake.current ? 1 : 0;
}

static const struct agency_ops fake_ops = {
    "scripted", fake_conn_new, fake_conn_free, fake_start, fake_next, fake_in_flight,
};

static char *key_pem;

static int setup(void **state)
{
    char *pub = NULL;
    struct pm_error e = {0};

    (void)state;
    if (agency_keys_generate(&key_pem, &pub, &e))
        return -1;
    free(pub);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(key_pem);
    return 0;
}

static void answer(enum agency_transport outcome, int status, const char *body)
{
    memset(&fake, 0, sizeof(fake));
    fake.outcome = outcome;
    fake.status = status;
    snprintf(fake.body, sizeof(fake.body), "%s", body ? body : "");
}

static struct agency *client(const char *pem)
{
    struct agency_config cfg;
    struct pm_error e = {0};
    struct agency *a;

    memset(&cfg, 0, sizeof(cfg));
    cfg.url = "http://127.0.0.1:9/";
    cfg.api_code = "acme";
    cfg.key_pem = pem;
    a = agency_new(&cfg, &fake_ops, &e);
    assert_non_null(a);
    return a;
}

/* ---- settings ---- */

static void test_new_refuses_incomplete(void **state)
{
    struct agency_config cfg;
    struct pm_error e;
    /* Each setting missing (NULL) or empty in turn. */
    const char *missing[6][3] = {
        {"", "acme", "pem"},     {NULL, "acme", "pem"},    {"http://a", NULL, "pem"},
        {"http://a", "", "pem"}, {"http://a", "acme", ""}, {"http://a", "acme", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < 6; i++) {
        memset(&cfg, 0, sizeof(cfg));
        memset(&e, 0, sizeof(e));
        cfg.url = missing[i][0];
        cfg.api_code = missing[i][1];
        cfg.key_pem = missing[i][2];
        assert_null(agency_new(&cfg, NULL, &e));
        assert_int_equal(e.code, PM_ERR_INVALID);
        assert_string_equal(e.field, "amili");
        assert_string_equal(e.message, "the agency needs a URL, an API code and a key");
    }
}

static void test_new_fills_defaults(void **state)
{
    struct agency_config cfg;
    struct pm_error e = {0};
    struct agency *a;
    const struct agency_config *got;

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.url = "https://api.example.se/v1//";
    cfg.api_code = "acme";
    cfg.key_pem = "pem";
    a = agency_new(&cfg, NULL, &e);
    assert_non_null(a);
    got = agency_config_of(a);
    assert_string_equal(got->url, "https://api.example.se/v1");
    assert_int_equal(got->concurrency, AGENCY_DEFAULT_CONCURRENCY);
    assert_int_equal(got->sync_interval_s, AGENCY_DEFAULT_SYNC_S);
    assert_int_equal(got->lease_s, AGENCY_DEFAULT_LEASE_S);
    /* 2/3 of a 30 s lease is 20 s: capped at 10 s. */
    assert_int_equal(got->request_timeout_ms, 10000);
    assert_ptr_equal(agency_ops_of(a), &agency_curl_ops);
    agency_free(&a);
    assert_null(a);
    agency_free(&a); /* a no-op */

    /* A 6 s lease: calls end within 4 s; given values are kept. */
    cfg.lease_s = 6;
    cfg.concurrency = 3;
    cfg.sync_interval_s = 2;
    a = agency_new(&cfg, &fake_ops, &e);
    assert_non_null(a);
    got = agency_config_of(a);
    assert_int_equal(got->request_timeout_ms, 4000);
    assert_int_equal(got->concurrency, 3);
    assert_int_equal(got->sync_interval_s, 2);
    agency_free(&a);
    cfg.lease_s = 1; /* too short to hold a call: the default */
    cfg.request_timeout_ms = 2500;
    a = agency_new(&cfg, &fake_ops, &e);
    assert_non_null(a);
    assert_int_equal(agency_config_of(a)->lease_s, AGENCY_DEFAULT_LEASE_S);
    assert_int_equal(agency_config_of(a)->request_timeout_ms, 2500);
    agency_free(&a);
}

/* ---- the access token ---- */

static void test_token_bought_once_and_forgotten(void **state)
{
    char expires[AGENCY_RFC1123_LEN], body[256], token[AGENCY_TOKEN_MAX];
    struct pm_error e = {0};
    struct agency *a = client(key_pem);
    const char *dot;

    (void)state;
    agency_date_rfc1123((int64_t)time(NULL) + 3600, expires);
    snprintf(body, sizeof(body), "{\"_status\":\"OK\",\"token\":\"t-1\",\"expires\":\"%s\"}",
             expires);
    answer(AGENCY_T_ANSWERED, 200, body);
    assert_int_equal(agency_token(a, NULL, token, &e), PM_OK);
    assert_string_equal(token, "t-1");
    assert_int_equal(fake.starts, 1);
    assert_string_equal(fake.path, "/authenticates/api-code");
    /* The request carries a signed JWT: three dot-separated parts. */
    dot = strchr(fake.api_key, '.');
    assert_non_null(dot);
    assert_non_null(strchr(dot + 1, '.'));
    /* Cached: no second request. */
    assert_int_equal(agency_token(a, NULL, token, &e), PM_OK);
    assert_int_equal(fake.starts, 1);
    /* Forgetting another token changes nothing; forgetting this one
     * makes the next call buy a new one. */
    agency_token_forget(a, "t-0");
    assert_int_equal(agency_token(a, NULL, token, &e), PM_OK);
    assert_int_equal(fake.starts, 1);
    agency_token_forget(a, "t-1");
    snprintf(body, sizeof(body), "{\"token\":\"t-2\",\"expires\":\"%s\"}", expires);
    answer(AGENCY_T_ANSWERED, 200, body);
    assert_int_equal(agency_token(a, NULL, token, &e), PM_OK);
    assert_string_equal(token, "t-2");
    assert_int_equal(fake.starts, 1);
    agency_free(&a);
}

static void test_token_expiry_unusable(void **state)
{
    static const char *bodies[] = {
        "{\"token\":\"t-3\"}",
        "{\"token\":\"t-3\",\"expires\":\"Mon, 01 Jan 2001 00:00:00 GMT\"}",
        "{\"token\":\"t-3\",\"expires\":\"next week\"}",
    };
    char token[AGENCY_TOKEN_MAX];
    struct pm_error e = {0};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct agency *a = client(key_pem);

        answer(AGENCY_T_ANSWERED, 200, bodies[i]);
        assert_int_equal(agency_token(a, NULL, token, &e), PM_OK);
        assert_string_equal(token, "t-3");
        /* Kept for the default lifetime, not bought again at once. */
        assert_int_equal(agency_token(a, NULL, token, &e), PM_OK);
        assert_int_equal(fake.starts, 1);
        agency_free(&a);
    }
}

static void test_token_refused(void **state)
{
    char token[AGENCY_TOKEN_MAX], body[AGENCY_TOKEN_MAX + 64], big[AGENCY_TOKEN_MAX + 1];
    struct pm_error e;
    struct agency *a = client(key_pem);

    (void)state;
    /* 200 without a token. */
    memset(&e, 0, sizeof(e));
    answer(AGENCY_T_ANSWERED, 200, "{\"_status\":\"OK\"}");
    assert_int_equal(agency_token(a, NULL, token, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "amili");
    assert_string_equal(e.message, "the agency refused the API code or key (HTTP 200: )");
    /* An empty token. */
    answer(AGENCY_T_ANSWERED, 200, "{\"token\":\"\"}");
    assert_int_equal(agency_token(a, NULL, token, &e), PM_ERR_INVALID);
    /* A token longer than any the client keeps. */
    memset(big, 'k', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    snprintf(body, sizeof(body), "{\"token\":\"%s\"}", big);
    answer(AGENCY_T_ANSWERED, 200, body);
    assert_int_equal(agency_token(a, NULL, token, &e), PM_ERR_INVALID);
    /* The agency's refusal, with its reason. */
    memset(&e, 0, sizeof(e));
    answer(AGENCY_T_ANSWERED, 401,
           "{\"_status\":\"ERR\",\"_error\":{\"code\":401,\"message\":\"bad signature\"}}");
    assert_int_equal(agency_token(a, NULL, token, &e), PM_ERR_INVALID);
    assert_string_equal(e.message,
                        "the agency refused the API code or key (HTTP 401: bad signature)");
    /* An outage and a lost connection are no refusal: tried again later. */
    memset(&e, 0, sizeof(e));
    answer(AGENCY_T_ANSWERED, 503, NULL);
    assert_int_equal(agency_token(a, NULL, token, &e), PM_ERR_IO);
    assert_string_equal(e.message, "the agency did not answer the token request: HTTP 503");
    memset(&e, 0, sizeof(e));
    answer(AGENCY_T_LOST, 0, NULL);
    assert_int_equal(agency_token(a, NULL, token, &e), PM_ERR_IO);
    assert_string_equal(e.message,
                        "the agency did not answer the token request: Empty reply from server");
    /* A call that cannot be started, or that the transport loses. */
    memset(&e, 0, sizeof(e));
    answer(AGENCY_T_ANSWERED, 200, "{\"token\":\"t\"}");
    fake.start_rc = PM_ERR_IO;
    assert_int_equal(agency_token(a, NULL, token, &e), PM_ERR_IO);
    assert_string_equal(e.message, "cannot call the agency");
    answer(AGENCY_T_ANSWERED, 200, "{\"token\":\"t\"}");
    fake.vanish = true;
    assert_int_equal(agency_token(a, NULL, token, &e), PM_ERR_INTERNAL);
    agency_free(&a);
}

static void test_token_bad_key(void **state)
{
    char token[AGENCY_TOKEN_MAX];
    struct pm_error e = {0};
    struct agency *a =
        client("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");

    (void)state;
    answer(AGENCY_T_ANSWERED, 200, "{\"token\":\"t\"}");
    assert_int_equal(agency_token(a, NULL, token, &e), PM_ERR_INVALID);
    assert_string_equal(e.field, "amili_key");
    /* Nothing was sent. */
    assert_int_equal(fake.starts, 0);
    agency_free(&a);
}

static void test_rounds(void **state)
{
    struct agency *a = client(key_pem);

    (void)state;
    assert_int_equal(agency_rounds(a, AGENCY_LOOP_DISPATCH), 0);
    agency_round_done(a, AGENCY_LOOP_DISPATCH);
    agency_round_done(a, AGENCY_LOOP_DISPATCH);
    agency_round_done(a, AGENCY_LOOP_SYNC);
    assert_int_equal(agency_rounds(a, AGENCY_LOOP_DISPATCH), 2);
    assert_int_equal(agency_rounds(a, AGENCY_LOOP_SYNC), 1);
    agency_free(&a);
}

/* A database the loops cannot open: no service, the reason said, no
 * thread left running. */
static void test_service_needs_its_store(void **state)
{
    struct agency_service_config cfg = {"/nonexistent-dir/x/paminn.db", NULL, NULL};
    struct agency_service *svc = (struct agency_service *)&cfg;
    struct pm_error e = {0};
    struct agency *a = client(key_pem);

    (void)state;
    assert_int_equal(agency_service_start(a, &cfg, &svc, &e), PM_ERR_IO);
    assert_null(svc);
    assert_non_null(strstr(e.message, "/nonexistent-dir/x/paminn.db"));
    agency_service_stop(&svc); /* NULL: a no-op */
    agency_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_refuses_incomplete),
        cmocka_unit_test(test_new_fills_defaults),
        cmocka_unit_test(test_token_bought_once_and_forgotten),
        cmocka_unit_test(test_token_expiry_unusable),
        cmocka_unit_test(test_token_refused),
        cmocka_unit_test(test_token_bad_key),
        cmocka_unit_test(test_rounds),
        cmocka_unit_test(test_service_needs_its_store),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
