/*
 * tz_fuzz.c — libFuzzer target for tz_parse() on arbitrary bytes.
 *
 * The parser must refuse or accept without reading outside the input (ASan
 * watches); an accepted zone must answer tz_offset() at any instant with
 * an offset inside the bounds the parser promises (-25 h .. +26 h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "util/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t instants[] = {
        INT64_MIN, -2208988800, -1, 0, 1, 1743296400, 1761440400, 2147483648, 2374102800, INT64_MAX,
    };
    struct tz *tz = NULL;

    if (tz_parse(data, size, &tz) != PM_OK)
        return 0;
    for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
        int32_t off = tz_offset(tz, instants[i]);

        if (off < -25 * 3600 || off > 26 * 3600)
            abort();
    }
    tz_free(&tz);
    return 0;
}
