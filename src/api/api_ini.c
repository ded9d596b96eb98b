/*
 * api_ini.c — a strict parser for the [server] section of an INI file.
 */
#include "api/api_ini.h"

#include <string.h>

#define API_INI_LINE_MAX 1024

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Trim [*s, *e) of surrounding blanks. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s))
        (*s)++;
    while (*e > *s && is_space((*e)[-1]))
        (*e)--;
}

static bool parse_uint(const char *s, size_t n, int64_t max, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    if (n == 0 || n > 12 || (n > 1 && s[0] == '0'))
        return false;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > max)
        return false;
    *out = v;
    return true;
}

static enum pm_err set_text(char *dst, bool *has, const char *v, size_t n, int line,
                            const char *key, struct pm_error *e)
{
    if (*has)
        return pm_error_set(e, PM_ERR_INVALID, key, "line %d: '%s' given twice", line, key);
    if (n == 0 || n >= API_INI_VALUE_MAX)
        return pm_error_set(e, PM_ERR_INVALID, key, "line %d: bad length of '%s'", line, key);
    memcpy(dst, v, n);
    dst[n] = '\0';
    *has = true;
    return PM_OK;
}

static enum pm_err set_number(int64_t *dst, bool *has, const char *v, size_t n, int64_t max,
                              int line, const char *key, struct pm_error *e)
{
    if (*has)
        return pm_error_set(e, PM_ERR_INVALID, key, "line %d: '%s' given twice", line, key);
    if (!parse_uint(v, n, max, dst))
        return pm_error_set(e, PM_ERR_INVALID, key, "line %d: '%s' must be a number 1..%lld", line,
                            key, (long long)max);
    *has = true;
    return PM_OK;
}

static enum pm_err server_key(struct api_ini *out, const char *k, size_t kn, const char *v,
                              size_t vn, int line, struct pm_error *e)
{
    if (kn == 2 && !memcmp(k, "db", 2))
        return set_text(out->db, &out->has_db, v, vn, line, "db", e);
    if (kn == 7 && !memcmp(k, "db_read", 7))
        return set_text(out->db_read, &out->has_db_read, v, vn, line, "db_read", e);
    if (kn == 6 && !memcmp(k, "listen", 6))
        return set_text(out->listen, &out->has_listen, v, vn, line, "listen", e);
    if (kn == 8 && !memcmp(k, "data_dir", 8))
        return set_text(out->data_dir, &out->has_data_dir, v, vn, line, "data_dir", e);
    if (kn == 8 && !memcmp(k, "smtp_url", 8))
        return set_text(out->smtp_url, &out->has_smtp_url, v, vn, line, "smtp_url", e);
    if (kn == 9 && !memcmp(k, "smtp_user", 9))
        return set_text(out->smtp_user, &out->has_smtp_user, v, vn, line, "smtp_user", e);
    if (kn == 18 && !memcmp(k, "smtp_password_file", 18))
        return set_text(out->smtp_password_file, &out->has_smtp_password_file, v, vn, line,
                        "smtp_password_file", e);
    if (kn == 9 && !memcmp(k, "smtp_from", 9))
        return set_text(out->smtp_from, &out->has_smtp_from, v, vn, line, "smtp_from", e);
    if (kn == 8 && !memcmp(k, "smtp_tls", 8))
        return set_text(out->smtp_tls, &out->has_smtp_tls, v, vn, line, "smtp_tls", e);
    if (kn == 7 && !memcmp(k, "threads", 7))
        return set_number(&out->threads, &out->has_threads, v, vn, 256, line, "threads", e);
    if (kn == 8 && !memcmp(k, "max_body", 8))
        return set_number(&out->max_body, &out->has_max_body, v, vn, INT64_C(1) << 30, line,
                          "max_body", e);
    return pm_error_set(e, PM_ERR_INVALID, "", "line %d: unknown key '%.*s' in [server]", line,
                        (int)(kn > 40 ? 40 : kn), k);
}

enum pm_err api_ini_parse(const char *text, size_t len, struct api_ini *out, struct pm_error *e)
{
    const char *p = text, *end = text + len, *eol, *s, *t, *eq, *ks, *ke, *vs, *ve;
    bool in_server = false, in_section = false;
    enum pm_err rc = PM_OK;
    int line = 0;

    memset(out, 0, sizeof(*out));
    if (memchr(text, '\0', len))
        return pm_error_set(e, PM_ERR_INVALID, "", "the file contains a NUL byte");
    while (p < end) {
        line++;
        eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        s = p;
        t = eol;
        p = eol < end ? eol + 1 : end;
        if (t - s > API_INI_LINE_MAX)
            return pm_error_set(e, PM_ERR_INVALID, "", "line %d: too long", line);
        trim(&s, &t);
        if (s == t || *s == ';' || *s == '#')
            continue;
        if (*s == '[') {
            if (t[-1] != ']' || t - s < 3)
                return pm_error_set(e, PM_ERR_INVALID, "", "line %d: bad section header", line);
            ks = s + 1;
            ke = t - 1;
            trim(&ks, &ke);
            in_section = true;
            in_server = ke - ks == 6 && !memcmp(ks, "server", 6);
            continue;
        }
        eq = memchr(s, '=', (size_t)(t - s));
        if (!eq)
            return pm_error_set(e, PM_ERR_INVALID, "", "line %d: expected key = value", line);
        if (!in_section)
            return pm_error_set(e, PM_ERR_INVALID, "", "line %d: key outside a section", line);
        if (!in_server)
            continue;
        ks = s;
        ke = eq;
        vs = eq + 1;
        ve = t;
        trim(&ks, &ke);
        trim(&vs, &ve);
        if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
            vs++;
            ve--;
        }
        rc = server_key(out, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs), line, e);
        if (rc)
            return rc;
    }
    return rc;
}
