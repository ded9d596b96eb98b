/*
 * app_error.h — how an application operation says why it failed.
 *
 * Part of src/app.  Every operation of the application layer returns an
 * enum pm_err and, on failure, fills a struct app_error owned by the
 * caller: the result, the snake_case code of the product's vocabulary
 * ("handed_over", "nothing_left", ...), the input at fault (a JSON-style
 * path such as "invoice_id" or "lines[2].vat_rate_bp"), an English detail
 * for logs, and, where a code carries more than a message, extra members
 * as a JSON object text ({"reason": "..."}, {"impact": {...}}).
 *
 * The codes and their Swedish and English messages live here, so that the
 * HTTP API (api/api_error.c maps a code to a status and a JSON body) and
 * the command line (prints the message) tell the user the same thing.
 */
#ifndef PM_APP_ERROR_H
#define PM_APP_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct app_error {
    enum pm_err rc;   /* PM_OK = no error */
    const char *code; /* static snake_case code; NULL = derived from rc */
    char field[96];   /* the input at fault; "" = none */
    char detail[256]; /* English detail for the log only, never shown to users */
    char extra[1536]; /* JSON object text of further members, or "" */
};

/* Reset *e to "no error". */
void app_error_clear(struct app_error *e);

/* Fill *e (may be NULL) and return rc.  code may be NULL (derived from rc);
 * field may be NULL or "". */
enum pm_err app_error_set(struct app_error *e, enum pm_err rc, const char *code, const char *field);
/* As app_error_set() with field = prefix followed by key ("lines[2]." "labour"). */
enum pm_err app_error_at(struct app_error *e, enum pm_err rc, const char *code, const char *prefix,
                         const char *key);
/* Attach an English detail for the log (printf-style); returns e->rc. */
enum pm_err app_error_detail(struct app_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Set e->extra to a JSON object text (text that does not fit is dropped,
 * never kept half); returns e->rc. */
enum pm_err app_error_extra(struct app_error *e, const char *json_object_text);
/* Write prefix followed by key into dst[cap] (a field name), cut, when too
 * long, at a whole UTF-8 character. */
void app_error_field(char *dst, size_t cap, const char *prefix, const char *key);

/* The code of an error: e->code when it is one of the vocabulary, else the
 * code of e->rc (not_found, conflict, invalid_value, out_of_range, busy,
 * internal_error). */
const char *app_error_code(const struct app_error *e);
/* The code of a result alone: not_found, conflict, invalid_value,
 * out_of_range, busy or internal_error. */
const char *app_error_code_of(enum pm_err rc);
/* Is code one of the application's vocabulary? */
bool app_error_known(const char *code);
/* The message of a code of the vocabulary in Swedish or English; NULL for
 * a code the application does not speak. */
const char *app_error_message(const char *code, bool english);

#endif
