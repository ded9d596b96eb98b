/*
 * api_static.h — where the static files of the web UI come from.
 *
 * Pure path rules for the server's static file branch: a URL path maps to a
 * file under the web directory only when every segment is a plain name (no
 * "..", ".", empty segments, backslashes or control bytes); "/" is
 * index.html.  Content types are chosen by extension.  Caching: every file
 * has a validator (an ETag from its size and modification time, answered
 * with 304 when the browser's copy is current); a URL with the current
 * version (/v/VERSION/...) may be kept for a year, any other is
 * revalidated on each use.
 */
#ifndef PM_API_STATIC_H
#define PM_API_STATIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Write web_dir + the file for url_path into dst[cap]; false when the path
 * is refused or does not fit. */
bool api_static_path(const char *web_dir, const char *url_path, char *dst, size_t cap);

/* The Content-Type for a file name (application/octet-stream when unknown). */
const char *api_static_content_type(const char *file);

#define API_STATIC_ETAG_MAX 64

/* The ETag of a file of `size` bytes last changed at mtime_ns (ns since the
 * epoch), quoted, into dst[API_STATIC_ETAG_MAX]. */
void api_static_etag(uint64_t size, int64_t mtime_ns, char *dst);

/* True when an If-None-Match header (or NULL) names etag, or is "*". */
bool api_static_etag_matches(const char *if_none_match, const char *etag);

/* The Cache-Control of a static file: a year and immutable when the URL
 * carries a version, else "no-cache" (use it after revalidating). */
const char *api_static_cache_control(bool versioned);

/* ---- versioned URLs ----
 * index.html names its style sheet and script under "v/dev/"; the server
 * writes the web directory's version there instead, so every file the page
 * loads (the script's relative imports too) has a URL of that version, kept
 * for a year.  A new set of files is a new version, hence new URLs. */

#define API_STATIC_VERSION_MAX  20
#define API_STATIC_VERSION_SLOT "v/dev/"

/* The version of the files under web_dir (a hash of their names, sizes and
 * modification times) into out[API_STATIC_VERSION_MAX]; false when the
 * directory cannot be read. */
bool api_static_version_of(const char *web_dir, char *out);

/* url without a leading "/v/VERSION" (url itself when it has none);
 * *current: it had one and it is `version`. */
const char *api_static_unversion(const char *url, const char *version, bool *current);

/* index.html's text with every API_STATIC_VERSION_SLOT replaced by
 * "v/VERSION/": a malloc'ed string of *len bytes, or NULL (no memory). */
char *api_static_index(const char *text, size_t len, const char *version, size_t *out_len);

#endif
