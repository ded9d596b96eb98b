/*
 * secret.h — passwords, random tokens and hashes (libsodium).
 *
 * Passwords are stored as argon2id strings; session cookies, CSRF tokens
 * and API tokens are 32 random bytes in hex, and only their SHA-256 is
 * stored.  secret_init() must be called once before any other function.
 */
#ifndef PM_SECRET_H
#define PM_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define SECRET_HASH_MAX  128 /* bytes an argon2id string needs, with NUL */
#define SECRET_TOKEN_HEX 65  /* 64 hex digits and NUL */

/* The cost of a new password hash: argon2id with 19 MiB and 4 passes.
 * OWASP's least is 19 MiB and 2 passes; libsodium's "interactive" limits
 * (64 MiB, 2 passes) made every login the server's peak of memory, larger
 * than everything else it holds at a million invoices (docs/benchmarks.md).
 * A hash made with other limits still verifies (it names its own). */
#define SECRET_PASSWORD_MEMORY ((size_t)19 << 20)
#define SECRET_PASSWORD_PASSES 4

enum pm_err secret_init(void);
/* Hash a password (argon2id, the limits above) into dst (SECRET_HASH_MAX). */
enum pm_err secret_password_hash(const char *password, char *dst, size_t cap);
bool secret_password_verify(const char *hash, const char *password);
/* Was hash made with other limits than secret_password_hash() uses now (or
 * is it no argon2id string)?  Then it is worth hashing again at a login. */
bool secret_password_stale(const char *hash);
/* 32 random bytes as 64 lowercase hex digits. */
void secret_random_token(char dst[SECRET_TOKEN_HEX]);
/* SHA-256 of len bytes as 64 lowercase hex digits. */
void secret_sha256_hex(const void *data, size_t len, char dst[SECRET_TOKEN_HEX]);
/* Constant-time comparison of two NUL-terminated strings. */
bool secret_equal(const char *a, const char *b);

#endif
