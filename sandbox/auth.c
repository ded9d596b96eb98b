/*
 * auth.c — the agency's authentication: partners, signed JWTs, tokens.
 *
 * An integrator (partner) registers an API code and a public key under
 * /_sandbox/partners [ours].  To get an access token it signs
 * {"api_code", "exp"} with its private key (ES256/384/512 or RS256/384/512)
 * and sends the JWT in X-API-Key to GET /authenticates/api-code; libjwt
 * verifies the signature with the registered key.  Access tokens are 32
 * random bytes in hex, stored only as their SHA-256, valid one hour of real
 * time; every other request carries one in X-API-Key.
 */
#include "sandbox.h"

#include <errno.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <string.h>

#include "util/secret.h"

#define PEM_MAX 16384

static bool api_code_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > 100)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* True when pem is a public key the sandbox can verify with: EC (P-256,
 * P-384, P-521) or RSA of at least 2048 bits. */
static bool key_usable(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
    bool ok = false;

    if (key) {
        int id = EVP_PKEY_get_base_id(key);

        ok = id == EVP_PKEY_EC || (id == EVP_PKEY_RSA && EVP_PKEY_get_bits(key) >= 2048);
    }
    EVP_PKEY_free(key);
    BIO_free(bio);
    return ok;
}

enum pm_err sb_auth_register_partner(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    json_t *body = NULL, *issues = json_object();
    const char *code, *pem;
    enum pm_err rc = sb_req_json(req, resp, &body);

    if (rc)
        goto out;
    code = sb_fmt_str(body, "api_code");
    pem = sb_fmt_str(body, "public_key");
    if (!api_code_ok(code))
        sb_fmt_issue(issues, "api_code", "required: 1-100 characters of [A-Za-z0-9._-]");
    if (!pem || strlen(pem) > PEM_MAX || !key_usable(pem))
        sb_fmt_issue(issues, "public_key", "required: a PEM public key (EC P-256/384/521 or RSA)");
    if (json_object_size(issues)) {
        rc = sb_resp_issues(resp, issues);
        issues = NULL;
        goto out;
    }
    rc = sb_store_partner_put(ctx, code, pem);
    if (rc)
        goto out;
    rc = sb_resp_json(resp, 201, json_pack("{s:s, s:s}", "_status", "OK", "api_code", code));
out:
    json_decref(issues);
    json_decref(body);
    return rc;
}

/* The api_code claimed in a JWT's payload, read before verification only to
 * find the key to verify with.  The caller frees the result. */
static char *claimed_code(const char *token)
{
    const char *p1 = strchr(token, '.'), *p2 = p1 ? strchr(p1 + 1, '.') : NULL;
    unsigned char raw[2048];
    size_t n = 0;
    json_t *payload;
    json_error_t jerr;
    char *code = NULL;

    if (!p2 || (size_t)(p2 - p1 - 1) > sizeof(raw) * 4 / 3)
        return NULL;
    if (sodium_base642bin(raw, sizeof(raw), p1 + 1, (size_t)(p2 - p1 - 1), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return NULL;
    payload = json_loadb((const char *)raw, n, 0, &jerr);
    if (payload && api_code_ok(sb_fmt_str(payload, "api_code")))
        code = strdup(sb_fmt_str(payload, "api_code"));
    json_decref(payload);
    return code;
}

static bool alg_allowed(jwt_alg_t alg)
{
    /* Never HS*: a public key must not double as an HMAC secret. */
    return alg == JWT_ALG_ES256 || alg == JWT_ALG_ES384 || alg == JWT_ALG_ES512 ||
           alg == JWT_ALG_RS256 || alg == JWT_ALG_RS384 || alg == JWT_ALG_RS512;
}

enum pm_err sb_auth_token(struct sb_ctx *ctx, struct sb_req *req, struct sb_resp *resp)
{
    const char *token = sb_req_header(req, "X-API-Key");
    char *code = NULL, *pem = NULL, hex[SECRET_TOKEN_HEX], hash[SECRET_TOKEN_HEX];
    char expires[SB_RFC1123_LEN];
    jwt_t *jwt = NULL;
    enum pm_err rc = PM_OK;
    int64_t now = clock_now_s(NULL), exp;
    const char *verified_code;

    if (!token || strlen(token) > 8192) {
        rc = sb_resp_error(resp, 401, "X-API-Key must carry a signed JWT");
        goto out;
    }
    code = claimed_code(token);
    if (!code) {
        rc = sb_resp_error(resp, 401, "the JWT has no readable api_code");
        goto out;
    }
    rc = sb_store_partner_key(ctx, code, &pem);
    if (rc == PM_ERR_NOT_FOUND) {
        rc = sb_resp_error(resp, 401, "unknown api_code");
        goto out;
    }
    if (rc)
        goto out;
    if (jwt_decode(&jwt, token, (const unsigned char *)pem, (int)strlen(pem)) != 0 || !jwt) {
        rc = sb_resp_error(resp, 401, "the JWT signature does not verify with the registered key");
        goto out;
    }
    if (!alg_allowed(jwt_get_alg(jwt))) {
        rc = sb_resp_error(resp, 401, "JWT algorithm not accepted (ES256/384/512, RS256/384/512)");
        goto out;
    }
    verified_code = jwt_get_grant(jwt, "api_code");
    if (!verified_code || strcmp(verified_code, code) != 0) {
        rc = sb_resp_error(resp, 401, "api_code missing from the verified claims");
        goto out;
    }
    errno = 0;
    exp = jwt_get_grant_int(jwt, "exp");
    if (errno || exp <= now) {
        rc = sb_resp_error(resp, 401, "the JWT has no exp or has expired");
        goto out;
    }
    if (exp > now + SB_JWT_MAX_AHEAD_S + SB_JWT_SKEW_S) {
        rc = sb_resp_error(resp, 401, "the JWT's exp is more than 15 minutes ahead");
        goto out;
    }
    secret_random_token(hex);
    secret_sha256_hex(hex, strlen(hex), hash);
    rc = sb_store_token_put(ctx, hash, code, now + SB_TOKEN_LIFETIME_S);
    if (rc)
        goto out;
    sb_fmt_rfc1123(now + SB_TOKEN_LIFETIME_S, expires);
    rc = sb_resp_json(
        resp, 200, json_pack("{s:s, s:s, s:s}", "_status", "OK", "token", hex, "expires", expires));
out:
    jwt_free(jwt);
    free(pem);
    free(code);
    return rc;
}

bool sb_auth_check(struct sb_ctx *ctx, struct sb_req *req, char *dst, size_t cap)
{
    const char *token = sb_req_header(req, "X-API-Key");
    char hash[SECRET_TOKEN_HEX];

    if (!token || strlen(token) != SECRET_TOKEN_HEX - 1)
        return false;
    secret_sha256_hex(token, strlen(token), hash);
    return sb_store_token_get(ctx, hash, clock_now_s(NULL), dst, cap) == PM_OK;
}
