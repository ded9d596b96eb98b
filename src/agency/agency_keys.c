/*
 * agency_keys.c — a partner key pair for the agency (OpenSSL libcrypto).
 *
 * Used by `paminn demo` to make the key a local amili-sandbox is told about;
 * in production the partner's key is made once by its owner and only its
 * private half's file is configured (--amili-key).  EC P-256, the private
 * key in PKCS#8 PEM (what libjwt signs ES256 with), the public key in
 * SubjectPublicKeyInfo PEM (what the agency registers).
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#include "agency/agency.h"

static char *bio_text(BIO *bio)
{
    char *data = NULL, *out;
    long n = BIO_get_mem_data(bio, &data);

    if (n <= 0)
        return NULL;
    out = malloc((size_t)n + 1);
    if (out) {
        memcpy(out, data, (size_t)n);
        out[n] = '\0';
    }
    return out;
}

enum pm_err agency_keys_generate(char **private_pem, char **public_pem, struct pm_error *e)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    BIO *priv = BIO_new(BIO_s_mem()), *pub = BIO_new(BIO_s_mem());
    enum pm_err rc = PM_OK;

    *private_pem = *public_pem = NULL;
    if (!key || !priv || !pub || !PEM_write_bio_PrivateKey(priv, key, NULL, NULL, 0, NULL, NULL) ||
        !PEM_write_bio_PUBKEY(pub, key)) {
        rc = pm_error_set(e, PM_ERR_INTERNAL, "", "OpenSSL could not make an EC P-256 key");
        goto out_free;
    }
    *private_pem = bio_text(priv);
    *public_pem = bio_text(pub);
    if (!*private_pem || !*public_pem) {
        free(*private_pem);
        free(*public_pem);
        *private_pem = *public_pem = NULL;
        rc = pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
    }
out_free:
    BIO_free(priv);
    BIO_free(pub);
    EVP_PKEY_free(key);
    return rc;
}

enum pm_err agency_keys_public_of(const char *private_pem, char **public_pem, struct pm_error *e)
{
    BIO *in = BIO_new_mem_buf(private_pem, -1), *pub = BIO_new(BIO_s_mem());
    EVP_PKEY *key = in ? PEM_read_bio_PrivateKey(in, NULL, NULL, NULL) : NULL;
    enum pm_err rc = PM_OK;

    *public_pem = NULL;
    if (!key || !pub || !PEM_write_bio_PUBKEY(pub, key)) {
        rc = pm_error_set(e, PM_ERR_INVALID, "amili_key", "not a PEM private key");
        goto out_free;
    }
    *public_pem = bio_text(pub);
    if (!*public_pem)
        rc = pm_error_set(e, PM_ERR_NOMEM, "", "out of memory");
out_free:
    BIO_free(in);
    BIO_free(pub);
    EVP_PKEY_free(key);
    return rc;
}
