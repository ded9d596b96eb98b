/*
 * api_static.c — URL path to file path, and content types, for the web UI.
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
