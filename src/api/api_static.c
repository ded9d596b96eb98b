/*
 * api_static.c — URL path to file path, content types and cache
 * validators for the web UI's static files (see api_static.h).
 */
#include "api/api_static.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* ---- versioned URLs ---- */

#define FNV_OFFSET    14695981039346656037ULL
#define FNV_PRIME     1099511628211ULL
#define VERSION_DEPTH 8 /* directories below web_dir that count */

static void hash_bytes(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;

    for (i = 0; i < n; i++) {
        *h ^= b[i];
        *h *= FNV_PRIME;
    }
}

/* Hash the files under dir (path[len..] names it below the web
 * directory): their names, sizes and modification times.  readdir's order
 * is stable for an unchanged directory, which is all a version needs. */
static bool version_walk(char *path, size_t len, size_t cap, int depth, uint64_t *h)
{
    DIR *d = opendir(path);
    struct dirent *de;
    struct stat sb;
    bool ok = d != NULL;
    int n;

    while (ok && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        n = snprintf(path + len, cap - len, "/%s", de->d_name);
        if (n < 0 || (size_t)n >= cap - len || lstat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode) && depth < VERSION_DEPTH) {
            ok = version_walk(path, len + (size_t)n, cap, depth + 1, h);
        } else if (S_ISREG(sb.st_mode)) {
            int64_t mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
            uint64_t size = (uint64_t)sb.st_size;

            hash_bytes(h, path, strlen(path) + 1);
            hash_bytes(h, &size, sizeof(size));
            hash_bytes(h, &mtime_ns, sizeof(mtime_ns));
        }
        path[len] = '\0';
    }
    if (d)
        closedir(d);
    return ok;
}

bool api_static_version_of(const char *web_dir, char *out)
{
    char path[4096];
    uint64_t h = FNV_OFFSET;
    int n = snprintf(path, sizeof(path), "%s", web_dir);
    bool ok =
        n > 0 && (size_t)n < sizeof(path) && version_walk(path, (size_t)n, sizeof(path), 0, &h);

    snprintf(out, API_STATIC_VERSION_MAX, "%012llx", (unsigned long long)(h & 0xffffffffffffULL));
    return ok;
}

const char *api_static_unversion(const char *url, const char *version, bool *current)
{
    const char *seg, *end;

    *current = false;
    if (strncmp(url, "/v/", 3) != 0)
        return url;
    seg = url + 3;
    end = strchr(seg, '/');
    if (!end)
        return url;
    *current = (size_t)(end - seg) == strlen(version) && !strncmp(seg, version, strlen(version));
    return end;
}

char *api_static_index(const char *text, size_t len, const char *version, size_t *out_len)
{
    static const char slot[] = API_STATIC_VERSION_SLOT;
    const size_t slot_len = sizeof(slot) - 1, ver_len = strlen(version) + 3; /* "v/" + "/" */
    size_t n = 0, i, o = 0;
    char *out;

    for (i = 0; i + slot_len <= len; i++) {
        if (!memcmp(text + i, slot, slot_len))
            n++;
    }
    out = malloc(len + n * ver_len + 1);
    if (!out)
        return NULL;
    for (i = 0; i < len;) {
        if (i + slot_len <= len && !memcmp(text + i, slot, slot_len)) {
            o += (size_t)snprintf(out + o, ver_len + 1, "v/%s/", version);
            i += slot_len;
        } else {
            out[o++] = text[i++];
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}
