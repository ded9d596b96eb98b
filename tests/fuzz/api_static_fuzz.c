/*
 * api_static_fuzz.c — libFuzzer target for the static file path of the web
 * UI (src/api/api_static.c), which maps the URL path of any request that
 * is not an API route to a file under the web directory.
 *
 * The first byte picks the output capacity (a short buffer now and then);
 * the rest, up to a NUL, is the URL path, given once as sent and once after
 * libmicrohttpd's own percent-decoding (what the server really passes on:
 * "%2e%2e" is ".." and "%00" ends the text there).  Properties of an
 * accepted path:
 *  - the file is the web directory, a slash and the path (or index.html),
 *    with nothing cut short and nothing added;
 *  - walking its segments never leaves the web root: no "..", no "." and
 *    no empty segment, no backslash, no control byte or DEL anywhere;
 *  - a path that does not fit the buffer is refused, never cut short.
 * Seeds: tests/fuzz/seeds/api_static_fuzz/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api/api_static.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define URL_MAX 4096
#define WEB_DIR "/srv/paminn/web"

/* rest (what follows the web directory) stays inside the root: with a
 * slash appended, no "//", "/./" or "/../" anywhere, and no backslash,
 * control byte or DEL. */
static void inside_root(const char *rest)
{
    char walk[URL_MAX + 16];
    const unsigned char *p;
    int n = snprintf(walk, sizeof(walk), "%s/", rest);

    if (n < 0 || (size_t)n >= sizeof(walk))
        abort();
    if (rest[0] != '/')
        abort(); /* glued to the directory name: /srv/paminn/web2/... */
    if (strstr(walk, "//") || strstr(walk, "/./") || strstr(walk, "/../"))
        abort(); /* an empty step, a no-op step or a step up */
    for (p = (const unsigned char *)rest; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '\\')
            abort();
    }
}

static void check(const char *url, size_t cap)
{
    char dst[URL_MAX + sizeof(WEB_DIR) + 16];
    size_t dir_len = strlen(WEB_DIR), want_len;
    const char *want;

    memset(dst, 'X', sizeof(dst));
    if (!api_static_path(WEB_DIR, url, dst, cap))
        return;
    want = strcmp(url, "/") == 0 ? "/index.html" : url;
    want_len = strlen(want);
    if (dir_len + want_len >= cap)
        abort(); /* said yes to a path that does not fit */
    if (memchr(dst, '\0', cap) == NULL)
        abort(); /* not terminated inside the buffer */
    if (strncmp(dst, WEB_DIR, dir_len) != 0 || strcmp(dst + dir_len, want) != 0)
        abort(); /* not the web directory and the path as asked */
    inside_root(dst + dir_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char url[URL_MAX];
    size_t n, cap;

    if (size < 1)
        return 0;
    /* mostly the server's own buffer, sometimes a short one */
    cap = data[0] < 0xf0 ? URL_MAX : (size_t)(data[0] - 0xef) * 4;
    n = size - 1 < URL_MAX - 1 ? size - 1 : URL_MAX - 1;
    memcpy(url, data + 1, n);
    url[n] = '\0';

    check(url, cap);
    MHD_http_unescape(url);
    check(url, cap);
    return 0;
}
