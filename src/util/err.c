/*
 * err.c — names and detail for enum pm_err (see err.h).
 */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *pm_err_name(enum pm_err rc)
{
    switch (rc) {
    case PM_OK:
        return "ok";
    case PM_ERR_NOMEM:
        return "out_of_memory";
    case PM_ERR_INVALID:
        return "invalid";
    case PM_ERR_RANGE:
        return "out_of_range";
    case PM_ERR_OVERFLOW:
        return "overflow";
    case PM_ERR_NOT_FOUND:
        return "not_found";
    case PM_ERR_CONFLICT:
        return "conflict";
    case PM_ERR_UNKNOWN_RATE:
        return "rate_unknown";
    case PM_ERR_IO:
        return "io_error";
    case PM_ERR_DB:
        return "database_error";
    case PM_ERR_BUSY:
        return "busy";
    case PM_ERR_INTERNAL:
        return "internal_error";
    }
    return "unknown_error";
}

enum pm_err pm_error_set(struct pm_error *e, enum pm_err rc, const char *field, const char *fmt,
                         ...)
{
    va_list ap;

    if (!e)
        return rc;
    e->code = rc;
    snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return rc;
}

void pm_error_clear(struct pm_error *e)
{
    if (!e)
        return;
    memset(e, 0, sizeof(*e));
}
