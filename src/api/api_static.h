/*
 * api_static.h — where the static files of the web UI come from.
 *
 * Pure path rules for the server's static file branch: a URL path maps to a
 * file under the web directory only when every segment is a plain name (no
 * "..", ".", empty segments, backslashes or control bytes); "/" is
 * index.html.  Content types are chosen by extension.
 */
#ifndef PM_API_STATIC_H
#define PM_API_STATIC_H

#include <stdbool.h>
#include <stddef.h>

/* Write web_dir + the file for url_path into dst[cap]; false when the path
 * is refused or does not fit. */
bool api_static_path(const char *web_dir, const char *url_path, char *dst, size_t cap);

/* The Content-Type for a file name (application/octet-stream when unknown). */
const char *api_static_content_type(const char *file);

#endif
