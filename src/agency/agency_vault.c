/*
 * agency_vault.c — the secret key of `paminn serve` and sealing with it.
 *
 * Secrets the product keeps for the agency (today: the partner's access
 * token) are stored sealed with libsodium's crypto_secretbox (XSalsa20 +
 * Poly1305) under a 32-byte key read from --secret-key FILE.  When no file
 * is configured, var/secret.key is created with mode 0600 on first use
 * (docs/agency.md).  A sealed blob is nonce (24 bytes) + MAC (16) +
 * ciphertext; one opened with another key is refused.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agency/agency.h"
#include "util/buf.h"

_Static_assert(AGENCY_SEAL_OVERHEAD == crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES,
               "seal overhead");
_Static_assert(AGENCY_SECRET_KEY_BYTES == crypto_secretbox_KEYBYTES, "key size");

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 64 hex digits (surrounding white space allowed) or exactly 32 raw bytes. */
static enum pm_err decode_key(const struct buf *b, unsigned char key[AGENCY_SECRET_KEY_BYTES])
{
    const char *p = b->data;
    size_t n = b->len, i;

    while (n > 0 && isspace((unsigned char)p[n - 1]))
        n--;
    while (n > 0 && isspace((unsigned char)*p)) {
        p++;
        n--;
    }
    if (n == 2 * AGENCY_SECRET_KEY_BYTES) {
        for (i = 0; i < AGENCY_SECRET_KEY_BYTES; i++) {
            int hi = hexval((unsigned char)p[2 * i]), lo = hexval((unsigned char)p[2 * i + 1]);

            if (hi < 0 || lo < 0)
                goto raw;
            key[i] = (unsigned char)(hi * 16 + lo);
        }
        return PM_OK;
    }
raw:
    if (b->len == AGENCY_SECRET_KEY_BYTES) {
        memcpy(key, b->data, AGENCY_SECRET_KEY_BYTES);
        return PM_OK;
    }
    return PM_ERR_INVALID;
}

static enum pm_err create_key(const char *path, unsigned char key[AGENCY_SECRET_KEY_BYTES],
                              struct pm_error *e)
{
    char hex[2 * AGENCY_SECRET_KEY_BYTES + 2], dir[4096];
    const char *slash = strrchr(path, '/');
    enum pm_err rc = PM_OK;
    ssize_t w;
    int fd;

    if (slash && slash != path && (size_t)(slash - path) < sizeof(dir)) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return pm_error_set(e, PM_ERR_IO, "secret_key", "cannot create %s: %s", dir,
                                strerror(errno));
    }
    randombytes_buf(key, AGENCY_SECRET_KEY_BYTES);
    sodium_bin2hex(hex, sizeof(hex), key, AGENCY_SECRET_KEY_BYTES);
    hex[2 * AGENCY_SECRET_KEY_BYTES] = '\n';
    hex[2 * AGENCY_SECRET_KEY_BYTES + 1] = '\0';
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return pm_error_set(e, PM_ERR_IO, "secret_key", "cannot create %s: %s", path,
                            strerror(errno));
    w = write(fd, hex, strlen(hex));
    if (w != (ssize_t)strlen(hex))
        rc = pm_error_set(e, PM_ERR_IO, "secret_key", "cannot write %s", path);
    if (close(fd) != 0 && !rc)
        rc = pm_error_set(e, PM_ERR_IO, "secret_key", "cannot write %s", path);
    sodium_memzero(hex, sizeof(hex));
    return rc;
}

enum pm_err agency_vault_key(const char *path, bool create,
                             unsigned char key[AGENCY_SECRET_KEY_BYTES], struct pm_error *e)
{
    struct buf b = BUF_INIT;
    enum pm_err rc;

    if (sodium_init() < 0)
        return pm_error_set(e, PM_ERR_INTERNAL, "", "libsodium failed to initialise");
    if (create && access(path, F_OK) != 0 && errno == ENOENT)
        return create_key(path, key, e);
    rc = buf_read_file(&b, path, 4096);
    if (rc) {
        pm_error_set(e, rc, "secret_key", "cannot read the secret key file %s", path);
        goto out_release;
    }
    rc = decode_key(&b, key);
    if (rc)
        pm_error_set(e, rc, "secret_key",
                     "%s must hold 32 random bytes or 64 hex digits (e.g. openssl rand -hex 32)",
                     path);
out_release:
    if (b.len)
        sodium_memzero(b.data, b.len);
    buf_release(&b);
    return rc;
}

enum pm_err agency_vault_seal(const unsigned char key[AGENCY_SECRET_KEY_BYTES], const void *data,
                              size_t len, unsigned char *out, size_t cap, size_t *out_len)
{
    if (cap < len + AGENCY_SEAL_OVERHEAD)
        return PM_ERR_RANGE;
    randombytes_buf(out, crypto_secretbox_NONCEBYTES);
    if (crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, data, len, out, key) != 0)
        return PM_ERR_INTERNAL;
    *out_len = len + AGENCY_SEAL_OVERHEAD;
    return PM_OK;
}

enum pm_err agency_vault_open(const unsigned char key[AGENCY_SECRET_KEY_BYTES],
                              const unsigned char *sealed, size_t len, void *out, size_t cap,
                              size_t *out_len)
{
    if (len < AGENCY_SEAL_OVERHEAD || cap < len - AGENCY_SEAL_OVERHEAD)
        return PM_ERR_INVALID;
    if (crypto_secretbox_open_easy(out, sealed + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, sealed, key) != 0)
        return PM_ERR_INVALID;
    *out_len = len - AGENCY_SEAL_OVERHEAD;
    return PM_OK;
}
