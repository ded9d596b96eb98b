/*
 * api_static.c — URL path to file path, content types and cache
 * validators for the web UI's static files (see api_static.h).
 */
#include "api/api_static.h"

#include <stdio.h>
#include <string.h>

bool api_static_path(const char *web_dir, const char *url_path, char *dst, size_t cap)
{
    const char *p, *seg;
    size_t len;
    int n;

    if (url_path[0] != '/')
        return false;
    if (url_path[1] == '\0')
        url_path = "/index.html";
    for (p = url_path + 1;;) {
        seg = p;
        while (*p && *p != '/')
            p++;
        len = (size_t)(p - seg);
        if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        if (!*p)
            break;
        p++;
    }
    for (p = url_path; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
            return false;
    }
    n = snprintf(dst, cap, "%s%s", web_dir, url_path);
    return n > 0 && (size_t)n < cap;
}

const char *api_static_content_type(const char *file)
{
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".json", "application/json; charset=utf-8"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(file, '.'), *slash = strrchr(file, '/');
    size_t i;

    if (dot && (!slash || dot > slash)) {
        for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
            if (!strcmp(dot, types[i].ext))
                return types[i].type;
        }
    }
    return "application/octet-stream";
}

void api_static_etag(uint64_t size, int64_t mtime_ns, char *dst)
{
    snprintf(dst, API_STATIC_ETAG_MAX, "\"%llx-%llx\"", (unsigned long long)size,
             (unsigned long long)mtime_ns);
}

bool api_static_etag_matches(const char *if_none_match, const char *etag)
{
    const char *p, *end;
    size_t len = strlen(etag);

    if (!if_none_match)
        return false;
    for (p = if_none_match; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        end = p;
        while (*end && *end != ',')
            end++;
        while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end - p == 1 && *p == '*')
            return true;
        /* a weak validator (W/"...") compares equal for a GET */
        if (end - p > 2 && p[0] == 'W' && p[1] == '/')
            p += 2;
        if ((size_t)(end - p) == len && !memcmp(p, etag, len))
            return true;
        p = end;
    }
    return false;
}

const char *api_static_cache_control(bool versioned)
{
    return versioned ? "public, max-age=31536000, immutable" : "no-cache";
}
