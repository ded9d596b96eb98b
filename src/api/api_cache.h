/*
 * api_cache.h — a small, bounded, validated cache of answers.
 *
 * The server keeps one cache per store handle of its pool (api_server.c),
 * so a cache is used by one thread at a time and takes no locks.  Entries
 * map a key (bytes) to an opaque value; what a value is, and how it is
 * released, belongs to the caller (the server keeps shared MHD responses
 * and bearer-token principals).
 *
 * Validity: every entry was made at one data version of the store handle
 * (store_data_version(), an opaque number that changes on every committed
 * write anyone makes).  api_cache_sync() is called with the current version
 * before every use; when it differs, every entry is dropped.  So an entry
 * can only be returned while nothing the handle can read has changed since
 * it was made.  Anything else an answer depends on (the company, the query,
 * "today") is part of its key.
 *
 * Bounds: at most max_entries entries and max_bytes bytes (the caller's
 * estimate of each value's cost plus its key); the least recently used
 * entries go first.
 */
#ifndef PM_API_CACHE_H
#define PM_API_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct api_cache;

/* Release one value (the cache's reference to it). */
typedef void api_cache_release_fn(void *value);

/* A new, empty cache, or NULL when out of memory.  The caller frees it with
 * api_cache_free(), which releases every value. */
struct api_cache *api_cache_new(size_t max_entries, size_t max_bytes,
                                api_cache_release_fn *release);
void api_cache_free(struct api_cache **cp);

/* Bring the cache to data version `version`: when its entries were made at
 * another version, release them all. */
void api_cache_sync(struct api_cache *c, uint64_t version);

/* The value stored under key, or NULL.  The value stays owned by the cache
 * and is valid until the next api_cache_sync() or api_cache_put() on c. */
void *api_cache_get(struct api_cache *c, const void *key, size_t key_len);

/* Store value (costing `bytes`) under key at the cache's current version,
 * replacing an entry with the same key and evicting the least recently used
 * as needed.  Takes the value over in every case: on failure (too large for
 * the cache: PM_ERR_RANGE; out of memory: PM_ERR_NOMEM) it is released. */
enum pm_err api_cache_put(struct api_cache *c, const void *key, size_t key_len, void *value,
                          size_t bytes);

/* What the cache holds now: entries, and bytes by the callers' estimates. */
size_t api_cache_count(const struct api_cache *c);
size_t api_cache_bytes(const struct api_cache *c);

#endif
