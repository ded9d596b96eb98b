/*
 * err.h — the one result type of Påminn.
 *
 * Every operation that can fail returns enum pm_err; PM_OK is 0 so that
 * `if (rc) goto out;` reads naturally.  Questions return bool, constructors
 * return NULL.  Detail (which field, which database message) travels beside
 * the code in a struct pm_error owned by the caller, and is turned into an
 * HTTP status and JSON body in exactly one place (src/api).
 */
#ifndef PM_ERR_H
#define PM_ERR_H

#include <stddef.h>

enum pm_err {
    PM_OK = 0,
    PM_ERR_NOMEM,        /* an allocation failed */
    PM_ERR_INVALID,      /* malformed input: syntax, type, checksum */
    PM_ERR_RANGE,        /* well-formed but outside the allowed range */
    PM_ERR_OVERFLOW,     /* arithmetic would overflow int64 */
    PM_ERR_NOT_FOUND,    /* no such object (in this company) */
    PM_ERR_CONFLICT,     /* state conflict: already handed over, duplicate key */
    PM_ERR_UNKNOWN_RATE, /* no reference rate known for a needed date */
    PM_ERR_IO,           /* file or network I/O failed */
    PM_ERR_DB,           /* the database refused or failed */
    PM_ERR_BUSY,         /* try again later: locked, rate limited */
    PM_ERR_INTERNAL,     /* a bug: an invariant did not hold */
};

/* A failed operation's detail, filled by the callee, owned by the caller.
 * `field` names the offending input (e.g. "customer.zip_code") or is empty;
 * `message` is English text for logs and developers. */
struct pm_error {
    enum pm_err code;
    char field[64];
    char message[256];
};

/* The stable snake_case name of a result ("invalid", "not_found", ...). */
const char *pm_err_name(enum pm_err rc);

/* Fill *e (if not NULL) and return rc, so callers can write
 * `return pm_error_set(e, PM_ERR_INVALID, "due_date", "not a date: %s", s);` */
enum pm_err pm_error_set(struct pm_error *e, enum pm_err rc, const char *field, const char *fmt,
                         ...) __attribute__((format(printf, 4, 5)));

/* Reset *e to "no error". */
void pm_error_clear(struct pm_error *e);

#endif
