/*
 * money_fuzz.c — libFuzzer target for money_parse() and money_format*().
 *
 * Any input must be parsed or refused without a crash; an accepted amount
 * must stay within MONEY_MAX, and formatting it and parsing the text back
 * must give the same öre, or the target aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char input[256];
    char text[MONEY_FORMAT_MAX];
    int64_t v = 0, again = 0;
    size_t n;

    if (size >= sizeof(input))
        return 0;
    memcpy(input, data, size);
    input[size] = '\0';
    if (money_parse(input, &v) != PM_OK)
        return 0;
    if (v > MONEY_MAX || v < -MONEY_MAX)
        abort();
    n = money_format_plain(v, text, sizeof(text));
    if (n >= sizeof(text) || money_parse(text, &again) != PM_OK || again != v)
        abort();
    n = money_format(v, text, sizeof(text));
    if (n >= sizeof(text) || n < 6 || memcmp(text + n - 4, "\xc2\xa0kr", 4) != 0)
        abort();
    return 0;
}
