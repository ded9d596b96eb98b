/*
 * api_json.c — strict field readers for request bodies.
 *
 * Sits between jansson and the resource decoders (api_decode.c): jansson
 * guarantees well-formed UTF-8 and exact 64-bit integers; this file adds the
 * product's rules (types, ranges, lengths, no control characters, no unknown
 * keys) and names the failing JSON path.
 */
#include "api/api_json.h"

#include <string.h>

#include "util/buf.h"

#include "core/date.h"
#include "core/text.h"

/* U+FDD0, a noncharacter: stands in for each byte of invalid UTF-8 so that
 * the text still parses and the field reader can name the field it is in
 * (api_json_text_ok refuses noncharacters). */
static const char invalid_mark[] = "\xEF\xB7\x90";

/* Length of the valid UTF-8 sequence at p[0..len), or 0 if it is not one. */
static size_t utf8_sequence(const unsigned char *p, size_t len)
{
    size_t n, k;
    uint32_t cp;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        n = 1;
        cp = p[0] & 0x1F;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        n = 2;
        cp = p[0] & 0x0F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        n = 3;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (len - 1 < n)
        return 0;
    for (k = 1; k <= n; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n + 1;
}

/* An integer literal (no fraction, no exponent) outside int64? */
static bool integer_too_big(const char *num, size_t n)
{
    size_t digits = n - (num[0] == '-');

    for (size_t i = 0; i < n; i++)
        if (num[i] == '.' || num[i] == 'e' || num[i] == 'E')
            return false;
    return digits > 19 ||
           (digits == 19 && memcmp(num + (num[0] == '-'), "9223372036854775807", 19) > 0);
}

/* Copy the body into out, replacing what jansson would refuse outright but
 * which is a field's problem, not the document's: invalid UTF-8 bytes (by
 * invalid_mark) and integers beyond 64 bits (by 1e300, which the integer
 * readers refuse).  The JSON structure itself is left for jansson to judge. */
static enum pm_err normalise(const char *text, size_t len, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)text;
    enum pm_err rc = PM_OK;
    bool in_string = false;
    size_t i = 0, n;

    while (!rc && i < len) {
        if (in_string) {
            if (p[i] == '\\' && i + 1 < len) {
                rc = buf_add(out, text + i, 2);
                i += 2;
                continue;
            }
            if (p[i] == '"')
                in_string = false;
            n = utf8_sequence(p + i, len - i);
            if (!n) {
                rc = buf_adds(out, invalid_mark);
                i++;
                continue;
            }
            rc = buf_add(out, text + i, n);
            i += n;
            continue;
        }
        if (p[i] == '"') {
            in_string = true;
        } else if (p[i] == '-' || (p[i] >= '0' && p[i] <= '9')) {
            n = 1;
            while (i + n < len && (strchr("0123456789.eE+-", p[i + n]) && p[i + n]))
                n++;
            rc = integer_too_big(text + i, n) ? buf_adds(out, text[i] == '-' ? "-1e300" : "1e300")
                                              : buf_add(out, text + i, n);
            i += n;
            continue;
        } else if (p[i] >= 0x80) {
            n = utf8_sequence(p + i, len - i);
            rc = n ? buf_add(out, text + i, n) : buf_adds(out, invalid_mark);
            i += n ? n : 1;
            continue;
        }
        rc = buf_add(out, text + i, 1);
        i++;
    }
    return rc;
}

enum pm_err api_json_parse_object(const char *text, size_t len, json_t **out, struct api_error *e)
{
    struct buf clean = BUF_INIT;
    json_error_t jerr;
    json_t *root = NULL;
    enum pm_err rc;

    *out = NULL;
    rc = normalise(text, len, &clean);
    if (rc) {
        api_error_set(e, rc, "internal_error", NULL);
        goto out;
    }
    /* JSON_ALLOW_NUL: "\u0000" inside a string is valid JSON; the text
     * readers refuse it as a control character, naming the field. */
    root = json_loadb(clean.data, clean.len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!root) {
        api_error_set(e, PM_ERR_INVALID, "malformed_json", NULL);
        rc = api_error_detail(e, "line %d: %s", jerr.line, jerr.text);
        goto out;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        api_error_set(e, PM_ERR_INVALID, "malformed_json", NULL);
        rc = api_error_detail(e, "the body is not a JSON object");
        goto out;
    }
    *out = root;
out:
    buf_release(&clean);
    return rc;
}

enum pm_err api_json_check_keys(const json_t *obj, const char *prefix, const char *const *allowed,
                                struct api_error *e)
{
    const char *key;
    json_t *value;
    size_t i;
    bool known;

