/*
 * cli.c — what the subcommands of the command line share: error lines,
 * strict integer options, the company's local date.
 *
 * Part of src/cli (see cli.h).
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/text.h"

void cli_errorf(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "paminn %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool cli_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end = NULL;
    long long v;

    if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || !end || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

int32_t cli_today(const struct cli *c)
{
    return date_local_from_utc(c->tz, clock_now_s(&c->clock));
}

bool cli_text_ok(const char *cmd, const char *option, const char *value, size_t cap)
{
    size_t len = strlen(value);

    if (cap && len >= cap) {
        cli_errorf(cmd, "%s: longer than %zu bytes", option, cap - 1);
        return false;
    }
    if (!text_is_clean(value, len)) {
        cli_errorf(cmd,
                   "%s: not valid UTF-8 text, or it holds control characters or bidi "
                   "embeddings, overrides or isolates (U+202A-U+202E, U+2066-U+2069)",
                   option);
        return false;
    }
    return true;
}
