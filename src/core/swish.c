/*
 * swish.c — Swish numbers and the payment QR code's text (see swish.h).
 *
 * Part of core/: pure, no I/O.
 */
#include "core/swish.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/money.h"

enum pm_err swish_number_parse(const char *s, char dst[SWISH_NUMBER_MAX], struct pm_error *e)
{
    char digits[SWISH_NUMBER_MAX];
    size_t n = 0, i;

    for (i = 0; s[i]; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (n == SWISH_NUMBER_DIGITS)
                return pm_error_set(e, PM_ERR_INVALID, "swish_number",
                                    "a Swish number has 10 digits, this has more");
            digits[n++] = s[i];
        } else if ((s[i] == ' ' || s[i] == '-') && n > 0 && s[i + 1]) {
            continue;
        } else {
            return pm_error_set(e, PM_ERR_INVALID, "swish_number",
                                "a Swish number is digits (blanks and dashes between them)");
        }
    }
    if (n != SWISH_NUMBER_DIGITS)
        return pm_error_set(e, PM_ERR_INVALID, "swish_number",
                            "a Swish number has 10 digits, this has %zu", n);
    digits[n] = '\0';
    if (strncmp(digits, "123", 3) != 0)
        return pm_error_set(e, PM_ERR_INVALID, "swish_number",
                            "a Swish för företag number begins with 123");
    memcpy(dst, digits, sizeof(digits));
    return PM_OK;
}

static bool normalised(const char *number)
{
    size_t i;

    for (i = 0; i < SWISH_NUMBER_DIGITS; i++) {
        if (number[i] < '0' || number[i] > '9')
            return false;
    }
    return number[SWISH_NUMBER_DIGITS] == '\0';
}

void swish_number_display(const char *number, char dst[SWISH_DISPLAY_MAX])
{
    if (!normalised(number)) {
        snprintf(dst, SWISH_DISPLAY_MAX, "%s", number);
        return;
    }
    snprintf(dst, SWISH_DISPLAY_MAX, "%.3s %.3s %.2s %.2s", number, number + 3, number + 6,
             number + 8);
}

/* URL-encode (RFC 3986 unreserved characters stay) into dst; false when it
 * does not fit. */
static bool url_encode(const char *s, char *dst, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool plain = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     c == '-' || c == '.' || c == '_' || c == '~';

        if (o + (plain ? 1 : 3) >= cap)
            return false;
        if (plain) {
            dst[o++] = (char)c;
        } else {
            dst[o++] = '%';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        }
    }
    dst[o] = '\0';
    return true;
}

enum pm_err swish_payload(const char *number, int64_t amount_minor, const char *message,
                          char dst[SWISH_PAYLOAD_MAX], struct pm_error *e)
{
    char msg[SWISH_MESSAGE_MAX * 3 + 1];
    size_t len = strlen(message);

    if (!normalised(number) || strncmp(number, "123", 3) != 0)
        return pm_error_set(e, PM_ERR_INVALID, "swish_number", "not a Swish för företag number");
    if (amount_minor <= 0 || amount_minor > MONEY_MAX)
        return pm_error_set(e, PM_ERR_INVALID, "amount_minor",
                            "a Swish payment is of a positive amount");
    if (len == 0 || len > SWISH_MESSAGE_MAX || !url_encode(message, msg, sizeof(msg)))
        return pm_error_set(e, PM_ERR_INVALID, "message", "the message is 1 to %d characters",
                            SWISH_MESSAGE_MAX);
    snprintf(dst, SWISH_PAYLOAD_MAX, "C%s;%lld,%02lld;%s;0", number,
             (long long)(amount_minor / 100), (long long)(amount_minor % 100), msg);
    return PM_OK;
}
