/*
 * api_json.h — strict readers of request JSON (jansson).
 *
 * Every field of a request body goes through one of these: the type must be
 * exactly right (an integer is not a string, 1.0 is not an integer), text is
 * valid UTF-8 without control characters and within its byte limit, numbers
 * are within their range, and keys nobody asked for are refused.  A failure
 * fills the struct api_error with the 422 code and the field's JSON path,
 * built from a prefix ("lines[0].") and the key.
 *
 * Optional fields: a missing key (or JSON null) leaves *dst untouched and
 * sets *present (when not NULL) to false.  Required fields: missing, null or
 * (for text) empty is "required".
 */
#ifndef PM_API_JSON_H
#define PM_API_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api_error.h"

/* Parse a request body that must be one JSON object (duplicate keys
 * refused).  On success *out is a new reference the caller json_decref()s;
 * otherwise 400 malformed_json. */
enum pm_err api_json_parse_object(const char *text, size_t len, json_t **out, struct api_error *e);

/* Refuse any key of obj not in allowed (NULL-terminated): unknown_field with
 * field = prefix + the key. */
enum pm_err api_json_check_keys(const json_t *obj, const char *prefix, const char *const *allowed,
                                struct api_error *e);

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates) without
 * C0/C1 control characters, DEL or bidi embeddings, overrides and isolates
 * (U+202A..U+202E, U+2066..U+2069): core/text.h's rule, which the command
 * line applies too. */
bool api_json_text_ok(const char *s, size_t len);

/* Text into dst[cap]: longer than cap - 1 bytes is too_long. */
enum pm_err api_json_string(const json_t *obj, const char *prefix, const char *key, bool required,
                            char *dst, size_t cap, bool *present, struct api_error *e);
/* An integer in [min, max] (out_of_range otherwise; non-integers invalid_value). */
enum pm_err api_json_int(const json_t *obj, const char *prefix, const char *key, bool required,
                         int64_t min, int64_t max, int64_t *dst, bool *present,
                         struct api_error *e);
enum pm_err api_json_bool(const json_t *obj, const char *prefix, const char *key, bool required,
                          bool *dst, bool *present, struct api_error *e);
/* A "YYYY-MM-DD" date as a day number. */
enum pm_err api_json_date(const json_t *obj, const char *prefix, const char *key, bool required,
                          int32_t *dst, bool *present, struct api_error *e);
/* One of the NULL-terminated names; *dst = its index. */
enum pm_err api_json_enum(const json_t *obj, const char *prefix, const char *key, bool required,
                          const char *const *names, int *dst, bool *present, struct api_error *e);

#endif
