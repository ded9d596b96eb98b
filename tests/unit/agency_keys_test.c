/*
 * agency_keys_test.c — unit tests for src/agency/agency_keys.c, the partner
 * key pair `paminn demo` makes for a local amili-sandbox: the halves are
 * PEM of the right kind, belong together (a signature made with the
 * private half verifies with the public half, and the public half derived
 * again is the same text), two keys differ, and text that is no private
 * key is refused naming the setting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#include "agency/agency.h"

static EVP_PKEY *read_key(const char *pem, bool private_half)
{
    BIO *in = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = NULL;

    assert_non_null(in);
    key = private_half ? PEM_read_bio_PrivateKey(in, NULL, NULL, NULL)
                       : PEM_read_bio_PUBKEY(in, NULL, NULL, NULL);
    BIO_free(in);
    return key;
}

/* Whether a SHA-256 signature of msg by priv verifies with pub. */
static bool signs_for(const char *priv_pem, const char *pub_pem, const char *msg)
{
    EVP_PKEY *priv = read_key(priv_pem, true), *pub = read_key(pub_pem, false);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char sig[256];
    size_t len = sizeof(sig);
    bool ok = false;

    assert_non_null(priv);
    assert_non_null(pub);
    assert_non_null(ctx);
    assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, priv), 1);
    assert_int_equal(EVP_DigestSign(ctx, sig, &len, (const unsigned char *)msg, strlen(msg)), 1);
    EVP_MD_CTX_reset(ctx);
    assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub), 1);
    ok = EVP_DigestVerify(ctx, sig, len, (const unsigned char *)msg, strlen(msg)) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(priv);
    EVP_PKEY_free(pub);
    return ok;
}

static void test_generate_pair(void **state)
{
    char *priv = NULL, *pub = NULL, *again = NULL, *priv2 = NULL, *pub2 = NULL;
    struct pm_error e = {0};
    EVP_PKEY *key;

    (void)state;
    assert_int_equal(agency_keys_generate(&priv, &pub, &e), PM_OK);
    assert_non_null(strstr(priv, "-----BEGIN PRIVATE KEY-----\n"));
    assert_non_null(strstr(pub, "-----BEGIN PUBLIC KEY-----\n"));
    /* EC on P-256 (what ES256 needs). */
    key = read_key(priv, true);
    assert_non_null(key);
    assert_int_equal(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
    assert_int_equal(EVP_PKEY_get_bits(key), 256);
    EVP_PKEY_free(key);
    assert_true(signs_for(priv, pub, "{\"api_code\":\"acme\",\"exp\":1750068000}"));

    assert_int_equal(agency_keys_public_of(priv, &again, &e), PM_OK);
    assert_string_equal(again, pub);

    /* A second key is another key. */
    assert_int_equal(agency_keys_generate(&priv2, &pub2, &e), PM_OK);
    assert_string_not_equal(pub2, pub);
    assert_false(signs_for(priv2, pub, "{\"api_code\":\"acme\"}"));
    free(priv);
    free(pub);
    free(again);
    free(priv2);
    free(pub2);
}

static void test_public_of_refuses(void **state)
{
    char *priv = NULL, *pub = NULL, *out = (char *)"untouched";
    struct pm_error e = {0};

    (void)state;
    assert_int_equal(agency_keys_public_of("not a key", &out, &e), PM_ERR_INVALID);
    assert_null(out);
    assert_string_equal(e.field, "amili_key");
    assert_string_equal(e.message, "not a PEM private key");

    /* The public half is not the private key the setting asks for. */
    assert_int_equal(agency_keys_generate(&priv, &pub, &e), PM_OK);
    memset(&e, 0, sizeof(e));
    assert_int_equal(agency_keys_public_of(pub, &out, &e), PM_ERR_INVALID);
    assert_null(out);
    assert_string_equal(e.field, "amili_key");
    /* A private key cut short. */
    priv[strlen(priv) / 2] = '\0';
    assert_int_equal(agency_keys_public_of(priv, &out, &e), PM_ERR_INVALID);
    assert_null(out);
    free(priv);
    free(pub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_pair),
        cmocka_unit_test(test_public_of_refuses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
