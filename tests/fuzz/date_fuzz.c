/*
 * date_fuzz.c — libFuzzer target for date_parse_iso() / date_format_iso().
 *
 * An accepted date must format back to exactly the input text (the parser
 * is strict, so there is one spelling per date) and survive the
 * ymd round trip; the input also drives date_add_months().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char input[64];
    char text[DATE_ISO_LEN + 1];
    int32_t day = 0, again = 0, moved = 0;
    int y, m, d;

    if (size >= sizeof(input))
        return 0;
    memcpy(input, data, size);
    input[size] = '\0';
    if (date_parse_iso(input, &day) != PM_OK)
        return 0;
    date_format_iso(day, text);
    if (strcmp(text, input) != 0)
        abort();
    if (date_parse_iso(text, &again) != PM_OK || again != day)
        abort();
    date_to_ymd(day, &y, &m, &d);
    if (!date_valid(y, m, d) || date_from_ymd(y, m, d, &again) != PM_OK || again != day)
        abort();
    /* Month arithmetic stays on a real date or says why not. */
    if (date_add_months(day, (int)(day % 50) - 25, &moved) == PM_OK) {
        date_to_ymd(moved, &y, &m, &d);
        if (!date_valid(y, m, d))
            abort();
    }
    if (date_weekday(day) < 0 || date_weekday(day) > 6)
        abort();
    return 0;
}