    json_object_foreach((json_t *)obj, key, value)
    {
        (void)value;
        known = false;
        for (i = 0; allowed[i]; i++) {
            if (!strcmp(allowed[i], key)) {
                known = true;
                break;
            }
        }
        if (!known)
            return api_error_at(e, PM_ERR_INVALID, "unknown_field", prefix, key);
    }
    return PM_OK;
}

bool api_json_text_ok(const char *s, size_t len)
{
    return text_is_clean(s, len);
}

/* The value of key, or NULL when missing or JSON null. */
static json_t *lookup(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return v && !json_is_null(v) ? v : NULL;
}

static void set_present(bool *present, bool v)
{
    if (present)
        *present = v;
}

enum pm_err api_json_string(const json_t *obj, const char *prefix, const char *key, bool required,
                            char *dst, size_t cap, bool *present, struct api_error *e)
{
    json_t *v = lookup(obj, key);
    const char *s;
    size_t len;

    set_present(present, false);
    if (!v)
        return required ? api_error_at(e, PM_ERR_INVALID, "required", prefix, key) : PM_OK;
    if (!json_is_string(v))
        return api_error_at(e, PM_ERR_INVALID, "invalid_value", prefix, key);
    s = json_string_value(v);
    len = json_string_length(v);
    if (!api_json_text_ok(s, len))
        return api_error_at(e, PM_ERR_INVALID, "invalid_value", prefix, key);
    if (required && len == 0)
        return api_error_at(e, PM_ERR_INVALID, "required", prefix, key);
    if (len >= cap)
        return api_error_at(e, PM_ERR_RANGE, "too_long", prefix, key);
    memcpy(dst, s, len);
    dst[len] = '\0';
    set_present(present, true);
    return PM_OK;
}

enum pm_err api_json_int(const json_t *obj, const char *prefix, const char *key, bool required,
                         int64_t min, int64_t max, int64_t *dst, bool *present, struct api_error *e)
{
    json_t *v = lookup(obj, key);
    json_int_t x;

    set_present(present, false);
    if (!v)
        return required ? api_error_at(e, PM_ERR_INVALID, "required", prefix, key) : PM_OK;
    if (!json_is_integer(v))
        return api_error_at(e, PM_ERR_INVALID, "invalid_value", prefix, key);
    x = json_integer_value(v);
    if (x < min || x > max)
        return api_error_at(e, PM_ERR_RANGE, "out_of_range", prefix, key);
    *dst = (int64_t)x;
    set_present(present, true);
    return PM_OK;
}

enum pm_err api_json_bool(const json_t *obj, const char *prefix, const char *key, bool required,
                          bool *dst, bool *present, struct api_error *e)
{
    json_t *v = lookup(obj, key);

    set_present(present, false);
    if (!v)
        return required ? api_error_at(e, PM_ERR_INVALID, "required", prefix, key) : PM_OK;
    if (!json_is_boolean(v))
        return api_error_at(e, PM_ERR_INVALID, "invalid_value", prefix, key);
    *dst = json_is_true(v);
    set_present(present, true);
    return PM_OK;
}

enum pm_err api_json_date(const json_t *obj, const char *prefix, const char *key, bool required,
                          int32_t *dst, bool *present, struct api_error *e)
{
    char text[16];
    int32_t d;
    bool have = false;
    enum pm_err rc;

    set_present(present, false);
    rc = api_json_string(obj, prefix, key, required, text, sizeof(text), &have, e);
    if (rc == PM_ERR_RANGE)
        return api_error_at(e, PM_ERR_INVALID, "invalid_value", prefix, key);
    if (rc || !have)
        return rc;
    if (date_parse_iso(text, &d))
        return api_error_at(e, PM_ERR_INVALID, "invalid_value", prefix, key);
    *dst = d;
    set_present(present, true);
    return PM_OK;
}

enum pm_err api_json_enum(const json_t *obj, const char *prefix, const char *key, bool required,
                          const char *const *names, int *dst, bool *present, struct api_error *e)
{
    char text[64];
    bool have = false;
    enum pm_err rc;
    int i;

    set_present(present, false);
    rc = api_json_string(obj, prefix, key, required, text, sizeof(text), &have, e);
    if (rc == PM_ERR_RANGE)
        return api_error_at(e, PM_ERR_INVALID, "invalid_value", prefix, key);
    if (rc || !have)
        return rc;
    for (i = 0; names[i]; i++) {
        if (!strcmp(names[i], text)) {
            *dst = i;
            set_present(present, true);
            return PM_OK;
        }
    }
    return api_error_at(e, PM_ERR_INVALID, "invalid_value", prefix, key);
}
