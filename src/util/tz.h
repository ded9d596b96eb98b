/*
 * tz.h — time zone rules from the system's tz database (TZif files).
 *
 * tz_load() reads /usr/share/zoneinfo/<name> (or $TZDIR/<name>) once; after
 * that tz_offset() is a pure look-up, safe from any thread.  Instants past
 * the file's last transition follow the POSIX TZ rule in the file's footer
 * (e.g. "CET-1CEST,M3.5.0,M10.5.0/3"), so dates far ahead keep their DST.
 */
#ifndef PM_TZ_H
#define PM_TZ_H

#include <stdint.h>

#include "util/err.h"

struct tz;

/* Load zone `name` ("Europe/Stockholm").  The caller frees with tz_free().
 * PM_ERR_NOT_FOUND for an unknown zone, PM_ERR_INVALID for a bad file. */
enum pm_err tz_load(const char *name, struct tz **out);
/* Parse a TZif image already in memory (used by tz_load and by tests). */
enum pm_err tz_parse(const unsigned char *data, size_t len, struct tz **out);
/* Frees and sets *tz to NULL; tz_free(NULL) and tz_free(&null) are no-ops. */
void tz_free(struct tz **tz);
/* Seconds east of UTC in force at the UTC instant. */
int32_t tz_offset(const struct tz *tz, int64_t unix_seconds);

#endif
