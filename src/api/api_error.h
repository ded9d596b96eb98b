/*
 * api_error.h — the one place where a failure becomes an HTTP answer.
 *
 * Handlers and parsers of src/api never build error JSON: they fill a
 * struct api_error (the result code of the operation, the API's snake_case
 * code, the JSON path or query parameter at fault) and return.  The server
 * turns it into the status and the body
 * {"error":{"code":"...","message":"...","field":"..."}} with
 * api_error_render(), in Swedish or English.
 */
#ifndef PM_API_ERROR_H
#define PM_API_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app_error.h"
#include "util/err.h"

struct api_error {
    enum pm_err rc;   /* PM_OK = no error */
    const char *code; /* static snake_case code; NULL = derived from rc */
    char field[96];   /* JSON path ("lines[0].vat_rate_bp") or parameter; "" = none */
    char detail[256]; /* English detail for the access log only, never sent */
    int retry_after;  /* seconds, sent as Retry-After when > 0 */
    /* a JSON object whose members are added to the error object
     * ({"impact": {...}}, {"reason": "..."}), or "" for none */
    char extra[1536];
};

/* The failure of an application operation (app/app_error.h) as the
 * request's error; returns its result. */
enum pm_err api_error_from_app(struct api_error *e, const struct app_error *ae);

/* Reset *e to "no error". */
void api_error_clear(struct api_error *e);

/* Fill *e and return rc (so `return api_error_set(...)` reads naturally).
 * code may be NULL (derived from rc); field may be NULL or "". */
enum pm_err api_error_set(struct api_error *e, enum pm_err rc, const char *code, const char *field);
/* As api_error_set() with field = prefix followed by key ("lines[2]." "labour"). */
enum pm_err api_error_at(struct api_error *e, enum pm_err rc, const char *code, const char *prefix,
                         const char *key);
/* Attach an English detail for the log (printf-style); returns e->rc. */
enum pm_err api_error_detail(struct api_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set e->extra to the JSON object text (truncated text is dropped, never
 * sent half); returns e->rc. */
enum pm_err api_error_extra(struct api_error *e, const char *json_object_text);

/* The API code of an error: e->code, or the code for e->rc. */
const char *api_error_code(const struct api_error *e);
/* The HTTP status of an error (400..599). */
int api_error_status(const struct api_error *e);
/* The human message of a code in Swedish or English ("" never: unknown
 * codes get a generic text). */
const char *api_error_message(const char *code, bool english);

/* The JSON body of the error.  On success *body is a malloc'ed,
 * NUL-terminated string the caller frees (or hands to MHD with
 * MHD_RESPMEM_MUST_FREE) and *status the HTTP status.  PM_ERR_NOMEM when the
 * body cannot be built. */
enum pm_err api_error_render(const struct api_error *e, bool english, int *status, char **body,
                             size_t *len);

#endif
