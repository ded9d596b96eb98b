/*
 * text.c — what text a user may give (see text.h).
 *
 * Part of core/: a pure function, no I/O.  The HTTP API (api/api_json.c)
 * and the command line (cli/cli.c) both ask it, so names read the same
 * wherever they were typed.
 */
#include "core/text.h"

#include <stdint.h>

bool text_is_clean(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n, k;
    uint32_t cp;

    while (i < len) {
        if (p[i] < 0x80) {
            if (p[i] < 0x20 || p[i] == 0x7F)
                return false;
            i++;
            continue;
        }
        if (p[i] >= 0xC2 && p[i] <= 0xDF) {
            n = 1;
            cp = p[i] & 0x1F;
        } else if (p[i] >= 0xE0 && p[i] <= 0xEF) {
            n = 2;
            cp = p[i] & 0x0F;
        } else if (p[i] >= 0xF0 && p[i] <= 0xF4) {
            n = 3;
            cp = p[i] & 0x07;
        } else {
            return false;
        }
        if (len - i - 1 < n)
            return false;
        for (k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F) ||
            (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE ||
            (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
            return false; /* ... and bidi embeddings, overrides and isolates: text
                           * shown reordered ("Trojan Source") in lists and letters */
        i += n + 1;
    }
    return true;
}
