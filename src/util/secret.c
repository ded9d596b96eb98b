/*
 * secret.c — libsodium behind secret.h.
 */
#include "util/secret.h"

#include <sodium.h>
#include <string.h>

enum pm_err secret_init(void)
{
    return sodium_init() < 0 ? PM_ERR_INTERNAL : PM_OK;
}

enum pm_err secret_password_hash(const char *password, char *dst, size_t cap)
{
    if (cap < crypto_pwhash_STRBYTES || cap > SIZE_MAX)
        return PM_ERR_RANGE;
    if (crypto_pwhash_str(dst, password, strlen(password), SECRET_PASSWORD_PASSES,
                          SECRET_PASSWORD_MEMORY))
        return PM_ERR_NOMEM;
    return PM_OK;
}

bool secret_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool secret_password_stale(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, SECRET_PASSWORD_PASSES, SECRET_PASSWORD_MEMORY) !=
           0;
}

static void to_hex(const unsigned char *bytes, size_t n, char *dst)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = digits[bytes[i] >> 4];
        dst[2 * i + 1] = digits[bytes[i] & 15];
    }
    dst[2 * n] = '\0';
}

void secret_random_token(char dst[SECRET_TOKEN_HEX])
{
    unsigned char bytes[32];

    randombytes_buf(bytes, sizeof(bytes));
    to_hex(bytes, sizeof(bytes), dst);
}

void secret_sha256_hex(const void *data, size_t len, char dst[SECRET_TOKEN_HEX])
{
    unsigned char digest[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(digest, data, len);
    to_hex(digest, sizeof(digest), dst);
}

bool secret_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    if (la != lb)
        return false;
    return sodium_memcmp(a, b, la) == 0;
}
