/*
 * agency_edge.h — pure conversions at the edge between Påminn and the
 * agency's API: öre <-> SEK amounts with decimals, RFC 1123 dates, URL
 * escaping, and the retry arithmetic (exponential backoff with jitter,
 * Retry-After).
 *
 * No I/O and no state: the dispatcher passes the random number and the
 * current time in, so every function here is tested directly
 * (tests/unit/agency_edge_test.c).
 */
#ifndef PM_AGENCY_EDGE_H
#define PM_AGENCY_EDGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* ---- money ---- */

/* An amount in öre as the agency's JSON number of kronor (250.0, 1234.56).
 * Dump the document with AGENCY_JSON_FLAGS so the decimals come out exact. */
json_t *agency_money_json(int64_t ore);
#define AGENCY_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* The same amount as exact JSON number text, "1250.00", "-0.50". */
#define AGENCY_MONEY_TEXT_MAX 32
void agency_money_text(int64_t ore, char *dst, size_t cap);

/* The agency's amount (a JSON integer or real number of kronor) in öre,
 * rounded half away from zero at the öre.  PM_ERR_INVALID for a non-number,
 * PM_ERR_RANGE beyond MONEY_MAX. */
enum pm_err agency_money_parse(const json_t *v, int64_t *ore);

/* The same from decimal text ("1234.56", "-0.5", "1e3"); used by the above. */
enum pm_err agency_money_parse_text(const char *s, int64_t *ore);

/* ---- dates ---- */

/* "Mon, 16 Jun 2025 00:00:00 GMT"; dst holds AGENCY_RFC1123_LEN bytes. */
#define AGENCY_RFC1123_LEN 30
void agency_date_rfc1123(int64_t unix_s, char *dst);
/* A day number (core/date.h) at 00:00:00 GMT, as RFC 1123. */
void agency_day_rfc1123(int32_t day, char *dst);
/* Parse RFC 1123 ("Mon, 16 Jun 2025 00:00:00 GMT"), an ISO 8601 date
 * ("2025-06-16", midnight UTC) or an RFC 3339 instant
 * ("2025-06-16T10:00:00Z", "...+02:00", fractions ignored) into unix
 * seconds.  PM_ERR_INVALID for anything else. */
enum pm_err agency_date_parse(const char *s, int64_t *unix_s);

/* ---- URLs ---- */

/* Percent-encode s for a query value (RFC 3986 unreserved kept).
 * PM_ERR_RANGE when it does not fit in cap bytes with the NUL. */
enum pm_err agency_url_escape(const char *s, char *dst, size_t cap);

/* ---- retries ---- */

/* Delay before attempt number `attempt` (1 = the first retry):
 * d = min(cap_ms, base_ms * 2^(attempt-1)), then "equal jitter": a value in
 * [d/2, d] chosen by random.  attempt < 1 counts as 1. */
int64_t agency_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, uint64_t random);

/* A Retry-After header value as seconds from now: delta-seconds ("120") or
 * an HTTP date (RFC 1123; a date in the past gives 0).  PM_ERR_INVALID for
 * anything else (then the backoff alone applies). */
enum pm_err agency_retry_after_s(const char *value, int64_t now_s, int64_t *out);

/* A small, fast pseudo-random generator (splitmix64) for jitter. */
uint64_t agency_random_next(uint64_t *state);

#endif
